"""Run the test suite in three conditions and print one table: as is, pinned to one core, and with every core busy.

The kit must be true on a learner's machine, not only on ours: a 1-core Binder
(``taskset -c 0`` makes ``joblib.cpu_count()`` 1) and a shared JupyterHub whose
cores other programs keep busy (one CPU-bound process per core for the whole
run). All three must pass.

Usage (from the repository root)::

    .venv/bin/python tools/conditions.py                 # the whole suite, three times (~25 min on 2 cores)
    .venv/bin/python tools/conditions.py notebooks/      # pytest arguments after the options
    .venv/bin/python tools/conditions.py --only one-core notebooks/

Exit status 0 only when every condition run passed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONDITIONS = ("as-is", "one-core", "busy")
SUMMARY = re.compile(r"^(=+ )?(?P<body>\d.*\b(passed|failed|error|errors|skipped)\b.*|no tests ran) in [\d.]+s")


def parse_summary(output):
    """The counts of pytest's closing line, e.g. ``{"passed": 760, "failed": 3}`` (empty if there is none).

    >>> parse_summary("...\\n==== 3 failed, 760 passed, 2 skipped in 660.12s (0:11:00) ====\\n")
    {'failed': 3, 'passed': 760, 'skipped': 2}
    >>> parse_summary("....  [100%]\\n958 passed in 374.79s (0:06:14)\\n")   # pytest -q
    {'passed': 958}
    >>> parse_summary("no summary")
    {}
    """
    counts = {}
    for line in output.splitlines()[::-1]:
        match = SUMMARY.search(line)
        if match:
            for number, word in re.findall(r"(\d+) (\w+)", match.group("body")):
                counts[word.replace("errors", "error")] = int(number)
            break
    return counts


def command_for(condition, pytest_args, python=sys.executable):
    """The command line of one condition run.

    >>> command_for("one-core", ["notebooks/"], python="py")
    ['taskset', '-c', '0', 'py', '-m', 'pytest', '-q', 'notebooks/']
    >>> command_for("as-is", [], python="py")
    ['py', '-m', 'pytest', '-q']
    """
    base = [python, "-m", "pytest", "-q", *pytest_args]
    return ["taskset", "-c", "0", *base] if condition == "one-core" else base


def start_load(n_processes):
    """One CPU-bound Python process per core, spinning until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n_processes)]


def stop_load(processes):
    for p in processes:
        p.kill()
        p.wait()


def run(condition, pytest_args, log_dir):
    """Run pytest in one condition; return ``(counts, returncode, seconds)`` and write its output to the log."""
    loaders = start_load(os.cpu_count() or 1) if condition == "busy" else []
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            command_for(condition, pytest_args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    finally:
        stop_load(loaders)
    seconds = time.perf_counter() - started
    (log_dir / f"{condition}.log").write_text(proc.stdout)
    return parse_summary(proc.stdout), proc.returncode, seconds


def format_row(condition, counts, returncode, seconds):
    """One line of the table.

    >>> format_row("one-core", {"passed": 10, "failed": 1}, 1, 65.2)
    'one-core   passed 10   failed 1    error 0    skipped 0    1 min 05 s   FAIL'
    """
    minutes, secs = divmod(round(seconds), 60)
    verdict = "pass" if returncode == 0 else "FAIL"
    cells = "".join(f"{word} {counts.get(word, 0):<5}" for word in ("passed", "failed", "error", "skipped"))
    return f"{condition:<10} {cells}{minutes} min {secs:02d} s   {verdict}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(CONDITIONS), help=f"comma-separated subset of {CONDITIONS}")
    parser.add_argument("--logs", default=str(ROOT / "test-output" / "conditions"), help="where each run's output goes")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed to pytest (default: the whole suite)")
    args = parser.parse_args(argv)
    chosen = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in CONDITIONS]
    if unknown:
        parser.error(f"--only {','.join(unknown)} is not allowed; allowed: {', '.join(CONDITIONS)}")
    if "one-core" in chosen and shutil.which("taskset") is None:
        parser.error("the one-core condition needs taskset (Debian: util-linux)")
    log_dir = Path(args.logs)
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; pytest {' '.join(args.pytest_args) or '(whole suite)'}; logs in {log_dir}")
    rows, ok = [], True
    for condition in chosen:
        counts, returncode, seconds = run(condition, args.pytest_args, log_dir)
        rows.append(format_row(condition, counts, returncode, seconds))
        print(rows[-1], flush=True)
        ok = ok and returncode == 0
    print("\n".join(["", "condition  result", *rows]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
