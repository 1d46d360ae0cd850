"""Hybrid retrieval over the passage index: BM25 (DuckDB fts) and dense (e5), fused by reciprocal rank.

Dense search runs either as an exact scan of all vectors in numpy (default: exact, and fast enough
for a few hundred thousand passages) or through the HNSW index in DuckDB (`dense="hnsw"`).
Retrieval can be restricted to passages published up to a date (`as_of`)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np

from claims.models import Claim
from evidence.bm25 import FtsBm25
from evidence.embed import DIMENSIONS, Embedder
from evidence.models import Hit

RRF_K = 60


@dataclass
class PassageTable:
    """Passage metadata and vectors in memory, in one fixed order (positions index everything)."""

    ids: list[str]
    doc_ids: list[str]
    texts: list[str]
    starts: list[int]
    ends: list[int]
    published: np.ndarray  # datetime64[us], NaT when unknown
    vectors: np.ndarray

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> "PassageTable":
        table = con.execute(
            "SELECT passage_id, doc_id, text, char_start, char_end, published_at, embedding FROM passages"
            " ORDER BY passage_id"
        ).arrow()
        if hasattr(table, "read_all"):
            table = table.read_all()
        n = len(table)
        vectors = (table.column("embedding").combine_chunks().values.to_numpy(zero_copy_only=False)
                   .reshape(n, DIMENSIONS) if n else np.zeros((0, DIMENSIONS)))
        published = table.column("published_at").to_numpy(zero_copy_only=False) if n else np.array([], "M8[us]")
        return cls(
            table.column("passage_id").to_pylist(), table.column("doc_id").to_pylist(),
            table.column("text").to_pylist(), table.column("char_start").to_pylist(),
            table.column("char_end").to_pylist(), published.astype("datetime64[us]"),
            np.ascontiguousarray(vectors, dtype=np.float32),
        )


class HybridRetriever:
    """BM25 + dense search over the `passages` table of one connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, dense: str = "exact", depth: int = 30) -> None:
        if dense not in ("exact", "hnsw"):
            raise ValueError("dense must be 'exact' or 'hnsw'")
        self.con = con
        self.table = PassageTable.load(con)
        self.position = {pid: i for i, pid in enumerate(self.table.ids)}
        self.dense_mode = dense
        self.depth = depth
        self.lexical = FtsBm25(con) if self.table.ids else None

    def __len__(self) -> int:
        return len(self.table.ids)

    def bm25(self, query: str, k: int) -> list[int]:
        """BM25 over the fts index, scored in memory (same ranking as `match_bm25`, see evidence/bm25.py)."""
        if self.lexical is None:
            return []
        return [self.position[name] for name, _ in self.lexical.search(query, k)]

    def bm25_sql(self, query: str, k: int) -> list[int]:
        """The same ranking through the fts extension's `match_bm25` macro, in SQL (slower)."""
        rows = self.con.execute(
            "SELECT passage_id FROM (SELECT passage_id, fts_main_passages.match_bm25(passage_id, ?) AS s"
            " FROM passages) WHERE s IS NOT NULL ORDER BY s DESC, passage_id LIMIT ?",
            [query, k],
        ).fetchall()
        return [self.position[r[0]] for r in rows]

    def dense(self, vector: np.ndarray, k: int) -> list[int]:
        if self.dense_mode == "hnsw":
            literal = "[" + ",".join(f"{x:.7g}" for x in vector) + f"]::FLOAT[{DIMENSIONS}]"
            rows = self.con.execute(
                f"SELECT passage_id FROM passages ORDER BY array_negative_inner_product(embedding, {literal})"
                f" LIMIT {int(k)}"
            ).fetchall()
            return [self.position[r[0]] for r in rows]
        scores = self.table.vectors @ vector
        k = min(k, len(scores))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        return [int(i) for i in top[np.argsort(-scores[top], kind="stable")]]

    def search(self, query: str, vector: np.ndarray, k: int, *, exclude: Callable[[int], bool] | None = None,
               as_of: datetime | None = None, mode: str = "hybrid") -> list[tuple[int, float]]:
        """Top-k (position, fused score). `mode` is "hybrid", "bm25" or "dense"."""
        limit = self.depth + k
        too_late = None
        if as_of is not None:  # unknown dates (NaT) are kept: NaT > x is False
            too_late = self.table.published > np.datetime64(as_of, "us")

        def allowed(i: int) -> bool:
            return not ((exclude is not None and exclude(i)) or (too_late is not None and too_late[i]))

        rankings = []
        if mode in ("hybrid", "bm25"):
            rankings.append(self.bm25(query, limit))
        if mode in ("hybrid", "dense"):
            rankings.append(self.dense(vector, limit))
        fused: dict[int, float] = {}
        for ranking in rankings:
            rank = 0
            for i in ranking:
                if not allowed(i):
                    continue
                rank += 1
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
        return sorted(fused.items(), key=lambda x: (-x[1], self.table.ids[x[0]]))[:k]


def retrieve(con: duckdb.DuckDBPyConnection, claims: Sequence[Claim], embedder: Embedder, *,
             k: int = 8, as_of: datetime | None = None) -> dict[str, list[Hit]]:
    """Top-k passages per claim, excluding the claim's own sentence; same-document hits are marked."""
    if not claims:
        return {}
    retriever = HybridRetriever(con)
    if not len(retriever):
        return {c.claim_id: [] for c in claims}
    t = retriever.table
    vectors = embedder.queries([c.statement for c in claims])
    out: dict[str, list[Hit]] = {}
    for claim, vector in zip(claims, vectors):
        def own(i: int, claim: Claim = claim) -> bool:
            return t.doc_ids[i] == claim.doc_id and t.starts[i] < claim.sentence_end and claim.sentence_start < t.ends[i]

        best = retriever.search(claim.statement, vector, k, exclude=own, as_of=as_of)
        out[claim.claim_id] = [
            Hit(passage_id=t.ids[i], doc_id=t.doc_ids[i], text=t.texts[i], char_start=t.starts[i],
                char_end=t.ends[i], same_document=t.doc_ids[i] == claim.doc_id, rank=r + 1, score=round(s, 6))
            for r, (i, s) in enumerate(best)
        ]
    return out
