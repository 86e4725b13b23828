"""Draw a :class:`Doc` as PDF bytes: the fonts that cover its text, then the roll or the A4 layout."""

from __future__ import annotations

import unicodedata

from pos_returns.documents.elements import Doc
from pos_returns.documents.fonts import fonts_for


def render(doc: Doc, font: str | None = None) -> bytes:
    """The PDF of a document; ``font`` (a .ttf, or .ttc#INDEX) is tried first for its language."""
    fonts = fonts_for(doc.lang, unicodedata.normalize("NFC", doc.text()), font)
    if doc.page == "roll":
        from pos_returns.documents.roll import render_roll
        return render_roll(doc, fonts)
    from pos_returns.documents.a4 import render_a4
    return render_a4(doc, fonts)
