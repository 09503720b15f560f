"""The lesson 06 self-checks: the rule's answers pass, each typical slip gets its own hint, nothing raises."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvkit.exercises import NOT_ANSWERED, Feedback, lesson06
from cvkit.exercises.lesson06 import EXERCISE, check_calls_to_pay_back, check_expected_speedup
from cvkit.model.cost_rule import expected_speedup

E = EXERCISE
SERIAL = 8 * 0.05
PARALLEL = 0.02 + 8 * 0.0005 + 3 * 0.05 * 1.05  # 3 rounds: ceil(8 / 3)
ANSWER = SERIAL / PARALLEL
CALLS = 5  # the smallest n with 1 s + n × PARALLEL < n × SERIAL
RECIPE = "parallel time = the serial part (per call + k × per task) + the rounds × fold time × (1 + slowdown)"


def test_the_case_is_one_the_lesson_did_not_work_out():
    assert E["n_workers"] == 3 and E["n_folds"] % E["n_workers"]  # the lesson uses 2 workers; a short last round


def test_the_answers_are_the_rule():
    assert lesson06._rule() == pytest.approx(ANSWER)
    assert expected_speedup(0.05, 8, 3, per_call=0.02, per_task=0.0005, slowdown=0.05) == pytest.approx(ANSWER)
    assert lesson06._calls_needed() == CALLS
    assert 1.0 + CALLS * PARALLEL < CALLS * SERIAL
    assert 1.0 + (CALLS - 1) * PARALLEL > (CALLS - 1) * SERIAL


def test_the_answers_are_not_in_help():
    """help() of the module or of a check must not show a right answer (or the part-2 count)."""
    docs = (lesson06.__doc__ or "") + (check_expected_speedup.__doc__ or "") + (check_calls_to_pay_back.__doc__ or "")
    assert "2.2" not in docs and "181.5" not in docs and "5 calls" not in docs
    assert "_rule" not in lesson06.__all__ and "_calls_needed" not in lesson06.__all__


def test_not_answered():
    for check in (check_expected_speedup, check_calls_to_pay_back):
        feedback = check(NOT_ANSWERED)
        assert isinstance(feedback, Feedback) and feedback.status == "not answered" and not feedback


@pytest.mark.parametrize("answer", [ANSWER, 2.2, round(ANSWER, 2), 400 / 181.5])
def test_part1_right_answers(answer):
    feedback = check_expected_speedup(answer)
    assert feedback.correct, feedback
    assert "181.5 ms instead of 400 ms" in feedback.message and "3 rounds" in feedback.message


def test_part1_right_message_does_not_give_part2_away():
    message = check_expected_speedup(ANSWER).message
    assert "cold" not in message and "start-up" not in message and str(CALLS) + " calls" not in message


@pytest.mark.parametrize(
    "answer, says, hint",
    [
        (8 / 3, "the bound k / ceil(k / w) = 8 / 3", RECIPE),
        (3.0, "every worker busy", RECIPE),
        (SERIAL / (0.024 + SERIAL * 1.05 / 3), "evenly over 3 workers", "count rounds"),
        (expected_speedup(0.05, 8, 3, per_call=0.02, per_task=0.0005), "you left out the slowdown", RECIPE),
        (expected_speedup(0.05, 8, 3, slowdown=0.05), "you left out the serial part", RECIPE),
        (expected_speedup(0.05, 8, 3, per_call=0.02, slowdown=0.05), "not the 0.5 ms", RECIPE),
        (expected_speedup(0.05, 8, 3, per_task=0.0005, slowdown=0.05), "not the 20 ms", RECIPE),
        (expected_speedup(0.05, 8, 2, per_call=0.02, per_task=0.0005, slowdown=0.05), "on 2 workers", RECIPE),
        (SERIAL / (1.0 + PARALLEL), "a cold pool's speed-up", RECIPE),
        (1 / ANSWER, "upside down", RECIPE),
        (3.5, "impossible", RECIPE),
        (-1, "it is > 0", RECIPE),
        (1.9, "1.9 is not what the rule gives", RECIPE),
    ],
)
def test_part1_each_slip_gets_its_hint(answer, says, hint):
    feedback = check_expected_speedup(answer)
    assert feedback.status == "wrong"
    assert says in feedback.message
    assert feedback.hint.startswith(hint)
    assert f"{ANSWER:.2f}" not in str(feedback)  # a wrong answer's feedback never shows the right one


@pytest.mark.parametrize("answer", [CALLS, 5.0])
def test_part2_right_answers(answer):
    feedback = check_calls_to_pay_back(answer)
    assert feedback.correct, feedback
    assert "saves 218.5 ms" in feedback.message and "1.908 s in parallel against 2.000 s" in feedback.message


@pytest.mark.parametrize(
    "answer, says",
    [
        (1, "a single call pays the whole start-up"),
        (2, "still behind"),
        (4, "with 4 calls the parallel session takes 1.726 s, the serial loops 1.600 s"),
        (3, "compares the start-up with a whole serial loop"),  # ceil(1 s / 400 ms)
        (6, "compares the start-up with the time of a parallel call"),  # ceil(1 s / 181.5 ms)
        (9, "not the fewest"),
        (4.58, "calls come whole"),
        (4.5, "not a whole number"),
        (0, "at least one"),
    ],
)
def test_part2_each_slip_gets_its_hint(answer, says):
    feedback = check_calls_to_pay_back(answer)
    assert feedback.status == "wrong" and feedback.hint
    assert says in feedback.message
    assert f"{CALLS} calls" not in str(feedback)


@pytest.mark.parametrize("answer", ["2.2", None, [2.2], True, math.nan, math.inf, {"warm": 2.2}, 10**400])
def test_non_numbers_get_a_hint(answer):
    for check in (check_expected_speedup, check_calls_to_pay_back):
        feedback = check(answer)
        assert feedback.status == "wrong" and "not a number" in feedback.message


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=5), st.none()))
def test_never_raises(answer):
    for check in (check_expected_speedup, check_calls_to_pay_back):
        feedback = check(answer)
        assert feedback.status in ("right", "wrong")
        assert str(feedback)
