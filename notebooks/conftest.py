"""nbval stops each notebook's kernel with SIGKILL: remove what the dead kernel's joblib, loky and cvkit left in /dev/shm."""

import glob
import os
import shutil
import time

import pytest

SHARED_MEMORY = "/dev/shm"

#: Names that joblib (memory-mapped arrays), loky (semaphores) and cvkit (memory-mapped X, y) give the files and
#: folders they create for a process; each normally removes them when that process exits cleanly.
LEFTOVER_PATTERNS = ("joblib_memmapping_folder_{pid}_*", "sem.loky-{pid}-*", "cvkit-data-{pid}-*")


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kernel_pid(item):
    kernel = getattr(item.parent, "kernel", None)
    provisioner = getattr(getattr(kernel, "km", None), "provisioner", None)
    process = getattr(provisioner, "process", None)
    return getattr(process, "pid", None)


def remove_leftovers(pid, root=SHARED_MEMORY):
    """Remove the shared-memory files and folders named after process ``pid``, once it has exited; return their names.

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> os.mkdir(os.path.join(d, "joblib_memmapping_folder_999999999_x_y"))
    >>> for name in ("sem.loky-999999999-ab", "sem.loky-1-cd"):
    ...     open(os.path.join(d, name), "w").close()
    >>> sorted(remove_leftovers(999999999, root=d)), os.listdir(d)
    (['joblib_memmapping_folder_999999999_x_y', 'sem.loky-999999999-ab'], ['sem.loky-1-cd'])
    >>> shutil.rmtree(d)
    """
    if _alive(pid):
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    last_cell = nextitem is None or nextitem.parent is not item.parent
    pid = _kernel_pid(item) if last_cell else None
    yield  # the notebook's kernel is stopped here, after its last cell
    if pid is not None and os.path.isdir(SHARED_MEMORY):
        deadline = time.monotonic() + 2.0
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        remove_leftovers(pid)
