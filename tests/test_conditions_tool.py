"""tools/conditions.py, the three-condition run of the suite: its doctests and its argument checks (no pytest run)."""

import doctest
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "conditions.py"


@pytest.fixture(scope="module")
def conditions():
    spec = importlib.util.spec_from_file_location("conditions_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doctests(conditions):
    failures, tried = doctest.testmod(conditions, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert tried >= 3 and failures == 0


def test_busy_condition_loads_every_core_and_stops_it(conditions):
    loaders = conditions.start_load(2)
    try:
        assert all(p.poll() is None for p in loaders)  # spinning
    finally:
        conditions.stop_load(loaders)
    assert all(p.returncode is not None for p in loaders)


def test_unknown_condition_is_refused(conditions, capsys):
    with pytest.raises(SystemExit):
        conditions.main(["--only", "as-is,quiet"])
    assert "--only quiet is not allowed; allowed: as-is, one-core, busy" in capsys.readouterr().err


def test_summary_with_errors(conditions):
    line = "===== 1 failed, 5 passed, 2 errors in 3.10s ====="
    assert conditions.parse_summary(line) == {"failed": 1, "passed": 5, "error": 2}
