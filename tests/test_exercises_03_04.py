"""The lesson 03 and 04 self-checks: right answers pass, each usual slip gets its own hint, nothing raises, and the
answers are not in the modules' help text (so a learner cannot read them off help())."""

import pydoc
import re

import pytest

from cvkit.exercises import NOT_ANSWERED, Feedback, lesson03, lesson04
from cvkit.exercises.lesson03 import HEAD_START_CASE, UNEQUAL_CASE, check_head_start, check_unequal_folds
from cvkit.exercises.lesson04 import STOP_CASE, StopCount, _expected_stop, check_stop, stop_and_count
from cvkit.lab.tiny_folds import fold_split, head_start_schedule
from cvkit.model import predict_schedule


def help_text(module):
    return pydoc.render_doc(module, renderer=pydoc.plaintext)


# --- lesson 03, part 1: a head start ---------------------------------------------------------------------------
def test_the_head_start_answers_follow_from_the_case():
    c = HEAD_START_CASE
    tiny = fold_split(head_start_schedule([c["tiny_fold"]] * c["n_folds"], [0.0, c["head_start"]]))
    long = fold_split(head_start_schedule([c["long_fold"]] * c["n_folds"], [0.0, c["head_start"]]))
    assert (tiny, long) == ([10, 5], [8, 7])
    assert long == fold_split(predict_schedule(c["n_folds"], n_jobs=2))  # long folds: the rounds again


@pytest.mark.parametrize("tiny, long", [([10, 5], [8, 7]), ([5, 10], [7, 8]), ((10.0, 5.0), [8, 7])])
def test_right_head_start_answers_in_any_order(tiny, long):
    feedback = check_head_start(tiny, long)
    assert isinstance(feedback, Feedback) and feedback.correct
    assert "10 + 5" in str(feedback) and "8 + 7" in str(feedback) and "counts in folds" in str(feedback)


@pytest.mark.parametrize(
    "tiny, long, hint",
    [
        ([8, 7], [8, 7], "worker 1 is not there for the first 22 ms"),  # rounds: the head start forgotten
        ([9, 6], [8, 7], "worker 1 is not ready yet: who takes the next fold?"),  # one fold alone too few
        ([15, 0], [8, 7], "from the moment worker 1 is ready, it takes folds"),
        ([14, 1], [8, 7], "from the moment worker 1 is ready, it takes folds"),  # the late worker's one fold only
        ([11, 4], [8, 7], "first count the folds worker 0 starts before worker 1 is ready"),
        ([10, 5], [10, 5], "what does that leave of the head start?"),  # the tiny-fold reasoning applied to 0.5 s
        ([10, 5], [9, 6], "a small part of one 0.5 s fold"),
    ],
)
def test_each_head_start_slip_gets_its_own_hint(tiny, long, hint):
    feedback = check_head_start(tiny, long)
    assert feedback.status == "wrong" and hint in feedback.hint, feedback


@pytest.mark.parametrize(
    "tiny, long, message",
    [
        ([8, 8], [8, 7], "add up to 16, but there are 15 folds"),
        ([10, 5, 0], [8, 7], "has 3 numbers, but there are 2 workers"),
        ("10, 5", [8, 7], "is not a list of fold counts"),
        ([10.5, 4.5], [8, 7], "is not a list of fold counts"),
        ([True, 5], [8, 7], "is not a list of fold counts"),
        (10, [8, 7], "is not a list of fold counts"),
        ([10, 5], None, "long_split=None is not a list of fold counts"),
    ],
)
def test_malformed_head_start_answers_are_named(tiny, long, message):
    feedback = check_head_start(tiny, long)
    assert feedback.status == "wrong" and message in feedback.message


def test_the_one_fold_too_few_slip_says_what_the_learner_did_not_the_answer():
    feedback = check_head_start([9, 6], [8, 7])
    assert feedback.message == "9 + 6 has worker 0 start 4 folds alone."
    assert "10" not in str(feedback)


def test_head_start_not_answered():
    assert check_head_start(NOT_ANSWERED, NOT_ANSWERED).status == "not answered"
    assert check_head_start([10, 5], NOT_ANSWERED).status == "not answered"


# --- lesson 03, part 2: unequal folds (the model the others follow) -------------------------------------------------
def test_unequal_folds_right_and_a_slip():
    assert check_unequal_folds([[0, 3, 5], [1, 2, 4]], 4).correct
    slip = check_unequal_folds([[0, 2, 4], [1, 3, 5]], 4.5)
    assert slip.status == "wrong" and "mark the time each worker becomes free" in slip.hint
    assert check_unequal_folds([[0, 3, 5], [1, 2, 4]], 3.5).status == "wrong"
    assert check_unequal_folds(NOT_ANSWERED, NOT_ANSWERED).status == "not answered"
    assert predict_schedule(UNEQUAL_CASE["durations"], n_jobs=2).lanes() == [[0, 3, 5], [1, 2, 4]]


def test_lesson03_help_does_not_give_the_answers_away():
    text = help_text(lesson03)
    for answer in ("10 + 5", "[10, 5]", "[5, 10]", "8 + 7", "[8, 7]", "[7, 8]", "[[0, 3, 5], [1, 2, 4]]"):
        assert answer not in text, answer
    assert not re.search(r"✅", text), "a right answer in a docstring"


# --- lesson 04: what Stop keeps ----------------------------------------------------------------------------------
def test_the_stop_answer_follows_from_the_model():
    assert _expected_stop() == (4, 2, 2)
    assert STOP_CASE == {"n_folds": 8, "n_jobs": 2, "stop_at": 2.5}
    states = predict_schedule(8, n_jobs=2).state_at(2.5)
    assert sum(s == "done" for s in states.values()) == 4 and sum(s == "running" for s in states.values()) == 2


@pytest.mark.parametrize("answer", [(4, 2, 2), (4.0, 2.0, 2.0)])
def test_right_stop_answer(answer):
    feedback = check_stop(*answer)
    assert feedback.correct and "half a round" in str(feedback)


@pytest.mark.parametrize(
    "answer, hint",
    [
        ((5, 2, 1), "half done: they are not kept"),  # 2.5 fold-times × 2 workers of work
        ((6, 0, 2), "Stop does not wait for running folds"),  # running folds counted as kept
        ((6, 2, 0), "Stop does not wait for running folds"),
        ((2, 2, 4), "draw the rounds and mark t = 2.5"),
        ((4, 0, 4), "is a worker idle, or is each one in the middle of a fold?"),
        ((4, 1, 3), "is a worker idle"),
        ((4, 2, 3), "every fold is in exactly one of the three groups"),
    ],
)
def test_each_stop_slip_gets_its_own_hint(answer, hint):
    feedback = check_stop(*answer)
    assert feedback.status == "wrong" and hint in feedback.hint, feedback


@pytest.mark.parametrize("bad", ["4", None, True, -1, 2.5, [4]])
def test_stop_answers_that_are_not_counts(bad):
    feedback = check_stop(bad, 2, 2)
    assert feedback.status == "wrong" and "is not a number of folds" in feedback.message


def test_stop_not_answered():
    assert check_stop(NOT_ANSWERED, NOT_ANSWERED, NOT_ANSWERED).status == "not answered"
    assert check_stop(4, 2, NOT_ANSWERED).status == "not answered"


def test_lesson04_help_does_not_give_the_answer_away():
    text = help_text(lesson04)
    for answer in ("(4, 2, 2)", "kept=4, running=2", "4 kept", "kept 4"):
        assert answer not in text, answer
    assert "✅" not in text


def test_stop_count_prints_the_moments_and_the_counts():
    count = StopCount(kept=4, running=2, never_started=2, pressed=2.5, ended=2.8, fold_seconds=0.45)
    assert str(count) == (
        "Stop pressed 2.50 fold-times after the first fold started; the run ended at 2.80 (a fold-time: 0.45 s, "
        "the mean of the first round).\nkept 4, running when Stop landed 2, never started 2."
    )
    early = StopCount(kept=8, running=0, never_started=0, pressed=None, ended=2.3, fold_seconds=0.45)
    assert str(early).startswith("The run ended 2.30 fold-times after the first fold started, before the Stop was due")


def test_check_schedule_right_answer():
    feedback = lesson03.check_schedule([[0, 2], [1, 3]], 2.0, durations=4, n_jobs=2)
    assert str(feedback) == (
        "✅ Right: worker 0: fold 0 [0–1], fold 2 [1–2]; worker 1: fold 1 [0–1], fold 3 [1–2]; makespan 2."
    )


@pytest.mark.slow
def test_stop_and_count_runs_the_case_in_the_explorer():
    from cvkit.widgets import Explorer

    explorer = Explorer(n_jobs=2, folds=4, workload="medium")
    try:
        explorer.run().wait(120)  # start the pool
        count = stop_and_count(explorer, workload="medium")
        assert count.kept + count.running + count.never_started == 8
        assert count.fold_seconds > 0 and count.ended >= (count.pressed or 0)
        assert count.pressed is None or count.pressed >= 2.5
        assert explorer.result.n_splits == 8 and len(explorer.result.finished) == count.kept
    finally:
        if explorer.running:
            explorer.stop()
            explorer.wait(60)
