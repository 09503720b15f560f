"""Layer 1, the core: what every run needs, with no joblib machinery of its own.

- :mod:`~cvkit.core.datasets`: the lessons' datasets, sized to this machine's speed;
- :mod:`~cvkit.core.checks`: argument checks that say what was given and what is allowed;
- :mod:`~cvkit.core.inputs`: the one input preparation (estimator, X, y, scoring, splits) shared by ``run_folds``,
  the advice and the explorer;
- :mod:`~cvkit.core.task`: :func:`~cvkit.core.task.fit_and_score_fold`, the task one worker runs for one fold;
- :mod:`~cvkit.core.trace`, :mod:`~cvkit.core.results`: where and when each task ran; the result of a fold and of
  a run, and the one vocabulary of fold statuses;
- :mod:`~cvkit.core.verdicts`, :mod:`~cvkit.core.text`: timings and verdicts computed from them (the machine's cores
  and load, best of repeats, "borderline"); a duration and an error as text.
"""

from .._lazy import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)
