"""Dask's "Task Stream" (what its dashboard draws) as a matplotlib chart: a lane per worker, a bar per task."""

import matplotlib.pyplot as plt

from ..model.records import lanes_by_first_start
from .colors import fold_color, text_color_on

__all__ = ["plot_task_stream", "task_stream_bars"]


def task_stream_bars(records, *, worker_pids=None, result=None):
    """Turn task-stream records into bars: ``(lane, label, start, end, fold or None)``.

    Parameters
    ----------
    records : list of dict
        ``stream.data`` of :func:`cvkit.dask.cluster.task_stream` (Dask's
        ``get_task_stream``): each has ``worker`` (address) and ``startstops``
        (actions with ``start``/``stop`` in ``time.time()`` seconds).
    worker_pids : dict, optional
        ``{worker address: pid}`` (:func:`cvkit.dask.cluster.worker_pids`): lanes
        are then labelled "pid …", as in cvkit's Gantt. Default: "worker 0", ...
    result : CVResult, optional
        The run recorded: times are then seconds since that run started (the
        first compute is aligned with its first fold's start), and each bar
        gets the fold whose trace (same pid) it overlaps most.

    Returns
    -------
    list of tuple
        Times are seconds since the first compute started (or since the run
        started, with ``result``). Lanes are numbered by the order in which
        workers first computed, the order cvkit's Gantt uses.

    Examples
    --------
    >>> records = [
    ...     {"worker": "tcp://127.0.0.1:2", "startstops": ({"action": "compute", "start": 10.5, "stop": 11.0},)},
    ...     {"worker": "tcp://127.0.0.1:1", "startstops": ({"action": "compute", "start": 10.0, "stop": 10.4},)},
    ... ]
    >>> task_stream_bars(records)
    [(0, 'worker 0', 0.0, 0.4, None), (1, 'worker 1', 0.5, 1.0, None)]
    """
    computes = [
        (r["worker"], s["start"], s["stop"])
        for r in records
        for s in r.get("startstops", ())
        if s.get("action") == "compute"
    ]
    if not computes:
        return []
    computes.sort(key=lambda c: (c[1], c[0]))
    t0 = computes[0][1]
    lane_of = lanes_by_first_start((start, worker, worker) for worker, start, _ in computes)
    traces, shift = [], 0.0
    if result is not None and result.traces:
        traces = [(t.pid, t.start, t.end, t.fold) for t in result.traces]
        shift = min(t.start for t in result.traces)  # the first compute began when the run's first fold did
    bars = []
    for worker, start, stop in computes:
        pid = (worker_pids or {}).get(worker)
        label = f"pid {pid}" if pid is not None else f"worker {lane_of[worker]}"
        s, e = start - t0 + shift, stop - t0 + shift
        fold = _best_fold(traces, pid, s, e)
        bars.append((lane_of[worker], label, round(s, 6), round(e, 6), fold))
    return bars


def _best_fold(traces, pid, start, end):
    best, best_overlap = None, 0.0
    for t_pid, t_start, t_end, fold in traces:
        overlap = min(end, t_end) - max(start, t_start)
        if (pid is None or t_pid == pid) and overlap > best_overlap:
            best, best_overlap = fold, overlap
    return best


def plot_task_stream(records, ax=None, *, worker_pids=None, result=None, title=None, xmax=None):
    """Draw Dask's task stream: one lane per worker, one bar per task (a joblib batch: here, one fold).

    Parameters
    ----------
    records, worker_pids, result
        As in :func:`task_stream_bars`. With ``result``, bars carry their fold's
        number and colour, as in :func:`cvkit.plots.plot_gantt`.
    ax : matplotlib Axes, optional
    title : str, optional
    xmax : float, optional
        Right end of the time axis (give the Gantt the same one).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> records = [{"worker": "w1", "startstops": ({"action": "compute", "start": 0.0, "stop": 1.0},)}]
    >>> ax = plot_task_stream(records)
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()]
    (1, ['worker 0'])
    >>> plt.close(ax.figure)
    """
    bars = task_stream_bars(records, worker_pids=worker_pids, result=result)
    lanes = {lane: label for lane, label, *_ in bars}
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.5 * max(len(lanes), 1) + 1.4))
    for lane, _, start, end, fold in bars:
        ax.barh(
            lane,
            end - start,
            left=start,
            height=0.72,
            color=fold_color(fold) if fold is not None else "0.6",
            edgecolor="0.15",
            linewidth=0.7,
        )
        if fold is not None:
            ax.text((start + end) / 2, lane, str(fold), ha="center", va="center", fontsize=8,
                    color=text_color_on(fold_color(fold)))  # fmt: skip
    ax.set_yticks(sorted(lanes), labels=[lanes[i] for i in sorted(lanes)], fontsize=8)
    ax.set_ylim(len(lanes) - 0.5, -0.5)
    end = max((b[3] for b in bars), default=1.0)
    ax.set_xlim(0, xmax if xmax is not None else end * 1.04)
    ax.set_xlabel("time since the run started (s)" if result is not None else "time since the first task started (s)")
    ax.set_title(title if title is not None else "Dask's task stream (compute)", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return ax
