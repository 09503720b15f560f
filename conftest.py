"""Repository-wide pytest hooks: nbval stops each notebook's kernel with SIGKILL, so clean up after the dead kernel."""

import time

import pytest

from cvkit.robust.leftovers import remove_leftovers
from cvkit.robust.watchdog import process_alive

# The lessons' paired py:percent copies (jupytext) are lessons, not modules: --doctest-modules must not import them.
collect_ignore_glob = ["notebooks/*.py", "notebooks/*/*.py"]


def _kernel_pid(item):
    """The pid of the kernel nbval started for this notebook cell's notebook, or None (not an nbval item)."""
    kernel = getattr(item.parent, "kernel", None)
    provisioner = getattr(getattr(kernel, "km", None), "provisioner", None)
    return getattr(getattr(provisioner, "process", None), "pid", None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    last_cell = nextitem is None or nextitem.parent is not item.parent
    pid = _kernel_pid(item) if last_cell else None
    yield  # after a notebook's last cell, nbval stops its kernel here (shutdown_kernel(now=True): SIGKILL)
    if pid is not None:
        deadline = time.monotonic() + 2.0
        while process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        remove_leftovers(pid)  # joblib's memmapping folders and loky's semaphores: ~25 per notebook otherwise
