"""The live explorer: a panel of controls that runs cross-validation folds and draws them as they start and finish."""

import os
import threading
import time
from html import escape

import joblib
from IPython.display import display

from ..core.verdicts import machine
from ..model.live import LiveRun
from .background import BackgroundRun
from .explorer_panel import lay_out, make_controls
from .explorer_plan import chart_span, estimate_with_sharing, fold_time_to_keep, predicted_schedule
from .explorer_text import (
    death_note,
    failed_status,
    finished_status,
    last_run_title,
    live_title,
    predicted_title,
    prediction_note,
    refused_status,
    running_status,
)
from .report import report_html
from .settings import Settings, load_workload, make_estimator
from .static import Picture, StaticCopy
from .svg import live_svg, schedule_svg

__all__ = ["Explorer", "explore", "warm_fresh_pool"]

#: Redraws per second while a run goes on (and at most one per ``1 / MAX_RATE`` s when events come fast).
RATE = 4
MAX_RATE = 10


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
        self.result = None
        self.live = None
        self.history = []
        self.error = None

        c = make_controls(first, cores=joblib.cpu_count())
        self.cores, self.folds, self.backend, self.workload, self.model, self.fail = c.settings_controls
        self.run_button, self.stop_button, self.progress = c.run_button, c.stop_button, c.progress
        self.status, self.note, self.report = c.status, c.note, c.report
        self.live_chart, self.predicted_chart = c.live_chart, c.predicted_chart
        self._controls = c.settings_controls
        for control in self._controls:
            control.observe(self._on_settings_change, names="value")
        self.run_button.on_click(lambda _: self._safe_run())
        self.stop_button.on_click(lambda _: self.stop())
        self.panel = lay_out(self, c)
        self._static_copy = StaticCopy(self._display_id, self.status, self.live_chart, self.predicted_chart,
                                       self.report)  # fmt: skip
        self._on_settings_change()

    # --- what the panel shows -------------------------------------------------------------------
    def __repr__(self):
        return f"Explorer({self.settings.describe()})"

    def _repr_mimebundle_(self, **kwargs):
        if self._shown:  # one explorer, one panel: `explorer` after `explorer = explore()` is one line
            return {"text/plain": f"{self!r} (its panel is shown above; explorer.show() draws it again)"}
        self._shown = True
        self._static_copy.show()  # a bare `Explorer(...)` on a cell's last line leaves a static copy too
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
        self._static_copy.show()
        return self

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
        checked = self.settings.updated(**values)
        if self.running:
            raise RuntimeError("a run is in progress; allowed: set() after it ended (wait() or stop()).")
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

    def _on_settings_change(self, change=None):
        if self.running or self._quiet:
            return  # the run keeps the prediction it started with; a change counts from the next Run
        settings = self.settings
        cores = joblib.cpu_count()
        seconds, source, share = estimate_with_sharing(
            settings, self._measured.get((settings.workload, settings.model)), cores=cores
        )
        self._settings, self._estimate = settings, (seconds, source, share)
        self._predicted = predicted_schedule(settings, seconds * share)
        with self._lock:
            self.fail.description = f"fold {min(self._fail_index, settings.folds - 1)} fails (demo)"
            self.note.value = prediction_note(settings, seconds, source, share, cores=cores, machine=machine())
            # Stale indicators go: the progress counts the new folds, the old chart shares the new axis.
            self.progress.max, self.progress.value, self.progress.bar_style = settings.folds, 0, ""
            self.progress.description = f"0/{settings.folds}"
            if self.live is None:
                snap = LiveRun(settings.folds, settings.n_workers).snapshot(now=0.0)
                span = chart_span(self._predicted)
                self.live_chart.value = live_svg(snap, span=span, title="measured · press Run")
            else:
                snap = self.live.snapshot()
                span = chart_span(self._predicted, snap)
                self.live_chart.value = live_svg(snap, span=span, title=last_run_title(self._run_settings, settings))
            self.predicted_chart.value = schedule_svg(self._predicted, span=span, title=self._predicted_title())

    def _predicted_title(self):
        seconds, _, share = self._estimate
        return predicted_title(self._settings, seconds, share)

    # --- running ----------------------------------------------------------------------------------
    def _safe_run(self):
        """The Run button: never raises into the frontend; a refusal is shown in the status line."""
        try:
            self.run()
        except (ValueError, RuntimeError, TypeError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            with self._lock:
                self.status.value = refused_status(exc)

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
            self.status.value = f"running {escape(settings.describe())} …"
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
        self._static_copy.update()  # from the cell that waits: every notebook client records it
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
                self.status.value = running_status(snap, self._run_settings, stopping=self._run.stop_event.is_set())

    def _draw_charts(self, snap, final):
        span = chart_span(self._predicted, snap)
        title = live_title(snap, self._run_settings) if final else None
        self.live_chart.value = live_svg(snap, span=span, title=title)
        self.predicted_chart.value = schedule_svg(
            self._predicted, span=span, now=None if final or not (snap.bars or snap.now > 0) else snap.now,
            title=self._predicted_title(),
        )  # fmt: skip

    def _finish(self, snap):
        run, settings = self._run, self._run_settings
        result = run.result
        note = death_note(snap)
        stopped = run.stop_event.is_set()
        if result is None:
            self.error = run.error
            self.status.value = failed_status(run.error)
            self.progress.bar_style = "danger"
        else:
            self.result = result
            self.history.append((settings, result))
            self._remember(settings, result, clean=not snap.deaths and not snap.interrupted)
            serial = self._serial.get((settings.workload, settings.model, settings.folds, settings.fail_fold))
            self.status.value, self.progress.bar_style = finished_status(snap, result, stopped=stopped, note=note)
            self.report.value = report_html(result, serial=serial if serial is not result else None,
                                            completion_order=snap.completed, note=note or None)  # fmt: skip
        for control in self._controls:
            control.disabled = False
        self.run_button.disabled, self.stop_button.disabled = False, True
        self.run_button.focus()  # back to Run: the keyboard user is where the next action is
        if stopped and settings.n_jobs != 1 and settings.backend == "loky":
            self._warm_again(settings.n_workers, old_pids=self.live.worker_pids() - {os.getpid()})
        self._static_copy.update()

    def _warm_again(self, n_workers, old_pids=()):
        """Start a fresh pool in the background after a Stop (which killed the old one): the next Run is warm."""
        starting = " · starting a fresh pool of workers in the background"

        def warm():
            if not warm_fresh_pool(n_workers, old_pids):
                return
            with self._lock:
                if not self.running and self.status.value.endswith(starting):
                    self.status.value = (self.status.value[: -len(starting)]
                                         + " · a fresh pool of workers is ready for the next Run")  # fmt: skip
                    self._static_copy.update()

        self.status.value += starting
        self._warming = threading.Thread(target=warm, name="cvkit-warm-pool", daemon=True)
        self._warming.start()

    def _remember(self, settings, result, clean=True):
        """Keep a measured fold time for the next prediction, and a serial run as the speed-up reference."""
        kept = fold_time_to_keep(settings, result, clean=clean, cores=joblib.cpu_count())
        if kept is not None:
            self._measured[(settings.workload, settings.model)] = kept
        if settings.n_jobs == 1 and result.complete:
            self._serial[(settings.workload, settings.model, settings.folds, settings.fail_fold)] = result

    # --- for the lesson -------------------------------------------------------------------------------
    def picture(self):
        """A frozen copy of the last run's charts (measured above predicted) as plain HTML, to keep in an output."""
        if self.live is None or not self.live.finished:
            raise RuntimeError("no finished run to picture; allowed: picture() after a run ended (wait()).")
        snap = self.live.snapshot()
        span = chart_span(self._predicted, snap)
        settings = self._run_settings
        html = (live_svg(snap, span=span, title=live_title(snap, settings))
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


def warm_fresh_pool(n_workers, old_pids=(), timeout=10):
    """Start ``n_workers`` fresh loky workers once the old pool (``old_pids``) is gone; True if they started.

    Waits up to ``timeout`` seconds for the old workers and loky's manager thread to end first, so that loky
    starts a new pool rather than reuse the dying one (the explorer calls it after a Stop, which kills the pool).
    """
    from ..compat import wait_for_loky_manager
    from ..lab.speedup import warm_workers
    from ..robust.watchdog import process_alive

    deadline = time.monotonic() + timeout
    while any(process_alive(pid) for pid in old_pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    wait_for_loky_manager(deadline - time.monotonic())  # and its manager thread, which clears its queue
    time.sleep(0.3)
    try:
        warm_workers(n_workers, "loky")
    except Exception:
        return False
    return True
