"""Where tasks ran, relative to this process: in its main thread, in its threads, or in other processes.

:func:`where_ran` says it in words from ``(pid, thread_id)`` pairs; :class:`RecordWorker` wraps an estimator
handed to library code (``cross_validate``) and records which process and thread fitted it.
"""

import os
import threading

from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metaestimators import available_if

from ..core.trace import worker_identity

__all__ = ["RecordWorker", "pid_and_thread", "where_ran"]


def pid_and_thread():
    """``(pid, native thread id)`` of the calling code (:func:`cvkit.core.trace.worker_identity` without the names).

    >>> pid_and_thread() == (os.getpid(), threading.get_native_id())
    True
    """
    return worker_identity()[1:3]


def where_ran(workers):
    """Say in plain words where tasks ran, relative to this process.

    Parameters
    ----------
    workers : iterable of TaskTrace, or of ``(pid, thread_id)`` pairs
        E.g. ``result.traces`` of a :func:`cvkit.run_folds` run, or the
        ``worker_`` of each :class:`RecordWorker` fitted by ``cross_validate``.

    Returns
    -------
    str
        One of "in this process, in its main thread", "in threads of this
        process", "in other processes (workers)", "in this process and in other
        processes". No counts: how many workers a short run reaches varies.

    Examples
    --------
    >>> where_ran([(os.getpid(), threading.main_thread().native_id)])
    'in this process, in its main thread'
    >>> where_ran([(os.getpid(), 1), (os.getpid(), 2)])
    'in threads of this process'
    >>> where_ran([(1, 1)])
    'in other processes (workers)'
    >>> where_ran([])
    Traceback (most recent call last):
    ...
    ValueError: workers=[] is not allowed; allowed: at least one TaskTrace or (pid, thread_id) pair.
    """
    pairs = [(w.pid, w.thread_id) if hasattr(w, "pid") else tuple(w) for w in workers]
    if not pairs:
        raise ValueError(f"workers={pairs!r} is not allowed; allowed: at least one TaskTrace or (pid, thread_id) pair.")
    here = os.getpid()
    mine = [tid for pid, tid in pairs if pid == here]
    if len(mine) == len(pairs):
        if set(mine) == {threading.main_thread().native_id}:
            return "in this process, in its main thread"
        return "in threads of this process"
    return "in other processes (workers)" if not mine else "in this process and in other processes"


class RecordWorker(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """A classifier that records which process and thread fitted it, in ``worker_``.

    Wrap the estimator you hand to library code that runs joblib inside (such
    as ``cross_validate(..., return_estimator=True)``) to see where its tasks
    ran. Predictions are the wrapped estimator's.

    Parameters
    ----------
    estimator : classifier
        Cloned and fitted by :meth:`fit`.

    Attributes
    ----------
    worker_ : tuple (pid, thread_id)
    estimator_ : the fitted clone
    classes_ : ndarray

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> model = RecordWorker(SVC()).fit(X, y)
    >>> model.worker_ == (os.getpid(), threading.get_native_id()), round(model.score(X, y), 3)
    (True, 0.973)
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y, **fit_params):
        """Record who runs this call, then fit a clone of ``estimator``."""
        self.worker_ = pid_and_thread()
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        """Predictions of the fitted clone."""
        return self.estimator_.predict(X)

    @available_if(lambda self: hasattr(self.estimator, "predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the fitted clone."""
        return self.estimator_.predict_proba(X)

    @available_if(lambda self: hasattr(self.estimator, "decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted clone."""
        return self.estimator_.decision_function(X)
