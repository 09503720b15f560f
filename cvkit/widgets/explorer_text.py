"""What the explorer says: its status line while a run goes on and when it ended, the note under the controls, titles.

Plain functions of a :class:`cvkit.model.live.LiveSnapshot`, the run's settings and numbers; they return text (the
status line's is HTML), and the panel (:mod:`cvkit.widgets.explorer`) only puts it in its widgets.

Examples
--------
>>> from cvkit.model.live import LiveRun
>>> from cvkit.widgets.settings import Settings
>>> running_status(LiveRun(4, 2).snapshot(now=0.0), Settings(n_jobs=2, folds=4), stopping=False)
'0 done, 0 running, 4 waiting · 0.0 s'
>>> and_list([3, 1, 2])
'3, 1 and 2'
"""

from html import escape

from ..core.text import fmt_seconds

__all__ = [
    "and_list",
    "death_note",
    "failed_status",
    "finished_status",
    "last_run_title",
    "live_title",
    "predicted_title",
    "prediction_note",
    "refused_status",
    "running_status",
    "stop_message",
]

#: The status line's colours: an error, a warning (a Stop, dead workers), plain text.
RED, AMBER, BLACK = "#b00", "#8a4b00", "#111"

#: What a run waits for before its first fold starts, by backend (shown after 0.3 s without a fold).
_STARTING = {
    "loky": " (starting worker processes: each new one imports scikit-learn first)",
    "multiprocessing": " (starting worker processes: each new one imports scikit-learn first)",
    "dask": " (starting the Dask cluster or reaching it)",
}


def and_list(items):
    """``"1"``, ``"1 and 2"``, ``"1, 2 and 3"``.

    >>> and_list([1]), and_list([1, 2])
    ('1', '1 and 2')
    """
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n, word):
    return word + ("s" if n != 1 else "")


def running_status(snap, settings, *, stopping):
    """The status line (HTML) while a run goes on: done, failed, running and waiting folds, dead workers, time.

    Parameters
    ----------
    snap : cvkit.model.live.LiveSnapshot
    settings : cvkit.widgets.settings.Settings
        The run's settings (its backend says what a slow start waits for).
    stopping : bool
        True once Stop was pressed.

    Examples
    --------
    >>> from cvkit.model.live import LiveRun
    >>> from cvkit.widgets.settings import Settings
    >>> running_status(LiveRun(3, 2).snapshot(now=1.0), Settings(n_jobs=2, folds=3), stopping=True)
    'stopping · 0 done, 0 running, 3 waiting · 1.0 s (starting worker processes: each new one imports scikit-learn first)'
    """
    done = len(snap.completed)
    running, waiting = snap.count("running"), len(snap.waiting)
    failed = f", {snap.count('failed')} failed" if snap.count("failed") else ""
    starting = ""
    if not snap.bars and snap.now > 0.3 and settings.n_jobs != 1:
        starting = _STARTING.get(settings.backend, "")
    died = alive = ""
    if snap.deaths:
        pids = ", ".join(str(d.pid) for d in snap.deaths)
        held = sorted({f for d in snap.deaths for f in d.folds})
        again = [f for f in held if snap.states[f] == "interrupted"]
        many = "s" if len(snap.deaths) > 1 else ""
        interrupted = f": {_plural(len(held), 'fold')} {and_list(held)} interrupted" if held else ""
        died = (f'<b style="color:{RED}">worker{many} died (pid{many} {pids}){interrupted}'
                f"{', waiting to be re-run' if again else ''}</b> · ")  # fmt: skip
        alive = f" on {snap.alive_lanes} live {_plural(snap.alive_lanes, 'worker')}"
    error = ""
    if snap.errors:  # the first failed fold, in one short line, while the others go on
        fold = min(snap.errors)
        text = snap.errors[fold] if len(snap.errors[fold]) <= 90 else snap.errors[fold][:89] + "…"
        error = f' · <span style="color:{RED}">fold {fold} failed: {escape(text)}</span>'
    return (f"{'stopping · ' if stopping else ''}{died}{done - snap.count('failed')} done{failed}, {running} running"
            f"{alive}, {waiting} waiting · {snap.now:.1f} s{starting}{error}")  # fmt: skip


def death_note(snap):
    """What dead workers did to the run, in one sentence, or "" if none died.

    Examples
    --------
    >>> from cvkit.model.live import LiveRun
    >>> from cvkit.widgets.settings import Settings
    >>> death_note(LiveRun(3, 2).snapshot(now=0.0))
    ''
    """
    folds = snap.interrupted
    if not folds and not snap.deaths:
        return ""
    if not snap.deaths:
        head = "a worker was lost"
    else:
        pids = ", ".join(str(d.pid) for d in snap.deaths)
        first = min(d.at for d in snap.deaths)
        head = (f"a worker died (pid {pids} ended at {first:.1f} s)" if len(snap.deaths) == 1
                else f"{len(snap.deaths)} worker processes died (pids {pids}, from {first:.1f} s)")  # fmt: skip
    fates = {}
    for fold in folds:
        fates.setdefault(snap.states[fold], []).append(fold)
    words = {"done": "were re-run and finished", "failed": "were re-run and failed",
             "cancelled": "were cancelled before they finished"}  # fmt: skip
    parts = []
    for state in ("done", "failed", "cancelled"):
        if state in fates:
            same = fates[state]
            verb = words[state] if len(same) > 1 else words[state].replace("were", "was")
            parts.append(f"{_plural(len(same), 'fold')} {and_list(same)} {verb}")
    return f"{head}; " + "; ".join(parts) if parts else head


def stop_message(snap):
    """What a Stop left: the folds finished and kept, and the cancelled ones (running, or not started).

    Examples
    --------
    >>> from cvkit.model.live import LiveRun
    >>> stop_message(LiveRun(3, 2).snapshot(now=0.0))
    'stopped: 0 of 3 folds finished and kept, 0 cancelled (0 were running, 0 had not started)'
    """
    finished = snap.count("done") + snap.count("failed")
    cancelled = snap.count("cancelled")
    never = len(snap.never_started)
    return (f"stopped: {finished} of {snap.n_folds} folds finished and kept, {cancelled} cancelled "
            f"({cancelled - never} were running, {never} had not started)")  # fmt: skip


def finished_status(snap, result, *, stopped, note=""):
    """The status line (HTML) and the progress bar's style when a run ended with a result.

    Parameters
    ----------
    snap : cvkit.model.live.LiveSnapshot
    result : CVResult
    stopped : bool
        True if Stop ended it.
    note : str
        :func:`death_note` of the run.

    Returns
    -------
    (str, str)
        The HTML, and "success", "warning" or "danger".

    Examples
    --------
    >>> from cvkit import load_dataset, run_folds
    >>> from cvkit.model.live import LiveRun
    >>> from sklearn.svm import SVC
    >>> X, y = load_dataset("iris")
    >>> live = LiveRun(3)
    >>> result = run_folds(SVC(), X, y, cv=3, n_jobs=1, on_event=live.handle)
    >>> html, style = finished_status(live.snapshot(), result, stopped=False)
    >>> "all 3 folds finished" in html, style
    (True, 'success')
    """
    failed = snap.count("failed")
    if stopped:
        message = stop_message(snap)
    elif result.complete:
        message = f"all {result.n_splits} folds finished"
    else:
        message = result.message
    if note:
        message = f"{note} · {message}"
    colour = RED if failed else (AMBER if note or stopped else BLACK)
    html = f'<span style="color:{colour}"><b>{escape(message)}</b> · {result.wall_time:.2f} s</span>'
    style = "success" if result.complete and not note else ("danger" if failed else "warning")
    return html, style


def failed_status(error):
    """The status line (HTML) of a run that failed as a whole (``error`` in one line).

    >>> failed_status("ValueError: <bad>")
    '<span style="color:#b00">Run failed: ValueError: &lt;bad&gt;</span>'
    """
    return f'<span style="color:{RED}">Run failed: {escape(str(error))}</span>'


def refused_status(exc):
    """The status line (HTML) when Run was refused (a bad setting, a run in progress).

    >>> refused_status(ValueError("folds=25 is not allowed"))
    '<span style="color:#b00">Run refused: folds=25 is not allowed</span>'
    """
    return f'<span style="color:{RED}">Run refused: {escape(str(exc))}</span>'


def prediction_note(settings, seconds, source, share, *, cores, machine):
    """The note under the controls: what the prediction assumes, and why this machine may run slower (HTML).

    Parameters
    ----------
    settings : cvkit.widgets.settings.Settings
    seconds, source, share
        As returned by :func:`cvkit.widgets.explorer_plan.estimate_with_sharing`.
    cores : int
        This machine's cores.
    machine : cvkit.core.verdicts.Machine
        The machine now (``machine.busy``: other programs hold half the cores or more).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from cvkit.widgets.settings import Settings
    >>> idle = SimpleNamespace(busy=False)
    >>> note = prediction_note(Settings(n_jobs=2, folds=4), 0.5, "timed", 1.0, cores=2, machine=idle)
    >>> "4 equal folds of ~0.50 s each, from a quick timing of one fold" in note
    True
    """
    where = ("your last run of this workload and model" if source == "measured"
             else "a quick timing of one fold on this machine")  # fmt: skip
    predicted = (f"The prediction uses {settings.folds} equal folds of ~{fmt_seconds(seconds)} each, from {where}"
                 "; it does not count starting the workers.")  # fmt: skip
    if share > 1:
        predicted += (f" {settings.n_workers} workers on {cores} cores take turns, so each fold"
                      f" is predicted {share:.2f}× longer ({fmt_seconds(seconds * share)}).")  # fmt: skip
    note = settings.cores_note()
    if machine.busy:  # other programs (not this kernel nor its workers) hold half the cores or more
        note += (f" Other programs keep this machine busy now ({machine}): folds may take longer than"
                 " predicted, and the prediction learns from your last run.")  # fmt: skip
    return f'<div style="font-size:15px;color:#222;line-height:1.4">{predicted} {note}</div>'


def predicted_title(settings, seconds, share):
    """The predicted chart's title.

    >>> from cvkit.widgets.settings import Settings
    >>> predicted_title(Settings(n_jobs=2, folds=4), 0.5, 1.0)
    'predicted · 4 folds on 2 workers (loky, ~0.50 s/fold)'
    """
    return (f"predicted · {settings.folds} folds on {settings.n_workers} workers "
            f"({settings.backend}, ~{fmt_seconds(seconds * share)}/fold)")  # fmt: skip


def live_title(snap, settings):
    """The measured chart's title when a run ended, or None after a Stop (the chart's own title says what stopped).

    >>> from cvkit.model.live import LiveRun
    >>> from cvkit.widgets.settings import Settings
    >>> live_title(LiveRun(3).snapshot(now=0.0), Settings(n_jobs=1, folds=3))
    'measured · 3 folds · n_jobs=1 · loky · heavy · SVC'
    """
    if snap.count("cancelled"):
        return None
    return f"measured · {settings.describe()}"


def last_run_title(run_settings, settings):
    """The measured chart's title between runs: the last run's settings, and whether the controls changed since.

    >>> from cvkit.widgets.settings import Settings
    >>> last_run_title(Settings(folds=3), Settings(folds=4))
    'last run · 3 folds · n_jobs=2 · loky · heavy · SVC (settings changed: press Run)'
    """
    changed = " (settings changed: press Run)" if run_settings != settings else ""
    return f"last run · {run_settings.describe()}{changed}"
