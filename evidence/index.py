"""The passage index inside DuckDB: a `passages` table with FLOAT[384] embeddings and a BM25 index.

Adding documents embeds and inserts only passages not yet in the table; the BM25 index (fts) is
rebuilt over the whole table afterwards (about 0.1 s per 10,000 passages)."""
from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pyarrow as pa

from evidence.embed import DIMENSIONS, Embedder
from evidence.models import Passage

HNSW_INDEX = "passages_embedding_hnsw"


def new_passages(con: duckdb.DuckDBPyConnection, passages: Sequence[Passage]) -> list[Passage]:
    if not passages:
        return []
    known = {
        row[0] for row in con.execute(
            "SELECT passage_id FROM passages WHERE passage_id IN (SELECT unnest(?))",
            [[p.passage_id for p in passages]],
        ).fetchall()
    }
    return [p for p in passages if p.passage_id not in known]


def add_passages(con: duckdb.DuckDBPyConnection, passages: Sequence[Passage], embedder: Embedder,
                 run_id: str) -> list[str]:
    """Embed and insert passages that are not indexed yet; returns the ids added."""
    fresh = new_passages(con, passages)
    if fresh:
        vectors = embedder.passages([p.text for p in fresh]).astype(np.float32)
        table = pa.table({
            "passage_id": [p.passage_id for p in fresh],
            "doc_id": [p.doc_id for p in fresh],
            "text": [p.text for p in fresh],
            "char_start": pa.array([p.char_start for p in fresh], pa.int32()),
            "char_end": pa.array([p.char_end for p in fresh], pa.int32()),
            "published_at": pa.array([p.published_at for p in fresh], pa.timestamp("us")),
            "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), DIMENSIONS),
            "run_id": [run_id] * len(fresh),
        })
        con.register("_new_passages", table)
        try:
            columns = ", ".join(table.column_names)
            con.execute(f"INSERT INTO passages ({columns}) SELECT {columns} FROM _new_passages")
        finally:
            con.unregister("_new_passages")
    return [p.passage_id for p in fresh]


def rebuild_bm25(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "PRAGMA create_fts_index('passages', 'passage_id', 'text', stemmer = 'porter', "
        "stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
    )


def create_hnsw(con: duckdb.DuckDBPyConnection) -> None:
    """An HNSW index (vss) over the embeddings, for `ORDER BY array_negative_inner_product(...) LIMIT k`.

    DuckDB keeps HNSW indexes of a file database only with experimental persistence switched on
    (store.connect does); the index is maintained on INSERT afterwards. Building it over 100,000
    vectors takes about a minute on 2 cores. DuckDB warns that a crash while writing may lose or
    corrupt an experimental index: it can always be dropped and built again from the vectors."""
    con.execute(f"CREATE INDEX IF NOT EXISTS {HNSW_INDEX} ON passages USING HNSW (embedding) WITH (metric = 'ip')")
