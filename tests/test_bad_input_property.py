"""Property: for any input, broken or not, run_folds either refuses it before dispatch with a clear message, or
gives the scores scikit-learn's ``cross_validate`` gives on the same input, and never returns a run in which every
fold failed for one and the same reason (that input should have been refused)."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, cross_validate
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier

import cvkit.runner
from cvkit import run_folds

BREAKS = [
    "non-finite X",
    "1-d X",
    "3-d X",
    "no rows",
    "no columns",
    "complex X",
    "text in X",
    "numeric text in X",
    "int X",
    "y one short",
    "y one long",
    "2-d y",
    "missing label",
    "continuous y",
    "string labels",
    "single class",
    "a lone class",
    "sorted y",
    "groups",
    "groups wrong length",
    "few groups",
]


@st.composite
def inputs(draw):
    """A valid input (finite X, 2 or 3 classes), then 0 to 2 breakages drawn from BREAKS."""
    n_rows, n_cols = draw(st.integers(4, 14)), draw(st.integers(1, 3))
    cells = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
    X = np.array(draw(st.lists(cells, min_size=n_rows * n_cols, max_size=n_rows * n_cols))).reshape(n_rows, n_cols)
    n_classes = draw(st.sampled_from([2, 2, 3]))
    y = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n_rows, max_size=n_rows)))
    k = draw(st.integers(2, 5))
    cv = draw(st.sampled_from([k, KFold(k), KFold(k, shuffle=True, random_state=0), StratifiedKFold(k), GroupKFold(k)]))
    groups = np.arange(n_rows) % max(k, 2) if isinstance(cv, GroupKFold) else None
    scoring = draw(st.sampled_from(["f1_weighted", "f1_weighted", "accuracy", "f1", "roc_auc", "neg_log_loss"]))
    estimator = draw(
        st.sampled_from(
            [SVC(), SVC(), SVC(probability=True, random_state=0), DecisionTreeClassifier(random_state=0), SVR()]
        )
    )
    for broken in draw(st.lists(st.sampled_from(BREAKS), max_size=2, unique=True)):
        if broken == "non-finite X" and X.dtype.kind == "f" and X.size:
            X.flat[draw(st.integers(0, X.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        elif broken == "1-d X" and X.ndim == 2 and X.shape[1]:
            X = X[:, 0]
        elif broken == "3-d X":
            X = X[..., None]
        elif broken == "no rows":
            X, y = X[:0], y[:0]
        elif broken == "no columns" and X.ndim == 2:
            X = X[:, :0]
        elif broken == "complex X" and X.dtype.kind in "fi":
            X = X + 1j
        elif broken == "text in X" and X.size:
            X = X.astype(object)
            X.flat[draw(st.integers(0, X.size - 1))] = "red"
        elif broken == "numeric text in X":
            X = X.astype(str)
        elif broken == "int X" and X.dtype.kind == "f":
            X = np.nan_to_num(X, posinf=9, neginf=-9).astype(int)
        elif broken == "y one short":
            y = y[:-1]
        elif broken == "y one long":
            y = np.r_[y, y[:1]]
        elif broken == "2-d y":
            y = np.c_[y, y]
        elif broken == "missing label" and y.ndim == 1 and len(y):
            y = y.astype(draw(st.sampled_from([float, object])))
            y[draw(st.integers(0, len(y) - 1))] = draw(st.sampled_from([np.nan, None])) if y.dtype == object else np.nan
        elif broken == "continuous y" and y.ndim == 1 and y.dtype.kind in "iuf":
            y = y + draw(st.floats(0.1, 0.9))
        elif broken == "string labels" and y.ndim == 1 and y.dtype.kind in "iu":
            y = np.array(["a", "b", "c"])[y]
        elif broken == "single class":
            y = np.zeros_like(y)
        elif broken == "a lone class" and y.ndim == 1 and len(y):
            y = y.copy()
            y[-1] = 7
        elif broken == "sorted y" and y.dtype.kind != "O":
            y = np.sort(y, axis=0)
        elif broken == "groups":
            groups = None if groups is not None else np.arange(len(X)) % 2
        elif broken == "groups wrong length":
            groups = np.arange(len(X) + 1) % 3
        elif broken == "few groups":
            groups = np.zeros(len(X), dtype=int)
    return estimator, X, y, cv, groups, scoring


def _same(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, equal_nan=True, rtol=1e-12, atol=0)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=inputs())
def test_refused_before_dispatch_or_equal_to_cross_validate(case):
    estimator, X, y, cv, groups, scoring = case
    dispatched = []
    real = cvkit.runner.fit_and_score_fold

    def counting(*args, **kwargs):
        dispatched.append(args[5])  # the fold number
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        patch.setattr(cvkit.runner, "fit_and_score_fold", counting)
        try:
            result = run_folds(clone(estimator), X, y, cv=cv, groups=groups, scoring=scoring, n_jobs=1)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            event(f"refused: {message.split(';')[0].split(' (')[0][:40]}")
            assert not dispatched, f"refused after dispatching folds {dispatched}: {message}"
            assert "allowed" in message.lower() and "\n" not in message, message
            return
        expected = cross_validate(clone(estimator), X, y, cv=cv, groups=groups, scoring=scoring, error_score=np.nan)[
            "test_score"
        ]
    event(f"ran: {sum(r.status == 'failed' for r in result.folds)} of {len(result.folds)} folds failed")
    assert _same(result.scores, expected), (result.scores, expected)
    failed = [r for r in result.folds if r.status == "failed"]
    reasons = {(r.error_type, r.error_message) for r in failed}
    assert not (len(failed) == len(result.folds) and len(reasons) == 1), (
        f"every fold failed for the same reason, which should have been refused before dispatch: {reasons}"
    )
