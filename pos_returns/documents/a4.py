"""A4 documents (the end-of-day report, the manager's period report) laid out with ReportLab platypus.

Paragraphs wrap at spaces (Chinese: ``wordWrap='CJK'``, a line may break between any two characters);
tables repeat their header row on every page, and each column is at least as wide as its longest word,
so no word is ever cut in two ("Manage r"). Text is written in the document's FontSet run by run
(``<font name=...>``), so a character the primary font lacks comes from a fallback font, never a box.
"""

from __future__ import annotations

import io
from typing import Any, Sequence
from xml.sax.saxutils import escape

from pos_returns.documents.elements import Banner, Center, Divider, Doc, Element, Pair, Para, Space, Table, Title
from pos_returns.documents.fonts import FontSet
from pos_returns.documents.roll import MM, Painter, leading, words

A4 = (595.2756, 841.8898)
A4_MARGIN = 15 * MM
CELL_PAD = 2.0  # points left and right of a table cell's text
SMALLEST = 5.0  # points: a table's text shrinks down to this before a long word may be cut


class A4Layout:
    """Turns layout elements into platypus flowables in one FontSet."""

    def __init__(self, fonts: FontSet, lang: str, width: float):
        self.fonts = fonts
        self.painter = Painter(fonts)
        self.cjk = lang == "zh_Hant"
        self.width = width
        self._styles: dict[tuple, Any] = {}

    # -- text
    def markup(self, text: str, bold: bool = False) -> str:
        """Paragraph markup of text: each run in the font that has its characters."""
        out = []
        for line_no, line in enumerate(text.split("\n")):
            if line_no:
                out.append("<br/>")
            for name, run, _fake in self.fonts.runs(line, bold):  # no stroked bold in platypus: the face as is
                out.append(f'<font name="{name}">{escape(run)}</font>')
        return "".join(out)

    def style(self, size: float, bold: bool = False, align: str = "l", color: str | None = None,
              indent: float = 0.0) -> Any:
        key = (size, bold, align, color, indent)
        if key not in self._styles:
            from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
            from reportlab.lib.styles import ParagraphStyle
            self._styles[key] = ParagraphStyle(
                f"pr-{len(self._styles)}", fontName=self.fonts.bold if bold else self.fonts.regular, fontSize=size,
                leading=leading(size), alignment={"l": TA_LEFT, "r": TA_RIGHT, "c": TA_CENTER}[align],
                wordWrap="CJK" if self.cjk else None, textColor=color or "black", leftIndent=indent)
        return self._styles[key]

    def paragraph(self, text: str, size: float, bold: bool = False, align: str = "l", **style: Any) -> Any:
        from reportlab.platypus import Paragraph
        return Paragraph(self.markup(text, bold), self.style(size, bold, align, **style))

    # -- elements
    def flowables(self, elements: Sequence[Element]) -> list[Any]:
        out: list[Any] = []
        for el in elements:
            out.extend(self.flowable(el))
        return out

    def flowable(self, el: Element) -> list[Any]:
        from reportlab.platypus import Spacer
        if isinstance(el, Title):
            return [self.paragraph(el.text, 12, True, "c")]
        if isinstance(el, Center):
            return [self.paragraph(el.text, el.size, el.bold, "c")] if el.text else []
        if isinstance(el, Para):
            return [self.paragraph(el.text, el.size, el.bold, indent=el.indent)]
        if isinstance(el, Space):
            return [Spacer(1, el.height)] if el.height else []
        if isinstance(el, Banner):
            return [self._banner(el)]
        if isinstance(el, Divider):
            from reportlab.platypus.flowables import HRFlowable
            return [HRFlowable(width="100%", thickness=1.2 if el.heavy else 0.5, dash=(2, 2), spaceBefore=3,
                               spaceAfter=2)]
        if isinstance(el, Pair):
            return [self.table(Table((el.label, el.value), (), (0.7, 0.3), ("l", "r"), el.size), header=False)]
        if isinstance(el, Table):
            return [self.table(el)]
        raise TypeError(f"{type(el).__name__} has no A4 layout")

    def _banner(self, el: Banner) -> Any:
        from reportlab.platypus import Table as PTable, TableStyle
        t = PTable([[self.paragraph(el.text, 10, True, "c", color="white")]], colWidths=[self.width])
        t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
                               ("BACKGROUND", (0, 0), (-1, -1), "black")]))
        return t

    # -- tables
    def column_widths(self, el: Table, size: float) -> list[float] | None:
        """Each column's share of the width, grown to hold its longest word; None when the words do not fit."""
        need = [0.0] * len(el.widths)
        for r, row in enumerate((el.headers, *el.rows)):
            bold = r == 0 or (r - 1) in el.bold_rows
            for c, cell in enumerate(row):
                longest = max((self.painter.width(w, size, bold) for w in words(cell)), default=0.0)
                need[c] = max(need[c], longest + 2 * CELL_PAD + 0.5)
        if sum(need) > self.width:
            return None
        widths = [max(frac * self.width, n) for frac, n in zip(el.widths, need)]
        target = max(min(sum(el.widths), 1.0) * self.width, sum(need))
        excess = sum(widths) - target
        if excess > 0:  # take it from the columns that have room to spare, in proportion to that room
            slack = [w - n for w, n in zip(widths, need)]
            room = sum(slack)
            widths = [w - excess * s / room for w, s in zip(widths, slack)] if room > 0 else widths
        return widths

    def table(self, el: Table, header: bool = True) -> Any:
        from reportlab.platypus import Table as PTable, TableStyle
        size = el.size
        widths = self.column_widths(el, size)
        while widths is None and size > SMALLEST:
            size = max(SMALLEST, size - 0.5)
            widths = self.column_widths(el, size)
        widths = widths or [frac * self.width for frac in el.widths]
        rows = [(el.headers, True)] if header else [(el.headers, False)]
        rows += [(row, i in el.bold_rows) for i, row in enumerate(el.rows)]
        data = [[self.paragraph(cell, size, bold, align) for cell, align in zip(row, el.align)] for row, bold in rows]
        style = [("FONTNAME", (0, 0), (-1, -1), self.fonts.regular), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                 ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
        if header:
            style += [("BACKGROUND", (0, 0), (-1, 0), (0.88, 0.88, 0.88)),
                      ("LINEBELOW", (0, 0), (-1, -1), 0.3, "black")]
        t = PTable(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        t.setStyle(TableStyle(style))
        return t


def render_a4(doc: Doc, fonts: FontSet) -> bytes:
    """Lay out an A4 document: as many pages as it needs, each with the title and page number at the foot."""
    from reportlab.platypus import SimpleDocTemplate
    buf = io.BytesIO()
    layout = A4Layout(fonts, doc.lang, A4[0] - 2 * A4_MARGIN)
    template = SimpleDocTemplate(buf, pagesize=A4, leftMargin=A4_MARGIN, rightMargin=A4_MARGIN, topMargin=A4_MARGIN,
                                 bottomMargin=A4_MARGIN, title=doc.title, creator="pos-returns", invariant=1,
                                 pageCompression=1, initialFontName=fonts.regular)

    def footer(canvas: Any, made: Any) -> None:
        canvas.saveState()
        layout.painter.draw(canvas, A4_MARGIN, A4_MARGIN / 2, f"{doc.title} - {made.page}", 7)
        canvas.restoreState()

    template.build(layout.flowables(doc.elements), onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
