"""Self-check for lesson 07 (scale out with Dask): does a cluster finish first, once its start-up is paid?

Examples
--------
>>> check_scale_out(loky_seconds=NOT_ANSWERED, dask_seconds=NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
"""

from dataclasses import dataclass
from numbers import Real

from ..core.verdicts import rounds
from ._feedback import NOT_ANSWERED, not_answered, right, wrong

__all__ = ["CASE", "NOT_ANSWERED", "check_scale_out"]

#: The exercise: one machine (loky) against a Dask cluster of several such machines.
CASE = {
    "n_folds": 36,
    "fold_seconds": 30.0,
    "machine_cores": 8,
    "n_machines": 4,
    "cluster_start": 60.0,  # seconds until the batch system has started every worker
    "task_overhead": 0.007,  # seconds of dispatch per task through the scheduler
}

TOLERANCE = 1.0  # seconds


def _expected_times(n_folds=None):
    """Return ``(loky_seconds, dask_seconds)`` for :data:`CASE` (or for ``n_folds`` folds of it)."""
    c = CASE
    k = c["n_folds"] if n_folds is None else n_folds
    cores = c["machine_cores"] * c["n_machines"]
    loky = rounds(k, c["machine_cores"]) * c["fold_seconds"]
    dask = c["cluster_start"] + rounds(k, cores) * c["fold_seconds"] + k * c["task_overhead"]
    return loky, dask


def _rounds_text(n):
    """``n`` as a count of rounds: "1 round", "4 rounds"."""
    return f"{n} round{'s' * (n != 1)}"


def _close(value, target):
    return isinstance(value, Real) and not isinstance(value, bool) and abs(float(value) - target) <= TOLERANCE


@dataclass(frozen=True)
class _Slip:
    """A likely mistake: the times it gives, and what to tell a learner whose answer is one of them.

    ``message`` may hold ``{answer}``, the learner's answer as ``:g`` writes it. ``unit`` multiplies the answer
    before it is compared (60: an answer given in minutes).
    """

    times: tuple
    message: str
    hint: str
    unit: float = 1.0

    def matches(self, answer):
        return any(_close(answer * self.unit, time) for time in self.times)


def _loky_slips():
    """The usual slips in the time one machine takes, tried in this order, and the answer for any other time."""
    c = CASE
    k, fold, per_machine = c["n_folds"], c["fold_seconds"], c["machine_cores"]
    loky, _ = _expected_times()
    floor = k // per_machine
    slips = (
        _Slip((k * fold,), f"{{answer}} s is the serial loop: one core running the {k} folds one after the other.",
              f"the machine has {per_machine} cores: {per_machine} folds run at once, in rounds of {fold:g} s."),
        _Slip((floor * fold,), f"{{answer}} s counts {_rounds_text(floor)}, which run{'s' * (floor == 1)} only "
              f"{floor * per_machine} of the {k} folds.",
              f"the {k - floor * per_machine} folds left over need a round of their own: round the number of "
              "rounds up."),
        _Slip((loky,), "{answer} looks like minutes.", "give the time in seconds (minutes × 60).", unit=60),
        _Slip((k * fold / per_machine,), f"{{answer}} s would need the {k} folds' {k * fold:g} s of work split "
              f"evenly over {per_machine} cores, but a fold cannot be split.",
              f"count rounds: {per_machine} folds run at once, so {k} folds take ceil({k} / {per_machine}) rounds "
              f"of {fold:g} s."),
    )  # fmt: skip
    other = _Slip((), f"{{answer}} s is not what one machine of {per_machine} cores needs.",
                  f"count rounds: ceil({k} / {per_machine}) rounds of {fold:g} s each.")  # fmt: skip
    return slips, other


def _dask_slips():
    """The usual slips in the cluster's time (the loky time being right), tried in order, and the answer for others.

    A slip that forgets the cluster's start-up on top of another one is caught too: each gives both times.
    """
    c = CASE
    k, fold, start, per_machine = c["n_folds"], c["fold_seconds"], c["cluster_start"], c["machine_cores"]
    cores = per_machine * c["n_machines"]
    loky, dask = _expected_times()
    dispatch = k * c["task_overhead"]
    floor = k // cores
    floor_rounds = start + floor * fold + dispatch
    by_machine = start + rounds(k, c["n_machines"]) * fold + dispatch
    even = start + k * fold / cores + dispatch
    right_loky = "your loky time is right; "
    slips = (
        _Slip((dask - start,), right_loky + "for the cluster you left out its start-up.",
              f"nothing runs until the workers are up: add the {start:g} s it takes to start them."),
        _Slip((floor_rounds, floor_rounds - start), right_loky + f"for the cluster you counted {_rounds_text(floor)} of "
              f"folds, which run{'s' * (floor == 1)} only {floor * cores} of the {k} folds.",
              f"the {k - floor * cores} folds left over need a round of their own: round the number of rounds up."),
        _Slip((dask,), right_loky + "{answer} for the cluster looks like minutes.",
              "give the time in seconds (minutes × 60).", unit=60),
        _Slip((by_machine, by_machine - start), right_loky + f"for the cluster you counted {c['n_machines']} "
              "workers, one per machine.",
              f"each machine runs {per_machine} worker processes, one per core: the cluster runs {cores} folds at "
              "once."),
        _Slip((loky, loky + start), right_loky + "the cluster's folds do not run on one machine's cores only.",
              f"the cluster has {c['n_machines']} machines of {per_machine} cores: count rounds on {cores} cores."),
        _Slip((even, even - start), right_loky + "on the cluster too, a fold runs on one core and cannot be split.",
              f"the cluster has {cores} cores: ceil({k} / {cores}) rounds of {fold:g} s, after its start-up."),
    )  # fmt: skip
    other = _Slip((), "your loky time is right, but {answer} s is not what the cluster needs.",
                  f"start-up ({start:g} s) + ceil({k} / {cores}) rounds of {fold:g} s "
                  f"+ {k} × {c['task_overhead'] * 1000:g} ms of dispatch.")  # fmt: skip
    return slips, other


def _feedback_on(answer, slips, other):
    """Wrong feedback for ``answer``: the first slip that gives it, else ``other``."""
    slip = next((slip for slip in slips if slip.matches(answer)), other)
    return wrong(slip.message.format(answer=f"{answer:g}"), hint=slip.hint)


def check_scale_out(loky_seconds, dask_seconds):
    """How long do the 36 folds of :data:`CASE` take on one machine with loky, and on the Dask cluster?

    Parameters
    ----------
    loky_seconds : float
        One machine of 8 cores, folds of 30 s, no start-up to count.
    dask_seconds : float
        4 such machines as Dask workers (32 cores), from the moment you ask for the
        cluster: its start-up (60 s), the folds, and 7 ms of dispatch per fold.

    Returns
    -------
    Feedback
        Right if both times are within a second of the expected ones; wrong
        with a hint naming the likely slip otherwise. This function never
        raises for the answers.

    Examples
    --------
    >>> check_scale_out(loky_seconds="fast", dask_seconds=90).status
    'wrong'
    """
    if loky_seconds is NOT_ANSWERED or dask_seconds is NOT_ANSWERED:
        return not_answered()
    c = CASE
    k, fold = c["n_folds"], c["fold_seconds"]
    cores = c["machine_cores"] * c["n_machines"]
    loky, dask = _expected_times()
    for name, value in (("loky_seconds", loky_seconds), ("dask_seconds", dask_seconds)):
        if not isinstance(value, Real) or isinstance(value, bool):
            return wrong(f"{name}={value!r} is not a number of seconds.", hint="give a number, e.g. 100.0.")
    if not _close(loky_seconds, loky):
        return _feedback_on(loky_seconds, *_loky_slips())
    if not _close(dask_seconds, dask):
        return _feedback_on(dask_seconds, *_dask_slips())
    small_loky, small_dask = _expected_times(8)
    return right(
        f"one machine runs {k} folds on {c['machine_cores']} cores in {rounds(k, c['machine_cores'])} rounds "
        f"of {fold:g} s = {loky:g} s. The cluster first starts ({c['cluster_start']:g} s), then runs them on "
        f"{cores} cores in {rounds(k, cores)} rounds = {rounds(k, cores) * fold:g} s, plus {k} × "
        f"{c['task_overhead'] * 1000:g} ms of dispatch: {dask:.1f} s. The cluster wins by {loky - dask:.1f} s; "
        f"with 8 folds it would lose ({small_dask:.1f} s against {small_loky:g} s)."
    )
