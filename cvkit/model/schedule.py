"""A model of how joblib hands folds to workers: which worker runs which fold, when, and the makespan.

The model replays, on a simulated clock, the bookkeeping of ``joblib.Parallel``
(``dispatch_one_batch``, ``dispatch_next`` and the auto-batching rule of the
loky, multiprocessing and dask backends, as in joblib 1.6). Give it how long each fold
takes and it predicts the schedule; give it a measured run and
:func:`schedule_from_result` turns the trace into the same kind of object, so the
two can be drawn and compared with the same code (:mod:`cvkit.plots.gantt`).

How joblib dispatches, in plain words
-------------------------------------
1. At the start, joblib takes the first ``pre_dispatch`` tasks (default
   ``2 * n_jobs``) from the task generator, groups them into batches and hands
   all of them to the pool. The pool keeps them in a first-in first-out queue.
2. Each idle worker takes the batch at the head of the queue and runs its tasks
   back to back. If several workers are idle, the one idle longest takes it.
3. Each time a batch finishes, joblib dispatches one more batch (from the tasks
   not yet taken). So after the start there are never more than about
   ``pre_dispatch`` tasks dispatched but unfinished, and a ``pre_dispatch``
   smaller than ``n_jobs`` leaves workers idle (``pre_dispatch=1`` is serial).
4. Results come back in fold order (``return_as="list"`` or ``"generator"``)
   or in completion order (``"generator_unordered"``); that changes when you
   *see* a result, not who runs what (:meth:`Schedule.results_order`).

Batch size (how many tasks travel together)
-------------------------------------------
An int ``batch_size`` is a *target*: joblib looks ahead ``batch_size * n_jobs``
tasks and cuts them into ``n_jobs`` equal batches, so the pre-dispatched batches
may be smaller than asked (``pre_dispatch=4, batch_size=4, n_jobs=2`` gives two
batches of 2), and near the end of the tasks the batches shrink to 1 so the last
tasks spread over all workers.

``batch_size="auto"`` (run_folds' and joblib's default) starts at 1. Each time a
batch finishes, joblib measures the time *from its dispatch to its completion*
(queue wait included); while that is under 0.2 s it grows the batch size (at
most doubling it, towards ``2 * 0.2 s / duration`` times the current size), and
above 2 s it shrinks it.
For coarse folds (0.2 s or more) it therefore stays 1. For ~0.1 s folds it
does *not*: after the first fold it becomes 2, and later folds travel in pairs.
The model replays this rule with the simulated times (so a duration near a
threshold can tip either way in a real run). The threading backend never batches:
model it with ``batch_size=1`` (:func:`predict_from_result` does this for you).

What the model leaves out
-------------------------
Fold durations are taken as given: when more workers run than there are cores,
or when folds compete for memory bandwidth, real folds run slower than alone.
Pickling, sending and returning a batch cost a little time
(``dispatch_overhead`` per batch models that; with loky it is well under a
millisecond on an idle machine). Which of several workers idle at the *same*
instant takes the next batch is up to the operating system; the model gives it
to the lowest-numbered one.

Examples
--------
>>> s = predict_schedule(5, n_jobs=2)          # 5 equal folds of 1 s on 2 workers
>>> s.makespan, s.per_worker_counts(), s.bounds()["rounds"]
(3.0, [3, 2], 3)
>>> print(s.describe())
worker 0: fold 0 [0–1], fold 2 [1–2], fold 4 [2–3]
worker 1: fold 1 [0–1], fold 3 [1–2]
>>> round(speedup_bound(5, 2), 4)
1.6667
"""

import heapq
import math
from collections import deque
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from ..backends import resolve_n_jobs
from ..core.checks import check_batch_size, check_choice, check_n_jobs, check_positive_int, check_pre_dispatch

__all__ = [
    "RETURN_AS",
    "Schedule",
    "ScheduledTask",
    "SpeedupSummary",
    "counts_agree",
    "list_scheduling_bound",
    "pre_dispatch_amount",
    "predict_from_result",
    "predict_schedule",
    "schedule_from_result",
    "speedup_bound",
    "speedup_summary",
]

#: The orders in which joblib can hand results back (``Parallel(return_as=...)``).
RETURN_AS = ("list", "generator", "generator_unordered")

#: Task states reported by :meth:`Schedule.state_at`.
STATES = ("not dispatched", "queued", "running", "done")

# joblib's AutoBatchingMixin constants (joblib/_parallel_backends.py).
_MIN_IDEAL_BATCH_DURATION = 0.2
_MAX_IDEAL_BATCH_DURATION = 2.0


# --------------------------------------------------------------------------------------------
# The schedule
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduledTask:
    """One fold in a schedule: which worker lane ran it, and when.

    Attributes
    ----------
    fold : int
        Index of the fold (0-based, in the splitter's order).
    worker : int
        Lane index 0 .. n_workers-1. In a prediction, worker 0 takes fold 0; in a
        measured schedule, lanes are numbered by the order in which the workers
        first started a fold.
    start, end : float
        Seconds since the run started.
    batch : int or None
        Predicted only: index of the batch (in dispatch order) the fold travelled in.
    dispatched : float or None
        Predicted only: when joblib handed the fold's batch to the pool.
    status : str
        Measured only: "done", "failed" or "cancelled" as in :class:`cvkit.FoldResult`.
    """

    fold: int
    worker: int
    start: float
    end: float
    batch: int | None = None
    dispatched: float | None = None
    status: str = "done"

    @property
    def duration(self):
        """Seconds the fold ran."""
        return self.end - self.start


@dataclass
class Schedule:
    """Which worker ran which fold and when: predicted by :func:`predict_schedule` or measured.

    Attributes
    ----------
    tasks : list of ScheduledTask
        In fold order.
    n_workers : int
        Number of worker lanes (lanes may stay empty: 5 folds on 8 workers).
    makespan : float
        When the last fold ended, in seconds since the run started.
    source : {"predicted", "measured"}
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

        >>> predict_schedule(10, n_jobs=4).per_worker_counts()
        [3, 3, 2, 2]
        """
        counts = [0] * self.n_workers
        for t in self.tasks:
            counts[t.worker] += 1
        return counts

    def lanes(self):
        """The folds each worker ran, in the order it ran them: a list of lists indexed by lane.

        >>> predict_schedule([3, 1, 1, 1, 1], n_jobs=2).lanes()
        [[0, 4], [1, 2, 3]]
        """
        lanes = [[] for _ in range(self.n_workers)]
        for t in sorted(self.tasks, key=lambda t: (t.start, t.fold)):
            lanes[t.worker].append(t.fold)
        return lanes

    def batches(self):
        """The folds of each batch, in dispatch order (a prediction only; a measured trace has no batches).

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
            ``rounds`` : ceil(k / w); the busiest worker runs at least this many folds,
            and for equal folds it is the number of rounds;
            ``equal_folds`` : True if all durations are equal;
            ``makespan_lower_bound`` : rounds × fold time for equal folds, else the larger
            of the first two;
            ``best_speedup`` : serial time / makespan_lower_bound, which is k / ceil(k / w)
            for equal folds.

        Examples
        --------
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
        rounds = math.ceil(k / w)
        equal = bool(np.allclose(d, d[0], rtol=1e-9, atol=0.0))
        lower = rounds * float(d[0]) if equal else max(total / w, float(d.max()))
        return {
            "total_work_over_workers": total / w,
            "longest_task": float(d.max()),
            "rounds": rounds,
            "equal_folds": equal,
            "makespan_lower_bound": lower,
            "best_speedup": total / lower if lower > 0 else float("nan"),
        }

    def state_at(self, t):
        """Each fold's state just after the events at time ``t``: a dict fold -> state.

        States: "not dispatched" (still in joblib's task generator), "queued"
        (handed to the pool, waiting for a worker, or waiting behind the folds
        before it in its batch), "running", "done". A measured schedule has no
        dispatch times: its folds are "queued" until they start.

        >>> predict_schedule(5, n_jobs=2).state_at(1.0)
        {0: 'done', 1: 'done', 2: 'running', 3: 'running', 4: 'queued'}
        """
        states = {}
        for task in self.tasks:
            if task.dispatched is not None and t < task.dispatched:
                states[task.fold] = "not dispatched"
            elif t < task.start:
                states[task.fold] = "queued"
            elif t < task.end:
                states[task.fold] = "running"
            else:
                states[task.fold] = "done"
        return states

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


# --------------------------------------------------------------------------------------------
# Bounds
# --------------------------------------------------------------------------------------------
def speedup_bound(n_folds, n_workers):
    """The best speed-up of ``n_folds`` equal folds on ``n_workers`` workers: k / ceil(k / w).

    The folds run in ceil(k / w) rounds, and the last round may be part-empty.

    Examples
    --------
    >>> [round(speedup_bound(k, 2), 3) for k in (5, 10, 15)]
    [1.667, 2.0, 1.875]
    >>> speedup_bound(5, 8)  # more workers than folds: every fold at once
    5.0
    """
    k = check_positive_int("n_folds", n_folds)
    w = check_positive_int("n_workers", n_workers)
    return k / math.ceil(k / w)


def list_scheduling_bound(durations, n_workers):
    """Makespan of greedy list scheduling in fold order: each fold, in turn, goes to the worker free first.

    That is what an ideal pool with no overhead and enough tasks dispatched ahead
    achieves; joblib with ``pre_dispatch >= n_jobs`` and ``batch_size=1`` does
    the same. It is not always the best possible order: a long fold dispatched
    last is left running alone.

    Parameters
    ----------
    durations : sequence of float, or int k (k equal folds of 1 s)
    n_workers : int >= 1

    Examples
    --------
    >>> list_scheduling_bound(5, 2)
    3.0
    >>> list_scheduling_bound([1, 1, 1, 1, 3], 2), list_scheduling_bound([3, 1, 1, 1, 1], 2)
    (5.0, 4.0)
    """
    d = _check_durations(durations)
    w = check_positive_int("n_workers", n_workers)
    free = [0.0] * w
    for duration in d:
        heapq.heappush(free, heapq.heappop(free) + duration)
    return max(free)


# --------------------------------------------------------------------------------------------
# The prediction
# --------------------------------------------------------------------------------------------
def _check_durations(durations):
    """Return durations as a list of floats (an int k means k folds of 1.0 s)."""
    if isinstance(durations, Integral) and not isinstance(durations, bool):
        return [1.0] * check_positive_int("durations", durations)
    try:
        values = [float(d) for d in durations]
        ok = len(values) > 0 and all(math.isfinite(v) and v >= 0 for v in values)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"durations={durations!r} is not allowed; allowed: an integer k >= 1 (k equal folds of 1 s) "
            "or a non-empty sequence of seconds >= 0, one per fold in fold order."
        )
    return values


def pre_dispatch_amount(pre_dispatch, n_jobs):
    """How many tasks joblib dispatches up front: None for "all", else int(expression), as joblib computes it.

    Examples
    --------
    >>> pre_dispatch_amount("2*n_jobs", 4), pre_dispatch_amount("1.5*n_jobs", 3), pre_dispatch_amount("all", 4)
    (8, 4, None)
    """
    pre_dispatch = check_pre_dispatch(pre_dispatch)
    if pre_dispatch == "all":
        return None
    if isinstance(pre_dispatch, int):
        return pre_dispatch
    coef, _, _ = pre_dispatch.strip().rpartition("*")
    factor = float(coef) if coef.strip() else 1.0
    return int(factor * n_jobs)  # joblib: int(eval_expr("1.5*3")) == int(4.5) == 4


class _JoblibDispatch:
    """joblib.Parallel's dispatch bookkeeping (joblib 1.6), replayed without threads or a pool.

    ``start()`` is ``Parallel._start`` (dispatch the pre-dispatch slice);
    ``next_batch()`` is ``dispatch_next``, called once per completed batch;
    ``one_batch()`` is ``dispatch_one_batch``; the auto-batching counters are
    ``AutoBatchingMixin``'s.
    """

    def __init__(self, n_tasks, n_jobs, amount, batch_size):
        self.n_tasks, self.n_jobs, self.batch_size = n_tasks, n_jobs, batch_size
        self.next_task = 0
        self.all_at_once = amount is None
        self.initial_left = n_tasks if amount is None else amount  # what the pre-dispatch islice may still yield
        self.original_open = not self.all_at_once  # Parallel._original_iterator is not None
        self.ready = deque()  # Parallel._ready_batches
        self.effective = 1  # AutoBatchingMixin._effective_batch_size
        self.smoothed = 0.0  # AutoBatchingMixin._smoothed_batch_duration

    # AutoBatchingMixin.compute_batch_size
    def _batch_size(self):
        if self.batch_size != "auto":
            return self.batch_size
        old, duration = self.effective, self.smoothed
        if 0 < duration < _MIN_IDEAL_BATCH_DURATION:
            ideal = int(old * _MIN_IDEAL_BATCH_DURATION / duration) * 2
            new = max(min(2 * old, ideal), 1)
        elif duration > _MAX_IDEAL_BATCH_DURATION and old >= 2:
            new = max(2 * int(old * _MIN_IDEAL_BATCH_DURATION / duration), 1)
        else:
            new = old
        if new != old:
            self.effective, self.smoothed = new, 0.0
        return new

    # AutoBatchingMixin.batch_completed
    def batch_completed(self, size, duration):
        if self.batch_size == "auto" and size == self.effective:
            self.smoothed = duration if self.smoothed == 0.0 else 0.8 * self.smoothed + 0.2 * duration

    def one_batch(self, initial):
        size = self._batch_size()
        if self.ready:
            return self.ready.popleft()
        big = size * self.n_jobs
        remaining = self.n_tasks - self.next_task
        take = min(big, remaining, self.initial_left) if initial else min(big, remaining)
        if take == 0:
            return None
        if initial:
            self.initial_left -= take
        tasks = list(range(self.next_task, self.next_task + take))
        self.next_task += take
        if not initial and take < big:  # the end of the tasks: spread the last ones thinly
            final = max(1, take // (10 * self.n_jobs))
        else:
            final = max(1, take // self.n_jobs)
        for i in range(0, take, final):
            self.ready.append(tuple(tasks[i : i + final]))
        return self.ready.popleft()

    def start(self):
        batches = []
        while (batch := self.one_batch(initial=True)) is not None:
            batches.append(batch)
        return batches

    def next_batch(self):
        if not self.original_open:
            return None
        batch = self.one_batch(initial=False)
        if batch is None:
            self.original_open = False
        return batch


def predict_schedule(durations, n_jobs, *, pre_dispatch="2*n_jobs", batch_size=1, dispatch_overhead=0.0):
    """Predict which worker runs which fold, when, and the makespan, the way joblib dispatches them.

    Parameters
    ----------
    durations : sequence of float, or int
        Seconds each fold takes, in fold order (measured, e.g. from a serial
        run's ``fit_time + score_time``), or an int k meaning k equal folds of 1 s.
    n_jobs : int or None
        Resolved like joblib: -1 all cores, -2 all but one, None the enclosing
        ``parallel_config``'s n_jobs (else 1). Workers beyond the number of
        cores are modelled as if each had a core of its own (they do not: see
        the module notes).
    pre_dispatch : "all", int, or an expression of n_jobs such as "2*n_jobs", "1.5*n_jobs"
        How many tasks are handed to the pool up front; joblib truncates the
        expression's value to an int (1.5 * 3 workers = 4 tasks).
    batch_size : int or "auto"
        Tasks per batch (a batch runs back to back on one worker). "auto" is
        simulated with joblib's rule: it starts at 1 and grows while batches
        take under 0.2 s from dispatch to completion (see the module notes).
        The threading backend never batches: use 1 for it.
    dispatch_overhead : float, default 0
        Seconds between a worker taking a batch and the batch starting
        (pickling, sending); charged once per batch.

    Returns
    -------
    Schedule

    Raises
    ------
    ValueError
        Bad arguments, or a ``pre_dispatch`` that comes to 0 tasks (joblib would
        then run nothing and silently return an empty list).

    Examples
    --------
    >>> predict_schedule(10, n_jobs=4).per_worker_counts()
    [3, 3, 2, 2]
    >>> predict_schedule(4, n_jobs=2, pre_dispatch=1).makespan   # one task in flight: serial
    4.0
    >>> predict_schedule(8, n_jobs=2, batch_size=2).lanes()
    [[0, 1, 4, 5], [2, 3, 6, 7]]
    """
    d = _check_durations(durations)
    check_n_jobs(n_jobs)
    check_pre_dispatch(pre_dispatch)
    batch_size = check_batch_size(batch_size)
    if (
        isinstance(dispatch_overhead, bool)
        or not isinstance(dispatch_overhead, Real)
        or not (math.isfinite(dispatch_overhead) and dispatch_overhead >= 0)
    ):
        raise ValueError(f"dispatch_overhead={dispatch_overhead!r} is not allowed; allowed: a number of seconds >= 0.")
    n_workers = resolve_n_jobs(n_jobs)
    amount = pre_dispatch_amount(pre_dispatch, n_workers)
    if amount == 0:
        raise ValueError(
            f"pre_dispatch={pre_dispatch!r} is not allowed with n_jobs={n_workers}: it comes to 0 tasks, so joblib "
            "would dispatch nothing and silently return an empty list; allowed: 'all', a positive integer, or an "
            "expression of n_jobs that comes to at least 1, such as '1*n_jobs'."
        )

    dispatcher = _JoblibDispatch(len(d), n_workers, amount, batch_size)
    queue = deque()  # dispatched batches waiting for a worker: (batch_id, folds, dispatch time)
    idle_since = {lane: 0.0 for lane in range(n_workers)}
    running = []  # heap of (end time, lane, batch_id, folds, dispatch time)
    tasks = {}
    n_batches = 0

    def dispatch(folds, t):
        nonlocal n_batches
        queue.append((n_batches, folds, t))
        n_batches += 1

    def assign(t):
        while queue and idle_since:
            lane = min(idle_since, key=lambda i: (idle_since[i], i))  # idle longest, then lowest index
            del idle_since[lane]
            batch_id, folds, dispatched = queue.popleft()
            clock = t + dispatch_overhead
            for fold in folds:
                tasks[fold] = ScheduledTask(fold, lane, clock, clock + d[fold], batch_id, dispatched)
                clock += d[fold]
            heapq.heappush(running, (round(clock, 9), lane, batch_id, folds, dispatched, clock))

    for folds in dispatcher.start():
        dispatch(folds, 0.0)
    assign(0.0)
    while running:
        _, lane, _, folds, dispatched, end = heapq.heappop(running)
        idle_since[lane] = end
        dispatcher.batch_completed(len(folds), end - dispatched)
        folds_next = dispatcher.next_batch()
        if folds_next is not None:
            dispatch(folds_next, end)
        assign(end)

    ordered = [tasks[f] for f in range(len(d))]
    return Schedule(
        tasks=ordered,
        n_workers=n_workers,
        makespan=max(t.end for t in ordered),
        source="predicted",
        settings={
            "n_jobs": n_jobs,
            "pre_dispatch": pre_dispatch,
            "pre_dispatch_tasks": amount,
            "batch_size": batch_size,
            "dispatch_overhead": float(dispatch_overhead),
        },
    )


# --------------------------------------------------------------------------------------------
# From a measured run
# --------------------------------------------------------------------------------------------
def schedule_from_result(result):
    """Build a :class:`Schedule` from a measured :class:`cvkit.CVResult`'s trace.

    Lanes are the workers (process and thread) that ran folds, numbered in the
    order in which each first started a fold, so worker 0 is the one that ran
    the first fold to start. Folds that never started (cancelled) are left out;
    failed folds keep their status. There are at least ``result.n_jobs`` lanes
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
    lane_of = {}
    for trace in sorted((f.trace for f in traced), key=lambda t: (t.start, t.fold)):
        lane_of.setdefault(trace.worker, len(lane_of))
    tasks = [
        ScheduledTask(f.fold, lane_of[f.trace.worker], f.trace.start, f.trace.end, status=f.status) for f in traced
    ]
    workers = list(lane_of)  # (host, pid, thread_id) in lane order
    by_pid = len({w[1] for w in workers}) == len(workers)
    labels = [f"pid {w[1]}" if by_pid else f"thread {w[2]}" for w in workers]
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
        As in :func:`predict_schedule`.
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


# --------------------------------------------------------------------------------------------
# Speed-up summary
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpeedupSummary:
    """Measured and predicted speed-up of one parallel run, the bound, and the efficiency.

    Attributes
    ----------
    n_folds, n_workers : int
    wall_time : float
        The parallel run's wall time (first dispatch to last result).
    serial_time : float
        The reference: a serial run's wall time, or, without one, the sum of this
        run's fold durations (see ``serial_reference``).
    serial_reference : str
        "serial run" or "sum of this run's fold times". The latter flatters
        parallel runs: folds that share cores run slower, so their sum grows.
    measured : float
        serial_time / wall_time.
    predicted : float
        The model's speed-up (serial time / makespan of :func:`predict_schedule`).
    bound : float
        k / ceil(k / w), the best equal folds can do on w workers.
    efficiency : float
        measured / n_workers (1.0 would be perfect use of every worker).
    """

    n_folds: int
    n_workers: int
    wall_time: float
    serial_time: float
    serial_reference: str
    measured: float
    predicted: float
    bound: float
    efficiency: float

    def __str__(self):
        return (
            f"{self.n_folds} folds on {self.n_workers} workers: measured speed-up {self.measured:.2f}× "
            f"({self.serial_reference} {self.serial_time:.2f} s / parallel {self.wall_time:.2f} s), "
            f"predicted {self.predicted:.2f}×, bound {self.bound:.2f}×, "
            f"speed-up per worker {self.efficiency:.2f}×"
        )

    __repr__ = __str__

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


def speedup_summary(result, schedule=None, *, serial=None):
    """Summarise a parallel run: measured speed-up, predicted speed-up, bound and efficiency.

    Parameters
    ----------
    result : CVResult
        The parallel run.
    schedule : Schedule, optional
        The prediction to report. Default: :func:`predict_from_result`, with
        the serial run's fold durations if ``serial`` is a run, else this run's.
    serial : CVResult or float, optional
        The serial reference: a serial run (its ``wall_time`` is used) or its
        wall time in seconds. Without it, the reference is the sum of this run's
        fold durations, which overstates the speed-up when workers share cores
        (4 workers on 2 cores: every fold runs ~2× slower, so the sum doubles).
        Measure a serial run in the same session for honest numbers.

    Returns
    -------
    SpeedupSummary
    """
    k = result.n_splits
    w = int(result.n_jobs or 1)
    if serial is None:
        serial_time, reference = (
            float(sum(f.trace.duration for f in result.folds if f.trace is not None)),
            ("sum of this run's fold times"),
        )
    elif hasattr(serial, "wall_time"):
        serial_time, reference = float(serial.wall_time), "serial run"
    else:
        serial_time, reference = float(serial), "serial run"
    if schedule is None:
        schedule = predict_from_result(result, serial if hasattr(serial, "folds") else None)
    measured = serial_time / result.wall_time if result.wall_time > 0 else float("nan")
    return SpeedupSummary(
        n_folds=k,
        n_workers=w,
        wall_time=float(result.wall_time),
        serial_time=serial_time,
        serial_reference=reference,
        measured=measured,
        predicted=schedule.speedup,
        bound=speedup_bound(k, w),
        efficiency=measured / w,
    )
