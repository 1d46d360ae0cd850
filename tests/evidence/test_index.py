"""The passage index embeds each distinct text once (evidence/index.py), on a real DuckDB file."""
import numpy as np
import pytest

from evidence.embed import LocalEmbedder
from evidence.index import passage_rows
from evidence.models import Passage, passage_id_for
from store import connect
from store.writer import Writer


class Counting:
    """The real e5 embedder, recording every text it is asked to embed."""

    def __init__(self, name: str = LocalEmbedder.name) -> None:
        self.inner, self.name, self.asked = LocalEmbedder(), name, []

    def passages(self, texts):
        self.asked += list(texts)
        return self.inner.passages(texts)

    def queries(self, texts):
        return self.inner.queries(texts)


def _passage(doc_id: str, text: str, start: int = 0) -> Passage:
    return Passage(passage_id=passage_id_for(doc_id, start, start + len(text)), doc_id=doc_id, text=text,
                   char_start=start, char_end=start + len(text))


def _index(con, passages, embedder, titles, run_id="r1"):
    writer = Writer(con)
    writer.start_run(run_id, None, "local", "x", "y", ["s"], embedder=embedder.name)
    return writer.add_passages(passage_rows(con, passages, embedder, run_id, titles))


def _vectors(con, column="embedding"):
    return {pid: np.asarray(v, np.float32) for pid, v in con.execute(f"SELECT passage_id, {column} FROM passages").fetchall()}


@pytest.fixture
def con(tmp_path):
    return connect(tmp_path / "index.duckdb")


def test_a_text_gets_the_same_e5_vector_alone_and_in_any_batch():
    e5 = LocalEmbedder()
    texts = ["Troops withdrew from the border.", "A much longer sentence about the port, which reopened on Thursday "
             "morning after a week of repairs to the main quay.", "Prices rose."]
    together = e5.passages(texts)
    for i, text in enumerate(texts):
        assert np.allclose(e5.passages([text])[0], together[i], atol=1e-6)


def test_repeated_sentences_and_contexts_are_embedded_once_in_a_batch(con):
    embedder = Counting()
    same = "The ministry said the talks would resume on Monday."
    passages = [_passage("d1", same), _passage("d2", same), _passage("d3", same), _passage("d3", "Other text here.", 60)]
    _index(con, passages, embedder, {"d1": "Talks to resume", "d2": "Talks to resume", "d3": "Another title"})
    # one sentence vector per distinct sentence, one context vector per distinct title + sentence
    assert sorted(embedder.asked) == sorted([same, "Other text here.", f"Talks to resume. {same}",
                                             f"Another title. {same}", "Another title. Other text here."])
    sentence, context = _vectors(con), _vectors(con, "context_embedding")
    ids = [p.passage_id for p in passages]
    assert np.array_equal(sentence[ids[0]], sentence[ids[2]])
    assert np.array_equal(context[ids[0]], context[ids[1]]) and not np.allclose(context[ids[0]], context[ids[2]])


def test_vectors_stored_by_an_earlier_run_are_read_back_not_embedded(con):
    first = Counting()
    same = "The ministry said the talks would resume on Monday."
    _index(con, [_passage("d1", same)], first, {"d1": "Talks to resume"})
    later = Counting()
    _index(con, [_passage("d2", same), _passage("d3", same)], later, {"d2": "Talks to resume", "d3": None}, "r2")
    assert later.asked == []  # the sentence and its context under the same title are both stored
    sentence, context = _vectors(con), _vectors(con, "context_embedding")
    d1, d2, d3 = (passage_id_for(d, 0, len(same)) for d in ("d1", "d2", "d3"))
    assert np.array_equal(sentence[d2], sentence[d1]) and np.array_equal(sentence[d3], sentence[d1])
    assert np.array_equal(context[d2], context[d1])
    assert con.execute("SELECT context_embedding IS NULL FROM passages WHERE doc_id = 'd3'").fetchone() == (True,)
    # the vectors read back equal what e5 gives the texts afresh
    assert np.allclose(sentence[d2], LocalEmbedder().passages([same])[0], atol=1e-6)


def test_another_embedders_vectors_are_never_reused(con):
    same = "The ministry said the talks would resume on Monday."
    _index(con, [_passage("d1", same)], Counting(name="another-model"), {})
    embedder = Counting()
    _index(con, [_passage("d2", same)], embedder, {}, "r2")
    assert embedder.asked == [same]


def test_context_is_the_longer_text_where_one_contains_the_other():
    from evidence.index import context_text

    assert context_text("Ukraine war: Mariupol civilians evacuated", "Mariupol civilians evacuated.") == \
        "Ukraine war: Mariupol civilians evacuated"
    assert context_text("Port reopens", "Port reopens after a week of repairs.") == "Port reopens after a week of repairs."
    assert context_text("PORT REOPENS.", "Port reopens") == "Port reopens"  # the same words: the sentence
    assert context_text("Arctic sea ice", "It fell by 40% in a decade.") == "Arctic sea ice. It fell by 40% in a decade."
    assert context_text("  ", "Anything.") is None and context_text(None, "Anything.") is None


def test_a_headline_that_is_the_lead_sentence_costs_no_second_vector(con):
    embedder = Counting()
    lead, rest = "Port reopens after a week of repairs", "Ships queued at the quay on Thursday."
    passages = [_passage("d1", lead), _passage("d1", rest, 40)]
    _index(con, passages, embedder, {"d1": "Port reopens"})
    assert sorted(embedder.asked) == sorted([lead, rest, f"Port reopens. {rest}"])
    sentence, context = _vectors(con), _vectors(con, "context_embedding")
    first = passages[0].passage_id
    assert np.array_equal(context[first], sentence[first])
