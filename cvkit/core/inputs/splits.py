"""The splits: refuse a cv that cannot split these data, or whose every training set holds a single class."""

import warnings
from collections.abc import Iterable
from numbers import Integral

import numpy as np

from .. import checks
from ..text import first_line

__all__ = ["split"]


def split(estimator, X, y, cv, groups):
    """Return ``(splitter, splits)``; refuse a cv that cannot split these data, or whose every fold must fail.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> from sklearn.model_selection import GroupKFold
    >>> X, y = np.zeros((6, 1)), np.array([0, 1] * 3)
    >>> len(split(SVC(), X, y, 3, None)[1])
    3
    >>> split(SVC(), X, y, GroupKFold(3), None)
    Traceback (most recent call last):
    ...
    ValueError: cv=GroupKFold(n_splits=3, random_state=None, shuffle=False) needs groups; allowed: groups=..., one group label per row of X.
    """
    from sklearn.base import is_classifier
    from sklearn.model_selection import check_cv

    n_rows = X.shape[0]
    if isinstance(cv, (Integral, np.integer)):
        checks.check_positive_int("n_splits", cv, minimum=2)
    elif cv is not None and (isinstance(cv, str) or not (hasattr(cv, "split") or isinstance(cv, Iterable))):
        raise ValueError(
            f"cv={cv!r} is not allowed; allowed: an integer >= 2, a scikit-learn splitter, "
            "or an iterable of (train, test) index arrays."
        )
    if groups is not None:
        groups = np.asarray(groups)
        if groups.ndim != 1 or len(groups) != n_rows:
            got = f"{len(groups)} entries" if groups.ndim == 1 else f"shape {groups.shape}"
            raise ValueError(f"groups has {got}, X has {n_rows} rows; allowed: one group label per row of X.")
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    grouped = "Group" in type(splitter).__name__
    if grouped and groups is None:
        raise ValueError(f"cv={splitter!r} needs groups; allowed: groups=..., one group label per row of X.")
    if hasattr(splitter, "n_splits") and not hasattr(splitter, "n_repeats"):
        n_splits = splitter.n_splits
        if grouped and isinstance(n_splits, Integral):
            n_groups = len(np.unique(groups))
            if n_splits > n_groups:
                raise ValueError(
                    f"n_splits={n_splits} is larger than the number of groups ({n_groups}); "
                    f"allowed with group folds: 2 <= n_splits <= {n_groups}."
                )
        elif isinstance(n_splits, Integral):
            checks.check_n_splits(n_splits, y, stratified="Stratified" in type(splitter).__name__)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            splits = list(splitter.split(X, y, groups))
    except ValueError as exc:
        first = first_line(exc)
        raise ValueError(
            f"cv={splitter!r} cannot split these data ({first}); allowed: a splitter whose needs these data meet."
        ) from None
    if not splits:
        raise ValueError(f"cv={cv!r} gives no folds; allowed: at least one (train, test) split.")
    if is_classifier(estimator):
        _, codes = np.unique(np.asarray(y), return_inverse=True)
        if not any(_two_classes(codes, train) for train, _ in splits):
            k = len(splits)
            raise ValueError(
                f"cv={cv!r} gives {k} training sets that each hold a single class, so no fold can fit a "
                f"classifier; allowed: splits with at least 2 classes in every training set, e.g. "
                f"cv=StratifiedKFold({k}) or cv=KFold({k}, shuffle=True, random_state=0)."
            )
    return splitter, splits


def _two_classes(codes, train):
    """True if the training rows ``train`` hold at least 2 classes (or cannot be read: the fold will tell)."""
    try:
        codes = codes[np.asarray(train)]
    except (IndexError, TypeError, ValueError):
        return True
    return len(codes) > 0 and codes.min() != codes.max()
