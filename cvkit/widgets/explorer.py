"""The live explorer: a panel of controls that runs cross-validation folds and draws them as they start and finish."""

import os
import statistics
import threading
import time

import ipywidgets as widgets
import joblib
from IPython.display import HTML, display, update_display

from ..core.verdicts import machine
from ..model.live import LiveRun
from ..model.schedule import predict_schedule
from .background import BackgroundRun
from .report import report_html
from .settings import (
    CORES,
    FOLDS,
    MODELS,
    WORKLOADS,
    Settings,
    backend_choices,
    estimate_fold_seconds,
    load_workload,
    make_estimator,
    workload_label,
)
from .static import Picture
from .svg import fit_span, live_svg, schedule_svg

__all__ = ["Explorer", "explore"]

#: Redraws per second while a run goes on (and at most one per ``1 / MAX_RATE`` s when events come fast).
RATE = 4
MAX_RATE = 10

#: The panel's style: text readable on a projector, a focus ring that shows, charts that scroll rather than shrink.
#: It also hides the explorer's static copy (see :meth:`Explorer.show`) wherever the live panel is drawn.
_STYLE = """<style>
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


class _Panel(widgets.VBox):
    """The explorer's box; its plain-text form names the explorer (nbval compares it), not every child widget."""

    def __init__(self, owner, **kwargs):
        super().__init__(**kwargs)
        self._owner = owner

    def __repr__(self):
        return repr(self._owner)


class Explorer:
    """Change cores and folds, press Run, and watch the folds fill the workers' lanes, beside the predicted schedule.

    Parameters
    ----------
    n_jobs : {1, 2, 3, 4, -1}, default 2
    folds : int, 2 to 20, default 5
    backend : {"loky", "threading", "multiprocessing"} (and "dask" when available), default "loky"
    workload : {"iris", "digits", "light", "medium", "heavy", "x-heavy", "xx-heavy"}, default "heavy"
    model : {"SVC", "LogisticRegression", "RandomForest"}, default "SVC"
    fail_fold : int or None
        Make this fold's model raise on purpose (the "a fold fails" checkbox).

    Every setting is checked at once: a bad value raises ValueError naming it
    and what is allowed. Display the explorer (:func:`explore`, or the last
    line of a cell) to get the panel; it is shown once per explorer (a second
    display gives one line of text; :meth:`show` draws it again). From Python,
    :meth:`set`, :meth:`run`, :meth:`stop`, :meth:`wait` do what the controls do,
    and :attr:`result` is the last run's :class:`cvkit.CVResult`.

    The predicted chart uses fold times measured on this machine: the last run
    of the same workload and model, else a quick timing of one fold made when
    the workload is chosen (:func:`cvkit.widgets.settings.timed_fold_seconds`).

    Attributes
    ----------
    result : CVResult or None
        The last finished run (also after Stop, with the finished folds).
    live : LiveRun or None
        The live state of the current or last run: what the charts draw.
    history : list of (Settings, CVResult)
        Every finished run, oldest first.
    error : str or None
        Why the last Run was refused or failed as a whole, in one line.

    Examples
    --------
    >>> ex = Explorer(n_jobs=1, folds=3, workload="iris")
    >>> result = ex.run().wait(timeout=60)
    >>> result.complete, ex.live.snapshot().count("done"), "all 3 folds finished" in ex.status.value
    (True, 3, True)
    >>> Explorer(folds=25)
    Traceback (most recent call last):
    ...
    ValueError: folds=25 is not allowed; allowed: an integer from 2 to 20.
    """

    def __init__(self, n_jobs=2, folds=5, backend="loky", workload="heavy", model="SVC", fail_fold=None):
        first = Settings(n_jobs=n_jobs, folds=folds, backend=backend, workload=workload, model=model,
                         fail_fold=fail_fold)  # fmt: skip
        cores = joblib.cpu_count()
        self._fail_index = 1 if fail_fold is None else fail_fold
        self._lock = threading.RLock()  # one thread at a time writes to the widgets
        self._run = None
        self._run_settings = None
        self._settings = first
        self._predicted = None
        self._estimate = (0.0, "timed", 1.0)
        self._measured = {}  # (workload, model) -> (median fold seconds, folds)
        self._serial = {}  # (workload, model, folds, fail_fold) -> serial CVResult
        self._warming = None  # the thread that starts a fresh pool after a Stop
        self._shown = False
        self._display_id = f"cvkit-explorer-{id(self):x}"
        self._static_shown = False
        self.result = None
        self.live = None
        self.history = []
        self.error = None

        def box(width):
            return widgets.Layout(width=width, flex="0 0 auto")

        style = {"description_width": "90px"}
        self.cores = widgets.Dropdown(
            options=[(str(c), c) if c > 0 else (f"-1 (all {cores})", -1) for c in CORES],
            value=first.n_jobs, description="cores", style=style, layout=box("230px"),
            tooltip="n_jobs: how many workers run the folds",
        )  # fmt: skip
        self.folds = widgets.BoundedIntText(
            value=first.folds, min=FOLDS[0], max=FOLDS[1], step=1, description="folds", continuous_update=True,
            style=style, layout=box("230px"), tooltip=f"number of folds, {FOLDS[0]} to {FOLDS[1]}",
        )  # fmt: skip
        self.backend = widgets.Dropdown(options=backend_choices(), value=first.backend, description="backend",
                                        style=style, layout=box("270px"))  # fmt: skip
        self.workload = widgets.Dropdown(
            options=[(workload_label(key), key) for key in WORKLOADS], value=first.workload,
            description="workload", style=style, layout=box("470px"),
        )  # fmt: skip
        self.model = widgets.Dropdown(options=[(label, key) for key, label in MODELS.items()], value=first.model,
                                      description="model", style=style, layout=box("470px"))  # fmt: skip
        self.fail = widgets.Checkbox(value=fail_fold is not None, description="", indent=False, layout=box("270px"))
        self.run_button = widgets.Button(
            description="Run",
            button_style="success",
            icon="play",
            tooltip="run the folds with these settings",
            layout=box("110px"),
        )
        self.stop_button = widgets.Button(description="Stop", button_style="danger", icon="stop", disabled=True,
                                          tooltip="cancel the folds not started; keep the finished ones",
                                          layout=box("110px"))  # fmt: skip
        self.progress = widgets.IntProgress(
            value=0,
            min=0,
            max=first.folds,
            description="0/" + str(first.folds),
            style={"description_width": "60px"},
            layout=box("300px"),
        )
        self.status = widgets.HTML(value="press Run", layout=widgets.Layout(width="100%"))
        self.status.add_class("cvkit-status")
        self.note = widgets.HTML()
        self.live_chart = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.predicted_chart = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.live_chart.add_class("cvkit-chart")
        self.predicted_chart.add_class("cvkit-chart")
        self.report = widgets.HTML()
        self._controls = (self.cores, self.folds, self.backend, self.workload, self.model, self.fail)

        for control in self._controls:
            control.observe(self._on_settings_change, names="value")
        self.run_button.on_click(lambda _: self._safe_run())
        self.stop_button.on_click(lambda _: self.stop())

        def row(children):
            r = widgets.HBox(children, layout=widgets.Layout(align_items="center", flex_flow="row wrap"))
            r.add_class("cvkit-row")
            return r

        self.panel = _Panel(
            self,
            children=[
                widgets.HTML(_STYLE),
                row([self.cores, self.folds, self.backend]),
                row([self.workload, self.fail]),
                row([self.model]),
                row([self.run_button, self.stop_button, self.progress]),
                self.status,
                self.note,
                self.live_chart,
                self.predicted_chart,
                self.report,
            ],
        )
        self.panel.add_class("cvkit-explorer")
        self._on_settings_change()

    # --- what the panel shows -------------------------------------------------------------------
    def __repr__(self):
        return f"Explorer({self.settings.describe()})"

    def _repr_mimebundle_(self, **kwargs):
        if self._shown:  # one explorer, one panel: `explorer` after `explorer = explore()` is one line
            return {"text/plain": f"{self!r} (its panel is shown above; explorer.show() draws it again)"}
        self._shown = True
        self._display_static()  # a bare `Explorer(...)` on a cell's last line leaves a static copy too
        return self.panel._repr_mimebundle_(**kwargs)

    def show(self):
        """Display the panel, and under it a static copy of its charts for readers without a kernel.

        The static copy (plain HTML with inline SVG) is hidden wherever the live
        panel is drawn, and shown by GitHub, nbviewer or an HTML export, which
        cannot draw widgets. It is updated at the end of every run.
        """
        from IPython import get_ipython

        if get_ipython() is None:  # plain Python: nothing to draw
            print(repr(self))
            return self
        self._shown = True
        display(self.panel)
        self._display_static()
        return self

    def _display_static(self):
        """Display the static copy (updated at the end of every run), once."""
        if not self._static_shown:
            display(HTML(self._static_html()), display_id=self._display_id)
            self._static_shown = True

    def _static_html(self):
        """The charts, status and report as plain HTML: what a reader without a kernel sees."""
        status = f'<div style="font-size:16px;margin:4px 0">{self.status.value}</div>'
        return (f'<div class="cvkit-static-copy" style="max-width:1100px">'
                f"{status}{self.live_chart.value}{self.predicted_chart.value}{self.report.value}</div>")  # fmt: skip

    def _update_static(self):
        if self._static_shown:
            try:
                update_display(HTML(self._static_html()), display_id=self._display_id)
            except Exception:
                pass

    @property
    def settings(self):
        """The :class:`Settings` the controls show now."""
        fail = None
        if self.fail.value:
            fail = min(self._fail_index, self.folds.value - 1)
        return Settings(n_jobs=self.cores.value, folds=self.folds.value, backend=self.backend.value,
                        workload=self.workload.value, model=self.model.value, fail_fold=fail)  # fmt: skip

    @property
    def running(self):
        """True while a run is in progress."""
        return self._run is not None and self._run.running

    def set(self, **values):
        """Set controls by name (n_jobs, folds, backend, workload, model, fail_fold) after checking them all.

        Raises ValueError for a bad value, RuntimeError while a run is in progress.
        """
        allowed = ("n_jobs", "folds", "backend", "workload", "model", "fail_fold")
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise TypeError(f"unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}.")
        if self.running:
            raise RuntimeError("a run is in progress; allowed: set() after it ended (wait() or stop()).")
        current = self.settings.__dict__ | values
        checked = Settings(**current)
        with self._lock:
            self._quiet = True
            try:
                if checked.fail_fold is not None:
                    self._fail_index = checked.fail_fold
                self.cores.value, self.folds.value = checked.n_jobs, checked.folds
                self.backend.value, self.workload.value = checked.backend, checked.workload
                self.model.value = checked.model
                self.fail.value = checked.fail_fold is not None
            finally:
                self._quiet = False
        self._on_settings_change()
        return self

    _quiet = False

    def _estimate_for(self, settings):
        """(fold seconds on a free core, source, slow-down factor when workers outnumber cores)."""
        seconds, source = estimate_fold_seconds(settings, self._measured.get((settings.workload, settings.model)))
        cores = joblib.cpu_count()
        share = max(1.0, settings.n_workers / cores) if settings.n_jobs != 1 else 1.0
        return seconds, source, share

    def _on_settings_change(self, change=None):
        if self.running or self._quiet:
            return  # the run keeps the prediction it started with; a change counts from the next Run
        settings = self.settings
        seconds, source, share = self._estimate_for(settings)
        self._settings, self._estimate = settings, (seconds, source, share)
        self._predicted = predict_schedule(
            [seconds * share] * settings.folds,
            settings.n_workers,
            batch_size=1 if settings.backend == "threading" else "auto",
        )
        with self._lock:
            self.fail.description = f"fold {min(self._fail_index, settings.folds - 1)} fails (demo)"
            where = ("your last run of this workload and model" if source == "measured"
                     else "a quick timing of one fold on this machine")  # fmt: skip
            predicted = (f"The prediction uses {settings.folds} equal folds of ~{_seconds(seconds)} each, from {where}"
                         "; it does not count starting the workers.")  # fmt: skip
            if share > 1:
                predicted += (f" {settings.n_workers} workers on {joblib.cpu_count()} cores take turns, so each fold"
                              f" is predicted {share:.2f}× longer ({_seconds(seconds * share)}).")  # fmt: skip
            note = settings.cores_note()
            here = machine()
            if here.busy:  # other programs (not this kernel nor its workers) hold half the cores or more
                note += (f" Other programs keep this machine busy now ({here}): folds may take longer than"
                         " predicted, and the prediction learns from your last run.")  # fmt: skip
            self.note.value = f'<div style="font-size:15px;color:#222;line-height:1.4">{predicted} {note}</div>'
            # Stale indicators go: the progress counts the new folds, the old chart shares the new axis.
            self.progress.max, self.progress.value, self.progress.bar_style = settings.folds, 0, ""
            self.progress.description = f"0/{settings.folds}"
            if self.live is None:
                snap = LiveRun(settings.folds, settings.n_workers).snapshot(now=0.0)
                span = self._span(None)
                self.live_chart.value = live_svg(snap, span=span, title="measured · press Run")
            else:
                snap = self.live.snapshot()
                span = self._span(snap)
                changed = self._run_settings != settings
                title = f"last run · {self._run_settings.describe()}" + (" (settings changed: press Run)"
                                                                         if changed else "")  # fmt: skip
                self.live_chart.value = live_svg(snap, span=span, title=title)
            self.predicted_chart.value = schedule_svg(self._predicted, span=span, title=self._predicted_title())

    def _predicted_title(self):
        s = self._settings
        seconds, _, share = self._estimate
        return f"predicted · {s.folds} folds on {s.n_workers} workers ({s.backend}, ~{_seconds(seconds * share)}/fold)"

    def _span(self, snapshot):
        """Seconds both time axes cover: the prediction's end, "now" and every bar, rounded up a little."""
        end = self._predicted.makespan
        if snapshot is not None:
            end = max([end, snapshot.now, *(b.end for b in snapshot.bars)])
        return fit_span(max(end, 1e-3))

    # --- running ----------------------------------------------------------------------------------
    def _safe_run(self):
        """The Run button: never raises into the frontend; a refusal is shown in the status line."""
        try:
            self.run()
        except (ValueError, RuntimeError, TypeError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            with self._lock:
                self.status.value = f'<span style="color:#b00">Run refused: {_esc(exc)}</span>'

    def run(self, **values):
        """Start a run with the controls' settings (after :meth:`set` of ``values``); return ``self`` at once.

        The folds run in a background thread, so the kernel stays free (a Stop
        click is handled while they run). Use :meth:`wait` to block until the end.
        """
        if self.running:
            raise RuntimeError("a run is in progress; allowed: one run at a time (press Stop or wait()).")
        if values:
            self.set(**values)
        settings = self.settings
        X, y = load_workload(settings.workload)
        estimator = make_estimator(settings, X, y)
        self._on_settings_change()
        live = LiveRun(settings.folds, settings.n_workers)
        warming = self._warming if self._warming is not None and self._warming.is_alive() else None
        run = BackgroundRun(
            estimator, X, y, live=live, draw=self._draw, interval=1 / RATE, min_gap=1 / MAX_RATE, after=warming,
            cv=settings.folds, n_jobs=settings.n_jobs, backend=settings.backend,
        )  # fmt: skip
        with self._lock:
            self.error = None
            self.live, self._run, self._run_settings = live, run, settings
            for control in self._controls:
                control.disabled = True
            self.run_button.disabled, self.stop_button.disabled = True, False
            self.progress.max, self.progress.value, self.progress.bar_style = settings.folds, 0, "info"
            self.progress.description = f"0/{settings.folds}"
            self.status.value = f"running {_esc(settings.describe())} …"
            self.report.value = ""
            self._draw_charts(live.snapshot(now=0.0), final=False)
        self.stop_button.focus()  # the focus follows the action: Enter on Run, then Enter stops
        run.start()
        return self

    def stop(self):
        """Stop the run in progress (the Stop button): folds not started are cancelled, finished ones kept.

        Stop kills the pool of workers (that is how the running folds end); a
        fresh pool is started in the background at once, so the next Run is warm.
        """
        run = self._run
        if run is None or not run.running:
            return self
        run.stop()
        with self._lock:
            self.stop_button.disabled = True
            self.status.value = "stopping: cancelling the folds not started …"
        return self

    def wait(self, timeout=None):
        """Block until the current run ended and was drawn; return its CVResult (None if it failed as a whole).

        Raises TimeoutError after ``timeout`` seconds (the run goes on). Interrupting the kernel stops the
        waiting, not the run (it is in a background thread): use :meth:`stop` or the Stop button for that.
        """
        if self._run is None:
            return self.result
        result = self._run.wait(timeout)
        self._update_static()  # from the cell that waits: every notebook client records it
        return result

    # --- drawing (called by the run's ticker and run threads, never at the same time) --------------
    def _draw(self, live, final):
        snap = live.snapshot()
        with self._lock:
            self._draw_charts(snap, final)
            done = len(snap.completed)
            self.progress.value = done
            self.progress.description = f"{done}/{snap.n_folds}"
            if final:
                self._finish(snap)
            else:
                self.status.value = self._running_status(snap)

    def _running_status(self, snap):
        done = len(snap.completed)
        running, waiting = snap.count("running"), len(snap.waiting)
        failed = f", {snap.count('failed')} failed" if snap.count("failed") else ""
        stopping = "stopping · " if self._run is not None and self._run.stop_event.is_set() else ""
        starting = ""
        if not snap.bars and snap.now > 0.3 and self._run_settings.n_jobs != 1:
            starting = {
                "loky": " (starting worker processes: each new one imports scikit-learn first)",
                "multiprocessing": " (starting worker processes: each new one imports scikit-learn first)",
                "dask": " (starting the Dask cluster or reaching it)",
            }.get(self._run_settings.backend, "")
        died = ""
        if snap.deaths:
            pids = ", ".join(str(d.pid) for d in snap.deaths)
            held = sorted({f for d in snap.deaths for f in d.folds})
            again = [f for f in held if snap.states[f] == "interrupted"]
            many = "s" if len(snap.deaths) > 1 else ""
            died = (f'<b style="color:#b00">worker{many} died (pid{many} {pids})'
                    f"{': fold' + ('s ' if len(held) > 1 else ' ') + _and(held) + ' interrupted' if held else ''}"
                    f"{', waiting to be re-run' if again else ''}</b> · ")  # fmt: skip
            alive = f" on {snap.alive_lanes} live worker{'s' if snap.alive_lanes != 1 else ''}"
        else:
            alive = ""
        error = ""
        if snap.errors:  # the first failed fold, in one short line, while the others go on
            fold = min(snap.errors)
            text = snap.errors[fold] if len(snap.errors[fold]) <= 90 else snap.errors[fold][:89] + "…"
            error = f' · <span style="color:#b00">fold {fold} failed: {_esc(text)}</span>'
        return (f"{stopping}{died}{done - snap.count('failed')} done{failed}, {running} running{alive}, "
                f"{waiting} waiting · {snap.now:.1f} s{starting}{error}")  # fmt: skip

    def _draw_charts(self, snap, final):
        span = self._span(snap)
        self.live_chart.value = live_svg(snap, span=span, title=self._live_title(snap) if final else None)
        self.predicted_chart.value = schedule_svg(
            self._predicted, span=span, now=None if final or not (snap.bars or snap.now > 0) else snap.now,
            title=self._predicted_title(),
        )  # fmt: skip

    def _live_title(self, snap):
        if snap.count("cancelled"):
            return None  # live_svg's own title says "stopped", how many finished and how many were cancelled
        return f"measured · {self._run_settings.describe()}"

    def _death_note(self, snap):
        """What the dead workers did to the run, in one sentence, or ""."""
        folds = snap.interrupted
        if not folds and not snap.deaths:
            return ""
        if snap.deaths:
            pids = ", ".join(str(d.pid) for d in snap.deaths)
            head = (
                f"a worker died (pid {pids} ended at {min(d.at for d in snap.deaths):.1f} s)"
                if len(snap.deaths) == 1
                else f"{len(snap.deaths)} worker processes died (pids {pids}, from {min(d.at for d in snap.deaths):.1f} s)"
            )
        else:
            head = "a worker was lost"
        fates = {}
        for f in folds:
            fates.setdefault(snap.states[f], []).append(f)
        words = {"done": "were re-run and finished", "failed": "were re-run and failed",
                 "cancelled": "were cancelled before they finished"}  # fmt: skip
        parts = []
        for state in ("done", "failed", "cancelled"):
            if state in fates:
                fs = fates[state]
                verb = words[state] if len(fs) > 1 else words[state].replace("were", "was")
                parts.append(f"fold{'s' if len(fs) > 1 else ''} {_and(fs)} {verb}")
        return f"{head}; " + "; ".join(parts) if parts else head

    def _finish(self, snap):
        run, settings = self._run, self._run_settings
        result = run.result
        note = self._death_note(snap)
        stopped = run.stop_event.is_set()
        if result is None:
            self.error = run.error
            self.status.value = f'<span style="color:#b00">Run failed: {_esc(run.error)}</span>'
            self.progress.bar_style = "danger"
        else:
            self.result = result
            self.history.append((settings, result))
            self._remember(settings, result, clean=not snap.deaths and not snap.interrupted)
            serial = self._serial.get((settings.workload, settings.model, settings.folds, settings.fail_fold))
            failed = snap.count("failed")
            if stopped:
                message = self._stop_message(snap)
            elif result.complete:
                message = f"all {result.n_splits} folds finished"
            else:
                message = result.message
            if note:
                message = f"{note} · {message}"
            colour = "#b00" if failed else ("#8a4b00" if note or stopped else "#111")
            self.status.value = (f'<span style="color:{colour}"><b>{_esc(message)}</b> · '
                                 f"{result.wall_time:.2f} s</span>")  # fmt: skip
            self.progress.bar_style = "success" if result.complete and not note else (
                "danger" if failed else "warning")  # fmt: skip
            self.report.value = report_html(result, serial=serial if serial is not result else None,
                                            completion_order=snap.completed, note=note or None)  # fmt: skip
        for control in self._controls:
            control.disabled = False
        self.run_button.disabled, self.stop_button.disabled = False, True
        self.run_button.focus()  # back to Run: the keyboard user is where the next action is
        if stopped and settings.n_jobs != 1 and settings.backend == "loky":
            self._warm_again(settings.n_workers, snap_pids=self.live.worker_pids() - {os.getpid()})
        self._update_static()

    def _stop_message(self, snap):
        finished = snap.count("done") + snap.count("failed")
        cancelled = snap.count("cancelled")
        never = len(snap.never_started)
        return (f"stopped: {finished} of {snap.n_folds} folds finished and kept, {cancelled} cancelled "
                f"({cancelled - never} were running, {never} had not started)")  # fmt: skip

    def _warm_again(self, n_workers, snap_pids=()):
        """Start a fresh pool in the background after a Stop (which killed the old one): the next Run is warm."""

        def warm():
            from ..compat import wait_for_loky_manager
            from ..lab.speedup import warm_workers
            from ..robust.watchdog import process_alive

            deadline = time.monotonic() + 10  # let the old pool finish dying first: loky must not reuse it
            while any(process_alive(p) for p in snap_pids) and time.monotonic() < deadline:
                time.sleep(0.05)
            wait_for_loky_manager(deadline - time.monotonic())  # and its manager thread, which clears its queue
            time.sleep(0.3)

            try:
                warm_workers(n_workers, "loky")
            except Exception:
                return
            with self._lock:
                starting = " · starting a fresh pool of workers in the background"
                if not self.running and self.status.value.endswith(starting):
                    self.status.value = (self.status.value[: -len(starting)]
                                         + " · a fresh pool of workers is ready for the next Run")  # fmt: skip
                    self._update_static()

        self.status.value += " · starting a fresh pool of workers in the background"
        self._warming = threading.Thread(target=warm, name="cvkit-warm-pool", daemon=True)
        self._warming.start()

    def _remember(self, settings, result, clean=True):
        """Keep a measured fold time for the next prediction, and a serial run as the speed-up reference."""
        durations = [f.trace.duration for f in result.finished if f.trace is not None]
        # folds sharing cores run slower: not a fold time; a run with dead workers neither
        if durations and clean and settings.n_workers <= joblib.cpu_count():
            self._measured[(settings.workload, settings.model)] = (statistics.median(durations), settings.folds)
        if settings.n_jobs == 1 and result.complete:
            self._serial[(settings.workload, settings.model, settings.folds, settings.fail_fold)] = result

    # --- for the lesson -------------------------------------------------------------------------------
    def picture(self):
        """A frozen copy of the last run's charts (measured above predicted) as plain HTML, to keep in an output."""
        if self.live is None or not self.live.finished:
            raise RuntimeError("no finished run to picture; allowed: picture() after a run ended (wait()).")
        snap = self.live.snapshot()
        span = self._span(snap)
        settings = self._run_settings
        title = self._live_title(snap) or None
        html = (live_svg(snap, span=span, title=title)
                + schedule_svg(self._predicted, span=span, title=self._predicted_title()))  # fmt: skip
        return Picture(f"<picture: measured and predicted schedules of {settings.describe()}>", html)


def explore(**settings):
    """Show an :class:`Explorer` panel with these initial settings and return it (assign it: ``ex = explore()``).

    Keyword arguments are :class:`Explorer`'s (n_jobs, folds, backend, workload, model, fail_fold). Under the
    panel, a static copy of its charts is kept for readers without a kernel (see :meth:`Explorer.show`).
    """
    explorer = Explorer(**settings)
    explorer.show()
    return explorer


def _seconds(x):
    return f"{x * 1000:.0f} ms" if x < 0.1 else f"{x:.2f} s"


def _and(items):
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _esc(x):
    from html import escape

    return escape(str(x))
