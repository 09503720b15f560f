"""The trace: one record per fold, start < end, plausible workers; live events arrive while the run goes on."""

import os
import threading

import pytest
from sklearn.svm import SVC

from cvkit import load_dataset, run_folds
from cvkit.core.trace import EventChannel


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_one_record_per_fold(backend, iris):
    X, y = iris
    result = run_folds(SVC(), X, y, cv=6, n_jobs=2, backend=backend)
    traces = result.traces
    assert sorted(t.fold for t in traces) == list(range(6))
    assert all(0 <= t.start < t.end <= result.wall_time + 0.05 for t in traces)
    workers = {t.worker for t in traces}
    assert 1 <= len(workers) <= 2
    pids = {t.pid for t in traces}
    if backend == "threading":
        assert pids == {os.getpid()} and all(t.thread_id != threading.get_native_id() for t in traces)
    else:
        assert os.getpid() not in pids


def test_serial_runs_in_this_thread(iris):
    X, y = iris
    result = run_folds(SVC(), X, y, n_jobs=1)
    assert {t.worker[1:] for t in result.traces} == {(os.getpid(), threading.get_native_id())}
    ends = [t.end for t in result.traces]
    starts = [t.start for t in result.traces]
    assert all(e <= s for e, s in zip(ends, starts[1:])), "serial folds must not overlap"


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_live_events_in_completion_order(backend):
    X, y = load_dataset("synthetic", n_samples="light")
    events = []
    result = run_folds(SVC(), X, y, cv=4, n_jobs=2, backend=backend, on_event=lambda k, p: events.append((k, p)))
    starts = [p["fold"] for k, p in events if k == "start"]
    dones = [p["result"].fold for k, p in events if k == "done"]
    assert sorted(starts) == sorted(dones) == [0, 1, 2, 3]
    for fold in range(4):  # each fold announced its start before its result came back
        assert [k for k, p in events if p.get("fold", getattr(p.get("result"), "fold", None)) == fold] == [
            "start",
            "done",
        ]
    assert result.complete


def test_event_channel_ignores_strangers():
    import socket

    with EventChannel() as channel:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
            stranger.sendto(b"not ours", channel.address)
        channel.sender().send("start", fold=1)
        assert channel.events.get(timeout=5) == ("start", {"fold": 1})
        assert channel.events.empty()
        assert channel.address[0] == "127.0.0.1"


def _send_and_die(sender, n):
    for fold in range(n):
        sender.send("end", fold=fold)
    os._exit(0)  # no clean-up, as a crashed worker


def test_flush_returns_once_a_dead_process_s_events_are_handled():
    import multiprocessing
    import time

    handled = []

    def slow_callback(kind, payload):
        time.sleep(0.002)  # the reader lags behind the sender, as under load
        handled.append(payload["fold"])

    with EventChannel(callback=slow_callback) as channel:
        process = multiprocessing.get_context("fork").Process(target=_send_and_die, args=(channel.sender(), 100))
        process.start()
        process.join()
        assert len(handled) < 100, "the reader was not behind: this test would not notice a flush that does not wait"
        assert channel.flush(timeout=5)
        assert handled == list(range(100))
    assert not channel.flush(timeout=0.1)  # closed: nothing can arrive
