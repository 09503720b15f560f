"""Layer 2, the runtime that keeps a run alive: the watchdog, shared-memory leftovers, the script guard."""

from .. import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)
