"""How documents write things: labels of tenders, kinds and outcomes, and one :class:`Formatter` per document
(the customer's language and catalog, the store's money format, Babel dates and numbers)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Callable

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from pos_returns import i18n
from pos_returns.documents.record import TxTender
from pos_returns.domain.money import Money
from pos_returns.i18n import N_
from pos_returns.domain.labels import OUTCOME_ON_PAPER, TENDER_LABELS

DOC_KINDS = ("receipt", "store-copy", "no-receipt-form", "override")

#: a store's locale when the database does not say (the policy's [store] locale is passed in when known)
CURRENCY_LOCALES = {"USD": "en_US", "VND": "vi_VN", "CZK": "cs_CZ", "TWD": "zh_Hant_TW"}

TENDER_NAMES = TENDER_LABELS  # the words are defined once, in domain.labels
KIND_NAMES = {"return": N_("Return"), "exchange": N_("Exchange"), "no_receipt": N_("Return without receipt"),
              "correction": N_("Correction")}
OUTCOME_NAMES = OUTCOME_ON_PAPER
CARD_TENDERS = ("credit", "debit")


class Formatter:
    """Translations and locale formats of one document: the customer's language, the store's money."""

    def __init__(self, lang: str, money_locale: str):
        self.lang = i18n.normalize_language(lang)
        self.loc = i18n.LANGUAGES[self.lang]
        self.money_locale = money_locale
        tr = i18n.translations(self.lang)
        self.gettext: Callable[[str], str] = tr.gettext
        self.ngettext = tr.ngettext

    def money(self, amount: Money) -> str:
        return i18n.format_money(amount, self.lang, self.money_locale)

    def datetime(self, moment: datetime) -> str:
        return format_datetime(moment, format="medium", locale=self.loc)

    def date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.loc)

    def time(self, moment: datetime) -> str:
        return format_datetime(moment, format="HH:mm", locale=self.loc)

    def number(self, value: int | Decimal) -> str:
        return format_decimal(value, locale=self.loc)

    def tender(self, t: TxTender) -> str:
        name = self.gettext(TENDER_NAMES.get(t.type, t.type))
        if t.last4 and t.type in CARD_TENDERS:
            return f"{name} ****{t.last4}"
        return name

    def kind(self, kind: str) -> str:
        return self.gettext(KIND_NAMES.get(kind, kind))

    def outcome(self, outcome: str) -> str:
        return self.gettext(OUTCOME_NAMES.get(outcome, outcome))


def person(staff_id: str, name: str | None) -> str:
    """A staff member as the paperwork names them: "Name (id)", or the id when no name was recorded."""
    return f"{name} ({staff_id})" if name else staff_id
