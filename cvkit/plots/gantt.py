"""Gantt charts of a schedule (one lane per worker, one bar per fold) and snapshots of joblib's task queue."""

import matplotlib.pyplot as plt
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ..core.results import FOLD_STATUSES
from ..model.measured import predict_from_result, schedule_from_result
from ..model.records import Schedule
from .colors import fold_color, text_color_on

__all__ = ["plot_gantt", "plot_measured_vs_predicted", "plot_queue"]

#: gid of the Rectangle drawn for fold i is f"fold-{i}"; of its label, f"fold-label-{i}".
BAR_GID = "fold-{}"
LABEL_GID = "fold-label-{}"


def _as_schedule(schedule_or_result):
    if isinstance(schedule_or_result, Schedule):
        return schedule_or_result
    if hasattr(schedule_or_result, "folds") and hasattr(schedule_or_result, "wall_time"):
        return schedule_from_result(schedule_or_result)
    raise TypeError(
        f"schedule_or_result={type(schedule_or_result).__name__} is not allowed; allowed: a cvkit Schedule "
        "(from predict_schedule or schedule_from_result) or a CVResult (from run_folds)."
    )


def _default_title(schedule):
    s = schedule.settings
    what = f"{schedule.n_folds} folds on {schedule.n_workers} workers"
    if schedule.source == "measured":
        return f"measured · {what} ({s.get('backend', '?')})"
    return f"predicted · {what} (pre_dispatch={s.get('pre_dispatch')!r}, batch_size={s.get('batch_size')!r})"


def plot_gantt(schedule_or_result, ax=None, *, title=None, xmax=None):
    """Draw a schedule as a Gantt chart: one lane per worker, one bar per fold labelled with its index.

    Parameters
    ----------
    schedule_or_result : Schedule or CVResult
        A prediction (:func:`cvkit.model.predict_schedule`) or a measured run
        (a CVResult, or :func:`cvkit.model.schedule_from_result` of one).
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    title : str, optional
        Default: "predicted · k folds on w workers (...)" or "measured · ...".
    xmax : float, optional
        Right end of the time axis; give two charts the same value to compare
        them on one scale (default: a little past the makespan).

    Returns
    -------
    matplotlib.axes.Axes
        Lane 0 on top. Each fold is a Rectangle patch with gid ``"fold-<i>"``
        and a text label with gid ``"fold-label-<i>"``; folds that failed are
        hatched. A dashed line marks the makespan.

    Examples
    --------
    >>> from cvkit.model import predict_schedule
    >>> ax = plot_gantt(predict_schedule(5, n_jobs=2))
    >>> len(ax.patches), [t.get_text() for t in ax.texts][:5]
    (5, ['0', '1', '2', '3', '4'])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['worker 0', 'worker 1']
    >>> plt.close(ax.figure)
    """
    schedule = _as_schedule(schedule_or_result)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.5 * schedule.n_workers + 1.4))
    span = max(schedule.makespan, 1e-9)
    right = xmax if xmax is not None else span * 1.04
    for task in schedule.tasks:
        failed = task.status != "done"
        ax.barh(
            task.worker,
            task.duration,
            left=task.start,
            height=0.72,
            color=fold_color(task.fold),
            edgecolor="0.15",
            linewidth=0.7,
            hatch="///" if failed else None,
            gid=BAR_GID.format(task.fold),
        )
        ax.text(
            task.start + task.duration / 2,
            task.worker,
            str(task.fold),
            ha="center",
            va="center",
            fontsize=8 if schedule.n_folds <= 20 else 6,
            color="#000" if failed else text_color_on(fold_color(task.fold)),
            gid=LABEL_GID.format(task.fold),
        )
    ax.axvline(schedule.makespan, color="0.25", linestyle="--", linewidth=1)
    ax.set_yticks(range(schedule.n_workers), labels=schedule.lane_labels(), fontsize=8)
    ax.set_ylim(schedule.n_workers - 0.5, -0.5)
    ax.set_xlim(0, right)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3))  # few enough ticks to stay apart at any span
    ax.set_xlabel("time since the run started (s)")
    ax.set_title(title if title is not None else _default_title(schedule), fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return ax


def plot_measured_vs_predicted(result, schedule=None, *, titles=None):
    """Two Gantt charts side by side on the same time scale: the measured run and its prediction.

    Parameters
    ----------
    result : CVResult
        A measured run.
    schedule : Schedule, optional
        The prediction. Default: :func:`cvkit.model.predict_from_result`
        with the run's own fold durations, so the two panels differ only in
        who ran what, when (not in how long a fold took).
    titles : (str, str), optional

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[0]`` measured, ``fig.axes[1]`` predicted, with equal x limits.
    """
    measured = schedule_from_result(result)
    predicted = schedule if schedule is not None else predict_from_result(result)
    right = max(measured.makespan, predicted.makespan, 1e-9) * 1.04
    n_lanes = max(measured.n_workers, predicted.n_workers)
    fig, axes = plt.subplots(1, 2, figsize=(9.8, 0.5 * n_lanes + 1.5), sharex=True)  # a notebook's width
    titles = titles or (None, None)
    plot_gantt(measured, axes[0], xmax=right, title=titles[0])
    plot_gantt(predicted, axes[1], xmax=right, title=titles[1])
    fig.tight_layout()
    return fig


#: A "waiting" fold that is still in joblib's task generator (not handed to the pool yet): a queue box of its own.
_NOT_DISPATCHED = "not dispatched"

#: A box's look in the queue by the fold's status (:data:`cvkit.core.results.FOLD_STATUSES`, plus
#: "not dispatched"). An interrupted fold (its worker died) waits, yellow, to be re-run.
_QUEUE_STYLE = {
    _NOT_DISPATCHED: {"facecolor": "white", "edgecolor": "0.6", "linestyle": ":"},
    "waiting": {"facecolor": "#fde9a9", "edgecolor": "0.4", "linestyle": "-"},
    "running": {"facecolor": None, "edgecolor": "0.1", "linestyle": "-"},  # the fold's own colour
    "interrupted": {"facecolor": "#fde9a9", "edgecolor": "#b00", "linestyle": "--"},
    "done": {"facecolor": "0.85", "edgecolor": "0.6", "linestyle": "-"},
    "failed": {"facecolor": "0.85", "edgecolor": "0.6", "linestyle": "-", "hatch": "///"},
    "cancelled": {"facecolor": "white", "edgecolor": "0.6", "linestyle": "--"},
}
assert set(_QUEUE_STYLE) == {_NOT_DISPATCHED, *FOLD_STATUSES}


def plot_queue(schedule, times=None, ax=None):
    """Snapshots of joblib's task queue: one row per moment, one box per fold, coloured by its state.

    White: still in the task generator (not dispatched). Yellow: dispatched,
    waiting for a worker. The fold's colour, with "w<lane>": running on that
    worker. Grey: done. The picture shows ``pre_dispatch`` at work: only the first
    folds are dispatched at the start, and one more each time one finishes.

    Parameters
    ----------
    schedule : Schedule
        A prediction (a measured schedule has no dispatch times: its folds show
        as queued until they start).
    times : sequence of float, optional
        Default: every moment something happens (at most 12).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from cvkit.model import predict_schedule
    >>> ax = plot_queue(predict_schedule(6, n_jobs=2), times=[0, 1])
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("w")]
    ['w0', 'w1', 'w0', 'w1']
    >>> plt.close(ax.figure)
    """
    schedule = _as_schedule(schedule)
    times = list(times) if times is not None else [t for t in schedule.event_times() if t < schedule.makespan][:12]
    k = schedule.n_folds
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.6 * k + 2.6), 0.5 * len(times) + 1.2))
    by_fold = {t.fold: t for t in schedule.tasks}
    for row, t in enumerate(times):
        states = schedule.state_at(t)
        not_dispatched = set(schedule.not_dispatched_at(t))
        for fold in range(k):
            state = _NOT_DISPATCHED if fold in not_dispatched else states.get(fold, "waiting")
            style = dict(_QUEUE_STYLE[state])
            text = "0.1"
            if style["facecolor"] is None:
                style["facecolor"] = fold_color(fold)
                text = text_color_on(fold_color(fold))
            ax.add_patch(Rectangle((fold - 0.42, row - 0.38), 0.84, 0.76, linewidth=0.8, **style))
            ax.text(fold, row - 0.08, str(fold), ha="center", va="center", fontsize=9, color=text)
            if state == "running":
                ax.text(fold, row + 0.27, f"w{by_fold[fold].worker}", ha="center", va="center", fontsize=7.5,
                        color=text)  # fmt: skip
    ax.set_xlim(-0.6, k - 0.4)
    ax.set_ylim(len(times) - 0.5, -0.5)
    ax.set_yticks(range(len(times)), labels=[f"t = {t:g}" for t in times], fontsize=8)
    ax.set_xticks([])
    ax.set_xlabel("folds, in dispatch order")
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    handles = [
        Patch(facecolor="white", edgecolor="0.6", linestyle=":", label="not dispatched yet"),
        Patch(facecolor="#fde9a9", edgecolor="0.4", label="dispatched, queued"),
        Patch(facecolor=fold_color(0), edgecolor="0.1", label="running (on worker w…)"),
        Patch(facecolor="0.85", edgecolor="0.6", label="done"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(
        f"the queue: {k} folds on {schedule.n_workers} workers, pre_dispatch={schedule.settings.get('pre_dispatch')!r}",
        fontsize=9,
    )
    ax.figure.tight_layout()
    return ax
