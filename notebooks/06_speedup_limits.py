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
# ← [05b When a fold fails](05b_when_a_fold_fails.ipynb) · [Index](00_index.ipynb) · [07 Scale out: the same folds on a Dask cluster](07_scale_out_dask.ipynb) →

# %% [markdown]
# # Lesson 06 — Speed-up and its limits

# %% [markdown]
# ## Why it matters
#
# Two workers do not make a cross-validation twice as fast. Three things cap the speed-up, and each can be measured:
#
# 1. **Cores.** w workers on c cores can at best be min(w, c) times faster.
# 2. **Granularity.** A fold cannot be split between workers: k folds on w workers run in ceil(k / w) rounds, so the
#    speed-up can never exceed k / ceil(k / w) (lesson 03).
# 3. **The serial part.** A parallel run also starts workers, sends each fold and its data to one of them and
#    collects the results. One process does that, whatever the number of workers. **Amdahl's law** (named after the
#    computer architect Gene Amdahl) makes it a limit: the share of a run that only one process can do caps the
#    speed-up, however many workers share the rest.
#
# When a fold takes only a few milliseconds, the serial part can be larger than the work saved, and parallel is then
# *slower* than the serial loop. This lesson measures the granularity and the serial part on this machine (lesson 03
# measured the cores' limit), finds the fold size where parallel starts to pay, and turns what it finds into a rule you can apply before you run anything.

# %% [markdown]
# ## Objectives
#
# - Measure the speed-up against the number of folds, and compare it with the bound k / ceil(k / w) and the
#   list-scheduling bound of the measured folds.
# - Read the serial part of a run off its trace, and use Amdahl's law, 1 / ((1 − p) + p / w), to see what it costs
#   with a warm and with a cold pool.
# - Find where parallel starts to pay, from iris's short folds (the cell prints how long) to folds of a tenth of a
#   second or more, and say why: worker start-up, dispatch per task, the cost of a call.
# - Apply the rule: parallel time ≈ serial part + ceil(k / w) × fold time × (1 + slowdown), by hand and with
#   `cvkit.lab.advice.will_parallel_pay`.

# %% [markdown]
# ## 1. The rule in one line
#
# For k folds of t seconds on w workers:
#
# - serial loop: **k × t**
# - parallel run: **start-up** (a cold pool only) **+ per call + k × per task** (the serial part) **+ ceil(k / w) × t ×
#   (1 + slowdown)** (the folds, w at a time, each a little slower because they share caches and memory bandwidth)
#
# The expected speed-up is the ratio. `cvkit.model.cost_rule.COSTS` holds the costs measured for loky on the kit's 2-core
# machine (`benchmarks/bench_dispatch.py` measures them again on yours), and `expected_speedup` applies the rule
# without timing anything. The table assumes 2 free cores; later cells apply the rule to the cores this machine has
# (`n_cores=`), since workers beyond the cores share them and add no speed:

# %%
import math

import matplotlib.pyplot as plt
from sklearn.svm import SVC

import cvkit
from cvkit.lab.advice import will_parallel_pay
from cvkit.model.cost_rule import COSTS, breakeven_fold_seconds, expected_speedup
from cvkit.model import amdahl_limit, amdahl_speedup
from cvkit.plots import plot_gantt
from cvkit.plots.speedup import plot_speedup_vs_fold_time, plot_speedup_vs_folds
from cvkit.lab.speedup import busy_seconds, measure_speedup
from cvkit.core.verdicts import NOISE, compare_times, fmt_seconds, judge, machine, speedup_limit

# %matplotlib inline

here = machine()         # this machine's cores; each verdict below prints the machine as it was while timed
SLACK = 1 + 2 * NOISE    # a measured speed-up may pass a bound by timing noise, never by more


loky = COSTS["loky"]
print(f"loky: start-up {loky.startup:.1f} s (cold pool), per call {loky.per_call * 1000:.0f} ms, "
      f"per task {loky.per_task * 1e6:.0f} µs, folds {loky.slowdown:.0%} slower side by side")


def rule(fold_seconds, n_folds, n_workers=2, cold=False, n_cores=None):
    """The rule's speed-up with loky's assumed costs, on n_cores cores (None: a free core per worker)."""
    return expected_speedup(fold_seconds, n_folds, n_workers, startup=loky.startup if cold else 0.0,
                            per_call=loky.per_call, per_task=loky.per_task, slowdown=loky.slowdown, n_cores=n_cores)


for fold in (0.002, 0.02, 0.2, 1.0):
    print(f"5 folds of {fold * 1000:g} ms on 2 workers: warm pool {rule(fold, 5):.2f}×, "
          f"cold pool {rule(fold, 5, cold=True):.2f}× (bound {5 / math.ceil(5 / 2):.2f}×)")

# %% [markdown]
# Read the table from the bottom: with 2 free cores, the rule puts 1 s folds close to the bound 5/3 with a warm pool;
# with a cold one the start-up eats a large part of the gain, and the rule puts 2 ms folds below 1× whatever the pool.
# The rest of the lesson checks the rule against measurements on this machine.

# %% [markdown]
# ## 2. Speed-up against the number of folds
#
# Take folds of about 50 ms: `cvkit.load_dataset("synthetic", fold_seconds=0.05)` picks the number of rows that makes
# an SVC fold of 5-fold cross-validation last about that long on this machine. With k folds each fold trains on (k −
# 1) / k of the rows, so the folds get a little longer as k grows: the chart's title prints their range. Use 2
# workers.
#
# For each number of folds, `cvkit.lab.speedup.measure_speedup` times the serial loop and a parallel run of the same
# folds in this session (both are `cvkit.run_folds`, with `n_jobs=1` and `n_jobs=2`). It starts the workers first
# (a warm pool), runs the two twice each, alternating, and keeps the medians. It also keeps each fold's serial duration, so we
# can compute the **list-scheduling bound** of these very folds: the speed-up an ideal pool with no overhead would
# reach by handing each fold, in order, to the worker free first. The rule's column applies the rule to the measured
# folds and to this machine's cores.

# %%
X, y = cvkit.load_dataset("synthetic", fold_seconds=0.05)
by_folds = {k: measure_speedup(SVC(), X, y, cv=k, n_jobs=2, repeats=2) for k in (2, 3, 4, 5, 6)}

for k, m in by_folds.items():
    print(f"{k} folds: bound k / ceil(k / w) = {k}/{math.ceil(k / 2)} = {k / math.ceil(k / 2):.2f}×, "
          f"list scheduling {m.bound:.2f}×, the rule {rule(m.fold_seconds, None, n_cores=here.cores):.2f}×, "
          f"measured {m.speedup:.2f}×")
    # on free cores, no run beats the folds' bound, nor the cores, by more than noise (judged on the machine
    # during this measurement: on a busy one no bound holds a timing, and speedup_limit is infinite)
    assert m.speedup <= speedup_limit(k, 2, m.machine) * SLACK, (k, m.speedup, m.machine)

# %% tags=["nbval-ignore-output"]
# What the table shows on this machine, computed from its numbers.
below = [k for k, m in by_folds.items() if judge(m.speedup, m.bound) == "below"]
print(f"One fold took {fmt_seconds(by_folds[4].fold_time)} with 4 folds (median of the serial runs).")
print(f"Measured below the list-scheduling bound by more than noise: {len(below)} of {len(by_folds)} fold counts "
      f"({', '.join(map(str, below)) or 'none'}).")
print(compare_times(by_folds[4].parallel, by_folds[4].serial, "4 folds on 2 workers", "the serial loop",
                    machine=by_folds[4].machine))
if here.cores < 2:
    print("With 1 core the two workers take turns on it: on a free core they cannot beat the serial loop "
          "(the line above says what happened here).")

# %%
fig = plot_speedup_vs_folds(
    {k: m.speedup for k, m in by_folds.items()}, n_workers=2,
    durations={k: m.fold_seconds for k, m in by_folds.items()},
    expected={k: rule(m.fold_seconds, None, n_cores=here.cores) for k, m in by_folds.items()},
    title=f"2 to 6 folds of {1000 * min(m.fold_time for m in by_folds.values()):.0f}–"
          f"{1000 * max(m.fold_time for m in by_folds.values()):.0f} ms on 2 workers "
          f"({here.cores} core{'s' * (here.cores != 1)} here)",
)

# %% [markdown]
# The bound is a **saw-tooth**: with an even number of folds both workers are busy to the end; with an odd number the
# last round runs one fold alone while the other worker waits (3 folds: 2 rounds, 1.5×). The list-scheduling bound
# of the measured folds follows it as far as the measured folds are equal, and the table prints both: a worker whose
# folds were a bit longer finishes last (below the saw-tooth), or, with an odd number of folds, a shorter last fold
# leaves the other worker idle for less time (above it).

# %% [markdown]
# Where the measured points sit below both bounds, the gap is the serial part and the slowdown, which the rule adds
# (the next section reads the serial part off a run). With fewer cores than workers the points fall further, towards
# 1× or below: the workers then share what cores there are. Other programs using the cores distort every timing,
# either way: usually the parallel run loses more, but with more processes it can also win a larger share of a busy
# machine and even pass the bounds (on a busy machine the cell's checks hold no bound). The lines above the chart say
# where this machine's points fell.

# %% [markdown]
# ## 3. The serial part, and Amdahl's law
#
# A cvkit run's trace says when each fold ran. Take section 2's last parallel run of 6 folds and draw it: one lane per
# worker, one bar per fold, from the moment the call started (t = 0) to the moment it returned (the red line; the
# dashed line marks the end of the last fold). The time when **no fold was running** is the run's **serial part** S:
# starting the call and dispatching the first folds (grey, on the left), collecting the results (grey, on the right),
# and any moment in between when both lanes are empty. More workers cannot shorten it.

# %% tags=["nbval-ignore-output"]
six = by_folds[6]
run = six.result   # the last parallel run of section 2's 6 folds
ax = plot_gantt(run, xmax=run.wall_time * 1.04,
                title="6 folds on 2 workers: the folds, and the serial part around them")
first_start = min(f.trace.start for f in run.folds)
last_end = max(f.trace.end for f in run.folds)
ax.axvspan(0, first_start, color="0.8", zorder=0, label="no fold running")
ax.axvspan(last_end, run.wall_time, color="0.8", zorder=0)
ax.axvline(run.wall_time, color="tab:red", linewidth=1.5, label="the call returns")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
ax.figure.tight_layout()
print(f"this run took {fmt_seconds(run.wall_time)}; no fold was running for "
      f"{fmt_seconds(run.wall_time - busy_seconds(run))} of it")

# %% [markdown]
# With the folds' work W (their serial durations added up) and the serial part S, a one-worker run takes W + S, and
# the share of it that workers can divide among themselves is p = W / (W + S). **Amdahl's law** gives the speed-up
# on w workers when nothing else limits it:
#
# speed-up = 1 / ((1 − p) + p / w)
#
# The serial share 1 − p takes as long whatever w; only the rest is divided by w. However many workers you add, the
# speed-up stays below 1 / (1 − p): **Amdahl's ceiling**.

# %% [markdown]
# A **cold pool** adds the workers' start-up to S: starting the processes and importing scikit-learn in each, before
# the first fold can run. Lesson 05 (section 1) measured that start-up on this machine, so it is not measured again
# here: the table below adds the kit's assumed start-up (`loky.startup`, printed in section 1) to the warm run's own
# S. It applies Amdahl's law to both, next to the two other limits of *Why it matters*: the rounds and the cores.

# %% tags=["nbval-ignore-output"]
import pandas as pd

W, S = sum(six.fold_seconds), six.serial_part   # S: the median over section 2's parallel runs of 6 folds
p_warm, p_cold = W / (W + S), W / (W + S + loky.startup)
print(f"6 folds: work W = {fmt_seconds(W)}; serial part S = {fmt_seconds(S)} warm (measured), "
      f"{fmt_seconds(S + loky.startup)} cold (S + the assumed start-up)")
print(f"p = {p_warm:.3f} warm, {p_cold:.3f} cold; Amdahl's ceiling 1 / (1 − p) = {amdahl_limit(p_warm):.1f}× warm, "
      f"{amdahl_limit(p_cold):.2f}× cold. Measured on 2 warm workers (section 2): {six.speedup:.2f}×")
workers = [1, 2, 3, 4, 6, 8, 16]
pd.DataFrame({
    "Amdahl, warm": [amdahl_speedup(p_warm, w) for w in workers],
    "Amdahl, cold": [amdahl_speedup(p_cold, w) for w in workers],
    "rounds: 6 / ceil(6 / w)": [6 / math.ceil(6 / w) for w in workers],
    f"cores: min(w, {here.cores})": [min(w, here.cores) for w in workers],
}, index=pd.Index(workers, name="workers w")).round(2)

# %% [markdown]
# Each column is one limit taken alone, for w workers; a run reaches none of them, and the lowest in a row binds
# first. Three things to look for:
#
# - **Beyond the cores, nothing.** Amdahl's law and the rounds both assume a free core for every worker. Workers
#   beyond the cores share them: on free cores, w workers on c cores never pass c× (lesson 03, section 4, ran 4
#   workers on this machine's cores).
# - **Warm, Amdahl costs little.** With workers already running, the serial part is a call's dispatch and
#   collection. When it is small against the folds, the warm column stays close to w for the first workers (the few
#   percent it loses are part of the gap between the measured speed-up and the bound), and its ceiling lies far
#   above the cores.
# - **Cold, Amdahl binds.** A start-up as long as the folds' work or longer makes S ≥ W, so p ≤ 1/2 and the cold
#   column stays below 1 / (1 − p) ≤ 2× whatever the number of workers: the first call of a session can be slower
#   than the serial loop even when later calls are faster.
#
# The next cell puts numbers on it for this machine.

# %% tags=["nbval-ignore-output"]
# What the serial part costs 6 folds on 2 workers here, warm and cold, computed from the numbers above.
others = min(6 / math.ceil(6 / 2), here.cores)   # the rounds and the cores
for name, p in (("warm", p_warm), ("cold", p_cold)):
    at_two, ceiling = amdahl_speedup(p, 2), amdahl_limit(p)
    beyond = (f"more workers, on more cores, could take it towards {ceiling:.1f}×" if ceiling > others
              else f"no number of workers gets past {ceiling:.2f}×")
    print(f"{name} pool: Amdahl's law allows {at_two:.2f}× on 2 workers, against {others:.2f}× from the rounds and "
          f"the cores; {beyond}.")
print(f"Section 2's runs were measured on {six.machine}.")

# %% [markdown]
# ## 4. Granularity: where parallel starts to pay
#
# Now fix 4 folds and 2 warm workers, and change the length of a fold: iris (150 rows), then synthetic sets sized for
# this machine with `fold_seconds=` (about 20 ms, section 2's ~50 ms, about 150 ms). The cell prints how long one fold
# of each took: on a busy machine, longer than asked, since the rows are sized from the CPU time a fold needs and the
# durations are wall time. Every run is repeated and the medians kept (5 times for iris and the ~20 ms folds, 3 for
# the ~150 ms ones; the ~50 ms row reuses section 2's 4-fold measurement, repeated twice), since a single run of a few
# milliseconds is at the mercy of everything else the machine does.

# %%
X_iris, y_iris = cvkit.load_dataset("iris")
X_light, y_light = cvkit.load_dataset("synthetic", fold_seconds=0.02)
X_medium, y_medium = cvkit.load_dataset("synthetic", fold_seconds=0.15)
sweep = {
    "iris": measure_speedup(SVC(), X_iris, y_iris, cv=4, n_jobs=2, repeats=5),
    "~20 ms": measure_speedup(SVC(), X_light, y_light, cv=4, n_jobs=2, repeats=5),
    "~50 ms": by_folds[4],
    "~150 ms": measure_speedup(SVC(), X_medium, y_medium, cv=4, n_jobs=2, repeats=3),
}
for name, m in sweep.items():
    print(f"{name:>7}: one fold {fmt_seconds(m.fold_time)}, measured {m.speedup:.2f}×, "
          f"the rule expected {rule(m.fold_seconds, None, n_cores=here.cores):.2f}×")
    assert m.speedup <= speedup_limit(4, 2, m.machine) * SLACK, (name, m.speedup, m.machine)

warm_even = breakeven_fold_seconds(4, 2, per_call=loky.per_call, per_task=loky.per_task, slowdown=loky.slowdown,
                                   min_speedup=1.1)
cold_even = breakeven_fold_seconds(4, 2, startup=loky.startup, per_call=loky.per_call, per_task=loky.per_task,
                                   slowdown=loky.slowdown, min_speedup=1.1)
print(f"the rule on 2 free cores: 4 folds on 2 workers pay (at least 1.1×) above {warm_even * 1000:.1f} ms per fold "
      f"with a warm pool, above {cold_even:.2f} s with a cold one")

# %% tags=["nbval-ignore-output"]
# Each fold length against the rule's break-even on this machine's cores, and the measurement against the rule.
even_here = breakeven_fold_seconds(4, 2, per_call=loky.per_call, per_task=loky.per_task, slowdown=loky.slowdown,
                                   n_cores=here.cores, min_speedup=1.1)
print(f"The rule's warm break-even (1.1×) for 4 folds on 2 workers on {here.cores} core{'s' * (here.cores != 1)}: "
      f"{fmt_seconds(even_here)}.")
if here.cores < 2:
    print("On 1 core the two workers take turns on it: the rule expects no fold length to pay here.")
outcome = {"faster": "parallel paid", "slower": "parallel lost", "about the same": "about the same as serial"}
against = {"above": "above the rule", "below": "below the rule", "borderline": "within noise of the rule"}
for name, m in sweep.items():
    side = "above" if m.fold_time > even_here else "below"
    expected = rule(m.fold_seconds, None, n_cores=here.cores)
    print(f"{name:>7}: {fmt_seconds(m.fold_time)} per fold, {side} the break-even; measured {m.speedup:.2f}× "
          f"({outcome[compare_times(m.parallel, m.serial, machine=m.machine).verdict]}), the rule {expected:.2f}×: "
          f"{against[judge(m.speedup, expected)]}")
busiest = max((m.machine for m in sweep.values()), key=lambda w: -1 if math.isnan(w.others) else w.others)
print(f"Measured on {busiest} (the busiest of these measurements).")

# %%
fig = plot_speedup_vs_fold_time(
    {m.fold_time: m.speedup for m in sweep.values()}, n_folds=4, n_workers=2, costs=loky, cold_startup=loky.startup,
    labels={m.fold_time: name for name, m in sweep.items()}, n_cores=here.cores,
    title=f"4 folds on 2 workers ({here.cores} core{'s' * (here.cores != 1)} here): measured and the rule",
)

# %% [markdown]
# **Where the crossover lies, and why.** With a warm pool a call has a cost of its own (setting up, the first
# dispatch, collecting the last result: cvkit assumes 15 ms, from 10–30 ms measured on the kit's machine, plus sending
# large data once per call), and each fold costs more to **pickle** (turn into bytes another process can read), send
# and return (a few hundred microseconds with the fold's arguments). Two workers save at most half of the folds' time,
# so the folds must add up to several times that fixed cost: the break-even printed above is where the rule reaches
# 1.1× (a margin over noise; `min_speedup=1.0` gives the exact break-even). Folds far below it lose, folds far above
# it gain, and near it the answer is within noise. A measurement far from the rule usually means the cores were not
# free (section 2 says why).

# %% [markdown]
# With a **cold** pool the first call also starts the worker processes and imports scikit-learn in each new worker
# (lesson 05 measured it on this machine), so the crossover moves up, by the start-up divided among the folds: folds
# between the warm and the cold break-even pay only from the second call of a session on, and the session as a whole
# only once those calls' savings have covered the start-up. That is why a script that runs one small cross-validation
# with `n_jobs=2` can get slower, while a notebook that runs many gets faster.
#
# `benchmarks/bench_dispatch.py` measures the per-call and per-task costs of each backend on your machine, and
# `benchmarks/bench_folds.py` compares coarse folds (~0.5–1 s) run by the serial loop, the widely shared
# `Parallel(n_jobs=2)` answer, cvkit and `cross_validate`.

# %% [markdown]
# ## 5. The rule as a helper: `will_parallel_pay`
#
# `cvkit.lab.advice.will_parallel_pay(estimator, X, y, cv=..., n_jobs=...)` times **one** fold of your data (fit and
# score, in this process, the fastest of a few runs), applies the rule with this machine's cores, and says whether
# parallel will pay ("yes", "no", or "borderline" when the expected speed-up is within noise of the threshold), what
# speed-up to expect and why. `pool="auto"` (the default) looks whether loky's workers are running; here we say it. On
# iris:

# %% tags=["nbval-ignore-output"]
advice = will_parallel_pay(SVC(), X_iris, y_iris, cv=5, n_jobs=2, pool="warm")
print(advice)


def rule_says(advice):
    """The answer the rule gives for the advice's own measured fold time, costs and cores."""
    c = advice.costs
    again = expected_speedup(advice.fold_seconds, advice.n_folds, advice.n_workers, startup=c.startup,
                             per_call=c.per_call, per_task=c.per_task, slowdown=c.slowdown,
                             n_cores=advice.machine.cores)
    return {"above": "yes", "below": "no", "borderline": "borderline"}[judge(again, advice.min_speedup)]


assert advice.answer == rule_says(advice)
assert advice.pays == (advice.answer == "yes")

# %% [markdown]
# For iris, the answer depends on one iris fold's time here against the break-even the advice prints: the serial part
# is a fixed cost, and iris's folds are short. The advice's lines say on which side this machine falls. Now folds of
# about a second, sized for this machine with `fold_seconds=1.0` (the advice times one of them, so this cell takes a
# few seconds):

# %% tags=["nbval-ignore-output"]
X_big, y_big = cvkit.load_dataset("synthetic", fold_seconds=1.0)
advice = will_parallel_pay(SVC(), X_big, y_big, cv=5, n_jobs=2, pool="warm")
print(advice)
assert advice.answer == rule_says(advice)
# ~1 s folds dwarf a warm pool's serial part: the rule expects them to pay wherever 2 workers get 2 cores,
# and not on 1 core
assert advice.answer == ("yes" if here.cores >= 2 else "no"), (advice.answer, here)

# %% [markdown]
# With 2 or more cores, the advice says yes for these folds (the cell asserts it) and expects close to 5/3 on free
# cores; section 4's measurements show what these cores deliver. On 1 core the advice says no, whatever the fold
# length, since the two workers would take turns on it. To check the rule against what you measured, read section 4's
# last lines: each measurement is compared with the rule for this machine's cores, and called "within noise" when it
# is. The verdict is robust where the fold time is far from the break-even the advice prints; near it, the advice
# answers "borderline".

# %% [markdown]
# ## Summary — key points

# %% [markdown]
# - Three limits cap a parallel cross-validation: the cores (min(w, c)), the granularity (k / ceil(k / w), a saw-tooth
#   in k) and the serial part of the run (Amdahl: 1 / ((1 − p) + p / w), never above 1 / (1 − p)).
# - Measure speed-ups in one session, serial and parallel alternating, repeated, and compare them with the
#   list-scheduling bound of the measured folds: the gap is the serial part and the slowdown of folds that share the
#   cores.
# - The serial part is the time in a run's trace when no fold runs. Warm, it is small and Amdahl's ceiling lies far
#   above the cores; a cold pool's start-up can bring it down towards 1×.
# - A call to a warm loky pool has a fixed cost (cvkit assumes 15 ms) and a cost per fold (a few hundred µs); a cold
#   one adds starting the processes and importing scikit-learn in each. With these costs and 2 free cores, the rule
#   puts the break-even of 4 folds (at 1.1×) at about 11 ms per fold warm, and about 0.7 s cold.
# - The rule: parallel time ≈ start-up (cold) + per call + k × per task + ceil(k / w) × fold time × (1 + slowdown);
#   `cvkit.lab.advice.will_parallel_pay` times one fold and applies it with this machine's cores.

# %% [markdown]
# ## Exercise
#
# Apply the rule by hand to a case the lesson did not measure: **8 folds of 50 ms** each on **3 workers** of a warm
# pool, with a free core for each. The pool costs **20 ms per call** and **0.5 ms per fold** (sending it and getting
# its result back), and folds that run side by side are each **5 % slower**. These costs are the exercise's, not the
# loky costs assumed above.
#
# **Part 1.** What speed-up over the serial loop does the rule expect? Work it out on paper (count the rounds
# first), then write it as a number or an expression; within 0.02 counts as right.

# %%
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson06 import EXERCISE, check_calls_to_pay_back, check_expected_speedup

speedup = NOT_ANSWERED   # replace NOT_ANSWERED with your number or expression, e.g. 7 / 4

check_expected_speedup(speedup)

# %% [markdown]
# **Part 2.** The first call of a session finds the pool cold: it also pays **1 s** of start-up, and the calls after
# it find the workers running. A session runs this same cross-validation n times (say, once for each of n values of
# `C`). From which n on does the whole session take less time in parallel than with the serial loop? Reason from
# part 1's times, then check.

# %%
calls = NOT_ANSWERED   # a whole number of calls

check_calls_to_pay_back(calls)

# %%
# Once both parts are answered: the rule computed, and the session call by call, to compare with your reasoning.
if speedup is NOT_ANSWERED or calls is NOT_ANSWERED:
    print("Answer both parts first, then run this cell.")
else:
    e = EXERCISE
    warm = expected_speedup(e["fold_seconds"], e["n_folds"], e["n_workers"], per_call=e["per_call"],
                            per_task=e["per_task"], slowdown=e["slowdown"])
    serial = e["n_folds"] * e["fold_seconds"]
    print(f"the rule, computed: {warm:.3f}× (your part 1: {speedup})")
    for n in range(1, 9):
        parallel_total, serial_total = e["startup"] + n * serial / warm, n * serial
        ahead = "parallel" if parallel_total < serial_total else "serial"
        print(f"{n} call(s): parallel {parallel_total:.3f} s, serial {serial_total:.3f} s: {ahead} ahead")

# %% [markdown] cvkit_nav="bottom"
# ← [05b When a fold fails](05b_when_a_fold_fails.ipynb) · [Index](00_index.ipynb) · [07 Scale out: the same folds on a Dask cluster](07_scale_out_dask.ipynb) →
