"""cvkit.lab.reproducibility: BLAS threads here and in loky's workers; cross_validate results compared exactly."""

import os

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_validate
from threadpoolctl import threadpool_limits

from cvkit.lab.reproducibility import blas_threads, compare_cv_results, worker_blas_threads

THREAD_VARIABLES_SET = any(v in os.environ for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"))


def test_blas_threads_follows_threadpool_limits():
    assert blas_threads() >= 1
    with threadpool_limits(limits=1, user_api="blas"):
        assert blas_threads() == 1


@pytest.mark.skipif(THREAD_VARIABLES_SET, reason="a *_NUM_THREADS variable overrides loky's default limit")
def test_workers_get_cpu_count_over_n_jobs_threads():
    assert worker_blas_threads(n_jobs=2) == max(joblib.cpu_count() // 2, 1)


def test_inner_max_num_threads_sets_the_workers_limit():
    assert worker_blas_threads(n_jobs=2, inner_max_num_threads=1) == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_jobs": 1}, "n_jobs=1 is not allowed; allowed: an integer >= 2."),
        (
            {"n_jobs": 2, "inner_max_num_threads": 0},
            "inner_max_num_threads=0 is not allowed; allowed: an integer >= 1.",
        ),
    ],
)
def test_worker_blas_threads_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        worker_blas_threads(**kwargs)


class Fitted:
    def __init__(self, coef):
        self.coef_ = np.asarray(coef, dtype=float)


def result(scores, coefs):
    return {"test_score": np.asarray(scores, dtype=float), "estimator": [Fitted(c) for c in coefs]}


def test_identical_results():
    a = result([0.9, np.nan], [[1.0, 2.0], [3.0, 4.0]])
    same = compare_cv_results(a, result([0.9, np.nan], [[1.0, 2.0], [3.0, 4.0]]))
    assert same.identical and same.largest_difference == 0.0 and same.digits_in_common is None
    assert str(same) == "identical: test scores and coef_ equal in all 2 folds"


def test_last_digit_differences_are_counted_and_sized():
    a = result([0.9, 0.8], [[1.0, 2.0], [3.0, 4.0]])
    b = result([0.9, 0.8 + 1e-15], [[1.0, 2.0], [3.0, 4.0 * (1 + 3e-12)]])
    diff = compare_cv_results(a, b)
    assert not diff.identical
    assert diff.scores_equal == (True, False) and diff.params_equal == (True, False)
    assert diff.largest_difference == pytest.approx(1.2e-11, rel=1e-3)
    assert diff.digits_in_common == 11  # 1.2e-11 on values up to 4: a relative difference of 3e-12
    assert str(diff).startswith("test scores equal in 1 of 2 folds, coef_ equal in 1 of 2; largest difference 1.2e-11")


def test_scores_only_and_several_metrics():
    a = {"test_f1": np.array([0.5, 1.0]), "test_accuracy": np.array([0.5, 1.0])}
    b = {"test_f1": np.array([0.5, 1.0]), "test_accuracy": np.array([0.5, 0.75])}
    diff = compare_cv_results(a, b, attribute=None)
    assert diff.scores_equal == (True, False) and diff.params_equal == ()
    assert str(diff).startswith("test scores equal in 1 of 2 folds; largest difference 2.5e-01")


def test_bad_inputs():
    a = result([0.9], [[1.0]])
    with pytest.raises(TypeError, match="other=list is not allowed"):
        compare_cv_results(a, [0.9])
    with pytest.raises(ValueError, match="has no 'estimator' key"):
        compare_cv_results(a, {"test_score": np.array([0.9])})
    with pytest.raises(ValueError, match="different scores"):
        compare_cv_results({"test_f1": np.array([1.0])}, {"test_score": np.array([1.0])}, attribute=None)
    with pytest.raises(ValueError, match="different numbers of folds"):
        compare_cv_results(a, result([0.9, 0.9], [[1.0], [1.0]]))


def test_a_seeded_forest_is_identical_in_serial_and_parallel():
    X, y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=10, random_state=0)
    runs = [cross_validate(forest, X, y, cv=3, n_jobs=n_jobs, return_estimator=True) for n_jobs in (1, 2)]
    assert compare_cv_results(*runs, attribute="feature_importances_").identical


def test_one_blas_thread_on_both_sides_makes_an_iterative_solver_identical():
    from joblib import parallel_config
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=40, n_features=10_000, n_informative=10, random_state=0)
    settings = dict(cv=3, scoring="neg_log_loss", return_estimator=True)
    with threadpool_limits(limits=1, user_api="blas"):
        serial = cross_validate(LogisticRegression(), X, y, n_jobs=1, **settings)
    with parallel_config(backend="loky", inner_max_num_threads=1):
        parallel = cross_validate(LogisticRegression(), X, y, n_jobs=2, **settings)
    assert compare_cv_results(serial, parallel).identical
