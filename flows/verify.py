"""The `verify_corpus` flow: ingest -> extract -> index -> retrieve + judge -> record, into DuckDB.

Tasks compute and return pydantic results; only the flow body writes, through one Writer on one
connection (DuckDB allows one writing process, and one busy connection cannot serve threads).
Run it from the CLI (`claimflow run`, no server needed) or as the scheduled deployment in prefect.yaml."""

import asyncio
import os
import uuid
from datetime import date
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import TerminationSignal
from prefect.runtime import flow_run
from prefect.states import Completed
from pydantic import BaseModel

from claimflow import pipeline, run_report
from claimflow.engines import Engine, resolve_engine
from claims.models import Claim, DocumentClaims
from evidence.index import add_passages, rebuild_bm25
from evidence.sources import group_sources, link_duplicates
from ingest.models import Document, IngestError
from store import DEFAULT_DB, connect_waiting, publish_snapshot
from store.db import note_failed_run, take_failed_runs
from store.writer import RunChanges, Writer, now
from verdicts.models import Pending

_TASK = dict(cache_policy=NO_CACHE, persist_result=False)


class RunSummary(BaseModel):
    run_id: str
    db: str
    status: str
    documents_seen: int
    documents_new: int
    ingest_errors: int
    claims: int
    claims_judged: int = 0
    evidence: int
    contradictions: int
    verdicts: dict[str, int]
    pending: int = 0
    llm_calls: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    note: str | None = None
    new_contradictions: int = 0
    verdicts_changed: int = 0
    crashed_runs: list[str] = []


class SourceError(RuntimeError):
    """A source that does not exist, or a folder with nothing readable: the run fails with the reason."""


@task(name="ingest", **_TASK)
def ingest_task(sources: list[str], today: date | None) -> pipeline.IngestResult:
    return pipeline.ingest(sources, today)


@task(name="extract", **_TASK)
def extract_task(engine: Engine, documents: list[Document]) -> list[DocumentClaims]:
    return pipeline.extract(engine, documents)


@task(name="judge", **_TASK)
def judge_task(con, engine: Engine, claims: list[Claim], source_of: dict[str, str], top_k: int,
               reuse: bool) -> pipeline.JudgeResult:
    return pipeline.judge(con, engine, claims, source_of, top_k=top_k, reuse=reuse)


@flow(name="verify-corpus", log_prints=False)
def verify_corpus(sources: list[str], db: str = DEFAULT_DB, engine: str = "local", top_k: int = 8,
                  today: date | None = None, extract_engine: str | None = None, judge_engine: str | None = None,
                  embed_engine: str | None = None, rejudge: bool = False) -> RunSummary:
    """Verify every claim in SOURCES (files, folders, JSONL) and record the results in the DuckDB file DB.

    ENGINE ("local" or "openai:MODEL") serves every stage unless a stage has its own engine. Pairs an
    earlier run judged with the same judge are read back, not judged again (REJUDGE: judge all). Waits
    (CLAIMFLOW_LOCK_WAIT seconds) while another process writes DB; at the end publishes the read
    snapshot analysts open (DB with `.read` before its suffix), a markdown and a table artifact,
    and a run name that says what happened."""
    logger = get_run_logger()
    chosen = resolve_engine(engine, extract=extract_engine, judge=judge_engine, embed=embed_engine, today=today)
    run_id = uuid.uuid4().hex[:16]
    started = now()
    sources = pipeline.absolute(sources)  # one identity per file, whichever entry point
    db = db if db == ":memory:" else os.path.abspath(db)
    try:
        con = connect_waiting(db, on_wait=logger.warning)
    except Exception as exc:  # locked for too long, or not a database: recorded by the next run that opens it
        note_failed_run(db, {"run_id": run_id, "flow_run_id": flow_run.get_id(), "engine": chosen.spec,
                             "sources": sources, "started_at": started, "status": "failed",
                             "error": f"{type(exc).__name__}: {exc}"})
        raise
    writer = Writer(con)
    chosen.bind(con, run_id)
    counts: dict[str, int] = {}
    try:
        for record in take_failed_runs(db):
            writer.record_failed_run(record["run_id"], record.get("flow_run_id"), record["engine"], record["sources"],
                                     record["started_at"], record["status"], record["error"])
        crashed = writer.close_crashed_runs()
        if crashed:
            logger.warning("closed %d runs whose process had ended as crashed (%s); this run redoes their work",
                           len(crashed), ", ".join(crashed))
        writer.absolute_origins(Path(db).absolute().parent)
        writer.start_run(run_id, flow_run.get_id(), chosen.spec, chosen.extractor.name, chosen.judge.name, sources,
                         chosen.embedder.name, chosen.endpoint)
        ingested = ingest_task(sources, today)
        fresh = writer.add_documents(ingested.documents, run_id)
        writer.clear_errors_under(sources)
        writer.record_errors(ingested.errors, run_id)
        for error in ingested.errors:
            logger.warning("not ingested: %s (%s: %s)", error.origin, error.reason, error.detail)
        counts.update(n_documents_seen=len(ingested.documents), n_documents_new=len(fresh),
                      n_ingest_errors=len(ingested.errors))
        logger.info("ingested %d documents: %d new, %d not ingested", len(ingested.documents), len(fresh),
                    len(ingested.errors))
        unusable = pipeline.unusable_sources(sources, ingested)
        if unusable:
            raise SourceError(unusable)

        mixed = writer.other_embedders(chosen.embedder.name)
        if mixed:
            logger.warning("passages in %s were embedded by %s, this run embeds with %s: vectors of different models "
                           "do not compare; use one embedder per database", db, ", ".join(mixed), chosen.embedder.name)
        pending = writer.pending_documents(chosen.extractor.name)
        waiting: list[Pending] = []
        if pending:
            results = pipeline.drop_boilerplate(con, pending, extract_task(chosen, pending))
            extractions = [x for x in results if x.error is None]
            failed = [IngestError(origin=next(d.origin for d in pending if d.doc_id == x.doc_id), reason="extraction",
                                  detail=f"document {x.doc_id}: {x.error}; it will be retried next run")
                      for x in results if x.error is not None]
            writer.record_errors(failed, run_id)
            waiting = [Pending(stage="extract", item_id=x.doc_id, claim_id=None, doc_id=x.doc_id, reason=x.error)
                       for x in results if x.error is not None]
            done = {x.doc_id for x in extractions}
            writer.clear_errors([d.origin for d in pending if d.doc_id in done], "extraction")
            for error in failed:
                logger.error("extraction failed: %s (%s)", error.origin, error.detail)
            counts["n_ingest_errors"] += len(failed)
            ingested.errors.extend(failed)
            # Passages first: a document counts as extracted only once its passages are indexed too. A document
            # whose extraction failed after its sentences were found (a model call failed) is indexed all the
            # same, so that it is evidence for other claims while its own claims wait.
            added = add_passages(con, pipeline.passages_of(pending, results), chosen.embedder, run_id)
            writer.save_extractions(extractions, chosen.extractor.name, run_id, pipeline.anomalies_of(extractions))
            linked = link_duplicates(con, set(added))
            logger.info("extracted %d documents: %d claims; %d new passages, %d repeat another document's",
                        len(pending), sum(len(x.claims) for x in extractions), len(added), linked)
        writer.save_pending_extractions(waiting, chosen.extractor.name, run_id)
        group_sources(con, run_id)
        claims = writer.load_claims()
        renames = pipeline.speaker_renames(claims)
        if renames:
            writer.rename_speakers(renames)
            claims = writer.load_claims()
        rebuild_bm25(con)
        judged = judge_task(con, chosen, claims, writer.sources(), top_k, not rejudge)
        changes = writer.save_judgements(judged.evidence, judged.contradictions, judged.verdicts, run_id,
                                         judged.pending, chosen.judge.name, judged.changes, judged.memo)
        n_contradictions = con.execute("SELECT count(*) FROM contradictions").fetchone()[0]
        n_pending = con.execute("SELECT count(*) FROM pending").fetchone()[0]
        usage = chosen.usage
        counts.update(n_claims=len(claims), n_claims_judged=judged.claims_judged, n_evidence=len(judged.evidence),
                      n_contradictions=n_contradictions,
                      n_pending=n_pending, n_llm_calls=usage.calls, n_cache_hits=usage.cache_hits,
                      tokens_in=usage.tokens_in, tokens_out=usage.tokens_out)
        logger.info("judged %d claims (%d with pairs judged afresh, the rest read back): %d evidence rows; "
                    "%d contradictions (%d new, %d gone); %d verdicts changed", len(claims), judged.claims_judged,
                    len(judged.evidence), n_contradictions, len(changes.appeared), len(changes.disappeared),
                    len(changes.verdicts))
        note = f"passages were embedded by {', '.join(mixed)} too: retrieval mixes vector spaces" if mixed else None
        if n_pending:
            note = "; ".join(filter(None, [
                f"{n_pending} items pending (see the pending table); the next run tries them again"
                + (f": {chosen.stopped}" if chosen.stopped else ""), note]))
            logger.warning(note)
        status = "partial" if n_pending else "completed"
        writer.finish_run(run_id, status, counts, error=note)
        verdicts: dict[str, int] = {}
        for v in judged.verdicts:
            verdicts[v.verdict] = verdicts.get(v.verdict, 0) + 1
        _publish(con, db, run_id, chosen, sources, counts, ingested.errors, changes, crashed, note, status, logger)
        summary = RunSummary(
            run_id=run_id, db=str(db), status=status, documents_seen=counts["n_documents_seen"],
            documents_new=counts["n_documents_new"], ingest_errors=counts["n_ingest_errors"], claims=len(claims),
            claims_judged=judged.claims_judged,
            evidence=len(judged.evidence), contradictions=n_contradictions, verdicts=verdicts, pending=n_pending,
            llm_calls=usage.calls, cache_hits=usage.cache_hits, tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out, note=note, new_contradictions=len(changes.appeared),
            verdicts_changed=len(changes.verdicts), crashed_runs=crashed,
        )
        message = "; ".join(filter(None, [
            f"{counts['n_ingest_errors']} not ingested (see ingest_errors)" if counts["n_ingest_errors"] else None,
            f"{len(changes.appeared)} new contradictions, {len(changes.verdicts)} verdicts changed", note]))
        return Completed(message=message, data=summary)
    except BaseException as exc:
        usage = chosen.usage
        counts.update(n_llm_calls=usage.calls, n_cache_hits=usage.cache_hits, tokens_in=usage.tokens_in,
                      tokens_out=usage.tokens_out)
        stopped = _stopped(exc)
        writer.finish_run(run_id, "cancelled" if stopped else "failed", counts,
                          error=stopped or f"{type(exc).__name__}: {exc}")
        _snapshot(con, db, logger)
        raise
    finally:
        con.close()


def _stopped(exc: BaseException) -> str | None:
    """How a run was stopped from outside, or None when it failed by itself. Prefect turns the SIGTERM
    a worker sends for a cancellation (and any other SIGTERM) into a TerminationSignal in the flow."""
    if isinstance(exc, TerminationSignal):
        return "cancelled (SIGTERM: from the Prefect UI or API, or a kill); the next run redoes what it left"
    if isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)):
        return f"interrupted ({type(exc).__name__}); the next run redoes what it left"
    return None


def _snapshot(con, db: str, logger) -> None:
    """Publish the read snapshot; a failure to copy is logged, never fails the run that wrote."""
    try:
        publish_snapshot(con, db)
    except (OSError, duckdb.Error) as exc:  # e.g. a connection a failed write invalidated
        logger.warning("could not publish the read snapshot of %s: %s", db, exc)


def _publish(con, db: str, run_id: str, chosen: Engine, sources: list[str], counts: dict[str, int],
             errors: list[IngestError], changes: RunChanges, crashed: list[str], note: str | None, status: str,
             logger) -> None:
    """The read snapshot, the run's artifacts (markdown report, table of new contradictions) and its name."""
    _snapshot(con, db, logger)
    key = run_report.artifact_key(db)
    create_markdown_artifact(
        run_report.run_markdown(con, run_id, db, chosen.spec, chosen.judge.name, counts, errors, changes, crashed, note),
        key=key, description=f"claimflow run {run_id} over {', '.join(sources)}")
    rows = run_report.contradiction_rows(con, changes.appeared)
    create_table_artifact(rows or [{"kind": "", "claim_a": "no new contradictions", "claim_b": ""}],
                          key=f"{key}-new-contradictions", description=f"new contradictions of run {run_id}")
    _rename(run_report.run_name(sources, counts, changes, status), [f"engine:{chosen.spec}", f"db:{Path(db).name}"],
            logger)


def _rename(name: str, tags: list[str], logger) -> None:
    """Give the flow run a name that says what happened, and tags to filter by (best effort: a run
    without an API, or an API that refuses, keeps its random name)."""
    run = flow_run.get_id()
    if not run:
        return
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            current = client.read_flow_run(run)
            client.update_flow_run(run, name=name, tags=sorted(set(current.tags) | set(tags)))
    except Exception as exc:  # the UI name is a convenience; the results are already written
        logger.warning("could not rename the flow run: %s", exc)
