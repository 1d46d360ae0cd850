"""How the pipeline hands claim and passage to the judge (both sides in the same date form), and which
sentences become passages."""
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


def test_an_outlets_template_sentence_is_neither_passage_nor_claim():
    from claimflow.pipeline import BOILERPLATE_DOCUMENTS, drop_boilerplate, passages_of
    from claims.local import LocalExtractor
    from ingest.models import Document, content_hash

    def doc(i, source, body):
        text = f"Port number {i} reopened\n\n{body}"
        return Document(doc_id=f"d{i}", text=text, source=source, origin=f"d{i}", content_hash=content_hash(text))

    signoff = "Follow the harbour office on its channel for the latest updates."
    docs = [doc(i, "Harbour Post", f"Port {i} reopened on Thursday after repairs. {signoff}")
            for i in range(BOILERPLATE_DOCUMENTS)]
    docs.append(doc(99, "Other Wire", f"Port 99 reopened after repairs. {signoff}"))  # another outlet
    extractions = drop_boilerplate(None, docs, LocalExtractor().extract(docs))
    for d, x in zip(docs, extractions):
        passages = [p.text for p in passages_of(docs, [x])]
        claims = [c.text for c in x.claims]
        assert any("reopened" in c for c in claims)  # the news itself is kept
        kept = d.source == "Other Wire"  # once in another outlet: not that outlet's template
        assert (signoff in passages) == kept
        assert any("channel" in c for c in claims) == kept


def test_the_stages_run_without_prefect(tmp_path):
    """ingest -> extract -> index -> judge -> record as plain functions on one writer (what the flow's
    tasks wrap): the two outlets' dates of the Tarsk bridge collapse become a recorded contradiction."""
    from claimflow import pipeline
    from claimflow.engines import resolve_engine
    from conftest import EXAMPLES
    from store import connect
    from store.writer import Writer

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("06_coastal_ledger_tarsk_bridge.txt", "07_northern_wire_tarsk_storm.txt"):
        (inbox / name).write_text((EXAMPLES / name).read_text())
    con = connect(tmp_path / "plain.duckdb")
    writer, engine = Writer(con), resolve_engine("local")
    writer.start_run("r1", None, engine.spec, engine.extractor.name, engine.judge.name, [str(inbox)])
    ingested = pipeline.ingest(writer, [str(inbox)], "r1")
    steps = []
    extracted = pipeline.extract(con, engine, writer.pending_documents(engine.extractor.name),
                                 lambda step, done, total: steps.append((step, done, total)))
    indexed = pipeline.index(writer, engine, extracted, "r1")
    judged = pipeline.judge_corpus(writer, engine)
    recorded = pipeline.record(writer, judged, "r1", engine.judge.name)
    assert len(ingested.new) == 2 and steps == [("extract", 2, 2)] and indexed.passages > 0
    assert judged.claims_judged > 0 and recorded.changes.appeared and recorded.contradictions >= 1
    kinds = {k for (k,) in con.execute("SELECT kind FROM contradictions WHERE claim_id_b IS NOT NULL").fetchall()}
    assert "date" in kinds
    again = pipeline.judge_corpus(writer, engine)  # nothing new: every pair is read back
    assert again.claims_judged == 0 and len(again.evidence) == len(judged.evidence)


def test_bounds_defer_or_leave_out_work_and_say_so(tmp_path):
    """With small bounds: a document past the sentence bound is recorded `truncated`; claims past the
    per-document bound get `limit` rows and no verdict; the pair budget defers claims to later runs,
    which judge them, and the verdicts end as those of a run without a budget."""
    from claimflow import pipeline
    from claimflow.engines import resolve_engine
    from conftest import EXAMPLES
    from ingest.limits import Limits
    from store import connect
    from store.writer import Writer

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("06_coastal_ledger_tarsk_bridge.txt", "07_northern_wire_tarsk_storm.txt",
                 "01_harbour_post_kaldera_port.txt", "08_harbour_post_kaldera_reopens.txt"):
        (inbox / name).write_text((EXAMPLES / name).read_text())
    engine = resolve_engine("local")

    def database(name, limits):
        con = connect(tmp_path / f"{name}.duckdb")
        writer = Writer(con)
        writer.start_run("r1", None, engine.spec, engine.extractor.name, engine.judge.name, [str(inbox)])
        pipeline.ingest(writer, [str(inbox)], "r1", limits=limits)
        extracted = pipeline.extract(con, engine, writer.pending_documents(engine.extractor.name), limits=limits)
        pipeline.index(writer, engine, extracted, "r1")
        return con, writer, extracted

    per_doc = Limits(max_sentences=6, max_claims_per_document=3, max_judged_pairs=0)
    con, writer, extracted = database("unbounded", per_doc)
    assert extracted.truncated and all(len(x.sentences) <= 6 for x in extracted.results)
    assert con.execute("SELECT count(*) FROM ingest_errors WHERE reason = 'truncated'").fetchone()[0] == len(
        extracted.truncated)
    judged = pipeline.judge_corpus(writer, engine, limits=per_doc)
    pipeline.record(writer, judged, "r1", engine.judge.name)
    limited = {p.claim_id for p in judged.pending if p.stage == "limit"}
    assert limited and not limited & {v.claim_id for v in judged.verdicts}
    full = sorted((v.claim_id, v.verdict, v.n_supporting_sources, v.n_refuting_sources) for v in judged.verdicts)

    budget = per_doc.model_copy(update={"max_judged_pairs": 10})
    con, writer, _ = database("budget", budget)
    runs, waiting = 0, None
    while waiting != 0:
        runs += 1
        result = pipeline.judge_corpus(writer, engine, limits=budget)
        pipeline.record(writer, result, f"r{runs}", engine.judge.name)
        deferred = [p for p in result.pending if p.stage == "judge"]
        assert runs == 1 or len(deferred) < waiting  # every run makes progress
        assert all("budget" in p.reason for p in deferred) and not {p.claim_id for p in deferred} & {
            v.claim_id for v in result.verdicts}
        waiting = len(deferred)
        assert runs < 20
    assert runs > 1  # the budget did bite
    assert sorted((v.claim_id, v.verdict, v.n_supporting_sources, v.n_refuting_sources) for v in result.verdicts) == full
