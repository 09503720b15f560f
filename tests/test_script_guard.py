"""A script that starts cvkit's Dask cluster at its top level, outside the __main__ guard, gets one clear error."""

import subprocess
import sys
import textwrap

import pytest

from cvkit.robust.script_guard import guarded_lines, unguarded_main_call

UNGUARDED = """
from sklearn.svm import SVC
import cvkit
X, y = cvkit.load_dataset("iris")
cvkit.run_folds(SVC(), X, y, cv=5, n_jobs=2, backend="dask")
print("no error")
"""


def test_an_unguarded_script_is_stopped_before_any_worker_starts(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(UNGUARDED))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "no error" not in done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("cvkit.robust.script_guard.UnguardedScriptError: cvkit was about to start a Dask cluster")
    assert f'script {script} (line 5), outside `if __name__ == "__main__":`' in last
    # what Dask and multiprocessing would have said instead
    assert "Nanny failed to start" not in done.stderr and "bootstrapping phase" not in done.stderr


@pytest.mark.parametrize(
    "source,expected",
    [
        ("x = 1\nif __name__ == '__main__':\n    go()\n", {3}),
        ("if '__main__' == __name__:\n    go()\n    go()\n", {2, 3}),
        ("if __name__ != '__main__':\n    go()\n", set()),
        ("def main():\n    go()\nmain()\n", set()),
    ],
)
def test_guarded_lines(source, expected):
    assert guarded_lines(source) == expected


def test_no_script_no_guard_needed():
    # under pytest the caller is a test function, not a script's top level
    assert unguarded_main_call() is None
