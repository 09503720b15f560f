"""Measure a speed-up honestly: serial and parallel runs interleaved in one session, their bound and serial part."""

import math
import statistics
import time
from dataclasses import dataclass

from ..backends import backend_context, resolve_backend, resolve_n_jobs
from ..core import checks
from ..core.text import PrettyText, fmt_seconds
from ..model.bounds import list_scheduling_bound

__all__ = [
    "SpeedupMeasurement",
    "busy_seconds",
    "measure_speedup",
    "measure_workers",
    "serial_seconds",
    "stop_workers",
    "warm_workers",
]


def busy_seconds(result):
    """Seconds of a run during which at least one fold was running (the union of the folds' time spans).

    Examples
    --------
    >>> import numpy as np
    >>> from cvkit import CVResult, FoldResult, TaskTrace
    >>> spans = [(0.1, 1.0), (0.2, 0.9), (1.2, 2.0)]
    >>> folds = [FoldResult(i, trace=TaskTrace(i, "h", 1, 0, "w", s, e)) for i, (s, e) in enumerate(spans)]
    >>> round(busy_seconds(CVResult(folds, "f1", np.array([0, 1]), 2, "loky", 2.1)), 3)
    1.7
    """
    spans = sorted((f.trace.start, f.trace.end) for f in result.folds if f.trace is not None)
    busy, end = 0.0, -math.inf
    for s, e in spans:
        if s > end:
            busy += e - s
            end = e
        elif e > end:
            busy += e - end
            end = e
    return busy


def serial_seconds(result):
    """Seconds of a run during which no fold ran: start-up, dispatch, waiting, collecting results.

    This is the part of a parallel run that more workers cannot shorten:
    Amdahl's serial part, read from the trace (``wall_time - busy_seconds``).

    Examples
    --------
    >>> import numpy as np
    >>> from cvkit import CVResult, FoldResult, TaskTrace
    >>> spans = [(0.1, 1.0), (0.2, 0.9), (1.2, 2.0)]
    >>> folds = [FoldResult(i, trace=TaskTrace(i, "h", 1, 0, "w", s, e)) for i, (s, e) in enumerate(spans)]
    >>> round(serial_seconds(CVResult(folds, "f1", np.array([0, 1]), 2, "loky", 2.1)), 3)   # 0.1 + 0.2 + 0.1
    0.4
    """
    return max(result.wall_time - busy_seconds(result), 0.0)


def warm_workers(n_jobs=2, backend="loky"):
    """Start ``n_jobs`` loky workers (if not running) and import scikit-learn and cvkit's fold task in each.

    Other backends start their workers at every call: nothing to warm. The
    warm-up itself is :func:`cvkit.robust.pool.warm_workers`, the one cvkit has.

    Examples
    --------
    >>> warm_workers(2, "threading")
    """
    from ..robust.pool import warm_workers as warm_pool

    backend, label = resolve_backend(backend)
    if label != "loky":
        return
    with backend_context(backend):
        warm_pool(resolve_n_jobs(n_jobs, backend))


def stop_workers():
    """Stop loky's reusable workers, so that the next loky call starts cold (new processes, new imports).

    Examples
    --------
    >>> stop_workers()
    """
    from .worker_startup import shutdown_workers  # one way to stop them, shared with lesson 05's helpers

    shutdown_workers()


@dataclass(frozen=True)
class SpeedupMeasurement(PrettyText):
    """Serial and parallel runs of the same folds, timed in one session.

    Attributes
    ----------
    n_folds, n_workers : int
    backend, pool : str
        The parallel runs' backend; "warm" or "cold" (loky's workers running or not before each run).
    serial_walls, parallel_walls : list of float
        Wall time of each run (seconds), in the order run.
    fold_seconds : list of float
        Each fold's median duration in the serial runs, in fold order.
    serial_parts : list of float
        Each parallel run's serial part (:func:`serial_seconds`).
    result : CVResult
        The last parallel run (its trace, for a Gantt chart).
    machine : cvkit.core.verdicts.Machine or None
        The machine *during* the runs (:func:`cvkit.core.verdicts.watch_machine`):
        its ``others`` is what other programs used while they were timed. Pass
        it to :func:`cvkit.core.verdicts.speedup_limit` and
        :func:`cvkit.core.verdicts.compare_times`.
    """

    n_folds: int
    n_workers: int
    backend: str
    pool: str
    serial_walls: list
    parallel_walls: list
    fold_seconds: list
    serial_parts: list
    result: object
    machine: object = None

    @property
    def serial(self):
        """Median serial wall time."""
        return statistics.median(self.serial_walls)

    @property
    def parallel(self):
        """Median parallel wall time."""
        return statistics.median(self.parallel_walls)

    @property
    def speedup(self):
        """Median serial time / median parallel time."""
        return self.serial / self.parallel

    @property
    def fold_time(self):
        """The median fold's serial duration."""
        return statistics.median(self.fold_seconds)

    @property
    def bound(self):
        """List-scheduling speed-up of the serial folds' durations on ``n_workers``: no overhead, no slowdown."""
        return sum(self.fold_seconds) / list_scheduling_bound(self.fold_seconds, self.n_workers)

    @property
    def serial_part(self):
        """Median serial part of the parallel runs, in seconds."""
        return statistics.median(self.serial_parts)

    @property
    def parallel_fraction(self):
        """Amdahl's p: the folds' work / (work + the parallel run's serial part)."""
        work = sum(self.fold_seconds)
        return work / (work + self.serial_part) if work + self.serial_part > 0 else 1.0

    def __str__(self):
        return (
            f"{self.n_folds} folds on {self.n_workers} workers ({self.backend}, {self.pool} pool): "
            f"serial {fmt_seconds(self.serial)}, parallel {fmt_seconds(self.parallel)}, speed-up {self.speedup:.2f}× "
            f"(bound {self.bound:.2f}×)"
        )


def measure_speedup(estimator, X, y, *, cv=5, n_jobs=2, backend="loky", pool="warm", repeats=3):
    """Time the serial loop and a parallel run of the same folds, alternating, ``repeats`` times each.

    Both are :func:`cvkit.run_folds` (``n_jobs=1`` is the plain loop), so the
    only difference is running the folds at the same time. On a shared
    machine the runs are noisy: the medians of alternating runs compare them
    under the same load.

    Parameters
    ----------
    estimator, X, y, cv
        As for :func:`cvkit.run_folds`.
    n_jobs : int, default 2
    backend : str, default "loky"
    pool : {"warm", "cold"}
        loky only. "warm": workers started (and scikit-learn imported in them)
        before the timing; "cold": workers stopped before every parallel run, so
        each pays the start-up, as the first call of a session does.
    repeats : int, default 3

    Returns
    -------
    SpeedupMeasurement

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> m = measure_speedup(SVC(), X, y, cv=4, n_jobs=2, backend="threading", repeats=2)
    >>> m.n_folds, m.n_workers, len(m.serial_walls), len(m.fold_seconds), 1 <= m.bound <= 2
    (4, 2, 2, 4, True)
    >>> m.machine.cores >= 1   # the machine while the runs were timed
    True
    """
    from ..core.verdicts import watch_machine
    from ..runner import run_folds

    checks.check_choice("pool", pool, ("warm", "cold"))
    repeats = checks.check_positive_int("repeats", repeats)
    backend_obj, label = resolve_backend(backend)
    n_workers = resolve_n_jobs(n_jobs, backend_obj)
    if pool == "warm":
        warm_workers(n_workers, backend)
    serial_walls, parallel_walls, durations, parts, result = [], [], [], [], None
    with watch_machine() as watch:  # what other programs did while the runs were timed
        for r in range(repeats):
            for which in ("serial", "parallel") if r % 2 == 0 else ("parallel", "serial"):
                if which == "serial":
                    t = time.perf_counter()
                    run = run_folds(estimator, X, y, cv=cv, n_jobs=1)
                    serial_walls.append(time.perf_counter() - t)
                    durations.append([f.trace.duration for f in run.folds])
                else:
                    if pool == "cold" and label == "loky":
                        stop_workers()
                    t = time.perf_counter()
                    result = run_folds(estimator, X, y, cv=cv, n_jobs=n_workers, backend=backend)
                    parallel_walls.append(time.perf_counter() - t)
                    parts.append(serial_seconds(result))
    return SpeedupMeasurement(
        n_folds=result.n_splits,
        n_workers=n_workers,
        backend=label,
        pool=pool if label == "loky" else "new per call",
        serial_walls=serial_walls,
        parallel_walls=parallel_walls,
        fold_seconds=[statistics.median(col) for col in zip(*durations)],
        serial_parts=parts,
        result=result,
        machine=watch.machine,
    )


def measure_workers(estimator, X, y, *, cv=5, n_jobs=(2, 4), repeats=2, backend="loky"):
    """:func:`measure_speedup` for several worker counts, interleaved: a dict ``{n_jobs: SpeedupMeasurement}``.

    The counts are measured in blocks of one serial and one parallel run, in
    the order a, b, b, a, a, b, ... (``repeats`` blocks of each), so that a
    load that drifts during the measurement weighs on every count alike. Each
    measurement's :attr:`~SpeedupMeasurement.machine` covers all the blocks.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> ms = measure_workers(SVC(), X, y, cv=4, n_jobs=(1, 2), repeats=2, backend="threading")
    >>> sorted(ms), [len(m.serial_walls) for m in ms.values()], ms[2].machine is ms[1].machine
    ([1, 2], [2, 2], True)
    """
    from ..core.verdicts import watch_machine

    repeats = checks.check_positive_int("repeats", repeats)
    counts = list(n_jobs)
    blocks = {n: [] for n in counts}
    with watch_machine() as watch:
        for r in range(repeats):
            for n in counts if r % 2 == 0 else counts[::-1]:
                blocks[n].append(measure_speedup(estimator, X, y, cv=cv, n_jobs=n, backend=backend, repeats=1))
    merged = {}
    for n, ms in blocks.items():
        per_fold = zip(*(m.fold_seconds for m in ms))
        merged[n] = SpeedupMeasurement(
            n_folds=ms[-1].n_folds, n_workers=ms[-1].n_workers, backend=ms[-1].backend, pool=ms[-1].pool,
            serial_walls=[w for m in ms for w in m.serial_walls],
            parallel_walls=[w for m in ms for w in m.parallel_walls],
            fold_seconds=[statistics.median(col) for col in per_fold],
            serial_parts=[p for m in ms for p in m.serial_parts],
            result=ms[-1].result, machine=watch.machine,
        )  # fmt: skip
    return merged
