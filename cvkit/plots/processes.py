"""A picture of processes and threads: what each worker holds, what travels to it and back, what threads share.

:func:`measure_processes` gathers the numbers on this machine (the kernel's pid,
two loky workers' pids, two threads' ids, the size of what is pickled for a
fold task); :func:`plot_processes` draws the picture, with those numbers when
given.
"""

import os
import pickle
import tempfile
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..core.text import PrettyText

__all__ = ["ProcessFacts", "measure_processes", "plot_processes"]

#: joblib's default ``max_nbytes``: arrays larger than this reach process workers memory-mapped, not copied.
MAX_NBYTES = 1_000_000

_FONT = 9  # points; the figure is drawn at notebook width, so this is the size shown
_KERNEL = "#dbe9f6"
_WORKER = "#fde7c8"
_SHARED = "#e3f1dc"
_THREAD = "#efe0f5"
_RESULT = "#2b7a3d"


def _pickled_bytes(obj):
    """How many bytes ``obj`` takes once pickled (the highest protocol, as joblib's process backends use)."""
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _fmt_bytes(n):
    """Bytes as text: '812 B', '4.8 kB', '38.1 MB'.

    Examples
    --------
    >>> _fmt_bytes(812), _fmt_bytes(4_812), _fmt_bytes(38_100_000)
    ('812 B', '4.8 kB', '38.1 MB')
    """
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB"
    return f"{n / 1_000_000:.1f} MB"


@dataclass(frozen=True)
class ProcessFacts(PrettyText):
    """Numbers for the picture, measured on this machine.

    Attributes
    ----------
    kernel_pid : int
        This process (the notebook's kernel).
    worker_pids : tuple of int
        Two loky worker processes, each of which ran one task.
    thread_ids : tuple of int
        Native ids of two threads of the threading backend, each of which ran
        one task (their process is the kernel).
    task_bytes : dict
        What one fold task carries to a process worker, pickled, in bytes:
        "estimator", "X", "y", "train/test indices".
    result_bytes : int
        What one fold task sends back, pickled: its score and confusion matrix.
    x_nbytes : int
        Size of X in memory; below :data:`MAX_NBYTES` it is pickled into
        every task, above it joblib memory-maps it instead.
    """

    kernel_pid: int
    worker_pids: tuple
    thread_ids: tuple
    task_bytes: dict
    result_bytes: int
    x_nbytes: int

    @property
    def memory_mapped(self):
        """True if X is larger than joblib's default ``max_nbytes``: workers would get a shared, read-only map."""
        return self.x_nbytes > MAX_NBYTES

    def __str__(self):
        sent = " + ".join(f"{name} {_fmt_bytes(n)}" for name, n in self.task_bytes.items())
        workers = ", ".join(f"pid {pid}" for pid in self.worker_pids)
        threads = ", ".join(f"thread {tid}" for tid in self.thread_ids)
        return "\n".join(
            [
                f"this kernel: pid {self.kernel_pid}",
                f"loky workers: {workers} (other processes)",
                f"threading: {threads}, both in pid {self.kernel_pid} (this kernel)",
                f"one fold task, pickled for a process worker: {sent}",
                f"its result, pickled back: {_fmt_bytes(self.result_bytes)}",
            ]
        )


def _two_workers(backend, n_jobs=2):
    """Run one no-op task on each of ``n_jobs`` workers of ``backend``; return their ``(pid, thread id)`` pairs."""
    from joblib import Parallel, delayed, parallel_config

    from ..lab.worker_startup import one_task_per_worker as _one_each  # each worker runs one task

    with tempfile.TemporaryDirectory(prefix="cvkit-picture-") as folder, parallel_config(backend=backend):
        return Parallel(n_jobs=n_jobs)(delayed(_one_each)(folder, n_jobs) for _ in range(n_jobs))


def measure_processes(estimator, X, y):
    """Measure what the picture shows: who runs two tasks under loky and threading, and what a fold task carries.

    Runs one no-op task on each of 2 loky workers (starting them if none is
    running) and on each of 2 threads, and pickles the pieces of one fold task
    (the estimator, X, y, one fold's train and test indices) and of its result
    (the f1 score and confusion matrix of the first stratified fold), as a
    process backend does.

    Parameters
    ----------
    estimator : classifier
        The unfitted estimator each task receives.
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)

    Returns
    -------
    ProcessFacts

    Examples
    --------
    >>> measure_processes("SVC", np.ones((4, 2)), np.arange(4))
    Traceback (most recent call last):
    ...
    TypeError: estimator='SVC' is not allowed; allowed: a scikit-learn classifier (with fit and predict).
    """
    if isinstance(estimator, type) or not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise TypeError(
            f"estimator={estimator!r} is not allowed; allowed: a scikit-learn classifier (with fit and predict)."
        )
    if not isinstance(X, np.ndarray) or not isinstance(y, np.ndarray) or X.ndim != 2 or len(X) != len(y):
        raise TypeError(
            "X and y are not allowed as given; allowed: numpy arrays, X of shape (n_samples, n_features) and y "
            "with one label per row."
        )
    from sklearn.base import clone
    from sklearn.metrics import confusion_matrix, f1_score
    from sklearn.model_selection import StratifiedKFold

    train, test = next(StratifiedKFold(5).split(X, y))
    model = clone(estimator).fit(X[train], y[train])
    y_pred = model.predict(X[test])
    result = (float(f1_score(y[test], y_pred, average="weighted")), confusion_matrix(y[test], y_pred))
    workers = _two_workers("loky")
    threads = _two_workers("threading")
    return ProcessFacts(
        kernel_pid=os.getpid(),
        worker_pids=tuple(sorted({pid for pid, _ in workers})),
        thread_ids=tuple(sorted({tid for _, tid in threads})),
        task_bytes={
            "estimator": _pickled_bytes(estimator),
            "X": _pickled_bytes(X),
            "y": _pickled_bytes(y),
            "train/test indices": _pickled_bytes((train, test)),
        },
        result_bytes=_pickled_bytes(result),
        x_nbytes=X.nbytes,
    )


def _box(ax, x, y, w, h, text, color, *, weight="normal", va="center", dashed=False):
    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=1.2",
            facecolor=color,
            edgecolor="#555555",
            linewidth=1.0,
            linestyle="--" if dashed else "-",
        )
    )
    ty = y + h / 2 if va == "center" else y + h - 1.2
    ax.text(x + w / 2, ty, text, ha="center", va=va, fontsize=_FONT, fontweight=weight, linespacing=1.35)


def _arrow(ax, start, end, *, color="#333333", style="-|>", dashed=False):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=12,
            color=color,
            linewidth=1.2,
            linestyle="--" if dashed else "-",
            shrinkA=0,
            shrinkB=0,
        )
    )


def plot_processes(facts=None, *, ax=None):
    """Draw processes against threads: what each worker holds, what is pickled to it and back, what is shared.

    Left, loky: this kernel and two worker processes, each with its own
    Python and its own (unpickled) copy of the estimator, X and y; the task
    goes down pickled, its result comes back pickled; arrays above
    ``max_nbytes`` go once to shared memory, which every worker maps. Right,
    threading: two threads inside this kernel, sharing the very objects, one
    at a time for Python code (the GIL).

    Parameters
    ----------
    facts : ProcessFacts, optional
        From :func:`measure_processes`: the pids, thread ids and byte sizes to
        write in the picture. Default: the picture without numbers.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure, as wide as a notebook shows it.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_processes()
    >>> from cvkit.plots.legibility import figure_problems
    >>> figure_problems(fig)
    []
    >>> plt.close(fig)
    >>> plot_processes(facts="pids")
    Traceback (most recent call last):
    ...
    TypeError: facts='pids' is not allowed; allowed: a ProcessFacts from measure_processes(...), or None.
    """
    if facts is not None and not isinstance(facts, ProcessFacts):
        raise TypeError(
            f"facts={facts!r} is not allowed; allowed: a ProcessFacts from measure_processes(...), or None."
        )
    if ax is None:
        fig, ax = plt.subplots(figsize=(9.6, 5.4))
        fig.subplots_adjust(left=0.005, right=0.995, bottom=0.01, top=0.99)
    else:
        fig = ax.figure
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 60)
    ax.set_axis_off()

    kernel = f"pid {facts.kernel_pid}" if facts else "one process"
    w_pids = [f"pid {pid}" for pid in facts.worker_pids] if facts else ["another process"] * 2
    t_ids = [f"thread {tid}" for tid in facts.thread_ids] if facts else ["thread 1", "thread 2"]
    if facts:
        sizes = facts.task_bytes
        task_text = (
            "↓ each task, pickled:\n"
            f"estimator {_fmt_bytes(sizes['estimator'])} · X {_fmt_bytes(sizes['X'])}\n"
            f"y {_fmt_bytes(sizes['y'])} · indices {_fmt_bytes(sizes['train/test indices'])}"
        )
        result_text = f"↑ its result, pickled:\nf1 + confusion matrix\n{_fmt_bytes(facts.result_bytes)}"
    else:
        task_text = "↓ each task, pickled:\nestimator, X, y, indices"
        result_text = "↑ its result, pickled:\nf1 + confusion matrix"

    # ---- left: loky, processes ------------------------------------------------------------
    ax.text(29, 59.5, "loky: worker processes", ha="center", va="top", fontsize=_FONT + 2, fontweight="bold")
    _box(ax, 1, 45, 56, 10, f"this kernel · {kernel}\nits own Python · X, y, the estimator (the originals)", _KERNEL)
    for x, pid in zip((1, 34), w_pids):
        _box(
            ax,
            x,
            12.5,
            23,
            17.5,
            f"worker · {pid}\nits own Python (and GIL),\nits own imports,\n"
            "its own copy (unpickled)\nof the estimator, X, y",
            _WORKER,
        )
    for x in (6, 39):  # a task goes down, its result comes back up
        _arrow(ax, (x, 45), (x, 30))
        _arrow(ax, (x + 13, 30), (x + 13, 45), color=_RESULT)
    ax.text(29, 43.5, task_text, ha="center", va="top", fontsize=_FONT, linespacing=1.3)
    ax.text(29, 36.2, result_text, ha="center", va="top", fontsize=_FONT, color=_RESULT, linespacing=1.3)
    _box(
        ax,
        1,
        1,
        56,
        8.5,
        "arrays larger than max_nbytes (1 MB) are not copied: written once\nto shared memory, "
        "they are read by every worker, read-only",
        _SHARED,
        dashed=True,
    )
    for x in (12.5, 45.5):
        _arrow(ax, (x, 9.5), (x, 12.5), style="-", dashed=True, color="#555555")

    # ---- right: threading, one process ---------------------------------------------------
    ax.text(80, 59.5, "threading: threads", ha="center", va="top", fontsize=_FONT + 2, fontweight="bold")
    _box(ax, 61, 1, 38, 54, f"this kernel · {kernel}", _KERNEL, weight="bold", va="top")
    for x, tid in zip((63, 81), t_ids):
        _box(ax, x, 39, 16, 7, tid, _THREAD)
    _box(ax, 63, 21, 34, 10.5, "X, y, the estimator:\nthe very same objects,\nnothing copied", "white")
    for x in (71, 89):
        _arrow(ax, (x, 39), (x, 31.5), style="<|-|>")
    _box(
        ax,
        63,
        3,
        34,
        14,
        "one GIL: one thread at a time\nruns Python code; compiled code\n(NumPy, libsvm) releases it\n"
        "and runs side by side",
        "white",
    )
    return fig
