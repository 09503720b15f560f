"""A grid of per-fold confusion matrices drawn with scikit-learn's ConfusionMatrixDisplay."""

import math

import matplotlib.pyplot as plt

__all__ = ["plot_confusion_matrices"]


def plot_confusion_matrices(result, *, include_sum=True, ncols=None, display_labels=None, cmap="Blues"):
    """Draw each finished fold's confusion matrix, and optionally their sum, as small heatmaps.

    Parameters
    ----------
    result : CVResult
        From :func:`cvkit.run_folds`.
    include_sum : bool
        Add a last panel with the sum over folds (every sample tested once).
    ncols : int, optional
        Panels per row (default: up to 3, legible at the width of a notebook).
    display_labels : list of str, optional
        Class names; default the run's labels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset, run_folds
    >>> X, y = load_dataset("iris")
    >>> fig = plot_confusion_matrices(run_folds(SVC(), X, y, cv=3))
    >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
    ['fold 0 · f1_weighted 0.960', 'fold 1 · f1_weighted 0.980', 'fold 2 · f1_weighted 0.940', 'sum of 3 folds']
    >>> plt.close(fig)
    """
    from sklearn.metrics import ConfusionMatrixDisplay  # here, so that importing cvkit.plots stays light

    panels = [(f"fold {f.fold} · {result.scoring} {f.score:.3f}", f.confusion_matrix) for f in result.finished]
    if include_sum:
        panels.append((f"sum of {len(result.finished)} folds", result.confusion_matrix_sum))
    if not panels:
        raise ValueError(f"no fold finished in this run ({result.message}); nothing to draw.")
    ncols = ncols or min(len(panels), 3)  # three panels a row stay legible at a notebook's width
    nrows = math.ceil(len(panels) / ncols)
    labels = display_labels if display_labels is not None else [str(v) for v in result.labels]
    longest = max(len(label) for label in labels)
    size = 2.4 if len(labels) <= 4 and longest <= 3 else 3.0
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols + 0.8, size * nrows + 0.4), squeeze=False, layout="constrained"
    )
    # one colour scale for the folds (so that their shades compare), another for the sum (every sample once)
    fold_max = max(int(m.max()) for _, m in panels[: len(result.finished)]) if result.finished else 1
    used = list(axes.flat)[: len(panels)]
    for i, (ax, (title, matrix)) in enumerate(zip(used, panels)):
        is_sum = include_sum and i == len(panels) - 1
        vmax = max(int(matrix.max()), 1) if is_sum else max(fold_max, 1)
        display = ConfusionMatrixDisplay(matrix, display_labels=labels)
        display.plot(ax=ax, cmap=cmap, colorbar=False, im_kw={"vmin": 0, "vmax": vmax},
                     xticks_rotation=45 if longest > 3 else "horizontal")  # fmt: skip
        if longest > 3:
            plt.setp(ax.get_xticklabels(), ha="right", rotation_mode="anchor")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("predicted", fontsize=9)
        ax.set_ylabel("true", fontsize=9)
        ax.tick_params(labelsize=8)
        if is_sum or i == len(result.finished) - 1:  # a colour bar after the last fold, and one for the sum
            bar = fig.colorbar(display.im_, ax=ax, fraction=0.046, pad=0.04)
            bar.set_label("samples" if is_sum else "samples (every fold)", fontsize=8)
            bar.ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    return fig
