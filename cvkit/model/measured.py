"""A measured run as a schedule: its folds' traces read as the same record a prediction makes, and its prediction.

:func:`schedule_from_result` reads a finished :class:`cvkit.CVResult` into a :class:`cvkit.model.records.Schedule`;
:func:`predict_from_result` predicts the same case (its n_jobs, pre_dispatch and batch_size) with
:func:`cvkit.model.replay.predict_schedule`; :func:`counts_agree` compares the two the way the lessons do.
"""

from .records import Schedule, ScheduledTask, lanes_by_first_start, worker_lane_labels
from .replay import predict_schedule

__all__ = ["counts_agree", "predict_from_result", "schedule_from_result"]


def schedule_from_result(result):
    """Build a :class:`cvkit.model.records.Schedule` from a measured :class:`cvkit.CVResult`'s trace.

    Lanes are the workers (process and thread) that ran folds, numbered in the
    order in which each first started a fold, so worker 0 is the one that ran
    the first fold to start (as in a live run, :class:`cvkit.model.live.LiveRun`). Folds that never started
    (cancelled) are left out; failed folds keep their status. There are at least ``result.n_jobs`` lanes
    (an idle worker is an empty lane), more if workers were replaced during the run.
    Times are seconds since the run started; ``makespan`` is when the last fold
    ended (``settings["wall_time"]`` also counts collecting the results).

    Examples
    --------
    >>> import numpy as np
    >>> from cvkit import CVResult, FoldResult, TaskTrace
    >>> folds = [FoldResult(i, trace=TaskTrace(i, "h", pid, 0, "w", s, e))
    ...          for i, (pid, s, e) in enumerate([(11, 0.0, 1.0), (12, 0.1, 1.0), (11, 1.0, 2.0)])]
    >>> s = schedule_from_result(CVResult(folds, "f1", np.array([0, 1]), 2, "loky", 2.05))
    >>> s.lanes(), s.worker_labels, s.makespan
    ([[0, 2], [1]], ['pid 11', 'pid 12'], 2.0)
    """
    traced = [f for f in result.folds if f.trace is not None]
    lane_of = lanes_by_first_start((f.trace.start, f.trace.fold, f.trace.worker) for f in traced)
    tasks = [
        ScheduledTask(f.fold, lane_of[f.trace.worker], f.trace.start, f.trace.end, status=f.status) for f in traced
    ]
    workers = list(lane_of)  # (host, pid, thread_id) in lane order
    labels = worker_lane_labels(workers)
    n_workers = max(int(result.n_jobs or 1), len(workers), 1)
    labels += [None] * (n_workers - len(labels))
    return Schedule(
        tasks=sorted(tasks, key=lambda t: t.fold),
        n_workers=n_workers,
        makespan=max((t.end for t in tasks), default=0.0),
        source="measured",
        settings={
            "n_jobs": result.n_jobs,
            "backend": result.backend,
            "wall_time": result.wall_time,
            **dict(result.settings or {}),
        },
        worker_labels=labels,
    )


def predict_from_result(result, durations=None, *, dispatch_overhead=0.0):
    """Predict the schedule of a measured run's case: its n_jobs, pre_dispatch and batch_size.

    Parameters
    ----------
    result : CVResult
        The run whose case is predicted.
    durations : sequence of float or CVResult, optional
        Seconds per fold. Default: the run's own fold durations, so that the
        prediction differs from the measurement only in *who ran what, when*.
        Pass a serial run's CVResult to predict from folds timed alone.
    dispatch_overhead : float
        As in :func:`cvkit.model.replay.predict_schedule`.
    """
    if durations is None:
        durations = _fold_durations(result)
    elif hasattr(durations, "folds"):
        durations = _fold_durations(durations)
    settings = dict(result.settings or {})
    batch_size = settings.get("batch_size", "auto")
    if batch_size == "auto" and result.backend == "threading":
        batch_size = 1  # the threading backend never batches
    return predict_schedule(
        durations,
        int(result.n_jobs or 1),
        pre_dispatch=settings.get("pre_dispatch", "2*n_jobs"),
        batch_size=batch_size,
        dispatch_overhead=dispatch_overhead,
    )


def _fold_durations(result):
    """Seconds each fold of a run took, in fold order, from its trace."""
    missing = [f.fold for f in result.folds if f.trace is None]
    if missing:
        raise ValueError(
            f"fold(s) {', '.join(map(str, missing))} of this run never started, so they have no duration; "
            "allowed: a run whose folds all started, or explicit durations."
        )
    return [f.trace.duration for f in result.folds]


def counts_agree(measured, predicted, tolerance=1):
    """True if two schedules' per-worker fold counts agree within ``tolerance``, lanes sorted by count.

    Lanes are compared busiest with busiest: which *process* got the extra fold
    is up to the operating system, how many folds the busiest one got is not.

    >>> counts_agree(predict_schedule(5, 2), predict_schedule([1, 1, 1, 1, 1.5], 2))
    True
    """
    a = sorted(measured.per_worker_counts(), reverse=True)
    b = sorted(predicted.per_worker_counts(), reverse=True)
    width = max(len(a), len(b))
    a, b = a + [0] * (width - len(a)), b + [0] * (width - len(b))
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))
