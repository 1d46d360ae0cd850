"""A whole run over the hostile folder (tests/hostile.py), with bounds small enough to bite in a test:
nothing outside the folder becomes a document, every bad file has its `ingest_errors` row, every
bound that bit is recorded, the run completes (bounds are not failures), and a rerun adds nothing.
bench/hostile.py runs the same folder with the default bounds and times it."""
import duckdb

from hostile import REFUSED, write

SMALL = {"CLAIMFLOW_MAX_DOCUMENT_CHARS": "20000", "CLAIMFLOW_MAX_SENTENCES": "150",
         "CLAIMFLOW_MAX_CLAIMS_PER_DOCUMENT": "40", "CLAIMFLOW_MAX_JUDGED_PAIRS": "0"}


def _rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_run_over_the_hostile_folder_is_bounded_safe_and_idempotent(prefect_harness, tmp_path, monkeypatch):
    from flows.verify import verify_corpus

    for name, value in SMALL.items():
        monkeypatch.setenv(name, value)
    inbox = write(tmp_path / "inbox", tmp_path / "elsewhere")
    db = tmp_path / "hostile.duckdb"
    first = verify_corpus(sources=[str(inbox)], db=str(db))
    assert first.status == "completed", first.note  # limit rows are not work left undone

    assert _rows(db, "SELECT count(*) FROM documents WHERE text LIKE '%SECRET-OUTSIDE%'") == [(0,)]
    errors = {origin.rsplit("/", 1)[-1]: reason for origin, reason in
              _rows(db, "SELECT origin, reason FROM ingest_errors")}
    for name, reason in REFUSED.items():
        assert errors.get(name) == reason, (name, errors)
    truncated = {name for name, reason in errors.items() if reason == "truncated"}
    assert {"near_identical.txt", "long_line.txt"} <= truncated
    limited = _rows(db, "SELECT d.origin, count(*) FROM pending p JOIN documents d USING (doc_id) "
                        "WHERE p.stage = 'limit' GROUP BY 1")
    assert limited and all(origin.endswith(("near_identical.txt", "long_line.txt")) for origin, _ in limited)
    per_doc = _rows(db, "SELECT max(n) FROM (SELECT count(*) AS n FROM verdicts JOIN claims USING (claim_id) "
                        "GROUP BY doc_id)")[0][0]
    assert per_doc <= 40
    # the good files beside the hostile ones were verified as usual
    assert _rows(db, "SELECT count(*) FROM verdicts JOIN claims USING (claim_id) JOIN documents d USING (doc_id) "
                     "WHERE d.origin LIKE '%good_port%'")[0][0] >= 2

    tables = "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM claims), " \
             "(SELECT count(*) FROM evidence), (SELECT count(*) FROM ingest_errors), (SELECT count(*) FROM pending)"
    before = _rows(db, tables)
    again = verify_corpus(sources=[str(inbox)], db=str(db))
    assert again.documents_new == 0 and again.claims_judged == 0
    assert _rows(db, tables) == before
