"""JSON text in: numbers with a fraction kept as text (so an amount written as a float can be refused by name),
no NaN or Infinity, a depth limit, and every failure as a :class:`CaseError` naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pos_returns.domain.validate import nesting_depth


class CaseError(ValueError):
    """A case that cannot be decided; ``problems`` lists each as 'where: what'."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))



class _Float(str):
    """A JSON number with a fraction, kept as text so it can be refused by name."""


def load_json(path: str | Path) -> Any:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError(str(path), ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(str(path), [f"cannot read the file: {exc}"]) from None
    return parse_json_text(text, str(path))


#: deeper than any case, scenario or sales file is; deeper input is refused before anything walks it
MAX_JSON_DEPTH = 64


def parse_json_text(text: str, source: str) -> Any:
    try:
        data = json.loads(text, parse_float=_Float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise CaseError(source, [f"line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}"]) from None
    except RecursionError:
        raise CaseError(source, [_too_deep(text)]) from None
    except ValueError as exc:
        raise CaseError(source, [str(exc)]) from None
    if json_depth(data) > MAX_JSON_DEPTH:
        raise CaseError(source, [_too_deep(text)])
    return data


json_depth = nesting_depth  # the name the case package exports


def _too_deep(text: str) -> str:
    depth, line, in_string, escaped = 0, 1, False, False
    for ch in text:  # the line where the nesting passes the limit
        if ch == "\n":
            line += 1
        elif in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                break
        elif ch in "]}":
            depth -= 1
    return f"line {line}: lists and objects are nested too deeply (more than {MAX_JSON_DEPTH} levels)"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a case file")
