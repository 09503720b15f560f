"""A live view of scikit-learn's own search: which worker ran each (candidate, fold) fit of a GridSearchCV, and when.

scikit-learn 1.9's experimental callback API (:mod:`sklearn.callback`) calls a
callback's ``on_fit_task_begin`` and ``on_fit_task_end`` around every
(candidate, fold) task of ``GridSearchCV`` / ``RandomizedSearchCV``, in
whichever worker runs it. :class:`SearchRecorder` is such a callback: each hook
reads the clock (:func:`cvkit.core.trace.now`) and the worker's pid and thread id,
and ships a small message to the parent process through scikit-learn's own
transport (``sklearn.callback._transport``, through :mod:`cvkit.compat`; the channel its ``ProgressBar``
uses: a local socket from a loky worker, a direct call in the parent's
threads). So the parent sees every task start and end *while* the search runs.

How a task's place in the grid is known
---------------------------------------
The search makes one sub-task per (candidate, fold) pair, numbered in the
order of ``itertools.product(candidates, folds)``: task ``k`` is candidate
``k // n_splits``, fold ``k % n_splits`` (``n_splits`` is the search's
``n_splits_``, set before the tasks start). After the cross-validation the
search refits the best candidate on all the data, in the parent process: that
task is recorded too, with ``kind="refit"``, the best candidate and no fold.

How a failed fit is known
-------------------------
scikit-learn calls ``on_fit_task_end`` in a ``finally`` clause, with no word
about an error. With ``error_score=np.nan`` the error is caught before that, and
the only trace of it is ``_fit_and_score``'s own ``result["fit_error"]``; the
recorder reads that local variable of the calling frame (an internal detail of
scikit-learn 1.9: if it ever moves, tasks are recorded "done", never wrongly
"failed"). A task still running when the search's ``fit`` returns or raises is
recorded "failed".

How a search is stopped
-----------------------
:meth:`SearchRecorder.stop` asks the search to stop: each (candidate, fold)
task that starts afterwards raises :class:`SearchStopped` from
``on_fit_task_begin``, before its fit, so it ends at once and is recorded
"cancelled" (scikit-learn counts it as a failed fit: its score is
``error_score``); the refit raises :class:`SearchStopped` out of the search's
``fit``. Tasks already running finish. The request reaches loky workers
through a flag file in the temporary directory (a worker holds a copy of the
recorder, not the recorder: :class:`cvkit.lab.stop_flag.StopFlag`), so it works
on one machine, not across a cluster. The records and their pictures are in
:mod:`cvkit.lab.search_records`.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn.model_selection import GridSearchCV
>>> from sklearn.svm import SVC
>>> X, y = load_iris(return_X_y=True)
>>> search = GridSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=3, n_jobs=1)
>>> tasks = watch_search(search, X, y)
>>> [(t.kind, t.candidate, t.fold, t.state) for t in tasks][:3]
[('fit', 0, 0, 'done'), ('fit', 0, 1, 'done'), ('fit', 0, 2, 'done')]
>>> tasks[-1].kind, tasks[-1].candidate == int(search.best_index_), len(tasks)
('refit', True, 7)
"""

import threading
import warnings
from dataclasses import replace

from ..backends import resolve_backend
from ..compat import NOT_FOUND, fit_error_of_caller, search_callbacks, sklearn_transport
from ..core.trace import now, worker_identity
from .search_records import CUT_SHORT, TASK_STATES, SearchTask, search_live_run, search_schedule
from .stop_flag import StopFlag

__all__ = ["CUT_SHORT", "TASK_STATES", "SearchRecorder", "SearchStopped", "SearchTask", "watch_search"]


class SearchStopped(Exception):
    """Raised by a :class:`SearchRecorder` in a task that starts after :meth:`SearchRecorder.stop`."""


#: The first words of SearchStopped's message: how a stopped task is told from a failed one in a traceback.
_STOPPED = "cvkit: the search was stopped"

# A stop makes scikit-learn count the tasks that did not run as failed fits and warn about them (from
# whichever thread runs the search: in a notebook, into whatever cell runs then). The recorder shows them as
# "cancelled"; ignore that warning, and only when every failure it reports is a stop.
#: scikit-learn's FitFailedWarning (sklearn/model_selection/_validation.py, _warn_or_raise_about_fit_failures)
#: when its one group of failures is the stop, and no other error.
_ONLY_STOPPED_WARNING = (
    r"(?s)\s*\d+ fits failed out of a total of \d+\..*Below are more details about the failures:\n"
    r"-{80}\n\d+ fits failed with the following error:\n(?:(?!-{80}).)*" + _STOPPED + r"[^\n]*\s*$"
)

#: scikit-learn's names for the tasks the recorder keeps (sklearn/model_selection/_search.py).
_EVALUATION = "candidate-split-evaluation"
_REFIT = "refit-with-best-params"
_KINDS = {_EVALUATION: "fit", _REFIT: "refit"}


def _int_or_none(value):
    return None if value is None else int(value)


def _last_line(text):
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else str(text)


def _check_callable(name, value):
    if value is not None and not callable(value):
        raise TypeError(f"{name}={value!r} is not allowed; allowed: None or a callable f(kind, task).")
    return value


class SearchRecorder:
    """A scikit-learn callback that records every fit task of a search as it starts and ends.

    Attach it with ``search.set_callbacks(SearchRecorder())`` (or use
    :func:`watch_search`). Works with ``n_jobs=1``, with loky workers (events
    travel back through scikit-learn's callback transport while the search runs)
    and with the threading backend. A recorder keeps the tasks of the last
    ``fit`` it watched (a new ``fit`` starts a new record).

    Parameters
    ----------
    on_event : callable or None
        Called in the parent process as ``on_event(kind, task)`` with kind
        "start" or "end" and the :class:`SearchTask` as recorded, as soon as the
        event arrives (from a background thread of the parent for loky workers).
        A loky worker waits until the parent has taken its event, so keep it
        short: set a flag or copy the task, and redraw elsewhere.

    Attributes
    ----------
    started_at, ended_at : float or None
        Wall clock seconds when the search's ``fit`` started and ended.
    n_tasks : int or None
        Number of (candidate, fold) tasks announced by the search.
    n_splits : int or None
    settings : dict
        The search's class name and n_jobs, and joblib's active backend.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> X, y = load_iris(return_X_y=True)
    >>> recorder = SearchRecorder()
    >>> search = GridSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=2).set_callbacks(recorder)
    >>> search = search.fit(X, y)
    >>> [(t.candidate, t.fold) for t in recorder.tasks(kind="fit")]
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    >>> s = recorder.schedule()
    >>> import os
    >>> s.n_folds, s.n_workers, s.worker_labels == [f"pid {os.getpid()}"]
    (4, 1, True)
    >>> SearchRecorder(on_event=3)
    Traceback (most recent call last):
    ...
    TypeError: on_event=3 is not allowed; allowed: None or a callable f(kind, task).
    """

    def __init__(self, on_event=None):
        self.on_event = _check_callable("on_event", on_event)
        self._lock = threading.Lock()
        self._handles = {}  # root_uuid -> sklearn ListenerHandle (picklable: the workers' copies use it)
        self._stop = StopFlag("cvkit-search-stop-")  # seen by the workers' copies too
        self._tasks = {}  # path of task ids from the root -> SearchTask
        self.started_at = None
        self.ended_at = None
        self.n_tasks = None
        self.n_splits = None
        self.settings = {}

    # --- pickling: a worker's copy only needs the way home -----------------------------------
    def __getstate__(self):
        return {"_handles": dict(self._handles), "_stop": self._stop}

    def __setstate__(self, state):
        self.__init__()
        self._handles = state["_handles"]
        self._stop = state["_stop"]

    # --- stopping ----------------------------------------------------------------------------
    def stop(self):
        """Ask the search being watched to stop: tasks not started are cancelled, running ones finish.

        Safe to call from any thread, at any time (before a fit or after it, it
        does nothing). Returns the recorder. From the first stop on, scikit-learn's
        FitFailedWarning is ignored when every failure it reports is this stop (the
        recorder shows those fits as "cancelled"); any other failure still warns.
        Importing this module changes no warnings filter.
        """
        warnings.filterwarnings("ignore", message=_ONLY_STOPPED_WARNING)  # adding it again moves it first, never twice
        self._stop.set()
        return self

    @property
    def stop_requested(self):
        """True once :meth:`stop` was called during the current fit (seen by workers too)."""
        return self._stop.is_set()

    def __repr__(self):
        with self._lock:
            n = len(self._tasks)
        return f"SearchRecorder({n} tasks recorded)"

    # --- the FitCallback protocol ------------------------------------------------------------
    def setup(self, estimator, context):
        """Start a new record and open the listener the workers send to (called by the search, in the parent)."""
        open_listener, _, _ = sklearn_transport()
        self._stop.arm()
        with self._lock:
            self._tasks = {}
            self.started_at, self.ended_at = now(), None
            self.n_tasks = self.n_splits = None
            self.settings = {
                "search": type(estimator).__name__,
                "n_jobs": getattr(estimator, "n_jobs", None),
                "backend": _active_backend(),
            }
        self._handles[context.root_uuid] = open_listener(self._consume)

    def on_fit_task_begin(self, estimator, context):
        """Send a "start" event for a (candidate, fold) fit or the refit (runs in the worker).

        After :meth:`stop`, raise :class:`SearchStopped` instead, before the fit.
        """
        if context.task_name in _KINDS:
            if self.stop_requested:
                raise SearchStopped(f"{_STOPPED} (SearchRecorder.stop) before this task started.")
            self._send(context, self._message("start", estimator, context))

    def on_fit_task_end(self, estimator, context):
        """Send an "end" event, "failed" if ``_fit_and_score`` caught an error (runs in the worker)."""
        if context.task_name in _KINDS:
            message = self._message("end", estimator, context)
            fit_error = fit_error_of_caller()
            if fit_error is not NOT_FOUND and fit_error is not None:
                message["error"] = _last_line(fit_error)
                message["cancelled"] = _STOPPED in message["error"]
            self._send(context, message)
        return False

    def teardown(self, estimator, context):
        """Close the listener; tasks still running are recorded "failed" (the fit returned or raised without them)."""
        _, close_listener, _ = sklearn_transport()
        handle = self._handles.pop(context.root_uuid, None)
        if handle is not None:
            close_listener(handle)
        self._stop.disarm()
        ended = now()
        changed = []
        with self._lock:
            self.ended_at = ended
            for key, task in self._tasks.items():
                if task.state == "running":
                    self._tasks[key] = replace(task, end=ended, state="failed", error=CUT_SHORT)
                    changed.append(self._tasks[key])
        for task in changed:
            self._notify("end", task)

    # --- worker side ------------------------------------------------------------------------
    @staticmethod
    def _message(kind, estimator, context):
        if context.task_name == _EVALUATION:
            n_splits = getattr(estimator, "n_splits_", None)
            parent = context.parent
            n_tasks = getattr(parent, "max_subtasks", None) if parent is not None else None
        else:
            n_splits = n_tasks = None
        path = []
        ctx = context
        while ctx is not None:
            path.append(ctx.task_id)
            ctx = ctx.parent
        host, pid, thread_id, _ = worker_identity()
        return {
            "kind": kind,
            "path": tuple(reversed(path)),
            "task_name": context.task_name,
            "task_id": context.task_id,
            "n_splits": n_splits,
            "n_tasks": n_tasks,
            "best_index": _int_or_none(getattr(estimator, "best_index_", None))
            if context.task_name == _REFIT
            else None,
            "host": host,
            "pid": pid,
            "thread_id": thread_id,
            "time": now(),
            "error": None,
            "cancelled": False,
        }

    def _send(self, context, message):
        _, _, send = sklearn_transport()
        handle = self._handles.get(context.root_uuid)
        if handle is None:  # no setup for this fit (the recorder was not on the outermost estimator)
            return
        try:
            send(handle, message)
        except (OSError, EOFError):  # the parent is gone or stopped listening: a lost event, never a lost fit
            pass

    # --- parent side ------------------------------------------------------------------------
    def _consume(self, message):
        kind = message["kind"]
        with self._lock:
            if message["n_splits"]:
                self.n_splits = int(message["n_splits"])
            if message["n_tasks"]:
                self.n_tasks = int(message["n_tasks"])
            key = message["path"]
            if message["task_name"] == _EVALUATION:
                task_no = int(message["task_id"])
                n_splits = message["n_splits"]
                candidate, fold = divmod(task_no, n_splits) if n_splits else (None, None)
                what = "fit"
            else:
                task_no = self.n_tasks if self.n_tasks is not None else -1
                candidate, fold, what = message["best_index"], None, "refit"
            old = self._tasks.get(key)
            if kind == "start":
                task = SearchTask(task_no, what, candidate, fold, message["host"], message["pid"],
                                  message["thread_id"], message["time"], None, "running")  # fmt: skip
            else:
                start = old.start if old is not None else message["time"]
                if message.get("cancelled"):
                    state = "cancelled"
                else:
                    state = "failed" if message["error"] is not None else "done"
                task = SearchTask(task_no, what, candidate, fold, message["host"], message["pid"],
                                  message["thread_id"], start, message["time"], state, message["error"])  # fmt: skip
            self._tasks[key] = task
        self._notify(kind, task)

    def _notify(self, kind, task):
        if self.on_event is not None:
            self.on_event(kind, task)

    # --- reading ----------------------------------------------------------------------------
    def tasks(self, kind=None):
        """The recorded tasks, (candidate, fold) fits in task order then the refit: a list of :class:`SearchTask`.

        Parameters
        ----------
        kind : {None, "fit", "refit"}
            None: every task.
        """
        if kind not in (None, "fit", "refit"):
            raise ValueError(f"kind={kind!r} is not allowed; allowed: None, 'fit', 'refit'.")
        with self._lock:
            tasks = list(self._tasks.values())
        tasks = [t for t in tasks if kind is None or t.kind == kind]
        return sorted(tasks, key=lambda t: (t.kind == "refit", t.task))

    def schedule(self, include_refit=False):
        """The finished fits as a measured :class:`cvkit.model.records.Schedule`, for :func:`cvkit.plots.plot_gantt`.

        Each (candidate, fold) fit is one "fold" of the schedule, numbered by its
        task number (``candidate * n_splits + fold``); lanes are the workers in
        the order in which each first started a task; times are seconds since
        the search's ``fit`` started. Tasks still running are left out (draw a
        running search with :class:`cvkit.widgets.SearchView`, from :meth:`live_run`).

        Parameters
        ----------
        include_refit : bool, default False
            Also draw the refit, on the parent's lane.
        """
        if not isinstance(include_refit, bool):
            raise TypeError(f"include_refit={include_refit!r} is not allowed; allowed: True, False.")
        return search_schedule(
            self.tasks(None if include_refit else "fit"),
            started_at=self.started_at,
            ended_at=self.ended_at,
            settings=self.settings,
            n_splits=self.n_splits,
        )

    def live_run(self, deaths=None):
        """The record so far as a :class:`cvkit.model.live.LiveRun` (one "fold" per (candidate, fold) task).

        Built afresh at each call from the tasks recorded, so call it again to
        redraw (e.g. from ``on_event``, or a timer). The refit is not drawn.

        Parameters
        ----------
        deaths : dict or None
            ``{pid: seconds since the fit started}`` of worker processes seen dead
            (:meth:`cvkit.model.live.LiveRun.worker_died` draws their lanes dead from then on).
        """
        return search_live_run(
            self.tasks("fit"),
            started_at=self.started_at,
            ended_at=self.ended_at,
            n_tasks=self.n_tasks,
            n_jobs=self.settings.get("n_jobs"),
            deaths=deaths,
        )


def _active_backend():
    try:
        return resolve_backend(None)[1]
    except Exception:
        return None


def watch_search(search, X, y=None, on_event=None, **fit_params):
    """Fit ``search`` with a :class:`SearchRecorder` attached and return the tasks it recorded.

    The recorder stays attached to the search (with any other callbacks it
    had), so a later ``search.fit`` records again. To also draw the tasks
    (:meth:`SearchRecorder.schedule`, :meth:`SearchRecorder.live_run`), attach
    a :class:`SearchRecorder` yourself.

    Parameters
    ----------
    search : GridSearchCV, RandomizedSearchCV or another search that supports callbacks
    X, y : array-like
    on_event : callable or None
        As in :class:`SearchRecorder`.
    **fit_params
        Passed to ``search.fit``.

    Returns
    -------
    list of SearchTask
        The (candidate, fold) fits in task order, then the refit (if the search refits).

    Examples
    --------
    >>> watch_search("not a search", [[0]], [0])
    Traceback (most recent call last):
    ...
    TypeError: search='not a search' is not allowed; allowed: a scikit-learn search with set_callbacks and fit (e.g. GridSearchCV).
    """
    if not (hasattr(search, "set_callbacks") and hasattr(search, "fit")):
        raise TypeError(
            f"search={search!r} is not allowed; allowed: a scikit-learn search with set_callbacks and fit "
            "(e.g. GridSearchCV)."
        )
    recorder = SearchRecorder(on_event=on_event)
    others = [cb for cb in search_callbacks(search) if not isinstance(cb, SearchRecorder)]
    search.set_callbacks(*others, recorder)
    search.fit(X, y, **fit_params)
    return recorder.tasks()
