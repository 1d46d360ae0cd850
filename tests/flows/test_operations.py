"""Running all day: readers and other runs on one database, honest run states, what the Prefect UI
shows, and what each run changed (issue 14)."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from conftest import EXAMPLES, ROOT, hold_lock

PAIR = ("06_coastal_ledger_tarsk_bridge.txt", "07_northern_wire_tarsk_storm.txt")  # they disagree on a date


def _corpus(tmp_path, names, folder="in"):
    corpus = tmp_path / folder
    corpus.mkdir(exist_ok=True)
    for name in names:
        (corpus / name).write_text((EXAMPLES / name).read_text())
    return corpus


def _runs(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT run_id, status, error FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()


def _tables(db):
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        for table in ("documents", "claims", "passages", "evidence", "contradictions", "verdicts"):
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()
                    if r[0] not in ("run_id", "ingested_at", "extracted_at", "origin")]
            out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
    finally:
        con.close()
    return out


def _artifacts(key):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))


def test_a_run_publishes_its_report_history_and_a_name(prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client

    from claimflow.run_report import artifact_key
    from flows.verify import verify_corpus

    corpus = _corpus(tmp_path, PAIR[:1])
    db = tmp_path / "desk.duckdb"
    first = verify_corpus(sources=[str(corpus)], db=str(db))
    assert first.status == "completed" and first.new_contradictions == 0
    _corpus(tmp_path, PAIR[1:])  # the other outlet's account arrives
    second = verify_corpus(sources=[str(corpus)], db=str(db))
    assert second.documents_new == 1 and second.new_contradictions >= 1 and second.verdicts_changed >= 1

    con = duckdb.connect(str(db), read_only=True)
    appeared = con.execute("SELECT contradiction_id FROM contradiction_history WHERE run_id = ? AND change = "
                           "'appeared'", [second.run_id]).fetchall()
    assert len(appeared) == second.new_contradictions
    assert con.execute("SELECT count(*) FROM contradiction_history WHERE run_id = ?", [first.run_id]).fetchone()[0] == 0
    changed = con.execute("SELECT count(*) FROM verdict_history WHERE run_id = ?", [second.run_id]).fetchone()[0]
    assert changed == second.verdicts_changed
    since = con.execute("SELECT count(*) FROM history WHERE run_started >= (SELECT started_at FROM runs "
                        "WHERE run_id = ?)", [second.run_id]).fetchone()[0]
    assert since == second.new_contradictions + second.verdicts_changed + len(
        con.execute("SELECT 1 FROM contradiction_history WHERE run_id = ? AND change = 'disappeared'",
                    [second.run_id]).fetchall())
    claim_a, claim_b = con.execute("SELECT a.text, b.text FROM contradictions x JOIN claims a ON a.claim_id = "
                                   "x.claim_id_a JOIN claims b ON b.claim_id = x.claim_id_b WHERE x.contradiction_id "
                                   "= ?", [appeared[0][0]]).fetchone()
    (flow_run_id,) = con.execute("SELECT flow_run_id FROM runs WHERE run_id = ?", [second.run_id]).fetchone()
    con.close()

    markdown = [a for a in _artifacts(artifact_key(db)) if a.type == "markdown"]
    latest = max(markdown, key=lambda a: a.created)
    assert second.run_id in latest.data and "## New contradictions" in latest.data
    assert " ".join(claim_a.split())[:60] in latest.data and " ".join(claim_b.split())[:60] in latest.data
    table = [a for a in _artifacts(artifact_key(db) + "-new-contradictions") if a.type == "table"]
    assert len(table) == 2 and claim_a[:40] in max(table, key=lambda a: a.created).data
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
    assert run.name == f"in: 1 new, {second.new_contradictions} new contradiction" + (
        "s" if second.new_contradictions != 1 else "")
    assert "engine:local" in run.tags and "db:desk.duckdb" in run.tags
    assert run.state.is_completed() and "new contradictions" in run.state.message


def test_a_reader_on_the_snapshot_never_blocks_a_run(prefect_harness, tmp_path):
    from flows.verify import verify_corpus
    from store import snapshot_path

    corpus = _corpus(tmp_path, PAIR[:1])
    db = tmp_path / "read.duckdb"
    verify_corpus(sources=[str(corpus)], db=str(db))
    snapshot = snapshot_path(db)
    assert snapshot.name == "read.read.duckdb"
    notebook = duckdb.connect(str(snapshot), read_only=True)  # an analyst's session, held open
    before = notebook.execute("SELECT count(*) FROM documents").fetchone()[0]
    _corpus(tmp_path, PAIR[1:])
    summary = verify_corpus(sources=[str(corpus)], db=str(db))
    assert summary.status == "completed"
    assert notebook.execute("SELECT count(*) FROM documents").fetchone()[0] == before  # its view stays put
    notebook.close()
    again = duckdb.connect(str(snapshot), read_only=True)
    assert again.execute("SELECT count(*) FROM documents").fetchone()[0] == before + 1  # reopened: the new run
    again.close()


def test_a_run_waits_for_a_lock_and_a_run_that_gives_up_is_recorded(prefect_harness, tmp_path, monkeypatch):
    from flows.verify import verify_corpus
    from store import DatabaseBusy

    corpus = _corpus(tmp_path, PAIR[:1])
    db = tmp_path / "busy.duckdb"
    verify_corpus(sources=[str(corpus)], db=str(db))
    holder = hold_lock(db, 4)
    monkeypatch.setenv("CLAIMFLOW_LOCK_WAIT", "120")
    started = time.monotonic()
    assert verify_corpus(sources=[str(corpus)], db=str(db)).status == "completed"  # waited its turn
    assert time.monotonic() - started > 2
    holder.wait()
    holder = hold_lock(db, 60)
    monkeypatch.setenv("CLAIMFLOW_LOCK_WAIT", "1")
    try:
        with pytest.raises(DatabaseBusy, match=rf"locked by PID {holder.pid}.*busy.read.duckdb"):
            verify_corpus(sources=[str(corpus)], db=str(db))
    finally:
        holder.kill()
        holder.wait()
    monkeypatch.setenv("CLAIMFLOW_LOCK_WAIT", "120")
    verify_corpus(sources=[str(corpus)], db=str(db))
    statuses = [(s, e) for _, s, e in _runs(db)]
    assert [s for s, _ in statuses].count("failed") == 1 and len(statuses) == 4
    assert any(s == "failed" and "DatabaseBusy" in e for s, e in statuses)


def test_a_missing_source_or_an_empty_folder_fails_the_run_with_the_reason(prefect_harness, tmp_path):
    from flows.verify import SourceError, verify_corpus

    db = tmp_path / "missing.duckdb"
    with pytest.raises(SourceError, match="source not found: .*nowhere"):
        verify_corpus(sources=[str(tmp_path / "nowhere")], db=str(db))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="nothing to read in .*empty"):
        verify_corpus(sources=[str(tmp_path / "empty")], db=str(db))
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "a.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(SourceError, match=r"nothing readable in .*junk: 1 files not ingested \(binary\)"):
        verify_corpus(sources=[str(tmp_path / "junk")], db=str(db))
    runs = _runs(db)
    assert [s for _, s, _ in runs] == ["failed"] * 3 and "source not found" in runs[0][2]


def _stuck_run(tmp_path, corpus, db):
    """A run in another process (on the session's Prefect test server) that stops while judging."""
    from prefect.settings import PREFECT_API_URL

    marker = tmp_path / "judging"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from claimflow import pipeline
        def stuck(*args, **kwargs):
            open({str(marker)!r}, "w").close()
            time.sleep(600)
        pipeline.judge = stuck
        from flows.verify import verify_corpus
        verify_corpus(sources=[{str(corpus)!r}], db={str(db)!r})
    """)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value() or ""}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=str(ROOT))
    deadline = time.monotonic() + 240
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the run did not reach judging")
        time.sleep(0.5)
    return proc


def test_a_stopped_run_is_cancelled(prefect_harness, tmp_path):
    db = tmp_path / "cancel.duckdb"
    proc = _stuck_run(tmp_path, _corpus(tmp_path, PAIR[:1]), db)
    proc.send_signal(signal.SIGTERM)  # what a worker sends when a run is cancelled in the UI
    proc.wait(timeout=120)
    ((_, status, error),) = _runs(db)
    assert status == "cancelled" and "SIGTERM" in error


def test_a_killed_run_is_closed_as_crashed_and_its_work_redone(prefect_harness, tmp_path):
    from flows.verify import verify_corpus

    corpus = _corpus(tmp_path, PAIR)
    db = tmp_path / "killed.duckdb"
    proc = _stuck_run(tmp_path, corpus, db)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    summary = verify_corpus(sources=[str(corpus)], db=str(db))
    assert summary.status == "completed" and len(summary.crashed_runs) == 1
    runs = _runs(db)
    assert [s for _, s, _ in runs] == ["crashed", "completed"] and "next run redid its work" in runs[0][2]
    clean = tmp_path / "clean.duckdb"
    verify_corpus(sources=[str(corpus)], db=str(clean))
    assert _tables(db) == _tables(clean)


def test_two_runs_started_together_both_complete(tmp_path):
    corpus = _corpus(tmp_path, PAIR)
    db = tmp_path / "together.duckdb"
    cli = [sys.executable, "-m", "claimflow.cli", "run", str(corpus), "--db", str(db), "--quiet"]
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # each its own temporary server
    procs = [subprocess.Popen(cli, cwd=str(ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=400) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [s for _, s, _ in _runs(db)] == ["completed", "completed"]


def test_relative_origins_of_older_databases_become_absolute(tmp_path):
    from ingest.models import Document
    from store import connect
    from store.writer import Writer

    con = connect(tmp_path / "old.duckdb")
    writer = Writer(con)
    doc = Document(doc_id="d1", text="The bridge opened on Friday.", origin="inbox/a.txt", content_hash="h1")
    writer.add_documents([doc], "r0")
    assert writer.absolute_origins(tmp_path) == 1
    assert con.execute("SELECT origin FROM documents").fetchone()[0] == f"{tmp_path}/inbox/a.txt"
    assert writer.absolute_origins(tmp_path) == 0
    con.close()


def test_serve_refuses_to_start_without_a_prefect_api():
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from claimflow.cli import prefect_api_problem

    with temporary_settings(updates={PREFECT_API_URL: None}):
        assert "PREFECT_API_URL is not set" in prefect_api_problem()
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        problem = prefect_api_problem(timeout=2)
        assert "no Prefect API answers at http://127.0.0.1:9/api" in problem and "prefect server start" in problem
