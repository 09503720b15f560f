"""Layer 5, the lab: the instruments the lessons measure with (advice, workers, contention, pitfalls, ...)."""

from .. import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)
