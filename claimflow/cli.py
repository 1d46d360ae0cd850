"""The `claimflow` command: a thin layer over the library. Every command is documented in README.md."""
from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from store import DEFAULT_DB

app = typer.Typer(
    help="claimflow: find the factual claims in a corpus of news documents, who makes them, which other "
         "sources back or contradict them, and record it all in a DuckDB file you can query with SQL.",
    no_args_is_help=True, add_completion=False,
)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "corpus"

DbOption = Annotated[Path, typer.Option("--db", help="DuckDB file to write (created if missing; its folder must exist).")]
FollowOption = Annotated[bool, typer.Option(
    "--follow-symlinks", help="Also read symlinks in a source folder that point outside it (by default they are "
                              "refused and listed in ingest_errors as 'unsafe').")]
EngineOption = Annotated[str, typer.Option(
    "--engine", help="Which engine extracts and judges: 'local' (offline, default) or 'openai:MODEL' "
                     "(any OpenAI-compatible server: OPENAI_BASE_URL, OPENAI_API_KEY; see README).")]
ExtractEngineOption = Annotated[Optional[str], typer.Option(
    "--extract-engine", help="Engine for claim extraction only (default: --engine).")]
JudgeEngineOption = Annotated[Optional[str], typer.Option(
    "--judge-engine", help="Engine for judging only (default: --engine), e.g. local extraction + LLM judging.")]
EmbedEngineOption = Annotated[Optional[str], typer.Option(
    "--embed-engine", help="Embeddings: 'local' (default) or 'openai:MODEL' on a /v1/embeddings server (384-d).")]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _quiet_prefect() -> None:
    """Defaults for running flows from the CLI with no Prefect server: no telemetry, no API logs."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _cell(value, width: int) -> str:
    text = "" if value is None else (value.isoformat() if isinstance(value, (date, datetime)) else str(value))
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def render(columns: list[str], rows: list[tuple], fmt: Format = Format.table, width: int = 60) -> str:
    if fmt is Format.json:
        return "\n".join(json.dumps(dict(zip(columns, r)), default=str, ensure_ascii=False) for r in rows)
    if fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    cells = [[_cell(v, width) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: " | ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(columns), "-+-".join("-" * w for w in widths)] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _open(db: Path, read_only: bool = False):
    """Open the database, or stop with a clear message when it is missing or stays in use. Reading
    opens the read snapshot when there is one (never locked by a run); writing waits for another
    writer (CLAIMFLOW_LOCK_WAIT seconds)."""
    import duckdb

    from store import DatabaseBusy, DatabaseError, connect, connect_waiting, snapshot_path

    try:
        if read_only:
            snapshot = snapshot_path(db)
            return connect(snapshot if snapshot.exists() else db, read_only=True)
        return connect_waiting(db, on_wait=lambda message: typer.echo(message, err=True))
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from None
    except (DatabaseBusy, DatabaseError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from None
    except duckdb.IOException as exc:
        hint = (f" (another process is writing it, and DuckDB allows one writer at a time with no readers; a run "
                f"publishes {snapshot_path(db)} for reading when it ends)") if "lock" in str(exc).lower() else ""
        raise typer.BadParameter(f"cannot open {db}: {exc}{hint}", param_hint="--db") from None


def _engine(engine: str, **stages):
    """Resolve the engine, or stop with a clear message (unknown engine, no API key)."""
    from claimflow.engines import EngineError, resolve_engine
    from claimflow.llm.settings import LLMSettingsError

    try:
        return resolve_engine(engine, **stages)
    except (EngineError, LLMSettingsError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--engine") from None


def _run(sources: list[str], db: Path, engine: str, top_k: int, extract: str | None = None,
         judge: str | None = None, embed: str | None = None, rejudge: bool = False, follow_symlinks: bool = False):
    _quiet_prefect()
    _engine(engine, extract=extract, judge=judge, embed=embed)
    _limits()
    _check_db(db)
    from flows.verify import verify_corpus

    return verify_corpus(sources=[str(s) for s in sources], db=str(db), engine=engine, top_k=top_k,
                         extract_engine=extract, judge_engine=judge, embed_engine=embed, rejudge=rejudge,
                         follow_symlinks=follow_symlinks)


def _limits():
    """The bounds of ingest/limits.py, or stop with a clear message (CLAIMFLOW_MAX_* not a number)."""
    from ingest.limits import Limits, LimitsError

    try:
        return Limits.from_env()
    except LimitsError as exc:
        raise typer.BadParameter(str(exc), param_hint="CLAIMFLOW_MAX_*") from None


def _check_db(db: Path) -> None:
    """Stop before a run starts when --db cannot be a claimflow database (store.db.check_file)."""
    from store.db import DatabaseError, check_file

    try:
        check_file(str(db))
    except DatabaseError as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from None


def _report(db: Path) -> None:
    con = _open(db, read_only=True)
    try:
        q = ("SELECT kind, coalesce(speaker_a, source_a) AS who_a, claim_a, coalesce(speaker_b, source_b) AS who_b,"
             " claim_b FROM contradiction_report ORDER BY kind, claim_a")
        cur = con.execute(q)
        typer.echo("\nContradictions")
        typer.echo(render([d[0] for d in cur.description], cur.fetchall(), width=48))
        cur = con.execute(
            "SELECT verdict, round(confidence, 2) AS conf, coalesce(speaker, source) AS who, text FROM claim_report"
            " WHERE verdict IN ('supported', 'refuted', 'disputed') ORDER BY verdict, source, text")
        typer.echo("\nVerdicts (check-worthy claims with evidence)")
        typer.echo(render([d[0] for d in cur.description], cur.fetchall(), width=70))
        unverified = con.execute("SELECT count(*) FROM verdicts WHERE verdict = 'unverified'").fetchone()[0]
        typer.echo(f"{unverified} more check-worthy claims are unverified (nothing else in the corpus is about "
                   f"them): SELECT * FROM claim_report WHERE verdict = 'unverified'")
        errors = con.execute("SELECT origin, reason, detail FROM ingest_errors ORDER BY origin").fetchall()
        if errors:
            typer.echo("\nNot ingested")
            typer.echo(render(["origin", "reason", "detail"], errors))
    finally:
        con.close()


@app.command()
def run(
    sources: Annotated[list[Path], typer.Argument(help="Files or folders: .txt .md .html .jsonl .xml/.rss/.atom")],
    db: DbOption = Path(DEFAULT_DB),
    engine: EngineOption = "local",
    extract_engine: ExtractEngineOption = None,
    judge_engine: JudgeEngineOption = None,
    embed_engine: EmbedEngineOption = None,
    top_k: Annotated[int, typer.Option(help="Evidence passages retrieved per claim.")] = 8,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the run summary.")] = False,
    rejudge: Annotated[bool, typer.Option(
        help="Judge every claim-evidence pair again instead of reading back the pairs an earlier run judged with "
             "the same judge (the local judge's keys already change with its code; use it for what they cannot see).")] = False,
    follow_symlinks: FollowOption = False,
) -> None:
    """Run the whole pipeline (a Prefect flow, no server needed) over SOURCES into the DuckDB file.

    A run over a database that has seen the documents before judges only what is new: pairs judged
    by an earlier run with the same judge are read back, so the tables are those a full re-run
    would give."""
    summary = _run(list(sources), db, engine, top_k, extract_engine, judge_engine, embed_engine, rejudge,
                   follow_symlinks)
    typer.echo(f"run {summary.run_id} {summary.status}: {summary.documents_seen} documents "
               f"({summary.documents_new} new), {summary.ingest_errors} not ingested, {summary.claims} claims "
               f"({summary.claims_judged} judged afresh), "
               f"{summary.evidence} evidence rows, {summary.contradictions} contradictions, verdicts "
               f"{summary.verdicts} -> {db}")
    if summary.llm_calls or summary.cache_hits:
        typer.echo(f"model calls: {summary.llm_calls} ({summary.cache_hits} answers from the cache), tokens in "
                   f"{summary.tokens_in}, out {summary.tokens_out}")
    if summary.note:
        typer.echo(f"note: {summary.note}")
    if not quiet:
        _report(db)


@app.command()
def ingest(
    sources: Annotated[list[Path], typer.Argument(help="Files or folders: .txt .md .html .jsonl .xml/.rss/.atom")],
    db: DbOption = Path(DEFAULT_DB),
    follow_symlinks: FollowOption = False,
) -> None:
    """Only read SOURCES into the `documents` table (errors into `ingest_errors`); no claims yet."""
    import uuid

    from claimflow import pipeline
    from store.writer import Writer

    from store import publish_snapshot

    absolute = pipeline.absolute([str(s) for s in sources])
    con = _open(db)
    try:
        writer = Writer(con)
        run_id = uuid.uuid4().hex[:16]
        writer.close_crashed_runs()
        writer.absolute_origins(db.absolute().parent)
        writer.start_run(run_id, None, "ingest-only", "-", "-", absolute)
        result = pipeline.ingest(writer, absolute, run_id, limits=_limits(), follow_symlinks=follow_symlinks)
        writer.finish_run(run_id, "completed", {"n_documents_seen": len(result.documents),
                                                 "n_documents_new": len(result.new),
                                                 "n_ingest_errors": len(result.errors)})
        publish_snapshot(con, db)
    finally:
        con.close()
    typer.echo(f"{len(result.documents)} documents read, {len(result.new)} new, {len(result.errors)} not ingested "
               f"-> {db}")
    for e in result.errors:
        typer.echo(f"  not ingested: {e.origin}: {e.reason}: {e.detail}", err=True)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A SQL query, e.g. \"SELECT * FROM contradiction_report\".")],
    db: DbOption = Path(DEFAULT_DB),
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Run a read-only SQL query against the DuckDB file (fts and vss extensions loaded). Reads the
    snapshot each run publishes (DB with `.read` before its suffix, e.g. claimflow.read.duckdb) when
    there is one, so a query never waits for, or blocks, a run."""
    import duckdb

    con = _open(db, read_only=True)
    try:
        cursor = con.execute(query)
        rows = cursor.fetchall() if cursor.description else []
        columns = [d[0] for d in cursor.description] if cursor.description else []
    except duckdb.Error as exc:
        typer.echo(f"SQL error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        con.close()
    typer.echo(render(columns, rows, format, width=80))


@app.command()
def judge(
    pairs: Annotated[Path, typer.Argument(help='JSONL, one pair a line: {"id", "premise", "hypothesis"}.')],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    engine: EngineOption = "local",
    batch: Annotated[int, typer.Option(help="Pairs judged per batch.")] = 2000,
) -> None:
    """Judge NLI-style pairs: writes {"id", "label", "score"} per line, label in entailment /
    contradiction / neutral (the premise is the evidence, the hypothesis the claim). A line that
    cannot be read gets {"id", "error"} instead, so no input line is lost."""
    from pydantic import BaseModel, ValidationError

    from claimflow.evaluate import NLI_LABEL
    from evidence.models import Judgement

    class PairLine(BaseModel):
        id: str | int
        premise: str
        hypothesis: str

    chosen = _engine(engine)
    if not pairs.exists():
        raise typer.BadParameter(f"no such file: {pairs}", param_hint="PAIRS")
    out = open(output, "w") if output else sys.stdout
    counts = {"judged": 0, "errors": 0, "failed": 0}
    pending: list[PairLine | dict] = []  # in input order; a dict is an unreadable line's error record

    def flush() -> None:
        good = [p for p in pending if isinstance(p, PairLine)]
        verdicts = iter(chosen.judge.judge([(p.hypothesis, p.premise) for p in good]))
        for item in pending:
            if isinstance(item, dict):
                record = item
            else:
                j = next(verdicts)
                if isinstance(j, Judgement):
                    counts["judged"] += 1
                    record = {"id": item.id, "label": NLI_LABEL[j.stance], "score": round(j.score, 4)}
                else:  # the model failed on it after retries: said so, never a default label
                    counts["failed"] += 1
                    record = {"id": item.id, "error": j.reason}
            out.write(json.dumps(record) + "\n")
        pending.clear()

    try:
        with open(pairs) as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    pending.append(PairLine.model_validate_json(line))
                except ValidationError as exc:
                    counts["errors"] += 1
                    try:
                        raw_id = json.loads(line).get("id")
                    except (ValueError, AttributeError):
                        raw_id = None
                    problem = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors())
                    pending.append({"id": raw_id, "line": number, "error": problem})
                if len(pending) >= batch:
                    flush()
        flush()
    finally:
        if output:
            out.close()
        else:
            out.flush()
    typer.echo(f"{counts['judged']} pairs judged, {counts['failed']} failed (model errors), "
               f"{counts['errors']} lines not readable", err=True)


@app.command("eval")
def eval_(
    datasets: Annotated[Optional[Path], typer.Option(help="Folder with the public sets: fever_symmetric_dev.jsonl, "
                                                          "climate_fever.jsonl, sick.tsv, vitaminc_*.jsonl, "
                                                          "mnli_dev_matched.jsonl, snli_dev.jsonl (default: "
                                                          "../shared/datasets).")] = None,
    corpus: Annotated[bool, typer.Option(help="Also run the whole pipeline on the sample corpus and its key.")] = True,
    judge: Annotated[str, typer.Option(
        "--judge", help="'local' (the local engine's judge: the cross-encoder decides, the cue analysis types "
                        "and explains; evidence/model_judge.py), 'model' (the cross-encoder alone: its most "
                        "likely label on every pair) or 'cue' (the hand-built cue analysis alone, "
                        "evidence/judge.py).")] = "local",
    validation: Annotated[bool, typer.Option(help="Also score the held-out validation slices of the "
                                                  "cross-encoder's training files.")] = True,
) -> None:
    """Score a judge on every development set and print one table: accuracy, macro-F1, F1 of the
    contradiction class, expected calibration error (ECE) of the score it writes, pairs per second,
    and a confusion matrix per set. The sample-corpus key always runs the local engine."""
    from claimflow.evaluate import DATASETS, format_table, run_judge_benchmarks

    root = datasets or DATASETS
    if not (root / "fever_symmetric_dev.jsonl").exists():
        raise typer.BadParameter(f"no benchmark data in {root}", param_hint="--datasets")
    if judge == "local":
        from evidence.model_judge import ModelJudge

        chosen = ModelJudge()
    elif judge == "model":
        from evidence.model_judge import ModelJudge

        chosen = ModelJudge(figures=False, time=False, polarity=False, partial=False)
    elif judge == "cue":
        from evidence.judge import CueJudge

        chosen = CueJudge()
    else:
        raise typer.BadParameter("expected 'local', 'model' or 'cue'", param_hint="--judge")
    typer.echo(format_table(run_judge_benchmarks(chosen, root, validation=validation)))
    if corpus and EXAMPLES.exists():
        import tempfile

        from claimflow.answer_key import score

        db = Path(tempfile.mkdtemp()) / "eval.duckdb"
        _run([EXAMPLES], db, "local", 8)
        typer.echo("\nSample corpus answer key: " + score(db, EXAMPLES.parent / "answer_key.json").summary())


@app.command()
def hnsw(db: DbOption = Path(DEFAULT_DB)) -> None:
    """Build an HNSW index over the passage embeddings, for fast vector search in SQL (kept up to date
    by later runs). claimflow's own retrieval does not need it."""
    import time

    from evidence.index import HNSW_INDEX
    from store import publish_snapshot
    from store.writer import Writer

    if not db.exists():
        raise typer.BadParameter(f"no claimflow database at {db}", param_hint="--db")
    con = _open(db)
    try:
        started = time.perf_counter()
        Writer(con).create_hnsw()
        n = con.execute("SELECT count(*) FROM passages").fetchone()[0]
        publish_snapshot(con, db)
    finally:
        con.close()
    typer.echo(f"HNSW index {HNSW_INDEX} over {n} passages in {time.perf_counter() - started:.1f} s -> {db}")


@app.command()
def demo(
    corpus: Annotated[Optional[Path], typer.Argument(help="Corpus folder (default: the bundled examples).")] = None,
    db: DbOption = Path("demo.duckdb"),
) -> None:
    """Run claimflow on the bundled sample corpus and print contradictions and verdicts."""
    corpus = corpus or EXAMPLES
    if not corpus.exists():
        raise typer.BadParameter(f"no corpus at {corpus}; pass a folder", param_hint="CORPUS")
    typer.echo(f"claimflow demo: verifying {corpus} -> {db}")
    summary = _run([corpus], db, "local", 8)
    typer.echo(f"{summary.documents_seen} documents, {summary.claims} claims, {summary.contradictions} "
               f"contradictions, verdicts {summary.verdicts}")
    _report(db)
    typer.echo(f"\nExplore it: claimflow sql \"SELECT * FROM contradiction_report\" --db {db}")


@app.command()
def serve(
    sources: Annotated[list[Path], typer.Argument(help="Folders to watch (new documents are processed each run).")],
    db: DbOption = Path(DEFAULT_DB),
    cron: Annotated[str, typer.Option(help="Cron schedule of the runs.")] = "0 * * * *",
    engine: EngineOption = "local",
    extract_engine: ExtractEngineOption = None,
    judge_engine: JudgeEngineOption = None,
    embed_engine: EmbedEngineOption = None,
    name: Annotated[str, typer.Option(help="Deployment name shown in the Prefect UI.")] = "verify-corpus-scheduled",
    follow_symlinks: FollowOption = False,
) -> None:
    """Serve a scheduled deployment of the flow (needs a Prefect server: `prefect server start`, and
    PREFECT_API_URL pointing at it). Runs show in the Prefect UI with their report as an artifact."""
    from flows.verify import verify_corpus

    _engine(engine, extract=extract_engine, judge=judge_engine, embed=embed_engine)
    problem = prefect_api_problem()
    if problem:
        raise typer.BadParameter(problem, param_hint="PREFECT_API_URL")
    verify_corpus.serve(name=name, cron=cron, parameters={
        "sources": [str(s.resolve()) for s in sources], "db": str(db.resolve()), "engine": engine,
        "extract_engine": extract_engine, "judge_engine": judge_engine, "embed_engine": embed_engine,
        "follow_symlinks": follow_symlinks})


START_SERVER = ("start one with `prefect server start` (UI and API on http://127.0.0.1:4200), then "
                "`export PREFECT_API_URL=http://127.0.0.1:4200/api`")


def prefect_api_problem(timeout: float = 5.0) -> str | None:
    """Why `serve` cannot work here, or None: without a Prefect API a served deployment waits for
    scheduled runs that nothing will ever create."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        return f"PREFECT_API_URL is not set, so no Prefect server would schedule the runs: {START_SERVER}"
    try:
        httpx.get(url.rstrip("/") + "/health", timeout=timeout).raise_for_status()
    except httpx.HTTPError as exc:
        return f"no Prefect API answers at {url} ({type(exc).__name__}: {exc}): {START_SERVER}"
    return None


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
