"""The rules of the house (DESIGN.md "Layers"), read off the source: each test names the files that break one.

- the only SQL is in pos_returns/storage (no SQL text, no sqlite3 import anywhere else in the core or ui/);
- domain imports none of the other layers; documents never import storage; the CLI and ui/ go through services;
- no module of the core is over 500 lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "pos_returns"
SQL = re.compile(r"^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|"
                 r"DROP\s+|ALTER\s+TABLE|PRAGMA|BEGIN\b)")
LAYERS = ("domain", "storage", "documents", "manager", "services", "cli")


def py_files(*folders: Path) -> list[Path]:
    return sorted(p for f in folders for p in f.rglob("*.py") if "__pycache__" not in p.parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, as an absolute dotted name (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{a.name}") for a in node.names]
    return found


def layer_of(path: Path) -> str | None:
    parts = path.relative_to(CORE).parts
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else None


def breaches(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in files:
        for line, module in imported_modules(path):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                out.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    return sorted(set(out))


def test_no_sql_outside_storage():
    found = []
    for path in py_files(CORE, ROOT / "ui"):
        if path.is_relative_to(CORE / "storage"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.strip()[:40]!r}")
        found += [f"{path.relative_to(ROOT)}:{line}: imports {m}" for line, m in imported_modules(path)
                  if m == "sqlite3" or m.startswith(("sqlite3.", "sqlite_utils"))]
    assert found == []


def test_the_sql_check_can_fail(tmp_path):
    assert SQL.match("SELECT id FROM staff") and SQL.match("  INSERT INTO journal VALUES (1)")
    assert not SQL.match("Select a line with the arrow keys")


@pytest.mark.parametrize("layer, forbidden", [
    ("domain", tuple(f"pos_returns.{x}" for x in LAYERS if x != "domain")),
    ("documents", ("pos_returns.storage", "pos_returns.services", "pos_returns.cli")),
    ("storage", ("pos_returns.services", "pos_returns.documents", "pos_returns.manager", "pos_returns.cli")),
    ("cli", ("pos_returns.storage",)),
])
def test_layer_imports_point_one_way(layer, forbidden):
    assert breaches(py_files(CORE / layer), forbidden) == []


def test_ui_goes_through_services():
    assert breaches(py_files(ROOT / "ui"), ("pos_returns.storage",)) == []


def test_the_import_check_can_fail(tmp_path):
    bad = CORE / "domain" / "zz_probe_for_the_house_test.py"
    bad.write_text("from pos_returns.storage import store as st\nfrom ..services import counter\n", encoding="utf-8")
    try:
        found = breaches([bad], ("pos_returns.storage", "pos_returns.services"))
    finally:
        bad.unlink()
    assert {f.split(": imports")[0] for f in found} == {f"{bad.relative_to(ROOT)}:1", f"{bad.relative_to(ROOT)}:2"}


def test_no_app_module_over_500_lines():
    """Every module of the app, the core and the counter's screens (ui/), stays under 500 lines."""
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in py_files(CORE, ROOT / "ui")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500]
    assert long == []
    assert any(p.parts[-2] == "ui" for p in py_files(CORE, ROOT / "ui"))  # the screens are counted too
