"""Datasets by name: four small real ones from scikit-learn and a synthetic one whose size sets the fold time.

The same number of rows makes folds of very different lengths on different
machines (one ``SVC()`` fold of 6000 rows: ~0.45 s on one 2-core VM, ~1.8 s on
another). Where a lesson needs folds of a given *length*, it asks for that
length (``load_dataset("synthetic", fold_seconds=0.5)``): :func:`machine_speed`
times one small fold here, and :func:`samples_for` picks the rows that make
folds of about that length on this machine.
"""

import functools
import math

import numpy as np
from sklearn import datasets as _sk

from .checks import check_choice, check_positive_int

__all__ = ["DATASET_NAMES", "WORKLOADS", "fold_seconds_for", "load_dataset", "machine_speed", "samples_for"]

_REAL = {
    "iris": _sk.load_iris,
    "wine": _sk.load_wine,
    "breast_cancer": _sk.load_breast_cancer,
    "digits": _sk.load_digits,
}

#: Names accepted by :func:`load_dataset`.
DATASET_NAMES = (*_REAL, "synthetic")

#: Synthetic sizes by the time one ``SVC()`` fold takes on one core (5 folds, measured on a 2-core machine).
WORKLOADS = {
    "tiny": 200,  # ~2 ms per fold
    "light": 1000,  # ~20 ms per fold
    "medium": 3000,  # ~0.12 s per fold
    "heavy": 6000,  # ~0.45 s per fold
    "x-heavy": 9000,  # ~1 s per fold
    "xx-heavy": 12000,  # ~2 s per fold
}


#: One ``SVC()`` fold (fit, predict, weighted f1; 5 stratified folds) on the synthetic data, by rows: CPU seconds,
#: fastest of 2-3 runs, on the kit's reference machine (2-core AMD EPYC VM, 2026-12-01). Only the curve's *shape*
#: is used: :func:`machine_speed` scales it to this machine.
REFERENCE_FOLD_SECONDS = (
    (200, 0.0038), (500, 0.0088), (1000, 0.0255), (1500, 0.0455), (2000, 0.0746),
    (3000, 0.154), (4500, 0.346), (6000, 0.589), (9000, 1.289), (12000, 2.054),
)  # fmt: skip

#: Rows of the fold :func:`machine_speed` times (~45 ms on the reference machine).
CALIBRATION_ROWS = 1500


@functools.lru_cache(maxsize=1)
def machine_speed():
    """How much longer an SVC fold takes here than on the reference machine (2.0: twice as long).

    Times one fold of :data:`CALIBRATION_ROWS` synthetic rows (the fastest of
    three runs, in CPU time, so another program sharing the core does not
    count) once per process; later calls return the cached factor.

    >>> 0.05 < machine_speed() < 20
    True
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import SVC

    from .verdicts import best_time

    X, y = load_dataset("synthetic", n_samples=CALIBRATION_ROWS)
    train, test = next(StratifiedKFold(5).split(X, y))

    def one_fold():
        model = SVC().fit(X[train], y[train])
        f1_score(y[test], model.predict(X[test]), average="weighted")

    seconds, _ = best_time(one_fold, repeats=3, cpu=True)
    return seconds / float(np.interp(CALIBRATION_ROWS, *zip(*REFERENCE_FOLD_SECONDS)))


def _log_curve():
    rows, seconds = zip(*REFERENCE_FOLD_SECONDS)
    return np.log(rows), np.log(seconds)


def _extrapolate(x, xs, ys):
    """Piecewise-linear in log-log, continued with the end segments' slopes."""
    if x <= xs[0]:
        return ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0])
    if x >= xs[-1]:
        return ys[-1] + (x - xs[-1]) * (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
    return float(np.interp(x, xs, ys))


def fold_seconds_for(n_samples, speed=None):
    """Expected seconds of one ``SVC()`` fold on ``n_samples`` synthetic rows, on this machine.

    Parameters
    ----------
    n_samples : int >= 20
    speed : float, optional
        This machine's :func:`machine_speed` (timed once when not given).

    >>> round(fold_seconds_for(6000, speed=1.0), 3), round(fold_seconds_for(6000, speed=3.0), 3)
    (0.589, 1.767)
    """
    n = check_positive_int("n_samples", n_samples, minimum=20)
    speed = machine_speed() if speed is None else speed
    xs, ys = _log_curve()
    return speed * math.exp(_extrapolate(math.log(n), xs, ys))


def samples_for(fold_seconds, speed=None):
    """Rows of synthetic data whose ``SVC()`` folds take about ``fold_seconds`` on this machine (rounded to 100).

    Parameters
    ----------
    fold_seconds : float, from 0.002 to 30
    speed : float, optional
        This machine's :func:`machine_speed` (timed once when not given).

    Examples
    --------
    >>> samples_for(0.589, speed=1.0), samples_for(0.589, speed=3.0)
    (6000, 3400)
    >>> samples_for(0)
    Traceback (most recent call last):
    ...
    ValueError: fold_seconds=0 is not allowed; allowed: seconds from 0.002 to 30.
    """
    if isinstance(fold_seconds, bool) or not isinstance(fold_seconds, (int, float)) or not 0.002 <= fold_seconds <= 30:
        raise ValueError(f"fold_seconds={fold_seconds!r} is not allowed; allowed: seconds from 0.002 to 30.")
    speed = machine_speed() if speed is None else speed
    xs, ys = _log_curve()
    target = math.log(fold_seconds / speed)
    if target <= ys[0]:
        log_rows = xs[0] + (target - ys[0]) * (xs[1] - xs[0]) / (ys[1] - ys[0])
    elif target >= ys[-1]:
        log_rows = xs[-1] + (target - ys[-1]) * (xs[-1] - xs[-2]) / (ys[-1] - ys[-2])
    else:
        log_rows = float(np.interp(target, ys, xs))
    return max(100, round(math.exp(log_rows) / 100.0) * 100)


def load_dataset(name, *, n_samples=None, fold_seconds=None, n_features=40, n_classes=3, random_state=0):
    """Return ``(X, y)`` of a dataset given by name.

    Parameters
    ----------
    name : {"iris", "wine", "breast_cancer", "digits", "synthetic"}
        The four real sets are scikit-learn's bundled copies (no download).
        ``"synthetic"`` is ``sklearn.datasets.make_classification``.
    n_samples : int or str, optional
        Synthetic only: the number of rows, or a workload name from
        :data:`WORKLOADS` ("tiny" ... "x-heavy"); default "heavy".
        The fit time of an SVC grows faster than linearly with it, so this is
        the knob that makes a fold last ~1 ms or ~1 s. The same rows give the
        same data (and scores) on every machine.
    fold_seconds : float, optional
        Synthetic only, instead of ``n_samples``: rows chosen so that one
        ``SVC()`` fold takes about this long *on this machine*
        (:func:`samples_for`). Use it where a lesson needs folds of a given
        length; the rows, and so the scores, differ from machine to machine.
    n_features, n_classes, random_state : int
        Synthetic only. The same arguments always give the same data.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> X, y = load_dataset("iris")
    >>> X.shape, sorted(set(y.tolist()))
    ((150, 4), [0, 1, 2])
    >>> X, y = load_dataset("synthetic", n_samples="tiny")
    >>> X.shape
    (200, 40)
    >>> X, y = load_dataset("synthetic", fold_seconds=0.05)
    >>> 100 <= X.shape[0] <= 20_000
    True
    >>> load_dataset("mnist")
    Traceback (most recent call last):
    ...
    ValueError: name='mnist' is not allowed; allowed: 'iris', 'wine', 'breast_cancer', 'digits', 'synthetic'.
    """
    check_choice("name", name, DATASET_NAMES)
    if name in _REAL:
        for arg, value in (("n_samples", n_samples), ("fold_seconds", fold_seconds)):
            if value is not None:
                raise ValueError(f"{arg}={value!r} was given for {name!r}; allowed: {arg} only with 'synthetic'.")
        return _REAL[name](return_X_y=True)
    if fold_seconds is not None:
        if n_samples is not None:
            raise ValueError(
                f"n_samples={n_samples!r} and fold_seconds={fold_seconds!r} were both given; allowed: one of them."
            )
        n_samples = samples_for(fold_seconds)
    if n_samples is None:
        n_samples = "heavy"
    if isinstance(n_samples, str):
        n_samples = WORKLOADS[check_choice("n_samples", n_samples, tuple(WORKLOADS))]
    n_samples = check_positive_int("n_samples", n_samples, minimum=20)
    n_features = check_positive_int("n_features", n_features, minimum=4)
    n_classes = check_positive_int("n_classes", n_classes, minimum=2)
    return _sk.make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=min(n_features, 10),
        n_redundant=min(max(n_features - 10, 0), 10),
        n_classes=n_classes,
        class_sep=0.8,
        flip_y=0.05,
        random_state=random_state,
    )
