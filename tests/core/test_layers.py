"""Packages import one way only: `core` is the ground, then the apps in their order, the
dashboards above every app, and the project's wiring (`osm`) and the developer tools
(`devtools`) on top (docs/architecture.md). A lower package that needs something of a
higher one offers a hook the higher one registers in its AppConfig.ready(); no import,
`apps.get_model` or reverse relation gets round the rule."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "scorecards", "initiatives", "budgets", "people", "communication", "alignment", "reviews",
    "reports",
]  # fmt: skip
# What each package may import of ours (besides itself), from DESIGN.md's table.
MAY_IMPORT = {
    "core": set(),
    "scorecards": {"core"},
    "initiatives": {"core", "scorecards"},
    "budgets": {"core", "scorecards", "initiatives"},
    "people": {"core", "scorecards"},
    "communication": {"core", "scorecards", "people"},
    "alignment": {"core", "scorecards", "initiatives", "budgets", "people", "communication"},
    "reviews": {
        "core",
        "scorecards",
        "initiatives",
        "budgets",
        "people",
        "communication",
        "alignment",
    },
    "reports": {
        "core",
        "scorecards",
        "initiatives",
        "budgets",
        "people",
        "communication",
        "alignment",
        "reviews",
    },
    # Sign-in, user management and the audit log: nothing imports it but the wiring (the
    # apps below name security events through core.audit).
    "accounts": {"core", "scorecards", "people"},
    "dashboards": {"core", *APPS},
    "osm": {"core", *APPS, "accounts", "dashboards", "devtools"},
    "devtools": {"core", *APPS, "accounts", "dashboards", "osm"},
}
OURS = set(MAY_IMPORT)


def python_files(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imported_packages(path: Path):
    """(line, top-level package) of every import of one of our packages in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(ROOT).parts[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [package] if node.level else [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in OURS:
                yield node.lineno, top


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_imports_point_down(package):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {top}"
        for path in python_files(package)
        for line, top in imported_packages(path)
        if top != package and top not in MAY_IMPORT[package]
    ]
    assert wrong == []


def test_every_package_of_ours_is_placed():
    packages = {
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").exists() and p.name not in ("tests", "tools")
    }
    assert packages == OURS


def test_no_detour_by_model_name():
    """`apps.get_model("app", ...)` of one of our apps in code outside migrations would let
    a lower package reach a higher one's model without importing it."""
    labels = "|".join(["osm", *APPS])
    detour = re.compile(rf"get_model\(\s*[\"']({labels})[\"'.]")
    found = [
        f"{path.relative_to(ROOT)}"
        for package in OURS
        for path in python_files(package)
        if detour.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_reverse_relation_detour():
    """A lower app reading a higher app's rows through a reverse relation (e.g.
    `Initiative._meta.get_field("budget_lines").related_model`) dodges the rule."""
    found = [
        f"{path.relative_to(ROOT)}"
        for package in OURS
        for path in python_files(package)
        if ".related_model" in path.read_text(encoding="utf-8") and package in APPS
    ]
    assert found == []
