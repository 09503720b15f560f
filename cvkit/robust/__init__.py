"""Layer 2, the runtime that keeps a run alive: what ``run_folds`` adds around its one plain joblib call.

- :mod:`~cvkit.robust.rounds`: joblib calls in rounds; the culprit of a dead worker found by re-running; timeouts;
- :mod:`~cvkit.robust.tracker`: the parent's bookkeeping, every fold kept once;
- :mod:`~cvkit.robust.watchdog`: ends a blocked call (Stop pressed, a worker gone);
- :mod:`~cvkit.robust.pool`: the pool's warm-up and large arrays shared as memory-maps;
- :mod:`~cvkit.robust.leftovers`, :mod:`~cvkit.robust.script_guard`: shared-memory leftovers, the script guard.
"""

from .._lazy import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)
