"""The result of a cross-validation run: per-fold metrics, confusion matrices, timings and traces."""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["FINAL_STATUSES", "FOLD_STATUSES", "UNFINISHED_STATUSES", "CVResult", "FoldResult"]

#: What a fold can be, in every picture of a run (predicted, measured or live): "waiting" (not started: in joblib's
#: task generator or its queue), "running", "interrupted" (its worker died under it; it waits to be re-run), and
#: what it ends as: "done", "failed" (its code raised) or "cancelled" (the run ended before it finished).
FOLD_STATUSES = ("waiting", "running", "interrupted", "done", "failed", "cancelled")

#: What a fold is before it ends: not started, running, or waiting to be re-run after its worker died.
UNFINISHED_STATUSES = FOLD_STATUSES[:3]

#: What a fold ends as: the statuses a :class:`FoldResult` can have.
FINAL_STATUSES = FOLD_STATUSES[3:]


@dataclass
class FoldResult:
    """What one fold produced.

    Attributes
    ----------
    fold : int
        Index of the fold in the splitter's order.
    status : {"done", "failed", "cancelled"}
        One of :data:`FINAL_STATUSES`.
    score : float
        The metric on the test fold; NaN if the fold did not finish
        (like scikit-learn's ``error_score=np.nan``).
    confusion_matrix : ndarray of shape (n_classes, n_classes) or None
        Rows are true classes, columns predicted ones, in the run's ``labels`` order.
    fit_time, score_time : float
        Seconds to fit, and to predict and score.
    n_train, n_test : int
    trace : TaskTrace or None
        Who ran the fold and when (None if it never started).
    error_type, error_message : str or None
        For a failed or cancelled fold: what happened, in one line.
    """

    fold: int
    status: str = "done"
    score: float = float("nan")
    confusion_matrix: np.ndarray | None = None
    fit_time: float = float("nan")
    score_time: float = float("nan")
    n_train: int = 0
    n_test: int = 0
    trace: object = None
    error_type: str | None = None
    error_message: str | None = None

    @property
    def ok(self):
        """True if the fold finished."""
        return self.status == "done"


@dataclass
class CVResult:
    """Every fold of one run, in fold order, plus what describes the run.

    Build it with :func:`cvkit.run_folds`. Folds that did not finish are kept
    with status "failed" or "cancelled" and a NaN score, so a partial run still
    shows everything that was finished.

    Attributes
    ----------
    folds : list of FoldResult
        One per fold, sorted by fold index.
    scoring : str
        Name of the metric (e.g. "f1_weighted").
    labels : ndarray
        Class labels, the row and column order of every confusion matrix.
    n_jobs : int
        Workers actually used (1 means the plain serial loop).
    backend : str
        "serial" or the joblib backend's name.
    wall_time : float
        Seconds from the first dispatch to the last result.
    message : str
        One plain sentence about how the run ended.
    """

    folds: list
    scoring: str
    labels: np.ndarray
    n_jobs: int
    backend: str
    wall_time: float
    message: str = "all folds finished"
    settings: dict = field(default_factory=dict)

    # --- views -----------------------------------------------------------------------------
    @property
    def n_splits(self):
        """Number of folds in the run."""
        return len(self.folds)

    @property
    def scores(self):
        """The metric per fold, NaN for folds that did not finish."""
        return np.array([f.score for f in self.folds], dtype=float)

    @property
    def finished(self):
        """The folds that finished, in fold order."""
        return [f for f in self.folds if f.ok]

    @property
    def complete(self):
        """True if every fold finished."""
        return all(f.ok for f in self.folds)

    @property
    def traces(self):
        """Trace records of the folds that ran, in order of start time."""
        return sorted((f.trace for f in self.folds if f.trace is not None), key=lambda t: t.start)

    @property
    def confusion_matrix_sum(self):
        """Sum of the finished folds' confusion matrices: every sample tested once."""
        mats = [f.confusion_matrix for f in self.finished]
        if not mats:
            return np.zeros((len(self.labels), len(self.labels)), dtype=int)
        return np.sum(mats, axis=0)

    def cv_results(self):
        """Return the familiar :func:`sklearn.model_selection.cross_validate` dict.

        Keys ``test_score``, ``fit_time``, ``score_time``: arrays with one entry
        per fold (NaN where a fold did not finish).
        """
        return {
            "fit_time": np.array([f.fit_time for f in self.folds], dtype=float),
            "score_time": np.array([f.score_time for f in self.folds], dtype=float),
            "test_score": self.scores,
        }

    def to_frame(self, timings=True):
        """Return one row per fold as a pandas DataFrame.

        Parameters
        ----------
        timings : bool
            Include fit/score times and the trace (worker, start, end). Pass
            False for a table whose content does not change from run to run.
        """
        import pandas as pd

        rows = []
        for f in self.folds:
            row = {"fold": f.fold, "status": f.status, self.scoring: f.score, "n_test": f.n_test}
            if timings:
                t = f.trace
                row.update(
                    fit_time=f.fit_time,
                    score_time=f.score_time,
                    worker=None if t is None else f"pid {t.pid} / thread {t.thread_id}",
                    start=np.nan if t is None else t.start,
                    end=np.nan if t is None else t.end,
                )
            if f.error_type:
                row["error"] = f"{f.error_type}: {f.error_message}"
            rows.append(row)
        return pd.DataFrame(rows).set_index("fold")

    def summary(self):
        """One line: the metric's mean ± std over finished folds, and how many finished.

        Examples
        --------
        >>> r = CVResult([FoldResult(0, score=0.9), FoldResult(1, score=1.0)], "f1_weighted",
        ...              np.array([0, 1]), 1, "serial", 0.01)
        >>> r.summary()
        'f1_weighted = 0.950 ± 0.050 over 2/2 folds'
        """
        s = self.scores[~np.isnan(self.scores)]
        if len(s) == 0:
            return f"{self.scoring}: no fold finished ({self.message})"
        return f"{self.scoring} = {s.mean():.3f} ± {s.std():.3f} over {len(s)}/{self.n_splits} folds"

    def __repr__(self):
        return (
            f"CVResult({self.n_splits} folds, backend={self.backend!r}, n_jobs={self.n_jobs}, "
            f"{self.summary()}, wall_time={self.wall_time:.3f} s)"
        )
