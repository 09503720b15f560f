"""The cost rule: the speed-up a parallel run of k folds on w workers can expect, as pure functions (no timing).

A parallel run of k folds on w workers takes about::

    start-up (a cold pool only) + per call + k x per task    <- the serial part: one process does it
    + ceil(k / w) x fold time x (1 + slowdown)                <- the folds, w at a time

while the serial loop takes k x fold time. Parallel *pays* when the ratio,
the expected speed-up, is at least :data:`MIN_SPEEDUP` (1.1: less than 10 %
is lost in the noise of a shared machine). The first line is Amdahl's serial
part (:func:`parallel_fraction`, and :func:`cvkit.model.bounds.amdahl_speedup`);
the second is the granularity bound k / ceil(k / w), made a little worse by
folds that share the cores' caches and memory bandwidth.

:data:`COSTS` holds the costs measured for each backend; :func:`cvkit.lab.advice.will_parallel_pay`
times one fold of your data and applies the rule with them.

Examples
--------
>>> round(expected_speedup(1.0, 5, 2, per_call=0.02, per_task=4e-4), 2)   # ~1 s folds, warm pool
1.65
>>> round(expected_speedup(0.002, 5, 2, per_call=0.02, per_task=4e-4), 2)  # iris-sized folds
0.36
"""

import math
from dataclasses import dataclass, replace
from numbers import Real

from ..core import checks
from ..core.verdicts import rounds
from .bounds import list_scheduling_bound

__all__ = [
    "COSTS",
    "MIN_SPEEDUP",
    "Costs",
    "breakeven_fold_seconds",
    "check_min_speedup",
    "check_seconds",
    "expected_speedup",
    "parallel_fraction",
    "rule_seconds",
]

#: Smallest expected speed-up that counts as "parallel pays".
MIN_SPEEDUP = 1.1


@dataclass(frozen=True)
class Costs:
    """What a parallel run costs besides the folds' own work, in seconds.

    Attributes
    ----------
    startup : float
        A cold pool: starting the worker processes and importing scikit-learn
        (and cvkit) in each. Paid once per session with loky, whose workers
        stay alive between calls (idle ones stop after 300 s).
    per_call : float
        One call with a warm pool: setting it up, the first dispatch, waiting
        for the last result. For backends that start their workers at every
        call (threading, multiprocessing) their start-up is in here.
    per_task : float
        Sending one fold task to a worker and its result back (small arguments).
    per_byte : float
        Seconds per byte of data sent with the tasks (pickling X and y;
        arrays above 1 MB are written once per call to a memory-mapped file).
    slowdown : float
        How much slower a fold runs while the other workers compute too
        (shared caches and memory bandwidth): 0.06 is 6 % slower.
    """

    startup: float
    per_call: float
    per_task: float
    per_byte: float
    slowdown: float

    def scaled(self, factor, slowdown_factor=None):
        """These costs times ``factor`` (the slowdown times ``slowdown_factor``, default the same).

        >>> COSTS["loky"].scaled(2).per_task == 2 * COSTS["loky"].per_task
        True
        """
        s = factor if slowdown_factor is None else slowdown_factor
        return replace(
            self,
            startup=self.startup * factor,
            per_call=self.per_call * factor,
            per_task=self.per_task * factor,
            per_byte=self.per_byte * factor,
            slowdown=self.slowdown * s,
        )


#: Assumed costs per backend, measured on a 2-core machine with ``benchmarks/bench_dispatch.py`` (rerun it to
#: measure yours; lesson 05 measures the start-up live): loky start-up ~1 s (0.3 s for the processes, the rest importing
#: scikit-learn in each), ~15 ms per warm cvkit call (10-30 ms), ~0.4 ms per task sent one at a time (coarse
#: folds are never batched), folds 4-9 % slower when both cores compute. multiprocessing starts a pool at every
#: call (forked workers inherit the parent's imports); threads share the data, and help only estimators that
#: release the GIL while they fit (SVC does).
COSTS = {
    "loky": Costs(startup=1.0, per_call=0.015, per_task=4e-4, per_byte=1e-9, slowdown=0.06),
    "multiprocessing": Costs(startup=0.0, per_call=0.15, per_task=2e-4, per_byte=1e-9, slowdown=0.06),
    "threading": Costs(startup=0.0, per_call=0.015, per_task=5e-5, per_byte=0.0, slowdown=0.06),
}

#: Backends whose workers outlive a call, so only the first call of a session pays ``startup``.
REUSABLE_POOL = ("loky",)

#: The spread of the expected speed-up: every cost halved (slowdown 0) and doubled.
OPTIMISTIC, PESSIMISTIC = 0.5, 2.0


def check_seconds(name, value):
    """Return ``value`` as a float if it is a finite number of seconds >= 0.

    >>> check_seconds("per_call", 0.02)
    0.02
    >>> check_seconds("per_call", -1)
    Traceback (most recent call last):
    ...
    ValueError: per_call=-1 is not allowed; allowed: a number of seconds >= 0.
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name}={value!r} is not allowed; allowed: a number of seconds >= 0.")
    return float(value)


def check_min_speedup(min_speedup):
    """Return ``min_speedup`` if it is a number > 0.

    >>> check_min_speedup(0)
    Traceback (most recent call last):
    ...
    ValueError: min_speedup=0 is not allowed; allowed: a number > 0 (1.0 is break-even).
    """
    if isinstance(min_speedup, bool) or not isinstance(min_speedup, Real) or not min_speedup > 0:
        raise ValueError(f"min_speedup={min_speedup!r} is not allowed; allowed: a number > 0 (1.0 is break-even).")
    return min_speedup


def parallel_fraction(work_seconds, serial_seconds):
    """The fraction of a one-worker run that can be shared out: work / (work + serial part).

    Parameters
    ----------
    work_seconds : float >= 0
        The folds' own work (the serial loop's time).
    serial_seconds : float >= 0
        What one process does whatever the number of workers: start-up,
        dispatching, collecting results.

    Examples
    --------
    >>> round(parallel_fraction(5.0, 0.05), 4)   # 5 folds of 1 s, 50 ms of overhead
    0.9901
    >>> round(parallel_fraction(0.01, 0.02), 4)  # 5 iris folds of 2 ms, 20 ms of overhead
    0.3333
    """
    work = check_seconds("work_seconds", work_seconds)
    serial = check_seconds("serial_seconds", serial_seconds)
    total = work + serial
    return work / total if total > 0 else 1.0


def _durations(fold_seconds, n_folds):
    """Per-fold seconds: a number repeated ``n_folds`` times, or a sequence (``n_folds`` None or its length)."""
    if isinstance(fold_seconds, Real) and not isinstance(fold_seconds, bool):
        check_seconds("fold_seconds", fold_seconds)
        return [float(fold_seconds)] * checks.check_positive_int("n_folds", n_folds)
    try:
        values = (
            []
            if isinstance(fold_seconds, (str, bytes))
            else [check_seconds("fold_seconds", float(d)) for d in fold_seconds]
        )
    except (TypeError, ValueError):
        values = []
    if not values:
        raise ValueError(
            f"fold_seconds={fold_seconds!r} is not allowed; allowed: seconds >= 0 for one fold, "
            "or a non-empty sequence of them, one per fold."
        )
    if n_folds is not None and n_folds != len(values):
        raise ValueError(
            f"n_folds={n_folds!r} does not match the {len(values)} fold durations given; "
            "allowed: None or the number of durations."
        )
    return values


def rule_seconds(fold_seconds, n_folds, n_workers, startup, per_call, per_task, slowdown, n_cores):
    """The rule's ``(serial seconds, parallel seconds, overhead seconds)``; see :func:`expected_speedup`.

    >>> rule_seconds(1.0, 5, 2, 0.0, 0.02, 0.0, 0.0, None)   # 5 s of work; 3 rounds of 1 s + 20 ms
    (5.0, 3.02, 0.02)
    """
    d = _durations(fold_seconds, n_folds)
    w = checks.check_positive_int("n_workers", n_workers)
    startup = check_seconds("startup", startup)
    per_call = check_seconds("per_call", per_call)
    per_task = check_seconds("per_task", per_task)
    if isinstance(slowdown, bool) or not isinstance(slowdown, Real) or not (math.isfinite(slowdown) and slowdown >= 0):
        raise ValueError(f"slowdown={slowdown!r} is not allowed; allowed: a number >= 0 (0.06 means 6 % slower).")
    if n_cores is not None:
        w = min(w, checks.check_positive_int("n_cores", n_cores))
    serial = float(sum(d))
    if w == 1:  # one worker: no sharing, all overhead
        folds = serial
    else:
        folds = list_scheduling_bound([x * (1 + slowdown) for x in d], w)
    overhead = startup + per_call + len(d) * per_task
    return serial, overhead + folds, overhead


def expected_speedup(
    fold_seconds, n_folds, n_workers, *, startup=0.0, per_call=0.0, per_task=0.0, slowdown=0.0, n_cores=None
):
    """The speed-up over the serial loop that the rule expects for a parallel run.

    serial = k x fold time; parallel = startup + per_call + k x per_task +
    (the folds, each ``1 + slowdown`` times longer, list-scheduled on
    min(n_workers, n_cores) workers). For k equal folds the last term is
    ceil(k / w) x fold time x (1 + slowdown).

    Parameters
    ----------
    fold_seconds : float or sequence of float
        One fold's time (all k folds alike), or each fold's time in fold order.
    n_folds : int, or None with a sequence
    n_workers : int >= 1
    startup, per_call, per_task : float, seconds
        The serial part; see :class:`Costs`. Pass ``startup`` only for a cold pool.
    slowdown : float >= 0
        Fraction by which a fold slows down when the workers compute at once.
    n_cores : int, optional
        Workers beyond the cores share them: they add no speed.

    Returns
    -------
    float
        serial time / expected parallel time.

    Examples
    --------
    >>> expected_speedup(1.0, 4, 2)            # no overhead: the bound k / ceil(k / w)
    2.0
    >>> round(expected_speedup(1.0, 5, 2), 3)
    1.667
    >>> round(expected_speedup(1.0, 5, 2, startup=1.0), 3)   # a cold pool's start-up: 5 / (1 + 3)
    1.25
    >>> expected_speedup([2.0, 1.0, 1.0], None, 2)           # unequal folds: list scheduling
    2.0
    >>> expected_speedup(1.0, 4, 4, n_cores=2)               # 4 workers on 2 cores: as 2 workers
    2.0
    >>> expected_speedup(1.0, 4, 0)
    Traceback (most recent call last):
    ...
    ValueError: n_workers=0 is not allowed; allowed: an integer >= 1.
    """
    serial, parallel, _ = rule_seconds(fold_seconds, n_folds, n_workers, startup, per_call, per_task, slowdown, n_cores)
    return serial / parallel if parallel > 0 else float("nan")


def breakeven_fold_seconds(
    n_folds, n_workers, *, startup=0.0, per_call=0.0, per_task=0.0, slowdown=0.0, n_cores=None, min_speedup=1.0
):
    """The fold time above which k equal folds on w workers reach ``min_speedup``: where parallel starts to pay.

    Solves k t / (overhead + ceil(k / w) t (1 + slowdown)) = min_speedup for t.
    Infinite when no fold time is enough (e.g. 2 folds on 1 worker, or 3
    folds on 2 workers asked for more than 1.5x).

    Examples
    --------
    >>> round(breakeven_fold_seconds(5, 2, per_call=0.02, per_task=4e-4, slowdown=0.06, min_speedup=1.1), 4)
    0.0161
    >>> round(breakeven_fold_seconds(5, 2, startup=1.0, per_call=0.02, per_task=4e-4, slowdown=0.06,
    ...                              min_speedup=1.1), 3)
    0.748
    >>> breakeven_fold_seconds(4, 1, per_call=0.01)
    inf
    """
    k = checks.check_positive_int("n_folds", n_folds)
    w = checks.check_positive_int("n_workers", n_workers)
    if n_cores is not None:
        w = min(w, checks.check_positive_int("n_cores", n_cores))
    check_min_speedup(min_speedup)
    _, _, overhead = rule_seconds(0.0, k, w, startup, per_call, per_task, slowdown, None)
    fold_times = rounds(k, w) * (1 + slowdown) if w > 1 else k  # the parallel run's folds, in fold-times
    room = k - min_speedup * fold_times
    if room <= 0:
        return math.inf
    return min_speedup * overhead / room
