"""Which backend joblib gives a parallel call made inside a worker, and how many tasks each level runs at once.

What joblib does with the inner ``Parallel`` call (joblib 1.6)
------------------------------------------------------------
Each batch of tasks a ``Parallel`` call sends to a worker carries the backend
for calls made *inside* it (``backend.get_nested_backend()``), and the worker
runs the batch inside ``parallel_config(backend=that backend)``:

- outer loky, multiprocessing or threading with 2 or more workers: the inner
  call gets a **threading** backend (nesting level 1) in the worker that runs
  the outer fold. ``n_jobs=k`` inside it is ``k`` threads; ``n_jobs=-1`` is
  ``joblib.cpu_count()`` threads, all the machine's cores, *in each outer
  worker*; ``n_jobs=None`` (or 1) runs the inner tasks one after the other.
  A call one level deeper still runs sequentially.
- outer ``n_jobs=1`` (or the sequential backend): joblib runs the outer tasks
  in the calling thread, without changing the configuration, so the inner call
  gets what the caller would get: loky worker processes for ``GridSearchCV``,
  threads for a random forest (it asks for ``prefer="threads"``).
- loky starts its workers with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
  ``MKL_NUM_THREADS``, ... set in their environment: to ``inner_max_num_threads``
  if given, else to the parent's own value of the variable if it has one, else
  to ``max(cpu_count() // n_jobs, 1)``. So BLAS and OpenMP thread pools inside
  an outer loky worker are capped; the threading backend sets no cap, and the
  inner threads share their process's (capped) pools.

:func:`inner_backend_for` asks joblib the way ``Parallel`` does, from inside a task;
:func:`outer_workers` says how many outer folds can run at once.
"""

import warnings

from ..backends import backend_context, backend_name
from ..compat import active_backend

__all__ = ["inner_backend_for", "outer_workers"]


def inner_backend_for(inner_n_jobs, prefer=None):
    """The backend a ``Parallel(n_jobs=inner_n_jobs, prefer=prefer)`` call made *here* would run on.

    Asks joblib the way ``Parallel`` does: the active backend (inside a worker,
    the nested backend the outer call set), then its ``effective_n_jobs``; one
    worker means joblib runs the tasks one after the other.

    Parameters
    ----------
    inner_n_jobs : int or None
    prefer : {None, "threads", "processes"}
        The hint the inner code gives (a random forest gives "threads").

    Returns
    -------
    (name, nesting_level, workers) : (str, int, int)

    Examples
    --------
    >>> inner_backend_for(2)[0], inner_backend_for(1)
    ('loky', ('sequential', 0, 1))
    >>> inner_backend_for(2, prefer="threads")[:2]
    ('threading', 0)
    >>> import joblib
    >>> with joblib.parallel_config(backend="threading"):
    ...     joblib.Parallel(n_jobs=2)(joblib.delayed(inner_backend_for)(-1) for _ in range(2))[0] == (
    ...         "threading", 1, joblib.cpu_count()) or joblib.cpu_count() == 1
    True
    """
    backend, config_n_jobs = active_backend(prefer=prefer)
    n_jobs = inner_n_jobs if inner_n_jobs is not None else config_n_jobs
    if n_jobs is None:
        n_jobs = backend.default_n_jobs
    with warnings.catch_warnings():  # loky refuses below threads with a warning and 1 worker: the 1 is the answer
        warnings.simplefilter("ignore")
        workers = int(backend.effective_n_jobs(n_jobs))
    level = backend.nesting_level or 0
    return ("sequential" if workers == 1 else backend_name(backend)), level, workers


def outer_workers(outer_n_jobs, backend):
    """How many outer folds can run at once: joblib's effective n_jobs of the outer call.

    Parameters
    ----------
    outer_n_jobs : int or None
        As joblib reads it (None: an enclosing ``parallel_config``'s, else the backend's default).
    backend : str or None
        The outer call's backend (None: an enclosing ``parallel_config``'s, else loky).

    Examples
    --------
    >>> outer_workers(1, "threading"), outer_workers(4, "sequential")
    (1, 1)
    """
    if backend == "sequential":
        return 1
    with backend_context(backend):
        active, config_n_jobs = active_backend()
        n = outer_n_jobs
        if n is None:
            n = config_n_jobs if config_n_jobs is not None else active.default_n_jobs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(active.effective_n_jobs(n))
