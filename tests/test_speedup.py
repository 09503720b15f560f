"""cvkit.lab.speedup: the serial part read off a trace, warm and cold pools, and interleaved serial/parallel timing."""

import numpy as np
import pytest
from sklearn.svm import SVC

from cvkit import CVResult, FoldResult, TaskTrace
from cvkit.lab.advice import pool_is_warm
from cvkit.lab.speedup import (
    SpeedupMeasurement,
    busy_seconds,
    measure_speedup,
    measure_workers,
    serial_seconds,
    stop_workers,
    warm_workers,
)  # fmt: skip


def _result(spans, wall, pids=None):
    pids = pids or [1] * len(spans)
    traces = [TaskTrace(i, "h", pid, 0, "w", s, e) for i, ((s, e), pid) in enumerate(zip(spans, pids))]
    folds = [FoldResult(i, trace=t) for i, t in enumerate(traces)]
    return CVResult(folds, "f1_weighted", np.array([0, 1]), 2, "loky", wall)


@pytest.mark.parametrize(
    "spans, wall, busy",
    [
        ([(0.0, 1.0)], 1.0, 1.0),
        ([(0.1, 1.0), (0.1, 1.0)], 1.2, 0.9),  # two folds at once count once
        ([(0.0, 1.0), (0.5, 2.0), (3.0, 4.0)], 4.5, 3.0),  # overlap, then a gap of 1 s
        ([(3.0, 4.0), (0.0, 1.0), (0.5, 0.8)], 4.0, 2.0),  # out of order, one span inside another
    ],
)
def test_busy_and_serial_seconds(spans, wall, busy):
    r = _result(spans, wall)
    assert busy_seconds(r) == pytest.approx(busy)
    assert serial_seconds(r) == pytest.approx(wall - busy)


def test_folds_that_never_started_are_left_out():
    r = _result([(0.0, 1.0)], 1.5)
    r.folds.append(FoldResult(1, status="cancelled"))
    assert busy_seconds(r) == 1.0 and serial_seconds(r) == pytest.approx(0.5)


def test_measure_speedup_alternates_and_keeps_everything(iris):
    X, y = iris
    m = measure_speedup(SVC(), X, y, cv=5, n_jobs=2, backend="threading", repeats=3)
    assert isinstance(m, SpeedupMeasurement)
    assert (m.n_folds, m.n_workers, m.backend, m.pool) == (5, 2, "threading", "new per call")
    assert len(m.serial_walls) == len(m.parallel_walls) == len(m.serial_parts) == 3
    assert len(m.fold_seconds) == 5 and all(t > 0 for t in m.fold_seconds)
    assert m.speedup == pytest.approx(m.serial / m.parallel)
    assert 1.0 <= m.bound <= 2.0  # unequal measured folds can beat 5 / ceil(5 / 2), never 2 workers
    assert 0 < m.parallel_fraction < 1
    assert m.result.complete and m.result.backend == "threading"
    assert str(m).startswith("5 folds on 2 workers (threading, new per call pool): serial ")


def _pool_pids():
    from joblib.externals.loky import reusable_executor

    return set(reusable_executor._executor._processes)


def test_warm_pool_keeps_its_workers_and_cold_starts_new_ones(iris):
    X, y = iris
    measure_speedup(SVC(), X, y, cv=4, n_jobs=2, repeats=1)
    pool = _pool_pids()
    assert len(pool) == 2 and pool_is_warm(2)
    warm = measure_speedup(SVC(), X, y, cv=4, n_jobs=2, repeats=2)
    assert {t.pid for t in warm.result.traces} <= pool  # the same workers ran it
    cold = measure_speedup(SVC(), X, y, cv=4, n_jobs=2, pool="cold", repeats=1)
    assert cold.pool == "cold"
    assert not ({t.pid for t in cold.result.traces} & pool)  # new processes


def test_warm_workers_starts_every_worker():
    stop_workers()
    assert not pool_is_warm(2)
    warm_workers(2)
    assert pool_is_warm(2)


def test_measure_speedup_refuses_bad_arguments(iris):
    X, y = iris
    with pytest.raises(ValueError, match="pool='lukewarm' is not allowed; allowed: 'warm', 'cold'."):
        measure_speedup(SVC(), X, y, pool="lukewarm")
    with pytest.raises(ValueError, match="repeats=0 is not allowed; allowed: an integer >= 1."):
        measure_speedup(SVC(), X, y, repeats=0)


def test_measurements_record_the_machine_while_they_ran(iris):
    X, y = iris
    m = measure_speedup(SVC(), X, y, cv=4, n_jobs=2, backend="threading", repeats=1)
    assert m.machine.cores >= 1 and not m.machine.others < 0  # NaN only where psutil cannot read CPU times


def test_measure_workers_interleaves_the_counts_and_shares_one_machine(iris):
    X, y = iris
    ms = measure_workers(SVC(), X, y, cv=4, n_jobs=(1, 2), repeats=3, backend="threading")
    assert sorted(ms) == [1, 2]
    assert [len(m.serial_walls) for m in ms.values()] == [3, 3]  # blocks 1, 2 | 2, 1 | 1, 2: 3 of each
    assert ms[1].machine is ms[2].machine and len(ms[2].fold_seconds) == 4
