"""The policy version in words, for the readable policy (``policy show``, the manager's Policy tab)."""

from __future__ import annotations

from pos_returns.domain.policy import Policy
from pos_returns.i18n import N_, Text, render


def describe_version(policy: Policy, lang: str) -> str:
    """Which version this is, from when it decides, and what it does for sales made before."""
    v = policy.version
    if v.effective_from is None:
        return render(Text(N_("Policy {version} (undated: it decides every return; give [policy] effective_from "
                              "to keep versions)."), {"version": policy.version_id}), lang, policy.store.locale)
    text = render(Text(N_("Policy version {version}, in force for sales from {date}."),
                       {"version": policy.version_id, "date": v.effective_from}), lang, policy.store.locale)
    if v.applies_to_earlier_sales == "when_more_generous":
        more = N_("It also decides earlier sales where it is more generous on every line of the return.")
    else:
        more = N_("Earlier sales keep the version they were sold under.")
    return text + " " + render(Text(more), lang)
