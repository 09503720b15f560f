"""The one input-preparation step of every entry point that takes data (run_folds, will_parallel_pay, the explorer).

:func:`prepare_inputs` turns ``estimator, X, y, cv, scoring, groups`` into what
the folds need (X whose rows can be taken, y, the splits, the scorer) and
refuses, before any fold is dispatched, every input that would make *every*
fold fail for the same reason. Each refusal is one sentence in the style of
:mod:`cvkit.core.checks`: what was given, then "allowed: ..." and what is.
An input that only some folds may fail on (a fold whose training rows hold a
single class, say) is not refused: it stays a fold-level failure.

The checks ask scikit-learn's own public helpers wherever one exists
(``sklearn.utils.multiclass.type_of_target``, ``scipy.sparse.issparse``,
``sklearn.utils.get_tags``, ``sklearn.model_selection.check_cv``,
``sklearn.metrics.check_scoring``).
"""

from collections import namedtuple

import numpy as np

from .. import checks
from .estimator import accepts_nan, check_estimator, first_step, input_tags
from .features import as_rows, check_X_values
from .labels import as_labels, check_labels
from .scoring import check_scoring
from .splits import split

__all__ = [
    "Prepared",
    "accepts_nan",
    "check_X_values",
    "check_estimator",
    "check_labels",
    "check_scoring",
    "first_step",
    "prepare_inputs",
    "split",
]

#: What :func:`prepare_inputs` returns.
Prepared = namedtuple("Prepared", "X y splitter splits scorer scoring_name labels")


def prepare_inputs(estimator, X, y, *, cv=5, scoring="f1_weighted", groups=None):
    """Check ``estimator, X, y, cv, scoring, groups`` and split the data; nothing runs a fold.

    Parameters
    ----------
    estimator : scikit-learn classifier
    X : array-like, sparse matrix or pandas DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels: numbers or strings.
    cv : int, splitter or iterable of (train, test), default 5
        An int means ``StratifiedKFold(cv)`` for a classifier, as in scikit-learn.
    scoring : str, callable or None, default "f1_weighted"
    groups : array-like of shape (n_samples,), optional

    Returns
    -------
    Prepared
        ``(X, y, splitter, splits, scorer, scoring_name, labels)``: X as an
        array, a CSR matrix or the DataFrame given; y as an array (or the
        Series given); the splits as a list of (train, test) index arrays;
        labels = the sorted classes (the confusion matrices' order).

    Raises
    ------
    ValueError, TypeError
        One sentence naming what was given and what is allowed.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> X, y = np.arange(40.0).reshape(20, 2), np.array([0, 1] * 10)
    >>> p = prepare_inputs(SVC(), X, y, cv=4)
    >>> len(p.splits), p.scoring_name, p.labels.tolist()
    (4, 'f1_weighted', [0, 1])
    >>> prepare_inputs(SVC(), X[:, 0], y)
    Traceback (most recent call last):
    ...
    ValueError: X has shape (20,), one value per row; allowed: a 2-d array of shape (n_samples, n_features), e.g. X.reshape(-1, 1) for a single feature.
    >>> X[2, 0] = np.inf
    >>> prepare_inputs(SVC(), X, y)
    Traceback (most recent call last):
    ...
    ValueError: X contains 1 infinite value(s) (first at row 2, column 0); the estimator does not accept infinity. Allowed: finite values (e.g. set them to NaN and use make_pipeline(SimpleImputer(), SVC())).
    """
    check_estimator(estimator)
    X = as_rows(X, input_tags(first_step(estimator)))
    y = as_labels(y)
    check_labels(y)
    checks.check_X_y(X, y, allow_nan=True)  # y's shape, the lengths, NaN labels, a single class
    check_X_values(estimator, X)
    scorer, scoring_name = check_scoring(estimator, scoring, y)
    splitter, splits = split(estimator, X, y, cv, groups)
    return Prepared(X, y, splitter, splits, scorer, scoring_name, np.unique(np.asarray(y)))
