"""Trace records of fold tasks (which worker, when) and a loopback channel that streams them live."""

import os
import pickle
import queue
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field

__all__ = ["EventChannel", "EventSender", "TaskTrace", "now", "worker_identity"]

#: Largest event the channel carries; larger ones are dropped by the sender (the result still comes back).
MAX_EVENT_BYTES = 60_000


def now():
    """Return the wall clock in seconds: comparable between processes and hosts, unlike ``perf_counter``."""
    return time.time()


def worker_identity():
    """Return ``(host, pid, thread_id, thread_name)`` of the code calling it.

    joblib gives a task no worker id, so a task asks the operating system who runs it.

    Examples
    --------
    >>> host, pid, tid, tname = worker_identity()
    >>> pid == os.getpid()
    True
    """
    thread = threading.current_thread()
    return socket.gethostname(), os.getpid(), threading.get_native_id(), thread.name


@dataclass(frozen=True)
class TaskTrace:
    """Who ran one fold task and when.

    Attributes
    ----------
    fold : int
        Index of the fold (0-based, in the splitter's order).
    host, pid, thread_id, thread_name
        The worker that ran it: the process id and native thread id.
    start, end : float
        Seconds since the run started, read by the worker.

    Examples
    --------
    >>> t = TaskTrace(fold=0, host="h", pid=1, thread_id=2, thread_name="MainThread", start=0.1, end=0.3)
    >>> round(t.duration, 3), t.worker
    (0.2, ('h', 1, 2))
    """

    fold: int
    host: str
    pid: int
    thread_id: int
    thread_name: str
    start: float
    end: float
    attempt: int = field(default=1, compare=False)

    @property
    def duration(self):
        """Seconds the task ran."""
        return self.end - self.start

    @property
    def worker(self):
        """Key of the worker (host, process, thread) that ran the task."""
        return (self.host, self.pid, self.thread_id)


class EventSender:
    """Picklable handle a task uses to send events to the parent's :class:`EventChannel`.

    Sending never blocks and never raises: a lost event only costs the live view
    one update, never a result.
    """

    def __init__(self, address, token):
        self.address = address
        self.token = token

    def send(self, kind, **payload):
        """Send one event ``(kind, payload)`` behind the channel's secret token; return True if it was sent."""
        try:
            data = self.token.encode() + pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) > MAX_EVENT_BYTES:
                return False
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:  # ~10 µs; two events per fold
                sock.sendto(data, self.address)
            return True
        except OSError:
            return False


class EventChannel:
    """Receive events sent by fold tasks in any worker on this machine, as they happen.

    A UDP socket bound to 127.0.0.1 on a free port; a daemon thread reads it and
    calls ``callback(kind, payload)`` for each event, or, without a callback,
    puts ``(kind, payload)`` tuples on :attr:`events` (a :class:`queue.Queue`).
    Only datagrams that start with this channel's secret random token are unpickled. Works for
    threads, loky, multiprocessing and a local Dask cluster alike; workers on
    other hosts cannot reach it (their results still arrive, only the live
    events are missing).

    Examples
    --------
    >>> with EventChannel() as channel:
    ...     sender = channel.sender()
    ...     _ = sender.send("start", fold=3)
    ...     channel.events.get(timeout=5)
    ('start', {'fold': 3})
    """

    #: The kind of the channel's own marker datagram (see :meth:`flush`); never passed on.
    FLUSH = "cvkit-channel-flush"

    def __init__(self, callback=None):
        self.events = queue.Queue()
        self._callback = callback
        self._token = secrets.token_hex(8)
        self._flushes = {}
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._read, name="cvkit-events", daemon=True)
        self._thread.start()

    @property
    def address(self):
        """``(host, port)`` the channel listens on."""
        return self._sock.getsockname()

    def sender(self):
        """Return a picklable :class:`EventSender` for tasks."""
        return EventSender(self.address, self._token)

    def _read(self):
        while not self._closed.is_set():
            try:
                data = self._sock.recv(MAX_EVENT_BYTES + 1024)
            except TimeoutError:
                continue
            except OSError:
                break
            if self._closed.is_set():
                break
            prefix = self._token.encode()
            if not data.startswith(prefix):
                continue  # not ours: never unpickle what a stranger sent
            try:
                kind, payload = pickle.loads(data[len(prefix) :])
            except Exception:
                continue
            if kind == self.FLUSH:
                marker = self._flushes.get(payload.get("key"))
                if marker is not None:
                    marker.set()
                continue
            if self._callback is None:
                self.events.put((kind, payload))
            else:
                self._callback(kind, payload)

    def flush(self, timeout=1.0):
        """Wait until every event that reached the channel before this call has been handled.

        Events already sent (by a worker that has since died, say) wait in the
        socket's buffer; a marker sent now lands behind them, and the reader
        handles datagrams in order. Returns True once the marker is read, False
        if ``timeout`` seconds passed first (the channel is closed, or its
        buffer overflowed and dropped the marker).

        Examples
        --------
        >>> seen = []
        >>> with EventChannel(callback=lambda kind, payload: seen.append(payload["fold"])) as channel:
        ...     sender = channel.sender()
        ...     for fold in range(3):
        ...         _ = sender.send("end", fold=fold)
        ...     channel.flush()
        True
        >>> seen
        [0, 1, 2]
        """
        key = secrets.token_hex(8)
        marker = self._flushes[key] = threading.Event()
        try:
            if self._closed.is_set() or not self.sender().send(self.FLUSH, key=key):
                return False
            return marker.wait(timeout)
        finally:
            del self._flushes[key]

    def close(self):
        """Stop reading and release the port."""
        self._closed.set()
        try:  # wake the reader from its blocking recv at once
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.sendto(b"", self.address)
        except OSError:
            pass
        self._thread.join(timeout=2)
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
