"""A live view of scikit-learn's own search: every (candidate, fold) fit of a GridSearchCV in its worker's lane.

:class:`SearchView` attaches a :class:`cvkit.lab.search_recorder.SearchRecorder` to a
search, runs the search's ``fit`` in a background thread (so the kernel stays
free for the Stop button) and redraws, a few times a second, the fits measured
so far beside the schedule joblib's queue would give them
(:func:`cvkit.model.replay.predict_schedule` with the fit times measured so far).
Everything it shows comes from plain calls: the recorder's
:meth:`~cvkit.lab.search_recorder.SearchRecorder.live_run` and
:meth:`~cvkit.lab.search_recorder.SearchRecorder.schedule`,
:func:`predicted_search_schedule` and :func:`search_status`.
"""

import os
import statistics
import threading
from html import escape

import ipywidgets as widgets
import joblib
from IPython.display import display

from ..compat import active_backend, search_callbacks
from ..core.text import first_line, fmt_seconds
from ..core.trace import now
from ..lab.search_recorder import CUT_SHORT as _CUT_SHORT
from ..lab.search_recorder import SearchRecorder, SearchStopped
from ..model.replay import predict_schedule
from ..robust.watchdog import process_alive
from .static import Picture, StaticCopy
from .svg import fit_span, live_svg, schedule_svg

__all__ = ["SearchView", "count_search_tasks", "dead_workers", "predicted_search_schedule", "search_status",
           "view_search"]  # fmt: skip

#: Redraws per second while the search runs.
RATE = 4

_STYLE = """<style>
.cvkit-search { font-size: 16px; max-width: 1140px; }
.cvkit-search .widget-html-content, .cvkit-search button { font-size: 16px !important; color: #111; }
.cvkit-search button:focus { outline: 3px solid #000 !important; outline-offset: 2px !important;
  box-shadow: 0 0 0 6px #ffd33d !important; }
.cvkit-search button:disabled { opacity: 0.55; }
.cvkit-search .cvkit-status { min-height: 3.2em; line-height: 1.5; }
.cvkit-search .cvkit-chart { overflow-x: auto; }
.cvkit-static-copy { display: none !important; }
</style>"""


def count_search_tasks(search, X, y=None, groups=None):
    """The number of (candidate, fold) fits ``search.fit(X, y)`` will make, or None if it cannot be known before.

    Uses scikit-learn's public ``check_cv``, ``ParameterGrid`` and ``ParameterSampler``
    the way ``GridSearchCV`` / ``RandomizedSearchCV`` do.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> X, y = load_iris(return_X_y=True)
    >>> count_search_tasks(GridSearchCV(SVC(), {"C": [1, 10], "gamma": [0.1, 1, "scale"]}, cv=4), X, y)
    24
    """
    from sklearn.base import is_classifier
    from sklearn.model_selection import GridSearchCV, ParameterGrid, ParameterSampler, RandomizedSearchCV, check_cv

    if isinstance(search, GridSearchCV):
        n_candidates = len(ParameterGrid(search.param_grid))
    elif isinstance(search, RandomizedSearchCV):
        n_candidates = len(ParameterSampler(search.param_distributions, search.n_iter,
                                            random_state=search.random_state))  # fmt: skip
    else:
        return None
    cv = check_cv(search.cv, y, classifier=is_classifier(search.estimator))
    return n_candidates * cv.get_n_splits(X, y, groups)


def predicted_search_schedule(recorder, n_tasks, n_jobs, *, pre_dispatch="2*n_jobs", backend="loky"):
    """The schedule joblib's queue would give the search's fits, with the fit times measured so far; or None.

    Fits that finished keep their measured time; the others get the median of
    the finished ones. None before any fit finished (nothing to predict from).

    Parameters
    ----------
    recorder : SearchRecorder
    n_tasks : int
        (candidate, fold) fits of the search.
    n_jobs : int
        Workers (already resolved, e.g. with ``joblib.effective_n_jobs``).
    pre_dispatch : str or int
        The search's ``pre_dispatch``.
    backend : str
        joblib's backend name: threads never batch, processes use joblib's "auto" batching.

    Examples
    --------
    >>> predicted_search_schedule(SearchRecorder(), 6, 2) is None
    True
    """
    done = {t.task: t.duration for t in recorder.tasks("fit") if t.state == "done" and t.task < n_tasks}
    if not done:
        return None
    typical = statistics.median(done.values())
    durations = [done.get(i, typical) for i in range(n_tasks)]
    batch_size = 1 if backend in ("threading", "sequential") else "auto"
    return predict_schedule(durations, n_jobs=n_jobs, pre_dispatch=pre_dispatch, batch_size=batch_size)


def search_status(recorder, n_tasks=None, *, finished=False, error=None, elapsed=None):
    """One line about the search so far: fits done, running, waiting, cancelled, failed, and what the lanes did.

    Parameters
    ----------
    recorder : SearchRecorder
    n_tasks : int or None
        (candidate, fold) fits expected.
    finished : bool
        The search's ``fit`` returned or raised.
    error : str or None
        Why the fit raised (``"SearchStopped: ..."`` after a stop).
    elapsed : float or None
        Seconds since the fit started (shown while it runs).

    Examples
    --------
    >>> search_status(SearchRecorder(), 12)
    'waiting for the first of 12 fits to start'
    """
    fits = recorder.tasks("fit")
    n = n_tasks if n_tasks is not None else recorder.n_tasks
    counts = {state: sum(t.state == state for t in fits) for state in ("done", "running", "failed", "cancelled")}
    total = "?" if n is None else n
    parts = [f"{counts['done']} of {total} fits done"]
    if counts["running"] and not finished:
        parts.append(f"{counts['running']} running")
    if n is not None and not finished:
        waiting = n - len(fits)
        if waiting > 0:
            parts.append(f"{waiting} waiting")
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    if counts["cancelled"]:
        parts.append(f"{counts['cancelled']} cancelled by Stop")
    if not fits and not finished:
        return f"waiting for the first of {total} fits to start"
    text = ", ".join(parts)
    ran = [t for t in fits if t.duration is not None and t.state != "cancelled"]
    if ran:
        busy = sum(t.duration for t in ran)
        span = max(t.end for t in ran) - min(t.start for t in ran)
        if span > 0:
            text += (
                f"; {fmt_seconds(busy)} of fitting in {fmt_seconds(span)}: {busy / span:.1f} fits at once on average"
            )
    if elapsed and not finished:
        text += f" ({fmt_seconds(elapsed)} since fit began)"
    if not finished:
        return f"running: {text}"
    if error is None:
        refit = recorder.tasks("refit")
        tail = f", then the refit ({fmt_seconds(refit[0].duration)})" if refit and refit[0].duration else ""
        return f"finished: {text}{tail}"
    if error.startswith(SearchStopped.__name__) or ("All the" in error and counts["cancelled"]):
        return f"stopped: {text}; the best candidate was not refitted (best_estimator_ is not fitted)"
    return f"failed: {error}; {text} (kept in .tasks)"


def dead_workers(tasks, *, final=False):
    """Process ids of the workers that held a running fit and no longer exist (this process is never one).

    Parameters
    ----------
    tasks : list of SearchTask
    final : bool
        The search's fit ended: also check the fits its end found still running (recorded failed, cut short).

    Examples
    --------
    >>> from cvkit.lab.search_recorder import SearchTask
    >>> dead_workers([SearchTask(0, "fit", 0, 0, "h", os.getpid(), 1, 0.0, None, "running")])
    []
    """
    held = {t.pid for t in tasks if t.state == "running" or (final and t.state == "failed" and t.error == _CUT_SHORT)}
    return sorted(pid for pid in held if pid != os.getpid() and not process_alive(pid))


def _error_text(exc, limit=160):
    """``ErrorType: first line``; a first line longer than ``limit`` is cut at its first sentence, if it has one.

    >>> _error_text(RuntimeError("A worker died. " + "x" * 200 + "\\nmore"))
    'RuntimeError: A worker died.'
    """
    line = first_line(exc, limit=None)  # the whole first line: cut here, after a sentence
    if len(line) > limit:
        cut = line.find(". ")
        line = line[: cut + 1] if 0 < cut < limit else line[: limit - 1] + "…"
    return f"{type(exc).__name__}: {line}".rstrip(": ")


class SearchView:
    """Watch a scikit-learn search fit: each (candidate, fold) fit drawn in its worker's lane as it starts and ends.

    Parameters
    ----------
    search : GridSearchCV, RandomizedSearchCV or another search with ``set_callbacks``
        The recorder is added to the search's callbacks (others are kept).

    Call :meth:`fit` (it displays the panel and returns at once), then
    :meth:`wait`; :meth:`stop` (the Stop button) cancels the fits not started.

    Attributes
    ----------
    recorder : SearchRecorder
    error : str or None
        Why the last fit raised, in one line (``"SearchStopped: ..."`` after Stop).
    panel : ipywidgets.VBox
        The status line, the live chart, the predicted chart and the Stop button.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> X, y = load_iris(return_X_y=True)
    >>> view = SearchView(GridSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=3, n_jobs=1))
    >>> search = view.fit(X, y).wait(timeout=60)
    >>> view.status.value.startswith("finished: 6 of 6 fits done"), view.error
    (True, None)
    >>> SearchView("GridSearchCV")
    Traceback (most recent call last):
    ...
    TypeError: search='GridSearchCV' is not allowed; allowed: a scikit-learn search with set_callbacks and fit (e.g. GridSearchCV).
    """

    def __init__(self, search):
        if not (hasattr(search, "set_callbacks") and hasattr(search, "fit")):
            raise TypeError(
                f"search={search!r} is not allowed; allowed: a scikit-learn search with set_callbacks and fit "
                "(e.g. GridSearchCV)."
            )
        self.search = search
        self._lock = threading.RLock()
        self._dirty = threading.Event()
        self.recorder = SearchRecorder(on_event=lambda kind, task: self._dirty.set())
        others = [cb for cb in search_callbacks(search) if not isinstance(cb, SearchRecorder)]
        search.set_callbacks(*others, self.recorder)
        self._thread = None
        self._done = threading.Event()
        self._done.set()
        self._finishing = threading.Event()
        self._deaths = {}  # pid -> seconds since the fit started, when seen dead
        self._n_tasks = None
        self._n_jobs = 1
        self._backend = "loky"
        self._started = None
        self._elapsed = None
        self.error = None
        self._shown = False

        self.status = widgets.HTML(f"{type(search).__name__}: not fitted yet")
        self.status.add_class("cvkit-status")
        self.live_chart = widgets.HTML("")
        self.predicted_chart = widgets.HTML("")
        for chart in (self.live_chart, self.predicted_chart):
            chart.add_class("cvkit-chart")
        self.stop_button = widgets.Button(description="Stop", disabled=True, button_style="danger",
                                          tooltip="Cancel the fits not started; running fits finish")  # fmt: skip
        self.stop_button.on_click(lambda _: self.stop())
        self.panel = widgets.VBox([widgets.HTML(_STYLE), self.status, self.stop_button, self.live_chart,
                                   self.predicted_chart])  # fmt: skip
        self.panel.add_class("cvkit-search")
        self._static_copy = StaticCopy(f"cvkit-search-{id(self):x}", self.status, self.live_chart, self.predicted_chart)

    def __repr__(self):
        return f"SearchView({type(self.search).__name__}, n_jobs={getattr(self.search, 'n_jobs', None)!r})"

    def _repr_mimebundle_(self, **kwargs):
        if self._shown:
            return {"text/plain": f"{self!r} (its panel is shown above)"}
        self._shown = True
        self._static_copy.show()
        return self.panel._repr_mimebundle_(**kwargs)

    @property
    def running(self):
        """True while the search's fit runs."""
        return not self._done.is_set()

    @property
    def tasks(self):
        """The fits recorded so far (a list of :class:`cvkit.lab.search_recorder.SearchTask`)."""
        return self.recorder.tasks()

    def schedule(self, include_refit=False):
        """The finished fits as a measured Schedule (see :meth:`cvkit.lab.search_recorder.SearchRecorder.schedule`)."""
        return self.recorder.schedule(include_refit=include_refit)

    # --- running ----------------------------------------------------------------------------------
    def fit(self, X, y=None, **fit_params):
        """Start ``search.fit(X, y, **fit_params)`` in a background thread, show the panel, and return the view.

        joblib's configuration active here (``joblib.parallel_config``) is used by the search.
        """
        if self.running:
            raise RuntimeError("the search is already running; call stop() or wait() first.")
        self._n_tasks = count_search_tasks(self.search, X, y, fit_params.get("groups"))
        self._n_jobs = joblib.effective_n_jobs(getattr(self.search, "n_jobs", None))
        self._deaths, self.error, self._elapsed = {}, None, None
        self._backend, config = _active_config()
        self._done.clear()
        self._finishing.clear()
        self._started = now()
        with self._lock:
            self.stop_button.disabled = False
            self.status.value = escape(f"{type(self.search).__name__}: starting {self._n_tasks or '?'} fits on "
                                       f"{self._n_jobs} worker{'s' if self._n_jobs != 1 else ''} …")  # fmt: skip
            self._draw(final=False)
        self._show()
        self._thread = threading.Thread(target=self._work, args=(X, y, fit_params, config), daemon=True,
                                        name="cvkit-search-view")  # fmt: skip
        self._ticker = threading.Thread(target=self._tick, daemon=True, name="cvkit-search-view-ticker")
        self._thread.start()
        self._ticker.start()
        return self

    def stop(self):
        """Cancel the fits not started yet (the Stop button); fits already running finish. Returns the view."""
        if self.running:
            self.recorder.stop()
            with self._lock:
                self.stop_button.disabled = True
                self.status.value = "stopping: the fits not started are cancelled, the running ones finish …"
        return self

    def wait(self, timeout=None):
        """Block until the fit ended and was drawn; return the search (fitted unless :attr:`error` says why not).

        Raises TimeoutError after ``timeout`` seconds (the search goes on).
        """
        if not self._done.wait(timeout):
            raise TimeoutError(f"the search still runs after {timeout} s (it goes on; stop() ends it)")
        self._static_copy.update()
        return self.search

    def _work(self, X, y, fit_params, config):
        try:
            with joblib.parallel_config(**config):
                self.search.fit(X, y, **fit_params)
        except BaseException as exc:
            self.error = _error_text(exc)
        finally:
            self._elapsed = now() - self._started
            self._finishing.set()
            self._dirty.set()
            if self._ticker is not threading.current_thread():
                self._ticker.join()
            self._check_workers(final=True)
            with self._lock:
                self._draw(final=True)
                self.stop_button.disabled = True
            self._done.set()

    def _tick(self):
        while not self._finishing.is_set():
            self._dirty.wait(1 / RATE)
            self._dirty.clear()
            self._check_workers()
            with self._lock:
                if not self._finishing.is_set():
                    self._draw(final=False)

    def _check_workers(self, final=False):
        """A worker process that holds a running fit and no longer exists is drawn dead from now on."""
        if self._backend in ("loky", "multiprocessing"):
            ended = self.recorder.ended_at  # seen dead after the search ended: it died by then
            at = min(now(), ended if ended is not None and ended >= self._started else now()) - self._started
            for pid in dead_workers(self.recorder.tasks("fit"), final=final):
                self._deaths.setdefault(pid, at)

    # --- drawing ----------------------------------------------------------------------------------
    def _draw(self, final):
        rec = self.recorder
        elapsed = self._elapsed if final else (now() - self._started if self._started else None)
        live = rec.live_run(deaths=self._deaths)
        if final and not live.finished:
            live.finish(at=elapsed)
        snap = live.snapshot() if live.finished else live.snapshot(now=elapsed)
        predicted = None
        if self._n_tasks:
            predicted = predicted_search_schedule(rec, self._n_tasks, self._n_jobs,
                                                  pre_dispatch=getattr(self.search, "pre_dispatch", "2*n_jobs"),
                                                  backend=self._backend)  # fmt: skip
        stopped = self.recorder.stop_requested or (self.error or "").startswith(SearchStopped.__name__)
        # one time axis for both charts, so bars compare; after a Stop the prediction keeps its own
        span = fit_span(max(elapsed or 0.0, predicted.makespan if predicted is not None and not stopped else 0.0))
        name = type(self.search).__name__
        self.live_chart.value = live_svg(snap, span=span, title=f"{name}, measured: each bar one (candidate, fold) fit")
        if predicted is None:
            self.predicted_chart.value = ('<p style="font-size:16px">The predicted schedule appears when the first '
                                          "fit ends (it uses the fit times measured so far).</p>")  # fmt: skip
        else:
            self.predicted_chart.value = schedule_svg(
                predicted, span=None if stopped else span, now=None if final or stopped else elapsed,
                title=f"predicted: joblib's queue, {self._n_tasks} fits on {self._n_jobs} "
                      f"worker{'s' if self._n_jobs != 1 else ''}, measured fit times",
            )  # fmt: skip
        status = search_status(rec, self._n_tasks, finished=final, error=self.error, elapsed=elapsed)
        if self._deaths:
            pids = ", ".join(str(p) for p in sorted(self._deaths))
            status += f"; worker{'s' if len(self._deaths) > 1 else ''} died (pid{'s' if len(self._deaths) > 1 else ''} {pids})"
        self.status.value = escape(status)

    def _show(self):
        from IPython import get_ipython

        if get_ipython() is None or self._shown:
            return
        self._shown = True
        display(self.panel)
        self._static_copy.show()

    def picture(self):
        """A frozen copy of the charts and status as plain HTML (shows in any notebook viewer, no kernel needed)."""
        return Picture(f"{self!r}: {self.status.value}", self._static_copy.html())


def view_search(search, X, y=None, **fit_params):
    """Fit ``search`` on ``X, y`` with a live :class:`SearchView` (shown at once); return the view.

    Call ``.wait()`` on it to block until the search ends.
    """
    return SearchView(search).fit(X, y, **fit_params)


def _active_config():
    """joblib's backend active in this thread: its name, and arguments for ``joblib.parallel_config`` elsewhere.

    joblib keeps its configuration per thread, so the search's thread must enter it again.
    """
    backend, _ = active_backend()
    name = type(backend).__name__.replace("Backend", "").lower()
    if name in ("loky", "threading", "multiprocessing", "sequential"):
        return name, {"backend": name}
    return name, {"backend": backend}
