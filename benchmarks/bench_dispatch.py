"""Per-task dispatch overhead of joblib backends on tiny tasks, warm pools, interleaved: one command, one table.

Run from the repository root::

    .venv/bin/python benchmarks/bench_dispatch.py [--repeats N] [--quick]

For each backend (sequential, threading, loky, multiprocessing, and dask when
``cvkit.dask.cluster`` is importable) and each ``batch_size`` ("auto" and 1),
it times ``Parallel(n_jobs=2)`` over N no-op tasks and over 2 no-op tasks;
the difference divided by N - 2 is the cost of one more task, and the 2-task
call is the cost of a call. Backends are interleaved within each repeat, and
medians are printed. It then compares them with the costs
:mod:`cvkit.lab.advice` assumes (``cvkit.lab.advice.COSTS``).
"""

import argparse
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
    print_flush,
    target_line,
)

N_JOBS = 2
#: Tasks per call by batch size: many for the batching modes, fewer where each task costs a round trip.
N_TASKS = {"auto": 2000, 1: 400}
N_TASKS_QUICK = {"auto": 1000, 1: 250}
#: Backends whose tasks cost microseconds even one at a time: always the large count (a call's noise is ~ms).
CHEAP_PER_TASK = ("sequential", "threading")
#: The dask backend sends every task to the scheduler; keep its calls short.
DASK_SCALE = 0.25


def noop(i):
    """The tiny task: returns its argument."""
    return i


def available_backends():
    """The backends to measure: joblib's built-ins, plus "dask" if cvkit's Dask support imports."""
    names = ["sequential", "threading", "loky", "multiprocessing"]
    try:
        import cvkit.dask.cluster  # noqa: F401
    except ImportError:
        return names
    return names + ["dask"]


def time_call(backend, n_tasks, batch_size):
    """Seconds for one ``Parallel(n_jobs=2)`` call of ``n_tasks`` no-op tasks on ``backend``."""
    from joblib import Parallel, delayed

    from cvkit.backends import backend_context

    with backend_context(backend):
        t = time.perf_counter()
        Parallel(n_jobs=N_JOBS, batch_size=batch_size)(delayed(noop)(i) for i in range(n_tasks))
        return time.perf_counter() - t


def per_task_cost(call_many, call_two, n_tasks):
    """Seconds one more task adds: (time of n tasks - time of 2 tasks) / (n - 2), never below 0.

    >>> round(per_task_cost(0.212, 0.012, 2002) * 1e6, 1)
    100.0
    """
    return max(call_many - call_two, 0.0) / (n_tasks - 2)


def summarise(samples):
    """Medians per (backend, batch_size) from ``{(backend, batch_size): [(n_tasks, t_many, t_two), ...]}``.

    Returns
    -------
    dict ``{(backend, batch_size): {"per_task": s, "per_call": s, "n": repeats}}``

    Examples
    --------
    >>> s = summarise({("loky", 1): [(402, 0.20, 0.010), (402, 0.16, 0.012), (402, 0.18, 0.011)]})
    >>> round(s[("loky", 1)]["per_task"] * 1e6), round(s[("loky", 1)]["per_call"] * 1e3), s[("loky", 1)]["n"]
    (422, 11, 3)
    """
    out = {}
    for key, runs in samples.items():
        out[key] = {
            "per_task": median(per_task_cost(many, two, n) for n, many, two in runs),
            "per_call": median(two for _, _, two in runs),
            "n": len(runs),
        }
    return out


def table_rows(summary):
    """Table rows: backend, batch_size, per task, per call, repeats.

    >>> table_rows({("loky", "auto"): {"per_task": 3.3e-5, "per_call": 0.011, "n": 5}})
    [['loky', 'auto', '33 µs', '11.0 ms', 5]]
    """
    return [
        [backend, batch, fmt_seconds(v["per_task"]), fmt_seconds(v["per_call"]), v["n"]]
        for (backend, batch), v in summary.items()
    ]


def compare_with_advice(summary, costs, factor=3.0):
    """PASS/MISS lines: is each cost cvkit.lab.advice assumes within ``factor`` of the measured one?

    cvkit.lab.advice charges ``per_task`` per fold (a fold is a batch of one:
    coarse folds never batch) and ``per_call`` per call; both are compared
    with the ``batch_size=1`` figures.

    Examples
    --------
    >>> from types import SimpleNamespace as C
    >>> summary = {("loky", 1): {"per_task": 4e-4, "per_call": 0.012, "n": 3}}
    >>> for line in compare_with_advice(summary, {"loky": C(per_task=4e-4, per_call=0.05)}):
    ...     print(line)
    PASS  loky per task, assumed 400 µs: 400 µs (target within 3× of the assumption)
    MISS  loky per call, assumed 50.0 ms: 12.0 ms (target within 3× of the assumption)
    """
    lines = []
    for (backend, batch), v in summary.items():
        if batch != 1 or backend not in costs:
            continue
        assumed = costs[backend]
        for what, attr in (("per task", "per_task"), ("per call", "per_call")):
            a, m = getattr(assumed, attr), v[attr]
            ok = m > 0 and a > 0 and 1 / factor <= a / m <= factor
            name = f"{backend} {what}, assumed {fmt_seconds(a)}"
            lines.append(target_line(name, fmt_seconds(m), f"within {factor:g}× of the assumption", ok))
    return lines


def _small_data():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)


def time_cvkit_call():
    """Seconds for one warm ``cvkit.run_folds`` call of 2 DummyClassifier folds on iris with loky: its cost per call."""
    from sklearn.dummy import DummyClassifier

    import cvkit

    X, y = _small_data()
    t = time.perf_counter()
    cvkit.run_folds(DummyClassifier(), X, y, cv=2, n_jobs=N_JOBS, backend="loky")
    return time.perf_counter() - t


def time_cold_start():
    """Seconds a cold loky pool adds to ``run_folds`` (start workers, import cvkit and scikit-learn in each).

    Stops loky's reusable workers, times a 2-fold SVC run on iris, times it
    again warm, and returns the difference.
    """
    from joblib.externals.loky import get_reusable_executor
    from sklearn.svm import SVC

    import cvkit

    X, y = _small_data()
    get_reusable_executor(reuse=True).shutdown(wait=True)
    times = []
    for _ in range(2):
        t = time.perf_counter()
        cvkit.run_folds(SVC(), X, y, cv=2, n_jobs=N_JOBS, backend="loky")
        times.append(time.perf_counter() - t)
    return max(times[0] - times[1], 0.0)


def run(repeats, quick, backends):
    """Measure every (backend, batch_size), interleaved, ``repeats`` times; return the raw samples.

    Also times cvkit's own call (key ``("cvkit loky", 1)``, no per-task figure)
    and, when loky is measured, a cold start (key ``"cold start"``).
    """
    sizes = N_TASKS_QUICK if quick else N_TASKS
    combos = []
    for backend in backends:
        for bs in ("auto", 1):
            try:  # warm-up: start pools, import in workers
                time_call(backend, 4, bs)
            except Exception as exc:
                print_flush(f"  {backend} (batch_size={bs}) left out: {type(exc).__name__}: {exc}")
                continue
            combos.append((backend, bs))
    samples = {c: [] for c in combos}
    cvkit_calls, cold = [], []
    for r in range(repeats):
        order = combos if r % 2 == 0 else combos[::-1]
        for backend, bs in order:
            n = sizes["auto"] if backend in CHEAP_PER_TASK else sizes[bs]
            if backend == "dask":
                n = max(int(n * DASK_SCALE), 20)
            many = time_call(backend, n, bs)
            two = time_call(backend, 2, bs)
            samples[(backend, bs)].append((n, many, two))
        if "loky" in backends:
            time_cvkit_call()  # after other backends ran: make sure the loky pool is warm again
            cvkit_calls.append(time_cvkit_call())
            if r < (1 if quick else 3):
                cold.append(time_cold_start())
        print_flush(f"  repeat {r + 1}/{repeats} done")
    return samples, cvkit_calls, cold


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="repeats per backend (default 7, --quick 3)")
    parser.add_argument("--quick", action="store_true", help="fewer, smaller calls: a smoke run of ~20 s")
    parser.add_argument("--backends", nargs="*", default=None, help="subset of backends to measure")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    backends = args.backends or available_backends()

    print_flush("bench_dispatch: per-task and per-call cost of joblib backends, n_jobs=2, no-op tasks")
    print_flush(machine_header(machine_info()))
    print_flush(f"repeats {repeats}{' (quick)' if args.quick else ''}; backends {', '.join(backends)}")
    samples, cvkit_calls, cold = run(repeats, args.quick, backends)
    summary = summarise(samples)
    rows = table_rows(summary)
    if cvkit_calls:
        rows.append(["cvkit.run_folds (loky)", 1, "—", fmt_seconds(median(cvkit_calls)), len(cvkit_calls)])
    print()
    print(format_table(["backend", "batch_size", "per task", "per call (2 tasks)", "repeats"], rows))
    print()
    print("per task = (call of N tasks - call of 2 tasks) / (N - 2), median over repeats; warm pools.")
    print("cvkit.run_folds (loky): a warm call of 2 DummyClassifier folds on iris (tracing, events, watchdog).")
    if cold:
        print(
            f"loky cold start (run_folds on iris, cold minus warm): {fmt_seconds(median(cold))} (median of {len(cold)})"
        )
    print()
    from cvkit.model.cost_rule import COSTS

    print("targets: the costs cvkit.lab.advice assumes (cvkit.lab.advice.COSTS) are within 3× of these measurements")
    measured = dict(summary)
    if cvkit_calls:  # cvkit.lab.advice's loky per_call is cvkit's call, not a bare Parallel call
        measured[("loky", 1)] = dict(measured.get(("loky", 1), {}), per_call=median(cvkit_calls))
    for line in compare_with_advice(measured, COSTS):
        print(line)
    if cold:
        ok = 1 / 3 <= COSTS["loky"].startup / max(median(cold), 1e-9) <= 3
        print(
            target_line(
                f"loky start-up, assumed {fmt_seconds(COSTS['loky'].startup)}",
                fmt_seconds(median(cold)),
                "within 3× of the assumption",
                ok,
            )
        )
    if "dask" in backends:
        from cvkit.dask.cluster import close_client

        close_client()
    return 0


if __name__ == "__main__":
    sys.exit(main())
