"""Bounds on a schedule and the speed-up summary: what no schedule of these folds can beat, and how a run did.

- :func:`cvkit.core.verdicts.speedup_bound`: k / ceil(k / w), the best equal folds can do on w workers (the
  formula lives in the core, whose ``speedup_limit`` needs it too; ``from cvkit.model import speedup_bound``);
- :func:`list_scheduling_bound`: the makespan of an ideal pool that hands each fold, in turn, to the worker free first;
- :func:`amdahl_speedup` and :func:`amdahl_limit`: Amdahl's law, for a run with a part that cannot be shared out;
- :func:`speedup_summary`: a parallel run's measured and predicted speed-up, the bound and the efficiency.

Examples
--------
>>> list_scheduling_bound(5, 2), round(amdahl_speedup(0.9, 2), 3), round(amdahl_limit(0.9), 3)
(3.0, 1.818, 10.0)
"""

import heapq
import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from ..core.checks import check_durations, check_positive_int
from ..core.text import PrettyText
from ..core.verdicts import speedup_bound
from .measured import predict_from_result

__all__ = ["SpeedupSummary", "amdahl_limit", "amdahl_speedup", "list_scheduling_bound", "speedup_summary"]


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
    d = check_durations(durations)
    w = check_positive_int("n_workers", n_workers)
    free = [0.0] * w
    for duration in d:
        heapq.heappush(free, heapq.heappop(free) + duration)
    return max(free)


# Amdahl's law
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


@dataclass(frozen=True)
class SpeedupSummary(PrettyText):
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
        The model's speed-up (serial time / makespan of :func:`cvkit.model.replay.predict_schedule`).
    bound : float
        k / ceil(k / w), the best equal folds can do on w workers (:func:`cvkit.core.verdicts.speedup_bound`).
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


def speedup_summary(result, schedule=None, *, serial=None):
    """Summarise a parallel run: measured speed-up, predicted speed-up, bound and efficiency.

    Parameters
    ----------
    result : CVResult
        The parallel run.
    schedule : Schedule, optional
        The prediction to report. Default: :func:`cvkit.model.measured.predict_from_result`, with
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
