"""README, Architecture: imports only run downward, and the simulated departments are reached over HTTP only.

Every import in platform/ and rules/ (module level or inside a function) is read from the source
and checked against the layers the README draws. A module that serves people or systems (views,
URLs, the API, forms, template tags, commands, admin, serializers, tasks) sits on top whatever
its app, so an app may have its own pages; everything else is at its app's layer.
"""

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

FOUNDATION, AGGREGATE, EXCHANGE, PIPELINE, ENTRY = range(5)
LAYER_OF_APP = {
    "config": FOUNDATION,
    "rules": FOUNDATION,
    "privacy": FOUNDATION,
    "accounts": FOUNDATION,
    "audit": FOUNDATION,
    "applications": AGGREGATE,
    "exchange": EXCHANGE,
    "workflow": PIPELINE,
    "identity": PIPELINE,
    "licences": PIPELINE,
    "webhooks": PIPELINE,
    "intake": ENTRY,
    "review": ENTRY,
    "dashboard": ENTRY,
}
ENTRY_MODULES = {"views", "urls", "urls_departments", "api", "forms", "templatetags", "management", "admin"}
ENTRY_MODULES |= {"serializers", "tasks", "apps"}


def _layer(module: str) -> int | None:
    app, *rest = module.split(".")
    if app not in LAYER_OF_APP:
        return None
    return ENTRY if ENTRY_MODULES.intersection(rest) else LAYER_OF_APP[app]


def _module_name(path: Path) -> str:
    source_root = REPO_ROOT / "platform" if path.is_relative_to(REPO_ROOT / "platform") else REPO_ROOT
    return ".".join(path.relative_to(source_root).with_suffix("").parts).removesuffix(".__init__")


def _imports() -> list[tuple[str, str]]:
    """(importer, imported) for every absolute import in the platform's and the rules' code."""
    found = []
    for path in [*(REPO_ROOT / "platform").rglob("*.py"), *(REPO_ROOT / "rules").rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        importer = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.extend((importer, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((importer, node.module))
    return found


def test_the_imports_are_read_from_every_app():
    importers = {importer.split(".")[0] for importer, _ in _imports()}
    assert set(LAYER_OF_APP) <= importers  # a renamed app would otherwise leave the check empty


def test_no_module_imports_one_of_a_higher_layer():
    upward = []
    for importer, imported in _imports():
        low, high = _layer(importer), _layer(imported)
        if low is None or high is None or importer.split(".")[0] == imported.split(".")[0]:
            continue
        if high > low:
            upward.append(f"{importer} (layer {low}) imports {imported} (layer {high})")
    assert upward == []


def test_the_platform_reaches_the_simulated_departments_only_over_http():
    assert [(i, m) for i, m in _imports() if m.split(".")[0] == "departments" and _layer(i) is not None] == []


def test_the_layer_check_catches_an_upward_import():
    assert _layer("identity.services") == PIPELINE and _layer("intake.api.serializers") == ENTRY
    assert _layer("config.bulk") == FOUNDATION and _layer("config.urls") == ENTRY
    assert _layer("django.db") is None
