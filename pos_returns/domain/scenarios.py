"""Scenario files: a case plus ``"expect"``, a subset of the Decision JSON it must produce."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from pos_returns.domain.case import CaseError, decision_json, load_json, read_case, subset_mismatches
from pos_returns.domain.engine import evaluate, evaluate_versions
from pos_returns.domain.policy import Policy


@dataclass
class ScenarioResult:
    path: Path
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    results: list[ScenarioResult]

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)


def scenario_files(items: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for item in items:
        if item.is_dir():
            files.extend(sorted(p for p in item.rglob("*.json") if p.is_file()))
        else:
            files.append(item)
    return files


def run_scenario(policy: Policy, path: Path, lang: str | None = None,
                 versions: Sequence[Policy] = ()) -> ScenarioResult:
    """One scenario under ``policy``; with ``versions`` (several versions of the store's policy, ``policy``
    the newest) under the version in force on the sale date."""
    result = ScenarioResult(path)
    try:
        data = load_json(path)
        if not isinstance(data, dict) or "expect" not in data:
            result.problems.append('a scenario needs an "expect" object (a subset of the decision)')
            return result
        case = read_case(data, policy, str(path))
    except CaseError as err:
        result.problems.extend(err.problems)
        return result
    if len(versions) > 1:
        decision = evaluate_versions(versions, case.sale, case.request, case.history, case.now)
    else:
        decision = evaluate(policy, case.sale, case.request, case.history, case.now)
    actual = decision_json(decision, lang or policy.store.language, policy.store.locale)
    result.problems.extend(subset_mismatches(data["expect"], actual))
    return result


def run_scenarios(policy: Policy, items: Iterable[Path], lang: str | None = None,
                  versions: Sequence[Policy] = ()) -> Report:
    return Report([run_scenario(policy, path, lang, versions) for path in scenario_files(items)])
