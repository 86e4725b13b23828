"""Small builders shared by the core tests: policies written as text, cases built as dicts.

Every case goes through the real reader (``case.read_case``) and the real engine (``engine.evaluate``),
so the tests exercise the same path as ``python -m pos_returns evaluate``.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import shutil
import subprocess
import sys
import textwrap
import traceback
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from pos_returns.domain.case import decision_json, read_case
from pos_returns.domain.engine import evaluate
from pos_returns.domain.model import Decision
from pos_returns.domain.policy import Policy, load_policy

ROOT = Path(__file__).resolve().parents[1]


def need_tool(tool: str, package: str) -> str:
    """The path of a command-line tool a test needs. Missing, the test skips with what to install; under CI=true
    it fails instead (tools/test.sh installs every one, so a missing tool there is a broken set-up, not a pass)."""
    import pytest
    path = shutil.which(tool)
    if path is None:
        why = f"{tool} not found: install the Debian package {package} (tools/test.sh does)"
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this test: " + why)
        pytest.skip(why)
    return path
SAMPLE_POLICY = ROOT / "policies.toml"


@lru_cache(maxsize=None)
def sample_policy() -> Policy:
    return load_policy(SAMPLE_POLICY)


def sample_text() -> str:
    return SAMPLE_POLICY.read_text(encoding="utf-8")


def write_policy(folder: Path, text: str, name: str = "policy.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def line_no(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line of ``text`` containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s) in the policy text")


# ----------------------------------------------------------------------------- a small complete policy

def mini_policy_text(*, currency: str = "USD", locale: str = "en_US", include_tax: bool = False,
                     cash_rounding: str | None = None, region: str = "OH", default_days: int = 30,
                     body: str = "") -> str:
    """A small complete policy: a store, a catalog, one default window, plus ``body`` appended.

    Single tables ([tenders], [approval], ...) are left to their defaults unless ``body`` writes them.
    """
    rounding = f'cash_rounding = "{cash_rounding}"\n' if cash_rounding else ""
    head = (
        "[store]\n"
        'id = "0001"\n'
        'name = "Test Store"\n'
        f'region = "{region}"\n'
        f'currency = "{currency}"\n'
        f'locale = "{locale}"\n'
        'language = "en"\n'
        f"prices_include_tax = {'true' if include_tax else 'false'}\n"
        f"{rounding}"
        "\n"
        "[catalog]\n"
        'categories = ["general", "electronics", "grocery", "home"]\n'
        'tags = ["serialized", "final_sale"]\n'
        'tiers = ["member"]\n'
        'reasons = ["changed_mind", "defective"]\n'
        "\n"
        "[[window]]\n"
        'id = "window.default"\n'
        f"days = {default_days}\n"
    )
    return head + "\n" + textwrap.dedent(body)



def policy_problems(folder: Path, body: str) -> tuple[Path, str, list[str]]:
    """A mini policy with ``body`` written to ``folder`` and loaded: (its path, its text, every problem found).
    The policy must be refused."""
    import pytest
    from pos_returns.domain.policy import PolicyError
    text = mini_policy_text(body=body)
    path = write_policy(folder, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    return path, text, [str(p) for p in info.value.problems]

def mini_policy(folder: Path, **kwargs: Any) -> Policy:
    return load_policy(write_policy(folder, mini_policy_text(**kwargs)))


# ----------------------------------------------------------------------------- case builders

def sale_line(line: int = 1, *, sku: str | None = None, category: str = "general", qty: int = 1,
              price: str = "100.00", discount: str = "0.00", tax: str = "0", tags: tuple[str, ...] = (),
              serial: str | None = None) -> dict:
    out = {"line": line, "sku": sku or f"SKU{line}", "name": f"Item {line}", "category": category, "qty": qty,
           "unit_price": price, "discount": discount, "tax_rate": tax, "tags": list(tags)}
    if serial is not None:
        out["serial"] = serial
    return out


def tender(kind: str, amount: str, last4: str | None = None, refunded: str | None = None) -> dict:
    out: dict[str, Any] = {"type": kind, "amount": amount}
    if last4 is not None:
        out["last4"] = last4
    if refunded is not None:
        out["refunded"] = refunded
    return out


def ask(line: int = 1, qty: int = 1, condition: str = "unopened", reason: str = "changed_mind",
        serial: str | None = None) -> dict:
    out: dict[str, Any] = {"line": line, "qty": qty, "condition": condition, "reason": reason}
    if serial is not None:
        out["serial"] = serial
    return out


def case(*, lines: list[dict], tenders: list[dict], asks: list[dict], now: str = "2026-03-10T12:00:00",
         sold_at: str = "2026-03-01T10:00:00", gift_receipt: bool = False, returned: dict | None = None,
         sale_discount: str | None = None, promotions: list[dict] | None = None, tier: str | None = None,
         id_verified: bool = False, history: list[dict] | None = None, overrides: list[str] | None = None,
         request_type: str = "return", exchange_items: list[dict] | None = None,
         store: dict | None = None) -> dict:
    sale: dict[str, Any] = {"receipt": "0001-000001", "sold_at": sold_at, "gift_receipt": gift_receipt,
                            "lines": copy.deepcopy(lines), "tenders": copy.deepcopy(tenders),
                            "returned": dict(returned or {})}
    if sale_discount is not None:
        sale["discount"] = sale_discount
    if promotions is not None:
        sale["promotions"] = copy.deepcopy(promotions)
    request: dict[str, Any] = {
        "type": request_type, "lines": copy.deepcopy(asks), "no_receipt_items": [],
        "exchange_items": copy.deepcopy(exchange_items or []),
        "customer": {"id_verified": id_verified, "tier": tier, "history": copy.deepcopy(history or [])}}
    if overrides is not None:
        request["overrides"] = list(overrides)
    out: dict[str, Any] = {"now": now, "sale": sale, "request": request}
    if store is not None:
        out["store"] = store
    return out


def no_receipt_case(items: list[dict], *, now: str = "2026-03-10T12:00:00", id_verified: bool = True,
                    history: list[dict] | None = None, tier: str | None = None,
                    overrides: list[str] | None = None) -> dict:
    request: dict[str, Any] = {
        "type": "return", "lines": [], "no_receipt_items": copy.deepcopy(items), "exchange_items": [],
        "customer": {"id_verified": id_verified, "tier": tier, "history": copy.deepcopy(history or [])}}
    if overrides is not None:
        request["overrides"] = list(overrides)
    return {"now": now, "sale": None, "request": request}


def no_receipt_item(sku: str = "NR1", category: str = "home", qty: int = 1, lowest_price: str = "20.00",
                    tax: str = "0", tags: tuple[str, ...] = (), condition: str = "unopened") -> dict:
    return {"sku": sku, "category": category, "qty": qty, "lowest_price": lowest_price, "tax_rate": tax,
            "tags": list(tags), "condition": condition}


def decide(policy: Policy, data: dict) -> Decision:
    c = read_case(data, policy)
    return evaluate(policy, c.sale, c.request, c.history, c.now)


def decide_json(policy: Policy, data: dict, lang: str = "en") -> dict:
    return decision_json(decide(policy, data), lang, policy.store.locale)


# ----------------------------------------------------------------------------- the command line

def cli_in_process(args: Sequence[str], *, stdin: str = "", cwd: Path | None = None,
                   env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """``python -m pos_returns ARGS`` run in this process (``cli.main``), as a CompletedProcess.

    Standard input, output and error are strings (stdin is not a terminal, so PINs are read from it); ``env``
    sets variables for the run (None removes one) and ``cwd`` is the working folder; both are restored after.
    An exception that escapes ``main`` is printed to stderr as a traceback with exit code 1, as the
    interpreter would. A subprocess costs ~0.5 s of start-up on 2 shared cores; this costs nothing, so a test
    starts a real process only where the process is the point (the ``python -m`` entry, exit codes)."""
    from pos_returns.cli import main as cli
    saved_env = {k: os.environ.get(k) for k in (env or {})}
    saved_cwd = os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    try:
        for key, value in (env or {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        os.chdir(cwd or ROOT)
        sys.stdin = io.StringIO(stdin)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
            except Exception:  # noqa: BLE001 -- what the interpreter would print
                traceback.print_exc()
                code = 1
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(["python", "-m", "pos_returns", *map(str, args)], code, out.getvalue(),
                                       err.getvalue())
