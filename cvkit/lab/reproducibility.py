"""When parallel results equal serial ones to the last digit: BLAS threads here and in joblib's workers, compared.

A matrix product in numpy is done by a BLAS library (OpenBLAS in the pip
wheels), which splits a long sum over several threads when it has them.
Floating-point addition rounds after every step, so a sum split into two
pieces can differ in its last bits from the same sum split into one or four.
joblib's loky backend caps the BLAS threads of each worker before it starts
(``LokyBackend._prepare_worker_env`` in ``joblib/_parallel_backends.py`` sets
``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``, ... to
``inner_max_num_threads`` if given, else to ``max(cpu_count() // n_jobs, 1)``),
while the notebook's own process keeps one thread per core. This module
reports both counts (:func:`blas_threads` is :func:`cvkit.lab.worker_threads.blas_threads`)
and compares two ``cross_validate`` results exactly.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..core.checks import check_positive_int
from ..core.text import PrettyText
from .worker_threads import blas_threads  # also importable from here, as lesson 08 does

__all__ = ["CVComparison", "blas_threads", "compare_cv_results", "worker_blas_threads"]


def worker_blas_threads(n_jobs=2, inner_max_num_threads=None):
    """Threads the BLAS library uses in each loky worker of ``Parallel(n_jobs=n_jobs)``, asked of the workers.

    Parameters
    ----------
    n_jobs : int >= 2
        The number of workers (with 1, joblib runs the task here, in this process).
    inner_max_num_threads : int >= 1 or None
        As in ``joblib.parallel_config(backend="loky", inner_max_num_threads=...)``;
        None lets joblib choose ``max(cpu_count() // n_jobs, 1)`` (unless the
        variable, e.g. ``OPENBLAS_NUM_THREADS``, is set in this process's environment).

    Returns
    -------
    int
        The largest count any worker reported (they all start with the same limit).

    Examples
    --------
    >>> worker_blas_threads(n_jobs=1)
    Traceback (most recent call last):
    ...
    ValueError: n_jobs=1 is not allowed; allowed: an integer >= 2.
    """
    from joblib import Parallel, delayed, parallel_config

    n_jobs = check_positive_int("n_jobs", n_jobs, minimum=2)
    if inner_max_num_threads is not None:
        inner_max_num_threads = check_positive_int("inner_max_num_threads", inner_max_num_threads)
    with parallel_config(backend="loky", inner_max_num_threads=inner_max_num_threads):
        counts = Parallel(n_jobs=n_jobs)(delayed(blas_threads)() for _ in range(n_jobs))
    return max(counts)


@dataclass(frozen=True)
class CVComparison(PrettyText):
    """Two ``cross_validate`` results compared exactly, fold by fold (see :func:`compare_cv_results`).

    Attributes
    ----------
    n_folds : int
    scores_equal : tuple of bool
        Per fold: every ``test_*`` score identical (NaN equals NaN).
    params_equal : tuple of bool
        Per fold: the fitted models' ``attribute`` identical; empty if no attribute was compared.
    attribute : str or None
    largest_difference : float
        The largest absolute difference over the values compared (0.0 if identical).
    digits_in_common : int or None
        Significant digits the two runs still share: ``floor(-log10(d / m))`` for the largest difference ``d``
        and the largest magnitude ``m`` of the values compared with it; None if identical.
    """

    n_folds: int
    scores_equal: tuple
    params_equal: tuple
    attribute: str | None
    largest_difference: float
    digits_in_common: int | None

    @property
    def identical(self):
        """True if every score, and every compared attribute, is equal to the last digit in every fold."""
        return all(self.scores_equal) and all(self.params_equal)

    def __str__(self):
        n = self.n_folds
        compared = "test scores" + (f" and {self.attribute}" if self.attribute else "")
        if self.identical:
            return f"identical: {compared} equal in all {n} folds"
        parts = [f"test scores equal in {sum(self.scores_equal)} of {n} folds"]
        if self.attribute:
            parts.append(f"{self.attribute} equal in {sum(self.params_equal)} of {n}")
        text = ", ".join(parts) + f"; largest difference {self.largest_difference:.1e}"
        if self.digits_in_common is not None:
            text += f" ({self.digits_in_common} significant digits in common)"
        return text


def _differences(a, b):
    """(largest absolute difference, that difference relative to the largest value) between two arrays of one shape.

    Relative to the largest value of either array, not element by element: a coefficient of 1e-17 that comes out
    2e-17 differs "in its last digits" when the other coefficients are near 1.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = ~(np.isnan(a) & np.isnan(b))
    diff = np.abs(a - b)[both]
    if diff.size == 0:
        return 0.0, 0.0
    largest = float(np.nanmax(diff))
    scale = float(np.nanmax(np.maximum(np.abs(a), np.abs(b))[both]))
    return largest, (largest / scale if scale > 0 else 0.0)


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _check_result(name, result, attribute):
    if not isinstance(result, dict) or not any(str(k).startswith("test_") for k in result):
        raise TypeError(
            f"{name}={type(result).__name__} is not allowed; allowed: the dict returned by "
            "sklearn.model_selection.cross_validate."
        )
    if attribute is not None and "estimator" not in result:
        raise ValueError(
            f"{name} has no 'estimator' key, so attribute={attribute!r} cannot be compared; allowed: "
            "cross_validate(..., return_estimator=True), or attribute=None to compare the scores only."
        )


def compare_cv_results(reference, other, attribute="coef_"):
    """Compare two ``cross_validate`` results exactly: every fold's scores and fitted ``attribute``.

    Parameters
    ----------
    reference, other : dict
        What :func:`sklearn.model_selection.cross_validate` returned, for the
        same estimator, data and folds (with ``return_estimator=True`` to
        compare the fitted models).
    attribute : str or None, default "coef_"
        The fitted attribute to compare (e.g. ``"coef_"``,
        ``"feature_importances_"``); None compares the scores only.

    Returns
    -------
    CVComparison

    Examples
    --------
    >>> from types import SimpleNamespace as Fitted
    >>> a = {"test_score": np.array([0.5, 0.75]), "estimator": [Fitted(coef_=np.array([0.1, 0.2]))] * 2}
    >>> b = {"test_score": np.array([0.5, 0.75]), "estimator": [Fitted(coef_=np.array([0.1, 0.2 + 1e-16]))] * 2}
    >>> print(compare_cv_results(a, a))
    identical: test scores and coef_ equal in all 2 folds
    >>> print(compare_cv_results(a, b))  # doctest: +NORMALIZE_WHITESPACE
    test scores equal in 2 of 2 folds, coef_ equal in 0 of 2;
    largest difference 1.1e-16 (15 significant digits in common)
    >>> compare_cv_results(a, [0.5, 0.75])
    Traceback (most recent call last):
    ...
    TypeError: other=list is not allowed; allowed: the dict returned by sklearn.model_selection.cross_validate.
    """
    _check_result("reference", reference, attribute)
    _check_result("other", other, attribute)
    keys = sorted(k for k in reference if str(k).startswith("test_"))
    if keys != sorted(k for k in other if str(k).startswith("test_")):
        raise ValueError(
            "reference and other hold different scores; allowed: two results of cross_validate with the same scoring."
        )
    n_folds = len(reference[keys[0]])
    if any(len(r[k]) != n_folds for r in (reference, other) for k in keys):
        raise ValueError("reference and other have different numbers of folds; allowed: results on the same folds.")
    scores_equal = tuple(all(_same(reference[k][i], other[k][i]) for k in keys) for i in range(n_folds))
    largest, relative = 0.0, 0.0
    for k in keys:
        d, r = _differences(reference[k], other[k])
        largest, relative = max(largest, d), max(relative, r)
    params_equal = ()
    if attribute is not None:
        fitted = zip(reference["estimator"], other["estimator"])
        pairs = [(getattr(e, attribute), getattr(f, attribute)) for e, f in fitted]
        params_equal = tuple(_same(a, b) for a, b in pairs)
        for a, b in pairs:
            if np.shape(a) == np.shape(b):
                d, r = _differences(a, b)
                largest, relative = max(largest, d), max(relative, r)
    digits = None
    if not (all(scores_equal) and all(params_equal)) and relative > 0:
        digits = max(0, math.floor(-math.log10(relative)))
    return CVComparison(n_folds, scores_equal, params_equal, attribute, largest, digits)
