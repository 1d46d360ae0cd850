"""Syndicated copies: one article reprinted with small edits by three outlets is one source."""
import json

import duckdb

WIRE = [
    "The Orsel wind farm near Tarsk was switched off on Monday after a turbine caught fire.",
    "The operator said that no one was injured in the fire.",
    "Firefighters from Tarsk and Port Alder needed four hours to put out the flames.",
    "The wind farm supplies power to about 60,000 homes in the region.",
    '"We will inspect every turbine before we restart the farm," operator spokeswoman Nina Holt said.',
]


def _edited(sentences, swap):
    out = [s.replace(a, b) for s in sentences for a, b in [swap]]
    return " ".join(out[:3]) + "\n\n" + " ".join(out[3:])


def test_reprints_form_one_source_and_count_once(prefect_harness, tmp_path):
    from flows.verify import verify_corpus

    docs = [
        {"id": "wire", "source": "Northern Wire", "published_at": "2026-03-09", "text": _edited(WIRE, ("", ""))},
        {"id": "post", "source": "Harbour Post", "published_at": "2026-03-09T15:00:00",
         "text": _edited(WIRE, ("needed four hours", "took four hours"))},
        {"id": "today", "source": "Valdia Today", "published_at": "2026-03-10",
         "text": _edited(WIRE[:4], ("the region", "the north of the region"))},
        {"id": "ledger", "source": "The Coastal Ledger", "published_at": "2026-03-10",
         "text": "The Orsel wind farm near Tarsk was switched off on Monday because of a fire in a turbine. "
                 "Local schools reopened on Tuesday after the winter break."},
    ]
    corpus = tmp_path / "wire.jsonl"
    corpus.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    db = tmp_path / "s.duckdb"
    verify_corpus(sources=[str(corpus)], db=str(db))
    con = duckdb.connect(str(db), read_only=True)
    groups = dict(con.execute("SELECT doc_id, group_id FROM source_groups").fetchall())
    assert groups["wire"] == groups["post"] == groups["today"] != groups["ledger"]
    reasons = dict(con.execute("SELECT doc_id, reason FROM source_groups").fetchall())
    assert reasons["post"] == "syndicated copy" and reasons["ledger"] == "own"
    linked = con.execute("SELECT count(*) FROM passages WHERE duplicate_of IS NOT NULL").fetchone()[0]
    assert linked >= 6
    n_support, verdict = con.execute(
        "SELECT v.n_supporting_sources, v.verdict FROM verdicts v JOIN claims c USING (claim_id)"
        " WHERE c.doc_id = 'ledger' AND c.text LIKE 'The Orsel wind farm%'").fetchone()
    assert (n_support, verdict) == (1, "supported")  # three outlets, one voice
    wire_claim = con.execute(
        "SELECT v.verdict, v.n_supporting_sources FROM verdicts v JOIN claims c USING (claim_id)"
        " WHERE c.doc_id = 'wire' AND c.text LIKE 'The Orsel wind farm%'").fetchone()
    assert wire_claim == ("supported", 1)  # the Ledger supports it; its own reprints do not count


def test_undated_identical_passages_link_one_way(tmp_path):
    from evidence.embed import LocalEmbedder
    from evidence.index import passage_rows
    from evidence.models import Passage
    from evidence.sources import find_duplicates
    from store import connect
    from store.writer import Writer

    con = connect(tmp_path / "u.duckdb")
    text = "The Orsel wind farm near Tarsk was switched off on Monday after a turbine caught fire."
    passages = [Passage(passage_id=pid, doc_id=doc, text=text, char_start=0, char_end=len(text))
                for pid, doc in (("p1", "d1"), ("p2", "d2"))]
    writer = Writer(con)
    ids = writer.add_passages(passage_rows(con, passages, LocalEmbedder(), "r"))
    assert writer.link_duplicates(find_duplicates(con, set(ids))) == 1
    links = con.execute("SELECT passage_id, duplicate_of FROM passages WHERE duplicate_of IS NOT NULL").fetchall()
    assert links == [("p2", "p1")]


def _grouped(tmp_path, documents, passages):
    """source_groups over hand-made rows (documents: id, outlet, date; passages: id, doc, text, duplicate_of),
    saved as a run saves them and read back: doc_id -> source."""
    from evidence.sources import source_groups
    from store import connect
    from store.writer import Writer

    con = connect(tmp_path / "g.duckdb")
    for doc_id, outlet, published in documents:
        con.execute("INSERT INTO documents (doc_id, source, published_at, text, origin, content_hash, ingested_at)"
                    " VALUES (?, ?, ?, 'x', ?, ?, now())", [doc_id, outlet, published, doc_id, doc_id])
    for pid, doc_id, text, duplicate_of in passages:
        con.execute("INSERT INTO passages (passage_id, doc_id, text, char_start, char_end, embedding, duplicate_of)"
                    " VALUES (?, ?, ?, 0, 1, ?, ?)", [pid, doc_id, text, [0.0] * 384, duplicate_of])
    Writer(con).save_source_groups(source_groups(con), "r")
    return dict(con.execute("SELECT doc_id, group_id FROM source_groups").fetchall())


LONG = "The wind farm near Tarsk was switched off on Monday after a fire"


def test_one_reprinted_paragraph_or_shared_boilerplate_keeps_two_outlets_apart(tmp_path):
    groups = _grouped(tmp_path, [("a", "Northern Wire", "2026-03-09"), ("b", "Harbour Post", "2026-03-10")], [
        ("a1", "a", LONG, None), ("a2", "a", "View photo news.", None), ("a3", "a", "Follow us.", None),
        ("b1", "b", LONG, "a1"), ("b2", "b", "View photo news.", "a2"), ("b3", "b", "Follow us.", "a3")])
    assert groups == {"a": "northern wire", "b": "harbour post"}


def test_a_copy_joins_the_document_it_copies_not_its_whole_outlet(tmp_path):
    other = LONG.replace("Monday", "Tuesday") + " again"
    groups = _grouped(tmp_path, [("a", "Northern Wire", "2026-03-09"), ("b", "Harbour Post", "2026-03-10"),
                                 ("b2", "Harbour Post", "2026-03-11"), ("c", "Valdia Today", "2026-03-12")], [
        ("a1", "a", LONG, None), ("a2", "a", other, None),
        ("b1", "b", LONG, "a1"), ("b2x", "b", other, "a2"),  # b reprints a
        ("b21", "b2", "The harbour reopened on Wednesday after the storm", None),
        ("c1", "c", "The harbour reopened on Wednesday after the storm", "b21")])  # one shared sentence
    assert groups == {"a": "northern wire", "b": "northern wire", "b2": "harbour post", "c": "valdia today"}
