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
# ← [01 The serial fold loop](01_serial_fold_loop.ipynb) · [Index](00_index.ipynb) · [03 The task queue: how folds are handed to workers](03_task_queue.ipynb) →

# %% [markdown]
# # Lesson 02 — Parallel folds with `delayed` and `Parallel`

# %% [markdown]
# ## Why it matters
#
# The folds of a cross-validation do not depend on each other, so they can run at the same time on different cores.
# The answer that was widely shared for lesson 01's question does it with joblib's `Parallel` and `delayed` in a few
# lines, and prints the right scores. Yet it fits one global model in every task, reads its data from globals, and
# prints progress lines that few readers decode. This lesson runs that answer as published, next to the serial loop,
# reads its output line by line, shows where its design breaks, and fixes it step by step, checking at every step
# that the parallel scores are exactly the serial ones. Then it measures when parallel folds pay, and how much they
# can pay at most.

# %% [markdown]
# ## Objectives
#
# - Run the widely shared answer and read each line of its `verbose` output: what it counts and where it is printed.
# - Say where `pre_dispatch='1.5*n_jobs'` comes from and what it changes.
# - Say what `delayed(f)(a, b)` returns, and why `Parallel` needs that rather than `f(a, b)`.
# - Say what a task gets in a worker process (copies) and in a thread (the very objects), and why a global model
#   fitted in the task, or a list filled in the task, is a bug.
# - Fix the answer step by step (a clone of the estimator per fold, the data as arguments, results returned) and
#   prove at each step that parallel equals serial.
# - Time serial against parallel on iris and on folds of about half a second, read the verdict computed for this
#   machine, and compute the best speed-up that k folds on w workers allow.
# - Do all of it with one call to `cvkit.run_folds`.

# %% [markdown]
# ## 1. The serial loop
#
# The reference is lesson 01's loop: a new SVC per fold, each fold's weighted f1 and confusion matrix appended to
# lists. It uses the model of the answer below, `SVC(kernel="rbf", C=1.0, gamma=0.25)`. The answer sets `C` and
# `gamma` itself; these values give the scores that were widely shared (gamma = 0.25 is what `gamma="auto"` meant
# on iris's 4 features, lesson 01). Every parallel version below must give exactly these numbers.

# %%
import numpy as np
from joblib import Parallel, delayed
from sklearn import svm
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold

X, y = load_iris(return_X_y=True)
skf = StratifiedKFold(n_splits=5)
splits = list(skf.split(X, y))    # the 5 (train_index, test_index) pairs, kept for reuse

serial_f1, serial_cm = [], []
for train_index, test_index in splits:
    model = svm.SVC(kernel="rbf", C=1.0, gamma=0.25).fit(X[train_index], y[train_index])
    y_pred = model.predict(X[test_index])
    serial_f1.append(f1_score(y[test_index], y_pred, average="weighted"))
    serial_cm.append(confusion_matrix(y[test_index], y_pred))

print("serial f1:", serial_f1)

# %% [markdown]
# ## 2. The widely shared answer, as published
#
# One model `clf` created at the top; a function `train` that fits it on one fold and returns the fold's f1 and
# confusion matrix; one line that runs the 5 folds. In that line, `delayed(train)(train_index, test_index)` writes
# down a call of `train` without making it (section 5), and `Parallel(n_jobs=2, ...)` makes those calls on 2
# *workers*: helper processes that joblib starts, each running one call at a time (section 6). The data, `X`, `y`
# and `skf`, are those of the cell above. Run it:

# %% tags=["nbval-ignore-output"]
clf = svm.SVC(kernel="rbf", C=1.0, gamma=0.25)


def train(train_index, test_index):
    clf.fit(X[train_index], y[train_index])
    y_pred = clf.predict(X[test_index])
    f1 = f1_score(y[test_index], y_pred, average="weighted")
    cm = confusion_matrix(y[test_index], y_pred)
    return f1, cm


out = Parallel(n_jobs=2, verbose=100, pre_dispatch='1.5*n_jobs')(
    delayed(train)(train_index, test_index) for train_index, test_index in skf.split(X, y))

# %% [markdown]
# The lines above change from run to run (the times, and which lines appear at all); section 3 reads them. First the
# result: `out` holds one `(f1, cm)` pair per fold. Compare it with the serial loop:

# %%
print("answer f1:", [f1 for f1, cm in out])

assert [f1 for f1, cm in out] == serial_f1                         # equal, not just close
assert all(np.array_equal(cm, s) for (f1, cm), s in zip(out, serial_cm))
print("same f1 and same confusion matrix as the serial loop, fold by fold")
print("and this notebook's clf, fitted by every task, is fitted:", hasattr(clf, "support_"))

# %% [markdown]
# The scores are right, and yet `clf`, which `train` fitted five times, is not fitted here. Section 6 explains why,
# and what that means for the answer.

# %% [markdown]
# ## 3. Its `verbose` output, line by line
#
# `verbose=100` asks joblib for a line each time a batch of tasks finishes (a *task* is one call of `train`, one
# fold; a *batch* is one or more tasks sent to a worker together). From the top (times shown as `…`):
#
# - `Using backend LokyBackend with 2 concurrent workers.`: the backend (loky, section 6) and the number
#   of workers.
# - `Done   1 tasks      | elapsed: …`, then 2, then 3: that many tasks have finished, that long after the call
#   started (on a session's first call, that includes starting the workers and importing scikit-learn in each).
#   No total: joblib reads the generator a few tasks ahead (section 4), and finds it empty only when the third
#   task finishes.
# - `Batch computation too fast (…s.) Setting batch_size=2.` (in some runs, after `Done   1`): a batch took
#   milliseconds, so joblib now sends tasks in pairs, to spread the cost of sending (lesson 03).
# - No line for the fourth task: once joblib knows the total, it prints no line when a single task is left. (With
#   more tasks, lines like `Done   7 out of  10 | … remaining: …` come first, with a guess of the time left.)
# - `Done   5 out of   5 | elapsed: … finished`: every task is done. (An early `Done   1 out of   1 | … finished`
#   can appear too, when the first task ends before joblib has sent the second.)

# %% [markdown]
# **Where these lines go.** joblib writes them itself, in this notebook's process, never in a worker. A program
# has two output streams: *stdout* for its output (where `print` writes) and *stderr* for messages. Which one joblib
# uses depends on `verbose`; its docstring says *"if non zero, progress messages are printed. Above 50, the output
# is sent to stdout."* So the answer's `verbose=100` sends them to stdout, and `verbose=10` to stderr (its code
# checks `verbose < 50`, so 50 itself goes to stdout).
#
# In a notebook both streams appear under the cell that made the call; JupyterLab shades stderr in light red. In a
# terminal both appear on the screen, but `python answer.py > log.txt` keeps only stdout in the file (`2> err.txt`
# keeps stderr). The cell below captures the two streams of two runs with the answer's settings, apart:

# %%
import os
import re

from cvkit.lab.shared_answer import capture_streams

workers = {}                                                      # verbose -> process ids of the workers
for verbose in (100, 10):
    run = capture_streams(lambda: Parallel(n_jobs=2, verbose=verbose, pre_dispatch="1.5*n_jobs")(
        delayed(os.getpid)() for _ in range(5)))                  # 5 tiny tasks, each returns its worker's process id
    workers[verbose] = set(run.result)
    lines = run.stdout + run.stderr
    assert lines and not (run.stdout and run.stderr)               # every line on one stream
    print(f"verbose={verbose}: every line on", "stdout" if run.stdout else "stderr")
    print("  last line:", re.sub(r"elapsed:\s+\S+", "elapsed: …", lines[-1]))

# %% [markdown]
# **A side effect of `verbose`.** joblib hands loky's pool of worker processes a `verbose` of its own, `verbose`
# minus 50 (0 when that is negative), and loky reuses a pool only if its settings are unchanged. So switching
# between a `verbose` above 50 and any other value replaces the workers, and the next call pays their start-up
# again. The two calls above ran in different worker processes:

# %%
print("the verbose=10 call ran in new worker processes:", not workers[100] & workers[10])
assert not workers[100] & workers[10]

# %% [markdown]
# ## 4. `pre_dispatch='1.5*n_jobs'`
#
# The answer's arguments `n_jobs=2, verbose=100, pre_dispatch='1.5*n_jobs'` are those of the last example in
# joblib's own documentation of `Parallel` (its docstring, in `joblib/parallel.py`):

# %%
import textwrap

import joblib

doc = joblib.Parallel.__doc__
start = doc.rindex("\n", 0, doc.index("Using pre_dispatch in a producer/consumer")) + 1
print(textwrap.dedent(doc[start:]).strip())

# %% [markdown]
# In that example the generator is a *producer* that makes each task's data when joblib reads it: `Produced 0`,
# `1`, `2` come before any task is done, and the rest one at a time as tasks finish.
#
# `pre_dispatch` is how many tasks joblib reads from the generator, and sends to the workers, at the start; it
# reads the others as tasks finish. joblib replaces `n_jobs` by the number of workers and cuts off the fraction:
# int(1.5 × 2) = 3, against int(2 × 2) = 4 with the default `'2*n_jobs'`. (The docstring's parameter text says
# *batches*; at the start joblib's code reads that many tasks.) With the answer's 5 folds: 3 sent at first instead
# of 4. Counted, with 5 tasks that each sleep 0.2 s so that none can finish while joblib is still reading:

# %%
from cvkit.lab.shared_answer import tasks_sent_ahead

expected = {"1.5*n_jobs": int(1.5 * 2), "2*n_jobs": int(2 * 2)}   # n_jobs=2
for setting, count in expected.items():
    ahead = tasks_sent_ahead(setting, n_tasks=5, n_jobs=2)
    print(f"pre_dispatch={setting!r}: {ahead} of the 5 tasks read before the first one finished")
    assert ahead == count

# %% [markdown]
# Why send fewer? Each task read ahead keeps its arguments in memory while it waits for a worker: with big
# arguments, or a producer that loads data, `pre_dispatch` bounds that memory. With 5 folds of iris row numbers it
# changes no score: section 2's run used it and gave the serial ones. Lesson 03 follows the queue task by task.

# %% [markdown]
# ## 5. What `delayed` builds
#
# In the answer's last line, `delayed(train)(train_index, test_index)` does **not** call `train`. It returns a
# plain tuple `(function, args, kwargs)`, a description of the call:

# %%
task = delayed(train)(*splits[0])
function, args, kwargs = task
print(type(task).__name__, "of", len(task), "| function:", function.__name__, "| kwargs:", kwargs)
print("args:", [f"array of {len(a)} row numbers" for a in args])

# %% [markdown]
# `Parallel` decides where and when each call runs (in which worker, as soon as one is free), so it needs the call as
# data it can send, not a result already computed. Had the answer written `train(train_index, test_index)` in the
# generator, each fold would run right here as `Parallel` reads it, and `Parallel` would then fail on the
# `(f1, cm)` it got instead of a task.
#
# With `n_jobs=1`, `Parallel` runs the calls itself, one after the other, in this process. A function that writes
# down its calls shows that `delayed` runs nothing and `Parallel` runs them all:

# %%
calls = []


def record(i):
    calls.append(i)
    return i * 10


pending = [delayed(record)(i) for i in range(3)]
print("after delayed :", calls)
print("Parallel gave :", Parallel(n_jobs=1)(pending))
print("after Parallel:", calls)

# %% [markdown]
# ## 6. What a task gets: copies, or the very objects
#
# - **loky**, the default backend, runs tasks in worker processes. A task reaches its worker **pickled**: turned
#   into bytes that can travel to another process, and rebuilt there as new objects. A function defined in the
#   notebook travels with the globals it reads (`clf`, `X`, `y`), so the tasks fit copies of `clf` in the workers,
#   one task at a time per worker, and the notebook's `clf` is never touched.
#   That is why the answer's scores are right: by luck, not by design.
# - **threading** runs tasks as threads of this process, which share its memory: every task fits and predicts with
#   the one `clf`. If fold 1 fits it between fold 0's fit and fold 0's predict, fold 0 is scored with fold 1's
#   model.
# - **`n_jobs=1`** runs the tasks here, one after the other: the scores are right, but `clf` keeps the last fit.

# %% [markdown]
# Whether two threads meet in that bad order depends on timing, so a plain run may show it or not. cvkit's
# `in_lockstep` forces the order: it runs tasks as threads, lets fold 0 fit, then fold 1, and only then lets either
# go on to predict. The answer's own `train`, on folds 0 and 1:

# %%
from cvkit.lab.shared_answer import in_lockstep

in_threads = in_lockstep([delayed(train)(tr, te) for tr, te in splits[:2]])
print("answer in two threads, folds 0 and 1:", [f1 for f1, cm in in_threads])
print("serial loop,           folds 0 and 1:", serial_f1[:2])
assert in_threads[0][0] != serial_f1[0]

# %% [markdown]
# Fold 0 was scored with the model fitted for fold 1, whose training rows **include fold 0's test rows**: a perfect
# 1.0 on flowers that model was trained on. The wrong score is too good, and nothing warns you. (Lesson 05 runs all
# five folds under each backend.)
#
# And with `n_jobs=1`, the answer leaves `clf` fitted on the last fold's rows, for anyone who uses it next:

# %%
Parallel(n_jobs=1)(delayed(train)(tr, te) for tr, te in splits)
last_train = splits[-1][0]
fitted_on_last = svm.SVC(kernel="rbf", C=1.0, gamma=0.25).fit(X[last_train], y[last_train])
print("clf holds the last fold's fit:", np.array_equal(clf.support_, fitted_on_last.support_))

# %% [markdown]
# ## 7. The list that stays empty
#
# The serial loop appends to lists. The natural first parallel version keeps the `append` inside the task and
# returns nothing:

# %%
f1_list = []


def train_and_append(train_index, test_index):
    model = svm.SVC(kernel="rbf", C=1.0, gamma=0.25).fit(X[train_index], y[train_index])
    f1_list.append(f1_score(y[test_index], model.predict(X[test_index]), average="weighted"))


Parallel(n_jobs=2)(delayed(train_and_append)(tr, te) for tr, te in splits)
print("f1_list after loky:", f1_list)
assert f1_list == []

# %% [markdown]
# Each task appended to the copy of `f1_list` that travelled with it to its worker. Those copies stay in the workers
# and are thrown away; the notebook's list stays empty, with no error and no warning. With threads, the tasks
# append to the notebook's list itself:

# %%
Parallel(n_jobs=2, backend="threading")(delayed(train_and_append)(tr, te) for tr, te in splits)
print("f1_list after threading holds", len(f1_list), "scores; sorted, the serial ones:",
      sorted(f1_list) == sorted(serial_f1))
assert sorted(f1_list) == sorted(serial_f1)


# %% [markdown]
# It fills in the order the threads finish, which can change from run to run (so only the sorted list is printed
# here): `f1_list[0]` need not be fold 0's score. The fix is what the answer already does: **return** the results.
# `Parallel` returns one result per task, in the order of the tasks, whichever finished first.

# %% [markdown]
# ## 8. The answer, fixed step by step
#
# **Step 1: one model per fold.** Pass the estimator in and fit a `clone` of it. `clone(estimator)` returns a new,
# unfitted estimator with the same parameters, so no task changes anything another task uses. Checked on loky, and
# in the unlucky order of section 6:

# %%
def train_step1(estimator, train_index, test_index):
    model = clone(estimator).fit(X[train_index], y[train_index])    # a new model for this fold
    y_pred = model.predict(X[test_index])
    return f1_score(y[test_index], y_pred, average="weighted"), confusion_matrix(y[test_index], y_pred)


estimator = svm.SVC(kernel="rbf", C=1.0, gamma=0.25)
step1 = Parallel(n_jobs=2)(delayed(train_step1)(estimator, tr, te) for tr, te in splits)
step1_threads = in_lockstep([delayed(train_step1)(estimator, tr, te) for tr, te in splits[:2]])

assert [f1 for f1, cm in step1] == serial_f1
assert [f1 for f1, cm in step1_threads] == serial_f1[:2]
assert not hasattr(estimator, "support_")
print("step 1: parallel == serial on loky and in lockstep threads; the estimator passed in is still unfitted")

# %% [markdown]
# **Step 2: the data as arguments.** `train_step1` still reads `X` and `y` from the notebook's globals. On loky that
# works only because the function travels with them. Move it into a module (a `.py` file, where fold code ends up
# once it grows) and it breaks: a worker imports the module for itself and sees that module's globals as the import
# left them, not what the notebook assigned. cvkit's module `shared_answer` has globals `X` and `y`, and a function
# that reports the shape of `X` it sees:

# %%
import cvkit.lab.shared_answer as module

module.X, module.y = X, y                                   # assigned in this process only
print("here      :", module.data_seen_here())
print("in workers:", Parallel(n_jobs=2)(delayed(module.data_seen_here)() for _ in range(2)))


# %% [markdown]
# With the data as arguments the function depends on nothing but what it is given, and it runs unchanged on other
# data (section 10 uses it on a bigger set):

# %%
def fit_and_score(estimator, X, y, train_index, test_index):
    """Fit a clone of ``estimator`` on a fold's training rows; return the test rows' weighted f1 and confusion matrix."""
    model = clone(estimator).fit(X[train_index], y[train_index])
    y_pred = model.predict(X[test_index])
    return f1_score(y[test_index], y_pred, average="weighted"), confusion_matrix(y[test_index], y_pred)


results = Parallel(n_jobs=2, pre_dispatch="1.5*n_jobs")(
    delayed(fit_and_score)(estimator, X, y, tr, te) for tr, te in splits)

assert [f1 for f1, cm in results] == serial_f1
assert all(np.array_equal(cm, s) for (f1, cm), s in zip(results, serial_cm))
print("step 2: parallel == serial, f1 and confusion matrix, fold by fold")

# %% [markdown]
# **Step 3: results returned, not appended.** Already so: `fit_and_score` returns its f1 and matrix, and `Parallel`
# hands them back in fold order. Each fold does the same arithmetic on the same rows whichever process runs it, and
# fitting an SVC involves no randomness, so the results equal the serial ones to the last digit. This is, in
# essence, what scikit-learn's `cross_validate` does, and `cvkit.run_folds` (section 11).

# %% [markdown]
# ## 9. Timing on iris
#
# Time the serial loop and `Parallel(n_jobs=2)` on iris, 7 times each, interleaved, and keep the fastest run of each:
# noise on a shared machine only ever adds time (and loky keeps its workers between calls, so only a first call pays
# to start them). A third timing, a `Parallel` call of 5 tasks that do nothing, shows what a call costs by itself.

# %%
import math
import time

from cvkit.core.verdicts import NOISE, best_time, compare_times, fmt_seconds, speedup_limit, watch_machine

serial_cpu = []                                  # the serial loop's CPU time, run by run


def run_serial():
    cpu_start = time.process_time()
    scores = [fit_and_score(estimator, X, y, tr, te) for tr, te in splits]
    serial_cpu.append(time.process_time() - cpu_start)
    return scores


def run_parallel():
    return Parallel(n_jobs=2)(delayed(fit_and_score)(estimator, X, y, tr, te) for tr, te in splits)


def run_empty():
    return Parallel(n_jobs=2)(delayed(len)(tr) for tr, te in splits)


runs = {run_serial: [], run_parallel: [], run_empty: []}
with watch_machine() as iris_watch:              # what other programs did while we measured
    for _ in range(7):                           # interleaved: a busy moment slows all three alike
        for run, times in runs.items():
            times.append(best_time(run, repeats=1)[0])
t_serial, t_parallel, t_empty = (min(times) for times in runs.values())
# The serial loop runs in this process: its CPU time is what it costs, and other programs cannot add to it.
serial_cost = min(t_serial, min(serial_cpu))

print(f"serial loop, 5 folds              : {fmt_seconds(t_serial)} ({fmt_seconds(t_serial / 5)} per fold)")
print(f"Parallel(n_jobs=2), 5 folds       : {fmt_seconds(t_parallel)}")
print(f"Parallel(n_jobs=2), 5 empty tasks : {fmt_seconds(t_empty)}")

# %% tags=["nbval-ignore-output"]
iris = compare_times(t_parallel, t_serial, "Parallel(n_jobs=2)", "the serial loop", machine=iris_watch.machine)
print(iris)
bound = 5 / math.ceil(5 / 2)                     # 5 folds on 2 workers: 3 rounds (section 10)
print(f"The most two workers could save: {fmt_seconds(t_serial * (1 - 1 / bound))} on two free cores "
      f"(at best 3/5 of the serial time). The cost of a call of 5 empty tasks: {fmt_seconds(t_empty)}.")
if iris.machine.busy:
    print("Other programs kept at least half of the cores busy while we measured: these timings say as much about "
          "the load as about the workers (section 10).")
elif iris.machine.cores == 1:
    print("This notebook has 1 core: the two workers took turns on it.")

# On any machine: no more than the bound 5 / ceil(5 / 2) allows, nor the cores, give or take noise, unless other
# programs kept the cores busy while we measured (then no limit holds a timing).
iris_limit = speedup_limit(5, 2, iris.machine)
assert serial_cost / t_parallel <= iris_limit * (1 + NOISE)

# %% [markdown]
# The first line is the verdict on this machine, computed from the two times above it. What decides it: 5 folds on
# two workers need 3 rounds, so they can at most cut the serial time to 3/5 (section 10), and only when the machine
# gives them two cores. And a `Parallel` call costs time of its own, even for tasks that do nothing: every task is
# pickled and sent to a worker, and every result is pickled and sent back. Real tasks cost more than empty ones,
# since their arguments (the estimator, `X`, `y`) travel too. When that cost is as large as the time two workers
# could save (compare the two times on the second line), splitting the work cannot pay it back.

# %% [markdown]
# ## 10. Longer folds, and the ceiling
#
# Take a bigger problem: cvkit's synthetic data, with rows chosen so that one fold of an SVC with its default
# parameters needs about half a second of CPU time here (`load_dataset("synthetic", fold_seconds=0.5)`, so the rows,
# and the scores, differ from machine to machine); when other programs share the cores a fold takes longer on the
# clock. The same `fit_and_score` runs it. Use 4 folds to keep this notebook quick, time each version twice,
# interleaved, and keep the faster run of each.

# %%
from cvkit import load_dataset

X_big, y_big = load_dataset("synthetic", fold_seconds=0.5)
big_splits = list(StratifiedKFold(n_splits=4).split(X_big, y_big))
big_estimator = svm.SVC(kernel="rbf")

serial_runs, serial_costs, parallel_runs, big_watches = [], [], [], []
for _ in range(2):                               # interleaved; the faster run of each counts
    with watch_machine() as watch:
        start, cpu_start = time.perf_counter(), time.process_time()
        serial_big = [fit_and_score(big_estimator, X_big, y_big, tr, te) for tr, te in big_splits]
        serial_runs.append(time.perf_counter() - start)
        serial_costs.append(min(serial_runs[-1], time.process_time() - cpu_start))   # CPU time: load cannot add to it
    big_watches.append(watch.machine)
    with watch_machine() as watch:
        start = time.perf_counter()
        parallel_big = Parallel(n_jobs=2)(
            delayed(fit_and_score)(big_estimator, X_big, y_big, tr, te) for tr, te in big_splits)
        parallel_runs.append(time.perf_counter() - start)
    big_watches.append(watch.machine)
t_serial_big, t_parallel_big = min(serial_runs), min(parallel_runs)

assert [f1 for f1, _ in parallel_big] == [f1 for f1, _ in serial_big]
assert all(np.array_equal(p, s) for (_, p), (_, s) in zip(parallel_big, serial_big))
print("the same f1 and confusion matrix in serial and in parallel, fold by fold")
print(f"serial loop        : {fmt_seconds(t_serial_big)} ({fmt_seconds(t_serial_big / 4)} per fold)")
print(f"Parallel(n_jobs=2) : {fmt_seconds(t_parallel_big)}")

# %% [markdown]
# Each fold now does far more work than on iris (the verdict cell below prints one fold's time next to the cost of
# a call of empty tasks). What two workers make of it depends on the cores they get: with two free cores they run
# two folds at a time; on one core they take turns, and parallel cannot beat the serial loop. When other programs
# keep the cores busy, the measured gain can shrink, or grow past the ceiling as the workers win a larger share of
# the cores: it then says as much about the load as about the workers. That is why serial and parallel are timed in
# the same run, and why the verdict comes with the machine's cores and load.

# %% [markdown]
# **The ceiling.** A fold cannot be split between workers. With k equal folds on w workers, the folds run in
# ceil(k / w) rounds of one fold-time each, while the serial loop takes k fold-times. So the best possible speed-up
# is k / ceil(k / w). On free cores no run does more than the machine's cores' worth of work at a time either, so on
# c cores the limit is min(k / ceil(k / w), c). The overheads only lower it:

# %%
n_folds, n_workers = len(big_splits), 2
rounds = math.ceil(n_folds / n_workers)
ceiling = n_folds / rounds
print(f"{n_folds} folds on {n_workers} workers: {rounds} rounds, best speed-up {n_folds}/{rounds} = {ceiling:.2f}×")

# %% tags=["nbval-ignore-output"]
here = next((m for m in big_watches if m.busy), big_watches[-1])   # busy if any of the four runs was
limit = speedup_limit(n_folds, n_workers, here)  # min(ceiling, cores); infinite if other programs competed
big = compare_times(t_parallel_big, t_serial_big, "Parallel(n_jobs=2)", "the serial loop", machine=here)
megabytes = X_big.nbytes / 2**20
print(f"X_big: {X_big.shape[0]} rows, {megabytes:.1f} MiB, so joblib sends it to the workers as "
      f"{'a memory-mapped file' if megabytes > 1 else 'pickled bytes'}.")
print(f"One fold took {fmt_seconds(t_serial_big / n_folds)} here, "
      f"{t_serial_big / n_folds / t_empty:.0f}× the cost of a call of 5 empty tasks ({fmt_seconds(t_empty)}).")
print(big)
if here.busy:
    print(f"Measured {big.speedup:.2f}×. Other programs kept at least half of the cores busy during these runs: "
          "no limit holds a timing then.")
else:
    print(f"The limit here: min(ceiling {ceiling:.2f}×, {here.cores} core{'s' * (here.cores > 1)}) = {limit:.2f}×. "
          f"Measured {big.speedup:.2f}×; the time at the limit is {fmt_seconds(t_serial_big / limit)}, "
          f"measured {fmt_seconds(t_parallel_big)}.")

# On any machine: the measured speed-up does not pass the ceiling, nor the cores, by more than noise, unless other
# programs kept the cores busy during one of the runs (then no limit holds a timing).
# The reference is the serial loop's cost (its CPU time when smaller), which other programs cannot inflate.
assert min(serial_costs) / t_parallel_big <= limit * (1 + NOISE)

# %% [markdown]
# Where the time beyond the limit goes: sending the tasks and the data to the workers and the results back (joblib
# pickles an array argument up to 1 MiB; a bigger one it writes once to a *memory-mapped file*, a file that every
# worker reads as if it were in its own memory: the first line above says which `X_big` got), and two folds
# computing at once on two cores share the machine's memory and caches, so each may run a little slower than alone.
# Other programs take their share of the cores too. (Two runs of each are few: if something slowed both serial runs
# for a moment, the speed-up can even come out a little above the limit. That is noise in the serial time, not a
# speed-up beyond the ceiling; run the two cells again to see it.)

# %% [markdown]
# ## 11. The same with cvkit, in one call
#
# `cvkit.run_folds` does all of the above (a clone per fold, one `delayed` task per fold, `Parallel`) and keeps each
# fold's f1, confusion matrix and a trace of who ran it when.

# %%
import cvkit

result = cvkit.run_folds(estimator, X, y, cv=StratifiedKFold(5), n_jobs=2, backend="loky")
print(result.summary())

assert result.scores.tolist() == serial_f1
assert all(np.array_equal(fold.confusion_matrix, s) for fold, s in zip(result.folds, serial_cm))
result.to_frame(timings=False)

# %% [markdown]
# And the confusion matrix of every fold, with their sum last (every flower is tested exactly once):

# %%
from cvkit.plots import plot_confusion_matrices

fig = plot_confusion_matrices(result, display_labels=["setosa", "versicolor", "virginica"])


# %% [markdown]
# ## Summary — key points

# %% [markdown]
# - The widely shared answer, `Parallel(n_jobs=2, verbose=100, pre_dispatch='1.5*n_jobs')(delayed(train)(tr, te)
#   for ...)`, prints the serial scores, but only by luck: under loky each task fits its own pickled copy of the
#   global `clf`.
# - Its progress lines count finished tasks ("`N tasks`" until joblib has read the last task, then "`N out of 5`")
#   and the time since the call began. joblib prints them in this process: to stdout when `verbose` is 50 or
#   more, to stderr below; and switching `verbose` between a value above 50 and any other starts new workers.
# - `pre_dispatch='1.5*n_jobs'` comes from joblib's docstring example: int(1.5 × 2) = 3 tasks are read and sent
#   ahead at the start, instead of the default's 4. It bounds memory; it does not change the scores.
# - `delayed(f)(a, b)` does not run `f`: it returns the tuple `(f, (a, b), {})`, a call that `Parallel` can send.
# - A worker process gets copies of what a task uses; threads share the very objects. So a list appended to inside
#   the task stays empty under loky, and one model fitted by every task can score a fold with another fold's fit
#   under threads.
# - The fix: a function of `(estimator, X, y, train_index, test_index)` that fits `clone(estimator)` and
#   **returns** its results. Parallel then equals serial, fold by fold, on every backend.

# %% [markdown]
# - Parallel has a price per call and a start-up cost, and it can use no more cores than the machine gives it.
#   Whether it pays is a measurement: time serial and parallel in the same session, on the machine that will run them
#   (sections 9 and 10 printed the verdicts for this one).
# - k equal folds on w workers take ceil(k / w) rounds: on free cores the speed-up can never exceed k / ceil(k / w),
#   nor the number of cores; a timing taken while other programs compete can pass both.
# - `cvkit.run_folds(estimator, X, y, cv=StratifiedKFold(5), n_jobs=2, backend="loky")` does it all in one call.

# %% [markdown]
# ## Exercise
#
# A colleague tries four other ways to write the task. Each variant runs its 5 folds with
# `Parallel(n_jobs=2, backend=...)(tasks[v])`, with `tasks` built in the cell below:
#
# 1. the data passed in as arguments; the task fits the global `clf`;
# 2. the model passed in as an argument (`clf`, for every task); the task fits it;
# 3. the task fits `clone(clf)`, made inside the task; the data come from the globals;
# 4. one clone, `own_clf = clone(clf)`, made once before `Parallel`; the task fits `own_clf`.
#
# **Predict**, for each backend, which variants can score some fold with a model fitted on another fold's rows,
# so that a score can differ from the serial loop's: `wrong_with_threads` for `backend="threading"` and
# `wrong_with_loky` for loky, each a list of variant numbers (`[]` for none). Run the check; its hints point at the
# variant to think over. **Then run** each variant in lockstep threads (last cell) and compare with the serial
# scores of folds 0 and 1.

# %%
def variant_1(X, y, train_index, test_index):
    clf.fit(X[train_index], y[train_index])
    return f1_score(y[test_index], clf.predict(X[test_index]), average="weighted")


def variant_2(model, X, y, train_index, test_index):
    model.fit(X[train_index], y[train_index])
    return f1_score(y[test_index], model.predict(X[test_index]), average="weighted")


def variant_3(train_index, test_index):
    model = clone(clf)
    model.fit(X[train_index], y[train_index])
    return f1_score(y[test_index], model.predict(X[test_index]), average="weighted")


own_clf = clone(clf)


def variant_4(train_index, test_index):
    own_clf.fit(X[train_index], y[train_index])
    return f1_score(y[test_index], own_clf.predict(X[test_index]), average="weighted")


tasks = {
    1: [delayed(variant_1)(X, y, tr, te) for tr, te in splits],
    2: [delayed(variant_2)(clf, X, y, tr, te) for tr, te in splits],
    3: [delayed(variant_3)(tr, te) for tr, te in splits],
    4: [delayed(variant_4)(tr, te) for tr, te in splits],
}

# %%
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson02 import check_shared_model

wrong_with_threads = NOT_ANSWERED   # replace with a list of variant numbers, or [] for none
wrong_with_loky = NOT_ANSWERED

# %%
check_shared_model(wrong_with_threads, wrong_with_loky)

# %%
# After your prediction, for each variant v: run folds 0 and 1 in lockstep threads (fold 0 fits, then fold 1,
# then both predict) and compare with serial_f1[:2]; then run all 5 folds on loky and compare with serial_f1.
# For example, variant 1:
# in_lockstep(tasks[1][:2])
# Parallel(n_jobs=2)(tasks[1])

# %% [markdown] cvkit_nav="bottom"
# ← [01 The serial fold loop](01_serial_fold_loop.ipynb) · [Index](00_index.ipynb) · [03 The task queue: how folds are handed to workers](03_task_queue.ipynb) →
