"""Catch the unguarded script: code at a script's top level that starts processes which import the script again.

Dask's nannies (and Python's ``spawn`` start method, the default on macOS and
Windows) start each worker as a new Python process that imports the main
script to find its functions. A script whose top level starts the workers
without ``if __name__ == "__main__":`` would then start them again in every
worker: Python refuses ("An attempt has been made to start a new process
before the current process has finished its bootstrapping phase"), and Dask
reports only "Nanny failed to start" after a long traceback. cvkit looks
before it starts anything and says what to do instead.
"""

import ast
import inspect
import sys

__all__ = ["UnguardedScriptError", "check_main_guard", "unguarded_main_call"]


class UnguardedScriptError(RuntimeError):
    """Worker processes were about to be started from a script's top level, outside the ``__main__`` guard."""


def _is_main_guard(node):
    """True for ``if __name__ == "__main__":`` (either side of the ``==``)."""
    test = getattr(node, "test", None)
    if not isinstance(node, ast.If) or not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    values = [s.value for s in sides if isinstance(s, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]


def guarded_lines(source):
    """The line numbers of a module's source that run only under ``if __name__ == "__main__":``.

    >>> sorted(guarded_lines("import os\\nif __name__ == '__main__':\\n    run()\\n    more()\\n"))
    [3, 4]
    >>> guarded_lines("run()\\n")
    set()
    """
    lines = set()
    for node in ast.parse(source).body:
        if _is_main_guard(node):
            for stmt in node.body:
                lines.update(range(stmt.lineno, stmt.end_lineno + 1))
    return lines


def unguarded_main_call(frame=None):
    """``(path, line)`` of the main script's top-level statement running now, if it is outside the guard; else None.

    None in a notebook or an interactive session (their ``__main__`` is no
    script file that a worker could import) and for code under the guard.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or not str(path).endswith(".py") or hasattr(sys, "ps1") or "ipykernel" in sys.modules:
        return None
    frame = frame or inspect.currentframe().f_back
    while frame is not None:  # the outermost frame of the script's own top-level code
        if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__") in ("__main__", "__mp_main__"):
            break
        frame = frame.f_back
    if frame is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            guarded = guarded_lines(f.read())
    except (OSError, SyntaxError, ValueError):
        return None
    return None if frame.f_lineno in guarded else (str(path), frame.f_lineno)


def check_main_guard(what):
    """Raise :class:`UnguardedScriptError` if the caller starts ``what`` (e.g. "a Dask cluster") unguarded.

    Call it right before starting processes that import the main script.
    """
    where = unguarded_main_call(inspect.currentframe().f_back)
    if where is None:
        return
    path, line = where
    raise UnguardedScriptError(
        f"cvkit was about to start {what} from the top level of the script {path} (line {line}), outside "
        '`if __name__ == "__main__":`. Dask starts each worker as a new Python process that imports your script '
        "again, so every worker would run this line too and start workers of its own. Allowed: put the code that "
        'runs the folds under `if __name__ == "__main__":` (keep imports and function definitions above it).'
    )
