"""The signed journal (issue 14): what someone with the database file and this code, but not a register's key,
can no longer do unseen.

The oracle is independent of the code under test: signatures are checked here with the ``cryptography``
package directly, over the statement DESIGN.md and pos_returns/signing.py document
(``POSR1|store|register|txno|at|total|currency|signer|counter|hash``), with the public key worked out from the
register's key file; an attacker's key is made here too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import storehelpers as h
from casekit import need_tool
from pos_returns.storage import store as st

N = 5
#: the schema version the signing upgrade starts from (MIGRATIONS[i] upgrades version i to i + 1); the test of an
#: older file drops what that upgrade made, so it must stay the last upgrade or the test must undo the later ones too
SIGNING_UPGRADE = next(i for i, m in enumerate(st.MIGRATIONS) if callable(m) and "signed journal" in (m.__doc__ or ""))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def config() -> Path:
    return Path(os.environ["POS_RETURNS_CONFIG"])


def key_file(register: str) -> Path:
    return config() / f"signing-{register}.key"


def public_of(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def register_public(register: str) -> bytes:
    """The register's public key, from its key file (what head office keeps, or the printed day report)."""
    return public_of(bytes.fromhex(key_file(register).read_text().strip()))


def fingerprint(public: bytes) -> str:
    d = hashlib.sha256(public).hexdigest()[:16]
    return "-".join(d[i:i + 4] for i in range(0, 16, 4))


def auditor_file(tmp_path: Path, *publics: bytes, name: str = "auditor.pub") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"register key: ed25519:{b64url(p)}\n" for p in publics))
    return path


def statement(sig: dict) -> bytes:
    return "|".join(["POSR1", sig["store"], sig["register"], sig["txno"], sig["at"], str(sig["total"]),
                     sig["currency"], sig["signer"], str(sig["counter"]), sig["hash"]]).encode()


def signature_valid(public: bytes, sig: dict) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(unb64url(sig["signature"]), statement(sig))
    except InvalidSignature:
        return False
    return True


def rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def verify(path: Path, *extra: str):
    proc = h.run_cli("journal", "verify", "--db", str(path), *extra)
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def signed_db(tmp_path_factory) -> tuple[Path, list[str]]:
    path = h.fresh_db(tmp_path_factory.mktemp("signed"), "signed.db")
    return path, h.record_returns(path, N)


@pytest.fixture
def copy(signed_db, tmp_path) -> tuple[Path, list[str]]:
    source, txnos = signed_db
    return h.copy_db(source, tmp_path / "copy.db"), txnos


# ----------------------------------------------------------------------------- item 1: every entry signed

def test_every_entry_is_signed_by_the_registers_key_with_a_gapless_counter(signed_db):
    path, txnos = signed_db
    public = register_public("R1")
    with h.raw(path) as conn:
        journal = {r["txno"]: r for r in rows(conn, "SELECT * FROM journal")}
        sigs = rows(conn, "SELECT * FROM signatures WHERE signer = 'R1' ORDER BY counter")
        keys = rows(conn, "SELECT * FROM register_keys WHERE signer = 'R1'")
        events = rows(conn, "SELECT * FROM events WHERE kind = 'signing_key'")
    mine = [s for s in sigs if s["txno"] in txnos]
    assert [s["txno"] for s in mine] == txnos
    counters = [s["counter"] for s in sigs]
    assert counters == list(range(1, len(sigs) + 1))
    for s in mine:
        entry = journal[s["txno"]]
        assert (s["hash"], s["total"], s["at"], s["store"]) == (entry["hash"], entry["refund_total"], entry["at"],
                                                               "0001")
        assert signature_valid(public, s), s["txno"]
    # the public key and its fingerprint are recorded as an event and in register_keys
    assert keys[0]["public_key"] == "ed25519:" + b64url(public)
    assert keys[0]["fingerprint"] == fingerprint(public)
    assert any(json.loads(e["detail"]).get("fingerprint") == fingerprint(public) for e in events)


def test_the_key_is_kept_outside_the_database_readable_by_its_owner_only(signed_db):
    path, _ = signed_db
    mode = stat.S_IMODE(key_file("R1").stat().st_mode)
    assert mode == 0o600
    seed_hex = key_file("R1").read_text().strip()
    with h.raw(path) as conn:
        leaked = [(t, c) for t, c, v in h.text_values(conn) if seed_hex in v or seed_hex.upper() in v]
    assert leaked == []
    assert seed_hex.encode() not in h.db_bytes(path)


def test_the_day_close_is_signed_by_the_register_that_closes_it(copy):
    from datetime import datetime, time
    from pos_returns.manager.reports import close_day
    path, _ = copy
    with st.open_store(path, create=False) as store:
        entry = close_day(store, h.policy(), h.TODAY, "m1", datetime.combine(h.TODAY, time(23)), register="R1")
    with h.raw(path) as conn:
        sig = rows(conn, "SELECT * FROM signatures WHERE txno = ?", (entry.txno,))[0]
    assert (sig["register"], sig["signer"]) == ("DAY", "R1")
    assert signature_valid(register_public("R1"), sig)


# ----------------------------------------------------------------------------- item 2: verify catches

def test_an_intact_journal_verifies_with_the_auditors_key(copy, tmp_path):
    path, _ = copy
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "signed by the given public keys" in proc.stdout
    assert fingerprint(register_public("R1")) in proc.stdout  # each period and its key


def test_without_a_public_key_verify_says_it_proves_less(copy):
    path, _ = copy
    proc = verify(path)
    assert proc.returncode == 0, proc.stdout
    assert "proves less" in proc.stdout


def test_a_forged_entry_appended_with_the_projects_code_but_without_the_key_is_named(copy, tmp_path, monkeypatch):
    path, txnos = copy
    from pos_returns.storage import signatures
    monkeypatch.setattr(signatures, "sign_entry", lambda *a, **k: None)  # the code, but not the key
    with st.open_store(path, create=False) as store:
        c = h.counter(store)
        forged = c.commit(c.prepare(h.signed_in(c), c.lookup(h.BULK), h.return_request())).txno
        h.checkpoint(store)
    monkeypatch.undo()
    with h.raw(path) as conn:  # a valid chain and its event: the old verify passed this
        assert conn.execute("SELECT COUNT(*) FROM events WHERE txno = ?", (forged,)).fetchone()[0] == 1
    with st.open_store(path, create=False) as store:
        problems = st.verify_journal(store)
    assert [(p.kind, p.txno) for p in problems] == [("unsigned", forged)]
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert proc.returncode == 1
    assert f"{forged}: has no signature" in proc.stdout
    # passing it off as an entry from before the journal was signed does not work: signed entries come before it
    with h.raw(path) as conn:
        conn.execute("INSERT INTO events (id, at, kind, actor, txno, detail) VALUES (0, '2020-01-01T00:00:00', "
                     "'signing_began', NULL, NULL, ?)", (json.dumps({"heads": {"R1": 99}}),))
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert proc.returncode == 1 and f"{forged}: has no signature" in proc.stdout


def test_the_projects_code_with_another_key_refuses_to_write(copy, monkeypatch):
    path, _ = copy
    monkeypatch.setenv("POS_RETURNS_KEY", os.urandom(32).hex())
    with st.open_store(path, create=False) as store:
        c = h.counter(store)
        pending = c.prepare(h.signed_in(c), c.lookup(h.BULK), h.return_request())
        before = st.count(store, "journal")
        with pytest.raises(st.KeyNotKnown) as info:
            c.commit(pending)
        assert st.count(store, "journal") == before
    assert "journal new-key --register R1" in str(info.value)


def test_a_full_recompute_of_the_later_hashes_is_caught(copy, tmp_path):
    path, txnos = copy
    conn = h.raw(path)
    h.drop_triggers(conn)
    target = txnos[1]
    payload = json.loads(conn.execute("SELECT payload FROM journal WHERE txno = ?", (target,)).fetchone()[0])
    payload["journal_tenders"][0]["amount"] += 5000
    conn.execute("UPDATE journal SET payload = ? WHERE txno = ?", (st.canonical(payload), target))
    conn.execute("UPDATE journal_tenders SET amount = amount + 5000 WHERE txno = ?", (target,))
    prev = st.GENESIS
    for row in rows(conn, "SELECT * FROM journal WHERE register = 'R1' ORDER BY seq"):
        new = st.entry_hash(row, prev)
        conn.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE txno = ?", (prev, new, row["txno"]))
        prev = new
    conn.close()
    with st.open_store(path, create=False) as store:
        problems = st.verify_journal(store)
    rewritten = [p.txno for p in problems if p.kind == "signature"]
    assert rewritten == txnos[1:], [str(p) for p in problems]
    assert not [p for p in problems if p.kind in ("edited", "inserted")]  # the chain itself is consistent
    # ... and copying the new hashes into the signatures table breaks the signatures instead
    conn = h.raw(path)
    for t in txnos[1:]:
        conn.execute("UPDATE signatures SET hash = (SELECT hash FROM journal WHERE txno = ?) WHERE txno = ?", (t, t))
    conn.close()
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert proc.returncode == 1
    for t in txnos[1:]:
        assert f"{t}: its signature" in proc.stdout and "does not verify" in proc.stdout


def _swap_key(path: Path) -> bytes:
    """What a forger with the file does: a key of their own in register_keys, every signature made again."""
    mallory = Ed25519PrivateKey.generate()
    pub = mallory.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    conn = h.raw(path)
    h.drop_triggers(conn)
    conn.execute("UPDATE register_keys SET public_key = ?, fingerprint = ? WHERE signer = 'R1'",
                 ("ed25519:" + b64url(pub), fingerprint(pub)))
    for s in rows(conn, "SELECT * FROM signatures WHERE signer = 'R1'"):
        conn.execute("UPDATE signatures SET signature = ?, fingerprint = ? WHERE txno = ?",
                     (b64url(mallory.sign(statement(s))), fingerprint(pub), s["txno"]))
    conn.close()
    return pub


def test_a_public_key_swapped_in_the_database_is_caught_given_the_auditors_key(copy, tmp_path):
    path, _ = copy
    mallory = _swap_key(path)
    assert verify(path).returncode == 0  # the file agrees with itself: this is why the key must come from outside
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert proc.returncode == 1, proc.stdout
    assert f"register R1: the database names key {fingerprint(mallory)}" in proc.stdout
    assert "not one of the given public keys" in proc.stdout


def test_a_removed_signature_and_a_bad_key_file_are_named(copy, tmp_path):
    path, txnos = copy
    conn = h.raw(path)
    h.drop_triggers(conn)
    conn.execute("DELETE FROM signatures WHERE txno = ?", (txnos[2],))
    conn.close()
    proc = verify(path)
    assert proc.returncode == 1
    assert f"{txnos[2]}: has no signature" in proc.stdout
    assert "is missing (removed)" in proc.stdout
    empty = tmp_path / "empty.pub"
    empty.write_text("nothing here\n")
    out = h.usage_error(verify(path, "--public-key", str(empty)))
    assert "no public key" in out


# ----------------------------------------------------------------------------- item 3: the receipt's QR code

def _qr_text(pdf: Path, tmp_path: Path) -> str:
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page")], check=True)
    page = sorted(tmp_path.glob("page*.png"))[0]
    out = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_receipts_qr_code_verifies_offline_and_a_changed_total_does_not(copy, tmp_path):
    need_tool("zbarimg", "zbar-tools")  # skips without them, fails under CI=true
    need_tool("pdftoppm", "poppler-utils")
    path, txnos = copy
    pdf = tmp_path / "receipt.pdf"
    h.ok(h.run_cli("paperwork", txnos[0], "--doc", "receipt", "--lang", "cs", "--out", str(pdf), "--db", str(path)))
    text = _qr_text(pdf, tmp_path)
    fields = text.split(";")
    with h.raw(path) as conn:
        entry = rows(conn, "SELECT * FROM journal WHERE txno = ?", (txnos[0],))[0]
    assert fields[:4] == ["POSR1", "0001", "R1", txnos[0]]
    assert fields[5] == str(entry["refund_total"]) and fields[6] == entry["currency"]
    keyfile = str(auditor_file(tmp_path, register_public("R1")))
    out = h.ok(h.run_cli("verify-receipt", text, "--public-key", keyfile))
    assert out.startswith("valid:") and txnos[0] in out
    changed = ";".join(fields[:5] + [str(entry["refund_total"] + 10000)] + fields[6:])
    proc = h.run_cli("verify-receipt", changed, "--public-key", keyfile)
    assert proc.returncode == 1 and proc.stdout.startswith("NOT VALID"), proc.stdout
    other = str(auditor_file(tmp_path, public_of(os.urandom(32)), name="other.pub"))
    assert h.run_cli("verify-receipt", text, "--public-key", other).returncode == 1
    assert "not a pos-returns receipt code" in h.usage_error(h.run_cli("verify-receipt", "hello", "--public-key",
                                                                       keyfile))


# ----------------------------------------------------------------------------- item 4: key changes

def _manager_new_key(path: Path, register: str, reason: str):
    return h.run_cli("journal", "new-key", "--db", str(path), "--register", register, "--manager", "m1",
                     "--reason", reason, stdin=h.PIN["m1"] + "\n")


def test_a_key_change_is_approved_by_a_manager_and_signed_by_the_old_key(tmp_path):
    path = h.fresh_db(tmp_path)
    h.record_returns(path, 2, register="RK1")
    old = register_public("RK1")
    out = h.ok(_manager_new_key(path, "RK1", "scheduled change"))
    assert "signed by the old key" in out
    new = register_public("RK1")
    assert new != old and stat.S_IMODE(key_file("RK1").stat().st_mode) == 0o600
    h.record_returns(path, 2, register="RK1")
    with h.raw(path) as conn:
        sigs = rows(conn, "SELECT * FROM signatures WHERE signer = 'RK1' ORDER BY counter")
        change = rows(conn, "SELECT * FROM events WHERE kind = 'key_change'")
    assert [signature_valid(old, s) for s in sigs] == [True, True, False, False]
    assert [signature_valid(new, s) for s in sigs] == [False, False, True, True]
    assert change and change[0]["actor"] == "m1"
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, old)))  # the auditor had the old key only
    assert proc.returncode == 0, proc.stdout
    assert f"key {fingerprint(old)}" in proc.stdout and "signs #1..#2" in proc.stdout
    assert f"key {fingerprint(new)}" in proc.stdout and "signs #3..#4" in proc.stdout
    assert "handed over by a trusted key" in proc.stdout


def test_a_lost_key_needs_a_manager_and_the_auditor_needs_the_new_key(tmp_path):
    path = h.fresh_db(tmp_path)
    h.record_returns(path, 1, register="RK2")
    old = register_public("RK2")
    key_file("RK2").unlink()  # the till was replaced: its key is gone
    with st.open_store(path, create=False) as store:
        c = h.counter(store, "RK2")
        with pytest.raises(st.KeyNotKnown):
            c.commit(c.prepare(h.signed_in(c), c.lookup(h.BULK), h.return_request()))
    out = h.ok(_manager_new_key(path, "RK2", "till replaced"))
    assert "NOT signed by the old key" in out
    new = register_public("RK2")
    h.record_returns(path, 1, register="RK2")
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, old)))
    assert proc.returncode == 1 and f"names key {fingerprint(new)}" in proc.stdout
    assert verify(path, "--public-key", str(auditor_file(tmp_path, old, new))).returncode == 0


def test_a_cashier_cannot_approve_a_key_change(tmp_path):
    path = h.fresh_db(tmp_path)
    proc = h.run_cli("journal", "new-key", "--db", str(path), "--register", "RK3", "--manager", "c1",
                     "--reason", "x", stdin=h.PIN["c1"] + "\n")
    assert "not a manager" in h.usage_error(proc)


# ----------------------------------------------------------------------------- keys on paper and in exports

def test_the_day_report_and_the_export_carry_the_public_key(copy, tmp_path):
    path, _ = copy
    pdf = tmp_path / "day.pdf"
    h.ok(h.run_cli("report-day", "--db", str(path), "--date", h.TODAY.isoformat(), "--lang", "en", "--out", str(pdf)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    public = register_public("R1")
    assert fingerprint(public) in text
    out = tmp_path / "export"
    h.ok(h.run_cli("journal", "export", "--db", str(path), "--out", str(out)))
    assert f"ed25519:{b64url(public)}" in (out / "public-keys.txt").read_text()
    # the export's key file is what verify takes from the auditor
    assert verify(path, "--public-key", str(out / "public-keys.txt")).returncode == 0
    sums = (out / "SHA256SUMS").read_text()
    assert "signatures.jsonl" in sums and "public-keys.txt" in sums


# ----------------------------------------------------------------------------- sealed staff rows

def test_a_pin_hash_replaced_in_the_file_is_refused(copy):
    from pos_returns.security import hash_pin
    from pos_returns.services.counter import AuthError
    path, _ = copy
    conn = h.raw(path)
    conn.execute("UPDATE staff SET pin_hash = ? WHERE id = 'm2'", (hash_pin("0000"),))
    conn.close()
    with st.open_store(path, create=False) as store:
        c = h.counter(store)
        with pytest.raises(AuthError) as info:
            c.sign_in("m2", "0000")
        assert "m2" in str(info.value) and "seal" in str(info.value)
        pending = c.prepare(h.signed_in(c), c.lookup(h.BULK), h.return_request())
        with pytest.raises(AuthError):
            c.approve(pending, "m2", "0000", h.REASON)
        events = [e for e in st.events_of(store, "pin_failed") if e["actor"] == "m2"]
    assert events and "seal" in json.loads(events[-1]["detail"])["why"]


def test_a_role_raised_in_the_file_is_refused(copy):
    from pos_returns.services.counter import AuthError
    path, _ = copy
    conn = h.raw(path)
    conn.execute("UPDATE staff SET role = 'manager' WHERE id = 'c2'")
    conn.close()
    with st.open_store(path, create=False) as store:
        with pytest.raises(AuthError):
            h.counter(store).sign_in("c2", h.PIN["c2"])


def test_an_older_file_is_upgraded_with_its_staff_sealed_and_its_entries_covered(copy, tmp_path):
    """A file of the schema before signing (entries and staff, no signatures): the upgrade seals the staff rows, the entries
    already there are covered by the first signed one; an unsigned entry written after it is named."""
    assert SIGNING_UPGRADE == st.SCHEMA_VERSION - 1, "undo the upgrades after the signing one here too"
    path, txnos = copy
    conn = h.raw(path)
    h.drop_triggers(conn)
    conn.executescript("DROP TABLE signatures; DROP TABLE register_keys; ALTER TABLE staff DROP COLUMN seal; "
                       f"PRAGMA user_version = {SIGNING_UPGRADE};")  # its signing_key event stays
    conn.close()
    shutil.copyfile(path, tmp_path / "older.db")
    with st.open_store(path, create=False) as store:  # the upgrade
        c = h.counter(store)
        member = c.sign_in("c1", h.PIN["c1"])  # the staff rows were sealed by the migration
        new = c.commit(c.prepare(member, c.lookup(h.BULK), h.return_request())).txno
        h.checkpoint(store)
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert proc.returncode == 0, proc.stdout
    assert f"{N} entries from before the journal was signed" in proc.stdout
    with h.raw(path) as conn:
        assert rows(conn, "SELECT txno FROM signatures")[0]["txno"] == new
    # an old file verified read-only says it is not signed yet and, with a key, that there is nothing to check
    old = verify(tmp_path / "older.db", "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert old.returncode == 1 and "holds no signatures" in old.stdout
    # upgraded but nothing signed since: nothing covers those entries, which the auditor is told
    st.open_store(tmp_path / "older.db", create=False).close()
    old = verify(tmp_path / "older.db", "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert old.returncode == 1 and "the register has signed nothing since" in old.stdout
    assert verify(tmp_path / "older.db").returncode == 0


def test_an_export_rewritten_with_new_hashes_and_checksums_is_caught_by_its_signatures(copy, tmp_path):
    from pos_returns.manager.export import verify_export
    path, txnos = copy
    out = tmp_path / "export"
    h.ok(h.run_cli("journal", "export", "--db", str(path), "--out", str(out)))
    auditor = [register_public("R1")]
    assert verify_export(out, auditor) == []
    # the forger raises one refund, recomputes every later hash and SHA256SUMS: the unkeyed checks all pass
    records = [json.loads(x) for x in (out / "journal.jsonl").read_text().splitlines()]
    prev = {}
    for r in records:
        if r["txno"] == txnos[1]:
            r["refund_total"] += 5000
        r["prev_hash"] = prev.get(r["register"], st.GENESIS)
        r["hash"] = st.entry_hash(r, r["prev_hash"])
        prev[r["register"]] = r["hash"]
    (out / "journal.jsonl").write_text("".join(st.canonical(r) + "\n" for r in records))
    sums = [f"{hashlib.sha256((out / n).read_bytes()).hexdigest()}  {n}" for n in
            ("journal.jsonl", "events.jsonl", "signatures.jsonl", "register-keys.jsonl", "public-keys.txt",
             "manifest.json")]
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    problems = verify_export(out, auditor)
    assert not [p for p in problems if "SHA256SUMS" in p or "does not verify" in p and "journal.jsonl" in p]
    named = {t for t in txnos if any(f"{t}: the signature states another hash" in p for p in problems)}
    assert named == set(txnos[1:]), problems


@pytest.mark.parametrize("form", ["hex", "file"])
def test_pos_returns_key_gives_the_key(tmp_path, monkeypatch, form):
    seed = os.urandom(32)
    if form == "hex":
        monkeypatch.setenv("POS_RETURNS_KEY", seed.hex())
    else:
        keyfile = tmp_path / "till.key"
        keyfile.write_text(seed.hex() + "\n")
        monkeypatch.setenv("POS_RETURNS_KEY", str(keyfile))
    path = h.fresh_db(tmp_path)
    register = f"RKE{form}"
    h.record_returns(path, 1, register=register)
    assert not key_file(register).exists()  # nothing made in the config folder
    with h.raw(path) as conn:
        sig = rows(conn, "SELECT * FROM signatures WHERE signer = ?", (register,))[0]
    assert signature_valid(public_of(seed), sig)


def test_garbage_written_into_the_signature_tables_is_named_not_a_traceback(copy, tmp_path):
    path, txnos = copy
    conn = h.raw(path)
    h.drop_triggers(conn)
    conn.execute("UPDATE signatures SET signature = '%%%', store = 7 WHERE txno = ?", (txnos[0],))
    conn.execute("UPDATE register_keys SET old_key_signature = '!!' WHERE signer = 'R1'")
    conn.execute("INSERT INTO register_keys (signer, from_counter, public_key, fingerprint, at) "
                 "VALUES ('R1', 99, 'ed25519:@@@', 'x', '2026-01-01T00:00:00')")
    conn.close()
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert proc.returncode == 1
    assert f"{txnos[0]}: its signature #1 does not verify" in proc.stdout
    assert "register R1: the database names key x" in proc.stdout


def test_training_entries_on_their_own_chain_are_signed_and_verify(copy, tmp_path):
    """Training numbers itself apart (R1-TRAIN) but signs with the register's key: verify names nothing."""
    path, txnos = copy
    store = st.open_store(path)
    try:
        c = h.counter(store, "R1")
        c.training = True
        pending = c.prepare(h.signed_in(c), c.lookup(h.BULK), h.return_request())
        trained = c.commit(pending).txno
        c.training = False
        real = c.commit(c.prepare(h.signed_in(c), c.lookup(h.BULK), h.return_request())).txno
        h.checkpoint(store)
    finally:
        store.close()
    assert "-R1-TRAIN-" in trained and real.endswith(f"{int(txnos[-1].rsplit('-', 1)[1]) + 1:06d}")
    with h.raw(path) as conn:
        sig = rows(conn, "SELECT * FROM signatures WHERE txno = ?", (trained,))[0]
    assert sig["signer"] == "R1" and signature_valid(register_public("R1"), sig)
    proc = verify(path, "--public-key", str(auditor_file(tmp_path, register_public("R1"))))
    assert proc.returncode == 0, proc.stdout + proc.stderr
