"""The chain's central PostgreSQL (psycopg 3): its schema, the sync of each till's outbox, the chain-wide
claims on a receipt's units and tenders, and the chain's reports. The only PostgreSQL SQL of the project.

Each till's SQLite file stays the source of truth for what it recorded; the central database is where the
tills of every store meet: what was sold anywhere, what was returned anywhere, every journal entry once.
"""

from pos_returns.storage.central.schema import (  # noqa: F401
    CENTRAL_SCHEMA_VERSION, CentralError, CentralUnreachable, NewerCentral, central_version, connect, init_central,
    using)
from pos_returns.storage.central.sync import (  # noqa: F401
    SyncResult, check_arrival, sync_till, till_id)
from pos_returns.storage.central.claims import (  # noqa: F401
    central_customer_returns, central_sale, release_claims, reserve_claims)
from pos_returns.storage.central.signed import confirm_key  # noqa: F401
from pos_returns.storage.central.reports import chain_conflicts, chain_report  # noqa: F401
