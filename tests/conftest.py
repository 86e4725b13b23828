"""Suite-wide set-up: secrets and keys go to a throwaway config folder, never the developer's own.

PINs are hashed at a low scrypt cost here (security.TEST_COST_ENV; honoured only inside a pytest run, see
pos_returns/security.py): at OWASP's N=2^17 every hash and every PIN check costs ~0.5 s, and the suite makes
hundreds. The processes the tests start inherit it. The test that the real cost is the default unsets it.
"""

import os
import tempfile

os.environ["POS_RETURNS_CONFIG"] = tempfile.mkdtemp(prefix="pos-returns-config-")
os.environ.pop("POS_RETURNS_SECRET", None)
os.environ["POS_RETURNS_TEST_SCRYPT_LOG_N"] = "10"

from pgkit import central_url, pg_server  # noqa: E402,F401 - the throwaway PostgreSQL server (tests/pgkit.py)
