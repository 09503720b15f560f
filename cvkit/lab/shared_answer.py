"""Tools for lesson 02, which runs the widely shared answer as published and fixes it step by step.

- :func:`in_lockstep` runs two or more fold tasks as threads of this process in
  one fixed, unlucky order (fold 0 fits, then fold 1, ..., and only then does
  any fold predict), so a model shared by the tasks goes wrong on every run,
  on any machine, instead of now and then.
- :func:`tasks_sent_ahead` counts how many tasks ``Parallel`` reads from its
  generator before the first task finishes: what ``pre_dispatch`` sets.
- :func:`capture_streams` runs a call and keeps what it wrote to stdout and
  to stderr apart (``Parallel``'s ``verbose`` messages go to one or the other).
- :func:`data_seen_here` reads this module's own globals ``X`` and ``y``:
  called in a worker process, it shows what a function imported from a module
  sees there.
"""

import contextlib
import functools
import io
import threading
import time
from dataclasses import dataclass

from joblib import Parallel, delayed

from ..core.checks import check_positive_int

__all__ = ["Captured", "X", "capture_streams", "data_seen_here", "in_lockstep", "tasks_sent_ahead", "y"]

#: Module-level data that :func:`data_seen_here` reads (None until someone assigns it).
X = None
#: Module-level labels, the partner of :data:`X`.
y = None

_PATCH_LOCK = threading.Lock()


def data_seen_here():
    """Return the shape of this module's ``X`` as the process that runs this function sees it (None if unset).

    A notebook can assign ``cvkit.lab.shared_answer.X = X``; that changes the module
    in the notebook's process only. A worker process imports the module for
    itself, and there ``X`` is still None.

    Examples
    --------
    >>> import cvkit.lab.shared_answer as module
    >>> module.X = None
    >>> print(data_seen_here())
    None
    """
    return None if X is None else tuple(X.shape)


# ------------------------------------------------------------------------------------------ in_lockstep
class _Lockstep:
    """Where the threads of :func:`in_lockstep` wait: fits in fold order, predictions after the last fit."""

    def __init__(self, n_tasks, timeout):
        self.cond = threading.Condition()
        self.turn = 0  # the position of the task whose fit may run now
        self.n_tasks = n_tasks
        self.timeout = timeout
        self.local = threading.local()

    def _wait(self, ready, what):
        if not self.cond.wait_for(ready, timeout=self.timeout):
            raise RuntimeError(f"in_lockstep waited {self.timeout:g} s for {what}; a task is stuck or fits no model.")

    def fit(self, original, estimator, args, kwargs):
        k = getattr(self.local, "position", None)
        if k is None or self.local.passed:  # not one of the tasks, or a second fit in the same task
            return original(estimator, *args, **kwargs)
        with self.cond:
            self._wait(lambda: self.turn == k, f"the fit of the task before position {k}")
        try:
            return original(estimator, *args, **kwargs)
        finally:
            self._pass(k)
            with self.cond:
                self._wait(lambda: self.turn == self.n_tasks, "every task to fit")

    def _pass(self, k):
        """Mark task ``k`` as past its fit (or done without one), so the next task may fit."""
        self.local.passed = True
        with self.cond:
            self._wait(lambda: self.turn == k, f"the fit of the task before position {k}")
            self.turn += 1
            self.cond.notify_all()

    def run(self, k, func, args, kwargs):
        self.local.position, self.local.passed = k, False
        try:
            return func(*args, **kwargs)
        finally:
            if not self.local.passed:  # the task fitted nothing (or failed before): let the others go on
                self._pass(k)
            self.local.position = None


def _check_tasks(tasks):
    try:
        tasks = list(tasks)
    except TypeError:
        tasks = None
    ok = (
        tasks is not None
        and 2 <= len(tasks) <= 16
        and all(isinstance(t, tuple) and len(t) == 3 and callable(t[0]) for t in tasks)
    )
    if not ok:
        raise ValueError(
            "tasks is not allowed as given; allowed: a list of 2 to 16 delayed(...) calls, "
            "e.g. [delayed(train)(tr, te) for tr, te in splits[:2]]."
        )
    return tasks


def in_lockstep(tasks, *, estimator_class=None, timeout=30.0):
    """Run ``tasks`` as threads of this process, forcing one unlucky order: all fits in task order, then the rest.

    Every task runs in a thread of its own, with joblib's threading backend.
    While they run, the ``fit`` of ``estimator_class`` waits: the first task's
    fit runs first, then the second task's, and so on, and no fit returns before
    the last one has finished. So each task goes on (to predict) only once
    every task has fitted. Tasks that fit separate models are not affected;
    tasks that fit one shared model all predict with the model fitted last.
    Real threads meet in that order only now and then; here it happens on every
    run, on any machine and under any load (the threads wait for each other,
    not for a clock).

    Parameters
    ----------
    tasks : list of ``delayed(...)`` calls
        2 to 16 of them; their results come back in task order.
    estimator_class : class, default ``sklearn.svm.SVC``
        Whose ``fit`` waits its turn (subclasses and pipelines holding one
        included). A task that fits no such model runs without waiting.
    timeout : float, default 30
        Seconds a thread waits for another before giving up with RuntimeError.

    Returns
    -------
    list
        What each task returned, in task order.

    Examples
    --------
    >>> from sklearn.base import clone
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> shared = SVC()
    >>> def fitted_on(model, rows):                  # fit, then report how many rows the model holds
    ...     return model.fit(X[rows], y[rows]).shape_fit_[0]
    >>> in_lockstep([delayed(fitted_on)(shared, rows) for rows in (range(0, 150), range(0, 150, 2))])
    [75, 75]
    >>> in_lockstep([delayed(fitted_on)(clone(shared), rows) for rows in (range(0, 150), range(0, 150, 2))])
    [150, 75]
    """
    tasks = _check_tasks(tasks)
    if estimator_class is None:
        from sklearn.svm import SVC

        estimator_class = SVC
    if not isinstance(estimator_class, type) or not callable(getattr(estimator_class, "fit", None)):
        raise ValueError(f"estimator_class={estimator_class!r} is not allowed; allowed: a class with a fit method.")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout={timeout!r} is not allowed; allowed: a number of seconds > 0.")
    gate = _Lockstep(len(tasks), float(timeout))
    with _PATCH_LOCK:
        own = estimator_class.__dict__.get("fit")
        original = estimator_class.fit

        @functools.wraps(original)
        def fit(self, *args, **kwargs):
            return gate.fit(original, self, args, kwargs)

        estimator_class.fit = fit
        try:
            return Parallel(n_jobs=len(tasks), backend="threading")(
                delayed(gate.run)(k, func, args, kwargs) for k, (func, args, kwargs) in enumerate(tasks)
            )
        finally:
            if own is None:
                del estimator_class.fit
            else:
                estimator_class.fit = own


# ------------------------------------------------------------------------------------------ tasks_sent_ahead
def _nap(seconds):
    time.sleep(seconds)
    return time.monotonic()  # when this task finished: one clock for every process of the machine


def tasks_sent_ahead(pre_dispatch="2*n_jobs", *, n_tasks=5, n_jobs=2, task_seconds=0.2):
    """How many tasks ``Parallel`` reads from its generator before the first task finishes.

    Runs ``n_tasks`` tasks that each sleep ``task_seconds`` with
    ``Parallel(n_jobs=n_jobs, pre_dispatch=pre_dispatch)`` on loky. The
    generator notes when joblib reads each task; each task returns when it
    finished. The tasks read before the first one finished are those joblib
    sent ahead at the start; it reads the rest one batch at a time as tasks
    finish.

    Parameters
    ----------
    pre_dispatch : str or int, default "2*n_jobs" (joblib's default)
    n_tasks, n_jobs : int >= 1
    task_seconds : float > 0
        Long enough that no task can finish while joblib is still reading the
        first ones.

    Returns
    -------
    int

    Examples
    --------
    >>> tasks_sent_ahead("2*n_jobs", n_tasks=0)
    Traceback (most recent call last):
    ...
    ValueError: n_tasks=0 is not allowed; allowed: an integer >= 1.
    """
    n_tasks = check_positive_int("n_tasks", n_tasks)
    n_jobs = check_positive_int("n_jobs", n_jobs)
    if isinstance(task_seconds, bool) or not isinstance(task_seconds, (int, float)) or not task_seconds > 0:
        raise ValueError(f"task_seconds={task_seconds!r} is not allowed; allowed: a number of seconds > 0.")
    read_at = []

    def tasks():
        for _ in range(n_tasks):
            read_at.append(time.monotonic())  # joblib reads the next task now
            yield delayed(_nap)(task_seconds)

    finished_at = Parallel(n_jobs=n_jobs, backend="loky", pre_dispatch=pre_dispatch)(tasks())
    return sum(t < min(finished_at) for t in read_at)


# ------------------------------------------------------------------------------------------ capture_streams
@dataclass(frozen=True)
class Captured:
    """What a call returned, and the lines it wrote to stdout and to stderr (see :func:`capture_streams`)."""

    result: object
    stdout: list
    stderr: list


class _Lines(io.StringIO):
    def lines(self):
        return [line for line in self.getvalue().splitlines() if line.strip()]


def capture_streams(func, *, until="finished", timeout=2.0):
    """Run ``func()`` and return its result with the lines it wrote to stdout and to stderr, kept apart.

    ``Parallel`` prints its last progress line from a helper thread, which can
    come a moment after the call returns: if the call printed any line, the
    capture goes on until the last line contains ``until`` and nothing more
    has come for 0.05 s (at most ``timeout`` seconds more). The last line,
    since joblib can print an early ``Done 1 out of 1 ... finished`` when its
    first task ends before it has sent the second.

    Examples
    --------
    >>> import sys
    >>> def talk():
    ...     print("to stdout")
    ...     print("to stderr", file=sys.stderr)
    ...     return 42
    >>> captured = capture_streams(talk, until="")
    >>> captured.result, captured.stdout, captured.stderr
    (42, ['to stdout'], ['to stderr'])
    """
    if not callable(func):
        raise ValueError(f"func={func!r} is not allowed; allowed: a function of no arguments.")
    out, err = _Lines(), _Lines()

    def last_line():
        lines = out.lines() + err.lines()  # a call writes its progress to one stream
        return lines[-1] if lines else None

    def size():
        return len(out.getvalue()) + len(err.getvalue())

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result = func()
        deadline = time.monotonic() + timeout
        seen, quiet_since = size(), time.monotonic()
        while (line := last_line()) is not None and time.monotonic() < deadline:
            if size() != seen:
                seen, quiet_since = size(), time.monotonic()
            elif until in line and time.monotonic() - quiet_since >= 0.05:
                break  # the last line says so, and nothing came for a moment
            time.sleep(0.01)
    return Captured(result, out.lines(), err.lines())
