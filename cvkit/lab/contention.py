"""Tasks that hold the GIL, release it, or use BLAS threads, timed under each backend: what workers compete for."""

import hashlib
import statistics
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from ..backends import resolve_backend, resolve_n_jobs
from ..core.checks import check_positive_int
from .backend_settings import check_inner_max_num_threads, configured_backend
from .worker_threads import blas_threads, cores_text

__all__ = ["Timing", "blas_work", "compare", "native_work", "python_work", "time_settings", "time_tasks"]

_BLOCK = bytes(range(256)) * 4096  # 1 MiB


def python_work(n=700_000):
    """Pure-Python arithmetic: the interpreter holds the GIL all along, so two threads cannot run it at once.

    Examples
    --------
    >>> python_work(10)
    19
    """
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def native_work(mebibytes=64):
    """SHA-256 over ``mebibytes`` MiB: C code that releases the GIL while it hashes, on one core.

    Examples
    --------
    >>> native_work(1)[:12]
    'fbbab289f7f9'
    """
    digest = hashlib.sha256()
    for _ in range(mebibytes):
        digest.update(_BLOCK)
    return digest.hexdigest()


def blas_work(size=400, repeats=20):
    """Matrix products through BLAS, which may use several threads; return the BLAS threads it could use.

    Examples
    --------
    >>> blas_work(50, 2) >= 1
    True
    """
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    for _ in range(repeats):
        a @ b
    return blas_threads()


@dataclass(frozen=True)
class Timing:
    """Wall times of the same call repeated.

    Attributes
    ----------
    label : str
    backend : str
        "serial" when one worker ran the tasks in this thread.
    n_jobs : int
    times : tuple of float
        Seconds per call, the warm-up call excluded.
    blas_threads : int or None
        BLAS threads each task could use (for tasks that report it, such as :func:`blas_work`).
    """

    label: str
    backend: str
    n_jobs: int
    times: tuple
    blas_threads: int | None = None

    @property
    def median(self):
        """Median seconds per call."""
        return statistics.median(self.times)

    @property
    def threads(self):
        """E.g. "2 × 1 BLAS = 2 threads on 2 cores" for tasks that report their BLAS threads, else ""."""
        if self.blas_threads is None:
            return ""
        total = self.n_jobs * self.blas_threads
        return f"{self.n_jobs} × {self.blas_threads} BLAS = {total} threads on {cores_text()}"

    def __str__(self):
        return f"{self.label:<34} {self.median:.3f} s" + (f"  {self.threads}" if self.threads else "")


@dataclass(frozen=True)
class _Setting:
    """One way of running the tasks, checked: backend, workers, caps, label."""

    backend: object
    name: str
    workers: int
    inner_max_num_threads: int | None
    blas_limit: int | None
    label: str

    @property
    def loky_group(self):
        """Settings in different groups need different loky workers: they cannot take turns without restarts."""
        return self.inner_max_num_threads if self.name == "loky" else None

    @contextmanager
    def active(self):
        limits = threadpool_limits(limits=self.blas_limit, user_api="blas") if self.blas_limit else nullcontext()
        with limits, configured_backend(self.backend, self.inner_max_num_threads):
            yield


def _setting(backend=None, n_jobs=None, inner_max_num_threads=None, blas_limit=None, label=None):
    backend, name = resolve_backend(backend)
    check_inner_max_num_threads(inner_max_num_threads, name)
    workers = resolve_n_jobs(n_jobs, backend)
    if blas_limit is not None:
        blas_limit = check_positive_int("blas_limit", blas_limit)
    label = label or (f"{name}, n_jobs={workers}" if workers > 1 else "serial")
    return _Setting(backend, name, workers, inner_max_num_threads, blas_limit, label)


def time_settings(task, args=(), settings=(), *, n_tasks=4, repeats=3):
    """Time the same ``n_tasks`` calls of ``task(*args)`` under several settings, taking turns.

    Every setting is warmed up once (which may start workers), then the
    settings take turns for ``repeats`` rounds, one timed call each: a burst of
    load from other programs then hits every setting alike, and the medians
    stay comparable. Settings that need other loky workers (another
    ``inner_max_num_threads``) are timed in a block of their own, after the
    others, since switching would restart the workers at every turn.

    Parameters
    ----------
    task : callable
        A module-level function (process workers import it by name).
    args : tuple
        Its arguments, the same for every call.
    settings : sequence of dict
        Each with any of ``backend`` (name, instance or None for the enclosing
        ``parallel_config``'s), ``n_jobs`` (1 runs the tasks one after another
        in this thread), ``inner_max_num_threads`` (loky only: BLAS/OpenMP
        threads per worker), ``blas_limit`` (cap this process's BLAS threads
        with ``threadpoolctl.threadpool_limits`` during the calls: it caps the
        serial loop and threading workers, not process workers) and ``label``.
    n_tasks : int, default 4
    repeats : int, default 3
        Timed calls per setting.

    Returns
    -------
    list of Timing
        In the order of ``settings``.

    Examples
    --------
    >>> a, b = time_settings(python_work, (1000,), [dict(n_jobs=1), dict(backend="threading", n_jobs=2)], repeats=2)
    >>> (a.backend, a.n_jobs, len(a.times)), (b.backend, b.n_jobs, b.label)
    (('serial', 1, 2), ('threading', 2, 'threading, n_jobs=2'))
    >>> time_settings(python_work, settings=[dict(backend="threading", inner_max_num_threads=1)])
    Traceback (most recent call last):
    ...
    ValueError: inner_max_num_threads=1 is not allowed with backend 'threading'; allowed: None, or an integer >= 1 with the loky backend (the only one that supports it).
    """
    if not callable(task):
        raise TypeError(f"task={task!r} is not allowed; allowed: a module-level function.")
    n_tasks = check_positive_int("n_tasks", n_tasks)
    repeats = check_positive_int("repeats", repeats)
    if isinstance(settings, dict) or not all(isinstance(s, dict) for s in settings) or not settings:
        raise TypeError(f"settings={settings!r} is not allowed; allowed: a non-empty list of dicts.")
    prepared = [_setting(**s) for s in settings]
    times = [[] for _ in prepared]
    results = [None] * len(prepared)
    for turn, i in _turns([p.loky_group for p in prepared], repeats):
        with prepared[i].active():
            t = time.perf_counter()
            results[i] = Parallel(n_jobs=prepared[i].workers)(delayed(task)(*args) for _ in range(n_tasks))
            elapsed = time.perf_counter() - t
        if turn:  # turn 0 warms the setting up
            times[i].append(elapsed)
    return [
        Timing(
            p.label,
            p.name if p.workers > 1 else "serial",
            p.workers,
            tuple(t),
            max(r) if task is blas_work else None,
        )
        for p, t, r in zip(prepared, times, results)
    ]


def _turns(groups, repeats):
    """The order of the calls: ``(turn, setting index)``, settings of one group taking turns, groups one after another.

    Examples
    --------
    >>> [i for _, i in _turns([None, 2, None], repeats=1)]
    [0, 2, 0, 2, 1, 1]
    """
    order = []
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        order += [(turn, i) for turn in range(repeats + 1) for i in members]
    return order


def time_tasks(task, args=(), *, n_tasks=4, repeats=3, **setting):
    """Time ``n_tasks`` calls of ``task(*args)`` under one setting, ``repeats`` times after a warm-up.

    The keyword arguments are one setting of :func:`time_settings`:
    ``backend``, ``n_jobs``, ``inner_max_num_threads``, ``blas_limit``, ``label``.

    Examples
    --------
    >>> t = time_tasks(python_work, (1000,), backend="threading", n_jobs=2, repeats=2)
    >>> t.backend, t.n_jobs, len(t.times)
    ('threading', 2, 2)
    """
    return time_settings(task, args, [setting], n_tasks=n_tasks, repeats=repeats)[0]


def compare(timings, baseline=0):
    """Format timings as lines, each with its median and its speed-up over ``timings[baseline]``.

    Examples
    --------
    >>> print(compare([Timing("serial", "serial", 1, (0.4,)), Timing("loky", "loky", 2, (0.2,))]))
    serial                             0.400 s  1.00× the speed of serial
    loky                               0.200 s  2.00× the speed of serial
    """
    timings = list(timings)
    if not timings:
        raise ValueError("timings=[] is not allowed; allowed: at least one Timing.")
    ref = timings[baseline]
    lines = []
    for t in timings:
        line = f"{t.label:<34} {t.median:.3f} s  {ref.median / t.median:.2f}× the speed of {ref.label}"
        lines.append(line + (f"  {t.threads}" if t.threads else ""))
    return "\n".join(lines)
