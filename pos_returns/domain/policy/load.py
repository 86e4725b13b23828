"""Read a policy file: bytes -> text -> TOML -> a checked :class:`Policy`, or :class:`PolicyError` with every
problem found, each as ``FILE:LINE: key.path: message``.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
import re
import tomllib
from pathlib import Path

from pos_returns.domain.policy.build import build
from pos_returns.domain.policy.model import Policy
from pos_returns.domain.policy.values import PolicyChecker
from pos_returns.domain.validate import Problem, nesting_depth


class PolicyError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_policy(path: str | Path) -> Policy:
    """Read, validate and build a policy; raises PolicyError with every problem found."""
    path = Path(path)
    shown = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError([Problem(shown, 0, "(file)", "policy file not found")]) from None
    except OSError as exc:
        raise PolicyError([Problem(shown, 0, "(file)", f"cannot read the policy file: {exc.strerror}")]) from None
    return parse_policy(raw, shown)


def parse_policy(raw: bytes, shown: str = "<policy>") -> Policy:
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors write one) is not part of the text
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise PolicyError([Problem(shown, line, "(file)", "the file is not UTF-8 text")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([_syntax_problem(shown, text, exc)]) from None
    except RecursionError:
        data = None
    if data is None or nesting_depth(data) > MAX_TOML_DEPTH:
        raise PolicyError([Problem(shown, _deep_line(text), "(syntax)", f"lists and tables are nested too deeply "
                                                                       f"(more than {MAX_TOML_DEPTH} levels)")])
    checker = PolicyChecker(shown, text)
    policy = build(checker, data, shown, hashlib.sha256(raw).hexdigest())
    if checker or policy is None:
        raise PolicyError(sorted(checker.problems(), key=lambda p: p.line))
    return replace(policy, source=text)


#: a policy nests three or four levels; deeper input is refused before anything walks it
MAX_TOML_DEPTH = 16



def _deep_line(text: str) -> int:
    """The line where brackets and braces first nest deeper than allowed (strings and comments skipped)."""
    depth = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        quote = None
        for ch in line:
            if quote:
                quote = None if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                if depth > MAX_TOML_DEPTH:
                    return lineno
            elif ch in "]}":
                depth = max(depth - 1, 0)
    return 1


def _syntax_problem(shown: str, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    line = getattr(exc, "lineno", None)
    if line is None:
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m.group(1)) if m else 1
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    if "end of document" in str(exc):
        line = text.count("\n") + 1
    return Problem(shown, line, "(syntax)", f"TOML syntax error: {message}")

