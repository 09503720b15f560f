"""cvkit's layers (ARCHITECTURE.md): data flows one way, and no module imports one from a higher layer."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cvkit"


def _layers_from_architecture():
    """``{module: layer number}`` from the table in ARCHITECTURE.md (the one place the layers are written down)."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    layers = {}
    for number, modules in re.findall(r"^\| (\d) \| [^|]+\| ([^|]+)\|", text, re.M):
        for name in re.findall(r"`([\w.]+)`", modules):
            layers[name] = int(number)
    return layers


LAYERS = _layers_from_architecture()


def _modules():
    """Every module of the package, by dotted name relative to cvkit (``plots.gantt``); the package itself is ``""``."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def layer_of(name):
    """A module's layer: its own entry, else its subpackage's (``exercises.lesson03`` -> ``exercises``)."""
    while name:
        if name in LAYERS:
            return LAYERS[name]
        name = name.rpartition(".")[0]
    return None


def imports_of(name):
    """cvkit modules that ``name`` imports, anywhere in its code (inside functions too), as relative names."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = [p for p in package if p]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif (node.module or "").startswith("cvkit"):
                base, node = [], ast.ImportFrom(module=node.module.partition(".")[2], names=node.names, level=1)
            else:
                continue
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{target}.{alias.name}" if target else alias.name
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found |= {a.name.partition(".")[2] for a in node.names if a.name.startswith("cvkit.")}
    return found - {name, ""}


def test_every_module_has_a_layer():
    missing = sorted(m for m in MODULES if m and layer_of(m) is None)
    assert not missing, f"add these modules to the layer table of ARCHITECTURE.md: {missing}"
    unknown = sorted(m for m in LAYERS if m not in MODULES)
    assert not unknown, f"ARCHITECTURE.md names modules that do not exist: {unknown}"


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m))
def test_no_module_imports_a_higher_layer(name):
    higher = sorted(f"{m} (layer {layer_of(m)})" for m in imports_of(name) if (layer_of(m) or 0) > layer_of(name))
    assert not higher, f"{name} (layer {layer_of(name)}) imports {higher}"


@pytest.mark.parametrize("name", sorted(m for m in MODULES if layer_of(m) == LAYERS["model"]))
def test_the_model_imports_no_joblib_at_module_level(name):
    tree = ast.parse(MODULES[name].read_text())
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = [a.name for n in top for a in n.names] + [getattr(n, "module", "") or "" for n in top]
    runtime = [n for n in names if n.startswith(("joblib", "sklearn"))]
    assert not runtime, f"{name} imports {runtime} at module level"
    below = sorted(m for m in imports_of(name) - {"_lazy"} if layer_of(m) not in (LAYERS["model"], LAYERS["core"]))
    assert not below, f"the model is pure: {name} imports {below}"


def test_the_package_top_holds_a_handful_of_modules():
    top = sorted(m for m, path in MODULES.items() if m and "." not in m and path.name != "__init__.py")
    assert len(top) <= 5, f"move these into a layer's subpackage: {top}"


def test_every_module_stays_readable():
    long = sorted(f"{m} ({n} lines)" for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > 520)
    assert not long, f"split these modules (one job each, about 500 lines at most): {long}"


def test_private_upstream_names_are_reached_only_through_compat():
    private = re.compile(
        r"joblib\._|from joblib\.(?:_|externals)|sklearn\.callback\._|_skl_callbacks|_response_method\b"
        r"|_register_outcome|reusable_executor\._executor"
    )
    offenders = []
    for name, path in MODULES.items():
        if name == "compat":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if private.search(code) and not code.strip().startswith(("``", ">>>")) and "``" not in code:
                offenders.append(f"cvkit/{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not offenders, "use cvkit.compat instead:\n" + "\n".join(offenders)
