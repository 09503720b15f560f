"""Every private detail of joblib, loky, distributed and scikit-learn that cvkit relies on, in one place.

Public APIs cannot do a few things cvkit shows: end a blocked ``Parallel`` call
from the outside, tell whether loky's pool is warm, hear a scikit-learn
callback from a loky worker, report a fold that erred on a Dask cluster. Each
such access is made here (or, where a subclass must name it, listed here), with
the upstream code it mirrors. ``tests/test_compat.py`` fails loudly when one
disappears, and :func:`check_versions` says which versions cvkit was tested with.

=============================================  ==============================================  ======================
what                                           upstream                                        used by
=============================================  ==============================================  ======================
``TASK_PENDING``, ``TASK_ERROR``,              joblib/parallel.py, ``BatchCompletionCallBack``  runner (Stop, a dead
``Parallel._jobs``/``_jobs_set``/``_lock``,    and ``Parallel``                                 worker): the watchdog
``BatchCompletionCallBack._register_outcome``
``get_active_backend``, ``BACKENDS``,          joblib/parallel.py (module level)               backends, runner,
``EXTERNAL_BACKENDS``, ``ParallelBackendBase``                                                 workers, search views
auto-batching constants 0.2 s / 2 s            joblib/_parallel_backends.py,                   schedule (a copy: the
                                               ``AutoBatchingMixin``                           model imports no joblib)
``reusable_executor._executor`` and its        joblib/externals/loky/reusable_executor.py,     advice, explorer
``_flags``, ``_processes``,                    process_executor.py
``_executor_manager_thread``
``TerminatedWorkerError``,                     joblib/externals/loky/                          runner, dask backend,
``get_reusable_executor``                                                                      workers
shared-memory names ``joblib_memmapping_       joblib/_memmapping_reducer.py,                  leftovers
folder_{pid}_*``, ``sem.loky-{pid}-*``         loky/backend/synchronize.py
``DaskDistributedBackend`` and its             joblib/_dask.py                                 dask_backend
``call_data_futures``, ``_results``,
``retrieve_result_callback``
``Cluster._update_worker_status``              distributed/deploy/cluster.py                   dask_cluster
``sklearn.callback._transport``                sklearn/callback/_transport.py                  search_view
(``open_listener``, ``close_listener``,
``send``)
``_fit_and_score``'s ``result["fit_error"]``   sklearn/model_selection/_validation.py          search_view
``BaseSearchCV._skl_callbacks``                sklearn/callback/_callback_support.py           search views
``_BaseScorer._response_method``               sklearn/metrics/_scorer.py                      inputs
=============================================  ==============================================  ======================
"""

import re
import sys
import warnings

from joblib.externals.loky import get_reusable_executor, reusable_executor
from joblib.externals.loky.process_executor import TerminatedWorkerError
from joblib.parallel import (
    BACKENDS,
    EXTERNAL_BACKENDS,
    TASK_ERROR,
    TASK_PENDING,
    ParallelBackendBase,
    get_active_backend,
)

__all__ = [
    "BACKENDS",
    "EXTERNAL_BACKENDS",
    "LOKY_SHARED_MEMORY_PATTERNS",
    "TESTED_WITH",
    "CompatibilityWarning",
    "ParallelBackendBase",
    "TerminatedWorkerError",
    "active_backend",
    "check_versions",
    "dask_distributed_backend",
    "fail_pending_task",
    "fit_error_of_caller",
    "get_reusable_executor",
    "loky_live_workers",
    "scorer_response_methods",
    "search_callbacks",
    "sklearn_transport",
    "wait_for_loky_manager",
]

#: The versions (major.minor) cvkit's tests passed with; another version may work, but the accesses below may not.
TESTED_WITH = {"joblib": "1.6", "scikit-learn": "1.9", "distributed": "2026.8"}


class CompatibilityWarning(UserWarning):
    """A library cvkit reaches into is at a version cvkit was not tested with."""


def _major_minor(version):
    """``"1.6.0"`` -> ``"1.6"``; ``"2026.8.1"`` -> ``"2026.8"``.

    >>> _major_minor("1.9.1"), _major_minor("1.10.0rc1")
    ('1.9', '1.10')
    """
    match = re.match(r"(\d+)\.(\d+)", version)
    return f"{match.group(1)}.{match.group(2)}" if match else version


def check_versions(installed=None):
    """Compare the installed joblib, scikit-learn and distributed with :data:`TESTED_WITH`; a list of differences.

    Parameters
    ----------
    installed : dict or None
        ``{package: version}``; default: what ``importlib.metadata`` finds
        (a package that is not installed is skipped).

    Returns
    -------
    list of str
        One sentence per package at another major.minor version; empty when all match.

    Examples
    --------
    >>> check_versions({"joblib": "1.6.2", "scikit-learn": "1.9.0"})
    []
    >>> check_versions({"joblib": "1.7.0"})
    ['joblib 1.7.0 is installed; cvkit was tested with joblib 1.6']
    """
    if installed is None:
        from importlib.metadata import PackageNotFoundError, version

        installed = {}
        for name in TESTED_WITH:
            try:
                installed[name] = version(name)
            except PackageNotFoundError:
                pass
    return [
        f"{name} {found} is installed; cvkit was tested with {name} {TESTED_WITH[name]}"
        for name, found in installed.items()
        if name in TESTED_WITH and _major_minor(found) != TESTED_WITH[name]
    ]


def _warn_about_versions():
    problems = check_versions()
    if problems:
        warnings.warn(
            "; ".join(problems) + ". cvkit reaches into their internals (see cvkit.compat); if a lesson fails, "
            "install the tested versions (pip install -r requirements.txt).",
            CompatibilityWarning,
            stacklevel=3,
        )


# --- joblib --------------------------------------------------------------------------------------------------


def active_backend(**hints):
    """joblib's active backend in this thread and its n_jobs: ``(backend instance, n_jobs)``.

    joblib keeps its configuration per thread (``joblib.parallel_config``);
    ``joblib.parallel.get_active_backend`` is not in joblib's public API.
    ``hints`` are ``Parallel``'s ``prefer`` ("threads", "processes") and ``require`` ("sharedmem").

    >>> type(active_backend()[0]).__name__
    'LokyBackend'
    """
    return get_active_backend(**hints)


def fail_pending_task(parallel, exc):
    """Make a running :class:`joblib.Parallel` call raise ``exc`` by marking one pending task as failed.

    joblib aborts a call as soon as one task reports an error: it stops
    dispatching, terminates the pool's running tasks (process backends) and
    re-raises the error in the calling thread. This reuses that path from the
    outside, through ``Parallel._jobs`` (ordered) or ``_jobs_set`` (unordered),
    ``Parallel._lock`` and ``BatchCompletionCallBack._register_outcome``
    (joblib/parallel.py, joblib 1.6). Returns False when they are missing or no
    task is pending, so the caller can fall back.
    """
    try:
        with parallel._lock:
            jobs = list(parallel._jobs) if parallel.return_ordered else list(parallel._jobs_set)
        for job in jobs:
            if job.status == TASK_PENDING:
                job._register_outcome(dict(result=exc, status=TASK_ERROR))
                return job.status == TASK_ERROR
    except (AttributeError, TypeError):
        return False
    return False


# --- loky ----------------------------------------------------------------------------------------------------

#: The names joblib (memory-mapped arrays) and loky (semaphores) give their files in /dev/shm, by parent pid.
LOKY_SHARED_MEMORY_PATTERNS = ("joblib_memmapping_folder_{pid}_*", "sem.loky-{pid}-*")


def _loky_executor():
    """loky's reusable executor if one was started (``reusable_executor._executor``), else None."""
    return getattr(reusable_executor, "_executor", None)


def loky_live_workers():
    """The number of live worker processes of loky's reusable pool (0 when there is none, or it is broken).

    Best effort: it reads loky's internals (``_executor``, ``_flags``,
    ``_processes``) and answers 0 when they are not as expected.
    """
    try:
        executor = _loky_executor()
        if executor is None or executor._flags.broken or executor._flags.shutdown:
            return 0
        return sum(p.is_alive() for p in executor._processes.values())
    except Exception:
        return 0


def wait_for_loky_manager(timeout):
    """After a pool was killed, wait (up to ``timeout`` s) for its manager thread, which still clears its queue.

    A new pool started before that may be handed the dying one. Best effort:
    returns at once when loky's internals are not as expected.
    """
    try:
        executor = _loky_executor()
        flags = getattr(executor, "_flags", None)
        manager = getattr(executor, "_executor_manager_thread", None)
        if flags is not None and (flags.shutdown or flags.broken is not None) and manager is not None:
            manager.join(max(0.0, timeout))
    except Exception:
        pass


# --- distributed ---------------------------------------------------------------------------------------------


def dask_distributed_backend():
    """joblib's Dask backend class, ``joblib._dask.DaskDistributedBackend`` (imports Dask's distributed).

    cvkit's :class:`cvkit.dask.backend.ReportingDaskBackend` subclasses it and
    uses its ``call_data_futures`` (the scatter cache), ``_results`` (the
    futures of a call) and ``retrieve_result_callback``.
    """
    from joblib._dask import DaskDistributedBackend

    return DaskDistributedBackend


# --- scikit-learn --------------------------------------------------------------------------------------------


def sklearn_transport():
    """scikit-learn's callback transport: ``(open_listener, close_listener, send)``.

    The channel its ``ProgressBar`` uses to hear callbacks from loky workers
    (``sklearn.callback._transport``, scikit-learn 1.9, experimental).
    """
    from sklearn.callback._transport import close_listener, open_listener, send

    return open_listener, close_listener, send


#: Returned by :func:`fit_error_of_caller` when no ``_fit_and_score`` frame was found.
NOT_FOUND = object()


def fit_error_of_caller(max_depth=8):
    """``result["fit_error"]`` of the ``_fit_and_score`` frame that called the hook running now; or :data:`NOT_FOUND`.

    scikit-learn calls ``on_fit_task_end`` in a ``finally`` clause with no word
    about an error; with ``error_score=np.nan`` the only trace of a failed fit
    is this local variable (sklearn/model_selection/_validation.py).

    >>> fit_error_of_caller() is NOT_FOUND
    True
    """
    frame = sys._getframe(1)
    for _ in range(max_depth):
        if frame is None:
            break
        if frame.f_code.co_name == "_fit_and_score":
            result = frame.f_locals.get("result")
            if isinstance(result, dict):
                # the fit raised and error_score="raise" re-raises: no "fit_error" was written
                return result.get("fit_error", "the fit raised (error_score='raise')")
            break
        frame = frame.f_back
    return NOT_FOUND


def search_callbacks(search):
    """The callbacks set on a scikit-learn estimator with ``set_callbacks`` (a list; empty when none).

    scikit-learn 1.9 keeps them in ``_skl_callbacks`` and has no getter.
    """
    return list(getattr(search, "_skl_callbacks", None) or [])


def scorer_response_methods(scorer):
    """The prediction methods a scikit-learn scorer calls (a tuple, e.g. ``("predict",)``; empty if unknown).

    Read from the scorer's ``_response_method`` (sklearn/metrics/_scorer.py).

    >>> from sklearn.metrics import get_scorer
    >>> scorer_response_methods(get_scorer("f1_weighted")), scorer_response_methods(len)
    (('predict',), ())
    """
    methods = getattr(scorer, "_response_method", None)
    if methods is None:
        return ()
    return (methods,) if isinstance(methods, str) else tuple(methods)


_warn_about_versions()
