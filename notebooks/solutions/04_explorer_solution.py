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
# Solution of [04 The live explorer: watch folds fill the workers](../04_explorer.ipynb) · [Index](../00_index.ipynb)

# %% [markdown]
# # Lesson 04 — Exercise solution
#
# **4 kept, 2 running, 2 never started.** Draw the rounds first. 8 equal folds on 2 warm workers: folds 0 and 1 end
# at 1 fold-time, folds 2 and 3 at 2, folds 4 and 5 run from 2 to 3, folds 6 and 7 come last. At 2.5:
#
# - **kept: 4.** Folds 0 to 3 have ended: their scores and confusion matrices are in the result.
# - **running: 2.** Folds 4 and 5 are half done. Stop does not wait for them: joblib ends the call, and loky's workers
#   are killed with the folds they run. Half a round of work is lost.
# - **never started: 2.** Folds 6 and 7 had been dispatched (each completion at t = 2 dispatched one) and were waiting
#   in the queue; they are cancelled with the two running ones.
#
# The usual slips: 5 kept (2.5 fold-times × 2 workers is 5 folds of *work*, but a fold is kept only once it has ended),
# and 6 kept (the running folds counted as finished).

# %%
from cvkit.exercises.lesson04 import check_stop

check_stop(kept=4, running=2, never_started=2)

# %% [markdown]
# The schedule model says the same: the state of every fold just after t = 2.5, and the Gantt chart with what comes after
# the moment Stop is pressed.

# %%
from cvkit.plots import plot_gantt
from cvkit.model import predict_schedule

# %matplotlib inline

model = predict_schedule(8, n_jobs=2)   # folds of 1 fold-time each
print(model.state_at(2.5))
ax = plot_gantt(model, title="8 equal folds on 2 workers; shaded: after Stop is pressed at 2.5")
ax.set_xticks(range(5))
ax.set_xlabel("time (fold-times)")
after_stop = ax.axvspan(2.5, model.makespan, color="#C00", alpha=0.15)   # the rest of folds 4 and 5, all of 6 and 7

# %% [markdown]
# **In the explorer.** A first run starts the workers; then `stop_and_count` runs the 8 heavy folds, takes the mean
# time of the first round of folds as the fold-time, and presses Stop 2.5 fold-times after the first fold started. Stop
# can land up to 0.2 s after the press (the explorer checks five times a second), and a real round lasts a little more
# than one fold (sending, returning, and folds running side by side slow each other down). If the Stop lands after
# folds 4 and 5 ended, they are kept too; if it lands before folds 2 and 3 ended, they are lost too: the cell prints
# when the run ended, in fold-times.

# %% tags=["nbval-ignore-output"]
from cvkit.exercises.lesson04 import stop_and_count
from cvkit.core.verdicts import machine
from cvkit.widgets import explore

explorer = explore(n_jobs=2, folds=4, workload="heavy")
explorer.run().wait()   # starts the pool
count = stop_and_count(explorer, workload="heavy")
print(count)
print(f"Measured on {machine()}.")
# On any machine: every fold is in exactly one of the three groups.
assert count.kept + count.running + count.never_started == 8
explorer.picture()

# %% [markdown]
# What to take away: Stop is cheapest right after a round ends, and costs up to a round of work in its middle. Finished
# folds are never lost, whatever the moment.

# %% [markdown] cvkit_nav="bottom"
# Solution of [04 The live explorer: watch folds fill the workers](../04_explorer.ipynb) · [Index](../00_index.ipynb)
