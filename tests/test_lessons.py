"""Every lesson follows the skeleton, is committed executed and portable, and its generated links are up to date."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = [entry["file"] for entry in tomllib.loads((NOTEBOOKS / "lessons.toml").read_text())["lesson"]]
ALL_NOTEBOOKS = sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_generated_index_links_and_readme_table_are_up_to_date():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lessons.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_notebook_has_its_paired_text_copy_and_every_copy_its_notebook():
    texts = sorted(p for p in NOTEBOOKS.rglob("*.py") if ".ipynb_checkpoints" not in p.parts)
    assert {p.with_suffix(".ipynb") for p in texts} == set(ALL_NOTEBOOKS)
    for path in texts:
        assert path.read_text().startswith("# ---\n# jupyter:\n#   jupytext:\n#     formats: ipynb,py:percent\n"), (
            path.name
        )
        assert "# %% [markdown]" in path.read_text()


def test_every_notebook_is_registered_or_a_solution():
    lessons = {NOTEBOOKS / name for name in LESSONS} | {NOTEBOOKS / "00_index.ipynb"}
    for path in ALL_NOTEBOOKS:
        if path.parent.name == "solutions":
            lesson = path.name.replace("_solution.ipynb", ".ipynb")
            assert lesson in LESSONS, f"{path.name} solves no registered lesson"
        else:
            assert path in lessons, f"{path.name} is not in notebooks/lessons.toml"


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_skeleton(name):
    nb = json.loads((NOTEBOOKS / name).read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert re.search(r"^# Lesson \w+ — ", markdown, re.M), "title: '# Lesson NN — ...'"
    for heading in ("## Why it matters", "## Objectives", "## Summary", "## Exercise"):
        assert heading in markdown, f"{name} lacks '{heading}'"
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "NOT_ANSWERED" in code and "cvkit.exercises" in code, "an exercise checked by cvkit"
    solution = NOTEBOOKS / "solutions" / name.replace(".ipynb", "_solution.ipynb")
    assert solution.exists(), f"no worked solution for {name}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[str(p.relative_to(NOTEBOOKS)) for p in ALL_NOTEBOOKS])
def test_committed_executed_in_order_and_portable(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"].get("kernelspec", {}).get("name", "python3") == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "re-run top to bottom, fresh kernel"
    for cell in code:
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert not errors or "raises-exception" in cell["metadata"].get("tags", []), "an unexpected stored error"
    text = path.read_text()
    assert "/root/" not in text and "/home/" not in text, "a machine-specific path in the notebook"


def test_the_time_estimate_rule():
    import doctest
    import importlib.util

    spec = importlib.util.spec_from_file_location("lessons_tool_under_test", ROOT / "tools" / "lessons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    failures, tried = doctest.testmod(module)
    assert tried >= 1 and failures == 0
    assert module.ESTIMATE_NOTE in (ROOT / "README.md").read_text()
