"""What running folds on Dask costs on this machine: dispatch per task against loky, and whole runs against serial."""

import statistics
import time
from dataclasses import dataclass

import joblib
from sklearn.svm import SVC

from ..core.checks import check_choice, check_positive_int
from ..core.datasets import load_dataset
from ..core.verdicts import fmt_seconds
from ..robust.pool import import_modules
from ..runner import run_folds

__all__ = ["RunTimes", "compare_runs", "dispatch_overhead", "format_runs", "verdict_lines"]


def _noop():
    return None


def dispatch_overhead(backend, *, n_tasks=100, batch_size=1, n_jobs=2, repeats=3):
    """Return the median seconds one no-op task costs when ``Parallel`` dispatches it on ``backend``.

    A first call warms the backend up (starts loky's workers, connects to
    Dask) and is not counted. "dask" uses joblib's own dask backend on cvkit's
    managed client (:func:`cvkit.dask.cluster.get_client`), as
    ``parallel_config(backend="dask")`` would.

    Parameters
    ----------
    backend : {"loky", "threading", "dask"}
    n_tasks : int
        Tasks per call; the call's time divided by it is the cost per task.
    batch_size : int or "auto"
        joblib's batch size: 1 sends every task on its own (the cost of one
        message), "auto" lets joblib group fast tasks.
    n_jobs, repeats : int

    Examples
    --------
    >>> dispatch_overhead("threading", n_tasks=20, repeats=1) < 0.1  # seconds per task
    True
    >>> dispatch_overhead("lokky")
    Traceback (most recent call last):
    ...
    ValueError: backend='lokky' is not allowed; allowed: 'loky', 'threading', 'dask'.
    """
    check_choice("backend", backend, ("loky", "threading", "dask"))
    check_positive_int("n_tasks", n_tasks)
    check_positive_int("repeats", repeats)
    if backend == "dask":
        from ..dask.cluster import get_client

        config = joblib.parallel_config(backend="dask", client=get_client())
    else:
        config = joblib.parallel_config(backend=backend)
    times = []
    with config:
        parallel = joblib.Parallel(n_jobs=n_jobs, batch_size=batch_size)
        parallel(joblib.delayed(_noop)() for _ in range(n_tasks))  # warm-up, not counted
        for _ in range(repeats):
            start = time.perf_counter()
            parallel(joblib.delayed(_noop)() for _ in range(n_tasks))
            times.append((time.perf_counter() - start) / n_tasks)
    return statistics.median(times)


@dataclass(frozen=True)
class RunTimes:
    """Wall times of one cross-validation run as the serial loop, on loky and on Dask.

    ``machine`` is the machine while these runs were timed
    (:func:`cvkit.core.verdicts.watch_machine`); ``dask_workers`` the Dask
    cluster's worker processes (as many as loky's workers on cvkit's embedded
    cluster).
    """

    label: str
    n_folds: int
    fold_seconds: float
    serial: float
    loky: float
    dask: float
    identical: bool
    machine: object = None
    dask_workers: int = None

    def speedup(self, backend):
        """Serial time over ``backend``'s time: above 1, parallel paid."""
        return self.serial / getattr(self, backend)


def _workload(name):
    """``(X, y, label)`` for a workload: "iris", a synthetic size name, or folds of about that many seconds here."""
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        X, y = load_dataset("synthetic", fold_seconds=name)
        return X, y, f"~{fmt_seconds(name)} folds ({len(y)} rows)"
    X, y = load_dataset("iris") if name == "iris" else load_dataset("synthetic", n_samples=name)
    return X, y, f"{name} ({len(y)} rows)"


def compare_runs(workloads=("iris", "medium", "heavy"), *, cv=6, n_jobs=2, repeats=1):
    """Run the same folds serially, on loky (``n_jobs`` workers) and on Dask; return a :class:`RunTimes` per workload.

    On cvkit's embedded cluster Dask gets as many workers as loky
    (``cluster.get_client(n_workers=n_jobs)``, which resizes the cluster
    if it has another size), so both runs can use the same number of cores. A
    remote scheduler (``$CVKIT_DASK_SCHEDULER``) is used as it is.

    Parameters
    ----------
    workloads : iterable of str or float
        "iris" (150 rows: folds of a few milliseconds), a synthetic size from
        :data:`cvkit.WORKLOADS` ("light", "medium", "heavy", ...), or a number
        of seconds: synthetic data whose folds take about that long on this
        machine (``load_dataset("synthetic", fold_seconds=...)``).
    cv, n_jobs : int
    repeats : int, default 1
        Runs of each way, interleaved (serial, loky, Dask, serial, ...); each
        time kept is the fastest of its runs (noise only ever adds time).

    Notes
    -----
    Other programs on the machine move single numbers: use ``repeats`` of 3 or
    more where a verdict is read off them (:func:`verdict_lines`).
    """
    from ..core.verdicts import watch_machine
    from ..dask import cluster

    check_positive_int("repeats", repeats)
    if cluster.scheduler_address() is None:
        client = cluster.get_client(n_workers=joblib.cpu_count() if n_jobs < 0 else n_jobs)
    else:
        client = cluster.get_client()
    client.run(import_modules)  # what a fold task imports, in each fresh Dask worker, before it is timed
    dask_workers = cluster.cluster_info(client)["n_workers"]
    rows = []
    for name in workloads:
        X, y, label = _workload(name)
        best, same = {}, True
        with watch_machine() as watch:  # what other programs did while this workload's runs were timed
            for _ in range(repeats):
                runs = {
                    "serial": run_folds(SVC(), X, y, cv=cv, n_jobs=1),
                    "loky": run_folds(SVC(), X, y, cv=cv, n_jobs=n_jobs, backend="loky"),
                    "dask": run_folds(SVC(), X, y, cv=cv, n_jobs=-1, backend="dask"),
                }
                scores = [run.scores.tolist() for run in runs.values()]
                same = same and scores[0] == scores[1] == scores[2]
                for key, run in runs.items():
                    if key not in best or run.wall_time < best[key].wall_time:
                        best[key] = run
        fold = statistics.mean(t.duration for t in best["serial"].traces)  # the fastest serial run's folds
        walls = {key: run.wall_time for key, run in best.items()}
        rows.append(
            RunTimes(label, cv, fold, walls["serial"], walls["loky"], walls["dask"], same, watch.machine, dask_workers)
        )
    return rows


def verdict_lines(rows, machine=None):
    """Each row's runs compared, in words computed from their times (:func:`cvkit.core.verdicts.compare_times`).

    One line per row: loky and Dask against the serial loop, and Dask against
    loky ("about the same" within the noise); then the machine's cores and load
    during the runs (``machine``, or the busiest of the rows' own, recorded
    while they were timed).

    Examples
    --------
    >>> from cvkit.core.verdicts import Machine
    >>> print(verdict_lines([RunTimes("iris (150 rows)", 6, 0.001, 0.006, 0.03, 0.06, True)], Machine(2, 0.5, "AMD")))
    iris (150 rows): loky 0.20× the serial loop's speed (slower), Dask 0.10× (slower); Dask against loky: 2.00× slower
    Measured on 2 cores, AMD, load 0.5.
    """
    from ..core.verdicts import compare_times
    from ..core.verdicts import machine as _machine

    here = machine
    if here is None:
        watched = [r.machine for r in rows if r.machine is not None]
        busiest = max(watched, key=lambda m: -1 if m.others != m.others else m.others, default=None)  # NaN: unknown
        here = busiest or _machine()
    lines = []
    for r in rows:
        on_loky = compare_times(r.loky, r.serial, machine=here)
        on_dask = compare_times(r.dask, r.serial, machine=here)
        versus = compare_times(r.dask, r.loky, machine=here)
        if versus.verdict == "about the same":
            against = f"about the same ({versus.speedup:.2f}×, within noise)"
        elif versus.verdict == "faster":
            against = f"{versus.speedup:.2f}× faster"
        else:
            against = f"{1 / versus.speedup:.2f}× slower"
        lines.append(
            f"{r.label}: loky {r.speedup('loky'):.2f}× the serial loop's speed ({on_loky.verdict}), "
            f"Dask {r.speedup('dask'):.2f}× ({on_dask.verdict}); Dask against loky: {against}"
        )
    lines.append(f"Measured on {here}.")
    return "\n".join(lines)


def format_runs(rows):
    """One line per :class:`RunTimes`: times in seconds and speed-ups over the serial loop.

    Examples
    --------
    >>> print(format_runs([RunTimes("iris (150 rows)", 6, 0.001, 0.006, 0.03, 0.06, True)]))
    iris (150 rows), 6 folds of 0.001 s: serial 0.006 s · loky 0.030 s (0.20×) · dask 0.060 s (0.10×) · same scores: True
    """
    return "\n".join(
        f"{r.label}, {r.n_folds} folds of {r.fold_seconds:.3f} s: serial {r.serial:.3f} s · "
        f"loky {r.loky:.3f} s ({r.speedup('loky'):.2f}×) · dask {r.dask:.3f} s ({r.speedup('dask'):.2f}×) · "
        f"same scores: {r.identical}"
        for r in rows
    )
