"""The lesson 05 self-check: a clone per task passes, the shared model fails with a hint, nothing raises."""

import threading

import pytest
from sklearn.base import clone
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import SVC

from cvkit.exercises import NOT_ANSWERED, Feedback
from cvkit.exercises.lesson05 import check_fold_task
from cvkit.pitfalls import answer_task, clone_task


def fresh_svc_task(model, X, y, train, test):
    fitted = SVC().fit(X[train], y[train])
    return f1_score(y[test], fitted.predict(X[test]), average="weighted")


_lock = threading.Lock()


def locked_task(model, X, y, train, test):
    with _lock:
        model.fit(X[train], y[train])
        return f1_score(y[test], model.predict(X[test]), average="weighted")


def accuracy_task(model, X, y, train, test):
    own = clone(model).fit(X[train], y[train])
    return accuracy_score(y[test], own.predict(X[test]))


def tuple_task(model, X, y, train, test):
    own = clone(model).fit(X[train], y[train])
    return f1_score(y[test], own.predict(X[test]), average="weighted"), "confusion matrix"


def raising_task(model, X, y, train, test):
    raise RuntimeError("boom\nsecond line")


def two_argument_task(train, test):
    return 1.0


def test_not_answered():
    feedback = check_fold_task(NOT_ANSWERED)
    assert isinstance(feedback, Feedback) and feedback.status == "not answered" and not feedback


@pytest.mark.parametrize("task", [clone_task, fresh_svc_task], ids=["clone", "fresh SVC"])
def test_right_answers(task):
    feedback = check_fold_task(task)
    assert feedback.correct, feedback
    assert "stayed unfitted" in feedback.message


def test_a_lock_is_right_but_told_it_serialises():
    feedback = check_fold_task(locked_task)
    assert feedback.correct
    assert "lock" in feedback.message


def test_the_widely_shared_answer_is_wrong_with_a_clone_hint():
    feedback = check_fold_task(answer_task)
    assert feedback.status == "wrong"
    assert feedback.message.startswith("2 of 4 folds were predicted by a model fitted on another fold's rows")
    assert "clone(model)" in feedback.hint


def test_right_isolation_but_wrong_metric():
    feedback = check_fold_task(accuracy_task)
    assert feedback.status == "wrong" and "scores differ from the serial loop's" in feedback.message
    assert "average='weighted'" in feedback.hint


@pytest.mark.parametrize(
    "task, says",
    [
        (tuple_task, "did not return one number per fold"),
        (raising_task, "your function raised RuntimeError: boom"),
        (two_argument_task, "your function raised TypeError"),
    ],
)
def test_broken_functions_get_a_hint_not_an_exception(task, says):
    feedback = check_fold_task(task)
    assert feedback.status == "wrong" and says in feedback.message, feedback
    assert "def fold_task(model, X, y, train, test)" in feedback.hint


@pytest.mark.parametrize("answer", ["clone_task", None, 0.9, [clone_task], SVC, SVC()], ids=repr)
def test_non_functions_get_a_hint(answer):
    feedback = check_fold_task(answer)
    assert feedback.status == "wrong" and "not a function" in feedback.message
    assert "answer = fold_task" in feedback.hint


def test_the_shared_model_fails_even_when_one_thread_is_starved(monkeypatch):
    """A busy hub can hold one thread up far longer than SlowModel's pauses: the wrong answer must still fail."""
    import time

    import cvkit.exercises.lesson05 as lesson05

    calls = [0]
    lock = threading.Lock()

    class StarvedSVC(SVC):
        def fit(self, X, y, sample_weight=None):
            with lock:
                calls[0] += 1
                slow = calls[0] % 2 == 0
            if slow:
                time.sleep(0.3)
            return super().fit(X, y, sample_weight=sample_weight)

    monkeypatch.setattr(lesson05, "SVC", StarvedSVC)
    feedback = check_fold_task(answer_task)
    assert feedback.status == "wrong", feedback
    assert feedback.message.startswith("2 of 4 folds were predicted by a model fitted on another fold's rows")
    assert check_fold_task(clone_task).correct
