"""cvkit: watch cross-validation folds run in parallel with joblib — trace, model, plot and explore them.

The package is in layers (see ARCHITECTURE.md); data flows one way, up this list:

- :mod:`cvkit.compat`: every private detail of joblib, loky, distributed and scikit-learn, in one place;
- :mod:`cvkit.core`: data, argument checks, the fold task, results and traces, timings and verdicts;
- :mod:`cvkit.robust` and :mod:`cvkit.dask`: the runtime (fault-tolerant rounds, watchdog, Dask);
- :mod:`cvkit.runner` (``run_folds``: its plain path is one ``Parallel(...)(delayed(...) ...)``) and
  :mod:`cvkit.backends`;
- :mod:`cvkit.model`: the schedule model, pure (who runs which fold, when; bounds);
- :mod:`cvkit.lab`: the instruments the lessons measure with;
- :mod:`cvkit.plots`, :mod:`cvkit.widgets`, :mod:`cvkit.exercises`.
"""

import importlib
import pkgutil

__version__ = "0.1.0"

#: Public names and the submodule that defines each; loaded on first use, so ``import cvkit`` stays light
#: (a lesson or an exercise check that needs only ``cvkit.model`` does not pay for importing scikit-learn).
_LAZY_ATTRIBUTES = {
    "available_backends": "backends",
    "resolve_n_jobs": "backends",
    "DATASET_NAMES": "core.datasets",
    "WORKLOADS": "core.datasets",
    "load_dataset": "core.datasets",
    "CVResult": "core.results",
    "FoldResult": "core.results",
    "FoldFailedError": "runner",
    "FoldTimeoutError": "runner",
    "RunError": "runner",
    "RunInterrupted": "runner",
    "WorkerDiedError": "runner",
    "fit_and_score_fold": "core.task",
    "run_folds": "runner",
    "TaskTrace": "core.trace",
}


def lazy_package(name, path, attributes=None):
    """Return ``(__getattr__, __dir__, submodules)`` for a package whose submodules and names load on first use.

    ``import cvkit`` then reaches every public submodule (``cvkit.lab.worker_memory``)
    without importing any of them up front.

    Parameters
    ----------
    name : str
        The package's ``__name__``.
    path : list of str
        The package's ``__path__``.
    attributes : dict, optional
        ``{public name: submodule relative to the package}``.

    Examples
    --------
    >>> import cvkit
    >>> "worker_memory" in dir(cvkit.lab), cvkit.lab.worker_memory.__name__
    (True, 'cvkit.lab.worker_memory')
    """
    attributes = dict(attributes or {})
    submodules = tuple(sorted(m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_")))

    def __getattr__(attr):
        if attr in attributes:
            value = getattr(importlib.import_module(f".{attributes[attr]}", name), attr)
            setattr(importlib.import_module(name), attr, value)  # later lookups skip this function
            return value
        if attr in submodules:
            return importlib.import_module(f".{attr}", name)
        raise AttributeError(f"module {name!r} has no attribute {attr!r}")

    def __dir__():
        return sorted({*vars(importlib.import_module(name)), *attributes, *submodules})

    return __getattr__, __dir__, submodules


__getattr__, __dir__, _LAZY_SUBMODULES = lazy_package(__name__, __path__, _LAZY_ATTRIBUTES)
__all__ = sorted(_LAZY_ATTRIBUTES, key=str.lower)
