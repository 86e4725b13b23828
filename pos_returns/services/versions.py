"""Policy versions at the counter: keep every version a store loads, and decide a return under the one in
force on the sale date (:func:`pos_returns.domain.engine.evaluate_versions`).

A store loads its policy file (the counter app at start or on reload, ``record`` on the command line):
:func:`keep_version` stores its text once per hash in ``policy_versions``. When the policy in use is dated
(``[policy] effective_from``), :func:`store_versions` gives it together with every other dated version kept
in the database; an undated policy decides alone, exactly as before versions existed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Sequence

from pos_returns.domain.engine import evaluate_versions
from pos_returns.domain.model import Decision, PastReturn, Request, Sale
from pos_returns.domain.policy import Policy, PolicyError, parse_policy
from pos_returns.storage import store as st


def keep_version(store: st.Database, policy: Policy, actor: str | None, now: datetime, how: str) -> bool:
    """Keep this policy's text as a version of the store's policy (once per hash); True when it was new."""
    return st.add_policy_version(
        store, sha256=policy.sha256, version=policy.version.label, effective_from=policy.version.effective_from,
        applies_to_earlier_sales=policy.version.applies_to_earlier_sales, text=policy.source, path=policy.path,
        at=now, by=actor, how=how)


def store_versions(store: st.Database, policy: Policy) -> tuple[Policy, ...]:
    """The versions to decide under: ``policy`` and, when it is dated, every dated version kept here (same
    currency). A kept text that no longer loads is left out (it was checked when it was loaded)."""
    if policy.version.effective_from is None:
        return (policy,)
    found: dict[str, Policy] = {policy.sha256: policy}
    for row in st.policy_versions(store):
        if row["sha256"] in found or row["effective_from"] is None or not row["text"]:
            continue
        kept = _kept_policy(row["sha256"], row["path"], row["text"])
        if kept is not None and kept.currency == policy.currency:
            found[kept.sha256] = kept
    return tuple(found.values())


@lru_cache(maxsize=64)
def _kept_policy(sha256: str, path: str, text: str) -> Policy | None:
    """A kept version rebuilt from its text (a pure function of it, remembered: the counter app makes a
    Counter per operation, and a policy takes ~4 ms to check and build)."""
    try:
        return replace(parse_policy(text.encode("utf-8"), path), sha256=sha256)
    except PolicyError:
        return None


def decide(counter: Any, sale: Sale | None, request: Request, history: Sequence[PastReturn],
           now: datetime) -> Decision:
    """The counter's decision: under the version in force on the sale date, among the versions kept in its
    database (read once per counter and policy)."""
    cached = counter._versions
    if cached is None or cached[0] != counter.policy.sha256:
        cached = counter._versions = (counter.policy.sha256, store_versions(counter.store, counter.policy))
    return evaluate_versions(cached[1], sale, request, history, now)
