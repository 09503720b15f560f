"""X, the features: rows that can be taken, a shape that fits, and values the estimator can take in every fold."""

import numpy as np
from scipy import sparse

from .. import checks
from .estimator import accepts_nan, first_step, input_tags

__all__ = ["as_rows", "check_X_values"]

#: First steps that hand the data to code of their own (a column router, a user function): cvkit cannot
#: know what they accept, so X's values (strings, infinity, complex numbers) are left to the folds.
_ROUTERS = ("ColumnTransformer", "FeatureUnion", "FunctionTransformer")


def as_rows(X, tags=None):
    """X as something whose rows can be taken: an ndarray, a CSR matrix or a pandas DataFrame; its shape checked.

    ``tags``: the input tags of the step that sees X first. X must be 2-d
    unless they say otherwise (a text vectorizer takes a 1-d list of documents).
    """
    two_d_only = tags is None or (tags.two_d_array and not tags.one_d_array and not tags.three_d_array)
    given = X
    if sparse.issparse(X):
        X = X.tocsr()  # rows of COO and other formats cannot be indexed
    elif not checks.is_pandas(X) and not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X)
        except (ValueError, TypeError):
            if two_d_only:
                raise ValueError(
                    "X is a ragged sequence (its rows have different lengths); allowed: a 2-d array of shape "
                    "(n_samples, n_features), every row with the same number of values."
                ) from None
            X = np.empty(len(given), dtype=object)
            X[:] = list(given)
    shape = tuple(int(n) for n in getattr(X, "shape", ()))
    if not shape:
        raise ValueError(f"X={given!r} is not allowed; allowed: a 2-d array of shape (n_samples, n_features).")
    if len(shape) == 1 and two_d_only:
        raise ValueError(
            f"X has shape {shape}, one value per row; allowed: a 2-d array of shape (n_samples, n_features), "
            "e.g. X.reshape(-1, 1) for a single feature."
        )
    if len(shape) > 2 and two_d_only:
        raise ValueError(
            f"X has shape {shape}; allowed: a 2-d array of shape (n_samples, n_features), "
            "e.g. X.reshape(len(X), -1) to flatten each sample."
        )
    if shape[0] == 0:
        raise ValueError(f"X has shape {shape}, no rows; allowed: at least one row per fold.")
    if len(shape) == 2 and shape[1] == 0:
        raise ValueError(f"X has shape {shape}, no columns; allowed: at least 1 feature.")
    return X


def _float_view(X):
    """X's values as a float array (None if some are not numbers); a DataFrame's category columns left out."""
    if checks.is_pandas(X):
        X = X.select_dtypes(exclude="category")
        try:
            return X.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            return None
    try:
        return np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        return None


def _first_non_number(X):
    """(row, column, value) of the first value of X that is not a number."""
    values = X.select_dtypes(exclude="category").to_numpy() if checks.is_pandas(X) else np.asarray(X)
    columns = list(X.select_dtypes(exclude="category").columns) if checks.is_pandas(X) else None
    for index, value in np.ndenumerate(values):
        try:
            float(value)
        except (TypeError, ValueError):
            row, col = index[0], (index[1] if len(index) > 1 else 0)
            return row, (columns[col] if columns is not None else col), value
    return None


def check_X_values(estimator, X):
    """Refuse values of X the estimator cannot take in any fold: NaN, infinity, complex numbers, non-numbers.

    NaN is let through if the estimator (or its first step) declares it
    handles NaN. A first step that routes the data to code of its own
    (``ColumnTransformer``, ``FeatureUnion``, ``FunctionTransformer``) gets X
    as it is; so does a first step that declares it takes strings or
    categories (e.g. ``OneHotEncoder``), for non-numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> check_X_values(SVC(), np.array([[1, "red"], [2, "blue"]], dtype=object))
    Traceback (most recent call last):
    ...
    ValueError: X has non-numeric values (first: 'red' at row 0, column 1); the estimator needs numbers. Allowed: numbers, or a pipeline that encodes them first (e.g. make_pipeline(OneHotEncoder(handle_unknown='ignore'), SVC())).
    """
    step = first_step(estimator)
    routed = type(step).__name__ in _ROUTERS
    if sparse.issparse(X):
        dtypes = [X.dtype]
    elif checks.is_pandas(X):
        dtypes = [d for d in X.dtypes if isinstance(d, np.dtype)]
    else:
        dtypes = [X.dtype]
    complex_dtype = next((d for d in dtypes if d.kind == "c"), None)
    if complex_dtype is not None and not routed:
        raise ValueError(_complex_message(complex_dtype))
    if not accepts_nan(estimator):
        checks._check_no_nan(X)
    if routed:
        return
    tags = input_tags(step)
    if sparse.issparse(X) and tags is not None and not tags.sparse and type(step).__module__.startswith("sklearn."):
        raise ValueError(
            f"X is a sparse matrix, which {step!r} does not accept; allowed: a dense array (X.toarray()), "
            "or an estimator that takes sparse input (e.g. SVC())."
        )
    if tags is not None and tags.positive_only:
        _check_non_negative(X, step)
    if sparse.issparse(X):
        values = np.asarray(X.data)
        if values.dtype.kind == "f" and np.isinf(values).any():
            raise ValueError(
                f"X contains {int(np.isinf(values).sum())} infinite value(s); the estimator does not accept "
                "infinity. Allowed: finite values (e.g. set them to NaN and use "
                "make_pipeline(SimpleImputer(), SVC()))."
            )
        return
    takes_text = tags is not None and (tags.string or tags.categorical or tags.dict)
    arr = _float_view(X)
    if arr is None:
        if takes_text:
            return
        row, col, value = _first_non_number(X) or (0, 0, "?")
        raise ValueError(
            f"X has non-numeric values (first: {checks.plain_value(value)!r} at row {row}, column {col!r}); "
            "the estimator needs numbers. Allowed: numbers, or a pipeline that encodes them first "
            "(e.g. make_pipeline(OneHotEncoder(handle_unknown='ignore'), SVC()))."
        )
    if isinstance(X, np.ndarray) and X.dtype.kind in "US" and not takes_text:
        raise ValueError(
            f"X holds numbers as text (dtype {X.dtype}, e.g. {checks.plain_value(X.flat[0])!r}); the estimator needs "
            "numbers. Allowed: numbers (e.g. X.astype(float))."
        )
    mask = np.isinf(arr)
    if mask.any():
        rows, cols = np.nonzero(mask if mask.ndim == 2 else mask.reshape(len(mask), -1))
        raise ValueError(
            f"X contains {int(mask.sum())} infinite value(s) (first at row {rows[0]}, column {cols[0]}); "
            "the estimator does not accept infinity. Allowed: finite values (e.g. set them to NaN and use "
            "make_pipeline(SimpleImputer(), SVC()))."
        )


def _check_non_negative(X, step):
    arr = np.asarray(X.data) if sparse.issparse(X) else _float_view(X)
    if arr is None or arr.dtype.kind not in "fiu":
        return
    mask = arr < 0
    if mask.any():
        where = ""
        if not sparse.issparse(X):
            rows, cols = np.nonzero(mask if mask.ndim == 2 else mask.reshape(len(mask), -1))
            where = f" (first at row {rows[0]}, column {cols[0]})"
        raise ValueError(
            f"X contains {int(mask.sum())} negative value(s){where}, which {step!r} does not accept; "
            f"allowed: values >= 0 (e.g. make_pipeline(MinMaxScaler(), {step!r}))."
        )


def _complex_message(dtype):
    return (
        f"X has complex values (dtype {dtype}); allowed: real numbers (e.g. np.hstack([X.real, X.imag]), or np.abs(X))."
    )
