"""One way to check input and say where it is wrong: the policy, case and sales-import readers share it.

A :class:`Validator` collects every problem of one input instead of stopping at the first, each as a
*path* (a tuple of keys and list indexes, the shape of the parsed data: ``("sale", "lines", 0, "qty")``)
and a message. It renders them in one of two forms:

- with a file and a line index (TOML, see :mod:`pos_returns.domain.tomllines`): :class:`Problem`, shown
  as ``FILE:LINE: key.path: message`` (the policy's form);
- without (JSON, whose parser keeps no positions): ``key.path: message`` (a case's and an import's form;
  their callers put the file name in front).

Readers of a format subclass it and add typed reads with that format's wording; a read that finds a bad
value records it here and returns a placeholder, so the rest of the input is still checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pos_returns.domain.tomllines import format_path, line_index, line_of

Path = tuple  # of str (keys) and int (list indexes)


@dataclass(frozen=True)
class Problem:
    """One problem of a file with positions: ``FILE:LINE: key.path: message``."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


@dataclass(frozen=True)
class Issue:
    """One problem as found: where (a path) and what."""

    path: Path
    message: str

    @property
    def where(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class Invalid(Exception):
    """Raised by a typed read of one value; :meth:`Validator.read` records it at the value's path."""


class Validator:
    """Collects the problems of one input, each with its path."""

    def __init__(self, file: str = "", text: str | None = None):
        self.file = file
        self.index = line_index(text) if text is not None else {}
        self.issues: list[Issue] = []

    def error(self, path: Path, message: str) -> None:
        self.issues.append(Issue(tuple(path), message))

    def __bool__(self) -> bool:
        """True when any problem was found."""
        return bool(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def read(self, value: Any, path: Path, kind: Callable[[Any, Path], Any], default: Any = None) -> Any:
        """``kind(value, path)``, or ``default`` after recording the :class:`Invalid` it raised."""
        try:
            return kind(value, path)
        except Invalid as bad:
            self.error(path, str(bad))
            return default

    def line(self, path: Path) -> int:
        return line_of(self.index, path)

    def problems(self) -> list[Problem]:
        """The problems as ``FILE:LINE: key.path: message``, in the order found. A file's lists of tables are
        counted from 1 there: ``window[2]`` is the second ``[[window]]`` (the line says which too)."""
        return [Problem(self.file, self.line(i.path), format_path(i.path, first=1), i.message)
                for i in self.issues]

    def messages(self, since: int = 0) -> list[str]:
        """The problems as ``key.path: message`` (from the ``since``-th on)."""
        return [str(i) for i in self.issues[since:]]


def nesting_depth(data: Any) -> int:
    """How deeply lists and objects (dicts) nest in parsed input, without recursion, so any depth can be
    measured (the JSON and TOML readers refuse input nested deeper than their limits before walking it).

    One level at a time: the lists and objects directly inside the previous level's, gathered by one
    comprehension (the depth is the number of levels that hold any): a 60,000-line sales file in about a
    third of the time a stack push and pop per value took."""
    level = [data] if isinstance(data, (list, dict)) else []
    depth = 0
    while level:
        depth += 1
        level = [v for c in level for v in (c.values() if isinstance(c, dict) else c) if isinstance(v, (list, dict))]
    return depth
