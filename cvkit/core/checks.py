"""Argument checks that fail early with a message naming what was given and what is allowed."""

import math
import re
from numbers import Integral

import numpy as np
from scipy.sparse import issparse

__all__ = [
    "check_X_y",
    "check_batch_size",
    "check_choice",
    "check_durations",
    "check_n_jobs",
    "check_n_splits",
    "check_positive_int",
    "check_pre_dispatch",
    "check_pre_dispatch_tasks",
    "is_pandas",
    "plain_value",
]


def check_choice(name, value, allowed):
    """Return ``value`` if it is one of ``allowed``, else raise ValueError.

    Examples
    --------
    >>> check_choice("on_error", "raise", ("record", "raise"))
    'raise'
    >>> check_choice("on_error", "ignore", ("record", "raise"))
    Traceback (most recent call last):
    ...
    ValueError: on_error='ignore' is not allowed; allowed: 'record', 'raise'.
    """
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r} is not allowed; allowed: {shown}.")
    return value


def check_positive_int(name, value, minimum=1):
    """Return ``value`` as an int if it is an integer >= ``minimum``.

    Examples
    --------
    >>> check_positive_int("n_splits", 5, minimum=2)
    5
    >>> check_positive_int("n_splits", 1, minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: n_splits=1 is not allowed; allowed: an integer >= 2.
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name}={value!r} is not allowed; allowed: an integer >= {minimum}.")
    return int(value)


def check_n_jobs(n_jobs):
    """Return ``n_jobs`` if joblib accepts it: None, a positive int or a negative int.

    Examples
    --------
    >>> check_n_jobs(-1)
    -1
    >>> check_n_jobs(0)
    Traceback (most recent call last):
    ...
    ValueError: n_jobs=0 is not allowed; allowed: None, 1, 2, ... (that many workers) or -1, -2, ... (all cores, all but one, ...).
    """
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ValueError(
            f"n_jobs={n_jobs!r} is not allowed; allowed: None, 1, 2, ... (that many workers) "
            "or -1, -2, ... (all cores, all but one, ...)."
        )
    return int(n_jobs)


def check_X_y(X, y, *, allow_nan=False):
    """Check that X and y can be split into folds; return ``(X, y)`` unchanged.

    X may be an array, a pandas DataFrame or a scipy sparse matrix; y may hold
    numbers or strings.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.zeros((4, 2)), np.array(["a", "b", "a", "b"])
    >>> check_X_y(X, y)[1].tolist()
    ['a', 'b', 'a', 'b']
    >>> check_X_y(X, y[:3])
    Traceback (most recent call last):
    ...
    ValueError: X and y have different lengths: X has 4 rows, y has 3 labels; allowed: one label per row of X.
    """
    n_x = X.shape[0] if hasattr(X, "shape") else len(X)
    y_arr = np.asarray(y)
    if y_arr.ndim != 1:
        raise ValueError(f"y has shape {y_arr.shape}; allowed: a 1-d array of class labels, one per row of X.")
    if n_x != len(y_arr):
        raise ValueError(
            f"X and y have different lengths: X has {n_x} rows, y has {len(y_arr)} labels; "
            "allowed: one label per row of X."
        )
    if not allow_nan:
        _check_no_nan(X)
    if y_arr.dtype.kind == "f" and np.isnan(y_arr).any():
        raise ValueError(f"y contains {int(np.isnan(y_arr).sum())} NaN label(s); allowed: a class label in every row.")
    classes, _counts = np.unique(y_arr, return_counts=True)
    if len(classes) < 2:
        raise ValueError(
            f"y has a single class ({plain_value(classes[0])!r} for all {len(y_arr)} rows); "
            "allowed: at least 2 classes, since a classifier cannot be fitted on one."
        )
    return X, y


def _check_no_nan(X):
    if issparse(X):  # only stored values can be NaN
        values = np.asarray(X.data)
        if values.dtype.kind in "fc" and np.isnan(values).any():
            n = int(np.isnan(values).sum())
            raise ValueError(
                f"X contains {n} NaN value(s); the estimator does not accept missing values. "
                "Allowed: finite values, or an estimator that handles NaN "
                "(e.g. make_pipeline(SimpleImputer(), SVC()))."
            )
        return
    try:
        if is_pandas(X):  # a DataFrame: pandas' own missing values (pd.NA) count too; categories are left out
            arr = X.select_dtypes(exclude="category").to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        return  # non-numeric columns: named by cvkit.core.inputs.check_X_values
    mask = np.isnan(arr)
    if mask.any():
        rows, cols = np.nonzero(mask if mask.ndim == 2 else mask[:, None])
        raise ValueError(
            f"X contains {int(mask.sum())} NaN value(s) (first at row {rows[0]}, column {cols[0]}); "
            "the estimator does not accept missing values. Allowed: finite values, or an estimator "
            "that handles NaN (e.g. make_pipeline(SimpleImputer(), SVC()))."
        )


def check_n_splits(n_splits, y, *, stratified):
    """Check that ``n_splits`` folds can be made from ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 10 + [1] * 3)
    >>> check_n_splits(3, y, stratified=True)
    3
    >>> check_n_splits(4, y, stratified=True)
    Traceback (most recent call last):
    ...
    ValueError: n_splits=4 is larger than the smallest class (class 1 has 3 members); allowed with stratified folds: 2 <= n_splits <= 3.
    >>> check_n_splits(3, np.array([0] * 10 + [1] * 3 + [2]), stratified=True)
    Traceback (most recent call last):
    ...
    ValueError: class 2 has a single member, so it cannot be stratified (each fold would need a share of it); allowed with stratified folds: at least 2 members in every class (add rows of class 2 or drop it), or cv=KFold(3, shuffle=True, random_state=0) to split without stratifying.
    """
    n_splits = check_positive_int("n_splits", n_splits, minimum=2)
    y_arr = np.asarray(y)
    if n_splits > len(y_arr):
        raise ValueError(
            f"n_splits={n_splits} is larger than the number of samples ({len(y_arr)}); "
            f"allowed: 2 <= n_splits <= {len(y_arr)}."
        )
    if stratified:
        classes, counts = np.unique(y_arr, return_counts=True)
        smallest = int(np.argmin(counts))
        if counts[smallest] < 2:
            c = plain_value(classes[smallest])
            raise ValueError(
                f"class {c!r} has a single member, so it cannot be stratified (each fold would need a share of it); "
                f"allowed with stratified folds: at least 2 members in every class (add rows of class {c!r} or "
                f"drop it), or cv=KFold({n_splits}, shuffle=True, random_state=0) to split without stratifying."
            )
        if n_splits > counts[smallest]:
            raise ValueError(
                f"n_splits={n_splits} is larger than the smallest class "
                f"(class {plain_value(classes[smallest])!r} has {counts[smallest]} members); "
                f"allowed with stratified folds: 2 <= n_splits <= {counts[smallest]}."
            )
    return n_splits


def plain_value(value):
    """Return a numpy scalar as the Python value it holds, so messages read ``1``, not ``np.int64(1)``.

    >>> plain_value(np.int64(1)), plain_value("a")
    (1, 'a')
    """
    return value.item() if hasattr(value, "item") else value


def is_pandas(data):
    """True for a pandas DataFrame or Series, tested as scikit-learn does (``hasattr(data, "iloc")``), without
    importing pandas.

    >>> import pandas as pd
    >>> is_pandas(pd.DataFrame({"a": [1]})), is_pandas(np.zeros(2))
    (True, False)
    """
    return hasattr(data, "iloc")


#: What joblib's pre_dispatch expressions look like here: "n_jobs", "2*n_jobs", "1.5 * n_jobs" (group 1: the factor).
_PRE_DISPATCH_EXPRESSION = re.compile(r"\s*(?:(\d+(?:\.\d*)?)\s*\*\s*)?n_jobs\s*")


def check_pre_dispatch(pre_dispatch):
    """Return ``pre_dispatch`` if joblib accepts it: "all", a positive int, or an expression of n_jobs.

    Examples
    --------
    >>> check_pre_dispatch("1.5*n_jobs")
    '1.5*n_jobs'
    >>> check_pre_dispatch("2*cores")
    Traceback (most recent call last):
    ...
    ValueError: pre_dispatch='2*cores' is not allowed; allowed: 'all', a positive integer, or an expression of n_jobs such as '2*n_jobs' or '1.5*n_jobs'.
    """
    if isinstance(pre_dispatch, Integral) and not isinstance(pre_dispatch, bool) and pre_dispatch > 0:
        return int(pre_dispatch)
    if pre_dispatch == "all" or (isinstance(pre_dispatch, str) and _PRE_DISPATCH_EXPRESSION.fullmatch(pre_dispatch)):
        return pre_dispatch
    raise ValueError(
        f"pre_dispatch={pre_dispatch!r} is not allowed; allowed: 'all', a positive integer, "
        "or an expression of n_jobs such as '2*n_jobs' or '1.5*n_jobs'."
    )


def check_batch_size(batch_size):
    """Return ``batch_size`` if joblib accepts it: "auto" or a positive int.

    Examples
    --------
    >>> check_batch_size("auto"), check_batch_size(2)
    ('auto', 2)
    """
    if batch_size == "auto":
        return batch_size
    return check_positive_int("batch_size", batch_size, minimum=1)


def check_pre_dispatch_tasks(pre_dispatch, n_jobs):
    """Return how many tasks joblib dispatches up front: None for "all", else ``int(expression)``; refuse 0.

    joblib computes ``int(eval(pre_dispatch))`` with ``n_jobs`` substituted
    (1.5 × 3 workers = 4 tasks); a result of 0 would make it dispatch nothing
    and silently return an empty list.

    Parameters
    ----------
    pre_dispatch : "all", int, or an expression of n_jobs such as "2*n_jobs"
    n_jobs : int >= 1
        The number of workers, resolved (not -1 or None).

    Examples
    --------
    >>> check_pre_dispatch_tasks("2*n_jobs", 4), check_pre_dispatch_tasks("1.5*n_jobs", 3)
    (8, 4)
    >>> check_pre_dispatch_tasks(5, 3), check_pre_dispatch_tasks("all", 2)
    (5, None)
    >>> check_pre_dispatch_tasks("0.4*n_jobs", 2)
    Traceback (most recent call last):
    ...
    ValueError: pre_dispatch='0.4*n_jobs' is not allowed with n_jobs=2: it comes to 0 tasks, so joblib would dispatch nothing and silently return an empty list; allowed: 'all', a positive integer, or an expression of n_jobs that comes to at least 1, such as '1*n_jobs'.
    """
    pre_dispatch = check_pre_dispatch(pre_dispatch)
    n_jobs = check_positive_int("n_jobs", n_jobs)
    if pre_dispatch == "all":
        return None
    if isinstance(pre_dispatch, int):
        return pre_dispatch
    factor = _PRE_DISPATCH_EXPRESSION.fullmatch(pre_dispatch).group(1)
    tasks = int(float(factor or 1) * n_jobs)
    if tasks < 1:
        raise ValueError(
            f"pre_dispatch={pre_dispatch!r} is not allowed with n_jobs={n_jobs}: it comes to 0 tasks, so joblib "
            "would dispatch nothing and silently return an empty list; allowed: 'all', a positive integer, or an "
            "expression of n_jobs that comes to at least 1, such as '1*n_jobs'."
        )
    return tasks


def check_durations(durations):
    """Return fold durations as a list of floats; an int k means k equal folds of 1 s.

    Examples
    --------
    >>> check_durations(3), check_durations([0.5, 2])
    ([1.0, 1.0, 1.0], [0.5, 2.0])
    >>> check_durations([1, -1])
    Traceback (most recent call last):
    ...
    ValueError: durations=[1, -1] is not allowed; allowed: an integer k >= 1 (k equal folds of 1 s) or a non-empty sequence of seconds >= 0, one per fold in fold order.
    """
    if isinstance(durations, Integral) and not isinstance(durations, bool):
        return [1.0] * check_positive_int("durations", durations)
    try:
        values = [float(d) for d in durations]
        ok = len(values) > 0 and all(math.isfinite(v) and v >= 0 for v in values)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"durations={durations!r} is not allowed; allowed: an integer k >= 1 (k equal folds of 1 s) "
            "or a non-empty sequence of seconds >= 0, one per fold in fold order."
        )
    return values
