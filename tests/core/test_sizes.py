"""No module over 600 lines and no function over 80 lines, outside migrations, tests and
the demo company's data (devtools/demo/company.py): a file or function that outgrows one
screenful of concerns is split by subdomain (docs/architecture.md)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["osm", "core", "scorecards", "initiatives", "budgets", "people", "alignment",
            "reviews", "dashboards", "devtools", "tools"]  # fmt: skip
DATA = {"devtools/demo/company.py"}
MAX_MODULE, MAX_FUNCTION = 600, 80


def sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_modules_and_functions_stay_small():
    too_long = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        lines = len(text.splitlines())
        if name not in DATA and lines > MAX_MODULE:
            too_long.append(f"{name}: {lines} lines")
        too_long += [
            f"{name}: {node.name} has {node.end_lineno - node.lineno + 1} lines"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION
        ]
    assert too_long == []
