"""Tiny folds, such as iris's few milliseconds: who runs which fold when sending one costs about as much as running it.

The schedule model (:mod:`cvkit.model.replay`) deals equal folds out in rounds. That holds when a fold is long next to
the milliseconds it takes to send it to a worker and bring its result back, and when every worker is ready at the
start. Tiny folds break both premises: ``batch_size="auto"`` sends them in batches, and in a cold pool (one whose
workers are still starting) the worker that is ready first runs fold after fold while the others are not there yet.
Lesson 03 (section 7) measures both; these helpers keep its cells short.

Examples
--------
>>> split_text([2, 3])
'3 + 2'
>>> s = head_start_schedule(4, ready_at=[0, 0])   # both workers ready at once: rounds
>>> s.lanes(), s.makespan
([[0, 2], [1, 3]], 2.0)
"""

import heapq
import math
from numbers import Real

from ..core.checks import check_batch_size, check_durations, check_positive_int, check_pre_dispatch
from ..model.measured import schedule_from_result
from ..model.records import Schedule, ScheduledTask
from ..model.replay import predict_schedule

__all__ = [
    "SPLIT_SETTINGS",
    "describe_cold_run",
    "first_folds",
    "fold_split",
    "head_start_schedule",
    "measure_splits",
    "ready_times",
    "settings_label",
    "split_text",
]


def split_text(counts):
    """Folds per worker as text, busiest worker first: ``[2, 3]`` -> ``"3 + 2"``.

    Examples
    --------
    >>> split_text([1, 4]), split_text([5])
    ('4 + 1', '5')
    """
    return " + ".join(str(int(c)) for c in sorted(counts, reverse=True))


def fold_split(result_or_schedule):
    """Folds per worker of a measured run (a CVResult) or a Schedule, busiest worker first.

    Workers that ran no fold count as 0, so a run on 2 workers always gives 2 numbers.

    Examples
    --------
    >>> fold_split(predict_schedule(5, n_jobs=4))
    [2, 1, 1, 1]
    """
    schedule = result_or_schedule
    if not isinstance(schedule, Schedule):
        schedule = schedule_from_result(result_or_schedule)
    return sorted(schedule.per_worker_counts(), reverse=True)


def ready_times(result):
    """When each worker of a measured run started its first fold (seconds since the run started), in lane order.

    Lanes are numbered as in :func:`cvkit.model.schedule_from_result` (by the order in which the workers first
    started a fold); a worker that ran no fold gets ``math.inf``. In a cold pool this is when each worker was
    ready: it had started and imported what the fold needs.

    Examples
    --------
    >>> import numpy as np
    >>> from cvkit import CVResult, FoldResult, TaskTrace
    >>> folds = [FoldResult(i, trace=TaskTrace(i, "h", pid, 0, "w", s, e))
    ...          for i, (pid, s, e) in enumerate([(11, 1.0, 1.1), (11, 1.1, 1.2)])]
    >>> ready_times(CVResult(folds, "f1", np.array([0, 1]), 2, "loky", 1.3))
    [1.0, inf]
    """
    schedule = schedule_from_result(result)
    first = [math.inf] * schedule.n_workers
    for task in schedule.tasks:
        first[task.worker] = min(first[task.worker], task.start)
    return first


def first_folds(result):
    """The fold each worker of a measured run ran first, in lane order (None for a worker that ran no fold).

    Examples
    --------
    >>> import numpy as np
    >>> from cvkit import CVResult, FoldResult, TaskTrace
    >>> folds = [FoldResult(i, trace=TaskTrace(i, "h", pid, 0, "w", s, e))
    ...          for i, (pid, s, e) in enumerate([(11, 1.2, 1.3), (12, 1.0, 1.1), (12, 1.1, 1.2)])]
    >>> first_folds(CVResult(folds, "f1", np.array([0, 1]), 2, "loky", 1.4))
    [1, 0]
    """
    schedule = schedule_from_result(result)
    first = [None] * schedule.n_workers
    for task in sorted(schedule.tasks, key=lambda t: (t.start, t.fold)):
        if first[task.worker] is None:
            first[task.worker] = task.fold
    return first


def head_start_schedule(durations, ready_at, first_folds=None):
    """Predict who runs which fold when the workers become ready at different moments, as in a cold pool.

    Folds go one by one (``batch_size=1``), enough of them are dispatched ahead that a free worker always finds one
    (``pre_dispatch`` of at least ``n_jobs``), and sending them takes no time. Then each fold, in fold order, goes
    to the worker that is free first; of workers free at the same moment, the one idle longest (then the lowest
    number). With every worker ready at 0 this is :func:`cvkit.model.predict_schedule` with ``batch_size=1``.

    In a real cold pool each worker takes a fold as soon as its process exists, and imports scikit-learn while it
    unpickles that fold (the import is what takes long): ``first_folds`` fixes those folds, one per worker, and
    each starts at its worker's ``ready_at``.

    Parameters
    ----------
    durations : int or sequence of float
        Seconds per fold, in fold order; an int k means k folds of 1 s.
    ready_at : sequence of float
        When each worker can take its first fold, in seconds (``math.inf``: never). One value per worker.
    first_folds : sequence of int or None, optional
        The fold each worker runs first (None: whichever is next in the queue when it is ready).

    Returns
    -------
    Schedule
        ``source="predicted"``; ``settings["ready_at"]`` holds the ready times.

    Raises
    ------
    ValueError
        For bad durations, or ``ready_at`` that is not a non-empty sequence of seconds >= 0 with one finite value.

    Examples
    --------
    >>> head_start_schedule([1, 1, 1], ready_at=[0, 10]).per_worker_counts()   # worker 1 comes after the end
    [3, 0]
    >>> head_start_schedule([1, 1, 1], ready_at=[0, 10], first_folds=[0, 1]).lanes()  # fold 1 waits for worker 1
    [[0, 2], [1]]
    >>> head_start_schedule([1, 1], ready_at=[0, -1])
    Traceback (most recent call last):
    ...
    ValueError: ready_at=[0, -1] is not allowed; allowed: one time per worker, each a number of seconds >= 0 \
(math.inf for a worker never ready), at least one of them finite.
    """
    d = check_durations(durations)
    try:
        ready = [float(r) for r in ready_at]
        ok = (
            len(ready) > 0
            and all(isinstance(r, Real) and not isinstance(r, bool) for r in ready_at)
            and all(r >= 0 for r in ready)
            and any(math.isfinite(r) for r in ready)
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"ready_at={ready_at!r} is not allowed; allowed: one time per worker, each a number of seconds >= 0 "
            "(math.inf for a worker never ready), at least one of them finite."
        )
    first = [None] * len(ready) if first_folds is None else list(first_folds)
    pinned = [f for f in first if f is not None]
    if (
        len(first) != len(ready)
        or not all(isinstance(f, int) and not isinstance(f, bool) and 0 <= f < len(d) for f in pinned)
        or len(set(pinned)) != len(pinned)
        or any(f is not None and not math.isfinite(r) for f, r in zip(first, ready))
    ):
        raise ValueError(
            f"first_folds={first_folds!r} is not allowed; allowed: None, or one entry per worker ({len(ready)}), "
            f"each None or a distinct fold number 0 to {len(d) - 1} for a worker with a finite ready time."
        )
    tasks = {}
    free = []  # (free since, lane): the smallest is free first
    for lane, (r, fold) in enumerate(zip(ready, first)):
        if fold is None:
            free.append((r, lane))
        else:
            tasks[fold] = ScheduledTask(fold, lane, r, r + d[fold], batch=fold)
            free.append((r + d[fold], lane))
    heapq.heapify(free)
    for fold, duration in enumerate(d):
        if fold in tasks:
            continue
        start, lane = heapq.heappop(free)
        tasks[fold] = ScheduledTask(fold, lane, start, start + duration, batch=fold)
        heapq.heappush(free, (start + duration, lane))
    tasks = [tasks[f] for f in range(len(d))]
    return Schedule(
        tasks=tasks,
        n_workers=len(ready),
        makespan=max(t.end for t in tasks),
        source="predicted",
        settings={"n_jobs": len(ready), "batch_size": 1, "ready_at": ready, "first_folds": first},
    )


#: The Parallel settings :func:`measure_splits` compares by default: joblib's default, the widely shared answer's
#: ``pre_dispatch``, and one fold per batch.
SPLIT_SETTINGS = (
    {"batch_size": "auto"},
    {"batch_size": "auto", "pre_dispatch": "1.5*n_jobs"},
    {"batch_size": 1},
)


def settings_label(options):
    """A column name for Parallel settings: ``{"batch_size": 1}`` -> ``"batch_size=1"``.

    Examples
    --------
    >>> settings_label({"batch_size": "auto", "pre_dispatch": "1.5*n_jobs"})
    "batch_size='auto', pre_dispatch='1.5*n_jobs'"
    """
    return ", ".join(f"{name}={value!r}" for name, value in options.items())


def _check_settings(settings):
    """The settings as a list of dicts of checked values; refuse anything else with what is allowed."""
    allowed = "a sequence of dicts with the keys 'batch_size' and/or 'pre_dispatch', e.g. ({'batch_size': 1},)"
    if isinstance(settings, (str, dict)) or not hasattr(settings, "__iter__"):
        raise ValueError(f"settings={settings!r} is not allowed; allowed: {allowed}.")
    checked = []
    for options in settings:
        if not isinstance(options, dict) or not set(options) <= {"batch_size", "pre_dispatch"}:
            raise ValueError(f"settings entry {options!r} is not allowed; allowed: {allowed}.")
        one = {}
        if "batch_size" in options:
            one["batch_size"] = check_batch_size(options["batch_size"])
        if "pre_dispatch" in options:
            one["pre_dispatch"] = check_pre_dispatch(options["pre_dispatch"])
        checked.append(one)
    if not checked:
        raise ValueError(f"settings={settings!r} holds no settings; allowed: {allowed}.")
    return checked


def measure_splits(estimator, X, y, *, folds=(5, 10, 15), workers=(2,), settings=SPLIT_SETTINGS, backend="loky"):
    """Run each case once on a warm pool and tabulate the folds each worker ran, next to the model's rounds.

    For each number of workers (in the order given), the workers are started and warmed first
    (:func:`cvkit.lab.speedup.warm_workers`), then every number of folds runs with every entry of ``settings``. Going
    from more workers to fewer reuses loky's pool; going up starts new workers, so give the largest number first.

    Parameters
    ----------
    estimator : scikit-learn classifier
    X, y : the data, as for :func:`cvkit.run_folds`
    folds : sequence of int >= 2
    workers : sequence of int >= 2
    settings : sequence of dict
        Parallel settings to compare, each with the keys ``batch_size`` and/or ``pre_dispatch`` (missing keys take
        :func:`cvkit.run_folds`' defaults). Default :data:`SPLIT_SETTINGS`.
    backend : str
        A process backend ("loky" by default).

    Returns
    -------
    table : pandas.DataFrame
        Indexed by (folds, workers); a column "model (rounds)" and one column per entry of ``settings``, named by
        :func:`settings_label`, each cell a split such as "4 + 1" (busiest worker first).
    runs : dict
        ``(folds, workers, label) -> CVResult``, for asserts and further study.

    Raises
    ------
    ValueError
        For folds or workers below 2, or settings that are not dicts of a valid ``batch_size`` / ``pre_dispatch``.
    """
    import pandas as pd

    from ..runner import run_folds
    from .speedup import warm_workers

    folds = [check_positive_int("folds", k, minimum=2) for k in folds]
    workers = [check_positive_int("workers", w, minimum=2) for w in workers]
    settings = _check_settings(settings)
    if not (folds and workers):
        raise ValueError("folds and workers must each hold at least one value; allowed: e.g. (5, 10).")
    labels = [settings_label(options) for options in settings]
    runs = {}
    for w in workers:
        warm_workers(w, backend)
        for label, options in zip(labels, settings):
            for k in folds:
                runs[k, w, label] = run_folds(estimator, X, y, cv=k, n_jobs=w, backend=backend, **options)
    rows = []
    for k in folds:
        for w in sorted(workers):
            row = {"folds": k, "workers": w, "model (rounds)": split_text(fold_split(predict_schedule(k, n_jobs=w)))}
            for label in labels:
                row[label] = split_text(fold_split(runs[k, w, label]))
            rows.append(row)
    return pd.DataFrame(rows).set_index(["folds", "workers"]), runs


def _folds(n):
    """A number of folds for text: 57.3 -> '57 folds', 3.04 -> '3.0 folds', 1 -> '1.0 fold'."""
    return f"{n:.0f} folds" if n >= 10 else f"{n:.1f} fold" + ("s" if n != 1 else "")


def describe_cold_run(result, fold_seconds, other_folds=()):
    """Say, computed from a measured run, when each worker was ready, what head start that gave, and the split.

    The split expected from the head start is :func:`head_start_schedule` with the run's own fold times, each
    worker's ready time and first fold (:func:`ready_times`, :func:`first_folds`).

    Parameters
    ----------
    result : CVResult
        A run on a process backend, typically the first of a cold pool.
    fold_seconds : float
        A typical fold time of the same folds run alone (e.g. the serial loop's median), to count the head start in
        folds.
    other_folds : sequence of int >= 2, optional
        Other numbers of folds to replay the measured head start with (:func:`head_start_schedule`, folds of
        ``fold_seconds``, each worker's measured ready time and first fold): one more line gives their splits.

    Returns
    -------
    str
        A few lines of text (times in the forms nbval's sanitizer masks).

    Examples
    --------
    >>> import numpy as np
    >>> from cvkit import CVResult, FoldResult, TaskTrace
    >>> folds = [FoldResult(i, trace=TaskTrace(i, "h", pid, 0, "w", s, e))
    ...          for i, (pid, s, e) in enumerate([(11, 1.0, 1.1), (12, 1.3, 1.4), (11, 1.1, 1.2)])]
    >>> run = CVResult(folds, "f1", np.array([0, 1]), 2, "loky", 1.5)
    >>> print(describe_cold_run(run, fold_seconds=0.08, other_folds=(2, 8)))
    worker 0: first fold started 1.00 s into the run; it ran 2 of the 3 folds
    worker 1: first fold started 1.30 s into the run; it ran 1 of the 3 folds
    worker 1 was ready 0.30 s after worker 0, as long as 3.8 folds.
    expected from that head start: 2 + 1; measured: 2 + 1.
    the same head start with folds of 80.0 ms: 2 folds would split 1 + 1, 8 folds 6 + 2.
    """
    from ..core.verdicts import fmt_seconds

    if not (isinstance(fold_seconds, Real) and fold_seconds > 0):
        raise ValueError(f"fold_seconds={fold_seconds!r} is not allowed; allowed: a number of seconds > 0.")
    schedule = schedule_from_result(result)
    ready, counts, k = ready_times(result), schedule.per_worker_counts(), schedule.n_folds
    lines = [
        f"worker {lane}: first fold started {fmt_seconds(t)} into the run; it ran {n} of the {k} folds"
        if math.isfinite(t)
        else f"worker {lane}: ran none of the {k} folds"
        for lane, (t, n) in enumerate(zip(ready, counts))
    ]
    last = max(lane for lane, t in enumerate(ready) if math.isfinite(t))
    if last == 0:
        lines.append("one worker ran every fold before any other was ready.")
    else:
        head = ready[last] - ready[0]
        lines.append(
            f"worker {last} was ready {fmt_seconds(head)} after worker 0, as long as {_folds(head / fold_seconds)}."
        )
    durations = [t.duration for t in schedule.tasks]
    if len(durations) == k and all(t.status == "done" for t in schedule.tasks):
        expected = head_start_schedule(durations, ready, first_folds(result))
        lines.append(
            f"expected from that head start: {split_text(fold_split(expected))}; measured: "
            f"{split_text(fold_split(schedule))}."
        )
    other = [check_positive_int("other_folds", n, minimum=2) for n in other_folds]
    if other:
        pinned = first_folds(result)
        splits = []
        for n in other:
            first = [f if f is not None and f < n else None for f in pinned]
            replay = head_start_schedule([fold_seconds] * n, ready, first)
            splits.append(f"{n} folds {split_text(fold_split(replay))}")
        splits[0] = splits[0].replace(" folds ", " folds would split ", 1)
        lines.append(f"the same head start with folds of {fmt_seconds(fold_seconds)}: {', '.join(splits)}.")
    return "\n".join(lines)
