"""The fault-tolerant way to run folds: joblib calls in rounds, the culprit of a dead worker found by re-running.

:func:`cvkit.runner.run_folds` takes this path when the plain
``Parallel(...)(delayed(...) ...)`` call cannot do: a ``timeout``,
``on_error="raise"``, a Stop button, live events, the multiprocessing backend,
or a worker that died during the plain call.

A round is one ``Parallel`` call over the folds not finished yet. A fold
that raises comes back "failed" (the task never raises). When a worker dies,
joblib aborts the whole call, so the folds that were running become
suspects, and each is re-run alone: the one that kills its worker again is
the culprit, recorded as failed. A timeout blames only folds that really ran
too long. The :class:`~cvkit.robust.watchdog.Watchdog` ends a call that
would block (Stop pressed, a multiprocessing worker gone); the
:class:`~cvkit.core.trace.EventChannel` brings each fold's start live.
"""

import dataclasses
import multiprocessing
import warnings
from concurrent.futures.process import BrokenProcessPool

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone

from ..compat import TerminatedWorkerError, fail_pending_task
from ..compat import active_backend as get_active_backend
from ..core.trace import EventChannel, now
from .pool import PROCESS_BACKENDS, TASK_MODULES, shared_inputs, warm_workers
from .tracker import fold_failed_message
from .watchdog import StopRequested, Watchdog, WorkerLost

__all__ = ["WORKER_DIED", "Plan", "run_rounds", "supports_generator"]

#: What a joblib call raises when one of its worker processes died (loky, multiprocessing; Dask's KilledWorker).
WORKER_DIED = (TerminatedWorkerError, BrokenProcessPool)


@dataclasses.dataclass
class Plan:
    """Everything a run needs, checked: made by :func:`cvkit.runner.run_folds` before anything is dispatched."""

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


def supports_generator(plan):
    """True if the run's backend can return results as they finish (``return_as="generator_unordered"``)."""
    if plan.backend is None:
        active, _ = get_active_backend()
        return active.supports_return_generator
    if isinstance(plan.backend, str):
        return plan.backend != "multiprocessing"
    return plan.backend.supports_return_generator


def run_rounds(plan, tracker, stop_event, task):
    """Run the folds ``tracker`` has no outcome for, in rounds, until each is finished or blamed.

    Call it inside the run's backend context. Returns ``(message, fault)``:
    ``(None, None)`` if every fold finished; ``fault`` is "failed", "died" or
    "timeout" when the run ended early or some folds failed.

    Parameters
    ----------
    plan : Plan
    tracker : cvkit.robust.tracker.Tracker
    stop_event : threading.Event or None
    task : callable
        The fold task, :func:`cvkit.core.task.fit_and_score_fold` (passed by the runner).
    """
    pending = list(range(len(plan.splits)))
    suspects = []
    blameless_timeouts = 0
    return_as = "generator_unordered" if supports_generator(plan) else "list"
    with EventChannel(callback=tracker.handle) as channel, shared_inputs(plan):
        sender = channel.sender()
        while True:
            pending = [f for f in pending if f not in tracker.outcomes]
            suspects = [f for f in suspects if f not in tracker.outcomes]
            batch = [f for f in pending if f not in suspects] or suspects[:1]
            if not batch:
                break
            solo = batch == suspects[:1]
            attempts_before = dict(tracker.attempts)
            outcome = _run_round(plan, tracker, batch, task, sender, stop_event, return_as)
            if outcome[0] == "ok":
                continue
            channel.flush()  # handle the "end" events workers sent before the round ended: they carry finished folds
            if outcome[0] == "fold_failed":
                return fold_failed_message(outcome[1]), "failed"
            if outcome[0] == "stopped":
                return tracker.stopped_message(len(plan.splits)), None
            unfinished = [f for f in batch if f not in tracker.outcomes]
            running = [f for f in tracker.running_pids() if f in unfinished]
            if outcome[0] == "died":
                ended, new_suspects = _blame_dead_worker(
                    plan, tracker, outcome, batch, solo, unfinished, running, attempts_before
                )
                if ended:
                    return ended
                suspects.extend(f for f in new_suspects if f not in suspects)
            elif outcome[0] == "timeout":
                late = _late_folds(plan, tracker, running)
                if not late:
                    blameless_timeouts += 1
                    if blameless_timeouts <= 2:
                        continue  # run the round again: the pool is warm now
                    late = unfinished
                why = f"ran longer than timeout={plan.timeout} s{_thread_note(plan)}"
                for f in late:
                    tracker.fail(f, "Timeout", f"it {why}")
                if plan.on_error == "raise":
                    return f"fold(s) {', '.join(map(str, late))} {why}", "timeout"
    return tracker.summary(len(plan.splits))


def _blame_dead_worker(plan, tracker, outcome, batch, solo, unfinished, running, attempts_before):
    """Record the folds a dead worker is to blame on.

    Returns ``(ended, suspects)``: ``ended`` is ``(message, "died")`` if the run
    must end now (``on_error="raise"``), else None; ``suspects`` are the folds
    that were running when no culprit is known yet, each to be re-run alone.
    """
    detail, lost_folds = outcome[1], outcome[2]
    if plan.on_error == "raise":
        for f in [f for f in lost_folds if f in unfinished] or running:
            tracker.fail(f, "WorkerDied", f"a worker process died while it ran ({detail})")
        message = (
            f"a worker process died ({detail}) while fold(s) {', '.join(map(str, running or unfinished))} "
            f"ran; the {tracker.n_finished()} finished fold(s) are kept"
        )
        return (message, "died"), []
    # a fold started more than once in this round was retried by the backend itself (Dask
    # does) and never ended: every worker that ran it died, so it needs no solo re-run
    retried = {f: n for f in running if (n := tracker.attempts.get(f, 0) - attempts_before.get(f, 0)) > 1}
    lost = [f for f in lost_folds if f in unfinished] if plan.backend_label == "multiprocessing" else []
    if solo:
        tracker.fail(batch[0], "WorkerDied", f"its worker process died while running it ({detail})")
    elif lost:  # a multiprocessing pool does not kill the other workers: the dead one is the culprit
        for f in lost:
            tracker.fail(f, "WorkerDied", f"its worker process died while running it ({detail})")
    elif retried:
        for f, n in retried.items():
            tracker.fail(f, "WorkerDied", f"its worker process died each of the {n} times it ran ({detail})")
    elif running:
        return None, running
    else:  # no fold to blame: record all unfinished ones rather than loop
        for f in unfinished:
            tracker.fail(f, "WorkerDied", f"a worker process died during the run ({detail})")
    return None, []


def _late_folds(plan, tracker, running):
    """The running folds that really ran too long.

    joblib's clock for a task starts when the parent begins waiting for it, which
    may be before the task starts (a cold pool, a queue): blame only those.
    """
    since = tracker.running_since()
    elapsed = now() - tracker.t0
    return [f for f in running if f in since and elapsed - since[f] >= 0.9 * plan.timeout]  # ended since: not late


def _thread_note(plan):
    return " (a thread cannot be killed: it goes on in the background)" if plan.backend_label == "threading" else ""


def _run_round(plan, tracker, batch, task, sender, stop_event, return_as):
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
        delayed(task)(clone(plan.estimator), plan.X, plan.y, *plan.splits[fold], fold, plan.scorer, plan.labels, sender)
        for fold in batch
    )
    tracker.forget_running()  # folds of an aborted round that are dispatched again
    if plan.timeout is not None and plan.backend_label == "loky":
        # joblib's timeout clock runs from when the parent waits for a result: a cold pool's start-up would count
        warm_workers(plan.n_jobs, modules=(type(plan.estimator).__module__, *TASK_MODULES[1:]))
    watchdog = Watchdog(
        tracker.running_pids,
        stop_event,
        watch_workers=plan.backend_label in PROCESS_BACKENDS,
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
    except WORKER_DIED as exc:
        return ("died", type(exc).__name__, sorted(watchdog.lost))
    except (TimeoutError, multiprocessing.TimeoutError):
        return ("timeout",)
    return ("ok",)
