"""Packages whose submodules and public names load on first use: ``import cvkit`` stays light and reaches everything."""

import importlib
import pkgutil

__all__ = ["lazy_package"]


def lazy_package(name, path, attributes=None):
    """Return ``(__getattr__, __dir__, submodules)`` for a package whose submodules and names load on first use.

    ``import cvkit`` then reaches every public submodule (``cvkit.lab.worker_memory``)
    without importing any of them up front.

    Parameters
    ----------
    name : str
        The package's ``__name__``.
    path : list of str
        The package's ``__path__``.
    attributes : dict, optional
        ``{public name: submodule relative to the package}``.

    Examples
    --------
    >>> import cvkit
    >>> "worker_memory" in dir(cvkit.lab), cvkit.lab.worker_memory.__name__
    (True, 'cvkit.lab.worker_memory')
    """
    attributes = dict(attributes or {})
    submodules = tuple(sorted(m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_")))

    def __getattr__(attr):
        if attr in attributes:
            value = getattr(importlib.import_module(f".{attributes[attr]}", name), attr)
            setattr(importlib.import_module(name), attr, value)  # later lookups skip this function
            return value
        if attr in submodules:
            return importlib.import_module(f".{attr}", name)
        raise AttributeError(f"module {name!r} has no attribute {attr!r}")

    def __dir__():
        return sorted({*vars(importlib.import_module(name)), *attributes, *submodules})

    return __getattr__, __dir__, submodules
