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
# Solution of [05b When a fold fails](../05b_when_a_fold_fails.ipynb) · [Index](../00_index.ipynb)

# %% [markdown]
# # Lesson 05b — When a fold fails: solution of the exercise

# %% [markdown]
# ## The exercise
#
# Six stratified folds of iris run one at a time, in order (`n_jobs=1`); fold 3's model fails. How many folds'
# results do you hold afterwards: with `Parallel` in list mode, with `return_as="generator"` in a `for` loop, with
# `run_folds(on_error="raise")` (counting `exc.result.finished`), and with `run_folds(timeout=1)` when fold 3
# sleeps 2 s before it fits (counting folds `"done"`)?

# %% [markdown]
# ## The reasoning
#
# With `n_jobs=1` the folds run in order, so fold 3 fails after folds 0, 1 and 2 have finished — **three** folds (they
# are numbered from 0), whatever the machine.
#
# - **list**: `Parallel` returns its list only once every task has returned. When fold 3 raises, the exception comes
#   out instead, and `results` is never assigned: **0**.
# - **generator**: each result is handed over as soon as it is next. Folds 0, 1 and 2 are in `kept` when fold 3's
#   error ends the loop; folds 4 and 5 are never consumed: **3**.
# - **raise**: `on_error="raise"` stops at the first failure, like the generator, but hands back what finished before
#   it in `exc.result`: **3**. (`on_error="record"` would go on and keep 5.)
# - **timeout**: joblib applies `timeout` only when tasks run in workers; at `n_jobs=1` nothing watches the clock,
#   and cvkit warns that it is not applied. Fold 3 sleeps 2 s, fits and finishes: all **6** are done, late.

# %%
from cvkit.exercises.lesson05b import CASE, check_kept_folds

answer = {"list": 0, "generator": 3, "raise": 3, "timeout": 6}
check_kept_folds(answer)

# %% [markdown]
# ## Run it and compare

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
cv6 = StratifiedKFold(CASE["n_folds"])
splits6 = list(cv6.split(X, y))
marked = X[[splits6[CASE["bad_fold"]][1][0]]]   # a row of fold 3's test set
fails = FaultyClassifier(SVC(), marked_rows=marked, fault="raise")
sleeps = FaultyClassifier(SVC(), marked_rows=marked, fault="sleep", seconds=CASE["sleep_seconds"])


def fold_accuracy(estimator, train, test):
    model = clone(estimator).fit(X[train], y[train])
    return float(np.mean(model.predict(X[test]) == y[test]))


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
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    result = cvkit.run_folds(sleeps, X, y, cv=cv6, n_jobs=1, timeout=CASE["timeout"])
counts["timeout"] = sum(f.status == "done" for f in result.folds)
print(counts)
print("warning:", *{str(w.message) for w in caught})
assert counts == answer

# %% [markdown]
# ## What to take away
#
# The order decides what survives: with `n_jobs=1` it is fixed, so the counts are too. With workers, folds finish in
# an order that varies from run to run, and joblib's generator keeps a varying number (section 2 of the lesson). cvkit's
# `on_error="record"` is the way that does not depend on the order: every fold that can finish does. And a `timeout`
# needs workers: to bound a fold's time, run it with `n_jobs >= 2`.

# %% [markdown] cvkit_nav="bottom"
# Solution of [05b When a fold fails](../05b_when_a_fold_fails.ipynb) · [Index](../00_index.ipynb)
