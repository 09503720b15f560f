"""Self-checks for lesson 06: apply the rule by hand to a case the lesson did not work out (3 workers).

Part 1: the speed-up the rule expects for :data:`EXERCISE` with a warm pool.
Part 2: how many such cross-validations a session must run before a cold pool's start-up is paid back.

Examples
--------
>>> check_expected_speedup(NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
>>> check_calls_to_pay_back(NOT_ANSWERED).status
'not answered'
"""

import math
from numbers import Integral, Real

from ..core.verdicts import rounds
from ..model.cost_rule import expected_speedup
from ._feedback import NOT_ANSWERED, exact_ms, not_answered, right, wrong

__all__ = ["EXERCISE", "NOT_ANSWERED", "check_calls_to_pay_back", "check_expected_speedup"]

#: The exercise: 8 folds of 50 ms on 3 workers; a warm pool's costs, and the start-up a cold one adds.
EXERCISE = {
    "fold_seconds": 0.05,
    "n_folds": 8,
    "n_workers": 3,
    "per_call": 0.02,
    "per_task": 0.0005,
    "slowdown": 0.05,
    "startup": 1.0,
}

#: How close a speed-up must be (absolute, in ×): rounding to 2 decimals is fine.
TOLERANCE = 0.02


def _rule(cold=False, **change):
    """The rule's speed-up for :data:`EXERCISE` (warm pool, or cold with its start-up), with ``change`` applied."""
    e = dict(EXERCISE, **change)
    return expected_speedup(
        e["fold_seconds"], e["n_folds"], e["n_workers"], startup=e["startup"] if cold else 0.0,
        per_call=e["per_call"], per_task=e["per_task"], slowdown=e["slowdown"],
    )  # fmt: skip


def _times():
    """(serial seconds, warm parallel seconds) of one call, by the rule."""
    e = EXERCISE
    serial = e["n_folds"] * e["fold_seconds"]
    return serial, serial / _rule()


def _number(answer):
    """The answer as a finite float, or None."""
    if isinstance(answer, bool) or not isinstance(answer, Real):
        return None
    try:
        value = float(answer)
    except OverflowError:  # an int too large for a float
        return None
    return value if math.isfinite(value) else None


def _not_a_number(answer, example):
    shown = repr(answer) if len(repr(answer)) <= 40 else repr(answer)[:37] + "..."
    return wrong(
        f"the answer is {type(answer).__name__} {shown}, not a number.",
        hint=f"write a number or an expression without quotes, e.g. answer = {example}.",
    )


def _close(a, b):
    return math.isclose(a, b, abs_tol=TOLERANCE)


def check_expected_speedup(answer):
    """Part 1: the speed-up over the serial loop that the rule expects for :data:`EXERCISE`, warm pool.

    The case: 8 folds of 50 ms each on 3 workers of a warm pool that costs
    20 ms per call and 0.5 ms per fold; folds run 5 % slower side by side.

    Parameters
    ----------
    answer : number or NOT_ANSWERED
        Within 0.02 of the rule's value counts as right. This function never
        raises for the answer: anything else gets a hint.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> print(check_expected_speedup(8 / 3))
    ❌ Not yet: 2.66667 is the bound k / ceil(k / w) = 8 / 3: it leaves out the serial part and the slowdown.
       Hint: parallel time = the serial part (per call + k × per task) + the rounds × fold time × (1 + slowdown);
       speed-up = serial time / parallel time.
    >>> check_expected_speedup("2").status
    'wrong'
    """
    if answer is NOT_ANSWERED:
        return not_answered()
    e = EXERCISE
    k, w, t = e["n_folds"], e["n_workers"], e["fold_seconds"]
    n_rounds = rounds(k, w)
    recipe = (
        "parallel time = the serial part (per call + k × per task) + the rounds × fold time × (1 + slowdown); "
        "speed-up = serial time / parallel time."
    )
    value = _number(answer)
    if value is None:
        return _not_a_number(answer, "7 / 4")
    best = _rule()
    serial, parallel = _times()
    if _close(value, best):
        return right(
            f"{k} folds on {w} workers take ceil({k} / {w}) = {n_rounds} rounds of {exact_ms(t)} × {1 + e['slowdown']:g} = "
            f"{exact_ms(n_rounds * t * (1 + e['slowdown']))}, plus a serial part of {exact_ms(e['per_call'])} + {k} × "
            f"{exact_ms(e['per_task'])} = {exact_ms(e['per_call'] + k * e['per_task'])}: {parallel * 1e3:.1f} ms instead of "
            f"{exact_ms(serial)}, a speed-up of {best:.2f}, below the bound {k}/{n_rounds} = {k / n_rounds:.2f}: the third "
            "round runs only 2 folds, and the serial part and the slowdown take the rest."
        )
    bound = k / n_rounds
    cases = [
        (bound, f"{bound:g} is the bound k / ceil(k / w) = {k} / {n_rounds}: it leaves out the serial part and the "
                "slowdown."),
        (float(w), f"{w} would need every worker busy all the time with no overhead at all."),
        (serial / (e["per_call"] + k * e["per_task"] + k * t * (1 + e["slowdown"]) / w),
         f"that splits the {k} folds' work evenly over {w} workers, but a fold cannot be split.",
         f"count rounds: {w} folds run at once, so {k} folds take ceil({k} / {w}) rounds."),
        (_rule(slowdown=0.0), "you left out the slowdown: folds that run side by side are each 5 % slower."),
        (_rule(per_call=0.0, per_task=0.0),
         "you left out the serial part: 20 ms per call and 0.5 ms per fold, paid by one process."),
        (_rule(per_task=0.0), "you counted the 20 ms per call but not the 0.5 ms for each of the 8 folds."),
        (_rule(per_call=0.0), "you counted the 0.5 ms for each fold but not the 20 ms that every call costs."),
        (_rule(n_workers=2), "that is the speed-up on 2 workers, as in the lesson; here there are 3."),
        (_rule(cold=True), "that is a cold pool's speed-up; the pool here is warm (no start-up)."),
        (1 / best, "that is parallel time / serial time, upside down: a speed-up is serial / parallel."),
    ]  # fmt: skip
    for target, message, *hint in cases:
        if _close(value, target):
            return wrong(message, hint=hint[0] if hint else recipe)
    if value > w:
        return wrong(f"{value:g}× with {w} workers is impossible: {w} workers can at most share the work {w} ways.",
                     hint=recipe)  # fmt: skip
    if value <= 0:
        return wrong(f"a speed-up is a ratio of two times: it is > 0, not {value:g}.", hint=recipe)
    return wrong(f"{value:g} is not what the rule gives for this case.", hint=recipe)


def _calls_needed():
    """The smallest number of calls n with startup + n × warm parallel time < n × serial time."""
    serial, parallel = _times()
    saved = serial - parallel
    return math.floor(EXERCISE["startup"] / saved) + 1


def check_calls_to_pay_back(answer):
    """Part 2: from how many calls on is a session with a cold start faster in parallel than serially?

    The session runs the cross-validation of :data:`EXERCISE` ``n`` times
    (say, once for each of ``n`` values of a parameter). In parallel, the
    first call also starts the pool (1 s); the later ones find it running.
    The answer is the smallest ``n`` for which the parallel session takes
    less time in all than ``n`` serial loops.

    Parameters
    ----------
    answer : int or NOT_ANSWERED
        A whole number of calls. This function never raises for the answer.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> print(check_calls_to_pay_back(1))
    ❌ Not yet: a single call pays the whole start-up: 1 s plus the folds, against a serial loop of 400 ms.
       Hint: each warm call saves (serial time − parallel time); count the calls until the savings pass the
       1 s start-up.
    >>> check_calls_to_pay_back("many").status
    'wrong'
    """
    if answer is NOT_ANSWERED:
        return not_answered()
    e = EXERCISE
    startup = e["startup"]
    serial, parallel = _times()
    saved = serial - parallel
    hint = (
        "each warm call saves (serial time − parallel time); count the calls until the savings pass the "
        f"{startup:g} s start-up."
    )
    value = _number(answer)
    if value is None:
        return _not_a_number(answer, "10")
    n = _calls_needed()
    if value <= 0:
        return wrong(f"{value:g} calls: a session runs at least one.", hint=hint)
    if not (isinstance(answer, Integral) or float(value).is_integer()):
        if abs(value - startup / saved) < 0.05:
            return wrong(f"{value:g} is the break-even point, but calls come whole: at {math.floor(value)} calls "
                         "the parallel session is still behind.", hint="round up.")  # fmt: skip
        return wrong(f"{value:g} is not a whole number of calls.", hint=hint)
    value = int(value)

    def session(calls):
        return startup + calls * parallel, calls * serial

    if value == n:
        par, ser = session(n)
        before_par, before_ser = session(n - 1)
        return right(
            f"each warm call takes {parallel * 1e3:.1f} ms instead of {exact_ms(serial)}, so it saves "
            f"{saved * 1e3:.1f} ms; the {startup:g} s start-up needs {startup:g} / {saved:.4f} = "
            f"{startup / saved:.2f} calls' savings, so {n} calls: {par:.3f} s in parallel against {ser:.3f} s "
            f"serially (with {n - 1}: {before_par:.3f} s against {before_ser:.3f} s). A session that runs this "
            f"cross-validation fewer than {n} times is faster with the serial loop."
        )
    if value == 1:
        return wrong(
            f"a single call pays the whole start-up: {startup:g} s plus the folds, against a serial loop of "
            f"{exact_ms(serial)}.",
            hint=hint,
        )
    if value < n:
        par, ser = session(value)
        slips = {
            math.ceil(startup / serial): f"that compares the start-up with a whole serial loop, but a warm call "
                                         f"saves only part of it ({exact_ms(serial)} − its own time).",
        }  # fmt: skip
        message = slips.get(value, f"with {value} calls the parallel session takes {par:.3f} s, the serial loops "
                                   f"{ser:.3f} s: still behind.")  # fmt: skip
        return wrong(message, hint=hint)
    if value == math.ceil(startup / parallel):
        return wrong(
            "that compares the start-up with the time of a parallel call; what pays it back is what each call "
            "saves against the serial loop.",
            hint=hint,
        )
    return wrong(
        f"{value} calls are enough, but not the fewest: the parallel session is ahead earlier.",
        hint=hint,
    )
