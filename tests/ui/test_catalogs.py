"""Every message the code can show is translated in every catalog, with the same {placeholders}."""

from __future__ import annotations

import string

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from counter_kit import ROOT

LANGS = ("vi", "cs", "zh_Hant")
METHOD_MAP = [("pos_returns/**.py", "python"), ("ui/**.py", "python")]
KEYWORDS = dict(DEFAULT_KEYWORDS, N_=None, NP_=(1, 2))


def _extracted() -> dict[str, tuple[str | None, list[str]]]:
    """msgid -> (plural msgid or None, where it is used)."""
    found: dict[str, tuple[str | None, list[str]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHOD_MAP, keywords=KEYWORDS, strip_comment_tags=True):
        singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        if not singular:
            continue
        entry = found.setdefault(singular, (plural, []))
        entry[1].append(f"{filename}:{lineno}")
    return found


EXTRACTED = _extracted()


def _catalog(lang):
    with open(ROOT / "pos_returns" / "locale" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def _fields(text: str) -> set[str]:
    names = set()
    for _literal, name, _spec, _conv in string.Formatter().parse(text):
        if name is not None:
            names.add(name.split(".")[0].split("[")[0])
    return names


def test_extraction_finds_the_messages():
    assert len(EXTRACTED) > 100
    # module-level N_ marks and NP_ plural pairs are found too
    assert "Needs manager" in EXTRACTED  # ui/widgets.py, N_
    plural = [m for m, (p, _where) in EXTRACTED.items() if p]
    assert plural, "no NP_ plural message extracted"


def _untranslated(lang, only=None):
    catalog = _catalog(lang)
    problems = []
    for msgid, (plural, where) in sorted(EXTRACTED.items()):
        if only is not None and not any(w.split(":")[0] in only for w in where):
            continue
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r} ({where[0]})")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where[0]})")
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {msgid!r} ({where[0]})")
        if plural and not isinstance(message.id, (tuple, list)):
            problems.append(f"no plural forms: {msgid!r} ({where[0]})")
    return problems


# what the counter screens show (sign-in, home, receipt, no receipt, dialogs, done) and the core they call
COUNTER_FILES = {f"ui/{n}.py" for n in ("app", "main_window", "context", "ops", "widgets", "signin", "home",
                                         "receipt", "noreceipt", "dialogs", "done", "worker")} | {
    f"pos_returns/{n}.py" for n in ("engine", "store", "i18n", "case", "importer", "policy", "money", "model",
                                    "security", "demo")}


DAY_CLOSED = "The day {day} is closed; no new entries can be dated inside it."  # store.DayClosed


@pytest.mark.parametrize("lang", LANGS)
def test_counter_messages_translated(lang):
    problems = [p for p in _untranslated(lang, COUNTER_FILES) if repr(DAY_CLOSED) not in p]  # see below
    assert not problems, f"{lang}: {len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_day_closed_message_translated(lang):
    from pos_returns import i18n
    assert i18n.translations(lang).gettext(DAY_CLOSED) != DAY_CLOSED


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_translated(lang):
    problems = _untranslated(lang)
    assert not problems, f"{lang}: {len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_kept(lang):
    problems = []
    for message in _catalog(lang):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        try:
            id_fields = [_fields(i) for i in ids]
        except ValueError as exc:
            problems.append(f"{ids[0]!r}: the msgid itself is not a valid format string ({exc})")
            continue
        allowed = set().union(*id_fields)
        required = set.intersection(*id_fields)
        for n, text in enumerate(strings):
            if not text:
                continue
            try:
                got = _fields(text)
            except ValueError as exc:
                problems.append(f"{ids[0]!r}: translation [{n}] is not a valid format string ({exc}): {text!r}")
                continue
            if got - allowed:
                problems.append(f"{ids[0]!r}: translation [{n}] adds {sorted(got - allowed)}: {text!r}")
            if required - got:
                problems.append(f"{ids[0]!r}: translation [{n}] drops {sorted(required - got)}: {text!r}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_compiles_and_plural_forms_count(lang):
    from pos_returns import i18n
    catalog = _catalog(lang)
    tr = i18n.translations(lang)
    assert tr.gettext("Finish") != "Finish"
    for message in catalog:
        if message.id and isinstance(message.id, (tuple, list)) and message.string:
            assert len(message.string) == catalog.num_plurals, (lang, message.id[0])
