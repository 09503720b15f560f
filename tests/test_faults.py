"""Faults never lose finished folds: a fold that raises, a dead worker, a timeout, Stop and Ctrl-C."""

import _thread
import faulthandler
import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

from cvkit import FoldFailedError, FoldTimeoutError, RunInterrupted, WorkerDiedError, run_folds
from cvkit.lab.faults import FaultyClassifier

ALL = [(1, None), (2, "threading"), (2, "loky"), (2, "multiprocessing")]
IDS = ["serial", "threading", "loky", "multiprocessing"]
PROCESSES = [(2, "loky"), (2, "multiprocessing")]


@pytest.fixture(autouse=True)
def hang_guard():
    """A fault test that hangs must fail loudly, not hold CI for 90 minutes."""
    faulthandler.dump_traceback_later(240, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def clean(iris):
    X, y = iris
    return run_folds(SVC(), X, y, cv=StratifiedKFold(5)).scores


def fold_of_row(X, y, row, n_splits=5):
    return next(i for i, (_, test) in enumerate(StratifiedKFold(n_splits).split(X, y)) if row in test)


def assert_kept(result, clean, failed):
    """Every fold not in ``failed`` finished with the clean run's exact score."""
    for fold in result.folds:
        if fold.fold in failed:
            assert fold.status == "failed" and np.isnan(fold.score)
        else:
            assert fold.status == "done" and fold.score == clean[fold.fold]
            assert fold.trace is not None and fold.confusion_matrix is not None


def next_run_works(X, y, n_jobs, backend, clean):
    result = run_folds(SVC(), X, y, cv=StratifiedKFold(5), n_jobs=n_jobs, backend=backend)
    assert result.complete and result.scores.tolist() == clean.tolist()


@pytest.mark.parametrize("n_jobs,backend", ALL, ids=IDS)
def test_fold_that_raises_is_recorded_and_others_go_on(n_jobs, backend, iris, clean):
    X, y = iris
    bad = fold_of_row(X, y, 60)
    with pytest.warns(
        RuntimeWarning, match=rf"1 of 5 folds failed \(fold {bad}: ValueError: this fold fails on purpose"
    ):
        result = run_folds(
            FaultyClassifier(SVC(), X[[60]]), X, y, cv=StratifiedKFold(5), n_jobs=n_jobs, backend=backend
        )
    assert_kept(result, clean, failed={bad})
    failed = result.folds[bad]
    assert (failed.error_type, failed.error_message) == ("ValueError", "this fold fails on purpose (FaultyClassifier)")
    assert "the other 4 folds finished and are kept" in result.message
    assert np.isnan(result.cv_results()["test_score"][bad])
    next_run_works(X, y, n_jobs, backend, clean)


@pytest.mark.parametrize("n_jobs,backend", ALL, ids=IDS)
def test_on_error_raise_attaches_finished_folds(n_jobs, backend, iris, clean):
    X, y = iris
    bad = fold_of_row(X, y, 140)  # a late fold, so some finish first
    with pytest.raises(FoldFailedError, match=rf"fold {bad} failed: ValueError: this fold fails on purpose") as info:
        run_folds(FaultyClassifier(SVC(), X[[140]]), X, y, cv=StratifiedKFold(5), n_jobs=n_jobs, backend=backend,
                  on_error="raise")  # fmt: skip
    result = info.value.result
    assert result.folds[bad].status == "failed"
    done = [f for f in result.folds if f.ok]
    assert all(f.score == clean[f.fold] for f in done)
    if backend in (None, "threading"):
        assert len(done) >= 1  # folds before it in the queue finished (threads are never killed)
    next_run_works(X, y, n_jobs, backend, clean)


@pytest.mark.parametrize("n_jobs,backend", PROCESSES, ids=["loky", "multiprocessing"])
def test_worker_that_dies_is_blamed_and_others_go_on(n_jobs, backend, iris, clean):
    X, y = iris
    bad = fold_of_row(X, y, 10)
    with pytest.warns(RuntimeWarning, match=rf"fold {bad}: WorkerDied: its worker process died while running it"):
        result = run_folds(FaultyClassifier(SVC(), X[[10]], fault="exit"), X, y, cv=StratifiedKFold(5),
                           n_jobs=n_jobs, backend=backend)  # fmt: skip
    assert_kept(result, clean, failed={bad})
    next_run_works(X, y, n_jobs, backend, clean)


@pytest.mark.parametrize("n_jobs,backend", PROCESSES, ids=["loky", "multiprocessing"])
def test_worker_that_dies_with_on_error_raise(n_jobs, backend, iris, clean):
    X, y = iris
    bad = fold_of_row(X, y, 140)
    with pytest.raises(WorkerDiedError, match=r"a worker process died .* finished fold\(s\) are kept") as info:
        run_folds(FaultyClassifier(SVC(), X[[140]], fault="exit"), X, y, cv=StratifiedKFold(5), n_jobs=n_jobs,
                  backend=backend, on_error="raise")  # fmt: skip
    result = info.value.result
    assert result.folds[bad].status == "failed" and result.folds[bad].error_type == "WorkerDied"
    assert all(f.score == clean[f.fold] for f in result.folds if f.ok)
    next_run_works(X, y, n_jobs, backend, clean)


def test_exit_fault_refuses_to_kill_the_kernel(iris):
    X, y = iris
    with pytest.warns(RuntimeWarning, match="refuses to end the process that created it"):
        result = run_folds(FaultyClassifier(SVC(), X[[0]], fault="exit"), X, y, n_jobs=2, backend="threading")
    assert result.folds[0].error_type == "RuntimeError"


@pytest.mark.parametrize("n_jobs,backend", ALL[1:], ids=IDS[1:])
def test_timeout_fails_the_slow_fold_only(n_jobs, backend, iris, clean):
    X, y = iris
    bad = fold_of_row(X, y, 0)
    slow = FaultyClassifier(SVC(), X[[0]], fault="sleep", seconds=4)
    with pytest.warns(RuntimeWarning, match=rf"fold {bad}: Timeout: it ran longer than timeout=1 s"):
        result = run_folds(slow, X, y, cv=StratifiedKFold(5), n_jobs=n_jobs, backend=backend, timeout=1)
    assert_kept(result, clean, failed={bad})
    if backend == "threading":
        assert "a thread cannot be killed" in result.folds[bad].error_message
    with pytest.raises(FoldTimeoutError, match=rf"fold\(s\) {bad} ran longer than timeout=1 s") as info:
        run_folds(slow, X, y, cv=StratifiedKFold(5), n_jobs=n_jobs, backend=backend, timeout=1, on_error="raise")
    assert info.value.result.folds[bad].status == "failed"
    next_run_works(X, y, n_jobs, backend, clean)


@pytest.mark.parametrize("n_jobs,backend", [(1, None), (2, "threading"), (2, "loky")], ids=IDS[:3])
def test_keyboard_interrupt_keeps_finished_folds(n_jobs, backend, iris, clean):
    X, y = iris
    bad = fold_of_row(X, y, 140)
    slow = FaultyClassifier(SVC(), X[[140]], fault="sleep", seconds=30)
    if backend == "loky":
        run_folds(SVC(), X, y, n_jobs=2, backend="loky")  # warm pool: the interrupt must come mid-run
    seen = []

    def interrupt_when_others_done(kind, payload):
        if kind == "done":
            seen.append(payload["result"].fold)
            if len(seen) == 4:
                threading.Timer(0.3, _thread.interrupt_main).start()

    with pytest.raises(RunInterrupted, match="interrupted") as info:
        run_folds(
            slow, X, y, cv=StratifiedKFold(5), n_jobs=n_jobs, backend=backend, on_event=interrupt_when_others_done
        )
    result = info.value.result
    assert isinstance(info.value, KeyboardInterrupt)
    assert result.folds[bad].status == "cancelled"
    assert [f.fold for f in result.folds if f.ok] == sorted(set(range(5)) - {bad})
    assert all(f.score == clean[f.fold] for f in result.folds if f.ok)
    next_run_works(X, y, n_jobs, backend, clean)


@pytest.mark.parametrize("n_jobs,backend", ALL, ids=IDS)
def test_stop_cancels_unstarted_folds_and_keeps_finished(n_jobs, backend, iris, clean):
    X, y = iris
    stop = threading.Event()
    done = []

    def stop_after_two(kind, payload):
        if kind == "done":
            done.append(payload["result"].fold)
            if len(done) == 2:
                stop.set()

    slow = FaultyClassifier(SVC(), X[[140]], fault="sleep", seconds=2)  # keeps the run going until Stop lands
    result = run_folds(slow, X, y, cv=StratifiedKFold(5), n_jobs=n_jobs, backend=backend, stop_event=stop,
                       on_event=stop_after_two, pre_dispatch="n_jobs")  # fmt: skip
    assert result.message.startswith("stopped by request")
    finished = [f.fold for f in result.folds if f.ok]
    assert set(done[:2]) <= set(finished)
    assert any(f.status == "cancelled" for f in result.folds)
    assert all(f.score == clean[f.fold] for f in result.folds if f.ok)
    next_run_works(X, y, n_jobs, backend, clean)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n_splits=st.integers(2, 7),
    data=st.data(),
    setup=st.sampled_from([(1, None), (2, "threading"), (3, "threading")]),
)
def test_random_fold_failures_never_lose_a_finished_fold(n_splits, data, setup, iris):
    X, y = iris
    unique_rows = np.unique(X, axis=0, return_index=True)[1]
    splits = list(StratifiedKFold(n_splits).split(X, y))
    failing = data.draw(st.sets(st.integers(0, n_splits - 1), max_size=n_splits), label="failing folds")
    marked = [next(r for r in splits[f][1] if r in unique_rows) for f in sorted(failing)]
    estimator = FaultyClassifier(SVC(), X[marked]) if marked else SVC()
    clean_scores = run_folds(SVC(), X, y, cv=StratifiedKFold(n_splits)).scores
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = run_folds(estimator, X, y, cv=StratifiedKFold(n_splits), n_jobs=setup[0], backend=setup[1])
    assert [f.fold for f in result.folds] == list(range(n_splits))
    assert {f.fold for f in result.folds if not f.ok} == failing
    assert all(f.score == clean_scores[f.fold] for f in result.folds if f.ok)


def _children():
    return {p.pid: p for p in psutil.Process().children(recursive=True) if p.is_running()}


def test_no_worker_processes_left_behind(iris):
    X, y = iris
    from joblib.externals.loky import get_reusable_executor

    before = set(_children())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        run_folds(FaultyClassifier(SVC(), X[[0]], fault="exit"), X, y, n_jobs=2, backend="multiprocessing")
        run_folds(FaultyClassifier(SVC(), X[[0]], fault="sleep", seconds=3), X, y, n_jobs=2,
                  backend="multiprocessing", timeout=1)  # fmt: skip
    assert set(_children()) - before == set(), "the multiprocessing pool must be gone after each fault"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        run_folds(FaultyClassifier(SVC(), X[[0]], fault="exit"), X, y, n_jobs=2, backend="loky")
    children = _children()
    workers = [p for p in children.values() if "resource_tracker" not in " ".join(p.cmdline())]
    assert len(workers) <= 2, f"only the reusable loky pool may stay: {[p.cmdline() for p in workers]}"
    get_reusable_executor().shutdown(wait=True)


SHM_SCRIPT = r"""
import warnings, numpy as np
warnings.simplefilter("ignore")
from sklearn.svm import SVC
from cvkit import load_dataset, run_folds
from cvkit.lab.faults import FaultyClassifier
X, y = load_dataset("synthetic", n_samples=4000)  # 1.2 MB: big enough to be memory-mapped for the workers
run_folds(SVC(), X, y, cv=3, n_jobs=2, backend="loky")
run_folds(FaultyClassifier(SVC(), X[[0]], fault="exit"), X, y, cv=3, n_jobs=2, backend="loky")
run_folds(FaultyClassifier(SVC(), X[[0]], fault="exit"), X, y, cv=3, n_jobs=2, backend="multiprocessing")
from joblib.externals.loky import get_reusable_executor
get_reusable_executor().shutdown(wait=True)
"""


def test_nothing_left_in_dev_shm_after_shutdown():
    """Memory-mapped data and semaphores of a run (even one with a dead worker) go when the pool shuts down."""
    if not os.path.isdir("/dev/shm"):
        pytest.skip("no /dev/shm on this system")
    proc = subprocess.Popen(
        [sys.executable, "-c", SHM_SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _out, err = proc.communicate(timeout=200)
    assert proc.returncode == 0, err
    left = [n for n in os.listdir("/dev/shm") if f"_{proc.pid}_" in n or f"-{proc.pid}-" in n]
    assert left == [], f"left in /dev/shm by a run's process: {left}"
    assert "leaked" not in err, err
