import duckdb
import pytest

from conftest import hold_lock
from store import connect, migrate
from store.db import migrations


def test_migrations_are_ordered_named_and_recorded(tmp_path):
    db = tmp_path / "a.duckdb"
    con = connect(db)
    recorded = con.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    assert recorded == [(v, n) for v, n, _ in migrations()]
    assert [v for v, _ in recorded] == sorted(v for v, _ in recorded)
    assert migrate(con) == []  # nothing pending the second time
    con.close()
    con = connect(db)  # reopening does not re-apply
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(recorded)


def test_contract_tables_and_columns_exist(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    required = {
        "documents": {"doc_id", "source", "url", "title", "published_at", "language", "text", "ingested_at"},
        "claims": {"claim_id", "doc_id", "text", "statement", "speaker", "char_start", "char_end",
                   "checkworthiness", "run_id"},
        "evidence": {"claim_id", "doc_id", "text", "char_start", "char_end", "stance", "score", "run_id"},
        "contradictions": {"claim_id_a", "claim_id_b", "kind", "score", "explanation", "run_id"},
        "verdicts": {"claim_id", "verdict", "confidence", "rationale", "run_id"},
        "runs": {"run_id", "flow_run_id", "engine", "started_at", "finished_at", "status"},
        "ingest_errors": {"origin", "reason", "detail"},
    }
    for table, columns in required.items():
        have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        assert columns <= have, f"{table} lacks {columns - have}"


def test_labels_are_constrained(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    try:
        con.execute("INSERT INTO verdicts VALUES ('c', 'probably', 0.5, 'r', 0, 0, 'x')")
    except duckdb.ConstraintException:
        pass
    else:
        raise AssertionError("a verdict outside the four labels was accepted")


def test_fts_extension_loads_offline(tmp_path):
    con = connect(tmp_path / "a.duckdb")
    con.execute("CREATE TABLE t (id INTEGER, body VARCHAR)")
    con.execute("INSERT INTO t VALUES (1, 'troops withdraw from the border'), (2, 'the central bank raised rates')")
    con.execute("PRAGMA create_fts_index('t', 'id', 'body', stemmer = 'porter')")
    best = con.execute("SELECT id FROM t ORDER BY fts_main_t.match_bm25(id, 'withdrawal of troops') DESC NULLS LAST LIMIT 1")
    assert best.fetchone()[0] == 1


def test_a_database_from_before_the_llm_engine_is_upgraded_in_place(tmp_path, monkeypatch):
    """A file written by a version with migrations 001-003 keeps its runs when 004 rebuilds the table."""
    import store.db as db_module

    db = tmp_path / "old.duckdb"
    old = [m for m in migrations() if m[0] <= 3]
    monkeypatch.setattr(db_module, "migrations", lambda: old)
    con = connect(db)
    con.execute("INSERT INTO runs (run_id, engine, extractor_version, judge_version, started_at, status, n_claims)"
                " VALUES ('r1', 'local', 'x', 'y', now(), 'completed', 7)")
    con.close()
    monkeypatch.undo()
    con = connect(db)
    assert con.execute("SELECT run_id, status, n_claims, n_pending FROM runs").fetchall() == [("r1", "completed", 7, None)]
    con.execute("INSERT INTO runs (run_id, engine, extractor_version, judge_version, started_at, status)"
                " VALUES ('r2', 'openai:m', 'x', 'y', now(), 'partial')")
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'partial'").fetchone()[0] == 1
    con.close()


def test_a_writer_waits_for_another_process_then_gives_up_with_what_to_do(tmp_path):
    from store import DatabaseBusy, connect_waiting

    db = tmp_path / "lock.duckdb"
    connect(db).close()
    holder = hold_lock(db, 3)
    told = []
    con = connect_waiting(db, wait=60, on_wait=told.append)  # opens once the holder is gone
    con.close()
    holder.wait()
    assert told and f"PID {holder.pid}" in told[0]
    holder = hold_lock(db, 30)
    try:
        with pytest.raises(DatabaseBusy, match=rf"locked by PID {holder.pid}; waited 1 s.*open .*lock.read.duckdb"):
            connect_waiting(db, wait=1)
    finally:
        holder.kill()
        holder.wait()


def test_the_read_snapshot_is_a_copy_readers_can_keep_open(tmp_path):
    from store import publish_snapshot, snapshot_path

    db = tmp_path / "snap.duckdb"
    con = connect(db)
    con.execute("INSERT INTO runs (run_id, engine, extractor_version, judge_version, started_at, status) "
                "VALUES ('r1', 'local', 'x', 'y', now(), 'completed')")
    assert publish_snapshot(con, db) == snapshot_path(db) == tmp_path / "snap.read.duckdb"
    reader = duckdb.connect(str(snapshot_path(db)), read_only=True)
    con.execute("INSERT INTO runs (run_id, engine, extractor_version, judge_version, started_at, status) "
                "VALUES ('r2', 'local', 'x', 'y', now(), 'completed')")
    publish_snapshot(con, db)  # replaced under the open reader
    assert reader.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    reader.close()
    con.close()
    assert duckdb.connect(str(snapshot_path(db)), read_only=True).execute("SELECT count(*) FROM runs").fetchone()[0] == 2


def _bytes(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("content", [b"id,text\n1,The port reopened.\n", b"SQLite format 3\x00" + bytes(200)],
                         ids=["csv", "sqlite"])
def test_a_file_that_is_not_duckdb_is_refused_and_left_alone(tmp_path, content):
    from store import DatabaseError

    db = tmp_path / "claims.duckdb"
    db.write_bytes(content)
    before = _bytes(tmp_path)
    with pytest.raises(DatabaseError, match="not a DuckDB database"):
        connect(db)
    with pytest.raises(DatabaseError, match="not a DuckDB database"):
        connect(db, read_only=True)
    assert _bytes(tmp_path) == before


def test_another_programs_duckdb_file_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "analysis.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE results AS SELECT 42 AS answer")
    con.close()
    _refused_untouched(tmp_path, db, "not claimflow's")


def _refused_untouched(tmp_path, db, message):
    """connect() refuses `db` with `message` and leaves every file of the folder as it was."""
    from store import DatabaseError

    before = _bytes(tmp_path)
    with pytest.raises(DatabaseError, match=message):
        connect(db)
    assert _bytes(tmp_path) == before


def test_a_newer_schema_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "new.duckdb"
    connect(db).close()
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'from_the_future', now()::TIMESTAMP)")
    con.execute("CHECKPOINT")
    con.close()
    _refused_untouched(tmp_path, db, "schema version 999, newer than this claimflow knows")


def test_a_database_in_a_folder_that_does_not_exist_is_an_error(tmp_path):
    from store import DatabaseError

    with pytest.raises(DatabaseError, match="does not exist"):
        connect(tmp_path / "typo" / "claims.duckdb")
    assert not (tmp_path / "typo").exists()
