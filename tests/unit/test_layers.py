"""pipeline/ reads downwards: each stage package imports only the stages below it, and none
imports Dagster or the wiring in assets/ (the README's folder map lists them in this order)."""

from __future__ import annotations

import ast
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"
# lowest first: a package may import its own modules and those of packages before it
LAYERS = ["core", "render", "ingest", "analytics", "surveys", "pay", "publish", "feedback", "site", "sample"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_every_package_is_placed_in_a_layer() -> None:
    packages = {p.name for p in PIPELINE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYERS)
    assert not [p.name for p in PIPELINE.glob("*.py") if p.name != "__init__.py"], "modules belong in a stage"


def test_imports_go_downwards_only() -> None:
    upward = []
    for package in LAYERS:
        allowed = set(LAYERS[: LAYERS.index(package) + 1])
        for path in sorted((PIPELINE / package).rglob("*.py")):
            for module in _imports(path):
                parts = module.split(".")
                if parts[0] == "pipeline" and len(parts) > 1 and parts[1] not in allowed:
                    upward.append(f"{path.relative_to(PIPELINE)} imports {module}")
    assert not upward


def test_no_dagster_and_no_wiring_in_the_domain() -> None:
    found = [
        f"{path.relative_to(PIPELINE)} imports {module}"
        for path in sorted(PIPELINE.rglob("*.py"))
        for module in _imports(path)
        if module.split(".")[0] in ("dagster", "dagster_celery", "assets")
    ]
    assert not found
