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
# ← [05 Backends and their pitfalls](05_backends.ipynb) · [Index](00_index.ipynb) · [06 Speed-up and its limits](06_speedup_limits.ipynb) →

# %% [markdown]
# # Lesson 05b — When a fold fails

# %% [markdown]
# ## Why it matters
#
# A cross-validation run is a batch of independent jobs. Sooner or later one of them goes wrong: the model raises on
# an odd fold, a worker process crashes (out of memory, or a crash in compiled code), or a fold hangs. With plain
# joblib one bad fold can throw away every result that had already finished: on a run of ten 1-minute folds, an
# error in the last one throws away the nine minutes of work of the folds that had finished. This lesson shows what
# joblib does by itself and what cvkit keeps.

# %% [markdown]
# ## Objectives
#
# - See what `Parallel` does when one task raises, when a worker dies, and when a task runs past `timeout`.
# - Know which of these lose finished results, and why `return_as="generator_unordered"` helps.
# - Use `cvkit.run_folds(..., on_error="record" | "raise", timeout=...)` and read what it reports.
# - Know the exact message cvkit gives for each kind of bad input.

# %% [markdown]
# ## 1. A model that fails on purpose
#
# `cvkit.lab.faults.FaultyClassifier` wraps an `SVC` and fails only in the fold whose **test** set holds a marked row.
# Test folds split the rows, so marking one row picks exactly one fold. It can `"raise"`, `"exit"` (end its worker
# process at once, like a crash) or `"sleep"` (hang for a while).

# %%
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

import cvkit
from cvkit.lab.faults import FaultyClassifier

X, y = cvkit.load_dataset("iris")
cv = StratifiedKFold(5)
splits = list(cv.split(X, y))
bad_fold = next(i for i, (_, test) in enumerate(splits) if 140 in test)
print("row 140 is tested in fold", bad_fold)

def fold_accuracy(estimator, train, test):
    """Fit a clone on the training rows; return the test rows' accuracy."""
    model = clone(estimator).fit(X[train], y[train])
    return round(float(np.mean(model.predict(X[test]) == y[test])), 3)


# %% [markdown]
# ## 2. One task raises
#
# **joblib alone, list mode** (the default): the exception comes back in the parent and the list of results is
# never built, so the four good folds are lost with it.

# %%
faulty = FaultyClassifier(SVC(), marked_rows=X[[140]], fault="raise")
results = None
try:
    results = Parallel(n_jobs=2)(delayed(fold_accuracy)(faulty, tr, te) for tr, te in splits)
except ValueError as exc:
    print("Parallel raised:", type(exc).__name__, "-", exc)
print("results:", results)

# %% [markdown]
# **joblib, `return_as="generator_unordered"`**: results arrive one by one as folds finish, so everything consumed
# before the error is still in our hands. The error still ends the loop.

# %% tags=["nbval-ignore-output"]
kept, raised = [], None
try:
    for accuracy in Parallel(n_jobs=2, return_as="generator_unordered")(
        delayed(fold_accuracy)(faulty, tr, te) for tr, te in splits
    ):
        kept.append(accuracy)
except ValueError as exc:
    raised = exc
    print("the generator raised:", type(exc).__name__)
print("results kept before the error:", len(kept), "(how many depends on which folds finished first)")
# On any machine: the error still ends the loop, and at most the 4 good folds came before it.
assert isinstance(raised, ValueError) and len(kept) <= len(splits) - 1

# %% [markdown]
# **cvkit**: each fold's code runs inside a `try`; a fold that raises comes back as data — status `"failed"`, its
# error in one line, score `NaN` like scikit-learn's `error_score=np.nan` — and the other folds go on. A warning says
# so, so a failure is never silent.

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    result = cvkit.run_folds(faulty, X, y, cv=cv, n_jobs=2, backend="loky")
print(result.message)
print("warnings:", [w.category.__name__ for w in caught])
result.to_frame(timings=False)

# %% [markdown]
# If you would rather stop at the first failure, ask for `on_error="raise"`: cvkit raises `FoldFailedError`, and the
# exception carries the folds finished before the failure in `.result`.

# %%
try:
    cvkit.run_folds(faulty, X, y, cv=cv, n_jobs=1, on_error="raise")
except cvkit.FoldFailedError as exc:
    print(exc)
    print("finished before it:", [f.fold for f in exc.result.finished])

# %% [markdown]
# ## 3. A worker process dies
#
# A crash in compiled code (a *segmentation fault*), or Linux's out-of-memory killer, ends a worker process without
# any Python exception. loky notices and raises `TerminatedWorkerError` in the parent; it kills the other workers too,
# and the next call starts a fresh pool (a new set of worker processes). Everything of that call is lost.

# %%
from joblib.externals.loky.process_executor import TerminatedWorkerError

crasher = FaultyClassifier(SVC(), marked_rows=X[[140]], fault="exit")
try:
    Parallel(n_jobs=2)(delayed(fold_accuracy)(crasher, tr, te) for tr, te in splits)
except TerminatedWorkerError as exc:
    print("Parallel raised:", type(exc).__name__)

# %% [markdown]
# The older `multiprocessing` backend is worse: its pool quietly replaces the dead worker, and the lost task's result
# never arrives, so **the call waits forever**. We do not run that here.

# %% [markdown]
# cvkit watches the processes that started each fold. When one disappears before its fold ends, it stops the joblib
# call (no hang, for any backend), keeps the finished folds, and re-runs the folds that were running at that moment,
# each on its own, to find the one that kills its worker. Only that fold is recorded as failed.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    for backend in ["loky", "multiprocessing"]:
        result = cvkit.run_folds(crasher, X, y, cv=cv, n_jobs=2, backend=backend)
        print(f"{backend:>15}:", [f.status for f in result.folds])
print(result.message)

# %% [markdown]
# ## 4. A fold that hangs: `timeout`
#
# `Parallel(timeout=...)` bounds how long the parent waits for each task's result, counted from when it starts
# waiting (time a task spends queued, or waiting for a cold pool to start, counts too). It is not applied when
# `n_jobs=1`, and under the threading backend the slow task keeps running in the background: a thread cannot be
# killed. With loky, joblib kills the workers.
#
# `run_folds(timeout=...)` hands the timeout to joblib, within the same limits. With loky it starts the workers
# first, so their start does not count; and it records the slow fold as failed and keeps the others.

# %%
import multiprocessing

sleeper = FaultyClassifier(SVC(), marked_rows=X[[140]], fault="sleep", seconds=5)

try:
    Parallel(n_jobs=2, timeout=1)(delayed(fold_accuracy)(sleeper, tr, te) for tr, te in splits)
except multiprocessing.TimeoutError as exc:  # joblib raises multiprocessing's TimeoutError, not the builtin one
    print("Parallel raised:", type(exc).__module__ + "." + type(exc).__name__)
    print("a builtin TimeoutError?", isinstance(exc, TimeoutError))

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    result = cvkit.run_folds(sleeper, X, y, cv=cv, n_jobs=2, backend="loky", timeout=1)
print([f.status for f in result.folds])
print(result.folds[bad_fold].error_type, "-", result.folds[bad_fold].error_message)

# %% [markdown]
# ## 5. Stop and Ctrl-C
#
# - **Stop** (the explorer's button, or `run_folds(..., stop_event=event)` from code): folds not started are
#   cancelled, finished ones stay, and the result says `stopped by request: ...`. The `event` is a
#   `threading.Event`, a flag that any part of the program can raise with `event.set()` while the run checks it.
# - **Kernel → Interrupt** (Ctrl-C): joblib aborts the pool; cvkit raises `cvkit.RunInterrupted` (a
#   `KeyboardInterrupt`, so loops still stop) whose `.result` holds the finished folds.
#
# In both cases the next run works without restarting the kernel. Below, a callback that cvkit calls after each
# event of the run (`on_event`) raises the flag as soon as the first fold is done.

# %%
import threading

stop = threading.Event()   # the Stop button's flag
slow = FaultyClassifier(SVC(), marked_rows=X[[140]], fault="sleep", seconds=3)


def press_stop_after_first(kind, payload):
    if kind == "done":   # a fold finished
        stop.set()


result = cvkit.run_folds(slow, X, y, cv=cv, n_jobs=1, stop_event=stop, on_event=press_stop_after_first)
print(result.message)
print([f.status for f in result.folds])

# %% [markdown]
# ## 6. Bad input: refused before anything runs
#
# cvkit checks its arguments before dispatching a single fold, and every message names what was given and what is
# allowed. Here is each one, produced live:

# %%
X20 = np.arange(40, dtype=float).reshape(20, 2)
y20 = np.array([0, 1] * 10)
X_nan = X20.copy()
X_nan[3, 1] = np.nan
bad_inputs = {
    "cv=1": lambda: cvkit.run_folds(SVC(), X20, y20, cv=1),
    "cv=11 (smallest class: 10)": lambda: cvkit.run_folds(SVC(), X20, y20, cv=11),
    "n_jobs=0": lambda: cvkit.run_folds(SVC(), X20, y20, n_jobs=0),
    "backend='lokky'": lambda: cvkit.run_folds(SVC(), X20, y20, n_jobs=2, backend="lokky"),
    "y one label short": lambda: cvkit.run_folds(SVC(), X20, y20[:19]),
    "a NaN in X": lambda: cvkit.run_folds(SVC(), X_nan, y20),
    "a single class": lambda: cvkit.run_folds(SVC(), X20, np.array(["spam"] * 20)),
}
for what, call in bad_inputs.items():
    try:
        call()
    except ValueError as exc:
        print(f"{what}:\n    {exc}")

# %% [markdown]
# ## Summary — key points
#
# - In joblib's default list mode, **one failing task loses every result** of the call; `generator_unordered`
#   keeps what was consumed before the error.
# - A dead worker: loky raises `TerminatedWorkerError` and starts a fresh pool next time; **multiprocessing can hang
#   forever**.
# - `timeout` is counted for each task from when joblib starts waiting for its result (time queued or starting
#   workers included); it is not applied at `n_jobs=1`, and cannot stop a thread.
# - cvkit turns each of these into data: failed folds are recorded (error type and message, score NaN), the other
#   folds go on, the message says what happened, and the next run works. `on_error="raise"` stops at the first
#   failure and still hands back what finished.
# - Bad input is refused before anything runs, with a message naming what was given and what is allowed.

# %% [markdown]
# ## Exercise
#
# Six stratified folds of iris run **one at a time, in order** (`n_jobs=1`), and fold 3's model fails (a
# `FaultyClassifier` marking a row of fold 3's test set). How many folds' results do you hold afterwards, in each of
# these four ways?
#
# | key | the run | fold 3 | what you count |
# |---|---|---|---|
# | `"list"` | `results = Parallel(n_jobs=1)(...)` inside `try` | raises | the results in `results` |
# | `"generator"` | `for r in Parallel(n_jobs=1, return_as="generator")(...): kept.append(r)` inside `try` | raises | `len(kept)` |
# | `"raise"` | `run_folds(..., n_jobs=1, on_error="raise")` inside `try` | raises | `len(exc.result.finished)` |
# | `"timeout"` | `run_folds(..., n_jobs=1, timeout=1)` | sleeps 2 s, then fits | folds with status `"done"` |
#
# Predict each count and check it; then run the last cell and compare.

# %%
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson05b import CASE, check_kept_folds

answer = {"list": NOT_ANSWERED, "generator": NOT_ANSWERED, "raise": NOT_ANSWERED, "timeout": NOT_ANSWERED}

# %%
check_kept_folds(answer)

# %%
# After you have predicted: run the four ways on six folds where fold 3 fails, and count.
cv6 = StratifiedKFold(CASE["n_folds"])
splits6 = list(cv6.split(X, y))
marked = X[[splits6[CASE["bad_fold"]][1][0]]]   # a row of fold 3's test set
fails = FaultyClassifier(SVC(), marked_rows=marked, fault="raise")
sleeps = FaultyClassifier(SVC(), marked_rows=marked, fault="sleep", seconds=CASE["sleep_seconds"])

if not isinstance(answer, dict) or any(v is NOT_ANSWERED for v in answer.values()):
    print("Predict first: fill in answer above, then run this cell.")
else:
    counts, results, kept = {}, None, []
    try:
        results = Parallel(n_jobs=1)(delayed(fold_accuracy)(fails, tr, te) for tr, te in splits6)
    except ValueError:
        pass
    counts["list"] = 0 if results is None else len(results)
    try:
        for r in Parallel(n_jobs=1, return_as="generator")(delayed(fold_accuracy)(fails, tr, te) for tr, te in splits6):
            kept.append(r)
    except ValueError:
        pass
    counts["generator"] = len(kept)
    try:
        cvkit.run_folds(fails, X, y, cv=cv6, n_jobs=1, on_error="raise")
    except cvkit.FoldFailedError as exc:
        counts["raise"] = len(exc.result.finished)
    result = cvkit.run_folds(sleeps, X, y, cv=cv6, n_jobs=1, timeout=CASE["timeout"])
    counts["timeout"] = sum(f.status == "done" for f in result.folds)
    for key, count in counts.items():
        print(f"{key:<10} measured {count}, you predicted {answer[key]}")

# %% [markdown] cvkit_nav="bottom"
# ← [05 Backends and their pitfalls](05_backends.ipynb) · [Index](00_index.ipynb) · [06 Speed-up and its limits](06_speedup_limits.ipynb) →
