"""The local database, one name space for its callers: ``from pos_returns.storage import store as st``.

The code lives in the modules beside this one, by what they hold:

- :mod:`.db`: where the file lives, schema and upgrades, the connection and its write transactions, errors;
- :mod:`.values`: how values are written (canonical JSON, minor units, ISO times, customer ID keys);
- :mod:`.sales`: sales as the engine sees them, prices, SKU facts and the bulk inserts of an import;
- :mod:`.journal`: the append-only journal (hash chain, day closings, events);
- :mod:`.verify`: ``journal verify``, of an open database or of a file opened read-only;
- :mod:`.signatures`: the entries' signatures and the registers' signing keys;
- :mod:`.staff`: staff (sealed rows), PIN state and approvals;
- :mod:`.policies`: every policy version the store loaded;
- :mod:`.reports`: the queries behind the manager's reports, complaints and training.

They are the only modules that write SQL.
"""

from __future__ import annotations

from pos_returns.storage.db import (  # noqa: F401
    APP_DIR_NAME, APPEND_ONLY_TABLES, BUSY_TIMEOUT_MS, DEMO_COMPLETE_SETTING, DEMO_SETTING, MIGRATIONS, SCHEMA_VERSION, SIGNATURE_TABLES,
    Conflict,
    Database, DatabaseBusy, DayClosed, NewerDatabase, NotFound, ReadOnlyDatabase, StorageFull, StoreError,
    _connect, _statements, _translate, count, default_db_path, mark_demo, open_store, resolve_db_path)
from pos_returns.storage.journal import (  # noqa: F401
    _HASHED, DAY_REGISTER, GENESIS, JournalEntry, all_events, all_journal, append_entry, corrected_by,
    business_day_of, current_business_day, customer_returns, day_figures, entry_hash, events_of, get_entry,
    last_closed_day, last_event, log_event,
    record_event, refunded_by_tender, returned_quantities)
from pos_returns.storage.policies import (  # noqa: F401
    add_policy_version, policy_version_names, policy_versions)
from pos_returns.storage.reports import (  # noqa: F401
    REAL_KINDS, complaint_counts, day_closings, entries_of_day, insert_complaint, list_complaints,
    no_receipt_by_cashier_customer, pin_trouble_by_actor, real_entries, recent_real_entries, report_entries, report_lines,
    report_tenders, reprints_by_actor, sales_total)
from pos_returns.storage.sales import (  # noqa: F401
    any_sale_currency, department_counts, existing_receipts, find_import, find_product, insert_customers, insert_import,
    insert_price_history, insert_products, insert_sales, load_sale, lowest_price, sale_customer, sku_facts)
from pos_returns.storage.staff import (  # noqa: F401
    approval_managers, get_approval, get_staff, insert_approval, insert_staff, list_staff, pin_state,
    seal_matches, set_pin_state, staff_row, staff_seal, use_approval)
from pos_returns.storage.signatures import (  # noqa: F401
    KeyNotKnown, add_key, all_signatures, current_key, key_rows, signature_of, signing_began)
from pos_returns.storage.values import (  # noqa: F401
    canonical, hash_customer_id, id_last4, iso, legacy_customer_key, minor)
from pos_returns.storage.verify import VerifyProblem, verify_file, verify_journal  # noqa: F401
