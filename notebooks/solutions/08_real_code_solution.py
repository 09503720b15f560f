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
# Solution of [08 Parallel cross-validation in real code](../08_real_code.ipynb) · [Index](../00_index.ipynb)

# %% [markdown]
# # Lesson 08 — Parallel cross-validation in real code: solution of the exercise

# %% [markdown]
# ## The exercise
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
# On 8 cores, with OpenBLAS using 8 threads in this process by default:
# which runs give the serial reference's scores and fitted models to the last digit, in every fold, guaranteed?
#
# ## A first try: "loky gives every worker one BLAS thread"
#
# On a 2-core machine with `n_jobs=2` it does, and section 4 may have shown just that. Taking it as the rule, runs E,
# F and G all limit the serial run to 1 thread and so look safe:

# %%
from cvkit.exercises.lesson08 import MACHINE, RUNS, check_identical_runs

check_identical_runs({"A", "B", "E", "F", "G"})

# %% [markdown]
# ## The reasoning: two questions per run
#
# **1. Is there randomness that is not seeded?** Run C's forest has no `random_state`: every fit draws new bootstrap
# samples and features, so even two serial runs differ. Not guaranteed, whatever `n_jobs` is. Run B's forest is seeded:
# the same trees in any process.
#
# **2. Are there sums that BLAS splits over threads, and do both sides use the same number of threads?** An SVC on
# iris sums over 4 features, and trees use no BLAS: runs A and B are safe. The logistic regressions on the wide data
# are exactly section 4's case, so count the threads on each side. The serial side has
# 8 threads by default, or 1 inside `threadpool_limits(1)`. A loky worker has `inner_max_num_threads` if
# `parallel_config` sets it, else `max(cpu_count() // n_jobs, 1)`:

# %%
cores = MACHINE["cores"]


def worker_threads(n_jobs, inner_max_num_threads=None):
    """The BLAS threads of each loky worker, as joblib's LokyBackend._prepare_worker_env chooses them."""
    return inner_max_num_threads if inner_max_num_threads is not None else max(cores // n_jobs, 1)


threads = {  # run: (serial side, each worker)
    "D": (MACHINE["blas_threads_here"], worker_threads(4)),
    "E": (1, worker_threads(8)),
    "F": (1, worker_threads(4)),
    "G": (1, worker_threads(4, inner_max_num_threads=1)),
}
for run, (serial_side, worker_side) in threads.items():
    verdict = "the same sums: identical" if serial_side == worker_side else "different sums: not guaranteed"
    print(f"run {run}: serial {serial_side} thread(s), each worker {worker_side}: {verdict}")

# %% [markdown]
# F is the trap: limiting the serial run to 1 thread fixes only one side. With 4 workers on 8 cores, each worker
# gets 2 threads. E gets away with no `parallel_config` only because 8 workers on 8 cores leave 1 thread each, and
# G sets the workers' limit explicitly, which is what makes it true on any machine.

# %% [markdown]
# You can run F's situation on this machine: the serial run held to 1 thread, and workers allowed 2
# (`inner_max_num_threads=2` stands in for the 8 // 4 of the exercise's machine). Predict first: on a machine with 2
# free cores, does it keep the last digits? The cell prints what it found, and how many threads the workers really got
# (OpenBLAS starts no more than the cores it may use):

# %% tags=["nbval-ignore-output"]
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from threadpoolctl import threadpool_limits

from cvkit.lab.reproducibility import compare_cv_results, worker_blas_threads

X_wide, y_wide = make_classification(n_samples=40, n_features=10_000, n_informative=10, random_state=0)  # section 4's
settings = dict(cv=3, scoring="neg_log_loss", return_estimator=True)
with threadpool_limits(limits=1):
    serial_f = cross_validate(LogisticRegression(), X_wide, y_wide, n_jobs=1, **settings)
with parallel_config(backend="loky", inner_max_num_threads=2):
    parallel_f = cross_validate(LogisticRegression(), X_wide, y_wide, n_jobs=2, **settings)
got = worker_blas_threads(n_jobs=2, inner_max_num_threads=2)
comparison = compare_cv_results(serial_f, parallel_f)
print(f"serial: 1 BLAS thread; each worker: {got}. Serial against parallel: {comparison}")
if got == 1:  # the workers could not start a second thread: the same sums on both sides
    assert comparison.identical

# %%
check_identical_runs({"A", "B", "E", "G"})

# %% [markdown]
# The habit to keep: before you compare a parallel run with a serial one to the last digit, ask both questions, seed
# and threads, and if the answer to the second is "it depends on the machine", set the threads on both sides yourself
# (`threadpool_limits(1)` and `parallel_config(backend="loky", inner_max_num_threads=1)`).

# %% [markdown] cvkit_nav="bottom"
# Solution of [08 Parallel cross-validation in real code](../08_real_code.ipynb) · [Index](../00_index.ipynb)
