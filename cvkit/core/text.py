"""Text for learners, written once: a duration, the first line of an error, and a pretty repr from ``__str__``.

Examples
--------
>>> fmt_seconds(0.41), fmt_seconds(0.01237)
('0.41 s', '12.4 ms')
>>> first_line(ValueError("bad fold\\nTraceback ..."))
'bad fold'
>>> first_line(ValueError("bad fold"), with_type=True)
'ValueError: bad fold'
"""

import math

__all__ = ["PrettyText", "first_line", "fmt_seconds"]


def fmt_seconds(seconds):
    """A duration for text: '1.02 s', '0.41 s', '12.4 ms', '35 µs' (nbval's sanitizer masks every form).

    >>> fmt_seconds(1.023), fmt_seconds(0.41), fmt_seconds(0.01237), fmt_seconds(3.5e-5), fmt_seconds(float("inf"))
    ('1.02 s', '0.41 s', '12.4 ms', '35 µs', 'never')
    >>> fmt_seconds(float("nan"))  # not measured
    '—'
    """
    if math.isnan(seconds):
        return "—"
    if math.isinf(seconds):
        return "never"
    if seconds >= 0.1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def first_line(exc, limit=300, *, with_type=False):
    """The first non-empty line of an exception's message, cut to ``limit`` characters with "…".

    Parameters
    ----------
    exc : BaseException
        The error.
    limit : int or None, default=300
        The longest text returned; None for the whole line.
    with_type : bool, default=False
        Start with the error's type: ``"ValueError: ..."``.

    Examples
    --------
    >>> first_line(RuntimeError("x" * 10), limit=5)
    'xxxx…'
    >>> first_line(KeyError(), with_type=True)
    'KeyError'
    """
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if with_type:
        text = f"{type(exc).__name__}: {text}".rstrip(": ")
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


class PrettyText:
    """Mixin: IPython shows the object as its ``__str__`` (plain text, not a dataclass repr).

    Examples
    --------
    >>> class Answer(PrettyText):
    ...     def __str__(self):
    ...         return "42"
    >>> from IPython.lib.pretty import pretty
    >>> pretty(Answer())
    '42'
    """

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))
