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
# [Index](00_index.ipynb) · [02 Parallel folds with `delayed` and `Parallel`](02_parallel_delayed.ipynb) →

# %% [markdown]
# # Lesson 01 — The serial fold loop

# %% [markdown]
# ## Why it matters
#
# This kit answers one question, asked again and again online; the lessons call it **the question**: *"I have a
# serial `StratifiedKFold` loop (an `SVC`, the f1 score and a confusion matrix per fold). How do I run the folds in
# parallel with joblib, and how are 5, 10 or 15 folds handed to 1, 2 or 4 cores?"* Its loop, and an answer to it,
# were widely shared with the scores they printed.
#
# Before you make the loop parallel you need three things from it: the loop working, its results written down
# (the parallel version must give exactly the same ones) and its time measured (parallel only pays when the loop is
# slow enough).
#
# The loop also holds a surprise. The f1 scores that were widely shared with it are not what today's scikit-learn
# prints. Finding out why teaches a habit worth keeping: when numbers change between library versions, look for a
# default that changed.

# %% [markdown]
# ## Objectives
#
# - Write a `StratifiedKFold(5)` loop over iris that fits `SVC(kernel="rbf")` and collects each fold's weighted f1
#   and confusion matrix in lists.
# - Read a confusion matrix.
# - Time the loop and see how long one fold takes.
# - Explain exactly why today's f1 list differs from the widely shared one: the default of SVC's `gamma` changed
#   from `"auto"` to `"scale"` in scikit-learn 0.22.
# - Bring back the old numbers with today's scikit-learn.
# - Predict how the same change plays out on another dataset, then check (exercise).

# %% [markdown]
# ## 1. The data: iris
#
# 150 iris flowers, 4 measurements each (sepal and petal length and width), 3 species with 50 flowers each.
# In `y` the species are numbered 0, 1, 2 (setosa, versicolor, virginica), and the rows are sorted by species.

# %%
import time

import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import SVC

X, y = load_iris(return_X_y=True)
print("X has", X.shape[0], "rows and", X.shape[1], "columns")
print("flowers per species:", np.bincount(y).tolist())
print("first and last labels:", y[:3].tolist(), "...", y[-3:].tolist())

# %% [markdown]
# The numbers in this lesson depend on the scikit-learn version. This is the one running here (yours may be a newer
# 1.x):

# %% tags=["nbval-ignore-output"]
import sklearn

print("scikit-learn", sklearn.__version__)   # the version differs between installs: not compared by the tests

# %% [markdown]
# ## 2. Five stratified folds
#
# `StratifiedKFold(n_splits=5)` cuts the rows into 5 test folds and keeps the species proportions of `y` in each.
# Without shuffling it takes every species' rows in order, so each test fold is 10 consecutive flowers of each
# species. Each fold trains on the other 120 rows.

# %%
skf = StratifiedKFold(n_splits=5)

for fold, (train_index, test_index) in enumerate(skf.split(X, y)):
    # group consecutive row numbers into ranges, to print them compactly
    runs = np.split(test_index, np.flatnonzero(np.diff(test_index) != 1) + 1)
    ranges = ", ".join(f"{run[0]}-{run[-1]}" for run in runs)
    print(f"fold {fold}: train on {len(train_index)} rows, test on rows {ranges} "
          f"(per species: {np.bincount(y[test_index]).tolist()})")

# %% [markdown]
# ## 3. The loop
#
# This is the loop of the question. For each fold it fits a **new** `SVC(kernel="rbf")` on the training rows,
# predicts the test rows, and appends two things to lists:
#
# - the **weighted f1**: the f1 score of each species, averaged with weights equal to the number of test flowers of
#   that species (`average="weighted"`);
# - the **confusion matrix**: row = true species, column = predicted species, so correct predictions sit on the
#   diagonal.
#
# The loop is timed with `time.perf_counter()`.

# %%
f1_scores = []   # one weighted f1 per fold
matrices = []    # one confusion matrix per fold

start = time.perf_counter()
for train_index, test_index in skf.split(X, y):
    X_train, X_test = X[train_index], X[test_index]
    y_train, y_test = y[train_index], y[test_index]
    model = SVC(kernel="rbf")
    model.fit(X_train, y_train)
    y_pred = model.predict(X_test)
    f1_scores.append(f1_score(y_test, y_pred, average="weighted"))
    matrices.append(confusion_matrix(y_test, y_pred))
loop_time = time.perf_counter() - start

for fold, (f1, matrix) in enumerate(zip(f1_scores, matrices)):
    print(f"fold {fold}: f1 = {f1}")
    print(matrix)

# %% [markdown]
# Read fold 3's matrix: the first row says all 10 setosa were predicted setosa. The second row: 9 versicolor were
# right and 1 was predicted virginica. The third row: 1 virginica was predicted versicolor. Two mistakes out of 30
# flowers give f1 ≈ 0.933.
#
# And the time:

# %%
from cvkit.core.verdicts import best_time, fmt_seconds

print(f"5 folds took {fmt_seconds(loop_time)} in all, about {fmt_seconds(loop_time / 5)} per fold (one run)")

def one_fold():
    """The loop's body for the last fold: fit, predict, f1 and confusion matrix."""
    y_pred = SVC(kernel="rbf").fit(X[train_index], y[train_index]).predict(X[test_index])
    return f1_score(y[test_index], y_pred, average="weighted"), confusion_matrix(y[test_index], y_pred)


# Timed 5 times; the fastest run counts (the first run of anything pays one-off costs), measured in CPU time.
fold_time, runs = best_time(one_fold, repeats=5, cpu=True)
scale = "milliseconds, not seconds" if fold_time < 1 else "a second or more"
print(f"one fold again, fastest of {runs} runs: {fmt_seconds(fold_time)}: {scale}")

# %% [markdown]
# The two lines measure different things. The first times one pass of the whole loop, once: it includes one-off
# costs (the first fits of a session are slower). The second is the fastest of 5 runs of one fold, in **CPU time**:
# the time the processor spent on this code. Other programs on a busy machine can delay it on the clock (the
# *wall time* grows), but they do not add to its CPU time.
#
# A fold fits only 120 flowers. How long that takes on this machine, and whether it is milliseconds or seconds, is
# the last line above (a slower machine takes longer). Keep this number in mind for lesson 02.

# %% [markdown]
# ## 4. Today's list and the widely shared one
#
# The widely shared version of this loop printed a different list. Put them side by side:

# %%
shared_f1 = [0.9665831244778613, 1.0, 0.9665831244778613, 0.9665831244778613, 1.0]   # as widely shared
today_f1 = f1_scores                                                                # printed above

comparison = pd.DataFrame({"widely shared": shared_f1, "today": today_f1})
comparison["same?"] = comparison["widely shared"] == comparison["today"]
comparison.rename_axis("fold")

# %% [markdown]
# Folds 1 and 3 changed. The data, the folds (section 6 checks them) and the code are the same. What changed is the model:
# `SVC(kernel="rbf")` sets only the kernel, and every other parameter takes its **default** — and defaults can
# change between versions.

# %% [markdown]
# ## 5. The default that changed: `gamma`
#
# SVC's own documentation says which one:

# %%
doc = SVC.__doc__
print(doc[doc.index("gamma :"):doc.index("coef0 :")].rstrip())

# %% [markdown]
# `gamma` sets how far the influence of one training flower reaches in the RBF kernel
# `exp(-gamma * ||x - x'||²)`: a large gamma gives narrow, local bumps; a small gamma gives wide, smooth ones.
#
# - Before scikit-learn 0.22 the default was `"auto"`: gamma = 1 / n_features. It ignores the data's scale.
# - Since 0.22 it is `"scale"`: gamma = 1 / (n_features × X.var()), where `X.var()` is the variance of **all** values
#   of X taken together. Versions 0.20 and 0.21 warned about the coming change when you fitted an SVC without
#   setting gamma: *"FutureWarning: The default value of gamma will change from 'auto' to 'scale' in version 0.22 to
#   account better for unscaled features. Set gamma explicitly to 'auto' or 'scale' to avoid this warning."*
#
# On iris the two rules give very different numbers:

# %%
n_features = X.shape[1]
gamma_auto, gamma_scale = 1 / n_features, 1 / (n_features * X.var())
print(f"'auto'  = 1 / n_features             = 1 / {n_features} = {gamma_auto}")
print(f"'scale' = 1 / (n_features * X.var()) = 1 / ({n_features} * {X.var():.4f}) = {gamma_scale:.4f}")

# How much one flower counts for another 2 cm away (squared distance 4): exp(-gamma * 4)
for name, gamma in [("auto", gamma_auto), ("scale", gamma_scale)]:
    print(f"kernel between two flowers 2 cm apart, gamma={name!r}: {np.exp(-gamma * 2**2):.2f}")

# %% [markdown]
# `"scale"` is computed from the rows the SVC is **fitted** on, so in the loop it is each fold's training rows.
# After fitting, SVC keeps the value it used in `_gamma` (a private attribute: fine for looking, not for relying on):

# %%
for fold, (train_index, test_index) in enumerate(skf.split(X, y)):
    fitted = SVC(kernel="rbf").fit(X[train_index], y[train_index])
    formula = 1 / (n_features * X[train_index].var())
    print(f"fold {fold}: gamma used = {fitted._gamma:.4f}, formula on the training rows = {formula:.4f}")


# %% [markdown]
# Today's gamma (about 0.064) is about 4 times smaller than the old 0.25. The last two lines show what that means:
# a flower 2 cm away still counts 0.77 with "scale", only 0.37 with "auto". Each flower's influence reaches further,
# so the boundaries between species are smoother.
#
# The proof that gamma is the cause: run the same loop twice, changing nothing but `gamma`.

# %%
def fold_f1_scores(**svc_params):
    """The loop of section 3 with SVC(kernel="rbf", **svc_params): one weighted f1 per fold."""
    scores = []
    for train_index, test_index in skf.split(X, y):
        model = SVC(kernel="rbf", **svc_params).fit(X[train_index], y[train_index])
        scores.append(f1_score(y[test_index], model.predict(X[test_index]), average="weighted"))
    return scores


old_default = fold_f1_scores(gamma="auto")
new_default = fold_f1_scores(gamma="scale")
print("gamma='auto' :", old_default)
print("gamma='scale':", new_default)

assert old_default == shared_f1   # the widely shared list, exactly, to the last digit
assert new_default == today_f1    # and "scale" is what SVC(kernel="rbf") uses today

# %% [markdown]
# Where exactly do the two models disagree? Count the misclassified flowers of each fold:

# %%
for gamma in ["auto", "scale"]:
    mistakes = []
    for train_index, test_index in skf.split(X, y):
        model = SVC(kernel="rbf", gamma=gamma).fit(X[train_index], y[train_index])
        mistakes.append(int((model.predict(X[test_index]) != y[test_index]).sum()))
    print(f"gamma={gamma!r}: misclassified flowers per fold = {mistakes}")

# %% [markdown]
# With the smoother "scale" boundaries, folds 1 and 3 each get one more flower wrong; the other folds are unchanged.

# %% [markdown]
# ## 6. Not the folds
#
# Version 0.22 also rewrote how `StratifiedKFold` puts rows into folds (scikit-learn pull request #14704). Could
# that be part of the story? Before 0.22 it ran a plain `KFold` inside each class and gave the i-th piece of every
# class to test fold i. Rebuild that and compare it with today's folds:

# %%
old_fold_of_row = np.empty(len(y), dtype=int)     # the pre-0.22 rule
for label in np.unique(y):
    rows = np.flatnonzero(y == label)             # this species' rows, in order
    for fold, (_, piece) in enumerate(KFold(n_splits=5).split(rows)):
        old_fold_of_row[rows[piece]] = fold

today_fold_of_row = np.empty(len(y), dtype=int)   # today's StratifiedKFold
for fold, (_, test_index) in enumerate(skf.split(X, y)):
    today_fold_of_row[test_index] = fold

print("same test fold for every row:", np.array_equal(old_fold_of_row, today_fold_of_row))
assert np.array_equal(old_fold_of_row, today_fold_of_row)

# %% [markdown]
# On iris both rules give the same folds (50 rows per class split into 5 equal pieces, in order). Same folds,
# same data, and `gamma="auto"` alone brings back the old list: **it is the gamma**.

# %% [markdown]
# ## Summary — key points
#
# - The loop: `for train_index, test_index in StratifiedKFold(5).split(X, y)`, fit a new `SVC(kernel="rbf")` on the
#   training rows, append the weighted f1 and the confusion matrix of the test rows to lists.
# - A confusion matrix has true classes as rows and predicted classes as columns; the diagonal holds the hits.
# - On iris one fold is short: section 3 printed its time on this machine, and whether that is milliseconds or
#   seconds.
# - Today's loop prints f1 = [0.967, 0.967, 0.967, 0.933, 1.0], not the widely shared [0.967, 1.0, 0.967, 0.967, 1.0].
# - The reason: SVC's default `gamma` changed in scikit-learn 0.22 from `"auto"` (1 / n_features = 0.25 on iris) to
#   `"scale"` (1 / (n_features × X.var()) ≈ 0.064 on iris, computed on each fold's training rows).
#   `SVC(kernel="rbf", gamma="auto")` reproduces the old list exactly; the folds are the same in both versions.
# - Habit: set the parameters your result depends on explicitly, and write down the library version.

# %% [markdown]
# ## Exercise
#
# The lesson worked on iris. Now take **wine**: 178 wines, 13 chemical measurements each (alcohol, magnesium,
# proline, ...), 3 grape varieties.
#
# **Part 1.** What gamma does `SVC()` use when it is fitted on **all** of wine? Compute it in the cell below (do not
# type a number in), put it in `gamma_wine`, and run the check in the next cell.

# %%
from cvkit import load_dataset
from cvkit.exercises import NOT_ANSWERED
from cvkit.exercises.lesson01 import check_better_default, check_wine_gamma

X_wine, y_wine = load_dataset("wine")
print("wine:", X_wine.shape[0], "rows,", X_wine.shape[1], "columns; wines per variety:", np.bincount(y_wine).tolist())
print("largest value in each column:", X_wine.max(axis=0).round(1).tolist())

gamma_wine = NOT_ANSWERED   # replace NOT_ANSWERED with your computation

# %%
check_wine_gamma(gamma_wine)

# %% [markdown]
# **Part 2: predict, then run.** On iris the two defaults were close: the old `"auto"` was ahead by one flower in
# two folds. Before you run anything on wine: with the lesson's loop (5 stratified folds, `SVC(kernel="rbf",
# gamma=...)`, weighted f1), which gives the higher mean f1 on wine, `"auto"` or `"scale"`? Or are they `"same"`
# (within 0.05 of each other)?
#
# Think about the sizes of the measurements printed above, and about the kernel exp(−gamma × ‖x − x′‖²) between two
# wines. Write your prediction, check it, then run the cell after to see the loop's answer.

# %%
prediction = NOT_ANSWERED   # "auto", "scale" or "same"

check_better_default(prediction)

# %%
# The loop of section 3 on wine, with each gamma: run it once you have made your prediction.
if prediction is NOT_ANSWERED:
    print("Make your prediction first (the cell above), then run this cell.")
else:
    for gamma in ["auto", "scale"]:
        scores, predicted = [], []
        for train_index, test_index in StratifiedKFold(n_splits=5).split(X_wine, y_wine):
            model = SVC(kernel="rbf", gamma=gamma).fit(X_wine[train_index], y_wine[train_index])
            y_pred = model.predict(X_wine[test_index])
            scores.append(f1_score(y_wine[test_index], y_pred, average="weighted"))
            predicted.extend(y_pred)
        print(f"gamma={gamma!r}: mean f1 = {np.mean(scores):.3f}; test wines predicted per variety: "
              f"{np.bincount(predicted, minlength=3).tolist()} (true: {np.bincount(y_wine).tolist()})")

# %% [markdown] cvkit_nav="bottom"
# [Index](00_index.ipynb) · [02 Parallel folds with `delayed` and `Parallel`](02_parallel_delayed.ipynb) →
