"""PIN hashing: scrypt at OWASP's parameters (N=2^17, r=8, p=1) with a random salt per PIN.

The test suite, and only the test suite, lowers the cost of *new* hashes: tests/conftest.py sets
``POS_RETURNS_TEST_SCRYPT_LOG_N`` (each hash costs ~0.5 s at N=2^17; the suite hashes and checks hundreds of
PINs). The variable is honoured only inside a pytest run (pytest sets ``PYTEST_VERSION`` for the session and
the processes it starts); anywhere else it is ignored, with a warning on standard error, so a till can never
be weakened by a stray environment variable. A cheap hash says so itself: its cost is part of the stored
string (``scrypt$10$...``), and :func:`verify_pin` always uses the cost a hash was made with.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys

SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
_MAXMEM = 256 * 1024 * 1024
TEST_COST_ENV = "POS_RETURNS_TEST_SCRYPT_LOG_N"
_TEST_MIN_LOG_N = 4


class PinPolicyError(ValueError):
    pass


def check_pin_format(pin: str) -> None:
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise PinPolicyError("a PIN is 4 to 12 digits")


def default_log_n(environ: dict[str, str] | None = None) -> int:
    """The cost of a new hash: OWASP's, unless the test suite lowered it (see the module's docstring)."""
    env = os.environ if environ is None else environ
    text = env.get(TEST_COST_ENV)
    if not text:
        return SCRYPT_LOG_N
    if not env.get("PYTEST_VERSION"):
        print(f"warning: {TEST_COST_ENV} is for the test suite only; ignored, PINs are hashed at "
              f"scrypt N=2^{SCRYPT_LOG_N}", file=sys.stderr)
        return SCRYPT_LOG_N
    try:
        log_n = int(text)
    except ValueError:
        return SCRYPT_LOG_N
    return min(max(log_n, _TEST_MIN_LOG_N), SCRYPT_LOG_N)


def hash_pin(pin: str, *, log_n: int | None = None) -> str:
    if log_n is None:
        log_n = default_log_n()
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
