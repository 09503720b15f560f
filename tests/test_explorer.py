"""The explorer driven from Python, as a notebook would: set the controls, click Run and Stop, check what it shows."""

import re
import time

import numpy as np
import pytest
import traitlets
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold
from svg_helpers import bars

import cvkit
from cvkit import fit_and_score_fold, run_folds
from cvkit.widgets import Explorer, explore
from cvkit.widgets.settings import (
    CORES,
    MODELS,
    WORKLOADS,
    Settings,
    backend_choices,
    estimate_fold_seconds,
    load_workload,
    make_estimator,
)


def report_rows(explorer, status=None):
    """Per-fold rows of the report table: fold -> (status, the row's text)."""
    rows = {}
    for m in re.finditer(r'<tr data-fold="(\d+)" data-status="(\w+)"[^>]*>(.*?)</tr>', explorer.report.value):
        if status is None or m.group(2) == status:
            rows[int(m.group(1))] = (m.group(2), re.sub(r"<[^>]+>", " ", m.group(3)))
    return rows


def wait_until(condition, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.01)


def click_run(explorer, timeout=120):
    explorer.run_button.click()
    return explorer.wait(timeout)


@pytest.fixture
def explorer():
    ex = Explorer(n_jobs=2, folds=5, backend="loky", workload="iris")
    yield ex
    if ex.running:
        ex.stop()
        ex.wait(60)


# --- controls and settings ----------------------------------------------------------------------
def test_the_controls_offer_the_issues_choices(explorer):
    assert [value for _, value in explorer.cores.options] == [1, 2, 3, 4, -1] == list(CORES)
    assert (explorer.folds.min, explorer.folds.max) == (2, 20)
    assert {"loky", "threading", "multiprocessing"} <= set(explorer.backend.options)
    assert [v for _, v in explorer.workload.options] == list(WORKLOADS)
    assert [v for _, v in explorer.model.options] == list(MODELS)
    assert explorer.run_button.description == "Run" and explorer.stop_button.description == "Stop"
    assert explorer.stop_button.disabled and not explorer.run_button.disabled


def test_dask_is_offered_only_when_cvkit_can_import_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if "dask" in name else real(name, *a))
    assert backend_choices() == ("loky", "threading", "multiprocessing")
    with pytest.raises(ValueError, match=r"backend='dask' is not allowed; allowed: 'loky', 'threading'"):
        Explorer(backend="dask")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"folds": 1}, "folds=1 is not allowed; allowed: an integer from 2 to 20."),
        ({"folds": 21}, "folds=21 is not allowed; allowed: an integer from 2 to 20."),
        ({"n_jobs": 0}, "n_jobs=0 is not allowed; allowed: 1, 2, 3, 4, -1."),
        ({"n_jobs": 8}, "n_jobs=8 is not allowed; allowed: 1, 2, 3, 4, -1."),
        ({"backend": "lokky"}, "backend='lokky' is not allowed; allowed: 'loky', 'threading', 'multiprocessing'"),
        ({"workload": "mnist"}, "workload='mnist' is not allowed; allowed: 'iris', 'digits', 'light'"),
        ({"model": "KNN"}, "model='KNN' is not allowed; allowed: 'SVC', 'LogisticRegression', 'RandomForest'."),
        ({"folds": 4, "fail_fold": 4}, "fail_fold=4 is not allowed with folds=4; allowed: None or an integer from 0"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Explorer(**kwargs)


def test_the_controls_cannot_hold_a_bad_value_and_set_checks_every_value(explorer):
    explorer.folds.value = 50
    assert explorer.folds.value == 20  # the slider clamps to its range
    with pytest.raises(traitlets.TraitError):
        explorer.cores.value = 7
    with pytest.raises(ValueError, match=r"n_jobs=0 is not allowed"):
        explorer.set(folds=6, n_jobs=0)
    assert explorer.folds.value == 20  # nothing was changed by the refused set()
    with pytest.raises(TypeError, match=r"unknown setting\(s\) cores; allowed: n_jobs, folds"):
        explorer.set(cores=2)


def test_moving_the_sliders_redraws_the_prediction_for_those_settings(explorer):
    explorer.folds.value = 7
    explorer.cores.value = 3
    assert bars(explorer.predicted_chart.value, "predicted") == list(range(7))
    predicted = explorer.predicted_chart.value
    assert predicted.count(">worker 2<") == 1 and ">worker 3<" not in predicted
    assert "7 folds on 3 workers" in explorer.predicted_chart.value
    assert explorer.settings == Settings(n_jobs=3, folds=7, backend="loky", workload="iris", model="SVC")
    explorer.cores.value = 4
    cores = cvkit.resolve_n_jobs(-1)
    warned = (
        f"n_jobs=4 is more workers than this machine's {cores} core{'s' if cores > 1 else ''}:" in explorer.note.value
    )
    assert warned == (cores < 4)
    explorer.cores.value = -1
    assert f"n_jobs=-1 means one worker per core: {cores} on this machine." in explorer.note.value
    assert bars(explorer.predicted_chart.value, "predicted") == list(range(7))


def test_the_fold_estimate_is_timed_on_this_machine_then_taken_from_a_measured_run():
    from cvkit.core.datasets import fold_seconds_for

    seconds, source = estimate_fold_seconds(Settings(workload="xx-heavy"))
    assert source == "timed" and seconds == pytest.approx(fold_seconds_for(cvkit.WORKLOADS["xx-heavy"]), rel=1e-4)
    seconds, source = estimate_fold_seconds(Settings(workload="heavy", folds=2), measured=(0.4, 5))
    assert source == "measured" and seconds == pytest.approx(0.4 * (0.5 / 0.8) ** 2)
    iris, source = estimate_fold_seconds(Settings(workload="iris", model="RandomForest"))
    assert source == "timed" and 0 < iris < 5  # timed here, one fold, in CPU seconds


def test_a_fold_set_to_fail_fails_only_in_that_fold():
    X, y = load_workload("iris")
    for fold in range(4):
        est = make_estimator(Settings(workload="iris", folds=4, fail_fold=fold), X, y)
        with pytest.warns(RuntimeWarning, match=rf"1 of 4 folds failed \(fold {fold}: ValueError"):
            result = run_folds(est, X, y, cv=4, n_jobs=1)
        assert [f.status == "failed" for f in result.folds] == [i == fold for i in range(4)]


# --- running ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_run_from_the_button_draws_every_finished_fold_and_equals_a_plain_run(explorer, backend):
    explorer.folds.value = 6
    explorer.cores.value = 2
    explorer.backend.value = backend
    result = click_run(explorer)
    X, y = load_workload("iris")
    plain = run_folds(make_estimator(explorer.settings), X, y, cv=6)
    assert result is explorer.result and result.backend == backend and result.complete
    assert result.scores.tolist() == plain.scores.tolist()
    for got, want in zip(result.folds, plain.folds):
        np.testing.assert_array_equal(got.confusion_matrix, want.confusion_matrix)
    assert bars(explorer.live_chart.value, "done") == [f.fold for f in result.finished] == list(range(6))
    assert bars(explorer.live_chart.value, kind="cvkit-queued") == []
    assert explorer.progress.value == explorer.progress.max == 6
    rows = report_rows(explorer)
    assert sorted(rows) == list(range(6)) and {s for s, _ in rows.values()} == {"done"}
    for fold, (_, text) in rows.items():
        assert f"{plain.scores[fold]:.3f}" in text
    summary = f"{plain.scores.mean():.3f} ± {plain.scores.std():.3f}"
    assert summary in explorer.report.value
    order = ", ".join(map(str, explorer.live.snapshot().completed))
    assert f"results arrived in this order: folds {order}" in explorer.report.value
    assert explorer.report.value.count('class="cvkit-confusion"') == 7  # the sum and one per fold
    assert "all 6 folds finished" in explorer.status.value
    assert not explorer.run_button.disabled and explorer.stop_button.disabled and not explorer.folds.disabled


def test_run_returns_at_once_and_stop_keeps_the_finished_folds(explorer):
    explorer.set(workload="heavy", folds=10, n_jobs=2)
    drawn_running = []
    explorer.live_chart.observe(
        lambda change: drawn_running.append("cvkit-bar running" in change["new"]), names="value"
    )
    explorer.run_button.click()
    assert explorer.running and not explorer.stop_button.disabled and explorer.run_button.disabled
    assert explorer.folds.disabled  # settings cannot change under a run
    wait_until(lambda: explorer.live.snapshot().count("done") >= 1, what="a first finished fold")
    explorer.stop_button.click()  # what a click in the browser does, on the kernel's main thread
    result = explorer.wait(120)
    assert any(drawn_running)  # bars were drawn running, before the run ended
    assert "stopped by request" in result.message
    assert re.search(
        r"stopped: \d+ of 10 folds finished and kept, \d+ cancelled \(\d+ were running, \d+ had not started\)",
        explorer.status.value,
    )
    kept = [f.fold for f in result.finished]
    cancelled = [f.fold for f in result.folds if f.status == "cancelled"]
    assert kept and cancelled and len(kept) + len(cancelled) == 10
    assert bars(explorer.live_chart.value, "done") == kept
    assert sorted(report_rows(explorer, "done")) == kept
    assert sorted(report_rows(explorer, "cancelled")) == cancelled
    X, y = load_workload("heavy")
    splits = list(StratifiedKFold(10).split(X, y))
    scorer = get_scorer("f1_weighted")
    for fold in kept[:2]:
        alone = fit_and_score_fold(make_estimator(explorer.settings), X, y, *splits[fold], fold, scorer, np.unique(y))
        assert result.folds[fold].score == alone.score
    assert explorer.progress.bar_style == "warning"
    explorer.set(workload="iris", folds=4)
    assert click_run(explorer).complete  # the next Run works


@pytest.mark.filterwarnings("ignore:1 of 5 folds failed:RuntimeWarning")  # pytest resets cvkit's filter
def test_a_failing_fold_is_shown_for_that_fold_and_the_next_run_works(explorer):
    explorer.folds.value = 5
    explorer.fail.value = True
    assert explorer.settings.fail_fold == 1 and "fold 1 fails" in explorer.fail.description
    result = click_run(explorer)
    assert [f.status for f in result.folds] == ["done", "failed", "done", "done", "done"]
    assert bars(explorer.live_chart.value, "failed") == [1]
    assert bars(explorer.live_chart.value, "done") == [0, 2, 3, 4]
    status, text = report_rows(explorer)[1]
    assert status == "failed" and "ValueError: this fold fails on purpose (FaultyClassifier)" in text
    assert "Traceback" not in explorer.report.value and "Traceback" not in explorer.status.value
    assert "1 of 5 folds failed" in explorer.status.value
    X, y = load_workload("iris")
    plain = run_folds(make_estimator(Settings(workload="iris")), X, y, cv=5)
    assert [result.scores[i] for i in (0, 2, 3, 4)] == [plain.scores[i] for i in (0, 2, 3, 4)]
    explorer.fail.value = False
    again = click_run(explorer)
    assert again.complete and bars(explorer.live_chart.value, "failed") == []
    assert again.scores.tolist() == plain.scores.tolist()


def test_a_run_refused_as_a_whole_says_why_in_one_line_and_the_panel_recovers(explorer, monkeypatch):
    import cvkit.widgets.background

    def refuse(*args, **kwargs):
        raise ValueError("this backend cannot start here\nsecond line of detail")

    monkeypatch.setattr(cvkit.widgets.background, "run_folds", refuse)
    assert click_run(explorer) is None
    assert explorer.error == "ValueError: this backend cannot start here"
    assert "Run failed: ValueError: this backend cannot start here" in explorer.status.value
    assert "second line" not in explorer.status.value
    monkeypatch.undo()
    assert click_run(explorer).complete and not explorer.run_button.disabled


def test_clicking_run_during_a_run_is_refused_with_a_message(explorer):
    explorer.set(workload="heavy", folds=6)
    explorer.run()
    try:
        explorer.run_button.click()  # the button is disabled in the browser; from Python it must still be safe
        assert "Run refused: a run is in progress" in explorer.status.value
        with pytest.raises(RuntimeError, match="a run is in progress"):
            explorer.run()
        with pytest.raises(RuntimeError, match="a run is in progress"):
            explorer.set(folds=3)
    finally:
        explorer.stop()
        explorer.wait(120)
    assert not explorer.running


def test_a_serial_run_becomes_the_speedup_reference_and_fold_times_feed_the_prediction(explorer):
    explorer.set(workload="light", folds=4, n_jobs=1)
    assert "a quick timing of one fold on this machine" in explorer.note.value
    serial = click_run(explorer)
    assert "serial run (n_jobs=1)" in explorer.report.value
    explorer.set(n_jobs=2)
    assert "your last run of this workload and model" in explorer.note.value
    parallel = click_run(explorer)
    text = re.sub(r"<[^>]+>", "", explorer.report.value)
    assert parallel.complete and f"n_jobs=2 took {cvkit.core.verdicts.fmt_seconds(parallel.wall_time)}" in text
    assert f"the serial run {cvkit.core.verdicts.fmt_seconds(serial.wall_time)}" in text
    assert re.search(r"(faster|slower|about the same)", text) and "Measured on " in text and "load" in text
    assert "predicted" not in text.split("cvkit-speedup")[-1][:0] and "sum of" not in text
    assert serial.scores.tolist() == parallel.scores.tolist()
    assert [s.n_jobs for s, _ in explorer.history] == [1, 2]


def test_the_speedup_line_says_only_what_the_numbers_support():
    """Issue 19, point 2: no "predicted" above the bound, no "measured" without a serial run, cores counted."""
    from cvkit import CVResult, FoldResult, TaskTrace
    from cvkit.core.verdicts import Machine
    from cvkit.widgets.report import speedup_text

    folds = [FoldResult(i, score=1.0, trace=TaskTrace(i, "h", 1, 1, "w", 0.0, 1.0)) for i in range(7)]
    result = CVResult(folds, "f1", np.array([0, 1]), 3, "loky", 3.0)
    alone = speedup_text(result, cores=2)
    assert alone.startswith("no speed-up measured: there is no serial run of these settings yet")
    assert "7 equal folds on 3 workers run in 3 rounds, so at most 2.33× faster" in alone
    assert "this machine has 2 cores, so at most 2.00×" in alone and "predicted" not in alone
    m = Machine(2, 0.5, "AMD")
    line = speedup_text(result, serial=7.2, cores=2, machine=m)
    assert "n_jobs=3 took 3.00 s, the serial run 7.20 s: n_jobs=3 ran 2.40× faster" in line
    assert "above the model's limit" in line and "Measured on 2 cores, AMD, load 0.5." in line
    same = speedup_text(result, serial=3.1, cores=2, machine=m)
    assert "about the same" in same and "above the model's limit" not in same
    assert "at most 2.33× faster" in speedup_text(result, serial=6.0, cores=4, machine=m)


def test_the_prediction_uses_this_machines_times_and_the_axes_fit_the_run(explorer):
    """Point 3: measured fold times, workers sharing cores predicted slower, an axis sized to the run."""
    from cvkit.widgets.settings import timed_fold_seconds
    from cvkit.widgets.svg import fit_span

    explorer.set(workload="heavy", folds=7, n_jobs=2)
    per_fold = estimate_fold_seconds(explorer.settings)[0]
    cores = cvkit.resolve_n_jobs(-1)
    share = max(1.0, 2 / cores)  # 2 workers on 1 core take turns: each fold predicted twice as long
    assert explorer._predicted.tasks[0].duration == pytest.approx(per_fold * share, rel=1e-3)
    assert f"~{per_fold:.2f} s each" in explorer.note.value
    label = dict((v, k) for k, v in explorer.workload.options)["heavy"]
    assert label.startswith("synthetic heavy · SVC fold ~") and label.endswith(" here")
    assert f"{timed_fold_seconds('heavy'):.2f} s" in label
    explorer.set(n_jobs=4)
    if cores < 4:
        assert explorer._predicted.tasks[0].duration == pytest.approx(per_fold * 4 / cores, rel=1e-3)
        assert f"4 workers on {cores} cores take turns" in explorer.note.value
    assert fit_span(19.9) == 22.0 and fit_span(62.0) == 70.0
    span = float(re.search(r'data-span="([\d.]+)"', explorer.predicted_chart.value).group(1))
    assert explorer._predicted.makespan <= span <= explorer._predicted.makespan * 1.4


def test_progress_and_axes_follow_a_settings_change_and_an_empty_chart_has_no_now_line(explorer):
    """Point 7."""
    assert 'class="cvkit-now"' not in explorer.live_chart.value
    click_run(explorer)
    assert explorer.progress.description == "5/5"
    explorer.folds.value = 7
    assert explorer.progress.description == "0/7" and explorer.progress.max == 7 and explorer.progress.value == 0
    spans = {re.search(r'data-span="([\d.]+)"', c).group(1) for c in
             (explorer.live_chart.value, explorer.predicted_chart.value)}  # fmt: skip
    assert len(spans) == 1  # the old measured chart and the new prediction share one axis
    assert "last run · 5 folds" in explorer.live_chart.value and "settings changed" in explorer.live_chart.value


def test_a_stop_before_any_fold_finished_says_so_without_an_empty_confusion_matrix(explorer):
    """Point 8: the chart title says stopped and how many were cancelled; waiting folds stay drawn."""
    explorer.set(workload="xx-heavy", folds=10, n_jobs=2)
    explorer.run()
    wait_until(lambda: explorer.live.snapshot().count("running") >= 1, what="a running fold")
    explorer.stop()
    result = explorer.wait(120)
    assert not result.finished
    assert "no confusion matrix: no fold finished" in explorer.report.value
    assert 'class="cvkit-confusion"' not in explorer.report.value
    assert "no score: 0 of 10 folds finished, 10 cancelled" in explorer.report.value
    title = re.search(r'class="cvkit-title"[^>]*>([^<]*)<', explorer.live_chart.value).group(1)
    assert re.fullmatch(r"stopped · 0 of 10 folds finished, 10 cancelled \(\d+ running, \d+ waiting\)", title)
    never = explorer.live.snapshot().never_started
    assert never and bars(explorer.live_chart.value, "cancelled", kind="cvkit-queued") == list(never)
    assert "0 of 10 folds finished and kept, 10 cancelled" in explorer.status.value


def test_stop_starts_a_fresh_pool_in_the_background_so_the_next_run_is_warm(explorer):
    """Point 10: Stop still kills the pool; a new one starts right after, and the next run's first fold starts soon."""
    explorer.set(workload="x-heavy", folds=6, n_jobs=2)
    explorer.run()
    wait_until(lambda: explorer.live.snapshot().count("running") >= 2, what="two running folds")
    pids = explorer.live.running_pids()
    explorer.stop()
    explorer.wait(120)
    assert explorer._warming is not None
    assert "starting a fresh pool of workers in the background" in explorer.status.value
    explorer._warming.join(60)
    from cvkit.robust.watchdog import process_alive

    assert not any(process_alive(p) for p in pids)  # Stop killed the old pool
    assert "a fresh pool of workers is ready for the next Run" in explorer.status.value
    explorer.set(workload="iris", folds=4)
    again = click_run(explorer)
    assert again.complete and min(t.start for t in again.traces) < 0.5  # warm: no 1-4 s of start-up


def test_a_worker_killed_from_outside_is_shown_at_once_and_summed_up_at_the_end(explorer):
    """Point 1: kill -9 of a loky worker mid-run."""
    import os
    import signal

    explorer.set(workload="heavy", folds=4, n_jobs=2)
    statuses = []
    explorer.status.observe(lambda change: statuses.append((time.perf_counter(), change["new"])), names="value")
    explorer.run()
    wait_until(lambda: len(explorer.live.running_pids()) == 2, what="two running folds")
    victim = min(explorer.live.running_pids())
    os.kill(victim, signal.SIGKILL)
    killed = time.perf_counter()
    result = explorer.wait(180)
    said = re.compile(rf"died \(pids? (\d+, )*{victim}\b")  # "pids A, B" when loky's other worker dies with it
    seen = [t for t, s in statuses if said.search(s) and t >= killed]
    assert seen and seen[0] - killed < 1.0
    snap = explorer.live.snapshot()
    assert result.complete and snap.interrupted
    assert all(" running on " in s or "running" not in s.split("·")[1] for _, s in statuses if "died" in s)
    for _, s in statuses:
        m = re.search(r"(\d+) running", s)
        assert m is None or int(m.group(1)) <= 2  # never more running folds than workers
    assert snap.n_lanes == 2 and "worker 2" not in explorer.live_chart.value
    folds = snap.interrupted
    expected = "s " + " and ".join(map(str, folds)) if len(folds) > 1 else " " + str(folds[0])
    assert f"fold{expected} {'were' if len(folds) > 1 else 'was'} re-run and finished" in explorer.status.value
    assert "a worker died" in explorer.status.value or "worker processes died" in explorer.status.value
    assert "all 4 folds finished" in explorer.status.value and "#8a4b00" in explorer.status.value
    assert explorer.progress.bar_style == "warning"
    assert bars(explorer.live_chart.value, "interrupted") == sorted(folds)
    assert bars(explorer.live_chart.value, "done") == [0, 1, 2, 3]
    assert "cvkit-dead-lane" in explorer.live_chart.value or "cvkit-death" in explorer.live_chart.value
    assert "re-run and finished" in explorer.report.value


def test_repr_picture_and_explore_give_stable_text(explorer, capsys):
    assert repr(explorer) == "Explorer(5 folds · n_jobs=2 · loky · iris · SVC)"
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == repr(explorer)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    with pytest.raises(RuntimeError, match="no finished run to picture"):
        explorer.picture()
    result = click_run(explorer)
    picture = explorer.picture()
    assert repr(picture) == "<picture: measured and predicted schedules of 5 folds · n_jobs=2 · loky · iris · SVC>"
    html = picture._repr_html_()  # plain HTML: GitHub, nbviewer and an HTML export show it
    live_part = html[: html.index('<svg class="cvkit-gantt cvkit-predicted"')]
    assert bars(live_part[live_part.index("<svg") :], "done") == [f.fold for f in result.finished]
    shown = explore(n_jobs=1, folds=3, workload="iris")
    assert isinstance(shown, Explorer)
    assert "Explorer(3 folds · n_jobs=1 · loky · iris · SVC)" in capsys.readouterr().out


def test_one_explorer_one_panel_and_a_static_copy_for_readers_without_a_kernel(monkeypatch):
    """Point 6 and the static picture: displaying the explorer again gives text, not a second panel."""
    import cvkit.widgets.explorer as module
    import cvkit.widgets.static as static_module

    shown = []
    monkeypatch.setattr(module, "display", lambda obj, **kw: shown.append((obj, kw)))
    monkeypatch.setattr(static_module, "display", lambda obj, **kw: shown.append((obj, kw)))
    updates = []
    monkeypatch.setattr(static_module, "update_display", lambda obj, **kw: updates.append((obj, kw)))
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    ex = explore(n_jobs=1, folds=3, workload="iris")
    assert shown[0][0] is ex.panel and shown[1][1]["display_id"] == ex._display_id
    again = ex._repr_mimebundle_()
    assert set(again) == {"text/plain"} and "its panel is shown above" in again["text/plain"]
    ex.run().wait(60)
    static = updates[-1][0].data
    assert 'class="cvkit-static-copy"' in static and bars(static[static.index("<svg"):static.index("</svg>") + 6],
                                                          "done") == [0, 1, 2]  # fmt: skip
    assert ".cvkit-static-copy { display: none !important; }" in ex.panel.children[0].value


def test_a_bare_explorer_on_a_last_line_leaves_a_static_copy_too(monkeypatch):
    """`Explorer(...)` displayed by the cell's result, not by explore(): the same static copy, kept up to date."""
    import cvkit.widgets.explorer as module
    import cvkit.widgets.static as static_module

    shown, updates = [], []
    monkeypatch.setattr(module, "display", lambda obj, **kw: shown.append((obj, kw)))
    monkeypatch.setattr(static_module, "display", lambda obj, **kw: shown.append((obj, kw)))
    monkeypatch.setattr(static_module, "update_display", lambda obj, **kw: updates.append((obj, kw)))
    ex = Explorer(n_jobs=1, folds=3, workload="iris")
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live panel, once
    assert len(shown) == 1 and shown[0][1]["display_id"] == ex._display_id  # and its static copy
    assert 'class="cvkit-static-copy"' in shown[0][0].data
    assert set(ex._repr_mimebundle_()) == {"text/plain"}  # a second display: one line, no second copy
    ex.run().wait(60)
    assert 'class="cvkit-static-copy"' in updates[-1][0].data and ">done</text>" in updates[-1][0].data


def test_the_panel_is_readable_on_a_projector_and_usable_by_keyboard(explorer):
    """Points 4, 5 and 9: big text, a colour-blind-safe palette where neighbours differ, a legend, labelled inputs."""
    from cvkit.plots.colors import PALETTE
    from cvkit.plots.colors import fold_color as fold_hex
    from cvkit.widgets.svg import MIN_WIDTH_PX

    assert [fold_hex(i) != fold_hex(i + 1) for i in range(20)] == [True] * 20
    assert len(set(PALETTE)) == 7
    svg = explorer.predicted_chart.value + explorer.live_chart.value
    sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)"', svg)]
    assert min(sizes) >= 13 and "max-width:720px" not in svg and f"min-width:{MIN_WIDTH_PX}px" in svg
    greys = re.findall(r'<text[^>]*fill="#([0-9a-fA-F]{3})"', svg)
    assert all(g.lower() in ("111", "333", "000", "c00", "b00", "fff") for g in greys), greys
    for word in ("running", "done", "failed", "interrupted", "cancelled", "now"):
        assert f">{word}</text>" in explorer.live_chart.value
    assert ">predicted fold</text>" in explorer.predicted_chart.value and "predicted end (" in svg
    # inputs with labels (a <label for=...> in the browser), not unnamed sliders; a visible focus ring
    assert isinstance(explorer.folds, __import__("ipywidgets").BoundedIntText)
    assert isinstance(explorer.cores, __import__("ipywidgets").Dropdown)
    style = explorer.panel.children[0].value
    assert "outline: 3px solid #000" in style and "font-size: 16px" in style
    # the controls keep their widths at 1024 px: fixed, not shrinkable
    for w in (explorer.cores, explorer.folds, explorer.workload, explorer.model, explorer.run_button):
        assert w.layout.flex == "0 0 auto" and w.layout.width.endswith("px")


@pytest.mark.filterwarnings("ignore:1 of 4 folds failed:RuntimeWarning")
def test_a_fold_error_shows_in_the_status_line_while_the_other_folds_run(explorer):
    explorer.set(workload="heavy", folds=4, n_jobs=2, fail_fold=1)  # fold 1 fails at once, fold 0 takes ~0.5 s
    statuses = []
    explorer.status.observe(lambda change: statuses.append(change["new"]), names="value")
    result = click_run(explorer)
    assert [f.status for f in result.folds] == ["done", "failed", "done", "done"]
    while_running = [s for s in statuses if " running, " in s]
    assert any("fold 1 failed: ValueError: this fold fails on purpose (FaultyClassifier)" in s for s in while_running)
    assert all("Traceback" not in s for s in statuses)


def test_importing_the_background_run_leaves_the_warnings_filters_unchanged():
    """No import-time side effect: the filter that quiets a background run's failed-folds warning comes with a run."""
    import subprocess
    import sys

    code = (
        "import importlib, warnings\n"
        "before = list(warnings.filters)\n"
        "import cvkit.widgets.background as background\n"
        "assert not [f for f in warnings.filters if f not in before and f[3] is not None"
        " and f[3].match('cvkit.widgets.background')], warnings.filters\n"
        "before = list(warnings.filters)\n"
        "importlib.reload(background)\n"
        "assert list(warnings.filters) == before, warnings.filters\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_background_runs_failed_folds_warning_stays_out_of_the_notebook_and_other_warnings_pass():
    """The run's own RuntimeWarning is ignored (its message is in the result); the caller's warnings are not."""
    import warnings

    from cvkit.widgets.background import BackgroundRun

    X, y = load_workload("iris")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        run = BackgroundRun(make_estimator(Settings(workload="iris", folds=4, fail_fold=1)), X, y, cv=4, n_jobs=1)
        result = run.start().wait(timeout=60)
        warnings.warn("the notebook's own warning", RuntimeWarning, stacklevel=1)
    assert result.folds[1].status == "failed" and "1 of 4 folds failed" in result.message
    assert [str(w.message) for w in seen if issubclass(w.category, RuntimeWarning)] == ["the notebook's own warning"]
