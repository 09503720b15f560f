"""A watchdog thread that stops a blocked joblib call: on a Stop request or when a worker process died."""

import ctypes
import os
import threading

from ..compat import fail_pending_task

__all__ = ["StopRequested", "Watchdog", "WorkerLost", "fail_pending_task", "process_alive"]


class StopRequested(BaseException):
    """Raised inside the running call when the user asked the run to stop."""


class WorkerLost(BaseException):
    """Raised inside the running call when a worker process died while running a fold."""


def process_alive(pid):
    """Return True if process ``pid`` exists and is not a zombie.

    Examples
    --------
    >>> process_alive(os.getpid())
    True
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True  # no /proc: trust kill(0)


def _raise_in_thread(thread_id, exc_type):
    """Ask the interpreter to raise ``exc_type`` in thread ``thread_id`` at its next bytecode (None clears)."""
    arg = ctypes.py_object(exc_type) if exc_type is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), arg)


class Watchdog:
    """Watch a run from a side thread and end the joblib call that blocks the running thread.

    joblib blocks the calling thread while it waits for results, and has no
    cancel button. The watchdog polls two things every ``interval`` seconds:

    * ``stop_event`` was set (the explorer's Stop button): :class:`StopRequested`;
    * a worker process that started a fold is gone before the fold ended
      (the multiprocessing backend would otherwise wait forever): :class:`WorkerLost`.

    Either ends the call the way a failing task would: ``interrupt(exc)`` is
    tried first (cvkit passes :func:`fail_pending_task`); if it cannot deliver,
    the exception is raised asynchronously in the running thread, and raised
    again every :attr:`refire_after` seconds until the running thread
    acknowledges it by calling :meth:`disarm` (an asynchronous exception that
    lands in a weakref callback is swallowed by the interpreter).

    Parameters
    ----------
    running : callable returning dict {fold: pid}
        The folds started and not yet ended, with the process running each.
    stop_event : threading.Event or None
    watch_workers : bool
        Check that the processes in ``running()`` are alive.
    interrupt : callable ``interrupt(exc) -> bool``, optional
    """

    #: Seconds to wait for the running thread to acknowledge an asynchronous exception before raising it again.
    refire_after = 2.0

    def __init__(self, running, stop_event=None, watch_workers=False, interrupt=None, interval=0.05):
        self._running = running
        self._stop_event = stop_event
        self._watch_workers = watch_workers
        self._interrupt = interrupt
        self._interval = interval
        self._target = threading.get_ident()
        self._lock = threading.Lock()
        self._armed = True
        self._done = threading.Event()
        self.fired = None
        self.lost = {}
        self._thread = threading.Thread(target=self._watch, name="cvkit-watchdog", daemon=True)
        self._thread.start()

    def _watch(self):
        exc, wait, clean_tries = None, self._interval, 20 if self._interrupt is not None else 0
        while not self._done.wait(wait):
            if exc is None:
                exc = self._check()
                if exc is None:
                    continue
            with self._lock:
                if not self._armed:
                    return
                self.fired = exc
                if clean_tries > 0:
                    if self._interrupt(exc()):
                        return
                    clean_tries -= 1  # no task pending right now: try the clean way again shortly
                    continue
                _raise_in_thread(self._target, exc)
                wait = self.refire_after

    def _check(self):
        if self._stop_event is not None and self._stop_event.is_set():
            return StopRequested
        if self._watch_workers:
            lost = {fold: pid for fold, pid in self._running().items() if not process_alive(pid)}
            if lost:
                self.lost = lost
                return WorkerLost
        return None

    def disarm(self):
        """Stop watching; clears an asynchronous exception not delivered yet. Call from the running thread."""
        with self._lock:
            self._armed = False
        self._done.set()
        if self.fired is not None:
            _raise_in_thread(self._target, None)
        self._thread.join(timeout=1)
