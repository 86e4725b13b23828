"""Policy validation: every error as FILE:LINE: key.path: message, all at once, never a half-built policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit import SAMPLE_POLICY, line_no, mini_policy_text, sample_text, write_policy
from pos_returns.domain.policy import Policy, PolicyError, load_policy, parse_policy


def problems_of(path: Path) -> list[str]:
    """The rendered problems of a policy that must not load."""
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    rendered = [str(p) for p in info.value.problems]
    assert rendered, "a PolicyError must carry at least one problem"
    # the exception text is the same list, one per line
    assert str(info.value).splitlines() == rendered
    return rendered


def only_problem(path: Path) -> str:
    rendered = problems_of(path)
    assert len(rendered) == 1, rendered
    return rendered[0]


def starts(path: Path, line: int, key_path: str) -> str:
    return f"{path}:{line}: {key_path}: "


def broken(tmp_path: Path, body: str, **kwargs) -> tuple[Path, str]:
    text = mini_policy_text(body=body, **kwargs)
    return write_policy(tmp_path, text), text


# ----------------------------------------------------------------------------- the good files

def test_sample_policy_loads():
    policy = load_policy(SAMPLE_POLICY)
    assert isinstance(policy, Policy)
    assert policy.store.id == "0001"
    assert policy.currency == "USD"
    assert policy.store.prices_include_tax is False
    ids = policy.rule_ids()
    assert len(ids) == len(set(ids)), "rule ids are unique"
    for rid in ("window.default", "window.holiday", "final.gift_cards", "fee.electronics_opened",
                "warranty.electronics", "tender", "approval.large_refund", "serial.match"):
        assert rid in ids
    assert len(policy.sha256) == 64


def test_the_mini_policy_used_by_these_tests_loads(tmp_path):
    path, _ = broken(tmp_path, "")
    policy = load_policy(path)
    assert [w.id for w in policy.windows] == ["window.default"]


@pytest.mark.parametrize("folder", ["prague", "hanoi", "taipei", "electronics", "furniture"])
def test_example_policies_load(folder):
    path = SAMPLE_POLICY.parent / "examples" / folder / "policies.toml"
    assert path.is_file(), f"the example store's policy {path} is missing"
    load_policy(path)


# ----------------------------------------------------------------------------- one test per error kind

def test_misspelled_key_with_did_you_mean(tmp_path):
    path, text = broken(tmp_path, """
        [[window]]
        id = "window.electronics"
        categories = ["electronics"]
        dayz = 14
    """)
    problems = problems_of(path)
    line = line_no(text, "dayz")
    hit = [p for p in problems if p.startswith(starts(path, line, "window[2].dayz"))]
    assert hit, problems
    assert "unknown key 'dayz'" in hit[0]
    assert "did you mean 'days'" in hit[0]


def test_misspelled_table_name_with_did_you_mean(tmp_path):
    path, text = broken(tmp_path, """
        [tender]
        id = "tender"
        cash_limit = "200.00"
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "[tender]"), "tender"))
    assert "did you mean 'tenders'" in problem


def test_unknown_key_without_close_match_lists_the_expected_keys(tmp_path):
    path, text = broken(tmp_path, """
        [approval]
        xyzzy = 1
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "xyzzy"), "approval.xyzzy"))
    assert "refund_over" in problem


def test_wrong_type(tmp_path):
    path, text = broken(tmp_path, """
        [[window]]
        id = "window.grocery"
        categories = ["grocery"]
        days = "7"
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, 'days = "7"'), "window[2].days"))
    assert "whole number" in problem


def test_float_amount_is_a_wrong_type(tmp_path):
    path, text = broken(tmp_path, """
        [approval]
        refund_over = 250.0
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "refund_over"), "approval.refund_over"))
    assert '"250.0"' in problem  # tells how to write it


def test_negative_value(tmp_path):
    path, text = broken(tmp_path, """
        [[window]]
        id = "window.grocery"
        categories = ["grocery"]
        days = -5
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "days = -5"), "window[2].days"))
    assert "negative" in problem


def test_negative_amount(tmp_path):
    path, text = broken(tmp_path, """
        [tenders]
        cash_limit = "-10.00"
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "cash_limit"), "tenders.cash_limit"))
    assert "negative" in problem


def test_absurd_number_of_days(tmp_path):
    path, text = broken(tmp_path, """
        [[warranty]]
        id = "warranty.default"
        days = 3651
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "days = 3651"), "warranty[1].days"))
    assert "3650" in problem


def test_ten_years_exactly_is_accepted(tmp_path):
    path, _ = broken(tmp_path, """
        [[warranty]]
        id = "warranty.default"
        days = 3650
    """)
    assert load_policy(path).warranties[0].days == 3650


def test_percent_over_100(tmp_path):
    path, text = broken(tmp_path, """
        [[restocking_fee]]
        id = "fee.opened"
        conditions = ["opened"]
        percent = "150"
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "percent"), "restocking_fee[1].percent"))
    assert "between 0 and 100" in problem


@pytest.mark.parametrize("key, value, ref", [
    ("categories", '["toys"]', "categories"),
    ("tiers", '["gold"]', "tiers"),
    ("tags", '["fragile"]', "tags"),
])
def test_reference_to_something_undefined(tmp_path, key, value, ref):
    path, text = broken(tmp_path, f"""
        [[window]]
        id = "window.special"
        {key} = {value}
        days = 10
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, f"{key} = {value}"), f"window[2].{key}"))
    undefined = value.strip('[]"')
    assert f"'{undefined}' is not defined in [catalog] {ref}" in problem


def test_waived_for_undefined_tier(tmp_path):
    path, text = broken(tmp_path, """
        [[restocking_fee]]
        id = "fee.opened"
        conditions = ["opened"]
        percent = "10"
        waived_for_tiers = ["platinum"]
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "waived_for_tiers"), "restocking_fee[1].waived_for_tiers"))
    assert "'platinum'" in problem


def test_unknown_tender_type(tmp_path):
    path, text = broken(tmp_path, """
        [[window]]
        id = "window.cash"
        tenders = ["bitcoin"]
        days = 10
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "bitcoin"), "window[2].tenders"))
    assert "'bitcoin'" in problem


def test_inverted_seasonal_dates(tmp_path):
    path, text = broken(tmp_path, """
        [[seasonal]]
        id = "window.holiday"
        bought_from = 2025-12-24
        bought_to = 2025-11-01
        returnable_until = 2026-01-15
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "bought_to"), "seasonal[1].bought_to"))
    assert "2025-11-01" in problem and "2025-12-24" in problem


def test_returnable_until_before_the_season_ends(tmp_path):
    path, text = broken(tmp_path, """
        [[seasonal]]
        id = "window.holiday"
        bought_from = 2025-11-01
        bought_to = 2025-12-24
        returnable_until = 2025-12-01
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "returnable_until"), "seasonal[1].returnable_until"))


def test_overlapping_seasonal_ranges(tmp_path):
    path, text = broken(tmp_path, """
        [[seasonal]]
        id = "window.holiday"
        bought_from = 2025-11-01
        bought_to = 2025-12-24
        returnable_until = 2026-01-15

        [[seasonal]]
        id = "window.late_holiday"
        bought_from = 2025-12-20
        bought_to = 2025-12-31
        returnable_until = 2026-01-31
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "bought_from", 2), "seasonal[2].bought_from"))
    assert "window.holiday" in problem
    assert f"line {line_no(text, '[[seasonal]]')}" in problem


def test_seasonal_ranges_for_different_categories_may_overlap(tmp_path):
    path, _ = broken(tmp_path, """
        [[seasonal]]
        id = "window.holiday_general"
        categories = ["general"]
        bought_from = 2025-11-01
        bought_to = 2025-12-24
        returnable_until = 2026-01-15

        [[seasonal]]
        id = "window.holiday_electronics"
        categories = ["electronics"]
        bought_from = 2025-12-01
        bought_to = 2025-12-31
        returnable_until = 2026-01-31
    """)
    assert len(load_policy(path).seasonal) == 2


def test_fee_minimum_above_maximum(tmp_path):
    path, text = broken(tmp_path, """
        [[restocking_fee]]
        id = "fee.opened"
        conditions = ["opened"]
        percent = "10"
        minimum = "50.00"
        maximum = "20.00"
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "maximum"), "restocking_fee[1].maximum"))
    assert "minimum" in problem


def test_duplicate_rule_id(tmp_path):
    path, text = broken(tmp_path, """
        [[window]]
        id = "window.default"
        categories = ["grocery"]
        days = 7
    """)
    problem = only_problem(path)
    second = line_no(text, 'id = "window.default"', 2)
    assert problem.startswith(starts(path, second, "window[2].id"))
    assert "window.default" in problem
    first = line_no(text, 'id = "window.default"', 1)
    assert f"line {first}" in problem


def test_duplicate_id_across_rule_kinds(tmp_path):
    path, text = broken(tmp_path, """
        [approval]
        id = "window.default"
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, 'id = "window.default"', 2), "approval.id"))


def test_missing_store(tmp_path):
    text = mini_policy_text()
    text = text[text.index("[catalog]"):]
    path = write_policy(tmp_path, text)
    problem = only_problem(path)
    assert problem.startswith(starts(path, 1, "store"))
    assert "missing the [store] table" in problem


def test_missing_required_store_key(tmp_path):
    text = mini_policy_text().replace("prices_include_tax = false\n", "")
    path = write_policy(tmp_path, text)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "[store]"), "store"))
    assert "prices_include_tax" in problem


def test_missing_default_window(tmp_path):
    text = mini_policy_text().replace('id = "window.default"\n', 'id = "window.general"\ncategories = ["general"]\n')
    path = write_policy(tmp_path, text)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "[[window]]"), "window"))
    assert "without any scope" in problem


def test_toml_syntax_error_with_its_line(tmp_path):
    path, text = broken(tmp_path, """
        [approval]
        refund_over = "250.00
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "refund_over"), "(syntax)"))
    assert "TOML syntax error" in problem


def test_toml_syntax_error_missing_value(tmp_path):
    path, text = broken(tmp_path, """
        [approval]
        refund_over =
        reason_codes = ["other"]
    """)
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(text, "refund_over"), "(syntax)"))


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(mini_policy_text().replace("Test Store", "Caf\u00e9").encode("latin-1"))
    problem = only_problem(path)
    assert problem.startswith(starts(path, line_no(mini_policy_text(), "Test Store"), "(file)"))


def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    problem = only_problem(path)
    assert str(path) in problem and "not found" in problem


def test_several_errors_are_reported_at_once_in_line_order(tmp_path):
    path, text = broken(tmp_path, """
        [[window]]
        id = "window.grocery"
        categories = ["groceries"]
        days = -1

        [[restocking_fee]]
        id = "fee.opened"
        conditions = ["opened"]
        percent = "250"

        [approval]
        refund_ovr = "250.00"
    """)
    problems = problems_of(path)
    expected = [
        starts(path, line_no(text, '["groceries"]'), "window[2].categories"),
        starts(path, line_no(text, "days = -1"), "window[2].days"),
        starts(path, line_no(text, 'percent = "250"'), "restocking_fee[1].percent"),
        starts(path, line_no(text, "refund_ovr"), "approval.refund_ovr"),
    ]
    assert len(problems) == len(expected), problems
    for prefix, problem in zip(expected, problems):
        assert problem.startswith(prefix), (prefix, problems)
    assert "did you mean 'refund_over'" in problems[-1]


def test_errors_in_an_edited_copy_of_the_sample(tmp_path):
    text = sample_text()
    text = text.replace('percent = "20"', 'percent = "120"', 1)
    text = text.replace("days = 365\nremedy = \"refund_or_exchange_same\"", "days = 365\nremedy = \"credit\"", 1)
    path = write_policy(tmp_path, text)
    problems = problems_of(path)
    assert len(problems) == 2, problems
    assert problems[0].startswith(starts(path, line_no(text, 'percent = "120"'), "restocking_fee[2].percent"))
    assert problems[1].startswith(starts(path, line_no(text, 'remedy = "credit"'), "warranty[3].remedy"))


def test_bad_currency_does_not_hide_the_other_errors(tmp_path):
    path, text = broken(tmp_path, """
        [[window]]
        id = "window.grocery"
        categories = ["grocery"]
        dayz = 7
    """, currency="usd")
    problems = problems_of(path)
    assert any(p.startswith(starts(path, line_no(text, 'currency = "usd"'), "store.currency")) for p in problems)
    assert any(p.startswith(starts(path, line_no(text, "dayz"), "window[2].dayz")) for p in problems), problems


# ----------------------------------------------------------------------------- never half-built

@pytest.mark.parametrize("body", [
    '[[window]]\nid = "w2"\ncategories = ["toys"]\ndays = 3\n',
    '[tenders]\nrefund_order = ["cash"]\n',
    '[no_receipt]\nlimit_count = 99999\n',
    '[promotions]\ntake_back = "yes"\n',
    '[[not_returnable]]\nid = "final.x"\nconditions = ["worn"]\n',
    'window = 5\n',
])
def test_load_policy_raises_instead_of_returning_a_partial_policy(tmp_path, body):
    text = mini_policy_text(body=body) if not body.startswith("window =") else body + mini_policy_text().replace(
        '[[window]]\nid = "window.default"\ndays = 30\n', "")
    path = write_policy(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert info.value.problems
    for problem in info.value.problems:
        assert problem.file == str(path)
        assert problem.line >= 1
    # the same bytes through parse_policy behave the same
    with pytest.raises(PolicyError):
        parse_policy(path.read_bytes(), str(path))
