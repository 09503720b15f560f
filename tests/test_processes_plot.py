"""Lesson 05's picture of processes and threads: the numbers are measured from real workers, and the figure is
legible at notebook width, with and without numbers."""

import os
import pickle

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from sklearn.svm import SVC

import cvkit
from cvkit.plots.legibility import figure_problems
from cvkit.plots.processes import ProcessFacts, _fmt_bytes, measure_processes, plot_processes


@pytest.fixture(scope="module")
def facts():
    X, y = cvkit.load_dataset("iris")
    return measure_processes(SVC(), X, y)


def test_measured_from_two_workers_and_two_threads(facts):
    assert facts.kernel_pid == os.getpid()
    assert len(facts.worker_pids) == 2 and os.getpid() not in facts.worker_pids
    assert len(facts.thread_ids) == 2
    X, _y = cvkit.load_dataset("iris")
    assert facts.task_bytes["X"] == len(pickle.dumps(X, protocol=pickle.HIGHEST_PROTOCOL)) > X.nbytes
    assert set(facts.task_bytes) == {"estimator", "X", "y", "train/test indices"}
    assert 0 < facts.result_bytes < facts.task_bytes["X"]
    assert not facts.memory_mapped  # iris is far below max_nbytes


def test_the_text_names_every_number(facts):
    text = str(facts)
    for pid in (facts.kernel_pid, *facts.worker_pids):
        assert f"pid {pid}" in text
    for tid in facts.thread_ids:
        assert f"thread {tid}" in text
    assert _fmt_bytes(facts.task_bytes["X"]) in text


@pytest.mark.parametrize("with_numbers", [True, False], ids=["measured", "no numbers"])
def test_legible_at_notebook_width(facts, with_numbers):
    fig = plot_processes(facts if with_numbers else None)
    try:
        assert figure_problems(fig) == []
        texts = " ".join(t.get_text() for t in fig.axes[0].texts)
        if with_numbers:
            assert all(f"pid {pid}" in texts for pid in facts.worker_pids)
            assert _fmt_bytes(facts.task_bytes["X"]) in texts
        assert "pickled" in texts and "GIL" in texts and "shared" in texts
    finally:
        plt.close(fig)


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots(figsize=(9.6, 5.4))
    try:
        assert plot_processes(ax=ax) is fig
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    "call, says",
    [
        (lambda: plot_processes(facts="pids"), "facts='pids' is not allowed"),
        (lambda: measure_processes(SVC, *cvkit.load_dataset("iris")), "is not allowed; allowed: a scikit-learn"),
        (lambda: measure_processes(SVC(), [[1.0, 2.0]], [0]), "X and y are not allowed as given"),
    ],
)
def test_bad_arguments_are_refused_early(call, says):
    with pytest.raises(TypeError, match=says):
        call()


def test_facts_is_a_plain_record():
    f = ProcessFacts(1, (2, 3), (4, 5), {"estimator": 1, "X": 2_000_000, "y": 3, "train/test indices": 4}, 5, 2_000_000)
    assert f.memory_mapped and "pid 2, pid 3" in str(f) and "2.0 MB" in str(f)
