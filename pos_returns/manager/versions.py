"""Policy versions in the what-if: which version made each recorded decision that a new version would change,
and what the new version's own dates mean for them.

The what-if replays past returns as if the new policy had been in force then (that is the question a manager
asks: "what would this version change?"). At the counter a dated version decides only sales from its
``effective_from`` on, and earlier sales only where it is more generous on every line when it says
``applies_to_earlier_sales = "when_more_generous"``; :func:`version_summary` counts the changed returns of
earlier sales so the manager sees how many of the changes customers would actually get.
"""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from pos_returns.domain.policy import Policy
from pos_returns.storage import store as st


def name_versions(store: st.Database, result: Any) -> Any:
    """``result`` (a WhatIf) with each change's ``old_version`` a version's name instead of its hash."""
    if not result.changed:
        return result
    names = st.policy_version_names(store)
    result.changed = [replace(c, old_version=version_name(c.old_version, names)) for c in result.changed]
    return result


def version_name(sha: str, names: dict[str, tuple[str | None, str | None]]) -> str:
    """A version as people call it: its ``[policy] version`` (and first day), else its hash's first 12 digits."""
    label, start = names.get(sha, (None, None))
    if label:
        return f"{label} ({start})" if start else label
    return f"{sha[:12]} ({start})" if start else sha[:12]


@dataclass(frozen=True)
class VersionSummary:
    new_version: str  # the new policy's name
    effective_from: date | None  # its first sale day (None: undated)
    applies_to_earlier_sales: str
    by_old_version: list[tuple[str, int]]  # changed decisions per version that made them, most first
    earlier_sales: int  # changed returns of sales before effective_from (0 when undated)


def version_summary(result: Any, new_policy: Policy) -> VersionSummary:
    start = new_policy.version.effective_from
    tally = Tally(c.old_version or "?" for c in result.changed)
    earlier = 0 if start is None else sum(1 for c in result.changed if c.sold_on and c.sold_on < start.isoformat())
    return VersionSummary(new_policy.version_id, start, new_policy.version.applies_to_earlier_sales,
                          sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])), earlier)
