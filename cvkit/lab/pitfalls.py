"""The widely shared answer's pitfall made concrete: one estimator fitted inside every fold task, and the clone fix."""

import hashlib
import threading
import time
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from ..backends import backend_context, resolve_backend, resolve_n_jobs
from ..core.checks import check_positive_int
from ..core.text import PrettyText

__all__ = ["SharedModelRun", "SlowModel", "answer_task", "clone_task", "fingerprint", "run_fold_task"]

_LOCAL_LOCK = threading.Lock()


def fingerprint(X):
    """A short digest of an array's values: which rows a model was fitted on.

    Examples
    --------
    >>> fingerprint(np.arange(6).reshape(3, 2)) == fingerprint(np.arange(6).reshape(3, 2))
    True
    >>> fingerprint(np.arange(4)) == fingerprint(np.arange(1, 5))
    False
    """
    data = np.ascontiguousarray(np.asarray(X))
    return hashlib.blake2b(data.tobytes() + str(data.shape).encode(), digest_size=8).hexdigest()


class SlowModel(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """A classifier whose fit and predict take a while, as on real data, and that says whose model predicted.

    ``fit`` fits a clone of ``estimator`` and stores it together with the
    fingerprint of the training rows in one step; ``predict`` takes the stored
    model and predicts with it. Two threads that share one ``SlowModel``
    interleave the same way every time, on any machine and under any load:
    they meet twice, without timing margins. After storing its model, a thread
    waits until the other thread has stored its own (the second store replaces
    the first); in ``predict`` each takes the stored model, then waits until
    the other has taken it too. So both folds of a pair predict with the model
    fitted last. A thread with no partner (the last fold of an odd number, a
    process worker with its own copy, a serial loop) waits ``fit_pause`` for
    one to come, ``predict_pause`` in ``predict``, and goes on alone, as a
    fit on real data takes a while. Real estimators interleave at random (or
    crash on a half-updated model); this one makes the pitfall repeatable.

    Parameters
    ----------
    estimator : classifier
    fit_pause, predict_pause : float
        Seconds a thread with no partner waits in ``fit`` (for a partner to
        start) and in ``predict``.

    Attributes
    ----------
    fitted_on_ : str
        Fingerprint (:func:`fingerprint`) of the rows of the last fit.
    predicted_with_ : str or None
        For the calling thread: fingerprint of the training rows of the model
        its last ``predict`` used (None if it has not predicted).

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("iris")
    >>> model = SlowModel(SVC(), fit_pause=0, predict_pause=0).fit(X, y)
    >>> (model.predict(X) == y).mean().round(3), model.predicted_with_ == model.fitted_on_ == fingerprint(X)
    (np.float64(0.973), True)
    """

    def __init__(self, estimator, fit_pause=0.1, predict_pause=0.05):
        self.estimator = estimator
        self.fit_pause = fit_pause
        self.predict_pause = predict_pause

    def fit(self, X, y):
        """Fit a clone of ``estimator`` on ``X, y``, store it, then wait for a partner thread to store its own."""
        meeting = self._meeting()
        with meeting.cond:
            meeting.fitting += 1
            meeting.cond.notify_all()  # a thread waiting alone now waits for this one
        try:
            model = clone(self.estimator).fit(X, y)
        except BaseException:
            with meeting.cond:
                meeting.fitting -= 1
                meeting.cond.notify_all()
            raise
        with meeting.cond:
            self.state_ = (fingerprint(X), model)  # one assignment: a reader sees the old or the new model, whole
            meeting.fitting -= 1
            self._local().pair = meeting.pair_up(self.fit_pause)
        return self

    def predict(self, X):
        """Take the model stored now, wait until the partner thread has taken it too, then predict with it."""
        check_is_fitted(self, "state_")
        meeting = self._meeting()
        local = self._local()
        with meeting.cond:
            fitted_on, model = self.state_
            pair, local.pair = getattr(local, "pair", None), None
            local.predicted_with = fitted_on
            partnered = pair is not None and meeting.both_read(pair)
        if not partnered:
            time.sleep(self.predict_pause)
        return model.predict(X)

    @property
    def fitted_on_(self):
        check_is_fitted(self, "state_")
        return self.state_[0]

    @property
    def classes_(self):
        check_is_fitted(self, "state_")
        return self.state_[1].classes_

    @property
    def predicted_with_(self):
        return getattr(self._local(), "predicted_with", None)

    def _local(self):
        local = self.__dict__.get("_thread_local")
        if local is None:
            with _LOCAL_LOCK:
                local = self.__dict__.setdefault("_thread_local", threading.local())
        return local

    def _meeting(self):
        meeting = self.__dict__.get("_meeting_point")
        if meeting is None:
            with _LOCAL_LOCK:
                meeting = self.__dict__.setdefault("_meeting_point", _MeetingPoint())
        return meeting

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_thread_local", None)  # per-thread records stay in their process
        state.pop("_meeting_point", None)  # a copy in another process meets no thread of this one
        return state


class _MeetingPoint:
    """Where threads sharing one :class:`SlowModel` pair up: after storing their fits, and after reading the model."""

    #: Seconds a thread waits for a partner that is fitting before it gives up (a partner that never comes).
    SAFETY = 30.0

    def __init__(self):
        self.cond = threading.Condition()
        self.fitting = 0  # threads between the start of their fit and storing their model
        self.open = None  # the pair of a thread that stored its model and waits for a partner

    def pair_up(self, pause):
        """Called holding ``cond`` after storing: return this thread's pair (a dict), or None if it goes alone.

        A thread waits while another thread is fitting (it will store next),
        and otherwise at most ``pause`` seconds for one to start.
        """
        if self.open is not None:
            pair, self.open = self.open, None
            pair["members"] += 1
            self.cond.notify_all()
            return pair
        pair = {"members": 1, "read": 0}
        self.open = pair
        start = time.monotonic()
        while pair["members"] < 2:
            waited = time.monotonic() - start
            if self.fitting > 0 and waited < self.SAFETY:
                self.cond.wait(self.SAFETY - waited)
            elif waited < pause:
                self.cond.wait(pause - waited)
            else:
                self.open = None  # nobody came: go on alone
                return None
        return pair

    def both_read(self, pair):
        """Called holding ``cond`` after reading the model: wait until the partner has read it too."""
        pair["read"] += 1
        self.cond.notify_all()
        deadline = time.monotonic() + self.SAFETY
        while pair["read"] < 2 and time.monotonic() < deadline:
            self.cond.wait(deadline - time.monotonic())
        return True


def answer_task(model, X, y, train, test):
    """The widely shared answer's task: fit *the* model (the one every task gets), predict, score.

    In the answer, ``model`` is a global created once at the top; every task
    refers to it. Passing the one object to every task is the same thing:
    loky pickles it into each task (each gets a copy), threads all get the
    very object.
    """
    model.fit(X[train], y[train])
    y_pred = model.predict(X[test])
    return f1_score(y[test], y_pred, average="weighted")


def clone_task(model, X, y, train, test):
    """The fix: each task fits its own fresh, unfitted copy (``clone``) of the model it was given."""
    own = clone(model)
    own.fit(X[train], y[train])
    y_pred = own.predict(X[test])
    return f1_score(y[test], y_pred, average="weighted")


def _attributed(task, model, X, y, train, test):
    """Run ``task`` and return its score with the fingerprint of the model that predicted through ``model``."""
    model._local().predicted_with = None
    score = task(model, X, y, train, test)
    return score, model.predicted_with_


@dataclass(frozen=True)
class SharedModelRun(PrettyText):
    """What a fold task did when every task was handed the same model object.

    Attributes
    ----------
    task : str
        Name of the task function.
    backend : str
    n_jobs : int
    scores : ndarray
        What each fold's task returned.
    serial_scores : ndarray
        The serial loop's f1 per fold, each from a fresh fit.
    predicted_by : tuple of (int or None)
        For fold i, the fold whose training rows fitted the shared model that
        predicted fold i; None if the task predicted with a model of its own.
    model_fitted_on : int or None
        The fold whose training rows the caller's model holds afterwards;
        None if it is still unfitted.
    """

    task: str
    backend: str
    n_jobs: int
    scores: np.ndarray
    serial_scores: np.ndarray
    predicted_by: tuple
    model_fitted_on: int | None

    @property
    def same_as_serial(self):
        """True if every fold's score equals the serial loop's."""
        return bool(np.array_equal(self.scores, self.serial_scores))

    @property
    def foreign_predictions(self):
        """Folds predicted by a model fitted on another fold's training rows."""
        return [i for i, by in enumerate(self.predicted_by) if by is not None and by != i]

    def __str__(self):
        k = len(self.scores)
        if self.model_fitted_on is None:
            after = "still unfitted"
        else:
            after = f"fitted, on fold {self.model_fitted_on}'s training rows"
        return "\n".join(
            [
                f"{self.task} · {self.backend}, n_jobs={self.n_jobs}, {k} folds",
                f"  fold scores equal the serial loop's: {self.same_as_serial}",
                f"  folds predicted by a model fitted on another fold's rows: {len(self.foreign_predictions)} of {k}",
                f"  the model you passed in, afterwards: {after}",
            ]
        )


def run_fold_task(task, estimator, X, y, *, cv=5, backend=None, n_jobs=2, fit_pause=0.1, predict_pause=0.05):
    """Run ``task(model, X, y, train, test)`` for every fold, handing *one* shared model to every task.

    The model is ``SlowModel(estimator, fit_pause, predict_pause)``, created
    once, as the widely shared answer creates its global estimator once. With
    threads and the answer's task, two folds running at the same time fit the
    same object: the second fit replaces the first before the first fold
    predicts, so one fold of each pair is predicted by the other's model, on
    every run (see :class:`SlowModel`).

    Parameters
    ----------
    task : callable ``task(model, X, y, train, test) -> float``
        :func:`answer_task`, :func:`clone_task`, or your own.
    estimator : classifier
    X : ndarray; y : ndarray
    cv : int, default 5
        Stratified folds, in order.
    backend : str, joblib backend instance or None
        None: the backend of an enclosing ``joblib.parallel_config`` (else loky).
    n_jobs : int, default 2
    fit_pause, predict_pause : float
        See :class:`SlowModel`: how long a fold with no partner thread waits
        for one (``fit_pause``) before it goes on alone. The threads' pairing
        does not depend on them.

    Returns
    -------
    SharedModelRun

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset
    >>> X, y = load_dataset("synthetic", n_samples="tiny")
    >>> run = run_fold_task(answer_task, SVC(), X, y, cv=5, backend="threading", n_jobs=2)
    >>> run.same_as_serial, len(run.foreign_predictions), run.model_fitted_on
    (False, 2, 4)
    >>> run_fold_task(clone_task, SVC(), X, y, cv=4, backend="threading", n_jobs=2).same_as_serial
    True
    """
    if not callable(task):
        raise TypeError(f"task={task!r} is not allowed; allowed: a function task(model, X, y, train, test).")
    if not isinstance(X, np.ndarray) or not isinstance(y, np.ndarray):
        raise TypeError(
            f"X of type {type(X).__name__} and y of type {type(y).__name__} are not allowed; allowed: numpy arrays."
        )
    cv = check_positive_int("cv", cv, minimum=2)
    backend, name = resolve_backend(backend)
    workers = resolve_n_jobs(n_jobs, backend)
    splits = list(StratifiedKFold(cv).split(X, y))
    fold_of = {fingerprint(X[train]): fold for fold, (train, _) in enumerate(splits)}
    model = SlowModel(estimator, fit_pause=fit_pause, predict_pause=predict_pause)
    with backend_context(backend):
        out = Parallel(n_jobs=workers, batch_size=1)(
            delayed(_attributed)(task, model, X, y, train, test) for train, test in splits
        )
    serial = [
        f1_score(y[test], clone(estimator).fit(X[train], y[train]).predict(X[test]), average="weighted")
        for train, test in splits
    ]
    state = getattr(model, "state_", None)
    return SharedModelRun(
        task=getattr(task, "__name__", type(task).__name__),
        backend=name if workers > 1 else "serial",
        n_jobs=workers,
        scores=np.array([score for score, _ in out], dtype=float),
        serial_scores=np.array(serial, dtype=float),
        predicted_by=tuple(None if fp is None else fold_of.get(fp) for _, fp in out),
        model_fitted_on=None if state is None else fold_of.get(state[0]),
    )
