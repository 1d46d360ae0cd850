"""The command line, through typer's runner, on real files."""
import json

from typer.testing import CliRunner

from claimflow.cli import app

runner = CliRunner()


def test_help_explains_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "ingest", "sql", "demo", "serve"):
        assert command in result.output


def test_sql_formats(demo_db):
    query = "SELECT kind, count(*) AS n FROM contradictions GROUP BY kind ORDER BY kind"
    table = runner.invoke(app, ["sql", query, "--db", str(demo_db)])
    assert table.exit_code == 0 and "kind" in table.output and "temporal" in table.output
    as_json = runner.invoke(app, ["sql", query, "--db", str(demo_db), "--format", "json"])
    rows = [json.loads(line) for line in as_json.output.splitlines()]
    assert {r["kind"] for r in rows} >= {"polarity", "numeric", "date", "antonym", "denial", "temporal"}
    as_csv = runner.invoke(app, ["sql", query, "--db", str(demo_db), "-f", "csv"])
    assert as_csv.output.splitlines()[0] == "kind,n"
    bad = runner.invoke(app, ["sql", "SELECT * FROM nowhere", "--db", str(demo_db)])
    assert bad.exit_code == 1


def test_ingest_reports_errors(tmp_path):
    (tmp_path / "a.txt").write_text("The port of Kaldera reopened on Thursday, officials said.\n")
    (tmp_path / "b.txt").write_bytes(b"\x00\x00")
    db = tmp_path / "i.duckdb"
    result = runner.invoke(app, ["ingest", str(tmp_path), "--db", str(db)])
    assert result.exit_code == 0
    assert "1 documents read, 1 new, 1 not ingested" in result.output
    again = runner.invoke(app, ["ingest", str(tmp_path), "--db", str(db)])
    assert "1 documents read, 0 new" in again.output


def test_unknown_engine_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path), "--engine", "gpt5", "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code != 0 and "unknown engine" in result.output


def test_demo_prints_contradictions_and_verdicts(prefect_harness, tmp_path):
    result = runner.invoke(app, ["demo", "--db", str(tmp_path / "demo.duckdb")])
    assert result.exit_code == 0, result.output
    assert "Contradictions" in result.output and "Verdicts" in result.output
    assert "denial" in result.output and "supported" in result.output


def test_hnsw_index_is_used_by_sql_vector_search_and_survives_new_runs(prefect_harness, demo_db, tmp_path):
    import shutil

    from conftest import EXAMPLES
    from flows.verify import verify_corpus
    from store import connect

    db = tmp_path / "h.duckdb"
    shutil.copy(demo_db, db)
    result = runner.invoke(app, ["hnsw", "--db", str(db)])
    assert result.exit_code == 0 and "HNSW index" in result.output, result.output
    con = connect(db, read_only=True)
    vector = con.execute("SELECT embedding FROM passages LIMIT 1").fetchone()[0]
    literal = "[" + ",".join(f"{x:.7g}" for x in vector) + "]::FLOAT[384]"
    plan = con.execute(f"EXPLAIN SELECT text FROM passages ORDER BY array_negative_inner_product(embedding, "
                       f"{literal}) LIMIT 3").fetchall()
    assert "HNSW_INDEX_SCAN" in str(plan)
    con.close()
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"id": "x1", "source": "Test Wire", "text": "The Tarsk bridge reopened to traffic on Friday."}\n')
    summary = verify_corpus(sources=[str(EXAMPLES), str(extra)], db=str(db))
    assert summary.status == "completed" and summary.documents_new == 1
