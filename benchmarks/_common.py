"""What every benchmark script shares: the machine header, medians, aligned tables and PASS/MISS lines."""

import datetime
import os
import platform
import statistics
import sys

from cvkit.core.text import fmt_seconds  # the kit's one duration formatter, re-exported for the benchmarks

__all__ = ["fmt_seconds", "format_table", "machine_header", "machine_info", "median", "meets", "target_line"]


def machine_info():
    """Cores, CPU model, load, Python and library versions, and the date: what a table's numbers depend on."""
    import joblib
    import numpy
    import sklearn

    from cvkit.core.verdicts import cpu_model

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "cpu": cpu_model(),
        "load": load,
        "python": platform.python_version(),
        "joblib": joblib.__version__,
        "sklearn": sklearn.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(terse=True),
    }


def machine_header(info):
    """The lines printed at the top of every benchmark.

    Examples
    --------
    >>> info = {"date": "2026-09-01 10:00 UTC", "cores": 2, "usable_cores": 2, "cpu": "AMD EPYC",
    ...         "load": (0.1, 0.2, 0.3), "python": "3.11.7", "joblib": "1.6.0", "sklearn": "1.9.1",
    ...         "numpy": "2.4.0", "platform": "Linux"}
    >>> print(machine_header(info))
    date     2026-09-01 10:00 UTC
    machine  2 cores (2 usable), AMD EPYC, Linux
    load     0.10 0.20 0.30 (1, 5, 15 min averages; above 0 means other programs share the cores)
    versions Python 3.11.7, joblib 1.6.0, scikit-learn 1.9.1, numpy 2.4.0
    """
    load = " ".join(f"{x:.2f}" for x in info["load"]) if info.get("load") else "unknown"
    return "\n".join(
        [
            f"date     {info['date']}",
            f"machine  {info['cores']} cores ({info['usable_cores']} usable), {info['cpu']}, {info['platform']}",
            f"load     {load} (1, 5, 15 min averages; above 0 means other programs share the cores)",
            f"versions Python {info['python']}, joblib {info['joblib']}, scikit-learn {info['sklearn']}, "
            f"numpy {info['numpy']}",
        ]
    )


def median(values):
    """The median of ``values``, NaN for none.

    >>> median([3.0, 1.0, 2.0]), median([])
    (2.0, nan)
    """
    values = list(values)
    return statistics.median(values) if values else float("nan")


def format_table(headers, rows):
    """Rows of cells as an aligned text table: text columns left, columns of numbers right.

    Examples
    --------
    >>> print(format_table(["folds", "contestant", "wall"], [[4, "serial", "2.10 s"], [10, "cvkit warm", "3.05 s"]]))
    folds | contestant | wall
    ------+------------+-------
        4 | serial     | 2.10 s
       10 | cvkit warm | 3.05 s
    """
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_looks_numeric(row[i]) for row in cells[1:]) for i in range(len(headers))]

    def line(row):
        return " | ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def _looks_numeric(text):
    head = text.split()[0] if text.split() else ""
    try:
        float(head.rstrip("×%"))
        return True
    except ValueError:
        return head in ("—", "nan")


#: Relative noise of a benchmark's figure (a median of interleaved repeats, less noisy than one timing).
BENCH_NOISE = 0.03


def meets(value, limit, better="higher", noise=BENCH_NOISE):
    """Does a measured ``value`` meet a target ``limit``? True, False, or "borderline" within the noise.

    A median within ``noise`` (±3 %) of its limit could land on either side on the
    next run, so it is reported as borderline rather than as a PASS or a MISS
    that a busy minute could flip (the rule of :func:`cvkit.core.verdicts.judge`).

    Examples
    --------
    >>> meets(0.95, 0.90), meets(0.70, 0.90), meets(121, 120, better="lower"), meets(100, 120, better="lower")
    (True, False, 'borderline', True)
    >>> meets(0.91, 0.90), meets(0.91, 0.90, noise=0.001)
    ('borderline', True)
    """
    from cvkit.core.verdicts import judge

    if value != value:  # NaN: nothing measured
        return False
    # higher is better: value / limit against 1; lower is better: limit / value against 1
    ratio = value / limit if better == "higher" else limit / max(value, 1e-12)
    threshold = 1.0
    answer = judge(ratio, threshold, noise)
    return {"above": True, "below": False, "borderline": "borderline"}[answer]


def target_line(name, measured, target, ok):
    """One PASS / MISS / BORDERLINE line for a target (``ok``: True, False or "borderline", see :func:`meets`).

    Examples
    --------
    >>> target_line("warm cvkit / bound, 6 folds", "0.93", ">= 0.90", True)
    'PASS  warm cvkit / bound, 6 folds: 0.93 (target >= 0.90)'
    >>> target_line("notebook suite", "131 s", "<= 120 s", False)
    'MISS  notebook suite: 131 s (target <= 120 s)'
    >>> target_line("notebook suite", "121 s", "<= 120 s", "borderline")
    'BORDERLINE  notebook suite: 121 s (target <= 120 s; within the noise of a shared machine)'
    """
    if ok == "borderline":
        return f"BORDERLINE  {name}: {measured} (target {target}; within the noise of a shared machine)"
    return f"{'PASS' if ok else 'MISS'}  {name}: {measured} (target {target})"


def print_flush(*args, **kwargs):
    """print, flushed at once (a benchmark's progress shows while it runs, even through a pipe)."""
    print(*args, **kwargs, flush=True)
    sys.stdout.flush()
