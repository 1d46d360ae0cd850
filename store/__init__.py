"""DuckDB storage: schema migrations (store/migrations/*.sql), connection set-up and the single writer."""
from store.db import connect, migrate, DEFAULT_DB

__all__ = ["connect", "migrate", "DEFAULT_DB"]
