"""Coarse SVC folds run serially, by the widely shared answer, cvkit (cold, warm) and cross_validate, interleaved.

Run from the repository root (about 5 minutes on a quiet 2-core machine; ``--quick`` about 1 minute)::

    .venv/bin/python benchmarks/bench_folds.py [--repeats N] [--quick] [--samples N] [--folds 4 5 6 10]

For 4, 5, 6 and 10 folds, each repeat runs every contestant once, in an order
that rotates from repeat to repeat:

* ``serial``: the question's plain loop (a new SVC per fold, fit, predict, f1, confusion matrix);
* ``shared answer``: the widely shared ``Parallel(n_jobs=2)`` answer, one global SVC and a fold
  function that closes over the global X and y (run on a warm pool);
* ``cvkit cold``: ``cvkit.run_folds(n_jobs=2, backend="loky")`` after stopping loky's workers;
* ``cvkit warm``: the same with the workers already running;
* ``cross_validate``: ``sklearn.model_selection.cross_validate(n_jobs=2)`` on a warm pool.

It prints one table (median wall time, speed-up vs serial, ratio to the
list-scheduling bound of the serial folds' measured durations, ratio to
``cross_validate``, what cvkit.lab.advice expected, and the tracing overhead per
fold), what cvkit's traces show about where the rest of the time went, and a
PASS/MISS line per target.
"""

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import (
    fmt_seconds,
    format_table,
    machine_header,
    machine_info,
    median,
    meets,
    print_flush,
    target_line,
)

N_JOBS = 2
FOLDS = (4, 5, 6, 10)
#: Rows of the synthetic set: ~0.5-0.75 s per SVC fold on one quiet core (4 to 10 folds).
SAMPLES = 7000
SAMPLES_QUICK = 3000
CONTESTANTS = ("serial", "shared answer", "cvkit cold", "cvkit warm", "cross_validate")
#: ``--with-fix`` adds this contestant: warm cvkit given X as a memory-mapped file written once per call by the
#: caller, which is what the fix proposed for cvkit/runner.py does inside run_folds (see benchmarks/README.md).
PREMAPPED = "cvkit warm, X premapped"
#: Targets of the issue, on 2 cores.
TARGET_BOUND = 0.90  # warm cvkit >= 0.90 x the list-scheduling bound, for 6 and 10 folds
TARGET_CV_RATIO = 1.00  # warm cvkit wall / cross_validate wall <= 1.00, same folds
TARGET_TRACING = 0.01  # tracing <= 1 % of a fold's time
TARGET_FOLDS = (6, 10)

# The widely shared answer's globals: one estimator, and the data, at module level.
MODEL = None
X = None
Y = None


# --------------------------------------------------------------------------------------------
# The contestants
# --------------------------------------------------------------------------------------------
def serial_loop(X, y, splits):
    """The question's loop; returns (wall seconds, per-fold seconds)."""
    from sklearn.metrics import confusion_matrix, f1_score
    from sklearn.svm import SVC

    durations = []
    t0 = time.perf_counter()
    for train, test in splits:
        t = time.perf_counter()
        model = SVC(kernel="rbf").fit(X[train], y[train])
        y_pred = model.predict(X[test])
        f1_score(y[test], y_pred, average="weighted")
        confusion_matrix(y[test], y_pred)
        durations.append(time.perf_counter() - t)
    return time.perf_counter() - t0, durations


def shared_fold(train_index, test_index):
    """The widely shared answer's task: fits the one global MODEL on the global X, Y."""
    from sklearn.metrics import confusion_matrix, f1_score

    MODEL.fit(X[train_index], Y[train_index])
    y_pred = MODEL.predict(X[test_index])
    return f1_score(Y[test_index], y_pred, average="weighted"), confusion_matrix(Y[test_index], y_pred)


def shared_answer(splits):
    """``Parallel(n_jobs=2)(delayed(shared_fold)(tr, te) for tr, te in splits)``; returns wall seconds."""
    from joblib import Parallel, delayed

    t = time.perf_counter()
    Parallel(n_jobs=N_JOBS)(delayed(shared_fold)(tr, te) for tr, te in splits)
    return time.perf_counter() - t


def cvkit_run(X, y, cv):
    """``cvkit.run_folds(SVC(), X, y, cv=cv, n_jobs=2, backend="loky")``; returns (wall seconds, CVResult)."""
    from sklearn.svm import SVC

    import cvkit

    t = time.perf_counter()
    result = cvkit.run_folds(SVC(kernel="rbf"), X, y, cv=cv, n_jobs=N_JOBS, backend="loky")
    wall = time.perf_counter() - t
    if not result.complete:
        raise RuntimeError(f"cvkit run did not finish: {result.message}")
    return wall, result


def premapped_run(X, y, cv):
    """Warm cvkit with X written to a private memory-mapped file first (timed too) and removed after."""
    import shutil
    import tempfile

    import joblib

    t = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="cvkit-bench-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    try:
        path = os.path.join(folder, "X.pkl")
        joblib.dump(X, path)
        _wall, result = cvkit_run(joblib.load(path, mmap_mode="r"), y, cv)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return time.perf_counter() - t, result


def cross_validate_run(X, y, cv):
    """``cross_validate(SVC(), X, y, cv=cv, n_jobs=2, scoring="f1_weighted")``; returns wall seconds."""
    from sklearn.model_selection import cross_validate
    from sklearn.svm import SVC

    t = time.perf_counter()
    cross_validate(SVC(kernel="rbf"), X, y, cv=cv, n_jobs=N_JOBS, scoring="f1_weighted")
    return time.perf_counter() - t


def stop_pool():
    """Stop loky's reusable workers: the next loky call starts (and imports in) fresh ones."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor(reuse=True).shutdown(wait=True)


def worker_cpu_seconds():
    """CPU seconds (user + system) used so far by each live loky worker: ``{pid: seconds}`` (Linux /proc)."""
    try:
        from joblib.externals.loky import reusable_executor

        pids = list(reusable_executor._executor._processes) if reusable_executor._executor is not None else []
    except AttributeError:
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return out


def cpu_delta(before, after):
    """CPU seconds the workers used between two :func:`worker_cpu_seconds` readings (new workers count in full).

    >>> cpu_delta({1: 2.0, 2: 1.0}, {1: 2.5, 2: 1.25, 3: 0.5})
    1.25
    """
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _warm_worker(hold):
    """Import what the contestants' tasks import, then hold the worker so that its sibling takes the next task."""
    import sklearn.model_selection._validation
    import sklearn.svm  # noqa: F401

    import cvkit.runner  # noqa: F401

    time.sleep(hold)
    return os.getpid()


def warm_pool():
    """Start loky's workers if needed and import scikit-learn and cvkit in each (not timed)."""
    from joblib import Parallel, delayed

    for _ in range(5):
        pids = Parallel(n_jobs=N_JOBS)(delayed(_warm_worker)(0.2) for _ in range(N_JOBS))
        if len(set(pids)) == N_JOBS:
            return


# --------------------------------------------------------------------------------------------
# Tracing overhead
# --------------------------------------------------------------------------------------------
def untraced_fold(estimator, X, y, train, test, scorer, labels):
    """cvkit's fold task without its tracing (no worker identity, clock readings, events or TaskTrace)."""
    from sklearn.metrics import confusion_matrix

    from cvkit.core.task import _PredictedOnce

    X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
    estimator.fit(X_train, y_train)
    y_pred = estimator.predict(X_test)
    score = float(scorer(_PredictedOnce(estimator, X_test, y_pred), X_test, y_test))
    return score, confusion_matrix(y_test, y_pred, labels=labels)


def tracing_cost(pairs=400):
    """Seconds tracing adds to one fold: median traced minus median untraced fold, on a fold that does ~nothing.

    A DummyClassifier on iris makes the fold's own work tiny, so the
    difference is the tracing itself (two clock readings, the worker's
    identity, two events sent to a live channel, the TaskTrace). Traced and
    untraced folds alternate.
    """
    import numpy as np
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import get_scorer

    from cvkit import load_dataset
    from cvkit.core.task import fit_and_score_fold
    from cvkit.core.trace import EventChannel

    Xi, yi = load_dataset("iris")
    train, test = np.arange(0, 150, 2), np.arange(1, 150, 2)
    scorer, labels = get_scorer("f1_weighted"), np.unique(yi)
    traced, untraced = [], []
    with EventChannel(callback=lambda kind, payload: None) as channel:
        sender = channel.sender()
        for i in range(pairs + 20):
            t = time.perf_counter()
            fit_and_score_fold(DummyClassifier(), Xi, yi, train, test, 0, scorer, labels, sender)
            a = time.perf_counter() - t
            t = time.perf_counter()
            untraced_fold(DummyClassifier(), Xi, yi, train, test, scorer, labels)
            b = time.perf_counter() - t
            if i >= 20:  # the first ones warm caches
                traced.append(a)
                untraced.append(b)
    return max(median(traced) - median(untraced), 0.0)


# --------------------------------------------------------------------------------------------
# Table building (no timing: tested by tests/test_benchmarks.py)
# --------------------------------------------------------------------------------------------
def rotated(items, r):
    """``items`` rotated by ``r`` places: each repeat starts with a different contestant.

    >>> rotated(["a", "b", "c"], 1), rotated(["a", "b", "c"], 4)
    (['b', 'c', 'a'], ['b', 'c', 'a'])
    """
    r %= len(items)
    return list(items[r:]) + list(items[:r])


def bound_speedup(durations, n_workers=N_JOBS):
    """Best speed-up of these folds, list-scheduled in fold order on ``n_workers``: sum / makespan.

    >>> bound_speedup([1.0] * 5), bound_speedup([2.0, 1.0, 1.0]), bound_speedup([1.0, 1.0, 2.0])
    (1.6666666666666667, 2.0, 1.3333333333333333)
    """
    from cvkit.model import list_scheduling_bound

    return sum(durations) / list_scheduling_bound(durations, n_workers)


def summarise(walls, fold_durations, tracing_seconds, expected=None):
    """The benchmark's table rows, one per (folds, contestant), from raw measurements.

    Parameters
    ----------
    walls : dict {(k, contestant): [seconds, ...]}
    fold_durations : dict {k: [[seconds per fold], ...]}
        The serial contestant's per-fold times, one list per repeat.
    tracing_seconds : float
        What tracing adds to one fold (:func:`tracing_cost`).
    expected : dict {(k, contestant): speed-up}, optional
        What cvkit.lab.advice expected.

    Returns
    -------
    list of dict with keys folds, contestant, wall, speedup, bound, to_bound, to_cv, expected, tracing, n

    Examples
    --------
    >>> walls = {(4, "serial"): [4.0, 4.2, 4.1], (4, "cvkit warm"): [2.1, 2.0, 2.2],
    ...          (4, "cross_validate"): [2.2, 2.2, 2.2]}
    >>> rows = summarise(walls, {4: [[1.0, 1.0, 1.0, 1.0]]}, 0.0001)
    >>> [(r["contestant"], round(r["speedup"], 3), round(r["to_bound"], 3), round(r["to_cv"], 3)) for r in rows]
    [('serial', 1.0, 0.5, 1.864), ('cvkit warm', 1.952, 0.976, 0.955), ('cross_validate', 1.864, 0.932, 1.0)]
    >>> rows[1]["tracing"]   # 0.1 ms of tracing on 1 s folds
    0.0001
    """
    rows = []
    folds = sorted({k for k, _ in walls})
    for k in folds:
        per_fold = [median(col) for col in zip(*fold_durations[k])] if fold_durations.get(k) else []
        bound = bound_speedup(per_fold) if per_fold else float("nan")
        fold_time = median(per_fold) if per_fold else float("nan")
        serial = median(walls.get((k, "serial"), []))
        cv = median(walls.get((k, "cross_validate"), []))
        for name in [c for c in CONTESTANTS if (k, c) in walls] + sorted(
            c for kk, c in walls if kk == k and c not in CONTESTANTS
        ):
            wall = median(walls[(k, name)])
            traced = name.startswith("cvkit")
            speedup = serial / wall if wall > 0 else float("nan")
            rows.append(
                {
                    "folds": k,
                    "contestant": name,
                    "wall": wall,
                    "speedup": speedup,
                    "bound": bound,
                    "to_bound": speedup / bound if bound == bound else float("nan"),
                    "to_cv": wall / cv if cv == cv else float("nan"),
                    "expected": (expected or {}).get((k, name), float("nan")),
                    "tracing": tracing_seconds / fold_time if traced and fold_time > 0 else float("nan"),
                    "n": len(walls[(k, name)]),
                }
            )
    return rows


def _x(value, digits=2):
    return "—" if value != value else f"{value:.{digits}f}×"


def table(rows):
    """The printed table.

    >>> print(table([{"folds": 4, "contestant": "cvkit warm", "wall": 2.1, "speedup": 1.9, "bound": 2.0,
    ...               "to_bound": 0.95, "to_cv": 0.98, "expected": 1.85, "tracing": 0.0001, "n": 5}]))
    folds | contestant | wall   | speed-up | bound | / bound | / cv | advice | tracing | runs
    ------+------------+--------+----------+-------+---------+------+--------+---------+-----
        4 | cvkit warm | 2.10 s |    1.90× | 2.00× |    0.95 | 0.98 |  1.85× | 0.010 % |    5
    """
    body = [
        [
            r["folds"],
            r["contestant"],
            fmt_seconds(r["wall"]),
            _x(r["speedup"]),
            _x(r["bound"]),
            "—" if r["to_bound"] != r["to_bound"] else f"{r['to_bound']:.2f}",
            "—" if r["to_cv"] != r["to_cv"] else f"{r['to_cv']:.2f}",
            _x(r["expected"]),
            "—" if r["tracing"] != r["tracing"] else f"{r['tracing'] * 100:.3f} %",
            r["n"],
        ]
        for r in rows
    ]
    headers = ["folds", "contestant", "wall", "speed-up", "bound", "/ bound", "/ cv", "advice", "tracing", "runs"]
    return format_table(headers, body)


def target_lines(rows, target_folds=TARGET_FOLDS):
    """PASS/MISS per target, from the table rows.

    Examples
    --------
    >>> rows = [{"folds": 6, "contestant": "cvkit warm", "to_bound": 0.93, "to_cv": 1.02, "tracing": 0.0002},
    ...         {"folds": 6, "contestant": "cvkit cold", "to_bound": 0.7, "to_cv": 1.3, "tracing": 0.0002}]
    >>> for line in target_lines(rows, target_folds=(6,)):
    ...     print(line)
    PASS  warm cvkit / list-scheduling bound, 6 folds: 0.93 (target >= 0.90)
    BORDERLINE  warm cvkit wall / cross_validate wall, 6 folds: 1.02 (target <= 1.00; within the noise of a shared machine)
    PASS  tracing overhead per fold, largest: 0.020 % (target <= 1 %)
    """
    lines = []
    for k in target_folds:
        warm = next((r for r in rows if r["folds"] == k and r["contestant"] == "cvkit warm"), None)
        if warm is None:
            continue
        lines.append(target_line(f"warm cvkit / list-scheduling bound, {k} folds", f"{warm['to_bound']:.2f}",
                                 f">= {TARGET_BOUND:.2f}", meets(warm["to_bound"], TARGET_BOUND)))  # fmt: skip
        lines.append(target_line(f"warm cvkit wall / cross_validate wall, {k} folds", f"{warm['to_cv']:.2f}",
                                 f"<= {TARGET_CV_RATIO:.2f}", meets(warm["to_cv"], TARGET_CV_RATIO, "lower")))  # fmt: skip
    tracing = [r["tracing"] for r in rows if r["contestant"].startswith("cvkit") and r["tracing"] == r["tracing"]]
    if tracing:
        worst = max(tracing)
        lines.append(target_line("tracing overhead per fold, largest", f"{worst * 100:.3f} %",
                                 f"<= {TARGET_TRACING * 100:g} %", worst <= TARGET_TRACING))  # fmt: skip
    return lines


def cpu_table(cpu):
    """CPU seconds per run (parent, workers) and total CPU relative to the serial loop's: unlike wall time, this
    hardly depends on what else runs on the machine.

    >>> print(cpu_table({(6, "serial"): [(3.0, 0.0)], (6, "cvkit warm"): [(0.02, 3.1)]}))
    folds | contestant | parent CPU | worker CPU | total CPU / serial
    ------+------------+------------+------------+-------------------
        6 | serial     |     3.00 s |       0 µs |              1.00×
        6 | cvkit warm |    20.0 ms |     3.10 s |              1.04×
    """
    rows = []
    for k in sorted({k for k, _ in cpu}):
        serial = median(p + w for p, w in cpu.get((k, "serial"), []))
        for name in [c for c in CONTESTANTS if (k, c) in cpu] + [
            c for kk, c in cpu if kk == k and c not in CONTESTANTS
        ]:
            parent = median(p for p, _ in cpu[(k, name)])
            workers = median(w for _, w in cpu[(k, name)])
            total = median(p + w for p, w in cpu[(k, name)])
            ratio = total / serial if serial else float("nan")
            rows.append([k, name, fmt_seconds(parent), fmt_seconds(workers), _x(ratio)])
    return format_table(["folds", "contestant", "parent CPU", "worker CPU", "total CPU / serial"], rows)


def trace_diagnosis(result, serial_durations):
    """Where a cvkit run's time went, from its trace: start latency, idle gaps, tail, slowdown of the folds.

    Parameters
    ----------
    result : CVResult
    serial_durations : list of float
        The same folds' serial times (for the slowdown).

    Returns
    -------
    dict with ``first_start`` (run start to the first fold's start), ``gaps``
    (idle time between folds, summed over workers, before the last fold ended),
    ``tail`` (last fold's end to the end of the run), ``makespan``, ``wall``
    and ``slowdown`` (median parallel fold time / median serial fold time).

    Examples
    --------
    >>> import numpy as np
    >>> from cvkit import CVResult, FoldResult, TaskTrace
    >>> spans = [(1, 0.05, 1.05), (2, 0.06, 1.06), (1, 1.10, 2.10)]
    >>> folds = [FoldResult(i, trace=TaskTrace(i, "h", pid, 0, "w", s, e)) for i, (pid, s, e) in enumerate(spans)]
    >>> d = trace_diagnosis(CVResult(folds, "f1", np.array([0, 1]), 2, "loky", 2.2), [0.9, 0.9, 0.9])
    >>> {k: round(v, 3) for k, v in d.items()}
    {'first_start': 0.05, 'gaps': 0.05, 'tail': 0.1, 'makespan': 2.1, 'wall': 2.2, 'slowdown': 1.111}
    """
    traces = [f.trace for f in result.folds if f.trace is not None]
    by_worker = {}
    for t in traces:
        by_worker.setdefault(t.worker, []).append(t)
    gaps = 0.0
    for spans in by_worker.values():
        spans.sort(key=lambda t: t.start)
        gaps += sum(max(b.start - a.end, 0.0) for a, b in zip(spans, spans[1:]))
    makespan = max(t.end for t in traces)
    return {
        "first_start": min(t.start for t in traces),
        "gaps": gaps,
        "tail": result.wall_time - makespan,
        "makespan": makespan,
        "wall": result.wall_time,
        "slowdown": median(t.duration for t in traces) / median(serial_durations),
    }


def diagnosis_lines(diagnoses, fold_seconds):
    """Text lines summarising :func:`trace_diagnosis` medians per ``(folds, contestant)``.

    >>> print(diagnosis_lines({(6, "cvkit warm"): [{"first_start": 0.01, "gaps": 0.002, "tail": 0.004,
    ...                        "makespan": 3.3, "wall": 3.32, "slowdown": 1.08}]}, {6: 1.0})[0])
    cvkit warm, 6 folds: first fold after 10.0 ms, idle gaps 2.0 ms, tail 4.0 ms (> 50 ms in 0/1 runs), folds 1.08× slower, makespan 3.30 s / ideal 3.00 s
    """
    lines = []
    for (k, name), ds in sorted(diagnoses.items(), key=lambda item: (item[0][1] != "cvkit warm", item[0])):
        m = {key: median(d[key] for d in ds) for key in ds[0]}
        ideal = math.ceil(k / N_JOBS) * fold_seconds[k]
        slow_tails = sum(d["tail"] > 0.05 for d in ds)
        lines.append(
            f"{name}, {k} folds: first fold after {fmt_seconds(m['first_start'])}, idle gaps {fmt_seconds(m['gaps'])}, "
            f"tail {fmt_seconds(m['tail'])} (> 50 ms in {slow_tails}/{len(ds)} runs), folds {m['slowdown']:.2f}× slower, makespan {fmt_seconds(m['makespan'])} / "
            f"ideal {fmt_seconds(ideal)}"
        )
    return lines


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------
def run(n_samples, folds, repeats, contestants=CONTESTANTS):
    """Run every contestant ``repeats`` times per number of folds, interleaved; return the raw measurements.

    Returns ``(walls, cpu, fold_durations, diagnoses)``: wall seconds and
    ``(parent CPU, worker CPU)`` seconds per ``(k, contestant)``, the serial
    folds' durations per k (one list per repeat), and warm cvkit's trace
    diagnoses per ``(k, contestant)``.
    """
    global MODEL, X, Y

    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import SVC

    from cvkit import load_dataset

    X, Y = load_dataset("synthetic", n_samples=n_samples)
    MODEL = SVC(kernel="rbf")
    walls, cpu, fold_durations, diagnoses, results = {}, {}, {}, {}, {}
    warm_pool()
    for r in range(repeats):
        for k in folds:
            cv = StratifiedKFold(k)
            splits = list(cv.split(X, Y))
            for name in rotated(contestants, r + k):
                if name == "cvkit cold":
                    stop_pool()
                elif name != "serial":
                    warm_pool()
                workers_before, parent_before = worker_cpu_seconds(), time.process_time()
                if name == "serial":
                    wall, durations = serial_loop(X, Y, splits)
                    fold_durations.setdefault(k, []).append(durations)
                elif name == "cvkit cold":
                    wall, _ = cvkit_run(X, Y, cv)
                elif name == "shared answer":
                    wall = shared_answer(splits)
                elif name == "cvkit warm":
                    wall, result = cvkit_run(X, Y, cv)
                    results.setdefault((k, name), []).append(result)
                elif name == PREMAPPED:
                    wall, result = premapped_run(X, Y, cv)
                    results.setdefault((k, name), []).append(result)
                else:
                    wall = cross_validate_run(X, Y, cv)
                parent = time.process_time() - parent_before
                workers = 0.0 if name == "serial" else cpu_delta(workers_before, worker_cpu_seconds())
                walls.setdefault((k, name), []).append(wall)
                cpu.setdefault((k, name), []).append((parent, workers))
            print_flush(f"  repeat {r + 1}/{repeats}, {k} folds: " + ", ".join(
                f"{name} {fmt_seconds(walls[(k, name)][-1])}" for name in contestants))  # fmt: skip
    for (k, name), rs in results.items():
        serial = [d for run_ in fold_durations[k] for d in run_]
        diagnoses[(k, name)] = [trace_diagnosis(res, serial) for res in rs]
    return walls, cpu, fold_durations, diagnoses


def advice_expected(fold_durations):
    """What cvkit.lab.advice's rule expects for cvkit warm and cold, from the serial folds' median durations."""
    from cvkit.model.cost_rule import COSTS, expected_speedup

    c = COSTS["loky"]
    out = {}
    for k, runs in fold_durations.items():
        per_fold = [median(col) for col in zip(*runs)]
        for name, startup in (("cvkit warm", 0.0), ("cvkit cold", c.startup)):
            out[(k, name)] = expected_speedup(
                per_fold, None, N_JOBS, startup=startup, per_call=c.per_call, per_task=c.per_task, slowdown=c.slowdown
            )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="repeats per contestant (default 5, --quick 2)")
    parser.add_argument("--quick", action="store_true", help=f"{SAMPLES_QUICK} rows (~0.12 s folds), 2 repeats")
    parser.add_argument("--samples", type=int, default=None, help=f"rows of the synthetic set (default {SAMPLES})")
    parser.add_argument("--folds", type=int, nargs="*", default=list(FOLDS), help="numbers of folds")
    parser.add_argument(
        "--with-fix",
        action="store_true",
        help=f"add the contestant {PREMAPPED!r}: the effect of the runner fix in benchmarks/README.md",
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 5)
    n_samples = args.samples or (SAMPLES_QUICK if args.quick else SAMPLES)

    print_flush("bench_folds: coarse SVC folds on 2 workers — serial, shared answer, cvkit cold/warm, cross_validate")
    print_flush(machine_header(machine_info()))
    print_flush(f"data: synthetic {n_samples} × 40, 3 classes; folds {args.folds}; repeats {repeats}"
                f"{' (quick: folds too small for the targets)' if args.quick else ''}")  # fmt: skip
    start = time.perf_counter()
    print_flush("measuring tracing overhead ...")
    tracing = tracing_cost(200 if args.quick else 400)
    print_flush(f"tracing adds {fmt_seconds(tracing)} per fold (traced − untraced fold task, median of pairs)")
    contestants = CONTESTANTS + ((PREMAPPED,) if args.with_fix else ())
    walls, cpu, fold_durations, diagnoses = run(n_samples, args.folds, repeats, contestants)
    rows = summarise(walls, fold_durations, tracing, advice_expected(fold_durations))
    print()
    print(table(rows))
    print()
    print(
        "wall: median wall time; speed-up = median serial wall / wall; bound = list-scheduling speed-up of the serial"
    )
    print("folds' median durations on 2 workers; / bound = speed-up / bound; / cv = wall / cross_validate's wall;")
    print("advice = cvkit.lab.advice.expected_speedup with the assumed loky costs; tracing = tracing cost per fold")
    print("(traced − untraced task) / median serial fold time.")
    print()
    print("CPU time per run, medians (cold cvkit's workers include their start-up and imports):")
    print(cpu_table(cpu))
    print()
    print("where warm cvkit's time went (its traces, medians over repeats): first fold = run start to the first fold's")
    print("start; idle gaps = between folds on the same worker; tail = last fold's end to the run's end; slower = fold")
    print("time in the run / alone; ideal = rounds × median serial fold time")
    fold_seconds = {k: median(d for run_ in runs for d in run_) for k, runs in fold_durations.items()}
    for line in diagnosis_lines(diagnoses, fold_seconds):
        print("  " + line)
    print()
    print("targets (2 cores):")
    for line in target_lines(rows):
        print(line)
    print(f"\ntotal {fmt_seconds(time.perf_counter() - start)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
