"""Layer 1, the core: datasets, argument checks, the input preparation, task traces, results, timings and verdicts."""

from .. import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)
