"""Which departments (categories) and tags the till really sells that no rule of the policy names.

A real till has hundreds of departments; those the policy does not name fall under its default rules (the
decision notes it). ``policy check --sales FILE`` and ``policy check --db PATH`` list them as warnings, so a
manager sees before going live which items only the default rules decide.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

from pos_returns.domain.policy import Policy
from pos_returns.services import importer
from pos_returns.storage import store as st


@dataclass(frozen=True)
class Unnamed:
    kind: str  # "category" | "tag"
    name: str
    lines: int  # sale lines carrying it
    in_catalog: bool  # listed in [catalog] (then only no rule names it)

    def __str__(self) -> str:
        lines = f"{self.lines} sale line{'s' if self.lines != 1 else ''}"
        if self.kind == "category":
            where = "is named by no rule" if self.in_catalog else "is not in [catalog] categories"
            return f"category '{self.name}' ({lines}) {where}: its items fall under the default rules"
        where = "is named by no rule" if self.in_catalog else "is not in [catalog] tags"
        return f"tag '{self.name}' ({lines}) {where}: no rule applies to it"


def named(policy: Policy) -> tuple[set[str], set[str]]:
    """The categories and the tags some rule of ``policy`` names."""
    categories: set[str] = set()
    tags: set[str] = set(policy.serial.tags)
    for group in (policy.windows, policy.seasonal, policy.not_returnable, policy.conditions, policy.fees,
                  policy.warranties, policy.exchange_only, policy.store_credit_only):
        for rule in group:
            categories |= rule.scope.categories | rule.scope.exclude_categories  # "except ..." names them too
            tags |= rule.scope.tags | rule.scope.exclude_tags
    return categories, tags


def unnamed(policy: Policy, counts: Iterable[tuple[str, Iterable[str], int]]) -> list[Unnamed]:
    """From (category, tags, sale lines) counts: each category and tag no rule names, most sold first."""
    cats: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    for category, line_tags, n in counts:
        cats[category] += n
        for tag in line_tags:
            tags[tag] += n
    rule_cats, rule_tags = named(policy)
    out = [Unnamed("category", c, n, c in policy.categories) for c, n in cats.items() if c not in rule_cats]
    out += [Unnamed("tag", t, n, t in policy.tags) for t, n in tags.items() if t not in rule_tags]
    return sorted(out, key=lambda u: (u.kind, -u.lines, u.name))


def unnamed_in_file(policy: Policy, path: str | Path, now: datetime) -> list[Unnamed]:
    """Of a till's sales file (the import format; checked as an import checks it, never imported)."""
    _raw, sales, _products, _customers = importer.read_sales_file(policy, Path(path), now)
    return unnamed(policy, ((ln["category"], json.loads(ln["tags"]), 1) for s in sales for ln in s["lines"]))


def unnamed_in_database(policy: Policy, store: st.Database) -> list[Unnamed]:
    """Of every sale in the database."""
    return unnamed(policy, ((r["category"], json.loads(r["tags"]), r["n"]) for r in st.department_counts(store)))


def unnamed_departments(policy: Policy, files: Iterable[str | Path], db: str | None) -> list[tuple[str, list[Unnamed]]]:
    """For ``policy check``: (source, what no rule names) of each sales file and of the database ``db``.

    A file that cannot be read as an import raises :class:`importer.SalesImportError`; a database that cannot
    be opened raises :class:`storage.StoreError`."""
    out = []
    for path in files:
        out.append((str(path), unnamed_in_file(policy, path, datetime.now())))
    if db is not None:  # "": the database the commands use
        from pos_returns.services.admin import Office
        with Office.open(db or None) as office:
            out.append((str(office.path), office.unnamed_departments(policy)))
    return out
