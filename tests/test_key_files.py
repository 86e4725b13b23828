"""Several tills' processes start at once on a fresh machine: each must get the same, whole key.

The first start creates the store's secret and the register's signing key; a process that reads the file while
another is still writing it must never see it half-written (it took an empty key: "An Ed25519 private key is
32 bytes long", found by the chain soak with six processes).
"""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = r"""
import sys
from pos_returns import keys, signing
sys.stdout.write(keys.store_secret().hex() + " " + signing.register_seed("R1").hex())
"""


def test_processes_starting_together_get_one_whole_secret_and_key(tmp_path):
    env = dict(os.environ, POS_RETURNS_CONFIG=str(tmp_path / "config"))
    env.pop("POS_RETURNS_KEY", None)
    env.pop("POS_RETURNS_SECRET", None)
    for _round in range(3):
        for name in ("store-secret.key", "signing-R1.key"):
            (tmp_path / "config" / name).unlink(missing_ok=True)
        procs = [subprocess.Popen([sys.executable, "-c", PROBE], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(12)]
        results = [p.communicate(timeout=60) for p in procs]
        assert all(p.returncode == 0 for p in procs), [err for _out, err in results if err]
        outs = {out for out, _err in results}
        assert len(outs) == 1, outs
        secret, seed = outs.pop().split()
        assert len(bytes.fromhex(secret)) == 32 and len(bytes.fromhex(seed)) == 32
        assert (tmp_path / "config" / "signing-R1.key").read_text().strip() == seed
        assert oct((tmp_path / "config" / "signing-R1.key").stat().st_mode & 0o777) == "0o600"
        assert not list((tmp_path / "config").glob("*.tmp"))
