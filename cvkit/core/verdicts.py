"""Say what a measurement showed, in words computed from its numbers, next to the machine's cores and load.

The kit's rule: a sentence about a measured outcome is never written by hand
("4 workers are no faster"): another machine, or a busy minute, can reverse it.
It is printed by code from the numbers it is about, with this module, or
guarded by an ``assert`` of what must hold everywhere.

Three ideas live here, once:

- :func:`machine`: how many cores this process may use (``joblib.cpu_count()``,
  which honours ``taskset`` and container limits), the CPU model and the load
  average. Print it next to any verdict.
- :func:`best_time`: a robust timing, the minimum of several repeats, as
  :mod:`timeit` does (noise only ever adds time).
- :func:`judge` and :func:`compare_times`: a ratio against a threshold, with a
  band of :data:`NOISE` around it where the answer is "borderline" rather than
  a verdict that a busy moment could flip.

Examples
--------
>>> judge(1.5), judge(0.7), judge(1.05)
('above', 'below', 'borderline')
>>> print(compare_times(0.41, 0.62, "2 workers", "the serial loop", machine=Machine(2, 0.3, "AMD EPYC")))
2 workers took 0.41 s, the serial loop 0.62 s: 2 workers ran 1.51× faster. Measured on 2 cores, AMD EPYC, load 0.3.
>>> print(compare_times(0.64, 0.62, "4 workers", "2 workers", machine=Machine(2, 0.3, "AMD EPYC")))
4 workers took 0.64 s, 2 workers 0.62 s: about the same (0.97×, within the ±10 % that noise alone can explain). Measured on 2 cores, AMD EPYC, load 0.3.
"""

import math
import os
import platform
import time
from dataclasses import dataclass
from numbers import Real

from .checks import check_positive_int
from .text import PrettyText, fmt_seconds  # fmt_seconds: the one duration formatter

__all__ = [
    "NOISE",
    "Comparison",
    "Machine",
    "best_time",
    "compare_times",
    "cpu_model",
    "fmt_seconds",
    "judge",
    "machine",
    "other_programs_cpu",
    "rounds",
    "speedup_bound",
    "speedup_limit",
    "watch_machine",
]

#: Relative noise of a timing on a shared machine: ratios within ``1 ± NOISE`` of a threshold are "borderline".
NOISE = 0.10


def cpu_model(path="/proc/cpuinfo"):
    """The CPU's model name from ``/proc/cpuinfo`` (or the platform's processor string)."""
    try:
        with open(path) as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


@dataclass(frozen=True)
class Machine(PrettyText):
    """What a timing depends on: the cores this process may use, the 1-minute load average, the CPU model.

    Attributes
    ----------
    cores : int
        ``joblib.cpu_count()``: the cores joblib will use for ``n_jobs=-1``
        (1 under ``taskset -c 0`` or on a one-core Binder).
    load : float
        Processes running or waiting for a core, on the whole system, averaged
        over the last minute (``os.getloadavg()``; NaN where the system has
        none). It counts this kernel and its workers too.
    cpu : str
    system_cores : int, optional
        All the system's cores (``os.cpu_count()``); more than ``cores`` under
        ``taskset``. Default: ``cores``.
    others : float, optional
        Cores' worth of CPU that *other* programs (not this process nor its
        workers) used during a short sample just now (:func:`machine`). NaN if
        unknown; then the load average decides.
    """

    cores: int
    load: float
    cpu: str = "unknown CPU"
    system_cores: int = None
    others: float = float("nan")

    @property
    def busy(self):
        """True when other programs use at least half of the cores this process may use.

        Judged from :attr:`others` when it was sampled. The system does not say
        on which cores other programs ran: under ``taskset`` or a container
        limit all of it may have been on ours, so it is compared with *our*
        cores. Without a sample, the load average decides; it counts this
        notebook's own process too (about 1 while it computes), so busy is a
        load of at least 1 + half the system's cores.

        >>> Machine(2, 1.2).busy, Machine(2, 2.5).busy, Machine(2, 2.5, others=0.1).busy
        (False, True, False)
        >>> Machine(1, 3.8, system_cores=2, others=0.5).busy   # taskset -c 0: half a core used somewhere
        True
        """
        if not math.isnan(self.others):
            return self.others >= self.cores / 2
        system = self.system_cores or self.cores
        return not math.isnan(self.load) and self.load >= 1 + system / 2

    def __str__(self):
        load = "unknown" if math.isnan(self.load) else f"{self.load:.1f}"
        system = self.system_cores or self.cores
        of = f" (of {system})" if system != self.cores else ""
        return f"{self.cores} core{'s' if self.cores != 1 else ''}{of}, {self.cpu}, load {load}"


def machine():
    """This machine, now: usable cores, CPU model and load (see :class:`Machine`).

    >>> m = machine()
    >>> m.cores >= 1 and isinstance(m.cpu, str)
    True
    """
    import joblib

    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):
        load = float("nan")
    now = time.monotonic()
    if now - _last_sample[0] > SAMPLE_MAX_AGE:  # a widget redrawing on every click need not wait each time
        _last_sample[:] = [now, other_programs_cpu()]
    return Machine(
        cores=joblib.cpu_count(), load=float(load), cpu=cpu_model(), system_cores=os.cpu_count(),
        others=_last_sample[1],
    )  # fmt: skip


#: Seconds for which :func:`machine` reuses its last sample of other programs' CPU use.
SAMPLE_MAX_AGE = 1.0
_last_sample = [-math.inf, float("nan")]  # [when, cores used by other programs]


def _tree_cpu_seconds(process):
    """CPU seconds used so far by ``process`` and all its descendants (the kernel and its worker processes)."""
    import psutil

    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.Error:  # a worker that just ended
            pass
    return total


class watch_machine:
    """Measure what other programs did *during* a block of code: ``with watch_machine() as watch: ...``.

    A timing is distorted by what ran while it ran, not by what runs when its
    verdict is printed. After the block, ``watch.machine`` is a
    :class:`Machine` whose :attr:`~Machine.others` is the cores' worth of CPU
    that other programs (not this process nor its workers) used over the
    whole block; pass it to :func:`speedup_limit` and :func:`compare_times`.

    Examples
    --------
    >>> with watch_machine() as watch:
    ...     _ = sum(range(100_000))
    >>> watch.machine.cores >= 1 and watch.machine.others >= 0
    True
    """

    def __enter__(self):
        self._start = _cpu_sample()
        self.machine = None
        return self

    def __exit__(self, *exc):
        end = _cpu_sample()
        base = machine()
        others = float("nan") if self._start is None or end is None else _others_between(self._start, end)
        self.machine = Machine(base.cores, base.load, base.cpu, base.system_cores, others)
        return False


def _cpu_sample():
    """(system CPU times, our process tree's CPU seconds, clock), or None where psutil cannot read them."""
    import psutil

    try:
        return psutil.cpu_times(), _tree_cpu_seconds(psutil.Process()), time.perf_counter()
    except (psutil.Error, OSError, AttributeError):
        return None


def _others_between(start, end):
    """Cores' worth of CPU used by other programs between two :func:`_cpu_sample` readings."""

    def busy(t):
        return sum(t) - t.idle - getattr(t, "iowait", 0.0)

    (system0, ours0, t0), (system1, ours1, t1) = start, end
    return max(0.0, (busy(system1) - busy(system0) - (ours1 - ours0)) / max(t1 - t0, 1e-9))


def other_programs_cpu(sample=0.1):
    """Cores' worth of CPU used by other programs during ``sample`` seconds: the system's busy time minus ours.

    "Ours" is this process and every process it started (loky's or Dask's
    workers), so a notebook's own parallel run never makes the machine look
    busy. NaN where the system gives no CPU times.

    >>> 0 <= other_programs_cpu() <= (os.cpu_count() or 1) + 0.5
    True
    """
    start = _cpu_sample()
    time.sleep(sample)
    end = _cpu_sample()
    return float("nan") if start is None or end is None else _others_between(start, end)


_machine_now = machine  # compare_times's ``machine`` argument hides the function's name


def best_time(func, *, repeats=5, budget=None, cpu=False):
    """Time ``func()`` several times and return ``(best seconds, number of runs)``: the minimum, as timeit does.

    Noise on a shared machine only ever adds time, so the fastest of several
    runs is the best estimate of what ``func`` costs.

    Parameters
    ----------
    func : callable with no arguments
    repeats : int >= 1, default 5
        At most this many runs (always at least one).
    budget : float, optional
        Stop early once the runs have taken this many seconds in all.
    cpu : bool, default False
        Count each run as the smaller of its wall time and this process's CPU
        time. Right for single-threaded work done in this process (one fold's
        fit): a program that shares the core delays it (wall time grows) but does
        not add to its CPU time. Wrong for work done in other processes (a
        parallel run), whose CPU time this process does not see.

    Examples
    --------
    >>> seconds, runs = best_time(lambda: sum(range(10_000)), repeats=3)
    >>> runs, 0 < seconds < 1
    (3, True)
    >>> best_time(print, repeats=0)
    Traceback (most recent call last):
    ...
    ValueError: repeats=0 is not allowed; allowed: an integer >= 1.
    """
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats={repeats!r} is not allowed; allowed: an integer >= 1.")
    best, spent, runs = math.inf, 0.0, 0
    while runs < repeats:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        func()
        wall = time.perf_counter() - wall0
        used = min(wall, time.process_time() - cpu0) if cpu else wall
        best, spent, runs = min(best, used), spent + wall, runs + 1
        if budget is not None and spent >= budget:
            break
    return best, runs


def rounds(n_folds, n_workers):
    """The number of rounds in which ``n_folds`` folds run on ``n_workers`` workers: ceil(k / w).

    The workers run w folds at a time and a fold cannot be split, so the last
    round may be part-empty. The busiest worker runs this many folds; for equal
    folds the run takes this many fold-times.

    Examples
    --------
    >>> rounds(5, 2), rounds(10, 2), rounds(5, 8)
    (3, 5, 1)
    >>> rounds(5, 0)
    Traceback (most recent call last):
    ...
    ValueError: n_workers=0 is not allowed; allowed: an integer >= 1.
    """
    k = check_positive_int("n_folds", n_folds)
    w = check_positive_int("n_workers", n_workers)
    return math.ceil(k / w)


def speedup_bound(n_folds, n_workers):
    """The best speed-up of ``n_folds`` equal folds on ``n_workers`` workers: k / ceil(k / w).

    The folds run in ceil(k / w) rounds (:func:`rounds`), and the last round may be part-empty.
    :func:`speedup_limit` caps it with this machine's cores;
    :meth:`cvkit.model.Schedule.bounds` gives it for any schedule.

    Examples
    --------
    >>> [round(speedup_bound(k, 2), 3) for k in (5, 10, 15)]
    [1.667, 2.0, 1.875]
    >>> speedup_bound(5, 8)  # more workers than folds: every fold at once
    5.0
    >>> speedup_bound(5, 0)
    Traceback (most recent call last):
    ...
    ValueError: n_workers=0 is not allowed; allowed: an integer >= 1.
    """
    return check_positive_int("n_folds", n_folds) / rounds(n_folds, n_workers)


def speedup_limit(n_folds, n_workers, machine=None):
    """The largest speed-up k equal folds on w workers can show on this machine, over the serial loop.

    On free cores: the rounds bound k / ceil(k / w) (:func:`speedup_bound`), and the cores. On a busy
    machine no bound holds a timing: each process gets about an equal share
    of a core, so a parallel run, with more processes, wins a larger share of
    the machine than the serial loop had, and its measured speed-up can pass
    the cores and even the rounds bound (4 folds on 2 workers were measured at
    2.6× on a 2-core machine with every core busy). Then the limit is
    infinite. Guard a measured speed-up with
    ``speedup <= speedup_limit(k, w) * (1 + NOISE)``.

    Parameters
    ----------
    n_folds, n_workers : int >= 1
    machine : Machine, optional
        Default: :func:`machine` now.

    Examples
    --------
    >>> speedup_limit(5, 2, Machine(2, 0.5)), speedup_limit(10, 4, Machine(2, 0.5))
    (1.6666666666666667, 2)
    >>> speedup_limit(5, 2, Machine(1, 0.9, system_cores=2)), speedup_limit(10, 4, Machine(2, 3.0))
    (1, inf)
    """
    bound = speedup_bound(n_folds, n_workers)
    m = machine if machine is not None else _machine_now()
    if m.busy:
        return math.inf
    return min(bound, m.cores)


def judge(ratio, threshold=1.0, noise=NOISE):
    """Where ``ratio`` lies against ``threshold``: "above", "below", or "borderline" within the noise band.

    The band is ``threshold / (1 + noise)`` to ``threshold * (1 + noise)``: a
    measurement inside it could land on either side on another run.

    Examples
    --------
    >>> judge(1.3, 1.1), judge(1.15, 1.1), judge(0.9, 1.1)
    ('above', 'borderline', 'below')
    >>> judge(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: ratio=nan is not allowed; allowed: a finite number.
    """
    for name, value in (("ratio", ratio), ("threshold", threshold)):
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise ValueError(f"{name}={value!r} is not allowed; allowed: a finite number.")
    if isinstance(noise, bool) or not isinstance(noise, Real) or not noise >= 0:
        raise ValueError(f"noise={noise!r} is not allowed; allowed: a number >= 0 (0.1 means ±10 %).")
    if ratio >= threshold * (1 + noise):
        return "above"
    if ratio <= threshold / (1 + noise):
        return "below"
    return "borderline"


@dataclass(frozen=True)
class Comparison(PrettyText):
    """Two timings of the same work compared, with the verdict in words (see :func:`compare_times`).

    Attributes
    ----------
    seconds, reference_seconds : float
    name, reference_name : str
    speedup : float
        ``reference_seconds / seconds``: above 1 when ``name`` was faster.
    verdict : {"faster", "slower", "about the same"}
        "about the same" when the speed-up is within the noise band around 1.
    machine : Machine
    noise : float
    """

    seconds: float
    reference_seconds: float
    name: str
    reference_name: str
    speedup: float
    verdict: str
    machine: Machine
    noise: float

    @property
    def faster(self):
        """True only when ``name`` was faster by more than the noise."""
        return self.verdict == "faster"

    def sentence(self):
        """The verdict in one sentence, without the machine."""
        head = (
            f"{self.name} took {fmt_seconds(self.seconds)}, {self.reference_name} "
            f"{fmt_seconds(self.reference_seconds)}: "
        )
        if self.verdict == "faster":
            return head + f"{self.name} ran {self.speedup:.2f}× faster"
        if self.verdict == "slower":
            return head + f"{self.name} ran {1 / self.speedup:.2f}× slower"
        return head + (
            f"about the same ({self.speedup:.2f}×, within the ±{self.noise * 100:.0f} % that noise alone can explain)"
        )

    def __str__(self):
        return f"{self.sentence()}. Measured on {self.machine}."


def compare_times(seconds, reference_seconds, name="parallel", reference_name="serial", *, noise=NOISE,
                  machine=None):  # fmt: skip
    """Compare two timings of the same work and say, computed, which was faster on this machine.

    Parameters
    ----------
    seconds, reference_seconds : float > 0
        Best (or median) times of the two ways of doing the work; time them in
        one session, interleaved, and take the minimum of several repeats
        (:func:`best_time`).
    name, reference_name : str
        What the two timings are, as they should read in the sentence.
    noise : float, default :data:`NOISE`
        Speed-ups within ``1 ± noise`` are "about the same".
    machine : Machine, optional
        Default: :func:`machine` now.

    Returns
    -------
    Comparison
        Printing it gives one sentence with both times, the verdict and the
        machine's cores and load.

    Examples
    --------
    >>> c = compare_times(1.0, 0.5, "4 workers", "2 workers", machine=Machine(1, 1.0, "Intel"))
    >>> c.verdict, round(c.speedup, 2)
    ('slower', 0.5)
    >>> print(c)
    4 workers took 1.00 s, 2 workers 0.50 s: 4 workers ran 2.00× slower. Measured on 1 core, Intel, load 1.0.
    >>> compare_times(0, 1)
    Traceback (most recent call last):
    ...
    ValueError: seconds=0 is not allowed; allowed: a number of seconds > 0.
    """
    for label, value in (("seconds", seconds), ("reference_seconds", reference_seconds)):
        if isinstance(value, bool) or not isinstance(value, Real) or not (math.isfinite(value) and value > 0):
            raise ValueError(f"{label}={value!r} is not allowed; allowed: a number of seconds > 0.")
    speedup = reference_seconds / seconds
    verdict = {"above": "faster", "below": "slower", "borderline": "about the same"}[judge(speedup, 1.0, noise)]
    return Comparison(
        seconds=float(seconds),
        reference_seconds=float(reference_seconds),
        name=name,
        reference_name=reference_name,
        speedup=speedup,
        verdict=verdict,
        machine=machine if machine is not None else _machine_now(),
        noise=noise,
    )
