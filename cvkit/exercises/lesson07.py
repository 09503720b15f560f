"""Self-check for lesson 07 (scale out with Dask): does a cluster finish first, once its start-up is paid?

Examples
--------
>>> check_scale_out(loky_seconds=NOT_ANSWERED, dask_seconds=NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
"""

import math
from numbers import Real

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
    loky = math.ceil(k / c["machine_cores"]) * c["fold_seconds"]
    dask = c["cluster_start"] + math.ceil(k / cores) * c["fold_seconds"] + k * c["task_overhead"]
    return loky, dask


def _rounds(n):
    return f"{n} round{'s' * (n != 1)}"


def _close(value, target):
    return isinstance(value, Real) and not isinstance(value, bool) and abs(float(value) - target) <= TOLERANCE


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
        even = k * fold / c["machine_cores"]
        if _close(loky_seconds, k * fold):
            return wrong(
                f"{loky_seconds:g} s is the serial loop: one core running the {k} folds one after the other.",
                hint=f"the machine has {c['machine_cores']} cores: {c['machine_cores']} folds run at once, in rounds "
                f"of {fold:g} s.",
            )
        if _close(loky_seconds, (k // c["machine_cores"]) * fold):
            left = k - (k // c["machine_cores"]) * c["machine_cores"]
            return wrong(
                f"{loky_seconds:g} s counts {_rounds(k // c['machine_cores'])}, which run"
                f"{'s' * (k // c['machine_cores'] == 1)} only "
                f"{(k // c['machine_cores']) * c['machine_cores']} of the {k} folds.",
                hint=f"the {left} folds left over need a round of their own: round the number of rounds up.",
            )
        if _close(loky_seconds * 60, loky):
            return wrong(
                f"{loky_seconds:g} looks like minutes.",
                hint="give the time in seconds (minutes × 60).",
            )
        if _close(loky_seconds, even):
            return wrong(
                f"{loky_seconds:g} s would need the {k} folds' {k * fold:g} s of work split evenly over "
                f"{c['machine_cores']} cores, but a fold cannot be split.",
                hint=f"count rounds: {c['machine_cores']} folds run at once, so {k} folds take "
                f"ceil({k} / {c['machine_cores']}) rounds of {fold:g} s.",
            )
        return wrong(
            f"{loky_seconds:g} s is not what one machine of {c['machine_cores']} cores needs.",
            hint=f"count rounds: ceil({k} / {c['machine_cores']}) rounds of {fold:g} s each.",
        )
    if not _close(dask_seconds, dask):
        no_start = dask - c["cluster_start"]
        even = c["cluster_start"] + k * fold / cores + k * c["task_overhead"]
        if _close(dask_seconds, no_start):
            return wrong(
                "your loky time is right; for the cluster you left out its start-up.",
                hint=f"nothing runs until the workers are up: add the {c['cluster_start']:g} s it takes to start them.",
            )
        floor_rounds = c["cluster_start"] + (k // cores) * fold + k * c["task_overhead"]
        if _close(dask_seconds, floor_rounds) or _close(dask_seconds, floor_rounds - c["cluster_start"]):
            left = k - (k // cores) * cores
            return wrong(
                f"your loky time is right; for the cluster you counted {_rounds(k // cores)} of folds, which "
                f"run{'s' * (k // cores == 1)} only {(k // cores) * cores} of the {k} folds.",
                hint=f"the {left} folds left over need a round of their own: round the number of rounds up.",
            )
        if _close(dask_seconds * 60, dask):
            return wrong(
                f"your loky time is right; {dask_seconds:g} for the cluster looks like minutes.",
                hint="give the time in seconds (minutes × 60).",
            )
        by_machine = c["cluster_start"] + math.ceil(k / c["n_machines"]) * fold + k * c["task_overhead"]
        if _close(dask_seconds, by_machine) or _close(dask_seconds, by_machine - c["cluster_start"]):
            return wrong(
                f"your loky time is right; for the cluster you counted {c['n_machines']} workers, one per machine.",
                hint=f"each machine runs {c['machine_cores']} worker processes, one per core: the cluster runs "
                f"{cores} folds at once.",
            )
        if _close(dask_seconds, loky) or _close(dask_seconds, loky + c["cluster_start"]):
            return wrong(
                "your loky time is right; the cluster's folds do not run on one machine's cores only.",
                hint=f"the cluster has {c['n_machines']} machines of {c['machine_cores']} cores: count rounds on "
                f"{cores} cores.",
            )
        if _close(dask_seconds, even) or _close(dask_seconds, even - c["cluster_start"]):
            return wrong(
                "your loky time is right; on the cluster too, a fold runs on one core and cannot be split.",
                hint=f"the cluster has {cores} cores: ceil({k} / {cores}) rounds of {fold:g} s, after its start-up.",
            )
        return wrong(
            f"your loky time is right, but {dask_seconds:g} s is not what the cluster needs.",
            hint=f"start-up ({c['cluster_start']:g} s) + ceil({k} / {cores}) rounds of {fold:g} s "
            f"+ {k} × {c['task_overhead'] * 1000:g} ms of dispatch.",
        )
    small_loky, small_dask = _expected_times(8)
    return right(
        f"one machine runs {k} folds on {c['machine_cores']} cores in {math.ceil(k / c['machine_cores'])} rounds "
        f"of {fold:g} s = {loky:g} s. The cluster first starts ({c['cluster_start']:g} s), then runs them on "
        f"{cores} cores in {math.ceil(k / cores)} rounds = {math.ceil(k / cores) * fold:g} s, plus {k} × "
        f"{c['task_overhead'] * 1000:g} ms of dispatch: {dask:.1f} s. The cluster wins by {loky - dask:.1f} s; "
        f"with 8 folds it would lose ({small_dask:.1f} s against {small_loky:g} s)."
    )
