"""The real flow under a Prefect test server, writing a real DuckDB file."""
import json

import duckdb

from claimflow.answer_key import locate, score
from conftest import ANSWER_KEY, EXAMPLES


def _rows(db, table):
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in ("run_id", "ingested_at",
                                                                                          "extracted_at")]
        return sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
    finally:
        con.close()


def test_sample_corpus_matches_the_answer_key(demo_db):
    report = score(demo_db, ANSWER_KEY)
    assert not report.unmatched, report.unmatched
    assert not report.contradictions_missed and not report.wrong_kind, report.contradictions_missed + report.wrong_kind
    assert not report.hard_negatives_violated, report.hard_negatives_violated
    # Measured with the cross-encoder judge: 19 of 24 verdicts right (the floor is 22).
    assert len(report.verdicts_wrong) <= 5, report.verdicts_wrong
    key = json.loads(ANSWER_KEY.read_text())
    kinds = {c["kind"] for c in key["contradictions"]}
    assert kinds == {"polarity", "numeric", "date", "antonym", "denial", "temporal"}


def test_contradictions_record_both_speakers(demo_db):
    key = json.loads(ANSWER_KEY.read_text())
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        for item in key["contradictions"]:
            if not item["b"]:
                continue
            a, b = locate(con, item["a"]), locate(con, item["b"])
            speakers = con.execute(
                "SELECT speaker_a, speaker_b FROM contradictions WHERE (claim_id_a, claim_id_b) IN ((?, ?), (?, ?))",
                [a, b, b, a]).fetchone()
            assert set(speakers) == set(item["speakers"]), item["note"]
    finally:
        con.close()


def test_seed_withdrawal_contradiction_and_no_boilerplate(seeds_db):
    con = duckdb.connect(str(seeds_db), read_only=True)
    try:
        rows = con.execute("SELECT kind, speaker_a, claim_a, speaker_b, claim_b FROM contradiction_report").fetchall()
        texts = [t for (t,) in con.execute("SELECT text FROM claims").fetchall()]
        run = con.execute("SELECT status, engine, flow_run_id FROM runs").fetchall()
    finally:
        con.close()
    pair = {(r[1], r[2]) for r in rows} | {(r[3], r[4]) for r in rows}
    assert (None, "Russia has begun to withdraw its troops from the borders of Ukraine") in pair
    assert ("Jens Stoltenberg", "we have not seen any withdrawal of Russian forces") in pair
    assert any(r[0] == "temporal" and "26th of January" in r[2] for r in rows)
    assert not any(t.strip() in ("RU  UA  EN", "All news", "politics") or t.startswith("Wednesday") for t in texts)
    assert run[0][0] == "completed" and run[0][1] == "local" and run[0][2]  # lineage: the Prefect flow run id


def test_running_twice_leaves_the_same_rows(prefect_harness, tmp_path, seeds):
    from flows.verify import verify_corpus

    db = tmp_path / "twice.duckdb"
    verify_corpus(sources=[str(seeds)], db=str(db))
    tables = ("documents", "claims", "passages", "evidence", "contradictions", "verdicts")
    first = {t: _rows(db, t) for t in tables}
    second_run = verify_corpus(sources=[str(seeds)], db=str(db))
    assert second_run.documents_new == 0
    assert {t: _rows(db, t) for t in tables} == first
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchone()[0] == 2


def test_bad_documents_are_recorded_and_the_run_goes_on(prefect_harness, tmp_path):
    from flows.verify import verify_corpus

    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "good.txt").write_text((EXAMPLES / "06_coastal_ledger_tarsk_bridge.txt").read_text())
    (corpus / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")
    (corpus / "lines.jsonl").write_text('{"text": "The mayor opened the bridge on Friday.", "id": "j1"}\n{broken\n')
    db = tmp_path / "bad.duckdb"
    summary = verify_corpus(sources=[str(corpus)], db=str(db))
    assert summary.status == "completed" and summary.documents_seen == 2 and summary.ingest_errors == 2
    con = duckdb.connect(str(db), read_only=True)
    reasons = sorted(r[0] for r in con.execute("SELECT reason FROM ingest_errors").fetchall())
    assert reasons == ["binary", "malformed"]
    assert con.execute("SELECT count(*) FROM claims").fetchone()[0] > 0


def test_a_second_batch_only_extracts_and_indexes_new_documents(prefect_harness, tmp_path):
    from flows.verify import verify_corpus

    db = tmp_path / "batches.duckdb"
    files = sorted(EXAMPLES.glob("*.txt"))
    first, second = files[:4], files[4:6]
    batch = tmp_path / "batch"
    batch.mkdir()
    for f in first:
        (batch / f.name).write_text(f.read_text())
    verify_corpus(sources=[str(batch)], db=str(db))
    con = duckdb.connect(str(db), read_only=True)
    before = con.execute("SELECT count(*) FROM passages").fetchone()[0]
    first_run = con.execute("SELECT run_id FROM runs").fetchone()[0]
    con.close()
    for f in second:
        (batch / f.name).write_text(f.read_text())
    summary = verify_corpus(sources=[str(batch)], db=str(db))
    assert summary.documents_new == 2
    con = duckdb.connect(str(db), read_only=True)
    per_run = dict(con.execute("SELECT run_id, count(*) FROM passages GROUP BY run_id").fetchall())
    assert per_run[first_run] == before and sum(per_run.values()) > before  # old passages untouched
    new_docs = con.execute("SELECT count(DISTINCT doc_id) FROM passages WHERE run_id = ?", [summary.run_id]).fetchone()
    assert new_docs[0] == 2
    judged = con.execute("SELECT count(DISTINCT run_id) FROM evidence").fetchone()[0]
    assert judged == 1  # judging covers the whole, updated index in the latest run


def test_a_document_that_breaks_extraction_is_reported_and_retried(prefect_harness, tmp_path, monkeypatch):
    from claims.local import LocalExtractor
    from flows.verify import verify_corpus

    corpus = tmp_path / "in"
    corpus.mkdir()
    for name in ("06_coastal_ledger_tarsk_bridge.txt", "07_northern_wire_tarsk_storm.txt"):
        (corpus / name).write_text((EXAMPLES / name).read_text())
    original = LocalExtractor._document

    def flaky(self, document, paragraphs):
        if "07_" in document.origin:
            raise RuntimeError("parser exploded")
        return original(self, document, paragraphs)

    monkeypatch.setattr(LocalExtractor, "_document", flaky)
    db = tmp_path / "flaky.duckdb"
    summary = verify_corpus(sources=[str(corpus)], db=str(db))
    # The run finishes, but leaves work for the next one: 'partial', with the document pending.
    assert summary.status == "partial" and summary.ingest_errors == 1 and summary.pending == 1
    con = duckdb.connect(str(db), read_only=True)
    (reason, detail), = con.execute("SELECT reason, detail FROM ingest_errors").fetchall()
    assert reason == "extraction" and "parser exploded" in detail
    (stage, pending_reason), = con.execute("SELECT stage, reason FROM pending").fetchall()
    assert stage == "extract" and "parser exploded" in pending_reason
    assert con.execute("SELECT count(DISTINCT doc_id) FROM claims").fetchone()[0] == 1
    con.close()
    monkeypatch.setattr(LocalExtractor, "_document", original)
    again = verify_corpus(sources=[str(corpus)], db=str(db))  # the next run picks the document up again
    assert again.status == "completed" and again.pending == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(DISTINCT doc_id) FROM claims").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM pending").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ingest_errors").fetchone()[0] == 0  # no stale error left


def test_an_edited_file_replaces_its_old_version_and_stale_errors_go(prefect_harness, tmp_path):
    from flows.verify import verify_corpus

    corpus = tmp_path / "in"
    corpus.mkdir()
    article = corpus / "bridge.txt"
    article.write_text((EXAMPLES / "06_coastal_ledger_tarsk_bridge.txt").read_text())
    (corpus / "broken.txt").write_bytes(b"\x00\x01")
    db = tmp_path / "edit.duckdb"
    verify_corpus(sources=[str(corpus)], db=str(db))
    article.write_text(article.read_text().replace("March 3", "March 4"))
    (corpus / "broken.txt").unlink()
    verify_corpus(sources=[str(corpus)], db=str(db))
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    texts = [t for (t,) in con.execute("SELECT text FROM claims").fetchall()]
    assert any("March 4" in t for t in texts) and not any("March 3" in t for t in texts)
    assert con.execute("SELECT count(*) FROM passages WHERE text LIKE '%March 3%'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ingest_errors").fetchone()[0] == 0


def test_the_flow_signature_has_real_types_for_deployments():
    """Served on a schedule, every run failed parameter validation ("Verify_CorpusModel is not fully
    defined; you should define `date`") while flows/verify.py had `from __future__ import annotations`:
    the deployment's parameter model could not resolve string annotations. Real types fixed it."""
    import inspect

    from flows.verify import verify_corpus

    annotations = [p.annotation for p in inspect.signature(verify_corpus.fn).parameters.values()]
    assert not any(isinstance(a, str) for a in annotations), annotations
    params = verify_corpus.validate_parameters({"sources": ["inbox"], "db": "x.duckdb", "today": "2026-03-01"})
    assert params["top_k"] == 8 and params["today"].isoformat() == "2026-03-01"


TOLLS = [  # made-up reports of one fire: two updates of the toll, a day's count and a running total
    {"id": "t1", "source": "Harbour Post", "published_at": "2026-03-05T19:40:00",
     "text": "Fire at Tarsk market\n\nAs of 19:30, 10 people were killed in the fire at the Tarsk market, "
             "the regional governor said."},
    {"id": "t2", "source": "Northern Wire", "published_at": "2026-03-05T21:00:00",
     "text": "Tarsk market fire toll rises\n\nAs of 20:50, 11 people were killed in the fire at the Tarsk market, "
             "the regional governor said."},
    {"id": "t3", "source": "Harbour Post", "published_at": "2026-03-06T08:00:00",
     "text": "Fires in the region\n\nOver the past day, firefighters in the Tarsk region put out 12 fires."},
    {"id": "t4", "source": "Valdia Today", "published_at": "2026-03-06T09:00:00",
     "text": "Fires this year\n\nFirefighters in the Tarsk region have put out 340 fires since the start of the year."},
]


def test_a_toll_updated_later_is_a_change_and_a_days_count_no_contradiction(prefect_harness, tmp_path):
    from flows.verify import verify_corpus

    corpus = tmp_path / "tolls.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in TOLLS))
    db = tmp_path / "tolls.duckdb"
    verify_corpus(sources=[str(corpus)], db=str(db))
    con = duckdb.connect(str(db), read_only=True)
    try:
        contradictions = con.execute("SELECT claim_a, claim_b FROM contradiction_report").fetchall()
        changes = con.execute("SELECT earlier, later, explanation FROM change_report").fetchall()
    finally:
        con.close()
    assert contradictions == []
    assert [(e[:10], later[:10]) for e, later, _ in changes] == [("As of 19:3", "As of 20:5")]
    assert "a change over time" in changes[0][2]
