"""The lesson 05b self-check: the right prediction passes, each typical slip gets its own hint, nothing raises,
and the right prediction is what really happens when the four ways run."""

import warnings

import numpy as np
import pytest
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

import cvkit
from cvkit.exercises import NOT_ANSWERED, Feedback
from cvkit.exercises.lesson05b import CASE, WAYS, check_kept_folds
from cvkit.lab.faults import FaultyClassifier

K, BAD = CASE["n_folds"], CASE["bad_fold"]
RIGHT = {"list": 0, "generator": BAD, "raise": BAD, "timeout": K}


def with_(**changes):
    return {**RIGHT, **changes}


def test_not_answered():
    assert check_kept_folds(NOT_ANSWERED).status == "not answered"
    feedback = check_kept_folds(with_(timeout=NOT_ANSWERED))
    assert isinstance(feedback, Feedback) and feedback.status == "not answered" and not feedback


def test_the_right_prediction():
    feedback = check_kept_folds(RIGHT)
    assert feedback.correct, feedback
    assert "no timeout is applied" in feedback.message


@pytest.mark.parametrize(
    "answer, says, hint",
    [
        (with_(list=BAD), "list mode", "the variable is never assigned"),
        (with_(list=K - 1), "list mode", "the variable is never assigned"),
        (with_(generator=K - 1), "generator", "never consumed"),
        (with_(generator=0), "generator", "already yours"),
        (with_(generator=BAD - 1), "generator", "numbered from 0"),
        (with_(generator=BAD + 1), "generator", "numbered from 0"),
        (with_(generator=K), "generator", "the loop stops where the error comes"),
        (with_(**{"raise": 0}), 'on_error="raise"', "hands back what finished before it"),
        (with_(**{"raise": K - 1}), 'on_error="raise"', 'that is what on_error="record" keeps'),
        (with_(**{"raise": BAD + 1}), 'on_error="raise"', "numbered from 0"),
        (with_(timeout=K - 1), "timeout=1", "where a timeout is applied"),
        (with_(timeout=BAD), "timeout=1", "where a timeout is applied"),
    ],
)
def test_each_slip_gets_its_own_hint(answer, says, hint):
    feedback = check_kept_folds(answer)
    assert feedback.status == "wrong", feedback
    assert says in feedback.message and hint in feedback.hint, feedback


@pytest.mark.parametrize(
    "answer, says",
    [
        ([0, 3, 3, 6], "you gave a list"),
        ({"list": 0}, "the answer needs the keys"),
        (with_(list="none"), "is not a whole number of folds"),
        (with_(timeout=K + 1), "is not a whole number of folds"),
        (with_(generator=2.5), "is not a whole number of folds"),
        (with_(generator=False), "is not a whole number of folds"),
    ],
)
def test_malformed_answers_get_a_hint_not_an_exception(answer, says):
    feedback = check_kept_folds(answer)
    assert feedback.status == "wrong" and says in feedback.message and feedback.hint, feedback


def test_help_and_docstrings_do_not_give_the_answer_away():
    import cvkit.exercises.lesson05b as module

    text = (module.__doc__ or "") + (check_kept_folds.__doc__ or "") + " ".join(WAYS.values())
    assert check_kept_folds(RIGHT).message not in text
    assert "all 6" not in text and "no timeout is applied" not in text


def test_the_right_prediction_is_what_happens():
    X, y = cvkit.load_dataset("iris")
    cv = StratifiedKFold(K)
    splits = list(cv.split(X, y))
    marked = X[[splits[BAD][1][0]]]
    faulty = FaultyClassifier(SVC(), marked_rows=marked, fault="raise")
    sleeper = FaultyClassifier(SVC(), marked_rows=marked, fault="sleep", seconds=CASE["sleep_seconds"])

    def fold_score(estimator, train, test):
        model = clone(estimator).fit(X[train], y[train])
        return float(np.mean(model.predict(X[test]) == y[test]))

    measured = {}
    results = None
    with pytest.raises(ValueError):
        results = Parallel(n_jobs=1)(delayed(fold_score)(faulty, tr, te) for tr, te in splits)
    measured["list"] = 0 if results is None else len(results)
    kept = []
    with pytest.raises(ValueError):
        for score in Parallel(n_jobs=1, return_as="generator")(
            delayed(fold_score)(faulty, tr, te) for tr, te in splits
        ):
            kept.append(score)
    measured["generator"] = len(kept)
    with pytest.raises(cvkit.FoldFailedError) as info:
        cvkit.run_folds(faulty, X, y, cv=cv, n_jobs=1, on_error="raise")
    measured["raise"] = len(info.value.result.finished)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = cvkit.run_folds(sleeper, X, y, cv=cv, n_jobs=1, timeout=CASE["timeout"])
    measured["timeout"] = sum(f.status == "done" for f in result.folds)
    assert measured == RIGHT
    assert any("not applied" in str(w.message) for w in caught)
