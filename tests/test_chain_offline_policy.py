"""Issue 15: the policy's [chain] offline rules: read with their defaults, every misuse reported at its line."""

from __future__ import annotations

from decimal import Decimal

from test_chain_policies import CHAIN_BODY, line_no, policy_of, problems_of
from pos_returns.domain.policy import load_policy
from chainkit import CHAIN_POLICY


def _with(offline: str) -> str:
    return CHAIN_BODY.replace('regions = ["CA", "TX"]', 'regions = ["CA", "TX"]\n' + offline)


def test_offline_rules_are_read_and_default_to_own_receipts_only(tmp_path):
    rule = policy_of(tmp_path, _with('offline = { max_refund = "50.00", no_receipt = false }')).chain.offline
    assert (rule.own_store_only, rule.max_refund, rule.no_receipt) == (True, Decimal("50.00"), False)
    default = policy_of(tmp_path, CHAIN_BODY).chain.offline
    assert (default.own_store_only, default.max_refund, default.no_receipt) == (True, None, True)
    example = load_policy(CHAIN_POLICY).chain.offline
    assert (example.own_store_only, example.max_refund, example.no_receipt) == (True, Decimal("200.00"), False)


def test_each_misuse_of_the_offline_rules_is_named_at_its_line(tmp_path):
    text, problems = problems_of(tmp_path, _with(
        'offline = { max_refund = "50.001", no_receipts = false, own_store_only = "yes" }'))
    line = line_no(text, "offline =")
    assert any(p.endswith(f":{line}: chain.offline.no_receipts: unknown key 'no_receipts' (did you mean "
                          f"'no_receipt'?)") for p in problems), problems
    assert any(p.endswith(f":{line}: chain.offline.own_store_only: must be true or false, not a string")
               for p in problems), problems
    assert any(p.endswith(f":{line}: chain.offline.max_refund: 50.001 has more decimals than USD allows (2)")
               for p in problems), problems
    _text, problems = problems_of(tmp_path, _with("offline = 3"))
    assert any("chain.offline: must be a table such as" in p for p in problems), problems
