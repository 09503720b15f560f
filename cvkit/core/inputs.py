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

import math
import warnings
from collections import namedtuple
from collections.abc import Iterable
from numbers import Integral, Number

import numpy as np

from ..compat import scorer_response_methods
from . import checks

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

#: First steps that hand the data to code of their own (a column router, a user function): cvkit cannot
#: know what they accept, so X's values (strings, infinity, complex numbers) are left to the folds.
_ROUTERS = ("ColumnTransformer", "FeatureUnion", "FunctionTransformer")


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
    X = _as_rows(X, _input_tags(first_step(estimator)))
    y = _as_labels(y)
    check_labels(y)
    checks.check_X_y(X, y, allow_nan=True)  # y's shape, the lengths, NaN labels, a single class
    check_X_values(estimator, X)
    scorer, scoring_name = check_scoring(estimator, scoring, y)
    splitter, splits = split(estimator, X, y, cv, groups)
    return Prepared(X, y, splitter, splits, scorer, scoring_name, np.unique(np.asarray(y)))


# --------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------
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


def _input_tags(estimator):
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
    tags = _input_tags(first_step(estimator))
    return bool(tags is not None and tags.allow_nan)


# --------------------------------------------------------------------------------------------
# X
# --------------------------------------------------------------------------------------------
def _as_rows(X, tags=None):
    """X as something whose rows can be taken: an ndarray, a CSR matrix or a pandas DataFrame; its shape checked.

    ``tags``: the input tags of the step that sees X first. X must be 2-d
    unless they say otherwise (a text vectorizer takes a 1-d list of documents).
    """
    from scipy import sparse

    two_d_only = tags is None or (tags.two_d_array and not tags.one_d_array and not tags.three_d_array)
    given = X
    if sparse.issparse(X):
        X = X.tocsr()  # rows of COO and other formats cannot be indexed
    elif not hasattr(X, "iloc") and not isinstance(X, np.ndarray):
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
    if hasattr(X, "iloc"):
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
    values = X.select_dtypes(exclude="category").to_numpy() if hasattr(X, "iloc") else np.asarray(X)
    columns = list(X.select_dtypes(exclude="category").columns) if hasattr(X, "iloc") else None
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
    from scipy import sparse

    step = first_step(estimator)
    routed = type(step).__name__ in _ROUTERS
    if sparse.issparse(X):
        dtypes = [X.dtype]
    elif hasattr(X, "iloc"):
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
    tags = _input_tags(step)
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
            f"X has non-numeric values (first: {checks._plain(value)!r} at row {row}, column {col!r}); "
            "the estimator needs numbers. Allowed: numbers, or a pipeline that encodes them first "
            "(e.g. make_pipeline(OneHotEncoder(handle_unknown='ignore'), SVC()))."
        )
    if isinstance(X, np.ndarray) and X.dtype.kind in "US" and not takes_text:
        raise ValueError(
            f"X holds numbers as text (dtype {X.dtype}, e.g. {checks._plain(X.flat[0])!r}); the estimator needs "
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
    from scipy import sparse

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


# --------------------------------------------------------------------------------------------
# y
# --------------------------------------------------------------------------------------------
def _as_labels(y):
    if hasattr(y, "iloc"):
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
                f"y mixes strings and numbers (e.g. {arr[i]!r} at row {i} and {checks._plain(arr[j])!r} at row {j}); "
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
            f"y holds continuous values (e.g. {checks._plain(arr[bad])!r} at row {bad}), not class labels; "
            "allowed: class labels (integers or strings), since a classifier is fitted on classes."
        )
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"y holds values that are not class labels (first: {checks._plain(arr[0])!r}); "
            "allowed: class labels (integers or strings), one per row of X."
        )


# --------------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------------
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
            first = (str(exc).strip().splitlines() or [""])[0]
            shown = [checks._plain(v) for v in labels[:5]] + (["..."] if len(labels) > 5 else [])
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


# --------------------------------------------------------------------------------------------
# the splits
# --------------------------------------------------------------------------------------------
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
        first = (str(exc).strip().splitlines() or [""])[0]
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
