"""Bad input is refused before anything is dispatched, with a message naming what was given and what is allowed.

Every case below is one row of the README's table "Bad input, and what you see" (checked by
``test_readme_table_lists_every_case``); ``python tests/test_bad_input.py`` prints that table.
"""

import re
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GroupKFold, KFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import SVC, SVR

import cvkit
from cvkit import run_folds
from cvkit.lab.advice import will_parallel_pay

X4 = np.arange(40, dtype=float).reshape(20, 2)
Y4 = np.array([0, 1] * 10)
README = Path(__file__).resolve().parents[1] / "README.md"


def _set(X, row, col, value, dtype=None):
    X = X.astype(dtype or X.dtype)
    X[row, col] = value
    return X


def _y_with(value, row=18, dtype=object):
    y = Y4.astype(dtype)
    y[row] = value
    return y


class Case(NamedTuple):
    id: str
    shown: str  # the README's "input" column
    kwargs: dict  # run_folds(**kwargs); estimator, X and y default to SVC(), X4, Y4
    error: type
    message: str
    advice: bool = True  # will_parallel_pay takes it too (it has no groups and no runner arguments)


CASES = [
    Case("n_splits < 2", "`cv=1`", dict(cv=1), ValueError, "n_splits=1 is not allowed; allowed: an integer >= 2."),
    Case(
        "n_splits > smallest class",
        "`cv=11` on a class with 10 members",
        dict(cv=11),
        ValueError,
        "n_splits=11 is larger than the smallest class (class 0 has 10 members); "
        "allowed with stratified folds: 2 <= n_splits <= 10.",
    ),
    Case(
        "n_jobs = 0",
        "`n_jobs=0`",
        dict(n_jobs=0),
        ValueError,
        "n_jobs=0 is not allowed; allowed: None, 1, 2, ... (that many workers) "
        "or -1, -2, ... (all cores, all but one, ...).",
    ),
    Case(
        "unknown backend",
        '`backend="lokky"`',
        dict(backend="lokky"),
        ValueError,
        "backend='lokky' is not allowed; allowed: 'dask', 'loky', 'multiprocessing', 'threading', 'sequential', "
        "a joblib ParallelBackendBase instance, or None (the backend of an enclosing joblib.parallel_config, "
        "else loky).",
        advice=False,
    ),
    Case(
        "lengths",
        "X with 20 rows, y with 19",
        dict(y=Y4[:19]),
        ValueError,
        "X and y have different lengths: X has 20 rows, y has 19 labels; allowed: one label per row of X.",
    ),
    Case(
        "NaN in X",
        "a NaN in X",
        dict(X=_set(X4, 3, 1, np.nan)),
        ValueError,
        "X contains 1 NaN value(s) (first at row 3, column 1); the estimator does not accept missing values. Allowed: "
        "finite values, or an estimator that handles NaN (e.g. make_pipeline(SimpleImputer(), SVC())).",
    ),
    Case(
        "single class",
        "one class in y",
        dict(y=np.array(["spam"] * 20)),
        ValueError,
        "y has a single class ('spam' for all 20 rows); allowed: at least 2 classes, since a classifier cannot be "
        "fitted on one.",
    ),
    # ---- X ------------------------------------------------------------------------------------------------
    Case(
        "inf in X",
        "an infinite value in X (`np.inf` or `-np.inf`)",
        dict(X=_set(X4, 3, 1, -np.inf)),
        ValueError,
        "X contains 1 infinite value(s) (first at row 3, column 1); the estimator does not accept infinity. Allowed: "
        "finite values (e.g. set them to NaN and use make_pipeline(SimpleImputer(), SVC())).",
    ),
    Case(
        "inf in sparse X",
        "an infinite value in a sparse X",
        dict(X=sp.csr_matrix(_set(X4, 3, 1, np.inf))),
        ValueError,
        "X contains 1 infinite value(s); the estimator does not accept infinity. Allowed: finite values (e.g. set "
        "them to NaN and use make_pipeline(SimpleImputer(), SVC())).",
    ),
    Case(
        "1-d X",
        "X of one dimension (`X[:, 0]`)",
        dict(X=X4[:, 0]),
        ValueError,
        "X has shape (20,), one value per row; allowed: a 2-d array of shape (n_samples, n_features), "
        "e.g. X.reshape(-1, 1) for a single feature.",
    ),
    Case(
        "3-d X",
        "X of three dimensions",
        dict(X=X4.reshape(20, 2, 1)),
        ValueError,
        "X has shape (20, 2, 1); allowed: a 2-d array of shape (n_samples, n_features), e.g. X.reshape(len(X), -1) "
        "to flatten each sample.",
    ),
    Case(
        "X is None",
        "`X=None`",
        dict(X=None),
        ValueError,
        "X=None is not allowed; allowed: a 2-d array of shape (n_samples, n_features).",
    ),
    Case(
        "ragged X",
        "X a list of rows of different lengths",
        dict(X=[[1.0, 2.0]] * 19 + [[1.0]]),
        ValueError,
        "X is a ragged sequence (its rows have different lengths); allowed: a 2-d array of shape "
        "(n_samples, n_features), every row with the same number of values.",
    ),
    Case(
        "no rows",
        "an empty X (0 rows)",
        dict(X=X4[:0], y=Y4[:0]),
        ValueError,
        "X has shape (0, 2), no rows; allowed: at least one row per fold.",
    ),
    Case(
        "no columns",
        "X with 0 columns",
        dict(X=X4[:, :0]),
        ValueError,
        "X has shape (20, 0), no columns; allowed: at least 1 feature.",
    ),
    Case(
        "strings in X",
        "text in X (`'red'`), for an estimator that needs numbers",
        dict(X=_set(X4, 2, 1, "red", dtype=object)),
        ValueError,
        "X has non-numeric values (first: 'red' at row 2, column 1); the estimator needs numbers. Allowed: numbers, "
        "or a pipeline that encodes them first (e.g. make_pipeline(OneHotEncoder(handle_unknown='ignore'), SVC())).",
    ),
    Case(
        "numbers as text in X",
        "numbers as text in X (`X.astype(str)`)",
        dict(X=X4.astype(str)),
        ValueError,
        "X holds numbers as text (dtype <U32, e.g. '0.0'); the estimator needs numbers. Allowed: numbers "
        "(e.g. X.astype(float)).",
    ),
    Case(
        "complex X",
        "complex numbers in X",
        dict(X=X4 + 1j),
        ValueError,
        "X has complex values (dtype complex128); allowed: real numbers (e.g. np.hstack([X.real, X.imag]), "
        "or np.abs(X)).",
    ),
    Case(
        "sparse X, dense-only estimator",
        "a sparse X for an estimator that needs dense data",
        dict(estimator=HistGradientBoostingClassifier(), X=sp.csr_matrix(X4)),
        ValueError,
        "X is a sparse matrix, which HistGradientBoostingClassifier() does not accept; allowed: a dense array "
        "(X.toarray()), or an estimator that takes sparse input (e.g. SVC()).",
    ),
    Case(
        "negative X, positive-only estimator",
        "negative values in X for `MultinomialNB()`",
        dict(estimator=MultinomialNB(), X=X4 - 3),
        ValueError,
        "X contains 3 negative value(s) (first at row 0, column 0), which MultinomialNB() does not accept; "
        "allowed: values >= 0 (e.g. make_pipeline(MinMaxScaler(), MultinomialNB())).",
    ),
    # ---- y ------------------------------------------------------------------------------------------------
    Case(
        "2-d y",
        "y of two columns",
        dict(y=np.c_[Y4, Y4]),
        ValueError,
        "y has shape (20, 2); allowed: a 1-d array of class labels, one per row of X.",
    ),
    Case(
        "NaN in y",
        "a NaN in y",
        dict(y=_y_with(np.nan, dtype=float)),
        ValueError,
        "y contains 1 NaN label(s); allowed: a class label in every row.",
    ),
    Case(
        "None in y",
        "a `None` in y",
        dict(y=_y_with(None)),
        ValueError,
        "y contains 1 missing label(s) (None or NaN, first at row 18); allowed: a class label in every row.",
    ),
    Case(
        "inf in y",
        "an infinite value in y",
        dict(y=_y_with(np.inf, dtype=float)),
        ValueError,
        "y contains 1 infinite value(s) (first at row 18); allowed: class labels (integers or strings), "
        "one per row of X.",
    ),
    Case(
        "continuous y",
        "continuous y (`np.linspace(0, 1, 20)`)",
        dict(y=np.linspace(0, 1, 20)),
        ValueError,
        "y holds continuous values (e.g. 0.05263157894736842 at row 1), not class labels; allowed: class labels "
        "(integers or strings), since a classifier is fitted on classes.",
    ),
    Case(
        "mixed y",
        "strings and numbers mixed in y",
        dict(y=np.array(["a", 1] * 10, dtype=object)),
        ValueError,
        "y mixes strings and numbers (e.g. 'a' at row 0 and 1 at row 1); allowed: labels of one kind, all strings "
        "or all numbers.",
    ),
    Case(
        "not labels",
        "values in y that are not labels (`{'a': 1}`)",
        dict(y=np.array([{"a": 1}, {"b": 2}] * 10, dtype=object)),
        ValueError,
        "y holds values that are not class labels (first: {'a': 1}); allowed: class labels (integers or strings), "
        "one per row of X.",
    ),
    # ---- the estimator -------------------------------------------------------------------------------------
    Case(
        "not an estimator",
        '`estimator="SVC"`',
        dict(estimator="SVC"),
        TypeError,
        "estimator='SVC' is not allowed; allowed: a scikit-learn estimator (with fit and get_params).",
    ),
    Case(
        "regressor",
        "a regressor (`SVR()`)",
        dict(estimator=SVR()),
        TypeError,
        "estimator=SVR() is a regressor; allowed: a classifier (every fold is scored against class labels and makes "
        "a confusion matrix), e.g. SVC().",
    ),
    # ---- the folds -----------------------------------------------------------------------------------------
    Case(
        "class of one member",
        "a class with a single member, stratified folds",
        dict(y=_y_with(2, row=19, dtype=int)),
        ValueError,
        "class 2 has a single member, so it cannot be stratified (each fold would need a share of it); allowed with "
        "stratified folds: at least 2 members in every class (add rows of class 2 or drop it), "
        "or cv=KFold(5, shuffle=True, random_state=0) to split without stratifying.",
    ),
    Case(
        "more folds than rows",
        "`cv=KFold(25)` on 20 rows",
        dict(cv=KFold(25)),
        ValueError,
        "n_splits=25 is larger than the number of samples (20); allowed: 2 <= n_splits <= 20.",
    ),
    Case(
        "cv not a splitter",
        "`cv=5.0`",
        dict(cv=5.0),
        ValueError,
        "cv=5.0 is not allowed; allowed: an integer >= 2, a scikit-learn splitter, or an iterable of (train, test) "
        "index arrays.",
    ),
    Case(
        "no folds",
        "`cv=[]`",
        dict(cv=[]),
        ValueError,
        "cv=[] gives no folds; allowed: at least one (train, test) split.",
    ),
    Case(
        "single-class training sets",
        "`cv=KFold(2)` on y sorted by class",
        dict(y=np.sort(Y4), cv=KFold(2)),
        ValueError,
        "cv=KFold(n_splits=2, random_state=None, shuffle=False) gives 2 training sets that each hold a single class, "
        "so no fold can fit a classifier; allowed: splits with at least 2 classes in every training set, "
        "e.g. cv=StratifiedKFold(2) or cv=KFold(2, shuffle=True, random_state=0).",
    ),
    Case(
        "groups missing",
        "`cv=GroupKFold(2)` without groups",
        dict(cv=GroupKFold(2)),
        ValueError,
        "cv=GroupKFold(n_splits=2, random_state=None, shuffle=False) needs groups; allowed: groups=..., "
        "one group label per row of X.",
    ),
    Case(
        "groups length",
        "groups with 19 labels for 20 rows",
        dict(cv=GroupKFold(2), groups=np.arange(19)),
        ValueError,
        "groups has 19 entries, X has 20 rows; allowed: one group label per row of X.",
        advice=False,
    ),
    Case(
        "more folds than groups",
        "`cv=GroupKFold(5)` with 3 groups",
        dict(cv=GroupKFold(5), groups=np.arange(20) % 3),
        ValueError,
        "n_splits=5 is larger than the number of groups (3); allowed with group folds: 2 <= n_splits <= 3.",
        advice=False,
    ),
    # ---- scoring -------------------------------------------------------------------------------------------
    Case(
        "binary scorer, 3 classes",
        '`scoring="f1"` with 3 classes',
        dict(y=np.arange(20) % 3, cv=3, scoring="f1"),
        ValueError,
        "scoring='f1' cannot score y's classes [0, 1, 2] (Target is multiclass but average='binary'. Please choose "
        "another average setting, one of [None, 'micro', 'macro', 'weighted'].); allowed: a scorer for these "
        "classes, e.g. 'f1_weighted' or 'accuracy'.",
    ),
    Case(
        "binary scorer, string labels",
        '`scoring="f1"` with labels `"a"`, `"b"`',
        dict(y=np.array(["a", "b"] * 10), scoring="f1"),
        ValueError,
        "scoring='f1' cannot score y's classes ['a', 'b'] (pos_label=1 is not a valid label: It should be one of "
        "['a' 'b']); allowed: a scorer for these classes, e.g. 'f1_weighted' or 'accuracy'.",
    ),
    Case(
        "scorer needs predict_proba",
        '`scoring="neg_log_loss"` with `SVC()`',
        dict(scoring="neg_log_loss"),
        ValueError,
        "scoring='neg_log_loss' needs predict_proba, which estimator=SVC() does not have; allowed: a scorer that uses "
        "predict (e.g. 'f1_weighted' or 'accuracy'), or an estimator with predict_proba.",
    ),
    Case(
        "unknown scorer",
        '`scoring="f1_wieghted"`',
        dict(scoring="f1_wieghted"),
        ValueError,
        "scoring='f1_wieghted' is not allowed; allowed: a scikit-learn scorer name "
        "(sklearn.metrics.get_scorer_names(), e.g. 'f1_weighted' or 'accuracy') or a callable scorer(estimator, X, y).",
    ),
    Case(
        "several scorers",
        '`scoring=["f1", "accuracy"]`',
        dict(scoring=["f1", "accuracy"]),
        ValueError,
        "scoring=['f1', 'accuracy'] is not allowed; allowed: one scorer (a name such as 'f1_weighted', or a callable "
        "scorer(estimator, X, y)), since each fold keeps one score.",
    ),
    # ---- the runner's own arguments ---------------------------------------------------------------------------
    Case(
        "n_jobs float",
        "`n_jobs=1.5`",
        dict(n_jobs=1.5),
        ValueError,
        "n_jobs=1.5 is not allowed; allowed: None, 1, 2, ... (that many workers) or -1, -2, ... (all cores, all but "
        "one, ...).",
    ),
    Case(
        "on_error",
        '`on_error="ignore"`',
        dict(on_error="ignore"),
        ValueError,
        "on_error='ignore' is not allowed; allowed: 'record', 'raise'.",
        advice=False,
    ),
    Case(
        "pre_dispatch",
        '`pre_dispatch="2*cores"`',
        dict(pre_dispatch="2*cores"),
        ValueError,
        "pre_dispatch='2*cores' is not allowed; allowed: 'all', a positive integer, or an expression of n_jobs such as "
        "'2*n_jobs' or '1.5*n_jobs'.",
        advice=False,
    ),
    Case(
        "batch_size",
        "`batch_size=0`",
        dict(batch_size=0),
        ValueError,
        "batch_size=0 is not allowed; allowed: an integer >= 1.",
        advice=False,
    ),
    Case(
        "timeout",
        "`timeout=-1`",
        dict(timeout=-1),
        ValueError,
        "timeout=-1 is not allowed; allowed: None or a number of seconds > 0.",
        advice=False,
    ),
]


def _call(entry, case):
    kwargs = dict(case.kwargs)
    estimator = kwargs.pop("estimator", SVC())
    X = kwargs.pop("X", X4)
    y = kwargs.pop("y", Y4)
    kwargs.setdefault("n_jobs", 2)
    if entry is will_parallel_pay:
        kwargs["pool"] = "warm"
    return entry(estimator, X, y, **kwargs)


def _refused(entry, case, monkeypatch):
    """The message of ``entry``'s refusal of ``case``; fails if any fold task starts (in run_folds, or while
    will_parallel_pay times a fold)."""
    import cvkit.runner

    def boom(*args, **kwargs):
        raise AssertionError("a fold was dispatched despite bad input")

    with monkeypatch.context() as patch:
        patch.setattr(cvkit.runner, "fit_and_score_fold", boom)
        with pytest.raises(case.error) as info:
            _call(entry, case)
    return str(info.value)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_run_folds_refuses_before_dispatch(case, monkeypatch):
    assert _refused(run_folds, case, monkeypatch) == case.message


@pytest.mark.parametrize("case", [c for c in CASES if c.advice], ids=[c.id for c in CASES if c.advice])
def test_will_parallel_pay_refuses_alike(case, monkeypatch):
    assert _refused(will_parallel_pay, case, monkeypatch) == case.message


def test_the_next_run_works(monkeypatch):
    """Every refusal leaves nothing behind: a good run right after each one finishes every fold in parallel."""
    for case in CASES:
        _refused(run_folds, case, monkeypatch)
        result = run_folds(SVC(), X4, Y4, cv=2, n_jobs=2)
        assert result.complete and len(result.scores) == 2, case.id


def _readme_rows():
    text = README.read_text()
    section = text.split("### Bad input, and what you see", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (.+?) \| `(.+)` \|$", section, flags=re.M)
    return [row for row in rows if row[0] != "input"]


def readme_table():
    """The README's table, as :data:`CASES` makes it (``python tests/test_bad_input.py`` prints it)."""
    lines = ["| input | message |", "|---|---|"]
    lines += [f"| {case.shown} | `{case.message}` |" for case in CASES]
    return "\n".join(lines)


def test_readme_table_lists_every_case():
    assert _readme_rows() == [(case.shown, case.message) for case in CASES], (
        "the README's bad-input table is out of date; paste the output of `python tests/test_bad_input.py`"
    )


# ---- what is not refused ----------------------------------------------------------------------------------------
def test_nan_in_X_accepted_by_an_estimator_that_handles_it():
    X = X4.copy()
    X[3, 1] = np.nan
    result = run_folds(make_pipeline(SimpleImputer(), SVC()), X, Y4, cv=2)
    assert result.complete


def test_text_in_X_accepted_by_a_pipeline_that_encodes_it():
    X = np.array([["red", "small"], ["blue", "big"]] * 10, dtype=object)
    result = run_folds(make_pipeline(OneHotEncoder(handle_unknown="ignore"), SVC()), X, Y4, cv=2)
    assert result.complete


def test_documents_accepted_by_a_pipeline_that_starts_with_a_vectorizer():
    """A text vectorizer takes a 1-d list of documents (its input tags say so): 1-d X is not refused for it."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = ["good movie", "bad film", "great plot", "awful acting", "nice", "terrible"] * 4
    result = run_folds(make_pipeline(TfidfVectorizer(), SVC()), docs, [1, 0] * 12, cv=3)
    assert result.complete


def test_a_fold_that_only_some_folds_fail_on_stays_a_fold_failure():
    """Training sets of one class in *some* folds only: not refused; those folds fail, the others are kept."""
    y = np.array([0] * 10 + [1] * 5 + [0] * 5)
    with pytest.warns(RuntimeWarning, match="1 of 4 folds failed"):
        result = run_folds(SVC(), X4, y, cv=KFold(4))
    assert [r.status for r in result.folds] == ["done", "done", "failed", "done"]


def test_unknown_dataset():
    with pytest.raises(ValueError, match=re.escape("name='mnist' is not allowed; allowed: 'iris'")):
        cvkit.load_dataset("mnist")
    with pytest.raises(ValueError, match="n_samples only with 'synthetic'"):
        cvkit.load_dataset("iris", n_samples=10)


def test_timeout_warns_when_serial():
    with pytest.warns(UserWarning, match="timeout=5 is not applied when the run is serial"):
        run_folds(SVC(), X4, Y4, cv=2, n_jobs=1, timeout=5)


if __name__ == "__main__":
    sys.stdout.write(readme_table() + "\n")
