"""The `verify_corpus` flow: ingest -> extract -> index -> retrieve + judge -> record, into DuckDB.

Tasks compute and return pydantic results; only the flow body writes, through one Writer on one
connection (DuckDB allows one writing process, and one busy connection cannot serve threads).
Run it from the CLI (`claimflow run`, no server needed) or as the scheduled deployment in prefect.yaml."""

import uuid
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from pydantic import BaseModel

from claimflow import pipeline
from claimflow.engines import Engine, resolve_engine
from claims.models import Claim, DocumentClaims
from evidence.index import add_passages, rebuild_bm25
from evidence.sources import group_sources, link_duplicates
from ingest.models import Document, IngestError
from store import DEFAULT_DB, connect
from store.writer import Writer
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
    evidence: int
    contradictions: int
    verdicts: dict[str, int]
    pending: int = 0
    llm_calls: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    note: str | None = None


@task(name="ingest", **_TASK)
def ingest_task(sources: list[str], today: date | None) -> pipeline.IngestResult:
    return pipeline.ingest(sources, today)


@task(name="extract", **_TASK)
def extract_task(engine: Engine, documents: list[Document]) -> list[DocumentClaims]:
    return pipeline.extract(engine, documents)


@task(name="judge", **_TASK)
def judge_task(con, engine: Engine, claims: list[Claim], source_of: dict[str, str], top_k: int) -> pipeline.JudgeResult:
    return pipeline.judge(con, engine, claims, source_of, top_k=top_k)


@flow(name="verify-corpus", log_prints=False)
def verify_corpus(sources: list[str], db: str = DEFAULT_DB, engine: str = "local", top_k: int = 8,
                  today: date | None = None, extract_engine: str | None = None, judge_engine: str | None = None,
                  embed_engine: str | None = None) -> RunSummary:
    """Verify every claim in SOURCES (files, folders, JSONL) and record the results in the DuckDB file DB.

    ENGINE ("local" or "openai:MODEL") serves every stage unless a stage has its own engine."""
    logger = get_run_logger()
    chosen = resolve_engine(engine, extract=extract_engine, judge=judge_engine, embed=embed_engine, today=today)
    run_id = uuid.uuid4().hex[:16]
    con = connect(db)
    writer = Writer(con)
    chosen.bind(con, run_id)
    counts: dict[str, int] = {}
    try:
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
            # Passages first: a document counts as extracted only once its passages are indexed too. A document
            # whose extraction failed after its sentences were found (a model call failed) is indexed all the
            # same, so that it is evidence for other claims while its own claims wait.
            added = add_passages(con, pipeline.passages_of(pending, results), chosen.embedder, run_id)
            writer.save_extractions(extractions, chosen.extractor.name, run_id, pipeline.anomalies_of(extractions))
            linked = link_duplicates(con, set(added))
            logger.info("extracted %d documents; %d new passages, %d repeat another document's",
                        len(pending), len(added), linked)
        writer.save_pending_extractions(waiting, chosen.extractor.name, run_id)
        group_sources(con, run_id)
        claims = writer.load_claims()
        renames = pipeline.speaker_renames(claims)
        if renames:
            writer.rename_speakers(renames)
            claims = writer.load_claims()
        rebuild_bm25(con)
        judged = judge_task(con, chosen, claims, writer.sources(), top_k)
        writer.save_judgements(judged.evidence, judged.contradictions, judged.verdicts, run_id, judged.pending,
                               chosen.judge.name, judged.changes)
        n_contradictions = con.execute("SELECT count(*) FROM contradictions").fetchone()[0]
        n_pending = con.execute("SELECT count(*) FROM pending").fetchone()[0]
        usage = chosen.usage
        counts.update(n_claims=len(claims), n_evidence=len(judged.evidence), n_contradictions=n_contradictions,
                      n_pending=n_pending, n_llm_calls=usage.calls, n_cache_hits=usage.cache_hits,
                      tokens_in=usage.tokens_in, tokens_out=usage.tokens_out)
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
        return RunSummary(
            run_id=run_id, db=str(db), status=status, documents_seen=counts["n_documents_seen"],
            documents_new=counts["n_documents_new"], ingest_errors=counts["n_ingest_errors"], claims=len(claims),
            evidence=len(judged.evidence), contradictions=n_contradictions, verdicts=verdicts, pending=n_pending,
            llm_calls=usage.calls, cache_hits=usage.cache_hits, tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out, note=note,
        )
    except BaseException as exc:
        usage = chosen.usage
        counts.update(n_llm_calls=usage.calls, n_cache_hits=usage.cache_hits, tokens_in=usage.tokens_in,
                      tokens_out=usage.tokens_out)
        writer.finish_run(run_id, "failed", counts, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        con.close()
