"""Layer 4, the schedule model, pure: who runs which fold and when, predicted, measured or live, and its bounds.

- :mod:`~cvkit.model.records`: the record of one fold on a worker lane (:class:`ScheduledTask`) and of a run
  (:class:`Schedule`), the same for predicted, measured and live runs;
- :mod:`~cvkit.model.replay`: :func:`predict_schedule`, a replay of joblib's dispatch (pre_dispatch, batching);
- :mod:`~cvkit.model.measured`: :func:`schedule_from_result`, a finished run read as a schedule, and its prediction;
- :mod:`~cvkit.model.bounds`: what no schedule can beat (k / ceil(k / w), list scheduling, Amdahl) and the
  speed-up summary;
- :mod:`~cvkit.model.live`: the live state of a run as its events arrive;
- :mod:`~cvkit.model.cost_rule`: will parallel pay? the serial part, the rounds and the slowdown, from costs
  (:data:`~cvkit.model.cost_rule.COSTS`) and a fold time (``cvkit.lab.advice`` times one fold and applies it).

No module here imports joblib or scikit-learn at module level; ``n_jobs`` is passed in as a number of workers.
"""

from .._lazy import lazy_package
from ..core.verdicts import speedup_bound  # the k / ceil(k / w) bound: one formula, in the core that also needs it
from .bounds import SpeedupSummary, amdahl_limit, amdahl_speedup, list_scheduling_bound, speedup_summary
from .live import Death, LiveRun, LiveSnapshot
from .measured import counts_agree, predict_from_result, schedule_from_result
from .records import RETURN_AS, Schedule, ScheduledTask
from .replay import predict_schedule

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)
__all__ = [
    "RETURN_AS",
    "Death",
    "LiveRun",
    "LiveSnapshot",
    "Schedule",
    "ScheduledTask",
    "SpeedupSummary",
    "amdahl_limit",
    "amdahl_speedup",
    "counts_agree",
    "list_scheduling_bound",
    "predict_from_result",
    "predict_schedule",
    "schedule_from_result",
    "speedup_bound",
    "speedup_summary",
]
