"""A progress bar for :func:`cvkit.run_folds`: tqdm's (a widget in a notebook, text in a terminal), fed by the folds.

``run_folds`` calls its ``on_event`` as each fold starts and finishes, in
completion order, while the run goes on; :class:`FoldProgress` is such a
callable that moves a tqdm bar one step per finished fold.
"""

import threading

from ..core.checks import check_positive_int

__all__ = ["FoldProgress"]


class FoldProgress:
    """A tqdm progress bar that counts the folds of a run as they finish; pass it as ``run_folds(on_event=...)``.

    Parameters
    ----------
    total : int >= 1
        The number of folds of the run.
    desc : str
        The bar's label.
    **tqdm_kwargs
        Passed to ``tqdm.auto.tqdm`` (e.g. ``file=sys.stdout``, ``leave=False``).

    Attributes
    ----------
    finished, failed : int
        Folds that finished so far, and how many of them failed (or were cancelled).
    order : list of int
        Fold numbers in the order they finished.

    Examples
    --------
    >>> import io
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset, run_folds
    >>> X, y = load_dataset("iris")
    >>> with FoldProgress(total=5, file=io.StringIO()) as progress:
    ...     result = run_folds(SVC(), X, y, cv=5, on_event=progress)
    >>> print(progress)
    5 of 5 folds finished, 0 failed
    >>> FoldProgress(total=0)
    Traceback (most recent call last):
    ...
    ValueError: total=0 is not allowed; allowed: an integer >= 1.
    """

    def __init__(self, total, desc="folds", **tqdm_kwargs):
        from tqdm.auto import tqdm  # the notebook widget under Jupyter, a text bar elsewhere

        self.total = check_positive_int("total", total)
        self.finished = 0
        self.failed = 0
        self.order = []
        self._lock = threading.Lock()  # run_folds may call from a helper thread
        self.bar = tqdm(total=self.total, desc=desc, unit="fold", **tqdm_kwargs)

    def __call__(self, kind, payload):
        """Take one event of ``run_folds``: a finished fold ("done") moves the bar; a start changes nothing."""
        if kind != "done":
            return
        result = payload["result"]
        with self._lock:
            self.finished += 1
            self.failed += not result.ok
            self.order.append(result.fold)
            self.bar.set_postfix_str(f"last: fold {result.fold} ({result.status})", refresh=False)
            self.bar.update(1)

    def close(self):
        """Close the bar (a finished notebook bar stays visible, green, or red if folds are missing)."""
        self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __str__(self):
        return f"{self.finished} of {self.total} folds finished, {self.failed} failed"

    def __repr__(self):
        return f"FoldProgress({self})"
