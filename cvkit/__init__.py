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

from ._lazy import lazy_package as _lazy_package

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


__getattr__, __dir__, _LAZY_SUBMODULES = _lazy_package(__name__, __path__, _LAZY_ATTRIBUTES)
__all__ = sorted(_LAZY_ATTRIBUTES, key=str.lower)
