"""The lesson 07 self-check: right times pass, the usual mistakes get their own hint, nothing raises."""

import math

import pytest

from cvkit.exercises import NOT_ANSWERED, Feedback, lesson07
from cvkit.exercises.lesson07 import CASE, check_scale_out

expected_times = lesson07._expected_times  # private: the answer must not be one help() away
LOKY, DASK = expected_times()


def test_expected_times_count_rounds_and_start_up():
    cores = CASE["machine_cores"] * CASE["n_machines"]
    assert LOKY == math.ceil(CASE["n_folds"] / CASE["machine_cores"]) * CASE["fold_seconds"] == 150
    assert pytest.approx(60 + math.ceil(CASE["n_folds"] / cores) * 30 + CASE["n_folds"] * 0.007) == DASK
    assert DASK < LOKY  # the exercise's point: the cluster wins here...
    small_loky, small_dask = expected_times(8)
    assert small_dask > small_loky  # ...and loses with few folds


@pytest.mark.parametrize("dask", [DASK, 120, 121.0, 60 + 60])
def test_right_answers_within_a_second(dask):
    feedback = check_scale_out(loky_seconds=150, dask_seconds=dask)
    assert isinstance(feedback, Feedback) and feedback.correct
    assert "5 rounds" in str(feedback) and "2 rounds" in str(feedback) and "wins by" in str(feedback)


@pytest.mark.parametrize(
    "loky, dask, hint",
    [
        (135, DASK, "count rounds: 8 folds run at once"),  # work divided evenly over the cores
        (100, DASK, "ceil(36 / 8) rounds"),
        (150, DASK - 60, "add the 60 s it takes to start them"),  # start-up forgotten
        (150, 60 + 36 * 30 / 32, "the cluster has 32 cores"),  # work divided evenly over the cluster
        (150, 36 * 30 / 32, "the cluster has 32 cores"),  # and start-up forgotten
        (150, 300, "start-up (60 s) + ceil(36 / 32) rounds"),
        (1080, DASK, "8 folds run at once"),  # the serial loop
        (150, 60 + 9 * 30 + 36 * 0.007, "one per core"),  # one worker per machine
        (150, 9 * 30, "one per core"),  # and start-up forgotten
        (150, 150, "count rounds on 32 cores"),  # the cluster as one machine
        (150, 210, "count rounds on 32 cores"),
        (120, DASK, "round the number of rounds up"),  # floor(36 / 8) = 4 rounds
        (150, 60 + 30 + 36 * 0.007, "round the number of rounds up"),  # floor(36 / 32) = 1 round
        (150, 30, "round the number of rounds up"),  # and start-up forgotten
        (2.5, DASK, "in seconds"),  # minutes
        (150, DASK / 60, "in seconds"),
    ],
)
def test_wrong_answers_get_a_pointed_hint(loky, dask, hint):
    feedback = check_scale_out(loky_seconds=loky, dask_seconds=dask)
    assert feedback.status == "wrong" and hint in feedback.hint


@pytest.mark.parametrize("value", ["150", None, True, [150]])
def test_not_a_number(value):
    feedback = check_scale_out(loky_seconds=value, dask_seconds=DASK)
    assert feedback.status == "wrong" and "is not a number of seconds" in feedback.message


def test_not_answered():
    assert check_scale_out(NOT_ANSWERED, NOT_ANSWERED).status == "not answered"
    assert check_scale_out(150, NOT_ANSWERED).status == "not answered"


def test_the_answer_is_not_in_help():
    """Neither the module's nor the check's documentation shows the right times (help() would give them away)."""
    docs = (lesson07.__doc__ or "") + (check_scale_out.__doc__ or "")
    assert "150" not in docs and "120" not in docs
    assert "ceil(" not in docs  # nor the rounds that give them
    assert "_expected_times" not in lesson07.__all__
