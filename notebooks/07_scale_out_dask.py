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
# ← [06 Speed-up and its limits](06_speedup_limits.ipynb) · [Index](00_index.ipynb) · [08 Parallel cross-validation in real code](08_real_code.ipynb) →

# %% [markdown]
# # Lesson 07 — Scale out: the same folds on a Dask cluster

# %% [markdown]
# ## Why it matters
#
# On one machine, `n_jobs=-1` is the ceiling: all its cores (section 1 prints how many this one has),
# perhaps 16 on a workstation. When the folds are many and
# slow — a grid search, repeated cross-validation, a model that takes minutes to fit — the next step is more machines.
# The joblib documentation the question points to names the option for that: the **dask** backend, which hands
# `Parallel`'s tasks to the workers of a [Dask](https://distributed.dask.org) cluster, over the network. The fold code
# does not change; one `with` block moves it. You write no cluster code of your own: Dask's `distributed` package
# does the scheduling, the retries and the bookkeeping.
#
# It is not free. A cluster takes time to start, each task travels through a scheduler, and data must reach the
# workers. This lesson runs the same folds on a small cluster on this machine, shows Dask's own view of the run next
# to cvkit's, measures what it costs here, and says what changes on a real cluster and when it pays.

# %% [markdown]
# ## Objectives
#
# - Start a local Dask cluster (bound to this machine only), and run the same `run_folds` call under
#   `parallel_config(backend="dask")`: identical results to loky.
# - Read cvkit's Gantt (one lane per worker) next to Dask's task stream, the chart its dashboard draws.
# - Measure what Dask costs here — starting the cluster, dispatching one task, whole runs of fine and coarse folds —
#   and say when it pays.
# - Know what changes on a real cluster: the scheduler's address, where the data lives, who starts the workers —
#   and the traps cvkit handles for you.

# %% [markdown]
# ## 1. A Dask cluster on this machine
#
# A Dask cluster is a **scheduler** that hands out tasks and **workers** that run them; your notebook talks to the
# scheduler through a **client**. `cvkit.dask.cluster.get_client()` starts one on this machine the first time it is
# called (a `distributed.LocalCluster`), and returns the same one afterwards:
#
# - one worker **process** per core, each with **one thread** — the same shape as loky with `n_jobs=-1`;
# - scheduler, workers and the dashboard listen on **127.0.0.1** only: nobody else on the network can reach them;
# - a task whose worker dies is retried once; if it kills a second worker, Dask gives up on it (`KilledWorker`);
# - it is closed when the kernel exits, and replaced by a fresh one if an interrupt killed its workers.
#
# This lesson uses that embedded cluster: run it with `CVKIT_DASK_SCHEDULER` unset. To use an existing cluster
# instead, give its address, `get_client("tcp://scheduler-host:8786")`, or set the environment variable
# `CVKIT_DASK_SCHEDULER` before starting Jupyter (section 5); the cells below then describe that cluster, and the
# lines about the embedded cluster's shape do not apply to it.

# %%
import time

import joblib
import matplotlib.pyplot as plt
import numpy as np
from joblib import parallel_config
from sklearn.svm import SVC

from cvkit import load_dataset, run_folds
from cvkit.dask import cluster as dask_cluster
from cvkit.core.verdicts import NOISE, compare_times, fmt_seconds, machine, speedup_limit

here = machine()   # this machine's cores and load
client = dask_cluster.get_client()
info = dask_cluster.cluster_info()
if info["kind"] == "embedded":
    print(f"embedded LocalCluster: one worker process per core: {info['n_workers'] == here.cores}, "
          f"threads per worker: {info['threads_per_worker']}, listening on {', '.join(info['hosts'])}")
    print(f"Dask gives up on a task after it killed {info['allowed_failures'] + 1} workers")
else:  # CVKIT_DASK_SCHEDULER is set: an existing cluster, whose shape and retries its owner chose
    print(f"an existing Dask scheduler: {info['n_workers']} workers, threads per worker: {info['threads_per_worker']}")

# %% tags=["nbval-ignore-output"]
# How big the cluster is, and how long it took to start, depend on this machine.
print(dask_cluster.describe())
if info["kind"] == "embedded":
    print(f"started in {fmt_seconds(info['start_seconds'])}, on {here}")
else:
    print(f"an existing cluster, started by someone else; this notebook runs on {here}")

# %% [markdown]
# As with loky, the workers are fresh Python processes: the first task each one runs imports scikit-learn there.
# Lesson 05 (section 1) measured that cost for loky's workers; Dask's pay it too, once per worker. The first run
# below pays it, the runs after it do not: that is why the timings of section 4 start with workers that have already
# imported what a fold needs.

# %% [markdown]
# ## 2. The same run, on the cluster
#
# The recipe from the joblib documentation: wrap the call in a `parallel_config(backend="dask")` block. Inside it,
# joblib finds the default Dask client (the one `get_client` made) and sends every task to the scheduler.
# `run_folds` takes its backend from the block, like joblib's own `Parallel`; `n_jobs=-1` means all the cluster's
# worker threads.
#
# One thing that does **not** work in a fresh kernel is naming the backend in `Parallel` itself:

# %%
print("joblib knows the name 'dask' yet:", "dask" in joblib.parallel.BACKENDS)
try:
    joblib.Parallel(backend="dask")
    print("Parallel(backend='dask') accepted")
except ValueError as error:
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# joblib registers the name `"dask"` only when a `parallel_config` (or `parallel_backend`) block first asks for
# it; after that, the same `Parallel` line works — so code that relies on it works or fails depending on what ran
# before (the next cell shows the name registered after its block). Always use the block; cvkit does.
#
# Now the run itself, 6 folds on 3000 synthetic rows (`n_samples="medium"`), on loky and on the cluster:

# %%
X, y = load_dataset("synthetic", n_samples="medium")

on_loky = run_folds(SVC(), X, y, cv=6, n_jobs=2, backend="loky")
with parallel_config(backend="dask"):
    on_dask = run_folds(SVC(), X, y, cv=6, n_jobs=-1)

worker_pids = set(dask_cluster.worker_pids().values())
same_matrices = all(np.array_equal(a.confusion_matrix, b.confusion_matrix)
                    for a, b in zip(on_dask.folds, on_loky.folds))
print(f"backend {on_dask.backend!r}, on the cluster's workers: {on_dask.summary()}")
print(f"scores identical to loky's: {on_dask.scores.tolist() == on_loky.scores.tolist()}, "
      f"confusion matrices too: {same_matrices}")
print(f"every fold ran in a Dask worker process: {all(t.pid in worker_pids for t in on_dask.traces)}")
print("joblib knows the name 'dask' now:", "dask" in joblib.parallel.BACKENDS)
assert on_dask.scores.tolist() == on_loky.scores.tolist() and same_matrices

# %% [markdown]
# Identical to the last digit: each fold does the same arithmetic wherever it runs. The estimator, the data and the
# fold's indices were **pickled** (turned into bytes that can travel between processes), sent through the scheduler to
# a worker, unpickled there, and the fold's result came back the same way. cvkit's trace of each fold — which process,
# when — came back with it, so everything you saw for loky works for Dask too.

# %% [markdown]
# ## 3. Two views of one run: cvkit's Gantt and Dask's task stream
#
# Dask's **dashboard** is a web page served by the scheduler; its *Task Stream* chart draws one lane per worker
# thread and one bar per task, live. `dask_cluster.task_stream()` records the same data while a block runs (it asks
# the scheduler, and needs no browser). Below, the run is drawn twice: cvkit's Gantt from the folds' own traces, and
# Dask's task stream from the scheduler's records. `batch_size=1` makes every Dask task one fold (with `"auto"`,
# joblib may pack several fast folds into one task).

# %%
from cvkit.plots import plot_gantt
from cvkit.plots.task_stream import plot_task_stream, task_stream_bars

with dask_cluster.task_stream() as stream:
    result = run_folds(SVC(), X, y, cv=6, n_jobs=-1, backend="dask", batch_size=1)

right_end = result.wall_time * 1.04
fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 3.8), sharex=True)
plot_gantt(result, ax=top, title="cvkit: the folds' own traces, one lane per worker process", xmax=right_end)
plot_task_stream(stream.data, ax=bottom, worker_pids=dask_cluster.worker_pids(), result=result,
                 title="Dask: the scheduler's task stream (what the dashboard draws)", xmax=right_end)
fig.tight_layout()
print(f"Dask's task stream holds {len(stream.data)} tasks for {result.n_splits} folds")

# The two views agree: each fold's cvkit trace names the pid of the worker that ran its task in Dask's stream.
pid_of_fold = {t.fold: t.pid for t in result.traces}
bars = task_stream_bars(stream.data, worker_pids=dask_cluster.worker_pids(), result=result)
assert sorted(fold for *_, fold in bars) == sorted(pid_of_fold)
assert all(label == f"pid {pid_of_fold[fold]}" for _, label, _, _, fold in bars)

# %% [markdown]
# The two charts agree (the cell checks it): the same worker processes (the lanes carry the same pids), and
# the same folds on each. They are measured independently — cvkit's by the fold itself inside the worker, Dask's by the
# worker reporting to the scheduler — which is why you can trust either. Dask's bars can be a little longer: they
# include unpickling the task's arguments and pickling its result.

# %% [markdown]
# The dashboard itself listens on 127.0.0.1 only. On this machine, `dask_cluster.dashboard_link()` gives its
# address (it needs the `bokeh` package to draw; it returns None without it). Open it in a second browser tab and
# run section 2 again to watch the task stream fill in live.

# %% [markdown]
# ## 4. What Dask costs here
#
# Three costs: starting the cluster (once per session), dispatching each task (every time), and the run as a whole.
# `dispatch_overhead` times 50 tasks that do nothing through `Parallel` on an already-running backend, each sent in
# a message of its own (`batch_size=1`): the cost of one task's round trip.

# %% tags=["nbval-ignore-output"]
from cvkit.lab.dask_costs import compare_runs, dispatch_overhead, format_runs, verdict_lines

# Times differ from machine to machine, and from minute to minute on a busy one.

loky_task = dispatch_overhead("loky", n_tasks=50)
dask_task = dispatch_overhead("dask", n_tasks=50)
if info["kind"] == "embedded":
    print(f"starting the cluster (once per session): {info['start_seconds']:.3f} s")
else:
    print("starting the cluster: done by whoever runs the existing scheduler")
print(f"one no-op task: loky {loky_task * 1000:.3f} ms, dask {dask_task * 1000:.3f} ms "
      f"({dask_task / loky_task:.2f}× loky's)")

# %% [markdown]
# A task through Dask goes a longer way than through loky: from the client to the scheduler, which picks a worker and
# forwards it, and the result takes the same way back — several network messages instead of one write to a pipe. The
# line above says how the two compared here (on a machine whose cores are all busy, waiting for a core can cost more
# than either way). Batching shares the cost among several tasks (`batch_size="auto"` packs fast tasks together).

# %% [markdown]
# Whether that matters depends on how long a fold lasts. The same 4 folds, serially, on loky (2 workers) and on Dask
# (cvkit's cluster, resized to 2 workers for a fair comparison), for iris (150 rows) and for synthetic folds sized for
# this machine: about 20 ms and about 0.1 s. Each is run 3 times, interleaved, and the fastest run of each kept; the
# lines after it compare them, computed:

# %% tags=["nbval-ignore-output"]
rows = compare_runs(("iris", 0.02, 0.1), cv=4, repeats=3)
print(format_runs(rows))
print(f"Dask ran on {rows[0].dask_workers} worker processes, loky on 2")
for r in rows:
    assert r.identical   # the same scores serially, on loky and on Dask
    # on free cores, no run on 2 workers beats the bound 4 / ceil(4 / 2) or the cores by more than noise (judged on
    # the machine while these runs were timed: on a busy one no bound holds a timing, and speedup_limit is infinite)
    for backend, workers in (("loky", 2), ("dask", r.dask_workers)):
        assert r.speedup(backend) <= speedup_limit(4, workers, r.machine) * (1 + 2 * NOISE), (r, backend)

# %% tags=["nbval-ignore-output"]
print(verdict_lines(rows))   # with the machine as it was while they were timed
print("Per no-op task (section 4): " + compare_times(dask_task, loky_task, "Dask", "loky").sentence() + ".")

# %% [markdown]
# Read the speed-ups (serial time over parallel time; above 1 means parallel paid) and the verdicts computed under
# them, next to this machine's cores and load. Other programs using the cores distort every timing, either way
# (usually the parallel runs lose; with more processes they can also win a larger share of a busy machine), so compare
# the lines of one run. What to look for:
#
# - **Tiny folds**: when dispatching a fold costs more than the fold itself, parallel loses to the serial loop, and
#   whichever backend costs more per call and per task (section 4 measured both) loses most.
# - **Coarser folds**: in the rule, the fixed costs weigh less as folds grow, and so does Dask's extra cost per task;
#   the verdict lines say whether that showed here. Neither can pass what the cores allow: on free cores, at most 2×
#   for 4 equal folds on 2 workers (cvkit's embedded cluster gives Dask 2 workers too; the line under the table says
#   how many it had); on 1 free core, neither can beat the serial loop.

# %% [markdown]
# On **one machine**, Dask's workers use the same cores as loky's: it adds a scheduler between the notebook and the
# workers (a scheduler hop per task, measured above) and a cluster to start, and no cores beyond the machine's. Dask
# pays when the folds are coarse **and** you need more cores than one machine has — enough more to earn back the
# time the cluster takes to start. The exercise works out where that line lies for one case.

# %% [markdown]
# ## 5. On a real cluster: what changes (described, not run here)
#
# **The address.** Someone starts a scheduler (`dask scheduler`, port 8786 by default) and workers that connect to it
# (`dask worker tcp://scheduler-host:8786`). You connect instead of starting a local cluster — nothing else in the
# notebook changes:
#
# ```python
# client = dask_cluster.get_client("tcp://scheduler-host:8786")   # or: export CVKIT_DASK_SCHEDULER=tcp://...
# with parallel_config(backend="dask"):
#     result = run_folds(SVC(), X, y, cv=10, n_jobs=-1)
# ```
#
# Your own `distributed.Client(address)` works too: `parallel_config(backend="dask")` uses the default client, or pass
# it explicitly, `parallel_config(backend="dask", client=my_client)`.

# %% [markdown]
# **Who starts the workers.** On an HPC cluster (machines shared through a batch system such as SLURM, which
# queues jobs and starts them when machines are free), [dask-jobqueue](https://jobqueue.dask.org) submits jobs that
# each run a worker; on Kubernetes, the [Dask Kubernetes operator](https://kubernetes.dask.org)
# starts worker pods (containers). Both give you a cluster object with the same interface as `LocalCluster`:
#
# ```python
# from dask_jobqueue import SLURMCluster            # pip install dask-jobqueue
# cluster = SLURMCluster(cores=8, processes=8, memory="16GB", walltime="01:00:00")
# cluster.scale(jobs=4)                             # 4 batch jobs = 4 machines × 8 worker processes
# from distributed import Client
# client = Client(cluster)
#
# from dask_kubernetes.operator import KubeCluster  # pip install dask-kubernetes
# cluster = KubeCluster(name="cv", image="ghcr.io/dask/dask:latest", n_workers=4)
# ```
#
# Starting them takes what the batch queue or Kubernetes takes: seconds to many minutes. Count it in (exercise).

# %% [markdown]
# **The same software on every worker.** A task arrives pickled *by reference*: "call
# `cvkit.core.task.fit_and_score_fold` with an `sklearn.svm.SVC`". Each worker must be able to import cvkit, scikit-learn
# and every module your estimator comes from, at compatible versions — use the same container image or environment
# file for workers and notebook. cvkit checks this before the first task leaves and names the worker and the missing
# module, because a task that a worker cannot unpickle can otherwise leave joblib waiting forever.

# %% [markdown]
# **Where the data lives.** cvkit sends X and y inside every fold's task: 10 folds of a 100 MB X move 1 GB through the
# scheduler. Fine for megabytes; for gigabytes, let the workers read the data themselves from storage they all see (a
# shared file system, S3), or send it once with `client.scatter(X, broadcast=True)`. joblib's dask backend does
# scatter large arguments by default, but to one worker only: if that worker dies, the data is lost with it, and every
# fold that needed it fails. That is why cvkit turns it off for its runs.

# %% [markdown]
# **What cvkit sees.** Fold results and traces come back with the tasks. The live "fold started" events that cvkit's
# explorer shows travel to 127.0.0.1, so they reach it only from workers on this machine; and the trace times come
# from each worker's clock, so machines whose clocks are out of sync (not synchronised over the network with NTP) draw
# a shifted Gantt.

# %% [markdown]
# **The dashboard** listens on the scheduler's host (port 8787 by default): reach it through an SSH tunnel, or through
# the Jupyter server with `jupyter-server-proxy`. Do not open the scheduler's ports to the internet — a Dask scheduler
# runs whatever code it is sent; on a shared network, use TLS (encrypted, authenticated connections: `tls://`
# addresses).

# %% [markdown]
# ## 6. The traps, and what cvkit does about them
#
# | trap | what happens with joblib alone | what cvkit does |
# |---|---|---|
# | `Parallel(backend="dask")` | `ValueError: Invalid backend` in a fresh kernel, works later | always uses a `parallel_config` block |
# | a fold kills its worker every time | Dask gives up (`KilledWorker`), but `Parallel` waits **forever** | the run ends at once: that fold is recorded as failed ("its worker process died each of the 2 times it ran"), the other folds are kept |
# | a worker is lost once | Dask retries the task on another worker: it *starts* twice | the fold's first result is kept, one bar in the Gantt; its trace says `attempt=2` |
# | Ctrl-C / the kernel's Interrupt | the signal also reaches the local workers; every later call fails after 10 s ("no worker") | the next run notices the dead cluster and starts a fresh one |
# | a module the workers cannot import | the task cannot be unpickled; the call may hang | checked before the first task leaves: an `ImportError` naming worker and module |
# | `sys.path.insert(...)` after the cluster started | the workers do not see the new folder | cvkit passes the kernel's `sys.path` to its own workers before each run |
#
# When you are done with the cluster, close it (cvkit also does when the kernel exits):

# %%
dask_cluster.close_client()   # (each trap in the table above is reproduced by cvkit's tests/test_dask.py)
print("cluster closed; the next dask run starts a new one")

# %% [markdown]
# ## Summary — key points
#
# - joblib's **dask** backend runs `Parallel`'s tasks on a Dask cluster: select it with
#   `parallel_config(backend="dask")` around unchanged code (never `Parallel(backend="dask")`).
# - Results are identical to loky's and the serial loop's; cvkit's traces come back from the workers, and its Gantt
#   matches Dask's own task stream lane for lane (section 3 checks it).
# - Costs: starting the cluster (section 1 printed how long it took here; seconds to many minutes on a batch system), a
#   scheduler hop per task instead of a pipe (section 4 measured it against loky's), and the data sent with every
#   task.
# - It pays only when folds are coarse and you need more cores than one machine has; on one machine it runs on
#   the same cores as loky, with a scheduler in between.
# - On a real cluster: connect by address, give every worker the same environment, and decide where the data lives.
# - cvkit turns Dask's silent failure modes — a worker-killing fold, a module missing on a worker, a cluster killed
#   by Ctrl-C — into a clear message or a fresh cluster.

# %% [markdown]
# ## Exercise
#
# A study runs **36 folds of 30 s each**. Option A: one machine with **8 cores**, loky, nothing to start. Option B:
# a Dask cluster of **4 such machines** (32 cores, one single-threaded worker process per core), started through the
# batch system — **60 s** until every worker is up — and **7 ms** of dispatch per fold. From the moment you start
# (including B's start-up), how many seconds does each option take? Predict both on paper, check, then run the cell
# after the check to compare with the schedule model of lesson 03. (`CASE` holds the numbers.)

# %%
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson07 import CASE, check_scale_out

loky_seconds = NOT_ANSWERED   # replace NOT_ANSWERED with a number of seconds
dask_seconds = NOT_ANSWERED

# %%
check_scale_out(loky_seconds, dask_seconds)

# %%
# Once you have answered: lesson 03's schedule model runs the same folds, to compare with your arithmetic.
from cvkit.model import predict_schedule

if loky_seconds is NOT_ANSWERED or dask_seconds is NOT_ANSWERED:
    print("Answer first (the cell above), then run this cell.")
else:
    folds = [CASE["fold_seconds"]] * CASE["n_folds"]
    one_machine = predict_schedule(folds, n_jobs=CASE["machine_cores"]).makespan
    cluster = predict_schedule(folds, n_jobs=CASE["machine_cores"] * CASE["n_machines"]).makespan
    dispatch = CASE["n_folds"] * CASE["task_overhead"]
    print(f"A, one machine: the last fold ends at {one_machine:g} s (you said {loky_seconds})")
    print(f"B, the cluster: {CASE['cluster_start']:g} s of start-up + {cluster:g} s of folds + {dispatch:.3f} s of "
          f"dispatch = {CASE['cluster_start'] + cluster + dispatch:.1f} s (you said {dask_seconds})")

# %% [markdown] cvkit_nav="bottom"
# ← [06 Speed-up and its limits](06_speedup_limits.ipynb) · [Index](00_index.ipynb) · [08 Parallel cross-validation in real code](08_real_code.ipynb) →
