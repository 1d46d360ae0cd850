"""The single writer: every row claimflow stores goes through here, on one connection, in transactions.

Writes are idempotent: documents keyed by doc_id (content hash unless given), claims by
(doc_id, span), passages by (doc_id, span); judged tables are replaced as a whole per run."""
from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from claims.models import Claim, DocumentClaims
from evidence.embed import DIMENSIONS
from evidence.index import HNSW_STATEMENT, bm25_statement
from evidence.models import EvidenceRow, Judgement
from ingest.models import Document, IngestError
from verdicts.models import Change, ClaimVerdict, Contradiction, Pending


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Writer:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def _insert(self, table: str, rows: Sequence[dict]) -> None:
        if not rows:
            return
        self.con.register("_rows", pa.Table.from_pylist(list(rows)))
        try:
            columns = ", ".join(rows[0])
            self.con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _rows")
        finally:
            self.con.unregister("_rows")

    def database_path(self) -> str | None:
        """The file this writer writes (None in memory)."""
        return self.con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                                ).fetchone()[0]

    def transaction(self):
        return _Transaction(self.con)

    # runs -------------------------------------------------------------------------------------
    def start_run(self, run_id: str, flow_run_id: str | None, engine: str, extractor: str, judge: str,
                  sources: Sequence[str], embedder: str | None = None, llm_endpoint: str | None = None) -> None:
        self.con.execute(
            "INSERT INTO runs (run_id, flow_run_id, engine, extractor_version, judge_version, sources, started_at, status,"
            " embedder, llm_endpoint, pid, host) VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
            [run_id, flow_run_id, engine, extractor, judge, list(sources), now(), embedder, llm_endpoint, os.getpid(),
             socket.gethostname()],
        )

    def close_crashed_runs(self) -> list[str]:
        """Close as 'crashed' the runs still marked running: this connection holds the file's write
        lock, so no other process is running them (DuckDB lets one process write a file). Their
        unfinished work is redone by this run: documents without an extraction are extracted, and
        judged tables are replaced as a whole. Returns the run ids closed."""
        me = (os.getpid(), socket.gethostname())
        dead = [r[0] for r in self.con.execute("SELECT run_id, pid, host FROM runs WHERE status = 'running'").fetchall()
                if (r[1], r[2]) != me]
        if dead:
            self.con.execute(
                "UPDATE runs SET status = 'crashed', finished_at = coalesce(finished_at, ?), error = coalesce(error, "
                "'its process ended without closing the run (killed, or the machine stopped); the next run redid "
                "its work') WHERE run_id IN (SELECT unnest(?))", [now(), dead])
        return dead

    def record_failed_run(self, run_id: str, flow_run_id: str | None, engine: str, sources: Sequence[str],
                          started_at: datetime, status: str, error: str) -> None:
        """A run that ended before it could write its own row (the file was locked): recorded by a
        later run from the note it left (flows/verify.py)."""
        self.con.execute(
            "INSERT OR IGNORE INTO runs (run_id, flow_run_id, engine, extractor_version, judge_version, sources,"
            " started_at, finished_at, status, error) VALUES (?, ?, ?, '', '', ?, ?, ?, ?, ?)",
            [run_id, flow_run_id, engine, list(sources), started_at, now(), status, error])

    def absolute_origins(self, base: Path) -> int:
        """Rewrite origins recorded relative (before every entry point resolved them) against `base`,
        the database's folder, where the deployment and the CLI ran; one file is then one document
        whichever entry point read it. Relative ingest errors are dropped: the next run reports its
        sources' errors anew. Returns how many documents were rewritten."""
        relative = "NOT starts_with(origin, '/')"
        n = self.con.execute(f"SELECT count(*) FROM documents WHERE {relative}").fetchone()[0]
        if n or self.con.execute(f"SELECT count(*) FROM ingest_errors WHERE {relative}").fetchone()[0]:
            prefix = str(base).rstrip("/") + "/"
            with self.transaction():
                self.con.execute(f"UPDATE documents SET origin = ? || origin WHERE {relative}", [prefix])
                self.con.execute(f"DELETE FROM ingest_errors WHERE {relative}")
        return n

    def finish_run(self, run_id: str, status: str, counts: dict[str, int], error: str | None = None) -> None:
        sets = ", ".join(f"{k} = ?" for k in counts)
        self.con.execute(
            f"UPDATE runs SET status = ?, finished_at = ?, error = ?{', ' + sets if sets else ''} WHERE run_id = ?",
            [status, now(), error, *counts.values(), run_id],
        )

    # ingest -----------------------------------------------------------------------------------
    def add_documents(self, documents: Sequence[Document], run_id: str) -> list[str]:
        """Insert new documents, update changed ones; returns ids that are new or changed."""
        if not documents:
            return []
        known = dict(self.con.execute(
            "SELECT doc_id, content_hash FROM documents WHERE doc_id IN (SELECT unnest(?))",
            [[d.doc_id for d in documents]],
        ).fetchall())
        fresh = [d for d in documents if known.get(d.doc_id) != d.content_hash]
        # A file edited since it was ingested: its old version (another content hash, same path) goes.
        files = [d.origin for d in fresh if ":" not in d.origin and "#" not in d.origin]
        replaced = [r[0] for r in self.con.execute(
            "SELECT doc_id FROM documents WHERE origin IN (SELECT unnest(?)) AND doc_id NOT IN (SELECT unnest(?))",
            [files, [d.doc_id for d in fresh]]).fetchall()] if files else []
        with self.transaction():
            changed = [d.doc_id for d in fresh if d.doc_id in known] + replaced
            if changed:
                self._forget_documents(changed)
            self._insert("documents", [
                {**d.model_dump(), "ingested_at": now(), "run_id": run_id} for d in fresh
            ])
        return [d.doc_id for d in fresh]

    def _forget_documents(self, doc_ids: list[str]) -> None:
        """Remove documents and everything derived from them (their next version is extracted anew)."""
        self.con.execute("UPDATE passages SET duplicate_of = NULL WHERE duplicate_of IN "
                         "(SELECT passage_id FROM passages WHERE doc_id IN (SELECT unnest(?)))", [doc_ids])
        self.con.execute("DELETE FROM contradictions WHERE claim_id_a IN (SELECT claim_id FROM claims WHERE doc_id IN "
                         "(SELECT unnest(?))) OR claim_id_b IN (SELECT claim_id FROM claims WHERE doc_id IN "
                         "(SELECT unnest(?)))", [doc_ids, doc_ids])
        for table in ("documents", "extractions", "passages", "claims", "pending"):
            self.con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?))", [doc_ids])

    def record_errors(self, errors: Sequence[IngestError], run_id: str) -> None:
        with self.transaction():
            for e in errors:
                self.con.execute(
                    "INSERT OR REPLACE INTO ingest_errors VALUES (?, ?, ?, ?, ?, ?)",
                    [e.error_id, e.origin, e.reason, e.detail, run_id, now()],
                )

    def clear_errors_under(self, sources: Sequence[str]) -> None:
        """Forget ingest errors of earlier runs for inputs under these sources: this run reports anew.
        What extraction recorded (a failure, a cut at a bound) stays until that document is extracted again."""
        for source in sources:
            self.con.execute("DELETE FROM ingest_errors WHERE reason NOT IN ('extraction', 'truncated') AND "
                             "(origin = ? OR starts_with(origin, ?))", [source, source.rstrip("/") + "/"])

    def clear_errors(self, origins: Sequence[str], reason: str) -> None:
        """Forget errors that no longer hold (a document that failed extraction and now succeeded)."""
        self.con.execute("DELETE FROM ingest_errors WHERE reason = ? AND origin IN (SELECT unnest(?))",
                         [reason, list(origins)])

    def pending_documents(self, extractor: str) -> list[Document]:
        rows = self.con.execute(
            "SELECT doc_id, text, source, url, title, published_at, date_origin, language, origin, content_hash "
            "FROM documents d WHERE NOT EXISTS (SELECT 1 FROM extractions e WHERE e.doc_id = d.doc_id "
            "AND e.extractor = ?) ORDER BY doc_id", [extractor],
        ).fetchall()
        keys = ["doc_id", "text", "source", "url", "title", "published_at", "date_origin", "language", "origin",
                "content_hash"]
        return [Document(**dict(zip(keys, r))) for r in rows]

    def other_embedders(self, embedder: str) -> list[str]:
        """Embedders other than this one that indexed passages in this database (recorded since 004)."""
        return [r[0] for r in self.con.execute(
            "SELECT DISTINCT r.embedder FROM passages p JOIN runs r USING (run_id)"
            " WHERE r.embedder IS NOT NULL AND r.embedder <> ? ORDER BY 1", [embedder]).fetchall()]

    # index ------------------------------------------------------------------------------------
    def add_passages(self, rows: pa.Table | None) -> list[str]:
        """Insert passage rows (evidence.index.passage_rows: embedded, not yet indexed); returns their ids."""
        if rows is None or not len(rows):
            return []
        self.con.register("_new_passages", rows)
        try:
            names = ", ".join(rows.column_names)
            self.con.execute(f"INSERT INTO passages ({names}) SELECT {names} FROM _new_passages")
        finally:
            self.con.unregister("_new_passages")
        return rows.column("passage_id").to_pylist()

    def link_duplicates(self, links: set[tuple[str, str]]) -> int:
        """Set `duplicate_of` (evidence.sources.find_duplicates) where it is not set yet; returns the links."""
        if links:
            self.con.register("_links", pa.table({"passage_id": [a for a, _ in sorted(links)],
                                                  "original": [b for _, b in sorted(links)]}))
            try:
                self.con.execute("UPDATE passages SET duplicate_of = l.original FROM _links l WHERE "
                                 "passages.passage_id = l.passage_id AND passages.duplicate_of IS NULL")
            finally:
                self.con.unregister("_links")
        return len(links)

    def save_source_groups(self, groups: dict[str, tuple[str, str]], run_id: str) -> int:
        """Make `source_groups` equal to `groups` (doc_id -> (source, reason); evidence.sources.source_groups),
        touching only the rows that changed; returns how many did."""
        current = {d: (g, r) for d, g, r in self.con.execute("SELECT doc_id, group_id, reason FROM source_groups")
                   .fetchall()}
        gone = sorted(set(current) - set(groups))
        changed = sorted(d for d, v in groups.items() if current.get(d) != v)
        with self.transaction():
            self.con.execute("DELETE FROM source_groups WHERE doc_id IN (SELECT unnest(?))", [gone + changed])
            self._insert("source_groups", [{"doc_id": d, "group_id": groups[d][0], "reason": groups[d][1],
                                            "run_id": run_id} for d in changed])
        return len(gone) + len(changed)

    def rebuild_bm25(self) -> None:
        """Rebuild the BM25 (fts) index over all passages (about 0.1 s per 10,000)."""
        self.con.execute(bm25_statement(self.con))

    def create_hnsw(self) -> None:
        """Build the HNSW index over the sentence vectors (see evidence.index.HNSW_STATEMENT)."""
        self.con.execute(HNSW_STATEMENT)

    # extraction -------------------------------------------------------------------------------
    def save_extractions(self, extractions: Sequence[DocumentClaims], extractor: str, run_id: str,
                         anomalies: Sequence[Contradiction] = ()) -> None:
        doc_ids = [x.doc_id for x in extractions]
        with self.transaction():
            # One extraction per document: another extractor's claims (and their anomalies) are replaced.
            self.con.execute("DELETE FROM contradictions WHERE kind = 'temporal' AND claim_id_a IN "
                             "(SELECT claim_id FROM claims WHERE doc_id IN (SELECT unnest(?)))", [doc_ids])
            self.con.execute("DELETE FROM claims WHERE doc_id IN (SELECT unnest(?))", [doc_ids])
            self._insert("claims", [{**c.model_dump(), "extracted_speaker": c.speaker, "run_id": run_id}
                                    for x in extractions for c in x.claims])
            self.con.execute("DELETE FROM extractions WHERE doc_id IN (SELECT unnest(?))", [doc_ids])
            self._insert("extractions", [
                {"doc_id": x.doc_id, "extractor": extractor, "n_claims": len(x.claims), "run_id": run_id,
                 "extracted_at": now()} for x in extractions
            ])
            ids = [a.contradiction_id for a in anomalies]
            self.con.execute("DELETE FROM contradictions WHERE contradiction_id IN (SELECT unnest(?))", [ids])
            self._insert("contradictions", [{**a.model_dump(), "run_id": run_id} for a in anomalies])

    def extracted_speakers(self) -> list[str | None]:
        """Every claim's speaker as its extractor named it (claims.extracted_speaker)."""
        return [r[0] for r in self.con.execute("SELECT extracted_speaker FROM claims").fetchall()]

    def name_speakers(self, mapping: dict[str, str]) -> int:
        """Set every claim's speaker to `mapping` of its extracted speaker, or to the extracted speaker
        itself (so a name unified by an earlier run is undone when the corpus no longer supports it);
        returns how many claims carry a unified name."""
        with self.transaction():
            self.con.execute("UPDATE claims SET speaker = extracted_speaker WHERE speaker IS DISTINCT FROM "
                             "extracted_speaker")
            if mapping:
                self.con.register("_names", pa.table({"old": list(mapping), "new": list(mapping.values())}))
                try:
                    self.con.execute("UPDATE claims SET speaker = n.new FROM _names n WHERE claims.extracted_speaker"
                                     " = n.old")
                finally:
                    self.con.unregister("_names")
            return self.con.execute("SELECT count(*) FROM claims WHERE speaker IS DISTINCT FROM extracted_speaker"
                                    ).fetchone()[0]

    def load_claims(self) -> list[Claim]:
        cursor = self.con.execute("SELECT * EXCLUDE (run_id, extracted_speaker) FROM claims "
                                  "ORDER BY doc_id, char_start, char_end")
        names = [d[0] for d in cursor.description]
        return [Claim(**dict(zip(names, row))) for row in cursor.fetchall()]

    def sources(self) -> dict[str, str]:
        """doc_id -> independence key: its source group (syndicated copies and one outlet's documents
        share one), else the outlet, else the document itself."""
        return dict(self.con.execute(
            "SELECT d.doc_id, coalesce(g.group_id, lower(trim(d.source)), d.doc_id)"
            " FROM documents d LEFT JOIN source_groups g USING (doc_id)").fetchall())

    # model calls (claimflow/llm/runner.py) ------------------------------------------------------
    def cached_outputs(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached model answers among `keys` (llm_cache)."""
        return dict(self._by_keys("SELECT c.cache_key, c.output FROM llm_cache c JOIN _keys k ON c.cache_key = k.key",
                                  keys, []))

    def cache_outputs(self, rows: Sequence[dict]) -> None:
        """Keep valid model answers (one row per item) in llm_cache; an answer given again replaces the old one."""
        for row in rows:
            self.con.execute("INSERT OR REPLACE INTO llm_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                row["cache_key"], row["stage"], row["model"], row["prompt_version"], row["prompt_hash"],
                row["input_hash"], row["output"], row["call_id"], now()])

    def record_llm_call(self, run_id: str, call: dict) -> None:
        """One request sent to a model server, after its retries (llm_calls)."""
        self.con.execute(
            "INSERT INTO llm_calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [call["call_id"], run_id, call["stage"], call["engine"], call["model"], call["prompt_version"],
             call["prompt_hash"], call["n_items"], call["status"], call["attempts"], call["error"],
             call["tokens_in"], call["tokens_out"], call["seconds"], now(), call.get("structured"), call.get("note")])

    # judging ----------------------------------------------------------------------------------
    def known_judgements(self, judged_by: str, keys: Sequence[str]) -> dict[str, Judgement]:
        """The stored judgements of `judged_by` among the pair keys (claimflow/memo.py)."""
        rows = self._by_keys("SELECT m.pair_key, m.judgement FROM judge_memo m JOIN _keys k ON m.pair_key = k.key"
                             " WHERE m.judged_by = ?", keys, [judged_by])
        return {key: Judgement.model_validate_json(value) for key, value in rows}

    def known_query_vectors(self, embedder: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored query vectors of `embedder` among the text keys (claimflow/memo.py)."""
        rows = self._by_keys("SELECT q.text_key, q.embedding FROM query_vectors q JOIN _keys k ON q.text_key = k.key"
                             " WHERE q.embedder = ?", keys, [embedder])
        return {key: np.asarray(value, dtype=np.float32) for key, value in rows}

    def known_parses(self, parser: str, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored parses (one-document DocBin bytes) of `parser` among the text keys (claimflow/memo.py)."""
        rows = self._by_keys("SELECT p.text_key, p.doc FROM parses p JOIN _keys k ON p.text_key = k.key"
                             " WHERE p.parser = ?", keys, [parser])
        return {key: bytes(value) for key, value in rows}

    def _by_keys(self, sql: str, keys: Sequence[str], params: list) -> list[tuple]:
        if not keys:
            return []
        self.con.register("_keys", pa.table({"key": pa.array(list(keys), pa.string())}))
        try:
            return self.con.execute(sql, params).fetchall()
        finally:
            self.con.unregister("_keys")

    def _save_memo(self, memo: Memo, run_id: str) -> None:
        """Keep the memo rows of this run's judge, embedder and parser that the run used, add what it learnt."""
        at = now()
        for table, key, owner, name, used, fresh in (
                ("judge_memo", "pair_key", "judged_by", memo.judged_by, memo.used_judgements, memo.judgements),
                ("query_vectors", "text_key", "embedder", memo.embedder, memo.used_vectors, memo.vectors),
                ("parses", "text_key", "parser", memo.parser, memo.used_parses, memo.parses)):
            keep = used - set(fresh)  # a fresh key still stored (a run that did not reuse) is replaced
            self.con.register("_keys", pa.table({"key": pa.array(sorted(keep), pa.string())}))
            try:
                self.con.execute(f"DELETE FROM {table} WHERE {owner} = ? AND {key} NOT IN (SELECT key FROM _keys)",
                                 [name])
            finally:
                self.con.unregister("_keys")
        self._insert("judge_memo", [{"pair_key": k, "judged_by": memo.judged_by, "judgement": j.model_dump_json(),
                                     "run_id": run_id, "created_at": at} for k, j in memo.judgements.items()])
        self._insert("parses", [{"text_key": k, "parser": memo.parser, "doc": b, "run_id": run_id}
                                for k, b in memo.parses.items()])
        if memo.vectors:
            keys = list(memo.vectors)
            self.con.register("_vectors", pa.table({
                "text_key": keys, "embedder": [memo.embedder] * len(keys),
                "embedding": pa.FixedSizeListArray.from_arrays(
                    pa.array(np.vstack([memo.vectors[k] for k in keys]).astype(np.float32).reshape(-1)),
                    DIMENSIONS),
                "run_id": [run_id] * len(keys)}))
            try:
                self.con.execute("INSERT INTO query_vectors SELECT text_key, embedder, embedding, run_id FROM _vectors")
            finally:
                self.con.unregister("_vectors")

    def save_pending_extractions(self, failed: Sequence[Pending], extractor: str, run_id: str) -> None:
        """Documents whose extraction failed this run are pending. Rows of documents that are gone or
        are now extracted by the current extractor are dropped (so nothing stays pending for ever)."""
        with self.transaction():
            self.con.execute(
                "DELETE FROM pending WHERE stage = 'extract' AND (doc_id NOT IN (SELECT doc_id FROM documents)"
                " OR doc_id IN (SELECT doc_id FROM extractions WHERE extractor = ?) OR doc_id IN (SELECT unnest(?)))",
                [extractor, [p.doc_id for p in failed]])
            self._insert("pending", [{**p.model_dump(), "engine": extractor, "run_id": run_id, "recorded_at": now()}
                                     for p in failed])

    def save_judgements(self, evidence: Sequence[EvidenceRow], contradictions: Sequence[Contradiction],
                        verdicts: Sequence[ClaimVerdict], run_id: str, pending: Sequence[Pending] = (),
                        judged_by: str | None = None, changes: Sequence[Change] = (),
                        memo: Memo | None = None) -> RunChanges:
        """Replace evidence, contradictions between claims, changes over time, verdicts and pending
        judgements with this run's; record in verdict_history and contradiction_history what changed,
        and return it. `memo`: the pair judgements and query vectors the run used and made."""
        with self.transaction():
            if memo is not None:
                self._save_memo(memo, run_id)
            self.con.execute("CREATE OR REPLACE TEMP TABLE _old_verdicts AS SELECT claim_id, verdict FROM verdicts")
            self.con.execute("CREATE OR REPLACE TEMP TABLE _old_contradictions AS SELECT contradiction_id, kind, "
                             "claim_id_a, claim_id_b FROM contradictions WHERE kind <> 'temporal'")
            self.con.execute("DELETE FROM changes_over_time")
            self._insert("changes_over_time", [{**c.model_dump(), "run_id": run_id} for c in changes])
            self.con.execute("DELETE FROM evidence")
            self.con.execute("DELETE FROM contradictions WHERE kind <> 'temporal'")
            self.con.execute("DELETE FROM verdicts")
            self.con.execute("DELETE FROM pending WHERE stage IN ('judge', 'contradiction', 'limit')")
            self._insert("pending", [{**p.model_dump(), "engine": judged_by or "", "run_id": run_id,
                                      "recorded_at": now()} for p in pending])
            self._insert("evidence", [{
                "claim_id": r.claim_id, "passage_id": r.hit.passage_id, "doc_id": r.hit.doc_id, "text": r.hit.text,
                "char_start": r.hit.char_start, "char_end": r.hit.char_end, "same_document": r.hit.same_document,
                "retrieval_rank": r.hit.rank, "retrieval_score": r.hit.score, "stance": r.judgement.stance,
                "score": r.judgement.score, "cue": r.judgement.cue, "rationale": r.judgement.rationale,
                "judged_by": judged_by, "evidence_span": r.judgement.evidence_span, "run_id": run_id,
            } for r in evidence])
            self._insert("contradictions", [
                {**c.model_dump(), "run_id": run_id} for c in contradictions if c.kind != "temporal"])
            self._insert("verdicts", [{**v.model_dump(), "run_id": run_id} for v in verdicts])
            return self._record_history(run_id)

    def _record_history(self, run_id: str) -> RunChanges:
        at = now()
        self.con.execute(
            "INSERT INTO verdict_history SELECT ?, coalesce(n.claim_id, o.claim_id), o.verdict, n.verdict, n.confidence, ?"
            " FROM _old_verdicts o FULL JOIN verdicts n USING (claim_id) WHERE o.verdict IS DISTINCT FROM n.verdict",
            [run_id, at])
        self.con.execute(
            "INSERT INTO contradiction_history SELECT ?, contradiction_id, 'appeared', kind, claim_id_a, claim_id_b, ?"
            " FROM contradictions WHERE kind <> 'temporal' AND contradiction_id NOT IN"
            " (SELECT contradiction_id FROM _old_contradictions)", [run_id, at])
        self.con.execute(
            "INSERT INTO contradiction_history SELECT ?, contradiction_id, 'disappeared', kind, claim_id_a, claim_id_b, ?"
            " FROM _old_contradictions WHERE contradiction_id NOT IN (SELECT contradiction_id FROM contradictions)",
            [run_id, at])
        verdict_changes = self.con.execute(
            "SELECT claim_id, verdict_before, verdict_after FROM verdict_history WHERE run_id = ? ORDER BY claim_id",
            [run_id]).fetchall()
        contradiction_changes = self.con.execute(
            "SELECT change, contradiction_id FROM contradiction_history WHERE run_id = ? ORDER BY 2", [run_id]).fetchall()
        appeared = [c for change, c in contradiction_changes if change == "appeared"]
        gone = [c for change, c in contradiction_changes if change == "disappeared"]
        self.con.execute("DROP TABLE _old_verdicts")
        self.con.execute("DROP TABLE _old_contradictions")
        return RunChanges(verdicts=[tuple(r) for r in verdict_changes], appeared=appeared, disappeared=gone)


@dataclass
class Memo:
    """What a run's judge, embedder and parser used and made (claimflow/memo.py), saved with its
    judgements: their rows not in `used_*` are dropped, `judgements`, `vectors` and `parses` added."""

    judged_by: str
    embedder: str
    used_judgements: set[str] = field(default_factory=set)
    judgements: dict[str, Judgement] = field(default_factory=dict)
    used_vectors: set[str] = field(default_factory=set)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    parser: str = ""
    used_parses: set[str] = field(default_factory=set)
    parses: dict[str, bytes] = field(default_factory=dict)


@dataclass
class RunChanges:
    """What one run changed in the judged tables: (claim_id, before, after) verdicts, and the
    contradictions that appeared or disappeared."""

    verdicts: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    appeared: list[str] = field(default_factory=list)
    disappeared: list[str] = field(default_factory=list)


class _Transaction:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def __enter__(self):
        self.con.execute("BEGIN TRANSACTION")
        return self.con

    def __exit__(self, exc_type, exc, tb):
        self.con.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
