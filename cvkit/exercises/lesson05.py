"""Self-check for lesson 05: a task changes its array argument in place — what happens to the notebook's array?

The exercise's task sets ``a[0] = -1.0`` on the NumPy array it receives and
returns ``float(a.sum())``. It runs as ``Parallel(**settings)(delayed(task)(arr)
for _ in range(2))`` under each of :data:`SETTINGS`, with a fresh ``arr =
np.ones(size)`` before each run. The learner predicts, for each run, what
happens to the notebook's ``arr``: "changed", "unchanged", or "error" (the call
raises).

Examples
--------
>>> check_in_place(NOT_ANSWERED)
✏️ Not answered yet: replace NOT_ANSWERED with your answer and run the cell again.
"""

from ._feedback import NOT_ANSWERED, not_answered, right, wrong

__all__ = ["CASE", "NOT_ANSWERED", "OUTCOMES", "SETTINGS", "check_in_place"]

#: The array sizes of the exercise, in float64 values: 8 kB and 16 MB, on either side of max_nbytes="1M".
CASE = {"small": 1_000, "large": 2_000_000}

#: The runs of the exercise: the key used in ``answers``, then the size of ``arr`` and the ``Parallel`` arguments.
SETTINGS = {
    "n_jobs=1": ("small", {"n_jobs": 1}),
    "threading": ("small", {"backend": "threading", "n_jobs": 2}),
    "loky, small": ("small", {"backend": "loky", "n_jobs": 2}),
    "loky, large": ("large", {"backend": "loky", "n_jobs": 2}),
    "loky, large, r+": ("large", {"backend": "loky", "n_jobs": 2, "mmap_mode": "r+"}),
}

#: The answers the check accepts for each run.
OUTCOMES = ("changed", "unchanged", "error")

_TEMPLATE_HINT = (
    'copy the template: answers = {"n_jobs=1": ..., "threading": ..., "loky, small": ..., "loky, large": ..., '
    '"loky, large, r+": ...}, one of "changed", "unchanged", "error" for each.'
)

# Each run: what really happens, and a hint for each other answer (the reasoning, in the lesson's terms).
_RUNS = {
    "n_jobs=1": (
        "changed",
        {
            "unchanged": "with n_jobs=1 joblib calls the task itself, one call after another in this kernel, with "
            "the very array you passed: nothing is pickled, nothing is copied.",
            "error": "with n_jobs=1 there are no workers and no memory map: the task gets the array you passed, "
            "which you may write to.",
        },
    ),
    "threading": (
        "changed",
        {
            "unchanged": "threads are parts of this kernel (the right half of the picture in section 1): they share "
            "its objects, so the task gets the notebook's own array, not a copy.",
            "error": "memory-mapping is for process workers only: threads get the notebook's own array, which you "
            "may write to.",
        },
    ),
    "loky, small": (
        "unchanged",
        {
            "changed": "a loky worker is another process: the task reached it pickled, with a copy of the array, "
            "and it wrote into that copy. Only the return value comes back.",
            "error": "1,000 floats take 8 kB, below max_nbytes (1 MB): no memory map here. The worker gets an "
            "ordinary pickled copy, which it may write to.",
        },
    ),
    "loky, large": (
        "error",
        {
            "unchanged": "2,000,000 floats take 16 MB, above max_nbytes: the worker does not get a copy it may "
            "change, but a memory map of the file joblib wrote (section 7). In which mode does joblib open it?",
            "changed": "2,000,000 floats take 16 MB, above max_nbytes: the worker's array is a memory map of a file "
            "joblib wrote (section 7), not the notebook's array. And in which mode does joblib open it?",
        },
    ),
    "loky, large, r+": (
        "unchanged",
        {
            "changed": "mmap_mode='r+' lets the worker write to its memory map, but that map is a file joblib "
            "wrote a copy of the array to (section 7), not the notebook's array: the notebook's pages are untouched.",
            "error": "mmap_mode='r+' opens the memory map for reading and writing, so the assignment is allowed.",
        },
    ),
}


def _normalise(value):
    return value.strip().lower() if isinstance(value, str) else value


def check_in_place(answers):
    """Check predictions of what a task that changes its array argument does to the notebook's array.

    Parameters
    ----------
    answers : dict
        For each key of :data:`SETTINGS` (``"n_jobs=1"``, ``"threading"``,
        ``"loky, small"``, ``"loky, large"``, ``"loky, large, r+"``), what
        happens to the notebook's ``arr``: one of :data:`OUTCOMES`.

    Returns
    -------
    Feedback
        Right, not yet (with a hint for the first prediction that is off), or
        not answered yet.

    Examples
    --------
    >>> check_in_place({"serial": "changed"})  # doctest: +ELLIPSIS
    ❌ Not yet: answers needs the keys 'n_jobs=1', 'threading', 'loky, small', 'loky, large', ...
       Hint: copy the template: ...
    >>> check_in_place({name: "maybe" for name in SETTINGS})  # doctest: +ELLIPSIS
    ❌ Not yet: answers['n_jobs=1'] = 'maybe' is not one of 'changed', 'unchanged', 'error'.
       Hint: ...
    """
    if answers is NOT_ANSWERED or (isinstance(answers, dict) and any(v is NOT_ANSWERED for v in answers.values())):
        return not_answered()
    if not isinstance(answers, dict) or set(answers) != set(SETTINGS):
        given = sorted(map(repr, answers)) if isinstance(answers, dict) else f"a {type(answers).__name__}"
        wanted = ", ".join(map(repr, SETTINGS))
        return wrong(f"answers needs the keys {wanted}; you gave {given}.", hint=_TEMPLATE_HINT)
    allowed = ", ".join(map(repr, OUTCOMES))
    for name in SETTINGS:
        if _normalise(answers[name]) not in OUTCOMES:
            return wrong(
                f"answers[{name!r}] = {answers[name]!r} is not one of {allowed}.",
                hint='"error" means the Parallel call raises; otherwise say whether arr is changed afterwards.',
            )
    for name, (truth, hints) in _RUNS.items():
        given = _normalise(answers[name])
        if given != truth:
            return wrong(f"for the {name} run, {given!r} is not what happens to the notebook's arr.", hint=hints[given])
    return right(
        "a task changes the notebook's array only when it runs in this kernel (n_jobs=1, threading). A process "
        "worker gets a pickled copy of a small array, and a memory map of a file for a large one: read-only by "
        "default, so writing raises ValueError ('assignment destination is read-only'); with mmap_mode='r+' the "
        "write lands in the file, never in the notebook's array. To get something back from a task, return it."
    )
