"""Speed-up curves: measured points against n_jobs, folds or fold time, with the bounds, Amdahl's law and the rule.

Each drawn series has a gid ("measured", "bound", "expected", ...), so tests can find it: ``[l.get_gid() for l in
ax.lines]``.
"""

import math
from numbers import Real

import matplotlib.pyplot as plt
import numpy as np

from ..core.text import fmt_seconds
from ..core.verdicts import speedup_bound
from ..model.bounds import amdahl_limit, amdahl_speedup, list_scheduling_bound
from ..model.cost_rule import breakeven_fold_seconds, expected_speedup

__all__ = ["plot_speedup_vs_fold_time", "plot_speedup_vs_folds", "plot_speedup_vs_workers"]

_STYLE = {
    "measured": dict(color="tab:blue", marker="o", linestyle="none", alpha=0.45, markersize=5),
    "measured-median": dict(color="tab:blue", marker="o", linestyle="-", linewidth=1.6, markersize=7),
    "bound": dict(color="tab:green", marker="_", linestyle="-", linewidth=1.4, markersize=12, drawstyle="default"),
    "list-scheduling": dict(color="tab:olive", marker="x", linestyle="none", markersize=7),
    "amdahl": dict(color="tab:purple", linestyle="--", linewidth=1.3),
    "expected": dict(color="tab:orange", linestyle="-.", linewidth=1.5),
    "ideal": dict(color="0.6", linestyle=":", linewidth=1.0),
}


def _points(measured, name):
    """``{x: value or values}`` as sorted x values and lists of y values, checked."""
    if not isinstance(measured, dict) or not measured:
        raise ValueError(
            f"{name}={measured!r} is not allowed; allowed: a non-empty dict {{x: speed-up or list of speed-ups}}."
        )
    xs, ys = [], []
    for x in sorted(measured):
        values = measured[x]
        values = [values] if isinstance(values, Real) else list(values)
        if (
            isinstance(x, bool)
            or not isinstance(x, Real)
            or not values
            or not all(isinstance(v, Real) and math.isfinite(v) and v >= 0 for v in values)
        ):
            raise ValueError(
                f"{name} has {x!r}: {measured[x]!r}; allowed: a number x mapped to a speed-up >= 0 or a list of them."
            )
        xs.append(float(x))
        ys.append([float(v) for v in values])
    return xs, ys


def _draw_measured(ax, xs, ys, label="measured"):
    px = [x for x, vals in zip(xs, ys) for _ in vals]
    py = [v for vals in ys for v in vals]
    if any(len(vals) > 1 for vals in ys):
        ax.plot(px, py, gid="measured", label=f"{label} (each run)", **_STYLE["measured"])
        ax.plot(xs, [float(np.median(v)) for v in ys], gid="measured-median", label=f"{label} (median)",
                **_STYLE["measured-median"])  # fmt: skip
    else:
        ax.plot(xs, [v[0] for v in ys], gid="measured-median", label=label, **_STYLE["measured-median"])


def _finish(ax, title, xlabel):
    ax.axhline(1.0, color="0.3", linewidth=0.8, gid="serial")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("speed-up over the serial loop (×)")
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    # beside the axes, never on them: a legend inside can hide a measured point
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return ax.figure


def _new_ax(ax, figsize=(8.6, 4.0)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_speedup_vs_workers(
    measured, n_folds, *, durations=None, parallel_fraction=None, expected=None, n_cores=None, ax=None, title=None
):
    """Speed-up against the number of workers: measured points, the ideal w, k / ceil(k / w), list scheduling, Amdahl.

    Parameters
    ----------
    measured : dict {n_workers: speed-up or list of speed-ups}
    n_folds : int
        The k of the k / ceil(k / w) bound.
    durations : sequence of float, optional
        Measured fold times: adds the list-scheduling bound sum(d) / makespan for each w.
    parallel_fraction : float or dict {label: float}, optional
        Adds Amdahl's curve 1 / ((1 - p) + p / w) (:func:`cvkit.model.bounds.amdahl_speedup`),
        or one curve per label (e.g. a warm and a cold pool).
    expected : dict {n_workers: speed-up}, optional
        What the rule (:func:`cvkit.lab.advice.expected_speedup`) expects.
    n_cores : int, optional
        Marks the number of cores: workers beyond it share them.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Lines carry gids: "measured" / "measured-median", "ideal", "bound",
        "list-scheduling", "amdahl", "expected", "cores".

    Examples
    --------
    >>> fig = plot_speedup_vs_workers({1: 1.0, 2: [1.6, 1.7], 4: 1.7}, n_folds=6, parallel_fraction=0.99, n_cores=2)
    >>> sorted(line.get_gid() for line in fig.axes[0].lines)
    ['amdahl', 'bound', 'cores', 'ideal', 'measured', 'measured-median', 'serial']
    >>> bound = next(line for line in fig.axes[0].lines if line.get_gid() == "bound")
    >>> [float(v) for v in bound.get_ydata()]   # k / ceil(k / w) for w = 1 .. 4
    [1.0, 2.0, 3.0, 3.0]
    >>> plt.close(fig)
    """
    xs, ys = _points(measured, "measured")
    ax = _new_ax(ax)
    w_max = max(int(max(xs)), 1)
    ws = np.arange(1, w_max + 1)
    _draw_measured(ax, xs, ys)
    ax.plot(ws, ws, gid="ideal", label="ideal: w workers, w×", **_STYLE["ideal"])
    ax.plot(ws, [speedup_bound(n_folds, int(w)) for w in ws], gid="bound",
            label=f"bound k / ceil(k / w), k = {n_folds}", **_STYLE["bound"])  # fmt: skip
    if durations is not None:
        d = list(durations)
        ax.plot(ws, [sum(d) / list_scheduling_bound(d, int(w)) for w in ws], gid="list-scheduling",
                label="list scheduling of the measured folds", **_STYLE["list-scheduling"])  # fmt: skip
    if parallel_fraction is not None:
        fine = np.linspace(1, w_max, 100)
        curves = parallel_fraction if isinstance(parallel_fraction, dict) else {"Amdahl": parallel_fraction}
        for i, (name, p) in enumerate(curves.items()):
            dashes = "--" if i == 0 else (0, (5, 3, 1, 3))
            style = dict(_STYLE["amdahl"], alpha=1.0 if i == 0 else 0.6, linestyle=dashes)
            ax.plot(fine, amdahl_speedup(p, fine), gid="amdahl",
                    label=f"{name}, p = {p:.3f} (limit {amdahl_limit(p):.3g}×)", **style)  # fmt: skip
    if expected:
        ex, ey = _points(expected, "expected")
        ax.plot(ex, [v[0] for v in ey], gid="expected", label="the rule expects", **_STYLE["expected"])
    if n_cores is not None:  # the cores cap every speed-up: a ceiling of min(w, cores)
        ax.plot(ws, np.minimum(ws, n_cores), color="tab:red", linewidth=1.2, alpha=0.8, gid="cores",
                label=f"ceiling: {n_cores} core{'s' if n_cores != 1 else ''}, min(w, {n_cores})×")  # fmt: skip
    ax.set_xticks(ws)
    return _finish(ax, title, "workers (n_jobs)")


def plot_speedup_vs_folds(measured, n_workers, *, durations=None, expected=None, ax=None, title=None):
    """Speed-up against the number of folds on ``n_workers``: measured points, the saw-tooth k / ceil(k / w), the rule.

    Parameters
    ----------
    measured : dict {n_folds: speed-up or list of speed-ups}
    n_workers : int
    durations : dict {n_folds: sequence of fold seconds}, optional
        Adds the list-scheduling bound of each run's measured folds.
    expected : dict {n_folds: speed-up}, optional
        What the rule expects.
    ax, title : optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_speedup_vs_folds({2: 1.8, 3: 1.4, 4: 1.8}, n_workers=2)
    >>> bound = next(l for l in fig.axes[0].lines if l.get_gid() == "bound")
    >>> bound.get_ydata().round(2).tolist()
    [2.0, 1.5, 2.0]
    >>> plt.close(fig)
    """
    xs, ys = _points(measured, "measured")
    ax = _new_ax(ax)
    ks = np.arange(int(min(xs)), int(max(xs)) + 1)
    _draw_measured(ax, xs, ys)
    ax.plot(ks, [speedup_bound(int(k), n_workers) for k in ks], gid="bound",
            label=f"bound k / ceil(k / w), w = {n_workers}", **_STYLE["bound"])  # fmt: skip
    ax.axhline(n_workers, gid="ideal", label=f"ideal: {n_workers}×", **_STYLE["ideal"])
    if durations:
        dk = sorted(durations)
        ls = [sum(durations[k]) / list_scheduling_bound(list(durations[k]), n_workers) for k in dk]
        ax.plot(
            dk, ls, gid="list-scheduling", label="list scheduling of the measured folds", **_STYLE["list-scheduling"]
        )
    if expected:
        ex, ey = _points(expected, "expected")
        ax.plot(ex, [v[0] for v in ey], gid="expected", label="the rule expects", **_STYLE["expected"])
    ax.set_xticks(ks)
    return _finish(ax, title, "folds (k)")


def plot_speedup_vs_fold_time(
    measured, n_folds, n_workers, *, costs=None, cold_startup=None, min_speedup=1.1, ax=None, title=None,
    labels=None, n_cores=None,
):  # fmt: skip
    """Speed-up against one fold's time (log scale): where parallel starts to pay.

    Parameters
    ----------
    measured : dict {fold seconds: speed-up or list of speed-ups}
    n_folds, n_workers : int
    costs : cvkit.lab.advice.Costs, optional
        Draws the rule's curve for a warm pool with these costs, and the
        break-even fold time where it crosses ``min_speedup``.
    cold_startup : float, optional
        Also draws the rule's curve for a cold pool paying this start-up.
    min_speedup : float
        The line that counts as paying.
    labels : dict {fold seconds: str}, optional
        A text next to each measured point (e.g. the workload's name).
    n_cores : int, optional
        The cores the rule's curves and bound assume (default: a free core per
        worker). Workers beyond the cores share them and add no speed.
    ax, title : optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from cvkit.model.cost_rule import COSTS
    >>> fig = plot_speedup_vs_fold_time({0.002: 0.4, 0.02: 1.2, 0.5: 1.6}, 5, 2, costs=COSTS["loky"], cold_startup=1.0)
    >>> sorted(line.get_gid() for line in fig.axes[0].lines)
    ['bound', 'break-even', 'expected', 'expected-cold', 'measured-median', 'pays', 'serial']
    >>> plt.close(fig)
    >>> fig = plot_speedup_vs_fold_time({0.002: 0.4, 0.5: 0.95}, 4, 2, costs=COSTS["loky"], n_cores=1)
    >>> sorted(line.get_gid() for line in fig.axes[0].lines)   # on 1 core no fold time breaks even
    ['bound', 'expected', 'measured-median', 'pays', 'serial']
    >>> plt.close(fig)
    """
    xs, ys = _points(measured, "measured")
    if min(xs) <= 0:
        raise ValueError(f"measured has a fold time of {min(xs)!r}; allowed: fold times > 0 (the axis is logarithmic).")
    ax = _new_ax(ax)
    _draw_measured(ax, xs, ys)
    if labels:
        for x, vals in zip(xs, ys):
            if x in labels:
                ax.annotate(labels[x], (x, float(np.median(vals))), textcoords="offset points", xytext=(4, 6),
                            fontsize=8)  # fmt: skip
    lo, hi = min(xs) / 2, max(xs) * 2
    fine = np.geomspace(lo, hi, 120)
    w = n_workers if n_cores is None else max(1, min(n_workers, n_cores))
    bound = speedup_bound(n_folds, w)
    cores_note = "" if w == n_workers else f" ({n_cores} core{'s' if n_cores != 1 else ''})"
    ax.axhline(bound, color=_STYLE["bound"]["color"], linewidth=1.2, gid="bound",
               label=f"bound {n_folds} / ceil({n_folds} / {w}) = {bound:.2f}×{cores_note}")  # fmt: skip
    ax.axhline(min_speedup, color="tab:red", linewidth=0.8, linestyle=":", gid="pays",
               label=f"pays: ≥ {min_speedup:g}×")  # fmt: skip
    if costs is not None:

        def curve(startup):
            return [expected_speedup(float(t), n_folds, n_workers, startup=startup, per_call=costs.per_call,
                                     per_task=costs.per_task, slowdown=costs.slowdown, n_cores=n_cores) for t in fine]  # fmt: skip

        ax.plot(fine, curve(0.0), gid="expected", label=f"the rule, warm pool{cores_note}", **_STYLE["expected"])
        if cold_startup is not None:
            ax.plot(fine, curve(cold_startup), gid="expected-cold", color="tab:brown", linestyle="--", linewidth=1.3,
                    label=f"the rule, cold pool (+{cold_startup:g} s start-up)")  # fmt: skip
        t = breakeven_fold_seconds(n_folds, n_workers, per_call=costs.per_call, per_task=costs.per_task,
                                   slowdown=costs.slowdown, n_cores=n_cores, min_speedup=min_speedup)  # fmt: skip
        if math.isfinite(t):
            ax.axvline(t, color="tab:orange", linewidth=1, alpha=0.7, gid="break-even",
                       label=f"break-even (warm): {fmt_seconds(t)} per fold")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    return _finish(ax, title, "one fold's time (s, log scale)")
