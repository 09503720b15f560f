"""y, the class labels: refuse what holds no class labels (missing, mixed, continuous, infinite values)."""

import math
import warnings
from numbers import Number

import numpy as np

from .. import checks

__all__ = ["as_labels", "check_labels"]


def as_labels(y):
    """y as an array (a pandas Series stays as it is); refuse a ragged sequence."""
    if checks.is_pandas(y):
        return y
    try:
        return np.asarray(y)
    except (ValueError, TypeError):
        raise ValueError("y is a ragged sequence; allowed: a 1-d array of class labels, one per row of X.") from None


def _is_missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType"


def check_labels(y):
    """Refuse y that holds no class labels: missing labels, strings mixed with numbers, continuous values.

    Examples
    --------
    >>> import numpy as np
    >>> check_labels(np.array(["a", "b", "a"]))
    >>> check_labels(np.array([0.5, 1.5, 0.25]))
    Traceback (most recent call last):
    ...
    ValueError: y holds continuous values (e.g. 0.5 at row 0), not class labels; allowed: class labels (integers or strings), since a classifier is fitted on classes.
    """
    from sklearn.utils.multiclass import type_of_target

    arr = np.asarray(y)
    if arr.ndim != 1:
        return  # check_X_y names the shape
    if arr.dtype.kind == "O":
        missing = [i for i, v in enumerate(arr) if _is_missing(v)]
        if missing:
            raise ValueError(
                f"y contains {len(missing)} missing label(s) (None or NaN, first at row {missing[0]}); "
                "allowed: a class label in every row."
            )
        strings = [i for i, v in enumerate(arr) if isinstance(v, str)]
        numbers = [i for i, v in enumerate(arr) if isinstance(v, Number) and not isinstance(v, str)]
        if strings and numbers:
            i, j = strings[0], numbers[0]
            raise ValueError(
                f"y mixes strings and numbers (e.g. {arr[i]!r} at row {i} and {checks.plain_value(arr[j])!r} at row {j}); "
                "allowed: labels of one kind, all strings or all numbers."
            )
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        return  # check_X_y names NaN labels
    if arr.dtype.kind == "f" and np.isinf(arr).any():
        bad = np.flatnonzero(np.isinf(arr))
        raise ValueError(
            f"y contains {len(bad)} infinite value(s) (first at row {bad[0]}); "
            "allowed: class labels (integers or strings), one per row of X."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kind = type_of_target(arr)
    except (TypeError, ValueError):
        kind = "unknown"
    if kind.startswith("continuous"):
        bad = next(i for i, v in enumerate(arr) if float(v) != int(v))
        raise ValueError(
            f"y holds continuous values (e.g. {checks.plain_value(arr[bad])!r} at row {bad}), not class labels; "
            "allowed: class labels (integers or strings), since a classifier is fitted on classes."
        )
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"y holds values that are not class labels (first: {checks.plain_value(arr[0])!r}); "
            "allowed: class labels (integers or strings), one per row of X."
        )
