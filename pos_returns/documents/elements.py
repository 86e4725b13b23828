"""Layout elements of a document: finished strings (translated, formatted), no translation or formatting left.

A :class:`Doc` is a page kind ("roll": 80 mm, as tall as its content; "a4") and a list of these elements;
``documents.roll`` draws a roll, ``documents.a4`` lays out an A4 page with ReportLab platypus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Banner:
    text: str  # DUPLICATE / TRAINING: white on black


@dataclass(frozen=True)
class Center:
    text: str
    size: float = 8.0
    bold: bool = False


@dataclass(frozen=True)
class Pair:
    label: str
    value: str
    bold: bool = False
    size: float = 8.0


@dataclass(frozen=True)
class Para:
    text: str
    size: float = 7.0
    bold: bool = False
    indent: float = 0.0  # every line, wrapped ones too


@dataclass(frozen=True)
class Divider:
    """A dashed line across the page."""

    heavy: bool = False


@dataclass(frozen=True)
class Space:
    height: float = 4.0


@dataclass(frozen=True)
class Signature:
    label: str


@dataclass(frozen=True)
class Barcode:
    value: str
    caption: str


@dataclass(frozen=True)
class QrCode:
    """A QR code (the receipt's signed statement, checkable offline with ``verify-receipt``)."""
    value: str
    caption: str


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the width
    align: tuple[str, ...]  # "l" | "r" per column
    size: float = 7.0
    bold_rows: frozenset[int] = frozenset()


Element = Any


@dataclass
class Doc:
    page: str  # "roll" | "a4"
    title: str  # the PDF's title
    lang: str
    elements: list[Element] = field(default_factory=list)
    barcode_value: str | None = None

    def add(self, *els: Element) -> "Doc":
        self.elements.extend(els)
        return self

    def text(self) -> str:
        """All the text of the document (to choose fonts that cover it)."""
        parts = [self.title]
        for el in self.elements:
            if isinstance(el, Table):
                parts.extend(el.headers)
                parts.extend(c for row in el.rows for c in row)
            else:
                for name in ("text", "label", "value", "caption"):
                    v = getattr(el, name, None)
                    if isinstance(v, str):
                        parts.append(v)
        return "\n".join(parts)
