"""``journal export``: the journal as files an auditor can check without the app.

``journal.jsonl`` holds one entry per line with every hashed field, ``prev_hash`` and ``hash``; each
entry's hash is ``sha256(prev_hash + canonical JSON of the hashed fields)`` (keys sorted, no spaces,
UTF-8), starting from 64 zeros per register. ``manifest.json`` gives the rule, the count and the last
hash per register; ``SHA256SUMS`` lists every file in ``sha256sum -c`` format.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from pos_returns.storage import store as st
from pos_returns.files import failure, remove, write_output


def export_journal(store: st.Database, out: Path, now: datetime) -> dict:
    """Write the export; on a full disk (or any write failure) raise files.WriteFailed and leave no
    manifest.json or SHA256SUMS in ``out``: an export without them does not claim to be complete."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise failure(out, exc) from None
    remove(out / "SHA256SUMS")  # an earlier export's claims go first; they are written again last
    remove(out / "manifest.json")
    rows = st.all_journal(store)
    heads: dict[str, dict] = {}
    lines = []
    for row in rows:
        record = {k: row[k] for k in st._HASHED + ("prev_hash", "hash")}
        if row["business_day"] is not None:  # hashed when the entry recorded one (schema 5 on)
            record["business_day"] = row["business_day"]
        lines.append(st.canonical(record) + "\n")
        heads[row["register"]] = {"entries": row["seq"], "last_txno": row["txno"], "last_hash": row["hash"]}
    write_output(out / "journal.jsonl", "".join(lines))
    events = st.all_events(store)
    write_output(out / "events.jsonl", "".join(st.canonical(e) + "\n" for e in events))
    manifest = {
        "format": "pos-returns-journal-export/1",
        "exported_at": st.iso(now),
        "database": str(store.path),
        "hash_rule": "hash = sha256(prev_hash + json.dumps({fields}, sort_keys=True, separators=(',', ':'), "
                     "ensure_ascii=False)); first prev_hash = 64 zeros per register",
        "hashed_fields": list(st._HASHED),
        "hashed_when_present": ["business_day"],
        "registers": heads,
        "entries": len(rows),
        "events": len(events),
    }
    write_output(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    sums = []
    for name in ("journal.jsonl", "events.jsonl", "manifest.json"):
        sums.append(f"{hashlib.sha256((out / name).read_bytes()).hexdigest()}  {name}")
    write_output(out / "SHA256SUMS", "\n".join(sums) + "\n")
    st.record_event(store, now, "export", None, folder=str(out), entries=len(rows))
    return manifest


def verify_export(folder: Path) -> list[str]:
    """Check an export the way an auditor would: sums, then the hash chain of every register."""
    problems = []
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest:
            problems.append(f"{name}: does not match SHA256SUMS")
    prev: dict[str, tuple[int, str]] = {}
    for n, line in enumerate((folder / "journal.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        record = json.loads(line)
        seq0, hash0 = prev.get(record["register"], (0, st.GENESIS))
        if record["seq"] != seq0 + 1:
            problems.append(f"journal.jsonl:{n}: register {record['register']} jumps from #{seq0} to #{record['seq']}")
        if record["prev_hash"] != hash0 or st.entry_hash(record, record["prev_hash"]) != record["hash"]:
            problems.append(f"journal.jsonl:{n}: {record['txno']} does not verify")
        prev[record["register"]] = (record["seq"], record["hash"])
    return problems
