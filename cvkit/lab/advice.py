"""Will parallel folds pay? :func:`will_parallel_pay` times one fold of your data and applies the cost rule.

The rule itself (:func:`~cvkit.model.cost_rule.expected_speedup`, :data:`~cvkit.model.cost_rule.COSTS`,
the break-even) is in :mod:`cvkit.model.cost_rule`, pure and testable without timing anything.

The answer is "yes", "no" or "borderline": an expected speed-up within
:data:`cvkit.core.verdicts.NOISE` (±10 %) of :data:`MIN_SPEEDUP` could land on
either side on another run or machine, so it is called borderline rather
than a verdict that a busy minute could flip. The fold is timed in CPU time
(the fastest of many runs), so other programs sharing the core do not change
the answer; the machine's cores and load are printed with it.

Examples
--------
>>> import numpy as np
>>> data_nbytes(np.zeros((100, 10)), np.zeros(100))   # what each task's arguments weigh
8800
"""

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import issparse

from ..backends import resolve_n_jobs
from ..core import (
    checks,
    inputs,  # inputs: the one input preparation, shared with run_folds
)
from ..core.text import PrettyText, fmt_seconds
from ..core.verdicts import NOISE, Machine, best_time, judge, machine, rounds, speedup_bound
from ..model.cost_rule import (
    COSTS,
    MIN_SPEEDUP,
    OPTIMISTIC,
    PESSIMISTIC,
    REUSABLE_POOL,
    Costs,
    breakeven_fold_seconds,
    check_min_speedup,
    check_seconds,
    expected_speedup,
    rule_seconds,
)

__all__ = ["Advice", "data_nbytes", "pool_is_warm", "will_parallel_pay"]

#: joblib's default ``max_nbytes``: larger arrays are written once per call to a memory-mapped file.
MAX_NBYTES = 1_000_000


def data_nbytes(*arrays):
    """Bytes of data in arrays, sparse matrices or pandas objects (what travels to the workers).

    >>> data_nbytes(np.zeros((100, 4)), np.zeros(100, dtype=np.int64))
    4000
    """
    total = 0
    for a in arrays:
        if checks.is_pandas(a):
            usage = a.memory_usage(index=True, deep=True)
            total += int(usage.sum() if hasattr(usage, "sum") else usage)
        elif issparse(a):
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
class Advice(PrettyText):
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
    r = rounds(k, c)
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
    check_min_speedup(min_speedup)
    check_seconds("timing_budget", timing_budget)
    n_workers = resolve_n_jobs(n_jobs)

    X, y, _, splits, scorer, _, labels = inputs.prepare_inputs(estimator, X, y, cv=cv, scoring=scoring)
    n_folds = len(splits)

    if fold_seconds is None:
        train, test = splits[0]
        fold_seconds, _ = _time_one_fold(estimator, X, y, train, test, scorer, labels, timing_budget)
    else:
        fold_seconds = check_seconds("fold_seconds", fold_seconds)

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

    serial, parallel, overhead = rule_seconds(
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
        bound=speedup_bound(n_folds, w_eff),
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
