"""Self-check functions for the lessons' exercises: each says right, wrong (with a hint) or not answered yet."""

from ._feedback import NOT_ANSWERED, Feedback

__all__ = ["NOT_ANSWERED", "Feedback"]

from .._lazy import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)  # the other submodules, loaded on first use
