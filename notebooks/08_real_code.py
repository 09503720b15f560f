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
# ← [07 Scale out: the same folds on a Dask cluster](07_scale_out_dask.ipynb) · [Index](00_index.ipynb)

# %% [markdown]
# # Lesson 08 — Parallel cross-validation in real code

# %% [markdown]
# ## Why it matters
#
# Lessons 01–07 answered the question with the question's own loop. Real code looks different:
# `cross_validate(..., n_jobs=-1)` and `GridSearchCV(..., n_jobs=-1)` around estimators that have an `n_jobs` of their
# own, in notebooks and in scripts. Then come the questions that fill the issue trackers of scikit-learn and joblib:
# Why is it slower with more jobs? Why are all my cores busy while nothing moves? Where do I put `n_jobs`? Why do my
# parallel scores differ from the serial ones in the last digits? Why does my script crash with a message about
# `freeze_support`? How do I see progress?
#
# This lesson answers each one with scikit-learn's and joblib's own tools, and shows what cvkit adds to them.

# %% [markdown]
# ## Objectives
#
# - Get the question's f1 and confusion matrix per fold from `cross_validate` or `cross_val_predict`, prove them equal
#   to the serial loop and to `cvkit.run_folds`, and say what each tool adds.
# - Decide where `n_jobs` goes when a search or a forest runs inside the folds, from a measurement and a chart of the
#   nested tasks.
# - Watch a `GridSearchCV` run task by task through scikit-learn's callbacks.
# - Say exactly when parallel results equal serial ones to the last digit, find a case on this machine where they may
#   not, and make them equal.
# - Turn the notebook into a script with the `if __name__ == "__main__":` guard, and explain why workers started by
#   *spawn* need it.
# - Read joblib's `verbose` lines, and put a progress bar on the folds.

# %% [markdown]
# ## 1. The library answer: `cross_validate`
#
# The reference, once more: the question's loop (lesson 01), with its body as a function of the fold's rows
# (lesson 02). Every version below must give exactly these f1 scores and confusion matrices.

# %%
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_validate
from sklearn.svm import SVC

import cvkit

X, y = load_iris(return_X_y=True)
skf = StratifiedKFold(n_splits=5)


def fold_f1_and_matrix(estimator, X, y, train_index, test_index):
    """Fit a clone of ``estimator`` on the training rows; return the test rows' weighted f1 and confusion matrix."""
    y_pred = clone(estimator).fit(X[train_index], y[train_index]).predict(X[test_index])
    return f1_score(y[test_index], y_pred, average="weighted"), confusion_matrix(y[test_index], y_pred)


loop = [fold_f1_and_matrix(SVC(kernel="rbf"), X, y, train, test) for train, test in skf.split(X, y)]
loop_f1 = [f1 for f1, _ in loop]
loop_matrices = [matrix for _, matrix in loop]
print("serial loop f1:", loop_f1)

# %% [markdown]
# `cross_validate` runs the same folds: it clones the estimator for each fold, fits it, scores it, and with
# `n_jobs=2` hands the folds to joblib (loky, unless a `parallel_config` says otherwise). `scoring="f1_weighted"` is the
# loop's f1. A score is one number, so the confusion matrices need more: `return_estimator=True` keeps each fold's
# fitted model, and `return_indices=True` each fold's training and test rows. Each model then predicts its own test
# rows:

# %%
cv_results = cross_validate(SVC(kernel="rbf"), X, y, cv=skf, scoring="f1_weighted", n_jobs=2,
                            return_estimator=True, return_indices=True)
print("keys:", sorted(cv_results))

library_f1 = cv_results["test_score"].tolist()
library_matrices = [confusion_matrix(y[test], model.predict(X[test]))       # fold i's model on fold i's test rows
                    for model, test in zip(cv_results["estimator"], cv_results["indices"]["test"])]

assert library_f1 == loop_f1
assert all(np.array_equal(a, b) for a, b in zip(library_matrices, loop_matrices))
print("cross_validate: the loop's f1 and confusion matrix, fold by fold")

# %% [markdown]
# Those predictions ran here, in this process, a second time. `cross_val_predict` makes them in the workers instead:
# it returns, for every row, the prediction of the fold that tested it. Cut that by each fold's test rows, and you
# have each fold's matrix and f1, without keeping any model. It works because `skf` splits the same way every time
# (no shuffling; a `StratifiedKFold(shuffle=True)` needs an integer `random_state` for that):

# %%
y_pred = cross_val_predict(SVC(kernel="rbf"), X, y, cv=skf, n_jobs=2)
test_rows = [test for _, test in skf.split(X, y)]
predict_f1 = [f1_score(y[t], y_pred[t], average="weighted") for t in test_rows]
predict_matrices = [confusion_matrix(y[t], y_pred[t]) for t in test_rows]

assert predict_f1 == loop_f1
assert all(np.array_equal(a, b) for a, b in zip(predict_matrices, loop_matrices))
assert np.array_equal(confusion_matrix(y, y_pred), sum(loop_matrices))    # all rows at once: the folds' sum
print("cross_val_predict, cut by the test folds: the same")

# %% [markdown]
# And `cvkit.run_folds`, which keeps each fold's matrix itself. The four side by side:

# %%
result = cvkit.run_folds(SVC(kernel="rbf"), X, y, cv=skf, n_jobs=2)
assert result.scores.tolist() == loop_f1
assert all(np.array_equal(fold.confusion_matrix, m) for fold, m in zip(result.folds, loop_matrices))

pd.DataFrame({"serial loop": loop_f1, "cross_validate": library_f1, "cross_val_predict": predict_f1,
              "cvkit.run_folds": result.scores}).rename_axis("fold")

# %% [markdown]
# ### What each adds
#
# | | scikit-learn: `cross_validate` | cvkit: `run_folds` |
# |---|---|---|
# | a fold whose fit raises | `error_score=np.nan` (the default): NaN and a warning; `"raise"`: the call raises | the fold is kept as failed, with its error in one line |
# | a worker that dies | the call raises: the other folds' results are lost | the fold is recorded as failed, the others kept (lesson 05b) |
# | a fold that hangs | the call waits forever | with `timeout=`, the fold is recorded as failed (lesson 05b) |
# | several metrics in one run | `scoring=["f1_weighted", "accuracy"]` | one metric, plus the confusion matrix |
# | who ran each fold, and when | — | a trace per fold: worker, start, end (lesson 03) |
# | a live view | section 3 adds one | the explorer (lesson 04) |
# | scikit-learn's settings in the workers | passed on (below) | not passed: it uses joblib's own `Parallel` |
#
# A fold that fails on purpose (cvkit's `FaultyClassifier` raises in the fold that tests row 0), with two metrics:

# %%
from cvkit.lab.faults import FaultyClassifier

faulty = FaultyClassifier(SVC(kernel="rbf"), marked_rows=X[[0]])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    two_metrics = cross_validate(faulty, X, y, cv=skf, n_jobs=2, scoring=["f1_weighted", "accuracy"])
print("f1      :", two_metrics["test_f1_weighted"].round(3).tolist())
print("accuracy:", two_metrics["test_accuracy"].round(3).tolist())
print("warning :", [f"{type(w.message).__name__}: {str(w.message).strip().splitlines()[0]}" for w in caught])

# %% [markdown]
# **Settings in the workers.** `sklearn.config_context(...)` changes scikit-learn's settings (`sklearn.get_config()`)
# for the code inside the `with` block, in this thread only. A worker process starts with the defaults. scikit-learn
# runs its own parallel work through `sklearn.utils.parallel.Parallel` and `delayed`, which take the settings (and the
# warning filters) when the call starts and apply them around every task in the workers. `cross_validate`,
# `GridSearchCV` and the forests use them; a loop written with joblib's `Parallel` does not. Here with
# `assume_finite` (skip the checks for NaN and infinity):

# %%
import sklearn
from joblib import Parallel, delayed
from sklearn.utils.parallel import Parallel as SklearnParallel
from sklearn.utils.parallel import delayed as sklearn_delayed


def assume_finite_here():
    """scikit-learn's assume_finite setting in the process and thread that run this."""
    return sklearn.get_config()["assume_finite"]


with sklearn.config_context(assume_finite=True):
    print("this kernel                   :", assume_finite_here())
    print("joblib's Parallel, 2 tasks    :", Parallel(n_jobs=2)(delayed(assume_finite_here)() for _ in range(2)))
    print("sklearn.utils.parallel, 2 tasks:",
          SklearnParallel(n_jobs=2)(sklearn_delayed(assume_finite_here)() for _ in range(2)))

# %% [markdown]
# ## 2. Nested parallelism: `n_jobs` inside `n_jobs`
#
# Real code often has two levels of parallel work. A **nested cross-validation** puts a `GridSearchCV` (the *inner*
# level: it picks `C` with folds of its own) inside each fold of `cross_validate` (the *outer* level: it scores the
# whole search on data the search never saw), and both take `n_jobs`. A random forest inside the folds has an `n_jobs`
# of its own too: it fits its trees in parallel.
#
# So a parallel call is made *inside* a task of another parallel call. Three questions: what does joblib do with that
# inner call, how many tasks then run at once, and where should `n_jobs` go on this machine?

# %% [markdown]
# ### What joblib's code says
#
# When `Parallel` sends a batch of tasks to a worker, it sends along the backend that calls made *inside* those tasks
# will use (`get_nested_backend()` in joblib 1.6's `_parallel_backends.py`), and the worker runs the batch under it:
#
# | the outer call | an inner `Parallel` call made in one of its tasks gets |
# |---|---|
# | loky, multiprocessing or threading, 2 or more workers | **threading**, in the worker that runs the outer task: `n_jobs=2` is 2 threads; `n_jobs=-1` is one thread per core of the machine, in *every* outer worker; `n_jobs=None` runs the inner tasks one after the other |
# | `n_jobs=1` | what it would get alone: the outer tasks run in this thread, so a `GridSearchCV` gets loky processes and a random forest threads (it asks joblib for `prefer="threads"`) |
# | a call inside an inner task | sequential: one task after the other |
#
# joblib counts the depth as the backend's **nesting level** (0 at the top).

# %% [markdown]
# In scikit-learn alone, the nested cross-validation is one line: a `GridSearchCV` passed to `cross_validate` as the
# estimator, each with its own `n_jobs`. Here on 300 rows of synthetic data, so that the inner fits are short:

# %%
import os

import joblib
from sklearn.model_selection import GridSearchCV

from cvkit import load_dataset

X_nested, y_nested = load_dataset("synthetic", n_samples=300)  # the same 300 rows on every machine
GRID = {"C": [0.1, 1.0, 10.0]}                                   # 3 candidates for the inner search of an SVC
inner_search = GridSearchCV(SVC(), GRID, cv=StratifiedKFold(3), scoring="f1_weighted", n_jobs=2)
nested_scores = cross_validate(inner_search, X_nested, y_nested, cv=StratifiedKFold(3), scoring="f1_weighted",
                               n_jobs=2)["test_score"]
print("f1 of each outer fold:", nested_scores.round(4).tolist())

# %% [markdown]
# That line hides who ran what. `cvkit.lab.nested.run_nested` runs the same nested cross-validation (the same folds,
# search and scores): the outer folds in `joblib.Parallel(n_jobs=outer_n_jobs)`, and in each a
# `GridSearchCV(n_jobs=inner_n_jobs)` or a `RandomForestClassifier(n_jobs=inner_n_jobs)`. For every task of both
# levels it records which **process** ran it (a running program with its own memory: loky's workers are processes)
# and which **thread** (a line of execution inside a process, sharing the process's memory), and when. First both
# levels serial, as the reference:

# %%
from cvkit.lab.nested import run_nested
from cvkit.plots import plot_nested
from cvkit.core.verdicts import compare_times, fmt_seconds, judge, watch_machine

# %matplotlib inline

serial = run_nested(X_nested, y_nested, outer_n_jobs=1, inner_n_jobs=1, param_grid=GRID)
forest_serial = run_nested(X_nested, y_nested, inner="forest", outer_n_jobs=1, inner_n_jobs=1)  # 8 trees, seeded

print(f"{len(serial.outer)} outer folds, each with {len(serial.tasks_of(0))} inner tasks "
      f"(3 candidates × 3 inner folds, then 1 refit of the best); f1 of each outer fold: "
      f"{[round(s, 4) for s in serial.scores]}")
assert serial.scores == nested_scores.tolist()            # the scikit-learn one-liner's scores, to the last digit
assert len(serial.tasks) == 3 * (3 * 3 + 1) and len(forest_serial.tasks) == 3 * 8

# %% [markdown]
# Now check the table: the same nested cross-validation with `n_jobs=2` at the outer level, the inner level and both,
# for the search and for the forest. For each run the cell prints the backend joblib gave the inner level (asked
# inside the worker, the way `Parallel` asks) and where the inner tasks ran relative to the worker of their outer
# fold (`run.inner_places()` reads that from the run's records), and checks that every run gives the serial run's
# scores.

# %%
runs = {}
for inner in ("grid", "forest"):
    for outer_n_jobs, inner_n_jobs in ((2, 1), (1, 2), (2, 2)):
        options = {"param_grid": GRID} if inner == "grid" else {"inner": "forest"}
        run = run_nested(X_nested, y_nested, outer_n_jobs=outer_n_jobs, inner_n_jobs=inner_n_jobs, **options)
        runs[inner, outer_n_jobs, inner_n_jobs] = run
        level = run.outer[0].inner_nesting_level
        print(f"{inner:>6}, outer n_jobs={outer_n_jobs}, inner n_jobs={inner_n_jobs}: outer folds on "
              f"{run.settings['outer_backend']}, inner level on {run.inner_backend} (nesting level {level}); "
              f"inner tasks in {run.inner_places()}")
        assert run.scores == (serial if inner == "grid" else forest_serial).scores  # parallel == serial
        if outer_n_jobs == 2:  # joblib's table, row 1 (inner n_jobs=1 or None: one task after the other)
            assert (run.inner_backend, level) == ("threading" if inner_n_jobs == 2 else "sequential", 1)
        else:  # row 2: the search gets loky processes, the forest threads, at level 0
            assert (run.inner_backend, level) == ("loky" if inner == "grid" else "threading", 0)

# %% [markdown]
# Each line matches a row of the table (the cell asserts it). With 2 outer workers the inner level is at nesting level
# 1: inner `n_jobs=2` gets threads inside the outer fold's process, inner `n_jobs=1` runs in the outer fold's own
# thread. With one outer worker the search gets loky's processes and the forest threads, at level 0. The scores do not
# change.

# %% [markdown]
# ### `n_jobs=-1` inside a worker
#
# `-1` means "all cores" at the top level. Inside an outer worker it still means all cores, so 2 outer workers that
# each start a search with `n_jobs=-1` can run 2 × cores inner tasks at once (at most the search's 9 fits each).
#
# One more limit applies inside loky's workers: it starts them with `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`, ... set
# to `max(cores // n_jobs, 1)` (unless you set them yourself), which caps the threads of BLAS and OpenMP there
# (lesson 05, section 6); the threading backend sets no cap, so inner threads share their worker's capped pools. The
# cell computes both for this machine:

# %% tags=["nbval-ignore-output"]
cores = joblib.cpu_count()
everywhere = run_nested(X_nested, y_nested, outer_n_jobs=2, inner_n_jobs=-1, param_grid=GRID)
print(f"joblib.cpu_count() here: {cores}. Inside each outer worker, inner n_jobs=-1 gives "
      f"{everywhere.inner_workers} worker(s) ({everywhere.inner_backend}) for the search's "
      f"{everywhere.inner_call_tasks} fits, so 2 outer workers can run up to {everywhere.max_tasks_at_once} inner "
      f"tasks at once on {cores} core(s): {'oversubscribed' if everywhere.oversubscribed else 'not oversubscribed'}.")
caps = everywhere.outer[0].thread_caps
print(f"In the outer loky workers: {caps}, max(cores // 2, 1) = {max(cores // 2, 1)}; "
      f"BLAS threads in use there: {everywhere.outer[0].blas_threads}.")
assert everywhere.inner_workers == cores                        # -1 is all cores, whatever the nesting
assert everywhere.max_tasks_at_once == 2 * min(cores, 9)        # 2 outer workers × (cores, at most 9 fits)
assert everywhere.oversubscribed == (cores <= 17)               # 2 × min(cores, 9) > cores
assert caps["OPENBLAS_NUM_THREADS"] == os.environ.get("OPENBLAS_NUM_THREADS", str(max(cores // 2, 1)))

# %% [markdown]
# A run is **oversubscribed** when more tasks can run at once than there are cores: they take turns on the cores, and
# every switch between them costs a little. With 2 × min(cores, 9) inner tasks at once, this run is oversubscribed on
# any machine with up to 17 cores (the cell above prints it for this one). The chart shows it: one lane per outer
# fold, a grey band for the whole outer task (edged in the colour of the worker that ran it) and, inside it, a bar for
# every inner task, on as many sub-rows as ran at once. One colour family per process, a shade per thread; the hatched
# bar is the refit.

# %%
ax = plot_nested(everywhere)

# %% tags=["nbval-ignore-output"]
# How many processes and threads ran tasks in that run, and how many at the same moment, from its records.
print(everywhere.summary())
new_threads = everywhere.n_threads - len({o.worker for o in everywhere.outer})
print(f"The threading backend starts new threads for every inner call: {new_threads} threads ran inner fits in all, "
      f"never more than {everywhere.peak_tasks} at the same moment.")
assert everywhere.peak_tasks <= everywhere.max_tasks_at_once   # no more than outer × inner, ever
assert everywhere.n_processes <= 2                              # the inner threads live in the 2 outer workers

# %% tags=["nbval-ignore-output"]
configs = {"serial": (1, 1), "outer only": (2, 1), "inner only": (1, 2), "both": (2, 2)}
best, kept = dict.fromkeys(configs, float("inf")), {}
with watch_machine() as watch:
    for _ in range(3):
        for name, (outer_n_jobs, inner_n_jobs) in configs.items():
            run = run_nested(X_nested, y_nested, outer_n_jobs=outer_n_jobs, inner_n_jobs=inner_n_jobs, param_grid=GRID)
            assert run.scores == serial.scores
            if run.wall_time < best[name]:
                best[name], kept[name] = run.wall_time, run

fit_times = sorted(t.duration for t in kept["serial"].tasks if t.kind == "fit")
print(f"One inner fit took {fmt_seconds(fit_times[len(fit_times) // 2])} (median, fastest serial run); "
      f"'both' can run {runs['grid', 2, 2].max_tasks_at_once} inner tasks at once on {watch.machine.cores} core(s).")
for name in ("outer only", "inner only", "both"):
    print(compare_times(best[name], best["serial"], name, "serial", machine=watch.machine).sentence() + ".")
fastest = min(best, key=best.get)
runner_up = min((n for n in best if n != fastest), key=best.get)
close = judge(best[runner_up] / best[fastest], 1.0) == "borderline"
print(f"Fastest here: {fastest}" + (f", within noise of {runner_up}" if close else "") + ".")
print(f"Measured on {watch.machine}.")
if watch.machine.busy:
    print("Other programs kept at least half of the cores busy while we measured. They slow the runs down, and a run "
          "with more processes or threads can win a larger share of the cores from them than the serial run had: "
          "timings now say as much about the load as about where n_jobs is.")

# %% [markdown]
# What decides the answer is visible in the numbers above: the cores (a placement that can run more tasks at once than
# there are cores only makes them take turns), the length of a task against the cost of dispatching it (an inner fit
# is about a tenth of an outer fold's work, since each outer fold holds 10 of them, so its dispatch weighs more), and
# how many tasks each level has (3 outer folds keep at most 3 workers busy). On another machine, or in a busy minute,
# the ranking can change: measure before you choose, the way this cell does, and count outer workers × inner workers
# against `joblib.cpu_count()` before you write `n_jobs=-1` twice.

# %% [markdown]
# ## 3. Watch scikit-learn's own search, fit by fit
#
# `GridSearchCV(..., n_jobs=2)` runs one **task** per (candidate, fold) pair through the same joblib queue as lesson 03:
# 6 candidates and 4 folds make 24 tasks. Which worker ran which task, and when, is normally invisible.
#
# scikit-learn 1.9 has an experimental **callback** API (`sklearn.callback`): an object you attach with
# `search.set_callbacks(...)` whose methods `on_fit_task_begin` and `on_fit_task_end` scikit-learn calls around every
# task, inside the worker that runs it. cvkit's `SearchRecorder` is such a callback: it notes the worker and the time,
# and sends them back to the notebook while the search runs. `cvkit.widgets.SearchView` draws them: one lane per
# worker, one bar per (candidate, fold) fit, and beside it the schedule joblib's queue model predicts from the fit
# times measured so far. Its **Stop** button cancels the fits not started yet.

# %% tags=["nbval-ignore-output"]
from cvkit.widgets import SearchView

X_search, y_search = load_dataset("synthetic", n_samples=2000)  # fits long enough to see, short enough to wait for
search_grid = {"C": [0.1, 1.0, 10.0], "gamma": ["scale", 0.01]}  # 6 candidates
view = SearchView(GridSearchCV(SVC(), search_grid, cv=4, n_jobs=2))
view.fit(X_search, y_search);  # returns at once: the search runs in the background, the panel fills in

# %%
search = view.wait()  # block until the search (and its refit) ended
fits = [t for t in view.tasks if t.kind == "fit"]
assert len(fits) == 6 * 4 and all(t.state == "done" for t in fits)
print(f"{len(fits)} (candidate, fold) fits, then one refit; best parameters: {search.best_params_}")

# %% [markdown]
# Read the panel (or, without a kernel, its copy under the cell above):
# - **lanes** are the workers (their process ids); a bar is one fit, labelled with its task number
#   `candidate × 4 + fold`;
# - the **predicted** chart is joblib's queue (lesson 03) fed with the fit times measured in this run: where the
#   measured bars differ from it, the machine did (a worker started late, another program took a core);
# - the status line sums it up from the measurements: how many fits ran at once on average.
#
# Watching changes nothing in the search: the next cell fits the same grid without cvkit and compares.

# %%
plain = GridSearchCV(SVC(), search_grid, cv=4, n_jobs=2).fit(X_search, y_search)
same = all((plain.cv_results_[k] == search.cv_results_[k]).all()
           for k in plain.cv_results_ if k.startswith(("mean_test", "split", "rank")))
assert same and plain.best_params_ == search.best_params_
print("cv_results_ (scores and ranks) and best_params_ identical with and without the view:", same)

# %% [markdown]
# ### scikit-learn's own progress bar
#
# scikit-learn ships one callback ready to use: `sklearn.callback.ProgressBar` (it needs the `rich` package). It shows
# *how far* the search is; cvkit's view shows *who ran what, when*. Attach it the same way. Its bars live in the
# running notebook only: a copy of the notebook without a kernel shows an empty output under the cell.

# %% tags=["nbval-ignore-output"]
from sklearn.callback import ProgressBar

# max_propagation_depth=0: bars for the search itself only (an SVC reports no progress of its own)
with_bar = GridSearchCV(SVC(), search_grid, cv=4, n_jobs=2).set_callbacks(ProgressBar(max_propagation_depth=0))
with_bar.fit(X_search, y_search);

# %% [markdown]
# | | `ProgressBar` (scikit-learn) | `SearchView` (cvkit) |
# |---|---|---|
# | shows | tasks done out of the total, per level of nesting | each fit as a bar in its worker's lane, with times |
# | answers | "how long until it ends?" | "how were the tasks handed to the workers?" |
# | stop | no | Stop cancels the fits not started |
# | needs | `rich` | `ipywidgets` |
#
# Both are callbacks: neither changes a score.

# %% [markdown]
# ## 4. Reproducibility: `random_state` and `n_jobs`
#
# A parallel run gives the serial results to the last digit only if every fold does the same arithmetic, in the same
# order, wherever it runs. Two things can break that: randomness that is not seeded, and sums split over a different
# number of threads.
#
# **Randomness first.** A random forest draws a bootstrap sample of the rows and random candidate features for every
# tree. With `random_state=0` the draws are the same in any process; without a seed, every fit draws new ones. The
# cell compares whole runs with `cvkit.lab.reproducibility.compare_cv_results`: every fold's scores and fitted
# `feature_importances_`, exactly.

# %%
from sklearn.ensemble import RandomForestClassifier

from cvkit.lab.reproducibility import compare_cv_results

seeded = RandomForestClassifier(n_estimators=30, random_state=0)
by_n_jobs = [cross_validate(seeded, X, y, cv=skf, n_jobs=n_jobs, return_estimator=True) for n_jobs in (1, 2)]
seeded_comparison = compare_cv_results(*by_n_jobs, attribute="feature_importances_")
print("random_state=0, n_jobs=1 against n_jobs=2:", seeded_comparison)
assert seeded_comparison.identical

unseeded = RandomForestClassifier(n_estimators=30)
twice = [cross_validate(unseeded, X, y, cv=skf, return_estimator=True) for _ in range(2)]
print("no random_state, two serial runs identical:",
      compare_cv_results(*twice, attribute="feature_importances_").identical)

# %% [markdown]
# The forest's own `n_jobs` fits its trees in threads; they are seeded before they are built, so they are the same
# trees. One detail in scikit-learn's code (`_accumulate_prediction` in `sklearn/ensemble/_forest.py`):
# `predict_proba` adds the trees' votes up as the threads finish, so the probabilities can differ in their last
# digits from one call to the next.

# %% [markdown]
# **Now the sums.** Given several threads, BLAS (lesson 05: the library numpy calls for matrix products; the pip wheels
# ship OpenBLAS) splits a long sum into pieces, one per thread, and adds the pieces. Floating-point addition rounds
# after every step, so grouping the same numbers differently can change the last bits:

# %%
print("(0.1 + 0.2) + 0.3 =", (0.1 + 0.2) + 0.3)
print("0.1 + (0.2 + 0.3) =", 0.1 + (0.2 + 0.3))

# %% [markdown]
# How many threads? This process's BLAS starts with one per core it sees. A loky worker gets the limit of section 2,
# set before it starts by `LokyBackend._prepare_worker_env` in joblib's `_parallel_backends.py`:
# `inner_max_num_threads` if you gave one, else `max(cpu_count() // n_jobs, 1)`, unless the variable
# (`OPENBLAS_NUM_THREADS`, ...) is already set in this process's environment.
#
# A wide problem where that matters: 40 rows × 10,000 features, and `LogisticRegression`, whose solver (lbfgs) improves
# the coefficients step by step, computing a product of `X` with them at each step. The same folds, serially in this
# process and with `n_jobs=2`, compared exactly: coefficients and test scores (the log-loss, which moves with small
# changes of the probabilities):

# %% tags=["nbval-ignore-output"]
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from cvkit.lab.reproducibility import blas_threads, worker_blas_threads

X_wide, y_wide = make_classification(n_samples=40, n_features=10_000, n_informative=10, random_state=0)
logreg = LogisticRegression()
settings = dict(cv=3, scoring="neg_log_loss", return_estimator=True)

wide_serial = cross_validate(logreg, X_wide, y_wide, n_jobs=1, **settings)
wide_parallel = cross_validate(logreg, X_wide, y_wide, n_jobs=2, **settings)
here, in_workers = blas_threads(), worker_blas_threads(n_jobs=2)
wide_comparison = compare_cv_results(wide_serial, wide_parallel)

print(f"{joblib.cpu_count()} core(s); BLAS threads: {here} in this process, {in_workers} in each of 2 loky workers")
print("serial against n_jobs=2:", wide_comparison)
if here == in_workers:          # the same threads on both sides: the same sums, the same results
    assert wide_comparison.identical

# %% [markdown]
# Read the two lines above. Where this process's BLAS has more threads than a worker's, the serial run adds its
# products up in more pieces than the workers do. Each step of the solver then starts from numbers that differ in
# their last bits, and the steps carry the difference on: the coefficients can differ in their last digits, and so can
# a score computed from them (f1 or accuracy change only if a prediction flips). Where both sides have the same
# number of threads (pinned to one core with `taskset -c 0`, both have 1), the sums are the same and so are the
# results: the cell checks that.

# %% [markdown]
# **The fix: the same number of threads on both sides.** `threadpoolctl.threadpool_limits(1)` limits this process's
# BLAS inside a `with` block; `parallel_config(backend="loky", inner_max_num_threads=1)` gives the workers that limit
# instead of `cpu_count() // n_jobs`. With 1 thread everywhere every sum is done in one piece, on any machine:

# %%
from joblib import parallel_config
from threadpoolctl import threadpool_limits

with threadpool_limits(limits=1, user_api="blas"):
    wide_serial_1 = cross_validate(logreg, X_wide, y_wide, n_jobs=1, **settings)
with parallel_config(backend="loky", inner_max_num_threads=1):
    wide_parallel_1 = cross_validate(logreg, X_wide, y_wide, n_jobs=2, **settings)

fixed = compare_cv_results(wide_serial_1, wide_parallel_1)
print("1 BLAS thread on both sides:", fixed)
assert fixed.identical

# %% [markdown]
# ### When is parallel == serial, to the last digit?
#
# When each fold does the same arithmetic in the same order in a worker as in the serial run:
#
# - **Always**, whatever `n_jobs` is, for fits without unseeded randomness and without sums split over threads: SVC
#   on iris (its sums run over 4 features, too short to split), trees and forests with an integer `random_state`
#   (up to the last digits of a forest's probabilities when its own `n_jobs` is above 1, as said above). Lessons
#   01–07 compare SVC fits on rows far too short to split: that is why their "parallel = serial" checks hold on any
#   machine.
# - **Only with the same number of threads** on both sides, for fits that use BLAS or OpenMP on data large enough to
#   be split (linear models on wide data, as above): limit both to 1, or check that this process's count equals the
#   workers' `cpu_count() // n_jobs`.
# - **On the same machine and library versions**: another CPU or another BLAS may choose other ways to compute, so
#   compare results of one machine with each other, not with another machine's.
# - **Never** without a seed: two runs of an unseeded forest differ even when both are serial.

# %% [markdown]
# ## 5. From a notebook to a script
#
# Long runs often leave the notebook: a script started from a terminal, on a server, in a batch job.
# `examples/cv_script.py` is this lesson's answer as a script: the fold function, a `main()` that runs the folds
# serially and with `Parallel(n_jobs=2)` and prints what the question asks, and at the bottom:
#
# ```python
# if __name__ == "__main__":
#     sys.exit(main())
# ```
#
# Python names the file it was started with `"__main__"`, and gives a file another name when it is imported. So
# `main()` runs when you start the script, and not when another process imports the file to find `fold_scores`. The
# cell runs the script the way a terminal would, with this kernel's Python (`sys.executable`), and shows what it
# printed:

# %%
import subprocess
import sys
from pathlib import Path

script = Path(cvkit.__file__).resolve().parent.parent / "examples" / "cv_script.py"   # in this repository
done = subprocess.run([sys.executable, str(script), "--n-jobs", "2"], capture_output=True, text=True, timeout=300)
print(done.stdout + done.stderr)
assert done.returncode == 0 and "parallel == serial: True" in done.stdout
assert "top level: 0 of 5" in done.stdout   # loky never runs the script in its workers (below)

# %% [markdown]
# **Why the guard.** A worker process needs your functions. Python's `multiprocessing` starts one in one of three
# ways, its *start methods*:
#
# - **fork** copies the running parent, functions and all: the default on Linux up to Python 3.13.
# - **spawn** starts a fresh Python, which imports your main script (under the name `"__mp_main__"`) to find the
#   functions: the default on macOS and Windows. Dask's *nanny*, the process that starts and watches each Dask worker,
#   spawns its worker on every system.
# - **forkserver** forks workers from a server process, and they too import the main script: the default on Linux
#   from Python 3.14.
#
# With spawn and forkserver, everything at the top level of your script runs again in every worker. Top-level code
# that starts workers would then start workers from inside a worker. Python stops that with *"An attempt has been
# made to start a new process before the current process has finished its bootstrapping phase"*, and suggests
# `freeze_support()`, which only frozen Windows programs need; the parent can be left waiting for workers that never
# come. Under the guard, the import finds the functions and runs nothing else.

# %% [markdown]
# **loky is the exception.** It also starts each worker as a fresh Python, but it never imports your script: a
# function defined in `__main__` (in a script, or in this notebook) travels *by value*. loky pickles it (turns it into
# bytes another process can read back) with **cloudpickle**, a pickler that writes the function's code and the
# globals it uses instead of a reference to its module. The script's last line measured it: no fold ran in a process
# that had run the script's top level. So an unguarded script that uses only loky happens to work; guard it anyway,
# since every other start method, and Dask, needs the guard.

# %% [markdown]
# **Dask, and cvkit's message.** `run_folds(..., backend="dask")` starts cvkit's Dask cluster, whose nannies spawn
# their workers. From the top level of an unguarded script, Dask's own report is "Nanny failed to start", after a
# long traceback. cvkit looks before it starts the cluster: if the call comes from a script's top level, outside the
# guard, it raises one error that says what to do. A 5-line unguarded script, in a temporary folder:

# %%
import tempfile
import textwrap

unguarded = textwrap.dedent("""
    from sklearn.svm import SVC
    import cvkit
    X, y = cvkit.load_dataset("iris")
    cvkit.run_folds(SVC(), X, y, cv=5, n_jobs=2, backend="dask")
    print("no error")
""")
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "unguarded.py"
    path.write_text(unguarded)
    ran = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300)

last_line = ran.stderr.strip().splitlines()[-1].replace(str(path), "unguarded.py")   # the temporary folder varies
print("exit status:", ran.returncode)
print(textwrap.fill(last_line, width=110))
assert ran.returncode == 1 and last_line.startswith("cvkit.robust.script_guard.UnguardedScriptError")
assert "no error" not in ran.stdout

# %% [markdown]
# The fix is the one the message names, and the one `examples/cv_script.py` follows: imports and function
# definitions at the top level, the code that runs the folds under `if __name__ == "__main__":`.

# %% [markdown]
# ## 6. Progress and output
#
# `verbose` makes joblib print progress lines. The parent process (here, this kernel) prints them as results come
# back, on **stderr**, the error stream: Jupyter shows them in the cell's output, on a red background; a terminal shows
# them like any output, and `2> log.txt` sends them to a file instead. Ten folds, to see several lines:

# %% tags=["nbval-ignore-output"]
splits10 = list(StratifiedKFold(n_splits=10).split(X, y))

verbose_results = Parallel(n_jobs=2, verbose=10)(
    delayed(fold_f1_and_matrix)(SVC(kernel="rbf"), X, y, train, test) for train, test in splits10
)

# %% [markdown]
# How to read them:
#
# - `Using backend LokyBackend with 2 concurrent workers.`: once, at the start.
# - `Done   4 tasks      | elapsed:    0.1s`: 4 tasks have finished since the call started, 0.1 s ago. joblib does not
#   know the total yet: it is still reading tasks from the generator (lesson 02's `pre_dispatch`).
# - `Done   8 out of  10 | elapsed: ... remaining: ...`: every task has been read, so the total is known; *remaining*
#   extrapolates from the average time per task so far.
# - `Done  10 out of  10 | elapsed: ... finished`: the last line.
# - `Batch computation too fast (0.07s.) Setting batch_size=2.`: with `batch_size="auto"` joblib packs more tasks into
#   each batch when a batch took less than it aims for (lesson 03).
#
# Which lines appear depends on when tasks finish: up to `verbose=10` the lines thin out as the run goes on, above 10
# every batch of tasks gets one, and from 50 on they go to stdout. `cross_validate(..., verbose=1)` passes its value to
# the same `Parallel`. From `verbose=2` scikit-learn also prints a `[CV] END` line per fold, from inside the worker:
# Jupyter usually relays it, but it can land in a later cell, or in the terminal that started Jupyter.

# %% [markdown]
# **A progress bar** needs each result the moment it arrives. By default `Parallel` returns its list only when every
# task is done. With `return_as="generator_unordered"` it returns a generator that yields each result as soon as its
# task finishes, in the order they finish (`return_as="generator"` keeps the task order: a fast fold waits behind a
# slow one before it). So each result must say which fold it is. Wrap the generator in `tqdm` (the `tqdm` package;
# `tqdm.auto` draws a widget in Jupyter and a text bar in a terminal):

# %% tags=["nbval-ignore-output"]
from tqdm.auto import tqdm


def numbered_fold(fold, train_index, test_index):
    """The fold's number with its f1 and confusion matrix, so results arriving in any order can be put back."""
    return fold, *fold_f1_and_matrix(SVC(kernel="rbf"), X, y, train_index, test_index)


arrivals = Parallel(n_jobs=2, return_as="generator_unordered")(
    delayed(numbered_fold)(fold, train, test) for fold, (train, test) in enumerate(splits10)
)
by_fold = {}
for fold, f1, matrix in tqdm(arrivals, total=len(splits10), desc="folds", unit="fold"):
    by_fold[fold] = (f1, matrix)
print("arrival order:", list(by_fold))

# %%
serial10 = [fold_f1_and_matrix(SVC(kernel="rbf"), X, y, train, test) for train, test in splits10]
assert sorted(by_fold) == list(range(10))
assert [by_fold[fold][0] for fold in range(10)] == [f1 for f1, _ in serial10] == [f1 for f1, _ in verbose_results]
assert all(np.array_equal(by_fold[fold][1], matrix) for fold, (_, matrix) in enumerate(serial10))
print("put back in fold order: the serial loop's f1 and confusion matrices, fold by fold")

# %% [markdown]
# `cvkit.run_folds` reports each fold as it finishes through its `on_event` argument, and
# `cvkit.lab.progress.FoldProgress` turns that into the same tqdm bar (lesson 04's explorer and section 3's view draw the
# whole schedule instead):

# %% tags=["nbval-ignore-output"]
from cvkit.lab.progress import FoldProgress

with FoldProgress(total=10) as progress:
    result10 = cvkit.run_folds(SVC(kernel="rbf"), X, y, cv=StratifiedKFold(n_splits=10), n_jobs=2,
                               on_event=progress)

# %%
print(progress)
assert progress.finished == 10 and result10.scores.tolist() == [f1 for f1, _ in serial10]

# %% [markdown]
# ## Summary — key points
#
# - `cross_validate(..., return_estimator=True, return_indices=True)`, or `cross_val_predict` cut by the test folds,
#   gives the question's f1 and confusion matrix per fold, equal to the serial loop and `cvkit.run_folds`.
#   scikit-learn adds `error_score`, several metrics and its settings passed to the workers; cvkit adds a trace per
#   fold, live views, and keeps the other folds when one fails or its worker dies.
# - A `Parallel` call inside a worker gets joblib's *nested* backend: threads in that worker, sequential one level
#   further down; `n_jobs=-1` still means every core, in *each* outer worker. Count outer × inner workers against
#   `joblib.cpu_count()`, and measure where `n_jobs` pays.
# - scikit-learn 1.9's callbacks see every (candidate, fold) task of a search start and end in its worker:
#   `cvkit.widgets.SearchView` draws them live beside joblib's predicted queue; `sklearn.callback.ProgressBar` shows
#   how far the search is. Neither changes a score.
# - Parallel equals serial to the last digit when every fold does the same arithmetic in the same order: seeded
#   randomness and, for fits that use BLAS or OpenMP, the same number of threads on both sides (a loky worker gets
#   `cpu_count() // n_jobs`). `threadpool_limits(1)` and `parallel_config(backend="loky", inner_max_num_threads=1)`
#   make that true anywhere.
# - In a script, the code that runs the folds goes under `if __name__ == "__main__":`; loky sends `__main__` functions
#   by value (cloudpickle); cvkit refuses to start Dask from an unguarded top level.
# - joblib's `verbose` lines come from the parent, on stderr; `return_as="generator_unordered"` feeds a progress bar.

# %% [markdown]
# ## Exercise
#
# A machine with **8 cores** (`joblib.cpu_count()` is 8), numpy with
# OpenBLAS, no `*_NUM_THREADS` variable set, so this process's BLAS uses 8
# threads. *The wide data* is like section 4's: 40 rows × 10,000 features, products long enough for BLAS to split.
# Each run calls `cross_validate(..., cv=5, return_estimator=True)` twice, on the same data and folds: once as the
# serial reference, once in parallel.
#
# | run | model and data | serial reference | parallel run |
# |---|---|---|---|
# | A | `SVC()` on iris | `n_jobs=1` | `n_jobs=4` |
# | B | `RandomForestClassifier(random_state=0)` on iris | `n_jobs=1` | `n_jobs=8` |
# | C | `RandomForestClassifier()` on iris | `n_jobs=1` | `n_jobs=8` |
# | D | `LogisticRegression()` on the wide data | `n_jobs=1` | `n_jobs=4` |
# | E | `LogisticRegression()` on the wide data | `n_jobs=1 inside threadpool_limits(1)` | `n_jobs=8` |
# | F | `LogisticRegression()` on the wide data | `n_jobs=1 inside threadpool_limits(1)` | `n_jobs=4` |
# | G | `LogisticRegression()` on the wide data | `n_jobs=1 inside threadpool_limits(1)` | `n_jobs=4 inside parallel_config(backend="loky", inner_max_num_threads=1)` |
#
# Which runs are **guaranteed** to give the serial reference's scores and fitted models (coefficients, trees) to the
# last digit, in every fold? Predict, then check: a set of letters, e.g. `{"A", "C"}`, or `set()` for none.

# %%
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson08 import MACHINE, RUNS, check_identical_runs

identical = NOT_ANSWERED   # replace NOT_ANSWERED with a set of run letters, e.g. {"A", "C"}

# %%
check_identical_runs(identical)

# %% [markdown] cvkit_nav="bottom"
# ← [07 Scale out: the same folds on a Dask cluster](07_scale_out_dask.ipynb) · [Index](00_index.ipynb)
