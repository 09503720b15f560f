"""The explorer's choices (cores, folds, backend, workload, model), checked, and what they build: data, model, times."""

import importlib.util
import math
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import joblib
import numpy as np
from sklearn.model_selection import StratifiedKFold

from ..core.checks import check_choice
from ..core.datasets import load_dataset
from ..core.text import fmt_seconds

__all__ = [
    "CORES",
    "FOLDS",
    "MODELS",
    "WORKLOADS",
    "Settings",
    "backend_choices",
    "estimate_fold_seconds",
    "failing_row",
    "load_workload",
    "make_estimator",
    "timed_fold_seconds",
    "workload_label",
]

#: n_jobs choices: 1 (the plain serial loop) to 4 workers, and -1 (one per core).
CORES = (1, 2, 3, 4, -1)

#: Smallest and largest number of folds.
FOLDS = (2, 20)

#: Workload name -> (dataset, synthetic size or None, name). Sizes are cvkit.WORKLOADS'. The labels the panel
#: shows add the time one SVC fold takes on this machine (:func:`workload_label`).
WORKLOADS = {
    "iris": ("iris", None, "iris (150 rows)"),
    "digits": ("digits", None, "digits (1797 rows)"),
    "light": ("synthetic", "light", "synthetic light"),
    "medium": ("synthetic", "medium", "synthetic medium"),
    "heavy": ("synthetic", "heavy", "synthetic heavy"),
    "x-heavy": ("synthetic", "x-heavy", "synthetic x-heavy"),
    "xx-heavy": ("synthetic", "xx-heavy", "synthetic xx-heavy"),
}

#: Model name -> label. Fold times in the workload labels are the SVC's.
MODELS = {
    "SVC": "SVC (rbf)",
    "LogisticRegression": "LogisticRegression (scaled)",
    "RandomForest": "RandomForest (50 trees, n_jobs=1)",
}

# How fold time grows with the training set: an RBF SVC fit is about quadratic in the rows, the others about linear.
_GROWTH = {"SVC": 2.0, "LogisticRegression": 1.0, "RandomForest": 1.0}


def backend_choices():
    """The backends the explorer offers: loky, threading, multiprocessing, and "dask" once cvkit.dask.cluster exists.

    >>> backend_choices()[:3]
    ('loky', 'threading', 'multiprocessing')
    """
    choices = ("loky", "threading", "multiprocessing")
    try:
        has_dask = (
            importlib.util.find_spec("distributed") is not None
            and importlib.util.find_spec("cvkit.dask.cluster") is not None
        )
    except (ImportError, ValueError):
        has_dask = False
    return choices + ("dask",) if has_dask else choices


@dataclass(frozen=True)
class Settings:
    """One run's settings, checked when made: a bad value raises ValueError naming it and what is allowed.

    Attributes
    ----------
    n_jobs : int, one of :data:`CORES`
    folds : int, 2 to 20
    backend : str, one of :func:`backend_choices`
    workload : str, a key of :data:`WORKLOADS`
    model : str, a key of :data:`MODELS`
    fail_fold : int or None
        A fold whose model raises on purpose (to see an error in the panel), or None.

    Examples
    --------
    >>> Settings(n_jobs=2, folds=6).describe()
    '6 folds · n_jobs=2 · loky · heavy · SVC'
    >>> Settings(folds=1)
    Traceback (most recent call last):
    ...
    ValueError: folds=1 is not allowed; allowed: an integer from 2 to 20.
    >>> Settings(n_jobs=0)
    Traceback (most recent call last):
    ...
    ValueError: n_jobs=0 is not allowed; allowed: 1, 2, 3, 4, -1.
    """

    n_jobs: int = 2
    folds: int = 5
    backend: str = "loky"
    workload: str = "heavy"
    model: str = "SVC"
    fail_fold: int | None = None

    def __post_init__(self):
        if isinstance(self.n_jobs, bool) or self.n_jobs not in CORES:
            raise ValueError(f"n_jobs={self.n_jobs!r} is not allowed; allowed: {', '.join(map(str, CORES))}.")
        lo, hi = FOLDS
        if isinstance(self.folds, bool) or not isinstance(self.folds, (int, np.integer)) or not lo <= self.folds <= hi:
            raise ValueError(f"folds={self.folds!r} is not allowed; allowed: an integer from {lo} to {hi}.")
        check_choice("backend", self.backend, backend_choices())
        check_choice("workload", self.workload, tuple(WORKLOADS))
        check_choice("model", self.model, tuple(MODELS))
        if self.fail_fold is not None and (
            isinstance(self.fail_fold, bool)
            or not isinstance(self.fail_fold, (int, np.integer))
            or not 0 <= self.fail_fold < self.folds
        ):
            raise ValueError(
                f"fail_fold={self.fail_fold!r} is not allowed with folds={self.folds}; "
                f"allowed: None or an integer from 0 to {self.folds - 1}."
            )

    def updated(self, **values):
        """These settings with some changed by name, all checked: TypeError names an unknown one.

        >>> Settings(folds=5).updated(folds=8, n_jobs=1).describe()
        '8 folds · n_jobs=1 · loky · heavy · SVC'
        >>> Settings().updated(cores=2)
        Traceback (most recent call last):
        ...
        TypeError: unknown setting(s) cores; allowed: n_jobs, folds, backend, workload, model, fail_fold.
        """
        allowed = tuple(field.name for field in fields(self))
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise TypeError(f"unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}.")
        return replace(self, **values)

    @property
    def n_workers(self):
        """Workers the run will use (-1 resolved to this machine's cores)."""
        return joblib.cpu_count() if self.n_jobs == -1 else self.n_jobs

    def describe(self):
        """One line naming every setting."""
        text = f"{self.folds} folds · n_jobs={self.n_jobs} · {self.backend} · {self.workload} · {self.model}"
        return text + (f" · fold {self.fail_fold} fails" if self.fail_fold is not None else "")

    def cores_note(self):
        """A sentence for the learner when the run asks for more workers than this machine has cores, else ""."""
        cores = joblib.cpu_count()
        if self.n_jobs == -1:
            return f"n_jobs=-1 means one worker per core: {cores} on this machine."
        if self.n_jobs > cores:
            return (
                f"n_jobs={self.n_jobs} is more workers than this machine's {cores} core{'s' if cores > 1 else ''}: "
                f"they take turns on the cores, so each fold runs slower, and the model expects no gain over "
                f"{cores} worker{'s' if cores > 1 else ''}."
            )
        return ""


@lru_cache(maxsize=8)
def load_workload(name):
    """Return ``(X, y)`` for a workload name (cached: the explorer reloads nothing between runs).

    >>> X, y = load_workload("iris")
    >>> X.shape
    (150, 4)
    """
    dataset, size, _ = WORKLOADS[check_choice("workload", name, tuple(WORKLOADS))]
    X, y = load_dataset(dataset, n_samples=size) if size else load_dataset(dataset)
    X.setflags(write=False)  # shared between runs: nobody may change it
    y.setflags(write=False)
    return X, y


def failing_row(X, y, folds, fold):
    """A row of X, tested in ``fold`` of ``StratifiedKFold(folds)``, whose values occur once in X.

    Marking it makes :class:`cvkit.lab.faults.FaultyClassifier` fail in exactly that fold.

    >>> X, y = load_workload("iris")
    >>> row = failing_row(X, y, 5, 1)
    >>> any(row in test for _, test in [list(StratifiedKFold(5).split(X, y))[1]])
    True
    """
    _, test = list(StratifiedKFold(folds).split(X, y))[fold]
    _, first, counts = np.unique(X, axis=0, return_index=True, return_counts=True)
    unique_rows = set(first[counts == 1].tolist())
    for row in test:
        if int(row) in unique_rows:
            return int(row)
    raise ValueError(f"fold {fold} of {folds} has no row that occurs once in X; allowed: a fold with a unique row.")


def make_estimator(settings, X=None, y=None):
    """Build the settings' model (a fresh, unfitted one), wrapped to fail in ``settings.fail_fold`` if asked.

    >>> make_estimator(Settings(model="SVC"))
    SVC()
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    model = {
        "SVC": lambda: SVC(),
        "LogisticRegression": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "RandomForest": lambda: RandomForestClassifier(n_estimators=50, n_jobs=1, random_state=0),
    }[settings.model]()
    if settings.fail_fold is None:
        return model
    from ..lab.faults import FaultyClassifier

    if X is None or y is None:
        X, y = load_workload(settings.workload)
    row = failing_row(X, y, settings.folds, settings.fail_fold)
    return FaultyClassifier(model, marked_rows=X[[row]], fault="raise")


@lru_cache(maxsize=32)
def timed_fold_seconds(workload, model="SVC"):
    """Seconds one fold of ``workload`` with ``model`` takes on this machine (5 folds' training size), timed here.

    SVC on synthetic data: :func:`cvkit.core.datasets.fold_seconds_for` (one cached
    ~0.2 s calibration per process). Anything else: the fastest of up to three
    runs of one fold, in CPU time (:func:`cvkit.core.verdicts.best_time`), so a busy
    core does not inflate it. Cached per process.

    >>> 0 < timed_fold_seconds("iris") < 1
    True
    """
    from sklearn.metrics import f1_score

    from .. import WORKLOADS as ROWS
    from ..core.datasets import fold_seconds_for
    from ..core.verdicts import best_time

    check_choice("workload", workload, tuple(WORKLOADS))
    check_choice("model", model, tuple(MODELS))
    dataset, size, _ = WORKLOADS[workload]
    if model == "SVC" and dataset == "synthetic":
        return float(fold_seconds_for(ROWS[size]))
    X, y = load_workload(workload)
    train, test = next(StratifiedKFold(5).split(X, y))
    estimator = make_estimator(Settings(model=model, workload=workload))

    def one_fold():
        fitted = estimator.fit(X[train], y[train])
        f1_score(y[test], fitted.predict(X[test]), average="weighted")

    seconds, _ = best_time(one_fold, repeats=3, budget=1.0, cpu=True)
    return float(seconds)


def workload_label(workload):
    """The workload's name and how long one SVC fold of it takes on this machine (timed: :func:`timed_fold_seconds`).

    >>> workload_label("iris").startswith("iris (150 rows) · SVC fold ~")
    True
    """
    return f"{WORKLOADS[workload][2]} · SVC fold ~{fmt_seconds(timed_fold_seconds(workload, 'SVC'))} here"


def estimate_fold_seconds(settings, measured=None):
    """Seconds one fold of these settings should take on a free core of this machine, and where the figure comes from.

    Parameters
    ----------
    settings : Settings
    measured : tuple (seconds, folds), optional
        The median fold time of an earlier run of the same workload and model
        on this machine, and its number of folds. Preferred over the timing.

    Returns
    -------
    (float, str)
        The estimate, and "measured" (an earlier run) or "timed" (a quick timing
        of one fold here, :func:`timed_fold_seconds`). A run with another number
        of folds is scaled by its training-set size ((k - 1) / k of the rows).

    Examples
    --------
    >>> round(estimate_fold_seconds(Settings(workload="heavy", folds=10), measured=(0.5, 5))[0], 3)
    0.633
    >>> estimate_fold_seconds(Settings(workload="iris"))[1]
    'timed'
    """
    if measured is not None:
        seconds, folds, source = float(measured[0]), int(measured[1]), "measured"
    else:
        seconds, folds, source = timed_fold_seconds(settings.workload, settings.model), 5, "timed"
    ratio = ((settings.folds - 1) / settings.folds) / ((folds - 1) / folds)
    seconds *= ratio ** _GROWTH[settings.model]
    return (round(seconds, 6) if math.isfinite(seconds) else 0.0), source
