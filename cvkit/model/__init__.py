"""Layer 4, the schedule model, pure: who runs which fold and when, predicted, measured or live, and its bounds.

No module here imports joblib or scikit-learn at module level; ``n_jobs`` is passed in.
"""

from .. import lazy_package
from .schedule import *  # noqa: F403  (the model's public names, one import away: ``from cvkit.model import ...``)
from .schedule import __all__ as _schedule_names

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)  # noqa: F405
__all__ = list(_schedule_names)
