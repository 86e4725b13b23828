"""Before Qt starts: are the system libraries of Qt's X11 (xcb) platform plugin there?

On a fresh Debian machine Qt's xcb plugin fails with a one-line "could not load the Qt platform plugin" because
``libxcb-cursor0``, ``libxcb-icccm4``, ``libxcb-keysyms1`` and friends are not installed. This module asks the
dynamic linker (``ldd``) which libraries of the plugin PySide6 ships cannot be found and names the Debian
packages that provide them, so the start command can install them (as root, or with ``sudo``) or say exactly
what to install. It never imports Qt.

    python -m ui.platform_check            # prints the missing Debian packages, one line; exit 1 if any
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path

from pos_returns import i18n
from pos_returns.i18n import N_

#: shared-library file name -> the Debian package that provides it (Qt 6's xcb plugin and what it links)
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-sync.so.1": "libxcb-sync1", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-util.so.1": "libxcb-util1", "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0", "libxcb-glx.so.0": "libxcb-glx0", "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1", "libX11.so.6": "libx11-6", "libSM.so.6": "libsm6", "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6", "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def xcb_plugin() -> Path | None:
    """PySide6's xcb platform plugin, or None when PySide6 (or the plugin) is not there."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.exists():
            return plugin
    return None


def will_use_xcb(environ: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether Qt will load its xcb plugin: on Linux, unless another platform is asked for (offscreen,
    wayland) or a Wayland session without an X server is running."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return False
    asked = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if asked:
        return asked == "xcb"
    return not (env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY"))


def missing_libraries(ldd_output: str) -> list[str]:
    """The library file names ``ldd`` reports as "not found", in order, each once."""
    seen: list[str] = []
    for name in _NOT_FOUND.findall(ldd_output):
        if name not in seen:
            seen.append(name)
    return seen


def packages_for(libraries: list[str]) -> list[str]:
    """The Debian packages providing ``libraries`` (a library we do not know is named as it is)."""
    packages: list[str] = []
    for name in libraries:
        package = DEBIAN_PACKAGES.get(name, name)
        if package not in packages:
            packages.append(package)
    return packages


def missing_packages(plugin: Path | None = None) -> list[str]:
    """Debian packages Qt's xcb plugin needs and cannot find ([] when all are there, or when we cannot tell)."""
    plugin = plugin or xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    qt_lib = plugin.parents[2] / "lib"
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(filter(None, [str(qt_lib),
                                                                         os.environ.get("LD_LIBRARY_PATH")])))
    import subprocess  # only where Qt will use xcb: an offscreen or Wayland start never asks ldd
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, env=env, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return packages_for(missing_libraries(out))


ADVICE = N_("Qt cannot open its window: the system libraries of its X11 platform plugin are missing. Install "
            "them with:\n    {command}\n(tools/start.sh installs them when it may), then start again.")


def advice(packages: list[str], is_root: bool, lang: str = "en") -> str:
    """What to tell the person starting the app when ``packages`` are missing, in their language."""
    command = ("" if is_root else "sudo ") + "apt-get install " + " ".join(packages)
    return i18n.translations(lang).gettext(ADVICE).format(command=command)


def main(argv: list[str] | None = None) -> int:
    packages = missing_packages()
    if packages:
        print(" ".join(packages))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
