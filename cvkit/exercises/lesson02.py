"""Self-check for lesson 02: four other ways to write the fold task, and which of them one fold's model can spoil.

Examples
--------
>>> check_shared_model(NOT_ANSWERED, NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
"""

from collections.abc import Iterable, Mapping
from numbers import Integral

from ._feedback import NOT_ANSWERED, Feedback, not_answered, right, wrong

__all__ = ["NOT_ANSWERED", "check_shared_model"]

_VARIANTS = (1, 2, 3, 4)
_ONE_OBJECT = frozenset({1, 2, 4})  # variants whose tasks all fit the same model object

_FORMAT_HINT = "give a list of variant numbers, e.g. wrong_with_threads = [2, 3], or [] for none."

#: For each variant: (message, hint) when it is left out of wrong_with_threads, or put in it, by mistake.
_SLIPS = {
    1: (
        "variant 1 takes the data as arguments, and you counted it as safe with threads.",
        "passing the data in does not change the model: which object does variant_1 fit, and is it the same "
        "object in both threads?",
    ),
    2: (
        "variant 2 gets its model as an argument, and you counted it as safe with threads.",
        "does handing an object to a function in the same process copy it? Try it: a task is (function, args, "
        "kwargs), so tasks[2][0][1][0] is tasks[2][1][1][0] asks whether folds 0 and 1 get the same model.",
    ),
    3: (
        "variant 3 reads the global clf, and you counted it as unsafe with threads.",
        "which object does variant_3 fit: clf itself, or what clone(clf) returns? And does that clone run once "
        "per task or once in all? Reading clf does not change it.",
    ),
    4: (
        "variant 4 clones clf, and you counted it as safe with threads.",
        "count how many times clone runs for variant 4: once per task, or once before Parallel? Then count the "
        "model objects the tasks fit.",
    ),
}


def _variants(name, answer):
    """Return ``answer`` as a set of variant numbers, or the Feedback for an answer that is not one."""
    if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, Iterable):
        return wrong(f"{name}={answer!r} is not a list of variant numbers.", hint=_FORMAT_HINT)
    numbers = set()
    for item in answer:
        if isinstance(item, bool) or not isinstance(item, Integral):
            return wrong(f"{name} holds {item!r}, which is not a variant number.", hint=_FORMAT_HINT)
        numbers.add(int(item))
    unknown = sorted(numbers - set(_VARIANTS))
    if unknown:
        return wrong(f"{name} holds {unknown}, but the variants are numbered 1 to 4.", hint=_FORMAT_HINT)
    return numbers


def check_shared_model(wrong_with_threads, wrong_with_loky):
    """Which of the exercise's four variants can score a fold with a model fitted on another fold's rows?

    Parameters
    ----------
    wrong_with_threads : list of int
        The variants that can, run with ``backend="threading"`` ([] for none).
    wrong_with_loky : list of int
        The same, run with loky ([] for none).

    Returns
    -------
    Feedback
        Right, or not yet with a hint about the first variant to think over;
        never raises for an answer.

    Examples
    --------
    >>> check_shared_model("1 and 3", [])
    ❌ Not yet: wrong_with_threads='1 and 3' is not a list of variant numbers.
       Hint: give a list of variant numbers, e.g. wrong_with_threads = [2, 3], or [] for none.
    """
    if wrong_with_threads is NOT_ANSWERED or wrong_with_loky is NOT_ANSWERED:
        return not_answered()
    threads = _variants("wrong_with_threads", wrong_with_threads)
    if isinstance(threads, Feedback):
        return threads
    loky = _variants("wrong_with_loky", wrong_with_loky)
    if isinstance(loky, Feedback):
        return loky
    if threads == _ONE_OBJECT and not loky:
        return right(
            "variants 1, 2 and 4 each fit one model object that every task shares (the global clf, the clf "
            "passed in, the one clone made before Parallel), so with threads a fold can predict with another "
            "fold's fit. Variant 3 fits a new clone in every task. Under loky every task gets pickled copies and "
            "a worker runs one task at a time, so all four give the serial scores there: 1, 2 and 4 by luck. "
            "Only a clone made inside the task is right on every backend."
        )
    if not threads:
        return wrong(
            "you expect no variant to go wrong with threads.",
            hint="section 6 showed how: one thread fits between another's fit and its predict. For each variant, "
            "ask whether its tasks fit one shared object or one each.",
        )
    for variant in _VARIANTS:
        if (variant in threads) != (variant in _ONE_OBJECT):
            message, hint = _SLIPS[variant]
            return wrong(message, hint=hint)
    return wrong(
        f"your threading answer is right; under loky you counted {sorted(loky)} as well.",
        hint="under loky, what does a task fit in its worker: the notebook's object, or a copy rebuilt from the "
        "pickled task? A worker runs one task at a time: can another fold reach that copy between this task's "
        "fit and its predict?",
    )
