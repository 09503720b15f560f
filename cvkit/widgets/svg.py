"""Draw a live snapshot or a predicted schedule as an SVG Gantt chart big enough to project: lanes, bars, legend.

Sizes are chosen for a projector seen from the back of a room: the chart is
720 user units wide and shown between 580 and 1100 px wide (it scrolls rather
than shrink below 580 px), so its smallest text (13 units) is never under
10 px, and its labels (15-17 units) never under 12 px. Colours are Okabe and Ito's
colour-blind-safe palette (:mod:`cvkit.plots.colors`, the colours of every chart), so neighbouring folds differ;
every state also has its own outline or pattern, so nothing depends on hue alone.
"""

import math
from html import escape

from ..core.results import FOLD_STATUSES
from ..plots.colors import PALETTE, fold_color, text_color_on

__all__ = ["MIN_WIDTH_PX", "fit_span", "live_svg", "schedule_svg"]

#: The chart never gets narrower than this on screen (it scrolls instead), nor wider than MAX_WIDTH_PX.
MIN_WIDTH_PX = 580
MAX_WIDTH_PX = 1100

# Geometry in SVG user units.
_WIDTH = 720
_LEFT = 108  # lane labels
_RIGHT = 16
_TITLE_H = 28
_QUEUE_H = 32
_LANE_H = 36
_BAR_H = 28
_AXIS_H = 44
_LEGEND_H = 28
_TEXT = "#111"
_SOFT = "#333"  # the lightest text colour used: 12.6:1 on white
#: How a bar looks, by the status of its record (:data:`cvkit.core.results.FOLD_STATUSES`; a waiting fold has no bar,
#: it is a box in the queue strip), and for a predicted fold.
_STYLE = {
    "running": 'fill-opacity="0.6" stroke="#000" stroke-width="2.5"',
    "done": 'stroke="#000" stroke-width="1"',
    "failed": 'fill="url(#cvkit-hatch)" stroke="#b00" stroke-width="2.5"',
    "interrupted": 'fill="url(#cvkit-cross)" stroke="#b00" stroke-width="2" stroke-dasharray="6 3"',
    "cancelled": 'fill="#fff" stroke="#555" stroke-width="1.5" stroke-dasharray="5 3"',
    "predicted": 'fill-opacity="0.55" stroke="#333" stroke-width="1"',
}
assert set(_STYLE) == set(FOLD_STATUSES) - {"waiting"} | {"predicted"}

#: A bar's status in its tooltip.
_STATUS_WORDS = {
    "running": "running",
    "done": "done",
    "failed": "FAILED",
    "cancelled": "cancelled by Stop",
    "interrupted": "interrupted: its worker died",
    "predicted": "predicted",
}

#: Statuses drawn with a pattern instead of the fold's colour.
_PATTERNED = ("failed", "cancelled", "interrupted")


def _step_below(x):
    """The largest 1, 2 or 5 × a power of ten not above ``x``."""
    power = 10 ** math.floor(math.log10(x))
    for step in (5, 2, 1):
        if step * power <= x * (1 + 1e-9):
            return float(f"{step * power:.12g}")
    return float(f"{power:.12g}")  # pragma: no cover


def fit_span(seconds):
    """The time axis for a run of ``seconds``: the next multiple of a round tick step, at most ~15 % past it.

    A 19.9 s run gets a 22 s axis (not 50 s), a 62 s run 70 s (not 100 s).

    >>> [fit_span(s) for s in (0.0031, 0.7, 1.0, 3.3, 19.9, 62.0)]
    [0.0035, 0.8, 1.1, 3.5, 22.0, 70.0]
    """
    if not (seconds > 0 and math.isfinite(seconds)):
        return 1.0
    padded = seconds * 1.02
    step = _step_below(padded / 6)
    return float(f"{math.ceil(padded / step - 1e-9) * step:.12g}")


def _ticks(span):
    """About five to eight round tick positions from 0 to ``span``."""
    step = _step_below(span / 5)
    count = math.floor(span / step + 1e-9)
    return [round(i * step, 12) for i in range(count + 1)]


def _tick_label(seconds):
    """A tick label: 0, 0.5 s, 2 s, 20 ms."""
    if seconds == 0:
        return "0"
    if seconds < 0.1:
        return f"{seconds * 1000:g} ms"
    return f"{seconds:g} s"


class _Canvas:
    """Collects SVG elements for one chart with lanes and a time axis from 0 to ``span`` seconds."""

    def __init__(self, kind, title, lane_labels, span, queue, legend):
        self.kind, self.span = kind, span
        self.lanes = list(lane_labels)
        self.queue = queue
        self.legend = legend
        self.top = _TITLE_H + (_QUEUE_H if queue else 0)
        self.bottom = self.top + _LANE_H * max(len(self.lanes), 1)
        self.height = self.bottom + _AXIS_H + (_LEGEND_H if legend else 0)
        self.parts = [
            f'<text x="4" y="20" class="cvkit-title" font-size="17" font-weight="bold" fill="{_TEXT}">'
            f"{escape(title)}</text>",
        ]

    def x(self, t):
        width = _WIDTH - _LEFT - _RIGHT
        return _LEFT + width * min(max(t, 0.0), self.span) / self.span

    def lane_y(self, lane):
        return self.top + lane * _LANE_H + (_LANE_H - _BAR_H) / 2

    def draw_lanes(self, dead=None):
        dead = dead or {}
        for i, label in enumerate(self.lanes):
            y = self.top + i * _LANE_H
            shade = "#eeeeee" if i % 2 == 0 else "#ffffff"
            self.parts.append(f'<rect x="{_LEFT}" y="{y}" width="{_WIDTH - _LEFT - _RIGHT}" height="{_LANE_H}" '
                              f'fill="{shade}"/>')  # fmt: skip
            self.parts.append(f'<text x="4" y="{y + 16}" class="cvkit-lane" font-size="15" fill="{_TEXT}">'
                              f"worker {i}</text>")  # fmt: skip
            if i in dead:
                self.parts.append(
                    f'<text x="4" y="{y + 31}" class="cvkit-dead-label" font-size="13" fill="#b00" '
                    f'font-weight="bold">{escape(label)} died</text>'
                )
                x = self.x(dead[i])
                self.parts.append(
                    f'<rect class="cvkit-dead-lane" data-lane="{i}" x="{x:.1f}" y="{y}" '
                    f'width="{max(_WIDTH - _RIGHT - x, 0):.1f}" height="{_LANE_H}" fill="url(#cvkit-dead)">'
                    f"<title>worker {i} ({escape(label)}) died at {dead[i]:.2f} s</title></rect>"
                )
            elif label:
                self.parts.append(f'<text x="4" y="{y + 31}" font-size="13" fill="{_SOFT}">{escape(label)}</text>')
        self.parts.append(f'<line x1="{_LEFT}" y1="{self.bottom}" x2="{_WIDTH - _RIGHT}" y2="{self.bottom}" '
                          'stroke="#333"/>')  # fmt: skip
        for t in _ticks(self.span):
            x = self.x(t)
            self.parts.append(f'<line x1="{x:.1f}" y1="{self.bottom}" x2="{x:.1f}" y2="{self.bottom + 5}" '
                              'stroke="#333"/>')  # fmt: skip
            # a label at the right end is right-aligned to its tick, so it is never clipped by the chart's edge
            anchor = "end" if x > _WIDTH - _RIGHT - 24 else "middle"
            self.parts.append(f'<text x="{x:.1f}" y="{self.bottom + 20}" text-anchor="{anchor}" font-size="14" '
                              f'fill="{_TEXT}">{_tick_label(t)}</text>')  # fmt: skip
        self.parts.append(f'<text x="{_WIDTH - _RIGHT}" y="{self.bottom + 38}" text-anchor="end" font-size="13" '
                          f'fill="{_SOFT}">time since the run started</text>')  # fmt: skip

    def draw_death(self, death):
        x, y = self.x(death.at), self.top + death.lane * _LANE_H
        self.parts.append(
            f'<line class="cvkit-death" data-lane="{death.lane}" data-pid="{death.pid}" x1="{x:.1f}" y1="{y}" '
            f'x2="{x:.1f}" y2="{y + _LANE_H}" stroke="#b00" stroke-width="4"><title>worker pid {death.pid} died at '
            f"{death.at:.2f} s{' while it ran fold(s) ' + ', '.join(map(str, death.folds)) if death.folds else ''}"
            "</title></line>"
        )

    def draw_queue(self, waiting, label="queue", cancelled=(), interrupted=()):
        y = _TITLE_H + 3
        self.parts.append(f'<text x="4" y="{y + 18}" class="cvkit-lane" font-size="15" fill="{_TEXT}">'
                          f"{escape(label)}</text>")  # fmt: skip
        items = [(f, "waiting") for f in waiting] + [(f, "never started") for f in cancelled]
        if not items:
            self.parts.append(f'<text x="{_LEFT}" y="{y + 18}" font-size="14" fill="{_SOFT}">(empty)</text>')
        size, gap = 24, 4
        room = (_WIDTH - _LEFT - _RIGHT) // (size + gap)
        shown = items if len(items) <= room else items[: room - 1]
        for i, (fold, what) in enumerate(shown):
            x = _LEFT + i * (size + gap)
            if what == "waiting":
                rerun = fold in interrupted
                tip = f"fold {fold}: waiting to be re-run (its worker died)" if rerun else f"fold {fold}: waiting"
                stroke = 'stroke="#b00" stroke-width="2.5" stroke-dasharray="4 2"' if rerun else (
                    'stroke="#000" stroke-width="1"')  # fmt: skip
                self.parts.append(
                    f'<rect class="cvkit-queued" data-fold="{fold}" x="{x}" y="{y}" width="{size}" height="{size}" '
                    f'rx="3" fill="{fold_color(fold)}" fill-opacity="0.35" {stroke}><title>{tip}</title></rect>'
                )
            else:
                self.parts.append(
                    f'<rect class="cvkit-queued cancelled" data-fold="{fold}" x="{x}" y="{y}" width="{size}" '
                    f'height="{size}" rx="3" {_STYLE["cancelled"]}><title>fold {fold}: cancelled by Stop before it '
                    f'started</title></rect><line x1="{x + 3}" y1="{y + size - 3}" x2="{x + size - 3}" y2="{y + 3}" '
                    f'stroke="#555" stroke-width="1.5"/>'
                )
            self.parts.append(f'<text x="{x + size / 2}" y="{y + 17}" text-anchor="middle" font-size="14" '
                              f'font-weight="bold" fill="{_TEXT}" pointer-events="none">{fold}</text>')  # fmt: skip
        if len(shown) < len(items):
            x = _LEFT + len(shown) * (size + gap)
            self.parts.append(f'<text x="{x}" y="{y + 18}" font-size="14" fill="{_TEXT}">'
                              f"+{len(items) - len(shown)}</text>")  # fmt: skip

    def draw_bar(self, fold, lane, start, end, state, tooltip, label=None):
        x0, x1 = self.x(start), self.x(end)
        width = max(x1 - x0, 2.0)
        y = self.lane_y(lane)
        fill = "" if state in _PATTERNED else f'fill="{fold_color(fold)}" '
        self.parts.append(
            f'<rect class="cvkit-bar {state}" data-fold="{fold}" data-lane="{lane}" data-start="{start:.3f}" '
            f'data-end="{end:.3f}" x="{x0:.1f}" y="{y:.1f}" width="{width:.1f}" height="{_BAR_H}" rx="3" '
            f"{fill}{_STYLE[state]}><title>{escape(tooltip)}</title></rect>"
        )
        text = str(fold) if label is None else label
        if width < 9 * len(text) + 6 and label is not None and label.endswith(" re-run"):
            text = str(fold)  # the bar is too short for the long label: the fold's number at least
        if width >= 9 * len(text) + 6:
            if state in ("failed", "interrupted"):
                colour = "#b00"
            elif state == "cancelled":
                colour = _TEXT
            elif state == "running" or state == "predicted":
                colour = "#000"  # a paler fill: black reads on all of them
            else:
                colour = text_color_on(fold_color(fold))
            halo = ' stroke="#fff" stroke-width="3" paint-order="stroke"' if state in ("failed", "interrupted") else ""
            self.parts.append(
                f'<text x="{x0 + width / 2:.1f}" y="{y + 20}" text-anchor="middle" font-size="15" '
                f'font-weight="bold" fill="{colour}"{halo} pointer-events="none">{escape(text)}</text>'
            )

    def draw_now(self, now, label=True):
        x = self.x(now)
        self.parts.append(f'<line class="cvkit-now" x1="{x:.1f}" y1="{self.top - 2}" x2="{x:.1f}" '
                          f'y2="{self.bottom + 2}" stroke="#C00" stroke-width="3"/>')  # fmt: skip
        if label:
            anchor = "end" if x > _WIDTH - 70 else "start"
            dx = -4 if anchor == "end" else 4
            self.parts.append(f'<text x="{x + dx:.1f}" y="{self.top + 14}" text-anchor="{anchor}" font-size="14" '
                              'font-weight="bold" fill="#C00" stroke="#fff" stroke-width="3" paint-order="stroke">'
                              "now</text>")  # fmt: skip

    def draw_legend(self, items):
        """One row of swatches: ("state", label) for bars, ("now"|"makespan"|"dead", label) for lines and marks."""
        y = self.bottom + _AXIS_H + 4
        x = 4.0
        self.parts.append(f'<g class="cvkit-legend" font-size="13" fill="{_TEXT}">')
        for key, label in items:
            if key in _STYLE:
                fill = "" if key in _PATTERNED else f'fill="{PALETTE[4]}" '
                self.parts.append(f'<rect x="{x:.1f}" y="{y}" width="26" height="16" rx="3" {fill}{_STYLE[key]}/>')
            elif key == "now":
                self.parts.append(f'<line x1="{x + 13:.1f}" y1="{y - 2}" x2="{x + 13:.1f}" y2="{y + 18}" '
                                  'stroke="#C00" stroke-width="3"/>')  # fmt: skip
            elif key == "makespan":
                self.parts.append(f'<line x1="{x + 13:.1f}" y1="{y - 2}" x2="{x + 13:.1f}" y2="{y + 18}" '
                                  'stroke="#000" stroke-width="2" stroke-dasharray="5 3"/>')  # fmt: skip
            elif key == "dead":
                self.parts.append(f'<rect x="{x:.1f}" y="{y}" width="26" height="16" fill="url(#cvkit-dead)"/>'
                                  f'<line x1="{x + 2:.1f}" y1="{y - 2}" x2="{x + 2:.1f}" y2="{y + 18}" stroke="#b00" '
                                  'stroke-width="4"/>')  # fmt: skip
            self.parts.append(f'<text x="{x + 31:.1f}" y="{y + 13}">{escape(label)}</text>')
            x += 31 + 7.2 * len(label) + 16
        self.parts.append("</g>")

    def svg(self, attrs=""):
        defs = (
            '<defs><pattern id="cvkit-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="8" height="8" fill="#fdd"/>'
            '<line x1="0" y1="0" x2="0" y2="8" stroke="#C00" stroke-width="3"/></pattern>'
            '<pattern id="cvkit-cross" width="8" height="8" patternUnits="userSpaceOnUse">'
            '<rect width="8" height="8" fill="#fff"/><path d="M0 0L8 8M8 0L0 8" stroke="#b00" stroke-width="1"/>'
            "</pattern>"
            '<pattern id="cvkit-dead" width="10" height="10" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(-45)"><rect width="10" height="10" fill="#f3f3f3"/>'
            '<line x1="0" y1="0" x2="0" y2="10" stroke="#999" stroke-width="2"/></pattern></defs>'
        )
        return (
            f'<svg class="cvkit-gantt cvkit-{self.kind}" {attrs}xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-label="{escape(self.aria, quote=True)}" viewBox="0 0 {_WIDTH} {self.height}" width="100%" '
            f'style="min-width:{MIN_WIDTH_PX}px;max-width:{MAX_WIDTH_PX}px;display:block" '
            f'font-family="sans-serif" font-size="15">{defs}{"".join(self.parts)}</svg>'
        )


def _live_title(snap):
    done = snap.count("done") + snap.count("failed")
    if not snap.finished:
        return f"measured · {done}/{snap.n_folds} folds finished"
    cancelled = snap.count("cancelled")
    if cancelled:
        ran = cancelled - len(snap.never_started)
        return (f"stopped · {done} of {snap.n_folds} folds finished, {cancelled} cancelled "
                f"({ran} running, {len(snap.never_started)} waiting)")  # fmt: skip
    return f"measured · {done}/{snap.n_folds} folds finished"


def _draw_task(canvas, task, style, label=None):
    """Draw one :class:`cvkit.model.records.ScheduledTask` as a bar in ``style`` (its status, or "predicted")."""
    tip = f"fold {task.fold} · worker {task.worker} · {task.start:.3f}–{task.end:.3f} s · {_STATUS_WORDS[style]}"
    if task.status == "done" and not math.isnan(task.score):
        tip += f" · score {task.score:.3f}"
    if task.error:
        tip += f" · {task.error}"
    if task.attempt > 1:
        tip += f" · attempt {task.attempt} (re-run)"
    canvas.draw_bar(task.fold, task.worker, task.start, task.end, style, tip, label)


def live_svg(snapshot, *, span=None, title=None, legend=True):
    """Draw a :class:`cvkit.model.live.LiveSnapshot`: what the workers did, measured, up to "now".

    Parameters
    ----------
    snapshot : LiveSnapshot
        Its ``bars`` are :class:`cvkit.model.records.ScheduledTask` records, the ones :func:`schedule_svg` draws.
    span : float, optional
        Seconds the time axis covers (default: :func:`fit_span` of "now" and
        every bar). Give the predicted chart the same span to compare them.
    title : str, optional
    legend : bool, default True
        A row under the axis naming every state, the "now" line and a dead worker's mark.

    Returns
    -------
    str
        An ``<svg class="cvkit-gantt cvkit-live">``. Each attempt at a fold is a
        ``<rect class="cvkit-bar STATE" data-fold="i">`` (STATE: running, done,
        failed, cancelled, interrupted); each waiting fold a ``<rect
        class="cvkit-queued">`` in the queue strip (after a Stop, the folds that
        never started stay there as ``cvkit-queued cancelled``); a dead worker's
        lane is covered from its death by ``<rect class="cvkit-dead-lane">``;
        the "now" line has class ``cvkit-now`` and is drawn only while a run goes on.

    Examples
    --------
    >>> from cvkit.model.live import LiveRun
    >>> live = LiveRun(3, n_workers=2, clock=lambda: 10.0)
    >>> live.handle("start", {"fold": 0, "host": "h", "pid": 1, "thread_id": 1, "time": 0.1})
    >>> svg = live_svg(live.snapshot(now=0.5))
    >>> svg.count('class="cvkit-bar running"'), svg.count('class="cvkit-queued"')
    (1, 2)
    """
    snap = snapshot
    end = max([snap.now, *(b.end for b in snap.bars)])
    span = span if span is not None else fit_span(max(end, 1e-3))
    done = snap.count("done") + snap.count("failed")
    title = title if title is not None else _live_title(snap)
    canvas = _Canvas("live", title, snap.lane_labels, span, queue=True, legend=legend)
    canvas.aria = f"{title}. " + "; ".join(
        f"fold {b.fold} {b.status} on worker {b.worker} from {b.start:.1f} to {b.end:.1f} s" for b in snap.bars
    )
    canvas.draw_lanes(dead=snap.dead_lanes)
    interrupted = set(snap.interrupted)
    canvas.draw_queue(list(snap.waiting), cancelled=snap.never_started if snap.finished else (),
                      interrupted=interrupted)  # fmt: skip
    for task in snap.bars:
        label = None
        if task.status == "failed":
            label = f"{task.fold}✗"
        elif task.status == "interrupted":
            label = f"{task.fold}↯"
        elif task.attempt > 1:
            label = f"{task.fold} re-run"
        _draw_task(canvas, task, task.status, label)
    for death in snap.deaths:
        canvas.draw_death(death)
    if not snap.finished and (snap.bars or snap.now > 0):
        canvas.draw_now(snap.now)
    if legend:
        items = [("running", "running"), ("done", "done"), ("failed", "failed"),
                 ("interrupted", "interrupted"), ("cancelled", "cancelled"), ("now", "now")]  # fmt: skip
        if snap.deaths:
            items.append(("dead", "worker died"))
        canvas.draw_legend(items)
    t0 = f'data-t0="{snap.t0:.3f}" ' if snap.t0 is not None else ""
    return canvas.svg(f'data-finished="{str(snap.finished).lower()}" data-done="{done}" data-span="{span:g}" {t0}')


def schedule_svg(schedule, *, span=None, now=None, title=None, legend=True):
    """Draw a :class:`cvkit.model.records.Schedule` (usually predicted) in the same style as :func:`live_svg`.

    Parameters
    ----------
    schedule : Schedule
    span : float, optional
        Seconds the time axis covers (default: :func:`fit_span` of the makespan).
    now : float, optional
        Draw a "now" line there, and the queue strip with the folds the model
        says are still waiting at that time.
    title : str, optional
    legend : bool, default True

    Returns
    -------
    str
        An ``<svg class="cvkit-gantt cvkit-predicted">`` with one
        ``<rect class="cvkit-bar predicted" data-fold="i">`` per fold and the
        predicted end as ``<line class="cvkit-makespan">``.

    Examples
    --------
    >>> from cvkit.model import predict_schedule
    >>> svg = schedule_svg(predict_schedule([0.5] * 5, n_jobs=2), now=0.7)
    >>> svg.count('class="cvkit-bar predicted"'), svg.count('class="cvkit-queued"')
    (5, 1)
    """
    span = span if span is not None else fit_span(max(schedule.makespan, 1e-3))
    if title is None:
        title = f"{schedule.source} · {schedule.n_folds} folds on {schedule.n_workers} workers"
    canvas = _Canvas("predicted", title, [""] * schedule.n_workers, span, queue=now is not None, legend=legend)
    canvas.aria = f"{title}: ends at {schedule.makespan:.1f} s"
    canvas.draw_lanes()
    if now is not None:
        states = schedule.state_at(now)
        canvas.draw_queue([f for f, s in sorted(states.items()) if s == "waiting"])
    for task in schedule.tasks:
        _draw_task(canvas, task, "predicted")
    end = schedule.makespan
    x = canvas.x(end)
    canvas.parts.append(f'<line class="cvkit-makespan" x1="{x:.1f}" y1="{canvas.top - 2}" x2="{x:.1f}" '
                        f'y2="{canvas.bottom + 2}" stroke="#000" stroke-width="2" stroke-dasharray="5 3">'
                        f"<title>predicted end: {end:.2f} s</title></line>")  # fmt: skip
    if now is not None:
        canvas.draw_now(now, label=False)
    if legend:
        items = [("predicted", "predicted fold"), ("makespan", f"predicted end ({_tick_label(round(end, 3))})")]
        if now is not None:
            items.append(("now", "now"))
        canvas.draw_legend(items)
    return canvas.svg(f'data-span="{span:g}" ')
