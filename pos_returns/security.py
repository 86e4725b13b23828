"""PIN hashing: scrypt at OWASP's parameters (N=2^17, r=8, p=1) with a random salt per PIN."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
_MAXMEM = 256 * 1024 * 1024


class PinPolicyError(ValueError):
    pass


def check_pin_format(pin: str) -> None:
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise PinPolicyError("a PIN is 4 to 12 digits")


def hash_pin(pin: str, *, log_n: int = SCRYPT_LOG_N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2 ** log_n, r=SCRYPT_R, p=SCRYPT_P, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${log_n}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, log_n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=2 ** int(log_n), r=int(r), p=int(p),
                             maxmem=_MAXMEM, dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)
