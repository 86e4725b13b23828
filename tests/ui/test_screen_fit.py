"""Item 1 of issue 13: the window fits the screen it opens on, and the start checks Qt's system libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ui import platform_check

CHILD = Path(__file__).resolve().parent / "fit_child.py"


def _inside(rect, area) -> bool:
    x, y, w, h = rect
    ax, ay, aw, ah = area
    return ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah


@pytest.mark.parametrize("size", ["1366x768", "1280x720", "1920x1080"])
def test_finish_row_and_status_line_are_on_the_screen(db_path, size):
    out = subprocess.run([sys.executable, str(CHILD), str(db_path), size], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["shown"] == "receiptScreen"  # signed in and scanned by keys
    width, height = (int(v) for v in size.split("x"))
    assert seen["screen"] == [0, 0, width, height]
    assert _inside(seen["window"], seen["screen"]), seen
    assert seen["finish_visible"] and seen["status_visible"]
    for part in ("finish", "cancel", "status"):
        assert _inside(seen[part], seen["window"]) and _inside(seen[part], seen["screen"]), (part, seen)
    if width >= 1200 and height >= 840:
        assert seen["window"][2:] == [1200, 800]  # room enough: the usual size


@pytest.mark.parametrize("size", ["1366x768", "1280x720"])
def test_decision_and_refund_are_on_the_screen_in_every_language(db_path, size):
    """Twelve columns (a receipt with serialized items shows Serial) in Czech are wider than a counter screen:
    the item names give up width, so the Decision and Refund columns are never behind a sideways scroll."""
    out = subprocess.run([sys.executable, str(CHILD), str(db_path), size], capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(seen["columns"]) == 8 and {c["lang"] for c in seen["columns"]} == {"en", "vi", "cs", "zh_Hant"}
    for column in seen["columns"]:
        assert column["scroll"] == 0, str(column)
        assert column["decision_end"] == column["refund_start"], str(column)  # Refund follows Decision
        assert column["refund_start"] + column["refund_header"] <= column["room"], str(column)  # and is wholly seen


LDD_FRESH_DEBIAN = """\
\tlinux-vdso.so.1 (0x00007ffd5a1f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f0a1c000000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-frobnicate.so.9 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0a1b800000)
"""


def test_missing_libraries_become_the_debian_packages_to_install():
    libraries = platform_check.missing_libraries(LDD_FRESH_DEBIAN)
    assert libraries == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1",
                         "libxkbcommon-x11.so.0", "libxcb-frobnicate.so.9"]
    packages = platform_check.packages_for(libraries)
    assert packages == ["libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0",
                        "libxcb-frobnicate.so.9"]  # one we do not know is named as ldd names it
    assert "    sudo apt-get install libxcb-cursor0 libxcb-icccm4" in platform_check.advice(packages, False)
    assert "    apt-get install libxcb-cursor0" in platform_check.advice(packages, True)
    assert "sudo" not in platform_check.advice(packages, True)


def test_only_the_xcb_platform_is_checked():
    assert platform_check.will_use_xcb({"DISPLAY": ":0"}, "linux")
    assert platform_check.will_use_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not platform_check.will_use_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not platform_check.will_use_xcb({"QT_QPA_PLATFORM": "offscreen:configfile=x.json"}, "linux")
    assert not platform_check.will_use_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not platform_check.will_use_xcb({"DISPLAY": ":0"}, "win32")


def test_this_machine_has_what_the_plugin_needs_or_says_which():
    """The real plugin of the installed PySide6, through the real ldd: either nothing is missing, or each missing
    library is named with a package (never an empty name)."""
    plugin = platform_check.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    packages = platform_check.missing_packages(plugin)
    assert all(packages), packages


def test_main_says_what_to_install_instead_of_failing_inside_qt(tmp_path):
    """main.py on a machine where the xcb plugin's libraries are missing: exit 2 and the apt-get line, before Qt."""
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "from ui import platform_check, app\n"
        "platform_check.missing_packages = lambda plugin=None: ['libxcb-cursor0', 'libxcb-icccm4']\n"
        "sys.exit(app.main(['--db', %r]))\n") % (str(Path(__file__).resolve().parents[2]), str(tmp_path / "x.db"))
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 2, out.stderr
    assert "apt-get install libxcb-cursor0 libxcb-icccm4" in out.stderr
    assert "could not load the Qt platform plugin" not in out.stderr
    assert not (tmp_path / "x.db").exists()  # nothing was created before the check
