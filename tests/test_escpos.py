"""Roll receipts on an ESC/POS thermal printer and its cash drawer, against a loopback TCP printer.

The "printer" is a socket server in the test, listening on 127.0.0.1 like a network printer on port 9100: it
keeps every byte it receives. The checks read those bytes as a printer would: the receipt's text, the
Code 128 barcode command (GS k, system 73) carrying the transaction number, the cut (GS V) and the drawer
kick (ESC p) only when cash is handed back.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

import storehelpers as H
from pos_returns.documents import escpos
from pos_returns.services import receipt_printer as rp
from pos_returns.services import session
from pos_returns.domain.model import ExchangeItem, Request, RequestLine
from pos_returns.services.importer import import_file
from pos_returns.services.settlement import with_payment
from pos_returns.storage import store as st

GS, ESC = b"\x1d", b"\x1b"
CUT = GS + b"V\x00"
KICK = ESC + b"p\x00"
RASTER = GS + b"v0"
CASH_RECEIPT = "0001-870001"


class LoopbackPrinter:
    """A TCP server that takes connections one after another and keeps what each sent."""

    def __init__(self):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            chunks = []
            with conn:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
            self.jobs.append(b"".join(chunks))

    def wait(self, count: int, timeout: float = 30) -> list[bytes]:  # a loaded 2-core CI machine is slow
        end = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < end:
            time.sleep(0.02)
        assert len(self.jobs) >= count, f"the printer received {len(self.jobs)} jobs, expected {count}"
        return self.jobs

    @property
    def target(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def printer():
    p = LoopbackPrinter()
    yield p
    p.close()


@pytest.fixture
def world(tmp_path):
    db = H.fresh_db(tmp_path)
    store = st.open_store(db)
    sales = tmp_path / "cash.json"
    import json
    sales.write_text(json.dumps({"sales": [H.sale_json(CASH_RECEIPT, [("MUG", "Stoneware mug", "home", 2, "12.00")],
                                             tender="cash")]}), encoding="utf-8")
    import_file(store, H.policy(), sales, H.NOW)
    counter = H.counter(store)
    cashier = H.signed_in(counter)
    cash = counter.commit(counter.prepare(cashier, counter.lookup(CASH_RECEIPT), H.return_request()))
    card = counter.commit(counter.prepare(cashier, counter.lookup(H.JEANS), H.return_request()))
    # exchanges for a rain jacket (129.00 + 9.35 tax): the T-shirt (16.08 back) paid in cash, the jeans (53.61
    # back) by card: the customer owes 122.27 and 84.74, and nothing is handed back from the till
    jacket = counter.find_product("JACKET")
    owed = {}
    for line, pay in ((1, "cash"), (2, "card")):
        request = Request(type="exchange", lines=(RequestLine(line=line, qty=1, condition="unopened",
                                                              reason="wrong_size"),),
                          exchange_items=(ExchangeItem(jacket.sku, jacket.category, 1, jacket.price,
                                                       jacket.tax_rate, jacket.name),))
        pending = counter.prepare(cashier, counter.lookup(H.SHIRT), request)
        owed[pay] = counter.commit(with_payment(pending, pay))
    yield store, {"cash": cash, "card": card, "exchange_cash": owed["cash"], "exchange_card": owed["card"]}
    store.close()


def barcode_payload(job: bytes) -> bytes:
    """The data of the first Code 128 barcode command: GS k 73 n d1..dn."""
    at = job.index(GS + b"k\x49")
    n = job[at + 3]
    return job[at + 4:at + 4 + n]


def test_cash_return_prints_receipt_barcode_cut_and_opens_the_drawer(world, printer):
    store, tx = world
    txno = tx["cash"].txno
    done = rp.print_transaction(store, txno, escpos.parse_target(printer.target), "en", folder=store.path.parent)
    job = printer.wait(1)[0]
    assert [d.kind for d in done] == ["receipt", "store-copy"]
    assert job.count(KICK) == 1, "cash handed back opens the drawer once"
    assert job.index(KICK) < job.index(b"Return receipt")
    assert job.count(CUT) == 2, "each document is cut off"
    assert txno.encode() in job and CASH_RECEIPT.encode() in job
    assert b"Stoneware mug" in job
    assert RASTER not in job, "English prints as text (Babel's narrow spaces too), never as pictures"
    assert barcode_payload(job) == b"{B" + txno.encode()
    assert job.count(GS + b"k\x49") == 2  # one barcode per document
    for d in done:  # the PDFs are still kept, for reprints and stores without a thermal printer
        assert Path(d.path).exists()


def test_card_return_does_not_open_the_drawer_and_a_reprint_never_does(world, printer):
    store, tx = world
    target = escpos.parse_target(printer.target)
    rp.print_transaction(store, tx["card"].txno, target, "en", folder=store.path.parent)
    rp.print_transaction(store, tx["cash"].txno, target, "en", reprint=True, now=H.NOW, folder=store.path.parent)
    card, reprint = printer.wait(2)
    assert KICK not in card and card.count(CUT) == 2
    assert KICK not in reprint, "a reprint hands no cash back"
    assert b"DUPLICATE" in reprint


@pytest.mark.parametrize("lang, code_page", [("cs", b"\x1bt\x12"), ("vi", b"\x1bt\x1e"), ("zh_Hant", None)])
def test_languages_print_in_code_pages_or_as_images(world, printer, lang, code_page):
    store, tx = world
    rp.print_transaction(store, tx["cash"].txno, escpos.parse_target(printer.target), lang,
                         folder=store.path.parent)
    job = printer.wait(1)[0]
    assert job.count(CUT) == 2 and barcode_payload(job) == b"{B" + tx["cash"].txno.encode()
    if code_page:  # Czech fits CP852 (ESC t 18), Vietnamese TCVN-3 (ESC t 30/31): text, nothing lost as "?"
        assert code_page in job and RASTER not in job
        assert b"?" not in job
    else:  # Chinese is in none of the printer's code pages: those lines are raster images in a CJK font
        assert RASTER in job


def test_unreachable_printer_is_a_clear_error_and_the_pdf_is_kept(world, tmp_path):
    store, tx = world
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()
    with pytest.raises(rp.ReceiptPrinterError) as info:
        rp.print_transaction(store, tx["cash"].txno, escpos.parse_target(f"tcp://127.0.0.1:{port}"), "vi",
                             folder=tmp_path, timeout=2)
    message = info.value.message("en")
    assert f"127.0.0.1:{port}" in message and "recorded" in message
    assert "máy in" in info.value.message("vi")
    assert len(list(tmp_path.glob("*.pdf"))) == 2


@pytest.mark.parametrize("text, normal", [("tcp://10.0.0.5", "tcp://10.0.0.5:9100"), ("10.0.0.5:9101",
                                          "tcp://10.0.0.5:9101"), ("usb://04b8:0202", "usb://04b8:0202"),
                                          ("serial:///dev/ttyS0?baud=19200", "serial:///dev/ttyS0?baud=19200"),
                                          ("", "")])
def test_settings_accept_network_usb_and_serial(text, normal):
    assert rp.check_target(text) == normal


def test_settings_refuse_garbage_with_what_to_write():
    with pytest.raises(rp.ReceiptPrinterError) as info:
        rp.check_target("usb://epson")
    assert "usb://epson" in info.value.message("en") and "tcp://HOST:9100" in info.value.message("en")


def test_saved_setting_is_read_back(world):
    store, _tx = world
    assert rp.saved_target(store) is None
    session.set_setting(store, rp.SETTING, "tcp://127.0.0.1:9100")
    assert str(rp.saved_target(store)) == "tcp://127.0.0.1:9100"


def test_customer_paying_an_exchange_in_cash_opens_the_drawer_by_card_does_not(world, printer):
    store, tx = world
    assert tx["exchange_cash"].decision.balance_due.plain() == "122.27"
    assert tx["exchange_cash"].decision.refund_tenders == ()  # nothing is handed back: the customer pays in
    target = escpos.parse_target(printer.target)
    rp.print_transaction(store, tx["exchange_cash"].txno, target, "en", folder=store.path.parent)
    rp.print_transaction(store, tx["exchange_card"].txno, target, "en", folder=store.path.parent)
    rp.print_transaction(store, tx["exchange_cash"].txno, target, "en", reprint=True, now=H.NOW,
                         folder=store.path.parent)
    cash, card, reprint = printer.wait(3)
    assert cash.count(KICK) == 1, "the cashier puts the customer's cash in the drawer"
    assert cash.index(KICK) < cash.index(b"Exchange receipt")
    assert b"Paid by Cash" in cash and b"122.27" in cash
    assert b"Rain jacket" in cash and b"tax $9.35" in cash, "the new item's line shows its tax"
    assert KICK not in card and b"Paid by Card" in card and b"84.74" in card
    assert KICK not in reprint, "a reprint takes no cash"
