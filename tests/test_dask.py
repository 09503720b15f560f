"""The "dask" backend on a real LocalCluster on 127.0.0.1: parity with loky, the known traps, no leaked processes."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading

import joblib
import matplotlib.pyplot as plt
import numpy as np
import psutil
import pytest
from distributed import Client, LocalCluster
from joblib import parallel_config
from joblib.externals.loky.process_executor import TerminatedWorkerError
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import SVC

import cvkit.robust.rounds
import cvkit.runner
from cvkit import WorkerDiedError, load_dataset, run_folds
from cvkit.dask import backend as dask_backend
from cvkit.dask import cluster as dask_cluster
from cvkit.dask.backend import KilledWorker, ReportingDaskBackend
from cvkit.lab.dask_costs import compare_runs, dispatch_overhead, format_runs
from cvkit.plots import plot_gantt
from cvkit.plots.task_stream import plot_task_stream, task_stream_bars

_ENVIRON_AT_IMPORT = dict(os.environ)  # before any test starts a cluster

BOUND = 120  # seconds: far above any honest run here, far below "forever"


# --------------------------------------------------------------------------------------------
# Estimators that misbehave in one fold (importable by the workers: this module is on their sys.path)
# --------------------------------------------------------------------------------------------
class KillsItsWorker(ClassifierMixin, BaseEstimator):
    """An SVC that ends its worker process in the fold that tests ``row``.

    ``marker``: a file path; the worker is killed only while the file does not
    exist, and the file is created first, so the fold kills one worker only.
    Never kills ``home`` (the test process): there it raises instead.
    """

    def __init__(self, row=None, marker=None, home=None):
        self.row, self.marker, self.home = row, marker, home

    def fit(self, X, y):
        in_fold = self.row is not None and not (np.asarray(X) == self.row).all(axis=1).any()
        if in_fold and (self.marker is None or not os.path.exists(self.marker)):
            if os.getpid() == self.home:
                raise RuntimeError("this fold ran in the test process, not on a Dask worker")
            if self.marker is not None:
                open(self.marker, "w").close()
            os._exit(1)
        self.model_ = SVC().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def _exit_now():
    os._exit(1)


def bounded(fn, seconds=BOUND):
    """Run ``fn()`` in a thread; fail if it has not returned after ``seconds`` (a hang)."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s: it hangs"
    if "error" in box:
        raise box["error"]
    return box["value"]


def _spawned_children():
    """Processes started by multiprocessing's spawn from this one (Dask's nannies start workers this way)."""
    found = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if "spawn_main" in " ".join(p.cmdline()):
                found.add(p.pid)
        except psutil.Error:
            pass
    return found


@pytest.fixture(scope="module")
def dask_module():
    """One embedded cluster shared by this module's tests; closed after them, leaving no worker process."""
    before = _spawned_children()
    try:
        yield
    finally:
        dask_cluster.close_client()
    leaked = _spawned_children() - before
    assert not leaked, f"worker processes left after close: {leaked}"


@pytest.fixture
def client(dask_module):
    """cvkit's managed client on the embedded cluster: 2 workers × 1 thread, on 127.0.0.1 (started if needed)."""
    return dask_cluster.get_client(n_workers=2)


def _loky(estimator, X, y, cv=5):
    return run_folds(estimator, X, y, cv=cv, n_jobs=2, backend="loky")


# --------------------------------------------------------------------------------------------
# Parity and traces
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dataset, cv", [("iris", 5), ("breast_cancer", 7)])
def test_results_identical_to_loky(client, dataset, cv):
    X, y = load_dataset(dataset)
    starts = []
    result = run_folds(SVC(), X, y, cv=cv, n_jobs=-1, backend="dask", on_event=lambda k, p: starts.append(k))
    reference = _loky(SVC(), X, y, cv=cv)
    assert result.scores.tolist() == reference.scores.tolist()
    for mine, theirs in zip(result.folds, reference.folds):
        np.testing.assert_array_equal(mine.confusion_matrix, theirs.confusion_matrix)
    assert result.complete and (result.backend, result.n_jobs) == ("dask", 2)
    # one trace per fold, each from a Dask worker process (a lane per worker), none from this process
    workers = set(dask_cluster.worker_pids(client).values())
    assert sorted(t.fold for t in result.traces) == list(range(cv))
    assert {t.pid for t in result.traces} <= workers and os.getpid() not in workers
    assert starts.count("start") == cv  # live events reached this process from the workers


def test_users_own_parallel_config_and_client(client, iris, monkeypatch):
    """``with parallel_config(backend="dask", client=...)`` runs on the user's client, with cvkit's error reporting."""
    X, y = iris
    used = []
    original = dask_backend.dask_backend
    monkeypatch.setattr(dask_backend, "dask_backend", lambda b=None: used.append(original(b)) or used[-1])
    with Client(client.scheduler.address, set_as_default=False) as own:
        with parallel_config(backend="dask", client=own):
            result = run_folds(SVC(), X, y, n_jobs=-1)
        assert used and all(isinstance(b, ReportingDaskBackend) and b.client is own for b in used)
    assert result.backend == "dask" and result.complete
    assert result.scores.tolist() == _loky(SVC(), X, y).scores.tolist()


def test_cluster_is_embedded_on_loopback(client):
    info = dask_cluster.cluster_info(client)
    assert info["kind"] == "embedded" and info["n_workers"] == 2 and info["threads_per_worker"] == [1]
    assert info["hosts"] == ["127.0.0.1"] and info["allowed_failures"] == dask_cluster.ALLOWED_FAILURES
    assert dask_cluster.describe(client).startswith("embedded LocalCluster: 2 worker process(es) × 1 thread(s)")
    pids = [os.getpid(), *dask_cluster.worker_pids(client).values()]
    sockets = [c for pid in pids for c in psutil.Process(pid).net_connections("inet")]
    listening = {c.laddr.ip for c in sockets if c.status == "LISTEN"}
    assert listening == {"127.0.0.1"}  # scheduler, dashboard, nannies and workers
    link = dask_cluster.dashboard_link(client)
    assert link is None or link.startswith("http://127.0.0.1:")


def test_task_stream_matches_the_traces(client):
    """Dask's own record of the run (the dashboard's task stream) shows the folds where cvkit's traces put them."""
    X, y = load_dataset("synthetic", n_samples="light")
    with dask_cluster.task_stream(client) as stream:
        result = run_folds(SVC(), X, y, cv=4, n_jobs=-1, backend="dask", batch_size=1)
    pids = dask_cluster.worker_pids(client)
    bars = task_stream_bars(stream.data, worker_pids=pids, result=result)
    assert len(bars) == 4  # batch_size=1: one Dask task per fold
    assert sorted(fold for *_, fold in bars) == [0, 1, 2, 3]
    pid_of_fold = {t.fold: t.pid for t in result.traces}
    assert all(label == f"pid {pid_of_fold[fold]}" for _, label, _, _, fold in bars)  # same worker in both views
    ax = plot_task_stream(stream.data, worker_pids=pids, result=result)
    assert len(ax.patches) == 4
    plt.close(ax.figure)


def test_costs_are_measured(client):
    assert dispatch_overhead("dask", n_tasks=10, repeats=1) > 0
    (row,) = compare_runs(("iris",), cv=4)
    assert row.identical and row.n_folds == 4 and min(row.serial, row.loky, row.dask) > 0
    assert "same scores: True" in format_runs([row])


def test_client_is_reused(client):
    assert dask_cluster.get_client() is client
    assert dask_cluster.get_client(n_workers=2) is client


# --------------------------------------------------------------------------------------------
# Trap: Parallel(backend="dask")
# --------------------------------------------------------------------------------------------
def test_dask_string_never_reaches_parallel(client, iris, monkeypatch):
    """joblib refuses ``Parallel(backend="dask")`` until "dask" is registered; cvkit never passes it there."""
    monkeypatch.delitem(joblib.parallel.BACKENDS, "dask", raising=False)  # as in a fresh process
    with pytest.raises(ValueError, match="Invalid backend: dask"):
        joblib.Parallel(backend="dask")
    calls = []

    class SpyParallel(joblib.Parallel):
        def __init__(self, *args, **kwargs):
            calls.append(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(cvkit.runner, "Parallel", SpyParallel)  # the plain path's one call
    monkeypatch.setattr(cvkit.robust.rounds, "Parallel", SpyParallel)  # the robust rounds' calls
    X, y = iris
    result = run_folds(SVC(), X, y, n_jobs=2, backend="dask")
    assert result.complete and result.backend == "dask"
    assert calls and all("backend" not in kwargs for kwargs in calls)


# --------------------------------------------------------------------------------------------
# Trap: a task that kills its worker every time
# --------------------------------------------------------------------------------------------
def test_joblib_call_ends_with_killed_worker(client):
    """The backend itself: joblib's plain dask backend would wait forever; cvkit's raises KilledWorker."""

    def call():
        with parallel_config(backend=dask_backend.dask_backend()):
            return joblib.Parallel(n_jobs=2)(joblib.delayed(_exit_now)() for _ in range(1))

    with pytest.raises(KilledWorker) as info:
        bounded(call)
    assert isinstance(info.value, TerminatedWorkerError)  # what cvkit's runner treats as a dead worker
    assert f"on {dask_cluster.ALLOWED_FAILURES + 1} different workers" in str(info.value)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fold_that_kills_every_worker_is_recorded_failed(client, iris):
    X, y = iris
    killer = KillsItsWorker(row=X[0], home=os.getpid())  # X[0] is unique in iris: tested by fold 0
    result = bounded(lambda: run_folds(killer, X, y, cv=5, n_jobs=-1, backend="dask"))
    fold0, others = result.folds[0], result.folds[1:]
    times = dask_cluster.ALLOWED_FAILURES + 1
    assert (fold0.status, fold0.error_type) == ("failed", "WorkerDied")
    assert fold0.error_message == f"its worker process died each of the {times} times it ran (KilledWorker)"
    assert all(f.ok for f in others)  # the finished folds are kept
    assert [f.score for f in others] == _loky(SVC(), X, y).scores.tolist()[1:]
    assert result.message.startswith("1 of 5 folds failed (fold 0: WorkerDied")


def test_fold_that_kills_every_worker_raises_when_asked(client, iris):
    X, y = iris
    killer = KillsItsWorker(row=X[0], home=os.getpid())
    with pytest.raises(WorkerDiedError, match=r"KilledWorker") as info:
        bounded(lambda: run_folds(killer, X, y, cv=5, n_jobs=-1, backend="dask", on_error="raise"))
    assert info.value.result.folds[0].status != "done"


# --------------------------------------------------------------------------------------------
# Trap: a worker lost once is retried, and the fold is counted once
# --------------------------------------------------------------------------------------------
def test_worker_lost_once_is_retried_and_counted_once(client, iris, tmp_path):
    X, y = iris
    marker = tmp_path / "died-once"
    events = []
    result = bounded(
        lambda: run_folds(
            KillsItsWorker(row=X[0], marker=str(marker), home=os.getpid()),
            X, y, cv=5, n_jobs=-1, backend="dask", on_event=lambda k, p: events.append((k, p)),
        )
    )  # fmt: skip
    assert marker.exists()  # a worker did die
    assert result.complete and result.scores.tolist() == _loky(SVC(), X, y).scores.tolist()
    assert [k for k, p in events if k == "start" and p["fold"] == 0] == ["start", "start"]  # two start records
    assert [p["result"].fold for k, p in events if k == "done"].count(0) == 1
    traces = result.traces
    assert sorted(t.fold for t in traces) == list(range(5))  # one trace per fold, not two for fold 0
    assert {t.fold: t.attempt for t in traces}[0] == 2
    ax = plot_gantt(result)
    assert sorted(p.get_gid() for p in ax.patches) == [f"fold-{i}" for i in range(5)]  # one bar per fold
    plt.close(ax.figure)


# --------------------------------------------------------------------------------------------
# Trap: an interrupt kills the embedded cluster's workers
# --------------------------------------------------------------------------------------------
def test_cluster_killed_by_interrupt_is_replaced(client, iris):
    """What a kernel interrupt does to the workers (SIGINT): the next run starts a fresh cluster."""
    old = dask_cluster.worker_pids(client)
    for pid in old.values():
        os.kill(pid, signal.SIGINT)
    psutil.wait_procs([psutil.Process(pid) for pid in old.values()], timeout=10)
    X, y = iris
    result = bounded(lambda: run_folds(SVC(), X, y, n_jobs=-1, backend="dask"))
    assert result.complete
    fresh = dask_cluster.get_client()
    assert fresh is not client
    new = set(dask_cluster.worker_pids(fresh).values())
    assert len(new) == 2 and not new & set(old.values())
    assert {t.pid for t in result.traces} <= new


_INTERRUPT_SCRIPT = """
import json, os, signal, threading
import psutil
from sklearn.svm import SVC
import cvkit
from cvkit.dask import cluster as dask_cluster

if __name__ == "__main__":  # the workers are spawned: they import this file and must not run it
    dask_cluster.get_client(n_workers=2)
    old = sorted(dask_cluster.worker_pids().values())
    started = threading.Event()
    threading.Thread(target=lambda: started.wait(60) and os.killpg(os.getpgrp(), signal.SIGINT), daemon=True).start()
    X, y = cvkit.load_dataset("synthetic", n_samples="medium")
    try:
        cvkit.run_folds(SVC(), X, y, cv=10, n_jobs=-1, backend="dask", on_event=lambda k, p: started.set())
        interrupted = False
    except cvkit.RunInterrupted:
        interrupted = True
    X, y = cvkit.load_dataset("iris")
    result = cvkit.run_folds(SVC(), X, y, cv=5, n_jobs=-1, backend="dask")
    new = sorted(dask_cluster.worker_pids().values())
    dask_cluster.close_client()
    left = [p.pid for p in psutil.Process().children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
    print(json.dumps({"interrupted": interrupted, "complete": result.complete, "old": old, "new": new,
                      "old_alive": [pid for pid in old if psutil.pid_exists(pid)], "left": left}))
"""


@pytest.mark.slow
def test_interrupting_the_process_group(tmp_path):
    """The real thing, in a child process with its own process group: SIGINT to the group, then run again."""
    script = tmp_path / "interrupt.py"
    script.write_text(textwrap.dedent(_INTERRUPT_SCRIPT))
    done = subprocess.run(
        [sys.executable, str(script)], start_new_session=True, capture_output=True, text=True, timeout=BOUND
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["interrupted"] and report["complete"]
    assert len(report["new"]) == 2 and not set(report["new"]) & set(report["old"])
    assert report["old_alive"] == [] and report["left"] == []


# --------------------------------------------------------------------------------------------
# Trap: modules must be importable on the workers
# --------------------------------------------------------------------------------------------
def _write_estimator_module(folder, name):
    folder.mkdir()
    (folder / f"{name}.py").write_text("from sklearn.svm import SVC\n\nclass LocalSVC(SVC):\n    pass\n")


def test_cvkit_importable_on_workers(client):
    assert dask_cluster.check_importable(client) == sorted(dask_cluster.worker_pids(client))
    here = cvkit.runner.__file__
    assert set(client.run(lambda: __import__("cvkit.runner").runner.__file__).values()) == {here}
    with pytest.raises(ImportError, match=r"^2 of 2 Dask worker\(s\) cannot import no_such_module_xyz \(tcp://"):
        dask_cluster.check_importable(client, modules=("cvkit", "no_such_module_xyz"))


def test_folder_added_to_sys_path_later_reaches_the_workers(client, iris, tmp_path, monkeypatch):
    """``sys.path.insert`` after the cluster started: cvkit passes the new path to its embedded workers."""
    _write_estimator_module(tmp_path / "later", "cvkit_test_later_module")
    monkeypatch.syspath_prepend(str(tmp_path / "later"))
    from cvkit_test_later_module import LocalSVC

    X, y = iris
    result = bounded(lambda: run_folds(LocalSVC(), X, y, n_jobs=-1, backend="dask"))
    assert result.complete and result.scores.tolist() == _loky(SVC(), X, y).scores.tolist()


def test_module_missing_on_workers_is_a_clear_error(client, iris, tmp_path, monkeypatch):
    """On a cluster cvkit does not manage (here: the user's parallel_config), a missing module ends the run."""
    _write_estimator_module(tmp_path / "unknown", "cvkit_test_unknown_module")
    monkeypatch.syspath_prepend(str(tmp_path / "unknown"))
    from cvkit_test_unknown_module import LocalSVC

    X, y = iris
    events = []

    def run():
        with parallel_config(backend="dask"):  # the default client (cvkit's), but no sys.path sync
            return run_folds(LocalSVC(), X, y, n_jobs=-1, on_event=lambda k, p: events.append(k))

    with pytest.raises(ImportError, match=r"^2 of 2 Dask worker\(s\) cannot import cvkit_test_unknown_module \("):
        bounded(run)  # joblib's configuration is per thread: set it in the thread that runs
    assert events == []  # refused before any fold left: Dask itself could hang on a task it cannot unpickle
    assert bounded(lambda: run_folds(SVC(), X, y, n_jobs=-1, backend="dask")).complete  # the cluster is fine


# --------------------------------------------------------------------------------------------
# An existing scheduler, by address or environment variable
# --------------------------------------------------------------------------------------------
def test_existing_scheduler_from_environment(dask_module, iris, monkeypatch):
    X, y = iris
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
    ) as other:
        monkeypatch.setenv(dask_cluster.ENV_VAR, other.scheduler_address)
        try:
            client = dask_cluster.get_client()
            assert client.scheduler.address == other.scheduler_address
            assert dask_cluster.cluster_info(client)["kind"] == "remote"
            result = bounded(lambda: run_folds(SVC(), X, y, n_jobs=-1, backend="dask"))
            (worker_pid,) = dask_cluster.worker_pids(client).values()
            # one worker (1 thread): joblib would run the folds here, in this process; cvkit keeps them on it
            assert {t.pid for t in result.traces} == {worker_pid}
            assert result.scores.tolist() == _loky(SVC(), X, y).scores.tolist()
        finally:
            dask_cluster.close_client()
    assert other.status.name == "closed"


def test_bad_addresses_and_sizes(monkeypatch):
    monkeypatch.setenv(dask_cluster.ENV_VAR, "my laptop")
    with pytest.raises(ValueError, match=r"^\$CVKIT_DASK_SCHEDULER='my laptop' is not allowed; allowed: None"):
        dask_cluster.get_client()
    monkeypatch.delenv(dask_cluster.ENV_VAR)
    with pytest.raises(ValueError, match=r"^n_workers=0 is not allowed; allowed: None \(one per core\) or an integer"):
        dask_cluster.get_client(n_workers=0)


# --------------------------------------------------------------------------------------------
# Closing
# --------------------------------------------------------------------------------------------
def test_close_leaves_no_worker_process(client):
    pids = set(dask_cluster.worker_pids(client).values()) | _spawned_children()
    assert pids
    dask_cluster.close_client()
    _gone, alive = psutil.wait_procs([psutil.Process(p) for p in pids if psutil.pid_exists(p)], timeout=10)
    assert not alive and not _spawned_children()
    assert client.status == "closed"
    dask_cluster.close_client()  # twice is fine


def test_starting_workers_leaves_the_kernels_environment_alone(client, iris):
    """Dask's nannies set OMP/BLAS caps in this process for their workers; cvkit takes them back out."""
    X, y = iris
    run_folds(SVC(), X, y, cv=3, backend="dask")
    for key in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_"):
        assert os.environ.get(key) == _ENVIRON_AT_IMPORT.get(key), key
    assert set(client.run(lambda: os.environ.get("OMP_NUM_THREADS")).values()) == {"1"}  # workers keep theirs


def test_a_thread_cap_set_after_import_survives_the_cluster(dask_module, monkeypatch):
    """cvkit takes the kernel's environment when its first nanny starts, not at import: a cap set in between is kept."""
    dask_cluster.close_client()
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # set after cvkit.dask.cluster was imported
    client = dask_cluster.get_client(n_workers=1)
    assert os.environ["OMP_NUM_THREADS"] == "3"  # not reset to what it was at import
    assert set(client.run(lambda: os.environ.get("OMP_NUM_THREADS")).values()) == {"3"}  # Dask keeps a cap that is set
    dask_cluster.close_client()
    assert os.environ["OMP_NUM_THREADS"] == "3"
