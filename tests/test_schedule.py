"""The dispatch model: hand-computed schedules, its invariants, and agreement with real joblib runs."""

import math
import os
import re
import time
from pathlib import Path

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joblib import Parallel, delayed
from sklearn.svm import SVC

from cvkit import CVResult, FoldResult, TaskTrace, load_dataset, run_folds
from cvkit.backends import resolve_n_jobs
from cvkit.core.checks import check_pre_dispatch_tasks
from cvkit.model import (
    counts_agree,
    list_scheduling_bound,
    predict_from_result,
    predict_schedule,
    schedule_from_result,
    speedup_bound,
    speedup_summary,
)


# --------------------------------------------------------------------------------------------
# Hand-computed cases
# --------------------------------------------------------------------------------------------
def test_five_equal_folds_on_two_workers_take_three_rounds():
    s = predict_schedule(5, n_jobs=2)
    assert s.n_workers == 2
    assert s.makespan == 3.0
    assert s.lanes() == [[0, 2, 4], [1, 3]]
    assert s.per_worker_counts() == [3, 2]
    assert [(t.fold, t.worker, t.start, t.end) for t in s.tasks] == [
        (0, 0, 0.0, 1.0),
        (1, 1, 0.0, 1.0),
        (2, 0, 1.0, 2.0),
        (3, 1, 1.0, 2.0),
        (4, 0, 2.0, 3.0),
    ]
    b = s.bounds()
    assert b["rounds"] == 3 and b["equal_folds"]
    assert b["total_work_over_workers"] == 2.5 and b["longest_task"] == 1.0
    assert b["best_speedup"] == pytest.approx(5 / 3) == speedup_bound(5, 2)
    assert s.speedup == pytest.approx(5 / 3)


def test_ten_equal_folds_on_four_workers_take_three_rounds():
    s = predict_schedule(10, n_jobs=4)
    assert s.makespan == 3.0
    assert s.lanes() == [[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]]
    assert s.bounds()["rounds"] == 3
    assert speedup_bound(10, 4) == pytest.approx(10 / 3)


@pytest.mark.parametrize("k", [5, 10, 15])
@pytest.mark.parametrize("w", [1, 2, 4])
def test_question_table_equal_folds(k, w):
    """The kit's question: k equal folds on w workers take ceil(k / w) rounds; counts differ by at most one."""
    s = predict_schedule(k, n_jobs=w)
    assert s.makespan == math.ceil(k / w)
    counts = s.per_worker_counts()
    assert sum(counts) == k and max(counts) - min(counts) <= 1 and max(counts) == math.ceil(k / w)
    assert s.speedup == pytest.approx(speedup_bound(k, w))


def test_more_workers_than_folds_leaves_lanes_empty():
    s = predict_schedule(5, n_jobs=8)
    assert s.n_workers == 8 and s.makespan == 1.0
    assert s.per_worker_counts() == [1, 1, 1, 1, 1, 0, 0, 0]
    assert speedup_bound(5, 8) == 5.0


def test_unequal_folds_dispatch_order_matters():
    """A fold 3x longer: dispatched first it overlaps the others (makespan 4); dispatched last it runs alone (5)."""
    first = predict_schedule([3, 1, 1, 1, 1], n_jobs=2)
    assert first.lanes() == [[0, 4], [1, 2, 3]]
    assert first.makespan == 4.0
    last = predict_schedule([1, 1, 1, 1, 3], n_jobs=2)
    assert last.lanes() == [[0, 2, 4], [1, 3]]
    assert [(t.start, t.end) for t in last.tasks if t.fold == 4] == [(2.0, 5.0)]
    assert last.makespan == 5.0
    # same work, same lower bound; only the order differs
    assert first.bounds()["makespan_lower_bound"] == last.bounds()["makespan_lower_bound"] == 3.5
    assert list_scheduling_bound([3, 1, 1, 1, 1], 2) == 4.0
    assert list_scheduling_bound([1, 1, 1, 1, 3], 2) == 5.0


def test_unequal_makespan_follows_the_slowest_lane():
    s = predict_schedule([1.5, 1, 1, 1, 2, 1], n_jobs=2)
    lane_ends = [max(t.end for t in s.tasks if t.worker == w) for w in range(2)]
    assert lane_ends == [3.5, 4.0]
    assert s.makespan == max(lane_ends)


def test_pre_dispatch_one_is_serial_and_alternates_workers():
    """One task in flight: each completion dispatches the next; the worker idle longest takes it (as loky does)."""
    s = predict_schedule(5, n_jobs=2, pre_dispatch=1)
    assert s.makespan == 5.0
    assert s.lanes() == [[0, 2, 4], [1, 3]]
    assert all(a.end <= b.start for a, b in zip(s.tasks, s.tasks[1:]))


def test_pre_dispatch_limits_how_many_run_at_once():
    s = predict_schedule(8, n_jobs=4, pre_dispatch=2)
    assert s.makespan == 4.0  # only 2 of 4 workers ever busy
    assert _max_concurrency(s) == 2


def test_pre_dispatch_dispatches_ahead_then_one_per_completion():
    s = predict_schedule(7, n_jobs=2)  # "2*n_jobs" = 4 up front
    assert [t.dispatched for t in s.tasks] == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 2.0]
    assert s.state_at(0.0) == {0: "running", 1: "running", 2: "waiting", 3: "waiting", 4: "waiting", 5: "waiting",
                               6: "waiting"}  # fmt: skip
    assert s.not_dispatched_at(0.0) == [4, 5, 6]  # 2 and 3 wait in the pool's queue, 4 to 6 in joblib's generator
    s_all = predict_schedule(7, n_jobs=2, pre_dispatch="all")
    assert {t.dispatched for t in s_all.tasks} == {0.0}
    assert s_all.lanes() == s.lanes()  # dispatching ahead changes when folds queue, not who runs them


def test_pre_dispatch_expressions_truncate_like_joblib():
    assert check_pre_dispatch_tasks("1.5*n_jobs", 3) == 4  # int(4.5)
    assert check_pre_dispatch_tasks("n_jobs", 3) == 3
    assert check_pre_dispatch_tasks(5, 3) == 5
    assert check_pre_dispatch_tasks("all", 3) is None
    s = predict_schedule(6, n_jobs=3, pre_dispatch="1.5*n_jobs")
    assert [t.dispatched for t in s.tasks] == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]


def test_pre_dispatch_of_zero_tasks_is_refused():
    # joblib itself returns [] without running anything in this case (checked with joblib 1.6)
    with pytest.raises(ValueError, match=r"pre_dispatch='0.4\*n_jobs' is not allowed with n_jobs=2: it comes to 0"):
        predict_schedule(6, n_jobs=2, pre_dispatch="0.4*n_jobs")


def test_integer_batch_size_groups_folds_back_to_back():
    s = predict_schedule(8, n_jobs=2, batch_size=2)
    assert s.lanes() == [[0, 1, 4, 5], [2, 3, 6, 7]]
    assert [t.batch for t in s.tasks] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert s.makespan == 4.0
    # the last tasks are spread thinly: 5 folds, batch_size 2 -> [0,1] [2,3] then [4] alone
    s5 = predict_schedule(5, n_jobs=2, batch_size=2)
    assert s5.batches() == [[0, 1], [2, 3], [4]]


def test_pre_dispatched_batches_are_cut_into_n_jobs_pieces():
    """joblib cuts the pre-dispatch slice into n_jobs batches: pre_dispatch=4, batch_size=4 gives batches of 2."""
    s = predict_schedule(8, n_jobs=2, pre_dispatch=4, batch_size=4)
    assert [t.batch for t in s.tasks][:4] == [0, 0, 1, 1]
    # pre_dispatch=3, batch_size=2: the slice of 3 becomes three batches of 1, later ones pairs, the last alone
    s = predict_schedule(8, n_jobs=2, pre_dispatch=3, batch_size=2)
    assert [t.batch for t in s.tasks] == [0, 1, 2, 3, 3, 4, 4, 5]
    assert s.lanes() == [[0, 2, 5, 6], [1, 3, 4, 7]]


def test_auto_batch_size_stays_one_for_coarse_folds():
    s = predict_schedule([0.5] * 10, n_jobs=2, batch_size="auto")
    assert len({t.batch for t in s.tasks}) == 10
    assert s.lanes() == predict_schedule([0.5] * 10, n_jobs=2).lanes()


def test_auto_batch_size_pairs_up_fast_folds():
    """Folds of 0.12 s finish under joblib's 0.2 s target: after the first, batches of 2 (as measured below)."""
    s = predict_schedule([0.12] * 10, n_jobs=2, batch_size="auto")
    assert s.batches() == [[0], [1], [2], [3], [4, 5], [6, 7], [8], [9]]


def test_dispatch_overhead_is_charged_per_batch():
    assert predict_schedule(5, n_jobs=2, dispatch_overhead=0.1).makespan == pytest.approx(3.3)
    assert predict_schedule(4, n_jobs=1, batch_size=2, dispatch_overhead=0.1).makespan == pytest.approx(4.2)


def test_results_order():
    s = predict_schedule([3, 1, 1, 1, 1], n_jobs=2)
    assert s.results_order("list") == [(f, 4.0) for f in range(5)]
    assert s.results_order("generator") == [(0, 3.0), (1, 3.0), (2, 3.0), (3, 3.0), (4, 4.0)]
    assert s.results_order("generator_unordered") == [(1, 1.0), (2, 2.0), (0, 3.0), (3, 3.0), (4, 4.0)]
    batched = predict_schedule(4, n_jobs=1, batch_size=2)
    assert batched.results_order("generator_unordered") == [(0, 2.0), (1, 2.0), (2, 4.0), (3, 4.0)]
    with pytest.raises(ValueError, match="return_as='set' is not allowed"):
        s.results_order("set")


def test_n_jobs_is_a_number_of_workers_the_caller_resolves_like_joblib():
    assert predict_schedule(4, n_jobs=resolve_n_jobs(-1)).n_workers == joblib.cpu_count()
    assert predict_schedule(4, n_jobs=resolve_n_jobs(None)).n_workers == 1
    with joblib.parallel_config(n_jobs=3):
        assert predict_schedule(4, n_jobs=resolve_n_jobs(None)).n_workers == 3
    if joblib.cpu_count() > 1:
        assert predict_schedule(4, n_jobs=resolve_n_jobs(-2)).n_workers == joblib.cpu_count() - 1
    for unresolved in (-1, None):  # the model is pure: it does not ask joblib how many cores there are
        with pytest.raises(ValueError, match=rf"n_jobs={unresolved} is not allowed; .* resolve -1, -2 or None first"):
            predict_schedule(4, n_jobs=unresolved)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"durations": 5, "n_jobs": 0}, "n_jobs=0 is not allowed"),
        ({"durations": 5, "n_jobs": 2, "batch_size": 0}, "batch_size=0 is not allowed; allowed: an integer >= 1."),
        ({"durations": 5, "n_jobs": 2, "pre_dispatch": "2*cores"}, r"pre_dispatch='2\*cores' is not allowed"),
        ({"durations": [], "n_jobs": 2}, r"durations=\[\] is not allowed"),
        ({"durations": [1, -1], "n_jobs": 2}, "a non-empty sequence of seconds >= 0"),
        ({"durations": [1, float("nan")], "n_jobs": 2}, "durations="),
        ({"durations": 0, "n_jobs": 2}, "durations=0 is not allowed; allowed: an integer >= 1."),
        ({"durations": 5, "n_jobs": 2, "dispatch_overhead": -1}, "dispatch_overhead=-1 is not allowed"),
    ],
)
def test_bad_arguments(kwargs, message):
    durations = kwargs.pop("durations")
    n_jobs = kwargs.pop("n_jobs")
    with pytest.raises(ValueError, match=message):
        predict_schedule(durations, n_jobs, **kwargs)


def test_bounds_helpers_check_arguments():
    with pytest.raises(ValueError, match="n_workers=0 is not allowed"):
        speedup_bound(5, 0)
    with pytest.raises(ValueError, match="n_workers=0 is not allowed"):
        list_scheduling_bound([1, 2], 0)


def test_describe_is_exact_text():
    assert predict_schedule([1.5, 1, 1, 1, 2, 1], 2).describe() == (
        "worker 0: fold 0 [0–1.5], fold 3 [1.5–2.5], fold 5 [2.5–3.5]\n"
        "worker 1: fold 1 [0–1], fold 2 [1–2], fold 4 [2–4]"
    )
    assert predict_schedule(1, 3).describe().splitlines()[2] == "worker 2: (idle)"


# --------------------------------------------------------------------------------------------
# Invariants, on random cases
# --------------------------------------------------------------------------------------------
durations_st = st.lists(st.floats(0.01, 5.0, allow_nan=False), min_size=1, max_size=25)
pre_dispatch_st = st.one_of(st.just("all"), st.integers(1, 12), st.sampled_from(["n_jobs", "2*n_jobs", "1.5*n_jobs"]))


@settings(max_examples=300, deadline=None)
@given(durations_st, st.integers(1, 6), pre_dispatch_st, st.one_of(st.integers(1, 4), st.just("auto")))
def test_every_schedule_is_feasible(durations, w, pre_dispatch, batch_size):
    s = predict_schedule(durations, w, pre_dispatch=pre_dispatch, batch_size=batch_size)
    assert [t.fold for t in s.tasks] == list(range(len(durations)))
    for t in s.tasks:
        assert 0 <= t.worker < w
        assert t.end - t.start == pytest.approx(durations[t.fold])
        assert t.dispatched <= t.start
    for lane in range(w):  # a worker runs one fold at a time
        mine = sorted((t for t in s.tasks if t.worker == lane), key=lambda t: t.start)
        assert all(a.end <= b.start + 1e-9 for a, b in zip(mine, mine[1:]))
    batches = {}
    for t in s.tasks:
        batches.setdefault(t.batch, []).append(t)
    assert list(batches) == sorted(batches)  # batches are runs of consecutive folds, in dispatch order
    starts = [min(t.start for t in batch) for batch in batches.values()]
    # the queue is first in, first out (workers free within 1e-9 s of each other count as free together)
    assert all(a <= b + 1e-9 for a, b in zip(starts, starts[1:]))
    b = s.bounds()
    assert s.makespan >= b["makespan_lower_bound"] - 1e-9
    assert s.makespan <= sum(durations) + 1e-9
    amount = check_pre_dispatch_tasks(pre_dispatch, w)
    if amount is not None and batch_size == 1:
        assert _max_concurrency(s) <= amount


@settings(max_examples=300, deadline=None)
@given(durations_st, st.integers(1, 6), st.data())
def test_enough_dispatched_ahead_is_list_scheduling(durations, w, data):
    """With batch_size=1 and pre_dispatch >= n_jobs, joblib's dispatch is greedy list scheduling in fold order."""
    pre_dispatch = data.draw(st.one_of(st.just("all"), st.just("n_jobs"), st.just("2*n_jobs"), st.integers(w, 3 * w)))
    s = predict_schedule(durations, w, pre_dispatch=pre_dispatch)
    assert s.makespan == pytest.approx(list_scheduling_bound(durations, w))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(1, 10))
def test_equal_folds_reach_the_bound(k, w):
    s = predict_schedule(k, w)
    assert s.makespan == math.ceil(k / w)
    assert s.speedup == pytest.approx(speedup_bound(k, w)) == pytest.approx(s.bounds()["best_speedup"])


def _max_concurrency(schedule):
    events = sorted([(t.start, 1) for t in schedule.tasks] + [(t.end, -1) for t in schedule.tasks])
    running = peak = 0
    for _, change in events:  # ends sort before starts at the same instant
        running += change
        peak = max(peak, running)
    return peak


# --------------------------------------------------------------------------------------------
# Measured runs: the model agrees with joblib and with run_folds
# --------------------------------------------------------------------------------------------
def _sleep_task(fold, seconds):
    start = time.time()
    time.sleep(seconds)
    return fold, os.getpid(), start, time.time()


def _warm_up(n_jobs):
    """Start the loky workers and make each one run a task once.

    A worker imports this test module (and sklearn) when it first unpickles a task (~1 s): that
    must not happen during a measured run.
    """
    for _ in range(5):
        out = Parallel(n_jobs=n_jobs)(delayed(_sleep_task)(i, 0.2) for i in range(2 * n_jobs))
        if len({pid for _, pid, _, _ in out}) == n_jobs:
            return
    pytest.fail(f"could not get {n_jobs} loky workers to run a task each")


def _run_sleeps(durations, n_jobs=2, **parallel_kwargs):
    """Run sleeping tasks through joblib's loky backend; return a CVResult holding their traces."""
    _warm_up(n_jobs)
    t0 = time.time()
    out = Parallel(n_jobs=n_jobs, **parallel_kwargs)(delayed(_sleep_task)(i, d) for i, d in enumerate(durations))
    wall = time.time() - t0
    folds = [FoldResult(f, trace=TaskTrace(f, "h", pid, 0, "MainThread", s - t0, e - t0)) for f, pid, s, e in out]
    settings_ = {"pre_dispatch": parallel_kwargs.get("pre_dispatch", "2*n_jobs"),
                 "batch_size": parallel_kwargs.get("batch_size", "auto")}  # fmt: skip
    return CVResult(folds, "sleep", np.array([0, 1]), n_jobs, "loky", wall, settings=settings_)


def _measure(durations, attempts=2, *, expect, **parallel_kwargs):
    """Measure a run of sleeping tasks; measure again (once) if ``expect(schedule)`` fails.

    Timing comparisons can be upset by a busy machine: a wrong model fails every attempt, a hiccup does not.
    """
    for _ in range(attempts):
        measured = schedule_from_result(_run_sleeps(durations, **parallel_kwargs))
        if expect(measured):
            break
    return measured


def _lane_sets(schedule):
    return {frozenset(lane) for lane in schedule.lanes() if lane}


@pytest.mark.slow
def test_joblib_unequal_tasks_follow_the_model():
    durations = [0.5, 0.1, 0.2, 0.1, 0.3, 0.1]  # every decision is 0.1 s away from a tie
    predicted = predict_schedule(durations, 2)
    measured = _measure(durations, expect=lambda m: m.lanes() == predicted.lanes(), batch_size=1)
    assert predicted.lanes() == [[0, 5], [1, 2, 3, 4]]
    assert measured.lanes() == predicted.lanes()
    assert measured.makespan == pytest.approx(predicted.makespan, abs=0.08)


@pytest.mark.slow
def test_joblib_pre_dispatch_one_runs_serially():
    measured = schedule_from_result(_run_sleeps([0.08] * 5, pre_dispatch=1, batch_size=1))
    assert _max_concurrency(measured) == 1
    assert measured.lanes() == predict_schedule(5, 2, pre_dispatch=1).lanes() == [[0, 2, 4], [1, 3]]


@pytest.mark.slow
def test_joblib_batches_follow_the_model():
    durations = [0.1, 0.1, 0.25, 0.25, 0.1, 0.1, 0.1, 0.1]
    predicted = predict_schedule(durations, 2, batch_size=2)
    measured = _measure(durations, expect=lambda m: _lane_sets(m) == _lane_sets(predicted), batch_size=2)
    assert _lane_sets(predicted) == {frozenset({0, 1, 4, 5, 6, 7}), frozenset({2, 3})}
    assert _lane_sets(measured) == _lane_sets(predicted)


@pytest.mark.slow
def test_joblib_pre_dispatch_counts_tasks_not_batches():
    """joblib's docstring says pre_dispatch counts batches; its code slices tasks, and so does the model.

    pre_dispatch=3, batch_size=2: the first 3 *tasks* are cut into 3 batches of one; then pairs.
    """
    durations = [0.2, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]
    predicted = predict_schedule(durations, 2, pre_dispatch=3, batch_size=2)
    assert [t.batch for t in predicted.tasks] == [0, 1, 2, 3, 3, 4, 4, 5]
    assert predicted.lanes() == [[0, 2, 5, 6], [1, 3, 4, 7]]
    measured = _measure(durations, expect=lambda m: m.lanes() == predicted.lanes(), pre_dispatch=3, batch_size=2)
    assert measured.lanes() == predicted.lanes()


@pytest.mark.slow
def test_joblib_auto_batching_follows_the_model():
    result = _run_sleeps([0.12] * 10)  # batch_size="auto", joblib's default
    predicted = predict_from_result(result, [0.12] * 10)
    assert predicted.settings["batch_size"] == "auto"
    measured = schedule_from_result(result)
    # folds 4-5 and 6-7 travel as batches: back to back on one worker, in prediction and in joblib
    # (which worker takes which pair is a tie between equal tasks, so only pairs are compared)
    for schedule, gap in [(predicted, 0.0), (measured, 0.05)]:
        for a, b in [(4, 5), (6, 7)]:
            ta, tb = schedule.tasks[a], schedule.tasks[b]
            assert ta.worker == tb.worker and 0 <= tb.start - ta.end <= gap, (schedule.source, a, b)
    assert counts_agree(measured, predicted, tolerance=0)


@pytest.mark.slow
def test_run_folds_per_worker_counts_match_the_model():
    """Equal coarse folds measured with run_folds: per-worker fold counts match the prediction within one."""
    X, y = load_dataset("synthetic", n_samples="medium")
    run_folds(SVC(), X, y, cv=2, n_jobs=2, backend="loky")  # start the workers, import sklearn in them
    result = run_folds(SVC(), X, y, cv=10, n_jobs=2, backend="loky", batch_size=1)
    measured = schedule_from_result(result)
    predicted = predict_schedule(10, n_jobs=2)
    assert measured.n_workers == 2 and sum(measured.per_worker_counts()) == 10
    assert counts_agree(measured, predicted, tolerance=1), (measured.per_worker_counts(), predicted.per_worker_counts())
    # and the prediction from the run's own durations reproduces who ran what, closely
    from_run = predict_from_result(result)
    assert from_run.settings["batch_size"] == 1
    assert counts_agree(measured, from_run, tolerance=1)
    assert from_run.makespan == pytest.approx(measured.makespan, rel=0.25)


# --------------------------------------------------------------------------------------------
# From a result; the summary
# --------------------------------------------------------------------------------------------
def _handmade_result(rows, n_jobs=2, wall=2.1, backend="loky", statuses=None):
    folds = []
    for fold, row in enumerate(rows):
        status = (statuses or {}).get(fold, "done")
        if row is None:
            folds.append(FoldResult(fold, status="cancelled"))
            continue
        pid, tid, start, end = row
        folds.append(FoldResult(fold, status=status, trace=TaskTrace(fold, "h", pid, tid, "t", start, end)))
    return CVResult(folds, "f1_weighted", np.array([0, 1]), n_jobs, backend, wall)


def test_schedule_from_result_numbers_lanes_by_first_start():
    r = _handmade_result([(20, 1, 0.05, 1.0), (10, 1, 0.01, 0.9), (10, 1, 0.9, 2.0), None], statuses={2: "failed"})
    s = schedule_from_result(r)
    assert s.source == "measured"
    assert s.lanes() == [[1, 2], [0]]  # pid 10 started first
    assert s.worker_labels == ["pid 10", "pid 20"]
    assert s.makespan == 2.0 and s.settings["wall_time"] == 2.1
    assert [t.status for t in s.tasks] == ["done", "done", "failed"]  # the cancelled fold never ran
    assert s.state_at(0.02) == {0: "waiting", 1: "running", 2: "waiting"}
    assert s.not_dispatched_at(0.02) == []  # a measured run has no dispatch times
    assert s.state_at(2.0) == {0: "done", 1: "done", 2: "failed"}
    with pytest.raises(ValueError, match="this measured schedule has no batches"):
        s.batches()


def test_schedule_from_result_threads_and_idle_workers():
    r = _handmade_result([(5, 101, 0.0, 1.0), (5, 102, 0.0, 1.0)], n_jobs=4, backend="threading")
    s = schedule_from_result(r)
    assert s.n_workers == 4 and s.per_worker_counts() == [1, 1, 0, 0]
    assert s.worker_labels[:2] == ["thread 101", "thread 102"]
    assert predict_from_result(r).settings["batch_size"] == 1  # threading never batches


def test_speedup_summary_prints_what_the_sanitizer_masks():
    r = _handmade_result([(1, 1, 0.0, 1.0), (2, 2, 0.0, 1.0), (1, 1, 1.0, 2.0)], wall=2.2)
    serial = _handmade_result([(0, 0, 0.0, 1.0), (0, 0, 1.0, 2.0), (0, 0, 2.0, 3.0)], n_jobs=1, wall=3.3)
    summary = speedup_summary(r, serial=serial)
    assert summary.measured == pytest.approx(1.5) and summary.efficiency == pytest.approx(0.75)
    assert summary.predicted == pytest.approx(1.5) and summary.bound == pytest.approx(1.5)
    assert summary.serial_reference == "serial run"
    text = str(summary)
    assert "measured speed-up 1.50×" in text and "serial run 3.30 s / parallel 2.20 s" in text
    assert text.endswith("speed-up per worker 0.75×") and "efficiency" not in text
    masked = _sanitize(text)
    assert not re.search(r"\d\.\d", masked), masked  # every measured number is masked by nbval_sanitize.cfg
    assert masked == _sanitize(str(speedup_summary(r, serial=4.567)))
    # without a serial run: the sum of this run's fold times, and it says so
    assert speedup_summary(r).serial_reference == "sum of this run's fold times"
    assert speedup_summary(r).measured == pytest.approx(3 / 2.2)


def _sanitize(text):
    cfg = (Path(__file__).parents[1] / "nbval_sanitize.cfg").read_text()
    for regex, replace in re.findall(r"^regex: (.*)\nreplace: (.*)$", cfg, flags=re.M):
        text = re.sub(regex, replace, text)
    return text
