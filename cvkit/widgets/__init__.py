"""Live widgets: the explorer panel that runs folds, and the view of a scikit-learn search, drawn as they run."""

from .explorer import Explorer, explore
from .search import SearchView, view_search

__all__ = ["Explorer", "SearchView", "explore", "view_search"]

from .._lazy import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)  # the other submodules, loaded on first use
