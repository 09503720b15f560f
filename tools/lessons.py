"""Build (or --check) the lesson index, every lesson's prev / index / next links, the README lesson table, and the
``py:percent`` text copy paired with every notebook (jupytext), so that a change to a lesson reads as a text diff.

The executed ``.ipynb`` is the source of truth: its paired ``.py`` is written from it. To edit a lesson as text,
edit the ``.py``, run ``jupytext --sync notebooks/NN_name.py`` (or save it in JupyterLab, which syncs pairs), and
re-execute the notebook; this tool refuses to overwrite a ``.py`` edited after its notebook.
"""

import argparse
import json
import math
import re
import sys
import tomllib
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"
README = ROOT / "README.md"
NAV_KEY = "cvkit_nav"  # cell metadata marking generated cells
README_START, README_END = "<!-- lessons:start -->", "<!-- lessons:end -->"


def load_lessons():
    """The registry, each lesson with its number, title and solution (if any) added."""
    lessons = tomllib.loads((NOTEBOOKS / "lessons.toml").read_text())["lesson"]
    for lesson in lessons:
        path = NOTEBOOKS / lesson["file"]
        lesson["number"] = lesson["file"].split("_", 1)[0]
        lesson["exists"] = path.exists()
        lesson["title"] = _title(path) if path.exists() else lesson["file"]
        solution = SOLUTIONS / lesson["file"].replace(".ipynb", "_solution.ipynb")
        lesson["solution"] = solution.name if solution.exists() else None
        lesson["minutes"] = estimate_minutes(nbformat.read(path, as_version=4)) if path.exists() else 0
    return lessons


#: How a lesson's time is estimated (said under the tables, so a reader knows what the minutes mean).
WORDS_PER_MINUTE = 150  # careful reading of technical prose
MINUTES_PER_CODE_CELL = 0.5  # read the code, run it, look at its output
MINUTES_FOR_EXERCISE = 10  # predict, run, compare, read the check's hint
ESTIMATE_NOTE = (
    f"Times are estimates for a learner who reads and runs the lesson, computed by `tools/lessons.py`: its prose at "
    f"{WORDS_PER_MINUTE} words a minute, {MINUTES_PER_CODE_CELL:g} minute per code cell (read, run, look at the "
    f"output) and {MINUTES_FOR_EXERCISE} minutes for the exercise, rounded up to 5 minutes."
)


def estimate_minutes(nb):
    """Minutes a learner needs to read and run a lesson, by the rule of :data:`ESTIMATE_NOTE`.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("word " * 1500),
    ...                                      *[nbformat.v4.new_code_cell("x = 1") for _ in range(10)]])
    >>> estimate_minutes(nb)   # 10 min of prose + 5 min of code + 10 min of exercise
    25
    """
    cells = [c for c in nb.cells if not c.metadata.get(NAV_KEY)]
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    code = sum(1 for c in cells if c.cell_type == "code" and c.source.strip())
    minutes = words / WORDS_PER_MINUTE + code * MINUTES_PER_CODE_CELL + MINUTES_FOR_EXERCISE
    return 5 * math.ceil(minutes / 5)


def _title(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not cell.metadata.get(NAV_KEY):
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match:
                return re.sub(r"^Lesson\s+\w+\s+[—-]\s+", "", match.group(1)).strip()
    return path.stem


def _link(lesson, prefix=""):
    return f"[{lesson['number']} {lesson['title']}]({prefix}{lesson['file']})"


def nav_text(lessons, i, prefix=""):
    parts = []
    if i > 0:
        parts.append("← " + _link(lessons[i - 1], prefix))
    parts.append(f"[Index]({prefix}00_index.ipynb)")
    if i < len(lessons) - 1:
        parts.append(_link(lessons[i + 1], prefix) + " →")
    return " · ".join(parts)


def _nav_cell(text, where):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata[NAV_KEY] = where
    cell.id = f"cvkit-nav-{where}"  # a stable id, so a rebuild changes nothing when nothing changed
    return cell


def with_nav(nb, top, bottom):
    """Return the notebook's cells with generated nav cells replaced (or added) at top and bottom.

    Also drops each cell's execution timestamps (``metadata.execution``), which change on every run.
    """
    cells = [c for c in nb.cells if not c.metadata.get(NAV_KEY)]
    for cell in cells:
        cell.metadata.pop("execution", None)
    return [_nav_cell(top, "top"), *cells, _nav_cell(bottom, "bottom")]


def index_notebook(lessons):
    total = sum(lesson["minutes"] for lesson in lessons)
    rows = "\n".join(
        f"| {lesson['number']} | {_link(lesson)} | {lesson['goal']} | {lesson['minutes']} min | "
        f"{lesson['prerequisites']} | "
        + (f"[solution](solutions/{lesson['solution']})" if lesson["solution"] else "—")
        + " |"
        for lesson in lessons
    )
    text = f"""# cvkit — lessons

The kit starts from one question, often asked:

> *I have a serial `StratifiedKFold` loop (an `SVC`, the f1 score and a confusion matrix per fold). How do I run
> the folds in parallel with joblib's `Parallel` / `delayed`, and how are 5, 10 or 15 folds handed to 1, 2 or 4
> cores?*

The lessons answer it, from that serial loop to a Dask cluster and to `cross_validate` and `GridSearchCV` in real
code. Work through them in order; each one starts with why it matters and its objectives, and ends with a summary
and an exercise whose answer a cvkit check verifies. Worked solutions are in `solutions/`. About {total} minutes in
all.

| # | lesson | goal | time | prerequisites | solution |
|---|---|---|---|---|---|
{rows}

How to use them: run each notebook top to bottom (*Run → Run All Cells*), read the markdown between the cells, and
change the numbers (folds, cores, workload) to see what moves. The explorer in lesson 04 is the one to put on a
projector. Teachers: see `TEACHING.md` at the top of the repository for a session plan and common questions.

{ESTIMATE_NOTE}"""
    nb = nbformat.v4.new_notebook()
    first = _nav_cell(text, "index")
    nb.cells = [first, _nav_cell("Start here → " + _link(lessons[0]), "bottom")]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}  # fmt: skip
    return nb


def readme_table(lessons):
    rows = "\n".join(
        f"| {lesson['number']} | [`{lesson['file'][:-6]}`](notebooks/{lesson['file']}) | {lesson['goal']} | "
        f"{lesson['minutes']} min |"
        for lesson in lessons
    )
    return (
        f"{README_START}\n| # | notebook | what you learn | time |\n|---|---|---|---|\n{rows}\n\n{ESTIMATE_NOTE}\n"
        f"{README_END}"
    )


#: jupytext's pairing: every notebook has a ``py:percent`` twin of the same name.
PAIRING = "ipynb,py:percent"


def _dump(nb):
    nb.metadata["jupytext"] = {"formats": PAIRING}
    return nbformat.writes(nb) + "\n"


def paired_path(path):
    """The ``.py`` twin of a notebook.

    >>> paired_path(Path("notebooks/02_parallel_delayed.ipynb")).name
    '02_parallel_delayed.py'
    """
    return path.with_suffix(".py")


def paired_text(nb):
    """The notebook as jupytext's ``py:percent`` text (sources and cell metadata, no outputs)."""
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # a copy
    nb.metadata["jupytext"] = {"formats": PAIRING}
    return jupytext.writes(nb, fmt="py:percent")


def _with_pair(files, path, text):
    """Plan a notebook's text and its paired ``.py``."""
    files[path] = text
    files[paired_path(path)] = paired_text(nbformat.reads(text, as_version=4))


def planned_files(lessons):
    """Map each generated or updated file to its wanted content."""
    files = {}
    present = [lesson for lesson in lessons if lesson["exists"]]
    for i, lesson in enumerate(present):
        path = NOTEBOOKS / lesson["file"]
        nb = nbformat.read(path, as_version=4)
        text = nav_text(present, i)
        nb.cells = with_nav(nb, text, text)
        _with_pair(files, path, _dump(nb))
        if lesson["solution"]:
            spath = SOLUTIONS / lesson["solution"]
            snb = nbformat.read(spath, as_version=4)
            back = (
                f"Solution of [{lesson['number']} {lesson['title']}](../{lesson['file']}) · [Index](../00_index.ipynb)"
            )
            snb.cells = with_nav(snb, back, back)
            _with_pair(files, spath, _dump(snb))
    _with_pair(files, NOTEBOOKS / "00_index.ipynb", _dump(index_notebook(present)))
    readme = README.read_text()
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    if pattern.search(readme):
        files[README] = pattern.sub(lambda m: readme_table(present), readme)
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a generated file is out of date")
    args = parser.parse_args(argv)
    lessons = load_lessons()
    missing = [lesson["file"] for lesson in lessons if not lesson["exists"]]
    stale, edited = [], []
    for path, text in planned_files(lessons).items():
        current = path.read_text() if path.exists() else None
        if _normalize(current) != _normalize(text):
            notebook = path.with_suffix(".ipynb")
            if path.suffix == ".py" and current is not None and path.stat().st_mtime > notebook.stat().st_mtime:
                edited.append(path.relative_to(ROOT))  # a text edit not synced into its notebook yet: keep it
                continue
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(text)
    if edited:
        for p in edited:
            print(f"{p} was edited after its notebook: run `jupytext --sync {p}`, re-execute the notebook, run again")
        return 1
    if args.check:
        problems = [f"missing lesson: notebooks/{m}" for m in missing] + [f"out of date: {p}" for p in stale]
        for problem in problems:
            print(problem)
        if problems:
            print("run: python tools/lessons.py")
        return 1 if problems else 0
    for p in stale:
        print("updated", p)
    return 0


def _normalize(text):
    if text is None:
        return None
    if text.lstrip().startswith("{"):
        return json.dumps(json.loads(text), sort_keys=True)
    return text


if __name__ == "__main__":
    sys.exit(main())
