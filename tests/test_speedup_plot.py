"""Speed-up plots: the measured points, the bounds, Amdahl's curve and the rule are drawn where they belong."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from cvkit.model import list_scheduling_bound
from cvkit.model.bounds import amdahl_speedup
from cvkit.model.cost_rule import COSTS, breakeven_fold_seconds, expected_speedup
from cvkit.plots.speedup import plot_speedup_vs_fold_time, plot_speedup_vs_folds, plot_speedup_vs_workers


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def lines(fig, gid):
    return [line for line in fig.axes[0].lines if line.get_gid() == gid]


def line(fig, gid):
    (found,) = lines(fig, gid)
    return found


def xy(fig, gid):
    ln = line(fig, gid)
    return np.asarray(ln.get_xdata(), dtype=float).tolist(), np.asarray(ln.get_ydata(), dtype=float).tolist()


def test_vs_workers_draws_each_series_where_it_belongs():
    durations = [1.0, 1.0, 1.0, 1.0, 1.0, 2.0]
    fig = plot_speedup_vs_workers({1: 1.0, 2: [1.5, 1.7, 1.6], 4: 1.65}, n_folds=6, durations=durations,
                                  parallel_fraction=0.95, expected={2: 1.7, 4: 1.8}, n_cores=2)  # fmt: skip
    assert isinstance(fig, Figure)
    assert xy(fig, "measured-median") == ([1.0, 2.0, 4.0], [1.0, 1.6, 1.65])
    assert xy(fig, "measured")[1] == [1.0, 1.5, 1.7, 1.6, 1.65]  # every run
    assert xy(fig, "bound") == ([1, 2, 3, 4], [1.0, 2.0, 3.0, 3.0])  # 6 / ceil(6 / w)
    ls = [sum(durations) / list_scheduling_bound(durations, w) for w in (1, 2, 3, 4)]
    assert xy(fig, "list-scheduling")[1] == pytest.approx(ls)
    ax, ay = xy(fig, "amdahl")
    assert ay == pytest.approx(amdahl_speedup(0.95, np.array(ax)).tolist())
    assert ax[0] == 1 and ax[-1] == 4
    assert xy(fig, "expected") == ([2.0, 4.0], [1.7, 1.8])
    assert xy(fig, "cores") == ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 2.0, 2.0])  # the ceiling min(w, cores)
    assert fig.axes[0].get_xlabel() == "workers (n_jobs)"
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "bound k / ceil(k / w), k = 6" in labels and "Amdahl, p = 0.950 (limit 20×)" in labels


def test_vs_workers_can_draw_several_amdahl_curves():
    fig = plot_speedup_vs_workers({1: 1.0, 2: 1.8}, n_folds=4, parallel_fraction={"warm": 0.99, "cold": 0.3})
    curves = lines(fig, "amdahl")
    assert len(curves) == 2
    assert curves[1].get_ydata()[-1] == pytest.approx(amdahl_speedup(0.3, 2))
    assert [c.get_label() for c in curves] == ["warm, p = 0.990 (limit 100×)", "cold, p = 0.300 (limit 1.43×)"]


def test_vs_folds_draws_the_sawtooth_and_list_scheduling():
    durations = {3: [1.0, 1.0, 1.0], 4: [1.0, 1.2, 1.0, 1.0]}
    fig = plot_speedup_vs_folds({2: 1.9, 3: 1.4, 4: [1.8, 1.9], 5: 1.6}, n_workers=2, durations=durations,
                                expected={3: 1.45, 5: 1.6})  # fmt: skip
    assert xy(fig, "bound") == ([2, 3, 4, 5], [2.0, 1.5, 2.0, pytest.approx(5 / 3)])
    assert xy(fig, "list-scheduling") == ([3.0, 4.0], [1.5, pytest.approx(4.2 / 2.2)])
    assert xy(fig, "ideal")[1] == [2.0, 2.0]
    assert xy(fig, "measured-median")[1] == [1.9, 1.4, 1.85, 1.6]
    assert fig.axes[0].get_xlabel() == "folds (k)"


def test_vs_fold_time_draws_the_rule_and_the_breakeven():
    loky = COSTS["loky"]
    measured = {0.002: [0.4, 0.5], 0.02: 1.2, 0.45: 1.8}
    fig = plot_speedup_vs_fold_time(measured, 4, 2, costs=loky, cold_startup=1.0, labels={0.002: "iris"})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    tx, ty = xy(fig, "expected")
    assert ty == pytest.approx([expected_speedup(t, 4, 2, per_call=loky.per_call, per_task=loky.per_task,
                                                 slowdown=loky.slowdown) for t in tx])  # fmt: skip
    _cx, cy = xy(fig, "expected-cold")
    assert all(c < w for c, w in zip(cy, ty))
    even = breakeven_fold_seconds(4, 2, per_call=loky.per_call, per_task=loky.per_task, slowdown=loky.slowdown,
                                  min_speedup=1.1)  # fmt: skip
    assert xy(fig, "break-even")[0] == pytest.approx([even, even])
    assert xy(fig, "pays")[1] == [1.1, 1.1]
    assert xy(fig, "bound")[1] == [2.0, 2.0]
    assert [t.get_text() for t in ax.texts] == ["iris"]
    assert xy(fig, "measured-median")[1] == [0.45, 1.2, 1.8]


def test_vs_fold_time_without_costs_draws_no_rule():
    fig = plot_speedup_vs_fold_time({0.01: 0.8, 1.0: 1.8}, 5, 2)
    assert not lines(fig, "expected") and not lines(fig, "break-even")


def test_an_axes_can_be_given():
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_speedup_vs_folds({2: 1.5}, 2, ax=b) is fig
    assert not a.lines and b.lines


@pytest.mark.parametrize(
    "measured",
    [{}, [1.0, 2.0], {2: "fast"}, {2: []}, {2: -1.0}, {2: math.nan}, {"two": 1.5}],
)
def test_bad_measurements_are_refused(measured):
    with pytest.raises(ValueError, match="allowed"):
        plot_speedup_vs_workers(measured, n_folds=4)


def test_fold_times_must_be_positive_on_a_log_axis():
    with pytest.raises(ValueError, match="measured has a fold time of 0.0; allowed: fold times > 0"):
        plot_speedup_vs_fold_time({0: 1.0, 1: 1.5}, 4, 2)
