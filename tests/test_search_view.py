"""cvkit.lab.search_recorder: a scikit-learn GridSearchCV recorded task by task, from loky workers, threads and serially."""

import os
import threading
import time
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from cvkit.lab.search_recorder import SearchRecorder, watch_search
from cvkit.lab.search_records import SearchTask
from cvkit.model import Schedule

GRID = {"C": [0.1, 1.0, 10.0]}  # 3 candidates
CV = 4  # 4 folds: 12 (candidate, fold) fits, then one refit of the best candidate
PAIRS = {(c, f) for c in range(3) for f in range(CV)}


@pytest.fixture(scope="module")
def Xy():
    return load_iris(return_X_y=True)


def _comparable(cv_results):
    """cv_results_ without the timing columns (they differ from run to run)."""
    return {k: v for k, v in cv_results.items() if "time" not in k}


def _assert_same_results(a, b):
    ra, rb = _comparable(a.cv_results_), _comparable(b.cv_results_)
    assert ra.keys() == rb.keys()
    for key in ra:
        if key == "params":
            assert ra[key] == rb[key]
        else:
            np.testing.assert_array_equal(np.asarray(ra[key]), np.asarray(rb[key]), err_msg=key)
    assert a.best_params_ == b.best_params_
    assert a.best_index_ == b.best_index_


@pytest.fixture(scope="module")
def loky_run(Xy):
    """One 3 × 4 GridSearchCV(SVC) on iris with n_jobs=2 (loky), recorded, with the arrival of every event."""
    X, y = Xy
    arrivals = []
    search = GridSearchCV(SVC(), GRID, cv=CV, n_jobs=2)

    def on_event(kind, task):
        # the search has no cv_results_ until its fit is over: an event seen without it arrived during the fit
        arrivals.append((kind, task, time.time(), hasattr(search, "cv_results_"), threading.get_ident()))

    recorder = SearchRecorder(on_event=on_event)
    search.set_callbacks(recorder)
    fit_started = time.time()
    search.fit(X, y)
    fit_returned = time.time()
    return {"search": search, "recorder": recorder, "arrivals": arrivals,
            "fit_started": fit_started, "fit_returned": fit_returned}  # fmt: skip


def test_loky_records_twelve_fits_and_one_refit(loky_run):
    recorder, search = loky_run["recorder"], loky_run["search"]
    tasks = recorder.tasks()
    fits, refits = recorder.tasks("fit"), recorder.tasks("refit")
    assert len(tasks) == 13 and len(fits) == 12 and len(refits) == 1
    assert all(isinstance(t, SearchTask) for t in tasks)
    assert {(t.candidate, t.fold) for t in fits} == PAIRS  # 12 distinct pairs, all of them
    assert [t.task for t in fits] == list(range(12))
    assert all(t.task == t.candidate * CV + t.fold for t in fits)
    assert all(t.state == "done" and t.error is None for t in tasks)
    assert all(t.end is not None and t.start < t.end for t in tasks)
    assert all(loky_run["fit_started"] <= t.start and t.end <= loky_run["fit_returned"] for t in tasks)
    pids = {t.pid for t in fits}
    assert 1 <= len(pids) <= 2 and os.getpid() not in pids  # loky worker processes, not the parent
    refit = refits[0]
    assert refit.candidate == search.best_index_ and refit.fold is None and refit.pid == os.getpid()
    assert refit.start >= max(t.end for t in fits)  # the refit comes after the cross-validation
    assert recorder.n_tasks == 12 and recorder.n_splits == CV


def test_loky_events_arrive_while_the_search_runs(loky_run):
    arrivals, recorder = loky_run["arrivals"], loky_run["recorder"]
    assert len(arrivals) == 2 * 13  # one start and one end per task, none lost
    assert all(seen <= loky_run["fit_returned"] for _, _, seen, _, _ in arrivals)
    assert not any(has_results for _, _, _, has_results, _ in arrivals[:-2])  # the refit's pair comes at the end
    # each task's start arrives before its end, and the first end arrives before the last task started
    order = [(kind, t.task, t.kind) for kind, t, _, _, _ in arrivals]
    for t in recorder.tasks():
        assert order.index(("start", t.task, t.kind)) < order.index(("end", t.task, t.kind))
    first_end_seen = min(seen for kind, _, seen, _, _ in arrivals if kind == "end")
    assert first_end_seen < max(t.start for t in recorder.tasks("fit"))
    # events from the workers reach the parent on other threads than the one running fit
    assert any(tid != threading.main_thread().ident for *_, tid in arrivals)


def test_loky_results_identical_with_and_without_recorder(loky_run, Xy):
    X, y = Xy
    plain = GridSearchCV(SVC(), GRID, cv=CV, n_jobs=2).fit(X, y)
    _assert_same_results(loky_run["search"], plain)


def test_schedule_draws_workers_in_order_of_first_start(loky_run):
    recorder = loky_run["recorder"]
    s = recorder.schedule()
    assert isinstance(s, Schedule) and s.source == "measured"
    assert s.n_folds == 12 and sorted(t.fold for t in s.tasks) == list(range(12))
    fits = recorder.tasks("fit")
    pids = [t.pid for t in sorted(fits, key=lambda t: t.start)]
    first_order = list(dict.fromkeys(pids))
    assert s.worker_labels == [f"pid {p}" for p in first_order]
    assert s.n_workers == len(first_order)
    assert all(0 <= t.start < t.end <= s.makespan for t in s.tasks)
    assert s.settings["wall_time"] >= s.makespan
    assert recorder.schedule(include_refit=True).n_folds == 13
    snapshot = recorder.live_run().snapshot()
    assert snapshot.count("done") == 12 and recorder.live_run().finished


def test_n_jobs_1_runs_in_this_process(Xy):
    X, y = Xy
    search = GridSearchCV(SVC(), GRID, cv=CV, n_jobs=1)
    tasks = watch_search(search, X, y)
    assert len(tasks) == 13
    assert {t.pid for t in tasks} == {os.getpid()}
    assert {t.thread_id for t in tasks} == {threading.get_native_id()}
    assert {(t.candidate, t.fold) for t in tasks if t.kind == "fit"} == PAIRS
    _assert_same_results(search, GridSearchCV(SVC(), GRID, cv=CV, n_jobs=1).fit(X, y))


def test_threading_backend_and_no_refit(Xy):
    X, y = Xy
    recorder = SearchRecorder()
    search = GridSearchCV(SVC(), GRID, cv=CV, n_jobs=2, refit=False).set_callbacks(recorder)
    with joblib.parallel_backend("threading", n_jobs=2):
        search.fit(X, y)
    tasks = recorder.tasks()
    assert len(tasks) == 12 and recorder.tasks("refit") == []  # refit=False: exactly the 12 fits
    assert {t.pid for t in tasks} == {os.getpid()}
    assert 1 <= len({t.thread_id for t in tasks}) <= 2
    assert {(t.candidate, t.fold) for t in tasks} == PAIRS
    assert recorder.settings["backend"] == "threading"
    s = recorder.schedule()
    assert all(label.startswith("thread ") for label in s.worker_labels) or len(s.worker_labels) == 1


def test_failing_candidate_is_recorded_failed_while_others_finish(Xy):
    X, y = Xy
    arrivals = []
    search = GridSearchCV(SVC(), {"C": [1.0, -1.0, 10.0]}, cv=CV, n_jobs=2, error_score=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FitFailedWarning for the 4 fits of C=-1
        tasks = watch_search(search, X, y, on_event=lambda kind, t: arrivals.append((kind, t.state)))
    fits = [t for t in tasks if t.kind == "fit"]
    assert len(fits) == 12
    failed = [t for t in fits if t.state == "failed"]
    assert {(t.candidate, t.fold) for t in failed} == {(1, f) for f in range(CV)}
    assert all("C" in t.error and "InvalidParameterError" in t.error for t in failed)
    assert all(t.state == "done" and t.error is None for t in fits if t.candidate != 1)
    assert all(t.start < t.end for t in fits)
    assert np.isnan(search.cv_results_["mean_test_score"][1])
    assert [s for kind, s in arrivals if kind == "end"].count("failed") == 4


def test_error_score_raise_leaves_no_task_running(Xy):
    X, y = Xy
    recorder = SearchRecorder()
    search = GridSearchCV(SVC(), {"C": [-1.0]}, cv=2, n_jobs=1, error_score="raise").set_callbacks(recorder)
    with pytest.raises(ValueError):
        search.fit(X, y)
    tasks = recorder.tasks()
    assert len(tasks) == 1 and tasks[0].state == "failed" and tasks[0].end is not None


def test_bad_arguments_fail_early(Xy):
    with pytest.raises(TypeError, match=r"on_event=3 is not allowed; allowed:"):
        SearchRecorder(on_event=3)
    with pytest.raises(ValueError, match=r"kind='folds' is not allowed; allowed:"):
        SearchRecorder().tasks("folds")
    with pytest.raises(TypeError, match=r"include_refit='yes' is not allowed; allowed:"):
        SearchRecorder().schedule(include_refit="yes")
    with pytest.raises(TypeError, match=r"search=.* is not allowed; allowed:"):
        watch_search(SVC(), *Xy)


def test_recorder_pickles_without_its_record_or_hook():
    import pickle

    recorder = SearchRecorder(on_event=lambda kind, task: None)  # a lambda cannot be pickled: it stays home
    copy = pickle.loads(pickle.dumps(recorder))
    assert copy.on_event is None and copy.tasks() == []
