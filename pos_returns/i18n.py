"""Translation catalogs and locale formatting.

Catalogs are gettext ``.po`` files under ``pos_returns/locale`` kept with Babel's tooling
(``pybabel extract`` / ``update``; see README). They are compiled in memory when first used, so no
generated ``.mo`` file lives in the tree. Strings defined at module level are marked with :func:`N_`
and translated when shown, never at import.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from babel import Locale
from babel.numbers import format_currency, format_decimal, format_percent

from pos_returns.domain.money import Money

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"

#: interface / paperwork languages: code -> Babel locale used for formatting
LANGUAGES: dict[str, str] = {
    "en": "en_US",
    "vi": "vi_VN",
    "cs": "cs_CZ",
    "zh_Hant": "zh_Hant_TW",
}

_ALIASES = {
    "en_us": "en", "en-us": "en", "english": "en",
    "vi_vn": "vi", "vi-vn": "vi",
    "cs_cz": "cs", "cs-cz": "cs",
    "zh-hant": "zh_Hant", "zh_hant": "zh_Hant", "zh_tw": "zh_Hant", "zh-tw": "zh_Hant",
    "zh_hant_tw": "zh_Hant", "zh-hant-tw": "zh_Hant",
}


class UnknownLanguage(ValueError):
    pass


def normalize_language(code: str) -> str:
    """Map 'en', 'vi', 'cs', 'zh_Hant' (and common spellings such as 'zh-TW', 'cs_CZ') to a language code."""
    if code in LANGUAGES:
        return code
    key = code.strip().lower()
    if key in LANGUAGES:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    raise UnknownLanguage(code)


def N_(message: str) -> str:
    """Mark a module-level string for extraction; translate it later with ``tr.gettext``."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with plural forms for extraction; pass the pair to :meth:`Text.counted`."""
    return singular, plural


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of a language, compiled in memory from its .po file (English: the msgids)."""
    lang = normalize_language(lang)
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "en" or not po_path.exists():
        return gettext.NullTranslations()
    # Babel's catalog tools only when a language other than English is first used (not at every start)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@dataclass(frozen=True)
class Text:
    """A user-facing message not yet translated: a msgid plus the values to fill in.

    Values may be Money, date, datetime, Decimal (percent values are given as ``Percent``), int or str;
    :func:`render` formats each for the language.
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    literal: bool = False  # a manager's own wording from the policy file: shown as written, not translated
    plural: str | None = None  # the plural msgid, when the wording depends on a number
    count: str | None = None  # which parameter is that number

    @classmethod
    def counted(cls, forms: tuple[str, str], count: str, params: Mapping[str, Any]) -> "Text":
        return cls(forms[0], params, plural=forms[1], count=count)

    def render(self, lang: str, currency_locale: str | None = None) -> str:
        return render(self, lang, currency_locale)


@dataclass(frozen=True)
class Percent:
    value: Decimal  # 15 means 15 %


def format_money(money: Money, lang: str, currency_locale: str | None = None) -> str:
    return _formatted("money", str(money.rounded().amount), money.currency, normalize_language(lang), currency_locale)


def format_value(value: Any, lang: str, currency_locale: str | None = None) -> str:
    if isinstance(value, Text):
        return render(value, lang, currency_locale)
    lang = normalize_language(lang)
    if isinstance(value, Money):
        return _formatted("money", str(value.rounded().amount), value.currency, lang, currency_locale)
    if isinstance(value, Percent):
        return _formatted("percent", str(value.value), "", lang, None)
    if isinstance(value, datetime):
        return _formatted("datetime", value.isoformat(), "", lang, None)
    if isinstance(value, date):
        return _formatted("date", value.isoformat(), "", lang, None)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, Decimal)):
        return _formatted("int", str(int(value)), "", lang, None) if isinstance(value, int) \
            else _formatted("decimal", str(value), "", lang, None)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v, lang, currency_locale) for v in value)
    if hasattr(value, "in_year"):  # a day of every year (a recurring season's MonthDay): "Oct 27"
        from babel.dates import format_skeleton
        return format_skeleton("MMMd", value.in_year(2001), locale=LANGUAGES[lang])
    return str(value)


@lru_cache(maxsize=8192)
def _formatted(kind: str, text: str, currency: str, lang: str, currency_locale: str | None) -> str:
    """One value in Babel's format for the language, memoised: a commit renders its decision's sentences in every
    language (the journal keeps them), and Babel parses its locale again on every call. The value travels as
    its exact text (a Decimal's str keeps its exponent, isoformat its time zone), so equal keys are equal values."""
    loc = LANGUAGES[lang]
    if kind == "money":
        return format_currency(Decimal(text), currency, locale=currency_locale or loc)
    if kind == "percent":
        return format_percent(Decimal(text) / 100, locale=loc, format="#,##0.##%")
    if kind in ("datetime", "date"):
        from babel.dates import format_date, format_datetime  # imported when a first date is written
    if kind == "datetime":
        return format_datetime(datetime.fromisoformat(text), format="medium", locale=loc)
    if kind == "date":
        return format_date(date.fromisoformat(text), format="medium", locale=loc)
    return format_decimal(int(text) if kind == "int" else Decimal(text), locale=loc)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(text: Text, lang: str, currency_locale: str | None = None) -> str:
    if text.literal:
        template = text.msgid
    elif text.plural is not None and text.count is not None:
        template = translations(lang).ngettext(text.msgid, text.plural, int(text.params[text.count]))
    else:
        template = translations(lang).gettext(text.msgid)
    values = _Blank({k: format_value(v, lang, currency_locale) for k, v in text.params.items()})
    try:
        return template.format_map(values)
    except (ValueError, IndexError, AttributeError):
        return template  # a manager's wording with stray braces: show it as written


def language_name(lang: str) -> str:
    """The language's own name for itself (English, Tiếng Việt, čeština, 中文（繁體）)."""
    loc = Locale.parse(LANGUAGES[normalize_language(lang)])
    name = loc.get_display_name(loc) or lang
    return name[0].upper() + name[1:]


class UserError(Exception):
    """An error a user can cause or fix: a translatable message with its values.

    ``str()`` is the English text (logs, the command line); :meth:`message` renders it in a language.
    """

    def __init__(self, msgid: str, **params: Any):
        self.text = Text(msgid, params)
        super().__init__(render(self.text, "en"))

    def message(self, lang: str) -> str:
        return render(self.text, lang)
