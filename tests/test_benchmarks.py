"""The benchmark scripts' table-building logic, without timing anything: their doctests and a few edge cases."""

import doctest
import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = ["_common", "bench_folds", "bench_dispatch", "bench_notebooks", "bench_search_view"]


def load(name):
    """Import benchmarks/<name>.py as a module (the scripts put their folder on sys.path for _common)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", SCRIPTS)
def test_doctests(name):
    module = load(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert tried > 0, f"{name} has no doctest"
    assert failures == 0


@pytest.mark.parametrize("name", SCRIPTS[1:])
def test_importing_a_script_runs_nothing(name, capsys):
    module = load(name)
    assert callable(module.main)
    assert capsys.readouterr().out == ""


def test_bench_folds_targets_from_rows():
    bench = load("bench_folds")
    walls = {}
    for k, serial, warm, cv in [(6, 6.0, 3.2, 3.3), (10, 10.0, 5.0, 4.9)]:
        walls[(k, "serial")] = [serial]
        walls[(k, "cvkit warm")] = [warm]
        walls[(k, "cross_validate")] = [cv]
    durations = {6: [[1.0] * 6], 10: [[1.0] * 10]}
    rows = bench.summarise(walls, durations, tracing_seconds=0.02)
    lines = bench.target_lines(rows)
    assert lines == [
        "PASS  warm cvkit / list-scheduling bound, 6 folds: 0.94 (target >= 0.90)",
        "PASS  warm cvkit wall / cross_validate wall, 6 folds: 0.97 (target <= 1.00)",
        "PASS  warm cvkit / list-scheduling bound, 10 folds: 1.00 (target >= 0.90)",
        "BORDERLINE  warm cvkit wall / cross_validate wall, 10 folds: 1.02 (target <= 1.00; within the noise of a shared machine)",
        "MISS  tracing overhead per fold, largest: 2.000 % (target <= 1 %)",
    ]
    table = bench.table(rows).splitlines()
    assert table[0].startswith("folds | contestant")
    assert len(table) == 2 + len(rows)


def test_bench_folds_rows_keep_contestant_order_and_unknown_names():
    bench = load("bench_folds")
    walls = {(4, "cross_validate"): [1.0], (4, "serial"): [2.0], (4, "cvkit warm"): [1.1], (4, "extra"): [1.5]}
    rows = bench.summarise(walls, {4: [[0.5] * 4]}, 0.0)
    assert [r["contestant"] for r in rows] == ["serial", "cvkit warm", "cross_validate", "extra"]
    assert rows[0]["tracing"] != rows[0]["tracing"]  # NaN: tracing is reported for cvkit rows only


def test_bench_dispatch_summary_and_comparison():
    bench = load("bench_dispatch")
    from cvkit.model.cost_rule import COSTS

    samples = {("loky", 1): [(402, 0.4 * 402e-3 / 1 + 0.02, 0.02)] * 3, ("loky", "auto"): [(2002, 0.1, 0.02)]}
    summary = bench.summarise(samples)
    assert summary[("loky", 1)]["per_task"] == pytest.approx(0.4e-3, rel=1e-2)
    lines = bench.compare_with_advice(summary, COSTS)
    assert len(lines) == 2 and all(line.startswith(("PASS", "MISS")) for line in lines)
    assert bench.per_task_cost(0.01, 0.02, 100) == 0.0  # noise never gives a negative cost


def test_bench_notebooks_marks_errors_as_misses():
    bench = load("bench_notebooks")
    rows, lines = bench.rows_and_targets({"a.ipynb": [3.0]}, {"a.ipynb": "NameError: x"}, (10.0, 1, "1 failed"))
    assert rows == [["a.ipynb", "3.00 s", 1, "ERROR NameError: x", "PASS"]]
    assert lines[0].startswith("MISS  each notebook's Run-All") and lines[1].startswith("MISS  pytest --nbval")
