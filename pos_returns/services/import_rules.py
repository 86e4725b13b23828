"""What a till's text and times may be (the import's own limits, beside the case reader's checks): shared by
:mod:`.importer` (the full check, which says what is wrong) and :mod:`.import_fast` (the quick pass)."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

#: the oldest sale a till can have written; the newest is a day after the import (clocks differ a little)
EARLIEST_SALE = datetime(2000, 1, 1)
LATEST_AHEAD = timedelta(days=1)
#: codes (receipt, SKU, barcode, serial, register, store, customer id) and names: the longest accepted
CODE_LENGTH, NAME_LENGTH = 64, 200
#: characters that change how text is shown without being seen: right-to-left overrides and isolates, marks
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(value: object, limit: int, code: bool) -> str | None:
    """Why a text field cannot be imported, or None; the message never repeats the text itself."""
    if not isinstance(value, str):
        return None  # the case reader says what type it should be
    if len(value) > limit:
        return f"is {len(value)} characters long; at most {limit} are accepted"
    if value.isascii() and value.isprintable():  # the common case, exactly: ASCII has no Cc among its printable
        return None  # characters, and no bidi, Zl, Zp or Cf character at all
    for ch in value:
        kind = unicodedata.category(ch)
        if kind == "Cc":
            return f"contains a control character (U+{ord(ch):04X}); remove it"
        if ch in _BIDI or kind in ("Zl", "Zp") or (code and kind == "Cf"):
            return f"contains an invisible formatting or right-to-left character (U+{ord(ch):04X}); remove it"
    return None
