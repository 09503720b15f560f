"""Inspecting workers: where tasks ran, fresh loky workers after a shutdown, their thread caps and their memory."""

import os
import threading

import joblib
import numpy as np
import pytest
from joblib import Parallel, delayed, parallel_config
from joblib.parallel import LokyBackend, ThreadingBackend
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from sklearn.svm import SVC
from threadpoolctl import threadpool_info, threadpool_limits

from cvkit import run_folds
from cvkit.lab.task_placement import RecordWorker, where_ran
from cvkit.lab.worker_memory import proc_memory, worker_memory
from cvkit.lab.worker_startup import measure_startup, shutdown_workers
from cvkit.lab.worker_threads import worker_threadpools

MAIN = "in this process, in its main thread"
THREADS = "in threads of this process"
PROCESSES = "in other processes (workers)"


def loky_pids(n=2):
    """Pids of the loky workers that run n slow-enough tasks."""
    return set(Parallel(n_jobs=n, backend="loky")(delayed(_pid_after)(0.2) for _ in range(n)))


def _pid_after(seconds):
    import time

    time.sleep(seconds)
    return os.getpid()


def kernel_blas_threads():
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


# ---------------------------------------------------------------- where tasks ran
@pytest.mark.parametrize(
    "backend, n_jobs, expected",
    [(None, 1, MAIN), ("threading", 2, THREADS), ("loky", 2, PROCESSES), ("multiprocessing", 2, PROCESSES)],
)
def test_where_ran_reads_a_run_trace(backend, n_jobs, expected, iris):
    X, y = iris
    assert where_ran(run_folds(SVC(), X, y, n_jobs=n_jobs, backend=backend).traces) == expected


def test_where_ran_mixed_and_pairs():
    me = (os.getpid(), threading.get_native_id())
    assert where_ran([me, (os.getpid() + 10**6, 1)]) == "in this process and in other processes"
    assert where_ran(iter([me])) == MAIN  # any iterable


@pytest.mark.parametrize(
    "config, n_jobs, expected",
    [
        ({}, 2, PROCESSES),
        ({"backend": "threading"}, 2, THREADS),
        ({"backend": "threading", "n_jobs": 2}, None, THREADS),  # n_jobs from the block too
        ({"backend": ThreadingBackend(), "n_jobs": 2}, None, THREADS),
        ({"backend": LokyBackend()}, 2, PROCESSES),
    ],
)
def test_parallel_config_steers_cross_validate(config, n_jobs, expected, iris):
    X, y = iris
    with parallel_config(**config):
        out = cross_validate(
            RecordWorker(SVC()), X, y, cv=5, scoring="f1_weighted", n_jobs=n_jobs, return_estimator=True
        )
    assert where_ran(model.worker_ for model in out["estimator"]) == expected
    reference = cross_validate(SVC(), X, y, cv=5, scoring="f1_weighted")["test_score"]
    assert out["test_score"].tolist() == reference.tolist()


def test_record_worker_is_a_well_behaved_classifier(iris):
    X, y = iris
    wrapper = RecordWorker(LogisticRegression(max_iter=500))
    twin = clone(wrapper)
    assert twin.get_params()["estimator"].max_iter == 500 and not hasattr(twin, "worker_")
    wrapper.fit(X, y)
    plain = LogisticRegression(max_iter=500).fit(X, y)
    np.testing.assert_array_equal(wrapper.predict(X), plain.predict(X))
    np.testing.assert_allclose(wrapper.predict_proba(X), plain.predict_proba(X))
    assert wrapper.classes_.tolist() == [0, 1, 2]
    assert not hasattr(RecordWorker(SVC()), "predict_proba")  # only what the wrapped estimator offers
    assert hasattr(RecordWorker(SVC()), "decision_function")


# ---------------------------------------------------------------- start-up
@pytest.mark.slow
def test_shutdown_workers_makes_the_next_loky_call_start_new_processes():
    before = loky_pids()
    assert loky_pids() == before, "a warm call reuses the same workers"
    shutdown_workers()
    after = loky_pids()
    assert after.isdisjoint(before)
    assert os.getpid() not in after


@pytest.mark.slow
def test_measure_startup_starts_fresh_loky_workers():
    before = loky_pids()
    startup = measure_startup("loky", 2, repeats=2)
    assert (startup.backend, startup.n_jobs) == ("loky", 2)
    assert startup.first > 0 and startup.warm > 0
    assert loky_pids().isdisjoint(before)
    assert "first call" in str(startup) and "×" in str(startup)


def test_measure_startup_takes_backend_and_n_jobs_from_an_instance_or_the_enclosing_block():
    assert measure_startup(ThreadingBackend(), 3, repeats=1).backend == "threading"
    with parallel_config(backend="threading", n_jobs=3):
        startup = measure_startup(repeats=1)
    assert (startup.backend, startup.n_jobs) == ("threading", 3)
    with pytest.raises(ValueError, match="backend='lokky' is not allowed"):
        measure_startup("lokky", 2)


# ---------------------------------------------------------------- thread pools
def test_loky_caps_blas_threads_per_worker():
    pools = worker_threadpools("loky", 2)
    cap = max(joblib.cpu_count() // 2, 1)
    assert pools.blas == cap
    assert pools.environment["OPENBLAS_NUM_THREADS"] == str(os.environ.get("OPENBLAS_NUM_THREADS", cap))
    assert pools.total_blas_threads == 2 * cap
    assert all(worker[0] != os.getpid() for worker, _, _ in pools.workers)


@pytest.mark.slow
def test_inner_max_num_threads_sets_the_cap_without_changing_the_callers_instance():
    backend = LokyBackend()
    pools = worker_threadpools(backend, 2, inner_max_num_threads=1)
    assert pools.blas == 1 and pools.environment["OMP_NUM_THREADS"] == "1"
    assert backend.inner_max_num_threads is None
    with parallel_config(backend="loky", n_jobs=2):
        capped = worker_threadpools(inner_max_num_threads=2)
        assert capped.environment["OPENBLAS_NUM_THREADS"] == "2"  # the cap joblib sets, on any machine
        assert capped.blas == min(2, joblib.cpu_count())  # OpenBLAS starts no more threads than usable cores


def test_threads_share_this_process_pools_uncapped_unless_limited():
    pools = worker_threadpools("threading", 2)
    assert pools.blas == kernel_blas_threads()
    assert all(worker[0] == os.getpid() for worker, _, _ in pools.workers)
    with threadpool_limits(limits=1, user_api="blas"):
        assert worker_threadpools("threading", 2).blas == 1


@pytest.mark.parametrize("backend", ["threading", "multiprocessing", ThreadingBackend()])
def test_inner_max_num_threads_is_refused_outside_loky(backend):
    with pytest.raises(ValueError, match="allowed: None, or an integer >= 1 with the loky backend"):
        worker_threadpools(backend, 2, inner_max_num_threads=1)
    with pytest.raises(ValueError, match="inner_max_num_threads=0 is not allowed"):
        worker_threadpools("loky", 2, inner_max_num_threads=0)


# ---------------------------------------------------------------- memory
def test_proc_memory_sees_private_memory_grow():
    before = proc_memory()
    block = np.ones(40 * 1024 * 1024 // 8)  # 40 MiB, every page written
    grown = proc_memory()["private"] - before["private"]
    assert grown > 30 * 1024 * 1024
    del block


@pytest.fixture(scope="module")
def X_40mb():
    return np.random.default_rng(0).standard_normal((5000, 1000))


@pytest.mark.slow
def test_memmapped_X_is_shared_not_copied(X_40mb):
    mem = worker_memory(X_40mb, backend="loky", n_jobs=2, max_nbytes="1M")
    assert mem.arrived_as == "memmap" and not mem.same_object
    assert not mem.private_copy
    assert all(s > 0.8 * X_40mb.nbytes for s in mem.shared)  # the pages read are counted as shared
    assert "private copy of X: no" in str(mem)


@pytest.mark.slow
def test_without_memmapping_each_worker_holds_a_copy(X_40mb):
    mem = worker_memory(X_40mb, backend="loky", n_jobs=2, max_nbytes=None)
    assert mem.arrived_as == "ndarray" and not mem.same_object
    assert mem.private_copy
    assert all(p > 0.8 * X_40mb.nbytes for p in mem.private)
    assert all(pk > 1.5 * X_40mb.nbytes for pk in mem.peak)  # unpickling holds the bytes and the array at once
    assert "private copy of X: yes" in str(mem)


@pytest.mark.slow
def test_peak_is_this_calls_and_the_workers_are_kept(X_40mb):
    worker_memory(X_40mb, backend="loky", n_jobs=2, max_nbytes=None)  # leaves each worker's peak at ~3x 40 MB
    with parallel_config(max_nbytes=None):  # the same pool settings: asking for the pids does not restart it
        before = loky_pids()
    small = np.ones((500, 1000))  # 4 MB
    mem = worker_memory(small, backend="loky", n_jobs=2, max_nbytes=None)
    assert all(pk > 1.5 * small.nbytes for pk in mem.peak)  # measured from a reset peak, not hidden under the old one
    with parallel_config(max_nbytes=None):
        assert loky_pids() == before  # the peak was reset in place: no new workers


def test_threads_get_the_very_array(X_40mb):
    mem = worker_memory(X_40mb, backend="threading", n_jobs=2)
    assert mem.same_object and mem.arrived_as == "ndarray"
    assert not mem.private_copy and mem.peak == ()


def test_worker_memory_refuses_what_it_cannot_measure():
    with pytest.raises(TypeError, match="X of type list is not allowed; allowed: a numpy array."):
        worker_memory([[1.0, 2.0]])
    with pytest.raises(ValueError, match="n_jobs=0 is not allowed"):
        worker_memory(np.ones(3), n_jobs=0)
