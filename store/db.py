"""Opening the DuckDB file: offline extensions and ordered, named, recorded migrations."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path

import duckdb

DEFAULT_DB = "claimflow.duckdb"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def extension_path(name: str) -> Path:
    """Path of a DuckDB extension shipped in the PyPI package ``duckdb-extension-<name>``.

    Loading by path writes nothing to the user's home and needs no network.
    """
    package = import_module(f"duckdb_extension_{name}")
    root = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = root / f"{name}.duckdb_extension"
    if not path.exists():
        raise RuntimeError(
            f"DuckDB extension {name!r} for duckdb {duckdb.__version__} not found at {path}; "
            f"install duckdb-extension-{name}=={duckdb.__version__}"
        )
    return path


def load_extensions(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = ("fts", "vss")) -> None:
    for name in names:
        con.execute(f"LOAD '{extension_path(name)}'")


def migrations() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"badly named migration {path.name}: expected NNN_name.sql")
        found.append((int(match.group(1)), match.group(2), path))
    return found


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations in order, each in its own transaction; return the names applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, path in migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text())
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [version, name, datetime.now(timezone.utc).replace(tzinfo=None)],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(f"{version:03d}_{name}")
    return applied


def connect(path: str | Path = DEFAULT_DB, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) a claimflow database, with extensions loaded and schema migrated."""
    path = str(path)
    if read_only:
        if path != ":memory:" and not Path(path).exists():
            raise FileNotFoundError(f"no claimflow database at {path}")
        con = duckdb.connect(path, read_only=True)
        try:
            load_extensions(con)
        except BaseException:
            con.close()
            raise
        return con
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(path)
    try:
        load_extensions(con)
        # Needed to keep (and write to) an HNSW index in a file database; see evidence.index.create_hnsw.
        con.execute("SET hnsw_enable_experimental_persistence = true")
        migrate(con)
    except BaseException:
        con.close()
        raise
    return con
