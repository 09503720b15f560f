"""The record of a run: which worker lane ran which fold, when, and in what status; predicted, measured or live.

One record, :class:`ScheduledTask`, serves every picture of a run: :func:`cvkit.model.replay.predict_schedule`
predicts them, :func:`cvkit.model.measured.schedule_from_result` reads them from a finished run's traces, and
:meth:`cvkit.model.live.LiveRun.snapshot` makes them as a run goes on. In all three, lanes are numbered the same
way (lane 0 is the worker that started a fold first) and a fold's status is one of
:data:`cvkit.core.results.FOLD_STATUSES`. :class:`Schedule` holds the records of one whole run and answers
questions about it (per-worker counts, lanes, batches, bounds, each fold's status at a time, when results arrive).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ..core.checks import check_choice
from ..core.results import FOLD_STATUSES
from ..core.verdicts import rounds, speedup_bound

__all__ = ["RETURN_AS", "Schedule", "ScheduledTask", "lanes_by_first_start", "worker_lane_labels"]

#: The orders in which joblib can hand results back (``Parallel(return_as=...)``).
RETURN_AS = ("list", "generator", "generator_unordered")


def lanes_by_first_start(starts):
    """Number the workers of a measured run by the order in which each first started a task: lane 0 started first.

    Parameters
    ----------
    starts : iterable of (start, tie, worker)
        One per task: when it started, what orders tasks that started at the
        same time (the fold or task index), and the worker that ran it (any
        hashable, e.g. ``(host, pid, thread_id)``).

    Returns
    -------
    dict
        worker -> lane, in lane order: ``list(lanes)`` gives the workers lane by lane.

    Examples
    --------
    >>> lanes_by_first_start([(1.0, 2, "b"), (0.0, 0, "a"), (0.5, 1, "b"), (0.5, 3, "c")])
    {'a': 0, 'b': 1, 'c': 2}
    """
    lane_of = {}
    for _, _, worker in sorted(starts, key=lambda s: (s[0], s[1])):
        lane_of.setdefault(worker, len(lane_of))
    return lane_of


def worker_lane_labels(workers, seen=None):
    """A label per worker: "pid N" if each worker is a process of its own, else "thread N".

    Parameters
    ----------
    workers : sequence of (host, pid, thread_id)
        The workers to label, e.g. one per lane in lane order.
    seen : collection of (host, pid, thread_id), optional
        The distinct workers that decide between pids and threads (default:
        ``workers``). A live run passes every worker it has seen, also a dead
        one whose lane went to the worker that replaced it.

    Returns
    -------
    list of str

    Examples
    --------
    >>> worker_lane_labels([("h", 11, 7), ("h", 12, 7)])
    ['pid 11', 'pid 12']
    >>> worker_lane_labels([("h", 11, 7), ("h", 11, 8)])   # one process, two threads
    ['thread 7', 'thread 8']
    """
    seen = workers if seen is None else seen
    by_pid = len({w[1] for w in seen}) == len(seen)
    return [f"pid {w[1]}" if by_pid else f"thread {w[2]}" for w in workers]


@dataclass(frozen=True)
class ScheduledTask:
    """One fold (or one attempt at it) on a worker lane: when it ran and what became of it.

    Attributes
    ----------
    fold : int
        Index of the fold (0-based, in the splitter's order).
    worker : int
        Lane index 0 .. n_workers-1: lanes are numbered by the order in which the
        workers first started a fold (in a prediction, worker 0 takes fold 0); a
        live run gives the lane of a dead worker to the worker that replaces it.
    start, end : float
        Seconds since the run started. For a fold still running in a live
        snapshot, ``end`` is the snapshot's "now".
    batch : int or None
        Predicted only: index of the batch (in dispatch order) the fold travelled in.
    dispatched : float or None
        Predicted only: when joblib handed the fold's batch to the pool.
    status : str
        One of :data:`cvkit.core.results.FOLD_STATUSES`: "done" (every predicted
        fold), "failed", "cancelled", and while a run goes on "running" or
        "interrupted" (its worker died under it).
    attempt : int
        1, or more for a re-run after a worker died (live only).
    score : float
        The metric of a done fold (live only), else NaN.
    error : str or None
        "ErrorType: first line" for a failed fold (live only).

    Examples
    --------
    >>> task = ScheduledTask(fold=0, worker=1, start=0.5, end=2.0)
    >>> task.duration, task.status
    (1.5, 'done')
    >>> ScheduledTask(0, 1, 0.5, 2.0, status="finished")
    Traceback (most recent call last):
    ...
    ValueError: status='finished' is not allowed; allowed: 'waiting', 'running', 'interrupted', 'done', 'failed', 'cancelled'.
    """

    fold: int
    worker: int
    start: float
    end: float
    batch: int | None = None
    dispatched: float | None = None
    status: str = "done"
    attempt: int = 1
    score: float = math.nan
    error: str | None = None

    def __post_init__(self):
        check_choice("status", self.status, FOLD_STATUSES)

    @property
    def duration(self):
        """Seconds the fold ran."""
        return self.end - self.start


@dataclass
class Schedule:
    """Which worker ran which fold and when: predicted by :func:`cvkit.model.predict_schedule` or measured.

    Attributes
    ----------
    tasks : list of ScheduledTask
        In fold order.
    n_workers : int
        Number of worker lanes (lanes may stay empty: 5 folds on 8 workers).
    makespan : float
        When the last fold ended, in seconds since the run started.
    source : {"predicted", "measured"}
        ``"measured"``: from :func:`cvkit.model.schedule_from_result` (or a search record).
    settings : dict
        What the schedule was made with: n_jobs, pre_dispatch, batch_size,
        dispatch_overhead (predicted), or backend, wall_time (measured).
    worker_labels : list of str or None
        A name per lane ("pid 1234" for a measured process, "thread 5678" for a thread).
    """

    tasks: list
    n_workers: int
    makespan: float
    source: str = "predicted"
    settings: dict = field(default_factory=dict)
    worker_labels: list | None = None

    # --- views -----------------------------------------------------------------------------
    @property
    def n_folds(self):
        """Number of folds in the schedule."""
        return len(self.tasks)

    @property
    def durations(self):
        """Seconds per fold, in fold order."""
        return np.array([t.duration for t in self.tasks], dtype=float)

    @property
    def serial_time(self):
        """Sum of the fold durations: the time one worker would need with no overhead."""
        return float(self.durations.sum())

    @property
    def speedup(self):
        """Serial time (sum of fold durations) divided by the makespan."""
        return self.serial_time / self.makespan if self.makespan > 0 else float("nan")

    def per_worker_counts(self):
        """Number of folds each worker lane ran, as a list indexed by lane.

        >>> from cvkit.model import predict_schedule
        >>> predict_schedule(10, n_jobs=4).per_worker_counts()
        [3, 3, 2, 2]
        """
        counts = [0] * self.n_workers
        for t in self.tasks:
            counts[t.worker] += 1
        return counts

    def lanes(self):
        """The folds each worker ran, in the order it ran them: a list of lists indexed by lane.

        >>> from cvkit.model import predict_schedule
        >>> predict_schedule([3, 1, 1, 1, 1], n_jobs=2).lanes()
        [[0, 4], [1, 2, 3]]
        """
        lanes = [[] for _ in range(self.n_workers)]
        for t in sorted(self.tasks, key=lambda t: (t.start, t.fold)):
            lanes[t.worker].append(t.fold)
        return lanes

    def batches(self):
        """The folds of each batch, in dispatch order (a prediction only; a measured trace has no batches).

        >>> from cvkit.model import predict_schedule
        >>> predict_schedule([0.12] * 10, n_jobs=2, batch_size="auto").batches()
        [[0], [1], [2], [3], [4, 5], [6, 7], [8], [9]]
        """
        if any(t.batch is None for t in self.tasks):
            raise ValueError(f"this {self.source} schedule has no batches; allowed: a schedule from predict_schedule.")
        groups = {}
        for t in sorted(self.tasks, key=lambda t: (t.batch, t.fold)):
            groups.setdefault(t.batch, []).append(t.fold)
        return list(groups.values())

    def lane_labels(self):
        """A label per lane: "worker 0", ... (with the pid or thread id of a measured worker)."""
        labels = self.worker_labels or [None] * self.n_workers
        return [f"worker {i}" + (f" · {lab}" if lab else "") for i, lab in enumerate(labels)]

    def bounds(self):
        """What no schedule of these folds on ``n_workers`` workers can beat.

        Returns
        -------
        dict with
            ``total_work_over_workers`` : sum of durations / workers (perfect sharing);
            ``longest_task`` : a fold cannot be split between workers;
            ``rounds`` : ceil(k / w) (:func:`cvkit.core.verdicts.rounds`); the busiest worker runs at least this many folds,
            and for equal folds it is the number of rounds;
            ``equal_folds`` : True if all durations are equal;
            ``makespan_lower_bound`` : rounds × fold time for equal folds, else the larger
            of the first two;
            ``best_speedup`` : serial time / makespan_lower_bound, which is
            :func:`cvkit.core.verdicts.speedup_bound` (k / ceil(k / w)) for equal folds.

        Examples
        --------
        >>> from cvkit.model import predict_schedule
        >>> predict_schedule(5, n_jobs=2).bounds()
        {'total_work_over_workers': 2.5, 'longest_task': 1.0, 'rounds': 3, 'equal_folds': True,
         'makespan_lower_bound': 3.0, 'best_speedup': 1.6666666666666667}
        """
        d = self.durations
        k, w = len(d), self.n_workers
        if k == 0:
            return {
                "total_work_over_workers": 0.0,
                "longest_task": 0.0,
                "rounds": 0,
                "equal_folds": True,
                "makespan_lower_bound": 0.0,
                "best_speedup": float("nan"),
            }
        total = float(d.sum())
        n_rounds = rounds(k, w)
        equal = bool(np.allclose(d, d[0], rtol=1e-9, atol=0.0))
        lower = n_rounds * float(d[0]) if equal else max(total / w, float(d.max()))
        if lower <= 0:
            best = float("nan")
        else:
            best = speedup_bound(k, w) if equal else total / lower
        return {
            "total_work_over_workers": total / w,
            "longest_task": float(d.max()),
            "rounds": n_rounds,
            "equal_folds": equal,
            "makespan_lower_bound": lower,
            "best_speedup": best,
        }

    def state_at(self, t):
        """Each fold's status just after the events at time ``t``: a dict fold -> status.

        A fold is "waiting" until it starts (in joblib's task generator, or
        handed to the pool and waiting for a worker or behind the folds before
        it in its batch: :meth:`not_dispatched_at` tells the two apart), then
        "running", then its own final status ("done", "failed", "cancelled").

        >>> from cvkit.model import predict_schedule
        >>> predict_schedule(5, n_jobs=2).state_at(1.0)
        {0: 'done', 1: 'done', 2: 'running', 3: 'running', 4: 'waiting'}
        """
        states = {}
        for task in self.tasks:
            if t < task.start:
                states[task.fold] = "waiting"
            elif t < task.end:
                states[task.fold] = "running"
            else:
                states[task.fold] = task.status
        return states

    def not_dispatched_at(self, t):
        """The folds still in joblib's task generator at time ``t`` (not handed to the pool yet), in fold order.

        A measured schedule has no dispatch times: none of its folds counts as not dispatched.

        >>> from cvkit.model import predict_schedule
        >>> predict_schedule(6, n_jobs=2, pre_dispatch="n_jobs").not_dispatched_at(0.0)
        [2, 3, 4, 5]
        """
        return [task.fold for task in self.tasks if task.dispatched is not None and t < task.dispatched]

    def event_times(self):
        """The distinct times at which something happens (0, every start, end and dispatch), sorted."""
        times = {0.0}
        for t in self.tasks:
            times.update((round(t.start, 9), round(t.end, 9)))
            if t.dispatched is not None:
                times.add(round(t.dispatched, 9))
        return sorted(times)

    def results_order(self, return_as="list"):
        """When each fold's result reaches the caller: a list of ``(fold, time)`` in the order received.

        A batch's results travel back together when its last task ends.
        ``"list"``: all at once, when the last fold ends, in fold order.
        ``"generator"``: in fold order, each as soon as it and every fold
        before it are back (a slow fold 0 holds back the others).
        ``"generator_unordered"``: in completion order, each as soon as it is back.

        >>> from cvkit.model import predict_schedule
        >>> s = predict_schedule([3, 1, 1, 1, 1], n_jobs=2)
        >>> s.results_order("generator")
        [(0, 3.0), (1, 3.0), (2, 3.0), (3, 3.0), (4, 4.0)]
        >>> s.results_order("generator_unordered")
        [(1, 1.0), (2, 2.0), (0, 3.0), (3, 3.0), (4, 4.0)]
        """
        check_choice("return_as", return_as, RETURN_AS)
        back = {}
        batch_end = {}
        for t in self.tasks:
            if t.batch is not None:
                batch_end[t.batch] = max(batch_end.get(t.batch, 0.0), t.end)
        for t in self.tasks:
            back[t.fold] = batch_end[t.batch] if t.batch is not None else t.end
        folds = sorted(back)
        if return_as == "list":
            done = max(back.values(), default=0.0)
            return [(f, done) for f in folds]
        if return_as == "generator":
            out, latest = [], 0.0
            for f in folds:
                latest = max(latest, back[f])
                out.append((f, latest))
            return out
        return sorted(back.items(), key=lambda item: (item[1], item[0]))

    def describe(self, digits=3):
        """The schedule as text, one line per worker: ``worker 0: fold 0 [0–1], fold 2 [1–2]``.

        Times are shown without a unit so that a predicted schedule's text is
        compared literally by nbval.
        """
        by_lane = [[] for _ in range(self.n_workers)]
        for t in sorted(self.tasks, key=lambda t: (t.start, t.fold)):
            by_lane[t.worker].append(f"fold {t.fold} [{_num(t.start, digits)}–{_num(t.end, digits)}]")
        return "\n".join(f"worker {i}: " + (", ".join(parts) or "(idle)") for i, parts in enumerate(by_lane))

    def to_frame(self):
        """One row per fold: worker, start, end, duration (and batch, dispatched for a prediction)."""
        import pandas as pd

        rows = []
        for t in self.tasks:
            row = {"fold": t.fold, "worker": t.worker, "start": t.start, "end": t.end, "duration": t.duration}
            if self.source == "predicted":
                row.update(batch=t.batch, dispatched=t.dispatched)
            else:
                row["status"] = t.status
            rows.append(row)
        return pd.DataFrame(rows).set_index("fold")

    def __repr__(self):
        return (
            f"Schedule({self.source}, {self.n_folds} folds on {self.n_workers} workers, "
            f"makespan {self.makespan:.3g} s, speed-up {self.speedup:.2f}×)"
        )


def _num(x, digits=3):
    """A time for display: 2 -> '2', 1.5 -> '1.5', 1/3 -> '0.333'."""
    return f"{round(float(x), digits):g}"
