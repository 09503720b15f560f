"""Classifiers that fail on purpose in chosen folds — raise, kill their worker or hang — to show what survives."""

import os
import time

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from ..core.checks import check_choice

__all__ = ["FAULTS", "FaultyClassifier"]

#: What :class:`FaultyClassifier` can do in a chosen fold.
FAULTS = ("raise", "exit", "sleep")


class FaultyClassifier(ClassifierMixin, BaseEstimator):
    """Wrap a classifier so that it fails in the folds whose test set holds a marked row.

    Test folds partition the rows, so marking row ``r`` (its values are
    ``X[r]``) picks exactly the fold that tests ``r``: its training set lacks
    the row, and that is how ``fit`` knows which fold it is in.

    Parameters
    ----------
    estimator : classifier
        What to fit when no fault fires.
    marked_rows : array-like of shape (n_marked, n_features)
        Rows of X (their values, e.g. ``X[[7, 80]]``); the fold that tests any
        of them fails. Pick rows that occur once in X.
    fault : {"raise", "exit", "sleep"}
        "raise": ``fit`` raises ValueError. "exit": the worker process ends at
        once (``os._exit(1)``), as a crash would; refused in the process that
        created the classifier (the notebook's own kernel), where it raises
        instead. "sleep": ``fit`` sleeps ``seconds`` first, then fits normally
        (for timeouts and Stop).
    seconds : float
        Sleep length for ``fault="sleep"``.
    home_pid : int, optional
        The process that must never be killed (default: the one creating it).

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset, run_folds
    >>> X, y = load_dataset("iris")
    >>> result = run_folds(FaultyClassifier(SVC(), marked_rows=X[[0]]), X, y, cv=5)  # doctest: +SKIP
    >>> [f.status for f in result.folds]  # doctest: +SKIP
    ['failed', 'done', 'done', 'done', 'done']
    """

    def __init__(self, estimator, marked_rows, fault="raise", seconds=5.0, home_pid=None):
        self.estimator = estimator
        self.marked_rows = marked_rows
        self.fault = fault
        self.seconds = seconds
        self.home_pid = os.getpid() if home_pid is None else home_pid

    def _fault_fires(self, X):
        rows = np.atleast_2d(np.asarray(self.marked_rows, dtype=float))
        X = np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=float)
        present = [(row == X).all(axis=1).any() for row in rows]
        return not all(present)

    def fit(self, X, y):
        check_choice("fault", self.fault, FAULTS)
        if self._fault_fires(X):
            if self.fault == "raise":
                raise ValueError("this fold fails on purpose (FaultyClassifier)")
            if self.fault == "exit":
                if os.getpid() == self.home_pid:
                    raise RuntimeError(
                        "FaultyClassifier(fault='exit') refuses to end the process that created it "
                        "(the notebook's kernel); run it with a process backend (loky, multiprocessing)"
                    )
                os._exit(1)
            time.sleep(self.seconds)
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X)
