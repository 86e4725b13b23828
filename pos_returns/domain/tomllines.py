"""Line numbers for TOML key paths.

``tomllib`` parses without positions; validation errors must still say ``FILE:LINE``. This scanner
walks the text once and records the line where each table header and each key is written. Paths use
the same shape as the parsed data: table names and keys as strings, the index of an ``[[array]]``
table as an int. A value spanning lines (a multi-line array or string) is recorded at its key's line.
"""

from __future__ import annotations

import re

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_AOT_RE = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_RE = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_KEYVAL_RE = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART_RE = re.compile(_KEY)


def _parts(dotted: str) -> list[str]:
    out = []
    for m in _PART_RE.finditer(dotted):
        part = m.group(0)
        if part[0] in "\"'":
            part = part[1:-1]
        out.append(part)
    return out


def _open_brackets(value: str) -> int:
    """Net count of [ and { minus ] and } outside strings and comments."""
    depth = 0
    quote = None
    i = 0
    while i < len(value):
        ch = value[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        i += 1
    return depth


def line_index(text: str) -> dict[tuple, int]:
    index: dict[tuple, int] = {}
    table: tuple = ()
    aot_count: dict[tuple, int] = {}
    depth = 0
    in_string: str | None = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if in_string:
            if in_string in line:
                in_string = None
            continue
        if depth > 0:
            depth += _open_brackets(line)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _AOT_RE.match(line)
        if m:
            path = _resolve(_parts(m.group(1)), aot_count)
            aot_count[path] = aot_count.get(path, -1) + 1
            table = path + (aot_count[path],)
            index.setdefault(path, lineno)
            index[table] = lineno
            continue
        m = _TABLE_RE.match(line)
        if m:
            table = _resolve(_parts(m.group(1)), aot_count)
            index.setdefault(table, lineno)
            continue
        m = _KEYVAL_RE.match(line)
        if m:
            key_path = table + tuple(_parts(m.group(1)))
            index.setdefault(key_path, lineno)
            value = line[m.end():]
            for quote in ('"""', "'''"):
                if value.count(quote) % 2 == 1:
                    in_string = quote
            if not in_string:
                depth = max(0, _open_brackets(value))
                if depth and "{" in value:
                    # multi-line inline tables are not TOML; keep scanning by brackets anyway
                    pass
                # keys inside a one-line inline table: record them at this line too
                _inline_keys(value, key_path, lineno, index)
    return index


def _inline_keys(value: str, key_path: tuple, lineno: int, index: dict[tuple, int]) -> None:
    stripped = value.strip()
    if stripped.startswith("{"):
        for m in re.finditer(rf"({_KEY})\s*=", stripped):
            index.setdefault(key_path + tuple(_parts(m.group(1))), lineno)


def _resolve(parts: list[str], aot_count: dict[tuple, int]) -> tuple:
    """Insert the current index after each prefix that names an array of tables."""
    path: tuple = ()
    for i, part in enumerate(parts):
        path = path + (part,)
        if i < len(parts) - 1 and path in aot_count:
            path = path + (aot_count[path],)
    return path


def line_of(index: dict[tuple, int], path: tuple) -> int:
    """The line of ``path``, or of its nearest written ancestor; 1 if none is known."""
    path = tuple(path)
    while path:
        if path in index:
            return index[path]
        path = path[:-1]
    return 1


def format_path(path: tuple, first: int = 0) -> str:
    """``window[0].days``; with ``first=1`` the tables of a list are counted from 1 (``window[1]`` is the
    first ``[[window]]``), as a policy file's messages count them."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + first}]"
        else:
            out += ("." if out else "") + part
    return out or "(file)"
