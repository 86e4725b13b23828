"""House rule: the core (pos_returns/) never imports Qt (PySide6, shiboken6) nor the ui package."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "pos_returns"
FORBIDDEN = ("PySide6", "shiboken6", "ui")
CORE_FILES = sorted(CORE.rglob("*.py"))


def _forbidden(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] in FORBIDDEN


def forbidden_imports(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package_depth = len(path.relative_to(root).parts) - 1  # pos_returns/x.py -> 1
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if _forbidden(node.module):
                    found.append(f"{node.lineno}: from {node.module} import ...")
            elif node.level > package_depth:
                # a relative import that climbs out of pos_returns reaches top-level packages such as ui
                names = [node.module] if node.module else [a.name for a in node.names]
                found += [f"{node.lineno}: relative import of {n}" for n in names if _forbidden(n)]
        elif isinstance(node, ast.Call):
            # importlib.import_module("PySide6...") / __import__("PySide6")
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if fname in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and _forbidden(node.args[0].value):
                found.append(f"{node.lineno}: {fname}({node.args[0].value!r})")
    return found


def test_core_has_python_files():
    assert CORE_FILES, "pos_returns/ has no modules?"
    assert (CORE / "domain" / "engine" / "evaluation.py") in CORE_FILES  # the engine, a package since issue 11


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_does_not_import_qt_or_ui(path):
    assert forbidden_imports(path) == []


def test_the_checker_itself_catches_forbidden_imports(tmp_path):
    fake_root = tmp_path
    core = fake_root / "pos_returns"
    core.mkdir()
    samples = {
        "a.py": "import PySide6.QtCore\n",
        "b.py": "from shiboken6 import isValid\n",
        "c.py": "from ui import app\n",
        "d.py": "import importlib\nimportlib.import_module('PySide6.QtWidgets')\n",
        "e.py": "from .. import ui\n",
        "ok.py": "from . import money\nimport json\nfrom .ui_text import x\n",
    }
    for name, source in samples.items():
        (core / name).write_text(source, encoding="utf-8")
        found = forbidden_imports(core / name, fake_root)
        assert bool(found) == (name != "ok.py"), (name, found)


def test_importing_the_whole_core_loads_no_qt():
    script = r"""
import importlib, json, pkgutil, sys
import pos_returns
errors = {}
for info in pkgutil.walk_packages(pos_returns.__path__, "pos_returns."):
    if info.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(info.name)
    except Exception as exc:  # report, do not hide
        errors[info.name] = repr(exc)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "ui"))
print(json.dumps({"bad": bad, "errors": errors, "loaded": sorted(m for m in sys.modules if m.startswith("pos_returns"))}))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == {}
    assert report["bad"] == []
    for module in ("pos_returns.domain.engine", "pos_returns.domain.policy", "pos_returns.domain.money", "pos_returns.cli.main"):
        assert module in report["loaded"]


# ----------------------------------------------------------------------------- ui never imports storage

UI = ROOT / "ui"
UI_FILES = sorted(UI.rglob("*.py"))


def storage_imports(source: str) -> list[str]:
    """Every import of pos_returns.storage in ``source`` (import, from-import, import_module), by line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name == "pos_returns.storage" or a.name.startswith("pos_returns.storage.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "pos_returns.storage" or node.module.startswith("pos_returns.storage."):
                found.append(f"{node.lineno}: from {node.module} import ...")
            elif node.module == "pos_returns" and any(a.name == "storage" for a in node.names):
                found.append(f"{node.lineno}: from pos_returns import storage")
    # and grep-style, so a name given to importlib (or any other way in) is caught as well
    seen = {int(f.split(":")[0]) for f in found}
    found += [f"{n}: {line.strip()}" for n, line in enumerate(source.splitlines(), 1)
              if n not in seen and "pos_returns.storage" in line.split("#", 1)[0]]
    return found


def test_ui_has_python_files():
    assert (UI / "manager.py") in UI_FILES


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_never_imports_storage(path):
    assert storage_imports(path.read_text(encoding="utf-8")) == []


def test_the_storage_checker_catches_each_form():
    for source in ("from pos_returns.storage import store as st\n", "import pos_returns.storage.store\n",
                   "from pos_returns import storage\n", "def f():\n    from pos_returns.storage.store import Store\n",
                   "import importlib\nimportlib.import_module('pos_returns.storage.store')\n"):
        assert storage_imports(source), source
    assert storage_imports("from pos_returns.services import session\n") == []


# ----------------------------------------------------------------------------- one injected clock

WALL_CLOCK = re.compile(r"\b(datetime\.(now|today|utcnow)|date\.today|time\.(time|localtime|gmtime|ctime)|"
                        r"QDate\.currentDate|QDateTime\.current\w*|QTime\.currentTime)\s*\(")
# services own the clock (services.counter.system_clock); ui and the CLI take it from there
BELOW_SERVICES = sorted(p for p in CORE.rglob("*.py")
                        if p.relative_to(CORE).parts[0] not in ("services", "cli", "__main__.py"))


def wall_clock_reads(source: str) -> list[str]:
    return [f"{n}: {line.strip()}" for n, line in enumerate(source.splitlines(), 1)
            if WALL_CLOCK.search(line.split("#", 1)[0])]


def test_below_services_covers_the_layers():
    layers = {p.relative_to(CORE).parts[0] for p in BELOW_SERVICES}
    assert {"domain", "storage", "documents", "manager", "i18n.py", "keys.py"} <= layers


@pytest.mark.parametrize("path", BELOW_SERVICES + UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_below_services_reads_the_wall_clock(path):
    """The clock is passed in (AppContext.clock in the ui, ``now`` below services); only services read it."""
    assert wall_clock_reads(path.read_text(encoding="utf-8")) == []


def test_the_clock_checker_catches_each_form():
    for source in ("x = datetime.now()\n", "d = date.today()\n", "t = time.time()\n", "q = QDate.currentDate()\n",
                   "n = datetime.now().replace(microsecond=0)\n", "x = QDateTime.currentDateTime()\n"):
        assert wall_clock_reads(source), source
    assert wall_clock_reads("now = ctx.clock()\nt = time.perf_counter()\n# datetime.now() in a comment\n") == []
