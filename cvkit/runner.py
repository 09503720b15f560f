"""Run cross-validation folds serially or through joblib, tracing every task and never losing a finished fold.

Where to read what:

- The plain path is at the top of :func:`run_folds`: ONE
  ``Parallel(...)(delayed(fit_and_score_fold)(...) for fold ...)`` expression, as in
  scikit-learn's ``model_selection/_validation.py`` (``cross_validate``). It runs
  whenever ``n_jobs > 1`` (``n_jobs=1`` is the plain serial loop, no joblib) and
  nothing robust is asked for: no ``timeout``, ``on_error="record"``, no
  ``stop_event``, no ``on_event``, a backend that returns results as they finish
  (not multiprocessing). It asks joblib for ``return_as="generator_unordered"``
  rather than lesson 02's list: each fold's result is kept the moment it
  arrives, so a worker that dies later loses none of them.
- The task each worker runs, :func:`fit_and_score_fold`: :mod:`cvkit.core.task`.
- The argument checks and the input preparation: :mod:`cvkit.core.checks`, :mod:`cvkit.core.inputs`.
- The robust machinery, when the plain path cannot do (or a worker died during it):
  :mod:`cvkit.robust.rounds` (joblib calls in rounds, the culprit of a dead worker,
  timeouts), :mod:`cvkit.robust.tracker` (the bookkeeping: every fold kept once),
  :mod:`cvkit.robust.watchdog` (Stop, dead workers), :mod:`cvkit.robust.pool`
  (warm workers, large arrays as memory-maps), :class:`cvkit.core.trace.EventChannel`
  (live events).
"""

import contextlib
import dataclasses
import warnings

from joblib import Parallel, delayed
from sklearn.base import clone

from .backends import backend_context, resolve_backend, resolve_n_jobs
from .core import checks, inputs
from .core.results import CVResult, FoldResult
from .core.task import fit_and_score_fold
from .core.trace import now
from .robust.pool import shared_inputs
from .robust.rounds import WORKER_DIED, Plan, run_rounds, supports_generator
from .robust.tracker import Tracker, fold_failed_message

__all__ = [
    "FoldFailedError",
    "FoldTimeoutError",
    "RunError",
    "RunInterrupted",
    "WorkerDiedError",
    "run_folds",
]


class RunError(RuntimeError):
    """A run ended early; ``.result`` holds every fold finished before it ended."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


class FoldFailedError(RunError):
    """A fold raised and ``on_error="raise"`` was asked."""


class WorkerDiedError(RunError):
    """A worker process died while running a fold and ``on_error="raise"`` was asked."""


class FoldTimeoutError(RunError, TimeoutError):
    """A fold ran longer than ``timeout`` and ``on_error="raise"`` was asked."""


class RunInterrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C, or the kernel's Interrupt); ``.result`` holds the finished folds."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


def run_folds(
    estimator,
    X,
    y,
    *,
    cv=5,
    scoring="f1_weighted",
    n_jobs=None,
    backend=None,
    pre_dispatch="2*n_jobs",
    batch_size="auto",
    groups=None,
    on_error="record",
    timeout=None,
    stop_event=None,
    on_event=None,
    verbose=0,
):
    """Cross-validate ``estimator``: one task per fold, run serially or by joblib, each traced.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Never fitted itself: each fold fits its own ``sklearn.base.clone``.
    X : array-like, sparse matrix or pandas DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels; numbers or strings.
    cv : int or scikit-learn splitter, default 5
        An int means ``StratifiedKFold(cv)`` for a classifier, as in scikit-learn.
    scoring : str or callable, default "f1_weighted"
        Any scikit-learn scorer name, or a callable ``scorer(estimator, X, y)``.
    n_jobs : int or None
        1 runs the plain serial loop (no joblib). k > 1 runs k workers; -1 all
        cores, -2 all but one. None takes n_jobs from an enclosing
        ``joblib.parallel_config`` (or ``parallel_backend``), else 1.
    backend : str, joblib backend instance or None
        "loky", "threading", "multiprocessing", "dask", an instance such as
        a backend registered with ``joblib.register_parallel_backend``, or None for the
        enclosing ``parallel_config``'s backend (loky if none).
    pre_dispatch, batch_size
        Passed to :class:`joblib.Parallel` (see lesson 03).
    groups : array-like, optional
        Group labels for group-aware splitters.
    on_error : {"record", "raise"}, default "record"
        "record": a fold that raises, kills its worker or times out is kept as
        "failed" (score NaN, its error in one line) and the other folds go on.
        "raise": the run stops at the first such fold and raises a
        :class:`RunError` whose ``.result`` holds every fold finished before.
    timeout : float, optional
        Seconds one fold may run (joblib's per-task timeout; not applied when
        the run is serial, as in joblib).
    stop_event : threading.Event, optional
        Set it from another thread to stop: folds not started are cancelled,
        finished ones are kept. Used by the explorer's Stop button.
    on_event : callable ``on_event(kind, payload)``, optional
        Called as folds start (``"start"``, with fold, pid, thread_id and
        time since the run started) and finish (``"done"``, with the
        :class:`FoldResult`), in completion order, while the run goes on. It may
        be called from a helper thread.
    verbose : int
        joblib's progress messages (printed by the parent).

    Returns
    -------
    CVResult
        Every fold, in fold order. Folds that did not finish are included
        with status "failed" or "cancelled", and :attr:`CVResult.message` says
        what happened.

    Raises
    ------
    ValueError, TypeError
        Bad input, before anything is dispatched.
    FoldFailedError, WorkerDiedError, FoldTimeoutError
        Only with ``on_error="raise"``; ``.result`` holds the finished folds.
    RunInterrupted
        On Ctrl-C / kernel interrupt; ``.result`` holds the finished folds.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> result = run_folds(SVC(), X, y, cv=5)
    >>> result.scores.round(3).tolist()
    [0.967, 0.967, 0.967, 0.933, 1.0]
    >>> int(result.confusion_matrix_sum.sum())  # every sample is tested exactly once
    150
    >>> run_folds(SVC(), X, y, cv=1)
    Traceback (most recent call last):
    ...
    ValueError: n_splits=1 is not allowed; allowed: an integer >= 2.
    """
    plan = _make_plan(
        estimator, X, y, cv, scoring, n_jobs, backend, pre_dispatch, batch_size, groups, on_error, timeout, verbose
    )
    tracker = Tracker(now(), on_event)
    try:
        if _plain_path_will_do(plan, stop_event, on_event):
            # The plain path: one joblib call, as in scikit-learn's cross_validate; each result kept as it arrives.
            # A worker that dies ends the call: the robust rounds below then find the fold that killed it.
            with contextlib.suppress(*WORKER_DIED), backend_context(plan.backend), shared_inputs(plan):
                results = Parallel(
                    n_jobs=plan.n_jobs,
                    pre_dispatch=plan.pre_dispatch,
                    batch_size=plan.batch_size,
                    return_as="generator_unordered",
                    verbose=plan.verbose,
                )(
                    delayed(fit_and_score_fold)(
                        clone(estimator), plan.X, plan.y, train, test, fold, plan.scorer, plan.labels
                    )
                    for fold, (train, test) in enumerate(plan.splits)
                )
                for result in results:
                    tracker.record(result)
        message, fault = _run_the_rest(plan, tracker, stop_event)
    except KeyboardInterrupt:
        message, fault = "interrupted (KeyboardInterrupt)", "interrupt"
    result = _assemble(plan, tracker, message, now() - tracker.t0)
    if fault == "interrupt":
        raise RunInterrupted(result.message, result) from None
    if fault and plan.on_error == "raise":
        error = {"failed": FoldFailedError, "died": WorkerDiedError, "timeout": FoldTimeoutError}[fault]
        raise error(result.message, result)
    if fault:
        warnings.warn(result.message, RuntimeWarning, stacklevel=2)
    return result


def _plain_path_will_do(plan, stop_event, on_event):
    """True if the run needs nothing the plain ``Parallel`` call lacks (see the module's docstring)."""
    return (
        plan.n_jobs > 1
        and plan.timeout is None
        and plan.on_error == "record"
        and stop_event is None
        and on_event is None
        and supports_generator(plan)  # a multiprocessing worker that dies would block the plain call for ever
    )


def _run_the_rest(plan, tracker, stop_event):
    """Run the folds the plain path did not: all of them serially (n_jobs=1), or the rest in the robust rounds."""
    if plan.n_jobs == 1:
        return _run_serial(plan, tracker, stop_event)
    if len(tracker.outcomes) == len(plan.splits):  # the plain path finished every fold
        return tracker.summary(len(plan.splits))
    with backend_context(plan.backend):
        return run_rounds(plan, tracker, stop_event, task=fit_and_score_fold)


def _make_plan(
    estimator, X, y, cv, scoring, n_jobs, backend, pre_dispatch, batch_size, groups, on_error, timeout, verbose
):
    """Check every argument and split the data; nothing is dispatched before this returns."""
    inputs.check_estimator(estimator)
    checks.check_choice("on_error", on_error, ("record", "raise"))
    checks.check_n_jobs(n_jobs)
    pre_dispatch = checks.check_pre_dispatch(pre_dispatch)
    batch_size = checks.check_batch_size(batch_size)
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout={timeout!r} is not allowed; allowed: None or a number of seconds > 0.")
    backend, backend_label = resolve_backend(backend)

    X, y, _, splits, scorer, scoring_name, labels = inputs.prepare_inputs(
        estimator, X, y, cv=cv, scoring=scoring, groups=groups
    )
    n_workers = resolve_n_jobs(n_jobs, backend)
    checks.check_pre_dispatch_tasks(pre_dispatch, n_workers)
    if timeout is not None and n_workers == 1:
        warnings.warn(
            f"timeout={timeout} is not applied when the run is serial (n_jobs=1), as in joblib.",
            UserWarning,
            stacklevel=3,
        )
    return Plan(
        estimator=estimator,
        X=X,
        y=y,
        splits=splits,
        scorer=scorer,
        scoring=scoring_name,
        labels=labels,
        backend=backend,
        backend_label="serial" if n_workers == 1 else backend_label,
        n_jobs=n_workers,
        pre_dispatch=pre_dispatch,
        batch_size=batch_size,
        timeout=timeout,
        on_error=on_error,
        verbose=verbose,
    )


def _run_serial(plan, tracker, stop_event):
    """The plain loop: no joblib, no pool, one fold after another in this thread."""
    for fold, (train, test) in enumerate(plan.splits):
        if stop_event is not None and stop_event.is_set():
            return tracker.stopped_message(len(plan.splits)), None
        result = tracker.record(
            fit_and_score_fold(
                clone(plan.estimator), plan.X, plan.y, train, test, fold, plan.scorer, plan.labels, events=tracker
            )
        )
        if result.status == "failed" and plan.on_error == "raise":
            return fold_failed_message(result), "failed"
    return tracker.summary(len(plan.splits))


def _assemble(plan, tracker, message, wall_time):
    """The run's :class:`CVResult`: every fold in fold order, those without an outcome "cancelled"."""
    folds = []
    for fold, (train, test) in enumerate(plan.splits):
        result = tracker.outcomes.get(fold)
        if result is None:
            result = FoldResult(
                fold=fold,
                status="cancelled",
                n_train=len(train),
                n_test=len(test),
                error_type="Cancelled",
                error_message="not finished when the run ended",
            )
        elif result.n_test == 0:
            result = dataclasses.replace(result, n_train=len(train), n_test=len(test))
        folds.append(result)
    return CVResult(
        folds=folds,
        scoring=plan.scoring,
        labels=plan.labels,
        n_jobs=plan.n_jobs,
        backend=plan.backend_label,
        wall_time=wall_time,
        message=message or "all folds finished",
        settings={
            "pre_dispatch": plan.pre_dispatch,
            "batch_size": plan.batch_size,
            "timeout": plan.timeout,
            "on_error": plan.on_error,
        },
    )
