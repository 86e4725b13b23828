"""``journal export``: the journal as files an auditor can check without the app.

``journal.jsonl`` holds one entry per line with every hashed field, ``prev_hash`` and ``hash``; each
entry's hash is ``sha256(prev_hash + canonical JSON of the hashed fields)`` (keys sorted, no spaces,
UTF-8), starting from 64 zeros per register. ``manifest.json`` gives the rule, the count and the last
hash per register; ``SHA256SUMS`` lists every file in ``sha256sum -c`` format. Every policy version the store
kept is written as ``policy-<sha256>.toml`` (its text hashes to the ``policy_sha256`` of the entries it
decided) and listed in the manifest with its version name, first day and when, by whom and how it was loaded.
``signatures.jsonl`` holds each entry's Ed25519 signature, ``register-keys.jsonl`` and ``public-keys.txt`` the
registers' public keys and their changes (SHA256SUMS is an unkeyed checksum; the signatures are what an auditor
can trust).
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
    signatures = st.all_signatures(store)
    write_output(out / "signatures.jsonl", "".join(st.canonical(s) + "\n" for s in signatures))
    key_rows = st.key_rows(store)
    write_output(out / "register-keys.jsonl", "".join(st.canonical(k) + "\n" for k in key_rows))
    write_output(out / "public-keys.txt", "# register  fingerprint  public key  (first signature it signs)\n" + "".join(
        f"{k['signer']}  {k['fingerprint']}  {k['public_key']}  #{k['from_counter']}\n" for k in key_rows))
    versions = st.policy_versions(store)
    policy_files = []
    for v in versions:
        name = f"policy-{v['sha256']}.toml"
        write_output(out / name, v["text"])
        policy_files.append(name)
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
        "signatures": len(signatures),
        "signature_rule": "Ed25519 over the UTF-8 text POSR1|store|register|txno|at|total|currency|signer|counter|hash "
                          "(total: refund total in minor units; signer: the register whose key signed; counter: its "
                          "gapless signature number); public keys in public-keys.txt as ed25519:<base64url>",
        "register_keys": {k["signer"]: {"fingerprint": k["fingerprint"], "public_key": k["public_key"],
                                        "from_counter": k["from_counter"]} for k in key_rows},
        "policy_versions": [{"file": f"policy-{v['sha256']}.toml",
                             **{k: v[k] for k in ("sha256", "version", "effective_from", "applies_to_earlier_sales",
                                                  "path", "loaded_at", "loaded_by", "how")}} for v in versions],
    }
    write_output(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    sums = []
    for name in ("journal.jsonl", "events.jsonl", "signatures.jsonl", "register-keys.jsonl", "public-keys.txt",
                 *policy_files, "manifest.json"):
        sums.append(f"{hashlib.sha256((out / name).read_bytes()).hexdigest()}  {name}")
    write_output(out / "SHA256SUMS", "\n".join(sums) + "\n")
    st.record_event(store, now, "export", None, folder=str(out), entries=len(rows))
    return manifest


def verify_export(folder: Path, public_keys: list[bytes] | None = None) -> list[str]:
    """Check an export the way an auditor would: sums, the hash chain of every register, then every entry's
    signature, against ``public_keys`` (the auditor's) or else the keys the export itself names."""
    problems = []
    records = []
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
        records.append(record)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for v in manifest.get("policy_versions", []):
        raw = (folder / v["file"]).read_bytes()
        if v["sha256"] not in (hashlib.sha256(raw).hexdigest(), hashlib.sha256(b"\xef\xbb\xbf" + raw).hexdigest()):
            problems.append(f"{v['file']}: the text is not the policy {v['sha256'][:12]} the journal names")
    if (folder / "signatures.jsonl").exists():
        problems.extend(_export_signatures(folder, records, public_keys))
    return problems


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _export_signatures(folder: Path, records: list[dict], public_keys: list[bytes] | None) -> list[str]:
    """Each entry of the export signed (or from before signing began), each signature valid under its key."""
    from pos_returns import signing
    problems = []
    keys: dict[str, list[tuple[int, bytes]]] = {}
    for k in _jsonl(folder / "register-keys.jsonl"):
        keys.setdefault(k["signer"], []).append((k["from_counter"], signing.unb64url(k["public_key"].split(":")[1])))
    began: dict[str, int] = {}
    for e in _jsonl(folder / "events.jsonl"):
        if e["kind"] == "signing_began" and not began:
            began = json.loads(e["detail"]).get("heads", {})
    sigs = {s["txno"]: s for s in _jsonl(folder / "signatures.jsonl")}
    for record in records:
        s = sigs.get(record["txno"])
        if s is None:
            if record["seq"] > began.get(record["register"], 0):
                problems.append(f"journal.jsonl: {record['txno']} has no signature")
            continue
        if s["hash"] != record["hash"]:
            problems.append(f"signatures.jsonl: {record['txno']}: the signature states another hash")
        statement = signing.Statement(s["store"], s["register"], s["txno"], s["at"], s["total"], s["currency"],
                                      s["signer"], s["counter"], s["hash"])
        period = [pub for first, pub in sorted(keys.get(s["signer"], [])) if first <= s["counter"]][-1:]
        candidates = public_keys if public_keys is not None else period
        if not any(signing.check(pub, signing.unb64url(s["signature"]), statement.message()) for pub in candidates):
            problems.append(f"signatures.jsonl: {record['txno']}: the signature does not verify")
    return problems
