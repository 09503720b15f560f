"""Tests of cvkit.lab.shared_answer, the tools of lesson 02: in_lockstep forces its order on any machine and leaves
the estimator class as it found it; tasks_sent_ahead counts what pre_dispatch sends; capture_streams keeps stdout
and stderr apart; a module's globals do not reach worker processes. Also the joblib behaviour lesson 02 states."""

import sys
import threading

import numpy as np
import pytest
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC
from sklearn.svm._base import BaseLibSVM

import cvkit.lab.shared_answer as shared_answer
from cvkit.exercises.lesson01 import OLD_F1
from cvkit.lab.shared_answer import capture_streams, data_seen_here, in_lockstep, tasks_sent_ahead


def _rows_fitted(model, X, y, rows):
    """Fit ``model`` on ``rows``; return how many rows the model holds when this task goes on."""
    return model.fit(X[rows], y[rows]).shape_fit_[0]


# ------------------------------------------------------------------------------------------ in_lockstep
def test_a_shared_model_always_holds_the_last_fit(iris):
    X, y = iris
    shared = SVC()
    rows = [np.arange(150), np.arange(0, 150, 2), np.arange(0, 150, 3)]
    for _ in range(5):  # the order is forced, not likely: the same every time
        assert in_lockstep([delayed(_rows_fitted)(shared, X, y, r) for r in rows]) == [50, 50, 50]
    assert in_lockstep([delayed(_rows_fitted)(clone(shared), X, y, r) for r in rows]) == [150, 75, 50]


def test_the_published_answer_in_lockstep_scores_fold_0_with_fold_1s_model(iris):
    """What lesson 02 shows: the answer's train, on folds 0 and 1 in lockstep threads."""
    X, y = iris
    splits = list(StratifiedKFold(5).split(X, y))
    clf = SVC(kernel="rbf", C=1.0, gamma=0.25)

    def train(train_index, test_index):
        clf.fit(X[train_index], y[train_index])
        return f1_score(y[test_index], clf.predict(X[test_index]), average="weighted")

    assert in_lockstep([delayed(train)(tr, te) for tr, te in splits[:2]]) == [1.0, 1.0]
    assert OLD_F1[:2] != [1.0, 1.0]


class _Recorder(ClassifierMixin, BaseEstimator):
    """Writes down the order of its fits (by tag) and says which tag it holds."""

    def __init__(self, tag=0, log=None):
        self.tag = tag
        self.log = log

    def fit(self, X=None, y=None):
        self.log.append(self.tag)
        self.fitted_ = self.tag
        return self


def _fit_and_report(model):
    return model.fit().fitted_


def test_fits_run_in_task_order_and_the_class_is_restored():
    own_fit = _Recorder.__dict__["fit"]
    for _ in range(3):
        log = []
        models = [_Recorder(tag, log) for tag in (0, 1, 2, 3)]
        assert in_lockstep([delayed(_fit_and_report)(m) for m in models], estimator_class=_Recorder) == [0, 1, 2, 3]
        assert log == [0, 1, 2, 3]
    assert _Recorder.__dict__["fit"] is own_fit
    assert "fit" not in SVC.__dict__ and SVC.fit is BaseLibSVM.fit


def test_tasks_that_fit_nothing_or_fail_do_not_hang(iris):
    X, y = iris
    assert in_lockstep([delayed(len)([1, 2]), delayed(len)([1])], timeout=5) == [2, 1]
    assert in_lockstep([delayed(len)([1]), delayed(_rows_fitted)(SVC(), X, y, np.arange(150))], timeout=5) == [1, 150]

    def boom():
        raise KeyError("before any fit")

    with pytest.raises(KeyError, match="before any fit"):
        in_lockstep([delayed(boom)(), delayed(_rows_fitted)(SVC(), X, y, np.arange(150))], timeout=5)
    assert "fit" not in SVC.__dict__


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tasks": [delayed(len)([1])]}, "a list of 2 to 16 delayed"),
        ({"tasks": [len, len]}, "a list of 2 to 16 delayed"),
        ({"tasks": 3}, "a list of 2 to 16 delayed"),
        ({"tasks": [delayed(len)([1])] * 2, "estimator_class": "SVC"}, "estimator_class='SVC' is not allowed"),
        ({"tasks": [delayed(len)([1])] * 2, "timeout": 0}, "timeout=0 is not allowed"),
    ],
)
def test_in_lockstep_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        in_lockstep(**kwargs)


def test_threads_of_other_callers_are_not_held(iris):
    """A fit of an SVC in a thread that is not one of the tasks passes straight through while in_lockstep runs."""
    X, y = iris
    inside, outsider_done, outside = threading.Event(), threading.Event(), []

    def task():
        inside.set()  # the patch is in place now
        outsider_done.wait(5)  # a held outsider would make this wait time out, and outside stay empty
        return _rows_fitted(SVC(), X, y, np.arange(150))

    def outsider():
        inside.wait(10)
        outside.append(SVC().fit(X, y).shape_fit_[0])
        outsider_done.set()

    thread = threading.Thread(target=outsider)
    thread.start()
    assert in_lockstep([delayed(task)(), delayed(task)()], timeout=10) == [150, 150]
    thread.join(10)
    assert outside == [150]


# ------------------------------------------------------------------------------------------ tasks_sent_ahead
@pytest.mark.parametrize(
    "pre_dispatch, n_tasks, n_jobs, expected",
    [("1.5*n_jobs", 5, 2, 3), ("2*n_jobs", 5, 2, 4), ("1.5*n_jobs", 6, 3, 4), ("2*n_jobs", 3, 2, 3), (2, 5, 2, 2)],
)
def test_tasks_sent_ahead_is_the_int_of_pre_dispatch(pre_dispatch, n_tasks, n_jobs, expected):
    assert tasks_sent_ahead(pre_dispatch, n_tasks=n_tasks, n_jobs=n_jobs) == expected


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n_tasks": 0}, "n_tasks=0"), ({"n_jobs": 1.5}, "n_jobs=1.5"), ({"task_seconds": -1}, "task_seconds=-1")],
)
def test_tasks_sent_ahead_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tasks_sent_ahead("2*n_jobs", **kwargs)


# ------------------------------------------------------------------------------------------ capture_streams
@pytest.mark.parametrize("verbose, stream", [(100, "stdout"), (50, "stdout"), (49, "stderr"), (10, "stderr")])
def test_parallel_progress_goes_to_stdout_above_50(verbose, stream):
    run = capture_streams(lambda: Parallel(n_jobs=2, verbose=verbose)(delayed(abs)(-i) for i in range(5)))
    assert run.result == [0, 1, 2, 3, 4]
    lines, other = (run.stdout, run.stderr) if stream == "stdout" else (run.stderr, run.stdout)
    assert other == [] and lines[0].endswith("concurrent workers.") and lines[-1].endswith("finished")


def test_capture_streams_does_not_wait_without_output():
    import time

    start = time.perf_counter()
    assert capture_streams(lambda: 7, timeout=5).result == 7
    assert time.perf_counter() - start < 1


def test_capture_streams_waits_for_a_late_last_line():
    """As joblib's helper thread can: an early line that says finished, then the real last line a moment later."""

    def call():
        print("Done 1 out of 1 finished")
        threading.Timer(0.02, lambda: print("Done 5 out of 5 finished")).start()
        return "returned"

    run = capture_streams(call)
    assert run.result == "returned" and run.stdout == ["Done 1 out of 1 finished", "Done 5 out of 5 finished"]


def test_capture_streams_gives_up_after_its_timeout():
    import time

    start = time.perf_counter()
    assert capture_streams(lambda: print("still going"), timeout=0.3).stdout == ["still going"]
    assert time.perf_counter() - start < 2


def test_capture_streams_refuses_a_non_callable():
    with pytest.raises(ValueError, match="func=3 is not allowed"):
        capture_streams(3)


def test_streams_are_restored():
    out, err = sys.stdout, sys.stderr
    capture_streams(lambda: print("x"), until="")
    assert sys.stdout is out and sys.stderr is err


# ------------------------------------------------------------------------------------------ what lesson 02 states
def test_module_globals_do_not_reach_workers(iris):
    X, y = iris
    try:
        shared_answer.X, shared_answer.y = X, y
        assert data_seen_here() == (150, 4)
        assert Parallel(n_jobs=2, backend="threading")(delayed(data_seen_here)() for _ in range(2)) == [(150, 4)] * 2
        assert Parallel(n_jobs=2, backend="loky")(delayed(data_seen_here)() for _ in range(2)) == [None, None]
    finally:
        shared_answer.X = shared_answer.y = None


def _pids(verbose):
    """The pids of the workers of a call with this verbose: 4 tasks of 0.3 s on 2 workers, so both take one."""

    def sleepy_pid():
        import os
        import time

        time.sleep(0.3)
        return os.getpid()

    return set(
        capture_streams(lambda: Parallel(n_jobs=2, verbose=verbose)(delayed(sleepy_pid)() for _ in range(4))).result
    )


def test_a_verbose_above_50_replaces_lokys_workers():
    """joblib hands max(0, verbose - 50) to loky's pool, which is reused only with unchanged settings."""
    first = _pids(0)
    assert _pids(50) & first  # 0 and 50 both hand 0 to the pool: the same workers
    high = _pids(100)
    assert not high & first
    assert not _pids(10) & high


def test_a_list_filled_in_the_task_stays_empty_under_loky():
    filled = []

    def append(i):
        filled.append(i)

    Parallel(n_jobs=2, backend="loky")(delayed(append)(i) for i in range(5))
    assert filled == []
    Parallel(n_jobs=2, backend="threading")(delayed(append)(i) for i in range(5))
    assert sorted(filled) == [0, 1, 2, 3, 4]
