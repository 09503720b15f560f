"""Self-checks for lesson 03 (the task queue): predict a schedule before you run it, and let the check answer you.

Examples
--------
>>> check_head_start(tiny_split=NOT_ANSWERED, long_split=NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
>>> check_unequal_folds(lanes=NOT_ANSWERED, makespan=NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
"""

from numbers import Real

from ..lab.tiny_folds import fold_split, head_start_schedule, split_text
from ..model.replay import predict_schedule
from ._feedback import NOT_ANSWERED, exact_ms, is_number, not_answered, right, wrong

__all__ = [
    "HEAD_START_CASE",
    "NOT_ANSWERED",
    "UNEQUAL_CASE",
    "check_head_start",
    "check_schedule",
    "check_unequal_folds",
]

#: Exercise part 1: a cold pool of 2 workers, worker 1 ready later than worker 0; folds sent one by one.
HEAD_START_CASE = {"n_folds": 15, "n_jobs": 2, "head_start": 0.022, "tiny_fold": 0.005, "long_fold": 0.5}

#: Exercise part 2: unequal folds (seconds per fold, in fold order) on 2 workers, default dispatch.
UNEQUAL_CASE = {"durations": (1.5, 1.0, 1.0, 1.0, 2.0, 1.0), "n_jobs": 2}


def _fmt(x):
    return f"{round(float(x), 3):g}"


def _as_split(value, name, n_folds, n_jobs):
    """The learner's split as sorted counts, or a Feedback saying what is wrong with its form."""
    try:
        counts = list(value)
    except TypeError:
        counts = None
    if counts is None or not all(is_number(c) and float(c) == int(c) and c >= 0 for c in counts):
        return wrong(
            f"{name}={value!r} is not a list of fold counts.",
            hint="one whole number per worker: [folds of worker 0, folds of worker 1].",
        )
    if len(counts) != n_jobs:
        return wrong(
            f"{name} has {len(counts)} numbers, but there are {n_jobs} workers.", hint="one number per worker."
        )
    if sum(counts) != n_folds:
        return wrong(
            f"the counts in {name} add up to {_fmt(sum(counts))}, but there are {n_folds} folds.",
            hint="every fold runs exactly once, on one worker.",
        )
    return sorted((int(c) for c in counts), reverse=True)


def check_head_start(tiny_split, long_split):
    """Part 1: a cold pool, one worker ready before the other. How many folds does each worker run?

    The case is :data:`HEAD_START_CASE`: 15 equal folds on 2 workers, ``batch_size=1``, the default
    ``pre_dispatch``, no time to send a fold. Worker 0 can take folds from t = 0; worker 1 only after a head start
    of 22 ms.

    Parameters
    ----------
    tiny_split : list of 2 int
        Folds each worker runs when a fold takes 5 ms (iris), in any order.
    long_split : list of 2 int
        The same when a fold takes 0.5 s.

    Examples
    --------
    >>> check_head_start([8, 8], [9, 6])
    ❌ Not yet: the counts in tiny_split add up to 16, but there are 15 folds.
       Hint: every fold runs exactly once, on one worker.
    """
    if tiny_split is NOT_ANSWERED or long_split is NOT_ANSWERED:
        return not_answered()
    c = HEAD_START_CASE
    k, w, head = c["n_folds"], c["n_jobs"], c["head_start"]
    tiny = _as_split(tiny_split, "tiny_split", k, w)
    if not isinstance(tiny, list):
        return tiny
    long = _as_split(long_split, "long_split", k, w)
    if not isinstance(long, list):
        return long
    rounds = fold_split(predict_schedule(k, n_jobs=w))  # both workers ready at once
    tiny_ok = tiny == fold_split(head_start_schedule([c["tiny_fold"]] * k, [0.0, head]))
    long_ok = long == fold_split(head_start_schedule([c["long_fold"]] * k, [0.0, head]))
    alone = int(head // c["tiny_fold"]) + 1  # folds worker 0 starts before worker 1 is ready
    if not tiny_ok:
        if tiny == rounds:
            return wrong(
                f"{split_text(tiny)} is the split of two workers ready at the same moment: rounds.",
                hint=f"worker 1 is not there for the first {exact_ms(head)}: how many {exact_ms(c['tiny_fold'])} folds does "
                "worker 0 start alone, one after the other?",
            )
        late = k - int(head // c["tiny_fold"])  # folds left if worker 0 had started one fold fewer alone
        if tiny == [k - late + late // 2, (late + 1) // 2]:
            return wrong(
                f"{split_text(tiny)} has worker 0 start {k - late} folds alone.",
                hint=f"worker 0 finishes a fold every {exact_ms(c['tiny_fold'])}; when it is free again just before "
                f"{exact_ms(head)}, worker 1 is not ready yet: who takes the next fold?",
            )
        if tiny[1] == 1:
            return wrong(
                f"{split_text(tiny)} leaves worker 1 a single fold, as if it were ready only near the end: worker 0 "
                f"would need {exact_ms((k - 1) * c['tiny_fold'])} for the other {k - 1} folds, and worker 1 is ready at "
                f"{exact_ms(head)}.",
                hint="from the moment worker 1 is ready, it takes folds from the queue too.",
            )
        if tiny[0] == k:
            return wrong(
                f"worker 0 would need {exact_ms(k * c['tiny_fold'])} to run all {k} folds, and worker 1 is ready before "
                "that.",
                hint="from the moment worker 1 is ready, it takes folds from the queue too.",
            )
        return wrong(
            f"{split_text(tiny)} is not how {k} folds of {exact_ms(c['tiny_fold'])} are shared when worker 1 comes "
            f"{exact_ms(head)} late.",
            hint="first count the folds worker 0 starts before worker 1 is ready (a fold it has started, it "
            "finishes); from then on both workers are free in turn: share the folds left as in rounds.",
        )
    if not long_ok:
        if long == tiny:
            return wrong(
                f"your split of the tiny folds is right; with 0.5 s folds a head start of {exact_ms(head)} is not worth "
                "whole folds.",
                hint="worker 1 is ready while worker 0 is still in its first fold: what does that leave of the "
                "head start?",
            )
        return wrong(
            "your split of the tiny folds is right, but not the one of the 0.5 s folds.",
            hint=f"{exact_ms(head)} is a small part of one 0.5 s fold: both workers are busy from almost the start.",
        )
    return right(
        f"with {exact_ms(c['tiny_fold'])} folds, worker 0 starts {alone} folds before worker 1 is ready "
        f"({exact_ms(head)} = {_fmt(head / c['tiny_fold'])} folds), and the other {k - alone} are shared in turns: "
        f"{split_text(tiny)}. With 0.5 s folds the head start is {_fmt(head / c['long_fold'])} of a fold, so the "
        f"folds are shared in rounds: {split_text(long)}. A head start counts in folds: the shorter the folds, the "
        "more of them the first worker runs alone."
    )


def check_schedule(lanes, makespan, durations, n_jobs, **settings):
    """Check a predicted schedule against the model: the folds each worker runs, in order, and the makespan.

    Parameters
    ----------
    lanes : list of lists of int
        ``lanes[i]`` is the folds worker i runs, in the order it runs them.
        Worker 0 is the one that takes fold 0 (workers that start at the
        same moment are numbered like the folds they take).
    makespan : float
        When the last fold ends.
    durations, n_jobs, **settings
        The case, as for :func:`cvkit.model.predict_schedule`.

    Examples
    --------
    >>> check_schedule([[0, 1], [2, 3]], 2.0, durations=4, n_jobs=2)  # doctest: +ELLIPSIS
    ❌ Not yet: fold 1 runs on worker 1, not worker 0...
    """
    if lanes is NOT_ANSWERED or makespan is NOT_ANSWERED:
        return not_answered()
    schedule = predict_schedule(durations, n_jobs, **settings)
    expected = schedule.lanes()
    try:
        given = [[int(f) for f in lane] for lane in lanes]
    except (TypeError, ValueError):
        return wrong(f"lanes={lanes!r} is not a list of lists of fold numbers.", hint="e.g. [[0, 2], [1, 3]].")
    given += [[] for _ in range(len(expected) - len(given))]
    while len(given) > len(expected) and not given[-1]:
        given.pop()  # an empty lane written for an idle worker that does not exist is harmless
    if len(given) > len(expected):
        return wrong(
            f"you wrote {len(given)} lanes, but there are {len(expected)} workers.", hint="one list per worker."
        )
    if given != expected:
        written = sorted(f for lane in given for f in lane)
        if written != list(range(schedule.n_folds)):
            return wrong(
                f"your lanes hold folds {written}; there are {schedule.n_folds} folds, 0 to {schedule.n_folds - 1}.",
                hint="every fold runs exactly once, on one worker.",
            )
        placed = {f: i for i, lane in enumerate(given) for f in lane}
        misplaced = [t for t in schedule.tasks if placed[t.fold] != t.worker]
        if not misplaced:
            return wrong(
                "every fold is on the right worker, but not in the order you wrote.",
                hint="a worker takes folds in the order joblib dispatched them: fold order.",
            )
        t = min(misplaced, key=lambda t: (t.start, t.fold))  # the first wrong one explains the rest
        earlier = [u for u in schedule.tasks if u.worker == t.worker and u.end <= t.start]
        after = f"after fold {max(earlier, key=lambda u: u.end).fold} ends" if earlier else "at the start"
        return wrong(
            f"fold {t.fold} runs on worker {t.worker}, not worker {placed[t.fold]}: it starts at "
            f"t = {_fmt(t.start)}, {after}.",
            hint="at each moment, the worker that is free (idle longest) takes the next fold in the queue; "
            "mark the time each worker becomes free.",
        )
    if not isinstance(makespan, Real) or abs(float(makespan) - schedule.makespan) > 1e-6:
        last = max(schedule.tasks, key=lambda t: t.end)
        return wrong(
            f"your lanes are right, but the makespan is not {makespan!r}.",
            hint=f"add up the durations on each lane (worker {last.worker} ends last).",
        )
    text = schedule.describe().replace("\n", "; ")
    return right(f"{text}; makespan {_fmt(schedule.makespan)}.")


def check_unequal_folds(lanes, makespan):
    """Part 2: the folds of :data:`UNEQUAL_CASE` on 2 workers: the folds each worker runs, in order, and the makespan.

    Examples
    --------
    >>> check_unequal_folds([[0, 1, 2], [3, 4]], 4.0)
    ❌ Not yet: your lanes hold folds [0, 1, 2, 3, 4]; there are 6 folds, 0 to 5.
       Hint: every fold runs exactly once, on one worker.
    """
    return check_schedule(lanes, makespan, UNEQUAL_CASE["durations"], UNEQUAL_CASE["n_jobs"])
