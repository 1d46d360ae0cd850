"""The `verify_corpus` flow: ingest -> extract -> index -> retrieve + judge -> record, into DuckDB.

Each task is one stage function of claimflow/pipeline.py; every write goes through one Writer on one
connection (DuckDB allows one writing process, and one busy connection cannot serve threads), and
the flow body keeps the run's own bookkeeping: the runs row, the read snapshot, the artifacts.
Run it from the CLI (`claimflow run`, no server needed) or as the scheduled deployment in prefect.yaml."""

import asyncio
import os
import time
import uuid
from datetime import date
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import (create_markdown_artifact, create_progress_artifact, create_table_artifact,
                               update_progress_artifact)
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import TerminationSignal
from prefect.runtime import flow_run
from prefect.states import Completed
from pydantic import BaseModel

from claimflow import pipeline, run_report
from claimflow.engines import Engine, resolve_engine
from ingest.limits import Limits
from ingest.models import Document, IngestError
from store import DEFAULT_DB, DatabaseError, connect_waiting, publish_snapshot
from store.db import note_failed_run, take_failed_runs
from store.writer import RunChanges, Writer, now

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


class Progress:
    """A progress artifact in the Prefect UI for the long stages (extract, embed, judge): its bar moves
    through each step's share of the run and its description says where the run is ("judge
    claim-evidence pairs: 2,048 of 9,300"). Updated at most every `every` seconds; a run without an
    API (or an API that refuses) just goes on without it."""

    SHARES = {"extract": (0, 40), "embed passages": (40, 50), "embed passages in their title's context": (50, 60),
              "judge claim-evidence pairs": (60, 95), "judge pairs of claims": (95, 99)}

    def __init__(self, run_id: str, logger, every: float = 2.0) -> None:
        self.run_id, self.logger, self.every = run_id, logger, every
        self.artifact = None
        self.last = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        if time.monotonic() - self.last < self.every and done < total:
            return
        self.last = time.monotonic()
        low, high = self.SHARES.get(step, (0, 100))
        self._show(low + (high - low) * done / max(1, total), f"claimflow run {self.run_id}: {step}: {done:,} of {total:,}")

    def finish(self, message: str) -> None:
        if self.artifact is not None:
            self._show(100.0, f"claimflow run {self.run_id}: {message}")

    def _show(self, percent: float, description: str) -> None:
        if not flow_run.get_id():
            return
        try:
            if self.artifact is None:
                self.artifact = create_progress_artifact(percent, description=description)
            else:
                update_progress_artifact(self.artifact, percent, description=description)
        except Exception as exc:  # progress is a convenience; the run's work goes on
            self.logger.warning("could not show progress: %s", exc)
            self.artifact, self.every = None, float("inf")


# One task per stage (claimflow/pipeline.py), each logging its counts; the stage functions do the work.
@task(name="ingest", **_TASK)
def ingest_task(writer: Writer, sources: list[str], run_id: str, today: date | None, limits: Limits,
                follow_symlinks: bool) -> pipeline.IngestResult:
    return _logged(pipeline.ingest(writer, sources, run_id, today, limits, follow_symlinks))


@task(name="extract", **_TASK)
def extract_task(con, engine: Engine, documents: list[Document], progress: Progress,
                 limits: Limits) -> pipeline.Extracted:
    return _logged(pipeline.extract(con, engine, documents, progress, limits))


@task(name="index", **_TASK)
def index_task(writer: Writer, engine: Engine, extracted: pipeline.Extracted, run_id: str,
               progress: Progress) -> pipeline.Indexed:
    return _logged(pipeline.index(writer, engine, extracted, run_id, progress))


@task(name="judge", **_TASK)
def judge_task(writer: Writer, engine: Engine, top_k: int, reuse: bool, progress: Progress,
               limits: Limits) -> pipeline.JudgeResult:
    return _logged(pipeline.judge_corpus(writer, engine, top_k=top_k, reuse=reuse, progress=progress, limits=limits))


@task(name="record", **_TASK)
def record_task(writer: Writer, judged: pipeline.JudgeResult, run_id: str, judged_by: str) -> pipeline.Recorded:
    return _logged(pipeline.record(writer, judged, run_id, judged_by))


def _logged(result):
    get_run_logger().info(result.summary)
    return result


@flow(name="verify-corpus", log_prints=False)
def verify_corpus(sources: list[str], db: str = DEFAULT_DB, engine: str = "local", top_k: int = 8,
                  today: date | None = None, extract_engine: str | None = None, judge_engine: str | None = None,
                  embed_engine: str | None = None, rejudge: bool = False,
                  follow_symlinks: bool = False) -> RunSummary:
    """Verify every claim in SOURCES (files, folders, JSONL) and record the results in the DuckDB file DB.

    ENGINE ("local" or "openai:MODEL") serves every stage unless a stage has its own engine. Pairs an
    earlier run judged with the same judge are read back, not judged again (REJUDGE: judge all). Waits
    (CLAIMFLOW_LOCK_WAIT seconds) while another process writes DB; at the end publishes the read
    snapshot analysts open (DB with `.read` before its suffix), a markdown and a table artifact,
    and a run name that says what happened. The bounds of ingest/limits.py (CLAIMFLOW_MAX_*) hold;
    symlinks out of a source folder are refused unless FOLLOW_SYMLINKS."""
    logger = get_run_logger()
    limits = Limits.from_env()
    chosen = resolve_engine(engine, extract=extract_engine, judge=judge_engine, embed=embed_engine, today=today)
    run_id = uuid.uuid4().hex[:16]
    started = now()
    sources = pipeline.absolute(sources)  # one identity per file, whichever entry point
    db = db if db == ":memory:" else os.path.abspath(db)
    try:
        con = connect_waiting(db, on_wait=logger.warning)
    except DatabaseError:  # not a database claimflow may write: nothing is written, not even a note beside it
        raise
    except Exception as exc:  # locked for too long: recorded by the next run that opens it
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
        ingested = ingest_task(writer, sources, run_id, today, limits, follow_symlinks)
        for error in ingested.errors:
            logger.warning("not ingested: %s (%s: %s)", error.origin, error.reason, error.detail)
        counts.update(n_documents_seen=len(ingested.documents), n_documents_new=len(ingested.new),
                      n_ingest_errors=len(ingested.errors))
        unusable = pipeline.unusable_sources(sources, ingested)
        if unusable:
            raise SourceError(unusable)

        mixed = writer.other_embedders(chosen.embedder.name)
        if mixed:
            logger.warning("passages in %s were embedded by %s, this run embeds with %s: vectors of different models "
                           "do not compare; use one embedder per database", db, ", ".join(mixed), chosen.embedder.name)
        progress = Progress(run_id, logger)
        extracted = extract_task(con, chosen, writer.pending_documents(chosen.extractor.name), progress, limits)
        for error in extracted.errors:
            logger.error("extraction failed: %s (%s)", error.origin, error.detail)
        counts["n_ingest_errors"] += len(extracted.errors)
        ingested.errors.extend(extracted.errors)
        index_task(writer, chosen, extracted, run_id, progress)
        judged = judge_task(writer, chosen, top_k, not rejudge, progress, limits)
        recorded = record_task(writer, judged, run_id, chosen.judge.name)
        changes, n_contradictions, n_pending = recorded.changes, recorded.contradictions, recorded.pending
        usage = chosen.usage
        counts.update(n_claims=judged.claims, n_claims_judged=judged.claims_judged, n_evidence=len(judged.evidence),
                      n_contradictions=n_contradictions, n_pending=n_pending, n_llm_calls=usage.calls,
                      n_cache_hits=usage.cache_hits, tokens_in=usage.tokens_in, tokens_out=usage.tokens_out)
        note = f"passages were embedded by {', '.join(mixed)} too: retrieval mixes vector spaces" if mixed else None
        retried = n_pending - recorded.limited
        cut = _bounds_note(extracted.truncated, recorded.limited)
        if retried or cut:
            note = "; ".join(filter(None, [
                f"{retried} items pending (see the pending table); the next run tries them again"
                + (f": {chosen.stopped}" if chosen.stopped else "") if retried else None, cut, note]))
            logger.warning(note)
        status = "partial" if retried else "completed"
        writer.finish_run(run_id, status, counts, error=note)
        verdicts: dict[str, int] = {}
        for v in judged.verdicts:
            verdicts[v.verdict] = verdicts.get(v.verdict, 0) + 1
        _publish(con, db, run_id, chosen, sources, counts, ingested.errors, changes, crashed, note, status, logger)
        summary = RunSummary(
            run_id=run_id, db=str(db), status=status, documents_seen=counts["n_documents_seen"],
            documents_new=counts["n_documents_new"], ingest_errors=counts["n_ingest_errors"], claims=judged.claims,
            claims_judged=judged.claims_judged,
            evidence=len(judged.evidence), contradictions=n_contradictions, verdicts=verdicts, pending=n_pending,
            llm_calls=usage.calls, cache_hits=usage.cache_hits, tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out, note=note, new_contradictions=len(changes.appeared),
            verdicts_changed=len(changes.verdicts), crashed_runs=crashed,
        )
        message = "; ".join(filter(None, [
            f"{counts['n_ingest_errors']} not ingested (see ingest_errors)" if counts["n_ingest_errors"] else None,
            f"{len(changes.appeared)} new contradictions, {len(changes.verdicts)} verdicts changed", note]))
        progress.finish(message)
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


def _bounds_note(truncated: list[IngestError], limited: int) -> str | None:
    """What the bounds of ingest/limits.py cut this run, or None."""
    parts = []
    if truncated:
        parts.append(f"{len(truncated)} documents extracted only in part (ingest_errors, reason 'truncated')")
    if limited:
        parts.append(f"{limited} check-worthy claims past their document's bound not judged (pending, stage 'limit')")
    return ("bounds: " + "; ".join(parts) + " (ingest/limits.py, CLAIMFLOW_MAX_*)") if parts else None


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
