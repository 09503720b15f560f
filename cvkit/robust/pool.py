"""The worker pool around a run: warm workers before folds are timed, and large arrays shared as memory-maps.

:func:`warm_workers` is the one pool warm-up of cvkit (the runner before a
run with a timeout, the lessons' measurements, the explorer); :func:`import_modules`
is its task, also run on Dask workers (``client.run``).
"""

import contextlib
import importlib
import os
import shutil
import sys
import tempfile
import time

import numpy as np

from ..core.checks import check_positive_int

__all__ = ["PROCESS_BACKENDS", "SHARED_NBYTES", "TASK_MODULES", "import_modules", "shared_inputs", "warm_workers"]

#: Backends whose workers are processes on this machine (a dead one can be detected by its pid).
PROCESS_BACKENDS = ("loky", "multiprocessing")

#: What a fold task imports in a worker: scikit-learn's SVC (the lessons' estimator) and the task itself.
TASK_MODULES = ("sklearn.svm", "cvkit.core.task")

#: Arrays larger than this go to process workers as a memory-mapped file (joblib's default ``max_nbytes``, 1 MB).
SHARED_NBYTES = 1_000_000


def import_modules(modules=TASK_MODULES, hold=0.0):
    """Import ``modules`` in this process (a worker), then stay busy ``hold`` seconds so its siblings take the others.

    Returns
    -------
    (int, bool)
        This process's pid, and whether every module was imported already
        (the worker was warm).

    Examples
    --------
    >>> pid, was_warm = import_modules(("json",))
    >>> pid == os.getpid(), was_warm
    (True, True)
    """
    was_warm = all(name in sys.modules for name in modules)
    for name in modules:
        importlib.import_module(name)
    time.sleep(hold)
    return os.getpid(), was_warm


def warm_workers(n_workers, modules=TASK_MODULES):
    """Start ``n_workers`` workers of the active joblib backend and import ``modules`` in each, before folds are timed.

    Meant for loky, whose workers outlive a call: call it inside the run's
    ``parallel_config``. A cold loky pool costs ~1 s (starting processes,
    importing scikit-learn); joblib's ``timeout`` clock and a measurement
    would count it against the first folds. A pool already warm answers a
    short probe from ``n_workers`` distinct workers (~0.03 s); otherwise each
    worker is held briefly so that every one of them imports ``modules``.

    Parameters
    ----------
    n_workers : int
        Workers to start (a resolved count, >= 1).
    modules : tuple of str, default :data:`TASK_MODULES`

    Examples
    --------
    >>> from joblib import parallel_config
    >>> with parallel_config(backend="threading"):
    ...     warm_workers(2, modules=("json",))
    >>> warm_workers(-1)
    Traceback (most recent call last):
    ...
    ValueError: n_workers=-1 is not allowed; allowed: an integer >= 1.
    """
    from joblib import Parallel, delayed

    n_workers = check_positive_int("n_workers", n_workers)

    probe = Parallel(n_jobs=n_workers)(delayed(import_modules)(modules, 0.02) for _ in range(n_workers))
    if len({pid for pid, _ in probe}) == n_workers and all(was_warm for _, was_warm in probe):
        return
    for _ in range(5):
        calls = Parallel(n_jobs=n_workers)(delayed(import_modules)(modules, 0.15) for _ in range(n_workers))
        if len({pid for pid, _ in calls}) == n_workers:
            return


@contextlib.contextmanager
def shared_inputs(plan):
    """Give process workers large ``plan.X`` / ``plan.y`` as a read-only memory-mapped file cvkit writes and removes.

    joblib would memory-map them too, but at the end of every call it asks its
    resource tracker to unlink its copy and then removes the folder; losing that
    race (often) costs a 0.1 s sleep (joblib/disk.py ``delete_folder``) per call.
    An array that is already a ``np.memmap`` is passed by file name, so joblib has
    nothing to clean up. Workers see the same read-only data as before; ``plan``
    gets its own arrays back on exit.

    Parameters
    ----------
    plan : object with attributes X, y and backend_label
        :class:`cvkit.robust.rounds.Plan`.
    """
    big = {
        name: value
        for name in ("X", "y")
        if isinstance(value := getattr(plan, name), np.ndarray)
        and not isinstance(value, np.memmap)
        and not value.dtype.hasobject
        and value.nbytes > SHARED_NBYTES
    }
    if plan.backend_label not in PROCESS_BACKENDS or not big:
        yield
        return
    import joblib

    shm = "/dev/shm"
    usable = os.path.isdir(shm) and os.access(shm, os.W_OK)
    folder = tempfile.mkdtemp(prefix=f"cvkit-data-{os.getpid()}-", dir=shm if usable else None)
    try:
        for name, value in big.items():
            path = os.path.join(folder, f"{name}.pkl")
            joblib.dump(value, path)
            setattr(plan, name, joblib.load(path, mmap_mode="r"))
        yield
    finally:
        for name, value in big.items():
            setattr(plan, name, value)
        shutil.rmtree(folder, ignore_errors=True)
