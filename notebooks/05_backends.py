# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] cvkit_nav="top"
# ← [04 The live explorer: watch folds fill the workers](04_explorer.ipynb) · [Index](00_index.ipynb) · [05b When a fold fails](05b_when_a_fold_fails.ipynb) →

# %% [markdown]
# # Lesson 05 — Backends and their pitfalls

# %% [markdown]
# ## Why it matters
#
# `Parallel` does not run tasks itself: a **backend** does. The joblib documentation the question points to picks
# one in a `with` block — `parallel_backend(backend, n_jobs=-1, **backend_params)` — and names the choices: **loky**
# (the default, worker processes), **threading** (threads of this process: cheap to start, useful when the work runs
# in compiled code), **multiprocessing** (the legacy process pool), **dask** (a cluster), or a backend object passed
# directly. The choice does not change a fold's result. It changes what a call costs to start, whether two tasks
# can compute at once, whether tasks share objects (and can break each other's), how many threads compete for the
# cores, and how much memory the data takes in each worker. This lesson measures each of these on this machine.

# %% [markdown]
# ## Objectives
#
# - Measure what starting each backend costs: a first call against a warm call.
# - Picture what each worker holds: a process gets its own copies of what a task needs and sends back only its
#   result; threads share everything.
# - Run the same cross-validation under serial, threading, loky and multiprocessing: identical scores, and traces
#   that show processes against threads.
# - Choose a backend with `parallel_backend` (as in the docs) and with the current `parallel_config`, know what each
#   does to `n_jobs` when you leave it out, pass a backend as an object, and steer library code that calls joblib
#   inside (scikit-learn's `cross_validate(n_jobs=...)`) from outside.
# - Measure when threading can win and when it cannot (Python's lock on threads, the GIL), and read the verdict
#   computed for this machine.
# - See the widely shared answer's one global estimator go wrong under threads, and why `clone` per fold fixes it.
# - Explain oversubscription (more busy threads than cores, when every worker's math library starts threads of its
#   own), what loky caps by default, and inspect it with `threadpoolctl`.
# - Measure the memory a large `X` takes in each worker with and without joblib's memory mapping (`max_nbytes`).

# %% [markdown]
# ## 1. Who runs the tasks: processes or threads
#
# A **process** is a running program with its own memory (this notebook's kernel is one); a **thread** is a line of
# execution inside a process, sharing that process's memory with its other threads.
#
# | backend | who runs the tasks | kept between calls? |
# |---|---|---|
# | `"loky"` (default) | worker processes | yes: the same processes serve the next calls |
# | `"threading"` | threads of this kernel | a new thread pool per call (threads are cheap) |
# | `"multiprocessing"` | worker processes (the legacy pool) | no: a new pool per call |
# | `"dask"` | the workers of a Dask cluster | the cluster lives as long as you keep it ([lesson 07](07_scale_out_dask.ipynb)) |

# %% [markdown]
# **What starting them costs.** `measure_startup` times one call of two tasks that do nothing on a backend
# with no workers running, then the same call again (the median of 3). Each task holds its worker until both tasks
# have started, so each of the two workers runs one. For loky the first call starts two Python processes, and each
# of them imports cvkit and scikit-learn before it runs its first task, exactly as before a first fold.

# %% tags=["nbval-ignore-output"]
import joblib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.svm import SVC

from cvkit import load_dataset, run_folds
from cvkit.core.verdicts import compare_times, fmt_seconds, machine
from cvkit.lab.task_placement import where_ran
from cvkit.lab.worker_startup import measure_startup

backends = ("loky", "multiprocessing", "threading")
startups = {backend: measure_startup(backend, n_jobs=2, repeats=3) for backend in backends}
for s in startups.values():
    print(compare_times(s.first, s.warm, f"{s.backend}'s first call", "a warm call (median of 3)").sentence())
print(f"Measured on {machine()}.")
# loky's first call starts processes that import scikit-learn; a warm call reuses them: slower on any machine.
assert startups["loky"].first > startups["loky"].warm

# %% [markdown]
# loky pays whenever it starts workers — at the first call of a session, after its workers sat idle for about
# five minutes (loky stops them then), or after a change of its settings — for starting processes and importing in
# them; otherwise a call only hands tasks to workers that are already running. multiprocessing starts a new pool at
# every call (on Linux by *forking* this kernel: the workers begin as copies of it and import nothing), so its first
# call and its warm calls do the same work: expect about the same time, noise aside (the line above says what it
# measured). A thread pool starts inside this kernel, with nothing to import. This is why the first `Parallel` call
# in a notebook is slow, and why timing only that call misjudges parallel work.

# %% [markdown]
# ### What each worker holds
#
# The cell below asks the two loky workers started above (or new ones, if loky has stopped them) for their process
# ids. The picture shows what each worker holds, what travels to it and back, and what two threads share instead,
# with numbers measured here for one fold of iris.
#
# Two words first. To **pickle** an object is to turn it into bytes (with Python's `pickle` module), so that it can
# travel through a pipe to another process, where it is *unpickled* into a new, equal object. The **GIL** (global
# interpreter lock) is the lock that lets only one thread of a process run Python code at a time (section 4).

# %%
from cvkit.plots.processes import measure_processes, plot_processes

X_iris, y_iris = load_dataset("iris")
facts = measure_processes(SVC(), X_iris, y_iris)   # 2 loky workers, 2 threads, and what one fold task carries
print(facts)
fig = plot_processes(facts)

# %% [markdown]
# - **loky (left)**: each worker is a Python of its own: its own memory, its own imports (the cost of a first
#   call), its own GIL. A task reaches it pickled; the worker fits its own unpickled copy of the estimator on its own
#   copy of X and y, and only the task's return value comes back, pickled. Whatever a task changes in its copies
#   stays in that worker. Arrays larger than `max_nbytes` are the exception: written once to shared memory, which
#   every worker reads (section 7). multiprocessing's workers look the same.
# - **threading (right)**: the threads are parts of this kernel and carry its pid. They use the very same objects:
#   nothing is copied and nothing needs to come back, so a task that changes a shared object changes it for every
#   other task (section 5). And one GIL for all: Python code in two threads takes turns, while compiled code that
#   releases the GIL runs side by side (section 4).

# %% [markdown]
# ## 2. One run under each backend
#
# The same `run_folds` call — 5 folds of an SVC on synthetic rows sized so that one fold takes about 0.1 s of CPU on
# this machine (on a busy machine its wall time also includes waiting for a core) — once as the serial loop and once
# per backend with 2 workers. loky reuses the workers of section 1 if they are still running; multiprocessing starts
# a new pool for this call, as at every call, so its time includes that start.

# %%
FOLD_CPU_SECONDS = 0.1
X, y = load_dataset("synthetic", fold_seconds=FOLD_CPU_SECONDS)   # rows sized for ~0.1 s of CPU per fold here

runs = {"serial": run_folds(SVC(), X, y, cv=5, n_jobs=1)}
for backend in ("threading", "loky", "multiprocessing"):
    runs[backend] = run_folds(SVC(), X, y, cv=5, n_jobs=2, backend=backend)

serial_scores = runs["serial"].scores
for name, result in runs.items():
    print(f"{name:<16} scores equal the serial loop's: {np.array_equal(result.scores, serial_scores)}"
          f" · ran {where_ran(result.traces)} · {result.wall_time:.3f} s")

# %% [markdown]
# The scores are identical to the last digit under every backend: a fold does the same arithmetic whoever runs
# it. What differs is **who** ran it. Each chart below has one lane per worker, labelled with what the trace
# recorded: `pid …` for a process, `thread …` for a thread of this kernel (all lanes of the threading run share
# the kernel's pid).

# %%
from cvkit.plots import plot_gantt

right_end = max(result.wall_time for result in runs.values()) * 1.04
fig, axes = plt.subplots(len(runs), 1, figsize=(8, 6.4), sharex=True)
for ax, (name, result) in zip(axes, runs.items()):
    plot_gantt(result, ax=ax, title=f"{name}: {result.n_jobs} worker(s)", xmax=right_end)
fig.tight_layout()

# %% tags=["nbval-ignore-output"]
from cvkit.core.verdicts import NOISE, speedup_limit

here = machine()
fold_times = [t.duration for t in runs["serial"].traces]
print(f"one fold of the serial loop took {fmt_seconds(min(fold_times))} to {fmt_seconds(max(fold_times))} "
      f"(the rows were sized for about {fmt_seconds(FOLD_CPU_SECONDS)} of CPU per fold)")
for name in ("threading", "loky", "multiprocessing"):
    verdict = compare_times(runs[name].wall_time, runs["serial"].wall_time, name, "the serial loop", machine=here)
    print(verdict.sentence())
    # 5 folds on 2 workers: never above speedup_limit(5, 2) (one run each, not interleaved: a wider noise margin)
    assert verdict.speedup <= speedup_limit(5, runs[name].n_jobs, here) * (1 + 3 * NOISE), verdict
print(f"(multiprocessing's time includes starting its pool: {fmt_seconds(startups['multiprocessing'].first)} "
      "in section 1.)")
print(f"Measured on {here}.")
if here.cores < 2:
    print("This process may use 1 core: the 2 workers take turns on it, so no backend can beat the serial loop here.")
if here.busy:
    print("Other programs keep the cores busy now: every run above waited for cores, by an amount that changes "
          "from run to run.")

# %% [markdown]
# The lines above say how each backend compared with the serial loop on this machine, one run each. scikit-learn's
# SVC spends its time in libsvm, which **releases the GIL** while it fits: given 2 free cores, two threads can then
# compute at once, and the threading run can do as well as the process backends without paying their start-up
# (whether it did here is in the lines above). With 1 core, threads and processes alike take turns on it; when other
# programs keep the cores busy (the cell above says so when they do), every run waits for them. Section 4 shows when
# threading fails even with cores to spare.
#
# The fifth backend, `dask`, runs the same folds on the workers of a Dask cluster — on this machine or on many;
# [lesson 07](07_scale_out_dask.ipynb) is about it.

# %% [markdown]
# ## 3. Choosing the backend: `parallel_backend` and `parallel_config`
#
# The docs cited by the question use `joblib.parallel_backend` in a `with` block. Three facts to get right:
#
# - scikit-learn had its own copy, `sklearn.utils.parallel_backend`: deprecated in scikit-learn 1.5, **removed in
#   1.7**. Import it from joblib.
# - `joblib.parallel_backend` still works (its documentation advises `parallel_config` instead), but since joblib 1.3
#   the API to use is **`joblib.parallel_config`**, which sets more than the backend (`n_jobs`, `max_nbytes`,
#   `prefer`, ...) and does not require one.
# - They do **not** have the same default for `n_jobs`. `parallel_backend(backend)` sets `n_jobs=-1` (all cores)
#   unless you give it; `parallel_config(backend=...)` leaves `n_jobs` unset, and unset means 1: the serial loop.

# %%
import sklearn.utils
from joblib import Parallel, parallel_backend, parallel_config

print("sklearn.utils.parallel_backend exists:", hasattr(sklearn.utils, "parallel_backend"))
print("Parallel().n_jobs, by default                          :", Parallel().n_jobs)
with parallel_backend("threading"):
    print("Parallel().n_jobs inside parallel_backend('threading') :", Parallel().n_jobs)
with parallel_config(backend="threading"):
    print("Parallel().n_jobs inside parallel_config('threading')  :", Parallel().n_jobs)
with parallel_config(backend="threading", n_jobs=2):
    print("... inside parallel_config('threading', n_jobs=2)      :", Parallel().n_jobs)

# %% [markdown]
# `run_folds` takes its backend and `n_jobs` from an enclosing block when you leave them out (`backend=None`,
# `n_jobs=None`), as joblib's own `Parallel` does. So the same line runs on all cores in one block and as the plain
# serial loop in the other (on a 1-core machine "all cores" is one worker, and `run_folds` runs the serial loop there
# too):

# %%
iris_scores = run_folds(SVC(), X_iris, y_iris, cv=5, n_jobs=1).scores

with parallel_backend("threading"):
    old_style = run_folds(SVC(), X_iris, y_iris, cv=5)
with parallel_config(backend="threading"):
    new_style = run_folds(SVC(), X_iris, y_iris, cv=5)

print("parallel_backend('threading'): n_jobs = all cores (joblib.cpu_count()):", old_style.n_jobs == joblib.cpu_count())
print(f"parallel_config('threading') : n_jobs = {new_style.n_jobs}, so backend {new_style.backend!r}")
# all cores: the threading backend, or the serial loop on a 1-core machine
assert old_style.backend == ("threading" if joblib.cpu_count() > 1 else "serial")
assert np.array_equal(old_style.scores, iris_scores) and np.array_equal(new_style.scores, iris_scores)

# %% [markdown]
# **A backend passed as an object.** Instead of a name, give a backend instance — one you configured, or your
# own subclass of joblib's `ParallelBackendBase`. `run_folds(backend=...)` accepts the same three forms everywhere:
# a name, an instance, or `None` for the enclosing block's choice.

# %%
from joblib.parallel import LokyBackend, ThreadingBackend

by_instance = run_folds(SVC(), X_iris, y_iris, cv=5, n_jobs=2, backend=ThreadingBackend())
with parallel_config(backend=LokyBackend(), n_jobs=2):
    from_block = run_folds(SVC(), X_iris, y_iris, cv=5)

for label, result in (("backend=ThreadingBackend()", by_instance), ("parallel_config(LokyBackend())", from_block)):
    print(f"{label:<31} → {result.backend!r}, ran {where_ran(result.traces)}, "
          f"same scores: {np.array_equal(result.scores, iris_scores)}")

# %% [markdown]
# **Steering library code from outside.** This is what the block is for. scikit-learn's `cross_validate`
# calls joblib inside and only exposes `n_jobs`; an enclosing `parallel_config` picks the backend its tasks run
# on — and with `n_jobs=None` also how many. `RecordWorker` wraps the SVC and records which process and thread
# fitted it, so the fitted models returned by `return_estimator=True` tell where scikit-learn ran them:

# %%
from sklearn.model_selection import cross_validate

from cvkit.lab.task_placement import RecordWorker

settings = [
    ("no block (loky), n_jobs=2", {}, 2),
    ("parallel_config(backend='threading'), n_jobs=2", {"backend": "threading"}, 2),
    ("parallel_config(backend='threading', n_jobs=2), n_jobs=None", {"backend": "threading", "n_jobs": 2}, None),
]
for label, config, n_jobs in settings:
    with parallel_config(**config):
        out = cross_validate(RecordWorker(SVC()), X_iris, y_iris, cv=5, scoring="f1_weighted",
                             n_jobs=n_jobs, return_estimator=True)
    print(f"{label:<62} → fitted {where_ran(model.worker_ for model in out['estimator'])}; "
          f"same scores: {np.array_equal(out['test_score'], iris_scores)}")

# %% [markdown]
# ## 4. When threading wins and when it loses: the GIL
#
# Recall the GIL from section 1: only one thread of a process runs Python code at a time. Two threads running pure
# Python take turns; two threads inside C code that *releases* the GIL (most
# of NumPy's heavy routines, hashing, file and network I/O, libsvm's fit) run at the same time. Processes (loky)
# each have their own interpreter and GIL, so they run at once in both cases — at the price of their start-up and of
# sending data to them. Either way, two workers need two cores to run at once.
#
# Two kinds of task, 4 of each, timed serially, on 2 threads and on 2 loky workers:
# `python_work` is a pure-Python loop; `native_work` hashes 64 MiB with `hashlib`, which releases the GIL.
# `time_settings` warms each setting up, then lets them take turns (3 timed calls each, medians shown), so that a
# burst of work from other programs hits all three alike.

# %%
from cvkit.lab.contention import compare, native_work, python_work, time_settings

settings = [dict(n_jobs=1), dict(backend="threading", n_jobs=2), dict(backend="loky", n_jobs=2)]
gil = {}
for task in (python_work, native_work):
    gil[task.__name__] = time_settings(task, settings=settings, repeats=3)
    print(f"{task.__name__}, 4 tasks:")
    print(compare(gil[task.__name__]))

# %% tags=["nbval-ignore-output"]
import sys

here = machine()
with_gil = getattr(sys, "_is_gil_enabled", lambda: True)()   # False only on a free-threaded build
limit = speedup_limit(4, 2, here)
if limit == float("inf"):
    print("Other programs keep the cores busy now: a parallel run can win a larger share of them than the serial loop "
          "had, so no speed-up bound holds for these timings.")
else:
    print(f"2 workers on {here.cores} core{'s' if here.cores > 1 else ''}: beyond noise, "
          f"no line can be faster than {limit:g}× the serial loop.")
print("This Python has the GIL (standard CPython): threads run Python code in turns." if with_gil
      else "This Python runs without the GIL (a free-threaded build): threads can run Python code side by side.")
for task, (serial, threads, loky) in gil.items():
    print(f"{task}: one task takes {fmt_seconds(serial.median / 4)} (the serial median / 4)")
    for timing in (threads, loky):
        verdict = compare_times(timing.median, serial.median, timing.label, "serial", machine=here)
        print("  " + verdict.sentence())
        assert verdict.speedup <= limit * (1 + NOISE), verdict   # the bound, plus noise (interleaved medians)
print(f"Measured on {here}.")
serial, threads, _ = gil["python_work"]
if with_gil and not here.busy:   # two threads of pure Python take turns on the GIL: on free cores, never faster
    assert serial.median / threads.median < 1.25, (serial, threads)   # than serial beyond noise

# %% [markdown]
# Read the verdicts above. For `python_work`, with the GIL (standard CPython), the two threads take
# turns on it, so threading cannot beat the serial loop beyond noise, on any machine (switching between threads may
# even cost a little); the cell checks it when this Python has a GIL (a free-threaded build has none). loky's two
# processes have a GIL each and can run it side by side — if this kernel may use 2 cores or more. Even then not at
# 2×: every call has a fixed cost (sending the tasks, collecting the results; lesson 06 measures it), which tasks
# this short hide poorly (longer tasks come closer to 2×), and other programs running on the machine take cores from
# every line. For `native_work` the threads too can run side by side, without the cost of processes, given 2 cores.
# With 1 core, no line can beat the serial loop beyond noise. Compare lines of one run only.

# %% [markdown]
# So: threading can win when the work runs in native code that releases the GIL — as an SVC's fit does — and cannot
# when the task is Python code. loky is the safe default; threading is the cheap option to try, and to measure.

# %% [markdown]
# ## 5. The pitfall: one global estimator fitted in every task
#
# The widely shared answer, as [lesson 02](02_parallel_delayed.ipynb) ran it, creates one model at the top and
# fits it inside the task:
#
# ```python
# clf = svm.SVC(kernel="rbf", C=1.0, gamma=0.25)      # one global model
#
# def train(train_index, test_index):
#     clf.fit(X[train_index], y[train_index])          # every task fits the same object
#     y_pred = clf.predict(X[test_index])
#     ...
#
# out = Parallel(n_jobs=2, verbose=100, pre_dispatch='1.5*n_jobs')(
#     delayed(train)(train_index, test_index) for train_index, test_index in skf.split(X, y))
# ```
#
# Lesson 02 forced the unlucky order on folds 0 and 1 with `in_lockstep`. Here `cvkit.lab.pitfalls` runs all 5 folds
# under each backend. `answer_task` is `train`, with the model handed to every task instead of read from a
# global — the same object either way. `clone_task` is the fix:

# %%
import inspect

from cvkit.lab.pitfalls import answer_task, clone_task, run_fold_task

print(inspect.getsource(answer_task))
print(inspect.getsource(clone_task))

# %% [markdown]
# `run_fold_task` creates **one** model and hands that same object to every fold's task. The model is a
# `SlowModel` around the SVC: whenever two threads share it, they collide in the unlucky order — one thread refits
# the model just before the other predicts with it — on any machine and under any load, where real estimators
# collide only now and then. It also records which fold's training rows fitted the model that made each prediction.
# The data is a small noisy set, where a model fitted on other rows gives a visibly different score.

# %%
X_small, y_small = load_dataset("synthetic", n_samples="tiny")

shared = {backend: run_fold_task(answer_task, SVC(), X_small, y_small, cv=5, backend=backend, n_jobs=2)
          for backend in ("loky", "threading")}
for run in shared.values():
    print(run, end="\n\n")
print(run_fold_task(clone_task, SVC(), X_small, y_small, cv=5, backend="threading", n_jobs=2), end="\n\n")

wrong = shared["threading"]
foreign = wrong.foreign_predictions
higher = sum(wrong.scores[fold] > wrong.serial_scores[fold] for fold in foreign)
print(f"threading: of the {len(foreign)} folds predicted by another fold's model, {higher} scored higher than "
      "with their own model (the serial loop's score)")

# %% [markdown]
# - **loky: it happens to work**, as in lesson 02: each task fits its own unpickled copy, and the notebook's model
#   is never fitted (anyone who uses `clf` afterwards gets an unfitted model).
# - **threading: wrong scores, silently.** Two folds run at once on the one object: the second fit replaces the
#   first, and both predict with the second fold's model. So in each pair of folds, one is scored with a model
#   whose training rows *include its own test rows*: usually an optimistic score (the last line above compares it
#   with the serial loop's). Nothing raises, and afterwards the notebook's model holds the last fold's fit. With
#   real estimators the interleaving is random, and a predict can even meet a half-updated model.
# - **clone per fold: right everywhere.** No task changes anything another task uses, whatever the backend, and
#   the model you passed stays unfitted. This is what scikit-learn's `cross_validate` and `cvkit.run_folds` do.

# %% [markdown]
# ## 6. Oversubscription: workers × BLAS threads
#
# NumPy's matrix products run in a **BLAS** library (Basic Linear Algebra Subprograms: OpenBLAS, MKL, ...; the first
# cell below names this kernel's), compiled code that starts its own threads, one per core by default. Other compiled
# code uses **OpenMP**, a standard way for C, C++ and Fortran code to split a loop over threads (scikit-learn's
# gradient boosting does). Two workers that each use a BLAS with as many threads as there are cores put twice as many
# busy threads as cores on the machine: they **oversubscribe** it. The threads then slow each other down: they wait
# for cores, evict each other's data from the caches, and OpenBLAS's threads **spin** while they wait (they keep a
# core busy checking for new work, rather than sleep).
#
# `threadpoolctl` shows and changes these thread pools. `threadpool_info()` lists them; `threadpool_limits` caps
# them for a block — process-wide, so for every thread of this kernel:

# %% tags=["nbval-ignore-output"]
from threadpoolctl import threadpool_info, threadpool_limits


def blas_threads():
    return max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")


kernel_blas = blas_threads()
library = next(pool["internal_api"] for pool in threadpool_info() if pool["user_api"] == "blas")
print(f"this kernel's BLAS: {library}, {kernel_blas} thread(s); this machine: {machine()}")

# %%
with threadpool_limits(limits=1, user_api="blas"):
    print("inside threadpool_limits(limits=1, 'blas'):", blas_threads())
print("after the block, back to the kernel's own :", blas_threads() == kernel_blas)

# %% [markdown]
# `worker_threadpools` runs `threadpool_info()` *inside* each worker. loky caps every worker at
# `max(cpu_count() // n_jobs, 1)` threads (it sets `OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS`, ... in the workers'
# environment, unless you set them yourself); threads of the threading backend share the kernel's uncapped pools,
# and multiprocessing's workers are not capped either:

# %% tags=["nbval-ignore-output"]
import os

from cvkit.lab.worker_threads import THREAD_CAP_VARIABLES, worker_threadpools

pools = {backend: worker_threadpools(backend, n_jobs=2) for backend in ("loky", "threading", "multiprocessing")}
for report in pools.values():
    print(report)
cores = joblib.cpu_count()
cap = max(cores // 2, 1)
print(f"\nloky's default cap here: max({cores} // 2, 1) = {cap} BLAS thread(s) per worker "
      "(on 8 cores it would be 4; on 1 core, 1).")

assert pools["threading"].blas == kernel_blas            # threads share this kernel's pools
if not any(variable in os.environ for variable in THREAD_CAP_VARIABLES):   # caps you set yourself win
    assert pools["loky"].blas <= cap                     # loky caps its workers
    assert set(pools["loky"].environment.values()) == {str(cap)}
    assert pools["threading"].environment == pools["multiprocessing"].environment == {}

# %% [markdown]
# Now time it: 2 tasks of matrix products (`blas_work`), one per worker, under each arrangement (`time_tasks`:
# a warm-up call, then the median of 3). The arrangements are timed one after another, not in turns: OpenBLAS's
# threads keep spinning for a moment after a call and would slow down whichever arrangement came next. The last
# line sets loky's cap by hand with `inner_max_num_threads=k` (loky only), with `k` this machine's cores (at least 2):
# it asks for 2 workers × k BLAS threads, twice as many as the cores or more. A BLAS library may start fewer threads
# than asked (OpenBLAS starts no more than the cores it may use): the last column shows what each arrangement got.
# It goes last because changing the cap restarts loky's workers.

# %% tags=["nbval-ignore-output"]
from cvkit.lab.contention import blas_work, time_tasks

k = max(joblib.cpu_count(), 2)
arrangements = [
    dict(label="loky (capped by default)", backend="loky", n_jobs=2),
    dict(label="threading (not capped)", backend="threading", n_jobs=2),
    dict(label="threading + threadpool_limits(1)", backend="threading", n_jobs=2, blas_limit=1),
    dict(label=f"loky, inner_max_num_threads={k}", backend="loky", n_jobs=2, inner_max_num_threads=k),
]
blas_timings = [time_tasks(blas_work, n_tasks=2, repeats=3, **settings) for settings in arrangements]
print(compare(blas_timings))
assert blas_timings[2].blas_threads == 1
if not any(variable in os.environ for variable in THREAD_CAP_VARIABLES):   # caps you set yourself win
    assert blas_timings[0].blas_threads <= cap and blas_timings[3].blas_threads <= k

# %% tags=["nbval-ignore-output"]
here = machine()
same = 0
for fewer, more in ((blas_timings[0], blas_timings[3]), (blas_timings[2], blas_timings[1])):
    threads = {t.label: t.n_jobs * t.blas_threads for t in (fewer, more)}
    verdict = compare_times(more.median, fewer.median, more.label, fewer.label, machine=here)
    if threads[more.label] == threads[fewer.label]:
        same += 1
        print(f"{more.label} and {fewer.label} both run {threads[more.label]} threads here: "
              f"any difference is noise ({verdict.speedup:.2f}×).")
        continue
    fits = "more than the cores" if threads[more.label] > here.cores else "within the cores"
    print(f"{threads[more.label]} threads ({fits}) against {threads[fewer.label]}: {verdict.sentence()}.")
print(f"Measured on {here}.")
if same == 2:
    print("The BLAS library started no more threads than the cores here, whatever it was asked: this machine cannot "
          "show BLAS oversubscription. With 2 or more cores, the uncapped arrangements ask for more threads than cores.")

# %% [markdown]
# The lines above compare the arrangements in pairs that differ only in the cap: loky with its default cap against
# loky with `k` BLAS threads per worker, and threading under `threadpool_limits(1)` against threading without a cap.
# What to expect: an arrangement that puts more busy threads than cores on the machine makes its threads wait for
# cores and evict each other's cache, and OpenBLAS's threads spin while they wait, so it tends to be the slower one
# of its pair — by how much depends on the workload, the BLAS library and what else runs on the machine. Read the verdicts above rather than a number measured on someone else's machine.
#
# The rules: with process workers, keep loky's default cap, or set `inner_max_num_threads` so that
# `n_jobs × inner_max_num_threads ≤ cores`; with threads, wrap the call in `threadpool_limits(limits=…)`.

# %% [markdown]
# `inner_max_num_threads` is a setting of the loky backend only; any other backend refuses it:

# %%
for backend in ("threading", "multiprocessing"):
    try:
        parallel_config(backend=backend, inner_max_num_threads=1)
    except AssertionError as error:
        print(f"{backend}: {type(error).__name__}: {error}")

# %% [markdown]
# ## 7. Large data: memory-mapping for process workers
#
# A process worker cannot see the kernel's memory: its arguments arrive pickled. For NumPy arrays larger than
# `max_nbytes` (default `"1M"`), joblib instead writes the array once to a file and hands each worker a read-only
# **memory map** of it (a `numpy.memmap`: an array whose pages are the file's pages): every worker reads the same
# pages. On Linux the file goes to shared memory, `/dev/shm`, if it has at least 2 GB free, else to a temporary
# folder on disk (Docker containers and Binder often give `/dev/shm` only 64 MB); the pages are shared either way.
# `max_nbytes=None` turns that off, and each task gets its own pickled copy.

# %% [markdown]
# `worker_memory` hands a 40 MB `X` to 2 loky workers, whose task reads all of it, and reads each worker's memory
# from Linux's `/proc` files: its **private** memory (`RssAnon`: pages no other process uses), its **shared**
# resident memory (`RssShmem`/`RssFile`: pages of shared memory and of files, which other processes can map too) and
# its **peak** (`VmHWM`: the most memory it held at once), each as growth over the same worker just before. Sizes are
# printed as multiples of X.

# %%
from cvkit.lab.worker_memory import worker_memory
from cvkit.lab.worker_startup import shutdown_workers

X_large = np.random.default_rng(0).standard_normal((5_000, 1_000))   # 40 MB

mapped = worker_memory(X_large, backend="loky", n_jobs=2, max_nbytes="1M")
copied = worker_memory(X_large, backend="loky", n_jobs=2, max_nbytes=None)
in_threads = worker_memory(X_large, backend="threading", n_jobs=2)
print(mapped, copied, in_threads, sep="\n\n")
shutdown_workers()   # give the workers' memory back
assert mapped.arrived_as == "memmap" and not mapped.private_copy
assert copied.arrived_as == "ndarray" and copied.private_copy
assert in_threads.same_object and not in_threads.private_copy

# %% [markdown]
# With memory-mapping (the default), X sits once in a file and every worker maps the same pages: its
# private memory hardly grows. Without it, each worker holds a private copy of X, and while it unpickles one, the
# pickled bytes and the new array exist at the same time, so its peak goes above one copy (`peak` above) —
# on top of the kernel's own X, for every worker. Each copy is also pickled and sent through a pipe to its worker. Threads need neither: they use the kernel's own array. Keep the default `max_nbytes`.

# %% [markdown]
# ## Summary — key points

# %% [markdown]
# - The backend decides who runs the tasks: loky (processes, kept between calls, the default), threading (threads of
#   this process), multiprocessing (a new process pool per call), dask (a cluster,
#   [lesson 07](07_scale_out_dask.ipynb)). Results are the same under all of them; costs are not.
# - A process worker gets pickled copies of what a task needs and sends back only the return value; threads share
#   the kernel's objects.
# - loky pays whenever it starts workers (and imports your libraries in them): at the first call, after its workers
#   sat idle for about five minutes, after a change of its settings. Never judge parallel work by the first call.
# - `joblib.parallel_config(backend=..., n_jobs=...)` is the current way to choose. `joblib.parallel_backend` still
#   works but defaults to `n_jobs=-1`, while `parallel_config` leaves `n_jobs` unset (1).
#   `sklearn.utils.parallel_backend` is gone since scikit-learn 1.7. A block also steers library code that calls
#   joblib inside, like `cross_validate`. A backend can be a name, an instance, or `None` (the enclosing block's).
# - Threads help only when the work releases the GIL (native code, I/O); for Python code use processes. Either
#   needs as many cores as workers.
# - Never fit one shared estimator inside the tasks: under threads folds silently predict with each other's model.
#   `clone(estimator)` in every task.
# - Workers × BLAS threads must not exceed the cores: loky caps BLAS per worker (`inner_max_num_threads` overrides,
#   loky only); under threading use `threadpoolctl.threadpool_limits`.
# - Process backends memory-map arrays above `max_nbytes` ("1M"): one shared copy instead of one per worker.

# %% [markdown]
# ## Exercise
#
# A task can change the objects it receives. This one writes into the NumPy array it is given, then returns its sum:
#
# ```python
# def task(a):
#     a[0] = -1.0
#     return float(a.sum())
#
# arr = np.ones(size)
# sums = Parallel(**settings)(delayed(task)(arr) for _ in range(2))
# ```
#
# It runs five times, each time with a fresh `arr` (`SETTINGS` and `CASE` hold the five runs):
#
# | run | `size` | `settings` |
# |---|---|---|
# | `"n_jobs=1"` | 1,000 floats (8 kB) | `n_jobs=1` |
# | `"threading"` | 1,000 | `backend="threading", n_jobs=2` |
# | `"loky, small"` | 1,000 | `backend="loky", n_jobs=2` |
# | `"loky, large"` | 2,000,000 floats (16 MB) | `backend="loky", n_jobs=2` |
# | `"loky, large, r+"` | 2,000,000 | `backend="loky", n_jobs=2, mmap_mode="r+"` |
#
# `mmap_mode`, an argument of `Parallel`, is the mode in which workers open the memory maps of section 7, as in
# `numpy.memmap`: `"r"` (the default) to read only, `"r+"` to read and write.
#
# **Predict**, for each run, what happens to the notebook's `arr`: `"changed"` (afterwards `arr[0]` is -1),
# `"unchanged"`, or `"error"` (the `Parallel` call raises). Sections 1 and 7 have all you need. Check your
# prediction, then run the last cell and compare.

# %%
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson05 import CASE, SETTINGS, check_in_place

answers = {   # for each run: "changed", "unchanged" or "error"
    "n_jobs=1": NOT_ANSWERED,
    "threading": NOT_ANSWERED,
    "loky, small": NOT_ANSWERED,
    "loky, large": NOT_ANSWERED,
    "loky, large, r+": NOT_ANSWERED,
}

# %%
check_in_place(answers)

# %%
# After you have predicted: run the task under each setting and see what happens to arr.
from joblib import Parallel, delayed


def task(a):
    a[0] = -1.0
    return float(a.sum())


if any(answer is NOT_ANSWERED for answer in answers.values()):
    print("Predict first: fill in answers above, then run this cell.")
else:
    for name, (size, settings) in SETTINGS.items():
        arr = np.ones(CASE[size])
        try:
            sums = Parallel(**settings)(delayed(task)(arr) for _ in range(2))
            happened = "changed" if arr[0] == -1.0 else "unchanged"
        except Exception as error:
            happened = f"error ({type(error).__name__}: {error})"
        print(f"{name:<16} {happened}; you predicted {answers[name]!r}")

# %% [markdown] cvkit_nav="bottom"
# ← [04 The live explorer: watch folds fill the workers](04_explorer.ipynb) · [Index](00_index.ipynb) · [05b When a fold fails](05b_when_a_fold_fails.ipynb) →
