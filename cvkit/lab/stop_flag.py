"""A stop request made in this process that its worker processes see too: a flag here, a file for the workers.

A worker holds a pickled copy of the object that carries the flag (a scikit-learn callback, for instance), not the
object itself, so setting an attribute here cannot reach it. The copy carries the path of a file in the temporary
directory instead: the request reaches processes on this machine, not across a cluster.
"""

import os
import tempfile
import uuid

__all__ = ["StopFlag"]


class StopFlag:
    """A stop request that this process and its workers (through a pickled copy) both see.

    Parameters
    ----------
    prefix : str, default "cvkit-stop-"
        Start of the file's name in the temporary directory.

    Examples
    --------
    >>> import pickle
    >>> flag = StopFlag()
    >>> flag.arm()
    >>> in_a_worker = pickle.loads(pickle.dumps(flag))
    >>> flag.set()
    >>> in_a_worker.is_set()
    True
    >>> flag.disarm()   # the run is over: the file goes; a flag set here stays set until the next arm
    >>> in_a_worker.is_set(), flag.is_set()
    (False, True)
    """

    def __init__(self, prefix="cvkit-stop-"):
        self.prefix = prefix
        self.path = None  # the file exists once set() was called during this run; workers look for it
        self._set_here = False

    def arm(self):
        """Start a run: not set, with a new file name (the old file, if any, is removed)."""
        self.disarm()
        self._set_here = False
        self.path = os.path.join(tempfile.gettempdir(), f"{self.prefix}{uuid.uuid4().hex}")

    def set(self):
        """Request the stop: here at once, in the workers through the file (safe from any thread, at any time)."""
        self._set_here = True
        path = self.path
        if path is not None:
            try:
                with open(path, "x"):
                    pass
            except FileExistsError:
                pass

    def is_set(self):
        """True once :meth:`set` was called in this run (here, or in the process a worker's copy came from)."""
        if self._set_here:
            return True
        path = self.path
        return path is not None and os.path.exists(path)

    def disarm(self):
        """End a run: remove the file, so that nothing is left behind (a flag set here stays set until :meth:`arm`)."""
        path, self.path = self.path, None
        if path is not None:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass

    # a worker's copy carries only the file's path
    def __getstate__(self):
        return {"prefix": self.prefix, "path": self.path}

    def __setstate__(self, state):
        self.__init__(state["prefix"])
        self.path = state["path"]
