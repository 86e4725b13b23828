"""Where the database and the config folder live: platformdirs, with our own overrides first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pos_returns import keys
from pos_returns.storage import store as st


def test_overrides_win():
    assert st.default_db_path({"POS_RETURNS_DB": "/tmp/x.db"}) == Path("/tmp/x.db")
    assert keys.config_dir({"POS_RETURNS_CONFIG": "/tmp/conf"}) == Path("/tmp/conf")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux folders")
def test_linux_folders_are_unchanged(monkeypatch, tmp_path):
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "POS_RETURNS_DB", "POS_RETURNS_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert st.default_db_path() == tmp_path / ".local" / "share" / "pos-returns" / "pos-returns.db"
    assert keys.config_dir() == tmp_path / ".config" / "pos-returns"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    assert st.default_db_path() == tmp_path / "data" / "pos-returns" / "pos-returns.db"
    assert keys.config_dir() == tmp_path / "conf" / "pos-returns"
