"""How the pipeline hands claim and passage to the judge: both sides in the same date form."""
from datetime import datetime
from types import SimpleNamespace

from claimflow.pipeline import judged_texts
from claims.models import Claim
from evidence.models import Hit


def _claim(text, statement):
    return Claim(claim_id="c", doc_id="d", text=text, statement=statement, speaker=None, char_start=0,
                 char_end=len(text), sentence_start=0, sentence_end=len(text), polarity="positive",
                 modality="asserted", checkworthiness=0.9, checkworthy=True, extractor="t")


def _hit(published_at):
    text = "The port reopened on Thursday."
    return Hit(passage_id="p", doc_id="e", text=text, char_start=0, char_end=len(text), same_document=False,
               rank=1, score=0.5, published_at=published_at)


def test_relative_dates_resolved_on_both_sides_or_neither():
    engine = SimpleNamespace(judge=SimpleNamespace(absolute_dates=True))
    dated = _claim("The port reopened on Thursday", "The port reopened on 5 March 2026")
    undated = _claim("The port reopened on Thursday", "The port reopened on Thursday")
    thursday = datetime(2026, 3, 6, 9, 0)  # a Friday: "on Thursday" is 5 March
    assert judged_texts(engine, dated, True, _hit(thursday)) == (
        "The port reopened on 5 March 2026", "The port reopened on 5 March 2026.")
    # the passage has no date: the claim is read as written, like the passage
    assert judged_texts(engine, dated, True, _hit(None)) == (
        "The port reopened on Thursday", "The port reopened on Thursday.")
    # the claim's document has no date: the passage keeps its weekday too
    assert judged_texts(engine, undated, False, _hit(thursday)) == (
        "The port reopened on Thursday", "The port reopened on Thursday.")
    # a judge that reads passages as written (the LLM judge) gets the statement and the passage
    verbatim = SimpleNamespace(judge=SimpleNamespace(absolute_dates=False))
    assert judged_texts(verbatim, dated, True, _hit(thursday)) == (
        "The port reopened on 5 March 2026", "The port reopened on Thursday.")
