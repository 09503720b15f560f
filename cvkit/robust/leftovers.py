"""Files a killed process's joblib, loky and cvkit runs leave in shared memory (/dev/shm), and removing them."""

import glob
import os
import re
import shutil

from ..compat import LOKY_SHARED_MEMORY_PATTERNS
from .watchdog import process_alive

__all__ = ["LEFTOVER_PATTERNS", "SHARED_MEMORY", "remove_leftovers"]

SHARED_MEMORY = "/dev/shm"

#: Names that joblib (memory-mapped arrays), loky (semaphores) and cvkit's runner (memory-mapped X, y) give what they
#: create for process ``pid``; each removes them when that process exits cleanly, none when it is killed (SIGKILL,
#: as nbval stops its kernels, or the out-of-memory killer).
LEFTOVER_PATTERNS = (*LOKY_SHARED_MEMORY_PATTERNS, "cvkit-data-{pid}-*")

_PID = re.compile(r"^(?:joblib_memmapping_folder_|sem\.loky-|cvkit-data-)(\d+)[_-]")


def remove_leftovers(pid=None, *, root=SHARED_MEMORY):
    """Remove the leftovers of process ``pid`` (default: of every process that no longer runs); return their names.

    Nothing of a running process is touched.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> os.mkdir(os.path.join(d, "joblib_memmapping_folder_999999999_x_y"))
    >>> for name in ("sem.loky-999999999-ab", f"sem.loky-{os.getpid()}-cd", "notes.txt"):
    ...     open(os.path.join(d, name), "w").close()
    >>> sorted(remove_leftovers(root=d)), sorted(os.listdir(d))
    (['joblib_memmapping_folder_999999999_x_y', 'sem.loky-999999999-ab'], ['notes.txt', 'sem.loky-...-cd'])
    >>> shutil.rmtree(d)
    """
    if not os.path.isdir(root):
        return []
    if pid is None:
        pids = {int(m.group(1)) for name in os.listdir(root) if (m := _PID.match(name))}
        return [name for p in sorted(pids) for name in remove_leftovers(p, root=root)]
    if process_alive(pid):
        return []
    removed = []
    for pattern in LEFTOVER_PATTERNS:
        for path in glob.glob(os.path.join(root, pattern.format(pid=pid))):
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
            removed.append(os.path.basename(path))
    return removed
