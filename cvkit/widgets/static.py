"""A frozen copy of a live panel's charts, as plain HTML: what a notebook viewer without a kernel shows."""

__all__ = ["Picture"]


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
        return f'<div class="cvkit-picture" style="max-width:1100px">{self.value}</div>'
