"""The lesson 05 self-check: the right prediction passes, each typical slip gets its own hint, nothing raises,
help() gives nothing away, and the right prediction is what really happens when the exercise's code runs (as a
script, like a notebook, with the joblib installed)."""

import json
import pydoc
import subprocess
import sys
import textwrap

import pytest

from cvkit.exercises import NOT_ANSWERED, Feedback
from cvkit.exercises.lesson05 import CASE, OUTCOMES, check_in_place

RIGHT = {
    "n_jobs=1": "changed",
    "threading": "changed",
    "loky, small": "unchanged",
    "loky, large": "error",
    "loky, large, r+": "unchanged",
}


def test_not_answered():
    assert check_in_place(NOT_ANSWERED).status == "not answered"
    partly = {**RIGHT, "threading": NOT_ANSWERED}
    feedback = check_in_place(partly)
    assert isinstance(feedback, Feedback) and feedback.status == "not answered" and not feedback


def test_the_right_prediction():
    feedback = check_in_place(RIGHT)
    assert feedback.correct, feedback
    assert "read-only" in feedback.message and "return it" in feedback.message
    assert check_in_place({k: f" {v.upper()} " for k, v in RIGHT.items()}).correct  # case and spaces forgiven


SLIPS = [
    ({"n_jobs=1": "unchanged"}, "n_jobs=1", "nothing is copied"),
    ({"n_jobs=1": "error"}, "n_jobs=1", "no memory map"),
    ({"threading": "unchanged"}, "threading", "they share its objects"),
    ({"threading": "error"}, "threading", "process workers only"),
    ({"loky, small": "changed"}, "loky, small", "pickled, with a copy"),
    ({"loky, small": "error"}, "loky, small", "below max_nbytes"),
    ({"loky, large": "unchanged"}, "loky, large", "memory map of the file"),
    ({"loky, large": "changed"}, "loky, large", "not the notebook's array"),
    ({"loky, large, r+": "changed"}, "loky, large, r+", "not the notebook's array"),
    ({"loky, large, r+": "error"}, "loky, large, r+", "reading and writing"),
]


@pytest.mark.parametrize("change, run, hint", SLIPS, ids=[f"{run}: {next(iter(c.values()))}" for c, run, _ in SLIPS])
def test_each_slip_gets_its_own_hint(change, run, hint):
    feedback = check_in_place({**RIGHT, **change})
    assert feedback.status == "wrong", feedback
    assert f"for the {run} run" in feedback.message and hint in feedback.hint, feedback


def test_the_hints_differ():
    hints = [check_in_place({**RIGHT, **change}).hint for change, _, _ in SLIPS]
    assert len(set(hints)) == len(hints)


@pytest.mark.parametrize(
    "answers, says",
    [
        ({"serial": "changed"}, "answers needs the keys"),
        (["changed"] * 5, "you gave a list"),
        ({**RIGHT, "threading": "maybe"}, "is not one of 'changed', 'unchanged', 'error'"),
        ({**RIGHT, "threading": True}, "is not one of"),
        ({**RIGHT, "threading": None}, "is not one of"),
    ],
)
def test_malformed_answers_get_a_hint_not_an_exception(answers, says):
    feedback = check_in_place(answers)
    assert feedback.status == "wrong" and says in feedback.message and feedback.hint, feedback


def test_help_and_docstrings_do_not_give_the_answer_away():
    import cvkit.exercises.lesson05 as module

    text = pydoc.render_doc(module, renderer=pydoc.plaintext) + pydoc.render_doc(
        check_in_place, renderer=pydoc.plaintext
    )
    for giveaway in ("read-only", "pickled copy", "assignment destination", "return it", "'changed'", "'error'"):
        assert giveaway not in text.replace("'changed', 'unchanged', 'error'", ""), giveaway
    assert set(OUTCOMES) == {"changed", "unchanged", "error"}


EXERCISE = textwrap.dedent(
    """
    import json
    import numpy as np
    from joblib import Parallel, delayed
    from cvkit.exercises.lesson05 import CASE, SETTINGS

    def task(a):
        a[0] = -1.0
        return float(a.sum())

    outcomes, errors = {}, {}
    for name, (size, settings) in SETTINGS.items():
        arr = np.ones(CASE[size])
        try:
            sums = Parallel(**settings)(delayed(task)(arr) for _ in range(2))
        except Exception as error:
            outcomes[name], errors[name] = "error", f"{type(error).__name__}: {error}"
            continue
        assert len(sums) == 2
        outcomes[name] = "changed" if arr[0] == -1.0 else "unchanged"
    print(json.dumps({"outcomes": outcomes, "errors": errors}))
    """
)


def test_the_right_prediction_is_what_happens():
    """Run the exercise's code as a script (its task is defined in __main__, as in a notebook)."""
    proc = subprocess.run([sys.executable, "-c", EXERCISE], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    assert measured["outcomes"] == RIGHT
    assert check_in_place(measured["outcomes"]).correct
    assert measured["errors"] == {"loky, large": "ValueError: assignment destination is read-only"}
    assert CASE["small"] * 8 < 1e6 < CASE["large"] * 8  # on either side of max_nbytes="1M"
