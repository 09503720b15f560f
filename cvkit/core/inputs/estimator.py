"""The estimator given to a run: refuse what is no classifier, and read what its first step accepts (its tags)."""

__all__ = ["accepts_nan", "check_estimator", "first_step", "input_tags"]


def _estimator_type(estimator):
    from sklearn.utils import get_tags

    try:
        return get_tags(estimator).estimator_type
    except Exception:
        return None


def check_estimator(estimator):
    """Refuse what is not an estimator, and an estimator that is not a classifier (a regressor, a clusterer).

    Every fold is scored against class labels and makes a confusion matrix,
    so a regressor fails in every fold. An estimator that declares no type
    (a home-made one) is let through.

    Examples
    --------
    >>> from sklearn.svm import SVC, SVR
    >>> check_estimator(SVC())
    >>> check_estimator(SVR())
    Traceback (most recent call last):
    ...
    TypeError: estimator=SVR() is a regressor; allowed: a classifier (every fold is scored against class labels and makes a confusion matrix), e.g. SVC().
    """
    if not hasattr(estimator, "fit") or not hasattr(estimator, "get_params"):
        raise TypeError(
            f"estimator={estimator!r} is not allowed; allowed: a scikit-learn estimator (with fit and get_params)."
        )
    kind = _estimator_type(estimator)
    if kind not in (None, "classifier"):
        raise TypeError(
            f"estimator={estimator!r} is a {kind}; allowed: a classifier (every fold is scored against class "
            "labels and makes a confusion matrix), e.g. SVC()."
        )


def first_step(estimator):
    """The estimator that sees X first: a pipeline's first step that is not "passthrough" (recursively)."""
    steps = getattr(estimator, "steps", None)
    while steps:
        estimator = next((step for _, step in steps if step not in (None, "passthrough")), None)
        steps = getattr(estimator, "steps", None)
    return estimator


def input_tags(estimator):
    """The input tags scikit-learn declares for ``estimator`` (None if it declares none)."""
    from sklearn.utils import get_tags

    try:
        return get_tags(estimator).input_tags
    except Exception:
        return None


def accepts_nan(estimator):
    """True if the estimator (or a pipeline's first step, e.g. an imputer) declares it handles NaN.

    Examples
    --------
    >>> from sklearn.impute import SimpleImputer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.svm import SVC
    >>> accepts_nan(SVC()), accepts_nan(make_pipeline(SimpleImputer(), SVC()))
    (False, True)
    """
    tags = input_tags(first_step(estimator))
    return bool(tags is not None and tags.allow_nan)
