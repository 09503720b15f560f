"""Self-checks for lesson 01, on a dataset the lesson did not use (wine).

Part 1: the gamma that today's default ``gamma="scale"`` gives an SVC fitted on all of wine.
Part 2: predict, before running it, which default gamma scores better on wine with the lesson's loop.

Examples
--------
>>> check_wine_gamma(NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
>>> check_better_default(NOT_ANSWERED).status
'not answered'
"""

import math

from ._feedback import NOT_ANSWERED, not_a_number, not_answered, right, wrong

__all__ = ["CHOICES", "OLD_F1", "TODAY_F1", "check_better_default", "check_wine_gamma"]

#: The weighted f1 per fold that the widely shared version of the loop printed on iris (scikit-learn < 0.22).
OLD_F1 = [0.9665831244778613, 1.0, 0.9665831244778613, 0.9665831244778613, 1.0]

#: The same loop's weighted f1 per fold on iris with scikit-learn >= 0.22 (gamma="scale").
TODAY_F1 = [0.9665831244778613, 0.9665831244778613, 0.9665831244778613, 0.9333333333333333, 1.0]

#: The answers part 2 accepts: which default gives the higher mean f1 on wine, or "same" (within 0.05).
CHOICES = ("auto", "scale", "same")

_REL_TOL = 1e-6
_SAME = 0.05  # mean f1 closer than this counts as "about the same"


def _scale_gamma(X):
    """1 / (n_features * X.var()), with X.var() over all values of X."""
    return float(1.0 / (X.shape[1] * X.var()))


def _auto_gamma(X):
    """1 / n_features: the default before scikit-learn 0.22."""
    return 1.0 / X.shape[1]


def _close(a, b):
    return math.isclose(a, b, rel_tol=_REL_TOL)


def _wine():
    from ..core.datasets import load_dataset

    return load_dataset("wine")


def check_wine_gamma(answer):
    """Part 1: check the learner's value of the gamma ``SVC()`` uses when fitted on all of wine.

    Parameters
    ----------
    answer : float or NOT_ANSWERED
        The learner's number (a Python or NumPy float). Anything else gets a
        hint; this function never raises.

    Returns
    -------
    Feedback
        Right if ``answer`` is the gamma SVC() uses (relative tolerance
        1e-6); wrong with a hint naming the likely slip otherwise.

    Examples
    --------
    >>> print(check_wine_gamma(1 / 13))
    ❌ Not yet: 1/13 ≈ 0.0769 is what gamma="auto" gave, the default before scikit-learn 0.22.
       Hint: Today's default is gamma="scale": 1 / (n_features * X.var()).
    >>> check_wine_gamma("0.0769").status
    'wrong'
    """
    if answer is NOT_ANSWERED:
        return not_answered()
    hint = "Compute it: X, y = load_dataset('wine'), then answer = 1 / (... * X.var()) — no quotes."
    if (feedback := not_a_number(answer, hint=hint)) is not None:
        return feedback
    value = float(answer)
    if not math.isfinite(value) or value <= 0:
        return wrong(f"{value} cannot be a gamma.", hint="gamma is a positive number: 1 / (n_features * X.var()).")

    X, _ = _wine()
    n_features = X.shape[1]
    expected = _scale_gamma(X)
    if _close(value, expected):
        return right(
            f"gamma = 1 / ({n_features} × X.var()) ≈ {expected:.4g} on wine. X.var() is large because one "
            f"measurement, proline, runs up to ~{X.max():,.0f}: 'scale' picks a gamma about "
            f"{_auto_gamma(X) / expected:,.0f} times smaller than the old 'auto' (1/{n_features} ≈ "
            f"{_auto_gamma(X):.4f}), which ignored the data."
        )
    slips = [
        (
            _auto_gamma(X),
            f'1/{n_features} ≈ {_auto_gamma(X):.4f} is what gamma="auto" gave, the default before scikit-learn 0.22.',
            'Today\'s default is gamma="scale": 1 / (n_features * X.var()).',
        ),
        (
            1.0 / (n_features * X.var(axis=0).mean()),
            "that uses the mean of the per-column variances.",
            "X.var() with no axis is the variance of all values of X taken together.",
        ),
        (
            1.0 / (n_features * X.var(ddof=1)),
            "that uses the sample variance (ddof=1, as pandas' .var() does by default).",
            "SVC uses NumPy's X.var(), which divides by the number of values (ddof=0).",
        ),
        (
            1.0 / (n_features * X.std()),
            "that uses the standard deviation.",
            "The formula uses the variance, X.var(), not X.std().",
        ),
        (
            1.0 / X.var(),
            "that leaves out the number of features.",
            f"Divide by n_features * X.var(); wine has X.shape[1] = {n_features} features.",
        ),
        (
            float(n_features * X.var()),
            "that is n_features * X.var() itself.",
            "gamma is one over it: 1 / (n_features * X.var()).",
        ),
    ]
    from ..core.datasets import load_dataset

    X_iris, _ = load_dataset("iris")
    slips += [
        (_scale_gamma(X_iris), "that is the 'scale' gamma of iris.", "Load wine: X, y = load_dataset('wine')."),
        (_auto_gamma(X_iris), "that is the old 'auto' gamma of iris.", "Load wine, and use today's 'scale' formula."),
    ]
    for candidate, message, hint in slips:
        if _close(value, candidate):
            return wrong(message, hint=hint)
    return wrong(
        f"{value:.6g} is not the gamma SVC() uses on wine.",
        hint="Fit on all of wine: gamma='scale' means 1 / (n_features * X.var()), with X.var() over all values.",
    )


def _fold_f1(X, y, gamma):
    """The lesson's loop on (X, y): weighted f1 of SVC(kernel="rbf", gamma=gamma) on 5 stratified folds."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import SVC

    scores = []
    for train, test in StratifiedKFold(5).split(X, y):
        model = SVC(kernel="rbf", gamma=gamma).fit(X[train], y[train])
        scores.append(f1_score(y[test], model.predict(X[test]), average="weighted"))
    return scores


def _normalise(answer):
    """'auto', 'scale' or 'same' from the learner's string (quotes, gamma=, case and spaces ignored); else None."""
    if not isinstance(answer, str):
        return None
    text = answer.strip().lower().replace('"', "").replace("'", "").replace(" ", "")
    text = text.removeprefix("gamma=")
    text = {"aboutthesame": "same", "equal": "same", "both": "same"}.get(text, text)
    return text if text in CHOICES else None


def check_better_default(answer):
    """Part 2: your prediction, before running it: on wine, which default gamma gives the higher mean f1?

    The loop is the lesson's (5 stratified folds, ``SVC(kernel="rbf", gamma=...)``,
    weighted f1), run on wine instead of iris.

    Parameters
    ----------
    answer : {"auto", "scale", "same"} or NOT_ANSWERED
        "same" means: the two means differ by less than 0.05. Anything else
        gets a hint; this function never raises.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_better_default("gamma='linear'").status
    'wrong'
    """
    if answer is NOT_ANSWERED:
        return not_answered()
    choice = _normalise(answer)
    if choice is None:
        shown = repr(answer) if len(repr(answer)) <= 40 else repr(answer)[:37] + "..."
        return wrong(
            f"{shown} is not one of the three predictions.",
            hint="answer with a string: 'auto', 'scale', or 'same' (the two means within 0.05 of each other).",
        )
    if choice == "scale":  # tests/test_exercises_01_02.py checks that the loop really says so
        X, y = _wine()
        means = {gamma: sum(_fold_f1(X, y, gamma)) / 5 for gamma in ("auto", "scale")}
        return right(
            f"'scale' wins by far: mean f1 {means['scale']:.2f} against {means['auto']:.2f} for 'auto'. On wine "
            f"two wines are typically hundreds apart in proline, so with gamma = 1/13 the kernel "
            "exp(-gamma * ||x - x'||²) is 0 for almost every pair of wines: every training wine looks equally far "
            "from a test wine, and the model falls back to predicting mostly one class. 'scale' divides by X.var(), "
            "so distances count relative to the data's spread. Run the next cell to see it."
        )
    if choice == "same":
        return wrong(
            "on iris the two defaults were close (one flower apart in two folds), but iris's four measurements are "
            "all a few centimetres. Wine's are not.",
            hint="compare the two gammas on wine (part 1): how does exp(-gamma * distance²) behave for two wines "
            "whose proline differs by, say, 300, with each gamma?",
        )
    return wrong(
        "on iris 'auto' was a little better, but the gap came from one flower in two folds; wine's measurements "
        "are on very different scales.",
        hint="with gamma = 1/13, what is exp(-gamma * distance²) for two wines whose proline differs by 300? "
        "Can the model still tell near wines from far ones?",
    )
