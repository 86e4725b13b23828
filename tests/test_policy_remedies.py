"""Issue 12, items 5, 6, 8 and 9: exchange only for the identical item, store credit only, departments the
policy does not name, photo ID and per-customer limits for returns with a receipt.

The arithmetic of each situation is in the example stores' scenario files (examples/electronics, furniture,
run by tests/test_cli.py); here: the validation of each new key (with its line), the readable policy, what-if,
``policy check --sales/--db``, the reasons in the cashier's language and the counter's ID path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import storehelpers as h
from casekit import ROOT, SAMPLE_POLICY, line_no, policy_problems
from pos_returns.domain.case import read_case
from pos_returns.domain.engine import evaluate
from pos_returns.domain.policy import load_policy
from pos_returns.domain.policy_text import describe
from pos_returns.i18n import render
from pos_returns.manager import reports as manager
from pos_returns.services.counter import ServiceError
from pos_returns.storage import store as st

ELECTRONICS = ROOT / "examples" / "electronics"
FURNITURE = ROOT / "examples" / "furniture"


def one_problem(tmp_path: Path, body: str, needle: str, table: str, message: str) -> None:
    """Exactly one problem, at the line of ``needle``, under ``table``, saying ``message``."""
    path, text, found = policy_problems(tmp_path, body)
    assert len(found) == 1, found
    prefix = f"{path}:{line_no(text, needle)}: "
    assert found[0].startswith(prefix), (found, prefix)
    assert table in found[0] and message in found[0], found


# ----------------------------------------------------------------------------- validation, one misuse each

def test_exchange_only_refuses_defective(tmp_path):
    one_problem(tmp_path, '[[exchange_only]]\nid = "x.media"\ncategories = ["electronics"]\n'
                          'conditions = ["opened", "defective"]\n',
                'conditions = ["opened", "defective"]', "exchange_only", "falls under its warranty")


def test_exchange_only_needs_conditions(tmp_path):
    one_problem(tmp_path, '[[exchange_only]]\nid = "x.media"\ncategories = ["electronics"]\n',
                '[[exchange_only]]', "exchange_only", "missing required key 'conditions'")


def test_exchange_only_empty_conditions(tmp_path):
    one_problem(tmp_path, '[[exchange_only]]\nid = "x.media"\ncategories = ["electronics"]\nconditions = []\n',
                'conditions = []', "exchange_only", "at least one condition")


def test_exchange_only_unknown_category(tmp_path):
    one_problem(tmp_path, '[[exchange_only]]\nid = "x.media"\ncategories = ["games"]\nconditions = ["opened"]\n',
                'categories = ["games"]', "exchange_only", "'games' is not defined in [catalog] categories")


def test_store_credit_only_needs_items(tmp_path):
    one_problem(tmp_path, '[[store_credit_only]]\nid = "credit.all"\n',
                '[[store_credit_only]]', "store_credit_only", "names no categories, tags or skus")


def test_store_credit_only_unknown_condition(tmp_path):
    one_problem(tmp_path, '[[store_credit_only]]\nid = "credit.home"\ncategories = ["home"]\nconditions = ["used"]\n',
                'conditions = ["used"]', "store_credit_only", "'used' not one of")


def test_store_credit_only_misspelled_key(tmp_path):
    one_problem(tmp_path, '[[store_credit_only]]\nid = "credit.home"\ncategories = ["home"]\ncondition = ["opened"]\n',
                'condition = ["opened"]', "store_credit_only", "did you mean 'conditions'")


def test_photo_id_asking_nothing(tmp_path):
    one_problem(tmp_path, '[photo_id]\nid = "id.photo"\n', '[photo_id]', "photo_id",
                "neither always = true nor over")


def test_photo_id_always_and_over(tmp_path):
    one_problem(tmp_path, '[photo_id]\nalways = true\nover = "100.00"\n', 'over = "100.00"', "photo_id.over",
                "no effect with always = true")


def test_photo_id_over_zero(tmp_path):
    one_problem(tmp_path, '[photo_id]\nover = "0"\n', 'over = "0"', "photo_id.over", "above zero")


def test_photo_id_over_as_a_float(tmp_path):
    one_problem(tmp_path, '[photo_id]\nover = 100.5\n', 'over = 100.5', "photo_id.over", 'write decimals as a string')


def test_customer_limits_without_photo_id(tmp_path):
    one_problem(tmp_path, '[customer_limits]\nlimit_count = 3\n', '[customer_limits]', "customer_limits",
                "no [photo_id] table asks for one")


def test_customer_limits_without_a_limit(tmp_path):
    one_problem(tmp_path, '[photo_id]\nalways = true\n\n[customer_limits]\nlimit_days = 30\n',
                '[customer_limits]', "customer_limits", "sets no limit")


def test_customer_limits_count_zero(tmp_path):
    one_problem(tmp_path, '[photo_id]\nalways = true\n\n[customer_limits]\nlimit_count = 0\n',
                'limit_count = 0', "customer_limits.limit_count", "would refuse every return")


def test_customer_limits_bad_over_limit(tmp_path):
    one_problem(tmp_path, '[photo_id]\nalways = true\n\n[customer_limits]\nlimit_count = 2\nover_limit = "store_credit"\n',
                'over_limit = "store_credit"', "customer_limits.over_limit", "not one of: deny, approval")


def test_the_example_policies_use_every_new_table():
    electronics, furniture = load_policy(ELECTRONICS / "policies.toml"), load_policy(FURNITURE / "policies.toml")
    assert [r.id for r in electronics.exchange_only] == ["exchange.opened_media"]
    assert electronics.photo_id.always and electronics.customer_limits.limit_count == 3
    assert [r.id for r in furniture.store_credit_only] == ["credit.plants_food", "credit.cut_fabric"]
    assert str(furniture.photo_id.over) == "500.00" and str(furniture.customer_limits.limit_value) == "2000.00"


# ----------------------------------------------------------------------------- the readable policy

def test_policy_view_shows_the_new_rules():
    rows = {r.id: r for r in describe(load_policy(ELECTRONICS / "policies.toml"), "en")}
    assert rows["exchange.opened_media"].kind == "Exchange only"
    assert rows["exchange.opened_media"].scope == "categories: games, movies, music, software"
    assert rows["exchange.opened_media"].explanation == (
        "When opened: only an exchange for the identical item (the same product), without a restocking fee; "
        "no refund.")
    assert rows["id.photo"].explanation == "A photo ID is checked for every return."
    assert rows["limit.returns"].explanation == (
        "Returns with a receipt, per customer (by ID) in 90 days: at most 3 returns. "
        "Over the limit a manager must approve.")
    rows = {r.id: r for r in describe(load_policy(FURNITURE / "policies.toml"), "en")}
    assert rows["credit.cut_fabric"].scope == "tags: cut_to_length"
    assert rows["credit.plants_food"].explanation == "Refunded only as store credit, even with a receipt."
    assert rows["id.photo"].explanation == "A photo ID is checked for refunds over $500.00."
    assert rows["limit.returns"].overridable
    assert rows["limit.returns"].explanation == (
        "Returns with a receipt, per customer (by ID) in 30 days: at most $2,000.00 in all. "
        "Over the limit the return is refused.")


def test_policy_view_in_czech_is_translated():
    rows = {r.id: r for r in describe(load_policy(ELECTRONICS / "policies.toml"), "cs")}
    english = {r.id: r for r in describe(load_policy(ELECTRONICS / "policies.toml"), "en")}
    for rid in ("exchange.opened_media", "id.photo", "limit.returns"):
        assert rows[rid].explanation != english[rid].explanation
        assert rows[rid].kind != english[rid].kind


# ----------------------------------------------------------------------------- reasons, in the cashier's language

def decide(folder: Path, scenario: str):
    policy = load_policy(folder / "policies.toml")
    case = read_case(json.loads((folder / "scenarios" / scenario).read_text(encoding="utf-8")), policy)
    return policy, evaluate(policy, case.sale, case.request, case.history, case.now)


@pytest.mark.parametrize("scenario, rule, english", [
    ("02-opened-game-refund-refused.json", "exchange.opened_media",
     "When opened, this item can only be exchanged for the identical item (the same product); it cannot be "
     "refunded."),
    ("01-opened-game-exchanged-identical.json", "exchange.opened_media",
     "Exchanged for the identical item, as the policy allows for opened items of this kind: no restocking fee."),
    ("05-no-photo-id-refused.json", "id.photo",
     "The store asks the customer's photo ID for every return: check it and type its number."),
    ("08-department-not-named-default-rules.json", "catalog.unnamed",
     "Department \u201cdrones\u201d is not named in the policy: its default rules apply."),
    ("08-department-not-named-default-rules.json", "catalog.unnamed",
     "Tag fragile is not known to the policy: no rule applies to it."),
])
def test_reasons_cite_the_rule_in_each_language(scenario, rule, english):
    policy, decision = decide(ELECTRONICS, scenario)
    [line] = decision.lines
    assert rule in line.rules
    texts = {lang: [render(r, lang, policy.store.locale) for r in line.reasons] for lang in ("en", "vi", "cs", "zh_Hant")}
    assert english in texts["en"], texts["en"]
    index = texts["en"].index(english)
    words = english.split()
    for lang in ("vi", "cs", "zh_Hant"):  # translated: no three words of the English in a row
        text = texts[lang][index]
        assert not any(" ".join(words[i:i + 3]) in text for i in range(len(words) - 2)), (lang, text)


def test_store_credit_note_and_photo_id_note_in_the_decision():
    policy, decision = decide(FURNITURE, "02-plant-and-sofa-split-card-and-credit.json")
    assert {"credit.plants_food", "id.photo"} <= set(decision.rules)
    notes = [render(r, "en", policy.store.locale) for r in decision.reasons]
    assert "$26.99 is given as store credit: some items are refunded only as store credit." in notes
    assert "The customer's photo ID was checked, as the store asks for refunds over $500.00." in notes


def test_a_department_the_sample_policy_does_not_name_is_decided_not_refused(tmp_path):
    case = json.loads((ROOT / "scenarios" / "window" / "01-electronics-last-day-of-window.json").read_text())
    case["sale"]["lines"][0]["category"] = "garden"
    case.pop("expect", None)
    path = tmp_path / "garden.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    out = json.loads(h.ok(h.run_cli("evaluate", "--policy", str(SAMPLE_POLICY), str(path))))
    [line] = out["lines"]
    assert "catalog.unnamed" in line["rules"] and "window.default" in line["rules"]
    assert "Department \u201cgarden\u201d is not named in the policy: its default rules apply." in line["reasons"]


# ----------------------------------------------------------------------------- policy check --sales / --db

def test_policy_check_lists_unnamed_departments_of_a_sales_file(tmp_path):
    sales = {"0001-700001": [("HOSE", "Garden hose", "garden", 2, "29.99"), ("JEANS", "Jeans", "apparel", 1, "49.99")],
             "0001-700002": [("RAKE", "Rake", "garden", 1, "19.99")]}
    path = h.write_sales_json(tmp_path / "sales.json", sales)
    out = h.ok(h.run_cli("policy", "check", str(SAMPLE_POLICY), "--sales", str(path)))
    lines = out.splitlines()
    assert lines[0].startswith(f"{SAMPLE_POLICY}: OK")
    assert lines[1:] == [f"{path}: warning: category 'garden' (2 sale lines) is not in [catalog] categories: "
                         f"its items fall under the default rules"]


def test_policy_check_against_a_database(tmp_path):
    db = h.fresh_db(tmp_path)
    out = h.ok(h.run_cli("policy", "check", str(FURNITURE / "policies.toml"), "--db", str(db)))
    assert f"{db}: warning: category 'apparel' (" in out and "is not in [catalog] categories" in out
    out = h.ok(h.run_cli("policy", "check", str(SAMPLE_POLICY), "--db", str(db)))
    assert f"{db}: warning: category 'home' (1 sale line) is named by no rule" not in out  # no sale of 'home'
    assert out.splitlines()[-1] == f"{db}: every category and tag sold is named by a rule"


def test_policy_check_db_without_path_uses_the_commands_database(tmp_path):
    db = h.fresh_db(tmp_path)
    from casekit import cli_in_process
    proc = cli_in_process(["policy", "check", str(FURNITURE / "policies.toml"), "--db"], cwd=ROOT,
                          env={**h.CLI_SETTINGS, "POS_RETURNS_DB": str(db)})
    out = h.ok(proc)
    assert f"{db}: warning: category 'apparel' (" in out


def test_policy_check_with_an_unreadable_sales_file(tmp_path):
    bad = tmp_path / "sales.json"
    bad.write_text('{"sales": [', encoding="utf-8")
    err = h.usage_error(h.run_cli("policy", "check", str(SAMPLE_POLICY), "--sales", str(bad)))
    assert str(bad) in err


# ----------------------------------------------------------------------------- what-if

def test_what_if_shows_returns_a_store_credit_rule_would_change(tmp_path):
    db = h.fresh_db(tmp_path)
    with st.open_store(db) as store:
        c = h.counter(store)
        pending = c.prepare(h.signed_in(c), c.lookup(h.JEANS), h.return_request())
        tx = c.commit(pending)
        new_path = tmp_path / "new.toml"
        new_path.write_text(SAMPLE_POLICY.read_text(encoding="utf-8") +
                            '\n[[store_credit_only]]\nid = "credit.apparel"\ncategories = ["apparel"]\n',
                            encoding="utf-8")
        result = manager.what_if(store, load_policy(new_path))
        same = manager.what_if(store, h.policy())
    [change] = result.changed
    assert change.txno == tx.txno and change.old_outcome == change.new_outcome == "approved"
    assert change.old_refund == change.new_refund and "credit.apparel" in change.note
    assert same.changed == []


# ----------------------------------------------------------------------------- the counter asks for the ID

def test_counter_wants_the_id_number_when_the_policy_records_it(tmp_path):
    db = h.fresh_db(tmp_path)
    path = tmp_path / "id.toml"
    path.write_text(SAMPLE_POLICY.read_text(encoding="utf-8") + '\n[photo_id]\nover = "40.00"\n', encoding="utf-8")
    policy = load_policy(path)
    from dataclasses import replace
    from pos_returns.domain.model import Customer
    from pos_returns.services.counter import Counter
    with st.open_store(db) as store:
        c = Counter(store, policy, clock=lambda: h.NOW)
        session = h.signed_in(c)
        sale = c.lookup(h.JEANS)  # 49.99 + tax: over 40.00
        denied = c.prepare(session, sale, h.return_request())
        assert denied.decision.outcome == "denied" and "id.photo" in denied.decision.lines[0].rules
        with pytest.raises(ServiceError) as info:
            c.prepare(session, sale, replace(h.return_request(), customer=Customer(id_verified=True)))
        assert "Type the number of the customer's photo ID" in str(info.value)
        pending = c.prepare(session, sale, replace(h.return_request(), customer=Customer(id_verified=True,
                                                                                          id="X 9876 5432")))
        assert pending.decision.outcome == "approved"
        assert pending.case.request.customer.id == "****5432" and pending.customer_key.startswith("id:")
        tx = c.commit(pending)
        [row] = store.query("SELECT customer_key, payload FROM journal WHERE txno = ?", (tx.txno,))
    assert row["customer_key"] == pending.customer_key and "98765432" not in row["payload"]


def test_two_tills_one_customer_the_limit_is_counted_at_commit(tmp_path):
    """Two tills (two connections) decide returns of the same customer at the same time; the limit allows
    one return in 30 days: the first commit stands, the second is refused with the new decision."""
    db = h.fresh_db(tmp_path)
    path = tmp_path / "limits.toml"
    path.write_text(SAMPLE_POLICY.read_text(encoding="utf-8") + '\n[photo_id]\nalways = true\n\n'
                    '[customer_limits]\nid = "limit.customer"\nlimit_count = 1\nlimit_days = 30\n', encoding="utf-8")
    policy = load_policy(path)
    from dataclasses import replace
    from pos_returns.domain.model import Customer
    from pos_returns.services.counter import Counter
    from pos_returns.services.identity import CustomerChanged
    customer = Customer(id_verified=True, id="P-5550123")
    with st.open_store(db) as one, st.open_store(db) as two:
        till1, till2 = (Counter(s, policy, register=r, clock=lambda: h.NOW) for s, r in ((one, "R1"), (two, "R2")))
        first = till1.prepare(h.signed_in(till1), till1.lookup(h.JEANS), replace(h.return_request(), customer=customer))
        second = till2.prepare(h.signed_in(till2), till2.lookup(h.SHIRT), replace(h.return_request(), customer=customer))
        assert first.decision.outcome == second.decision.outcome == "approved"  # neither knows of the other yet
        till1.commit(first)
        with pytest.raises(CustomerChanged) as info:
            till2.commit(second)
        assert "recorded at another till" in str(info.value)
        again = info.value.pending.decision
        assert again.outcome == "denied" and "limit.customer" in again.lines[0].rules
        assert two.query("SELECT COUNT(*) AS n FROM journal WHERE customer_key = ?", (first.customer_key,))[0]["n"] == 1


def test_policy_show_lists_the_new_rules_in_the_chosen_language():
    out = h.ok(h.run_cli("policy", "show", str(ELECTRONICS / "policies.toml")))
    assert ("exchange.opened_media  (Exchange only; categories: games, movies, music, software)\n"
            "    When opened: only an exchange for the identical item (the same product), without a restocking fee; "
            "no refund.") in out
    assert "id.photo  (Photo ID; everything)\n    A photo ID is checked for every return." in out
    out = h.ok(h.run_cli("policy", "show", str(FURNITURE / "policies.toml"), "--lang", "vi"))
    assert "credit.plants_food  (Chỉ hoàn bằng phiếu mua hàng;" in out
    assert "limit.returns  (Hạn mức theo khách hàng; tất cả) [overridable]" in out
    err = h.usage_error(h.run_cli("policy", "show", str(FURNITURE / "policies.toml"), "--lang", "xx"))
    assert "--lang xx" in err
