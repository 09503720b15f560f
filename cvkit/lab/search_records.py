"""A search's fit tasks as records: :class:`SearchTask`, and the model's pictures of them (a measured schedule, a live run).

:class:`cvkit.lab.search_recorder.SearchRecorder` fills the records while a search runs;
:func:`search_schedule` and :func:`search_live_run` turn them into what the plots and the live view draw.
"""

from dataclasses import dataclass

from ..core.results import FINAL_STATUSES
from ..core.trace import now

__all__ = ["CUT_SHORT", "TASK_STATES", "SearchTask", "search_live_run", "search_schedule"]

#: The error of a task the search's end found still running (the search raised, e.g. a worker died).
CUT_SHORT = "still running when the search's fit ended"

#: What a recorded task can be, in the fold statuses' words ("cancelled": it started after a stop was requested,
#: and did not fit); a search reports a task when it begins, so none is "waiting" or "interrupted".
TASK_STATES = ("running", *FINAL_STATUSES)


@dataclass(frozen=True)
class SearchTask:
    """One fit task of a search: its place in the grid, the worker that ran it, when, and how it ended.

    Attributes
    ----------
    task : int
        The task's number: ``candidate * n_splits + fold`` for a cross-validation fit
        (scikit-learn's ``task_id``), ``n_candidates * n_splits`` for the refit.
    kind : {"fit", "refit"}
        A (candidate, fold) fit, or the final refit of the best candidate on all the data.
    candidate : int or None
        Index of the candidate in ``cv_results_["params"]`` (the refit: ``best_index_``).
    fold : int or None
        Index of the split; None for the refit.
    host, pid, thread_id
        The worker: host name, process id and native thread id.
    start, end : float
        Wall clock seconds (:func:`cvkit.core.trace.now`); ``end`` is None while the task runs.
    state : {"running", "done", "failed", "cancelled"}
    error : str or None
        For a failed task: the last line of its traceback; for a cancelled one: why.

    Examples
    --------
    >>> t = SearchTask(5, "fit", 1, 1, "h", 11, 3, 10.0, 10.25, "done")
    >>> t.duration, t.worker
    (0.25, ('h', 11, 3))
    """

    task: int
    kind: str
    candidate: int | None
    fold: int | None
    host: str
    pid: int
    thread_id: int
    start: float
    end: float | None
    state: str
    error: str | None = None

    @property
    def duration(self):
        """Seconds the task ran (None while it runs)."""
        return None if self.end is None else self.end - self.start

    @property
    def worker(self):
        """Key of the worker (host, process, thread) that ran the task."""
        return (self.host, self.pid, self.thread_id)


def search_schedule(tasks, *, started_at, ended_at, settings, n_splits):
    """Finished fits as a measured :class:`cvkit.model.records.Schedule` (see :meth:`SearchRecorder.schedule`).

    Parameters
    ----------
    tasks : list of SearchTask
        The tasks to draw (running and cancelled ones are left out).
    started_at, ended_at : float or None
        Wall clock seconds when the search's ``fit`` started and ended.
    settings : dict
        The search's settings, kept in the schedule's.
    n_splits : int or None

    Examples
    --------
    >>> done = [SearchTask(0, "fit", 0, 0, "h", 11, 3, 10.0, 10.5, "done"),
    ...         SearchTask(1, "fit", 0, 1, "h", 12, 3, 10.1, 10.4, "done")]
    >>> s = search_schedule(done, started_at=10.0, ended_at=10.6, settings={}, n_splits=2)
    >>> s.n_folds, s.n_workers, s.worker_labels
    (2, 2, ['pid 11', 'pid 12'])
    """
    from ..model.records import Schedule, ScheduledTask, lanes_by_first_start, worker_lane_labels

    t0 = started_at if started_at is not None else 0.0
    tasks = [t for t in tasks if t.end is not None and t.state != "cancelled"]
    lane_of = lanes_by_first_start((t.start, t.task, t.worker) for t in tasks)
    workers = list(lane_of)
    labels = worker_lane_labels(workers)
    scheduled = [ScheduledTask(t.task, lane_of[t.worker], t.start - t0, t.end - t0, status=t.state) for t in tasks]
    wall = None if ended_at is None or started_at is None else ended_at - started_at
    return Schedule(
        tasks=sorted(scheduled, key=lambda t: t.fold),
        n_workers=max(len(workers), 1),
        makespan=max((t.end for t in scheduled), default=0.0),
        source="measured",
        settings={**settings, "wall_time": wall, "n_splits": n_splits},
        worker_labels=labels or None,
    )


def search_live_run(tasks, *, started_at, ended_at, n_tasks, n_jobs, deaths=None):
    """(Candidate, fold) fits as a :class:`cvkit.model.live.LiveRun` (see :meth:`SearchRecorder.live_run`).

    Parameters
    ----------
    tasks : list of SearchTask
        The fits recorded so far (cancelled ones are left out: ``finish`` marks them).
    started_at, ended_at : float or None
        Wall clock seconds when the search's ``fit`` started and ended (None: not yet).
    n_tasks : int or None
        The (candidate, fold) tasks the search announced.
    n_jobs : int or None
        The search's ``n_jobs``: the lanes drawn (else one per worker seen).
    deaths : dict or None
        ``{pid: seconds since the fit started}`` of worker processes seen dead.

    Examples
    --------
    >>> running = [SearchTask(0, "fit", 0, 0, "h", 11, 3, 10.0, None, "running")]
    >>> live = search_live_run(running, started_at=10.0, ended_at=None, n_tasks=4, n_jobs=2)
    >>> live.n_folds, live.finished
    (4, False)
    """
    from ..core.results import FoldResult
    from ..core.trace import TaskTrace
    from ..model.live import LiveRun

    tasks = [t for t in tasks if t.kind == "fit" and t.state != "cancelled"]
    t0 = started_at if started_at is not None else now()
    n = max([n_tasks or 0, *(t.task + 1 for t in tasks), 1])
    lanes = n_jobs or 1
    lanes = lanes if isinstance(lanes, int) and lanes > 0 else max(len({t.worker for t in tasks}), 1)
    live = LiveRun(n, n_workers=lanes, clock=now, began=t0)
    for t in sorted(tasks, key=lambda t: (t.start, t.task)):
        live.start(t.task, t.worker, t.start - t0)
    for t in sorted((t for t in tasks if t.end is not None), key=lambda t: t.end):
        trace = TaskTrace(t.task, t.host, t.pid, t.thread_id, "", t.start - t0, t.end - t0)
        error_type, _, message = (t.error or "").partition(":")
        live.complete(FoldResult(t.task, status=t.state, trace=trace,
                                 error_type=error_type or None, error_message=message.strip() or None))  # fmt: skip
    for pid, at in sorted((deaths or {}).items(), key=lambda item: item[1]):
        live.worker_died(pid, at=at)
    if ended_at is not None:
        live.finish(at=ended_at - t0)
    return live
