"""Nested parallelism, measured: a parallel step inside each parallel fold, and who ran every task, when.

A nested cross-validation has two levels of tasks. The *outer* folds run in
``joblib.Parallel(n_jobs=outer_n_jobs)``; inside each outer fold an *inner*
parallel step runs: a ``GridSearchCV(n_jobs=inner_n_jobs)`` (one task per
(candidate, inner fold) fit, then the refit of the best candidate) or a
``RandomForestClassifier(n_jobs=inner_n_jobs)`` (one task per tree).
:func:`run_nested` runs it and records, for every task of both levels, the
process and thread that ran it and when (:func:`cvkit.core.trace.now`), and returns
the records through the tasks' own return values (no live channel).

What joblib does with the inner ``Parallel`` call (joblib 1.6)
------------------------------------------------------------
Each batch of tasks a ``Parallel`` call sends to a worker carries the backend
for calls made *inside* it (``backend.get_nested_backend()``), and the worker
runs the batch inside ``parallel_config(backend=that backend)``:

- outer loky, multiprocessing or threading with 2 or more workers: the inner
  call gets a **threading** backend (nesting level 1) in the worker that runs
  the outer fold. ``n_jobs=k`` inside it is ``k`` threads; ``n_jobs=-1`` is
  ``joblib.cpu_count()`` threads, all the machine's cores, *in each outer
  worker*; ``n_jobs=None`` (or 1) runs the inner tasks one after the other.
  A call one level deeper still runs sequentially.
- outer ``n_jobs=1`` (or the sequential backend): joblib runs the outer tasks
  in the calling thread, without changing the configuration, so the inner call
  gets what the caller would get: loky worker processes for ``GridSearchCV``,
  threads for a random forest (it asks for ``prefer="threads"``).
- loky starts its workers with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
  ``MKL_NUM_THREADS``, ... set in their environment: to ``inner_max_num_threads``
  if given, else to the parent's own value of the variable if it has one, else
  to ``max(cpu_count() // n_jobs, 1)``. So BLAS and OpenMP thread pools inside
  an outer loky worker are capped; the threading backend sets no cap, and the
  inner threads share their process's (capped) pools.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> X, y = load_iris(return_X_y=True)
>>> run = run_nested(X, y, outer_n_jobs=1, inner_n_jobs=1, outer_folds=2, inner_folds=2)
>>> run.inner_backend, len(run.outer), len(run.tasks)
('sequential', 2, 14)
>>> [(t.kind, t.candidate, t.inner_fold) for t in run.tasks_of(0)][:3]
[('fit', 0, 0), ('fit', 0, 1), ('fit', 1, 0)]
>>> run.n_processes, run.peak_tasks
(1, 1)
"""

import os
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from numbers import Integral

import joblib

from ..core.checks import check_choice, check_positive_int
from ..core.trace import now

__all__ = ["INNER_KINDS", "OUTER_BACKENDS", "NestedRun", "NestedTask", "OuterFold", "inner_backend_for",
           "run_nested"]  # fmt: skip

#: What runs in parallel inside each outer fold.
INNER_KINDS = ("grid", "forest")

#: Backends the outer level may use (None: the backend of an enclosing ``parallel_config``, else loky).
OUTER_BACKENDS = ("loky", "threading", "multiprocessing", "sequential")

#: The environment variables loky sets in its workers to cap BLAS and OpenMP threads (the ones recorded).
THREAD_CAP_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: Default grid of the inner search (an ``SVC``): 3 candidates.
DEFAULT_GRID = {"C": [0.1, 1.0, 10.0]}

_N_JOBS_ALLOWED = "None, 1, 2, ... (that many workers) or -1, -2, ... (all cores, all but one, ...)"


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NestedTask:
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

    @property
    def duration(self):
        """Seconds the task ran."""
        return self.end - self.start

    @property
    def worker(self):
        """``(pid, thread_id)`` of the worker that ran the task."""
        return (self.pid, self.thread_id)


@dataclass(frozen=True)
class OuterFold:
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
        BLAS/OpenMP cap variables in the worker's environment (:data:`THREAD_CAP_VARIABLES` that are set).
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

    @property
    def duration(self):
        """Seconds the outer task ran."""
        return self.end - self.start

    @property
    def worker(self):
        """``(pid, thread_id)`` of the worker that ran the outer fold."""
        return (self.pid, self.thread_id)


def _peak(intervals, key=None):
    """Most intervals running at once (``key``: count distinct keys instead), by a sweep over starts and ends.

    >>> _peak([(0, 2), (1, 3), (2, 4)])   # an end and a start at the same moment do not overlap
    2
    >>> _peak([(0, 2, "a"), (1, 3, "a"), (1, 3, "b")], key=lambda i: i[2])
    2
    >>> _peak([])
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
        return _peak([(t.start, t.end, t.pid) for t in self.tasks], key=lambda i: i[2])

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


# --------------------------------------------------------------------------------------------
# Which backend an inner call gets
# --------------------------------------------------------------------------------------------
def inner_backend_for(inner_n_jobs, prefer=None):
    """The backend a ``Parallel(n_jobs=inner_n_jobs, prefer=prefer)`` call made *here* would run on.

    Asks joblib the way ``Parallel`` does: the active backend (inside a worker,
    the nested backend the outer call set), then its ``effective_n_jobs``; one
    worker means joblib runs the tasks one after the other.

    Parameters
    ----------
    inner_n_jobs : int or None
    prefer : {None, "threads", "processes"}
        The hint the inner code gives (a random forest gives "threads").

    Returns
    -------
    (name, nesting_level, workers) : (str, int, int)

    Examples
    --------
    >>> inner_backend_for(2)[0], inner_backend_for(1)
    ('loky', ('sequential', 0, 1))
    >>> inner_backend_for(2, prefer="threads")[:2]
    ('threading', 0)
    >>> with joblib.parallel_config(backend="threading"):
    ...     joblib.Parallel(n_jobs=2)(joblib.delayed(inner_backend_for)(-1) for _ in range(2))[0] == (
    ...         "threading", 1, joblib.cpu_count()) or joblib.cpu_count() == 1
    True
    """
    from ..backends import backend_name
    from ..compat import active_backend as get_active_backend

    backend, config_n_jobs = get_active_backend(prefer=prefer)
    n_jobs = inner_n_jobs if inner_n_jobs is not None else config_n_jobs
    if n_jobs is None:
        n_jobs = backend.default_n_jobs
    with warnings.catch_warnings():  # loky refuses below threads with a warning and 1 worker: the 1 is the answer
        warnings.simplefilter("ignore")
        workers = int(backend.effective_n_jobs(n_jobs))
    level = backend.nesting_level or 0
    return ("sequential" if workers == 1 else backend_name(backend)), level, workers


# --------------------------------------------------------------------------------------------
# The tasks
# --------------------------------------------------------------------------------------------
def _timed_tree_class():
    from sklearn.tree import DecisionTreeClassifier

    class TimedTree(DecisionTreeClassifier):
        """A decision tree that records who fits it and when, in ``trace_`` (a forest fits trees with ``_fit``)."""

        def _fit(self, X, y, *args, **kwargs):
            start = now()
            fitted = super()._fit(X, y, *args, **kwargs)
            self.trace_ = (os.getpid(), threading.get_native_id(), start, now())
            return fitted

    return TimedTree


def _blas_threads():
    try:
        from threadpoolctl import threadpool_info

        return max([p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"], default=0)
    except Exception:
        return 0


def _outer_task(fold, train, test, X, y, spec, inner_n_jobs, t0):
    """Run one outer fold in whichever worker joblib chose; return its record and its inner tasks' records."""
    from sklearn.base import clone
    from sklearn.metrics import f1_score

    start = now()
    pid, tid = os.getpid(), threading.get_native_id()
    prefer = "threads" if spec["inner"] == "forest" else None
    backend, level, workers = inner_backend_for(inner_n_jobs, prefer=prefer)
    X_train, y_train = X[train], y[train]
    tasks = []
    if spec["inner"] == "grid":
        from sklearn.model_selection import GridSearchCV, StratifiedKFold

        from .search_recorder import SearchRecorder

        recorder = SearchRecorder()
        search = GridSearchCV(clone(spec["estimator"]), spec["param_grid"], scoring="f1_weighted",
                              cv=StratifiedKFold(spec["inner_folds"]), n_jobs=inner_n_jobs)  # fmt: skip
        search.set_callbacks(recorder)
        search.fit(X_train, y_train)
        model, best = search, dict(search.best_params_)
        for t in recorder.tasks():
            tasks.append(NestedTask(fold, t.kind, t.task, t.candidate, t.fold, t.pid, t.thread_id,
                                    t.start - t0, (t.end if t.end is not None else now()) - t0))  # fmt: skip
    else:
        from sklearn.ensemble import RandomForestClassifier

        model = RandomForestClassifier(n_estimators=spec["n_estimators"], random_state=spec["random_state"],
                                       n_jobs=inner_n_jobs)  # fmt: skip
        model.estimator = _timed_tree_class()()  # the forest clones it for every tree
        model.fit(X_train, y_train)
        best = None
        for i, tree in enumerate(model.estimators_):
            t_pid, t_tid, t_start, t_end = tree.trace_
            tasks.append(NestedTask(fold, "tree", i, None, None, t_pid, t_tid, t_start - t0, t_end - t0))
    score = float(f1_score(y[test], model.predict(X[test]), average="weighted"))
    end = now()
    caps = {var: os.environ[var] for var in THREAD_CAP_VARIABLES if var in os.environ}
    record = OuterFold(fold, pid, tid, start - t0, end - t0, score, best, backend, level, workers, caps,
                       _blas_threads())  # fmt: skip
    return record, tasks


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
def _check_n_jobs(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value == 0:
        raise ValueError(f"{name}={value!r} is not allowed; allowed: {_N_JOBS_ALLOWED}.")
    return int(value)


def _check_grid(param_grid):
    grids = [param_grid] if isinstance(param_grid, dict) else param_grid
    ok = isinstance(grids, (list, tuple)) and len(grids) > 0 and all(
        isinstance(g, dict) and g and all(isinstance(k, str) and hasattr(v, "__len__") and len(v) > 0
                                          and not isinstance(v, str) for k, v in g.items())
        for g in grids
    )  # fmt: skip
    if not ok:
        raise ValueError(
            f"param_grid={param_grid!r} is not allowed; allowed: a dict of parameter name -> non-empty list of "
            "values (e.g. {'C': [0.1, 1.0]}), or a non-empty list of such dicts."
        )
    from sklearn.model_selection import ParameterGrid

    return len(ParameterGrid(param_grid))


def _check_folds(name, n_splits, y, where):
    """Stratified folds need every class to have at least ``n_splits`` members in ``y``.

    >>> import numpy as np
    >>> _check_folds("inner_folds", 4, np.array([0] * 5 + [1] * 3), " of outer fold 0's training set")
    Traceback (most recent call last):
    ...
    ValueError: inner_folds=4 is larger than the smallest class of outer fold 0's training set (class 1 has 3 members); allowed with stratified folds: 2 <= inner_folds <= 3.
    """
    import numpy as np

    classes, counts = np.unique(y, return_counts=True)
    i = int(np.argmin(counts))
    label = classes[i].item() if hasattr(classes[i], "item") else classes[i]
    if counts[i] < 2:
        raise ValueError(
            f"class {label!r} has a single member{where}, so it cannot be stratified; allowed: at least 2 "
            f"members of every class{where} (add rows of class {label!r} or drop it)."
        )
    if n_splits > counts[i]:
        raise ValueError(
            f"{name}={n_splits} is larger than the smallest class{where} (class {label!r} has {counts[i]} "
            f"members); allowed with stratified folds: 2 <= {name} <= {counts[i]}."
        )


def _outer_workers(outer_n_jobs, backend):
    """How many outer folds can run at once: joblib's effective n_jobs of the outer call."""
    from ..backends import backend_context

    n = outer_n_jobs
    if backend == "sequential":
        return 1
    with backend_context(backend):
        from ..compat import active_backend as get_active_backend

        active, config_n_jobs = get_active_backend()
        if n is None:
            n = config_n_jobs if config_n_jobs is not None else active.default_n_jobs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(active.effective_n_jobs(n))


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------
def run_nested(X, y, *, inner="grid", outer_n_jobs=2, inner_n_jobs=2, outer_folds=3, inner_folds=3,
               estimator=None, param_grid=None, n_estimators=None, backend=None, random_state=0):  # fmt: skip
    """Run a nested cross-validation with a parallel step inside each parallel outer fold, and record every task.

    The outer folds (``StratifiedKFold(outer_folds)``) run in
    ``joblib.Parallel(n_jobs=outer_n_jobs, backend=backend)``. Inside each, on
    its training set:

    - ``inner="grid"``: ``GridSearchCV(estimator, param_grid,
      cv=StratifiedKFold(inner_folds), scoring="f1_weighted", n_jobs=inner_n_jobs)``;
      its (candidate, fold) fits and its refit are recorded with
      :class:`cvkit.lab.search_recorder.SearchRecorder` (scikit-learn's callbacks), in
      the worker that runs the outer fold;
    - ``inner="forest"``: ``RandomForestClassifier(n_estimators,
      random_state=random_state, n_jobs=inner_n_jobs)``; every tree records who
      fitted it and when.

    Each outer fold is then scored (f1, weighted) on its test set. The scores
    do not depend on ``outer_n_jobs`` nor ``inner_n_jobs``.

    Parameters
    ----------
    X, y : array-like
    inner : {"grid", "forest"}, default "grid"
    outer_n_jobs, inner_n_jobs : int or None, default 2
        As joblib reads them: None (1, unless a ``parallel_config`` sets it),
        1, 2, ... or -1 (all cores), -2, ...
    outer_folds, inner_folds : int >= 2, default 3
    estimator : classifier, optional
        ``inner="grid"`` only; default ``SVC()``.
    param_grid : dict or list of dicts, optional
        ``inner="grid"`` only; default :data:`DEFAULT_GRID` (3 values of C).
    n_estimators : int >= 1, optional
        ``inner="forest"`` only: trees, one inner task each; default 8.
    backend : {None, "loky", "threading", "multiprocessing", "sequential"}
        The outer level's backend (passed to ``Parallel``, so the inner level
        is left to joblib). None: an enclosing ``parallel_config``'s, else loky.
    random_state : int, default 0
        The forest's seed.

    Returns
    -------
    NestedRun

    Raises
    ------
    ValueError, TypeError
        Before any fold runs, for an argument that would make every fold fail.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> run = run_nested(X, y, inner="forest", outer_n_jobs=1, inner_n_jobs=1, outer_folds=2, n_estimators=3)
    >>> [(t.outer_fold, t.kind, t.index) for t in run.tasks]
    [(0, 'tree', 0), (0, 'tree', 1), (0, 'tree', 2), (1, 'tree', 0), (1, 'tree', 1), (1, 'tree', 2)]
    >>> run_nested(X, y, outer_n_jobs=0)
    Traceback (most recent call last):
    ...
    ValueError: outer_n_jobs=0 is not allowed; allowed: None, 1, 2, ... (that many workers) or -1, -2, ... (all cores, all but one, ...).
    >>> run_nested(X, y, inner="svm")
    Traceback (most recent call last):
    ...
    ValueError: inner='svm' is not allowed; allowed: 'grid', 'forest'.
    >>> run_nested(X, y, inner="forest", param_grid={"C": [1.0]})
    Traceback (most recent call last):
    ...
    ValueError: param_grid={'C': [1.0]} was given with inner='forest'; allowed: param_grid and estimator only with inner='grid'.
    """
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from ..core.checks import check_X_y

    check_choice("inner", inner, INNER_KINDS)
    outer_n_jobs = _check_n_jobs("outer_n_jobs", outer_n_jobs)
    inner_n_jobs = _check_n_jobs("inner_n_jobs", inner_n_jobs)
    outer_folds = check_positive_int("outer_folds", outer_folds, minimum=2)
    inner_folds = check_positive_int("inner_folds", inner_folds, minimum=2)
    if backend is not None and backend not in OUTER_BACKENDS:
        shown = ", ".join(repr(b) for b in OUTER_BACKENDS)
        raise ValueError(f"backend={backend!r} is not allowed; allowed: {shown}, or None (an enclosing "
                         "joblib.parallel_config's backend, else loky).")  # fmt: skip
    spec = {"inner": inner, "inner_folds": inner_folds, "random_state": random_state}
    if inner == "grid":
        if n_estimators is not None:
            raise ValueError(f"n_estimators={n_estimators!r} was given with inner='grid'; "
                             "allowed: n_estimators only with inner='forest'.")  # fmt: skip
        if estimator is None:
            from sklearn.svm import SVC

            estimator = SVC()
        if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
            raise TypeError(f"estimator={estimator!r} is not allowed; allowed: a scikit-learn classifier "
                            "(with fit and get_params), e.g. SVC().")  # fmt: skip
        param_grid = DEFAULT_GRID if param_grid is None else param_grid
        n_candidates = _check_grid(param_grid)
        valid = estimator.get_params()
        names = sorted({k for g in ([param_grid] if isinstance(param_grid, dict) else param_grid) for k in g})
        unknown = [k for k in names if k not in valid]
        if unknown:
            raise ValueError(f"param_grid names {unknown} that {type(estimator).__name__} does not have; "
                             f"allowed: its parameters, e.g. {sorted(valid)[:6]}.")  # fmt: skip
        spec.update(estimator=estimator, param_grid=param_grid)
        extra = {"n_candidates": n_candidates}
    else:
        for name, value in (("param_grid", param_grid), ("estimator", estimator)):
            if value is not None:
                raise ValueError(f"{name}={value!r} was given with inner='forest'; "
                                 "allowed: param_grid and estimator only with inner='grid'.")  # fmt: skip
        spec["n_estimators"] = check_positive_int("n_estimators", 8 if n_estimators is None else n_estimators)
        extra = {"n_estimators": spec["n_estimators"]}
    X, y = check_X_y(X, y)
    X, y = np.asarray(X), np.asarray(y)
    _check_folds("outer_folds", outer_folds, y, "")
    splits = list(StratifiedKFold(outer_folds).split(X, y))
    for k, (train, _) in enumerate(splits):  # every inner step must be able to stratify its outer training set
        _check_folds("inner_folds", inner_folds, y[train], f" of outer fold {k}'s training set")
    outer_workers = _outer_workers(outer_n_jobs, backend)
    settings = {
        "inner": inner, "outer_n_jobs": outer_n_jobs, "inner_n_jobs": inner_n_jobs, "backend": backend,
        "outer_workers": outer_workers, "outer_folds": outer_folds, "inner_folds": inner_folds,
        "outer_backend": "sequential" if outer_workers == 1 else (backend or _active_backend_name()),
        "cores": joblib.cpu_count(), **extra,
    }  # fmt: skip

    t0 = now()
    clock0 = time.perf_counter()
    results = joblib.Parallel(n_jobs=outer_n_jobs, backend=backend)(
        joblib.delayed(_outer_task)(k, train, test, X, y, spec, inner_n_jobs, t0)
        for k, (train, test) in enumerate(splits)
    )
    wall = time.perf_counter() - clock0

    outer = tuple(r for r, _ in results)
    tasks = tuple(
        t for _, fold_tasks in results for t in sorted(fold_tasks, key=lambda t: (t.kind == "refit", t.index))
    )
    workers = {t.worker for t in (*outer, *tasks)}
    backends = sorted({o.inner_backend for o in outer})
    return NestedRun(
        tasks=tasks,
        outer=outer,
        settings=settings,
        wall_time=wall,
        n_processes=len({pid for pid, _ in workers}),
        n_threads=len(workers),
        peak_tasks=_peak([(t.start, t.end) for t in tasks]),
        inner_backend=backends[0] if len(backends) == 1 else "/".join(backends),
    )


def _active_backend_name():
    from ..backends import resolve_backend

    return resolve_backend(None)[1]
