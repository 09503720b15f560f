"""Self-check for lesson 05b (when a fold fails): how many folds' results do you still hold?

The exercise runs six stratified folds one at a time, in order (``n_jobs=1``);
fold 3's model fails. The learner predicts, for four ways of running them
(:data:`WAYS`), how many folds' results are in hand afterwards.

Examples
--------
>>> check_kept_folds(NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
"""

from numbers import Real

from ._feedback import NOT_ANSWERED, not_answered, right, wrong

__all__ = ["CASE", "NOT_ANSWERED", "WAYS", "check_kept_folds"]

#: The exercise: folds (run in order, one at a time) and the fold whose model fails.
CASE = {"n_folds": 6, "bad_fold": 3, "sleep_seconds": 2.0, "timeout": 1.0}

#: The four ways of running the folds, by the key the answer uses, and what is counted afterwards.
WAYS = {
    "list": "Parallel(n_jobs=1)(...) in a try block; fold 3 raises. Count: the results in the list.",
    "generator": 'a for loop over Parallel(n_jobs=1, return_as="generator")(...) appending each result, in a try '
    "block; fold 3 raises. Count: the results appended.",
    "raise": 'run_folds(..., n_jobs=1, on_error="raise") in a try block; fold 3 raises. Count: exc.result.finished.',
    "timeout": "run_folds(..., n_jobs=1, timeout=1); fold 3 sleeps 2 s, then fits. Count: folds with status 'done'.",
}

_TEMPLATE_HINT = 'copy the template: answer = {"list": ..., "generator": ..., "raise": ..., "timeout": ...}.'


def _is_count(value):
    return isinstance(value, Real) and not isinstance(value, bool) and float(value).is_integer() and value >= 0


def check_kept_folds(answer):
    """Check predictions of how many folds' results survive a failing fold, for each way of running the folds.

    Parameters
    ----------
    answer : dict
        A whole number for each key of :data:`WAYS`: ``"list"``,
        ``"generator"``, ``"raise"``, ``"timeout"``.

    Returns
    -------
    Feedback
        Right, not yet (with a hint for the first prediction that is off), or
        not answered yet.

    Examples
    --------
    >>> check_kept_folds([0, 1, 2])  # doctest: +ELLIPSIS
    ❌ Not yet: the answer needs the keys 'list', 'generator', 'raise', 'timeout'; you gave a list.
       Hint: copy the template: ...
    >>> check_kept_folds({"list": -1, "generator": 0, "raise": 0, "timeout": 0})
    ❌ Not yet: answer['list'] = -1 is not a whole number of folds.
       Hint: count folds: a whole number from 0 to 6.
    """
    values = list(answer.values()) if isinstance(answer, dict) else []
    if answer is NOT_ANSWERED or any(v is NOT_ANSWERED for v in values):
        return not_answered()
    if not isinstance(answer, dict) or set(answer) != set(WAYS):
        given = sorted(map(repr, answer)) if isinstance(answer, dict) else f"a {type(answer).__name__}"
        wanted = ", ".join(map(repr, WAYS))
        return wrong(f"the answer needs the keys {wanted}; you gave {given}.", hint=_TEMPLATE_HINT)
    k, bad = CASE["n_folds"], CASE["bad_fold"]
    for key in WAYS:
        if not _is_count(answer[key]) or answer[key] > k:
            return wrong(
                f"answer[{key!r}] = {answer[key]!r} is not a whole number of folds.",
                hint=f"count folds: a whole number from 0 to {k}.",
            )
    got = {key: int(answer[key]) for key in WAYS}
    before = bad  # folds 0 .. bad-1 run before the bad one, in order

    if got["list"] != 0:
        return wrong(
            f"with list mode you do not hold {got['list']} results.",
            hint="Parallel hands back its list only once every task has returned; when one raises, the exception "
            "comes out instead of the list, and the variable is never assigned.",
        )
    if got["generator"] != before:
        if got["generator"] == k - 1:
            hint = "the exception ends the for loop at the failing fold: the folds after it are never consumed."
        elif got["generator"] == 0:
            hint = (
                "a generator hands you each result as soon as it is next in order: the ones before the error "
                "are already yours when it raises."
            )
        elif got["generator"] in (before - 1, before + 1):
            hint = "folds are numbered from 0, and the failing fold gives no result: count the folds before it."
        else:
            hint = "with n_jobs=1 the folds run in order, one at a time, and the loop stops where the error comes."
        return wrong(f"with the generator you do not hold {got['generator']} results.", hint=hint)
    if got["raise"] != before:
        if got["raise"] == 0:
            hint = 'on_error="raise" stops at the first failure but hands back what finished before it, in exc.result.'
        elif got["raise"] == k - 1:
            hint = (
                'that is what on_error="record" keeps; "raise" stops at the first failure, so the folds after '
                "it never run."
            )
        else:
            hint = (
                "with n_jobs=1 the folds run in order; count the folds that finished before the failing one "
                "(folds are numbered from 0)."
            )
        return wrong(f'with on_error="raise", exc.result.finished does not hold {got["raise"]} folds.', hint=hint)
    if got["timeout"] != k:
        return wrong(
            f"with timeout=1, you do not get {got['timeout']} finished folds.",
            hint="look again at where a timeout is applied (section 4) and at which n_jobs this run uses; then "
            "ask whether anything stops the sleeping fold.",
        )
    return right(
        f"list mode keeps nothing (the exception replaces the list); the generator hands you folds 0 to {bad - 1} "
        f'before the error ends the loop ({before}); on_error="raise" stops there too and keeps the same '
        f"{before} in exc.result; and at n_jobs=1 no timeout is applied (cvkit warns), so fold {bad} sleeps, "
        f"fits and finishes: all {k} folds are done, late."
    )
