"""A Gantt chart of a nested run: one lane per outer fold, its inner tasks drawn inside it, coloured by worker."""

import matplotlib.pyplot as plt
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

__all__ = ["plot_nested", "sub_rows"]

#: gid of the band drawn for outer fold k; of inner task i of outer fold k.
OUTER_GID = "outer-{}"
TASK_GID = "inner-{}-{}"

#: One colour family per process (in the order processes first ran a task); threads get shades of it.
_FAMILIES = ("Blues", "Oranges", "Greens", "Purples", "Reds", "Greys", "YlOrBr", "PuRd")

#: Most legend entries before workers are grouped by process.
MAX_LEGEND_WORKERS = 12


def sub_rows(intervals, keys=None):
    """Give each interval a row free when it starts, so intervals on one row never overlap.

    Parameters
    ----------
    intervals : sequence of (start, end)
    keys : sequence, optional
        A key per interval (the worker that ran it): an interval goes back to
        the row its key used last when that row is free, so one worker's tasks
        stay on one row where they can. Otherwise it takes the lowest free row.

    Returns
    -------
    list of int
        The row of each interval, in the input's order; ``max + 1`` rows are
        used, as many as the most intervals that overlap at one moment.

    Examples
    --------
    >>> sub_rows([(0, 2), (1, 3), (2, 4), (2.5, 3)])
    [0, 1, 0, 2]
    >>> sub_rows([(0, 1), (0, 1), (1, 2), (1, 2)], keys=["a", "b", "b", "a"])
    [0, 1, 1, 0]
    >>> sub_rows([])
    []
    """
    keys = list(keys) if keys is not None else list(range(len(intervals)))
    order = sorted(range(len(intervals)), key=lambda i: (intervals[i][0], intervals[i][1]))
    free_at = []  # row -> when it is free again
    last_row = {}  # key -> row it used last
    rows = [0] * len(intervals)
    for i in order:
        start, end = intervals[i]
        preferred = last_row.get(keys[i])
        if preferred is not None and free_at[preferred] <= start:
            row = preferred
        else:
            row = next((r for r, t in enumerate(free_at) if t <= start), len(free_at))
        if row == len(free_at):
            free_at.append(end)
        free_at[row] = end
        rows[i] = last_row[keys[i]] = row
    return rows


def _worker_colors(run):
    """``{(pid, thread_id): colour}``: a hue per process, a shade per thread; and the processes in order."""
    workers = run.workers()
    processes = list(dict.fromkeys(pid for pid, _ in workers))
    colors = {}
    for p, pid in enumerate(processes):
        threads = [w for w in workers if w[0] == pid]
        cmap = plt.get_cmap(_FAMILIES[p % len(_FAMILIES)])
        for j, w in enumerate(threads):
            level = 0.75 if len(threads) == 1 else 0.85 - 0.5 * j / (len(threads) - 1)
            colors[w] = cmap(level)
    return colors, processes


def _worker_label(worker):
    pid, tid = worker  # on Linux a process's main thread has the process's id
    return f"pid {pid} · {'main thread' if pid == tid else f'thread {tid}'}"


def plot_nested(run, ax=None, *, title=None):
    """Draw a nested run: outer folds as lanes, each inner task a bar inside its fold's lane, coloured by worker.

    Each lane holds a grey band from the outer fold's start to its end (the
    whole outer task, edged in the colour of the worker that ran it) and, on
    sub-rows, the inner tasks that ran while it ran: as many sub-rows as the
    most inner tasks of that fold running at one moment, so bars never hide
    each other. One colour family per process, a shade per thread; the
    search's refits are hatched.

    Parameters
    ----------
    run : NestedRun
        From :func:`cvkit.lab.nested.run_nested`.
    ax : matplotlib Axes, optional
        Default: a new figure sized for a notebook (legend outside the data, on the right).
    title : str, optional
        Default: the outer and inner settings and the peak of tasks at once.

    Returns
    -------
    matplotlib.axes.Axes
        Lane k (outer fold k) on row k from the top. The band of outer fold k
        has gid ``"outer-<k>"``; inner task i of fold k, ``"inner-<k>-<i>"``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from cvkit.lab.nested import run_nested
    >>> X, y = load_iris(return_X_y=True)
    >>> run = run_nested(X, y, inner="forest", outer_n_jobs=1, inner_n_jobs=1, outer_folds=2, n_estimators=3)
    >>> ax = plot_nested(run)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['outer fold 0', 'outer fold 1']
    >>> sorted(p.get_gid() for p in ax.patches if p.get_gid().startswith("outer"))
    ['outer-0', 'outer-1']
    >>> plt.close(ax.figure)
    >>> plot_nested("run")
    Traceback (most recent call last):
    ...
    TypeError: run=str is not allowed; allowed: a NestedRun from cvkit.lab.nested.run_nested.
    """
    from ..lab.nested import NestedRun

    if not isinstance(run, NestedRun):
        raise TypeError(
            f"run={type(run).__name__} is not allowed; allowed: a NestedRun from cvkit.lab.nested.run_nested."
        )
    n_lanes = len(run.outer)
    if ax is None:
        _, ax = plt.subplots(figsize=(9.6, 0.95 * n_lanes + 1.5))
    colors, processes = _worker_colors(run)
    lane_height, gap = 0.84, 0.08
    for lane, outer in enumerate(run.outer):
        top = lane - lane_height / 2
        ax.add_patch(Rectangle((outer.start, top), outer.duration, lane_height, facecolor="0.94",
                               edgecolor=colors[outer.worker], linewidth=1.8, gid=OUTER_GID.format(outer.fold),
                               zorder=1))  # fmt: skip  # its edge: the worker that ran the outer fold
        tasks = run.tasks_of(outer.fold)
        rows = sub_rows([(t.start, t.end) for t in tasks], keys=[t.worker for t in tasks])
        n_rows = max(rows, default=0) + 1
        row_h = (lane_height - 2 * gap) / n_rows
        for task, row in zip(tasks, rows):
            ax.add_patch(Rectangle(
                (task.start, top + gap + row * row_h + 0.06 * row_h), max(task.duration, 1e-9), 0.88 * row_h,
                facecolor=colors[task.worker], edgecolor="0.2", linewidth=0.4,
                hatch="////" if task.kind == "refit" else None, gid=TASK_GID.format(outer.fold, task.index), zorder=2,
            ))  # fmt: skip
    right = max([o.end for o in run.outer] + [t.end for t in run.tasks] + [1e-6]) * 1.03
    ax.set_xlim(0, right)
    ax.set_ylim(n_lanes - 0.5, -0.5)
    ax.set_yticks(range(n_lanes), labels=[f"outer fold {o.fold}" for o in run.outer], fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3))
    ax.set_xlabel("time since the run started (s)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    s = run.settings
    ax.set_title(
        title if title is not None else (
            f"outer n_jobs={s['outer_n_jobs']} ({s['outer_backend']}) × inner n_jobs={s['inner_n_jobs']} "
            f"({run.inner_backend}): at most {run.peak_tasks} inner tasks at once, {s['cores']} core(s)"
        ),
        fontsize=9,
    )  # fmt: skip
    ax.legend(handles=_legend_handles(run, colors, processes), loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize=8, frameon=False, title="ran by", title_fontsize=8)  # fmt: skip
    ax.figure.tight_layout()
    return ax


def _legend_handles(run, colors, processes):
    handles = []
    workers = list(colors)
    if len(workers) <= MAX_LEGEND_WORKERS:
        handles += [Patch(facecolor=colors[w], edgecolor="0.2", label=_worker_label(w)) for w in workers]
    else:  # one entry per process, in its middle shade
        for pid in processes:
            threads = [w for w in workers if w[0] == pid]
            label = f"pid {pid} · {len(threads)} thread{'s' if len(threads) != 1 else ''}"
            handles.append(Patch(facecolor=colors[threads[len(threads) // 2]], edgecolor="0.2", label=label))
    handles.append(Patch(facecolor="0.94", edgecolor="0.3", linewidth=1.8, label="outer fold (edge: its worker)"))
    if any(t.kind == "refit" for t in run.tasks):
        handles.append(Patch(facecolor="white", edgecolor="0.2", hatch="////", label="refit of the best candidate"))
    return handles
