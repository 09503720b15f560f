"""Tests of the self-checks of lessons 01 and 02: right answers pass, slips get a hint, nothing raises."""

import math

import numpy as np
import pytest
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

from cvkit import load_dataset
from cvkit.exercises import NOT_ANSWERED, Feedback, lesson01, lesson02
from cvkit.exercises.lesson01 import OLD_F1, TODAY_F1, check_better_default, check_wine_gamma
from cvkit.exercises.lesson02 import check_shared_model
from cvkit.lab.shared_answer import in_lockstep

ODD_ANSWERS = ["1.6e-06", "5/3", None, [1.67], {"gamma": 0.25}, object(), True, False, 1 + 2j, SVC]


@pytest.fixture(scope="module")
def wine_X():
    return load_dataset("wine")[0]


def fold_f1(estimator, X, y):
    """The lesson's loop: weighted f1 of a clone of ``estimator`` on each of 5 stratified folds."""
    scores = []
    for train, test in StratifiedKFold(5).split(X, y):
        model = clone(estimator).fit(X[train], y[train])
        scores.append(f1_score(y[test], model.predict(X[test]), average="weighted"))
    return scores


# ---------------------------------------------------------------- lesson 01
def test_lesson01_reference_lists_are_what_the_loop_prints(iris):
    X, y = iris
    assert fold_f1(SVC(kernel="rbf"), X, y) == TODAY_F1
    assert fold_f1(SVC(kernel="rbf", gamma="auto"), X, y) == OLD_F1
    assert OLD_F1 != TODAY_F1


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_gamma_formulas_match_what_svc_uses(name):
    X, y = load_dataset(name)
    assert SVC().fit(X, y)._gamma == pytest.approx(lesson01._scale_gamma(X), rel=1e-12)
    assert SVC(gamma="auto").fit(X, y)._gamma == pytest.approx(lesson01._auto_gamma(X), rel=1e-12)


def test_lesson01_answers_are_not_in_help(wine_X):
    """help() of the module or of a check must not show part 1's gamma or part 2's prediction."""
    docs = (lesson01.__doc__ or "") + (check_wine_gamma.__doc__ or "") + (check_better_default.__doc__ or "")
    gamma = 1 / (wine_X.shape[1] * wine_X.var())
    assert f"{gamma:.3g}" not in docs and f"{gamma:.3e}" not in docs
    assert "check_wine_gamma(1 / (" not in docs and 'default("scale")' not in docs and "default('scale')" not in docs
    assert not {"_scale_gamma", "_auto_gamma"} & set(lesson01.__all__)


def test_wine_really_prefers_scale():
    """Part 2's right answer is what the lesson's loop gives on wine, by far more than 'about the same'."""
    X, y = load_dataset("wine")
    auto, scale = (np.mean(fold_f1(SVC(kernel="rbf", gamma=g), X, y)) for g in ("auto", "scale"))
    assert scale - auto > lesson01._SAME
    assert np.mean(OLD_F1) > np.mean(TODAY_F1)  # on iris it went the other way ('auto' = the old list)


@pytest.mark.parametrize("answer", ["scale", "Scale", " gamma='scale' ", 'gamma="scale"'])
def test_better_default_right_answers(answer):
    feedback = check_better_default(answer)
    assert feedback.correct, feedback
    assert "0.63 against 0.29" in feedback.message and "exp(-gamma" in feedback.message


@pytest.mark.parametrize(
    "answer, message_part, hint_part",
    [
        ("auto", "on iris 'auto' was a little better", "gamma = 1/13"),
        ("gamma='auto'", "on iris 'auto' was a little better", "gamma = 1/13"),
        ("same", "on iris the two defaults were close", "compare the two gammas"),
        ("about the same", "on iris the two defaults were close", "compare the two gammas"),
        ("linear", "not one of the three predictions", "'auto', 'scale', or 'same'"),
        (0.63, "not one of the three predictions", "answer with a string"),
        (None, "not one of the three predictions", "answer with a string"),
    ],
)
def test_better_default_wrong_answers_get_a_hint(answer, message_part, hint_part):
    feedback = check_better_default(answer)
    assert feedback.status == "wrong"
    assert message_part in feedback.message and hint_part in feedback.hint


@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=repr)
def test_better_default_odd_answers_are_wrong_not_errors(answer):
    assert check_better_default(answer).status == "wrong"


def test_better_default_not_answered():
    assert check_better_default(NOT_ANSWERED).status == "not answered"


def test_wine_gamma_right_answers(wine_X):
    X = wine_X
    used_by_svc = float(SVC().fit(X, load_dataset("wine")[1])._gamma)
    for answer in (1 / (X.shape[1] * X.var()), np.float64(1 / (13 * X.var())), used_by_svc):
        feedback = check_wine_gamma(answer)
        assert isinstance(feedback, Feedback)
        assert feedback.correct and feedback.status == "right", feedback
        assert "Right" in str(feedback)


@pytest.mark.parametrize(
    "make_answer, hint_part",
    [
        (lambda X: 1 / 13, 'gamma="scale"'),
        (lambda X: 1 / (13 * X.var(axis=0).mean()), "all values of X"),
        (lambda X: 1 / (13 * X.var(ddof=1)), "ddof=0"),
        (lambda X: 1 / (13 * X.std()), "not X.std()"),
        (lambda X: 1 / X.var(), "13 features"),
        (lambda X: 13 * X.var(), "one over it"),
        (lambda X: 0.25, "Load wine"),
        (lambda X: 1 / (4 * load_dataset("iris")[0].var()), "Load wine"),
        (lambda X: 1 / (13 * X.var()) * 1.01, "X.var() over all values"),
        (lambda X: -1.0, "positive"),
        (lambda X: math.nan, "positive"),
        (lambda X: math.inf, "positive"),
    ],
)
def test_wine_gamma_wrong_answers_get_a_hint(wine_X, make_answer, hint_part):
    feedback = check_wine_gamma(make_answer(wine_X))
    assert feedback.status == "wrong" and not feedback.correct
    assert hint_part in feedback.hint
    assert "Hint:" in str(feedback)


@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=repr)
def test_wine_gamma_odd_answers_are_wrong_not_errors(answer):
    feedback = check_wine_gamma(answer)
    assert feedback.status == "wrong" and feedback.hint


def test_wine_gamma_not_answered():
    feedback = check_wine_gamma(NOT_ANSWERED)
    assert feedback.status == "not answered" and not feedback.correct
    assert "Not answered yet" in str(feedback)


# ---------------------------------------------------------------- lesson 02
def _variant_tasks(X, y, splits):
    """The exercise's four variants, as the lesson builds them: {variant: [delayed task per fold]}."""
    clf = SVC(kernel="rbf", C=1.0, gamma=0.25)
    own_clf = clone(clf)

    def variant_1(X, y, train_index, test_index):
        clf.fit(X[train_index], y[train_index])
        return f1_score(y[test_index], clf.predict(X[test_index]), average="weighted")

    def variant_2(model, X, y, train_index, test_index):
        model.fit(X[train_index], y[train_index])
        return f1_score(y[test_index], model.predict(X[test_index]), average="weighted")

    def variant_3(train_index, test_index):
        model = clone(clf)
        model.fit(X[train_index], y[train_index])
        return f1_score(y[test_index], model.predict(X[test_index]), average="weighted")

    def variant_4(train_index, test_index):
        own_clf.fit(X[train_index], y[train_index])
        return f1_score(y[test_index], own_clf.predict(X[test_index]), average="weighted")

    return {
        1: [delayed(variant_1)(X, y, tr, te) for tr, te in splits],
        2: [delayed(variant_2)(clf, X, y, tr, te) for tr, te in splits],
        3: [delayed(variant_3)(tr, te) for tr, te in splits],
        4: [delayed(variant_4)(tr, te) for tr, te in splits],
    }


def test_lesson02_answer_is_what_the_variants_do(iris):
    """The right answer is what running the variants shows: in lockstep threads, and on loky (a process backend)."""
    X, y = iris
    splits = list(StratifiedKFold(5).split(X, y))
    serial = fold_f1(SVC(kernel="rbf", C=1.0, gamma=0.25), X, y)
    assert serial == OLD_F1  # the lesson's model gives the widely shared list
    tasks = _variant_tasks(X, y, splits)
    in_threads = [v for v, t in tasks.items() if in_lockstep(t[:2]) != serial[:2]]
    on_processes = [v for v, t in tasks.items() if Parallel(n_jobs=2, backend="loky")(t) != serial]
    assert check_shared_model(in_threads, on_processes).correct
    assert sorted(lesson02._ONE_OBJECT) == in_threads and on_processes == []


@pytest.mark.parametrize(
    "threads, loky",
    [
        ([1, 2, 4], []),
        ((4, 2, 1), ()),
        ({1, 2, 4}, set()),
        (np.array([1, 2, 4]), np.array([], dtype=int)),
        ([np.int64(1), np.int64(2), np.int64(4)], []),
        ([1, 2, 4, 4], []),
    ],
    ids=["list", "tuple", "set", "ndarray", "numpy ints", "repeated"],
)
def test_shared_model_right_answers(threads, loky):
    feedback = check_shared_model(threads, loky)
    assert feedback.correct, feedback
    assert "Variant 3 fits a new clone" in feedback.message and "by luck" in feedback.message


@pytest.mark.parametrize(
    "threads, loky, message_part, hint_part",
    [
        ([2, 4], [], "variant 1 takes the data as arguments", "which object does variant_1 fit"),
        ([1, 4], [], "variant 2 gets its model as an argument", "tasks[2][0][1][0] is tasks[2][1][1][0]"),
        ([1, 2, 3, 4], [], "variant 3 reads the global clf", "clf itself, or what clone(clf) returns"),
        ([1, 2], [], "variant 4 clones clf", "once per task, or once before Parallel"),
        ([3], [], "variant 1", "which object does variant_1 fit"),  # several slips: the first variant comes first
        ([], [], "no variant to go wrong with threads", "one shared object or one each"),
        ([], [1, 2, 4], "no variant to go wrong with threads", "one shared object or one each"),
        ([1, 2, 4], [1, 2, 4], "threading answer is right; under loky you counted [1, 2, 4]", "pickled"),
        ([1, 2, 4], [3], "under loky you counted [3]", "one task at a time"),
    ],
)
def test_shared_model_slips_get_their_own_hint(threads, loky, message_part, hint_part):
    feedback = check_shared_model(threads, loky)
    assert feedback.status == "wrong"
    assert message_part in feedback.message, feedback
    assert hint_part in feedback.hint, feedback
    assert "[1, 2, 4]" not in feedback.hint and "1, 2 and 4" not in feedback.hint  # a hint asks; it does not answer


def test_shared_model_hint_for_variant_2_is_an_experiment_that_works(iris):
    """The hint's expression, run on the lesson's tasks, shows that both folds are handed the one model."""
    X, y = iris
    tasks = _variant_tasks(X, y, list(StratifiedKFold(5).split(X, y)))
    assert tasks[2][0][1][0] is tasks[2][1][1][0]


@pytest.mark.parametrize(
    "threads, loky, message_part",
    [
        ("1, 2, 4", [], "wrong_with_threads='1, 2, 4' is not a list of variant numbers"),
        ({1: True}, [], "is not a list of variant numbers"),
        (4, [], "wrong_with_threads=4 is not a list of variant numbers"),
        (None, [], "wrong_with_threads=None is not a list"),
        ([1.0, 2.0], [], "holds 1.0, which is not a variant number"),
        ([True], [], "holds True, which is not a variant number"),
        ([0, 5], [], "holds [0, 5], but the variants are numbered 1 to 4"),
        ([1, 2, 4], "none", "wrong_with_loky='none' is not a list"),
        ([1, 2, 4], [None], "holds None, which is not a variant number"),
        ([object()], [], "which is not a variant number"),
    ],
)
def test_shared_model_odd_answers_are_wrong_not_errors(threads, loky, message_part):
    feedback = check_shared_model(threads, loky)
    assert feedback.status == "wrong"
    assert message_part in feedback.message and "list of variant numbers" in feedback.hint


@pytest.mark.parametrize("threads, loky", [(NOT_ANSWERED, NOT_ANSWERED), ([1], NOT_ANSWERED), (NOT_ANSWERED, [])])
def test_shared_model_not_answered(threads, loky):
    feedback = check_shared_model(threads, loky)
    assert feedback.status == "not answered" and "Not answered yet" in str(feedback)


def test_lesson02_answer_is_not_in_help():
    """help() of the module or the check shows neither the set of variants that go wrong nor the right message."""
    import pydoc

    shown = pydoc.render_doc(lesson02, renderer=pydoc.plaintext) + pydoc.render_doc(
        check_shared_model, renderer=pydoc.plaintext
    )
    for revealing in ("1, 2, 4", "1, 2 and 4", "[1, 2, 4]", "{1, 2, 4}", "_ONE_OBJECT", "Right:"):
        assert revealing not in shown
    assert lesson02.__all__ == ["NOT_ANSWERED", "check_shared_model"]
