"""The idle lock after a scan: loading a receipt takes the lock's application-wide event filter off while the
screen is filled and switched to (no input can arrive then); every key press after it restarts the lock's
timer as before, and the lock still signs the cashier out when the time is up."""

from __future__ import annotations

from PySide6.QtCore import Qt

from counter_kit import FULL, PARTIAL


def test_keys_after_a_scan_still_keep_the_counter_signed_in(app):
    app.sign_in("c1")
    window = app.window
    for code in (FULL, PARTIAL):
        window.idle.stop()
        screen = app.scan(code)  # typed, then Enter: the receipt screen
        assert screen is window.receipt and window.idle.isActive()  # the keys of the scan restarted it
        window.idle.stop()
        app.key(Qt.Key.Key_Down)  # a key on the receipt screen, after the screen was loaded
        assert window.idle.isActive()
        assert window.idle.remainingTime() > (window.ctx.idle_minutes * 60_000) - 5_000
        window.idle.stop()
        app.qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton)
        assert window.idle.isActive()
        window.go_home()
    window.idle.stop()


def test_the_lock_still_signs_out_when_the_time_is_up(app):
    app.sign_in("c1")
    window = app.window
    app.scan(FULL)
    window.idle.timeout.emit()  # the time is up
    assert window.ctx.staff is None and app.screen is window.signin
