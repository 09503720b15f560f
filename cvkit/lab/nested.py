"""Nested parallelism, measured: a parallel step inside each parallel fold, and who ran every task, when.

A nested cross-validation has two levels of tasks. The *outer* folds run in
``joblib.Parallel(n_jobs=outer_n_jobs)``; inside each outer fold an *inner*
parallel step runs: a ``GridSearchCV(n_jobs=inner_n_jobs)`` (one task per
(candidate, inner fold) fit, then the refit of the best candidate) or a
``RandomForestClassifier(n_jobs=inner_n_jobs)`` (one task per tree).
:func:`run_nested` runs it and records, for every task of both levels, the
process and thread that ran it and when (:func:`cvkit.core.trace.now`), and returns
the records through the tasks' own return values (no live channel).

Which backend joblib gives the inner call, and why, is in :mod:`cvkit.lab.nested_rules`; the records
(:class:`NestedRun`, :class:`NestedTask`, :class:`OuterFold`) are in :mod:`cvkit.lab.nested_records`.

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

import time
from numbers import Integral

import joblib

from ..core.checks import check_choice, check_positive_int
from ..core.trace import now
from .nested_records import NestedRun, NestedTask, OuterFold, most_at_once
from .nested_rules import inner_backend_for, outer_workers
from .task_placement import pid_and_thread
from .worker_threads import blas_threads, thread_caps

__all__ = ["INNER_KINDS", "OUTER_BACKENDS", "NestedRun", "NestedTask", "OuterFold", "inner_backend_for",
           "run_nested"]  # fmt: skip

#: What runs in parallel inside each outer fold.
INNER_KINDS = ("grid", "forest")

#: Backends the outer level may use (None: the backend of an enclosing ``parallel_config``, else loky).
OUTER_BACKENDS = ("loky", "threading", "multiprocessing", "sequential")

#: Default grid of the inner search (an ``SVC``): 3 candidates.
DEFAULT_GRID = {"C": [0.1, 1.0, 10.0]}

_N_JOBS_ALLOWED = "None, 1, 2, ... (that many workers) or -1, -2, ... (all cores, all but one, ...)"


def _timed_tree_class():
    from sklearn.tree import DecisionTreeClassifier

    class TimedTree(DecisionTreeClassifier):
        """A decision tree that records who fits it and when, in ``trace_`` (a forest fits trees with ``_fit``)."""

        def _fit(self, X, y, *args, **kwargs):
            start = now()
            fitted = super()._fit(X, y, *args, **kwargs)
            self.trace_ = (*pid_and_thread(), start, now())
            return fitted

    return TimedTree


def _outer_task(fold, train, test, X, y, spec, inner_n_jobs, t0):
    """Run one outer fold in whichever worker joblib chose; return its record and its inner tasks' records."""
    from sklearn.base import clone
    from sklearn.metrics import f1_score

    start = now()
    pid, tid = pid_and_thread()
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
    caps = thread_caps()
    record = OuterFold(fold, pid, tid, start - t0, end - t0, score, best, backend, level, workers, caps,
                       blas_threads())  # fmt: skip
    return record, tasks


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
    n_outer_workers = outer_workers(outer_n_jobs, backend)
    settings = {
        "inner": inner, "outer_n_jobs": outer_n_jobs, "inner_n_jobs": inner_n_jobs, "backend": backend,
        "outer_workers": n_outer_workers, "outer_folds": outer_folds, "inner_folds": inner_folds,
        "outer_backend": "sequential" if n_outer_workers == 1 else (backend or _active_backend_name()),
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
        peak_tasks=most_at_once([(t.start, t.end) for t in tasks]),
        inner_backend=backends[0] if len(backends) == 1 else "/".join(backends),
    )


def _active_backend_name():
    from ..backends import resolve_backend

    return resolve_backend(None)[1]
