"""The answer a self-check gives: right, not yet (with a hint), or not answered yet."""

from dataclasses import dataclass
from numbers import Real

from ..core.text import PrettyText

__all__ = ["NOT_ANSWERED", "Feedback", "exact_ms", "is_number", "not_a_number", "not_answered", "right", "wrong"]


class _NotAnswered:
    """Placeholder a learner replaces with an answer; a check of it says "not answered yet", never raises."""

    def __repr__(self):
        return "NOT_ANSWERED"


#: Put this where the learner's answer goes.
NOT_ANSWERED = _NotAnswered()


@dataclass(frozen=True)
class Feedback(PrettyText):
    """What a self-check says about an answer.

    ``status`` is "right", "wrong" or "not answered"; printing it shows one
    friendly line (and a hint when the answer is wrong).

    Examples
    --------
    >>> right("5 folds on 2 workers take 3 rounds.")
    ✅ Right: 5 folds on 2 workers take 3 rounds.
    >>> wrong("that is the number of folds per worker", hint="count rounds, not folds").correct
    False
    """

    status: str
    message: str
    hint: str = ""

    @property
    def correct(self):
        """True only for a right answer."""
        return self.status == "right"

    def __bool__(self):
        return self.correct

    def __str__(self):
        if self.status == "right":
            return f"✅ Right: {self.message}"
        if self.status == "not answered":
            return f"✏️ Not answered yet: {self.message}"
        text = f"❌ Not yet: {self.message}"
        return text + (f"\n   Hint: {self.hint}" if self.hint else "")

    def __repr__(self):
        return str(self)


def right(message):
    """Feedback for a right answer."""
    return Feedback("right", message)


def wrong(message, hint=""):
    """Feedback for a wrong answer, with a hint toward the right one."""
    return Feedback("wrong", message, hint)


def not_answered(what="replace NOT_ANSWERED with your answer and run the cell again."):
    """Feedback for an answer still left as NOT_ANSWERED."""
    return Feedback("not answered", what)


def is_number(answer):
    """True for an int or float answer (not a bool, not a string).

    Examples
    --------
    >>> is_number(7 / 4), is_number("1.75"), is_number(True)
    (True, False, False)
    """
    return isinstance(answer, Real) and not isinstance(answer, bool)


def not_a_number(answer, hint):
    """Feedback for an answer that should be a number and is not; None if it is a number."""
    if is_number(answer):
        return None
    return wrong(f"the answer is {type(answer).__name__} {answer!r}, not a number.", hint=hint)


def exact_ms(seconds):
    """A duration in milliseconds, exact to the microsecond: the numbers a learner adds up in a hint.

    Not :func:`cvkit.core.text.fmt_seconds`, which rounds for reading ("22.0 ms", "0.40 s"): a hint's sum has
    to come out the same on paper.

    Examples
    --------
    >>> exact_ms(0.022), exact_ms(0.4), exact_ms(0.1815), exact_ms(0.0005)
    ('22 ms', '400 ms', '181.5 ms', '0.5 ms')
    """
    return f"{round(float(seconds) * 1000, 3):g} ms"
