"""``journal verify [--public-key FILE]`` (exit 1 naming each problem), ``journal export --out DIR`` (with a
manifest and the registers' public keys), ``journal new-key`` (a manager-approved signing key for a register)
and ``verify-receipt TEXT`` (a receipt's QR code checked offline)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pos_returns.cli.common import EXIT_OK, EXIT_PROBLEM, UsageError, read_pin, read_policy, subcommands, with_db, \
    with_policy
from pos_returns.services import admin


def read_public_keys(path: str | None) -> list[bytes] | None:
    """The public keys in FILE (``ed25519:...`` as printed on the day report, or PEM); None without a FILE."""
    if path is None:
        return None
    from pos_returns import signing
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the public key file ({exc.strerror})") from None
    found = signing.parse_public_keys(text)
    if not found:
        raise UsageError(f"{path}: no public key in it (expected 'ed25519:' and 43 characters, or a PEM "
                         f"PUBLIC KEY block)")
    return found


def cmd_journal_verify(args: argparse.Namespace) -> int:
    keys = read_public_keys(args.public_key)
    central = None
    if args.central is not None:
        from pos_returns.services.chain import central_url
        central = central_url(args.central or None)
        if not central:
            raise UsageError("--central: no central database: give --central URL or set POS_RETURNS_CENTRAL")
    report: list[str] = []
    entries, problems = admin.verify_journal(args.db, public_keys=keys, report=report,
                                             central=central)  # read-only
    for line in report:
        print(line)
    for problem in problems:
        print(problem)
    if problems:
        print(f"journal verify: {len(problems)} problem(s) in {entries} entries")
        return EXIT_PROBLEM
    proven = "signed by the given public keys" if keys else "signed by the keys the database names"
    if central:
        proven += ", holding everything the central database received from it"
    print(f"journal verify: {entries} entries intact, {proven}")
    return EXIT_OK


def cmd_journal_export(args: argparse.Namespace) -> int:
    with admin.Office.open(args.db) as office:
        manifest = office.export_journal(Path(args.out))
    print(f"{args.out}: {manifest['entries']} entries, {manifest['events']} events; check with "
          f"'sha256sum -c SHA256SUMS' in that folder; the registers' public keys are in public-keys.txt")
    return EXIT_OK


def cmd_journal_new_key(args: argparse.Namespace) -> int:
    loaded = read_policy(args.policy)
    with admin.Office.open(args.db) as office:
        member = office.check_pin(loaded, args.manager, read_pin(f"PIN for {args.manager}: "), "key_change")
        change = office.change_key(args.register, member, args.reason)
    how = "signed by the old key" if change.old_key_signed else "NOT signed by the old key (it is not here)"
    print(f"register {change.register}: new signing key {change.fingerprint} ({change.public_key}) from "
          f"signature #{change.from_counter}, approved by {args.manager}, {how}; previous key "
          f"{change.previous or 'none'}. Give the new public key to head office.")
    return EXIT_OK


def cmd_verify_receipt(args: argparse.Namespace) -> int:
    keys = read_public_keys(args.public_key)
    if keys is None and args.db is None and not admin.database_path(None).exists():
        raise UsageError("give --public-key FILE (the register's public key), or --db with the store's database")
    if keys is None:
        with admin.Office.open(args.db) as office:
            result = office.check_receipt(args.text)
    else:
        result = admin.check_receipt(args.text, keys)
    s = result.statement
    what = (f"{s.txno}: store {s.store}, register {s.register}, {s.at}, total {result.total.plain()} "
            f"{s.currency}, signature #{s.counter} of register {s.signer}")
    if not result.valid:
        print(f"NOT VALID: {what}: the signature does not match (changed, or not signed by this key)")
        return EXIT_PROBLEM
    note = "" if result.source == "given" else " (a key taken from the database: this proves less than the " \
                                              "register's public key from head office)"
    print(f"valid: {what}, key {result.fingerprint}{note}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    journal = sub.add_parser("journal", help="verify or export the journal")
    jsub = subcommands(journal, "journal_command")
    ver = with_db(jsub.add_parser("verify", help="prove the journal intact and signed"))
    ver.add_argument("--public-key", default=None, metavar="FILE",
                     help="the registers' public keys (from the day report, an export or head office); without "
                          "it the keys in the database are used, which proves less")
    ver.add_argument("--central", nargs="?", const="", default=None, metavar="URL",
                     help="also check that the journal still holds every entry the chain's central database "
                          "received from this till, with the same hashes (URL, else POS_RETURNS_CENTRAL)")
    ver.set_defaults(func=cmd_journal_verify)
    exp = with_db(jsub.add_parser("export", help="export the journal with a manifest"))
    exp.add_argument("--out", required=True, help="folder to write")
    exp.set_defaults(func=cmd_journal_export)
    new = with_policy(with_db(jsub.add_parser("new-key", help="a new signing key for a register, approved by a "
                                                              "manager (PIN from stdin)")))
    new.add_argument("--register", required=True)
    new.add_argument("--manager", required=True)
    new.add_argument("--reason", required=True, help="why (lost key, replaced till, scheduled change)")
    new.set_defaults(func=cmd_journal_new_key)
    rec = with_db(sub.add_parser("verify-receipt", help="check a receipt's QR code (its text) offline"))
    rec.add_argument("text", help="the QR code's text, as a phone's scanner reads it")
    rec.add_argument("--public-key", default=None, metavar="FILE", help="the register's public key")
    rec.set_defaults(func=cmd_verify_receipt)
