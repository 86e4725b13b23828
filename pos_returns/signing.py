"""Register signing keys (Ed25519): kept outside the database, one per register, created on first use.

Each register signs every journal entry it writes, and every day close it runs, with its own Ed25519 key, so an
entry written by someone who has the database file and this code but not the key is caught by ``journal verify
--public-key FILE``. The key lives in the config folder (:func:`pos_returns.keys.config_dir`) as
``signing-<register>.key`` (the 32-byte private seed as hex, mode 0600), or is given by ``POS_RETURNS_KEY``:
64 hex digits (the seed), or the path of such a file.

What is signed (``POSR1`` statement, UTF-8, fields joined by ``|``): ``POSR1|store|register|txno|at|total|currency|
signer|counter|hash``, where ``total`` is the entry's refund total in minor units, ``signer`` the register whose
key signed and ``counter`` that register's gapless signature counter. The same statement, with the hash and the
signature in base64url, is the text of a receipt's QR code: a phone's scanner reads it and
``python -m pos_returns verify-receipt TEXT`` checks it offline against the register's public key.

Public keys are written ``ed25519:<base64url of the 32 raw bytes>``; a fingerprint is the first 16 hex digits of
the key's SHA-256 in groups of four (``1a2b-3c4d-5e6f-7a8b``), short enough to read off a day report.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from pos_returns import keys

KEY_ENV = "POS_RETURNS_KEY"
STATEMENT = "POSR1"
KEY_STATEMENT = "POSR1-KEY"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_file(register: str, environ: dict[str, str] | None = None) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", register)
    return keys.config_dir(environ) / f"signing-{safe}.key"


def _private_from_seed(seed: bytes):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return Ed25519PrivateKey.from_private_bytes(seed)


def read_seed(path: Path) -> bytes:
    # read as bytes (the text layer cost a commit more than its signature); ASCII hex, whitespace around ignored
    with open(path, "rb") as fh:
        return bytes.fromhex(fh.read().decode("ascii").strip())


def write_new_key(path: Path) -> bytes:
    """Create a new key file (mode 0600, never overwriting one); its seed. Raises FileExistsError."""
    seed = secrets.token_bytes(32)
    keys.create_whole(path, seed.hex() + "\n")  # another process reading it sees the whole key or none
    return seed


def register_seed(register: str, environ: dict[str, str] | None = None) -> bytes:
    """The register's private seed: ``POS_RETURNS_KEY`` (hex or a file), else its key file, made on first use."""
    env = os.environ if environ is None else environ
    given = env.get(KEY_ENV, "").strip()
    if given:
        if re.fullmatch(r"[0-9a-fA-F]{64}", given):
            return bytes.fromhex(given)
        return read_seed(Path(given))
    path = key_file(register, env)
    try:
        return read_seed(path)
    except FileNotFoundError:
        pass
    try:
        return write_new_key(path)
    except FileExistsError:  # another process made it first
        return read_seed(path)


class Signer:
    """A register's signing key, loaded once (its public key and fingerprint worked out once)."""

    def __init__(self, register: str, seed: bytes):
        from cryptography.hazmat.primitives import serialization
        self.register = register
        self._key = _private_from_seed(seed)
        self.public = self._key.public_key().public_bytes(serialization.Encoding.Raw,
                                                          serialization.PublicFormat.Raw)
        self.public_text = public_text(self.public)
        self.fingerprint = fingerprint(self.public)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


def register_signer(register: str, environ: dict[str, str] | None = None) -> Signer:
    """The register's key as it is in its file now (read on every call, so a changed file is seen at once)."""
    return _loaded(register, register_seed(register, environ))


@functools.lru_cache(maxsize=16)
def _loaded(register: str, seed: bytes) -> Signer:
    """A pure function of the seed, memoised: deriving the public key costs more than the signature."""
    return Signer(register, seed)


def public_text(public: bytes) -> str:
    return "ed25519:" + b64url(public)


def fingerprint(public: bytes) -> str:
    digest = hashlib.sha256(public).hexdigest()[:16]
    return "-".join(digest[i:i + 4] for i in range(0, 16, 4))


def parse_public_keys(text: str) -> list[bytes]:
    """Every public key in ``text``: ``ed25519:<base64url>`` tokens and PEM ``PUBLIC KEY`` blocks."""
    found = []
    for token in re.findall(r"ed25519:([A-Za-z0-9_-]{43})", text):
        found.append(unb64url(token))
    for block in re.findall(r"-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----", text, re.S):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        try:
            key = serialization.load_pem_public_key(block.encode("ascii"))
        except ValueError:
            continue
        if isinstance(key, Ed25519PublicKey):
            found.append(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    return found


def public_pem(public: bytes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    return Ed25519PublicKey.from_public_bytes(public).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def check(public: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is ``public``'s signature of ``message``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# ----------------------------------------------------------------------------- what is signed

@dataclass(frozen=True)
class Statement:
    """What one signature states: an entry's identity, time and total, the signer's counter and the entry hash."""
    store: str
    register: str
    txno: str
    at: str  # ISO local time, as the journal holds it
    total: int  # refund total, minor units
    currency: str
    signer: str
    counter: int
    hash: str  # hex SHA-256 of the journal entry

    def fields(self) -> list[str]:
        return [str(x) for x in (self.store, self.register, self.txno, self.at, self.total, self.currency,
                                 self.signer, self.counter, self.hash)]

    def message(self) -> bytes:
        return "|".join([STATEMENT] + self.fields()).encode("utf-8")


def key_message(register: str, new_public: bytes, from_counter: int) -> bytes:
    """What an old key signs to hand its register over to a new key from signature ``from_counter`` on."""
    return "|".join([KEY_STATEMENT, register, public_text(new_public), str(from_counter)]).encode("utf-8")


class ReceiptCodeError(ValueError):
    """The text is not a pos-returns receipt code."""


_COMPACT_AT = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)")


def receipt_code(statement: Statement, signature: bytes) -> str:
    """The QR text: ``POSR1;store;register;txno;yyyymmddThhmmss;total;currency;signer;counter;hash;signature``
    (hash and signature in base64url; total in minor units)."""
    at = statement.at[:19].replace("-", "").replace(":", "")
    parts = [STATEMENT, statement.store, statement.register, statement.txno, at, str(statement.total),
             statement.currency, statement.signer, str(statement.counter), b64url(bytes.fromhex(statement.hash)),
             b64url(signature)]
    return ";".join(parts)


def parse_receipt_code(text: str) -> tuple[Statement, bytes]:
    parts = text.strip().split(";")
    if len(parts) != 11 or parts[0] != STATEMENT:
        raise ReceiptCodeError("it must start with POSR1; and have 11 fields separated by ;")
    _, store, register, txno, at, total, currency, signer, counter, digest, sig = parts
    m = _COMPACT_AT.fullmatch(at)
    if not m or not re.fullmatch(r"-?\d+", total) or not counter.isdigit():
        raise ReceiptCodeError("the time, total or counter field is not readable")
    try:
        hash_hex = unb64url(digest).hex()
        signature = unb64url(sig)
    except ValueError:
        raise ReceiptCodeError("the hash or signature field is not base64url") from None
    iso_at = f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}"
    return Statement(store, register, txno, iso_at, int(total), currency, signer, int(counter), hash_hex), signature
