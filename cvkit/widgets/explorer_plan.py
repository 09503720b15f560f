"""The numbers behind the explorer's pictures: a fold's predicted time, the predicted schedule, the charts' time span.

Plain functions of the settings and of finished runs; the panel (:mod:`cvkit.widgets.explorer`) only shows them.

Examples
--------
>>> from cvkit.widgets.settings import Settings
>>> seconds, source, share = estimate_with_sharing(Settings(n_jobs=4, folds=5), measured=(0.5, 5), cores=2)
>>> round(seconds, 3), source, share
(0.5, 'measured', 2.0)
>>> predicted_schedule(Settings(n_jobs=2, folds=4, backend="threading"), 0.5).makespan
1.0
"""

import statistics

from ..model.replay import predict_schedule
from .settings import estimate_fold_seconds
from .svg import fit_span

__all__ = ["chart_span", "estimate_with_sharing", "fold_time_to_keep", "predicted_schedule"]


def estimate_with_sharing(settings, measured=None, *, cores):
    """A fold's seconds on a free core, where the figure comes from, and how much slower workers sharing cores run.

    Parameters
    ----------
    settings : cvkit.widgets.settings.Settings
    measured : tuple (seconds, folds), optional
        The median fold time of an earlier run of the same workload and model (see
        :func:`cvkit.widgets.settings.estimate_fold_seconds`).
    cores : int
        This machine's cores.

    Returns
    -------
    (float, str, float)
        The seconds, "measured" or "timed", and the slow-down when more workers than
        cores take turns (``workers / cores``, at least 1; 1 for a serial run).

    Examples
    --------
    >>> from cvkit.widgets.settings import Settings
    >>> estimate_with_sharing(Settings(n_jobs=1, folds=5), measured=(0.5, 5), cores=1)
    (0.5, 'measured', 1.0)
    """
    seconds, source = estimate_fold_seconds(settings, measured)
    share = max(1.0, settings.n_workers / cores) if settings.n_jobs != 1 else 1.0
    return seconds, source, share


def predicted_schedule(settings, fold_seconds):
    """The schedule joblib's queue gives ``settings.folds`` equal folds of ``fold_seconds`` on the settings' workers.

    The threading backend sends one fold at a time; the others batch as joblib's ``"auto"`` does
    (:func:`cvkit.model.replay.predict_schedule`).

    Examples
    --------
    >>> from cvkit.widgets.settings import Settings
    >>> predicted_schedule(Settings(n_jobs=2, folds=5), 1.0).makespan
    3.0
    """
    return predict_schedule(
        [fold_seconds] * settings.folds,
        settings.n_workers,
        batch_size=1 if settings.backend == "threading" else "auto",
    )


def chart_span(predicted, snapshot=None):
    """Seconds both time axes cover: the prediction's end, "now" and every bar of ``snapshot``, rounded up a little.

    Examples
    --------
    >>> from cvkit.widgets.settings import Settings
    >>> chart_span(predicted_schedule(Settings(n_jobs=2, folds=5), 1.0))
    3.5
    """
    end = predicted.makespan
    if snapshot is not None:
        end = max([end, snapshot.now, *(bar.end for bar in snapshot.bars)])
    return fit_span(max(end, 1e-3))


def fold_time_to_keep(settings, result, *, clean, cores):
    """``(median fold seconds, folds)`` of a run, to predict the next ones from; None if the run cannot tell.

    A run whose workers outnumber the cores is not a fold time (folds sharing cores
    run slower), nor a run where workers died (``clean=False``), nor one with no traced fold.

    Examples
    --------
    >>> from cvkit import load_dataset, run_folds
    >>> from cvkit.widgets.settings import Settings
    >>> from sklearn.svm import SVC
    >>> X, y = load_dataset("iris")
    >>> result = run_folds(SVC(), X, y, cv=3)
    >>> seconds, folds = fold_time_to_keep(Settings(n_jobs=1, folds=3), result, clean=True, cores=1)
    >>> seconds > 0, folds
    (True, 3)
    >>> fold_time_to_keep(Settings(n_jobs=4, folds=3), result, clean=True, cores=2) is None
    True
    """
    durations = [fold.trace.duration for fold in result.finished if fold.trace is not None]
    if not durations or not clean or settings.n_workers > cores:
        return None
    return statistics.median(durations), settings.folds
