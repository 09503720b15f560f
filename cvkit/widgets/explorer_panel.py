"""The explorer's panel: its controls, buttons and charts, laid out in rows, and the static copy of what it shows.

Only widgets and their places: what they say comes from :mod:`cvkit.widgets.explorer_text`, what they do from
:class:`cvkit.widgets.explorer.Explorer`.

Examples
--------
>>> from cvkit.widgets.settings import Settings
>>> controls = make_controls(Settings(n_jobs=2, folds=5), cores=4)
>>> controls.cores.options[-1], controls.folds.value, controls.run_button.description
(('-1 (all 4)', -1), 5, 'Run')
"""

from dataclasses import dataclass

import ipywidgets as widgets

from .settings import CORES, FOLDS, MODELS, WORKLOADS, backend_choices, workload_label

__all__ = ["PANEL_STYLE", "Controls", "Panel", "lay_out", "make_controls"]

#: The panel's style: text readable on a projector, a focus ring that shows, charts that scroll rather than shrink.
#: It also hides the explorer's static copy (see :meth:`cvkit.widgets.explorer.Explorer.show`) wherever the live
#: panel is drawn.
PANEL_STYLE = """<style>
.cvkit-explorer { font-size: 16px; max-width: 1140px; }
.cvkit-explorer .widget-label, .cvkit-explorer select, .cvkit-explorer input, .cvkit-explorer button,
.cvkit-explorer .widget-html-content { font-size: 16px !important; color: #111; }
.cvkit-explorer .widget-label { font-weight: bold; }
.cvkit-explorer .cvkit-row { flex-wrap: wrap; gap: 4px 12px; }
.cvkit-explorer .cvkit-row > * { flex: 0 0 auto; }
.cvkit-explorer .widget-inline-hbox { height: auto; min-height: 32px; }
.cvkit-explorer select, .cvkit-explorer input:not([type=checkbox]), .cvkit-explorer button { height: 32px !important; }
.cvkit-explorer button:focus, .cvkit-explorer select:focus, .cvkit-explorer input:focus {
  outline: 3px solid #000 !important; outline-offset: 2px !important; box-shadow: 0 0 0 6px #ffd33d !important; }
.cvkit-explorer button:disabled { opacity: 0.55; }
.cvkit-explorer .cvkit-status { min-height: 3.2em; line-height: 1.5; }
.cvkit-explorer .cvkit-chart { overflow-x: auto; }
.cvkit-static-copy { display: none !important; }
</style>"""


@dataclass(frozen=True)
class Controls:
    """Every widget of the panel: the settings' controls, the buttons, the progress bar and what shows results."""

    cores: widgets.Dropdown
    folds: widgets.BoundedIntText
    backend: widgets.Dropdown
    workload: widgets.Dropdown
    model: widgets.Dropdown
    fail: widgets.Checkbox
    run_button: widgets.Button
    stop_button: widgets.Button
    progress: widgets.IntProgress
    status: widgets.HTML
    note: widgets.HTML
    live_chart: widgets.HTML
    predicted_chart: widgets.HTML
    report: widgets.HTML

    @property
    def settings_controls(self):
        """The controls a run reads its settings from (disabled while it runs)."""
        return (self.cores, self.folds, self.backend, self.workload, self.model, self.fail)


def _fixed(width):
    """A layout of this width that does not shrink (the controls keep their widths on a narrow screen)."""
    return widgets.Layout(width=width, flex="0 0 auto")


def make_controls(first, *, cores):
    """The panel's widgets, showing the settings ``first`` (a :class:`cvkit.widgets.settings.Settings`).

    ``cores`` is this machine's number of cores (the label of ``n_jobs=-1``).
    """
    style = {"description_width": "90px"}
    status = widgets.HTML(value="press Run", layout=widgets.Layout(width="100%"))
    status.add_class("cvkit-status")
    live_chart = widgets.HTML(layout=widgets.Layout(width="100%"))
    predicted_chart = widgets.HTML(layout=widgets.Layout(width="100%"))
    live_chart.add_class("cvkit-chart")
    predicted_chart.add_class("cvkit-chart")
    return Controls(
        cores=widgets.Dropdown(
            options=[(str(c), c) if c > 0 else (f"-1 (all {cores})", -1) for c in CORES],
            value=first.n_jobs,
            description="cores",
            style=style,
            layout=_fixed("230px"),
            tooltip="n_jobs: how many workers run the folds",
        ),
        folds=widgets.BoundedIntText(
            value=first.folds,
            min=FOLDS[0],
            max=FOLDS[1],
            step=1,
            description="folds",
            continuous_update=True,
            style=style,
            layout=_fixed("230px"),
            tooltip=f"number of folds, {FOLDS[0]} to {FOLDS[1]}",
        ),
        backend=widgets.Dropdown(
            options=backend_choices(), value=first.backend, description="backend", style=style, layout=_fixed("270px")
        ),
        workload=widgets.Dropdown(
            options=[(workload_label(key), key) for key in WORKLOADS],
            value=first.workload,
            description="workload",
            style=style,
            layout=_fixed("470px"),
        ),
        model=widgets.Dropdown(
            options=[(label, key) for key, label in MODELS.items()],
            value=first.model,
            description="model",
            style=style,
            layout=_fixed("470px"),
        ),
        fail=widgets.Checkbox(value=first.fail_fold is not None, description="", indent=False, layout=_fixed("270px")),
        run_button=widgets.Button(
            description="Run",
            button_style="success",
            icon="play",
            tooltip="run the folds with these settings",
            layout=_fixed("110px"),
        ),
        stop_button=widgets.Button(
            description="Stop",
            button_style="danger",
            icon="stop",
            disabled=True,
            tooltip="cancel the folds not started; keep the finished ones",
            layout=_fixed("110px"),
        ),
        progress=widgets.IntProgress(
            value=0,
            min=0,
            max=first.folds,
            description=f"0/{first.folds}",
            style={"description_width": "60px"},
            layout=_fixed("300px"),
        ),
        status=status,
        note=widgets.HTML(),
        live_chart=live_chart,
        predicted_chart=predicted_chart,
        report=widgets.HTML(),
    )


class Panel(widgets.VBox):
    """The explorer's box; its plain-text form names the explorer (nbval compares it), not every child widget."""

    def __init__(self, owner, **kwargs):
        super().__init__(**kwargs)
        self._owner = owner

    def __repr__(self):
        return repr(self._owner)


def _row(children):
    row = widgets.HBox(children, layout=widgets.Layout(align_items="center", flex_flow="row wrap"))
    row.add_class("cvkit-row")
    return row


def lay_out(owner, c):
    """The :class:`Panel` of ``owner`` (whose repr it shows): the controls in rows, then status, note, charts, report.

    Examples
    --------
    >>> from cvkit.widgets.settings import Settings
    >>> panel = lay_out("an explorer", make_controls(Settings(), cores=2))
    >>> panel, len(panel.children)
    ('an explorer', 10)
    """
    panel = Panel(
        owner,
        children=[
            widgets.HTML(PANEL_STYLE),
            _row([c.cores, c.folds, c.backend]),
            _row([c.workload, c.fail]),
            _row([c.model]),
            _row([c.run_button, c.stop_button, c.progress]),
            c.status,
            c.note,
            c.live_chart,
            c.predicted_chart,
            c.report,
        ],
    )
    panel.add_class("cvkit-explorer")
    return panel
