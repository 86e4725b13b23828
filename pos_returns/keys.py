"""Secrets that live outside the database: the store's keyed-hash secret (customer IDs, approval seals).

Someone with a copy of the database file and this code must not be able to recover a customer's ID number or
forge an approval, so the key is kept in the user's config folder (``POS_RETURNS_CONFIG``, else the platform's
one through platformdirs: ``~/.config/pos-returns`` on Linux), in a file readable by its owner only (mode 0600),
or given whole as hex in ``POS_RETURNS_SECRET``. It is created on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import platformdirs

from pos_returns.i18n import N_, UserError

APP_DIR_NAME = "pos-returns"
SECRET_FILE = "store-secret.key"


def config_dir(environ: dict[str, str] | None = None) -> Path:
    """``POS_RETURNS_CONFIG``, else the user's config folder (platformdirs: ~/.config/pos-returns on Linux,
    the roaming AppData folder on Windows, as before)."""
    env = os.environ if environ is None else environ
    if env.get("POS_RETURNS_CONFIG"):
        return Path(env["POS_RETURNS_CONFIG"])
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False, roaming=True))


def data_dir() -> Path:
    """The user's data folder (platformdirs: ~/.local/share/pos-returns on Linux, $XDG_DATA_HOME honoured;
    the local AppData folder on Windows; Application Support on macOS)."""
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=False))


class SecretError(UserError):
    """The store's secret is unreadable: not 64 hex digits (a typed ``POS_RETURNS_SECRET`` or an edited file)."""


def _secret_from_hex(text: str, where: str) -> bytes:
    try:
        value = bytes.fromhex(text.strip())
    except ValueError:
        value = b""
    if len(value) != 32:
        raise SecretError(N_("{where}: the store's secret must be 64 hexadecimal digits (0-9, a-f); it is not. "
                             "Nothing was recorded."), where=where)
    return value


def _read_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError:
        text = ""
    return _secret_from_hex(text, str(path))


def _read_or_create(path: Path) -> bytes:
    try:
        return _read_file(path)
    except FileNotFoundError:
        pass
    value = secrets.token_bytes(32)
    try:
        create_whole(path, value.hex() + "\n")
    except FileExistsError:  # another process made it first
        return _read_file(path)
    return value


def create_whole(path: Path, text: str) -> None:
    """Create ``path`` (mode 0600) holding ``text``, never overwriting a file: written under a temporary name,
    synced, then linked into place, so another process sees no file or the whole one, never a half-written
    one. Raises FileExistsError when the file is there already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, path)  # atomic, and refuses an existing name
    finally:
        tmp.unlink(missing_ok=True)


def store_secret(environ: dict[str, str] | None = None) -> bytes:
    """The store's secret key (32 bytes). A chain shares one (step 6); a single store makes its own."""
    env = os.environ if environ is None else environ
    if env.get("POS_RETURNS_SECRET"):
        return _secret_from_hex(env["POS_RETURNS_SECRET"], "POS_RETURNS_SECRET")
    return _read_or_create(config_dir(env) / SECRET_FILE)


def keyed_hash(key: bytes, purpose: str, text: str) -> str:
    """HMAC-SHA256 of ``text`` under ``key``, separated by ``purpose`` so one key serves several uses."""
    return hmac.new(key, purpose.encode() + b"\x00" + text.encode("utf-8"), hashlib.sha256).hexdigest()
