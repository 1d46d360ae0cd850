"""Opening the DuckDB file: offline extensions and ordered, named, recorded migrations."""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import time
from collections.abc import Callable
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


class DatabaseError(RuntimeError):
    """A file claimflow will not open as its database (not DuckDB, another program's, a newer schema,
    a folder that does not exist). Raised before anything is written: the file is left as it was."""


def _check_schema(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Refuse, before migrating, a database another program made or a newer claimflow wrote."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    if not tables:
        return  # a new database
    if "schema_migrations" not in tables:
        listed = ", ".join(sorted(tables)[:5]) + (" ..." if len(tables) > 5 else "")
        raise DatabaseError(f"{path} is a DuckDB database, but not claimflow's (it has tables {listed} and no "
                            "schema_migrations): claimflow did not touch it; give --db a new file")
    known = {version for version, _, _ in migrations()}
    newer = sorted(v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall() if v not in known)
    if newer:
        raise DatabaseError(f"{path} has schema version {newer[-1]:03d}, newer than this claimflow knows "
                            f"(up to {max(known):03d}): a newer claimflow wrote it. Upgrade claimflow; the file "
                            "was not modified")


def migrate(con: duckdb.DuckDBPyConnection, path: str = "the database") -> list[str]:
    """Apply pending migrations in order, each in its own transaction; return the names applied.
    Raises DatabaseError, having written nothing, for a database another program or a newer
    claimflow made."""
    _check_schema(con, path)
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


LOCK_WAIT_SECONDS = 600.0  # how long a writer waits for another process's lock (CLAIMFLOW_LOCK_WAIT)
_HOLDER = re.compile(r"\(PID (\d+)\)")


class DatabaseBusy(RuntimeError):
    """Another process held the database file's lock for longer than the writer would wait."""


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def lock_holder(exc: BaseException) -> int | None:
    """The PID DuckDB names as holding a file's lock, if it names one."""
    m = _HOLDER.search(str(exc))
    return int(m.group(1)) if m else None


def lock_wait() -> float:
    value = os.environ.get("CLAIMFLOW_LOCK_WAIT", "")
    try:
        return float(value) if value else LOCK_WAIT_SECONDS
    except ValueError:
        raise ValueError(f"CLAIMFLOW_LOCK_WAIT must be a number of seconds, not {value!r}") from None


def connect_waiting(path: str | Path, *, wait: float | None = None,
                    on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """`connect` for writing, waiting while another process holds the file's lock (another run, a
    `claimflow` command, an analyst's session on the main file): polls with a growing pause, tells
    `on_wait` who holds it (at most once a minute), and after `wait` seconds (CLAIMFLOW_LOCK_WAIT,
    default 600) raises DatabaseBusy with what to do. Analysts should open the read snapshot
    (`snapshot_path`), which no run ever locks."""
    wait = lock_wait() if wait is None else wait
    started, pause, told = time.monotonic(), 0.2, -math.inf
    while True:
        try:
            return connect(path)
        except duckdb.IOException as exc:
            if not _locked(exc):
                raise
            waited = time.monotonic() - started
            pid = lock_holder(exc)
            holder = f"PID {pid}" if pid else "another process"
            if waited >= wait:
                raise DatabaseBusy(
                    f"{path} is locked by {holder}; waited {waited:.0f} s (CLAIMFLOW_LOCK_WAIT={wait:g}). DuckDB allows "
                    f"one process on a file being written: if {holder} is a notebook or a `duckdb` shell, open "
                    f"{snapshot_path(path)} there instead (read-only, never locked by runs)") from None
            if on_wait is not None and waited - told >= 60:
                told = waited
                on_wait(f"waiting for the lock on {path} held by {holder} (up to {wait:g} s)")
            time.sleep(min(pause, max(0.0, wait - waited)))
            pause = min(pause * 2, 5.0)


def snapshot_path(path: str | Path) -> Path:
    """The read snapshot of a database: `claimflow.duckdb` -> `claimflow.read.duckdb`."""
    path = Path(path)
    return path.with_name(f"{path.stem}.read{path.suffix or '.duckdb'}")


def publish_snapshot(con: duckdb.DuckDBPyConnection, path: str | Path) -> Path | None:
    """Write the read snapshot of the database `con` has open for writing: checkpoint (the WAL into
    the file), copy the file, and rename the copy over the last snapshot in one step. The writer
    still holds the lock, so the copy is consistent; a reader with the old snapshot open keeps
    reading it (the rename leaves its open file alone) and sees this run's results on reopening."""
    if str(path) == ":memory:":
        return None
    target = snapshot_path(path)
    con.execute("CHECKPOINT")
    # A copy left by a writer killed mid-copy is stale: this writer holds the lock, so no other
    # process is publishing now.
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def failed_runs_path(path: str | Path) -> Path:
    """Where a run that could not open the database leaves its record for the next run to file."""
    path = Path(path)
    return path.with_name(f"{path.stem}.failed-runs.jsonl")


def own_files(path: str | Path | None) -> set[Path]:
    """The files claimflow keeps beside a database: the file and its WAL, the read snapshot and its
    WAL, the failed-run notes. A source folder that holds the database never reads them as documents."""
    if path is None or str(path) == ":memory:":
        return set()
    path = Path(path).absolute()
    snapshot = snapshot_path(path)
    return {path, path.with_name(path.name + ".wal"), snapshot, snapshot.with_name(snapshot.name + ".wal"),
            failed_runs_path(path)}


def note_failed_run(path: str | Path, record: dict) -> None:
    if str(path) == ":memory:":
        return
    with failed_runs_path(path).open("a") as out:
        out.write(json.dumps(record, default=str) + "\n")


def take_failed_runs(path: str | Path) -> list[dict]:
    """The records left by runs that could not open the database, removed from their file."""
    notes = failed_runs_path(path)
    if str(path) == ":memory:" or not notes.exists():
        return []
    records = [json.loads(line) for line in notes.read_text().splitlines() if line.strip()]
    notes.unlink()
    return records


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def check_file(path: str) -> None:
    """Refuse a path that cannot be a claimflow database, before DuckDB opens it: a folder that does
    not exist (a typo would otherwise start an empty database somewhere), a folder given as the
    file, or a file that is not DuckDB (a CSV, a SQLite file, a log)."""
    file = Path(path)
    if not file.parent.is_dir():
        raise DatabaseError(f"the folder of {path} does not exist: create it first (claimflow never creates a "
                            "database in a folder that is not there)")
    if file.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    if file.exists() and file.stat().st_size > 0:
        with open(file, "rb") as f:
            head = f.read(16)
        if head[8:12] != DUCKDB_MAGIC:
            raise DatabaseError(f"{path} is not a DuckDB database (its first bytes are {head[:12]!r}): claimflow "
                                "did not touch it; give --db a new file or a claimflow database")


def connect(path: str | Path = DEFAULT_DB, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) a claimflow database, with extensions loaded and schema migrated.
    Raises DatabaseError, modifying nothing, for a file that is not a claimflow database this code
    can write (store.db.check_file, `migrate`)."""
    path = str(path)
    if path != ":memory:":
        check_file(path)
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
    con = duckdb.connect(path)
    try:
        load_extensions(con)
        # Needed to keep (and write to) an HNSW index in a file database; see evidence.index.HNSW_STATEMENT.
        con.execute("SET hnsw_enable_experimental_persistence = true")
        migrate(con, path)
    except BaseException:
        con.close()
        raise
    return con
