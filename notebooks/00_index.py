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

# %% [markdown] cvkit_nav="index"
# # cvkit — lessons
#
# The kit starts from one question, often asked:
#
# > *I have a serial `StratifiedKFold` loop (an `SVC`, the f1 score and a confusion matrix per fold). How do I run
# > the folds in parallel with joblib's `Parallel` / `delayed`, and how are 5, 10 or 15 folds handed to 1, 2 or 4
# > cores?*
#
# The lessons answer it, from that serial loop to a Dask cluster and to `cross_validate` and `GridSearchCV` in real
# code. Work through them in order; each one starts with why it matters and its objectives, and ends with a summary
# and an exercise whose answer a cvkit check verifies. Worked solutions are in `solutions/`. About 355 minutes in
# all.
#
# | # | lesson | goal | time | prerequisites | solution |
# |---|---|---|---|---|---|
# | 01 | [01 The serial fold loop](01_serial_fold_loop.ipynb) | Write and time the question's serial StratifiedKFold loop; learn why today's f1 differs from the widely shared one. | 30 min | Python and NumPy basics; scikit-learn's fit / predict | [solution](solutions/01_serial_fold_loop_solution.ipynb) |
# | 02 | [02 Parallel folds with `delayed` and `Parallel`](02_parallel_delayed.ipynb) | Run the widely shared Parallel / delayed answer as published, read its verbose output, fix it step by step (parallel = serial); see when parallel pays. | 45 min | Lesson 01 | [solution](solutions/02_parallel_delayed_solution.ipynb) |
# | 03 | [03 The task queue: how folds are handed to workers](03_task_queue.ipynb) | Predict and measure how 5, 10, 15 folds are handed to 1, 2, 4 workers: pre_dispatch, rounds and bounds, and what batches and a cold pool do to tiny folds. | 55 min | Lesson 02 | [solution](solutions/03_task_queue_solution.ipynb) |
# | 04 | [04 The live explorer: watch folds fill the workers](04_explorer.ipynb) | Change cores, folds and workload in a live explorer and watch the task queue and results fill in. | 30 min | Lesson 03 | [solution](solutions/04_explorer_solution.ipynb) |
# | 05 | [05 Backends and their pitfalls](05_backends.ipynb) | Compare loky, threading, multiprocessing and a backend instance; parallel_config vs parallel_backend; the GIL, BLAS threads and memory. | 45 min | Lesson 02 | [solution](solutions/05_backends_solution.ipynb) |
# | 05b | [05b When a fold fails](05b_when_a_fold_fails.ipynb) | See what joblib loses when a fold raises, a worker dies or a fold hangs, and what cvkit keeps. | 25 min | Lesson 02 | [solution](solutions/05b_when_a_fold_fails_solution.ipynb) |
# | 06 | [06 Speed-up and its limits](06_speedup_limits.ipynb) | Measure speed-up against the scheduling bound and Amdahl's law; find the fold size where parallel starts to pay. | 35 min | Lessons 03 and 05 | [solution](solutions/06_speedup_limits_solution.ipynb) |
# | 07 | [07 Scale out: the same folds on a Dask cluster](07_scale_out_dask.ipynb) | Run the same folds on a Dask cluster through joblib's dask backend; what it costs and when it pays. | 35 min | Lessons 02 and 05 | [solution](solutions/07_scale_out_dask_solution.ipynb) |
# | 08 | [08 Parallel cross-validation in real code](08_real_code.ipynb) | Parallel folds in real code: cross_validate and cross_val_predict, nested n_jobs, a live view of GridSearchCV, when parallel equals serial to the last digit, scripts and the __main__ guard, progress. | 55 min | Lessons 02, 03 and 05 | [solution](solutions/08_real_code_solution.ipynb) |
#
# How to use them: run each notebook top to bottom (*Run → Run All Cells*), read the markdown between the cells, and
# change the numbers (folds, cores, workload) to see what moves. The explorer in lesson 04 is the one to put on a
# projector. Teachers: see `TEACHING.md` at the top of the repository for a session plan and common questions.
#
# Times are estimates for a learner who reads and runs the lesson, computed by `tools/lessons.py`: its prose at 150 words a minute, 0.5 minute per code cell (read, run, look at the output) and 10 minutes for the exercise, rounded up to 5 minutes.

# %% [markdown] cvkit_nav="bottom"
# Start here → [01 The serial fold loop](01_serial_fold_loop.ipynb)
