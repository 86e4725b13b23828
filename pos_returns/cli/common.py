"""What every command group of the command line shares: exit codes, the parser class, the errors that end a
command with exit 2, policy loading, language handling, PINs from the terminal, dates and periods, and the
``--db`` / ``--policy`` / period options.

Exit codes: 0 success, 1 a check found a problem, 2 bad input or usage. A user's mistake gets a message that
says what and where, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta

from pos_returns import i18n
from pos_returns.domain.case import CaseError
from pos_returns.domain.policy import Policy, PolicyError, load_policy

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2
DEFAULT_POLICY = "policies.toml"
DB_HELP = "database file (default: $POS_RETURNS_DB or the user's data folder)"


class UsageError(Exception):
    """Bad input or usage: ``main`` prints ``error: <message>`` and exits 2."""


class PolicyInvalid(Exception):
    """The policy's problems were printed; the command stops with exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage and exits 2; keep that, add our prefix
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


# ----------------------------------------------------------------------------- options

def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--db", default=None, help=DB_HELP)
    return p


CENTRAL_HELP = "the chain's central PostgreSQL (a libpq connection string); default $POS_RETURNS_CENTRAL"


def with_central(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--central", default=None, help=CENTRAL_HELP)
    return p


def central_of(args: argparse.Namespace) -> str | None:
    from pos_returns.services.chain import central_url
    return central_url(getattr(args, "central", None))


def with_policy(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--policy", default=None, help=f"policy file (default: {DEFAULT_POLICY})")
    return p


def with_period(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--period", choices=("day", "week", "month", "range"), default="range")
    p.add_argument("--date", default=None, help="the day (or last day of the week / month); default today")
    p.add_argument("--from", dest="start", default=None, help="first day of a range")
    p.add_argument("--to", dest="end", default=None, help="last day of a range")
    return p


def subcommands(parser: argparse.ArgumentParser, dest: str) -> argparse._SubParsersAction:
    """A required level of subcommands (``policy check``, ``journal verify``, ...)."""
    sub = parser.add_subparsers(dest=dest, parser_class=Parser)
    sub.required = True
    return sub


# ----------------------------------------------------------------------------- policy

def default_policy() -> str:
    return os.environ.get("POS_RETURNS_POLICY", DEFAULT_POLICY)


def print_policy_errors(err: PolicyError) -> None:
    for problem in err.problems:
        print(problem, file=sys.stderr)


def read_policy(path: str | None) -> Policy:
    """Load the policy (default: $POS_RETURNS_POLICY or policies.toml); on errors print them all and stop."""
    try:
        return load_policy(path or default_policy())
    except PolicyError as err:
        print_policy_errors(err)
        raise PolicyInvalid from None


def policy_locale(path: str | None) -> str | None:
    """The store's locale from the policy file when one is given (else the database / currency decides)."""
    return read_policy(path).store.locale if path else None


def print_case_errors(err: CaseError) -> None:
    for problem in err.problems:
        print(f"{err.source}: {problem}", file=sys.stderr)


# ----------------------------------------------------------------------------- language

def output_language() -> str:
    """The language of the command line's own plain-text output ($POS_RETURNS_LANG, default English)."""
    return os.environ.get("POS_RETURNS_LANG", "en")


def language(value: str, option: str) -> str:
    """A supported language code for ``value`` (given as ``option``), else a usage error naming the option."""
    try:
        return i18n.normalize_language(value)
    except i18n.UnknownLanguage:
        raise UsageError(f"{option} {value}: not a supported language ({', '.join(i18n.LANGUAGES)})") from None


# ----------------------------------------------------------------------------- input

def read_pin(prompt: str) -> str:
    """A PIN from the terminal (not echoed), or one line of standard input; never from the arguments."""
    import getpass
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"{prompt.strip()} expected on standard input")
    return line.strip()


def parse_date(text: str | None, default: date | None = None) -> date | None:
    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text}: not a date like 2026-11-23") from None


def period(args: argparse.Namespace) -> tuple[date, date]:
    """(first day, last day) of ``--period`` / ``--date`` / ``--from`` / ``--to``."""
    today = date.today()
    if args.period == "day":
        start = end = parse_date(args.date, today)
    elif args.period == "week":
        end = parse_date(args.date, today)
        start = end - timedelta(days=6)
    elif args.period == "month":
        first = parse_date(args.date, today).replace(day=1)  # the calendar month of --date, first to last day
        start, end = first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    else:
        start, end = parse_date(args.start, today - timedelta(days=30)), parse_date(args.end, today)
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    return start, end


# ----------------------------------------------------------------------------- output

def money_plain(minor: int, policy: Policy) -> str:
    from pos_returns.domain.money import Money
    return Money.from_minor(minor, policy.currency).plain()


def signed(minor: int, policy: Policy) -> str:
    return ("+" if minor >= 0 else "-") + money_plain(abs(minor), policy)
