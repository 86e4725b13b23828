"""Paperwork in the customer's language says everything in it: the rule sentences of the decision (kept with the
entry in every language at commit), reason codes by their display names, tender names (issue 13, item 13)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from pos_returns import i18n
from pos_returns.services import paperwork


def _helpers():
    spec = importlib.util.spec_from_file_location("paperwork_helpers", Path(__file__).with_name("test_paperwork.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("paperwork_helpers", module)
    spec.loader.exec_module(module)
    return module


H = _helpers()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    store, policy, tx = H.record_world(tmp_path_factory.mktemp("paperlang"))
    yield store, policy, tx
    store.close()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["vi", "cs", "zh_Hant"])
def test_override_slip_says_rule_sentences_and_reason_code_in_the_customers_language(world, lang):
    store, policy, tx = world
    txno = tx["override"].txno
    english = paperwork.load_transaction(store, txno, lang="en")
    local = paperwork.load_transaction(store, txno, lang=lang)
    [approval_en], [approval] = english.approvals, local.approvals
    assert approval_en.reasons and approval.reasons
    assert approval.reasons != approval_en.reasons  # the sentence in the reader's language, not the policy's
    text = flat(H.pdftext(paperwork.document_pdf(store, txno, "override", lang)))
    for sentence in approval.reasons:
        assert flat(sentence) in text
    for sentence in approval_en.reasons:
        assert flat(sentence) not in text
    assert "customer_satisfaction" not in text
    assert i18n.translations(lang).gettext("Customer satisfaction") in text


@pytest.mark.parametrize("lang", ["vi", "cs", "zh_Hant"])
def test_store_copy_reasons_and_tenders_in_the_customers_language(world, lang):
    store, policy, tx = world
    txno = tx["return"].txno
    text = flat(H.pdftext(paperwork.document_pdf(store, txno, "store-copy", lang)))
    english = paperwork.load_transaction(store, txno, lang="en")
    for sentence in (r for ln in english.lines for r in ln.reasons):
        assert flat(sentence) not in text
    assert "Credit card" not in text and i18n.translations(lang).gettext("Credit card") in text


def test_entries_recorded_before_keep_their_sentences(world):
    """An entry without the kept translations (recorded before) prints the sentences it recorded."""
    store, policy, tx = world
    record = paperwork.load_transaction(store, tx["return"].txno, lang="xx")
    assert record.lines[0].reasons == paperwork.load_transaction(store, tx["return"].txno).lines[0].reasons
