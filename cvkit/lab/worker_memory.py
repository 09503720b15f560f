"""What handing a large array to each worker costs in memory: a private copy, or a shared memory-mapped file.

:func:`worker_memory` reads each worker's memory from ``/proc`` (:func:`proc_memory`, Linux) before and after a
call that hands it ``X``; joblib memory-maps arrays above ``max_nbytes`` for process workers.
"""

import os
import statistics
import time
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed

from ..backends import resolve_backend, resolve_n_jobs
from ..core.text import PrettyText
from ..robust.pool import PROCESS_BACKENDS
from .backend_settings import configured_backend
from .task_placement import pid_and_thread
from .worker_startup import shutdown_workers

__all__ = ["WorkerMemory", "proc_memory", "worker_memory"]

_MIB = 1024 * 1024


def proc_memory(pid="self"):
    """Return a process's memory from ``/proc/<pid>/status``, in bytes (Linux).

    Keys: "private" (RssAnon: memory only this process holds), "shared"
    (RssShmem + RssFile: resident pages of shared memory and mapped files,
    such as a memory-mapped array), "peak" (VmHWM: the largest resident size
    so far). USS/PSS are not used: they need a walk of every mapping and count
    shared pages in ways that hide the copy we look for.

    Examples
    --------
    >>> mem = proc_memory()
    >>> sorted(mem), mem["private"] > 0
    (['peak', 'private', 'shared'], True)
    """
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssShmem", "RssFile", "VmHWM"):
                    fields[key] = int(value.split()[0]) * 1024
    except FileNotFoundError:
        raise OSError(f"/proc/{pid}/status does not exist; memory is read from /proc, which only Linux has.") from None
    return {"private": fields["RssAnon"], "shared": fields["RssShmem"] + fields["RssFile"], "peak": fields["VmHWM"]}


def _reset_peak():
    """Make this process's peak resident size (VmHWM) its current size; False where Linux does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _memory_task(X, hold, reset_peak=False):
    """Read every element of ``X`` (it may be None), then report this worker's memory and how X arrived.

    With ``reset_peak`` the peak is first reset, so that a later call's peak is its own.
    """
    time.sleep(hold)  # keep this worker busy so that the next task goes to another one
    if reset_peak and not _reset_peak():
        return pid_and_thread(), "no peak reset", None, proc_memory()
    kind, ident = None, None
    if X is not None:
        float(np.sum(X))  # touch every page
        kind, ident = type(X).__name__, id(X)
    return pid_and_thread(), kind, ident, proc_memory()


@dataclass(frozen=True)
class WorkerMemory(PrettyText):
    """What handing a large array to each worker cost in memory.

    Sizes are growth over the same worker's memory just before the call, in
    bytes, one entry per worker reached.

    Attributes
    ----------
    backend : str
    n_jobs : int
    max_nbytes : str, int or None
        joblib's memory-mapping threshold used.
    x_bytes : int
        Size of X.
    arrived_as : str
        Type of X inside the workers: "memmap" (a read-only view of one shared
        file) or "ndarray" (a copy, or the very same array for threads).
    same_object : bool
        The tasks got this process's own X (threads share memory).
    private, shared, peak : tuple of int
        Growth of each worker's private memory, shared resident memory and
        peak resident size (peak: process backends only, empty for threads).
    seconds : float
        Duration of the call that handed X over.
    """

    backend: str
    n_jobs: int
    max_nbytes: object
    x_bytes: int
    arrived_as: str
    same_object: bool
    private: tuple
    shared: tuple
    peak: tuple
    seconds: float

    def _times_x(self, values):
        return max(statistics.median(values), 0) / self.x_bytes if values else float("nan")

    @property
    def private_copy(self):
        """True if each worker holds a private copy of X (its private memory grew by more than half of X)."""
        return self._times_x(self.private) > 0.5

    def __str__(self):
        how = "the kernel's own array (threads share memory)" if self.same_object else f"numpy.{self.arrived_as}"
        lines = [
            f"{self.backend}, max_nbytes={self.max_nbytes!r}: X ({self.x_bytes / _MIB:.1f} MiB) arrived as {how}",
            f"  growth per worker: private {self._times_x(self.private):.2f}× X, "
            f"shared {self._times_x(self.shared):.2f}× X"
            + (f", peak {self._times_x(self.peak):.2f}× X" if self.peak else ""),
            f"  each worker holds a private copy of X: {'yes' if self.private_copy else 'no'} "
            f"· the call took {self.seconds:.3f} s",
        ]
        return "\n".join(lines)


def worker_memory(X, *, backend="loky", n_jobs=2, max_nbytes="1M"):
    """Hand ``X`` to every worker and measure what it costs each worker in memory.

    Each of ``n_jobs`` tasks reads all of X, then reads its worker's memory
    from ``/proc``; the same tasks without X, just before, give each worker's
    baseline and reset its peak, so that the peak is this call's. (Where the
    peak cannot be reset, loky's workers are restarted instead.)

    Parameters
    ----------
    X : ndarray
        The large array (use ~100 MB or more to see the effect).
    backend : str, joblib backend instance or None, default "loky"
    n_jobs : int, default 2
    max_nbytes : int, str or None, default "1M"
        joblib's threshold: arrays larger than this reach process workers as a
        read-only ``numpy.memmap`` of one file in shared memory; None sends
        each task its own pickled copy.

    Returns
    -------
    WorkerMemory

    Examples
    --------
    >>> X = np.ones((1000, 500))  # 4 MB: enough to be memory-mapped, too small to measure well
    >>> worker_memory(X, backend="threading").same_object
    True
    >>> worker_memory([1, 2])
    Traceback (most recent call last):
    ...
    TypeError: X of type list is not allowed; allowed: a numpy array.
    """
    if not isinstance(X, np.ndarray):
        raise TypeError(f"X of type {type(X).__name__} is not allowed; allowed: a numpy array.")
    backend, name = resolve_backend(backend)
    workers = resolve_n_jobs(n_jobs, backend)
    hold = 0.1 if workers > 1 else 0.0
    processes = name in PROCESS_BACKENDS
    with configured_backend(backend, max_nbytes=max_nbytes):
        before = Parallel(n_jobs=workers)(delayed(_memory_task)(None, hold, processes) for _ in range(workers))
        if name == "loky" and any(kind == "no peak reset" for _, kind, _, _ in before):
            shutdown_workers()  # new workers: their peak is this call's
            before = Parallel(n_jobs=workers)(delayed(_memory_task)(None, hold) for _ in range(workers))
        t = time.perf_counter()
        after = Parallel(n_jobs=workers)(delayed(_memory_task)(X, hold) for _ in range(workers))
        seconds = time.perf_counter() - t
    baseline = {worker[0]: mem for worker, _, _, mem in before}
    fallback = {key: statistics.median(m[key] for m in baseline.values()) for key in ("private", "shared", "peak")}
    private, shared, peak = [], [], []
    seen = set()
    for worker, _, _, mem in after:
        if worker[0] in seen:  # threads of one process: one memory
            continue
        seen.add(worker[0])
        base = baseline.get(worker[0], fallback)
        private.append(mem["private"] - base["private"])
        shared.append(mem["shared"] - base["shared"])
        peak.append(mem["peak"] - base["peak"])
    same_object = all(ident == id(X) and worker[0] == os.getpid() for worker, _, ident, _ in after)
    return WorkerMemory(
        backend=name,
        n_jobs=workers,
        max_nbytes=max_nbytes,
        x_bytes=X.nbytes,
        arrived_as=after[0][1],
        same_object=same_object,
        private=tuple(private),
        shared=tuple(shared),
        peak=() if name not in PROCESS_BACKENDS else tuple(peak),
        seconds=seconds,
    )
