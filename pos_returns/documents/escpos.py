"""Roll documents on an ESC/POS thermal receipt printer (python-escpos), and its cash drawer.

A :class:`Doc` of the 80 mm roll (``documents.receipts``) is written as printer commands: text in the printer's
own font (code pages chosen per character by python-escpos), a line the printer's code pages cannot spell
(Chinese, Vietnamese capitals) drawn as a raster image in a TrueType font that covers it (``documents.fonts``),
the transaction number as a hardware Code 128 barcode, a cut after each document, and a drawer kick when
cash is handed back. The PDF of every document is still kept by services (reprints, A4, stores without a
thermal printer).

A target is one string, kept in settings:

``tcp://HOST[:PORT]``     a network printer (port 9100 when none is given)
``usb://VENDOR:PRODUCT``  a USB printer, ids in hex (needs ``pyusb``)
``serial:///dev/ttyS0[?baud=9600]``  a serial printer (needs ``pyserial``)
"""

from __future__ import annotations

import contextlib
import io
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import parse_qs, urlparse

from pos_returns.documents.elements import (Banner, Barcode, Center, Divider, Doc, Pair, Para, Signature, Space,
                                            Table, Title)
from pos_returns.i18n import N_, UserError

PROFILE = "TM-T88V"  # Epson's common 80 mm model: 42 columns of font A, 512 dots across
COLUMNS = 42
DOTS = 512
DEFAULT_PORT = 9100
DRAWER_PIN = 2


class ReceiptPrinterError(UserError):
    """The thermal printer is not set up right, or cannot be reached."""


@dataclass(frozen=True)
class Target:
    kind: str  # tcp | usb | serial
    host: str = ""
    port: int = DEFAULT_PORT
    vendor: int = 0
    product: int = 0
    device: str = ""
    baud: int = 9600

    def __str__(self) -> str:
        if self.kind == "tcp":
            return f"tcp://{self.host}:{self.port}"
        if self.kind == "usb":
            return f"usb://{self.vendor:04x}:{self.product:04x}"
        return f"serial://{self.device}?baud={self.baud}"


def parse_target(text: str) -> Target:
    """``tcp://HOST[:PORT]``, ``usb://VID:PID`` or ``serial:///dev/X[?baud=N]``; raises ReceiptPrinterError."""
    text = (text or "").strip()
    url = urlparse(text if "://" in text else f"tcp://{text}")
    try:
        if url.scheme == "tcp" and url.hostname:
            return Target("tcp", host=url.hostname, port=url.port or DEFAULT_PORT)
        if url.scheme == "usb" and url.netloc:
            vendor, product = url.netloc.split(":")
            return Target("usb", vendor=int(vendor, 16), product=int(product, 16))
        if url.scheme == "serial" and url.path:
            baud = int(parse_qs(url.query).get("baud", ["9600"])[0])
            return Target("serial", device=url.path, baud=baud)
    except ValueError:
        pass
    raise ReceiptPrinterError(N_("Receipt printer \"{target}\": write tcp://HOST:9100, usb://VENDOR:PRODUCT (hex) "
                                 "or serial:///dev/ttyS0?baud=9600."), target=text)


def connect(target: Target, timeout: float = 10):
    """An open python-escpos printer for a target."""
    from escpos import printer as escpos_printer
    try:
        if target.kind == "tcp":
            device = escpos_printer.Network(target.host, port=target.port, timeout=timeout, profile=PROFILE)
        elif target.kind == "usb":
            device = escpos_printer.Usb(target.vendor, target.product, profile=PROFILE)
        else:
            device = escpos_printer.Serial(devfile=target.device, baudrate=target.baud, profile=PROFILE)
        device.open()
        return device
    except Exception as exc:  # noqa: BLE001 - any failure to reach the device is the user's set-up
        raise ReceiptPrinterError(N_("The receipt printer {target} cannot be reached ({problem}). The transaction "
                                     "is recorded; its PDF is kept for a reprint."),
                                  target=str(target), problem=str(exc) or type(exc).__name__) from exc


# ----------------------------------------------------------------------------- text to columns

def width(text: str) -> int:
    """Columns a text takes on the printer: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most ``columns`` columns, broken at spaces (or anywhere in a word longer than a line)."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in _words(para):
            trial = (line + word) if line else word.lstrip()
            if width(trial.rstrip()) <= columns:
                line = trial
                continue
            if line.strip():
                out.append(line.rstrip())
            line = word.lstrip()
            while width(line) > columns:
                cut = len(line)
                while cut > 1 and width(line[:cut]) > columns:
                    cut -= 1
                out.append(line[:cut])
                line = line[cut:]
        out.append(line.rstrip())
    return out or [""]


def _words(text: str) -> Iterable[str]:
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":  # a Chinese character may break anywhere
            if word:
                yield word
            word = ""
            yield ch
        elif ch == " " and word.strip():
            yield word + " "
            word = ""
        else:
            word += ch
    if word:
        yield word


# Babel writes times and amounts with narrow and no-break spaces, which no printer code page has
_SPACES = {0x00A0: " ", 0x2007: " ", 0x2009: " ", 0x202F: " "}


def pad(left: str, right: str, columns: int) -> str:
    return left + " " * max(1, columns - width(left) - width(right)) + right


def center(text: str, columns: int) -> str:
    return " " * max(0, (columns - width(text)) // 2) + text


def doc_lines(doc: Doc, columns: int = COLUMNS) -> list[tuple[str, Any]]:
    """The document as printer operations: ("text", (line, style)), ("barcode", value), ("feed", n)."""
    ops: list[tuple[str, Any]] = []

    def text(line: str, *, bold: bool = False, big: bool = False, invert: bool = False) -> None:
        ops.append(("text", (line.translate(_SPACES), {"bold": bold, "big": big, "invert": invert})))

    for el in doc.elements:
        if isinstance(el, Title):
            for line in wrap(el.text, columns // 2):
                text(center(line, columns // 2), bold=True, big=True)
        elif isinstance(el, Banner):
            for line in wrap(el.text, columns):
                text(center(line, columns).ljust(columns), bold=True, invert=True)
        elif isinstance(el, Center):
            for line in wrap(el.text, columns) if el.text else []:
                text(center(line, columns), bold=el.bold)
        elif isinstance(el, Pair):
            if width(el.label) + width(el.value) + 1 <= columns:
                text(pad(el.label, el.value, columns), bold=el.bold)
            else:
                for line in wrap(el.label, columns):
                    text(line, bold=el.bold)
                for line in wrap(el.value, columns):
                    text(" " * (columns - width(line)) + line, bold=el.bold)
        elif isinstance(el, Para):
            indent = "  " if el.indent else ""
            for line in wrap(el.text, columns - len(indent)):
                text(indent + line, bold=el.bold)
        elif isinstance(el, Divider):
            text(("=" if el.heavy else "-") * columns)
        elif isinstance(el, Space):
            if el.height >= 3:
                ops.append(("feed", 1))
        elif isinstance(el, Signature):
            ops.append(("feed", 2))
            text("_" * columns)
            text(el.label)
        elif isinstance(el, Barcode):
            ops.append(("barcode", el.value))
            text(center(el.caption, columns))
        elif isinstance(el, Table):
            for i, row in enumerate((el.headers, *el.rows)):
                cells = []
                for cell, frac, align in zip(row, el.widths, el.align):
                    room = max(1, int(frac * columns) - 1)
                    first = wrap(cell, room)[0]
                    cells.append(" " * (room - width(first)) + first if align == "r" else
                                 first + " " * (room - width(first)))
                text(" ".join(cells).rstrip(), bold=i == 0 or (i - 1) in el.bold_rows)
    return ops


# ----------------------------------------------------------------------------- to the printer

def _encodable(device, line: str) -> bool:
    encoder = device.magic.encoder
    return all(ch in " \n" or encoder.find_suitable_encoding(ch) is not None for ch in line)


def _line_image(line: str, lang: str, big: bool, font_file):
    from PIL import Image, ImageDraw, ImageFont
    size = 48 if big else 24  # font A is 12 x 24 dots: two columns of text per 24-dot character
    face = ImageFont.truetype(font_file.path, size, index=font_file.index)
    image = Image.new("1", (DOTS, size + 6), 1)
    ImageDraw.Draw(image).text((0, 2), line, font=face, fill=0)
    return image


def write_doc(device, doc: Doc, *, columns: int = COLUMNS, font_file=None) -> None:
    """Write one document to an open python-escpos printer and cut the paper."""
    device.hw("INIT")
    for op, value in doc_lines(doc, columns):
        if op == "feed":
            device.ln(value)
        elif op == "barcode":
            device.set(align="center")
            with contextlib.redirect_stdout(io.StringIO()):  # python-escpos prints which renderer it uses
                device.barcode("{B" + value, "CODE128", height=80, width=2, pos="OFF", function_type="B")
            device.set(align="left")
        else:
            line, style = value
            device.set(bold=style["bold"], double_height=style["big"], double_width=style["big"],
                       invert=style["invert"])
            if _encodable(device, line):
                device.text(line + "\n")
            else:
                if font_file is None:
                    from pos_returns.documents.fonts import fonts_for
                    font_file = fonts_for(doc.lang, doc.text()).files[0]
                device.image(_line_image(line, doc.lang, style["big"], font_file))
            device.set(bold=False, double_height=False, double_width=False, invert=False)
    device.cut()


def open_drawer(device, pin: int = DRAWER_PIN) -> None:
    device.cashdraw(pin)


def print_docs(target: Target, docs: Iterable[Doc], *, kick_drawer: bool = False, timeout: float = 10) -> None:
    """Print documents on the thermal printer, each cut off; then open the cash drawer when asked."""
    device = connect(target, timeout)
    try:
        if kick_drawer:  # the drawer opens first: the cashier counts the cash while the receipt prints
            open_drawer(device)
        for doc in docs:
            write_doc(device, doc)
    except ReceiptPrinterError:
        raise
    except Exception as exc:  # noqa: BLE001 - a printer that stops mid-job
        raise ReceiptPrinterError(N_("The receipt printer {target} stopped ({problem}). The transaction is "
                                     "recorded; its PDF is kept for a reprint."),
                                  target=str(target), problem=str(exc) or type(exc).__name__) from exc
    finally:
        with contextlib.suppress(Exception):
            device.close()
