"""cvkit.lab.progress.FoldProgress: one step per finished fold, failed folds counted, usable as run_folds' on_event."""

import io

import pytest
from sklearn.svm import SVC

from cvkit import load_dataset, run_folds
from cvkit.core.results import FoldResult
from cvkit.lab.faults import FaultyClassifier
from cvkit.lab.progress import FoldProgress


def test_counts_done_events_only():
    with FoldProgress(total=3, file=io.StringIO()) as progress:
        progress("start", {"fold": 0})
        progress("done", {"result": FoldResult(fold=1)})
        progress("done", {"result": FoldResult(fold=0, status="failed")})
    assert (progress.finished, progress.failed, progress.order) == (2, 1, [1, 0])
    assert progress.bar.n == 2
    assert str(progress) == "2 of 3 folds finished, 1 failed"


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_follows_a_run_serial_or_parallel(n_jobs):
    X, y = load_dataset("iris")
    with FoldProgress(total=5, file=io.StringIO()) as progress:
        result = run_folds(SVC(), X, y, cv=5, n_jobs=n_jobs, on_event=progress)
    assert result.complete and progress.finished == 5 and sorted(progress.order) == list(range(5))


def test_a_failed_fold_is_counted():
    X, y = load_dataset("iris")
    with FoldProgress(total=5, file=io.StringIO()) as progress, pytest.warns(RuntimeWarning):
        run_folds(FaultyClassifier(SVC(), marked_rows=X[[0]]), X, y, cv=5, on_event=progress)
    assert str(progress) == "5 of 5 folds finished, 1 failed"


def test_the_bar_text_in_a_terminal():
    out = io.StringIO()
    with FoldProgress(total=2, desc="folds", file=out, ascii=True) as progress:
        progress("done", {"result": FoldResult(fold=0)})
        progress("done", {"result": FoldResult(fold=1)})
    assert "folds: 100%" in out.getvalue() and "2/2" in out.getvalue()


def test_bad_total():
    with pytest.raises(ValueError, match="total=-1 is not allowed"):
        FoldProgress(total=-1)
