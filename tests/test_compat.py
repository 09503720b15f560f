"""cvkit.compat: every private joblib / loky / distributed / scikit-learn detail cvkit uses is still there."""

import inspect

import joblib
import pytest

from cvkit import compat


def test_the_tested_versions_are_the_installed_ones():
    # if this fails after an upgrade, run the whole suite, then update compat.TESTED_WITH (and requirements.txt)
    assert compat.check_versions() == []


def test_another_version_is_named_in_one_warning(monkeypatch):
    monkeypatch.setattr(
        compat, "check_versions", lambda: ["joblib 9.0.0 is installed; cvkit was tested with joblib 1.6"]
    )
    with pytest.warns(
        compat.CompatibilityWarning, match=r"joblib 9\.0\.0 is installed; cvkit was tested with joblib 1\.6"
    ):
        compat._warn_about_versions()


def test_joblib_internals_that_end_a_blocked_call():
    from joblib.parallel import BatchCompletionCallBack, Parallel

    assert compat.TASK_PENDING != compat.TASK_ERROR
    assert callable(getattr(BatchCompletionCallBack, "_register_outcome", None))
    source = inspect.getsource(Parallel)
    for name in ("self._jobs", "self._jobs_set", "self._lock", "return_ordered"):
        assert name in source, name
    # and the whole path works: a pending task marked failed makes the call raise
    import threading
    import time

    seen = []

    class Boom(Exception):
        pass

    def slow(i):
        time.sleep(0.2)
        return i

    parallel = Parallel(n_jobs=2, backend="threading", pre_dispatch="all")
    timer = threading.Timer(0.05, lambda: seen.append(compat.fail_pending_task(parallel, Boom("stop"))))
    timer.start()
    with pytest.raises(Boom):
        parallel(joblib.delayed(slow)(i) for i in range(20))
    timer.join()
    assert seen == [True]


def test_auto_batching_constants_copied_by_the_model_are_joblibs():
    from joblib._parallel_backends import AutoBatchingMixin

    from cvkit.model import replay as schedule

    assert schedule._MIN_IDEAL_BATCH_DURATION == AutoBatchingMixin.MIN_IDEAL_BATCH_DURATION
    assert schedule._MAX_IDEAL_BATCH_DURATION == AutoBatchingMixin.MAX_IDEAL_BATCH_DURATION


def test_loky_pool_internals_are_read_right():
    # start the pool through joblib (a pool started by loky directly lacks what joblib adds, and joblib reuses it)
    joblib.Parallel(n_jobs=2)(joblib.delayed(int)(i) for i in range(4))
    assert compat.loky_live_workers() >= 1
    executor = compat._loky_executor()
    for name in ("_flags", "_processes", "_executor_manager_thread"):
        assert hasattr(executor, name), name
    assert compat.get_reusable_executor(reuse=True) is executor  # the public getter finds the same pool
    compat.wait_for_loky_manager(0.1)  # a live pool: returns at once


def test_shared_memory_names_are_joblibs_and_lokys():
    from joblib import _memmapping_reducer
    from joblib.externals.loky.backend import synchronize

    assert "joblib_memmapping_folder_" in inspect.getsource(_memmapping_reducer)
    assert 'f"/loky-{os.getpid()}-' in inspect.getsource(synchronize)  # semaphores: /dev/shm/sem.loky-<pid>-<n>


def test_dask_backend_internals():
    pytest.importorskip("distributed")
    from distributed.deploy.cluster import Cluster

    backend = compat.dask_distributed_backend()
    source = inspect.getsource(backend)
    for name in (
        "call_data_futures",
        "self._results",
        "def retrieve_result_callback",
        "def start_call",
        "def stop_call",
        "def abort_everything",
        "def get_nested_backend",
    ):
        assert name in source, name
    assert callable(getattr(Cluster, "_update_worker_status", None))


def test_scikit_learn_internals_the_search_view_uses():
    from sklearn.model_selection import GridSearchCV, _validation
    from sklearn.svm import SVC

    open_listener, close_listener, send = compat.sklearn_transport()
    got = []
    handle = open_listener(got.append)
    send(handle, {"x": 1})
    close_listener(handle)
    assert got == [{"x": 1}]
    source = inspect.getsource(_validation._fit_and_score)
    assert 'result["fit_error"] = format_exc()' in source and "call_on_fit_task_end" in source
    from cvkit.lab.search_recorder import SearchRecorder

    search = GridSearchCV(SVC(), {"C": [1.0]})
    assert compat.search_callbacks(search) == []
    recorder = SearchRecorder()
    assert compat.search_callbacks(search.set_callbacks(recorder)) == [recorder]


def test_scorer_response_methods():
    from sklearn.metrics import get_scorer

    assert compat.scorer_response_methods(get_scorer("f1_weighted")) == ("predict",)
    assert "predict_proba" in compat.scorer_response_methods(get_scorer("neg_log_loss"))
    assert compat.scorer_response_methods(len) == ()
