"""Timed tasks under each backend: what ran where, with how many BLAS threads (no timing is asserted)."""

import threading

import joblib
import pytest
from joblib import parallel_config
from joblib.parallel import ThreadingBackend
from threadpoolctl import threadpool_info

from cvkit.lab.contention import Timing, blas_work, compare, native_work, python_work, time_settings, time_tasks


def kernel_blas_threads():
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


def test_tasks_compute_what_they_say():
    assert python_work(10) == sum(i * i % 7 for i in range(10))
    assert native_work(2) != native_work(1) and len(native_work(1)) == 64
    assert blas_work(20, 1) == kernel_blas_threads()


@pytest.mark.parametrize(
    "settings, expected",
    [
        (dict(n_jobs=1), ("serial", 1)),
        (dict(backend="threading", n_jobs=2), ("threading", 2)),
        (dict(backend=ThreadingBackend(), n_jobs=2), ("threading", 2)),
        (dict(backend="loky", n_jobs=2), ("loky", 2)),
    ],
)
def test_time_tasks_reports_backend_n_jobs_and_repeats(settings, expected):
    timing = time_tasks(python_work, (1000,), n_tasks=3, repeats=2, **settings)
    assert (timing.backend, timing.n_jobs) == expected
    assert len(timing.times) == 2 and all(t > 0 for t in timing.times)
    assert timing.blas_threads is None


def test_time_tasks_follows_the_enclosing_block():
    with parallel_config(backend="threading", n_jobs=2):
        timing = time_tasks(python_work, (1000,), repeats=1)
    assert (timing.backend, timing.n_jobs, timing.label) == ("threading", 2, "threading, n_jobs=2")


def test_blas_threads_seen_by_the_tasks():
    cap = max(joblib.cpu_count() // 2, 1)
    small = dict(args=(50, 1), n_jobs=2, repeats=1)
    assert time_tasks(blas_work, backend="loky", **small).blas_threads == cap
    assert time_tasks(blas_work, backend="loky", inner_max_num_threads=1, **small).blas_threads == 1
    assert time_tasks(blas_work, backend="threading", **small).blas_threads == kernel_blas_threads()
    limited = time_tasks(blas_work, (50, 1), backend="threading", n_jobs=2, repeats=1, blas_limit=1)
    assert limited.blas_threads == 1
    assert kernel_blas_threads() > 1 or joblib.cpu_count() == 1, "the limit ends with the call"
    assert "2 × 1 BLAS = 2 threads" in str(limited)


def test_compare_formats_speedups_against_the_baseline():
    timings = [Timing("a", "serial", 1, (0.5, 0.3, 0.4)), Timing("b", "loky", 2, (0.1, 0.2))]
    lines = compare(timings, baseline=1).splitlines()
    assert lines[0].startswith("a") and "0.400 s" in lines[0] and "0.38× the speed of b" in lines[0]
    assert "1.00× the speed of b" in lines[1]


def test_bad_input():
    with pytest.raises(TypeError, match="task=3 is not allowed"):
        time_tasks(3)
    with pytest.raises(ValueError, match="n_tasks=0 is not allowed"):
        time_tasks(python_work, n_tasks=0)
    with pytest.raises(ValueError, match="blas_limit=0 is not allowed"):
        time_tasks(python_work, n_jobs=1, blas_limit=0)
    with pytest.raises(ValueError, match="with backend 'multiprocessing'"):
        time_tasks(python_work, backend="multiprocessing", n_jobs=2, inner_max_num_threads=2)
    with pytest.raises(ValueError, match="timings=\\[\\] is not allowed"):
        compare([])


_calls = []


def _record_thread():
    _calls.append(threading.current_thread() is threading.main_thread())


def test_settings_take_turns_after_warming_up():
    _calls.clear()
    settings = [dict(n_jobs=1), dict(backend="threading", n_jobs=2)]
    timings = time_settings(_record_thread, (), settings, n_tasks=1, repeats=2)
    assert _calls == [True, False, True, False, True, False]  # serial, threads, serial, threads, ...
    assert [len(t.times) for t in timings] == [2, 2]


def test_settings_needing_other_loky_workers_are_timed_in_their_own_block():
    settings = [dict(backend="loky", n_jobs=2), dict(backend="loky", n_jobs=2, inner_max_num_threads=1), dict(n_jobs=1)]
    timings = time_settings(blas_work, (50, 1), settings, n_tasks=2, repeats=1)
    assert [t.blas_threads for t in timings] == [max(joblib.cpu_count() // 2, 1), 1, kernel_blas_threads()]
    with pytest.raises(TypeError, match="settings=\\[\\] is not allowed"):
        time_settings(python_work, settings=[])
