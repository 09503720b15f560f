"""Gantt charts drawn from a known trace and from a prediction: lanes, bars, labels, shared time scale."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from cvkit import CVResult, FoldResult, TaskTrace
from cvkit.model import predict_schedule, schedule_from_result
from cvkit.plots import fold_color, plot_gantt, plot_measured_vs_predicted, plot_queue

# A known trace: 5 folds on 2 processes; pid 300 starts first, so it is lane 0; fold 3 failed.
TRACE = {  # fold: (pid, start, end)
    0: (300, 0.02, 0.50),
    1: (200, 0.03, 0.40),
    2: (200, 0.40, 0.90),
    3: (300, 0.50, 0.80),
    4: (200, 0.90, 1.20),
}
LANE = {300: 0, 200: 1}


@pytest.fixture
def known_result():
    folds = [
        FoldResult(
            fold,
            status="failed" if fold == 3 else "done",
            trace=TaskTrace(fold, "host", pid, 7, "MainThread", start, end),
        )
        for fold, (pid, start, end) in TRACE.items()
    ]
    return CVResult(folds, "f1_weighted", np.array([0, 1]), 2, "loky", 1.25,
                    settings={"pre_dispatch": "2*n_jobs", "batch_size": 1})  # fmt: skip


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _bars(ax):
    return {int(p.get_gid().split("-")[1]): p for p in ax.patches if (p.get_gid() or "").startswith("fold-")}


def _labels(ax):
    return {int(t.get_gid().rsplit("-", 1)[1]): t for t in ax.texts if (t.get_gid() or "").startswith("fold-label-")}


def test_gantt_of_a_known_trace(known_result):
    ax = plot_gantt(known_result)
    # lanes: one per worker, lane 0 (first to start) on top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["worker 0 · pid 300", "worker 1 · pid 200"]
    assert ax.get_ylim() == (1.5, -0.5)
    # bars: one per fold, where and as long as the trace says
    bars = _bars(ax)
    assert sorted(bars) == [0, 1, 2, 3, 4] and len(ax.patches) == 5
    for fold, (pid, start, end) in TRACE.items():
        bar = bars[fold]
        assert bar.get_x() == pytest.approx(start)
        assert bar.get_width() == pytest.approx(end - start)
        assert bar.get_y() + bar.get_height() / 2 == pytest.approx(LANE[pid])
        assert bar.get_facecolor() == pytest.approx(to_rgba(fold_color(fold)))
    assert bars[3].get_hatch() == "///" and bars[0].get_hatch() is None  # the failed fold is hatched
    # labels: the fold index, in the middle of its bar
    labels = _labels(ax)
    for fold, (pid, start, end) in TRACE.items():
        assert labels[fold].get_text() == str(fold)
        assert labels[fold].get_position() == pytest.approx(((start + end) / 2, LANE[pid]))
    # time on x, from 0 to a little past the makespan, which is marked
    assert ax.get_xlabel() == "time since the run started (s)"
    assert ax.get_xlim()[0] == 0 and 1.2 < ax.get_xlim()[1] < 1.3
    assert [line.get_xdata()[0] for line in ax.lines] == [pytest.approx(1.2)]
    assert ax.get_title() == "measured · 5 folds on 2 workers (loky)"


def test_gantt_accepts_a_schedule_and_draws_idle_lanes():
    ax = plot_gantt(predict_schedule(5, n_jobs=4), title="five on four", xmax=3)
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"worker {i}" for i in range(4)]
    bars = _bars(ax)
    assert {fold: (bar.get_x(), bar.get_y() + bar.get_height() / 2) for fold, bar in bars.items()} == {
        0: (0.0, 0), 1: (0.0, 1), 2: (0.0, 2), 3: (0.0, 3), 4: (1.0, 0)
    }  # fmt: skip
    assert ax.get_title() == "five on four" and ax.get_xlim() == (0, 3)


def test_gantt_on_given_axes_and_default_title():
    _fig, ax = plt.subplots()
    assert plot_gantt(predict_schedule(3, n_jobs=2), ax) is ax
    assert ax.get_title() == "predicted · 3 folds on 2 workers (pre_dispatch='2*n_jobs', batch_size=1)"


def test_gantt_refuses_other_things():
    with pytest.raises(TypeError, match="schedule_or_result=list is not allowed"):
        plot_gantt([1, 2, 3])


def test_measured_vs_predicted_share_the_time_scale(known_result):
    fig = plot_measured_vs_predicted(known_result)
    measured, predicted = fig.axes
    assert measured.get_xlim() == predicted.get_xlim()
    assert measured.get_title().startswith("measured") and predicted.get_title().startswith("predicted")
    assert len(_bars(measured)) == len(_bars(predicted)) == 5
    # the default prediction uses the run's own durations: only who/when may differ
    widths = {f: b.get_width() for f, b in _bars(predicted).items()}
    assert widths == pytest.approx({f: e - s for f, (_, s, e) in TRACE.items()})
    assert predicted.get_xlim()[1] >= schedule_from_result(known_result).makespan


def test_measured_vs_predicted_with_a_given_schedule(known_result):
    fig = plot_measured_vs_predicted(known_result, predict_schedule(5, n_jobs=2), titles=("m", "p"))
    assert [ax.get_title() for ax in fig.axes] == ["m", "p"]
    assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim() == (0, pytest.approx(3 * 1.04))


def test_queue_snapshots_show_states():
    ax = plot_queue(predict_schedule(5, n_jobs=2), times=[0, 1, 2])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["t = 0", "t = 1", "t = 2"]
    boxes = ax.patches
    assert len(boxes) == 15  # 5 folds x 3 moments
    # t = 0: folds 0, 1 running; 2, 3 queued (pre_dispatch 4); 4 not dispatched (white)
    colors = [to_rgba(b.get_facecolor()) for b in boxes[:5]]
    assert colors[0] == pytest.approx(to_rgba(fold_color(0))) and colors[1] == pytest.approx(to_rgba(fold_color(1)))
    assert colors[2] == colors[3] == pytest.approx(to_rgba("#fde9a9"))
    assert colors[4] == pytest.approx(to_rgba("white"))
    running = [t.get_text() for t in ax.texts if t.get_text().startswith("w")]
    assert running == ["w0", "w1", "w0", "w1", "w0"]


def test_queue_draws_every_fold_status():
    """A live snapshot's records can be "interrupted" (its worker died): the queue has a box for it too."""
    from cvkit.model.records import Schedule, ScheduledTask

    tasks = [ScheduledTask(0, 0, 0.0, 1.0, status="interrupted"), ScheduledTask(1, 1, 0.0, 1.0, status="failed")]
    ax = plot_queue(Schedule(tasks, n_workers=2, makespan=1.0, source="measured"), times=[1.0])
    assert to_rgba(ax.patches[0].get_edgecolor()) == pytest.approx(to_rgba("#b00"))
