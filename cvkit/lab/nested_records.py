"""The records of a nested run: every inner task and outer fold, who ran it and when, and what they add up to.

:func:`cvkit.lab.nested.run_nested` makes them; :func:`cvkit.plots.plot_nested` draws a :class:`NestedRun`.
:func:`most_at_once` counts the tasks (or processes) running at the same moment.
"""

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["NestedRun", "NestedTask", "OuterFold", "most_at_once"]


class _RanOnAWorker:
    """What a record with ``pid``, ``thread_id``, ``start`` and ``end`` says: how long it ran, and where."""

    @property
    def duration(self):
        """Seconds it ran."""
        return self.end - self.start

    @property
    def worker(self):
        """``(pid, thread_id)`` of the worker that ran it."""
        return (self.pid, self.thread_id)


@dataclass(frozen=True)
class NestedTask(_RanOnAWorker):
    """One inner task: which outer fold it belongs to, what it did, the worker that ran it, and when.

    Attributes
    ----------
    outer_fold : int
        Index of the outer fold whose inner step made this task.
    kind : {"fit", "refit", "tree"}
        A (candidate, inner fold) fit of the search, the search's refit of the
        best candidate on the outer training set, or one tree of the forest.
    index : int
        The task's number inside its outer fold (the search's task number,
        ``candidate * inner_folds + inner_fold``; the refit comes last; or the tree's index).
    candidate, inner_fold : int or None
        For the search's tasks (the refit has a candidate and no fold); None for trees.
    pid, thread_id : int
        The process and native thread that ran it.
    start, end : float
        Seconds since the run started (wall clock, comparable between processes).

    Examples
    --------
    >>> t = NestedTask(1, "fit", 4, 1, 1, 100, 101, 0.5, 0.75)
    >>> t.duration, t.worker
    (0.25, (100, 101))
    """

    outer_fold: int
    kind: str
    index: int
    candidate: int | None
    inner_fold: int | None
    pid: int
    thread_id: int
    start: float
    end: float


@dataclass(frozen=True)
class OuterFold(_RanOnAWorker):
    """One outer fold: the worker that ran it, when, its score, and what its inner step got from joblib.

    Attributes
    ----------
    fold : int
    pid, thread_id : int
    start, end : float
        Seconds since the run started: the whole outer task (inner step, refit, test score).
    score : float
        f1 (weighted) of the fitted model on the outer test fold.
    best_params : dict or None
        The search's best candidate (None for a forest).
    inner_backend : str
        The backend joblib gave the inner ``Parallel`` call in this worker:
        "threading", "loky", "multiprocessing", or "sequential" (one task after the other).
    inner_nesting_level : int
        joblib's nesting level of that backend (0: not nested; 1: inside a worker of the outer call).
    inner_workers : int
        How many inner tasks can run at once: joblib's ``effective_n_jobs`` for the inner call.
    thread_caps : dict
        BLAS/OpenMP cap variables in the worker's environment (:data:`cvkit.lab.worker_threads.THREAD_CAP_VARIABLES` that are set).
    blas_threads : int
        Threads of the worker's BLAS thread pool, as threadpoolctl reports it (0 if none is loaded).
    """

    fold: int
    pid: int
    thread_id: int
    start: float
    end: float
    score: float
    best_params: dict | None
    inner_backend: str
    inner_nesting_level: int
    inner_workers: int
    thread_caps: dict = field(default_factory=dict)
    blas_threads: int = 0


def most_at_once(intervals, key=None):
    """Most intervals running at once (``key``: count distinct keys instead), by a sweep over starts and ends.

    Parameters
    ----------
    intervals : sequence of (start, end, ...) tuples
    key : callable or None
        Count distinct ``key(interval)`` values running at once (e.g. processes) instead of intervals.

    Examples
    --------
    >>> most_at_once([(0, 2), (1, 3), (2, 4)])   # an end and a start at the same moment do not overlap
    2
    >>> most_at_once([(0, 2, "a"), (1, 3, "a"), (1, 3, "b")], key=lambda i: i[2])
    2
    >>> most_at_once([])
    0
    """
    events = sorted([(i[1], 0, n) for n, i in enumerate(intervals)] + [(i[0], 1, n) for n, i in enumerate(intervals)])
    running, best = Counter(), 0
    for _, is_start, n in events:
        k = key(intervals[n]) if key is not None else n
        if is_start:
            running[k] += 1
        else:
            running[k] -= 1
            if not running[k]:
                del running[k]
        best = max(best, len(running))
    return best


@dataclass(frozen=True)
class NestedRun:
    """A measured nested cross-validation: every inner task and outer fold, with who ran it and when.

    Attributes
    ----------
    tasks : tuple of NestedTask
        The inner tasks, by outer fold then task number.
    outer : tuple of OuterFold
        The outer folds, in order.
    settings : dict
        ``inner`` ("grid" or "forest"), ``outer_n_jobs``, ``inner_n_jobs`` and
        ``backend`` (as given), ``outer_workers`` (how many outer folds can run
        at once), ``outer_folds``, ``inner_folds``, ``outer_backend`` (the
        backend the outer folds ran on; "sequential" when joblib ran them one
        after the other in this thread, as it does for one worker), ``cores``
        (``joblib.cpu_count()`` when the run started), ``n_candidates`` or
        ``n_estimators``.
    wall_time : float
        Seconds from the outer ``Parallel`` call to its return, read in this process.
    n_processes, n_threads : int
        Distinct processes, and distinct (process, thread) pairs, that ran a
        task of either level. The threading backend makes new threads for every
        inner call, so threads can outnumber those that ever ran at once.
    peak_tasks : int
        The most inner tasks running at the same moment.
    inner_backend : str
        The backend joblib chose for the inner level (see :class:`OuterFold`).
    """

    tasks: tuple
    outer: tuple
    settings: dict
    wall_time: float
    n_processes: int
    n_threads: int
    peak_tasks: int
    inner_backend: str

    @property
    def scores(self):
        """f1 (weighted) of each outer fold, in order."""
        return [o.score for o in self.outer]

    @property
    def inner_workers(self):
        """How many inner tasks each outer fold can run at once (joblib's effective n_jobs of the inner call)."""
        return max(o.inner_workers for o in self.outer)

    @property
    def inner_call_tasks(self):
        """Tasks of one inner ``Parallel`` call: candidates × inner folds (the refit comes after it), or trees."""
        s = self.settings
        return s["n_candidates"] * s["inner_folds"] if s["inner"] == "grid" else s["n_estimators"]

    @property
    def max_tasks_at_once(self):
        """The most inner tasks that can run at once: outer folds at once × inner tasks at once per fold.

        Outer folds at once: the outer workers, at most the outer folds; inner
        tasks at once: the inner workers, at most the tasks of one inner call.
        """
        outer = min(self.settings["outer_workers"], len(self.outer))
        return outer * min(self.inner_workers, self.inner_call_tasks)

    @property
    def oversubscribed(self):
        """True when more tasks can run at once than the run had cores (outer × inner > cores)."""
        return self.max_tasks_at_once > self.settings["cores"]

    @property
    def peak_processes(self):
        """The most distinct processes running an inner task at the same moment."""
        return most_at_once([(t.start, t.end, t.pid) for t in self.tasks], key=lambda i: i[2])

    def inner_places(self):
        """Where the inner fits ran, relative to the worker of their outer fold (refits always run there): a phrase.

        "the outer fold's own thread", "other threads of the outer fold's process"
        and/or "other processes", joined with "and".
        """
        places = set()
        for outer in self.outer:
            for task in self.tasks_of(outer.fold):
                if task.kind == "refit":
                    continue
                if task.worker == outer.worker:
                    places.add("the outer fold's own thread")
                elif task.pid == outer.pid:
                    places.add("other threads of the outer fold's process")
                else:
                    places.add("other processes")
        return " and ".join(sorted(places))

    def tasks_of(self, outer_fold):
        """The inner tasks of one outer fold, in task order."""
        return [t for t in self.tasks if t.outer_fold == outer_fold]

    def workers(self):
        """Every ``(pid, thread_id)`` that ran a task, outer folds' first, in the order each first started one."""
        seen = {}
        for item in sorted([*self.outer, *self.tasks], key=lambda t: t.start):
            seen.setdefault(item.worker, None)
        return list(seen)

    def summary(self):
        """One paragraph: what ran where, computed from the records (counts and the peak, not timings)."""
        s = self.settings
        inner_what = "(candidate, fold) fits and refits" if s["inner"] == "grid" else "trees"
        return (
            f"{len(self.outer)} outer folds (outer n_jobs={s['outer_n_jobs']!r}, {s['outer_backend']}) × "
            f"{len(self.tasks)} inner tasks in all ({inner_what}; inner n_jobs={s['inner_n_jobs']!r}, "
            f"joblib chose {self.inner_backend} with {self.inner_workers} at once per fold). "
            f"{self.n_processes} process(es) and {self.n_threads} thread(s) ran tasks; at most "
            f"{self.peak_tasks} inner task(s) ran at the same moment, in {self.peak_processes} process(es) "
            f"(possible: {self.max_tasks_at_once}, on {s['cores']} core(s))."
        )

    def to_frame(self):
        """The inner tasks as a pandas DataFrame, one row each."""
        import pandas as pd

        rows = [{**t.__dict__, "duration": t.duration} for t in self.tasks]
        return pd.DataFrame(rows)
