"""The live state of one run, fed by run_folds' events as they arrive: which folds wait, run, finished, and when."""

import math
import threading
import time
from dataclasses import dataclass
from numbers import Integral

from ..core.checks import check_positive_int
from ..core.results import UNFINISHED_STATUSES
from .records import ScheduledTask, worker_lane_labels

__all__ = ["Death", "LiveRun", "LiveSnapshot"]


@dataclass(frozen=True)
class LiveSnapshot:
    """What to draw at one moment of a run: the answer of :meth:`LiveRun.snapshot`.

    Attributes
    ----------
    now : float
        Seconds since the run started (the "now" line).
    n_folds : int
    lane_labels : tuple of str
        One per worker lane, e.g. "pid 4242" or "thread 17"; "" for a lane no fold ran on yet.
    bars : tuple of ScheduledTask
        Every attempt at a fold that started, in fold order: the record a
        prediction and a measured run use (:class:`cvkit.model.records.ScheduledTask`),
        with ``worker`` the lane, ``status`` "running", "done", "failed",
        "cancelled" or "interrupted" (its worker died under it), and ``attempt``,
        ``score``, ``error``. A fold normally has one; a fold whose worker died has
        one more per re-run (``attempt`` 2, 3, ...). A running fold's ``end`` is
        "now"; a fold cancelled while it ran ends when the run ended; an
        interrupted attempt ends when its worker was seen dead.
    waiting : tuple of int
        Folds not started yet, in the order joblib hands them out (fold order).
    completed : tuple of int
        Folds that finished (done or failed), in the order their results arrived.
    states : dict
        fold -> its status, one of :data:`cvkit.core.results.FOLD_STATUSES` ("interrupted": its worker died; it
        waits to be re-run).
    errors : dict
        fold -> "ErrorType: message" for failed folds.
    finished : bool
        True once the run ended (:meth:`LiveRun.finish`).
    message : str or None
        How the run ended.
    deaths : tuple of Death
        Every worker seen dead while it held a fold, in the order seen.
    dead_lanes : dict
        lane -> seconds when its worker died, for lanes no live worker took over yet.
    never_started : tuple of int
        Folds cancelled before they started (they were waiting when the run ended).
    t0 : float or None
        The run's start on the wall clock (``time.time()``), as estimated from the events.
    """

    now: float
    n_folds: int
    lane_labels: tuple
    bars: tuple
    waiting: tuple
    completed: tuple
    states: dict
    errors: dict
    finished: bool = False
    message: str | None = None
    deaths: tuple = ()
    dead_lanes: dict = None
    never_started: tuple = ()
    t0: float | None = None

    @property
    def n_lanes(self):
        """Number of worker lanes to draw."""
        return len(self.lane_labels)

    def count(self, state):
        """Number of folds in ``state`` (one of :data:`cvkit.core.results.FOLD_STATUSES`)."""
        return sum(1 for s in self.states.values() if s == state)

    @property
    def interrupted(self):
        """Folds that lost an attempt to a dead worker, in fold order (whatever became of them afterwards)."""
        return tuple(sorted({b.fold for b in self.bars if b.status == "interrupted"}))

    @property
    def alive_lanes(self):
        """Lanes whose worker is not known to be dead."""
        return self.n_lanes - len(self.dead_lanes or {})

    @property
    def progress(self):
        """Fraction of the folds whose result arrived (done or failed), 0 to 1."""
        return len(self.completed) / self.n_folds


@dataclass(frozen=True)
class Death:
    """A worker process seen dead while it ran a fold.

    Attributes
    ----------
    pid : int
    lane : int
    at : float
        Seconds since the run started when it was seen dead.
    folds : tuple of int
        The folds it held (their attempts became "interrupted").
    """

    pid: int
    lane: int
    at: float
    folds: tuple


class LiveRun:
    """The live state of one cross-validation run, fed by :func:`cvkit.run_folds` events.

    Pass :meth:`handle` as ``run_folds(..., on_event=live.handle)``. Every fold
    starts "waiting"; a "start" event makes it "running" on a worker lane
    (lanes are numbered in the order workers first start a fold, as in
    :func:`cvkit.model.measured.schedule_from_result`); a "done" event makes it
    "done" or "failed" with its end time and score, in completion order.
    :meth:`worker_died` (called when a worker process is seen dead, see
    :meth:`check_workers`) marks its lane dead and the attempts it held
    "interrupted"; a second "start" for the same fold (a re-run) adds a bar for
    the new attempt and keeps the old one, interrupted. A new worker takes the
    lane of a dead one. :meth:`finish` marks the folds that never finished
    "cancelled".
    Thread-safe: events may come from any thread while another thread draws.

    Parameters
    ----------
    n_folds : int >= 1
    n_workers : int >= 1
        Lanes to draw from the start (more appear if more workers show up).
    clock : callable
        Wall clock in seconds, the one the workers' times are read with
        (:func:`cvkit.core.trace.now`); replaceable in tests.
    began : float, optional
        When the run began on that clock (default: now). The run's start is
        never taken as earlier than this.

    Examples
    --------
    >>> live = LiveRun(3, n_workers=2, clock=lambda: 100.0)
    >>> live.handle("start", {"fold": 0, "host": "h", "pid": 11, "thread_id": 1, "time": 0.5})
    >>> live.handle("start", {"fold": 1, "host": "h", "pid": 12, "thread_id": 1, "time": 0.6})
    >>> snap = live.snapshot(now=1.0)
    >>> [(b.fold, b.worker, b.status, b.end) for b in snap.bars], snap.waiting
    ([(0, 0, 'running', 1.0), (1, 1, 'running', 1.0)], (2,))
    >>> snap.lane_labels
    ('pid 11', 'pid 12')
    """

    def __init__(self, n_folds, n_workers=1, *, clock=time.time, began=None):
        self.n_folds = check_positive_int("n_folds", n_folds)
        self.n_workers = check_positive_int("n_workers", n_workers)
        self._clock = clock
        self._lock = threading.RLock()
        self._began = clock() if began is None else began
        self._t0 = None  # the run's start on the wall clock, estimated from events (see elapsed)
        self._state = dict.fromkeys(range(self.n_folds), "waiting")
        self._tries = {}  # fold -> list of attempts: dicts with worker, lane, start, end, state, attempt
        self._score = {}
        self._error = {}
        self._results = {}  # fold -> FoldResult
        self._completed = []
        self._workers = {}  # (host, pid, thread_id) -> lane
        self._lane_worker = []  # lane -> the worker that holds it now
        self._dead = {}  # lane -> seconds when its worker died (until a new worker takes the lane)
        self._dead_workers = set()
        self._deaths = []
        self._ended_at = None
        self.message = None
        self.result = None
        self.version = 0  # grows with every change: a view redraws only when it moved (or a bar grows)

    # --- feeding ---------------------------------------------------------------------------
    def handle(self, kind, payload):
        """Take one ``run_folds`` event: ``("start", {fold, pid, thread_id, time, ...})`` or ``("done", {result})``.

        Unknown kinds are ignored, so a newer runner cannot break an older view.
        """
        if kind == "start":
            self.start(
                payload["fold"],
                (payload.get("host", ""), payload.get("pid"), payload.get("thread_id")),
                payload["time"],
                attempt=payload.get("attempt"),
            )
        elif kind == "done":
            self.complete(payload["result"])

    def start(self, fold, worker, at, attempt=None):
        """Record that ``worker`` (host, pid, thread_id) started ``fold`` at ``at`` seconds since the run started.

        A start for a fold already running is a re-run: the earlier attempt is
        kept as "interrupted" (its worker died, seen or not) and a new bar starts.
        """
        fold = self._check_fold(fold)
        worker = tuple(worker)
        with self._lock:
            if self._state[fold] in ("done", "failed") or self._ended_at is not None:
                return  # a late datagram about a fold already settled
            tries = self._tries.setdefault(fold, [])
            number = attempt if attempt is not None else len(tries) + 1
            if any(t["attempt"] == number and t["worker"] == worker for t in tries):
                return  # the same start seen twice
            self._learn_t0(at)
            for t in tries:
                if t["status"] == "running":
                    t["status"], t["end"] = "interrupted", max(t["start"], float(at))
            tries.append({"worker": worker, "lane": self._lane_for(worker), "start": float(at), "end": None,
                          "status": "running", "attempt": number})  # fmt: skip
            self._state[fold] = "running"
            self.version += 1

    def complete(self, result):
        """Record a fold's :class:`cvkit.FoldResult` ("done" or "failed"); its arrival sets completion order."""
        fold = self._check_fold(result.fold)
        with self._lock:
            if fold in self._results:
                return
            trace = result.trace
            tries = self._tries.setdefault(fold, [])
            state = "done" if result.status == "done" else "failed"
            if trace is not None:
                self._learn_t0(trace.end)
                worker = tuple(trace.worker)
                last = next((t for t in reversed(tries) if t["worker"] == worker), None)
                if last is None:
                    last = {"worker": worker, "lane": self._lane_for(worker), "attempt": len(tries) + 1}
                    tries.append(last)
                for t in tries:
                    if t is not last and t["status"] == "running":
                        t["status"], t["end"] = "interrupted", max(t["start"], float(trace.start))
                last.update(start=float(trace.start), end=float(trace.end), status=state)
                last["attempt"] = max(last["attempt"], getattr(trace, "attempt", 1) or 1)
            elif tries:  # failed from outside (dead worker, timeout): the last attempt ran until now, or its death
                last = tries[-1]
                if last["status"] == "running":
                    last["end"] = max(last["start"], self._elapsed())
                last["status"] = state
            self._state[fold] = state
            self._score[fold] = result.score
            if result.error_type:
                self._error[fold] = f"{result.error_type}: {result.error_message}"
            self._results[fold] = result
            self._completed.append(fold)
            self.version += 1

    def worker_died(self, pid, at=None):
        """Record that worker process ``pid`` is dead: its lane is marked dead, the attempts it ran "interrupted".

        Returns the :class:`Death` recorded, or None if ``pid`` ran no fold of this run (or was already seen dead).
        """
        with self._lock:
            at = self._elapsed() if at is None else float(at)
            workers = [w for w in self._workers if w[1] == pid and w not in self._dead_workers]
            if not workers or self._ended_at is not None:
                return None
            held = []
            for worker in workers:
                self._dead_workers.add(worker)
                lane = self._workers[worker]
                if self._lane_worker[lane] == worker:
                    self._dead[lane] = at
                for fold, tries in self._tries.items():
                    t = tries[-1]
                    if t["worker"] == worker and t["status"] == "running":
                        t["status"], t["end"] = "interrupted", max(t["start"], at)
                        self._state[fold] = "interrupted"
                        held.append(fold)
            death = Death(pid=pid, lane=self._workers[workers[0]], at=at, folds=tuple(sorted(held)))
            self._deaths.append(death)
            self.version += 1
            return death

    def worker_pids(self):
        """Pids of every worker that ran a fold of this run."""
        with self._lock:
            return {w[1] for w in self._workers if w[1] is not None}

    def running_pids(self):
        """Pids of the workers that hold a running fold now."""
        with self._lock:
            return {t[-1]["worker"][1] for t in self._tries.values() if t and t[-1]["status"] == "running"}

    def check_workers(self, alive, own_pid=None):
        """Call :meth:`worker_died` for each worker holding a running fold for which ``alive(pid)`` is False.

        ``own_pid`` (this process: the serial loop and threads) is never checked. Returns the deaths found.
        """
        found = []
        for pid in self.running_pids():
            if pid is None or pid == own_pid:
                continue
            if not alive(pid):
                death = self.worker_died(pid)
                if death is not None:
                    found.append(death)
        return found

    def finish(self, result=None, message=None, *, at=None):
        """End the run: folds without a result become "cancelled" (those that were running keep their bar).

        Parameters
        ----------
        result : CVResult, optional
            The run's result; its folds not seen yet are recorded, and it is
            kept as :attr:`result`.
        message : str, optional
            How the run ended (default: the result's message).
        at : float, optional
            When it ended, seconds since the run started (default: the result's
            wall time, else now).
        """
        with self._lock:
            if result is not None:
                for fold in result.folds:
                    if fold.status in ("done", "failed") and fold.fold not in self._results:
                        self.complete(fold)
                at = result.wall_time if at is None else at
            end = self._elapsed() if at is None else float(at)
            ends = [t["end"] for tries in self._tries.values() for t in tries if t["end"] is not None]
            end = max([end, *ends])
            for fold, state in self._state.items():
                if state in UNFINISHED_STATUSES:
                    self._state[fold] = "cancelled"
                    for t in self._tries.get(fold, []):
                        if t["status"] == "running":
                            t["status"], t["end"] = "cancelled", max(t["start"], end)
            self._ended_at = end
            self.result = result
            self.message = message if message is not None else getattr(result, "message", None)
            self.version += 1

    # --- reading ---------------------------------------------------------------------------
    @property
    def finished(self):
        """True once :meth:`finish` was called."""
        return self._ended_at is not None

    @property
    def results(self):
        """The fold results received so far, in completion order."""
        with self._lock:
            return [self._results[f] for f in self._completed]

    def elapsed(self):
        """Seconds since the run started (frozen at the end time once the run finished)."""
        with self._lock:
            return self._ended_at if self._ended_at is not None else self._elapsed()

    def snapshot(self, now=None):
        """Return a :class:`LiveSnapshot`: what to draw at ``now`` seconds since the run started (default: now).

        Examples
        --------
        >>> from cvkit import FoldResult, TaskTrace
        >>> live = LiveRun(2, clock=lambda: 50.0)
        >>> live.handle("start", {"fold": 1, "host": "h", "pid": 7, "thread_id": 3, "time": 0.0})
        >>> trace = TaskTrace(1, "h", 7, 3, "w", 0.0, 0.4)
        >>> live.handle("done", {"result": FoldResult(1, score=0.9, trace=trace)})
        >>> live.finish(at=0.5)
        >>> snap = live.snapshot()
        >>> snap.states, [(b.fold, b.status, b.end) for b in snap.bars], snap.completed
        ({0: 'cancelled', 1: 'done'}, [(1, 'done', 0.4)], (1,))
        """
        with self._lock:
            if now is None:
                now = self.elapsed()
            bars = []
            for fold in sorted(self._tries):
                for t in self._tries[fold]:
                    running = t["status"] == "running"
                    end = max(now, t["start"]) if running or t["end"] is None else t["end"]
                    final = t is self._tries[fold][-1]
                    bars.append(
                        ScheduledTask(
                            fold=fold,
                            worker=t["lane"],
                            start=t["start"],
                            end=end,
                            status=t["status"],
                            attempt=t["attempt"],
                            score=self._score.get(fold, math.nan) if final else math.nan,
                            error=self._error.get(fold) if final else None,
                        )
                    )
            never = tuple(f for f, s in self._state.items() if s == "cancelled" and not self._tries.get(f))
            return LiveSnapshot(
                now=float(now),
                n_folds=self.n_folds,
                lane_labels=tuple(self._lane_labels()),
                bars=tuple(bars),
                waiting=tuple(f for f, s in self._state.items() if s in ("waiting", "interrupted")),
                completed=tuple(self._completed),
                states=dict(self._state),
                errors=dict(self._error),
                finished=self._ended_at is not None,
                message=self.message,
                deaths=tuple(self._deaths),
                dead_lanes=dict(self._dead),
                never_started=never,
                t0=self._t0,
            )

    # --- helpers ---------------------------------------------------------------------------
    def _check_fold(self, fold):
        if isinstance(fold, bool) or not isinstance(fold, Integral) or not 0 <= fold < self.n_folds:
            raise ValueError(f"fold={fold!r} is not allowed; allowed: an integer 0 <= fold < {self.n_folds}.")
        return int(fold)

    def _learn_t0(self, at):
        # An event about time `at` (seconds since the run started) arrives after it happened, so the
        # run started at most clock() - at; it also started after this object was made (_began).
        bound = self._clock() - float(at)
        self._t0 = bound if self._t0 is None else min(self._t0, bound)
        self._t0 = max(self._t0, self._began)

    def _elapsed(self):
        t0 = self._began if self._t0 is None else self._t0
        return max(0.0, self._clock() - t0)

    def _lane_for(self, worker):
        """The lane of ``worker``: its own, else the first dead worker's lane, else a new one."""
        worker = tuple(worker)
        if worker not in self._workers:
            free = sorted(self._dead)
            if free:
                lane = free[0]
                del self._dead[lane]
                self._lane_worker[lane] = worker
            else:
                lane = len(self._lane_worker)
                self._lane_worker.append(worker)
            self._workers[worker] = lane
        return self._workers[worker]

    def _lane_labels(self):
        labels = worker_lane_labels(self._lane_worker, seen=self._workers)
        return labels + [""] * (max(self.n_workers, len(labels)) - len(labels))
