"""The one validator the policy, case and sales-import readers share: problems as path + message."""

from __future__ import annotations

from pos_returns.domain.validate import Invalid, Problem, Validator


def test_problems_render_with_file_and_line_when_the_text_is_known():
    text = "[store]\ncurrency = \"usd\"\n\n[[window]]\ndays = 30\n"
    v = Validator("p.toml", text)
    v.error(("store", "currency"), "not a currency")
    v.error(("window", 0, "days"), "too short")
    v.error(("window", 0, "dayz"), "unknown key")  # not written: the line of its nearest written ancestor
    assert [str(p) for p in v.problems()] == [
        "p.toml:2: store.currency: not a currency",
        "p.toml:5: window[1].days: too short",  # counted from 1 in a file's messages: the first [[window]]
        "p.toml:4: window[1].dayz: unknown key",
    ]
    assert v.problems()[0] == Problem("p.toml", 2, "store.currency", "not a currency")


def test_problems_render_as_path_and_message_without_positions():
    v = Validator()
    assert not v and len(v) == 0
    v.error(("sale", "lines", 0, "qty"), "must be a whole number")
    v.error(("(case)", "now"), "missing")
    assert v and len(v) == 2
    assert v.messages() == ["sale.lines[0].qty: must be a whole number", "(case).now: missing"]
    assert v.messages(since=1) == ["(case).now: missing"]


def test_a_typed_read_records_its_problem_at_the_value_and_returns_the_default():
    def positive(value, path):
        if value <= 0:
            raise Invalid(f"must be above zero (got {value})")
        return value

    v = Validator()
    assert v.read(3, ("a",), positive) == 3
    assert v.read(-1, ("b", 2), positive, default=0) == 0
    assert v.messages() == ["b[2]: must be above zero (got -1)"]
