"""The back office's use-cases on one database: what the command line (and any other front end) does with a
store besides the counter itself -- create it, fill it with a demo store, import the till's sales, staff,
verify and export the journal, paperwork, reports, what-if, the day's close and complaints.

Front ends call these and never the storage layer: they name a database (``--db``, ``POS_RETURNS_DB`` or the
user's data folder), open an :class:`Office` on it and call its methods. Opening the file is the one storage
call made here; everything else goes through the counter, manager and documents layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from pos_returns.domain.policy import Policy
from pos_returns.i18n import N_
from pos_returns.services.counter import Clock, Counter, Session, StaffMember, system_clock
from pos_returns.storage import store as st
from pos_returns.storage.store import StoreError  # what these raise for a missing, newer or busy file

__all__ = ["Created", "Office", "StoreError", "check_receipt", "database_path", "init_database", "verify_journal"]


def database_path(db: str | Path | None) -> Path:
    """The database file: ``db`` if given, else ``$POS_RETURNS_DB``, else the user's data folder."""
    return st.resolve_db_path(None if db is None else str(db))


@dataclass(frozen=True)
class Created:
    path: Path
    existed: bool  # the file was there before (and was opened, upgraded if it was older)
    schema: int
    store: str | None = None  # the till's store and region, when its settings name them
    region: str | None = None


def init_database(db: str | Path | None, *, store: str | None = None, region: str | None = None) -> Created:
    """Create (or upgrade) the database; a file from a newer version is refused (StoreError). ``store`` and
    ``region`` say which store of a chain this till is (kept in its settings; see services.location)."""
    from pos_returns.services.location import set_location
    path = database_path(db)
    existed = path.exists()
    with st.open_store(path, create=True) as opened:  # leaves the file at this version's schema or refuses it
        location = set_location(opened, store, region)
    return Created(path, existed, st.SCHEMA_VERSION, location.store_id if location else None,
                   location.region if location else None)


def check_receipt(text: str, public_keys: list[bytes] | None = None, store: Any = None):
    """A receipt's QR text checked offline against ``public_keys`` (services.signing_keys.check_receipt)."""
    from pos_returns.services.signing_keys import check_receipt as check
    return check(text, public_keys, store)


def verify_journal(db: str | Path | None, *, public_keys: list[bytes] | None = None,
                   report: list[str] | None = None, central: str | None = None) -> tuple[int, list[Any]]:
    """(entries, problems) of the journal, read only: the check never writes to what it checks. Signatures
    are checked against ``public_keys`` (the auditor's), else against the keys the file names (proves less);
    the key periods and what was proven go to ``report``. ``central``: also against what the chain's central
    database holds from this till (a rolled-back till is named)."""
    return st.verify_file(database_path(db), public_keys=public_keys, report=report, central=central)


class Office:
    """One open database for the back-office use-cases. Use as a context manager (closes the file)."""

    def __init__(self, store: st.Database, clock: Clock = system_clock, central: str | None = None):
        self._store = store
        self.clock = clock
        self.central = central  # the chain's central database (services.chain), or None: the till works alone

    @classmethod
    def open(cls, db: str | Path | None, *, create: bool = False, clock: Clock = system_clock,
             central: str | None = None) -> "Office":
        return cls(st.open_store(database_path(db), create=create), clock, central)

    @property
    def path(self) -> Path:
        return self._store.path

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> "Office":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the counter and staff -----------------------------------------------------------------------------
    def counter(self, policy: Policy, *, register: str = "R1", training: bool = False) -> Counter:
        if self.central:
            from pos_returns.services.chain import ChainCounter
            return ChainCounter(self._store, policy, central_url=self.central, register=register, clock=self.clock,
                                training=training)
        return Counter(self._store, policy, register=register, clock=self.clock, training=training)

    def chain_conflicts(self) -> list[dict[str, Any]]:
        """The conflicts this till's syncs found (``chain_conflict`` events), oldest first."""
        import json
        return [dict(json.loads(e["detail"]), at=e["at"]) for e in st.events_of(self._store, "chain_conflict")]

    def sync(self, policy: Policy, batch: int | None = None):
        """``sync``: this till's outbox to the chain's central database (services.chain.sync)."""
        from pos_returns.services import chain
        if not self.central:
            raise StoreError(N_("No central database: give --central URL or set POS_RETURNS_CENTRAL."))
        return chain.sync(self._store, policy, self.central, batch or chain.central.sync.BATCH, now=self.clock())

    def keep_versions(self, policies: list[Policy], actor: str | None) -> list[bool]:
        """Keep each policy as a version of this store's policy (not put in use); per policy: was it new."""
        from pos_returns.services.versions import keep_version
        return [keep_version(self._store, p, actor, self.clock(), "cli") for p in policies]
    def unnamed_departments(self, policy: Policy) -> list:
        """The categories and tags of this store's sales that no rule of ``policy`` names (services.coverage)."""
        from pos_returns.services import coverage
        return coverage.unnamed_in_database(policy, self._store)

    def note_policy(self, policy: Policy, actor: str | None) -> bool:
        """Record that ``policy`` is in use here (an event, when it differs from the last one used)."""
        from pos_returns.services.counter import note_policy
        return note_policy(self._store, policy, actor, self.clock(), "cli")

    def check_pin(self, policy: Policy, staff_id: str, pin: str, purpose: str, *, register: str = "R1") -> Session:
        return self.counter(policy, register=register).check_pin(staff_id, pin, purpose)

    def add_staff(self, policy: Policy, staff_id: str, name: str, role: str, pin: str) -> StaffMember:
        return self.counter(policy).add_staff(staff_id, name, role, pin)

    def staff(self) -> list[dict[str, Any]]:
        """Every staff member: id, name, role, active, failed, locked_until."""
        return st.list_staff(self._store)

    # -- filling a database --------------------------------------------------------------------------------
    def build_demo(self, policy: Policy, *, today: date, receipts: int, seed: int,
                   progress: Callable[[int, int], None] | None = None):
        from pos_returns.services import demo
        return demo.build_demo(self._store, policy, today=today, receipts=receipts, seed=seed, progress=progress)

    def import_sales(self, policy: Policy, file: str | Path):
        """Import the till's sales (CSV or JSON); importer.SalesImportError lists every problem, nothing added."""
        from pos_returns.services.importer import import_file
        return import_file(self._store, policy, file, self.clock())

    # -- the journal ---------------------------------------------------------------------------------------
    def export_journal(self, out: Path) -> dict:
        from pos_returns.manager.export import export_journal
        return export_journal(self._store, Path(out), self.clock())

    def change_key(self, register: str, manager: Session, reason: str):
        """A manager-approved new signing key for ``register`` (services.signing_keys.change_key)."""
        from pos_returns.services.signing_keys import change_key
        return change_key(self._store, register, manager, reason, self.clock())

    def check_receipt(self, text: str):
        """A receipt's QR text checked against the register's key that this database names (proves less)."""
        return check_receipt(text, None, self._store)

    # -- paperwork -----------------------------------------------------------------------------------------
    def render_document(self, txno: str, kind: str, lang: str, *, reprint: bool = False, actor: str | None = None,
                        locale: str | None = None, font: str | None = None):
        from pos_returns.services import paperwork as printing
        return printing.render_document(self._store, txno, kind, lang, reprint=reprint, actor=actor,
                                        now=self.clock(), locale=locale, font=font)

    def render_day_report(self, day: date, lang: str, *, locale: str | None = None, font: str | None = None):
        from pos_returns.services import paperwork as printing
        return printing.render_day_report(self._store, day, lang, locale=locale, font=font)

    # -- the manager's work --------------------------------------------------------------------------------
    def report(self, policy: Policy, start: date, end: date):
        from pos_returns.manager import reports
        return reports.build_report(self._store, policy, start, end)

    def exception_report(self, policy: Policy, start: date, end: date):
        from pos_returns.manager import reports
        return reports.exception_report(self._store, policy, start, end)

    def what_if(self, new_policy: Policy, start: date | None, end: date | None, *, source: str | None = None,
                progress=None, workers: int = 1):
        """Replay past returns under ``new_policy`` (read from the file named ``source``); the run is recorded as
        a 'whatif' event. ``progress(done, total)`` as it goes; ``workers`` processes for a large journal."""
        from pos_returns.manager import reports
        result = reports.what_if(self._store, new_policy, start, end, progress=progress, workers=workers)
        st.record_event(self._store, self.clock(), "whatif", None, policy=source or new_policy.path,
                        sha256=new_policy.sha256, changed=len(result.changed))
        return result

    def close_day(self, policy: Policy, day: date, manager: Session) -> st.JournalEntry:
        from pos_returns.manager import reports
        return reports.close_day(self._store, policy, day, manager.id, self.clock(), register=manager.register)

    def log_complaint(self, *, logged_by: str, kind: str, category: str, severity: int, text: str,
                      txno: str | None = None, resolution: str | None = None, follow_up: date | None = None) -> int:
        from pos_returns.manager import reports
        return reports.log_complaint(self._store, at=self.clock(), logged_by=logged_by, kind=kind, category=category,
                                     severity=severity, text=text, txno=txno, resolution=resolution,
                                     follow_up=follow_up)

    def complaints(self, start: date, end: date) -> list[dict[str, Any]]:
        """Complaints and compliments logged from ``start`` to ``end`` (both days included)."""
        from datetime import timedelta
        return st.list_complaints(self._store, start.isoformat(), (end + timedelta(days=1)).isoformat())

