#!/usr/bin/env bash
# The README's start command: a virtual environment with the app, the system libraries Qt's window needs, then
# the window. Arguments go to main.py (e.g. --lang vi, --db PATH).
# 1. .venv with the project (PySide6 comes from PyPI with its own Qt).
# 2. Qt's X11 (xcb) plugin needs system libraries a fresh Debian lacks (libxcb-cursor0, libxcb-icccm4,
#    libxcb-keysyms1, ...). ui/platform_check asks the dynamic linker which are missing; they are installed with
#    apt-get when we may (root, or sudo without a password prompt), else the exact command is printed.
# 3. main.py (which checks again and says what to install rather than failing inside Qt).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c "import PySide6, pos_returns" 2>/dev/null || .venv/bin/pip install -q -e .

if [ "$(uname -s)" = Linux ] && command -v apt-get >/dev/null; then
  missing=$(.venv/bin/python -m ui.platform_check || true)
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo";
    else sudo="none"; fi
    if [ "$sudo" != none ]; then
      echo "installing the libraries Qt's window needs: $missing"
      $sudo apt-get update -qq >/dev/null
      # shellcheck disable=SC2086 # one package per word
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
    else
      echo "Qt's window needs these system packages; install them with:" >&2
      echo "    sudo apt-get install $missing" >&2
      exit 2
    fi
  fi
fi
exec .venv/bin/python main.py "$@"
