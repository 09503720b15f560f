"""Self-check for lesson 04 (the live explorer): what does Stop keep, when you press it in the middle of a run?

Examples
--------
>>> check_stop(kept=NOT_ANSWERED, running=NOT_ANSWERED, never_started=NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
"""

import math
import time
from dataclasses import dataclass

from ..core.text import PrettyText
from ..model.replay import predict_schedule
from ._feedback import NOT_ANSWERED, is_number, not_answered, right, wrong

__all__ = ["NOT_ANSWERED", "STOP_CASE", "StopCount", "check_stop", "stop_and_count"]

#: The exercise: equal folds on warm workers, default settings, and Stop pressed at ``stop_at`` fold-times.
STOP_CASE = {"n_folds": 8, "n_jobs": 2, "stop_at": 2.5}


def _expected_stop(n_folds=None, n_jobs=None, stop_at=None):
    """What Stop leaves of equal folds of 1 fold-time: ``(kept, running, never_started)`` by the schedule model.

    Defaults are :data:`STOP_CASE`'s. Kept: the folds that ended at or before ``stop_at``; running: started and not
    ended (their workers are killed, their results lost); never started: the rest.

    Examples
    --------
    >>> _expected_stop(n_folds=5, n_jobs=2, stop_at=0.5)
    (0, 2, 3)
    """
    c = STOP_CASE
    k = c["n_folds"] if n_folds is None else n_folds
    w = c["n_jobs"] if n_jobs is None else n_jobs
    at = c["stop_at"] if stop_at is None else stop_at
    tasks = predict_schedule(k, n_jobs=w).tasks
    kept = sum(t.end <= at for t in tasks)
    running = sum(t.start <= at < t.end for t in tasks)
    return kept, running, k - kept - running


def check_stop(kept, running, never_started):
    """Stop pressed in the middle of the :data:`STOP_CASE` run: how many folds are kept, lost running, never started?

    Parameters
    ----------
    kept : int
        Folds that finished before the Stop: kept with their scores and confusion matrices.
    running : int
        Folds that were running when Stop landed.
    never_started : int
        Folds that had not started.

    Examples
    --------
    >>> check_stop(kept=3, running=3, never_started=3)
    ❌ Not yet: 3 + 3 + 3 = 9, but there are 8 folds.
       Hint: every fold is in exactly one of the three groups.
    >>> check_stop(kept="4", running=2, never_started=2)
    ❌ Not yet: kept='4' is not a number of folds.
       Hint: a whole number, such as 1.
    """
    answers = {"kept": kept, "running": running, "never_started": never_started}
    if any(a is NOT_ANSWERED for a in answers.values()):
        return not_answered()
    for name, value in answers.items():
        if not is_number(value) or value < 0 or float(value) != int(value):
            return wrong(f"{name}={value!r} is not a number of folds.", hint="a whole number, such as 1.")
    c = STOP_CASE
    k, w, at = c["n_folds"], c["n_jobs"], c["stop_at"]
    total = kept + running + never_started
    if total != k:
        return wrong(
            f"{kept:g} + {running:g} + {never_started:g} = {total:g}, but there are {k} folds.",
            hint="every fold is in exactly one of the three groups.",
        )
    want_kept, want_running, _want_never = _expected_stop()
    if kept != want_kept:
        if kept == w * at:
            return wrong(
                f"{kept:g} folds would be {at:g} fold-times of work on each of {w} workers, but a fold is kept only "
                "once it has ended.",
                hint="the folds still running when Stop lands are half done: they are not kept.",
            )
        if kept == want_kept + want_running:
            return wrong(
                f"{kept:g} counts the folds that were running as kept.",
                hint="Stop does not wait for running folds: joblib ends the call, and their workers are killed with "
                "them.",
            )
        return wrong(
            f"{kept:g} folds are not what {w} workers finish in {at:g} fold-times.",
            hint=f"each worker finishes one fold per fold-time: draw the rounds and mark t = {at:g}.",
        )
    if running != want_running:
        return wrong(
            "your count of kept folds is right, but not the one of running folds.",
            hint=f"at t = {at:g} no fold begins or ends: is a worker idle, or is each one in the middle of a fold?",
        )
    return right(
        f"after {math.floor(at):d} rounds {kept:g} folds have ended and are kept; each of the {w} workers is half-way "
        f"through a fold, and the work of those {running:g} folds goes with the workers Stop kills; the other "
        f"{never_started:g} never started (waiting in the queue or not yet dispatched). All {running + never_started:g}"
        " are cancelled. Stop in the middle of a round throws away half a round of work."
    )


@dataclass(frozen=True)
class StopCount(PrettyText):
    """What a run stopped in the middle left: the answer of :func:`stop_and_count`.

    Attributes
    ----------
    kept, running, never_started : int
        Folds finished (kept), started but not finished when Stop landed, and never started.
    pressed : float or None
        When Stop was pressed, in fold-times since the first fold started; None if the run ended before.
    ended : float
        When the run ended, in the same fold-times.
    fold_seconds : float
        The fold-time the moments are counted in: the mean of the run's first round of folds.
    """

    kept: int
    running: int
    never_started: int
    pressed: float | None
    ended: float
    fold_seconds: float

    def __str__(self):
        from ..core.verdicts import fmt_seconds

        fold = f"a fold-time: {fmt_seconds(self.fold_seconds)}, the mean of the first round"
        if self.pressed is None:
            when = (
                f"The run ended {self.ended:.2f} fold-times after the first fold started, before the Stop was due "
                f"({fold})."
            )
        else:
            when = (
                f"Stop pressed {self.pressed:.2f} fold-times after the first fold started; the run ended at "
                f"{self.ended:.2f} ({fold})."
            )
        counts = f"kept {self.kept}, running when Stop landed {self.running}, never started {self.never_started}."
        return when + "\n" + counts


def stop_and_count(explorer, *, workload="heavy", stop_at=None, n_folds=None, n_jobs=None):
    """Run equal folds in the explorer, press Stop ``stop_at`` fold-times after the first fold started, and count.

    The fold-time is this run's own: the mean duration of the first ``n_jobs`` folds to finish (a fold on a busy
    machine takes longer than the same fold timed a minute earlier). Stop is pressed at the first fold's start +
    ``stop_at`` × that time.

    Parameters
    ----------
    explorer : cvkit.widgets.Explorer
        The explorer to run in (its controls are set to the case).
    workload : str
        The explorer's workload.
    stop_at, n_folds, n_jobs : optional
        Default: :data:`STOP_CASE`'s.

    Returns
    -------
    StopCount
        Printing it gives two lines: when Stop was pressed and the run ended, and the three counts.
    """
    c = STOP_CASE
    k = c["n_folds"] if n_folds is None else n_folds
    w = c["n_jobs"] if n_jobs is None else n_jobs
    at = c["stop_at"] if stop_at is None else stop_at
    explorer.run(n_jobs=w, folds=k, workload=workload)

    def done_bars(snap):
        return [bar for bar in snap.bars if bar.status == "done"]

    snap = explorer.live.snapshot()
    while len(done_bars(snap)) < w and not snap.finished:  # until the first round ends: its mean is the fold-time
        time.sleep(0.005)
        snap = explorer.live.snapshot()
    began = min((bar.start for bar in snap.bars), default=0.0)
    first_round = sorted(done_bars(snap), key=lambda bar: bar.end)[:w]
    fold_seconds = sum(b.end - b.start for b in first_round) / len(first_round) if first_round else snap.now - began
    while snap.now < began + at * fold_seconds and not snap.finished:
        time.sleep(0.005)
        snap = explorer.live.snapshot()
    pressed = None if snap.finished else snap.now
    explorer.stop()  # nothing to stop if the run has ended
    result = explorer.wait()
    snap = explorer.live.snapshot()
    kept = len(result.finished)
    never = len(snap.never_started)
    return StopCount(
        kept=kept,
        running=k - kept - never,
        never_started=never,
        pressed=None if pressed is None else (pressed - began) / fold_seconds,
        ended=(snap.now - began) / fold_seconds,
        fold_seconds=float(fold_seconds),
    )
