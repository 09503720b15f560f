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
# ← [02 Parallel folds with `delayed` and `Parallel`](02_parallel_delayed.ipynb) · [Index](00_index.ipynb) · [04 The live explorer: watch folds fill the workers](04_explorer.ipynb) →

# %% [markdown]
# # Lesson 03 — The task queue: how folds are handed to workers

# %% [markdown]
# ## Why it matters
#
# The question behind this kit ends with: *"if I have 5, 10, 15 folds, how are they assigned to 1, 2, 4
# processors?"* The short answer surprises many people: **they are not assigned in advance.** joblib keeps a queue,
# and a worker that is free takes the next fold. From that one rule follow how many folds each worker runs, how long
# the run lasts, and a ceiling that no tuning can break: 5 equal folds on 2 workers take 3 rounds, so on free cores they
# can never run more than 5/3 ≈ 1.67 times faster than the serial loop.
#
# The question's own folds add a twist. An iris fold takes a few milliseconds: not much longer than sending it to a worker
# and bringing its result back, and far less than starting a worker. Then joblib sends folds in groups, and the worker
# that is ready first can run most of them: tiny folds need not be shared in rounds.
#
# This lesson builds a model of the queue (`cvkit.model`), answers the question with it, measures real runs on this
# machine and draws both as Gantt charts side by side, then runs the question's own iris folds.

# %% [markdown]
# ## Objectives
#
# - Describe joblib's queue in plain words: `pre_dispatch`, idle workers taking the next task, `batch_size`, and the
#   order in which results come back.
# - For k equal folds on w workers, give the folds per worker, the number of rounds ceil(k / w) and the best
#   speed-up k / ceil(k / w).
# - Say what `pre_dispatch='1.5*n_jobs'`, the widely shared answer's setting, changes.
# - Read a Gantt chart, and compare a measured run with the model's prediction.
# - Explain why the makespan (the time until the last fold ends) follows the slowest lane, and why the order of
#   unequal folds matters.
# - Say what happens when `n_jobs` is larger than the number of cores.
# - Explain why tiny folds (iris) are not shared in rounds — batches and a cold pool — and what `batch_size=1` and
#   a warm pool change.

# %% [markdown]
# ## 1. Setup
#
# The model lives in `cvkit.model`, the charts in `cvkit.plots`. Section 4 measures runs on cvkit's synthetic data,
# with as many rows as make one `SVC()` fold need about a tenth of a second of CPU time on this machine
# (`load_dataset("synthetic", fold_seconds=0.1)`): long enough to see, short enough for the whole lesson to run
# quickly. When other programs share the cores, a fold takes longer on the clock than its CPU time: section 4 prints
# the fold time it measured. Section 7 runs the question's own data, iris.

# %%
import time

import joblib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.svm import SVC

import cvkit
from cvkit.core.verdicts import NOISE, compare_times, fmt_seconds, judge, machine, speedup_limit, watch_machine
from cvkit.plots import plot_gantt, plot_measured_vs_predicted, plot_queue
from cvkit.model import (
    counts_agree,
    list_scheduling_bound,
    predict_from_result,
    predict_schedule,
    schedule_from_result,
    speedup_bound,
    speedup_summary,
)

# %matplotlib inline

X, y = cvkit.load_dataset("synthetic", fold_seconds=0.1)   # the rows depend on this machine's speed
print("X has", X.shape[1], "columns;", len(np.unique(y)), "classes")

# %% [markdown]
# ## 2. The queue in plain words
#
# When `Parallel(n_jobs=2)` runs your folds (cvkit's `run_folds` does exactly that), five things happen:
#
# 1. **Each fold is one task**, `delayed(fit_and_score_fold)(...)`, read from a generator in fold order.
# 2. **Some tasks are dispatched ahead.** At the start joblib hands the first `pre_dispatch` tasks to the pool
#    (default `"2*n_jobs"`: 4 tasks for 2 workers). The others are not even created yet.
# 3. **An idle worker takes the next one.** The pool keeps the dispatched tasks in a first-in, first-out queue, and
#    a free worker takes the task at its head. Nobody decides beforehand which worker gets fold 4: whichever worker
#    is free when fold 4 reaches the head of the queue runs it.
# 4. **One finishes, one more is dispatched.** Each time a task finishes, joblib dispatches one more, so about
#    `pre_dispatch` tasks are always dispatched and not yet finished.
# 5. **Results come back in fold order** (`return_as="list"`, the default, or `"generator"`), even when a later fold
#    finished first. With `return_as="generator_unordered"` each result comes back as soon as it is done; cvkit's
#    runner uses that, so its live view never waits.
#
# `cvkit.model.predict_schedule` replays exactly this on a simulated clock (it follows the dispatch code of
# joblib 1.6). Here are 7 equal folds of 1 s on 2 workers, one row per moment at which something happens:

# %%
seven = predict_schedule(7, n_jobs=2)   # 7 folds of 1 s each; pre_dispatch="2*n_jobs", batch_size=1
ax = plot_queue(seven)

# %% [markdown]
# Read it row by row. At t = 0 folds 0 and 1 run, folds 2 and 3 wait in the queue (dispatched ahead), folds 4 to 6
# are not dispatched yet. At t = 1 both running folds finish: the free workers take 2 and 3 from the queue, and the
# two completions dispatch 4 and 5. At t = 2 the workers take 4 and 5, and fold 6 is dispatched. At t = 3 only fold 6
# is left: one worker runs it, the other has nothing to do.
#
# The same schedule as a **Gantt chart**: one lane per worker, one bar per fold, time to the right. The dashed line
# is the makespan.

# %%
print(seven.describe())
ax = plot_gantt(seven)

# %% [markdown]
# **In what order do results come back?** Suppose fold 0 is slow: 3 s, the others 1 s. The model knows when each
# result reaches you, for each `return_as`:

# %%
slow_first = predict_schedule([3, 1, 1, 1, 1], n_jobs=2)
for return_as in ("list", "generator", "generator_unordered"):
    received = slow_first.results_order(return_as)
    print(f"{return_as:>19}: " + ", ".join(f"fold {fold} at t={t:g}" for fold, t in received))

# %% [markdown]
# With a list you wait for everything. With the ordered generator, folds 1 and 2 are finished at t = 1 and t = 2
# but held back until fold 0 is done. The unordered generator hands each one over at once. In all three cases the
# *work* is scheduled the same way: `return_as` changes when you see a result, not which worker runs which fold.

# %% [markdown]
# ## 3. 5, 10, 15 folds on 1, 2, 4 workers: the model's answer
#
# With k equal folds on w workers the queue deals the folds out like cards, w at a time, in ceil(k / w)
# **rounds**. The busiest worker runs ceil(k / w) folds, so the run takes ceil(k / w) fold-times instead of k, and
# the best speed-up is **k / ceil(k / w)**. The model, for the question's nine cases:

# %%
rows = []
for k in (5, 10, 15):
    for w in (1, 2, 4):
        s = predict_schedule(k, n_jobs=w)
        rows.append({
            "folds": k,
            "workers": w,
            "folds per worker": " + ".join(map(str, s.per_worker_counts())),
            "rounds": s.bounds()["rounds"],
            "makespan (fold-times)": s.makespan,
            "speed-up": round(s.speedup, 3),
            "bound k / ceil(k/w)": round(speedup_bound(k, w), 3),
            "efficiency (speed-up / w)": round(s.speedup / w, 3),
        })
answer = pd.DataFrame(rows).set_index(["folds", "workers"])
answer

# %% [markdown]
# What the table says:
#
# - On 1 worker everything runs in turn: speed-up 1.
# - **10 folds on 2 workers** is perfect: 5 rounds with both workers always busy, speed-up 2. **5 on 2** is not: the
#   third round has one fold and an idle worker, so 5/3 ≈ 1.67 at best. 15 on 2: 8 rounds, 1.875.
# - **4 workers** pay only where they cut the number of rounds. 5 folds on 4 workers take 2 rounds (4 folds, then 1
#   fold while 3 workers idle): 2.5, not 4. 10 on 4 take 3 rounds (3.33), 15 on 4 take 4 (3.75).
# - The efficiency is the share of the workers' time spent on folds: 5 folds on 4 workers leave 3 of the 8
#   worker-rounds empty (0.625).
#
# These are bounds for equal folds, no overhead and a core for every worker. A real run adds what the model leaves
# out: each task costs a little to send and to return, folds running at the same time slow each other down, and
# the machine may have fewer cores than workers. Time to measure.

# %% [markdown]
# **The widely shared answer's setting.** Its `Parallel(n_jobs=2, verbose=100, pre_dispatch='1.5*n_jobs')` (lesson
# 02) dispatches fewer tasks ahead than the default `'2*n_jobs'`: joblib computes int(1.5 × n_jobs), so 1, 3 and 6
# tasks for 1, 2 and 4 workers, against 2, 4 and 8. Does that change the answer? The model, for the same nine cases:

# %%
rows = []
for k in (5, 10, 15):
    for w in (1, 2, 4):
        default = predict_schedule(k, n_jobs=w)                            # pre_dispatch="2*n_jobs"
        shared = predict_schedule(k, n_jobs=w, pre_dispatch="1.5*n_jobs")  # the widely shared answer's
        rows.append({
            "folds": k,
            "workers": w,
            "ahead, '2*n_jobs'": default.settings["pre_dispatch_tasks"],
            "ahead, '1.5*n_jobs'": shared.settings["pre_dispatch_tasks"],
            "folds per worker, '1.5*n_jobs'": " + ".join(map(str, shared.per_worker_counts())),
            "same schedule": shared.lanes() == default.lanes() and shared.makespan == default.makespan,
        })
pd.DataFrame(rows).set_index(["folds", "workers"])

# %% [markdown]
# The same schedule in all nine cases. As long as at least `n_jobs` tasks are dispatched ahead, a worker that becomes
# free always finds one waiting, so `'1.5*n_jobs'` changes only how many tasks wait in the queue (and in memory) at
# once. joblib's docstring uses it for a generator that produces data only when joblib asks for it: fewer tasks ahead,
# fewer items produced early. Section 6 shows what happens below `n_jobs`, and where `'1.5*n_jobs'` moves the batches.

# %% [markdown]
# ## 4. Measured on this machine
#
# Each case runs once with `cvkit.run_folds(..., backend="loky", batch_size=1)`: `batch_size=1` sends each fold on its
# own, as in the table (sections 6 and 7 show what the default, `"auto"`, does). The serial reference is the plain loop
# (`n_jobs=1`) on the same folds, in the same session.
#
# A warm-up comes first. The first run on w workers starts w processes, and each imports scikit-learn when it
# receives its first fold, which takes a while; that must not happen inside a measurement.
# `cvkit.lab.speedup.warm_workers` starts the workers and imports scikit-learn in each before we measure, and a short
# serial run does the same for the kernel itself, whose first fits pay one-off costs too. All 2-worker runs come
# before all 4-worker runs, because changing the pool size starts new workers; each serial run comes right before
# the 2-worker run on the same folds.

# %% [markdown]
# How many cores does this machine give this notebook, and how busy is it? The cell samples for a tenth of a second how
# much CPU other programs use (not this notebook or its workers) and says what that means; the load it prints also
# counts this notebook's own recent runs.

# %% tags=["nbval-ignore-output"]
here = machine()
cores = here.cores
print(f"This machine: {here}.")
if here.busy:
    print("Other programs keep at least half of the cores busy. They slow the runs down, and a parallel run, with more "
          "processes, can win a larger share of the cores from them than the serial loop had: timings now say as "
          "much about the load as about the workers.")
elif cores == 1:
    print("With 1 core the workers take turns on it: on a core of its own, no parallel run below can beat the serial "
          "loop unless other programs compete for that core. Who runs which fold still follows the queue.")
elif cores < 4:
    print(f"With {cores} cores, 2 workers can each have a core, 4 workers cannot: "
          f"no run can do more than {cores} cores' worth of work at a time.")
else:
    print(f"With {cores} cores, each of the 4 workers below can have a core of its own, as the model assumes.")

# %%
from cvkit.lab.speedup import warm_workers

K, W = (5, 10, 15), (2, 4)


def serial_run(k):
    """The serial loop on k folds, what other programs did meanwhile, and its cost: the smaller of its wall time and
    its CPU time (it runs in this process; other programs can delay it on the clock, not add to its CPU time)."""
    with watch_machine() as watch:
        cpu_start = time.process_time()
        run = cvkit.run_folds(SVC(), X, y, cv=k, n_jobs=1)
        cost = min(run.wall_time, time.process_time() - cpu_start)
    return run, watch.machine, cost


def parallel_run(k, w, **options):
    """k folds on w loky workers, and what other programs did meanwhile."""
    with watch_machine() as watch:
        run = cvkit.run_folds(SVC(), X, y, cv=k, n_jobs=w, backend="loky", **options)
    return run, watch.machine


def limit(k, w):
    """min(bound, cores) for k folds on w workers; infinite if other programs kept the cores busy during the serial
    run or the parallel run (then no limit holds a timing)."""
    return max(speedup_limit(k, w, watched[k, 1]), speedup_limit(k, w, watched[k, w]))


# %%
cvkit.run_folds(SVC(), X, y, cv=2, n_jobs=1)   # warm-up: the kernel's first fits pay one-off costs too
serial, serial_cost, watched, measured = {}, {}, {}, {}
for w in W:
    warm_workers(w)
    for k in K:
        if w == W[0]:                           # each serial run right before the first parallel run on its folds
            serial[k], watched[k, 1], serial_cost[k] = serial_run(k)
        measured[k, w], watched[k, w] = parallel_run(k, w, batch_size=1)

for k in K:
    fold_time = np.mean([fold.trace.duration for fold in serial[k].folds])
    print(f"{k} folds, serial loop: {serial[k].wall_time:.2f} s (one fold: {fold_time:.2f} s)")
    for w in W:
        print("   ", speedup_summary(measured[k, w], serial=serial[k]))

# On any machine: the same scores as the serial loop, and no speed-up beyond the limit by more than noise. The
# reference is the serial loop's cost (CPU time when smaller: other programs cannot inflate it); each case ran once
# on a shared machine, so the tolerance is twice the usual noise.
for (k, w), run in measured.items():
    assert run.scores.tolist() == serial[k].scores.tolist()
    assert serial_cost[k] / run.wall_time <= limit(k, w) * (1 + 2 * NOISE), (k, w)

# %% [markdown]
# How to read each line: *measured* is the serial loop's time divided by the parallel run's time; *predicted* is
# the model's speed-up with the fold times of the serial loop; *bound* is k / ceil(k / w); *speed-up per worker* is the
# measured speed-up divided by the number of workers. The prediction can land a little above the bound: the bound is for exactly equal
# folds, and measured folds never are (if the fold left alone in the last round is a short one, that round is
# shorter).

# %% [markdown]
# What to expect: the model leaves costs out, so a measured speed-up normally lands below the predicted one. Every
# task costs a little to send and return; folds running at the same time share memory bandwidth and caches and slow
# each other down; and the model assumes a core for every worker, which this machine may not have (see the cell
# above). Other programs running on a busy machine (as on a server a whole class shares) take the cores too, and
# then the measured speed-up can land below or above what free cores would give. Each case ran once, so each number is one sample: if
# something slowed the serial loop for a moment, a measured speed-up can even land above the prediction (lesson 06
# repeats its measurements to tell noise from effect). Only numbers measured in one run, as here, can be compared
# with each other.

# %% [markdown]
# **More workers than cores.** `n_jobs=4` starts 4 worker processes whatever the number of cores; joblib does not
# stop you. On a machine with fewer than 4 cores the operating system shares them among the 4 processes, and each
# fold runs slower. How long a fold took here, next to the serial loop:

# %%
for w in W:
    alone = np.mean([fold.trace.duration for fold in serial[10].folds])
    shared = np.mean([fold.trace.duration for fold in measured[10, w].folds])
    print(f"10 folds on {w} workers: a fold took {shared / alone:.2f}× as long as in the serial loop")

# %% [markdown]
# The model takes fold times as given and assumes a core for every worker. With fewer cores than workers that premise
# fails: the processes take turns on the cores, so a fold on 4 workers lasts longer than on 2 (the line above), and the
# model's 4-worker prediction is too optimistic. No number of workers does more than the cores' worth of work at a
# time, so the speed-up cannot pass the number of cores, unless other programs compete for the cores. Taking turns can
# fill a half-empty last round a little, so 4 workers may finish a little before 2. With 4 or more free cores, the
# 4-worker runs follow the model like the 2-worker runs. What happened here, computed from the runs above:

# %% tags=["nbval-ignore-output"]
for k in K:
    four_vs_two = compare_times(measured[k, 4].wall_time, measured[k, 2].wall_time, "4 workers", "2 workers")
    four_vs_serial = compare_times(measured[k, 4].wall_time, serial[k].wall_time, "4 workers", "the serial loop")
    print(f"{k} folds: {four_vs_two.sentence()}.\n          {four_vs_serial.sentence()}.")

fold_on = {w: np.median([fold.trace.duration for fold in measured[10, w].folds]) for w in W}
ratio = fold_on[4] / fold_on[2]
how_long = {"above": "longer than", "below": "shorter than", "borderline": "about as long as"}[judge(ratio)]
print(f"A fold on 4 workers took {ratio:.2f}× the time of a fold on 2 workers: {how_long} on 2.")

best4 = max(serial[k].wall_time / measured[k, 4].wall_time for k in K)   # the best 4-worker speed-up measured
busy4 = any(watched[k, 1].busy or watched[k, 4].busy for k in K)
here = machine()
if busy4:
    print(f"Measured on {here}: other programs kept the cores busy during some of these runs, so these timings "
          f"depend on the load as much as on the workers (best 4-worker speed-up {best4:.2f}×).")
elif here.cores < 4:
    versus = {"above": "above", "below": "below", "borderline": "about at"}[judge(best4, here.cores)]
    worth = "1 core's" if here.cores == 1 else f"{here.cores} cores'"
    print(f"Measured on {here}: 4 workers cannot do more than {worth} worth of work at a time; their best speed-up here, {best4:.2f}×, is {versus} {here.cores}×, "
          f"whatever the model predicts.")
else:
    print(f"Measured on {here}: each of the 4 workers can have a core, so the 4-worker runs can follow the model "
          f"(best 4-worker speed-up here {best4:.2f}×).")

# On any machine: 4 workers do not pass the limit (the bound, and the cores when the machine is not busy).
for k in K:
    assert serial_cost[k] / measured[k, 4].wall_time <= limit(k, 4) * (1 + 2 * NOISE)

# %% tags=["nbval-ignore-output"]
for k in K:
    model = predict_schedule(k, n_jobs=2)
    agree = counts_agree(schedule_from_result(measured[k, 2]), model, tolerance=1)
    print(f"{k:>2} folds on 2 workers: model {model.per_worker_counts()}, measured within one fold of it: {agree}")

# On any machine: every fold ran exactly once. With a free core for each worker, the counts follow the model; on one
# core, or while other programs compete, a worker waiting for its turn may take fewer folds.
for k in K:
    assert sum(schedule_from_result(measured[k, 2]).per_worker_counts()) == k
    if not watched[k, 2].busy and cores >= 2:
        assert counts_agree(schedule_from_result(measured[k, 2]), predict_schedule(k, n_jobs=2)), k

# %% [markdown]
# With 4 workers on a machine with fewer than 4 cores, the model's premise — a core for every worker — does not
# hold: the operating system shares the cores among 4 processes, and a worker that waits for its turn may take fewer
# folds. The counts then often still agree within one fold, but not always. With 4 or more free cores they follow
# the same rule as the 2-worker counts:

# %% tags=["nbval-ignore-output"]
for k in K:
    model = predict_schedule(k, n_jobs=4)
    busiest_first = sorted(schedule_from_result(measured[k, 4]).per_worker_counts(), reverse=True)
    agree = counts_agree(schedule_from_result(measured[k, 4]), model, tolerance=1)
    print(f"{k:>2} folds on 4 workers: model {model.per_worker_counts()}, measured {busiest_first}, "
          f"within one fold of it: {agree}")
print(f"Measured on {machine()}.")
# On any machine: every fold ran exactly once.
assert all(sum(schedule_from_result(measured[k, 4]).per_worker_counts()) == k for k in K)

# %% [markdown]
# Now look at one run. Measured on the left, predicted on the right, on the same time scale. This prediction uses
# the fold times of the measured run itself, so the two charts differ only in *who ran what, when*; the lanes are
# numbered by which worker started first. The prediction has no gaps between folds; the measurement can have small
# ones: sending a fold to a worker and bringing its result back takes a little time.

# %% tags=["nbval-ignore-output"]
fig = plot_measured_vs_predicted(measured[10, 2])

# %% [markdown]
# And 10 folds on 4 workers. This time the prediction on the right uses the serial loop's fold times, which is all
# you know before you run. If this machine has fewer than 4 cores, the measured bars on the left should be longer than
# the predicted ones (the line "a fold took … as long" above says by how much here): folds sharing a core run slower.

# %% tags=["nbval-ignore-output"]
fig = plot_measured_vs_predicted(measured[10, 4], predict_from_result(measured[10, 4], serial[10]))

# %% [markdown]
# ## 5. Equal folds and unequal folds
#
# Cross-validation folds are usually about equal, but not always: one may train on more rows, or meet another
# program on its core. What does one fold that takes 3 times longer do? The model, for 5 folds on 2 workers:

# %%
cases = {
    "5 equal folds": [1, 1, 1, 1, 1],
    "fold 0 is 3 times longer": [3, 1, 1, 1, 1],
    "fold 4 is 3 times longer": [1, 1, 1, 1, 3],
}
fig, axes = plt.subplots(3, 1, figsize=(7.5, 6), sharex=True)   # one chart per case, one time axis
rows = []
for ax, (name, durations) in zip(axes, cases.items()):
    s = predict_schedule(durations, n_jobs=2)
    plot_gantt(s, ax, title=name, xmax=5.2)
    bounds = s.bounds()
    rows.append({
        "case": name,
        "total work": sum(durations),
        "work / workers": bounds["total_work_over_workers"],
        "longest fold": bounds["longest_task"],
        "lane ends": [max(t.end for t in s.tasks if t.worker == lane) for lane in range(s.n_workers)],
        "makespan": s.makespan,
    })
for ax in axes[:-1]:
    ax.set_xlabel("")   # the time axis is labelled once, at the bottom
fig.tight_layout()
pd.DataFrame(rows).set_index("case")

# %% [markdown]
# The run lasts until its **slowest lane** ends: the makespan is the largest of the lane ends.
#
# - Equal folds: the lanes end at 3 and 2; the odd fold makes the third round.
# - Fold 0 three times longer: while it runs, the other worker gets through folds 1, 2 and 3, then fold 4 goes to
#   the first worker free. The lanes end at 4 and 3. The makespan, 4, is close to the ideal 3.5 (7 fold-times of
#   work on 2 workers).
# - Fold 4 three times longer: it is dispatched last, starts at t = 2 and runs alone for 3 fold-times while the other
#   worker idles. Makespan 5: the same work, one fold-time longer, only because of the order.
#
# Two limits hold for any schedule: the total work divided by the workers (perfect sharing), and the longest fold (a
# fold cannot be split between workers). joblib never reorders tasks: they run in the order you give them. If you
# know which tasks are slow, give them first.

# %% [markdown]
# ## 6. `pre_dispatch` and `batch_size`
#
# Two more `Parallel` arguments shape the queue. First `pre_dispatch`, for 8 equal folds on 2 workers:

# %%
rows = []
for pre_dispatch in (1, "n_jobs", "2*n_jobs", "all"):
    s = predict_schedule(8, n_jobs=2, pre_dispatch=pre_dispatch)
    rows.append({
        "pre_dispatch": repr(pre_dispatch),
        "dispatched at t = 0": sum(t.dispatched == 0 for t in s.tasks),
        "makespan": s.makespan,
        "worker 0": s.lanes()[0],
        "worker 1": s.lanes()[1],
    })
pd.DataFrame(rows).set_index("pre_dispatch")

# %% [markdown]
# - `pre_dispatch=1` keeps one task in flight: each completion dispatches the next, so only one worker is ever
#   busy: in the model the two take turns (the table's lanes) and run serially (8 fold-times). Any value below `n_jobs`
#   leaves workers waiting.
# - From `"n_jobs"` up, no worker ever waits and the schedule is the same; dispatching more ahead only means more
#   tasks sit in the queue (and in memory) at once. The default `"2*n_jobs"` keeps a spare task ready for each
#   worker. `"all"` creates every task at the start: fine for 15 folds, not for a generator of a million tasks.
# - joblib truncates the expression: `"1.5*n_jobs"` with 3 workers is int(4.5) = 4 tasks. If it comes to 0
#   (`"0.4*n_jobs"` with 2 workers), joblib runs nothing and silently returns an empty list; the model refuses
#   such a value.
# - joblib's docstring says `pre_dispatch` counts *batches*; its code (joblib 1.6) counts *tasks* (lesson 02 showed
#   it on a run), and so does the model. With `batch_size=1` the two are the same.

# %% [markdown]
# Then **`batch_size`**. A batch is a group of tasks sent to one worker as one message; its tasks run back to back.
# That saves overhead for tiny tasks and costs balance for long ones. An int `batch_size` is only a target: joblib
# looks ahead `batch_size × n_jobs` tasks and cuts them into `n_jobs` batches, the `pre_dispatch` tasks dispatched
# at the start included, and it shrinks the last batches to single tasks so the end of the run is shared out:

# %%
for batch_size in (1, 2, 4):
    s = predict_schedule(8, n_jobs=2, batch_size=batch_size)
    print(f"batch_size={batch_size}: batches {s.batches()}, makespan {s.makespan:g}")

# %% [markdown]
# With `batch_size=4` no batch of 4 ever forms: the 4 tasks dispatched at the start are cut into 2 batches of 2,
# and the last 4 go one by one.
#
# `batch_size="auto"`, the default of joblib and of `run_folds`, starts at 1. Each time a batch finishes, joblib
# measures how long it took from dispatch to completion (time waiting in the queue included) and keeps a running
# average. While that is under 0.2 s (joblib's `MIN_IDEAL_BATCH_DURATION`), it doubles the batch size, up to about
# 2 × 0.2 s ÷ that time; above 2 s (`MAX_IDEAL_BATCH_DURATION`) it makes batches smaller. Folds of 0.2 s or more
# therefore keep batches of 1, and everything above holds unchanged. Shorter folds, like this lesson's (sized to about
# 0.1 s), can travel in pairs. The model replays the rule for 10 folds of 0.12 s, with both `pre_dispatch` settings:

# %%
for pre_dispatch in ("2*n_jobs", "1.5*n_jobs"):
    auto_model = predict_schedule([0.12] * 10, n_jobs=2, batch_size="auto", pre_dispatch=pre_dispatch)
    print(f"pre_dispatch={pre_dispatch!r}: batches {auto_model.batches()}, "
          f"folds per worker {auto_model.per_worker_counts()}")

# %% [markdown]
# The first folds come back in under 0.2 s, so joblib sends the next ones in pairs: from fold 4 with the default, from
# fold 3 with `'1.5*n_jobs'`, which dispatched one task fewer at the start. At the end of the tasks it goes back to
# single folds, so that both workers get some. In the model, where sending a batch costs nothing, the folds per worker
# stay those of the rounds either way. Section 7 measures what batches do when sending is not free.

# %% [markdown]
# ## 7. The question's own folds: iris
#
# The question's folds are iris folds, a few milliseconds each (the next cell times them here). That is not much longer
# than sending a fold to a worker and bringing its result back, and far less than what a new worker needs to start and
# import scikit-learn. Both break premises of the model: the split between the workers need not be the rounds'
# (3 + 2 for 5 folds, 5 + 5 for 10), nor the same from one run to the next. The tables below show what this machine
# did.
#
# This section counts who runs what, first on a **warm pool** (its workers started and scikit-learn imported, as after
# section 4), then on a **cold pool** (the first parallel call of a session, when the workers have yet to start).

# %% tags=["nbval-ignore-output"]
X_iris, y_iris = cvkit.load_dataset("iris")
iris_serial = {k: cvkit.run_folds(SVC(), X_iris, y_iris, cv=k, n_jobs=1) for k in K}   # the references
iris_fold = np.median([fold.trace.duration for fold in iris_serial[10].folds])
print(f"one iris fold: {fmt_seconds(iris_fold)} in the serial loop, on {machine()}")

# %% [markdown]
# ### A warm pool: batches
#
# Each case runs once on warm workers, beside the model's rounds, with three settings: joblib's default
# (`batch_size="auto"`), the same with the widely shared answer's `pre_dispatch='1.5*n_jobs'`, and `batch_size=1`.
# `cvkit.lab.tiny_folds.measure_splits` runs them and counts each worker's folds, busiest first. The 4-worker runs come
# first: the pool has had 4 workers since section 4, and going down to 2 reuses it (going up starts new workers).

# %% tags=["nbval-ignore-output"]
from cvkit.lab.tiny_folds import fold_split, measure_splits, split_text

splits, iris_runs = measure_splits(SVC(), X_iris, y_iris, folds=K, workers=(4, 2))   # 3 settings, 18 runs
print(f"Measured on {machine()}.")
for setting in splits.columns[1:]:
    like = sum(fold_split(iris_runs[k, w, setting]) == fold_split(predict_schedule(k, n_jobs=w)) for k in K for w in W)
    print(f"{setting}: {like} of {len(K) * len(W)} runs split like the model's rounds")

# On any machine: every fold ran exactly once, with the serial loop's scores.
for (k, w, setting), run in iris_runs.items():
    assert sum(fold_split(run)) == k and run.scores.tolist() == iris_serial[k].scores.tolist()
splits

# %% [markdown]
# How to read it. With `"auto"`, the first fold comes back in a few milliseconds, far under 0.2 s, so joblib doubles
# the batch size: the next folds travel in pairs (then in fours, while batches keep coming back fast), and a worker that
# is free takes a whole batch (near the end of the tasks joblib sends single folds again). Which worker is free first
# is decided by milliseconds: sending a batch, returning its results, and, on a busy machine, the moments the operating
# system gives each worker its core. So the split can move by whole batches, and differ from run to run.
# `'1.5*n_jobs'` dispatches one task fewer at the start, so the pairs begin one fold earlier (section 6): another race,
# not another rule. With `batch_size=1` each turn is one fold, and a worker that misses a turn loses one fold, not a
# batch. The lines above the table say how often each setting gave the rounds here.

# %% [markdown]
# One fold per message costs a message per fold, which lesson 06 weighs. joblib writes down its batching decisions if
# you ask it (`verbose=10`; it writes to stderr, the notebook's second output stream, shown on a coloured background):

# %% tags=["nbval-ignore-output"]
logged = cvkit.run_folds(SVC(), X_iris, y_iris, cv=15, n_jobs=2, backend="loky", verbose=10)
print("folds per worker:", split_text(fold_split(logged)))

# %% [markdown]
# Each "Batch computation too fast" line is one doubling: the time it quotes is joblib's running average of a batch
# from dispatch to completion, and the new `batch_size` applies to the batches dispatched from then on. "Done N tasks"
# counts folds finished.

# %% [markdown]
# ### A cold pool: a head start
#
# A new worker process takes a fold as soon as it exists, and imports scikit-learn while it *unpickles* that fold
# (rebuilds the fold's function and data from the bytes joblib sent it, which needs the modules they come from). A
# worker that gets through its import before the other then runs fold after fold from the queue, alone. How long that
# head start is depends on the machine: with a free core for each worker the imports run side by side and end close
# together; on one core, or a busy machine, one import waits for the other. `stop_workers()` ends the warm pool, so the
# next run starts cold. `describe_cold_run` prints when each worker started its first fold, the head start counted in
# folds, and the split it predicts (the folds each worker took at once stay with it; every other fold goes, in fold
# order, to the worker free first). Its last line replays that head start with 5, 10 and 15 folds.

# %% tags=["nbval-ignore-output"]
from cvkit.lab.speedup import stop_workers
from cvkit.lab.tiny_folds import describe_cold_run

stop_workers()   # the next loky call starts new workers: a cold pool
cold = cvkit.run_folds(SVC(), X_iris, y_iris, cv=10, n_jobs=2, backend="loky")   # batch_size="auto"
print(describe_cold_run(cold, fold_seconds=iris_fold, other_folds=K))
warm = splits.loc[(10, 2), "batch_size='auto'"]   # from the table above
print(f"The same 10 folds on the warm pool above: {warm}. Measured on {machine()}.")

# On any machine: every fold ran exactly once, with the serial loop's scores.
assert sum(fold_split(cold)) == 10 and cold.scores.tolist() == iris_serial[10].scores.tolist()

# %% [markdown]
# What changes what:
#
# - **A warm pool** removes the head start: every worker is ready before the first fold. Make one with a first call
#   you do not time, or `cvkit.lab.speedup.warm_workers(n_jobs)`.
# - **`batch_size=1`** does not remove a head start. The first batches of a cold pool take the whole start-up from
#   dispatch to completion, far above 0.2 s, and joblib's running average stays above it for several folds more, so
#   `"auto"` sends single folds there anyway: on a cold pool the head start, not batches, decides the split.
# - **`pre_dispatch='1.5*n_jobs'`** changes where the batches begin on a warm pool, not the rule; below `n_jobs` any
#   `pre_dispatch` leaves workers idle (section 6).
#
# So, for the question's own folds: on 1 worker they run in turn; on 2 or 4 they are not dealt out in rounds but
# taken in a race that milliseconds decide: in batches on a warm pool, and on a cold one by how many folds long the
# head start of the first worker ready is. With folds this short, a parallel timing measures mostly those
# milliseconds (lesson 06 finds where parallel starts to pay).

# %% [markdown]
# ## Summary — key points

# %% [markdown]
# - joblib does not assign folds to workers in advance. It dispatches `pre_dispatch` tasks ahead (default
#   2 × n_jobs), a free worker takes the next task in the queue, and each completion dispatches one more.
#   `'1.5*n_jobs'`, the widely shared answer's, sends 1, 3, 6 tasks ahead instead of 2, 4, 8: the same schedule
#   for equal folds sent one by one.
# - k equal folds on w workers run in ceil(k / w) rounds, and the busiest worker runs ceil(k / w) folds. The best
#   speed-up is k / ceil(k / w): 5 folds on 2 workers 1.67, 10 on 2 2.0, 15 on 2 1.875, 5 on 4 2.5, 10 on 4 3.33,
#   15 on 4 3.75.
# - Measured runs of 0.1 s folds on 2 workers, each with a free core of its own, follow the model's schedule: the same
#   number of folds per worker, give or take one. Their speed-ups usually fall below the model's by what it leaves out:
#   overhead per task, folds slowing each other down, other programs taking the cores.

# %% [markdown]
# - More workers than cores add no cores: no run does more than the cores' worth of work at a time, so the speed-up
#   cannot pass the number of cores on a machine no other program is using, and folds taking turns on a core run
#   slower. Section 4 printed what happened on this machine.
# - The makespan is the end of the slowest lane. A long fold dispatched last runs alone. joblib keeps your order,
#   so give slow tasks first.
# - `pre_dispatch` below `n_jobs` leaves workers idle (1 is serial). An int `batch_size` is a target that joblib
#   trims; `"auto"` groups folds while a batch takes under 0.2 s.
# - Tiny folds (iris) are not dealt out in rounds, though a split may happen to match them: on a warm pool they go
#   in batches, to whichever worker milliseconds make free first; on a cold pool a worker ready before the others
#   runs the folds of its head start alone. A warm pool removes the head start; `batch_size=1` makes every turn on
#   a warm pool one fold.
# - `return_as` changes when you see the results (fold order or completion order), not the schedule.

# %% [markdown]
# ## Exercise
#
# Predict first, then run.
#
# **Part 1. A head start.** A cold pool of 2 workers runs 15 equal folds, with `batch_size=1` and the default
# `pre_dispatch`; sending a fold takes no time. Worker 0 can take folds from t = 0, worker 1 only from t = 22 ms (it
# took longer to import scikit-learn). A free worker takes the next fold from the queue. How many folds does each
# worker run (a) when a fold takes 5 ms, like an iris fold, and (b) when a fold takes 0.5 s? For (a), write down when
# worker 0 is free again, fold after fold, until worker 1 is ready.

# %%
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson03 import UNEQUAL_CASE, check_head_start, check_unequal_folds

tiny_split = NOT_ANSWERED   # (a) 5 ms folds: [folds of worker 0, folds of worker 1]
long_split = NOT_ANSWERED   # (b) 0.5 s folds: the same

# %%
check_head_start(tiny_split, long_split)

# %% [markdown]
# Then run a cold pool here: 15 iris folds on 2 workers, `batch_size=1`. The cell prints when each worker was ready
# and the split your reasoning gives for the head start measured here, next to the split measured. It runs once you
# have answered.

# %% tags=["nbval-ignore-output"]
if tiny_split is NOT_ANSWERED or long_split is NOT_ANSWERED:
    print("Answer part 1 first (the cells above); then run this cell.")
else:
    stop_workers()   # a cold pool
    cold15 = cvkit.run_folds(SVC(), X_iris, y_iris, cv=15, n_jobs=2, backend="loky", batch_size=1)
    print(describe_cold_run(cold15, fold_seconds=iris_fold))
    print(f"Measured on {machine()}.")

# %% [markdown]
# **Part 2.** Six folds take 1.5, 1, 1, 1, 2 and 1 s (in fold order), on 2 workers with the default settings.
# Which folds does each worker run, in order, and when does the last one end? Worker 0 is the one that takes fold 0.
# Use pencil and paper: write down when each worker becomes free.

# %%
print("seconds per fold:", UNEQUAL_CASE["durations"], "on", UNEQUAL_CASE["n_jobs"], "workers")

my_lanes = NOT_ANSWERED      # the folds of each worker, in order: [[0, ...], [1, ...]]
my_makespan = NOT_ANSWERED   # when the last fold ends

# %%
check_unequal_folds(my_lanes, my_makespan)

# %% [markdown]
# Once you have answered, draw the model's schedule to see it:
# `plot_gantt(predict_schedule(UNEQUAL_CASE["durations"], n_jobs=2))`.
#
# **Going further.** `cvkit.exercises.lesson03.check_schedule(lanes, makespan, durations, n_jobs, pre_dispatch=...,
# batch_size=...)` checks your prediction for any case you make up. Try `pre_dispatch=1`, or `batch_size=2`.

# %% [markdown] cvkit_nav="bottom"
# ← [02 Parallel folds with `delayed` and `Parallel`](02_parallel_delayed.ipynb) · [Index](00_index.ipynb) · [04 The live explorer: watch folds fill the workers](04_explorer.ipynb) →
