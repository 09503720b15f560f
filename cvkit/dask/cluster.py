"""A managed Dask client for the "dask" backend: an embedded LocalCluster on loopback, or a scheduler by address."""

import atexit
import logging
import os
import re
import sys
import threading
import time
from contextlib import contextmanager

import joblib
from distributed import Client, LocalCluster, get_task_stream
from distributed.core import Status
from distributed.deploy.cluster import Cluster

from ..robust.script_guard import check_main_guard

__all__ = [
    "ALLOWED_FAILURES",
    "ENV_VAR",
    "check_importable",
    "close_client",
    "cluster_info",
    "dashboard_link",
    "describe",
    "get_client",
    "scheduler_address",
    "task_stream",
    "worker_pids",
]

#: Environment variable naming an existing scheduler, e.g. ``tcp://10.0.0.5:8786``.
ENV_VAR = "CVKIT_DASK_SCHEDULER"

#: Worker deaths a task may cause on the embedded cluster before Dask gives up on it (Dask's default is 3).
ALLOWED_FAILURES = 1

_ADDRESS = re.compile(r"^(tcp|tls|ws|wss|inproc|ucx)://\S+$|^[\w.\-\[\]:]+:\d+$")
_lock = threading.RLock()
_EMPTY = {"client": None, "cluster": None, "address": None, "sys_path": None, "n_workers": None, "start_seconds": None}


def _nanny_environ_keys():
    import dask

    keys = set()
    for name in ("distributed.nanny.pre-spawn-environ", "distributed.nanny.environ"):
        keys |= set(dask.config.get(name, default={}) or {})
    return keys


#: This process's values of the variables Dask's nannies set for their workers, taken when cvkit starts its first
#: nanny (not at import: a thread cap the learner sets after importing cvkit is kept); None while none runs.
_environ_before_dask = None
_managed = dict(_EMPTY)
_atexit_registered = False


# --------------------------------------------------------------------------------------------
# Where the scheduler is
# --------------------------------------------------------------------------------------------
def scheduler_address(address=None):
    """Return the scheduler to connect to: ``address``, else ``$CVKIT_DASK_SCHEDULER``, else None (embedded).

    Examples
    --------
    >>> scheduler_address("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    >>> scheduler_address("my laptop")
    Traceback (most recent call last):
    ...
    ValueError: address='my laptop' is not allowed; allowed: None (the embedded LocalCluster, or $CVKIT_DASK_SCHEDULER if set) or a scheduler address such as 'tcp://host:8786'.
    """
    source = "address"
    if address is None:
        address = os.environ.get(ENV_VAR) or None
        source = f"${ENV_VAR}"
        if address is None:
            return None
    if not isinstance(address, str) or not _ADDRESS.match(address.strip()):
        raise ValueError(
            f"{source}={address!r} is not allowed; allowed: None (the embedded LocalCluster, or ${ENV_VAR} "
            "if set) or a scheduler address such as 'tcp://host:8786'."
        )
    return address.strip()


# --------------------------------------------------------------------------------------------
# The managed client
# --------------------------------------------------------------------------------------------
def get_client(address=None, *, n_workers=None):
    """Return cvkit's Dask client, starting or reconnecting only when needed.

    A live client is reused. Otherwise cvkit connects to ``address`` (or
    ``$CVKIT_DASK_SCHEDULER``), or starts an embedded
    ``LocalCluster``: ``n_workers`` worker processes (default: one per core)
    with one thread each, scheduler, workers and dashboard bound to
    127.0.0.1, and at most :data:`ALLOWED_FAILURES` worker death per task
    before Dask gives up on it. An embedded cluster whose workers are gone
    (a kernel interrupt sends SIGINT to them too) is replaced by a fresh one,
    and its workers get this process's ``sys.path`` (a folder added after they
    started). The client becomes Dask's default, so
    ``joblib.parallel_config(backend="dask")`` uses it; it is closed at exit.

    Parameters
    ----------
    address : str, optional
        A scheduler such as ``"tcp://10.0.0.5:8786"``.
    n_workers : int, optional
        Embedded cluster only. Given and different from the running cluster's,
        the cluster is replaced. Not given, a dead cluster's replacement has as
        many workers as it had.

    Returns
    -------
    distributed.Client
    """
    global _atexit_registered
    target = scheduler_address(address)
    if n_workers is not None:
        n_workers = _check_n_workers(n_workers)
    with _lock:
        client = _managed["client"]
        replaced = None  # an embedded cluster being replaced: the new one keeps its size
        if client is not None:
            if _managed["address"] == target and _alive(n_workers):
                if target is None:
                    _sync_sys_path(client)
                    _restore_environ()  # a nanny that restarted a worker set them again
                return client
            replaced = _managed["n_workers"] if _managed["address"] is None else None
            _close_locked()
        if target is None:
            check_main_guard("a Dask cluster (for run_folds(..., backend='dask'))")
            client = _start_embedded(n_workers or replaced or joblib.cpu_count())
        else:
            client = Client(target, set_as_default=True, timeout="10s")
            _managed.update(_EMPTY, client=client, address=target)
            try:
                check_importable(client)
            except Exception:
                _close_locked()
                raise
        if not _atexit_registered:
            atexit.register(close_client)
            _atexit_registered = True
        return client


def _check_n_workers(n_workers):
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers={n_workers!r} is not allowed; allowed: None (one per core) or an integer >= 1.")
    return n_workers


class _EmbeddedCluster(LocalCluster):
    """A LocalCluster that never closes a nanny behind cvkit's back.

    When a worker leaves the scheduler, Dask's SpecCluster closes its nanny if
    no worker of the same name is registered 15 s later
    (``distributed.deploy.lost-worker-timeout``). A fold that kills its worker
    twice in a row can hit that moment while the nanny is restarting the worker
    once more, and the cluster shrinks for good, in the middle of a later run.
    cvkit watches the nannies itself (a dead cluster is replaced).
    """

    def _update_worker_status(self, op, msg):
        if op == "remove":
            return Cluster._update_worker_status(self, op, msg)
        return super()._update_worker_status(op, msg)


def _start_embedded(n_workers):
    import dask

    global _environ_before_dask
    if _environ_before_dask is None:
        _environ_before_dask = {key: os.environ.get(key) for key in _nanny_environ_keys()}
    started = time.perf_counter()
    settings = {
        "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
        # one task per worker thread at a time: tasks wait at the scheduler, so a dying worker takes
        # only its own task down, and the task stream shows the schedule cvkit's Gantt shows
        "distributed.scheduler.worker-saturation": 1.0,
    }
    with dask.config.set(settings):
        cluster = _EmbeddedCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
    try:
        client = Client(cluster, set_as_default=True)
    except BaseException:
        cluster.close()
        raise
    _managed.update(
        client=client,
        cluster=cluster,
        address=None,
        sys_path=tuple(sys.path),
        n_workers=n_workers,
        start_seconds=time.perf_counter() - started,
    )
    _restore_environ()
    return client


def _restore_environ():
    """Undo what starting (or restarting) the embedded workers set in this process's environment.

    Dask's nannies live in this process and set their workers' variables
    (``OMP_NUM_THREADS=1``, ``OPENBLAS_NUM_THREADS=1``, ...) in ``os.environ``
    before each spawn: left there, they would cap the BLAS threads of every
    process the notebook starts afterwards (a kernel, a loky worker).
    """
    for key, value in (_environ_before_dask or {}).items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _alive(n_workers=None):
    """True if the managed client can run tasks: connected, and for the embedded cluster, every nanny running."""
    client, cluster = _managed["client"], _managed["cluster"]
    if client.status != "running":
        return False
    if cluster is None:
        return True
    if cluster.status != Status.running:
        return False
    nannies = list(cluster.workers.values())  # a nanny restarts a worker that died; one that closed is gone
    if len(nannies) != (n_workers or _managed["n_workers"]):
        return False
    return all(n.status == Status.running for n in nannies)


def _sync_sys_path(client):
    """Give the embedded workers this process's ``sys.path`` if it changed since they started.

    Workers are processes started with the ``sys.path`` of their time: a folder
    added later (``sys.path.insert(0, "..")`` in a notebook) is unknown to them,
    and a task whose estimator lives there fails to unpickle.
    """
    path = tuple(sys.path)
    if _managed["sys_path"] == path:
        return

    def set_path(entries):  # defined here, so it travels by value
        import sys as worker_sys

        worker_sys.path[:] = entries

    client.run(set_path, list(path), on_error="ignore")  # a worker restarting now is spawned with the new path
    _managed["sys_path"] = path


def close_client():
    """Close cvkit's client, and its embedded cluster if it started one; safe to call twice.

    Examples
    --------
    >>> close_client()  # nothing running: nothing to do
    """
    global _environ_before_dask
    with _lock:
        _close_locked()
        _restore_environ()
        _environ_before_dask = None  # the next cluster takes the environment as it will be then


def _close_locked():
    client, cluster = _managed["client"], _managed["cluster"]
    _managed.update(_EMPTY)
    if client is None:
        return
    pids = _worker_process_ids(cluster)
    with _quiet("distributed"):  # closing a half-dead cluster logs errors that are no news to anyone
        if cluster is not None and not all(n.status == Status.running for n in cluster.workers.values()):
            _kill(pids)  # interrupted workers can hang in "closing_gracefully": end the processes cvkit started
        for closable in (client, cluster):
            if closable is None:
                continue
            try:
                closable.close(timeout=5)
            except Exception:
                pass
        _kill(pids)


@contextmanager
def _quiet(name):
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _worker_process_ids(cluster):
    if cluster is None:
        return []
    pids = []
    for nanny in cluster.workers.values():
        process = getattr(getattr(nanny, "process", None), "process", None)
        pid = getattr(process, "pid", None)
        if pid:
            pids.append(pid)
    return pids


def _kill(pids):
    """SIGKILL the given worker processes if they are still this process's children."""
    import psutil

    mine = {p.pid: p for p in psutil.Process().children(recursive=True)}
    procs = [mine[pid] for pid in pids if pid in mine]
    for p in procs:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=5)


# --------------------------------------------------------------------------------------------
# What is running
# --------------------------------------------------------------------------------------------
def cluster_info(client=None):
    """Return a dict describing the cluster: kind, workers, threads per worker, and where it listens.

    ``kind`` is "embedded" (cvkit's LocalCluster) or "remote" (a scheduler by
    address); ``hosts`` is the set of hosts the scheduler and workers listen on;
    ``start_seconds`` is how long starting the embedded cluster took.
    """
    client = client or get_client()
    info = client.scheduler_info(n_workers=-1)
    workers = info["workers"]
    embedded = client is _managed["client"] and _managed["cluster"] is not None
    hosts = {_host(client.scheduler.address)} | {_host(a) for a in workers}
    return {
        "kind": "embedded" if embedded else "remote",
        "n_workers": len(workers),
        "threads_per_worker": sorted({w["nthreads"] for w in workers.values()}),
        "hosts": sorted(hosts),
        "allowed_failures": ALLOWED_FAILURES if embedded else None,
        "start_seconds": _managed["start_seconds"] if embedded else None,
    }


def describe(client=None):
    """One line about the cluster, with no port numbers (stable from run to run, for a notebook's output)."""
    i = cluster_info(client)
    what = "embedded LocalCluster" if i["kind"] == "embedded" else "existing Dask scheduler"
    threads = "/".join(map(str, i["threads_per_worker"])) or "0"
    return f"{what}: {i['n_workers']} worker process(es) × {threads} thread(s), listening on {', '.join(i['hosts'])}"


def _host(address):
    return address.split("://", 1)[-1].rsplit(":", 1)[0]


def dashboard_link(client=None):
    """Return the dashboard's address, or None if it cannot draw (Dask's dashboard needs ``bokeh``).

    The dashboard of the embedded cluster listens on 127.0.0.1 only: open it
    from a browser on this machine (on a remote Jupyter, through the Jupyter
    server's proxy).
    """
    client = client or get_client()
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return None
    return client.dashboard_link


def worker_pids(client=None):
    """Return ``{worker address: process id}`` for the workers of the cluster."""
    client = client or get_client()
    return client.run(os.getpid)


def check_importable(client, modules=("cvkit",)):
    """Check that every worker can import ``modules``; raise ImportError naming the workers that cannot.

    A fold task is pickled by reference to ``cvkit.core.task``: a worker that
    cannot import cvkit (a remote worker without it installed) fails every
    task, and joblib's dask backend would wait forever.
    """

    def probe(names):  # defined here, so it travels by value
        import importlib

        missing = []
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:
                missing.append(f"{name} ({type(exc).__name__}: {exc})")
        return missing

    answers = client.run(probe, list(modules))
    bad = {worker: missing for worker, missing in answers.items() if missing}
    if bad:
        names = sorted({m.split(" ", 1)[0] for missing in bad.values() for m in missing})
        shown = "; ".join(f"{w}: {', '.join(m)}" for w, m in sorted(bad.items()))
        raise ImportError(
            f"{len(bad)} of {len(answers)} Dask worker(s) cannot import {', '.join(names)} ({shown}); "
            "allowed: workers whose Python environment has the same packages as this one "
            "(pip install -r requirements.txt there, cvkit included) and the folders of your own modules "
            "on their sys.path."
        )
    return sorted(answers)


@contextmanager
def task_stream(client=None):
    """Record what the dashboard's "Task Stream" plot shows, while the block runs.

    Yields an object whose ``.data`` (after the block) is a list of records:
    ``worker`` (address), ``key``, ``startstops`` (compute start and stop, in
    ``time.time()`` seconds). Works without ``bokeh``.
    """
    client = client or get_client()
    with get_task_stream(client) as stream:
        yield stream
