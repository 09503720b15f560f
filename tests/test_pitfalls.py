"""The shared-estimator pitfall: wrong under threads, lucky under loky, right with a clone — the same every run."""

import contextlib
import os
import pickle
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from joblib import parallel_config
from joblib.parallel import LokyBackend, ThreadingBackend
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.svm import SVC

from cvkit import load_dataset
from cvkit.lab.pitfalls import SlowModel, answer_task, clone_task, fingerprint, run_fold_task


@pytest.fixture(scope="module")
def tiny():
    return load_dataset("synthetic", n_samples="tiny")


def test_every_fold_scores_differently_with_any_other_folds_model(tiny):
    """Why the lesson's data shows the bug whichever fold of a pair fits last: any other fold's model scores higher."""
    X, y = tiny
    for cv in (4, 5):
        splits = list(StratifiedKFold(cv).split(X, y))
        models = [SVC().fit(X[train], y[train]) for train, _ in splits]
        for i, (_, test) in enumerate(splits):
            own = f1_score(y[test], models[i].predict(X[test]), average="weighted")
            others = [f1_score(y[test], m.predict(X[test]), average="weighted") for j, m in enumerate(models) if j != i]
            assert own < min(others), (cv, i)  # it was trained on this fold's test rows: too good


@pytest.mark.parametrize("backend", ["threading", ThreadingBackend()], ids=["name", "instance"])
def test_shared_model_goes_wrong_under_threads(backend, tiny):
    X, y = tiny
    run = run_fold_task(answer_task, SVC(), X, y, cv=5, backend=backend, n_jobs=2)
    assert run.backend == "threading"
    assert not run.same_as_serial
    assert len(run.foreign_predictions) == 2  # one fold of each pair that ran at once
    pairs = [{0, 1}, {2, 3}]
    for fold in run.foreign_predictions:
        pair = next(p for p in pairs if fold in p)
        assert run.predicted_by[fold] in pair - {fold}
    assert run.predicted_by[4] == 4  # the last fold ran alone
    assert run.model_fitted_on == 4
    assert "fitted, on fold 4's training rows" in str(run)


def test_enclosing_parallel_config_chooses_the_backend(tiny):
    X, y = tiny
    with parallel_config(backend="threading", n_jobs=2):
        run = run_fold_task(answer_task, SVC(), X, y, cv=5, n_jobs=None)
    assert (run.backend, run.n_jobs) == ("threading", 2)
    assert len(run.foreign_predictions) == 2


@pytest.mark.parametrize("backend", ["loky", LokyBackend(), "multiprocessing"], ids=["loky", "LokyBackend()", "mp"])
def test_shared_model_happens_to_work_in_processes(backend, tiny):
    X, y = tiny
    run = run_fold_task(answer_task, SVC(), X, y, cv=5, backend=backend, n_jobs=2)
    assert run.same_as_serial
    assert run.predicted_by == (0, 1, 2, 3, 4)  # each task fitted its own pickled copy
    assert run.model_fitted_on is None  # the caller's object was never fitted
    assert "still unfitted" in str(run)


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_clone_per_fold_is_right_everywhere(backend, tiny):
    X, y = tiny
    run = run_fold_task(clone_task, SVC(), X, y, cv=5, backend=backend, n_jobs=2)
    assert run.same_as_serial and run.foreign_predictions == []
    assert run.predicted_by == (None,) * 5  # no task predicted through the shared object
    assert run.model_fitted_on is None


def test_serial_run_of_the_answer_is_right_but_leaks_the_last_fit(tiny):
    X, y = tiny
    run = run_fold_task(answer_task, SVC(), X, y, cv=3, n_jobs=1, fit_pause=0, predict_pause=0)
    assert run.backend == "serial" and run.same_as_serial
    assert run.model_fitted_on == 2


def test_serial_scores_are_cross_validates(tiny):
    X, y = tiny
    run = run_fold_task(clone_task, SVC(), X, y, cv=4, backend="threading", n_jobs=2, fit_pause=0, predict_pause=0)
    reference = cross_validate(SVC(), X, y, cv=StratifiedKFold(4), scoring="f1_weighted")["test_score"]
    assert run.serial_scores.tolist() == reference.tolist()
    assert run.scores.tolist() == reference.tolist()


def test_slow_model_records_per_thread_and_survives_clone_and_pickle(tiny):
    X, y = tiny
    model = SlowModel(SVC(), fit_pause=0, predict_pause=0)
    assert clone(model).get_params()["fit_pause"] == 0
    seen = {}

    def predict_after_fit(rows):
        model.fit(X[rows], y[rows])
        model.predict(X[:5])
        seen[rows.start] = model.predicted_with_

    first = threading.Thread(target=predict_after_fit, args=(slice(0, 100),))
    first.start()
    first.join()
    predict_after_fit(slice(100, 200))
    assert seen == {0: fingerprint(X[0:100]), 100: fingerprint(X[100:200])}
    assert model.fitted_on_ == fingerprint(X[100:200])
    copy = pickle.loads(pickle.dumps(model))  # the per-thread record stays behind
    assert copy.predicted_with_ is None and copy.fitted_on_ == model.fitted_on_
    np.testing.assert_array_equal(copy.predict(X), model.predict(X))


def test_bad_input_is_refused_before_running(tiny):
    X, y = tiny
    with pytest.raises(TypeError, match="task='answer' is not allowed"):
        run_fold_task("answer", SVC(), X, y)
    with pytest.raises(TypeError, match="X of type list and y of type ndarray are not allowed"):
        run_fold_task(answer_task, SVC(), X.tolist(), y)
    with pytest.raises(ValueError, match="cv=1 is not allowed; allowed: an integer >= 2."):
        run_fold_task(answer_task, SVC(), X, y, cv=1)
    with pytest.raises(ValueError, match="backend='thread' is not allowed"):
        run_fold_task(answer_task, SVC(), X, y, backend="thread")


@contextlib.contextmanager
def _spinning(n=2):
    """``n`` CPU-bound processes running (every core busy on a 2-core machine), killed afterwards."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        time.sleep(0.2)  # let them start spinning
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


@contextlib.contextmanager
def _one_core(pin):
    """Pin this thread (and the threads and processes it starts) to one core, as ``taskset -c 0`` would."""
    if not pin or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@pytest.mark.parametrize("pin", [False, True], ids=["all cores", "one core"])
def test_threads_interleave_the_same_way_with_every_core_busy(pin, tiny):
    """The lesson's counts are facts, not luck: the same 10 times while 2 other processes spin, on 1 core or all."""
    X, y = tiny
    outcomes = set()
    with _one_core(pin), _spinning(2):
        for _ in range(10):
            run = run_fold_task(answer_task, SVC(), X, y, cv=5, backend="threading", n_jobs=2)
            pairs_ok = all(run.predicted_by[f] in ({0, 1} if f < 2 else {2, 3}) - {f} for f in run.foreign_predictions)
            outcomes.add((run.same_as_serial, len(run.foreign_predictions), run.model_fitted_on, pairs_ok))
    assert outcomes == {(False, 2, 4, True)}


def test_a_thread_alone_waits_the_pauses_and_goes_on(tiny):
    """No partner (the last odd fold, a process worker's own copy): fit waits fit_pause, predict predict_pause."""
    X, y = tiny
    model = SlowModel(SVC(), fit_pause=0.2, predict_pause=0.1)
    start = time.perf_counter()
    model.fit(X, y)
    fitted = time.perf_counter()
    model.predict(X[:5])
    done = time.perf_counter()
    assert 0.2 <= fitted - start < 5 and 0.1 <= done - fitted < 5
    assert model.predicted_with_ == fingerprint(X)


_starve_lock = threading.Lock()
_starve_calls = [0]


class _StarvedSVC(SVC):
    """An SVC whose every second fit is held up 0.3 s, longer than SlowModel's pauses: a thread starved of a core."""

    def fit(self, X, y, sample_weight=None):
        with _starve_lock:
            n = _starve_calls[0]
            _starve_calls[0] += 1
        if n % 2:
            time.sleep(0.3)
        return super().fit(X, y, sample_weight=sample_weight)


def test_the_interleaving_does_not_rest_on_timing_margins(tiny):
    """One thread of each pair far slower than the pauses (as on a busy hub): the pair still meets the same way."""
    X, y = tiny
    _starve_calls[0] = 0
    run = run_fold_task(answer_task, _StarvedSVC(), X, y, cv=4, backend="threading", n_jobs=2)
    assert not run.same_as_serial and len(run.foreign_predictions) == 2
    assert run.model_fitted_on in (2, 3)
