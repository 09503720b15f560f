"""cvkit: watch cross-validation folds run in parallel with joblib — trace, model, plot and explore them."""

import importlib
import pkgutil

__version__ = "0.1.0"

#: Public names and the submodule that defines each; loaded on first use, so ``import cvkit`` stays light
#: (a lesson or an exercise check that needs only ``cvkit.schedule`` does not pay for importing scikit-learn).
_LAZY_ATTRIBUTES = {
    "available_backends": "backends",
    "resolve_n_jobs": "backends",
    "DATASET_NAMES": "datasets",
    "WORKLOADS": "datasets",
    "load_dataset": "datasets",
    "CVResult": "results",
    "FoldResult": "results",
    "FoldFailedError": "runner",
    "FoldTimeoutError": "runner",
    "RunError": "runner",
    "RunInterrupted": "runner",
    "WorkerDiedError": "runner",
    "fit_and_score_fold": "runner",
    "run_folds": "runner",
    "TaskTrace": "trace",
}

#: Submodules loaded on first use (``cvkit.plots``, ...): every public module and subpackage of cvkit.
_LAZY_SUBMODULES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))

__all__ = sorted(_LAZY_ATTRIBUTES, key=str.lower)


def __getattr__(name):
    if name in _LAZY_ATTRIBUTES:
        value = getattr(importlib.import_module(f".{_LAZY_ATTRIBUTES[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'cvkit' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY_ATTRIBUTES, *_LAZY_SUBMODULES})
