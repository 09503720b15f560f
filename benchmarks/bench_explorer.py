"""What the explorer's live view costs: time per redraw at the projector-sized charts, fold end -> bar drawn, and a
run's wall time with and without the live view.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_explorer.py [--repeats 7]

Each repeat runs the plain ``cvkit.run_folds`` call and the explorer's run of the same settings (background
thread, live events, ~4 redraws a second) one after the other, alternating which goes first. The latency is
measured in the kernel: from a fold's end (the run's start, as the live view estimates it, plus the fold's end time)
to the end of the first redraw that draws it done. The browser test measures the same in Chromium, with the
websocket and the page's rendering added (test-output/test_explorer_browser/latency.txt).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import format_table, machine_header, machine_info, median, target_line

from cvkit import run_folds
from cvkit.model.live import LiveRun
from cvkit.widgets import Explorer
from cvkit.widgets.settings import Settings, load_workload, make_estimator

#: The live view may cost at most this fraction of a run's wall time, and a redraw at most this many seconds;
#: a finished fold must be drawn within MAX_LATENCY seconds of its end (median).
MAX_SLOWDOWN = 0.05
MAX_REDRAW = 0.005
MAX_LATENCY = 0.2

CASES = (
    Settings(n_jobs=2, folds=10, backend="loky", workload="medium"),
    Settings(n_jobs=2, folds=10, backend="threading", workload="medium"),
    Settings(n_jobs=2, folds=6, backend="loky", workload="heavy"),
)


def redraw_seconds(folds=20, repeats=200):
    """Seconds per redraw of a 20-fold run in mid-flight (two SVGs, the progress bar and the status line)."""
    ex = Explorer(n_jobs=2, folds=folds, workload="iris")
    live = LiveRun(folds, 2)
    for fold in range(folds // 2):
        live.handle("start", {"fold": fold, "host": "h", "pid": 10 + fold % 2, "thread_id": 1, "time": fold * 0.1})
    ex._run_settings = ex.settings
    t = time.perf_counter()
    for _ in range(repeats):
        ex._draw(live, final=False)
    return (time.perf_counter() - t) / repeats, len(ex.live_chart.value) + len(ex.predicted_chart.value)


def fold_end_to_drawn(settings=None, repeats=3):
    """Seconds from each fold's end to the end of the first redraw that shows it done (all folds of all repeats)."""
    import time as _time

    if settings is None:
        settings = Settings(n_jobs=2, folds=10, backend="loky", workload="medium")
    ex = Explorer(n_jobs=settings.n_jobs, folds=settings.folds, backend=settings.backend, workload=settings.workload)
    ex.run().wait()  # warm the pool
    latencies = []
    for _ in range(repeats):
        drawn = {}
        original = ex._draw

        def draw(live, final, original=original, drawn=drawn):
            original(live, final)
            at = _time.time()
            snap = live.snapshot()
            for bar in snap.bars:
                if bar.state == "done" and bar.fold not in drawn and snap.t0 is not None:
                    drawn[bar.fold] = at - (snap.t0 + bar.end)

        ex._draw = draw
        try:
            ex.run().wait()
        finally:
            del ex._draw
        latencies.extend(drawn.values())
    return latencies


def with_and_without(settings, repeats):
    """Median wall time of the plain call and of the explorer's run, and the explorer's redraws per run."""
    X, y = load_workload(settings.workload)
    ex = Explorer(n_jobs=settings.n_jobs, folds=settings.folds, backend=settings.backend, workload=settings.workload)

    def plain():
        run_folds(make_estimator(settings), X, y, cv=settings.folds, n_jobs=settings.n_jobs, backend=settings.backend)

    def live():
        ex.run().wait()

    plain()  # warm the pool
    times = {"plain": [], "live": []}
    redraws = []
    for i in range(repeats):
        order = [("plain", plain), ("live", live)] if i % 2 == 0 else [("live", live), ("plain", plain)]
        for name, call in order:
            t = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - t)
        redraws.append(len(ex._run.draw_seconds))
    return median(times["plain"]), median(times["live"]), median(redraws)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    print(machine_header(machine_info()))
    seconds, size = redraw_seconds()
    print(f"\none redraw of a 20-fold run: {seconds * 1000:.2f} ms ({size / 1000:.1f} kB of SVG)")
    print(target_line("redraw", f"{seconds * 1000:.2f} ms", f"<= {MAX_REDRAW * 1000:.0f} ms", seconds <= MAX_REDRAW))
    latencies = fold_end_to_drawn()
    late = median(latencies)
    print(
        f"\nfold end -> bar drawn (kernel side, {len(latencies)} folds): median {late * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    print(
        target_line(
            "fold end -> drawn", f"{late * 1000:.0f} ms", f"<= {MAX_LATENCY * 1000:.0f} ms", late <= MAX_LATENCY
        )
    )
    rows, worst = [], 0.0
    for settings in CASES:
        plain, live, redraws = with_and_without(settings, args.repeats)
        worst = max(worst, live / plain - 1)
        rows.append([settings.describe(), f"{plain:.3f} s", f"{live:.3f} s", f"{live / plain:.3f}×", f"{redraws:.0f}"])
    print()
    print(format_table(["settings", "plain run_folds", "explorer (live view)", "ratio", "redraws/run"], rows))
    print(target_line("live view slowdown", f"{worst:+.1%}", f"<= {MAX_SLOWDOWN:.0%}", worst <= MAX_SLOWDOWN))


if __name__ == "__main__":
    main()
