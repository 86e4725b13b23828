"""What every screen needs: the open database, the policy, the signed-in member, languages, settings.

One object, created by :func:`ui.app.main` and handed to each screen; no global application object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Callable

from pos_returns import i18n
from pos_returns.services import counter as services
from pos_returns.services import session
from pos_returns.domain.money import Money
from pos_returns.domain.policy import Policy



@lru_cache(maxsize=4096)
def _money_text(amount: str, currency: str, lang: str, locale: str | None) -> str:
    """An amount in words, made once: the receipt screen shows each price, refund and total at every scan, and
    Babel's formatting is most of a screen's Python work. Keyed by the rounded amount as written (its sign
    and digits exactly), so the text is the one :func:`i18n.format_money` gives."""
    return i18n.format_money(Money(Decimal(amount), currency), lang, locale)


SETTING_KEYS = ("register", "printer", "store_locale", "policy_path", "idle_minutes", "paper_language",
                "receipt_printer")


@dataclass
class AppContext:
    store: session.Database  # the open database: an opaque handle, used only through services
    policy: Policy
    policy_path: Path
    clock: services.Clock = services.system_clock
    register: str = "R1"
    lang: str = "en"  # interface language
    customer_lang: str | None = None  # paperwork language; None: the interface language
    staff: services.Session | None = None  # the signed-in member (from Counter.sign_in)
    training: bool = False
    demo: bool = False  # the database is a demo store (demo sales, staff with known PINs)
    printer: str | None = None
    receipt_printer: str = ""  # an ESC/POS thermal printer (services.receipt_printer), "" for none
    idle_minutes: int = 5
    listeners: list[Callable[[], None]] = field(default_factory=list)
    central: str | None = None  # the chain's central database (services.chain); None: the till works alone
    central_link: object | None = None  # services.chain.Link: the counter's kept connection to it

    # -- language ------------------------------------------------------------
    def gettext(self, message: str) -> str:
        return i18n.translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return i18n.translations(self.lang).ngettext(singular, plural, n)

    def text(self, text: i18n.Text) -> str:
        return text.render(self.lang, self.policy.store.locale)

    def label(self, code: str) -> str:
        """A category, tag, tier, reason or approval code in words: the policy's own name in this language
        ([labels.LANG]), else the app's word for it, else as written."""
        from pos_returns.domain.policy_text import code_label
        return self.policy.label(code, self.lang) or code_label(code, self.lang)

    def money(self, amount: Money) -> str:
        # the rounded amount is what format_money writes; as a str it keeps its sign and exponent (-0.00, 1.50)
        return _money_text(str(amount.rounded().amount), amount.currency, self.lang, self.policy.store.locale)

    def error(self, exc: BaseException) -> str:
        if isinstance(exc, i18n.UserError):
            return exc.message(self.lang)
        return str(exc)

    @property
    def paper_lang(self) -> str:
        return self.customer_lang or self.lang

    # -- services --------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return session.db_path(self.store)

    def today(self):
        """The store's date, from the injected clock (never the wall clock)."""
        return self.clock().date()

    def counter(self) -> services.Counter:
        if self.central:
            from pos_returns.services.chain import ChainCounter, Link
            if self.central_link is None:
                self.central_link = Link(self.central)
            return ChainCounter(self.store, self.policy, central_url=self.central, link=self.central_link,
                                register=self.register, clock=self.clock, training=self.training)
        return services.Counter(self.store, self.policy, register=self.register, clock=self.clock,
                                training=self.training)

    # -- settings (kept in the database, so every till on it agrees) -------------
    def load_settings(self) -> None:
        self.register = session.setting(self.store, "register", self.register) or self.register
        self.printer = session.setting(self.store, "printer", None) or None
        self.receipt_printer = session.setting(self.store, "receipt_printer", "") or ""
        self.idle_minutes = int(session.setting(self.store, "idle_minutes", str(self.idle_minutes))
                                or self.idle_minutes)

    def save_setting(self, key: str, value: str) -> None:
        if key not in SETTING_KEYS:
            raise KeyError(key)
        session.set_setting(self.store, key, value)
