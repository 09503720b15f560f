"""Self-check for lesson 08 (real code): which parallel runs give the serial results to the last digit?

Examples
--------
>>> check_identical_runs(NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
>>> check_identical_runs({"A", "Z"})
❌ Not yet: there is no run 'Z'; the runs are A, B, C, D, E, F, G.
   Hint: give the letters of the runs you expect to be identical, e.g. {"A", "C"}.
"""

from ._feedback import NOT_ANSWERED, not_answered, right, wrong

__all__ = ["MACHINE", "NOT_ANSWERED", "RUNS", "check_identical_runs"]

#: The machine every run of the exercise is on.
MACHINE = {
    "cores": 8,  # joblib.cpu_count()
    "blas": "OpenBLAS",
    "blas_threads_here": 8,  # this process's BLAS threads by default: one per core
    "thread_variables_set": False,  # no OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / ... in the environment
}

#: The runs: (model and data, how the serial reference is run, how the parallel run is run). cross_validate, cv=5.
RUNS = {
    "A": ("SVC() on iris", "n_jobs=1", "n_jobs=4"),
    "B": ("RandomForestClassifier(random_state=0) on iris", "n_jobs=1", "n_jobs=8"),
    "C": ("RandomForestClassifier() on iris", "n_jobs=1", "n_jobs=8"),
    "D": ("LogisticRegression() on the wide data", "n_jobs=1", "n_jobs=4"),
    "E": ("LogisticRegression() on the wide data", "n_jobs=1 inside threadpool_limits(1)", "n_jobs=8"),
    "F": ("LogisticRegression() on the wide data", "n_jobs=1 inside threadpool_limits(1)", "n_jobs=4"),
    "G": (
        "LogisticRegression() on the wide data",
        "n_jobs=1 inside threadpool_limits(1)",
        'n_jobs=4 inside parallel_config(backend="loky", inner_max_num_threads=1)',
    ),
}

_CORES = MACHINE["cores"]


def _cap(n_jobs):
    return max(_CORES // n_jobs, 1)


#: Per run: identical or not, what a learner who got that run wrong must have believed (message), and a hint.
#: The messages name the slip; they leave the reasoning (the thread counts) to the learner.
_VERDICTS = {
    "A": (
        True,
        "you left out run A, as if an SVC fit on iris could change with n_jobs.",
        "a result can change with n_jobs only through unseeded randomness or sums split over a different number of "
        "threads; does run A have either?",
    ),
    "B": (
        True,
        "you left out run B, as if a forest's trees depended on the process that builds them.",
        "look at random_state: with an integer seed, the random draws are the same wherever the fold runs.",
    ),
    "C": (
        False,
        "you counted on run C, whose forest has no random_state.",
        "n_jobs is not the problem in run C: would two serial runs of that forest build the same trees?",
    ),
    "D": (
        False,
        "you counted on run D, as if its serial run and its workers used the same number of BLAS threads.",
        "count the threads on each side: this process has one per core; loky gives each worker cpu_count() // n_jobs.",
    ),
    "E": (
        True,
        "you left out run E, as if its workers used another number of BLAS threads than its serial run (1).",
        "work out the workers' limit in run E: cpu_count() // n_jobs on this machine.",
    ),
    "F": (
        False,
        "you counted on run F, as if threadpool_limits(1) held the workers to 1 BLAS thread too.",
        "threadpool_limits changes only this process; work out the workers' limit, cpu_count() // n_jobs.",
    ),
    "G": (
        True,
        "you left out run G, as if its workers could still get more than 1 BLAS thread.",
        "what does inner_max_num_threads set, and to what?",
    ),
}

#: The order in which wrong letters are explained: randomness first, then threads.
_ORDER = ("C", "B", "A", "D", "F", "E", "G")


def _letters(answer):
    """The answer as a set of upper-case letters, or None if it is not a collection of strings."""
    if isinstance(answer, str):
        items = [c for c in answer if not c.isspace() and c not in ",;"]
    else:
        try:
            items = list(answer)
        except TypeError:
            return None
    if not all(isinstance(item, str) for item in items):
        return None
    return {item.strip().upper() for item in items}


def check_identical_runs(identical):
    """Which runs of ``RUNS`` give exactly the serial reference's scores and fitted model, in every fold?

    Parameters
    ----------
    identical : set of str
        The letters of the runs whose parallel results are guaranteed to equal
        the serial ones to the last digit (on the machine of ``MACHINE``),
        e.g. ``{"A", "C"}``; ``set()`` if you think none is.
    """
    if identical is NOT_ANSWERED:
        return not_answered()
    letters = _letters(identical)
    if letters is None:
        return wrong(
            f"identical={identical!r} is not a set of run letters.",
            hint='give the letters of the runs you expect to be identical, e.g. {"A", "C"}.',
        )
    unknown = sorted(letters - set(RUNS))
    if unknown:
        shown = ", ".join(repr(u) for u in unknown)
        return wrong(
            f"there is no run {shown}; the runs are {', '.join(RUNS)}.",
            hint='give the letters of the runs you expect to be identical, e.g. {"A", "C"}.',
        )
    expected = {run for run, (same, *_) in _VERDICTS.items() if same}
    off = [run for run in _ORDER if (run in letters) != (run in expected)]
    if not off:
        return right(
            f"runs {', '.join(sorted(expected))} are identical; the others are not guaranteed. Randomness must be "
            f"seeded (C is not), and for BLAS-heavy fits both sides must use the same number of threads: on "
            f"{_CORES} cores the workers get {_CORES} // 4 = {_cap(4)} (D, F) or {_CORES} // 8 = {_cap(8)} (E), unless "
            "inner_max_num_threads sets it (G)."
        )
    first = off[0]
    _, message, hint = _VERDICTS[first]
    others = len(off) - 1
    more = f" ({others} more run{'s' * (others > 1)} to look at again after this one.)" if others else ""
    return wrong(message + more, hint=hint)
