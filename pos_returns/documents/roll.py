"""The 80 mm roll: text measured and drawn run by run in a :class:`FontSet` (a character's font chosen by its
coverage, so nothing prints as a box), elements stacked on a page exactly as tall as its content.

Drawn directly on a ReportLab canvas: a roll is one column with no page breaks, where platypus frames
would only add a second pass to find the height. The A4 documents use platypus (``documents.a4``).
"""

from __future__ import annotations

import io
import re
from typing import Any, Sequence

from pos_returns.documents.elements import (Banner, Barcode, Center, Divider, Doc, Element, Pair, Para, QrCode,
                                            Signature, Space, Table, Title)
from pos_returns.documents.fonts import FontSet
from pos_returns.documents.qr import qr_matrix

MM = 72 / 25.4
ROLL_WIDTH = 80 * MM
ROLL_MARGIN = 4 * MM
QR_SIZE = 34 * MM  # a 105-character statement at level M: about 0.6 mm a module, fine for 203 dpi printers

_DARK_RUN = re.compile(b"\x01+")  # a run of dark modules in a row of a QR code
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]")
_TOKEN = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef][ \t]*"
                    r"|[^\s\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]+[ \t]*"
                    r"|[ \t]+")


class Painter:
    """Measures and draws text in a FontSet, a character's font chosen by coverage (no boxes)."""

    def __init__(self, fonts: FontSet):
        from reportlab.pdfbase.pdfmetrics import stringWidth
        self.fonts = fonts
        self._sw = stringWidth
        self._wrapped: dict[tuple[str, float, float, bool], list[str]] = {}

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return self.fonts.text_width(text, size, bold)  # kept per font set (fonts.py): wrapping re-measures a lot

    def draw(self, c: Any, x: float, y: float, text: str, size: float, bold: bool = False) -> None:
        for name, run, fake in self.fonts.runs(text, bold):
            t = c.beginText(x, y)
            t.setFont(name, size)
            if fake:
                c.setLineWidth(size * 0.045)
                t.setTextRenderMode(2)
            t.textOut(run)
            c.drawText(t)
            x += self._sw(run, name, size)

    def wrap(self, text: str, size: float, width: float, bold: bool = False) -> list[str]:
        key = (text, size, width, bold)  # an element is wrapped for its height, then again to draw it
        done = self._wrapped.get(key)
        if done is None:
            done = self._wrapped[key] = self._wrap(text, size, width, bold)
        return list(done)

    def _wrap(self, text: str, size: float, width: float, bold: bool = False) -> list[str]:
        lines: list[str] = []
        for para in text.split("\n"):
            current = ""
            for token in _TOKEN.findall(para):
                trial = current + token
                if self.width(trial.rstrip(), size, bold) <= width or not current.strip():
                    current = trial
                else:
                    lines.append(current.rstrip())
                    current = token.lstrip()
                while self.width(current.rstrip(), size, bold) > width and len(current) > 1:  # one long word
                    cut = len(current)
                    while cut > 1 and self.width(current[:cut], size, bold) > width:
                        cut -= 1
                    soft = max(current.rfind(ch, 0, cut) for ch in "._-/,")  # break after a dot or dash if any
                    if soft >= cut // 2:
                        cut = soft + 1
                    lines.append(current[:cut])
                    current = current[cut:]
            lines.append(current.rstrip())
        return lines or [""]


def words(text: str) -> list[str]:
    """The pieces a line never breaks inside: runs of non-space characters (Chinese, Japanese, Korean: each one)."""
    return [t.strip() for t in _TOKEN.findall(text) if t.strip()]


def leading(size: float) -> float:
    return size * 1.3


class RollLayout:
    """Heights and drawing of each element on a canvas column of a given width."""

    def __init__(self, painter: Painter, width: float):
        self.p = painter
        self.width = width
        self._barcodes: dict[str, tuple[Any, float]] = {}  # measured for the height, then drawn: encoded once

    def height(self, el: Element) -> float:
        p, w = self.p, self.width
        if isinstance(el, Title):
            return len(p.wrap(el.text, 12, w, True)) * leading(12)
        if isinstance(el, Banner):
            return len(p.wrap(el.text, 10, w - 8, True)) * leading(10) + 6
        if isinstance(el, Center):
            return len(p.wrap(el.text, el.size, w, el.bold)) * leading(el.size) if el.text else 0
        if isinstance(el, Pair):
            return len(self._pair_lines(el)) * leading(el.size)
        if isinstance(el, Para):
            return len(p.wrap(el.text, el.size, w - el.indent, el.bold)) * leading(el.size)
        if isinstance(el, Divider):
            return 6
        if isinstance(el, Space):
            return el.height
        if isinstance(el, Signature):
            return 38
        if isinstance(el, Barcode):
            return self._barcode(el)[1] + leading(8) + 4
        if isinstance(el, QrCode):
            return QR_SIZE + len(p.wrap(el.caption, 6, w)) * leading(6) + 4
        if isinstance(el, Table):
            return sum(self._row_height(el, row, i == 0) for i, row in enumerate((el.headers, *el.rows)))
        raise TypeError(el)

    def _pair_lines(self, el: Pair) -> list[tuple[str, str]]:
        vw = self.p.width(el.value, el.size, el.bold)
        room = self.width - vw - 6
        if room < self.width * 0.35:  # the value is long: it goes on its own line, right-aligned
            label = self.p.wrap(el.label, el.size, self.width, el.bold)
            values = self.p.wrap(el.value, el.size, self.width, el.bold)
            return [(ln, "") for ln in label] + [("", v) for v in values]
        label = self.p.wrap(el.label, el.size, room, el.bold)
        return [(label[0], el.value)] + [(ln, "") for ln in label[1:]]

    def _barcode(self, el: Barcode) -> tuple[Any, float]:
        done = self._barcodes.get(el.value)
        if done is None:
            from reportlab.graphics.barcode.code128 import Code128
            probe = Code128(el.value, barWidth=1, barHeight=1, humanReadable=False, quiet=False)
            bar_width = min(1.2, self.width / probe.width)
            bc = Code128(el.value, barWidth=bar_width, barHeight=34, humanReadable=False, quiet=False)
            done = self._barcodes[el.value] = (bc, 34)
        return done

    def _cells(self, el: Table, row: Sequence[str], header: bool) -> list[list[str]]:
        return [self.p.wrap(cell, el.size, frac * self.width - 4, header) for cell, frac in zip(row, el.widths)]

    def _row_height(self, el: Table, row: Sequence[str], header: bool) -> float:
        return max(len(c) for c in self._cells(el, row, header)) * leading(el.size) + 3

    def draw(self, c: Any, el: Element, x: float, top: float) -> None:
        drawer = self._DRAWERS.get(type(el))
        if drawer is not None:  # Space draws nothing
            drawer(self, c, el, x, top)

    def _draw_title(self, c: Any, el: Title, x: float, top: float) -> None:
        self._centered(c, el.text, 12, True, x, top)

    def _draw_banner(self, c: Any, el: Banner, x: float, top: float) -> None:
        h = self.height(el)
        c.setFillGray(0)
        c.rect(x, top - h + 2, self.width, h - 2, stroke=0, fill=1)
        c.setFillGray(1)
        c.setStrokeGray(1)
        self._centered(c, el.text, 10, True, x, top - 3, width=self.width)
        c.setFillGray(0)
        c.setStrokeGray(0)

    def _draw_center(self, c: Any, el: Center, x: float, top: float) -> None:
        self._centered(c, el.text, el.size, el.bold, x, top)

    def _draw_pair(self, c: Any, el: Pair, x: float, top: float) -> None:
        p, y = self.p, top
        for label, value in self._pair_lines(el):
            y -= leading(el.size)
            if label:
                p.draw(c, x, y + el.size * 0.28, label, el.size, el.bold)
            if value:
                p.draw(c, x + self.width - p.width(value, el.size, el.bold), y + el.size * 0.28, value, el.size,
                       el.bold)

    def _draw_para(self, c: Any, el: Para, x: float, top: float) -> None:
        y = top
        for line in self.p.wrap(el.text, el.size, self.width - el.indent, el.bold):
            y -= leading(el.size)
            self.p.draw(c, x + el.indent, y + el.size * 0.28, line, el.size, el.bold)

    def _draw_divider(self, c: Any, el: Divider, x: float, top: float) -> None:
        c.setLineWidth(1.2 if el.heavy else 0.5)
        c.setDash(2, 2)
        c.line(x, top - 3, x + self.width, top - 3)
        c.setDash()

    def _draw_signature(self, c: Any, el: Signature, x: float, top: float) -> None:
        c.setLineWidth(0.6)
        c.line(x, top - 24, x + self.width, top - 24)
        self.p.draw(c, x, top - 32, el.label, 7)

    def _draw_barcode(self, c: Any, el: Barcode, x: float, top: float) -> None:
        bc, h = self._barcode(el)
        bc.drawOn(c, x + (self.width - bc.width) / 2, top - h)
        self._centered(c, el.caption, 8, False, x, top - h - 2)

    def _draw_qr(self, c: Any, el: QrCode, x: float, top: float) -> None:
        """Each run of dark modules in a row one filled rectangle on the canvas (documents.qr: byte mode,
        level M, mask 0, the matrix ReportLab's encoder made here before; no drawing, so no font)."""
        rows = qr_matrix(el.value)
        count = len(rows)
        border = 2
        module = QR_SIZE / (count + 2 * border)
        c.saveState()
        # one unit a module, rows downwards
        c.transform(module, 0, 0, -module, x + (self.width - QR_SIZE) / 2 + border * module, top - border * module)
        ops = [f"{m.start()} {r} {m.end() - m.start()} 1 re" for r, row in enumerate(rows)
               for m in _DARK_RUN.finditer(row)]
        c.setFillGray(0)
        c.addLiteral("\n".join(ops) + "\nf")  # integer rectangles straight into the page (fp_str is slow)
        c.restoreState()
        self._centered(c, el.caption, 6, False, x, top - QR_SIZE - 2)

    def _draw_table(self, c: Any, el: Table, x: float, top: float) -> None:
        p, w, y = self.p, self.width, top
        for i, row in enumerate((el.headers, *el.rows)):
            header = i == 0
            bold = header or (i - 1) in el.bold_rows
            cells = self._cells(el, row, bold)
            h = max(len(cl) for cl in cells) * leading(el.size) + 3
            if header:
                c.setFillGray(0.88)
                c.rect(x, y - h, sum(el.widths) * w, h, stroke=0, fill=1)
                c.setFillGray(0)
            cx = x
            for lines, frac, align in zip(cells, el.widths, el.align):
                cy = y - 1.5
                for line in lines:
                    cy -= leading(el.size)
                    tx = cx + 2 if align == "l" else cx + frac * w - 2 - p.width(line, el.size, bold)
                    p.draw(c, tx, cy + el.size * 0.28, line, el.size, bold)
                cx += frac * w
            c.setLineWidth(0.3)
            c.line(x, y - h, x + sum(el.widths) * w, y - h)
            y -= h

    def _centered(self, c: Any, text: str, size: float, bold: bool, x: float, top: float,
                  width: float | None = None) -> None:
        w = width or self.width
        y = top
        for line in self.p.wrap(text, size, w, bold):
            y -= leading(size)
            self.p.draw(c, x + (w - self.p.width(line, size, bold)) / 2, y + size * 0.28, line, size, bold)

    _DRAWERS = {Title: _draw_title, Banner: _draw_banner, Center: _draw_center, Pair: _draw_pair, Para: _draw_para,
                Divider: _draw_divider, Signature: _draw_signature, Barcode: _draw_barcode, Table: _draw_table,
                QrCode: _draw_qr}


def render_roll(doc: Doc, fonts: FontSet) -> bytes:
    """Draw a roll document; the page is exactly as tall as its content."""
    from reportlab.pdfgen.canvas import Canvas
    painter = Painter(fonts)
    buf = io.BytesIO()
    layout = RollLayout(painter, ROLL_WIDTH - 2 * ROLL_MARGIN)
    heights = [layout.height(el) for el in doc.elements]
    page_h = sum(heights) + 2 * ROLL_MARGIN
    c = Canvas(buf, pagesize=(ROLL_WIDTH, page_h), invariant=1, pageCompression=1,
               initialFontName=fonts.regular, initialFontSize=8)
    c.setTitle(doc.title)
    c.setCreator("pos-returns")
    top = page_h - ROLL_MARGIN
    for el, h in zip(doc.elements, heights):
        layout.draw(c, el, ROLL_MARGIN, top)
        top -= h
    c.showPage()
    c.save()
    return buf.getvalue()
