"""Case JSON in, Decision JSON out (the contracts of DESIGN.md).

Reading a case checks it against the policy it will be decided under and reports every problem with
its place (``sale.lines[0].unit_price: ...``). Amounts must be strings of decimals; a JSON float is
refused, because it may already have lost a cent.

- :mod:`.jsontext`: JSON text in (floats kept as text, depth limit, :class:`CaseError`);
- :mod:`.reader`: :class:`CaseReader`, the typed reads (the shared validator, JSON wording);
- :mod:`.read`: :func:`read_case`, :func:`read_sale`, :func:`read_request`;
- :mod:`.trusted`: :class:`TrustedReader`, the fast reader of cases the store journaled (what-if);
- :mod:`.write`: :func:`decision_json`, :func:`subset_mismatches`, :func:`case_to_json`.
"""

from pos_returns.domain.case.jsontext import MAX_JSON_DEPTH, CaseError, json_depth, load_json, parse_json_text
from pos_returns.domain.case.read import CASE_KEYS, Case, read_case, read_request, read_sale
from pos_returns.domain.case.reader import CaseReader
from pos_returns.domain.case.write import case_to_json, decision_json, subset_mismatches

__all__ = ["CASE_KEYS", "MAX_JSON_DEPTH", "Case", "CaseError", "CaseReader", "TrustedReader", "case_to_json", "decision_json",
           "json_depth", "load_json", "parse_json_text", "read_case", "read_request", "read_sale",
           "subset_mismatches"]


def __getattr__(name: str):
    """``TrustedReader`` is loaded on first use (only a what-if replay needs it; the app's start does not)."""
    if name == "TrustedReader":
        from pos_returns.domain.case.trusted import TrustedReader
        return TrustedReader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
