"""What a finished run gives, as HTML: per-fold f1 table, mean ± std, confusion matrices, wall time and speed-ups."""

import math
from html import escape

import numpy as np

from ..core.verdicts import speedup_bound

__all__ = ["report_html", "speedup_text"]

_TABLE = 'style="border-collapse:collapse;font-size:14px;margin:2px 10px 6px 0"'
_CELL = 'style="border:1px solid #ccc;padding:1px 6px;text-align:right"'
_HEAD = 'style="border:1px solid #ccc;padding:1px 6px;background:#f2f2f2"'


def speedup_text(result, serial=None, *, cores=None, machine=None):
    """What the run's timing supports, in one or two sentences, computed from the numbers it is about.

    * The model's limit: ``k`` equal folds on ``w`` workers run in ceil(k / w)
      rounds, so at most k / ceil(k / w) times faster, and never more than
      this machine's cores.
    * A measured speed-up only against a real serial run of the same settings
      (``serial``), judged with :func:`cvkit.core.verdicts.compare_times` (faster /
      slower / about the same, with the machine's cores and load). Without
      one, no measured figure: the sum of this run's own fold times is not a
      serial reference (folds that share cores each run slower).

    Parameters
    ----------
    result : CVResult
    serial : CVResult or float, optional
        A complete serial run of the same settings, or its wall time.
    cores : int, optional
        This machine's cores (default: ``joblib.cpu_count()``).
    machine : cvkit.core.verdicts.Machine, optional
        Printed with a measured comparison (default: :func:`cvkit.core.verdicts.machine` now).

    Examples
    --------
    >>> from cvkit import CVResult, FoldResult
    >>> speedup_text(CVResult([FoldResult(0), FoldResult(1)], "f1", np.array([0, 1]), 1, "serial", 0.5))
    'serial run (n_jobs=1): the reference for the speed-up of later parallel runs of these settings.'
    """
    import joblib

    from ..core.verdicts import compare_times

    cores = joblib.cpu_count() if cores is None else int(cores)
    n_jobs = int(result.n_jobs or 1)
    if n_jobs == 1:
        return "serial run (n_jobs=1): the reference for the speed-up of later parallel runs of these settings."
    k = result.n_splits
    rounds = math.ceil(k / n_jobs)
    bound = speedup_bound(k, n_jobs)
    limit = min(bound, cores)
    model = f"Model: {k} equal folds on {n_jobs} workers run in {rounds} rounds, so at most {bound:.2f}× faster"
    if cores < n_jobs:
        model += f"; this machine has {cores} core{'s' if cores > 1 else ''}, so at most {limit:.2f}×"
    if any(f.trace is None for f in result.folds):
        return f"no speed-up measured: not every fold ran. {model}."
    if serial is None:
        return (f"no speed-up measured: there is no serial run of these settings yet (set cores to 1 and Run). "
                f"{model}.")  # fmt: skip
    serial_time = float(getattr(serial, "wall_time", serial))
    c = compare_times(result.wall_time, serial_time, f"n_jobs={n_jobs}", "the serial run", machine=machine)
    text = f"{c.sentence()}. {model}."
    if c.speedup > limit * (1 + c.noise):
        text += (" The measured figure is above the model's limit by more than noise: the serial run was slowed"
                 " by other work; run both again.")  # fmt: skip
    return f"{text} Measured on {c.machine}."


def _number(x, digits=3):
    """A table cell's number (a score, or seconds under a "(s)" heading), "–" when there is none."""
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _matrix(matrix, labels, caption):
    head = "".join(f"<th {_HEAD}>{escape(str(lab))}</th>" for lab in labels)
    rows = "".join(
        f"<tr><th {_HEAD}>{escape(str(lab))}</th>" + "".join(f"<td {_CELL}>{int(v)}</td>" for v in row) + "</tr>"
        for lab, row in zip(labels, matrix)
    )
    return (
        f'<table class="cvkit-confusion" {_TABLE}><caption style="font-size:14px;text-align:left">'
        f"{escape(caption)}</caption><tr><th {_HEAD}>true \\ pred</th>{head}</tr>{rows}</table>"
    )


def report_html(result, *, serial=None, completion_order=None, note=None, cores=None):
    """The results of a finished (or stopped) run as one HTML fragment.

    Parameters
    ----------
    result : CVResult
    serial : CVResult or float, optional
        A serial run of the same settings, for an honest measured speed-up (see :func:`speedup_text`).
    completion_order : sequence of int, optional
        Folds in the order their results arrived (the explorer's live record).
    note : str, optional
        One more line under the message (the explorer's account of dead workers and re-runs).

    Returns
    -------
    str
        A ``<div class="cvkit-report">`` with the run's message, mean ± std,
        wall time, speed-ups, a per-fold table (``<table class="cvkit-folds">``,
        one ``<tr data-fold="i">`` per fold, failed ones with their error in
        one line), the summed confusion matrix and one per finished fold.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from cvkit import load_dataset, run_folds
    >>> X, y = load_dataset("iris")
    >>> html = report_html(run_folds(SVC(), X, y, cv=3))
    >>> html.count("<tr data-fold="), html.count('class="cvkit-confusion"')
    (3, 4)
    """
    scoring = escape(result.scoring)
    rows = []
    for f in result.folds:
        t = f.trace
        worker = "–" if t is None else (f"pid {t.pid}" if result.backend != "threading" else f"thread {t.thread_id}")
        error = escape(f"{f.error_type}: {f.error_message}") if f.status == "failed" else ""
        colour = {"done": "", "failed": ' style="background:#fde2e2"', "cancelled": ' style="color:#888"'}[f.status]
        rows.append(
            f'<tr data-fold="{f.fold}" data-status="{f.status}"{colour}>'
            f"<td {_CELL}>{f.fold}</td><td {_CELL}>{f.status}</td><td {_CELL}>{_number(f.score)}</td>"
            f"<td {_CELL}>{worker}</td><td {_CELL}>{_number(None if t is None else t.start, 2)}</td>"
            f"<td {_CELL}>{_number(None if t is None else t.duration, 3)}</td>"
            f"<td {_CELL.replace('right', 'left')}>{error}</td></tr>"
        )
    table = (
        f'<table class="cvkit-folds" {_TABLE}><tr><th {_HEAD}>fold</th><th {_HEAD}>status</th>'
        f"<th {_HEAD}>{scoring}</th><th {_HEAD}>worker</th><th {_HEAD}>start (s)</th>"
        f"<th {_HEAD}>duration (s)</th><th {_HEAD}>error</th></tr>{''.join(rows)}</table>"
    )
    labels = list(result.labels)
    finished = [f for f in result.folds if f.status == "done" and f.confusion_matrix is not None]
    matrices = "".join(_matrix(f.confusion_matrix, labels, f"fold {f.fold}") for f in finished)
    summed = _matrix(result.confusion_matrix_sum, labels, f"sum over {len(finished)} finished folds") if finished \
        else '<div class="cvkit-no-matrix">no confusion matrix: no fold finished.</div>'  # fmt: skip
    order = ""
    if completion_order:
        order = f"<div>results arrived in this order: folds {', '.join(map(str, completion_order))}</div>"
    scores = result.scores[~np.isnan(result.scores)]
    counts = {s: sum(f.status == s for f in result.folds) for s in ("done", "failed", "cancelled")}
    parts = [f"{counts['done']} of {result.n_splits} folds finished"]
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    if counts["cancelled"]:
        parts.append(f"{counts['cancelled']} cancelled")
    tally = ", ".join(parts)
    if len(scores):
        stats = f"{scoring} = {scores.mean():.3f} ± {scores.std():.3f} over {len(scores)}/{result.n_splits} folds"
    else:
        stats = f"no score: {tally}"
    extra = f" ({tally})" if len(scores) and len(scores) < result.n_splits else ""
    note_html = f'<div class="cvkit-note"><b>{escape(note)}</b></div>' if note else ""
    return (
        '<div class="cvkit-report" style="font-size:15px;line-height:1.4">'
        f"<div><b>{escape(result.message)}</b></div>{note_html}"
        f"<div>{stats}{extra} · wall time {result.wall_time:.2f} s "
        f"· backend {escape(result.backend)}, n_jobs={result.n_jobs}</div>"
        f'<div class="cvkit-speedup">{escape(speedup_text(result, serial, cores=cores))}</div>{order}{table}'
        f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{summed}{matrices}</div></div>'
    )
