"""The lesson 08 self-check: the right set passes in any spelling, each slip gets its own hint, nothing raises."""

import pytest

from cvkit.exercises import NOT_ANSWERED, Feedback
from cvkit.exercises.lesson08 import MACHINE, RUNS, check_identical_runs

RIGHT = {"A", "B", "E", "G"}


def test_the_case_is_the_one_the_answer_assumes():
    assert MACHINE["cores"] == 8 and MACHINE["blas_threads_here"] == 8 and not MACHINE["thread_variables_set"]
    assert sorted(RUNS) == list("ABCDEFG")
    # E and G are the runs whose workers end up with 1 BLAS thread, like the limited serial run
    assert "threadpool_limits(1)" in RUNS["E"][1] and RUNS["E"][2] == "n_jobs=8"
    assert "inner_max_num_threads=1" in RUNS["G"][2]


@pytest.mark.parametrize(
    "answer", [RIGHT, sorted(RIGHT), tuple(RIGHT), frozenset(RIGHT), "ABEG", "a, b, e, g", ["a", "B", "e", "G"]]
)
def test_right_answers_in_any_spelling(answer):
    feedback = check_identical_runs(answer)
    assert isinstance(feedback, Feedback) and feedback.correct, str(feedback)
    assert "runs A, B, E, G are identical" in str(feedback) and "8 // 4 = 2" in str(feedback)


@pytest.mark.parametrize(
    "answer, message, hint",
    [
        # unseeded forest taken for reproducible
        (RIGHT | {"C"}, "you counted on run C, whose forest has no random_state", "n_jobs is not the problem in run C"),
        # a seeded forest taken for parallel-dependent
        (RIGHT - {"B"}, "you left out run B", "look at random_state"),
        # every parallel run suspected, even one without threads or randomness
        (RIGHT - {"A"}, "you left out run A", "unseeded randomness or sums split"),
        # the parent's default threads forgotten
        (RIGHT | {"D"}, "you counted on run D", "this process has one per core"),
        # "loky caps workers at 1 thread": the limit taken to be 1 whatever n_jobs is
        (RIGHT | {"F"}, "held the workers to 1 BLAS thread too", "threadpool_limits changes only this process"),
        # the cap of n_jobs=8 on 8 cores not worked out
        (RIGHT - {"E"}, "you left out run E", "cpu_count() // n_jobs on this machine"),
        # inner_max_num_threads not known
        (RIGHT - {"G"}, "you left out run G", "what does inner_max_num_threads set"),
    ],
)
def test_each_slip_gets_its_own_hint(answer, message, hint):
    feedback = check_identical_runs(answer)
    assert feedback.status == "wrong"
    assert message in feedback.message and hint in feedback.hint
    assert "more run" not in feedback.message  # a single slip says nothing of others
    # the message names the slip, not the worked-out thread counts the learner is asked to find
    assert "8 // " not in feedback.message and "8 // " not in feedback.hint


def test_no_slip_message_gives_the_answer_away():
    """A wrong answer's message never lists the right set nor the thread counts that decide it."""
    for run in RUNS:
        for answer in (RIGHT ^ {run}, set(), set(RUNS)):
            text = str(check_identical_runs(answer))
            assert "A, B, E, G" not in text and "// 8 = 1" not in text and "// 4 = 2" not in text


def test_several_slips_explain_the_first_and_count_the_rest():
    feedback = check_identical_runs({"A", "B", "C", "D", "E", "F", "G"})  # "all identical"
    assert feedback.status == "wrong" and "you counted on run C" in feedback.message
    assert "(2 more runs to look at again after this one.)" in feedback.message
    none = check_identical_runs(set())
    assert none.status == "wrong" and "you left out run B" in none.message and "3 more runs" in none.message


@pytest.mark.parametrize("answer", [3, None, [1, 2], {"A": True}.values()])
def test_not_a_set_of_letters(answer):
    feedback = check_identical_runs(answer)
    assert feedback.status == "wrong" and "is not a set of run letters" in feedback.message


def test_unknown_letters():
    feedback = check_identical_runs({"A", "H"})
    assert feedback.status == "wrong" and "there is no run 'H'" in feedback.message


def test_not_answered():
    assert check_identical_runs(NOT_ANSWERED).status == "not answered"
