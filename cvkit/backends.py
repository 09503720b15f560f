"""Which joblib backend and how many workers a run uses: by name, by instance, or from an enclosing ``parallel_config``."""

from contextlib import nullcontext

import joblib

from .compat import BACKENDS, EXTERNAL_BACKENDS, ParallelBackendBase
from .compat import active_backend as get_active_backend
from .core.checks import check_n_jobs

__all__ = ["available_backends", "backend_context", "backend_name", "resolve_backend", "resolve_n_jobs"]


def available_backends():
    """Return the backend names cvkit accepts: joblib's registered ones and "dask".

    Examples
    --------
    >>> {"loky", "threading", "multiprocessing", "dask"} <= set(available_backends())
    True
    """
    return tuple(sorted((set(BACKENDS) | set(EXTERNAL_BACKENDS)) - {"sequential"})) + ("sequential",)


def backend_name(backend):
    """Return the registered name of a backend instance ("loky", "threading", ...), or its class name.

    Examples
    --------
    >>> with joblib.parallel_config(backend="threading"):
    ...     backend_name(get_active_backend()[0])
    'threading'
    """
    if isinstance(backend, str):
        return backend
    for name, cls in BACKENDS.items():
        if type(backend) is cls:
            return name
    if _is_dask(backend):
        return "dask"
    return type(backend).__name__


def resolve_backend(backend):
    """Check ``backend`` and return ``(backend_or_None, name)``.

    Parameters
    ----------
    backend : str, joblib ParallelBackendBase instance, or None
        None means: whatever an enclosing ``joblib.parallel_config`` (or the
        older ``parallel_backend``) chose, else joblib's default, loky.

    Examples
    --------
    >>> resolve_backend("threading")
    ('threading', 'threading')
    >>> resolve_backend(None)[1]
    'loky'
    >>> resolve_backend("lokky")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: backend='lokky' is not allowed; allowed: 'dask', 'loky', 'multiprocessing', 'threading', 'sequential', a joblib ParallelBackendBase instance, or None ...
    """
    if backend is None:
        active, _ = get_active_backend()
        return None, backend_name(active)
    if isinstance(backend, ParallelBackendBase):
        return backend, backend_name(backend)
    names = available_backends()
    if isinstance(backend, str) and backend in names:
        return backend, backend
    shown = ", ".join(repr(n) for n in names)
    raise ValueError(
        f"backend={backend!r} is not allowed; allowed: {shown}, a joblib ParallelBackendBase instance, "
        "or None (the backend of an enclosing joblib.parallel_config, else loky)."
    )


def resolve_n_jobs(n_jobs, backend=None):
    """Return the number of workers a run will use, resolved the way joblib resolves it.

    None takes ``n_jobs`` from an enclosing ``parallel_config`` (1 if there is
    none); -1 means all cores, -2 all but one, and so on.

    Examples
    --------
    >>> resolve_n_jobs(None), resolve_n_jobs(3)
    (1, 3)
    >>> resolve_n_jobs(-1) == joblib.cpu_count()
    True
    """
    n_jobs = check_n_jobs(n_jobs)
    if n_jobs is None:
        _, n_jobs = get_active_backend()
        if n_jobs is None:
            return 1
    if n_jobs > 0:
        return n_jobs
    with backend_context(backend):
        return joblib.effective_n_jobs(n_jobs)


def backend_context(backend):
    """Return a context manager that makes ``backend`` (name or instance) joblib's active backend.

    None leaves the enclosing configuration alone. Using ``parallel_config``
    rather than ``Parallel(backend=...)`` is what lets "dask" work: joblib
    refuses ``Parallel(backend="dask")`` but accepts it in a config block.
    "dask" means cvkit's managed Dask client (:func:`cvkit.dask.cluster.get_client`);
    a dask backend set by an enclosing ``parallel_config`` keeps its client. Either
    way the backend is :class:`cvkit.dask.backend.ReportingDaskBackend`, which
    ends a call whose task erred on the cluster instead of waiting forever.
    """
    if backend is None:
        active, _ = get_active_backend()
        if not _is_dask(active):
            return nullcontext()
        return joblib.parallel_config(backend=_dask_module().dask_backend(active))
    if backend == "dask" or _is_dask(backend):
        return joblib.parallel_config(backend=_dask_module().dask_backend(None if backend == "dask" else backend))
    return joblib.parallel_config(backend=backend)


def _is_dask(backend):
    """True for joblib's dask backend and subclasses, without importing Dask."""
    return any(cls.__name__ == "DaskDistributedBackend" for cls in type(backend).__mro__)


def _dask_module():
    try:
        from .dask import backend as dask_backend
    except ImportError as exc:
        raise ImportError(
            f"backend='dask' needs Dask's distributed package ({exc}); "
            "install it with: pip install 'distributed>=2024.1'"
        ) from exc
    return dask_backend
