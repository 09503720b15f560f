"""nbval stops each notebook's kernel with SIGKILL; the repository's conftest.py removes what the kernel left in /dev/shm."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent

CELL = """import json, os
import numpy as np
from joblib import Parallel, delayed

X = np.ones((1000, 500))   # 4 MB: joblib memory-maps it for the loky workers
Parallel(n_jobs=2)(delayed(np.sum)(X) for _ in range(2))
mine = [n for n in os.listdir("/dev/shm") if str(os.getpid()) in n]
with open("kernel.json", "w") as f:
    json.dump({"pid": os.getpid(), "created": mine}, f)"""


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no /dev/shm on this system")
def test_a_notebooks_killed_kernel_leaves_nothing_in_shared_memory():
    folder = ROOT / "test-output" / "nbval_cleanup"  # inside the repository, so that its conftest.py applies
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL, execution_count=1)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "leftovers.ipynb")
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", str(folder / "leftovers.ipynb")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        kernel = json.loads((folder / "kernel.json").read_text())
        assert kernel["created"], "the kernel's loky run created nothing in /dev/shm: this test would prove nothing"
        left = [n for n in os.listdir("/dev/shm") if f"-{kernel['pid']}-" in n or f"_{kernel['pid']}_" in n]
        assert left == [], f"left in /dev/shm by the killed kernel: {left}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
