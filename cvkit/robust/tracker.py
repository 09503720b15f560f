"""The parent's bookkeeping of a run: every fold's start and outcome, kept once each, and how the run ended."""

import dataclasses
import threading
import warnings

from ..core.results import FoldResult
from ..core.text import first_line

__all__ = ["Tracker", "fold_failed_message"]


class Tracker:
    """Collect start events and fold results from any source, once each, with times relative to ``t0``.

    The first result seen for a fold is kept: a fold re-run after its round was
    aborted, or retried by the backend, is counted once.

    Parameters
    ----------
    t0 : float
        The run's start (:func:`cvkit.core.trace.now`).
    on_event : callable ``on_event(kind, payload)``, optional
        Told of each "start" and "done", as :func:`cvkit.runner.run_folds` documents.

    Examples
    --------
    >>> from cvkit import FoldResult, TaskTrace
    >>> tracker = Tracker(t0=100.0)
    >>> kept = tracker.record(FoldResult(0, trace=TaskTrace(0, "h", 1, 0, "w", 100.5, 101.0)))
    >>> kept.trace.start, kept.trace.attempt
    (0.5, 1)
    >>> tracker.record(FoldResult(0, status="failed")).status  # a second result for fold 0: the first is kept
    'done'
    >>> tracker.summary(n_folds=2)
    (None, None)
    """

    def __init__(self, t0, on_event=None):
        self.t0 = t0
        self.on_event = on_event
        self.outcomes = {}  # fold -> FoldResult (done or failed)
        self.running = {}  # fold -> (pid, start time relative)
        self.attempts = {}
        self._lock = threading.Lock()

    # events: called from the event-channel thread, or directly by the serial loop
    def handle(self, kind, payload):
        """Take one event a task sent: "start" (a fold began) or "end" (its result)."""
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
        """``{fold: pid}`` of the folds started and not ended."""
        with self._lock:
            return {fold: pid for fold, (pid, _) in self.running.items()}

    def running_since(self):
        """``{fold: start}`` of the folds started and not ended, in seconds since ``t0``."""
        with self._lock:
            return {fold: start for fold, (_, start) in self.running.items()}

    def n_finished(self):
        """How many folds finished (status "done")."""
        return sum(r.ok for r in self.outcomes.values())

    def summary(self, n_folds):
        """How a run that went to the end ended: ``(message, "failed")``, or ``(None, None)`` if every fold finished."""
        failed = [r for _, r in sorted(self.outcomes.items()) if r.status == "failed"]
        if not failed:
            return None, None
        shown = "; ".join(f"fold {r.fold}: {r.error_type}: {r.error_message}" for r in failed[:3])
        more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
        return (
            f"{len(failed)} of {n_folds} folds failed ({shown}{more}); "
            f"the other {n_folds - len(failed)} folds finished and are kept"
        ), "failed"

    def stopped_message(self, n_folds):
        """The message of a run stopped by request."""
        return f"stopped by request: {self.n_finished()} of {n_folds} folds finished and kept, the others cancelled"

    def _emit(self, kind, payload):
        if self.on_event is not None:
            try:
                self.on_event(kind, payload)
            except Exception as exc:
                warnings.warn(
                    f"on_event callback raised {first_line(exc, with_type=True)}", RuntimeWarning, stacklevel=2
                )


def fold_failed_message(result):
    """The message of a run that stopped at a failed fold (``on_error="raise"``).

    Examples
    --------
    >>> from cvkit import FoldResult
    >>> fold_failed_message(FoldResult(3, status="failed", error_type="ValueError", error_message="bad"))
    'fold 3 failed: ValueError: bad'
    """
    return f"fold {result.fold} failed: {result.error_type}: {result.error_message}"
