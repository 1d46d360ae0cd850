"""DuckDB storage: schema migrations (store/migrations/*.sql), connection set-up and the single writer."""
from store.db import DEFAULT_DB, DatabaseBusy, DatabaseError, connect, connect_waiting, migrate, publish_snapshot, snapshot_path

__all__ = ["connect", "connect_waiting", "migrate", "publish_snapshot", "snapshot_path", "DatabaseBusy", "DatabaseError", "DEFAULT_DB"]
