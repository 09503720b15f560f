"""Is a figure legible at the size a notebook shows it? Overlapping labels, tiny text, a legend on measured points.

matplotlib knows where every piece of text lands once a figure is drawn
(``Artist.get_window_extent``), so these checks need no picture: the tests run
them on every plot cvkit draws.
"""

import numpy as np

__all__ = ["MIN_FONT_PT", "NOTEBOOK_WIDTH_PX", "figure_problems"]

#: Width of a notebook's output area, in pixels: wider figures are scaled down to it, and their text with them.
NOTEBOOK_WIDTH_PX = 980

#: Smallest legible text at the size shown, in points (at the inline backend's 100 dpi).
MIN_FONT_PT = 7.0


def _visible_texts(ax):
    texts = [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _overlapping(texts, renderer):
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            if box_a.overlaps(box_b) and box_a.width > 0 and box_b.width > 0:
                inter_w = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
                inter_h = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
                if inter_w > 1 and inter_h > 1:  # more than a pixel's touch
                    return a.get_text(), b.get_text()
    return None


def _data_points(ax):
    """Display coordinates of the plotted points: the markers of lines and scatter plots (a curve or a reference
    line may pass behind a legend and stay readable; a measured point hidden by it is lost)."""
    points = []
    for line in ax.get_lines():
        if line.get_visible() and line.get_marker() not in (None, "None", "", " ", ","):
            xy = np.column_stack(line.get_data()).astype(float)
            points.append(ax.transData.transform(xy))
    for coll in ax.collections:
        offsets = coll.get_offsets()
        if coll.get_visible() and len(offsets):
            points.append(coll.get_offset_transform().transform(offsets))
    return np.vstack(points) if points else np.empty((0, 2))


def figure_problems(fig, *, width_px=NOTEBOOK_WIDTH_PX, min_font_pt=MIN_FONT_PT):
    """What makes ``fig`` hard to read when a notebook shows it ``width_px`` wide: a list of sentences, empty if none.

    Checks, per visible axes: tick labels or titles that overlap, text smaller
    than ``min_font_pt`` after the figure is scaled to the notebook's width,
    and a legend that covers plotted points.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 2))
    >>> _ = ax.set_xticks(range(3), ["setosaversicolor", "versicolorvirginica", "virginica"])
    >>> figure_problems(fig)
    ["axes 0: labels 'setosaversicolor' and 'versicolorvirginica' overlap"]
    >>> plt.close(fig)
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    scale = min(1.0, width_px / (fig.get_size_inches()[0] * 100))  # the inline backend shows figures at 100 dpi
    problems = []
    for i, ax in enumerate(a for a in fig.axes if a.get_visible()):
        texts = _visible_texts(ax)
        clash = _overlapping(texts, renderer)
        if clash:
            problems.append(f"axes {i}: labels {clash[0]!r} and {clash[1]!r} overlap")
        legend = ax.get_legend()
        shown = texts + ([t for t in legend.get_texts() if t.get_text().strip()] if legend is not None else [])
        tiny = [t.get_fontsize() * scale for t in shown if t.get_fontsize() * scale < min_font_pt - 0.05]
        small = sorted({round(size, 1) for size in tiny})
        if small:
            problems.append(f"axes {i}: text shown at {small[0]} pt (smaller than {min_font_pt:g} pt at this width)")
        if legend is not None and legend.get_visible():
            box = legend.get_window_extent(renderer)
            points = _data_points(ax)
            inside = points[(points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                            & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)] if len(points) else points  # fmt: skip
            if len(inside):
                problems.append(f"axes {i}: the legend covers {len(inside)} plotted point(s)")
    return problems
