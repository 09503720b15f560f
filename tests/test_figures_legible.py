"""Every figure cvkit draws is legible at the width a notebook shows it: no overlapping labels, no tiny text, no
legend on top of the data (checked from matplotlib's text boxes, with cvkit.plots.legibility)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from sklearn.svm import SVC

import cvkit
from cvkit.model import predict_schedule
from cvkit.model.cost_rule import COSTS
from cvkit.plots import (
    plot_confusion_matrices,
    plot_gantt,
    plot_measured_vs_predicted,
    plot_nested,
    plot_processes,
    plot_queue,
    plot_speedup_vs_fold_time,
    plot_speedup_vs_folds,
    plot_speedup_vs_workers,
)
from cvkit.plots.legibility import figure_problems


@pytest.fixture(scope="module")
def iris_run():
    X, y = cvkit.load_dataset("iris")
    return cvkit.run_folds(SVC(), X, y, cv=5, n_jobs=1)


def _nested_run():
    from cvkit.lab.nested import run_nested

    X, y = cvkit.load_dataset("synthetic", n_samples=300)
    return run_nested(X, y, outer_n_jobs=2, inner_n_jobs=-1, param_grid={"C": [0.1, 1.0, 10.0]})


def _figure(obj):
    return obj if isinstance(obj, matplotlib.figure.Figure) else obj.figure


FIGURES = {
    "confusion matrices, iris names": lambda run: plot_confusion_matrices(
        run, display_labels=["setosa", "versicolor", "virginica"]
    ),
    "Gantt, 7 folds on 2 workers": lambda run: plot_gantt(predict_schedule(7, n_jobs=2)),
    "Gantt, 15 folds on 4 workers": lambda run: plot_gantt(predict_schedule(15, n_jobs=4)),
    "queue, 7 folds on 2 workers": lambda run: plot_queue(predict_schedule(7, n_jobs=2)),
    "measured vs predicted": lambda run: plot_measured_vs_predicted(run),
    "speed-up vs workers": lambda run: plot_speedup_vs_workers(
        {1: 1.0, 2: [1.6, 1.7], 4: 1.9}, 10, parallel_fraction=0.97, n_cores=2
    ),
    "nested run, n_jobs=-1 inside 2 outer workers": lambda run: plot_nested(_nested_run()),
    "processes and threads": lambda run: plot_processes(),
    "speed-up vs folds": lambda run: plot_speedup_vs_folds({2: 1.8, 3: 1.4, 4: 1.9, 5: 1.6, 6: 1.85}, 2),
    "speed-up vs fold time": lambda run: plot_speedup_vs_fold_time(
        {0.004: 0.6, 0.02: 1.1, 0.12: 1.6, 0.5: 1.62},
        5,
        2,
        costs=COSTS["loky"],
        cold_startup=1.0,
        labels={0.004: "iris", 0.02: "light", 0.12: "medium", 0.5: "heavy"},
        n_cores=2,
    ),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figure_is_legible(name, iris_run):
    fig = _figure(FIGURES[name](iris_run))
    try:
        assert figure_problems(fig) == []
    finally:
        plt.close(fig)


def test_the_check_finds_a_legend_on_the_data():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1, 2, 3], [3, 3, 3, 3], "o", label="measured")
    ax.legend(loc="upper left")
    ax.set_ylim(0, 3.3)
    assert any("legend covers" in p for p in figure_problems(fig))
    plt.close(fig)


def test_the_check_finds_text_too_small_once_scaled_to_the_notebook():
    fig, ax = plt.subplots(figsize=(20, 3))  # 2000 px wide, shown at 980: text at half size
    ax.set_title("a title")
    assert any("smaller than 7 pt" in p for p in figure_problems(fig))
    plt.close(fig)
