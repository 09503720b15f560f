"""The one colour of a fold, in every chart (matplotlib and the live SVG), and the text colour that reads on it.

Colours are Okabe and Ito's colour-blind-safe palette (black left out), in an order where neighbouring folds always
differ, so fold 3 has the same colour in a predicted Gantt chart, a measured one, Dask's task stream and the live view.
"""

__all__ = ["PALETTE", "fold_color", "text_color_on"]

#: Okabe & Ito's colour-blind-safe colours (black left out), ordered so that folds i and i+1 never share a hue.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")


def fold_color(fold):
    """The colour of ``fold`` as "#rrggbb", from :data:`PALETTE`: the same fold has the same colour in every chart.

    Parameters
    ----------
    fold : int >= 0

    Examples
    --------
    >>> fold_color(0), fold_color(1), fold_color(7)
    ('#0072B2', '#E69F00', '#0072B2')
    """
    return PALETTE[fold % len(PALETTE)]


def text_color_on(colour):
    """Black or white, whichever reads better on ``colour`` ("#rrggbb"), by WCAG relative luminance.

    Examples
    --------
    >>> text_color_on("#0072B2"), text_color_on("#F0E442")
    ('#fff', '#000')
    """
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#fff"
