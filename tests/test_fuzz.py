"""Fuzzing the inputs a user or a till hands us: policy files, case JSON, import files, the CLI.

Each mutated input must end in a result or in the module's own error with problems a person can act on;
never in any other exception (that would be a traceback at the counter). Hypothesis keeps the examples
small and reproducible; the whole module runs in well under a minute.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as hs

from pos_returns.storage import store as st
from pos_returns.domain.case import CaseError, read_case
from pos_returns.domain.engine import evaluate
from pos_returns.services.importer import SalesImportError, import_file
from pos_returns.domain.model import Decision
from pos_returns.domain.policy import Policy, PolicyError, load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICY_FILES = [ROOT / "policies.toml"] + sorted(ROOT.glob("examples/*/policies.toml"))
POLICY_TEXTS = [p.read_text(encoding="utf-8") for p in POLICY_FILES]
POLICY = load_policy(ROOT / "policies.toml")

FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# ----------------------------------------------------------------------------- policy files

NUMBER = re.compile(r"(?<![\w.])-?\d+(\.\d+)?(?![\w-])")
KEY = re.compile(r"^(\s*)([A-Za-z_][\w-]*)(\s*=)")
NUMBER_SUBSTITUTES = ["-1", "-365", "0", "99999999999999999999999", "1e400", "inf", "nan", "2.5", '"30"', '"x"',
                      "true", "[]", "{}", "1979-05-27", "0x10", "-0.0001"]


@hs.composite
def mutated_policy(draw):
    text = draw(hs.sampled_from(POLICY_TEXTS))
    lines = text.split("\n")
    for _ in range(draw(hs.integers(1, 4))):
        op = draw(hs.sampled_from(["delete", "duplicate", "number", "number", "rename", "break", "truncate",
                                   "swap", "string"]))
        i = draw(hs.integers(0, len(lines) - 1))
        line = lines[i]
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "number":
            hits = list(NUMBER.finditer(line))
            if hits:
                m = draw(hs.sampled_from(hits))
                lines[i] = line[:m.start()] + draw(hs.sampled_from(NUMBER_SUBSTITUTES)) + line[m.end():]
        elif op == "rename":
            lines[i] = KEY.sub(lambda m: m.group(1) + m.group(2) + draw(hs.sampled_from(["_x", "s", "2"]))
                               + m.group(3), line)
        elif op == "break":
            junk = draw(hs.sampled_from(["=", "[", "]", '"', "[[", "= =", "\x00", "\ufeff", "'''", "{", ","]))
            pos = draw(hs.integers(0, len(line)))
            lines[i] = line[:pos] + junk + line[pos:]
        elif op == "truncate":
            lines = lines[:i]
        elif op == "swap":
            j = draw(hs.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "string":
            lines[i] = re.sub(r'"[^"]*"', lambda m: draw(hs.sampled_from(['""', '"??"', "1", "[]", '"x"'])), line,
                              count=1)
        if not lines:
            lines = [""]
    return "\n".join(lines)


PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<path>[^:]+(?::[^:]+)*?): (?P<message>.+)$", re.S)


@FUZZ
@given(text=mutated_policy())
def test_mutated_policy_gives_policy_or_problems(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("policy") / "policies.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    n_lines = text.count("\n") + 1
    try:
        policy = load_policy(path)
    except PolicyError as err:
        assert err.problems, "a PolicyError must name at least one problem"
        for problem in err.problems:
            shown = str(problem)
            assert shown.startswith(f"{path}:"), shown
            assert PROBLEM_LINE.match(shown), f"not FILE:LINE: path: message: {shown!r}"
            assert 1 <= problem.line <= n_lines + 1, f"line {problem.line} outside the file ({n_lines}): {shown}"
            assert problem.path.strip() and problem.message.strip(), shown
        return
    assert isinstance(policy, Policy)


def test_unmutated_policies_load():
    for path in POLICY_FILES:
        assert isinstance(load_policy(path), Policy)


# ----------------------------------------------------------------------------- case JSON

BASE_CASE = {
    "now": "2026-01-10T15:00:00",
    "sale": {
        "receipt": "0001-000123", "sold_at": "2025-12-01T11:20:00", "gift_receipt": False,
        "discount": "5.00",
        "lines": [
            {"line": 1, "sku": "TV55", "name": "55-inch TV", "category": "electronics", "qty": 1,
             "unit_price": "499.99", "discount": "50.00", "tax_rate": "0.0725", "tags": ["serialized"],
             "serial": "SN1"},
            {"line": 2, "sku": "SNDBAR", "name": "Soundbar", "category": "electronics", "qty": 2,
             "unit_price": "199.99", "discount": "0.00", "tax_rate": "0.0725", "tags": []},
            {"line": 3, "sku": "JEANS", "name": "Jeans", "category": "apparel", "qty": 3,
             "unit_price": "49.99", "discount": "0.00", "tax_rate": "0.0725"},
        ],
        "tenders": [{"type": "credit", "amount": "700.00", "last4": "4242"},
                    {"type": "cash", "amount": "300.00"}],
        "returned": {"1": 0, "3": 1},
        "promotions": [{"id": "tv-bundle", "lines": [1, 2], "discount": "50.00"}],
    },
    "request": {
        "type": "return",
        "lines": [{"line": 1, "qty": 1, "condition": "opened", "reason": "changed_mind", "serial": "SN1"},
                  {"line": 3, "qty": 1, "condition": "unopened", "reason": "wrong_size"}],
        "no_receipt_items": [],
        "exchange_items": [],
        "customer": {"id_verified": False, "tier": None, "history": [
            {"at": "2025-12-20T10:00:00", "amount": "20.00", "no_receipt": True}]},
    },
    "store": {"id": "0001", "region": "OH"},
}
NO_RECEIPT_CASE = {
    "now": "2026-01-10T15:00:00", "sale": None,
    "request": {"type": "return", "lines": [],
                "no_receipt_items": [{"sku": "JEANS", "category": "apparel", "qty": 1, "lowest_price": "39.99",
                                      "tax_rate": "0.0725", "tags": []}],
                "exchange_items": [], "customer": {"id_verified": True, "tier": "member", "history": []}},
}
EXCHANGE_CASE = copy.deepcopy(BASE_CASE)
EXCHANGE_CASE["request"]["type"] = "exchange"
EXCHANGE_CASE["request"]["exchange_items"] = [{"sku": "JEANS", "category": "apparel", "qty": 1,
                                               "unit_price": "59.99", "tax_rate": "0.0725"}]
BASE_CASES = [BASE_CASE, NO_RECEIPT_CASE, EXCHANGE_CASE]

ODD_VALUES = [None, True, False, 0, -1, 1.5, -0.01, 1e308, float("inf"), float("nan"), 10 ** 30, -(10 ** 30),
              "", " ", "abc", "-5.00", "1e9", "NaN", "Infinity", "0.001", "99999999999999999999.99",
              "2026-02-30T10:00:00", "2026-01-10", "9999-12-31T23:59:59", [], {}, [1], {"x": 1}, "\u0000",
              "electronics", "gift_card", "opened", 999, 2 ** 63, 0.1]


AMOUNT_KEYS = ("unit_price", "discount", "amount", "lowest_price", "price", "tax_rate", "qty")
ODD_AMOUNTS = ["1e30", 10 ** 30, "99999999999999999999999999.99", "123456789012345678", "-0.00", "0.001", "1E+2",
               "0e-10", " 1.00 ", "1,00", "+5", "-5.00", 2 ** 64, "0", 0, "1_000"]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _get(value, path):
    for p in path:
        value = value[p]
    return value


@hs.composite
def mutated_json(draw, bases):
    data = copy.deepcopy(draw(hs.sampled_from(bases)))
    for _ in range(draw(hs.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(hs.sampled_from(paths))
        parent = _get(data, path[:-1])
        key = path[-1]
        op = draw(hs.sampled_from(["replace", "replace", "replace", "delete", "add_key", "duplicate", "line_no",
                                   "amount"]))
        if op == "amount":  # an amount-like field gets an extreme or odd amount
            amounts = [p for p in paths if p[-1] in AMOUNT_KEYS]
            if amounts:
                path = draw(hs.sampled_from(amounts))
                _get(data, path[:-1])[path[-1]] = draw(hs.sampled_from(ODD_AMOUNTS))
        elif op == "replace":
            parent[key] = draw(hs.sampled_from(ODD_VALUES) | hs.integers() | hs.text(max_size=8)
                               | hs.floats(allow_nan=True))
        elif op == "delete":
            del parent[key]
        elif op == "add_key" and isinstance(parent, dict):
            parent[draw(hs.sampled_from(["extra", "Line", "qty ", "lines", "overrides"]))] = \
                draw(hs.sampled_from(ODD_VALUES))
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif op == "line_no" and isinstance(parent, dict) and key == "line":
            parent[key] = draw(hs.sampled_from([0, -1, 4, 99, 10 ** 12, "1", 1.0, None]))
    return data


def _dump(data) -> str:
    """JSON text; floats and non-finite numbers are written the way a careless till would write them."""
    return json.dumps(data, allow_nan=True)


@FUZZ
@given(data=mutated_json(BASE_CASES))
def test_mutated_case_gives_decision_or_case_error(data):
    # the case goes through JSON text, as a file would (floats reach read_case as the parser gives them)
    from pos_returns.domain.case import parse_json_text
    try:
        parsed = parse_json_text(_dump(data), "case.json")
        case = read_case(parsed, POLICY, "case.json")
    except CaseError as err:
        assert err.problems and all(isinstance(p, str) and p.strip() for p in err.problems)
        return
    decision = evaluate(POLICY, case.sale, case.request, case.history, case.now)
    assert isinstance(decision, Decision)


def test_base_cases_evaluate():
    for base in BASE_CASES:
        case = read_case(copy.deepcopy(base), POLICY, "case.json")
        assert isinstance(evaluate(POLICY, case.sale, case.request, case.history, case.now), Decision)


# ----------------------------------------------------------------------------- import files

IMPORT_SALE = {k: v for k, v in copy.deepcopy(BASE_CASE["sale"]).items() if k not in ("returned",)}
IMPORT_SALE.pop("promotions")
IMPORT_SALE.pop("discount")
IMPORT_SALE["lines"] = IMPORT_SALE["lines"][1:]
IMPORT_SALE["lines"][0]["line"], IMPORT_SALE["lines"][1]["line"] = 1, 2
IMPORT_SALE["tenders"] = [{"type": "credit", "amount": "589.82", "last4": "4242"}]  # 399.98 + 149.97 + 29.00 + 10.87 tax
IMPORT_JSON = {
    "sales": [IMPORT_SALE, dict(copy.deepcopy(IMPORT_SALE), receipt="0001-000124", register="R2", customer="C1")],
    "products": [{"sku": "JEANS", "name": "Jeans", "category": "apparel", "price": "49.99", "tax_rate": "0.0725",
                  "tags": [], "barcode": "4000000000001"}],
    "customers": [{"id": "C1", "name": "Ann", "tier": "member", "id_number": "AB123456"}],
}
CSV_HEADER = ["receipt", "sold_at", "line", "sku", "name", "category", "qty", "unit_price", "discount", "tax_rate",
              "tags", "serial", "tenders", "sale_discount", "gift_receipt", "customer", "register", "store",
              "barcode"]
CSV_ROWS = [
    ["0001-000900", "2025-12-01T11:20:00", "1", "SNDBAR", "Soundbar", "electronics", "2", "199.99", "0", "0.0725",
     "", "", "credit:589.82:4242", "", "", "C1", "R1", "0001", "0001000900"],
    ["0001-000900", "2025-12-01T11:20:00", "2", "JEANS", "Jeans", "apparel", "3", "49.99", "0", "0.0725",
     "", "", "", "", "", "", "", "", ""],
    ["0001-000901", "2025-12-02T09:00:00", "1", "TV55", "TV", "electronics", "1", "499.99", "0", "0.0725",
     "serialized", "SN9", "cash:536.24", "", "no", "", "R2", "", ""],
]


@pytest.fixture(scope="module")
def import_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("import") / "import.db"
    store = st.open_store(path)
    yield store
    store.close()


def _snapshot(store):
    return tuple(store.one(f"SELECT COUNT(*) AS n FROM {t}")["n"] for t in
                 ("sales", "sale_lines", "sale_tenders", "imports", "products", "customers"))


def _check_import(store, path):
    before = _snapshot(store)
    try:
        import_file(store, POLICY, path, datetime(2026, 1, 10, 12))
    except SalesImportError as err:
        assert err.problems and all(isinstance(p, str) and p.strip() for p in err.problems)
        assert all(p.startswith(str(path)) for p in err.problems), err.problems
        assert _snapshot(store) == before, "a refused import must write nothing"


@FUZZ
@given(data=mutated_json([IMPORT_JSON]), n=hs.integers(0, 10 ** 9))
def test_mutated_json_import_imports_or_refuses(import_db, tmp_path_factory, data, n):
    path = tmp_path_factory.mktemp("imp") / f"sales{n}.json"
    path.write_text(_dump(data), encoding="utf-8")
    _check_import(import_db, path)


@hs.composite
def mutated_csv(draw):
    header = list(CSV_HEADER)
    rows = [list(r) for r in CSV_ROWS]
    raw_edits = []
    for _ in range(draw(hs.integers(1, 4))):
        op = draw(hs.sampled_from(["cell", "cell", "cell", "drop_row", "dup_row", "drop_col", "rename_col",
                                   "short_row", "long_row", "raw"]))
        if op == "cell" and rows:
            r = draw(hs.integers(0, len(rows) - 1))
            c = draw(hs.integers(0, len(header) - 1))
            if c < len(rows[r]):
                rows[r][c] = draw(hs.sampled_from(["", "-1", "0", "1.5", "abc", "1e400", "NaN", "99999999999999999999",
                                                   "credit:1:12345", "cash", "x:y:z:w", "credit:-5", "2026-13-01",
                                                   "\u00e9", '"', "1;2", "gift_card:10"]) | hs.text(max_size=6))
        elif op == "drop_row" and rows:
            rows.pop(draw(hs.integers(0, len(rows) - 1)))
        elif op == "dup_row" and rows:
            rows.append(list(rows[draw(hs.integers(0, len(rows) - 1))]))
        elif op == "drop_col":
            c = draw(hs.integers(0, len(header) - 1))
            header.pop(c)
            for row in rows:
                if c < len(row):
                    row.pop(c)
        elif op == "rename_col":
            c = draw(hs.integers(0, len(header) - 1))
            header[c] = header[c] + "x"
        elif op == "short_row" and rows:
            r = draw(hs.integers(0, len(rows) - 1))
            rows[r] = rows[r][:draw(hs.integers(0, len(rows[r])))]
        elif op == "long_row" and rows:
            rows[draw(hs.integers(0, len(rows) - 1))].append("extra")
        elif op == "raw":
            raw_edits.append((draw(hs.floats(0, 1)), draw(hs.sampled_from(['"', "\n", ",", "\r", "\r\n", "\x00"]))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    for where, junk in raw_edits:  # bytes a till or an editor might leave: stray quotes, old-Mac line ends
        pos = int(where * len(text))
        text = text[:pos] + junk + text[pos:]
    return text


@FUZZ
@given(text=mutated_csv(), n=hs.integers(0, 10 ** 9))
def test_mutated_csv_import_imports_or_refuses(import_db, tmp_path_factory, text, n):
    path = tmp_path_factory.mktemp("imp") / f"sales{n}.csv"
    path.write_text(text, encoding="utf-8")
    _check_import(import_db, path)


def test_unmutated_imports(tmp_path):
    with st.open_store(tmp_path / "db.sqlite") as store:
        j = tmp_path / "sales.json"
        j.write_text(json.dumps(IMPORT_JSON), encoding="utf-8")
        assert import_file(store, POLICY, j, datetime(2026, 1, 10)).added == 2
        c = tmp_path / "sales.csv"
        out = io.StringIO()
        csv.writer(out).writerows([CSV_HEADER, *CSV_ROWS])
        c.write_text(out.getvalue(), encoding="utf-8")
        assert import_file(store, POLICY, c, datetime(2026, 1, 10)).added == 2


# ----------------------------------------------------------------------------- the CLI

def test_cli_evaluate_mutated_cases_no_traceback(tmp_path):
    """A few mutated cases through the command line's ``evaluate``: exit 0 or 2, never a traceback."""
    import random
    rng = random.Random(20260110)
    cases = []
    for i in range(8):
        data = copy.deepcopy(BASE_CASES[i % len(BASE_CASES)])
        paths = [p for p in _paths(data) if p]
        for _ in range(1 + i % 3):
            path = rng.choice(paths)
            try:
                parent = _get(data, path[:-1])
                parent[path[-1]] = rng.choice(ODD_VALUES)
            except (KeyError, IndexError, TypeError):
                pass
        cases.append(data)
    cases.append("{not json")
    from casekit import cli_in_process  # the command line in this process: a traceback would still show
    for i, data in enumerate(cases):
        path = tmp_path / f"case{i}.json"
        path.write_text(data if isinstance(data, str) else _dump(data), encoding="utf-8")
        proc = cli_in_process(["evaluate", "--policy", str(ROOT / "policies.toml"), str(path)], cwd=ROOT)
        assert "Traceback" not in proc.stderr + proc.stdout, (path.read_text(), proc.stderr)
        assert proc.returncode in (0, 2), (path.read_text(), proc.returncode, proc.stderr)


# ----------------------------------------------------------------------------- crashes the fuzzing found
# Each is a plain input a user or a till can produce; each must end in CaseError / SalesImportError, not a crash.

def _case_with(path, value, base=BASE_CASE):
    data = copy.deepcopy(base)
    _get(data, path[:-1])[path[-1]] = value
    return data


@pytest.mark.parametrize("base, path, value", [
    (BASE_CASE, ("sale", "lines", 0, "unit_price"), "1e30"),
    (BASE_CASE, ("sale", "lines", 2, "unit_price"), "99999999999999999999999999.99"),
    (BASE_CASE, ("sale", "lines", 0, "discount"), "1e30"),
    (BASE_CASE, ("sale", "promotions", 0, "discount"), "1e30"),
    (NO_RECEIPT_CASE, ("request", "no_receipt_items", 0, "lowest_price"), "1e30"),
    (EXCHANGE_CASE, ("request", "exchange_items", 0, "unit_price"), "1e30"),
])
def test_huge_amounts_in_a_case_are_refused(base, path, value):
    data = _case_with(path, value, base)
    try:
        case = read_case(data, POLICY, "case.json")
    except CaseError:
        return
    evaluate(POLICY, case.sale, case.request, case.history, case.now)


def _import_json_with(tmp_path, edit, name="s.json"):
    data = copy.deepcopy(IMPORT_JSON)
    edit(data)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    with st.open_store(tmp_path / "db.sqlite") as store:
        before = _snapshot(store)
        with pytest.raises(SalesImportError):
            import_file(store, POLICY, path, datetime(2026, 1, 10))
        assert _snapshot(store) == before


@pytest.mark.parametrize("edit", [
    pytest.param(lambda d: d["sales"][0].__setitem__("lines", None), id="sale-lines-null"),
    pytest.param(lambda d: d.__setitem__("products", 5), id="products-not-a-list"),
    pytest.param(lambda d: d.__setitem__("customers", 5), id="customers-not-a-list"),
    pytest.param(lambda d: d["customers"][0].__setitem__("id_number", 12345678), id="id-number-not-a-string"),
    pytest.param(lambda d: d["customers"][0].__setitem__("name", []), id="customer-name-list"),
    pytest.param(lambda d: d["customers"][0].__setitem__("id", None), id="customer-id-null"),
    pytest.param(lambda d: d["products"][0].__setitem__("name", None), id="product-name-null"),
    pytest.param(lambda d: d["products"][0].__setitem__("sku", [1]), id="product-sku-list"),
    pytest.param(lambda d: d["products"][0].__setitem__("barcode", 2 ** 64), id="product-barcode-huge-int"),
    pytest.param(lambda d: d["sales"][1].__setitem__("register", [1]), id="sale-register-list"),
    pytest.param(lambda d: d["sales"][1].__setitem__("customer", 2 ** 64), id="sale-customer-huge-int"),
    pytest.param(lambda d: d["sales"][0]["lines"][0].__setitem__("unit_price", 10 ** 30), id="unit-price-huge"),
])
def test_bad_json_import_is_refused_not_crashed(tmp_path, edit):
    _import_json_with(tmp_path, edit)


def test_csv_with_old_mac_line_ends_is_refused_or_read(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("receipt,sold_at,line,sku,category,qty,unit_price\r"
                    "0001-000777,2025-12-01T10:00:00,1,JEANS,apparel,1,49.99\r", encoding="utf-8")
    with st.open_store(tmp_path / "db.sqlite") as store:
        try:
            import_file(store, POLICY, path, datetime(2026, 1, 10))
        except SalesImportError:
            pass
