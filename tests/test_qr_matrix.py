"""documents.qr (the receipt's fast QR encoder) against ReportLab's own encoder, an independent implementation:
the same text gives the same matrix, module for module, over every version a receipt could need and beyond
(byte mode, level M, mask 0: what ReportLab's ``makeImpl(False, 0)`` drew on the roll before)."""

from __future__ import annotations

import random

import pytest

from pos_returns.documents.qr import QrTooLong, data_capacity, qr_matrix, version_for


def reportlab_matrix(text: str) -> tuple[bytes, ...]:
    from reportlab.graphics.barcode import qrencoder
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(text)
    qr.version = qr.calculate_version()
    qr.makeImpl(False, 0)
    n = qr.getModuleCount()
    return tuple(bytes(1 if qr.isDark(r, c) else 0 for c in range(n)) for r in range(n))


def texts() -> list[str]:
    """Byte-mode texts (lower case and ';' keep ReportLab off its numeric and alphanumeric modes) of every
    length up to 80 bytes, then, for each version up to 39, the longest text it holds and one byte more (the
    next version's shortest): both sides of every boundary. A receipt's ~190 characters are version 10."""
    rng = random.Random(13)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF;_-"
    lengths = set(range(1, 81))
    for version in range(1, 40):
        longest = (data_capacity(version) * 8 - 4 - (8 if version < 10 else 16)) // 8
        lengths |= {longest, longest + 1} if version < 39 else {longest}
    return ["p;" + "".join(rng.choice(alphabet) for _ in range(n - 2)) if n > 2 else "p;"[:n] for n in sorted(lengths)]


def test_every_version_matches_reportlabs_encoder_module_for_module():
    versions = set()
    for text in texts():
        ours = qr_matrix(text)
        assert ours == reportlab_matrix(text), (len(text), len(ours))
        versions.add((len(ours) - 17) // 4)
    assert versions == set(range(1, 40))  # every version up to ReportLab's last (39) was compared


def test_a_receipts_statement_and_non_ascii_text():
    statement = ("POSR1;0001;R9;0001-R9-000001;20260630T100000;11795;USD;R9;1;"
                 "r3eUCOUl28C02yqDSs_ERXT6ahoqGH4newPHk-wtTmg;"
                 "gvRDCs2tmmvBwWNtJQPS1ASLGYpUDyO5clmZI13caTajgvRo5MsNYuxyKWoDN7iFA45MEfO_DOEUSuMhPIIjBw")
    assert qr_matrix(statement) == reportlab_matrix(statement)
    assert len(qr_matrix(statement)) == 57  # version 10
    assert qr_matrix("Hoàn tiền; 退款") == reportlab_matrix("Hoàn tiền; 退款")  # UTF-8 bytes


def test_too_long_a_text_is_refused():
    assert version_for(2331) == 40
    with pytest.raises(QrTooLong):
        version_for(2332)
