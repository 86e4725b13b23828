"""Whether this till is one of a chain's: the central database's address, if one is given.

Its own small module so that a till's start (ui.app) can ask without loading the chain's sync and the
PostgreSQL side (services.chain, storage.central), which a till working alone never uses.
"""

from __future__ import annotations

import os

CENTRAL_ENV = "POS_RETURNS_CENTRAL"


def central_url(arg: str | None, environ: dict[str, str] | None = None) -> str | None:
    """``--central URL``, else ``POS_RETURNS_CENTRAL``, else None (the till works alone)."""
    env = os.environ if environ is None else environ
    return arg or env.get(CENTRAL_ENV) or None
