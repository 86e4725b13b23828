"""The ``[policy]`` table: the version's name, the day it applies from, and whether it applies to earlier sales.

::

    [policy]
    version = "2026-spring"                        # optional; shown in decisions, paperwork and `policy show`
    effective_from = 2026-03-01                    # the first sale day this version decides
    applies_to_earlier_sales = "when_more_generous" # "no" (default): earlier sales keep the version they were sold under
"""

from __future__ import annotations

from typing import Any

from pos_returns.domain.policy.model import APPLIES_TO_EARLIER, PolicyVersion
from pos_returns.domain.policy.values import PolicyChecker, _choice, _date, _str, _type_name

KEYS = ("version", "effective_from", "applies_to_earlier_sales")


def read_version(c: PolicyChecker, data: dict) -> PolicyVersion:
    """The file's :class:`PolicyVersion` (undated when there is no ``[policy]`` table); problems go to ``c``."""
    table: Any = data.get("policy")
    if table is None:
        return PolicyVersion()
    p = ("policy",)
    if not isinstance(table, dict):
        c.error(p, f"must be a table [policy], not {_type_name(table)}")
        return PolicyVersion()
    c.known_keys(table, p, KEYS)
    label = c.get(table, p, "version", _str)
    if label is not None and (len(label) > 40 or "\n" in label):
        c.error(p + ("version",), "a version name is one short line (at most 40 characters)")
    effective = c.get(table, p, "effective_from", _date)
    applies = c.get(table, p, "applies_to_earlier_sales", _choice(APPLIES_TO_EARLIER), default="no")
    if effective is None and "effective_from" not in table:
        if "applies_to_earlier_sales" in table or "version" in table:
            c.error(p, "missing required key 'effective_from' (the first sale day this version decides, "
                       "e.g. effective_from = 2026-03-01)")
    return PolicyVersion(label=label, effective_from=effective, applies_to_earlier_sales=applies or "no")
