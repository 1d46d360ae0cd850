"""The passage index inside DuckDB: a `passages` table with FLOAT[384] embeddings and a BM25 index.

Adding documents embeds and inserts only passages not yet in the table; the BM25 index (fts) is
rebuilt over the whole table afterwards (about 0.1 s per 10,000 passages). This module reads and
computes; the writes (insert, BM25 and HNSW statements) go through store.writer.Writer.

Each distinct text is embedded once: a batch's sentences and contexts are embedded as one set of
distinct texts, and a text some passage already has (in any document, indexed by a run of the same
embedder) takes the stored vector instead (a reprinted sentence, a repeated headline, an agency's
lead copied by ten outlets).

Document context: a sentence is indexed together with its document's title (`passages.title`,
migration 005). BM25 covers both fields, and `context_embedding` is the e5 vector of
"title. sentence", which retrieval prefers; `embedding` stays the vector of the sentence alone
(near-duplicate detection and the HNSW index use it). A sentence such as "It fell by 40% in a
decade." says little alone and much under the headline "Arctic sea ice": on Climate-FEVER, title
context raises hybrid recall@10 from 0.40 to 0.47 (bench/retrieval.py quality)."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import duckdb
import numpy as np
import pyarrow as pa

from evidence.embed import DIMENSIONS, Embedder
from evidence.models import Passage

HNSW_INDEX = "passages_embedding_hnsw"


def has_context(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the passages table has the columns of migration 005 (a read-only file may predate it)."""
    return con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'passages'"
        " AND column_name IN ('title', 'context_embedding')"
    ).fetchone()[0] == 2


def context_text(title: str | None, text: str) -> str | None:
    """What the context vector embeds: "title. sentence"; None without a title. Where one of the two
    contains the other (news: the headline is the lead sentence, or the sentence is the headline
    without its "Ukraine war:" rubric; half the passages of 1,000 RUWA items), the longer alone,
    which says everything "title. sentence" would: the sentence itself costs no second vector."""
    title = " ".join((title or "").split())
    if not title:
        return None
    key_title, key_text = _plain(title), _plain(text)
    if key_title in key_text:
        return text
    if key_text and key_text in key_title:
        return title
    return f"{title}{'' if title[-1] in '.!?:;' else '.'} {text}"


def _plain(text: str) -> str:
    return " ".join(text.lower().strip(" .!?:;").split())


def document_titles(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> dict[str, str | None]:
    rows = con.execute("SELECT doc_id, title FROM documents WHERE doc_id IN (SELECT unnest(?))",
                       [list(doc_ids)]).fetchall()
    return dict(rows)


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


def _vector_column(vectors: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    """FLOAT[384] column; rows where `present` is False are NULL."""
    values = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    mask = None if present is None else pa.array(~present)
    return pa.FixedSizeListArray.from_arrays(values, DIMENSIONS, mask=mask)


def passage_rows(con: duckdb.DuckDBPyConnection, passages: Sequence[Passage], embedder: Embedder,
                 run_id: str, titles: Mapping[str, str | None] | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> pa.Table | None:
    """The rows to insert for the passages not indexed yet, embedded (None when all are indexed);
    store.writer.Writer.add_passages inserts them. Reads only.

    `titles` maps doc_id to the document's title; by default they are read from `documents`.
    `progress(step, done, total)` follows the embedding."""
    fresh = new_passages(con, passages)
    if not fresh:
        return None
    texts = [p.text for p in fresh]
    contexts: list[str | None] = [None] * len(fresh)
    if has_context(con):
        if titles is None:
            titles = document_titles(con, sorted({p.doc_id for p in fresh}))
        title_of = [" ".join((titles.get(p.doc_id) or "").split()) or None for p in fresh]
        contexts = [context_text(t, p.text) for t, p in zip(title_of, fresh)]
    # one pass over every distinct text, sentences and contexts together (a context that is the
    # sentence, or the headline that is another passage, is embedded once), none already stored
    wanted = texts + [c for c in contexts if c is not None]
    vectors = _embed_distinct(embedder, wanted, {**stored_context_vectors(con, texts, embedder.name),
                                                 **stored_vectors(con, wanted, embedder.name)}, "embed passages", progress)
    present = np.array([c is not None for c in contexts], dtype=bool)
    context_vectors = np.zeros((len(fresh), DIMENSIONS), np.float32)
    context_vectors[present] = vectors[len(fresh):]
    columns = {
        "passage_id": [p.passage_id for p in fresh],
        "doc_id": [p.doc_id for p in fresh],
        "text": texts,
        "char_start": pa.array([p.char_start for p in fresh], pa.int32()),
        "char_end": pa.array([p.char_end for p in fresh], pa.int32()),
        "published_at": pa.array([p.published_at for p in fresh], pa.timestamp("us")),
        "embedding": _vector_column(vectors[:len(fresh)]),
        "run_id": [run_id] * len(fresh),
    }
    if has_context(con):
        columns["title"] = pa.array(title_of, pa.string())
        columns["context_embedding"] = _vector_column(context_vectors, present)
    return pa.table(columns)


# Passages whose vectors this embedder may reuse: those a run with this embedder indexed (or a run that
# recorded none: before migration 004, and passages written outside a run).
_SAME_EMBEDDER = ("FROM passages p LEFT JOIN runs r USING (run_id) WHERE (r.embedder IS NULL OR r.embedder = ?)"
                  " AND p.text IN (SELECT unnest(?))")


def stored_vectors(con: duckdb.DuckDBPyConnection, texts: Sequence[str], embedder: str) -> dict[str, np.ndarray]:
    """The stored sentence vectors of those texts that a passage (of any document) already has."""
    rows = con.execute(f"SELECT DISTINCT ON (p.text) p.text, p.embedding {_SAME_EMBEDDER}",
                       [embedder, sorted(set(texts))]).fetchall()
    return {text: np.asarray(vector, np.float32) for text, vector in rows}


def stored_context_vectors(con: duckdb.DuckDBPyConnection, texts: Sequence[str], embedder: str
                           ) -> dict[str, np.ndarray]:
    """The stored context vectors of passages with those sentences, by their "title. sentence" text
    (only those: where the context is the sentence or the title, `stored_vectors` has its vector)."""
    rows = con.execute(f"SELECT p.title, p.text, p.context_embedding {_SAME_EMBEDDER}"
                       " AND p.context_embedding IS NOT NULL", [embedder, sorted(set(texts))]).fetchall()
    out = {}
    for title, text, vector in rows:
        context = context_text(title, text)
        if context not in (text, title):  # a context that is one of the two has that text's own vector
            out[context] = np.asarray(vector, np.float32)
    return out


def _embed_distinct(embedder: Embedder, texts: list[str], known: Mapping[str, np.ndarray], step: str,
                    progress) -> np.ndarray:
    """Vectors of `texts`, each distinct text embedded once and none of those in `known` (e5 gives a
    text the same vector whatever it is batched with: tests/evidence/test_index.py)."""
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    vectors = dict(zip(todo, _embed(embedder, todo, step, progress))) if todo else {}
    out = np.zeros((len(texts), DIMENSIONS), np.float32)
    for i, text in enumerate(texts):
        out[i] = vectors[text] if text in vectors else known[text]
    return out


def _embed(embedder: Embedder, texts: list[str], step: str, progress) -> np.ndarray:
    if progress is None:
        return embedder.passages(texts).astype(np.float32)
    out = []
    for start in range(0, len(texts), EMBED_BATCH):
        out.append(embedder.passages(texts[start:start + EMBED_BATCH]).astype(np.float32))
        progress(step, min(start + EMBED_BATCH, len(texts)), len(texts))
    return np.vstack(out) if out else np.zeros((0, DIMENSIONS), np.float32)


EMBED_BATCH = 512  # passages per embedder call when progress is followed (e5 batches them by 64 inside)


def bm25_statement(con: duckdb.DuckDBPyConnection) -> str:
    """The statement that (re)builds BM25 (store.writer.Writer.rebuild_bm25 runs it): over the passage
    text and its document's title (one score over both fields, as if the title were written before
    the sentence); `match_bm25(..., fields := 'text')` searches the text alone."""
    fields = "'title', 'text'" if has_context(con) else "'text'"
    return (f"PRAGMA create_fts_index('passages', 'passage_id', {fields}, stemmer = 'porter', "
            "stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)")


# An HNSW index (vss) over the embeddings, for `ORDER BY array_negative_inner_product(...) LIMIT k`
# (store.writer.Writer.create_hnsw runs it). DuckDB keeps HNSW indexes of a file database only with
# experimental persistence switched on (store.connect does); the index is maintained on INSERT
# afterwards. Building it over 100,000 vectors takes about a minute on 2 cores. DuckDB warns that a
# crash while writing may lose or corrupt an experimental index: it can always be dropped and built
# again from the vectors.
HNSW_STATEMENT = f"CREATE INDEX IF NOT EXISTS {HNSW_INDEX} ON passages USING HNSW (embedding) WITH (metric = 'ip')"
