"""Run cross-validation folds serially or through joblib, tracing every task and never losing a finished fold."""

import contextlib
import dataclasses
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
import warnings
from concurrent.futures.process import BrokenProcessPool

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import confusion_matrix

from .backends import backend_context, resolve_backend, resolve_n_jobs
from .compat import TerminatedWorkerError, fail_pending_task
from .compat import active_backend as get_active_backend
from .core import (
    checks,
    inputs,  # inputs: the one input preparation, shared with the advice
)
from .core.results import CVResult, FoldResult
from .core.trace import EventChannel, TaskTrace, now, worker_identity
from .robust.watchdog import StopRequested, Watchdog, WorkerLost

__all__ = [
    "FoldFailedError",
    "FoldTimeoutError",
    "RunError",
    "RunInterrupted",
    "WorkerDiedError",
    "fit_and_score_fold",
    "run_folds",
]

#: Backends whose workers are processes on this machine (a dead one can be detected by its pid).
PROCESS_BACKENDS = ("loky", "multiprocessing")


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


# --------------------------------------------------------------------------------------------
# The task: one fold, run in a worker
# --------------------------------------------------------------------------------------------
def _take(data, index):
    """Rows ``index`` of an array, a sparse matrix or a pandas object."""
    return data.iloc[index] if hasattr(data, "iloc") else data[index]


class _PredictedOnce:
    """A fitted estimator as seen by the scorer, answering ``predict(X_test)`` from predictions already made.

    The fold needs the test predictions twice (score and confusion matrix);
    predicting once keeps a fold as fast as in ``cross_validate``. Everything
    else (``predict_proba``, ``classes_``, tags) is the real estimator's.
    """

    def __init__(self, estimator, X, y_pred):
        self._estimator, self._X, self._y_pred = estimator, X, y_pred

    def predict(self, X):
        return self._y_pred if X is self._X else self._estimator.predict(X)

    def __getattr__(self, name):
        return getattr(self._estimator, name)


def fit_and_score_fold(estimator, X, y, train, test, fold, scorer, labels, events=None):
    """Fit ``estimator`` on one fold's training rows and score it on its test rows.

    This is the task every worker runs. It never raises for an error in the
    estimator: the fold comes back with status "failed", the error's type and
    first line, and a NaN score, so one bad fold cannot take the others down.

    Parameters
    ----------
    estimator : unfitted classifier
        Fitted in place: pass a fresh ``sklearn.base.clone`` per fold.
    X, y : data; train, test : index arrays; fold : int
    scorer : callable ``scorer(estimator, X, y)``
    labels : array, the confusion matrix's row/column order
    events : object with ``send(kind, **payload)`` or None
        Where to announce "start" and "end" while the fold runs.

    Returns
    -------
    FoldResult
        Its trace holds absolute clock times; :func:`run_folds` makes them
        relative to the run's start.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> from sklearn.metrics import get_scorer
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> train, test = np.arange(0, 150, 2), np.arange(1, 150, 2)
    >>> r = fit_and_score_fold(SVC(), X, y, train, test, 0, get_scorer("f1_weighted"), np.unique(y))
    >>> r.status, round(r.score, 3), int(r.confusion_matrix.sum())
    ('done', 0.933, 75)
    """
    host, pid, thread_id, thread_name = worker_identity()
    start = now()
    if events is not None:
        events.send("start", fold=fold, host=host, pid=pid, thread_id=thread_id, thread_name=thread_name, time=start)
    result = FoldResult(fold=fold, n_train=len(train), n_test=len(test))
    try:
        X_train, y_train, X_test, y_test = _take(X, train), _take(y, train), _take(X, test), _take(y, test)
        t = time.perf_counter()
        estimator.fit(X_train, y_train)
        result.fit_time = time.perf_counter() - t
        t = time.perf_counter()
        y_pred = estimator.predict(X_test)
        result.score = float(scorer(_PredictedOnce(estimator, X_test, y_pred), X_test, y_test))
        result.score_time = time.perf_counter() - t
        result.confusion_matrix = confusion_matrix(y_test, y_pred, labels=labels)
    except Exception as exc:
        result.status, result.score = "failed", float("nan")
        result.error_type = type(exc).__name__
        result.error_message = _first_line(exc)
    result.trace = TaskTrace(fold, host, pid, thread_id, thread_name, start, now())
    if events is not None:
        events.send("end", result=result)
    return result


def _first_line(exc, limit=300):
    text = str(exc).strip().splitlines()
    line = text[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# The parent's bookkeeping
# --------------------------------------------------------------------------------------------
class _Tracker:
    """Collect start events and fold results from any source, once each, with times relative to ``t0``."""

    def __init__(self, t0, on_event=None):
        self.t0 = t0
        self.on_event = on_event
        self.outcomes = {}  # fold -> FoldResult (done or failed)
        self.running = {}  # fold -> (pid, start time relative)
        self.attempts = {}
        self._lock = threading.Lock()

    # events: called from the event-channel thread, or directly by the serial loop
    def handle(self, kind, payload):
        if kind == "start":
            fold = payload["fold"]
            with self._lock:
                if fold in self.outcomes:
                    return
                self.attempts[fold] = self.attempts.get(fold, 0) + 1
                rel = payload["time"] - self.t0
                self.running[fold] = (payload["pid"], rel)
                event = dict(payload, time=rel, attempt=self.attempts[fold])
            self._emit("start", event)
        elif kind == "end":
            self.record(payload["result"])

    def send(self, kind, **payload):
        """Let the serial loop use the tracker as a task's ``events``."""
        self.handle(kind, payload)
        return True

    def record(self, result):
        """Keep ``result`` if it is the first one seen for its fold; return the kept one."""
        with self._lock:
            if result.fold in self.outcomes:
                return self.outcomes[result.fold]
            trace = result.trace
            if trace is not None:
                trace = dataclasses.replace(
                    trace,
                    start=trace.start - self.t0,
                    end=trace.end - self.t0,
                    attempt=self.attempts.get(result.fold, 1),
                )
            result = dataclasses.replace(result, trace=trace)
            self.outcomes[result.fold] = result
            self.running.pop(result.fold, None)
        self._emit("done", {"result": result})
        return result

    def fail(self, fold, error_type, message):
        """Record ``fold`` as failed by a fault outside its code (a dead worker, a timeout)."""
        with self._lock:
            self.running.pop(fold, None)
            if fold in self.outcomes:
                return
            result = FoldResult(fold=fold, status="failed", error_type=error_type, error_message=message)
            self.outcomes[fold] = result
        self._emit("done", {"result": result})

    def forget_running(self):
        """Drop start records of unfinished folds (their round was aborted; they will start again)."""
        with self._lock:
            self.running.clear()

    def running_pids(self):
        with self._lock:
            return {fold: pid for fold, (pid, _) in self.running.items()}

    def running_since(self):
        with self._lock:
            return {fold: start for fold, (_, start) in self.running.items()}

    def _emit(self, kind, payload):
        if self.on_event is not None:
            try:
                self.on_event(kind, payload)
            except Exception as exc:
                warnings.warn(f"on_event callback raised {type(exc).__name__}: {exc}", RuntimeWarning, stacklevel=2)


@dataclasses.dataclass
class _Plan:
    estimator: object
    X: object
    y: object
    splits: list
    scorer: object
    scoring: str
    labels: np.ndarray
    backend: object
    backend_label: str
    n_jobs: int
    pre_dispatch: object
    batch_size: object
    timeout: float | None
    on_error: str
    verbose: int


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------
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
    t0 = now()
    tracker = _Tracker(t0, on_event)
    interrupted = None
    try:
        if plan.n_jobs == 1:
            message, fault = _run_serial(plan, tracker, stop_event)
        else:
            message, fault = _run_parallel(plan, tracker, stop_event)
    except KeyboardInterrupt:
        interrupted = True
        message, fault = "interrupted (KeyboardInterrupt)", "interrupt"
    wall_time = now() - t0
    result = _assemble(plan, tracker, message, wall_time)
    if interrupted:
        raise RunInterrupted(result.message, result) from None
    if fault and plan.on_error == "raise":
        error = {"failed": FoldFailedError, "died": WorkerDiedError, "timeout": FoldTimeoutError}[fault]
        raise error(result.message, result)
    if fault:
        warnings.warn(result.message, RuntimeWarning, stacklevel=2)
    return result


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
    return _Plan(
        estimator, X, y, splits, scorer, scoring_name, labels, backend,
        "serial" if n_workers == 1 else backend_label, n_workers,
        pre_dispatch, batch_size, timeout, on_error, verbose,
    )  # fmt: skip


def _run_serial(plan, tracker, stop_event):
    """The plain loop: no joblib, no pool, one fold after another in this thread."""
    for fold, (train, test) in enumerate(plan.splits):
        if stop_event is not None and stop_event.is_set():
            return _stopped_message(plan, tracker), None
        result = tracker.record(
            fit_and_score_fold(
                clone(plan.estimator), plan.X, plan.y, train, test, fold, plan.scorer, plan.labels, events=tracker
            )
        )
        if result.status == "failed" and plan.on_error == "raise":
            return _fold_failed_message(result), "failed"
    return _summary(plan, tracker)


def _fold_failed_message(result):
    return f"fold {result.fold} failed: {result.error_type}: {result.error_message}"


def _stopped_message(plan, tracker):
    done = sum(r.ok for r in tracker.outcomes.values())
    return f"stopped by request: {done} of {len(plan.splits)} folds finished and kept, the others cancelled"


def _summary(plan, tracker):
    """How a run that went to the end ended: ``(None, None)`` if every fold finished."""
    failed = [r for _, r in sorted(tracker.outcomes.items()) if r.status == "failed"]
    if not failed:
        return None, None
    shown = "; ".join(f"fold {r.fold}: {r.error_type}: {r.error_message}" for r in failed[:3])
    more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
    return (
        f"{len(failed)} of {len(plan.splits)} folds failed ({shown}{more}); "
        f"the other {len(plan.splits) - len(failed)} folds finished and are kept"
    ), "failed"


def _supports_generator(plan):
    if plan.backend is None:
        active, _ = get_active_backend()
        return active.supports_return_generator
    if isinstance(plan.backend, str):
        return plan.backend != "multiprocessing"
    return plan.backend.supports_return_generator


def _run_parallel(plan, tracker, stop_event):
    """Dispatch the folds through joblib in rounds; a fault ends a round, the next round resumes.

    A round is one ``Parallel`` call. When a worker dies, joblib aborts the
    whole call, so the folds that were running become suspects and each is
    re-run alone: the one that kills its worker again is the culprit, and is
    recorded as failed. Returns ``(message, fault)``; ``(None, None)`` if
    every fold finished.
    """
    pending = list(range(len(plan.splits)))
    suspects = []
    blameless_timeouts = 0
    return_as = "generator_unordered" if _supports_generator(plan) else "list"
    watch_workers = plan.backend_label in PROCESS_BACKENDS
    with EventChannel(callback=tracker.handle) as channel, backend_context(plan.backend), _shared_inputs(plan):
        sender = channel.sender()
        while True:
            pending = [f for f in pending if f not in tracker.outcomes]
            suspects = [f for f in suspects if f not in tracker.outcomes]
            batch = [f for f in pending if f not in suspects] or suspects[:1]
            if not batch:
                break
            solo = batch == suspects[:1]
            attempts_before = dict(tracker.attempts)
            outcome = _run_round(plan, tracker, batch, sender, stop_event, return_as, watch_workers)
            if outcome[0] == "ok":
                continue
            channel.flush()  # handle the "end" events workers sent before the round ended: they carry finished folds
            if outcome[0] == "fold_failed":
                return _fold_failed_message(outcome[1]), "failed"
            if outcome[0] == "stopped":
                return _stopped_message(plan, tracker), None
            unfinished = [f for f in batch if f not in tracker.outcomes]
            running = [f for f in tracker.running_pids() if f in unfinished]
            if outcome[0] == "died":
                detail = outcome[1]
                if plan.on_error == "raise":
                    for f in [f for f in outcome[2] if f in unfinished] or running:
                        tracker.fail(f, "WorkerDied", f"a worker process died while it ran ({detail})")
                    done = sum(r.ok for r in tracker.outcomes.values())
                    return (
                        f"a worker process died ({detail}) while fold(s) {', '.join(map(str, running or unfinished))} "
                        f"ran; the {done} finished fold(s) are kept"
                    ), "died"
                # a fold started more than once in this round was retried by the backend itself (Dask
                # does) and never ended: every worker that ran it died, so it needs no solo re-run
                retried = {f: n for f in running if (n := tracker.attempts.get(f, 0) - attempts_before.get(f, 0)) > 1}
                lost = [f for f in outcome[2] if f in unfinished] if plan.backend_label == "multiprocessing" else []
                if solo:
                    tracker.fail(batch[0], "WorkerDied", f"its worker process died while running it ({detail})")
                elif lost:  # a multiprocessing pool does not kill the other workers: the dead one is the culprit
                    for f in lost:
                        tracker.fail(f, "WorkerDied", f"its worker process died while running it ({detail})")
                elif retried:
                    for f, n in retried.items():
                        tracker.fail(
                            f, "WorkerDied", f"its worker process died each of the {n} times it ran ({detail})"
                        )
                elif running:
                    suspects.extend(f for f in running if f not in suspects)
                else:  # no fold to blame: record all unfinished ones rather than loop
                    for f in unfinished:
                        tracker.fail(f, "WorkerDied", f"a worker process died during the run ({detail})")
            elif outcome[0] == "timeout":
                # joblib's clock for a task starts when the parent begins waiting for it, which may be
                # before the task starts (a cold pool, a queue): blame only folds that really ran too long
                since = tracker.running_since()
                elapsed = now() - tracker.t0
                late = [f for f in running if elapsed - since[f] >= 0.9 * plan.timeout]
                if not late:
                    blameless_timeouts += 1
                    if blameless_timeouts <= 2:
                        continue  # run the round again: the pool is warm now
                    late = unfinished
                names = ", ".join(map(str, late))
                if plan.on_error == "raise":
                    for f in late:
                        tracker.fail(f, "Timeout", f"it ran longer than timeout={plan.timeout} s{_thread_note(plan)}")
                    return f"fold(s) {names} ran longer than timeout={plan.timeout} s{_thread_note(plan)}", "timeout"
                for f in late:
                    tracker.fail(f, "Timeout", f"it ran longer than timeout={plan.timeout} s{_thread_note(plan)}")
    return _summary(plan, tracker)


#: Arrays larger than this go to process workers as a memory-mapped file (joblib's default ``max_nbytes``, 1 MB).
SHARED_NBYTES = 1_000_000


@contextlib.contextmanager
def _shared_inputs(plan):
    """Give process workers large X / y as a read-only memory-mapped file that cvkit writes and removes itself.

    joblib would memory-map them too, but at the end of every call it asks its
    resource tracker to unlink its copy and then removes the folder; losing that
    race (often) costs a 0.1 s sleep (joblib/disk.py ``delete_folder``) per call.
    An array that is already a ``np.memmap`` is passed by file name, so joblib has
    nothing to clean up. Workers see the same read-only data as before.
    """
    big = {
        name: value
        for name in ("X", "y")
        if isinstance(value := getattr(plan, name), np.ndarray)
        and not isinstance(value, np.memmap)
        and not value.dtype.hasobject
        and value.nbytes > SHARED_NBYTES
    }
    if plan.backend_label not in PROCESS_BACKENDS or not big:
        yield
        return
    import joblib

    shm = "/dev/shm"
    usable = os.path.isdir(shm) and os.access(shm, os.W_OK)
    folder = tempfile.mkdtemp(prefix=f"cvkit-data-{os.getpid()}-", dir=shm if usable else None)
    try:
        for name, value in big.items():
            path = os.path.join(folder, f"{name}.pkl")
            joblib.dump(value, path)
            setattr(plan, name, joblib.load(path, mmap_mode="r"))
        yield
    finally:
        for name, value in big.items():
            setattr(plan, name, value)
        shutil.rmtree(folder, ignore_errors=True)


def _thread_note(plan):
    return " (a thread cannot be killed: it goes on in the background)" if plan.backend_label == "threading" else ""


def _import_in_worker(module):
    """Import ``module`` in a worker and return its pid (the warm-up task)."""
    import importlib
    import os

    importlib.import_module(module)
    return os.getpid()


def _warm_up_workers(plan):
    """Start the loky workers and import the estimator's library in each before folds are timed.

    joblib's ``timeout`` clock runs from when the parent waits for a result;
    without a warm pool it would count worker start-up (~1 s, importing
    scikit-learn) against the first folds.
    """
    module = type(plan.estimator).__module__
    Parallel(n_jobs=plan.n_jobs)(delayed(_import_in_worker)(module) for _ in range(plan.n_jobs))


def _run_round(plan, tracker, batch, sender, stop_event, return_as, watch_workers):
    """One joblib call over the folds in ``batch``; returns ("ok",) or what ended it early."""
    parallel = Parallel(
        n_jobs=plan.n_jobs,
        pre_dispatch=plan.pre_dispatch,
        batch_size=plan.batch_size,
        timeout=plan.timeout,
        return_as=return_as,
        verbose=plan.verbose,
    )
    tasks = (
        delayed(fit_and_score_fold)(
            clone(plan.estimator), plan.X, plan.y, *plan.splits[fold], fold, plan.scorer, plan.labels, sender
        )
        for fold in batch
    )
    tracker.forget_running()  # folds of an aborted round that are dispatched again
    if plan.timeout is not None and plan.backend_label == "loky":
        _warm_up_workers(plan)
    watchdog = Watchdog(
        tracker.running_pids,
        stop_event,
        watch_workers=watch_workers,
        interrupt=lambda exc: fail_pending_task(parallel, exc),
        interval=0.2,  # 5 checks a second: prompt enough for Stop, cheap for the parent's core
    )
    output = None
    try:
        try:
            output = parallel(tasks)
            for result in output:
                kept = tracker.record(result)
                if kept.status == "failed" and plan.on_error == "raise":
                    return ("fold_failed", kept)
        finally:
            watchdog.disarm()
            if hasattr(output, "close"):
                with warnings.catch_warnings():  # joblib warns that it cancels tasks: that is what we ask
                    warnings.filterwarnings("ignore", message=r".*tasks which were still being processed")
                    output.close()  # a generator not run to its end: joblib aborts what is queued or running
    except StopRequested:
        return ("stopped",)
    except WorkerLost:
        return ("died", "its process ended", sorted(watchdog.lost))
    except (TerminatedWorkerError, BrokenProcessPool) as exc:
        return ("died", type(exc).__name__, sorted(watchdog.lost))
    except (TimeoutError, multiprocessing.TimeoutError):
        return ("timeout",)
    return ("ok",)


def _assemble(plan, tracker, message, wall_time):
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
