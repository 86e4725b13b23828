"""Issue 12 acceptance: real retailers' published policies, written as published (examples/bestbuy, costco,
homedepot, ikea, alza, cantho; their scenarios run in tests/test_cli.py). What the language needed for them:

* ``exclude_categories`` / ``exclude_tags`` on every rule ("holiday returns, except activatable devices");
* ``[[store_credit_only]]`` scoped by ``conditions`` alone ("opened products are refunded on a refund card");
* ``[[seasonal]] refund_to = "store_credit"`` ("gift exchange for a voucher until 31 January");
* ``[[restocking_fee]] from_day`` / ``to_day`` / ``request`` ("days 16-30: 20 %", "exchanges are free").

Here: each key's misuse is refused at its line, saying what is wrong; the readable policy shows each key; the
reasons are in the cashier's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit import ROOT, line_no, mini_policy_text, policy_problems, write_policy
from pos_returns.domain.policy import PolicyError, load_policy
from pos_returns.domain.policy_text import describe

EXAMPLES = ROOT / "examples"


def one_problem(tmp_path: Path, body: str, needle: str, key_path: str, message: str) -> None:
    """Exactly one problem, at the line of ``needle``, naming ``key_path`` and saying ``message``."""
    path, text, found = policy_problems(tmp_path, body)
    assert len(found) == 1, found
    prefix = f"{path}:{line_no(text, needle)}: {key_path}: "
    assert found[0].startswith(prefix), (found, prefix)
    assert message in found[0], found


# ----------------------------------------------------------------------------- exclude_categories / exclude_tags

def test_exclude_tags_names_an_unknown_tag(tmp_path):
    one_problem(tmp_path, '[[seasonal]]\nid = "window.holiday"\nbought_from = "10-27"\nbought_to = "12-31"\n'
                          'returnable_until = "01-14"\nexclude_tags = ["activatable"]\n',
                'exclude_tags = ["activatable"]', "seasonal[1].exclude_tags",
                "'activatable' is not defined in [catalog] tags (defined: serialized, final_sale)")


def test_exclude_categories_names_an_unknown_category(tmp_path):
    one_problem(tmp_path, '[[restocking_fee]]\nid = "fee.x"\nconditions = ["opened"]\npercent = "10"\n'
                          'exclude_categories = ["garden"]\n',
                'exclude_categories = ["garden"]', "restocking_fee[1].exclude_categories",
                "'garden' is not defined in [catalog] categories")


def test_exclude_tags_must_be_a_list(tmp_path):
    one_problem(tmp_path, '[[window]]\nid = "window.x"\ncategories = ["home"]\ndays = 10\nexclude_tags = "final_sale"\n',
                'exclude_tags = "final_sale"', "window[2].exclude_tags", "list")


def test_the_only_default_window_cannot_exclude(tmp_path):
    """An unscoped window that leaves out a tag would leave those items with no window at all."""
    text = mini_policy_text().replace("days = 30\n", 'days = 30\nexclude_tags = ["final_sale"]\n')
    path = write_policy(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    found = [str(p) for p in info.value.problems]
    assert len(found) == 1 and "needs one [[window]] without any scope" in found[0] and "exclude_tags" in found[0], \
        found


def test_misspelt_exclude_key_is_suggested(tmp_path):
    one_problem(tmp_path, '[[window]]\nid = "window.x"\ncategories = ["home"]\ndays = 10\nexclude_tag = ["final_sale"]\n',
                'exclude_tag = ["final_sale"]', "window[2].exclude_tag", "did you mean 'exclude_tags'")


# ----------------------------------------------------------------------------- store credit only by condition

def test_store_credit_only_by_conditions_alone_is_valid(tmp_path):
    policy = load_policy(write_policy(tmp_path, mini_policy_text(
        body='[[store_credit_only]]\nid = "credit.opened"\nconditions = ["opened"]\n')))
    rule = policy.store_credit_only[0]
    assert rule.conditions == frozenset({"opened"}) and not rule.scope.categories


def test_store_credit_only_with_neither_items_nor_conditions(tmp_path):
    one_problem(tmp_path, '[[store_credit_only]]\nid = "credit.all"\n', '[[store_credit_only]]',
                "store_credit_only[1]", "(and no conditions)")


# ----------------------------------------------------------------------------- seasonal refund_to

def test_seasonal_refund_to_other_value(tmp_path):
    one_problem(tmp_path, '[[seasonal]]\nid = "window.gift"\nbought_from = "11-01"\nbought_to = "12-24"\n'
                          'returnable_until = "01-31"\nrefund_to = "voucher"\n',
                'refund_to = "voucher"', "seasonal[1].refund_to", "'voucher' is not one of: original_tender, store_credit")


# ----------------------------------------------------------------------------- fee by day and request

def test_fee_days_reversed(tmp_path):
    one_problem(tmp_path, '[[restocking_fee]]\nid = "fee.late"\nconditions = ["opened"]\npercent = "20"\n'
                          'from_day = 30\nto_day = 16\n',
                'to_day = 16', "restocking_fee[1].to_day", "day 16 comes before from_day 30")


def test_fee_day_in_quotes(tmp_path):
    one_problem(tmp_path, '[[restocking_fee]]\nid = "fee.late"\nconditions = ["opened"]\npercent = "20"\n'
                          'from_day = "16"\n',
                'from_day = "16"', "restocking_fee[1].from_day", "whole number")


def test_fee_request_other_value(tmp_path):
    one_problem(tmp_path, '[[restocking_fee]]\nid = "fee.x"\nconditions = ["opened"]\npercent = "20"\n'
                          'request = "refund"\n',
                'request = "refund"', "restocking_fee[1].request", "'refund' is not one of: return, exchange")


# ----------------------------------------------------------------------------- the readable policy

def _rows(example: str, lang: str | None = None) -> dict[str, str]:
    policy = load_policy(EXAMPLES / example / "policies.toml")
    return {row.id: f"{row.scope} | {row.explanation}" for row in describe(policy, lang or policy.store.language)}


def test_policy_view_shows_the_new_keys():
    bestbuy = _rows("bestbuy")
    assert "except items tagged activatable, holiday_decor" in bestbuy["window.holiday"]
    assert "except items tagged prepaid" in bestbuy["fee.activatable"]
    alza = _rows("alza", "en")
    assert "after the item's own return period, as store credit only" in alza["window.vymena_darku"]
    cantho = _rows("cantho", "en")
    assert "up to day 15 after the sale, on returns only" in cantho["fee.return_15_days"]
    assert "days 16 to 30 after the sale" in cantho["fee.days_16_30"]


@pytest.mark.parametrize("lang, words", [
    ("vi", ("từ ngày thứ 16 đến ngày thứ 30 sau khi mua",)),
    ("cs", ("od 16. do 30. dne po nákupu",)),
    ("zh_Hant", ("購買後第 16 至 30 天",)),
])
def test_policy_view_of_fee_days_in_each_language(lang, words):
    rows = _rows("cantho", lang)
    for w in words:
        assert w in rows["fee.days_16_30"], rows["fee.days_16_30"]


# ----------------------------------------------------------------------------- what-if

def test_what_if_shows_returns_a_fee_by_day_and_request_would_change(tmp_path):
    """A new fee "from day 0" on returns of the jeans changes the recorded jeans return; the same fee for
    exchanges only changes nothing (the recorded one was a return)."""
    import storehelpers as h
    from casekit import SAMPLE_POLICY
    from pos_returns.manager import reports as manager
    from pos_returns.storage import store as st

    fee = ('\n[[restocking_fee]]\nid = "fee.jeans_late"\nskus = ["JEANS"]\nconditions = ["unopened"]\n'
           'percent = "10"\nfrom_day = 0\nrequest = "{request}"\n')
    db = h.fresh_db(tmp_path)
    with st.open_store(db) as store:
        c = h.counter(store)
        tx = c.commit(c.prepare(h.signed_in(c), c.lookup(h.JEANS), h.return_request()))
        results = {}
        for request in ("return", "exchange"):
            path = tmp_path / f"{request}.toml"
            path.write_text(SAMPLE_POLICY.read_text(encoding="utf-8") + fee.replace("{request}", request),
                            encoding="utf-8")
            results[request] = manager.what_if(store, load_policy(path))
    [change] = results["return"].changed
    assert change.txno == tx.txno and "fee.jeans_late" in change.note
    # 10 % of the jeans' 49.99 is 5.00 (4.999 rounded); the tax is refunded in full: 5.00 less
    assert change.difference == -500, change
    assert results["exchange"].changed == []


# ----------------------------------------------------------------------------- a misspelt value

def test_a_misspelt_condition_is_suggested(tmp_path):
    one_problem(tmp_path, '[[restocking_fee]]\nid = "fee.x"\nconditions = ["opend"]\npercent = "10"\n',
                'conditions = ["opend"]', "restocking_fee[1].conditions",
                "'opend' not one of: unopened, opened, damaged, defective (did you mean 'opened'?)")


def test_a_misspelt_choice_is_suggested(tmp_path):
    one_problem(tmp_path, '[[seasonal]]\nid = "window.gift"\nbought_from = "11-01"\nbought_to = "12-24"\n'
                          'returnable_until = "01-31"\nrefund_to = "store-credit"\n',
                'refund_to = "store-credit"', "seasonal[1].refund_to", "(did you mean 'store_credit'?)")


# ----------------------------------------------------------------------------- policy check --sales

def test_a_tag_named_only_by_exclude_tags_is_not_reported_as_unnamed():
    """Best Buy's "prepaid" and "holiday_decor" appear only in exclude_tags; they decide returns, so
    ``policy check --sales`` does not call them tags no rule names; "serialized" is named by [serial]."""
    from pos_returns.services.coverage import unnamed
    policy = load_policy(EXAMPLES / "bestbuy" / "policies.toml")
    found = unnamed(policy, [("phones", ["activatable", "prepaid"], 3), ("home", ["holiday_decor"], 2),
                             ("home", ["fragile"], 1)])
    assert [u.name for u in found if u.kind == "tag"] == ["fragile"], found
