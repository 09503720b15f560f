"""Will parallel folds pay? A cost model fed by one timed fold, the scheduling bound, and Amdahl's law.

The rule
--------
A parallel run of k folds on w workers takes about::

    start-up (a cold pool only) + per call + k x per task    <- the serial part: one process does it
    + ceil(k / w) x fold time x (1 + slowdown)                <- the folds, w at a time

while the serial loop takes k x fold time. Parallel *pays* when the ratio,
the expected speed-up, is at least :data:`MIN_SPEEDUP` (1.1: less than 10 %
is lost in the noise of a shared machine). The first line is Amdahl's serial
part; the second is the granularity bound k / ceil(k / w), made a little
worse by folds that share the cores' caches and memory bandwidth.

The answer is "yes", "no" or "borderline": an expected speed-up within
:data:`cvkit.core.verdicts.NOISE` (±10 %) of :data:`MIN_SPEEDUP` could land on
either side on another run or machine, so it is called borderline rather
than a verdict that a busy minute could flip. The fold is timed in CPU time
(the fastest of many runs), so other programs sharing the core do not change
the answer; the machine's cores and load are printed with it.

:func:`expected_speedup` is the rule as a pure function (no timing, testable);
:func:`will_parallel_pay` times one fold of your data and applies it.

Examples
--------
>>> round(expected_speedup(1.0, 5, 2, per_call=0.02, per_task=4e-4), 2)   # ~1 s folds, warm pool
1.65
>>> round(expected_speedup(0.002, 5, 2, per_call=0.02, per_task=4e-4), 2)  # iris-sized folds
0.36
>>> round(amdahl_speedup(0.9, 2), 3), round(amdahl_limit(0.9), 3)
(1.818, 10.0)
"""

import math
from dataclasses import dataclass, replace
from numbers import Real

import numpy as np

from ..backends import resolve_n_jobs
from ..core import (
    checks,
    inputs,  # inputs: the one input preparation, shared with run_folds
)
from ..core.verdicts import NOISE, Machine, best_time, fmt_seconds, judge, machine
from ..model.schedule import list_scheduling_bound

__all__ = [
    "COSTS",
    "MIN_SPEEDUP",
    "Advice",
    "Costs",
    "amdahl_limit",
    "amdahl_speedup",
    "breakeven_fold_seconds",
    "data_nbytes",
    "expected_speedup",
    "parallel_fraction",
    "pool_is_warm",
    "will_parallel_pay",
]

#: Smallest expected speed-up that counts as "parallel pays".
MIN_SPEEDUP = 1.1

#: joblib's default ``max_nbytes``: larger arrays are written once per call to a memory-mapped file.
MAX_NBYTES = 1_000_000


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


#: Assumed costs per backend, measured on a 2-core machine (``benchmarks/bench_dispatch.py`` and
#: ``shared/notes/joblib-behaviour.md``): loky start-up ~1 s (0.3 s for the processes, the rest importing
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


# --------------------------------------------------------------------------------------------
# Amdahl's law
# --------------------------------------------------------------------------------------------
def _check_fraction(name, value):
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value <= 1:
        raise ValueError(f"{name}={value!r} is not allowed; allowed: a number from 0 to 1.")
    return float(value)


def amdahl_speedup(parallel_fraction, n_workers):
    """Amdahl's law: the speed-up of a run whose ``parallel_fraction`` shares out over ``n_workers``.

    speed-up(w) = 1 / ((1 - p) + p / w). The other part, 1 - p, runs on one
    worker whatever w is, so the speed-up never exceeds 1 / (1 - p)
    (:func:`amdahl_limit`).

    Parameters
    ----------
    parallel_fraction : float in [0, 1]
        Of the time one worker would take, the part that can be shared out.
    n_workers : number >= 1, or an array of them (for a curve)

    Returns
    -------
    float, or ndarray for an array of workers

    Examples
    --------
    >>> amdahl_speedup(1.0, 4), amdahl_speedup(0.0, 4)
    (4.0, 1.0)
    >>> amdahl_speedup(0.5, [1, 2, 1000]).round(3).tolist()
    [1.0, 1.333, 1.998]
    >>> amdahl_speedup(1.5, 2)
    Traceback (most recent call last):
    ...
    ValueError: parallel_fraction=1.5 is not allowed; allowed: a number from 0 to 1.
    """
    p = _check_fraction("parallel_fraction", parallel_fraction)
    w = np.asarray(n_workers, dtype=float) if not isinstance(n_workers, bool) else np.asarray(np.nan)
    if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 1):
        raise ValueError(f"n_workers={n_workers!r} is not allowed; allowed: a number >= 1, or an array of them.")
    speedup = 1.0 / ((1.0 - p) + p / w)
    return float(speedup) if speedup.ndim == 0 else speedup


def amdahl_limit(parallel_fraction):
    """The most any number of workers can give: 1 / (1 - p) (infinite for p = 1).

    >>> amdahl_limit(0.75), amdahl_limit(1.0)
    (4.0, inf)
    """
    p = _check_fraction("parallel_fraction", parallel_fraction)
    return math.inf if p == 1 else 1.0 / (1.0 - p)


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
    work = _check_seconds("work_seconds", work_seconds)
    serial = _check_seconds("serial_seconds", serial_seconds)
    total = work + serial
    return work / total if total > 0 else 1.0


# --------------------------------------------------------------------------------------------
# The rule, as a pure function
# --------------------------------------------------------------------------------------------
def _check_seconds(name, value):
    if isinstance(value, bool) or not isinstance(value, Real) or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name}={value!r} is not allowed; allowed: a number of seconds >= 0.")
    return float(value)


def _durations(fold_seconds, n_folds):
    """Per-fold seconds: a number repeated ``n_folds`` times, or a sequence (``n_folds`` None or its length)."""
    if isinstance(fold_seconds, Real) and not isinstance(fold_seconds, bool):
        _check_seconds("fold_seconds", fold_seconds)
        return [float(fold_seconds)] * checks.check_positive_int("n_folds", n_folds)
    try:
        values = (
            []
            if isinstance(fold_seconds, (str, bytes))
            else [_check_seconds("fold_seconds", float(d)) for d in fold_seconds]
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


def _model(fold_seconds, n_folds, n_workers, startup, per_call, per_task, slowdown, n_cores):
    """``(serial seconds, parallel seconds, overhead seconds)`` of the rule."""
    d = _durations(fold_seconds, n_folds)
    w = checks.check_positive_int("n_workers", n_workers)
    startup = _check_seconds("startup", startup)
    per_call = _check_seconds("per_call", per_call)
    per_task = _check_seconds("per_task", per_task)
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
    serial, parallel, _ = _model(fold_seconds, n_folds, n_workers, startup, per_call, per_task, slowdown, n_cores)
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
    if isinstance(min_speedup, bool) or not isinstance(min_speedup, Real) or not min_speedup > 0:
        raise ValueError(f"min_speedup={min_speedup!r} is not allowed; allowed: a number > 0 (1.0 is break-even).")
    _, _, overhead = _model(0.0, k, w, startup, per_call, per_task, slowdown, None)
    rounds = math.ceil(k / w) * (1 + slowdown) if w > 1 else k
    room = k - min_speedup * rounds
    if room <= 0:
        return math.inf
    return min_speedup * overhead / room


# --------------------------------------------------------------------------------------------
# The rule, applied to an estimator and data
# --------------------------------------------------------------------------------------------
def data_nbytes(*arrays):
    """Bytes of data in arrays, sparse matrices or pandas objects (what travels to the workers).

    >>> data_nbytes(np.zeros((100, 4)), np.zeros(100, dtype=np.int64))
    4000
    """
    total = 0
    for a in arrays:
        if hasattr(a, "memory_usage") and hasattr(a, "iloc"):  # pandas
            usage = a.memory_usage(index=True, deep=True)
            total += int(usage.sum() if hasattr(usage, "sum") else usage)
        elif hasattr(a, "tocsr") and hasattr(a, "data"):  # scipy sparse
            total += sum(int(getattr(a, name).nbytes) for name in ("data", "indices", "indptr") if hasattr(a, name))
        else:
            total += int(np.asarray(a).nbytes)
    return total


def pool_is_warm(n_workers):
    """True if loky's reusable pool is running with at least ``n_workers`` live workers.

    Best effort (:func:`cvkit.compat.loky_live_workers` reads loky's
    internals): False when they are not as expected. A warm pool's workers
    have usually imported scikit-learn already (they ran a fold before).
    """
    from ..compat import loky_live_workers

    return loky_live_workers() >= n_workers


@dataclass(frozen=True)
class Advice:
    """What :func:`will_parallel_pay` found: the verdict, the expected speed-up and why.

    Attributes
    ----------
    answer : {"yes", "no", "borderline"}
        "yes" if the expected speed-up is at least ``min_speedup`` by more than
        the noise (:data:`cvkit.core.verdicts.NOISE`), "no" if below it by more
        than the noise, else "borderline".
    pays : bool
        True only when the answer is "yes".
    expected, low, high : float
        Expected speed-up over the serial loop, and its range (every cost
        halved with no slowdown, and doubled).
    bound : float
        k / ceil(k / w): the best k equal folds can do on w workers.
    fold_seconds : float
        One fold's measured time (fit + score, run alone; the fastest of the timings).
    n_folds, n_workers : int
    effective_workers : int
        min(n_workers, cores): workers beyond the cores share them.
    backend, pool : str
        The backend, and "warm" or "cold" for loky ("per call" for the others).
    serial_seconds, parallel_seconds, overhead_seconds : float
        The rule's serial loop time, parallel run time, and the serial part of the latter.
    breakeven_seconds : float
        The fold time above which parallel would pay in this situation.
    costs : Costs
        The costs used (data transfer folded into ``per_task`` or ``per_call``).
    machine : Machine
        Cores, CPU and load when the advice was given.
    explanation : str
        One paragraph, in words (printed one sentence per line, so that the
        text's layout never depends on the width of a measured number).
    """

    answer: str
    expected: float
    low: float
    high: float
    bound: float
    fold_seconds: float
    n_folds: int
    n_workers: int
    effective_workers: int
    backend: str
    pool: str
    serial_seconds: float
    parallel_seconds: float
    overhead_seconds: float
    breakeven_seconds: float
    min_speedup: float
    costs: Costs
    machine: Machine
    explanation: str

    @property
    def pays(self):
        """True only when the answer is "yes" (not when it is borderline)."""
        return self.answer == "yes"

    @property
    def verdict(self):
        """``"parallel pays: yes"``, ``"parallel pays: no"`` or ``"parallel pays: borderline"``."""
        return f"parallel pays: {self.answer}"

    def __str__(self):
        head = (
            f"{self.verdict} — expected speed-up {self.expected:.2f}× "
            f"(range {self.low:.2f}×–{self.high:.2f}×) for {self.n_folds} folds on {self.n_workers} "
            f"worker{'s' if self.n_workers != 1 else ''} ({self.backend}, {self.pool} pool)\n"
            f"this machine: {self.machine}"
        )
        return head + "\n" + self.explanation.replace(". ", ".\n")

    def __repr__(self):
        return (
            f"Advice(answer={self.answer!r}, expected={self.expected:.2f}×, fold {fmt_seconds(self.fold_seconds)}, "
            f"{self.n_folds} folds on {self.n_workers} workers, {self.backend} {self.pool})"
        )

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


#: At most this many timings of fold 0 (a fast fold is timed again and again within the budget; the fastest counts).
MAX_TIMINGS = 50


def _time_one_fold(estimator, X, y, train, test, scorer, labels, budget):
    """Seconds for fold 0 (fit + predict + score, in this process) and the number of runs timed.

    The fastest of up to :data:`MAX_TIMINGS` runs within ``budget`` seconds,
    each counted in CPU time when that is less than its wall time (see
    :func:`cvkit.core.verdicts.best_time`): another program sharing the core delays
    a fold but does not make it cost more.
    """
    from sklearn.base import clone

    from ..runner import fit_and_score_fold

    def one_fold():
        result = fit_and_score_fold(clone(estimator), X, y, train, test, 0, scorer, labels)
        if result.status != "done":
            raise ValueError(
                f"fold 0 failed while being timed ({result.error_type}: {result.error_message}); "
                "allowed: an estimator that can be fitted on these data."
            )

    return best_time(one_fold, repeats=MAX_TIMINGS, budget=budget, cpu=True)


def _explain(a, costs, other):
    k, w, c = a.n_folds, a.n_workers, a.effective_workers
    r = math.ceil(k / c)
    parts = [f"One fold takes {fmt_seconds(a.fold_seconds)} here (fit and score, timed alone)."]
    if w == 1:
        parts.append("n_jobs=1 runs the plain serial loop (joblib and cvkit start no pool): nothing to gain or lose.")
        return " ".join(parts)
    else:
        cores_note = f" ({c} core{'s' if c != 1 else ''})" if c < w else ""
        parts.append(
            f"{k} folds on {w} workers{cores_note} run in {r} round{'s' if r != 1 else ''}, "
            f"so even with free overheads the best speed-up is {k}/{r} = {a.bound:.2f}×"
            + (
                f", and folds that run side by side are each about {costs.slowdown:.0%} slower (shared caches and "
                "memory bandwidth)."
                if c > 1
                else "."
            )
        )
    startup = f"{fmt_seconds(costs.startup)} to start the workers and import scikit-learn, " if costs.startup else ""
    parts.append(
        f"The parallel run also has a serial part of {fmt_seconds(a.overhead_seconds)} "
        f"({a.backend}, {a.pool} pool: {startup}{fmt_seconds(costs.per_call)} per call, "
        f"{fmt_seconds(costs.per_task)} per fold to send it with its data and get its result back) "
        f"against {fmt_seconds(a.serial_seconds)} of work."
    )
    parts.append(
        f"Expected: {fmt_seconds(a.parallel_seconds)} instead of {fmt_seconds(a.serial_seconds)}, "
        f"a speed-up of {a.expected:.2f}× (between {a.low:.2f}× and {a.high:.2f}× if the costs are half or twice "
        f"those assumed)."
    )
    if math.isinf(a.breakeven_seconds):
        parts.append(f"No fold time reaches {a.min_speedup:.2f}× in this situation.")
    else:
        side = "above" if a.fold_seconds >= a.breakeven_seconds else "below"
        parts.append(
            f"Parallel pays (at least {a.min_speedup:.2f}×) above {fmt_seconds(a.breakeven_seconds)} per fold "
            f"in this situation, and this fold is {side} that."
        )
    if a.answer == "borderline":
        parts.append(
            f"{a.expected:.2f}× is within ±{NOISE * 100:.0f} % of {a.min_speedup:.2f}×: borderline, so a measured run "
            "could land on either side (measure both, as cvkit.lab.speedup.measure_speedup does)."
        )
    if other is not None:
        parts.append(other)
    parts.append("The estimate assumes the cores are free.")
    if a.machine.busy:
        parts.append(
            f"Other programs keep this machine busy now (load {a.machine.load:.1f}): timings taken now are distorted "
            "either way (usually parallel gains less, but with more processes it can also win a larger share); "
            "measure on free cores."
        )
    return " ".join(parts)


def will_parallel_pay(
    estimator,
    X,
    y,
    *,
    cv=5,
    n_jobs=2,
    backend="loky",
    pool="auto",
    scoring="f1_weighted",
    costs=None,
    min_speedup=MIN_SPEEDUP,
    timing_budget=0.5,
    fold_seconds=None,
):
    """Time one fold of ``estimator`` on ``X, y`` and say whether running the folds in parallel will pay.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Cloned for the timing; never fitted itself.
    X, y : the data, as for :func:`cvkit.run_folds`
    cv : int or splitter, default 5
    n_jobs : int, default 2
        Workers, resolved as joblib does (-1: all cores).
    backend : {"loky", "multiprocessing", "threading"}
    pool : {"auto", "warm", "cold"}
        loky only: is the worker pool already running? "auto" looks
        (:func:`pool_is_warm`). Cold charges ``costs.startup``.
    scoring : str, default "f1_weighted"
    costs : Costs, optional
        Default: ``COSTS[backend]``.
    min_speedup : float, default 1.1
        The speed-up that counts as paying.
    timing_budget : float, default 0.5
        Seconds to spend timing fold 0 again when it is fast (the fastest run is
        kept). A slow fold is timed once.
    fold_seconds : float, optional
        Skip the timing and use this fold time (for teaching and tests).

    Returns
    -------
    Advice

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> advice = will_parallel_pay(SVC(), X, y, cv=5, n_jobs=2, pool="warm")   # times fold 0 here
    >>> advice.answer in ("yes", "no", "borderline"), advice.fold_seconds > 0
    (True, True)
    >>> will_parallel_pay(SVC(), X, y, pool="warm", fold_seconds=0.002).verdict   # 2 ms folds never pay
    'parallel pays: no'
    >>> two_s = will_parallel_pay(SVC(), X, y, pool="warm", fold_seconds=2.0)       # 2 s folds pay on 2+ cores
    >>> two_s.answer == ("yes" if two_s.effective_workers >= 2 else "no")
    True
    >>> will_parallel_pay(SVC(), X, y, backend="dask")
    Traceback (most recent call last):
    ...
    ValueError: backend='dask' is not allowed; allowed: 'loky', 'multiprocessing', 'threading'.
    """
    inputs.check_estimator(estimator)
    checks.check_choice("backend", backend, tuple(COSTS))
    checks.check_choice("pool", pool, ("auto", "warm", "cold"))
    if costs is None:
        costs = COSTS[backend]
    elif not isinstance(costs, Costs):
        raise TypeError(f"costs={costs!r} is not allowed; allowed: None or a cvkit.lab.advice.Costs.")
    if isinstance(min_speedup, bool) or not isinstance(min_speedup, Real) or not min_speedup > 0:
        raise ValueError(f"min_speedup={min_speedup!r} is not allowed; allowed: a number > 0 (1.0 is break-even).")
    _check_seconds("timing_budget", timing_budget)
    n_workers = resolve_n_jobs(n_jobs)

    X, y, _, splits, scorer, _, labels = inputs.prepare_inputs(estimator, X, y, cv=cv, scoring=scoring)
    n_folds = len(splits)

    if fold_seconds is None:
        train, test = splits[0]
        fold_seconds, _ = _time_one_fold(estimator, X, y, train, test, scorer, labels, timing_budget)
    else:
        fold_seconds = _check_seconds("fold_seconds", fold_seconds)

    # the data travel with every task if small, or once per call as a memory-mapped file if large
    nbytes = data_nbytes(X, y)
    data_seconds = costs.per_byte * nbytes
    if nbytes <= MAX_NBYTES:
        costs = replace(costs, per_task=costs.per_task + data_seconds, per_byte=0.0)
    else:
        costs = replace(costs, per_call=costs.per_call + data_seconds, per_byte=0.0)

    if n_workers == 1:  # joblib (and cvkit) run n_jobs=1 as the plain loop: no pool, no overhead, no gain
        state = "no"
        costs = Costs(startup=0.0, per_call=0.0, per_task=0.0, per_byte=0.0, slowdown=0.0)
    elif backend in REUSABLE_POOL:
        state = pool if pool != "auto" else ("warm" if pool_is_warm(n_workers) else "cold")
    else:
        state = "new per call"
    charged = costs if state == "cold" else replace(costs, startup=0.0)

    def speedup(c):
        return expected_speedup(
            fold_seconds, n_folds, n_workers, startup=c.startup, per_call=c.per_call, per_task=c.per_task,
            slowdown=c.slowdown, n_cores=_cores(),
        )  # fmt: skip

    serial, parallel, overhead = _model(
        fold_seconds,
        n_folds,
        n_workers,
        charged.startup,
        charged.per_call,
        charged.per_task,
        charged.slowdown,
        _cores(),
    )
    expected = serial / parallel if parallel > 0 else float("nan")
    low = speedup(charged.scaled(PESSIMISTIC))
    high = speedup(charged.scaled(OPTIMISTIC, 0.0))
    breakeven = breakeven_fold_seconds(
        n_folds, n_workers, startup=charged.startup, per_call=charged.per_call, per_task=charged.per_task,
        slowdown=charged.slowdown, n_cores=_cores(), min_speedup=min_speedup,
    )  # fmt: skip
    w_eff = min(n_workers, _cores())
    answer = {"above": "yes", "below": "no", "borderline": "borderline"}[judge(expected, min_speedup)]
    advice = Advice(
        answer=answer,
        expected=expected,
        low=min(low, expected),
        high=max(high, expected),
        bound=n_folds / math.ceil(n_folds / w_eff),
        fold_seconds=float(fold_seconds),
        n_folds=n_folds,
        n_workers=n_workers,
        effective_workers=w_eff,
        backend=backend,
        pool=state,
        serial_seconds=serial,
        parallel_seconds=parallel,
        overhead_seconds=overhead,
        breakeven_seconds=breakeven,
        min_speedup=float(min_speedup),
        costs=charged,
        machine=machine(),
        explanation="",
    )
    other = None
    if backend in REUSABLE_POOL and n_workers > 1:
        flip = "cold" if state == "warm" else "warm"
        flipped = replace(charged, startup=costs.startup if flip == "cold" else 0.0)
        other = (
            f"With a {flip} pool ({'the first call of a session' if flip == 'cold' else 'workers already running'}) "
            f"expect {speedup(flipped):.2f}×."
        )
    if w_eff < n_workers:
        other = (other + " " if other else "") + (
            f"Only {w_eff} core{'s' if w_eff != 1 else ''} here: {n_workers - w_eff} of the {n_workers} workers "
            f"{'waits' if n_workers - w_eff == 1 else 'wait'} for a free core and add{'s' if n_workers - w_eff == 1 else ''} "
            "no speed."
        )
    return replace(advice, explanation=_explain(advice, charged, other))


def _cores():
    import joblib

    return joblib.cpu_count()
