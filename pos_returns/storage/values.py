"""How values are written to the file: canonical JSON, integer minor units, ISO times, customer ID keys."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import datetime
from typing import Any

from pos_returns import keys
from pos_returns.domain.money import Money


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def minor(money: Money) -> int:
    return money.rounded().minor()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _normal_id(document: str) -> str:
    """An ID number as typed, without spaces or punctuation, in upper case (fullwidth forms folded)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", document).upper() if ch.isalnum())


def id_last4(document: str) -> str:
    """The last 4 characters of an ID number, for display only (masked IDs on screen and paperwork)."""
    return _normal_id(document)[-4:]


def hash_customer_id(key: bytes, document: str) -> tuple[str, str]:
    """A customer's ID number as a keyed hash plus its last 4 characters (never the number itself).

    ``key`` is the store's secret kept outside the database (``keys.store_secret()``), so a copy of the
    database file alone does not let anyone try ID numbers against the stored hashes."""
    normal = _normal_id(document)
    return keys.keyed_hash(key, "customer-id", normal), normal[-4:]


def legacy_customer_key(salt: bytes, document: str) -> str:
    """The customer key a file written before the keyed hash recorded: ``id:`` + sha256(salt + ID)."""
    normal = "".join(ch for ch in document.upper() if ch.isalnum())  # the normalisation of those files
    return "id:" + hashlib.sha256(salt + normal.encode("utf-8")).hexdigest()
