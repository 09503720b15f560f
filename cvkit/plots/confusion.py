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
        Panels per row (default: up to 6).
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
    ncols = ncols or min(len(panels), 6)
    nrows = math.ceil(len(panels) / ncols)
    size = 2.3 if len(result.labels) <= 4 else 3.2
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3), squeeze=False)
    labels = display_labels if display_labels is not None else [str(v) for v in result.labels]
    for ax, (title, matrix) in zip(axes.flat, panels):
        ConfusionMatrixDisplay(matrix, display_labels=labels).plot(ax=ax, cmap=cmap, colorbar=False)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("true", fontsize=8)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
