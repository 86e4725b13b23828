"""``python -m pos_returns``: the command line of DESIGN.md.

One module per command group registers its own subcommands (:data:`GROUPS`, in the order ``--help`` lists
them); they share :mod:`pos_returns.cli.common` (exit codes, policy loading, language handling, PINs, dates).
Database work goes through :mod:`pos_returns.services`, never the storage layer.

Exit codes: 0 success, 1 a check found a problem, 2 bad input or usage. A user's mistake gets a
message that says what and where, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from pos_returns.cli import chain, database, evaluate, journal, paperwork, policy, record, reports, staff
from pos_returns.cli.common import (DEFAULT_POLICY, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, Parser, PolicyInvalid,
                                    UsageError, print_case_errors)
from pos_returns.domain.case import CaseError

__all__ = ["DEFAULT_POLICY", "EXIT_OK", "EXIT_PROBLEM", "EXIT_USAGE", "GROUPS", "UsageError", "build_parser",
           "main", "run"]

#: the command groups: policy check/test; evaluate; db init, demo-data, import-sales; record, correct;
#: journal verify/export; staff add/list; report, whatif, close-day, complaint; paperwork, report-day;
#: central init, sync
GROUPS = (policy, evaluate, database, record, journal, staff, reports, paperwork, chain)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m pos_returns", description="pos-returns: store returns and exchanges")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    sub.required = True
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except PolicyInvalid:
        return EXIT_USAGE
    except CaseError as err:
        print_case_errors(err)
        return EXIT_USAGE
    except _user_errors() as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _user_errors() -> tuple[type[BaseException], ...]:
    from pos_returns.files import WriteFailed
    from pos_returns.i18n import UserError
    return (UserError, WriteFailed)


def run() -> None:
    sys.exit(main())
