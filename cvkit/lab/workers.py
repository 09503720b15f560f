"""Look inside a backend's workers: where tasks run, what starting them costs, their thread pools and their memory."""

import copy
import os
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, cpu_count, delayed, parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metaestimators import available_if

from ..backends import backend_context, resolve_backend, resolve_n_jobs
from ..compat import active_backend as get_active_backend
from ..compat import get_reusable_executor
from ..core.checks import check_positive_int

__all__ = [
    "RecordWorker",
    "Startup",
    "Threadpools",
    "WorkerMemory",
    "check_inner_max_num_threads",
    "measure_startup",
    "proc_memory",
    "shutdown_workers",
    "where_ran",
    "worker_memory",
    "worker_threadpools",
]

#: Backends whose workers are other processes on this machine.
PROCESS_BACKENDS = ("loky", "multiprocessing")

#: Environment variables loky sets in its workers to cap native thread pools (joblib's own list).
THREAD_CAP_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_MIB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# Where a task ran
# --------------------------------------------------------------------------------------------
def _here():
    """``(pid, native thread id)`` of the calling code."""
    return os.getpid(), threading.get_native_id()


def where_ran(workers):
    """Say in plain words where tasks ran, relative to this process.

    Parameters
    ----------
    workers : iterable of TaskTrace, or of ``(pid, thread_id)`` pairs
        E.g. ``result.traces`` of a :func:`cvkit.run_folds` run, or the
        ``worker_`` of each :class:`RecordWorker` fitted by ``cross_validate``.

    Returns
    -------
    str
        One of "in this process, in its main thread", "in threads of this
        process", "in other processes (workers)", "in this process and in other
        processes". No counts: how many workers a short run reaches varies.

    Examples
    --------
    >>> where_ran([(os.getpid(), threading.main_thread().native_id)])
    'in this process, in its main thread'
    >>> where_ran([(os.getpid(), 1), (os.getpid(), 2)])
    'in threads of this process'
    >>> where_ran([(1, 1)])
    'in other processes (workers)'
    >>> where_ran([])
    Traceback (most recent call last):
    ...
    ValueError: workers=[] is not allowed; allowed: at least one TaskTrace or (pid, thread_id) pair.
    """
    pairs = [(w.pid, w.thread_id) if hasattr(w, "pid") else tuple(w) for w in workers]
    if not pairs:
        raise ValueError(f"workers={pairs!r} is not allowed; allowed: at least one TaskTrace or (pid, thread_id) pair.")
    here = os.getpid()
    mine = [tid for pid, tid in pairs if pid == here]
    if len(mine) == len(pairs):
        if set(mine) == {threading.main_thread().native_id}:
            return "in this process, in its main thread"
        return "in threads of this process"
    return "in other processes (workers)" if not mine else "in this process and in other processes"


class RecordWorker(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """A classifier that records which process and thread fitted it, in ``worker_``.

    Wrap the estimator you hand to library code that runs joblib inside (such
    as ``cross_validate(..., return_estimator=True)``) to see where its tasks
    ran. Predictions are the wrapped estimator's.

    Parameters
    ----------
    estimator : classifier
        Cloned and fitted by :meth:`fit`.

    Attributes
    ----------
    worker_ : tuple (pid, thread_id)
    estimator_ : the fitted clone
    classes_ : ndarray

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> model = RecordWorker(SVC()).fit(X, y)
    >>> model.worker_ == (os.getpid(), threading.get_native_id()), round(model.score(X, y), 3)
    (True, 0.973)
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y, **fit_params):
        """Record who runs this call, then fit a clone of ``estimator``."""
        self.worker_ = _here()
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        """Predictions of the fitted clone."""
        return self.estimator_.predict(X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the fitted clone."""
        return self.estimator_.predict_proba(X)

    @available_if(lambda self: hasattr(self.estimator, "decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted clone."""
        return self.estimator_.decision_function(X)


# --------------------------------------------------------------------------------------------
# Start-up cost
# --------------------------------------------------------------------------------------------
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


def _identity():
    """A no-op task that says who ran it (its module imports cvkit in a fresh worker, as a fold task does)."""
    return _here()


def _one_each(folder, n_tasks, timeout=30.0):
    """A no-op task that holds its worker until all ``n_tasks`` tasks have started, so each runs on its own worker.

    Each task leaves a file in ``folder`` and waits (at most ``timeout`` s)
    until ``n_tasks`` files are there: a worker holding one task cannot take
    another, so with ``n_tasks`` workers every worker starts (and imports)
    exactly one, however late the others came up.
    """
    open(os.path.join(folder, f"{os.getpid()}-{threading.get_ident()}-{time.perf_counter_ns()}"), "w").close()
    deadline = time.monotonic() + timeout
    while len(os.listdir(folder)) < n_tasks and time.monotonic() < deadline:
        time.sleep(0.001)
    return _here()


@dataclass(frozen=True)
class Startup:
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

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


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
                Parallel(n_jobs=workers)(delayed(_one_each)(folder, workers) for _ in range(workers))
                times.append(time.perf_counter() - t)
    return Startup(name, workers, times[0], statistics.median(times[1:]))


def _cores_text():
    """'1 core' or 'N cores': the cores joblib may use here."""
    n = cpu_count()
    return f"{n} core{'s' if n != 1 else ''}"


# --------------------------------------------------------------------------------------------
# Native thread pools (BLAS, OpenMP) inside the workers
# --------------------------------------------------------------------------------------------
def _threadpool_task(hold):
    """Report this worker's native thread pools and the cap variables in its environment."""
    from threadpoolctl import threadpool_info

    time.sleep(hold)  # keep this worker busy so that the next task goes to another one
    pools = {}
    for info in threadpool_info():
        api = info["user_api"]
        pools[api] = max(pools.get(api, 0), info["num_threads"])
    env = {var: os.environ[var] for var in THREAD_CAP_VARIABLES if var in os.environ}
    return _here(), pools, env


@dataclass(frozen=True)
class Threadpools:
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
            f"on {_cores_text()} (OpenMP threads per worker: {self.openmp}; caps in the environment: {caps})"
        )

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


@contextmanager
def _config(backend, inner_max_num_threads=None, **options):
    """Make ``backend`` active (as the runner does), with loky's thread cap and other ``parallel_config`` options.

    An instance the caller passed (or the enclosing block's) is copied before
    ``inner_max_num_threads`` is set on it, so the caller's object is not changed.
    """
    if inner_max_num_threads is None:
        chosen = backend_context(backend)
    else:  # loky only, checked by the caller
        instance = get_active_backend()[0] if backend is None else backend
        instance = instance if isinstance(instance, str) else copy.copy(instance)
        chosen = parallel_config(backend=instance, inner_max_num_threads=inner_max_num_threads)
    with chosen, parallel_config(**options) if options else nullcontext():
        yield


def check_inner_max_num_threads(value, backend_label):
    """Return ``value`` if it can be used with ``backend_label``: only loky accepts it.

    Examples
    --------
    >>> check_inner_max_num_threads(2, "loky")
    2
    >>> check_inner_max_num_threads(2, "threading")
    Traceback (most recent call last):
    ...
    ValueError: inner_max_num_threads=2 is not allowed with backend 'threading'; allowed: None, or an integer >= 1 with the loky backend (the only one that supports it).
    """
    if value is None:
        return None
    if backend_label != "loky" or isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"inner_max_num_threads={value!r} is not allowed with backend {backend_label!r}; allowed: None, "
            "or an integer >= 1 with the loky backend (the only one that supports it)."
        )
    return value


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
    with _config(backend, inner_max_num_threads):
        reports = Parallel(n_jobs=workers)(delayed(_threadpool_task)(hold) for _ in range(workers))
    return Threadpools(name, workers, tuple(reports))


# --------------------------------------------------------------------------------------------
# Memory of the workers
# --------------------------------------------------------------------------------------------
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
        return _here(), "no peak reset", None, proc_memory()
    kind, ident = None, None
    if X is not None:
        float(np.sum(X))  # touch every page
        kind, ident = type(X).__name__, id(X)
    return _here(), kind, ident, proc_memory()


@dataclass(frozen=True)
class WorkerMemory:
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

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


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
    with _config(backend, max_nbytes=max_nbytes):
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
