"""What starting a backend's workers costs: a first call against warm calls, and stopping loky's workers.

joblib keeps loky's workers alive between calls, so only a session's first call starts processes (and imports
scikit-learn in each); :func:`measure_startup` times that first call and the warm ones after it.
"""

import os
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass

from joblib import Parallel, delayed

from ..backends import backend_context, resolve_backend, resolve_n_jobs
from ..compat import get_reusable_executor
from ..core.checks import check_positive_int
from ..core.text import PrettyText
from .task_placement import pid_and_thread

__all__ = ["Startup", "measure_startup", "one_task_per_worker", "shutdown_workers"]


def shutdown_workers():
    """Stop loky's reusable worker processes, so that the next loky call starts fresh ones.

    joblib keeps loky's workers alive between calls (that is why a second call
    is fast). Stopping them is how to measure a first call again, or to give
    back the memory they hold. Threading and multiprocessing keep no pool
    between calls, so there is nothing to stop for them.

    Call it between runs. The idle workers are killed rather than asked to
    exit: a worker that has imported scikit-learn takes about 0.4 s to shut its
    interpreter down, time the caller would wait for nothing.

    Examples
    --------
    >>> shutdown_workers()
    """
    get_reusable_executor(reuse=True).shutdown(wait=True, kill_workers=True)


def one_task_per_worker(folder, n_tasks, timeout=30.0):
    """A no-op task that holds its worker until all ``n_tasks`` tasks have started, so each runs on its own worker.

    Each task leaves a file in ``folder`` and waits (at most ``timeout`` s)
    until ``n_tasks`` files are there: a worker holding one task cannot take
    another, so with ``n_tasks`` workers every worker starts (and imports)
    exactly one, however late the others came up. Returns the worker's ``(pid, thread id)``.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     one_task_per_worker(folder, 1) == pid_and_thread()
    True
    """
    open(os.path.join(folder, f"{os.getpid()}-{threading.get_ident()}-{time.perf_counter_ns()}"), "w").close()
    deadline = time.monotonic() + timeout
    while len(os.listdir(folder)) < n_tasks and time.monotonic() < deadline:
        time.sleep(0.001)
    return pid_and_thread()


@dataclass(frozen=True)
class Startup(PrettyText):
    """A first call and a warm call to the same backend, in seconds.

    Attributes
    ----------
    backend : str
    n_jobs : int
        Workers the calls used.
    first : float
        The first call: starts the workers (for loky, fresh processes that also
        import cvkit and scikit-learn, as a first fold task does).
    warm : float
        Median of the calls that followed.
    """

    backend: str
    n_jobs: int
    first: float
    warm: float

    @property
    def ratio(self):
        """How many warm calls the first call costs."""
        return self.first / self.warm if self.warm > 0 else float("inf")

    def __str__(self):
        return (
            f"{self.backend:<16} first call {self.first:.3f} s · warm call {self.warm:.3f} s "
            f"· the first costs {self.ratio:.1f}× a warm one"
        )


def measure_startup(backend=None, n_jobs=None, *, repeats=5):
    """Time a first call of ``n_jobs`` no-op tasks on ``backend``, then the same call warm.

    For loky the running workers are stopped first (see :func:`shutdown_workers`),
    so the first call really starts processes. Each task holds its worker
    until all ``n_jobs`` tasks have started, so every worker runs one (and
    imports cvkit and scikit-learn in the first call), not the first worker
    up all of them. Threading starts a thread pool
    and multiprocessing a process pool at every call: for them the first call
    is like the others.

    Parameters
    ----------
    backend : str, joblib backend instance, or None
        None: the backend of an enclosing ``joblib.parallel_config`` (else loky).
    n_jobs : int or None
        None: the enclosing configuration's ``n_jobs`` (else 1).
    repeats : int, default 5
        Warm calls; their median is reported.

    Returns
    -------
    Startup

    Examples
    --------
    >>> s = measure_startup("threading", 2, repeats=3)
    >>> s.backend, s.n_jobs, s.first > 0 and s.warm > 0
    ('threading', 2, True)
    >>> measure_startup("threading", 2, repeats=0)
    Traceback (most recent call last):
    ...
    ValueError: repeats=0 is not allowed; allowed: an integer >= 1.
    """
    backend, name = resolve_backend(backend)
    repeats = check_positive_int("repeats", repeats)
    workers = resolve_n_jobs(n_jobs, backend)
    if name == "loky":
        shutdown_workers()
    times = []
    with backend_context(backend):
        for _ in range(repeats + 1):
            with tempfile.TemporaryDirectory(prefix="cvkit-startup-") as folder:
                t = time.perf_counter()
                Parallel(n_jobs=workers)(delayed(one_task_per_worker)(folder, workers) for _ in range(workers))
                times.append(time.perf_counter() - t)
    return Startup(name, workers, times[0], statistics.median(times[1:]))
