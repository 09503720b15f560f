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
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] cvkit_nav="top"
# ← [03 The task queue: how folds are handed to workers](03_task_queue.ipynb) · [Index](00_index.ipynb) · [05 Backends and their pitfalls](05_backends.ipynb) →

# %% [markdown]
# # Lesson 04 — The live explorer: watch folds fill the workers

# %% [markdown]
# ## Why it matters
#
# "1.6× faster on 2 cores" is a number; it does not say *why* it is not 2×. A picture of which worker ran which fold,
# and when, does: you see a worker idle in the last round, a pool of workers starting up before the first fold, more
# workers than cores sharing them, or folds so short that shipping them to a worker costs about as much as running
# them. The explorer draws that picture **live**, from messages the workers send as they start each fold, next to what
# the schedule model of lesson 03 predicts for the same settings.

# %% [markdown]
# ## Objectives
#
# - Open the explorer, run folds, stop a run, and read the live picture: the queue, the bars that grow while a fold
#   runs, the finished bars, the "now" line, the legend, and the predicted schedule under it.
# - See why, in the model, 6 folds on 2 workers cost about as much as 5.
# - See a pool of workers start cold, tiny folds as slivers with gaps, and more workers than cores taking turns on them
#   (lesson 03 measured why and how much).
# - See how an error in one fold is shown, and take the last run's result (`explorer.result`) for further study.
# - Predict what Stop keeps when you press it in the middle of a run, and check it on a run.

# %% [markdown]
# ## 1. Open the explorer
#
# One call shows the panel. Its controls: **cores** (`n_jobs`: 1 to 4, or -1 for one worker per core), **folds**
# (2 to 20: type a number or use the arrow keys), **backend**, **workload** (from iris to synthetic data with folds of
# seconds; each is labelled with how long one SVC fold of it takes *on this machine*, timed when the panel opens),
# **model**, and a checkbox that makes one fold fail on purpose. Then **Run** and **Stop**.

# %% tags=["nbval-ignore-output"]
import math
import statistics
import time

from IPython.display import display

from cvkit.model import predict_schedule, speedup_bound
from cvkit.lab.tiny_folds import fold_split, ready_times, split_text
from cvkit.core.verdicts import compare_times, fmt_seconds, machine
from cvkit.widgets import explore

explorer = explore(n_jobs=2, folds=5, workload="medium")

# %% [markdown]
# How to read it:
#
# - **measured** (the upper chart): the *queue* strip holds the folds not started yet; below it there is one lane per
#   worker, named by its process id (or thread id for the threading backend). A fold's bar appears the moment a
#   worker reports that it started it, and grows until the fold ends. The legend under the chart names each kind of
#   bar: running (thick outline, paler), done (solid), failed (red hatched), interrupted (red dashed, crossed: its
#   worker died under it; the fold is then run again and drawn again, marked "re-run"), cancelled by Stop (dashed
#   white). The red line is *now*. A lane whose worker died is marked dead from that moment, until a new worker takes
#   it.

# %% [markdown]
# - **predicted** (the lower chart, same time axis): `cvkit.model.predict_schedule` for equal folds of the fold time
#   measured on this machine (a quick timing of one fold when you choose the workload, then the time of your last run).
#   The dashed line is the predicted end. The model does not count starting the workers; when there are more workers
#   than cores, it makes each fold longer in proportion, since the workers take turns on the cores.
# - When the run ends: the f1 of every fold, mean ± std, the summed and per-fold confusion matrices, the wall time, and
#   the speed-up. A speed-up is measured only against a serial run of the same settings (run once with cores = 1);
#   the line beside it gives the model's limit for these folds, workers and this machine's cores.

# %% [markdown]
# The Run button starts the folds in a background thread, so the notebook stays free while they run: that is what lets
# Stop work. Press **Run** now if you like. The cells below drive the same explorer from code — `explorer.run(...)`
# sets the controls and starts a run, `explorer.wait()` waits for its result — and keep a picture of each run with
# `explorer.picture()`.

# %% [markdown]
# ## 2. The first run starts the workers
#
# The first parallel run in a fresh kernel has no workers yet: loky starts two processes, and each imports
# scikit-learn before it can run its first fold. Lesson 03 (section 7) showed what that does to who runs which fold;
# lesson 05 measures what it costs. Here, look at it:

# %% tags=["nbval-ignore-output"]
from cvkit.lab.speedup import stop_workers

stop_workers()   # a cold start, even if you pressed Run above: the next run starts new workers
first = explorer.run(n_jobs=2, folds=5, workload="medium").wait()
print(first.summary())
print("each worker's first fold started", " and ".join(fmt_seconds(t) for t in ready_times(first)),
      "after the run began")
assert first.complete
explorer.picture()

# %% [markdown]
# **What to look for.** The lanes stay empty until the workers have started and imported scikit-learn. The runs below
# reuse the same workers (a *warm* pool) and start at once. So when you time parallel code, do not judge it by its
# first call: that call also pays for starting the workers.

# %% [markdown]
# ## 3. 5 vs 6 folds on 2 workers
#
# Two workers take folds from the queue two at a time: 5 folds need 3 rounds and the third one has a single fold, so a
# worker waits; 6 folds fill the third round. The model says so before anything runs:

# %%
for folds in (5, 6):
    rounds = math.ceil(folds / 2)
    print(f"{folds} folds on 2 workers: {rounds} rounds, bound {folds}/{rounds} = {speedup_bound(folds, 2):.2f}×")

# %% tags=["nbval-ignore-output"]
walls = {}
for folds in (5, 6):
    result = explorer.run(n_jobs=2, folds=folds, workload="medium").wait()
    walls[folds] = result.wall_time
    assert result.complete
    print(f"{folds} folds on 2 workers: wall time {result.wall_time:.2f} s")
    display(explorer.picture())
print(compare_times(walls[6], walls[5], "6 folds", "5 folds"))

# %% [markdown]
# **What to look for.** In the predicted charts, with 5 folds one lane is empty during the third round; with 6 both
# lanes are busy to the end. Look for the same in the measured charts above them. In the model the sixth fold comes
# almost for free: the bound goes from 5/3 = 1.67× to 6/3 = 2×. The last line compares the two wall times measured
# here; on a machine with fewer than 2 free cores the two workers share one, and the sixth fold is not free. Choose
# the number of folds as a multiple of the number of workers when you can.

# %% [markdown]
# The explorer's speed-up line does not divide the folds' own times by the wall time: folds that run side by side each
# run slower than alone, so that sum is not what a serial loop takes. It measures against a real serial run, as
# lesson 03 does, and says when there is none.

# %% [markdown]
# ## 4. Tiny folds
#
# An iris fold takes a few milliseconds. Run 10 of them on the 2 warm workers, and count the bars in each lane.

# %% tags=["nbval-ignore-output"]
tiny = explorer.run(n_jobs=2, folds=10, workload="iris").wait()
busy = sum(t.duration for t in tiny.traces)   # the time the two workers spent computing folds
print(f"iris, 10 folds on 2 workers: wall time {fmt_seconds(tiny.wall_time)}; the workers computed for "
      f"{fmt_seconds(busy)}, {busy / (2 * tiny.wall_time):.0%} of the 2 × {fmt_seconds(tiny.wall_time)} they had")
print(f"folds per worker: {split_text(fold_split(tiny))} "
      f"(the model's rounds: {split_text(fold_split(predict_schedule(10, n_jobs=2)))})")
assert tiny.complete
display(explorer.picture())

# %% [markdown]
# **What to look for.** The bars are slivers, with gaps between them: between two folds a worker waits for the next
# one or sends a result back. The first line says what share of the workers' time went to computing folds here. And the
# split need not be the rounds': joblib sends such short folds in batches, and milliseconds decide which worker is
# free first (lesson 03, section 7). Whether folds this short pay to run in parallel is lesson 02's question; lesson 06
# finds the fold length where they start to pay.

# %% [markdown]
# ## 5. More workers than cores
#
# What do 4 workers do with 4 medium folds? With 4 free cores, one round. With fewer cores the 4 processes take turns
# on them: lesson 03 (section 4) measured what that costs in speed-up. Here, look at it, 4 folds on 2 workers and then
# on 4. `cvkit.lab.speedup.warm_workers` starts the workers (and imports scikit-learn in them) before each run, so that the
# pictures show the folds running, not the workers starting.

# %% tags=["nbval-ignore-output"]
from cvkit.lab.speedup import warm_workers

here = machine()
print(f"this machine: {here}")
runs = {}
for n_jobs in (2, 4):
    warm_workers(n_jobs)   # start the workers first: this section is about sharing cores, not starting workers
    runs[n_jobs] = result = explorer.run(n_jobs=n_jobs, folds=4, workload="medium").wait()
    fold_time = statistics.median(t.duration for t in result.traces)
    print(f"n_jobs={n_jobs}: folds per worker {split_text(fold_split(result))}, median fold {fmt_seconds(fold_time)}, "
          f"wall time {fmt_seconds(result.wall_time)}")
    display(explorer.picture())
assert runs[4].scores.tolist() == runs[2].scores.tolist()   # the same folds, the same scores

turns = max(1, 4 / here.cores) / max(1, 2 / here.cores)   # how much longer taking turns alone makes a fold
ratio = statistics.median(t.duration for t in runs[4].traces) / statistics.median(t.duration for t in runs[2].traces)
print(f"a fold on 4 workers took {ratio:.1f}× as long as on 2; taking turns on {here.cores} core(s) alone would give "
      f"about {turns:.1f}×" + (" (other programs were busy too)" if here.busy else ""))
warm_workers(2)   # back to 2 workers now: shrinking the pool waits for 2 workers to exit, outside the next picture

# %% [markdown]
# **What to look for.** With 2 workers each lane holds about two bars, with 4 about one. If this machine has at least 4
# free cores, each bar is about as long as on 2 workers and the run takes one round instead of two. With fewer cores the
# workers take turns on them: each bar is longer (the last line compares the measured ratio with what taking turns
# alone would give), and the run cannot go faster than the machine's cores allow. The explorer's note says when
# `n_jobs` is more than the machine's cores, and its prediction then makes each fold longer in proportion.

# %% [markdown]
# ## 6. An error in one fold
#
# A fold that raises is shown for that fold — a red hatched bar, and one line in the table — and the other folds go on.
# The checkbox in the panel does the same as `fail_fold=2` here.

# %%
failed = explorer.run(n_jobs=2, folds=5, workload="iris", fail_fold=2).wait()
print([f.status for f in failed.folds])
print(f"fold 2 -> {failed.folds[2].error_type}: {failed.folds[2].error_message}")
print(failed.summary())

# %% tags=["nbval-ignore-output"]
explorer.picture()

# %%
fixed = explorer.run(fail_fold=None).wait()
print(fixed.summary())

# %% [markdown]
# ## 7. The last run, for further study
#
# `explorer.result` is the last run's `CVResult`, the same object `cvkit.run_folds` returns: its folds, scores,
# confusion matrices and traces are yours to study (`explorer.history` keeps every run of the session).

# %%
explorer.result.to_frame(timings=False)

# %% [markdown]
# ## 8. Stop
#
# **Stop** cancels the folds not started yet; the finished ones stay, in the picture and in the result. Here the code
# presses Stop as soon as the first fold is finished, as you would by hand.

# %%
explorer.run(n_jobs=2, folds=8, workload="heavy")
while explorer.live.snapshot().count("done") == 0:
    time.sleep(0.05)
explorer.stop()
stopped = explorer.wait()
print(stopped.message.split(":")[0])
print("every finished fold kept with its score and confusion matrix:",
      all(not math.isnan(f.score) and f.confusion_matrix is not None for f in stopped.finished))
print("the others cancelled, none lost:",
      len(stopped.finished) + sum(f.status == "cancelled" for f in stopped.folds) == 8)

# %% tags=["nbval-ignore-output"]
explorer.picture()

# %% [markdown]
# (How many folds finish before the Stop lands depends on timing, so the cell prints only what is always true.
# The picture's title says how many finished and how many were cancelled, and the folds that never started stay in
# the queue strip, crossed out.)
#
# Stop does not wait for the folds that are running: joblib ends the call and loky's workers are killed with them.
# The explorer then starts a fresh pool in the background at once, so a Run a few seconds later finds its workers
# ready; the status line says when they are.

# %% [markdown]
# ## Summary — key points
# - The explorer draws each fold the moment a worker reports it started it, and each result as it arrives (completion
#   order), beside the predicted schedule on the same time axis, predicted from fold times measured on this machine.
# - Equal folds run in rounds: k folds on w workers need ceil(k / w) rounds, so in the model 6 folds on 2 workers cost
#   about as much as 5, and the bound is k / ceil(k / w); no run beats the machine's number of cores either.
# - The first run of a pool waits for its workers to start. Tiny folds are slivers with gaps, not dealt out in
#   rounds. More workers than cores give more lanes and longer bars: the workers take turns on the cores.
# - Stop keeps every finished fold and cancels the others: those not started, and those running, whose half-done work
#   goes with the workers. An error in one fold is reported for that fold and the next run works. `explorer.result`
#   holds the last run.

# %% [markdown]
# ## Exercise
#
# Predict first, then run.
#
# You run **8 heavy folds on 2 warm workers** (equal folds, default settings) and press **Stop** when the clock shows
# 2.5 fold-times, two and a half times as long as one fold takes. How many folds are kept with their scores, how many
# were running when Stop landed, and how many never started?

# %%
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson04 import check_stop, stop_and_count

kept = NOT_ANSWERED            # folds finished before the Stop
running = NOT_ANSWERED         # folds running when Stop landed
never_started = NOT_ANSWERED   # folds that had not started

# %%
check_stop(kept, running, never_started)

# %% [markdown]
# Then run it: the cell below starts the 8 heavy folds in the explorer, takes the mean time of the first round of folds
# as the fold-time, presses Stop 2.5 fold-times after the first fold started, and counts (`stop_and_count`). It runs
# once you have answered. The explorer checks for Stop five times a second, so Stop can land up to 0.2 s after the
# press: the cell prints when the run ended.

# %% tags=["nbval-ignore-output"]
if any(answer is NOT_ANSWERED for answer in (kept, running, never_started)):
    print("Answer first (the cells above); then run this cell.")
else:
    print(stop_and_count(explorer, workload="heavy"))
    print(f"Measured on {machine()}.")
    display(explorer.picture())

# %% [markdown] cvkit_nav="bottom"
# ← [03 The task queue: how folds are handed to workers](03_task_queue.ipynb) · [Index](00_index.ipynb) · [05 Backends and their pitfalls](05_backends.ipynb) →
