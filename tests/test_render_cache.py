"""Paperwork keeps measured text between documents (documents.fonts: runs and widths per font set; the roll
wraps each element once): a document must come out byte for byte the same whether it is the first one
drawn or follows others that filled those caches."""

from __future__ import annotations

import pytest

from pos_returns.documents import fonts
from pos_returns.documents import paperwork as documents
from pos_returns.documents.render import render
from pos_returns.services import paperwork
from test_paperwork import record_world


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    store, _policy, tx = record_world(tmp_path_factory.mktemp("render-cache"))
    try:
        yield {name: paperwork.load_transaction(store, t.txno) for name, t in tx.items()}
    finally:
        store.close()


KINDS = [("return", "receipt"), ("exchange", "store-copy"), ("no_receipt", "no-receipt-form"),
         ("override", "override")]


@pytest.mark.parametrize("lang", ["en", "vi", "cs", "zh_Hant"])
def test_a_document_is_the_same_drawn_first_or_after_others(records, lang):
    def draw(name, kind):
        return bytes(render(documents.BUILDERS[kind](records[name], lang, 1)))

    cold = {}
    for name, kind in KINDS:
        fonts._runs.cache_clear()
        fonts._text_width.cache_clear()
        cold[name, kind] = draw(name, kind)
    for name, kind in KINDS + KINDS[::-1]:
        assert draw(name, kind) == cold[name, kind], (name, kind)
    assert fonts._text_width.cache_info().hits > 0
