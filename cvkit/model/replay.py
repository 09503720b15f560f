"""A replay of joblib's dispatch: which worker runs which fold, when, and the makespan.

The model replays, on a simulated clock, the bookkeeping of ``joblib.Parallel``
(``dispatch_one_batch``, ``dispatch_next`` and the auto-batching rule of the
loky, multiprocessing and dask backends, as in joblib 1.6). Give it how long each fold
takes and it predicts the schedule; give it a measured run and
:func:`cvkit.model.measured.schedule_from_result` turns the trace into the same record
(:mod:`cvkit.model.records`), so the two can be drawn and compared with the same code (:mod:`cvkit.plots.gantt`).

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
   *see* a result, not who runs what (:meth:`cvkit.model.records.Schedule.results_order`).

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
model it with ``batch_size=1`` (:func:`cvkit.model.measured.predict_from_result` does this for you).

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
"""

import heapq
import math
from collections import deque
from numbers import Integral, Real

from ..core.checks import check_batch_size, check_durations, check_positive_int, check_pre_dispatch_tasks
from .records import Schedule, ScheduledTask

__all__ = ["predict_schedule"]

# joblib's AutoBatchingMixin constants (joblib/_parallel_backends.py).
_MIN_IDEAL_BATCH_DURATION = 0.2
_MAX_IDEAL_BATCH_DURATION = 2.0


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
    n_jobs : int >= 1
        The number of workers. The model is pure: resolve joblib's -1, -2 or
        None first, with :func:`cvkit.resolve_n_jobs`. Workers beyond the number
        of cores are modelled as if each had a core of its own (they do not: see
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
        Bad arguments (an ``n_jobs`` below 1 among them), or a ``pre_dispatch`` that comes to 0 tasks (joblib would
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
    d = check_durations(durations)
    n_workers = _check_workers(n_jobs)
    batch_size = check_batch_size(batch_size)
    if (
        isinstance(dispatch_overhead, bool)
        or not isinstance(dispatch_overhead, Real)
        or not (math.isfinite(dispatch_overhead) and dispatch_overhead >= 0)
    ):
        raise ValueError(f"dispatch_overhead={dispatch_overhead!r} is not allowed; allowed: a number of seconds >= 0.")
    amount = check_pre_dispatch_tasks(pre_dispatch, n_workers)

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


def _check_workers(n_jobs):
    """Return ``n_jobs`` as a number of workers >= 1; refuse joblib's -1, -2, None, which the caller resolves."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs < 1:
        raise ValueError(
            f"n_jobs={n_jobs!r} is not allowed; allowed: a number of workers >= 1. The model does not ask joblib "
            "how many cores there are: resolve -1, -2 or None first, e.g. predict_schedule(durations, "
            "cvkit.resolve_n_jobs(n_jobs))."
        )
    return check_positive_int("n_jobs", n_jobs)
