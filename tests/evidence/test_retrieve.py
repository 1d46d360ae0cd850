"""Passage index and hybrid retrieval on a real DuckDB file with the real embedder."""
from datetime import datetime

from claims.models import Claim, claim_id_for
from evidence.embed import LocalEmbedder
from evidence.index import passage_rows
from evidence.models import Passage, passage_id_for
from evidence.retrieve import retrieve
from store import connect
from store.writer import Writer

TEXTS = {
    "a": ["The Tarsk bridge collapsed on March 3.", "Emergency crews moved families to a school."],
    "b": ["The bridge over the Osk in Tarsk fell into the river.", "The central bank raised its rate to 6 percent."],
    "c": ["Unemployment fell in February.", "A new ferry terminal opened in Kaldera."],
}


def add_passages(con, passages, embedder, run_id, titles=None):
    return Writer(con).add_passages(passage_rows(con, passages, embedder, run_id, titles))


def rebuild_bm25(con):
    Writer(con).rebuild_bm25()


def _passages(doc_ids):
    out = []
    for doc_id in doc_ids:
        offset = 0
        for text in TEXTS[doc_id]:
            out.append(Passage(passage_id=passage_id_for(doc_id, offset, offset + len(text)), doc_id=doc_id,
                               text=text, char_start=offset, char_end=offset + len(text),
                               published_at=datetime(2026, 3, 4)))
            offset += len(text) + 1
    return out


def test_incremental_index_and_hybrid_retrieval(tmp_path):
    con = connect(tmp_path / "r.duckdb")
    embedder = LocalEmbedder()
    assert len(add_passages(con, _passages(["a", "b"]), embedder, "run1")) == 4
    assert len(add_passages(con, _passages(["a", "b", "c"]), embedder, "run2")) == 2  # only the new document
    assert con.execute("SELECT count(*), count(DISTINCT run_id) FROM passages").fetchone() == (6, 2)
    rebuild_bm25(con)
    text = TEXTS["a"][0]
    claim = Claim(claim_id=claim_id_for("a", 0, len(text) - 1), doc_id="a", text=text[:-1], statement=text[:-1],
                  speaker=None, char_start=0, char_end=len(text) - 1, sentence_start=0, sentence_end=len(text),
                  polarity="positive", modality="asserted", checkworthiness=0.9, checkworthy=True, extractor="t")
    hits = retrieve(con, [claim], embedder, k=3)[claim.claim_id]
    assert len(hits) == 3
    assert all(not (h.doc_id == "a" and h.char_start == 0) for h in hits)  # its own sentence is excluded
    assert hits[0].text == TEXTS["b"][0]  # the paraphrase from another outlet ranks first
    assert [h.rank for h in hits] == [1, 2, 3]
    same = [h for h in hits if h.doc_id == "a"]
    assert all(h.same_document for h in same)


def test_as_of_keeps_only_passages_published_by_then(tmp_path):
    from evidence.retrieve import HybridRetriever

    con = connect(tmp_path / "t.duckdb")
    embedder = LocalEmbedder()
    passages = _passages(["a", "b"])
    passages[0] = passages[0].model_copy(update={"published_at": datetime(2026, 2, 1)})
    add_passages(con, passages, embedder, "run1")
    rebuild_bm25(con)
    retriever = HybridRetriever(con)
    vector = embedder.queries(["bridge collapse in Tarsk"])[0]
    every = retriever.search("bridge collapse in Tarsk", vector, 5)
    early = retriever.search("bridge collapse in Tarsk", vector, 5, as_of=datetime(2026, 2, 15))
    assert len(every) == 4
    assert [retriever.table.texts[i] for i, _ in early] == [TEXTS["a"][0]]


def test_in_memory_bm25_ranks_exactly_like_the_fts_macro(demo_db):
    from evidence.retrieve import HybridRetriever

    con = connect(demo_db, read_only=True)
    retriever = HybridRetriever(con)
    queries = ["bridge collapse in Tarsk", "central bank raised its key rate to 6 percent", "soldiers drills Velna",
               "Lena Orsk resigned", "curfew", "nothing matches xyzzy"]
    for q in queries:
        assert retriever.bm25(q, 15) == retriever.bm25_sql(q, 15), q
    assert retriever.bm25("nothing matches xyzzy", 5) == []


def test_document_title_is_context_for_bm25_and_dense(tmp_path):
    from evidence.index import context_text
    from evidence.retrieve import HybridRetriever

    con = connect(tmp_path / "c.duckdb")
    embedder = LocalEmbedder()
    passages = _passages(["a", "c"])
    add_passages(con, passages, embedder, "run1", titles={"a": "Tarsk bridge collapse", "c": None})
    rebuild_bm25(con)
    rows = con.execute("SELECT doc_id, title, context_embedding IS NOT NULL FROM passages ORDER BY doc_id").fetchall()
    assert rows == [("a", "Tarsk bridge collapse", True)] * 2 + [("c", None, False)] * 2
    retriever = HybridRetriever(con)
    t = retriever.table
    crews = t.texts.index(TEXTS["a"][1])
    expected = embedder.passages([context_text("Tarsk bridge collapse", TEXTS["a"][1])])[0]
    assert abs(float(t.vectors[crews] @ expected) - 1.0) < 1e-4  # retrieval uses "title. sentence"
    ferry = t.texts.index(TEXTS["c"][1])
    assert abs(float(t.vectors[ferry] @ embedder.passages([TEXTS["c"][1]])[0]) - 1.0) < 1e-4  # no title: sentence
    # "Emergency crews moved families to a school." has no word of the query; its headline does
    assert crews in retriever.bm25("Tarsk", 5)
    top = retriever.search("Tarsk", embedder.queries(["Tarsk"])[0], 2)
    assert {i for i, _ in top} == {crews, t.texts.index(TEXTS["a"][0])}


def test_titles_come_from_the_documents_table(tmp_path):
    con = connect(tmp_path / "d.duckdb")
    con.execute("INSERT INTO documents (doc_id, title, text, origin, content_hash, ingested_at)"
                " VALUES ('a', 'Bridge down', 'x', 'o', 'h', now())")
    add_passages(con, _passages(["a"]), LocalEmbedder(), "run1")
    assert {r[0] for r in con.execute("SELECT title FROM passages").fetchall()} == {"Bridge down"}


def test_fusions_and_dense_modes_agree_on_a_clear_winner(tmp_path):
    from evidence.retrieve import HybridRetriever

    con = connect(tmp_path / "f.duckdb")
    embedder = LocalEmbedder()
    add_passages(con, _passages(["a", "b", "c"]), embedder, "run1")
    rebuild_bm25(con)
    Writer(con).create_hnsw()
    query = "The central bank raised its rate"
    vector = embedder.queries([query])[0]
    for retriever in (HybridRetriever(con), HybridRetriever(con, dense="hnsw"), HybridRetriever(con, fusion="rrf")):
        hits = retriever.search(query, vector, 3)
        assert retriever.table.texts[hits[0][0]] == TEXTS["b"][1]
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    exact, hnsw = HybridRetriever(con), HybridRetriever(con, dense="hnsw")
    assert [i for i, _ in exact.search(query, vector, 6)] == [i for i, _ in hnsw.search(query, vector, 6)]
    first = exact.search(query, vector, 1)[0][0]
    assert first not in [i for i, _ in exact.search(query, vector, 5, exclude=lambda i: i == first)]
