"""cvkit.widgets.SearchView: a GridSearchCV drawn live, fit by fit, stoppable, faults shown, results unchanged."""

import os
import signal
import threading
import time
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted
from svg_helpers import bars

from cvkit.lab.search_recorder import SearchRecorder
from cvkit.widgets import SearchView, view_search
from cvkit.widgets.search import count_search_tasks, predicted_search_schedule, search_status

GRID = {"C": [0.1, 1.0, 10.0]}
CV = 4
N_TASKS = len(GRID["C"]) * CV


@pytest.fixture(scope="module")
def Xy():
    # fits of about 0.1-0.3 s each on one core: long enough to be seen running, short enough for a test
    return make_classification(n_samples=2500, n_features=20, random_state=0)


def _comparable(search):
    return {k: v for k, v in search.cv_results_.items() if "time" not in k}


class StatusLog:
    """Every value the status line took, with the time and whether the search's fit had returned then."""

    def __init__(self, view):
        self.values = []
        view.status.observe(lambda change: self.values.append((change["new"], view.running)), names="value")


def test_the_view_draws_fits_while_they_run_and_leaves_results_unchanged(Xy):
    X, y = Xy
    view = SearchView(GridSearchCV(SVC(), GRID, cv=CV, n_jobs=2))
    log = StatusLog(view)
    assert view.fit(X, y) is view  # returns at once: the fit runs in a background thread
    seen_running = []
    while view.running:
        seen_running.append(bars(view.live_chart.value, "done"))
        time.sleep(0.05)
    search = view.wait(timeout=120)
    assert view.error is None
    # drawn while the fit ran: some chart showed some fits done and others not yet
    assert any(0 < len(done) < N_TASKS for done in seen_running), seen_running[-3:]
    assert any(v.startswith("running: ") and running for v, running in log.values)
    # at the end: every fit a done bar, the prediction beside it, the status says so
    assert bars(view.live_chart.value, "done") == list(range(N_TASKS))
    assert bars(view.predicted_chart.value, "predicted") == list(range(N_TASKS))
    assert view.status.value.startswith(f"finished: {N_TASKS} of {N_TASKS} fits done")
    assert "then the refit" in view.status.value
    assert len({t.pid for t in view.tasks if t.kind == "fit"}) <= 2
    # the search's results are those of a plain search
    plain = GridSearchCV(SVC(), GRID, cv=CV, n_jobs=2).fit(X, y)
    a, b = _comparable(search), _comparable(plain)
    assert a.keys() == b.keys()
    for key in a:
        if key == "params":
            assert a[key] == b[key]
        else:
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)
    assert search.best_params_ == plain.best_params_


def test_stop_cancels_the_fits_not_started_keeps_the_finished_ones_and_warns_nothing(Xy):
    X, y = Xy
    view = SearchView(GridSearchCV(SVC(), {"C": [0.01, 0.1, 1.0, 10.0, 100.0]}, cv=CV, n_jobs=2))
    first_done = threading.Event()
    view.recorder.on_event = lambda kind, task: (view._dirty.set(),
                                                 first_done.set() if task.state == "done" else None)  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=r"(?s).*non-finite")  # true: the cancelled fits score nan
        from cvkit.lab import search_recorder as search_view

        warnings.filterwarnings("ignore", message=search_view._ONLY_STOPPED_WARNING)
        view.fit(X, y)
        assert first_done.wait(120)
        assert view.stop() is view
        view.wait(timeout=120)
    assert not [str(w.message)[:200] for w in caught if "fits failed" in str(w.message)]
    fits = [t for t in view.tasks if t.kind == "fit"]
    states = {t.state for t in fits}
    assert states <= {"done", "cancelled"} and "done" in states and "cancelled" in states
    assert view.error.startswith("SearchStopped")
    assert view.status.value.startswith("stopped: ")
    assert "cancelled by Stop" in view.status.value
    with pytest.raises(NotFittedError):  # the refit was stopped too
        check_is_fitted(view.search.best_estimator_)
    done = sorted(t.task for t in fits if t.state == "done")
    assert bars(view.live_chart.value, "done") == done  # the finished fits stay drawn
    cancelled_never_started = bars(view.live_chart.value, "cancelled", kind="cvkit-queued")
    assert cancelled_never_started and not set(cancelled_never_started) & set(done)
    # the next fit of the same view runs to the end (the stop does not stick)
    view.fit(X[:600], y[:600]).wait(timeout=120)
    assert view.error is None and view.status.value.startswith("finished: ")


def test_a_failing_candidate_is_drawn_failed_and_the_others_finish(Xy):
    X, y = Xy
    X, y = X[:400], y[:400]
    view = SearchView(GridSearchCV(SVC(), {"C": [1.0, -1.0]}, cv=CV, n_jobs=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's FitFailedWarning and the nan-score warning: expected
        view.fit(X, y).wait(timeout=120)
    assert view.error is None
    failed = bars(view.live_chart.value, "failed")
    assert failed == [CV + f for f in range(CV)]  # candidate 1 (C=-1) in every fold
    assert bars(view.live_chart.value, "done") == list(range(CV))
    assert f"{CV} failed" in view.status.value and view.status.value.startswith("finished: ")


def test_a_worker_killed_mid_search_is_shown_and_the_finished_fits_are_kept(Xy):
    X, y = Xy
    view = SearchView(GridSearchCV(SVC(), {"C": [0.01, 0.1, 1.0, 10.0, 100.0]}, cv=CV, n_jobs=2))
    victim = []

    def on_event(kind, task):
        view._dirty.set()
        if kind == "start" and not victim and any(t.state == "done" for t in view.recorder.tasks("fit")):
            victim.append(task.pid)
            os.kill(task.pid, signal.SIGKILL)

    view.recorder.on_event = on_event
    view.fit(X, y).wait(timeout=180)
    assert victim, "no fit started after a first one finished"
    assert view.error is not None and "TerminatedWorkerError" in view.error
    assert view.status.value.startswith("failed: ")
    assert f"died (pid {victim[0]}" in view.status.value or "died (pids" in view.status.value
    assert (
        "TerminatedWorkerError: A worker process managed by the executor was unexpectedly terminated."
        in view.status.value
    )
    assert view.live_chart.value.count("cvkit-dead-lane") >= 1
    assert bars(view.live_chart.value, "done"), "the fits finished before the kill are still drawn"
    # the pool recovers: a plain search runs afterwards
    GridSearchCV(SVC(), GRID, cv=2, n_jobs=2).fit(X[:200], y[:200])


def test_helpers_that_the_view_draws_from_are_plain_functions(Xy):
    X, y = Xy
    search = GridSearchCV(SVC(), GRID, cv=CV, n_jobs=1)
    assert count_search_tasks(search, X, y) == N_TASKS
    recorder = SearchRecorder()
    assert predicted_search_schedule(recorder, N_TASKS, 2) is None
    search.set_callbacks(recorder).fit(X[:300], y[:300])
    predicted = predicted_search_schedule(recorder, N_TASKS, 2, backend="threading")
    assert predicted.n_folds == N_TASKS and predicted.n_workers == 2
    durations = [t.duration for t in recorder.tasks("fit")]
    assert predicted.makespan <= sum(durations) + 1e-9
    assert search_status(recorder, N_TASKS, finished=True).startswith(f"finished: {N_TASKS} of {N_TASKS} fits done")


def test_bad_input_is_refused_before_any_fit_and_a_second_fit_while_running_too(Xy):
    X, y = Xy
    with pytest.raises(TypeError, match="search='x' is not allowed"):
        SearchView("x")
    view = view_search(GridSearchCV(SVC(), GRID, cv=CV, n_jobs=1), X, y)
    try:
        with pytest.raises(RuntimeError, match="already running"):
            view.fit(X, y)
    finally:
        view.wait(timeout=120)


def test_a_static_picture_for_readers_without_a_kernel(Xy, monkeypatch):
    X, y = Xy
    shown = []
    monkeypatch.setattr("cvkit.widgets.search.display", lambda obj, **kw: shown.append((obj, kw)))
    monkeypatch.setattr("cvkit.widgets.static.display", lambda obj, **kw: shown.append((obj, kw)))
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    view = SearchView(GridSearchCV(SVC(), GRID, cv=2, n_jobs=1))
    view.fit(X[:300], y[:300]).wait(timeout=60)
    assert [type(obj).__name__ for obj, _ in shown] == ["VBox", "HTML"]  # the panel, then its static copy
    assert shown[1][1]["display_id"].startswith("cvkit-search-")
    picture = view.picture()
    assert "<svg" in picture._repr_html_() and "finished: 6 of 6 fits done" in picture._repr_html_()
    assert "finished" in repr(picture)
