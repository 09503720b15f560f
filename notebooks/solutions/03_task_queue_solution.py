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
# Solution of [03 The task queue: how folds are handed to workers](../03_task_queue.ipynb) · [Index](../00_index.ipynb)

# %% [markdown]
# # Lesson 03 — Exercise solution
#
# **Part 1. A head start.** 15 equal folds, 2 workers, `batch_size=1`; worker 1 can take folds only from t = 22 ms.
# The queue always holds a fold for a free worker (4 are dispatched ahead, and each completion dispatches one more), so
# the question is only *when each worker is free*.
#
# **(a) Folds of 5 ms.** Mark the moments worker 0 is free:
#
# | t (ms) | what happens |
# |---|---|
# | 0 | worker 0 takes fold 0 (until 5); worker 1 is not ready |
# | 5, 10, 15 | worker 0 takes folds 1, 2, 3, alone |
# | 20 | worker 0 is free, worker 1 still is not: worker 0 takes fold 4 (until 25) |
# | 22 | worker 1 is ready and takes fold 5 (until 27) |
# | 25, 27, 30, 32, … | the two take the other folds in turn, worker 0 first |

# %% [markdown]
# Worker 0 starts 5 folds alone: 22 ms is 4.4 folds of 5 ms, and a fold it has started it finishes. The other 10 are
# shared in turns, 5 + 5. So **10 + 5**. Dealing the folds out in rounds (8 + 7) forgets the head start; stopping at 4
# folds alone (9 + 6) forgets that worker 0 is free again at 20 ms, before worker 1 is ready.
#
# **(b) Folds of 0.5 s.** Worker 1 is ready while worker 0 is still in its first fold: it takes fold 1 at 22 ms. From
# then on the two are free in turn, 22 ms apart, as in rounds: **8 + 7**. The head start is 0.044 of a fold here.
#
# A head start counts in folds. The same 22 ms gives worker 0 five tiny folds of its own, and not one long fold.

# %%
import itertools

import cvkit
from sklearn.svm import SVC

from cvkit.exercises.lesson03 import (
    HEAD_START_CASE,
    UNEQUAL_CASE,
    check_head_start,
    check_schedule,
    check_unequal_folds,
)
from cvkit.plots import plot_gantt
from cvkit.model import list_scheduling_bound, predict_schedule
from cvkit.lab.speedup import stop_workers
from cvkit.lab.tiny_folds import describe_cold_run, fold_split, head_start_schedule
from cvkit.core.verdicts import machine

# %matplotlib inline

check_head_start([10, 5], [8, 7])

# %% [markdown]
# `cvkit.lab.tiny_folds.head_start_schedule` replays this reasoning: each fold, in fold order, to the worker free first,
# with worker 1 free only from 22 ms (times in seconds):

# %%
case = HEAD_START_CASE
tiny = head_start_schedule([case["tiny_fold"]] * case["n_folds"], ready_at=[0.0, case["head_start"]])
print(tiny.describe())
print("folds per worker:", fold_split(tiny), "| with 0.5 s folds:",
      fold_split(head_start_schedule([case["long_fold"]] * case["n_folds"], ready_at=[0.0, case["head_start"]])))
ax = plot_gantt(tiny, title="15 folds of 5 ms, worker 1 ready at 22 ms")

# %% [markdown]
# **The run.** A real cold pool differs from the exercise in two ways. Its head start is the difference between two
# workers' start-ups (starting a process, importing scikit-learn): smaller when each worker has a free core and the
# imports run side by side, larger when they take turns on one core. The cell below measures it, in iris folds. And
# each worker takes its first fold the moment it exists, before it is ready (it imports scikit-learn while unpickling
# that fold), so even the late worker runs that one fold. `describe_cold_run` applies the reasoning of (a) to the head
# start measured here, with those first folds fixed:

# %% tags=["nbval-ignore-output"]
X_iris, y_iris = cvkit.load_dataset("iris")
serial = cvkit.run_folds(SVC(), X_iris, y_iris, cv=15, n_jobs=1)
iris_fold = sorted(fold.trace.duration for fold in serial.folds)[7]   # the median fold
stop_workers()   # a cold pool
cold15 = cvkit.run_folds(SVC(), X_iris, y_iris, cv=15, n_jobs=2, backend="loky", batch_size=1)
print(describe_cold_run(cold15, fold_seconds=iris_fold))
print(f"Measured on {machine()}.")
assert sum(fold_split(cold15)) == 15 and cold15.scores.tolist() == serial.scores.tolist()

# %% [markdown]
# With the head start measured in folds, the same reasoning predicts the split: close to the measured one, though not
# always to the fold, since sending each fold and returning its result take time too, which the reasoning leaves out.
# When the head start is many folds long, the worker ready first runs nearly everything; on a warm pool there is no
# head start at all.

# %% [markdown]
# **Part 2.** Folds of 1.5, 1, 1, 1, 2 and 1 s on 2 workers. With `pre_dispatch="2*n_jobs"` folds 0 to 3 are
# dispatched at the start, and each completion dispatches one more, so the queue is never empty while folds remain.
# Follow the moments at which a worker becomes free:
#
# | t | what happens |
# |---|---|
# | 0 | worker 0 takes fold 0 (until 1.5), worker 1 takes fold 1 (until 1) |
# | 1 | worker 1 is free and takes fold 2 (until 2) |
# | 1.5 | worker 0 is free and takes fold 3 (until 2.5) |
# | 2 | worker 1 takes fold 4, the 2-second one (until 4) |
# | 2.5 | worker 0 takes fold 5 (until 3.5), then has nothing left |
#
# Worker 0 runs folds 0, 3, 5; worker 1 runs folds 1, 2, 4. The slowest lane, worker 1's, ends at t = 4: that is
# the makespan.

# %%
check_unequal_folds([[0, 3, 5], [1, 2, 4]], 4)

# %%
unequal = predict_schedule(UNEQUAL_CASE["durations"], n_jobs=2)
print(unequal.describe())
ax = plot_gantt(unequal)

# %% [markdown]
# **Could another order do better?** The two limits are 7.5 s of work / 2 workers = 3.75 and the longest fold, 2.
# Try every order of the six folds with greedy list scheduling (what the queue does):

# %%
durations = UNEQUAL_CASE["durations"]
best = min(list_scheduling_bound(order, 2) for order in itertools.permutations(durations))
print("work / workers:", sum(durations) / 2, "| best makespan over all orders:", best)

# %% [markdown]
# No order beats 4: no split of these six durations into two lanes is more even than 3.5 and 4. Here the order of
# the folds cost nothing; in section 5 of the lesson (a fold 3 times longer, dispatched last) it cost a whole fold-time.
#
# **Going further**, with `check_schedule`: the same case with `pre_dispatch=1` is serial, with the folds alternating
# between the workers (the worker idle longest takes the next fold):

# %%
check_schedule([[0, 2, 4], [1, 3, 5]], 7.5, UNEQUAL_CASE["durations"], 2, pre_dispatch=1)

# %% [markdown] cvkit_nav="bottom"
# Solution of [03 The task queue: how folds are handed to workers](../03_task_queue.ipynb) · [Index](../00_index.ipynb)
