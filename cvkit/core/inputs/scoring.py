"""The scoring: one scorer, that the estimator can feed and that can score y's classes."""

import warnings

import numpy as np

from ...compat import scorer_response_methods
from .. import checks
from ..text import first_line

__all__ = ["check_scoring"]


def _echo(y, labels):
    """A fitted-looking classifier that predicts y itself: what a scorer sees from a perfect fold."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class PerfectClassifier(ClassifierMixin, BaseEstimator):
        def __init__(self):
            self.classes_ = labels

        def predict(self, X):
            return y

        def predict_proba(self, X):
            return (np.asarray(y)[:, None] == labels[None, :]).astype(float)

        def decision_function(self, X):
            scores = self.predict_proba(X)
            return scores[:, 1] * 2 - 1 if len(labels) == 2 else scores

    return PerfectClassifier()


def check_scoring(estimator, scoring, y):
    """Return ``(scorer, scoring_name)``; refuse a scoring that no fold could compute.

    Refused: a name scikit-learn does not know, several scorers at once, a
    scorer that needs a method the estimator lacks (``predict_proba`` of an
    ``SVC()``), and a scorer that cannot score y's labels even for a perfect
    prediction (binary ``'f1'`` on three classes, or on labels without 1).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> check_scoring(SVC(), "accuracy", np.array([0, 1]))[1]
    'accuracy'
    >>> check_scoring(SVC(), "f1", np.array([0, 1, 2]))
    Traceback (most recent call last):
    ...
    ValueError: scoring='f1' cannot score y's classes [0, 1, 2] (Target is multiclass but average='binary'. Please choose another average setting, one of [None, 'micro', 'macro', 'weighted'].); allowed: a scorer for these classes, e.g. 'f1_weighted' or 'accuracy'.
    """
    from sklearn import metrics

    if isinstance(scoring, (list, tuple, set, dict)):
        raise ValueError(
            f"scoring={scoring!r} is not allowed; allowed: one scorer (a name such as 'f1_weighted', "
            "or a callable scorer(estimator, X, y)), since each fold keeps one score."
        )
    if isinstance(scoring, str) and scoring not in metrics.get_scorer_names():
        raise ValueError(
            f"scoring={scoring!r} is not allowed; allowed: a scikit-learn scorer name "
            "(sklearn.metrics.get_scorer_names(), e.g. 'f1_weighted' or 'accuracy') or a callable "
            "scorer(estimator, X, y)."
        )
    if scoring is not None and not isinstance(scoring, str) and not callable(scoring):
        raise TypeError(
            f"scoring={scoring!r} is not allowed; allowed: a scikit-learn scorer name, a callable "
            "scorer(estimator, X, y), or None (the estimator's own score method)."
        )
    scorer = metrics.check_scoring(estimator, scoring=scoring)
    name = scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "score")
    methods = scorer_response_methods(scorer)
    if methods and "predict" not in methods and not any(_has(estimator, m) for m in methods):
        wanted = " or ".join(methods)
        raise ValueError(
            f"scoring={scoring!r} needs {wanted}, which estimator={estimator!r} does not have; allowed: a scorer "
            f"that uses predict (e.g. 'f1_weighted' or 'accuracy'), or an estimator with {wanted}."
        )
    if methods:
        labels = np.unique(np.asarray(y))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scorer(_echo(np.asarray(y), labels), None, y)
        except (ValueError, TypeError) as exc:
            first = first_line(exc)
            shown = [checks.plain_value(v) for v in labels[:5]] + (["..."] if len(labels) > 5 else [])
            raise ValueError(
                f"scoring={scoring!r} cannot score y's classes {_list(shown)} ({first}); "
                "allowed: a scorer for these classes, e.g. 'f1_weighted' or 'accuracy'."
            ) from None
    return scorer, name


def _list(values):
    return "[" + ", ".join("..." if v == "..." else repr(v) for v in values) + "]"


def _has(estimator, method):
    try:
        return hasattr(estimator, method)
    except Exception:
        return True
