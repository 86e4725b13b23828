"""The Qt binding must not leak or drop references: a counter window runs all day.

PySide6 6.12.0 drops a reference to ``None`` on every void call made from Python and to ``True`` on every
signal emitted with it; after a few thousand scans the interpreter aborts ("bool_dealloc: deallocating True or
False"). The check runs in its own process, since the failure is an abort, not an exception.
"""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = r"""
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication([])
label = QLabel()

class Source(QObject):
    changed = Signal(bool)

source = Source()
source.changed.connect(lambda value: None)
none0, true0 = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(20000):
    label.setText("scan")      # a void call, as every screen update makes
    source.changed.emit(True)  # a signal with True, as every checkbox and toggle sends
print(sys.getrefcount(None) - none0, sys.getrefcount(True) - true0)
"""


def test_a_day_of_qt_calls_keeps_the_interpreters_references():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    none_drift, true_drift = (int(v) for v in done.stdout.split())
    assert abs(none_drift) <= 2 and abs(true_drift) <= 2, (none_drift, true_drift)
