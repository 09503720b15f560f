"""The native thread pools (BLAS, OpenMP) of a backend's workers, and the caps loky sets on them.

loky caps every worker's BLAS and OpenMP threads (it sets :data:`THREAD_CAP_VARIABLES` in their environment);
threads of the threading backend share this process's pools. :func:`worker_threadpools` asks each worker.
"""

import os
import time
from dataclasses import dataclass

from joblib import Parallel, cpu_count, delayed

from ..backends import resolve_backend, resolve_n_jobs
from ..core.text import PrettyText
from .backend_settings import check_inner_max_num_threads, configured_backend
from .task_placement import pid_and_thread

__all__ = [
    "THREAD_CAP_VARIABLES",
    "Threadpools",
    "blas_threads",
    "cores_text",
    "thread_caps",
    "worker_threadpools",
]

#: Environment variables loky sets in its workers to cap native thread pools (joblib's own list).
THREAD_CAP_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def blas_threads():
    """Threads the BLAS libraries loaded in this process use for one call (the largest count if several are).

    Examples
    --------
    >>> from threadpoolctl import threadpool_limits
    >>> with threadpool_limits(limits=1, user_api="blas"):
    ...     blas_threads()
    1
    """
    import numpy  # noqa: F401  (threadpoolctl sees only loaded libraries: numpy's BLAS, also in a fresh worker)
    from threadpoolctl import threadpool_info

    counts = [pool["num_threads"] for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return max(counts, default=0)


def thread_caps():
    """The :data:`THREAD_CAP_VARIABLES` set in this process's environment, as ``{variable: value}``.

    >>> set(thread_caps()) <= set(THREAD_CAP_VARIABLES)
    True
    """
    return {var: os.environ[var] for var in THREAD_CAP_VARIABLES if var in os.environ}


def cores_text():
    """'1 core' or 'N cores': the cores joblib may use here.

    >>> cores_text().split()[1] in ("core", "cores")
    True
    """
    n = cpu_count()
    return f"{n} core{'s' if n != 1 else ''}"


def _threadpool_task(hold):
    """Report this worker's native thread pools and the cap variables in its environment."""
    from threadpoolctl import threadpool_info

    time.sleep(hold)  # keep this worker busy so that the next task goes to another one
    pools = {}
    for info in threadpool_info():
        api = info["user_api"]
        pools[api] = max(pools.get(api, 0), info["num_threads"])
    return pid_and_thread(), pools, thread_caps()


@dataclass(frozen=True)
class Threadpools(PrettyText):
    """The native thread pools each worker of a backend would use.

    Attributes
    ----------
    backend : str
    n_jobs : int
        Workers.
    workers : tuple of ((pid, thread_id), {user_api: num_threads}, {variable: value})
        What each reached worker reported: its thread pools, as threadpoolctl
        sees them ("blas", "openmp"), and the cap variables in its environment.
    """

    backend: str
    n_jobs: int
    workers: tuple

    @property
    def blas(self):
        """BLAS threads per worker (the largest any reached worker reported)."""
        return max(pools.get("blas", 0) for _, pools, _ in self.workers)

    @property
    def openmp(self):
        """OpenMP threads per worker (0 if no OpenMP runtime is loaded)."""
        return max(pools.get("openmp", 0) for _, pools, _ in self.workers)

    @property
    def environment(self):
        """The cap variables set in the workers' environment (loky sets them; threads share the parent's)."""
        return self.workers[0][2]

    @property
    def total_blas_threads(self):
        """Threads that can compute at once when every worker runs a BLAS call."""
        return self.n_jobs * self.blas

    def __str__(self):
        caps = ", ".join(f"{k}={v}" for k, v in self.environment.items()) or "none"
        busy = self.total_blas_threads
        return (
            f"{self.backend:<16} {self.n_jobs} workers × {self.blas} BLAS thread{'s' if self.blas != 1 else ''} "
            f"= {busy} threads "
            f"on {cores_text()} (OpenMP threads per worker: {self.openmp}; caps in the environment: {caps})"
        )


def worker_threadpools(backend=None, n_jobs=None, *, inner_max_num_threads=None):
    """Ask each worker of ``backend`` which native thread pools (BLAS, OpenMP) it would use.

    loky caps every worker's BLAS and OpenMP threads at ``cpu_count() // n_jobs``
    (it sets ``OPENBLAS_NUM_THREADS`` and friends in the workers' environment),
    or at ``inner_max_num_threads``; threads of the threading backend share this
    process's thread pools, which nothing caps.

    Parameters
    ----------
    backend : str, joblib backend instance, or None
        None: the backend of an enclosing ``joblib.parallel_config`` (else loky).
    n_jobs : int or None
        None: the enclosing configuration's ``n_jobs`` (else 1).
    inner_max_num_threads : int, optional
        loky only: the cap per worker instead of ``cpu_count() // n_jobs``.

    Returns
    -------
    Threadpools

    Examples
    --------
    >>> pools = worker_threadpools("threading", 2)
    >>> pools.n_jobs, pools.blas >= 1
    (2, True)
    """
    backend, name = resolve_backend(backend)
    check_inner_max_num_threads(inner_max_num_threads, name)
    workers = resolve_n_jobs(n_jobs, backend)
    hold = 0.1 if workers > 1 else 0.0
    with configured_backend(backend, inner_max_num_threads):
        reports = Parallel(n_jobs=workers)(delayed(_threadpool_task)(hold) for _ in range(workers))
    return Threadpools(name, workers, tuple(reports))
