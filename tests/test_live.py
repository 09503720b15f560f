"""The live-state model: fed by run_folds' events, it knows what waits, runs and finished, and what to draw."""

import threading
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

from cvkit import FoldResult, TaskTrace, run_folds
from cvkit.lab.faults import FaultyClassifier
from cvkit.model import predict_schedule, schedule_from_result
from cvkit.model.live import LiveRun
from cvkit.widgets.background import BackgroundRun
from cvkit.widgets.svg import live_svg, schedule_svg

BACKENDS = [(1, None), (2, "loky"), (2, "threading"), (2, "multiprocessing")]
IDS = ["serial", "loky", "threading", "multiprocessing"]


class FakeClock:
    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t


def start(live, fold, pid, at, thread=1, attempt=None):
    payload = {"fold": fold, "host": "h", "pid": pid, "thread_id": thread, "time": at}
    if attempt is not None:
        payload["attempt"] = attempt
    live.handle("start", payload)


def done(live, fold, pid, begin, end, status="done", score=0.9, thread=1):
    trace = TaskTrace(fold, "h", pid, thread, "w", begin, end)
    result = FoldResult(fold, status=status, score=score if status == "done" else float("nan"), trace=trace)
    if status == "failed":
        result.error_type, result.error_message = "ValueError", "boom"
    live.handle("done", {"result": result})


def svg_bars(svg, state=None, kind="cvkit-bar"):
    """Folds of the <rect> elements whose class holds ``kind`` (and ``state``), parsed as XML."""
    root = ET.fromstring(svg)
    folds = []
    for el in root.iter("{http://www.w3.org/2000/svg}rect"):
        classes = el.get("class", "").split()
        if kind in classes and (state is None or state in classes):
            folds.append(int(el.get("data-fold")))
    return folds


# --- the state machine ------------------------------------------------------------------------------
def test_new_run_has_every_fold_waiting_in_order():
    snap = LiveRun(4, n_workers=2).snapshot(now=0.0)
    assert snap.waiting == (0, 1, 2, 3)
    assert snap.bars == () and snap.completed == () and snap.progress == 0
    assert snap.lane_labels == ("", "")


def test_running_bar_grows_with_now_and_leaves_the_queue():
    live = LiveRun(3, n_workers=2, clock=FakeClock())
    start(live, 0, pid=11, at=0.2)
    first, later = live.snapshot(now=0.5), live.snapshot(now=1.5)
    assert first.waiting == (1, 2) and first.states[0] == "running"
    assert (first.bars[0].start, first.bars[0].end) == (0.2, 0.5)
    assert later.bars[0].end == 1.5


def test_lanes_follow_the_order_of_first_start_per_worker():
    live = LiveRun(4, n_workers=2)
    start(live, 1, pid=22, at=0.1)
    start(live, 0, pid=11, at=0.2)
    done(live, 1, pid=22, begin=0.1, end=0.5)
    start(live, 2, pid=22, at=0.5)
    lanes = {b.fold: b.worker for b in live.snapshot(now=1.0).bars}
    assert lanes == {1: 0, 0: 1, 2: 0}
    assert live.snapshot(now=1.0).lane_labels == ("pid 22", "pid 11")


def test_threads_of_one_process_get_lanes_labelled_by_thread():
    live = LiveRun(2, n_workers=2)
    start(live, 0, pid=5, at=0.0, thread=71)
    start(live, 1, pid=5, at=0.0, thread=72)
    assert live.snapshot(now=0.1).lane_labels == ("thread 71", "thread 72")


def test_a_rerun_keeps_the_first_attempt_as_an_interrupted_bar_and_draws_the_second_on_its_lane():
    live = LiveRun(2, n_workers=2)
    start(live, 0, pid=11, at=0.1, attempt=1)
    start(live, 0, pid=33, at=0.9, attempt=2)  # its worker died unseen; fold 0 runs again elsewhere
    snap = live.snapshot(now=1.0)
    assert [(b.fold, b.attempt, b.status, b.worker, b.start, b.end) for b in snap.bars] == [
        (0, 1, "interrupted", 0, 0.1, 0.9),
        (0, 2, "running", 1, 0.9, 1.0),
    ]
    assert snap.interrupted == (0,) and snap.count("running") == 1


def test_a_dead_worker_marks_its_lane_dead_and_its_folds_interrupted_and_a_new_worker_takes_the_lane():
    clock = FakeClock(100.0)
    live = LiveRun(4, n_workers=2, clock=clock)
    start(live, 0, pid=11, at=0.0)
    start(live, 1, pid=12, at=0.0)
    clock.t = 100.5
    alive = {11: False, 12: True}
    deaths = live.check_workers(lambda pid: alive[pid])
    assert [(d.pid, d.lane, d.folds) for d in deaths] == [(11, 0, (0,))]
    snap = live.snapshot()
    assert snap.states[0] == "interrupted" and snap.states[1] == "running"
    assert snap.dead_lanes == {0: pytest.approx(0.5)} and snap.alive_lanes == 1
    assert 0 in snap.waiting  # it waits to be re-run
    assert live.check_workers(lambda pid: alive[pid]) == []  # seen once
    start(live, 0, pid=21, at=1.0, attempt=2)  # a new worker: it takes the dead lane, no third lane
    snap = live.snapshot(now=1.2)
    assert snap.n_lanes == 2 and snap.dead_lanes == {} and snap.lane_labels == ("pid 21", "pid 12")
    assert [(b.fold, b.attempt, b.status, b.worker) for b in snap.bars] == [
        (0, 1, "interrupted", 0), (0, 2, "running", 0), (1, 1, "running", 1)]  # fmt: skip
    done(live, 0, pid=21, begin=1.0, end=1.4)
    snap = live.snapshot(now=1.5)
    assert [(b.attempt, b.status) for b in snap.bars if b.fold == 0] == [(1, "interrupted"), (2, "done")]
    assert snap.states[0] == "done" and snap.interrupted == (0,)


def test_the_explorer_own_process_is_never_checked_and_a_stopped_run_is_not_a_death():
    live = LiveRun(2, n_workers=1)
    start(live, 0, pid=5, at=0.0)
    assert live.check_workers(lambda pid: False, own_pid=5) == []
    live.finish(at=0.2)
    assert live.worker_died(5) is None


def test_results_are_kept_in_completion_order_with_scores_and_errors():
    live = LiveRun(3, n_workers=2)
    for fold, pid in [(0, 1), (1, 2)]:
        start(live, fold, pid=pid, at=0.0)
    done(live, 1, pid=2, begin=0.0, end=0.3, score=0.8)
    start(live, 2, pid=2, at=0.3)
    done(live, 2, pid=2, begin=0.3, end=0.5, status="failed")
    done(live, 0, pid=1, begin=0.0, end=0.7, score=0.7)
    snap = live.snapshot(now=0.8)
    assert snap.completed == (1, 2, 0)
    assert [r.fold for r in live.results] == [1, 2, 0]
    assert snap.states == {0: "done", 1: "done", 2: "failed"}
    assert snap.errors == {2: "ValueError: boom"}
    by_fold = {b.fold: b for b in snap.bars}
    assert by_fold[1].score == 0.8 and by_fold[2].status == "failed" and by_fold[0].end == 0.7
    assert snap.progress == 1.0


def test_finish_cancels_what_did_not_finish_and_keeps_the_bars_that_ran():
    live = LiveRun(4, n_workers=2)
    start(live, 0, pid=1, at=0.0)
    start(live, 1, pid=2, at=0.0)
    done(live, 0, pid=1, begin=0.0, end=0.4)
    live.finish(at=0.6, message="stopped by request")
    snap = live.snapshot()
    assert snap.states == {0: "done", 1: "cancelled", 2: "cancelled", 3: "cancelled"}
    assert [(b.fold, b.status, b.end) for b in snap.bars] == [(0, "done", 0.4), (1, "cancelled", 0.6)]
    assert snap.waiting == () and snap.finished and snap.message == "stopped by request"
    assert snap.now == 0.6  # the clock stops with the run
    start(live, 2, pid=1, at=0.7)  # a late datagram after the end changes nothing
    assert live.snapshot().states[2] == "cancelled"


def test_a_late_start_for_a_finished_fold_is_ignored_and_a_result_without_start_draws_from_its_trace():
    live = LiveRun(2, n_workers=1)
    done(live, 0, pid=9, begin=0.1, end=0.2)  # its start datagram was lost
    start(live, 0, pid=9, at=0.1)
    snap = live.snapshot(now=0.3)
    assert [(b.fold, b.worker, b.status, b.start, b.end) for b in snap.bars] == [(0, 0, "done", 0.1, 0.2)]


def test_a_fold_failed_from_outside_ends_its_bar_when_the_failure_arrives():
    clock = FakeClock(100.0)
    live = LiveRun(1, clock=clock)
    start(live, 0, pid=3, at=0.0)
    clock.t = 101.5
    live.handle("done", {"result": FoldResult(0, status="failed", error_type="WorkerDied", error_message="gone")})
    bar = live.snapshot().bars[0]
    assert bar.status == "failed" and bar.end == pytest.approx(1.5) and bar.error == "WorkerDied: gone"


def test_elapsed_time_is_estimated_from_the_events():
    clock = FakeClock(100.0)
    live = LiveRun(2, clock=clock)  # made at 100.0; the runner's clock started a little later
    clock.t = 100.4
    start(live, 0, pid=1, at=0.3)  # seen 0.4 s after we began: the run started at most 0.1 s after us
    assert live.elapsed() == pytest.approx(0.3)
    clock.t = 101.4
    assert live.elapsed() == pytest.approx(1.3)


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match=r"n_folds=0 is not allowed; allowed: an integer >= 1"):
        LiveRun(0)
    live = LiveRun(3)
    with pytest.raises(ValueError, match=r"fold=3 is not allowed; allowed: an integer 0 <= fold < 3"):
        start(live, 3, pid=1, at=0.0)
    live.handle("progress", {"fold": 0})  # unknown kinds are ignored
    assert live.snapshot(now=0).waiting == (0, 1, 2)


def test_it_is_thread_safe_while_events_arrive_and_a_view_draws():
    n = 200
    live = LiveRun(n, n_workers=4)
    errors = []

    def feed(offset):
        for fold in range(offset, n, 4):
            start(live, fold, pid=offset, at=fold * 0.01)
            done(live, fold, pid=offset, begin=fold * 0.01, end=fold * 0.01 + 0.005)

    def draw():
        try:
            while not live.finished:
                snap = live.snapshot()
                assert len(snap.bars) + len(snap.waiting) == n
                assert set(snap.completed) <= {b.fold for b in snap.bars}
                ET.fromstring(live_svg(snap))
        except Exception as exc:
            errors.append(exc)

    viewer = threading.Thread(target=draw)
    viewer.start()
    feeders = [threading.Thread(target=feed, args=(i,)) for i in range(4)]
    for t in feeders:
        t.start()
    for t in feeders:
        t.join()
    live.finish(at=3.0)
    viewer.join()
    assert errors == []
    snap = live.snapshot()
    assert snap.count("done") == n and len(snap.completed) == n and snap.n_lanes == 4


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["start", "done"]), st.integers(0, 5), st.integers(1, 3)), max_size=40))
def test_any_event_order_keeps_one_live_bar_per_started_fold(events):
    live = LiveRun(6, n_workers=3)
    t = 0.0
    for kind, fold, pid in events:
        t += 0.1
        if kind == "start":
            start(live, fold, pid=pid, at=t)
        else:
            done(live, fold, pid=pid, begin=t - 0.05, end=t)
    snap = live.snapshot(now=t + 1)
    folds = [b.fold for b in snap.bars]
    current = [b.fold for b in snap.bars if b.status != "interrupted"]  # earlier attempts are interrupted bars
    assert len(current) == len(set(current)) and set(current) == set(folds)
    assert len(snap.completed) == len(set(snap.completed)) == snap.count("done")
    assert set(snap.waiting) | set(folds) == set(range(6))
    assert svg_bars(live_svg(snap)) == folds


# --- fed by real runs ------------------------------------------------------------------------------
@pytest.mark.parametrize(("n_jobs", "backend"), BACKENDS, ids=IDS)
def test_fed_by_run_folds_it_draws_every_finished_fold_where_the_trace_says(iris, n_jobs, backend):
    X, y = iris
    live = LiveRun(6, n_workers=n_jobs)
    seen = []

    def on_event(kind, payload):
        live.handle(kind, payload)
        if kind == "done":
            seen.append(payload["result"].fold)

    result = run_folds(SVC(), X, y, cv=6, n_jobs=n_jobs, backend=backend, on_event=on_event)
    live.finish(result)
    snap = live.snapshot()
    plain = run_folds(SVC(), X, y, cv=6)
    assert [r.score for r in sorted(live.results, key=lambda r: r.fold)] == plain.scores.tolist()
    assert snap.completed == tuple(seen)  # completion order, as the events came
    assert len(snap.bars) == len(result.finished) == snap.count("done") == 6
    measured = schedule_from_result(result)
    assert {b.fold: (b.start, b.end) for b in snap.bars} == {t.fold: (t.start, t.end) for t in measured.tasks}
    assert sorted(np.bincount([b.worker for b in snap.bars]).tolist()) == sorted(
        c for c in measured.per_worker_counts() if c
    )
    assert sorted(svg_bars(live_svg(snap), "done")) == list(range(6))


@pytest.mark.parametrize(("n_jobs", "backend"), BACKENDS[1:], ids=IDS[1:])
def test_start_events_arrive_while_the_fold_is_still_running(iris, n_jobs, backend):
    """A slow fold's start reaches the view while it runs, and the others' results arrive before its own.

    Fold 0 sleeps 1 s: in fold order (joblib's list mode, the only one of the multiprocessing backend) its
    result would come first; in completion order it comes last. (A fold of a few ms may finish before its start
    datagram is read; the view then draws it from its trace.)
    """
    X, y = iris
    slow = FaultyClassifier(SVC(), marked_rows=X[[0]], fault="sleep", seconds=1.0)
    bad = next(i for i, (_, test) in enumerate(StratifiedKFold(5).split(X, y)) if 0 in test)
    assert bad == 0
    events = []
    result = run_folds(slow, X, y, cv=StratifiedKFold(5), n_jobs=n_jobs, backend=backend,
                       on_event=lambda kind, payload: events.append((kind, payload)))  # fmt: skip
    assert result.complete
    started = [i for i, (kind, p) in enumerate(events) if kind == "start" and p["fold"] == bad]
    ended = [i for i, (kind, p) in enumerate(events) if kind == "done" and p["result"].fold == bad]
    assert len(started) == 1 and len(ended) == 1 and started[0] < ended[0]
    assert ended[0] == len(events) - 1  # the slow fold's result is the last to arrive: completion order


def test_a_background_run_stops_keeps_finished_folds_and_draws_once_more_at_the_end(iris):
    X, y = iris
    slow = FaultyClassifier(SVC(), marked_rows=X[[0, 40, 80, 120]], fault="sleep", seconds=3.0)
    draws = []
    run = BackgroundRun(slow, X, y, cv=StratifiedKFold(10), n_jobs=1,
                        draw=lambda live, final: draws.append((final, live.snapshot())))  # fmt: skip
    run.start()
    assert run.running  # start() returned while the folds run
    run.stop()
    result = run.wait(timeout=60)
    assert "stopped by request" in result.message
    finished = [f.fold for f in result.finished]
    assert draws[-1][0] is True and [final for final, _ in draws].count(True) == 1
    last = draws[-1][1]
    assert last.finished and sorted(b.fold for b in last.bars if b.status == "done") == finished
    assert last.count("cancelled") == 10 - len(finished) > 0


def test_a_background_run_reports_a_refused_run_as_one_line(iris):
    X, y = iris
    run = BackgroundRun(SVC(), X, y, cv=5, n_jobs=2, backend="lokky", draw=lambda live, final: None).start()
    assert run.wait(timeout=30) is None
    assert run.error.startswith("ValueError: backend='lokky' is not allowed")
    assert "\n" not in run.error and run.live.finished


def test_a_broken_view_does_not_break_the_run(iris):
    X, y = iris

    def draw(live, final):
        raise RuntimeError("the view is broken")

    run = BackgroundRun(SVC(), X, y, cv=3, n_jobs=1, draw=draw).start()
    assert run.wait(timeout=30).complete
    assert run.draw_errors and run.draw_errors[0] == "RuntimeError: the view is broken"


def test_background_run_refuses_what_it_sets_itself(iris):
    X, y = iris
    with pytest.raises(ValueError, match="on_event= is not allowed here"):
        BackgroundRun(SVC(), X, y, on_event=print)
    run = BackgroundRun(SVC(), X, y, cv=2, n_jobs=1)
    with pytest.raises(RuntimeError, match="was not started"):
        run.wait()


# --- drawing -----------------------------------------------------------------------------------------
def test_predicted_svg_has_one_bar_per_fold_and_the_queue_the_model_says():
    schedule = predict_schedule([1.0] * 7, n_jobs=2)
    svg = schedule_svg(schedule, now=1.5)
    assert sorted(svg_bars(svg, "predicted")) == list(range(7))
    waiting = [f for f, s in schedule.state_at(1.5).items() if s == "waiting"]
    assert svg_bars(svg, kind="cvkit-queued") == waiting == [4, 5, 6]


def test_live_svg_marks_each_state_and_draws_now_only_while_running():
    live = LiveRun(4, n_workers=2)
    start(live, 0, pid=1, at=0.0)
    start(live, 1, pid=2, at=0.0)
    done(live, 0, pid=1, begin=0.0, end=0.2)
    start(live, 2, pid=1, at=0.2)
    done(live, 2, pid=1, begin=0.2, end=0.3, status="failed")
    svg = live_svg(live.snapshot(now=0.35))
    assert svg_bars(svg, "done") == [0] and svg_bars(svg, "running") == [1] and svg_bars(svg, "failed") == [2]
    assert svg_bars(svg, kind="cvkit-queued") == [3]
    assert 'class="cvkit-now"' in svg
    live.finish(at=0.4)
    svg = live_svg(live.snapshot())
    assert svg_bars(svg, "cancelled") == [1] and 'class="cvkit-now"' not in svg
    assert 'data-finished="true"' in svg


@pytest.mark.filterwarnings("ignore:1 of 6 folds failed:RuntimeWarning")
def test_folds_rerun_after_a_worker_died_are_drawn_as_reruns(iris):
    """loky: fold ``bad`` kills its worker; every attempt is a bar, the earlier ones interrupted."""
    X, y = iris
    bad = next(i for i, (_, test) in enumerate(StratifiedKFold(6).split(X, y)) if 140 in test)
    crasher = FaultyClassifier(SVC(), marked_rows=X[[140]], fault="exit")
    live = LiveRun(6, n_workers=2)
    starts = []

    def on_event(kind, payload):
        live.handle(kind, payload)
        if kind == "start":
            starts.append(payload["fold"])

    result = run_folds(crasher, X, y, cv=StratifiedKFold(6), n_jobs=2, backend="loky", on_event=on_event)
    live.finish(result)
    snap = live.snapshot()
    assert [f.status for f in result.folds] == ["failed" if i == bad else "done" for i in range(6)]
    assert len(starts) > len(set(starts))  # some fold was started more than once
    assert sorted(b.fold for b in snap.bars) == sorted(starts)  # one bar per attempt
    assert {b.fold for b in snap.bars if b.status == "interrupted"} == {f for f in starts if starts.count(f) > 1}
    assert [b.fold for b in snap.bars if b.status == "done"] == [f for f in range(6) if f != bad]
    assert snap.errors[bad].startswith("WorkerDied:")
    assert svg_bars(live_svg(snap), "failed") == [bad]


def test_a_worker_killed_from_outside_is_seen_within_a_second(iris):
    """kill -9 of one loky worker mid-run: the background run marks its lane dead and its fold interrupted."""
    import os
    import signal
    import time

    from cvkit.widgets.settings import load_workload

    X, y = load_workload("heavy")
    seen = []

    def draw(live, final):
        snap = live.snapshot()
        if snap.deaths and not seen:
            seen.append((time.perf_counter(), snap))

    run = BackgroundRun(SVC(), X, y, draw=draw, cv=4, n_jobs=2, backend="loky").start()
    deadline = time.monotonic() + 60
    while not run.live.running_pids() and time.monotonic() < deadline:
        time.sleep(0.01)
    victim = sorted(run.live.running_pids())[0]
    os.kill(victim, signal.SIGKILL)
    killed = time.perf_counter()
    result = run.wait(180)
    assert seen, "the death was never drawn"
    when, snap = seen[0]
    assert when - killed < 1.0
    assert victim in {d.pid for d in snap.deaths}
    assert any(b.status == "interrupted" for b in snap.bars)
    final = run.live.snapshot()
    assert result.complete and final.interrupted  # re-run and finished
    assert all(final.states[f] == "done" for f in final.interrupted)
    assert {b.fold for b in final.bars if b.status == "done"} == set(range(4))
    assert final.n_lanes == 2 and final.alive_lanes == 2  # new workers took the dead workers' lanes
    svg = live_svg(snap)
    assert 'class="cvkit-dead-lane"' in svg and "died" in svg and svg_bars(svg, "interrupted")
