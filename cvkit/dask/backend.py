"""joblib's dask backend, made to end a call whose task failed on the cluster instead of waiting forever."""

import io
import pickle
import sys
import threading
import types
from concurrent.futures import CancelledError

import cloudpickle
from distributed import KilledWorker as _DaskKilledWorker
from distributed.client import FutureCancelledError

from ..compat import TerminatedWorkerError, dask_distributed_backend
from ..core.text import first_line
from .cluster import check_importable, get_client

__all__ = ["DaskTaskError", "KilledWorker", "ReportingDaskBackend", "dask_backend", "modules_needed"]

#: joblib's Dask backend (private: ``joblib._dask``; see :mod:`cvkit.compat`).
DaskDistributedBackend = dask_distributed_backend()


class KilledWorker(_DaskKilledWorker, TerminatedWorkerError):
    """Dask gave up on a task because every worker that ran it died (``distributed.KilledWorker``).

    It is also a joblib ``TerminatedWorkerError``, so cvkit's runner treats it
    as "a worker died running this fold", as it does for loky.
    """


class DaskTaskError(RuntimeError):
    """A Dask task failed on the cluster before its code ran, or was cancelled (the cluster closed during the run)."""


class _Erred:
    """What the callback receives when a Dask task erred: the exception, to be raised by joblib."""

    def __init__(self, exc):
        self.exc = exc


class ReportingDaskBackend(DaskDistributedBackend):
    """joblib's dask backend, except that a task that errs on the cluster ends the joblib call.

    joblib's ``DaskDistributedBackend`` calls the completion callback only for
    tasks that succeed; a task that erred on the cluster (Dask gave up after
    its workers died, or its arguments could not be unpickled on the worker)
    leaves ``Parallel`` waiting forever. This subclass passes the error to
    joblib, which stops the call and raises it: :class:`KilledWorker` or
    :class:`DaskTaskError`. Before the first task of a call leaves, it checks
    that every worker can import the modules the task is pickled with (an
    ``ImportError`` naming worker and module; a task a worker cannot unpickle
    may hang Dask itself). Aborted calls also cancel their queued tasks, and
    at least 2 workers are reported, so joblib never runs a call in this process.

    Parameters
    ----------
    auto_scatter : bool, default False
        joblib's dask backend "scatters" every large argument (X, y) to one
        worker and lets the others fetch it from there; if that worker dies,
        the data is lost and every fold that needs it fails. False sends the
        arguments inside each task instead (one copy per task through the
        scheduler): a dead worker costs only its own task. True is joblib's way.
    **kwargs
        Passed to joblib's ``DaskDistributedBackend`` (client, scatter, ...).
    """

    def __init__(self, *args, auto_scatter=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_scatter = auto_scatter
        self._verified_modules = set()

    def start_call(self):
        super().start_call()
        self._call_thread = threading.get_ident()
        if not self.auto_scatter:
            self.call_data_futures = None  # joblib scatters only through this mapping

    def stop_call(self):
        if getattr(self, "call_data_futures", None) is None:
            self.call_data_futures = {}
        super().stop_call()

    def effective_n_jobs(self, n_jobs):
        # joblib runs a call in this very process when n_jobs is 1, e.g. while a worker of a
        # 2-worker cluster restarts: at least 2 keeps every task on the cluster
        return max(super().effective_n_jobs(n_jobs), 2)

    def submit(self, func, callback=None):
        if threading.get_ident() == getattr(self, "_call_thread", None):  # not from the client's event loop
            self._check_modules(func)
        future = super().submit(func, callback)
        if callback is not None:

            def on_error(done):
                if done.cancelled() or done.exception() is None:
                    return
                callback(_Erred(done.exception()))

            future.add_done_callback(on_error)
        return future

    def _check_modules(self, func):
        """Before a task leaves: can every worker import what it needs?

        A worker that cannot unpickle a task (its estimator's module is not on
        the worker's path) loses its connection to the scheduler, and the task
        may wait forever. Checked once per new set of modules.
        """
        needed = modules_needed(getattr(func, "items", func)) - self._verified_modules
        if needed:
            check_importable(self.client, sorted(needed))
            self._verified_modules |= needed

    def retrieve_result_callback(self, out):
        if isinstance(out, _Erred):
            raise _translate(out.exc)
        if isinstance(out, (FutureCancelledError, CancelledError)):  # a cancelled task's "result" is its error
            raise _translate(out)
        return super().retrieve_result_callback(out)

    def abort_everything(self, ensure_ready=True):
        pending = list(getattr(self, "_results", {}))
        super().abort_everything(ensure_ready=ensure_ready)
        if pending:
            try:
                self.client.cancel(pending)
            except Exception:
                pass

    def get_nested_backend(self):
        return ReportingDaskBackend(client=self.client, auto_scatter=self.auto_scatter), -1

    def __reduce__(self):
        return (DaskDistributedBackend, ())


def _translate(exc):
    """The error joblib should raise for a task that erred on the cluster."""
    if isinstance(exc, KilledWorker):
        return exc
    if isinstance(exc, _DaskKilledWorker):
        return KilledWorker(exc.task, exc.last_worker, exc.allowed_failures)
    if isinstance(exc, CancelledError):
        return DaskTaskError(
            f"a Dask task was cancelled before it finished ({first_line(exc, with_type=True)}); "
            "was the cluster closed or restarted during the run?"
        )
    return DaskTaskError(f"a Dask task failed on the cluster before its code ran ({first_line(exc, with_type=True)})")


def dask_backend(backend=None):
    """Return a :class:`ReportingDaskBackend` for a run.

    Parameters
    ----------
    backend : None or joblib DaskDistributedBackend
        None: cvkit's managed client (:func:`cvkit.dask.cluster.get_client`).
        A backend made by ``joblib.parallel_config(backend="dask", ...)``: the
        same client and settings, with errors reported instead of hanging. A
        :class:`ReportingDaskBackend` is used as it is (build one yourself for
        ``auto_scatter=True``: ``run_folds(..., backend=ReportingDaskBackend(client=c, auto_scatter=True))``).
    """
    if backend is None:
        return ReportingDaskBackend(client=get_client())
    if isinstance(backend, ReportingDaskBackend):
        return backend
    scatter = list(getattr(backend, "_scatter", [])) or None
    copy = ReportingDaskBackend(
        client=backend.client,
        scatter=scatter,
        wait_for_workers_timeout=backend.wait_for_workers_timeout,
        **backend.submit_kwargs,
    )
    copy.nesting_level = backend.nesting_level
    return copy


# --------------------------------------------------------------------------------------------
# What a task needs on a worker
# --------------------------------------------------------------------------------------------
class _ModuleScan(cloudpickle.Pickler):
    """Pickle to nowhere, noting the module of every class and function pickled by reference."""

    _DATA = ("numpy", "pandas", "scipy.sparse")

    def __init__(self):
        super().__init__(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)
        self.modules = set()

    def reducer_override(self, obj):
        if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)):
            module = getattr(obj, "__module__", None) or ""
            if not module.startswith("__") and _by_reference(obj, module):
                self.modules.add(module)
        elif (type(obj).__module__ or "").startswith(self._DATA) and hasattr(obj, "shape"):
            self.modules.add(type(obj).__module__)
            return (tuple, ())  # the data's values say nothing about modules: skip them
        return super().reducer_override(obj)


def _by_reference(obj, module):
    """True if cloudpickle sends ``obj`` as "import it from ``module``" (its own rule), not by value."""
    if not module or module in cloudpickle.list_registry_pickle_by_value() or module not in sys.modules:
        return False
    found = sys.modules[module]
    for part in getattr(obj, "__qualname__", "").split("."):
        found = getattr(found, part, None)
    return found is obj


def modules_needed(obj):
    """Return the modules a worker must import to unpickle ``obj`` (arrays are skipped, not pickled).

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> sorted(m for m in modules_needed([SVC(), len]) if not m.startswith("numpy"))
    ['builtins', 'sklearn.svm._classes']
    """
    scan = _ModuleScan()
    scan.dump(obj)
    return scan.modules
