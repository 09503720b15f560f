"""Layer 5, the lab: the instruments the lessons measure with.

- the advice: :mod:`~cvkit.lab.advice` (times one fold and applies :mod:`cvkit.model.cost_rule`),
  :mod:`~cvkit.lab.speedup` (measured speed-ups on a warm pool);
- inside the workers: :mod:`~cvkit.lab.task_placement`, :mod:`~cvkit.lab.worker_startup`,
  :mod:`~cvkit.lab.worker_threads`, :mod:`~cvkit.lab.worker_memory`, :mod:`~cvkit.lab.backend_settings`,
  :mod:`~cvkit.lab.contention`;
- the queue's details: :mod:`~cvkit.lab.tiny_folds`, :mod:`~cvkit.lab.shared_answer` (the widely shared answer);
- what goes wrong: :mod:`~cvkit.lab.faults`, :mod:`~cvkit.lab.pitfalls`;
- real code: :mod:`~cvkit.lab.nested` (with :mod:`~cvkit.lab.nested_rules`, :mod:`~cvkit.lab.nested_records`),
  :mod:`~cvkit.lab.search_recorder` (with :mod:`~cvkit.lab.search_records`, :mod:`~cvkit.lab.stop_flag`),
  :mod:`~cvkit.lab.reproducibility`, :mod:`~cvkit.lab.progress`, :mod:`~cvkit.lab.dask_costs`.
"""

from .._lazy import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)
