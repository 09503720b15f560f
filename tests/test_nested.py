"""cvkit.lab.nested and cvkit.plots.nested: nested scores equal serial ones; joblib's nested backend; counts; the chart."""

import os

import joblib
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cvkit import load_dataset
from cvkit.lab.nested import run_nested
from cvkit.lab.nested_records import NestedRun, NestedTask, OuterFold
from cvkit.lab.nested_rules import inner_backend_for
from cvkit.plots import plot_nested
from cvkit.plots.legibility import figure_problems
from cvkit.plots.nested import MAX_LEGEND_WORKERS, sub_rows

X, Y = load_dataset("synthetic", n_samples=200)
GRID = {"C": [0.5, 2.0]}


@pytest.fixture(scope="module")
def serial_grid():
    return run_nested(X, Y, outer_n_jobs=1, inner_n_jobs=1, param_grid=GRID)


@pytest.fixture(scope="module")
def both_grid():
    return run_nested(X, Y, outer_n_jobs=2, inner_n_jobs=2, param_grid=GRID)


# --- scores ----------------------------------------------------------------------------------
@pytest.mark.parametrize("outer, inner", [(2, 1), (1, 2)])
def test_grid_scores_equal_serial(serial_grid, outer, inner):
    run = run_nested(X, Y, outer_n_jobs=outer, inner_n_jobs=inner, param_grid=GRID)
    assert run.scores == serial_grid.scores
    assert [o.best_params for o in run.outer] == [o.best_params for o in serial_grid.outer]


def test_oversubscribed_grid_scores_equal_serial(serial_grid, both_grid):
    assert both_grid.scores == serial_grid.scores
    assert [o.best_params for o in both_grid.outer] == [o.best_params for o in serial_grid.outer]


def test_forest_scores_equal_serial():
    serial = run_nested(X, Y, inner="forest", outer_n_jobs=1, inner_n_jobs=1, n_estimators=6)
    nested = run_nested(X, Y, inner="forest", outer_n_jobs=2, inner_n_jobs=2, n_estimators=6)
    assert nested.scores == serial.scores
    assert all(o.best_params is None for o in nested.outer)


def test_scores_are_those_of_a_plain_nested_cross_validation(serial_grid):
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
    from sklearn.svm import SVC

    search = GridSearchCV(SVC(), GRID, cv=StratifiedKFold(3), scoring="f1_weighted")
    expected = cross_val_score(search, X, Y, cv=StratifiedKFold(3), scoring="f1_weighted")
    np.testing.assert_allclose(serial_grid.scores, expected, rtol=0, atol=1e-12)


# --- what joblib's code says the inner level gets --------------------------------------------
def test_inner_level_under_loky_workers_is_threads_in_the_outer_worker(both_grid):
    run = both_grid
    assert run.inner_backend == "threading"
    assert {(o.inner_nesting_level, o.inner_workers) for o in run.outer} == {(1, 2)}
    assert run.settings["outer_backend"] == "loky"
    for outer in run.outer:
        assert outer.pid != os.getpid()  # loky worker processes
        for task in run.tasks_of(outer.fold):
            assert task.pid == outer.pid  # threads of the worker that runs the outer fold
            if task.kind == "fit":
                assert task.thread_id != outer.thread_id
            else:  # the refit runs in the outer fold's own thread
                assert task.worker == outer.worker


def test_inner_level_under_threading_is_threads_nesting_level_1():
    run = run_nested(X, Y, outer_n_jobs=2, inner_n_jobs=2, param_grid=GRID, backend="threading", outer_folds=2)
    assert run.inner_backend == "threading"
    assert {o.inner_nesting_level for o in run.outer} == {1}
    assert {t.pid for t in run.tasks} == {os.getpid()}


def test_outer_n_jobs_1_leaves_the_inner_level_to_the_callers_backend():
    grid = run_nested(X, Y, outer_n_jobs=1, inner_n_jobs=2, param_grid=GRID, outer_folds=2)
    assert grid.inner_backend == "loky" and grid.settings["outer_backend"] == "sequential"
    assert {o.inner_nesting_level for o in grid.outer} == {0}
    assert all(o.pid == os.getpid() for o in grid.outer)
    assert all(t.pid != os.getpid() for t in grid.tasks if t.kind == "fit")  # loky processes
    forest = run_nested(X, Y, inner="forest", outer_n_jobs=1, inner_n_jobs=2, outer_folds=2, n_estimators=4)
    assert forest.inner_backend == "threading"  # a forest asks for prefer="threads"
    assert {t.pid for t in forest.tasks} == {os.getpid()}


def test_sequential_outer_backend_is_the_same_as_one_outer_worker():
    run = run_nested(X, Y, outer_n_jobs=2, inner_n_jobs=2, param_grid=GRID, backend="sequential", outer_folds=2)
    assert run.settings["outer_workers"] == 1 and run.settings["outer_backend"] == "sequential"
    assert run.inner_backend == "loky"


@pytest.mark.parametrize("inner_n_jobs", [None, 1])
def test_inner_none_or_1_runs_the_inner_tasks_one_after_the_other(inner_n_jobs):
    run = run_nested(X, Y, outer_n_jobs=2, inner_n_jobs=inner_n_jobs, param_grid=GRID, outer_folds=2)
    assert run.inner_backend == "sequential" and run.inner_workers == 1
    for outer in run.outer:
        assert {t.worker for t in run.tasks_of(outer.fold)} == {outer.worker}


def test_inner_minus_1_inside_a_worker_is_all_cores_of_threads():
    run = run_nested(X, Y, inner="forest", outer_n_jobs=2, inner_n_jobs=-1, outer_folds=2, n_estimators=4)
    if joblib.cpu_count() == 1:
        assert run.inner_backend == "sequential"
    else:
        assert run.inner_backend == "threading"
        assert run.inner_workers == joblib.cpu_count()  # in *each* outer worker, not cores // outer workers


def test_a_call_two_levels_deep_runs_sequentially():
    def level2():
        return joblib.Parallel(n_jobs=2)(joblib.delayed(inner_backend_for)(2) for _ in range(2))

    with joblib.parallel_config(backend="threading"):
        out = joblib.Parallel(n_jobs=2)(joblib.delayed(level2)() for _ in range(2))
    assert {r for rows in out for r in rows} == {("sequential", 2, 1)}


def test_loky_caps_blas_threads_in_the_outer_workers(both_grid):
    expected = max(joblib.cpu_count() // 2, 1)
    for outer in both_grid.outer:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            assert outer.thread_caps[var] == os.environ.get(var, str(expected))


# --- counts -----------------------------------------------------------------------------------
def test_grid_task_counts(both_grid):
    run = both_grid
    assert len(run.outer) == 3 and [o.fold for o in run.outer] == [0, 1, 2]
    assert len(run.tasks) == 3 * (2 * 3 + 1)
    for k in range(3):
        tasks = run.tasks_of(k)
        assert [(t.candidate, t.inner_fold) for t in tasks if t.kind == "fit"] == [
            (c, f) for c in range(2) for f in range(3)
        ]
        assert [t.kind for t in tasks].count("refit") == 1 and tasks[-1].kind == "refit"
    assert all(t.end >= t.start >= 0 for t in run.tasks)
    assert run.wall_time > 0


def test_forest_task_counts():
    run = run_nested(X, Y, inner="forest", outer_n_jobs=2, inner_n_jobs=2, outer_folds=2, n_estimators=5)
    assert [(t.outer_fold, t.kind, t.index) for t in run.tasks] == [(k, "tree", i) for k in range(2) for i in range(5)]
    assert run.settings["n_estimators"] == 5


def test_counts_and_peaks_serial(serial_grid):
    assert (serial_grid.n_processes, serial_grid.n_threads, serial_grid.peak_tasks) == (1, 1, 1)
    assert serial_grid.peak_processes == 1 and serial_grid.max_tasks_at_once == 1
    assert not serial_grid.oversubscribed


def test_counts_and_peaks_nested(both_grid):
    run = both_grid
    assert 1 <= run.peak_tasks <= run.max_tasks_at_once == 4
    assert 1 <= run.peak_processes <= 2
    assert run.n_processes == len({o.pid for o in run.outer})  # the inner threads live in the outer workers
    assert run.n_threads >= run.n_processes
    assert run.oversubscribed == (joblib.cpu_count() < 4)
    assert "inner n_jobs=2" in run.summary()
    frame = run.to_frame()
    assert len(frame) == len(run.tasks) and {"pid", "thread_id", "start", "end", "outer_fold"} <= set(frame)


def test_tasks_at_once_is_capped_by_the_tasks_of_one_inner_call():
    run = run_nested(X, Y, inner="forest", outer_n_jobs=2, inner_n_jobs=3, outer_folds=2, n_estimators=2)
    assert run.inner_workers == 3 and run.inner_call_tasks == 2
    assert run.max_tasks_at_once == 2 * 2 and run.peak_tasks <= 4
    assert run.oversubscribed == (joblib.cpu_count() < 4)


def test_peak_counts_overlaps_only():
    from cvkit.lab.nested_records import most_at_once as _peak

    assert _peak([(0, 1), (1, 2)]) == 1
    assert _peak([(0, 3), (1, 2), (1.5, 2.5)]) == 3


# --- the chart ---------------------------------------------------------------------------------
def test_plot_has_one_lane_per_outer_fold_and_is_legible(both_grid):
    ax = plot_nested(both_grid)
    try:
        assert [t.get_text() for t in ax.get_yticklabels()] == [f"outer fold {k}" for k in range(3)]
        gids = [p.get_gid() for p in ax.patches]
        assert sorted(g for g in gids if g.startswith("outer-")) == ["outer-0", "outer-1", "outer-2"]
        assert sum(g.startswith("inner-") for g in gids) == len(both_grid.tasks)
        assert ax.get_legend() is not None
        assert figure_problems(ax.figure) == []
    finally:
        plt.close(ax.figure)


def test_plot_bars_stay_inside_their_lane(both_grid):
    ax = plot_nested(both_grid)
    try:
        for p in ax.patches:
            if p.get_gid().startswith("inner-"):
                lane = int(p.get_gid().split("-")[1])
                assert lane - 0.5 < p.get_y() and p.get_y() + p.get_height() < lane + 0.5
    finally:
        plt.close(ax.figure)


def _fake_run(n_outer, threads_per_fold):
    outer, tasks = [], []
    for k in range(n_outer):
        pid = 1000 + k % 2
        outer.append(OuterFold(k, pid, pid, k * 0.1, k * 0.1 + 0.3, 0.9, None, "threading", 1, threads_per_fold))
        for i in range(threads_per_fold):
            tasks.append(NestedTask(k, "tree", i, None, None, pid, 5000 + k * 100 + i, k * 0.1 + 0.01, k * 0.1 + 0.2))
    return NestedRun(tuple(tasks), tuple(outer), {"inner": "forest", "outer_n_jobs": 2, "inner_n_jobs": -1,
                                                   "outer_backend": "loky", "outer_workers": 2, "cores": 8,
                                                   "n_estimators": threads_per_fold},
                     0.5, 2, 2 + n_outer * threads_per_fold, 2 * threads_per_fold, "threading")  # fmt: skip


def test_plot_with_many_workers_groups_the_legend_by_process():
    run = _fake_run(5, 8)  # 2 processes, 42 threads
    assert len(run.workers()) > MAX_LEGEND_WORKERS
    ax = plot_nested(run)
    try:
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels[:2] == ["pid 1000 · 25 threads", "pid 1001 · 17 threads"]
        assert [t.get_text() for t in ax.get_yticklabels()] == [f"outer fold {k}" for k in range(5)]
        assert figure_problems(ax.figure) == []
    finally:
        plt.close(ax.figure)


def test_sub_rows_never_overlap_and_use_the_peak():
    rng = np.random.default_rng(0)
    starts = rng.uniform(0, 10, 40)
    intervals = [(s, s + d) for s, d in zip(starts, rng.uniform(0.1, 2, 40))]
    rows = sub_rows(intervals, keys=rng.integers(0, 4, 40).tolist())
    for r in set(rows):
        on_row = sorted(iv for iv, row in zip(intervals, rows) if row == r)
        assert all(a[1] <= b[0] for a, b in zip(on_row, on_row[1:]))
    from cvkit.lab.nested_records import most_at_once as _peak

    assert max(rows) + 1 >= _peak(intervals)


def test_plot_refuses_what_is_not_a_run():
    with pytest.raises(TypeError, match="allowed: a NestedRun"):
        plot_nested({"tasks": []})


# --- bad arguments fail before any work ------------------------------------------------------
@pytest.fixture
def no_work(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("joblib.Parallel was called: the check came too late")

    monkeypatch.setattr(joblib, "Parallel", refuse)


@pytest.mark.parametrize("kwargs, message", [
    ({"outer_n_jobs": 0}, "outer_n_jobs=0 is not allowed; allowed: None, 1, 2, ... (that many workers) or -1, -2, "
                          "... (all cores, all but one, ...)."),
    ({"inner_n_jobs": 1.5}, "inner_n_jobs=1.5 is not allowed; allowed: None, 1, 2, ..."),
    ({"inner_n_jobs": True}, "inner_n_jobs=True is not allowed"),
    ({"outer_folds": 1}, "outer_folds=1 is not allowed; allowed: an integer >= 2."),
    ({"inner_folds": "3"}, "inner_folds='3' is not allowed; allowed: an integer >= 2."),
    ({"inner": "svm"}, "inner='svm' is not allowed; allowed: 'grid', 'forest'."),
    ({"backend": "lokky"}, "backend='lokky' is not allowed; allowed: 'loky', 'threading', 'multiprocessing', "
                           "'sequential', or None"),
    ({"param_grid": {}}, "param_grid={} is not allowed; allowed: a dict of parameter name -> non-empty list"),
    ({"param_grid": {"C": []}}, "param_grid={'C': []} is not allowed"),
    ({"param_grid": {"gama": [1.0]}}, "param_grid names ['gama'] that SVC does not have"),
    ({"estimator": "SVC"}, "estimator='SVC' is not allowed; allowed: a scikit-learn classifier"),
    ({"n_estimators": 5}, "n_estimators=5 was given with inner='grid'; allowed: n_estimators only with "
                          "inner='forest'."),
    ({"inner": "forest", "param_grid": {"C": [1]}}, "param_grid={'C': [1]} was given with inner='forest'"),
    ({"inner": "forest", "n_estimators": 0}, "n_estimators=0 is not allowed; allowed: an integer >= 1."),
])  # fmt: skip
def test_bad_arguments_raise_before_any_work(no_work, kwargs, message):
    with pytest.raises((ValueError, TypeError)) as info:
        run_nested(X, Y, **kwargs)
    assert str(info.value).startswith(message)


def test_bad_data_and_folds_raise_before_any_work(no_work):
    with pytest.raises(ValueError, match="X and y have different lengths"):
        run_nested(X, Y[:-1])
    y = np.array([0] * 20 + [1] * 4)
    Xs = np.zeros((24, 3))
    with pytest.raises(ValueError, match=r"^outer_folds=5 is larger than the smallest class \(class 1 has 4 members\)"):
        run_nested(Xs, y, outer_folds=5)
    with pytest.raises(ValueError, match=r"^inner_folds=3 is larger than the smallest class of outer fold 0's "
                                         r"training set \(class 1 has 2 members\); allowed with stratified folds: "
                                         r"2 <= inner_folds <= 2\."):  # fmt: skip
        run_nested(Xs, y, outer_folds=2, inner_folds=3)
