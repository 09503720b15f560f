"""A frozen copy of a live panel's charts, as plain HTML: what a notebook viewer without a kernel shows.

:class:`StaticCopy` is the copy kept under a live panel (the explorer's, the search view's): displayed once
under it, hidden by the panel's style wherever the panel is drawn, and redrawn in place at the end of every
run. :class:`Picture` is the copy a lesson keeps on purpose (``explorer.picture()``).
"""

from IPython.display import HTML, display, update_display

from .svg import MAX_WIDTH_PX

__all__ = ["Picture", "StaticCopy", "static_copy_html"]


def static_copy_html(status, *charts_and_report):
    """The panel's status line, charts and report as plain HTML: what a reader without a kernel sees.

    Hidden wherever the live panel is drawn (its style hides ``.cvkit-static-copy``).

    Parameters
    ----------
    status : str
        The status line (HTML).
    *charts_and_report : str
        The charts (inline SVG) and the report (HTML), top to bottom.

    Examples
    --------
    >>> static_copy_html("done", "<svg></svg>")
    '<div class="cvkit-static-copy" style="max-width:1100px"><div style="font-size:16px;margin:4px 0">done</div><svg></svg></div>'
    """
    status = f'<div style="font-size:16px;margin:4px 0">{status}</div>'
    return (
        f'<div class="cvkit-static-copy" style="max-width:{MAX_WIDTH_PX}px">{status}{"".join(charts_and_report)}</div>'
    )


class StaticCopy:
    """The static copy under a live panel: shown once, then redrawn in place from the panel's widgets.

    Parameters
    ----------
    display_id : str
        The notebook output that holds the copy (one per panel).
    status : ipywidgets.HTML
        The panel's status line.
    *charts_and_report : ipywidgets.HTML
        The panel's charts and report, top to bottom.

    Attributes
    ----------
    shown : bool
        True once :meth:`show` displayed the copy.

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> copy = StaticCopy("cvkit-demo", widgets.HTML("done"), widgets.HTML("<svg></svg>"))
    >>> copy.html() == static_copy_html("done", "<svg></svg>")
    True
    >>> copy.update()  # nothing to redraw before it is shown
    >>> copy.shown
    False
    >>> StaticCopy("cvkit-demo", "done")
    Traceback (most recent call last):
    ...
    TypeError: status='done' is not allowed; allowed: a widget with a .value (e.g. ipywidgets.HTML).
    """

    def __init__(self, display_id, status, *charts_and_report):
        if not isinstance(display_id, str) or not display_id:
            raise TypeError(f"display_id={display_id!r} is not allowed; allowed: a non-empty str.")
        named = {"status": status, **{f"charts_and_report[{i}]": part for i, part in enumerate(charts_and_report)}}
        for name, part in named.items():
            if not hasattr(part, "value"):
                raise TypeError(
                    f"{name}={part!r} is not allowed; allowed: a widget with a .value (e.g. ipywidgets.HTML)."
                )
        self.display_id = display_id
        self.shown = False
        self._status, self._parts = status, charts_and_report

    def html(self):
        """The copy as plain HTML, from what the widgets show now (see :func:`static_copy_html`)."""
        return static_copy_html(self._status.value, *(part.value for part in self._parts))

    def show(self):
        """Display the copy, once (later calls do nothing: :meth:`update` redraws it)."""
        if not self.shown:
            display(HTML(self.html()), display_id=self.display_id)
            self.shown = True

    def update(self):
        """Redraw the copy in place, if it was shown; a front end that cannot update it is left as it is."""
        if self.shown:
            try:
                update_display(HTML(self.html()), display_id=self.display_id)
            except Exception:
                pass


class Picture:
    """Plain HTML (inline SVG) that shows in any notebook viewer; its text form is a one-line description.

    Examples
    --------
    >>> p = Picture("<picture: 5 folds>", "<svg></svg>")
    >>> p
    <picture: 5 folds>
    >>> p._repr_html_()
    '<div class="cvkit-picture" style="max-width:1100px"><svg></svg></div>'
    """

    def __init__(self, text, html):
        self._text, self.value = text, html

    def __repr__(self):
        return self._text

    def _repr_html_(self):
        return f'<div class="cvkit-picture" style="max-width:{MAX_WIDTH_PX}px">{self.value}</div>'
