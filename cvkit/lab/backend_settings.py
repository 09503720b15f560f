"""A backend made active for a measurement, with loky's cap on the workers' native threads and other options.

Shared by the instruments that run tasks under a chosen backend (:mod:`cvkit.lab.worker_threads`,
:mod:`cvkit.lab.worker_memory`, :mod:`cvkit.lab.contention`).
"""

import copy
from contextlib import contextmanager, nullcontext

from joblib import parallel_config

from ..backends import backend_context
from ..compat import active_backend

__all__ = ["check_inner_max_num_threads", "configured_backend"]


@contextmanager
def configured_backend(backend, inner_max_num_threads=None, **options):
    """Make ``backend`` active (as the runner does), with loky's thread cap and other ``parallel_config`` options.

    An instance the caller passed (or the enclosing block's) is copied before
    ``inner_max_num_threads`` is set on it, so the caller's object is not changed.

    Parameters
    ----------
    backend : str, joblib backend instance, or None
        None: the backend of an enclosing ``joblib.parallel_config`` (else loky).
    inner_max_num_threads : int, optional
        loky only (see :func:`check_inner_max_num_threads`): the BLAS/OpenMP threads of each worker.
    **options
        Other ``joblib.parallel_config`` options, e.g. ``max_nbytes``.

    Examples
    --------
    >>> from joblib import Parallel, delayed
    >>> with configured_backend("threading", max_nbytes=None):
    ...     Parallel(n_jobs=2)(delayed(abs)(-i) for i in range(3))
    [0, 1, 2]
    """
    if inner_max_num_threads is None:
        chosen = backend_context(backend)
    else:  # loky only, checked by the caller
        instance = active_backend()[0] if backend is None else backend
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
