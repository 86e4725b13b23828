"""Issue 12, published policies as they are written: one policy for a chain of stores in several regions (the
till's store and region), seasons that recur every year, windows without limit and a tier's extra days on every
window, flat restocking fees never above the price, mailed checks for any refund over an amount. Validation
catches each new key's misuse at its line. The example chain (examples/chain) is decided by its scenarios."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from casekit import ROOT, ask, case, cli_in_process, decide_json, line_no, mini_policy_text, sale_line, tender, \
    write_policy
from pos_returns.domain.case import CaseError, read_case
from pos_returns.domain.model import Customer, Request, RequestLine
from pos_returns.domain.policy import PolicyError, load_policy
from pos_returns.services import admin
from pos_returns.services.records import ServiceError

CHAIN = ROOT / "examples" / "chain" / "policies.toml"


def policy_of(tmp_path: Path, body: str, **kw):
    return load_policy(write_policy(tmp_path, mini_policy_text(body=body, **kw)))


def problems_of(tmp_path: Path, body: str, **kw) -> tuple[str, list[str]]:
    text = mini_policy_text(body=body, **kw)
    path = write_policy(tmp_path, text)
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    return text, [str(p) for p in err.value.problems]


def one(policy, *, price="100.00", category="general", tags=(), condition="unopened", sold_at="2026-03-01T10:00:00",
        now="2026-03-10T12:00:00", tier=None, store=None, qty=1, kind="credit") -> dict:
    lines = [sale_line(1, category=category, price=price, tags=tags, qty=qty)]
    from decimal import Decimal
    paid = str((Decimal(price) * qty).quantize(Decimal("0.01")))
    d = decide_json(policy, case(lines=lines, tenders=[tender(kind, paid, "4242" if kind == "credit" else None)],
                                 asks=[ask(1, qty, condition)], sold_at=sold_at, now=now, tier=tier, store=store))
    return d


# ============================================================================ the example chain

def test_the_chain_example_passes_check_and_its_scenarios():
    check = cli_in_process(["policy", "check", CHAIN])
    assert check.returncode == 0, check.stderr
    run = cli_in_process(["policy", "test", CHAIN, ROOT / "examples" / "chain" / "scenarios"])
    assert run.returncode == 0, run.stdout + run.stderr
    count = len(list((ROOT / "examples" / "chain" / "scenarios").glob("*.json")))
    assert count >= 19 and f"{count} passed, 0 failed" in run.stdout


# ============================================================================ 1. a chain, its stores and regions

CHAIN_BODY = """
[chain]
id = "BB"
regions = ["CA", "TX"]

[chain.stores]
"0042" = "CA"
"0077" = "TX"

[[restocking_fee]]
id = "fee.opened"
conditions = ["opened"]
percent = "10"
exclude_regions = ["CA"]
"""


def test_a_chain_policy_serves_each_of_its_stores_with_its_region(tmp_path):
    policy = policy_of(tmp_path, CHAIN_BODY)
    ca = one(policy, condition="opened", store={"id": "0042"})
    tx = one(policy, condition="opened", store={"id": "0077"})
    assert ca["lines"][0]["fee"] == "0.00" and "fee.opened" not in ca["lines"][0]["rules"]
    assert tx["lines"][0]["fee"] == "10.00" and "fee.opened" in tx["lines"][0]["rules"]


def test_a_case_from_a_store_outside_the_chain_is_refused_saying_which_stores_it_serves(tmp_path):
    policy = policy_of(tmp_path, CHAIN_BODY)
    data = case(lines=[sale_line()], tenders=[tender("cash", "100.00")], asks=[ask()], store={"id": "0099"})
    with pytest.raises(CaseError) as err:
        read_case(data, policy)
    assert err.value.problems == ["store.id: store 0099 is not one of the stores of chain BB (0042, 0077); "
                                  "this policy cannot decide its returns"]


def test_a_case_whose_region_contradicts_the_chain_table_is_refused(tmp_path):
    policy = policy_of(tmp_path, CHAIN_BODY)
    with pytest.raises(CaseError) as err:
        read_case(case(lines=[sale_line()], tenders=[tender("cash", "100.00")], asks=[ask()],
                       store={"id": "0042", "region": "TX"}), policy)
    assert err.value.problems == ["store.region: the policy puts store 0042 in region CA, not TX"]


def test_a_chain_without_a_store_list_serves_any_store_and_the_case_gives_the_region(tmp_path):
    policy = policy_of(tmp_path, CHAIN_BODY.replace('[chain.stores]\n"0042" = "CA"\n"0077" = "TX"\n', ""))
    ca = one(policy, condition="opened", store={"id": "1234", "region": "CA"})
    assert ca["lines"][0]["fee"] == "0.00"
    with pytest.raises(CaseError) as err:
        read_case(case(lines=[sale_line()], tenders=[tender("cash", "100.00")], asks=[ask()],
                       store={"id": "1234", "region": "ZZ"}), policy)
    assert err.value.problems == ["store.region: 'ZZ' is not one of the regions of chain BB (CA, TX)"]


def test_evaluate_refuses_a_case_of_a_store_outside_the_chain_with_exit_2(tmp_path):
    scenario = json.loads((ROOT / "examples" / "chain" / "scenarios" / "01-ca-store-opened-tv-no-fee.json")
                          .read_text(encoding="utf-8"))
    scenario["store"] = {"id": "0099"}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    out = cli_in_process(["evaluate", "--policy", CHAIN, path])
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{path}: store.id: store 0099 is not one of the stores of chain VOLT (0042, 0077, 0105, 0230)" \
        in out.stderr, out.stderr
    scenario["store"] = {"id": "0230"}  # Spokane: WA, no fee exclusion -> 15 % of 499.99 = 75.00
    path.write_text(json.dumps(scenario), encoding="utf-8")
    out = cli_in_process(["evaluate", "--policy", CHAIN, path])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["lines"][0]["fee"] == "75.00"


def test_a_single_store_policy_still_refuses_another_store(tmp_path):
    policy = policy_of(tmp_path, "")
    with pytest.raises(CaseError) as err:
        read_case(case(lines=[sale_line()], tenders=[tender("cash", "100.00")], asks=[ask()],
                       store={"id": "0042"}), policy)
    assert err.value.problems == ["store.id: this policy is for store 0001, not 0042"]


def _sales_file(tmp_path: Path) -> Path:
    sold = "2026-03-05T10:00:00"
    sales = [{"receipt": f"{store}-000001", "sold_at": sold, **({"store": store} if store == "0042" else {}),
              "lines": [{"line": 1, "sku": "TV55", "name": "TV", "category": "electronics", "qty": 1,
                         "unit_price": "500.00", "tax_rate": "0.10"}],
              "tenders": [{"type": "credit", "amount": "550.00", "last4": "4242"}]} for store in ("0042", "0077")]
    # the 0077 sale names no store: imported on till 0077, it is that till's
    path = tmp_path / "sales.json"
    path.write_text(json.dumps({"sales": sales}), encoding="utf-8")
    return path


def test_a_till_of_the_chain_records_its_own_stores_returns_under_its_region(tmp_path):
    """db init --store 0077; the till finds its receipts, refuses the other store's, decides with the TX rules
    (a 15 % fee on opened electronics, waived in CA) and numbers its transactions 0077-..."""
    db = tmp_path / "till.db"
    out = cli_in_process(["db", "init", "--db", db, "--store", "0077"])
    assert out.returncode == 0 and "store 0077" in out.stdout, out.stderr
    policy = load_policy(CHAIN)
    now = datetime(2026, 3, 10, 12, 0)
    with admin.Office.open(db, clock=lambda: now) as office:
        office.import_sales(policy, _sales_file(tmp_path))
        office.add_staff(policy, "c1", "Cashier", "cashier", "1111")
        counter = office.counter(policy)
        with pytest.raises(ServiceError) as err:
            counter.lookup("0042-000001")
        assert "is from store 0042, not this store (0077)" in str(err.value)
        session = counter.sign_in("c1", "1111")
        sale = counter.lookup("0077-000001")
        pending = counter.prepare(session, sale, Request("return", lines=(RequestLine(1, 1, "opened", "other"),),
                                                         customer=Customer()))
        line = pending.decision.lines[0]
        assert (line.fee.plain(), line.refund.plain()) == ("75.00", "475.00")  # 500 - 15 % + 50.00 tax
        tx = counter.commit(pending)
    assert tx.txno.startswith("0077-R1-")
    assert tx.case.request.store == "0077" and tx.case.request.region == "TX"


def test_what_if_shows_a_flat_fee_replacing_a_percent_fee_on_the_chains_past_returns(tmp_path):
    db = tmp_path / "till.db"
    assert cli_in_process(["db", "init", "--db", db, "--store", "0077"]).returncode == 0
    policy = load_policy(CHAIN)
    now = datetime(2026, 3, 10, 12, 0)
    with admin.Office.open(db, clock=lambda: now) as office:
        office.import_sales(policy, _sales_file(tmp_path))
        office.add_staff(policy, "c1", "Cashier", "cashier", "1111")
        counter = office.counter(policy)
        session = counter.sign_in("c1", "1111")
        pending = counter.prepare(session, counter.lookup("0077-000001"), Request(
            "return", lines=(RequestLine(1, 1, "opened", "other"),), customer=Customer()))
        tx = counter.commit(pending)
        flat = CHAIN.read_text(encoding="utf-8").replace(
            'id = "fee.electronics_opened"', 'id = "fee.electronics_flat"').replace('percent = "15"', 'amount = "45.00"')
        result = office.what_if(load_policy(write_policy(tmp_path, flat, "flat.toml")), None, None)
    assert result.unreadable == [] and result.replayed == 1
    (change,) = result.changed
    assert change.txno == tx.txno
    assert (change.old_refund, change.new_refund) == ("475.00", "505.00")  # a 75.00 fee becomes 45.00
    assert change.note == "fee.electronics_flat, fee.electronics_opened"


def test_a_till_of_a_store_the_chain_does_not_serve_is_told_so(tmp_path):
    db = tmp_path / "till.db"
    assert cli_in_process(["db", "init", "--db", db, "--store", "0099", "--region", "WA"]).returncode == 0
    policy = load_policy(CHAIN)
    with admin.Office.open(db) as office:
        office.add_staff(policy, "c1", "Cashier", "cashier", "1111")
        counter = office.counter(policy)
        session = counter.sign_in("c1", "1111")
        with pytest.raises(ServiceError) as err:
            counter.prepare(session, None, Request("return"))
    assert str(err.value).startswith("This till is store 0099, but the policy serves only 0042, 0077, 0105, 0230")


def test_db_init_refuses_a_store_id_with_spaces_and_keeps_the_store_of_a_till_with_returns(tmp_path):
    db = tmp_path / "till.db"
    bad = cli_in_process(["db", "init", "--db", db, "--store", "00 42"])
    assert bad.returncode == 2 and "A store id is one word without spaces" in bad.stderr
    assert "Traceback" not in bad.stderr
    again = cli_in_process(["db", "init", "--db", db, "--store", "0042", "--region", "CA"])
    assert again.returncode == 0 and "store 0042, region CA" in again.stdout


# ============================================================================ 2. seasons that recur

SEASON = """
[[seasonal]]
id = "window.holiday"
bought_from = "10-27"
bought_to = "12-31"
returnable_until = "01-14"
"""


@pytest.mark.parametrize("sold, now, outcome", [
    ("2026-12-31T10:00:00", "2027-01-14T20:00:00", "approved"),   # the last buying day, the last return day
    ("2026-12-31T10:00:00", "2027-01-15T09:00:00", "denied"),
    ("2031-10-27T10:00:00", "2032-01-14T09:00:00", "approved"),   # any year: written once
    ("2026-10-26T10:00:00", "2026-12-01T09:00:00", "denied"),     # the day before the season: 36 days > 10
])
def test_a_recurring_season_is_written_once_for_every_year(tmp_path, sold, now, outcome):
    d = one(policy_of(tmp_path, SEASON, default_days=10), sold_at=sold, now=now)
    assert d["lines"][0]["outcome"] == outcome


def test_a_recurring_season_may_wrap_over_the_new_year(tmp_path):
    policy = policy_of(tmp_path, SEASON.replace('"10-27"', '"11-15"').replace('"12-31"', '"01-05"')
                       .replace('"01-14"', '"01-31"'), default_days=10)
    line = one(policy, sold_at="2027-01-04T10:00:00", now="2027-01-31T10:00:00")["lines"][0]
    assert line["outcome"] == "approved"
    assert line["reasons"] == ["Bought 27 days ago; purchases made Nov 15, 2026 to Jan 5, 2027 are returnable "
                               "until Jan 31, 2027."]
    assert one(policy, sold_at="2027-01-06T10:00:00", now="2027-01-31T10:00:00")["lines"][0]["outcome"] == "denied"


# ============================================================================ 3. no limit, and a tier's extra days

UNLIMITED = """
[[window]]
id = "window.electronics"
categories = ["electronics"]
days = 30

[[window]]
id = "window.member_home"
categories = ["home"]
tiers = ["member"]
days = 60

[tiers.member]
extra_days = 30
"""


def test_an_unlimited_window_has_exceptions_by_category_and_tiers_add_days_to_limited_windows(tmp_path):
    policy = load_policy(write_policy(tmp_path, mini_policy_text(body=UNLIMITED).replace(
        "days = 30\n", 'days = "unlimited"\n', 1)))
    years = one(policy, sold_at="2016-03-01T10:00:00", now="2026-03-01T10:00:00")["lines"][0]
    assert years["outcome"] == "approved" and years["rules"] == ["window.default"]
    # 2016-03-01 -> 2026-03-01: ten years of 365 days and the leap days of 2020 and 2024
    assert years["reasons"] == ["Bought 3,652 days ago; returnable at any time (no time limit)."]
    member_unlimited = one(policy, tier="member", sold_at="2016-03-01T10:00:00", now="2026-03-01T10:00:00")
    assert member_unlimited["lines"][0]["rules"] == ["window.default"]  # nothing to add to no limit
    # electronics: 30 days, a member 60 (2026-03-01 + 60 = 2026-04-30)
    assert one(policy, category="electronics", now="2026-04-30T10:00:00")["lines"][0]["outcome"] == "denied"
    member = one(policy, category="electronics", tier="member", now="2026-04-30T10:00:00")["lines"][0]
    assert member["outcome"] == "approved" and member["rules"] == ["window.electronics", "tiers.member"]
    late = one(policy, category="electronics", tier="member", now="2026-05-01T10:00:00")["lines"][0]
    assert late["outcome"] == "denied" and late["rules"] == ["window.electronics", "tiers.member"]
    assert late["reasons"] == ["Bought 61 days ago; the return period ended on Apr 30, 2026."]
    # a window that names the tier is already that tier's: 60 days, not 90
    own = one(policy, category="home", tier="member", now="2026-05-01T10:00:00")["lines"][0]
    assert own["outcome"] == "denied" and own["rules"] == ["window.member_home"]


# ============================================================================ 4. flat restocking fees

FLAT = """
[[restocking_fee]]
id = "fee.activated"
conditions = ["opened"]
amount = "45.00"
"""


@pytest.mark.parametrize("price, qty, fee, refund", [
    ("399.00", 1, "45.00", "354.00"),
    ("399.00", 2, "90.00", "708.00"),     # per unit: 2 x 45.00
    ("39.99", 1, "39.99", "0.00"),        # capped at the price
])
def test_a_flat_fee_is_per_unit_and_never_more_than_the_item(tmp_path, price, qty, fee, refund):
    line = one(policy_of(tmp_path, FLAT), price=price, qty=qty, condition="opened")["lines"][0]
    assert (line["fee"], line["refund"]) == (fee, refund)


def test_a_capped_fee_says_so(tmp_path):
    line = one(policy_of(tmp_path, FLAT), price="39.99", condition="opened")["lines"][0]
    assert line["reasons"][-1] == ("Restocking fee of $45.00 per item would be $45.00, more than the item's price; "
                                   "the fee is capped at the price, $39.99.")
    percent = policy_of(tmp_path, FLAT.replace('amount = "45.00"', 'percent = "10"\nminimum = "50.00"'))
    line = one(percent, price="30.00", condition="opened", kind="cash")["lines"][0]
    assert line["fee"] == "30.00"
    assert line["reasons"][-1] == ("Restocking fee of 10% would be $50.00, more than the item's price; the fee is "
                                   "capped at the price, $30.00.")


def test_a_capped_fee_is_explained_in_the_cashiers_language(tmp_path):
    policy = policy_of(tmp_path, FLAT)
    data = case(lines=[sale_line(price="39.99")], tenders=[tender("cash", "39.99")], asks=[ask(condition="opened")])
    reasons = {lang: decide_json(policy, data, lang)["lines"][0]["reasons"][-1] for lang in ("vi", "cs", "zh_Hant")}
    assert all("39" in r and "45" in r for r in reasons.values()), reasons
    assert len(set(reasons.values())) == 3 and not any(r.startswith("Restocking") for r in reasons.values())


# ============================================================================ 7. mailed checks over an amount

MAILED = """
[mailed_check]
refund_over = "1000.00"
"""


@pytest.mark.parametrize("price, kind, tenders", [
    ("1000.00", "credit", [("credit", "1000.00")]),         # not over the amount
    ("1000.01", "credit", [("mailed_check", "1000.01")]),   # over: mailed, whatever the tender
    ("1500.00", "debit", [("mailed_check", "1500.00")]),
    ("1500.00", "cash", [("mailed_check", "1500.00")]),
])
def test_any_refund_over_the_amount_is_a_mailed_check(tmp_path, price, kind, tenders):
    d = one(policy_of(tmp_path, MAILED), price=price, kind=kind)
    assert [(t["type"], t["amount"]) for t in d["refund_tenders"]] == tenders
    assert ("refund.mailed_check" in d["rules"]) == (tenders[0][0] == "mailed_check")


def test_a_gift_receipt_stays_store_credit_over_the_amount(tmp_path):
    policy = policy_of(tmp_path, MAILED)
    d = decide_json(policy, case(lines=[sale_line(price="2000.00")], tenders=[tender("credit", "2000.00", "4242")],
                                 asks=[ask()], gift_receipt=True))
    assert [(t["type"], t["amount"]) for t in d["refund_tenders"]] == [("store_credit", "2000.00")]


# ============================================================================ validation, with lines

def test_a_default_window_with_exclude_regions_is_refused_as_the_reference_says(tmp_path):
    text = mini_policy_text().replace('days = 30\n', 'days = 30\nexclude_regions = ["CA"]\n', 1)
    with pytest.raises(PolicyError) as err:
        load_policy(write_policy(tmp_path, text))
    assert [str(p) for p in err.value.problems] == [
        f"{tmp_path / 'policy.toml'}:{line_no(text, '[[window]]')}: window: needs one [[window]] without any scope "
        "(no categories, tags, skus, tiers, tenders, regions, exclude_regions, exclude_categories or exclude_tags): "
        "the default return window for everything else"]


@pytest.mark.parametrize("body, needle, where, message", [
    ('[[window]]\nid = "w.e"\ncategories = ["electronics"]\ndays = "forever"\n', 'days = "forever"',
     "window[2].days", '"forever" is not a number of days: write a whole number (e.g. 30) or "unlimited"'),
    ('[[window]]\nid = "w.e"\ncategories = ["electronics"]\ndays = 4000\n', "days = 4000",
     "window[2].days", '4000 days is more than 3650 (ten years); for no time limit write days = "unlimited"'),
    (SEASON.replace('"01-14"', '2027-01-14'), "returnable_until", "seasonal[1].returnable_until",
     "write all three dates the same way"),
    (SEASON.replace('"12-31"', '"02-29"'), "bought_to", "seasonal[1].bought_to", '"02-29" does not come every year'),
    (SEASON.replace('"12-31"', '"13-01"'), "bought_to", "seasonal[1].bought_to", '"13-01" is not a day of the year'),
    (SEASON.replace('"12-31"', '"Dec 31"'), "bought_to", "seasonal[1].bought_to",
     '"Dec 31" is neither a date (YYYY-MM-DD without quotes) nor a day of every year'),
    (SEASON.replace('"01-14"', '"11-15"'), "returnable_until", "seasonal[1].returnable_until",
     "11-15 falls inside the buying period 10-27..12-31"),
    (SEASON + SEASON.replace("window.holiday", "window.xmas").replace('"10-27"', '"12-20"')
     .replace('"12-31"', '"01-02"'), '"12-20"', "seasonal[2].bought_from",
     "12-20..01-02 overlaps seasonal rule 'window.holiday' (10-27..12-31, line"),
    (FLAT.replace('amount = "45.00"', 'amount = "45.00"\npercent = "10"'), 'amount = "45.00"',
     "restocking_fee[1].amount", "give either percent (of the price) or amount (per unit), not both"),
    (FLAT.replace('amount = "45.00"', ''), "[[restocking_fee]]", "restocking_fee[1]",
     "missing required key 'percent' (of the price paid) or 'amount' (a flat fee per unit)"),
    (FLAT + 'minimum = "5.00"\n', "minimum", "restocking_fee[1].minimum", "minimum applies to a percent fee"),
    (FLAT.replace('"45.00"', '"45.001"'), "amount =", "restocking_fee[1].amount", "more decimals than USD allows"),
    (FLAT.replace('amount = "45.00"', 'percent = "ten"'), "percent =", "restocking_fee[1].percent",
     "percent 'ten' is not a decimal number"),
    ('[tiers.gold]\nextra_days = 30\n', "[tiers.gold]", "tiers.gold", "'gold' is not defined in [catalog] tiers"),
    ('[tiers.member]\nextra_dayz = 30\n', "extra_dayz", "tiers.member.extra_dayz",
     "unknown key 'extra_dayz' (did you mean 'extra_days'?)"),
    ('[tiers.member]\nextra_days = -3\n', "extra_days", "tiers.member.extra_days", "must not be negative"),
    ('[chain]\nname = "BB"\n', "[chain]", "chain", "missing required key 'id'"),
    ('[chain]\nid = "BB"\nstores = []\n', "stores", "chain.stores", "lists no store"),
    ('[chain]\nid = "BB"\nregions = ["CA"]\n\n[[window]]\nid = "w.tx"\nregions = ["TX"]\ndays = 10\n',
     'regions = ["TX"]', "window[2].regions", "'TX' is not one of the chain's regions (CA)"),
    ('[chain]\nid = "BB"\n[chain.stores]\n"0042" = "CA"\n\n[[window]]\nid = "w.ny"\nexclude_regions = ["NY"]\n'
     'days = 10\n', 'exclude_regions = ["NY"]', "window[2].exclude_regions", "'NY' is not one of the chain's regions"),
    ('[chain]\nid = "BB"\nshops = ["1"]\n', "shops", "chain.shops", "unknown key 'shops'"),
    ('[mailed_check]\nrefund_over = 1000.5\n', "refund_over", "mailed_check.refund_over",
     "write decimals as a string"),
])
def test_each_new_key_is_checked_at_its_line(tmp_path, body, needle, where, message):
    text, problems = problems_of(tmp_path, body)
    path = tmp_path / "policy.toml"
    expected = f"{path}:{line_no(text, needle)}: {where}: "
    assert any(p.startswith(expected) and message in p for p in problems), (expected, message, problems)


# ============================================================================ the readable policy

def test_policy_show_lists_the_new_rules():
    out = cli_in_process(["policy", "show", CHAIN])
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for expected in ("Returnable at any time (no time limit).",
                     "Every year, bought from Oct 27 to Dec 31: returnable until Jan 14",
                     "Restocking fee of $45.00 per item, never more than its price",
                     "Refunds over $1,000.00 are paid by a check mailed from head office, whatever the tender.",
                     "Serves the stores 0042 (CA), 0077 (TX), 0105 (NY), 0230 (WA) of chain Volt Home & Electronics.",
                     "30 more days on every return window that does not name a tier."):
        assert expected in text, text
    czech = cli_in_process(["policy", "show", CHAIN, "--lang", "cs"]).stdout
    assert "Returnable at any time" not in czech and "Every year" not in czech
