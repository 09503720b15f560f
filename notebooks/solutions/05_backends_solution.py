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
# Solution of [05 Backends and their pitfalls](../05_backends.ipynb) · [Index](../00_index.ipynb)

# %% [markdown]
# # Lesson 05 — Backends and their pitfalls: solution of the exercise

# %% [markdown]
# ## The exercise
#
# A task writes `a[0] = -1.0` into the NumPy array it receives and returns `float(a.sum())`; it runs twice through
# `Parallel(**settings)(delayed(task)(arr) for _ in range(2))`, with a fresh `arr = np.ones(size)` for each of five
# runs: `n_jobs=1`, threading, loky with 1,000 floats (8 kB), loky with 2,000,000 floats (16 MB), and the same with
# `mmap_mode="r+"`. Predict what happens to the notebook's `arr`: changed, unchanged, or an error.

# %% [markdown]
# ## The reasoning: which array does the task write into?
#
# Ask, for each run, *where does the task run, and what does its `a` refer to?*
#
# - **`n_jobs=1`**: joblib calls the task in this kernel with the very array you passed: **changed**.
# - **threading**: threads are parts of this kernel and share its objects (section 1): `a` *is* the notebook's
#   `arr`. Both tasks write -1 into it: **changed**.
# - **loky, 1,000 floats**: 8 kB is below `max_nbytes` (1 MB), so the array travels pickled, and each worker
#   unpickles its own copy. The task changes that copy; only the sum comes back: **unchanged**.
# - **loky, 2,000,000 floats**: 16 MB is above `max_nbytes`, so joblib writes the array once to a file and each
#   worker gets a *read-only* memory map of it (section 7). Writing into it makes NumPy raise
#   `ValueError: assignment destination is read-only` in the worker, and `Parallel` raises it again in the notebook:
#   **error**.
# - **loky, 2,000,000 floats, `mmap_mode="r+"`**: now the map may be written, and the assignment succeeds. But the
#   map's pages are the *file's* pages, a copy joblib made of the array; the notebook's `arr` lives in the kernel's
#   own memory and is never touched: **unchanged**.

# %%
from cvkit.exercises.lesson05 import CASE, SETTINGS, check_in_place

answers = {
    "n_jobs=1": "changed",
    "threading": "changed",
    "loky, small": "unchanged",
    "loky, large": "error",
    "loky, large, r+": "unchanged",
}
check_in_place(answers)

# %% [markdown]
# ## Run it and compare
#
# The exercise's task, defined here in the notebook as a learner would, run under each setting:

# %%
import numpy as np
from joblib import Parallel, delayed


def task(a):
    a[0] = -1.0
    return float(a.sum())


measured = {}
for name, (size, settings) in SETTINGS.items():
    arr = np.ones(CASE[size])
    try:
        sums = Parallel(**settings)(delayed(task)(arr) for _ in range(2))
        measured[name] = "changed" if arr[0] == -1.0 else "unchanged"
        print(f"{name:<16} {measured[name]}")
    except ValueError as error:
        measured[name] = "error"
        print(f"{name:<16} error: {type(error).__name__}: {error}")
assert measured == answers

# %% [markdown]
# ## What to take away
#
# A task changes the notebook's objects only when it runs in this kernel: `n_jobs=1` or threads, and then it
# changes them for every other task too (the shared-estimator pitfall of section 5). A process worker writes into
# its own copy, or into a memory-mapped file that is read-only unless you ask otherwise; in no case does a change
# come back to the notebook. Do not count on a task's side effects: **return** what you need from it, and build
# your results from what `Parallel` hands back. If a task really must change a large array of its own, copy it
# first inside the task (`a = a.copy()`).

# %% [markdown] cvkit_nav="bottom"
# Solution of [05 Backends and their pitfalls](../05_backends.ipynb) · [Index](../00_index.ipynb)
