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


def test_judge_command_keeps_order_and_reports_bad_lines(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        '{"id": "1", "premise": "The Tarsk bridge collapsed on March 5.", "hypothesis": "The Tarsk bridge collapsed on March 3."}\n'
        '{"id": "2", "premise": "nothing"}\n'
        "not json\n"
        '{"id": 3, "premise": "On Wednesday the bank lifted its rate to 6 percent.", '
        '"hypothesis": "The bank raised its rate to 6 percent on Wednesday."}\n')
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["judge", str(pairs), "-o", str(out), "--batch", "2"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r.get("id") for r in rows] == ["1", "2", None, 3]
    assert rows[0]["label"] == "contradiction" and rows[3]["label"] == "entailment"
    assert "hypothesis" in rows[1]["error"] and rows[2]["line"] == 3
    assert all(0 <= r["score"] <= 1 for r in rows if "score" in r)


def test_eval_prints_one_table(tmp_path):
    (tmp_path / "sick.tsv").write_text(
        "pair_ID\tsentence_A\tsentence_B\tentailment_label\tSemEval_set\n"
        "1\tA man is not playing a guitar\tA man is playing a guitar\tCONTRADICTION\tTEST\n"
        "2\tA man is playing a guitar\tA man is playing a guitar\tENTAILMENT\tTEST\n"
        "3\tA dog runs\tA cat sleeps on a sofa\tNEUTRAL\tTEST\n")
    (tmp_path / "fever_symmetric_dev.jsonl").write_text(
        json.dumps({"id": 1, "claim": "Paris is in France.", "evidence": "Paris is the capital of France.",
                    "label": "SUPPORTS"}) + "\n")
    (tmp_path / "climate_fever.jsonl").write_text(json.dumps({
        "claim_id": "0", "claim": "Sea levels are rising.", "claim_label": "SUPPORTS",
        "evidences": [{"evidence_id": "a:1", "evidence": "Sea levels are rising.", "evidence_label": "SUPPORTS"}]}) + "\n")
    result = runner.invoke(app, ["eval", "--datasets", str(tmp_path), "--no-corpus", "--no-validation"])
    assert result.exit_code == 0, result.output
    for name in ("SICK test", "FEVER-Symmetric", "Climate-FEVER", "claim-level verdict accuracy", "confusion", "ECE"):
        assert name in result.output
    sick = next(line for line in result.output.splitlines() if line.startswith("SICK test"))
    n, accuracy = sick.split()[5:7]
    assert n == "3" and 0.0 <= float(accuracy) <= 1.0, sick


def test_a_locked_database_is_a_clear_error(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('ready', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = runner.invoke(app, ["sql", "SELECT 1", "--db", str(db)])
        import re

        message = re.sub(r"[\u2502\s]+", " ", result.output)  # undo the box and the line wrapping
        assert result.exit_code != 0 and "one writer at a time" in message and "locked.read.duckdb" in message.replace(" ", "")
    finally:
        holder.kill()
        holder.wait()


def test_a_db_that_cannot_be_a_claimflow_database_stops_before_the_run(tmp_path):
    (tmp_path / "a.txt").write_text("The port of Kaldera reopened on Thursday, officials said.\n")
    missing = tmp_path / "nowhere" / "x.duckdb"
    for command in ("run", "ingest"):
        result = runner.invoke(app, [command, str(tmp_path / "a.txt"), "--db", str(missing)])
        assert result.exit_code == 2 and "does not exist" in result.output, result.output
    assert not missing.parent.exists()  # no folder, no database made on the way
    notes = tmp_path / "notes.duckdb"
    notes.write_bytes(b"my notes, not a database\n" * 10)
    result = runner.invoke(app, ["run", str(tmp_path / "a.txt"), "--db", str(notes)])
    assert result.exit_code == 2 and "not a DuckDB" in result.output, result.output
    assert notes.read_bytes() == b"my notes, not a database\n" * 10
