"""Hybrid retrieval: BM25 (DuckDB fts) and dense (e5 inner product), fused by reciprocal rank."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np

from claims.models import Claim
from evidence.embed import Embedder
from evidence.models import Hit

RRF_K = 60


@dataclass
class PassageMatrix:
    """All passage vectors in memory, for exact dense search (the corpus sizes of one run)."""

    ids: list[str]
    doc_ids: list[str]
    texts: list[str]
    starts: list[int]
    ends: list[int]
    vectors: np.ndarray

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> "PassageMatrix":
        table = con.execute(
            "SELECT passage_id, doc_id, text, char_start, char_end, embedding FROM passages ORDER BY passage_id"
        ).arrow()
        if hasattr(table, "read_all"):
            table = table.read_all()
        emb = table.column("embedding").combine_chunks()
        vectors = emb.values.to_numpy(zero_copy_only=False).reshape(len(table), -1) if len(table) else np.zeros((0, 384), np.float32)
        return cls(
            table.column("passage_id").to_pylist(), table.column("doc_id").to_pylist(),
            table.column("text").to_pylist(), table.column("char_start").to_pylist(),
            table.column("char_end").to_pylist(), vectors.astype(np.float32),
        )


def bm25(con: duckdb.DuckDBPyConnection, query: str, k: int) -> list[str]:
    rows = con.execute(
        "SELECT passage_id FROM (SELECT passage_id, fts_main_passages.match_bm25(passage_id, ?) AS s FROM passages)"
        " WHERE s IS NOT NULL ORDER BY s DESC, passage_id LIMIT ?",
        [query, k],
    ).fetchall()
    return [r[0] for r in rows]


def retrieve(con: duckdb.DuckDBPyConnection, claims: Sequence[Claim], embedder: Embedder, *,
             k: int = 8, depth: int = 30) -> dict[str, list[Hit]]:
    """Top-k passages per claim, excluding the claim's own sentence; same-document hits are marked."""
    matrix = PassageMatrix.load(con)
    if not claims or not matrix.ids:
        return {c.claim_id: [] for c in claims}
    position = {pid: i for i, pid in enumerate(matrix.ids)}
    queries = embedder.queries([c.statement for c in claims])
    dense_scores = queries @ matrix.vectors.T
    out: dict[str, list[Hit]] = {}
    for qi, claim in enumerate(claims):
        def own(i: int) -> bool:
            return (matrix.doc_ids[i] == claim.doc_id and matrix.starts[i] < claim.sentence_end
                    and claim.sentence_start < matrix.ends[i])

        fused: dict[int, float] = {}
        dense_order = np.argsort(-dense_scores[qi])[: depth + 2]
        lexical = [position[p] for p in bm25(con, claim.statement, depth + 2)]
        for ranking in ([int(i) for i in dense_order], lexical):
            rank = 0
            for i in ranking:
                if own(i):
                    continue
                rank += 1
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
        best = sorted(fused.items(), key=lambda x: (-x[1], matrix.ids[x[0]]))[:k]
        out[claim.claim_id] = [
            Hit(passage_id=matrix.ids[i], doc_id=matrix.doc_ids[i], text=matrix.texts[i],
                char_start=matrix.starts[i], char_end=matrix.ends[i],
                same_document=matrix.doc_ids[i] == claim.doc_id, rank=r + 1, score=round(s, 6))
            for r, (i, s) in enumerate(best)
        ]
    return out
