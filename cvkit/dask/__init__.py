"""Layer 2, Dask: cvkit's managed local cluster and the reporting joblib backend on it."""

from .._lazy import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)
