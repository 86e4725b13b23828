"""The policy's own display names per language: ``[labels.LANG]`` tables naming the store's departments, tags,
tiers, return reasons and approval codes the way its staff and customers read them.

    [labels.vi]
    electronics = "Điện tử"
    apparel = "Quần áo"

A code without a name in a language is shown by the built-in word for it where there is one (reasons and
approval codes), else as written. Optional: a policy without [labels] is read as before.
"""

from __future__ import annotations

from typing import Any

from pos_returns.domain.policy.values import PolicyChecker, _str, _type_name

LANGUAGE_CODES = ("en", "vi", "cs", "zh_Hant")


def build_labels(c: PolicyChecker, table: Any, known: dict[str, tuple[str, ...]]) -> tuple[tuple[str, str, str], ...]:
    """(language, code, name) triples of the [labels] tables, each problem recorded at its path."""
    if table is None:
        return ()
    path = ("labels",)
    c.known_keys(table, path, LANGUAGE_CODES)
    codes = {code: kind for kind, values in known.items() for code in values}
    out = []
    for lang in LANGUAGE_CODES:
        names = table.get(lang)
        if names is None:
            continue
        where = path + (lang,)
        if not isinstance(names, dict):
            c.error(where, f"must be a table [labels.{lang}] of code = \"name\", not {_type_name(names)}")
            continue
        c.known_keys(names, where, sorted(codes))
        for code, name in names.items():
            if code not in codes:
                continue
            text = c.read(name, where + (code,), _str, None)
            if text is not None:
                out.append((lang, code, text.strip()))
    return tuple(out)
