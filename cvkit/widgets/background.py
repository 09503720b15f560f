"""Run run_folds in a background thread that feeds a LiveRun, with a ticker that redraws it a few times a second."""

import os
import re
import threading
import time
import warnings

from ..core.text import first_line
from ..model.live import LiveRun
from ..robust.pool import PROCESS_BACKENDS
from ..robust.watchdog import process_alive
from ..runner import run_folds

__all__ = ["BackgroundRun"]

#: run_folds warns (RuntimeWarning, attributed to its caller) when folds failed. Called from this module's
#: background thread, the warning would land in whichever notebook cell runs next, while the result's message says
#: the same and the explorer shows it. This filter ignores exactly that warning: it matches only warnings attributed
#: to this module, that is to the one run_folds call in :meth:`BackgroundRun._work`. It is added when a run starts,
#: not at import. (``warnings.catch_warnings`` around the call would swap the process's filters for the whole run,
#: seconds to minutes, and lose or leak any filter the notebook's own thread sets meanwhile: it is not thread-safe.)
QUIET_FAILED_FOLDS = {"action": "ignore", "category": RuntimeWarning, "module": re.escape(__name__) + r"\Z"}


class BackgroundRun:
    """One :func:`cvkit.run_folds` call in a background thread, stoppable and waitable, drawn live.

    The calling thread returns at once from :meth:`start` (in a notebook the
    kernel stays free to handle a Stop click). While the run goes on, events
    feed :attr:`live` (a :class:`cvkit.model.live.LiveRun`) and a ticker thread calls
    ``draw(live, final=False)`` every ``interval`` seconds and soon after
    each event (at most once per ``min_gap`` seconds). With a process backend
    (loky, multiprocessing) the ticker also checks, at every tick, that each
    worker holding a running fold is alive: a worker killed from outside is
    drawn dead (:meth:`cvkit.model.live.LiveRun.worker_died`) within ``interval``
    seconds, long before the runner re-runs its folds. When the run ends, the
    ticker stops and ``draw(live, final=True)`` is called once, from the run's
    thread; then :meth:`wait` returns. Only one thread draws at any time.

    Parameters
    ----------
    estimator, X, y
        As for :func:`cvkit.run_folds`.
    live : LiveRun, optional
        Default: a new one for ``cv`` folds and ``n_jobs`` lanes.
    draw : callable ``draw(live, final)``, optional
        An exception it raises is kept in :attr:`draw_errors`; the run goes on.
    interval, min_gap : float
        Seconds between redraws while nothing happens, and at least between two redraws.
    after : threading.Thread, optional
        Wait for this thread (a pool warming up after a Stop) before the run starts.
    **run_kwargs
        Passed to :func:`cvkit.run_folds` (cv, n_jobs, backend, ...); not ``on_event`` or ``stop_event``.

    Attributes
    ----------
    result : CVResult or None
        Set when the run ended (None if run_folds raised).
    error : str or None
        ``"ErrorType: message"`` if run_folds raised (bad settings, a backend missing).
    exception : BaseException or None
    draw_seconds : list of float
        Time each ``draw`` call took (to check that redraws stay cheap).

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> run = BackgroundRun(SVC(), X, y, cv=4, n_jobs=1).start()
    >>> result = run.wait(timeout=60)
    >>> result.complete, run.live.snapshot().count("done")
    (True, 4)
    """

    def __init__(self, estimator, X, y, *, live=None, draw=None, interval=0.25, min_gap=0.1, after=None,
                 **run_kwargs):  # fmt: skip
        for name in ("on_event", "stop_event"):
            if name in run_kwargs:
                raise ValueError(f"{name}= is not allowed here; allowed: BackgroundRun sets it itself.")
        if not (interval > 0 and min_gap >= 0):
            raise ValueError(
                f"interval={interval!r}, min_gap={min_gap!r} are not allowed; allowed: interval > 0, min_gap >= 0."
            )
        cv = run_kwargs.get("cv", 5)
        n_jobs = run_kwargs.get("n_jobs") or 1
        n_folds = cv if isinstance(cv, int) else cv.get_n_splits(X, y, run_kwargs.get("groups"))
        self.live = live if live is not None else LiveRun(n_folds, max(n_jobs, 1))
        self._args = (estimator, X, y)
        self._kwargs = run_kwargs
        self._after = after
        backend = run_kwargs.get("backend") or "loky"
        self._watch = n_jobs != 1 and isinstance(backend, str) and backend in PROCESS_BACKENDS
        self._draw = draw
        self.interval, self.min_gap = interval, min_gap
        self.stop_event = threading.Event()
        self._wake = threading.Event()
        self._ending = threading.Event()
        self._done = threading.Event()
        self._thread = None
        self._ticker = None
        self.result = None
        self.error = None
        self.exception = None
        self.draw_seconds = []
        self.draw_errors = []

    # --- control ---------------------------------------------------------------------------
    def start(self):
        """Start the run and the ticker; return ``self`` at once."""
        if self._thread is not None:
            raise RuntimeError("this BackgroundRun was already started; allowed: start() once (a new one reruns).")
        warnings.filterwarnings(**QUIET_FAILED_FOLDS)  # adding it again moves it first, never twice
        self._thread = threading.Thread(target=self._work, name="cvkit-run", daemon=True)
        self._ticker = threading.Thread(target=self._tick, name="cvkit-ticker", daemon=True)
        self._ticker.start()
        self._thread.start()
        return self

    def stop(self):
        """Ask the run to stop: folds not started are cancelled, finished ones kept (returns at once)."""
        self.stop_event.set()

    @property
    def running(self):
        """True from :meth:`start` until the run ended and was drawn for the last time."""
        return self._thread is not None and not self._done.is_set()

    @property
    def done(self):
        """True once the run ended and its final picture was drawn."""
        return self._done.is_set()

    def wait(self, timeout=None):
        """Block until the run ended; return its CVResult (None if run_folds raised: see :attr:`error`).

        Raises
        ------
        TimeoutError
            If it is still running after ``timeout`` seconds (it goes on; call :meth:`stop`).
        """
        if self._thread is None:
            raise RuntimeError("the run was not started; allowed: wait() after start().")
        if not self._done.wait(timeout):
            raise TimeoutError(f"the run is still going after timeout={timeout} s; call stop() or wait longer.")
        return self.result

    # --- threads ---------------------------------------------------------------------------
    def _on_event(self, kind, payload):
        self.live.handle(kind, payload)
        self._wake.set()

    def _work(self):
        try:
            if self._after is not None:
                self._after.join()
            estimator, X, y = self._args
            self.result = run_folds(
                estimator, X, y, on_event=self._on_event, stop_event=self.stop_event, **self._kwargs
            )
        except BaseException as exc:
            self.exception, self.error = exc, first_line(exc, limit=240, with_type=True)
        finally:
            try:
                self.live.finish(self.result, message=self.error if self.result is None else None)
                self._ending.set()
                self._wake.set()
                self._ticker.join()
                self._call_draw(final=True)
            finally:
                self._done.set()

    def _tick(self):
        last = 0.0
        while not self._ending.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._ending.is_set():
                break
            pause = self.min_gap - (time.perf_counter() - last)
            if pause > 0 and self._ending.wait(pause):
                break
            last = time.perf_counter()
            self._check_workers()
            self._call_draw(final=False)

    def _check_workers(self):
        """Mark workers that died under a fold (not after Stop: Stop kills the pool on purpose)."""
        if self._watch and not self.stop_event.is_set():
            try:
                self.live.check_workers(process_alive, own_pid=os.getpid())
            except Exception as exc:
                self.draw_errors.append(first_line(exc, limit=240, with_type=True))

    def _call_draw(self, final):
        if self._draw is None:
            return
        t = time.perf_counter()
        try:
            self._draw(self.live, final)
        except Exception as exc:
            self.draw_errors.append(first_line(exc, limit=240, with_type=True))
        self.draw_seconds.append(time.perf_counter() - t)
