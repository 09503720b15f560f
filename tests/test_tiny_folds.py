"""cvkit.lab.tiny_folds: the head-start model agrees with the schedule model when every worker is ready at once, and the
helpers read measured runs (lanes, ready times, first folds) the way schedule_from_result numbers them."""

import math

import numpy as np
import pytest
from sklearn.svm import SVC

import cvkit
from cvkit import CVResult, FoldResult, TaskTrace
from cvkit.lab.tiny_folds import (
    SPLIT_SETTINGS,
    describe_cold_run,
    first_folds,
    fold_split,
    head_start_schedule,
    measure_splits,
    ready_times,
    settings_label,
    split_text,
)
from cvkit.model import predict_schedule


def fake_run(spans, n_jobs=2):
    """A CVResult whose fold i ran on pid spans[i][0] from spans[i][1] to spans[i][2] (seconds since the start)."""
    folds = [FoldResult(i, trace=TaskTrace(i, "h", pid, 0, "w", s, e)) for i, (pid, s, e) in enumerate(spans)]
    return CVResult(folds, "f1", np.array([0, 1]), n_jobs, "loky", max(e for _, _, e in spans) + 0.01)


@pytest.mark.parametrize(
    "durations, n_jobs",
    [(5, 2), (10, 4), (15, 4), (7, 3), ([3, 1, 1, 1, 1], 2), ([1, 1, 1, 1, 3], 2), ([1.5, 1, 1, 1, 2, 1], 2)],
)
def test_with_every_worker_ready_at_once_it_is_the_schedule_model(durations, n_jobs):
    ours = head_start_schedule(durations, ready_at=[0.0] * n_jobs)
    model = predict_schedule(durations, n_jobs=n_jobs, batch_size=1)
    assert ours.lanes() == model.lanes() and ours.makespan == pytest.approx(model.makespan)
    assert [t.start for t in ours.tasks] == pytest.approx([t.start for t in model.tasks])
    assert [t.end for t in ours.tasks] == pytest.approx([t.end for t in model.tasks])


def test_a_head_start_counts_in_folds():
    # worker 1 ready after 22 ms: 4.4 folds of 5 ms, but 0.044 of a fold of 0.5 s
    assert fold_split(head_start_schedule([0.005] * 15, ready_at=[0.0, 0.022])) == [10, 5]
    assert fold_split(head_start_schedule([0.5] * 15, ready_at=[0.0, 0.022])) == [8, 7]
    # a worker ready after the last fold ended runs nothing; one never ready neither
    assert head_start_schedule([1, 1, 1], ready_at=[0, 10]).per_worker_counts() == [3, 0]
    assert head_start_schedule([1, 1, 1], ready_at=[0, math.inf]).per_worker_counts() == [3, 0]


def test_first_folds_stay_with_their_worker_even_when_it_is_late():
    s = head_start_schedule([0.01] * 10, ready_at=[0.0, 1.0], first_folds=[0, 1])
    assert s.lanes() == [[0, 2, 3, 4, 5, 6, 7, 8, 9], [1]]
    assert s.tasks[1].start == 1.0 and s.makespan == pytest.approx(1.01)
    # the same with the exercise's numbers: pinning fold 1 to the late worker changes nothing there
    pinned = head_start_schedule([0.005] * 15, ready_at=[0.0, 0.022], first_folds=[0, 1])
    assert fold_split(pinned) == [10, 5]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(durations=[1, 1], ready_at=[0, -1]), "ready_at=[0, -1] is not allowed; allowed: one time per worker"),
        (dict(durations=[1, 1], ready_at=[]), "ready_at=[] is not allowed"),
        (dict(durations=[1, 1], ready_at=[math.inf, math.inf]), "at least one of them finite"),
        (dict(durations=[1, 1], ready_at="01"), "ready_at='01' is not allowed"),
        (dict(durations=[1, 1], ready_at=[0, 0], first_folds=[0, 0]), "first_folds=[0, 0] is not allowed"),
        (dict(durations=[1, 1], ready_at=[0, 0], first_folds=[0, 5]), "a distinct fold number 0 to 1"),
        (dict(durations=[1, 1], ready_at=[0, 0], first_folds=[0]), "one entry per worker (2)"),
        (dict(durations=[1, 1], ready_at=[0, math.inf], first_folds=[0, 1]), "finite ready time"),
        (dict(durations=[], ready_at=[0]), "durations=[] is not allowed"),
    ],
)
def test_bad_arguments_are_refused_with_what_is_allowed(kwargs, message):
    with pytest.raises(ValueError) as raised:
        head_start_schedule(**kwargs)
    assert message in str(raised.value)


def test_split_text_and_fold_split_put_the_busiest_worker_first():
    assert split_text([2, 3]) == "3 + 2" and split_text([4, 1, 1, 1]) == "4 + 1 + 1 + 1"
    assert fold_split(predict_schedule(10, n_jobs=4)) == [3, 3, 2, 2]
    run = fake_run([(11, 0.0, 0.1), (11, 0.1, 0.2)], n_jobs=2)
    assert fold_split(run) == [2, 0]  # the worker that ran nothing counts as 0


def test_ready_times_and_first_folds_follow_the_lanes_of_schedule_from_result():
    run = fake_run([(12, 1.3, 1.4), (11, 1.0, 1.1), (11, 1.1, 1.2), (11, 1.2, 1.3)])
    assert ready_times(run) == [1.0, 1.3]  # lane 0 is the worker that started a fold first: pid 11
    assert first_folds(run) == [1, 0]
    lonely = fake_run([(11, 1.0, 1.1), (11, 1.1, 1.2)])
    assert ready_times(lonely) == [1.0, math.inf] and first_folds(lonely) == [0, None]


def test_describe_cold_run_says_the_head_start_and_the_split_it_predicts():
    # worker 11 runs fold 0 from 1.0, worker 12 holds fold 1 until it is ready at 1.5; the rest go to worker 11
    spans = [(11, 1.0, 1.1), (12, 1.5, 1.6)] + [(11, 1.1 + 0.1 * i, 1.2 + 0.1 * i) for i in range(3)]
    text = describe_cold_run(fake_run(spans), fold_seconds=0.1)
    assert "worker 0: first fold started 1.00 s into the run; it ran 4 of the 5 folds" in text
    assert "worker 1 was ready 0.50 s after worker 0, as long as 5.0 folds." in text
    assert text.endswith("expected from that head start: 4 + 1; measured: 4 + 1.")
    many = describe_cold_run(fake_run(spans), fold_seconds=0.01)
    assert "as long as 50 folds." in many
    alone = describe_cold_run(fake_run([(11, 1.0, 1.1), (11, 1.1, 1.2)]), fold_seconds=0.1)
    assert "worker 1: ran none of the 2 folds" in alone and "before any other was ready" in alone
    with pytest.raises(ValueError, match="fold_seconds=0 is not allowed"):
        describe_cold_run(fake_run(spans), fold_seconds=0)


def test_describe_cold_run_replays_the_head_start_for_other_numbers_of_folds():
    # worker 1 ready 0.5 s late, folds of 0.1 s: it keeps its first fold (fold 1), worker 0 runs the others
    spans = [(11, 1.0, 1.1), (12, 1.5, 1.6)] + [(11, 1.1 + 0.1 * i, 1.2 + 0.1 * i) for i in range(3)]
    text = describe_cold_run(fake_run(spans), fold_seconds=0.1, other_folds=(5, 10, 15))
    last = text.splitlines()[-1]
    assert last.startswith("the same head start with folds of 0.10 s: 5 folds would split 4 + 1, 10 folds ")
    # 10 folds: worker 0 runs folds 0, 2, 3, 4, 5 alone until 1.5; then the two share the rest in turns
    replay = head_start_schedule([0.1] * 10, ready_at=[1.0, 1.5], first_folds=[0, 1])
    assert f"10 folds {split_text(fold_split(replay))}" in last
    # a first fold beyond the smaller number of folds is not pinned
    late = [(11, 1.0, 1.1), (11, 1.1, 1.2), (11, 1.2, 1.3), (12, 1.5, 1.6)]
    assert "2 folds would split 2 + 0" in describe_cold_run(fake_run(late), fold_seconds=0.1, other_folds=(2,))
    with pytest.raises(ValueError, match="other_folds=1 is not allowed"):
        describe_cold_run(fake_run(spans), fold_seconds=0.1, other_folds=(1,))


def test_measure_splits_tabulates_real_runs_next_to_the_model():
    X, y = cvkit.load_dataset("iris")
    table, runs = measure_splits(SVC(), X, y, folds=(3, 4), workers=(2,))
    assert list(table.columns) == [
        "model (rounds)",
        "batch_size='auto'",
        "batch_size='auto', pre_dispatch='1.5*n_jobs'",
        "batch_size=1",
    ]
    assert list(table.index) == [(3, 2), (4, 2)]
    assert table.loc[(4, 2), "model (rounds)"] == "2 + 2"
    assert len(runs) == 2 * 3
    serial = {k: cvkit.run_folds(SVC(), X, y, cv=k, n_jobs=1).scores.tolist() for k in (3, 4)}
    for (k, _w, _label), run in runs.items():
        assert sum(fold_split(run)) == k and run.scores.tolist() == serial[k]  # every fold once, same scores
    shared = runs[4, 2, "batch_size='auto', pre_dispatch='1.5*n_jobs'"].settings
    assert (shared["batch_size"], shared["pre_dispatch"]) == ("auto", "1.5*n_jobs")
    assert runs[4, 2, "batch_size=1"].settings["pre_dispatch"] == "2*n_jobs"  # run_folds' default


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(folds=(1,)), "folds=1 is not allowed"),
        (dict(workers=(1,)), "workers=1 is not allowed"),
        (dict(settings=({"batch_size": 0},)), "batch_size=0 is not allowed"),
        (dict(settings=({"pre_dispatch": "2*cores"},)), "pre_dispatch='2*cores' is not allowed"),
        (dict(settings=({"n_jobs": 2},)), "settings entry {'n_jobs': 2} is not allowed; allowed: a sequence of dicts"),
        (dict(settings={"batch_size": 1}), "settings={'batch_size': 1} is not allowed"),
        (dict(settings=()), "settings=() holds no settings"),
    ],
)
def test_measure_splits_refuses_bad_arguments_before_running(kwargs, message):
    X, y = cvkit.load_dataset("iris")
    with pytest.raises(ValueError) as raised:
        measure_splits(SVC(), X, y, **kwargs)
    assert message in str(raised.value)


def test_settings_label_names_a_column():
    assert settings_label({"batch_size": 1}) == "batch_size=1"
    assert settings_label({"batch_size": "auto", "pre_dispatch": "1.5*n_jobs"}) == (
        "batch_size='auto', pre_dispatch='1.5*n_jobs'"
    )
    assert [settings_label(o) for o in SPLIT_SETTINGS][1] == "batch_size='auto', pre_dispatch='1.5*n_jobs'"
