"""Crash safety: `claimflow run` killed with SIGKILL (a power cut, the OOM killer) at each stage,
then run again, loses no document, duplicates no row, and ends with the tables of a clean run
(issue 15). The kill comes from inside the run at a known point (a patched function), so every
point is hit every time."""
import os
import signal
import subprocess
import sys
import textwrap

import duckdb
import pytest

from conftest import EXAMPLES, ROOT

NAMES = ("06_coastal_ledger_tarsk_bridge.txt", "07_northern_wire_tarsk_storm.txt", "wire.jsonl")
# Where the run dies: a patch that SIGKILLs the process there (`die()`), run before the flow.
KILL_POINTS = {
    # inside the extractor, at the first document
    "extraction": "import claims.local\nclaims.local.LocalExtractor._document = lambda *a, **k: die()",
    # passages written, extractions not yet
    "indexing": "import store.writer\nstore.writer.Writer.save_extractions = lambda *a, **k: die()",
    # claim-evidence pairs judged, nothing written
    "judging": "import claimflow.pipeline\nclaimflow.pipeline.find_contradictions = lambda *a, **k: die()",
    # half-way through the last transaction: evidence and memo inserted, verdicts not
    "final write": textwrap.dedent("""
        import store.writer
        original = store.writer.Writer._insert
        def _insert(self, table, rows, *args, **kwargs):
            if table == "verdicts":
                die()
            return original(self, table, rows, *args, **kwargs)
        store.writer.Writer._insert = _insert
    """),
    # the read snapshot copied, not yet renamed into place
    "snapshot": textwrap.dedent("""
        import os
        real_replace = os.replace
        def replace(src, dst, *args, **kwargs):
            if str(src).endswith(".tmp") and ".read." in str(src):
                die()
            return real_replace(src, dst, *args, **kwargs)
        os.replace = replace
    """),
}
# The snapshot is published after the run's row is closed: a run killed there has done all its work.
KILLED_STATUS = {"snapshot": "completed"}
KEYS = {"documents": "doc_id", "claims": "claim_id", "passages": "passage_id", "verdicts": "claim_id",
        "contradictions": "contradiction_id"}


def _corpus(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    for name in NAMES:
        (corpus / name).write_text((EXAMPLES / name).read_text())
    return corpus


def _tables(db):
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        for table in ("documents", "claims", "passages", "evidence", "contradictions", "verdicts", "pending",
                      "ingest_errors", "source_groups", "judge_memo"):
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()
                    if r[0] not in ("run_id", "ingested_at", "extracted_at", "recorded_at", "created_at", "first_run_id",
                                  "origin")]  # origins: the two runs read copies in different folders
            out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        for table, key in KEYS.items():
            total, distinct = con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {table}").fetchone()
            assert total == distinct, f"duplicate rows in {table}"
    finally:
        con.close()
    return out


def _killed_run(corpus, db, point: str) -> int:
    from prefect.settings import PREFECT_API_URL

    script = "\n".join([
        "import os, signal, sys",
        f"sys.path.insert(0, {str(ROOT)!r})",
        "def die():\n    os.kill(os.getpid(), signal.SIGKILL)",
        KILL_POINTS[point],
        "from flows.verify import verify_corpus",
        f"verify_corpus(sources=[{str(corpus)!r}], db={str(db)!r})",
    ])
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value() or ""}
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=str(ROOT), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    return proc.returncode


@pytest.fixture(scope="module")
def clean(prefect_harness, tmp_path_factory):
    from flows.verify import verify_corpus

    tmp_path = tmp_path_factory.mktemp("clean")
    corpus = _corpus(tmp_path)
    db = tmp_path / "clean.duckdb"
    verify_corpus(sources=[str(corpus)], db=str(db))
    return _tables(db)


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_run_killed_at_any_point_loses_nothing_and_the_rerun_matches_a_clean_run(clean, tmp_path, point):
    from flows.verify import verify_corpus

    corpus = _corpus(tmp_path)
    db = tmp_path / "killed.duckdb"
    _killed_run(corpus, db, point)
    summary = verify_corpus(sources=[str(corpus)], db=str(db))
    killed_status = KILLED_STATUS.get(point, "crashed")
    assert summary.status == "completed" and len(summary.crashed_runs) == (killed_status == "crashed")
    assert _tables(db) == clean
    con = duckdb.connect(str(db), read_only=True)
    try:
        statuses = [s for (s,) in con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()]
    finally:
        con.close()
    assert statuses == [killed_status, "completed"]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers  # a half-copied snapshot is cleared by the next run
    assert _tables(tmp_path / "killed.read.duckdb") == clean  # and the snapshot readers open is whole
