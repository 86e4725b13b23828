#!/usr/bin/env bash
# The project's test command (README "Run the tests"; .ci/run runs exactly this).
# 1. System packages the tests use, from Debian, installed only when missing and when we may (root + apt):
#    a TrueType CJK font and DejaVu (paperwork in four languages), poppler-utils (pdftotext, pdffonts),
#    CUPS with a PDF printer (a real print queue), zbar-tools (zbarimg reads a receipt's QR code back from its
#    page image), the libraries Qt needs to start, and PostgreSQL (the chain's central database: the tests
#    start a throwaway server in a temporary folder, tests/pgkit.py).
# 2. A virtual environment with the project and its test extras.
# 3. pytest, with Qt offscreen, in two worker processes (pytest-xdist; CI has 2 cores): each worker has its own
#    PostgreSQL server, config folder and QApplication; --dist loadfile keeps a file's tests in one worker, so
#    a module's fixtures are built once and the CUPS tests (one shared queue and output folder) never overlap.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(postgresql fonts-wqy-zenhei fonts-dejavu-core fontconfig poppler-utils cups cups-client cups-pdf zbar-tools
          libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing system packages: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: these system packages are missing and some tests will be skipped: ${missing[*]}" >&2
  fi
fi

python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q -n 2 --dist loadfile "$@"
