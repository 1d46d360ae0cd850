"""Incremental runs (issue 14): a run over a database that has seen most documents judges only what
is new, and its tables equal those of a full run over everything."""
import duckdb

from conftest import EXAMPLES

TABLES = ("documents", "claims", "passages", "evidence", "contradictions", "verdicts", "changes_over_time")


def _tables(db):
    """Each table's rows without run ids, times and origins; floats rounded to 3 places (a model's
    scores differ in the last digits with the texts it is batched with)."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        for table in TABLES:
            cols = [f"round({c}, 3)" if t in ("DOUBLE", "FLOAT") else c for c, t, *_ in
                    con.execute(f"DESCRIBE {table}").fetchall()
                    if c not in ("run_id", "ingested_at", "extracted_at", "origin")]
            out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
    finally:
        con.close()
    return out


def _copy(names, folder):
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text((EXAMPLES / name).read_text())


def test_a_run_with_new_documents_judges_only_what_they_touch_and_equals_a_full_run(prefect_harness, tmp_path):
    from flows.verify import verify_corpus

    names = sorted(p.name for p in EXAMPLES.glob("*.txt"))
    old, new = names[:-1], names[-1:]
    k = 3  # few candidates per claim, so that in a corpus of nine documents one more touches only some claims
    inbox = tmp_path / "inbox"
    _copy(old, inbox)
    db = tmp_path / "incremental.duckdb"
    first = verify_corpus(sources=[str(inbox)], db=str(db), top_k=k)
    _copy(new, inbox)
    second = verify_corpus(sources=[str(inbox)], db=str(db), top_k=k)
    third = verify_corpus(sources=[str(inbox)], db=str(db), top_k=k)

    everything = tmp_path / "everything"
    _copy(names, everything)
    full_db = tmp_path / "full.duckdb"
    full = verify_corpus(sources=[str(everything)], db=str(full_db), top_k=k, rejudge=True)

    con = duckdb.connect(str(db), read_only=True)
    checkworthy = con.execute("SELECT count(*) FROM claims WHERE checkworthy").fetchone()[0]
    recorded = dict(con.execute("SELECT run_id, n_claims_judged FROM runs").fetchall())
    new_claims = con.execute("SELECT count(*) FROM claims c JOIN documents d USING (doc_id) WHERE c.checkworthy "
                             "AND d.run_id = ?", [second.run_id]).fetchone()[0]
    con.close()
    assert first.claims_judged > 0 and full.claims_judged == checkworthy
    # The new documents' claims are judged, and the old claims whose candidates they entered; not all.
    assert new_claims <= second.claims_judged < checkworthy
    assert third.claims_judged == 0 and third.documents_new == 0
    assert recorded == {first.run_id: first.claims_judged, second.run_id: second.claims_judged, third.run_id: 0}
    assert _tables(db) == _tables(full_db)


def test_the_memo_keeps_only_what_the_latest_run_used(prefect_harness, tmp_path):
    from flows.verify import verify_corpus

    inbox = tmp_path / "inbox"
    _copy(["06_coastal_ledger_tarsk_bridge.txt", "07_northern_wire_tarsk_storm.txt"], inbox)
    db = tmp_path / "memo.duckdb"
    verify_corpus(sources=[str(inbox)], db=str(db))
    con = duckdb.connect(str(db), read_only=True)
    pairs = con.execute("SELECT count(*) FROM judge_memo").fetchone()[0]
    evidence = con.execute("SELECT count(*) FROM evidence WHERE cue <> 'account'").fetchone()[0]
    queries = con.execute("SELECT count(*) FROM query_vectors").fetchone()[0]
    statements = con.execute("SELECT count(DISTINCT statement) FROM claims WHERE checkworthy").fetchone()[0]
    parses = con.execute("SELECT count(*) FROM parses").fetchone()[0]
    all_statements = con.execute("SELECT count(DISTINCT statement) FROM claims").fetchone()[0]
    con.close()
    assert pairs >= evidence > 0 and queries == statements and parses == all_statements
    # The file is edited down to one sentence: the old version's pairs are not needed any more.
    (inbox / "07_northern_wire_tarsk_storm.txt").write_text("Northern Wire\n\nA storm hit the coast of Tarsk.\n")
    verify_corpus(sources=[str(inbox)], db=str(db))
    con = duckdb.connect(str(db), read_only=True)
    after = con.execute("SELECT count(*) FROM judge_memo").fetchone()[0]
    left = con.execute("SELECT count(*) FROM evidence WHERE cue <> 'account'").fetchone()[0]
    con.close()
    assert left <= after < pairs
