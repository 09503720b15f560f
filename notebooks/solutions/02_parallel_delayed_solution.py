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
# Solution of [02 Parallel folds with `delayed` and `Parallel`](../02_parallel_delayed.ipynb) · [Index](../00_index.ipynb)

# %% [markdown]
# # Lesson 02 — Exercise solution

# %% [markdown]
# **The exercise:** four other ways to write the fold task. With threads, and with loky, which of them can score a
# fold with a model fitted on another fold's rows?
#
# **The question to ask of each variant:** while two tasks run at the same time, *do they fit the same object?*
# Inside one process nothing copies an object by itself: not passing it as an argument, not reading it as a global,
# not assigning it to a new name. Only two things make a new one: `clone`, each time it runs, and pickling, which
# sends a task to a worker process as bytes and rebuilds everything it uses there.

# %% [markdown]
# | variant | what each task fits | threads | loky |
# |---|---|---|---|
# | 1: data passed in | the global `clf`: one object for every task | can go wrong | right |
# | 2: model passed in | the `clf` it was given: one object for every task | can go wrong | right |
# | 3: `clone(clf)` in the task | a new model, made by this task | right | right |
# | 4: one clone before `Parallel` | `own_clf`: one object for every task | can go wrong | right |

# %% [markdown]
# - **Variant 1** passes the data in, which is step 2 of the lesson's fix, but the data are only read. What spoils a
#   fold is a model that another fold fits in between, and variant 1 still fits the one global `clf`.
# - **Variant 2** looks safer, since the model is an argument. But calling a function hands it the very object:
#   `delayed(variant_2)(clf, ...)` gives both threads `clf` itself.
# - **Variant 3** reads the global `clf`, and that is harmless: `clone(clf)` copies its parameters into a new model in
#   every task, and nothing fits `clf` itself.
# - **Variant 4** clones, but once, before `Parallel`: one new object, which every task then fits. A clone protects a
#   fold only if the task makes it.
# - **loky:** every task reaches its worker pickled, with its arguments and the globals it reads, and a worker runs
#   one task at a time. So a task fits a copy in its worker, and no other fold touches that copy between the task's
#   fit and its predict. All four variants give the serial scores there; 1, 2 and 4 only because of the backend.

# %% [markdown]
# Now run and compare. The setup is the lesson's: iris, 5 stratified folds, the answer's `clf`, the serial loop's
# scores, and the four variants:

# %%
from joblib import Parallel, delayed
from sklearn import svm
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from cvkit.exercises.lesson02 import check_shared_model
from cvkit.lab.shared_answer import in_lockstep

X, y = load_iris(return_X_y=True)
splits = list(StratifiedKFold(n_splits=5).split(X, y))
clf = svm.SVC(kernel="rbf", C=1.0, gamma=0.25)
serial_f1 = [f1_score(y[te], clone(clf).fit(X[tr], y[tr]).predict(X[te]), average="weighted") for tr, te in splits]


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

# %% [markdown]
# **Variant 2, checked.** A task is `(function, args, kwargs)` (the lesson's section 5), so the model each task is handed can be compared with `is`, which is true only for one and the same object:

# %%
handed = [args[0] for function, args, kwargs in tasks[2]]      # the model passed to each of the 5 tasks
print("every task of variant 2 is handed clf itself:", all(model is clf for model in handed))

# %% [markdown]
# **Threads, in lockstep.** `in_lockstep` runs folds 0 and 1 as two threads and forces the unlucky order every
# time: fold 0 fits, then fold 1, then both predict. A variant whose tasks share one model then scores fold 0 with
# fold 1's fit:

# %%
seen_with_threads = []
for v, variant_tasks in tasks.items():
    scores = in_lockstep(variant_tasks[:2])
    if scores != serial_f1[:2]:
        seen_with_threads.append(v)
    print(f"variant {v}: folds 0 and 1 scored {scores}, serial {serial_f1[:2]}")
print("different from the serial loop:", seen_with_threads)

# %% [markdown]
# Without `in_lockstep` the threads may meet in a lucky order, and a run can show all four right: that is what
# makes this bug dangerous. The exercise asks which variants *can* go wrong; the lockstep run forces the order in
# which they do.
#
# **loky.** A run can only show that it went right this time; the reason it always does is the copy, above:

# %%
seen_on_loky = [v for v, variant_tasks in tasks.items() if Parallel(n_jobs=2)(variant_tasks) != serial_f1]
print("different from the serial loop on loky:", seen_on_loky)

# %% [markdown]
# The answer, checked:

# %%
wrong_with_threads = [1, 2, 4]
wrong_with_loky = []

assert wrong_with_threads == seen_with_threads and wrong_with_loky == seen_on_loky
check_shared_model(wrong_with_threads, wrong_with_loky)

# %% [markdown]
# The rule that holds on every backend: whatever a task changes, the task makes itself (a clone per fold, made
# inside the task); everything else it only reads; and its results leave through `return`. That is the lesson's
# `fit_and_score`, and what `cross_validate` and `cvkit.run_folds` do.

# %% [markdown] cvkit_nav="bottom"
# Solution of [02 Parallel folds with `delayed` and `Parallel`](../02_parallel_delayed.ipynb) · [Index](../00_index.ipynb)
