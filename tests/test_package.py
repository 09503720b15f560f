"""The package itself: every public submodule is reachable from ``import cvkit``."""


def test_every_public_submodule_is_reachable_from_import_cvkit():
    import pkgutil

    import cvkit

    modules = {m.name for m in pkgutil.iter_modules(cvkit.__path__) if not m.name.startswith("_")}
    assert modules <= set(cvkit._LAZY_SUBMODULES)
    for name in modules:
        assert getattr(cvkit, name).__name__ == f"cvkit.{name}"
