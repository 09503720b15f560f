"""Parallel fold scores equal the serial loop's and cross_validate's, for every backend and n_jobs."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from joblib import parallel_backend, parallel_config
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from cvkit import run_folds

BACKENDS = ["loky", "threading", "multiprocessing"]
N_JOBS = [1, 2, -1]


def serial_loop(estimator, X, y, cv):
    """The question's loop, written out: one fresh fit per fold."""
    f1s, matrices = [], []
    for train, test in cv.split(X, y):
        model = estimator.fit(X[train], y[train])
        pred = model.predict(X[test])
        f1s.append(f1_score(y[test], pred, average="weighted"))
        matrices.append(confusion_matrix(y[test], pred, labels=np.unique(y)))
    return f1s, matrices


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n_jobs", N_JOBS)
def test_parallel_equals_serial_and_cross_validate(backend, n_jobs, iris):
    X, y = iris
    cv = StratifiedKFold(5)
    result = run_folds(SVC(), X, y, cv=cv, n_jobs=n_jobs, backend=backend)
    f1s, matrices = serial_loop(SVC(), X, y, cv)
    reference = cross_validate(SVC(), X, y, cv=cv, scoring="f1_weighted")
    assert result.scores.tolist() == f1s  # exactly, not approximately
    assert result.scores.tolist() == reference["test_score"].tolist()
    for fold, matrix in zip(result.folds, matrices):
        np.testing.assert_array_equal(fold.confusion_matrix, matrix)
    assert result.complete and result.message == "all folds finished"
    assert result.n_jobs == (1 if n_jobs == 1 else (2 if n_jobs == 2 else __import__("joblib").cpu_count()))
    assert result.backend == ("serial" if result.n_jobs == 1 else backend)


def _instance(name):
    """A joblib backend instance, obtained through joblib's public configuration (no private import)."""
    import joblib

    from cvkit.compat import active_backend

    with joblib.parallel_config(backend=name):
        return type(active_backend()[0])()


@pytest.mark.parametrize(
    "backend", [_instance("loky"), _instance("threading")], ids=["LokyBackend()", "ThreadingBackend()"]
)
def test_backend_instance(backend, wine):
    X, y = wine
    result = run_folds(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=4, n_jobs=2, backend=backend)
    reference = cross_validate(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=4, scoring="f1_weighted")
    assert result.scores.tolist() == reference["test_score"].tolist()
    assert result.backend in ("loky", "threading")


@pytest.mark.parametrize("config", ["parallel_config", "parallel_backend"])
def test_enclosing_config_sets_backend_and_n_jobs(config, iris):
    X, y = iris
    if config == "parallel_config":
        ctx = parallel_config(backend="threading", n_jobs=2)
    else:
        ctx = parallel_backend("threading", n_jobs=2)
    with ctx:
        result = run_folds(SVC(), X, y)
    assert (result.backend, result.n_jobs) == ("threading", 2)
    assert len({t.pid for t in result.traces}) == 1  # threads: one process
    assert result.scores.tolist() == cross_validate(SVC(), X, y, scoring="f1_weighted")["test_score"].tolist()


def test_parallel_backend_defaults_to_all_cores(iris):
    """The older parallel_backend sets n_jobs=-1 when not given; parallel_config leaves it alone."""
    X, y = iris
    with parallel_backend("threading"):
        assert run_folds(SVC(), X, y).n_jobs == __import__("joblib").cpu_count()
    with parallel_config(backend="threading"):
        assert run_folds(SVC(), X, y).n_jobs == 1


@pytest.mark.parametrize("scoring", ["accuracy", "f1_macro", "balanced_accuracy", "roc_auc_ovr", "neg_log_loss"])
def test_any_scorer_matches_cross_validate(scoring, wine):
    X, y = wine
    estimator = make_pipeline(StandardScaler(), LogisticRegression())
    result = run_folds(estimator, X, y, cv=3, scoring=scoring, n_jobs=2, backend="threading")
    reference = cross_validate(estimator, X, y, cv=3, scoring=scoring)["test_score"]
    assert result.scores.tolist() == reference.tolist()
    assert result.scoring == scoring


def test_each_fold_fits_its_own_clone(iris):
    X, y = iris
    estimator = SVC()
    run_folds(estimator, X, y, n_jobs=2, backend="threading")
    assert not hasattr(estimator, "support_"), "the caller's estimator must stay unfitted"


def test_pandas_sparse_and_string_labels(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    frame = pd.DataFrame(X, columns=list("abcd"))
    dense = run_folds(SVC(), X, names, n_jobs=2, backend="loky")
    for X_variant in (frame, sp.csr_matrix(X), sp.coo_matrix(X)):
        result = run_folds(SVC(), X_variant, pd.Series(names), n_jobs=2, backend="threading")
        assert result.scores.tolist() == dense.scores.tolist()
    assert dense.labels.tolist() == ["setosa", "versicolor", "virginica"]
    assert dense.confusion_matrix_sum.sum() == 150


def test_cv_results_view_and_table(iris):
    X, y = iris
    result = run_folds(SVC(), X, y, cv=KFold(3, shuffle=True, random_state=0))
    view = result.cv_results()
    assert set(view) == {"fit_time", "score_time", "test_score"}
    assert view["test_score"].shape == (3,) and (view["fit_time"] > 0).all()
    table = result.to_frame(timings=False)
    assert list(table.columns) == ["status", "f1_weighted", "n_test"]
    assert table["n_test"].sum() == 150
    assert "worker" in result.to_frame().columns
    assert "over 3/3 folds" in result.summary()
