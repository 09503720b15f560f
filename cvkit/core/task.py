"""The task every worker runs: fit one fold's clone on its training rows, score it on its test rows, trace it.

:func:`fit_and_score_fold` is the function ``run_folds`` hands to
``joblib.delayed``, as scikit-learn's ``cross_validate`` hands it
``_fit_and_score``. It never raises for an error in the estimator: the fold
comes back "failed", so one bad fold cannot take the others down.
"""

import time

from sklearn.metrics import confusion_matrix

from . import checks
from .results import FoldResult
from .text import first_line
from .trace import TaskTrace, now, worker_identity

__all__ = ["fit_and_score_fold"]


def _take(data, index):
    """Rows ``index`` of an array, a sparse matrix or a pandas object."""
    return data.iloc[index] if checks.is_pandas(data) else data[index]


class _PredictedOnce:
    """A fitted estimator as seen by the scorer, answering ``predict(X_test)`` from predictions already made.

    The fold needs the test predictions twice (score and confusion matrix);
    predicting once keeps a fold as fast as in ``cross_validate``. Everything
    else (``predict_proba``, ``classes_``, tags) is the real estimator's.
    """

    def __init__(self, estimator, X, y_pred):
        self._estimator, self._X, self._y_pred = estimator, X, y_pred

    def predict(self, X):
        return self._y_pred if X is self._X else self._estimator.predict(X)

    def __getattr__(self, name):
        return getattr(self._estimator, name)


def fit_and_score_fold(estimator, X, y, train, test, fold, scorer, labels, events=None):
    """Fit ``estimator`` on one fold's training rows and score it on its test rows.

    This is the task every worker runs. It never raises for an error in the
    estimator: the fold comes back with status "failed", the error's type and
    first line, and a NaN score, so one bad fold cannot take the others down.

    Parameters
    ----------
    estimator : unfitted classifier
        Fitted in place: pass a fresh ``sklearn.base.clone`` per fold.
    X, y : data; train, test : index arrays; fold : int
    scorer : callable ``scorer(estimator, X, y)``
    labels : array, the confusion matrix's row/column order
    events : object with ``send(kind, **payload)`` or None
        Where to announce "start" and "end" while the fold runs.

    Returns
    -------
    FoldResult
        Its trace holds absolute clock times; :func:`cvkit.runner.run_folds` makes them
        relative to the run's start.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> from sklearn.metrics import get_scorer
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> train, test = np.arange(0, 150, 2), np.arange(1, 150, 2)
    >>> r = fit_and_score_fold(SVC(), X, y, train, test, 0, get_scorer("f1_weighted"), np.unique(y))
    >>> r.status, round(r.score, 3), int(r.confusion_matrix.sum())
    ('done', 0.933, 75)
    """
    host, pid, thread_id, thread_name = worker_identity()
    start = now()
    if events is not None:
        events.send("start", fold=fold, host=host, pid=pid, thread_id=thread_id, thread_name=thread_name, time=start)
    result = FoldResult(fold=fold, n_train=len(train), n_test=len(test))
    try:
        X_train, y_train, X_test, y_test = _take(X, train), _take(y, train), _take(X, test), _take(y, test)
        t = time.perf_counter()
        estimator.fit(X_train, y_train)
        result.fit_time = time.perf_counter() - t
        t = time.perf_counter()
        y_pred = estimator.predict(X_test)
        result.score = float(scorer(_PredictedOnce(estimator, X_test, y_pred), X_test, y_test))
        result.score_time = time.perf_counter() - t
        result.confusion_matrix = confusion_matrix(y_test, y_pred, labels=labels)
    except Exception as exc:
        result.status, result.score = "failed", float("nan")
        result.error_type = type(exc).__name__
        result.error_message = first_line(exc)
    result.trace = TaskTrace(fold, host, pid, thread_id, thread_name, start, now())
    if events is not None:
        events.send("end", result=result)
    return result
