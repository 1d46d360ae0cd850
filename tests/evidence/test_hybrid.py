"""The local engine's judge (evidence/nli.py HybridJudge): the cue judge's news cases hold through it,
the model's one-slot refutations reach news claims, and it stays above the cue judge on public data
(fixed subsets; skipped where ../shared is absent)."""
import numpy as np
import pytest

from claimflow.engines import resolve_engine
from evidence.nli import HYBRID_VERSION, HybridJudge, names_something, without_dates
from conftest import SHARED, need
from test_judge import CASES as NEWS_CASES


@pytest.fixture(scope="module")
def judge():
    return HybridJudge()


def test_it_is_the_local_engines_judge():
    engine = resolve_engine("local")
    assert isinstance(engine.judge, HybridJudge) and engine.judge.name == HYBRID_VERSION
    assert engine.judge.absolute_dates


@pytest.mark.parametrize("claim,evidence,stance,kind", NEWS_CASES)
def test_news_cases_hold(judge, claim, evidence, stance, kind):
    """Every hand-written news pair of tests/evidence/test_judge.py: typed conflicts, different
    quantities, change over time, paraphrases, denials (the model alone fails three of them)."""
    j = judge.judge([(claim, evidence)])[0]
    assert (j.stance, j.kind) == (stance, kind), j.rationale


def test_one_slot_substitution_in_a_named_claim_is_refuted(judge):
    # The cue judge reads this as a paraphrase (same subject, same copula); the model's alignment
    # sees the attribute substituted, and wins.
    from evidence.judge import judge_texts

    claim, evidence = "The Velna Gazette is a weekly magazine.", "The Velna Gazette is a daily newspaper founded in 1921."
    assert judge_texts(claim, evidence).stance != "refutes"
    j = judge.judge([(claim, evidence)])[0]
    assert j.stance == "refutes" and "newspaper" in j.rationale


def test_unrelated_passage_stays_neutral_for_a_named_claim(judge):
    # The model alone is fooled by shared place names here; no aligned clause means neutral.
    j = judge.judge([("The Tarsk bridge collapsed on 5 March 2026.",
                      "The river Osk flooded the centre of Tarsk on 2 March 2026.")])[0]
    assert j.stance == "neutral", j.rationale


def test_generic_claims_go_to_the_model(judge):
    assert not names_something("A man is playing a guitar.")
    assert names_something("Orsk resigned on Tuesday.") and names_something("12 people died.")
    assert names_something("We have not seen it.") and not names_something("Two men are playing guitars.")
    j = judge.judge([("Two children are sitting on the porch.", "Two children are standing on the porch.")])[0]
    assert j.stance == "neutral"  # SICK: two captions can be two scenes


def test_generic_pairs_go_to_the_generic_model_and_named_pairs_to_the_other(judge):
    from evidence.nli import GENERIC_FEATURE_NAMES, GENERIC_VERSION, NLI_VERSION, TrainedJudge

    assert judge.generic.name == GENERIC_VERSION and judge.model.name == NLI_VERSION
    assert judge.generic.coef.shape == (3, len(GENERIC_FEATURE_NAMES)) and judge.generic.sentence_vectors
    generic = ("A chef is chopping vegetables.", "A cook is cutting some vegetables into pieces.")
    named = ("Orsk is a Valdian politician.", "Orsk is a Norwegian politician.")
    _, P = judge.judge_detailed([generic, named])
    assert np.allclose(P[0], judge.generic.judge_detailed([generic])[1][0], atol=1e-6)
    assert np.allclose(P[1], TrainedJudge.load().judge_detailed([named])[1][0], atol=1e-6)
    assert not np.allclose(P[0], TrainedJudge.load().judge_detailed([generic])[1][0], atol=1e-3)


def test_model_reads_text_without_calendar_dates():
    assert without_dates("The central bank lifted its rate to 6 percent on Wednesday.") == \
        "The central bank lifted its rate to 6 percent."
    assert without_dates("The bridge collapsed on Thursday, officials said.") == "The bridge collapsed, officials said."
    # a year is a quantity the model compares: it stays
    assert without_dates("On 4 March 2026 the bank lifted its rate.") == "In 2026 the bank lifted its rate."
    assert without_dates("Anne Rice (born October 4, 1941) is an author.") == "Anne Rice (born in 1941) is an author."
    assert without_dates("The plant opened in 1998.") == "The plant opened in 1998."


def test_dates_are_compared_by_the_cue_judge(judge):
    j = judge.judge([("The Tarsk bridge collapsed on 5 March 2026.", "The Tarsk bridge collapsed on 3 March 2026.")])[0]
    assert (j.stance, j.kind) == ("refutes", "date")
    same_day = judge.judge([("The port of Kaldera reopened on 5 March 2026.",
                             "The port of Kaldera reopened to ships on 5 March 2026 in the morning.")])[0]
    assert same_day.stance == "supports", same_day.rationale


def test_empty(judge):
    assert judge.judge([]) == []


def test_sick_and_fever_subsets(judge):
    need(SHARED / "datasets" / "sick.tsv")
    need(SHARED / "datasets" / "fever_symmetric_dev.jsonl")
    from claimflow.evaluate import NLI_LABEL, load_fever_symmetric, load_sick, two_way

    sick = load_sick("TEST", SHARED / "datasets")[::8][:600]
    got = judge.judge([(p.hypothesis, p.premise) for p in sick])
    sick_accuracy = np.mean([NLI_LABEL[j.stance] == p.gold for j, p in zip(got, sick)])
    fever = load_fever_symmetric(SHARED / "datasets")[::4]
    labels, _ = two_way(judge, fever)
    fever_accuracy = np.mean([g == p.gold for g, p in zip(labels, fever)])
    # The cue judge alone: about 0.73 on SICK and 0.51 on FEVER-Symmetric. Whole sets: README.
    assert sick_accuracy >= 0.82, sick_accuracy
    assert fever_accuracy >= 0.60, fever_accuracy


def test_the_pipeline_gives_local_judges_the_passage_with_absolute_dates():
    from datetime import datetime
    from types import SimpleNamespace

    from claimflow.pipeline import evidence_text
    from evidence.models import Hit

    hit = Hit(passage_id="p", doc_id="d", text="On Wednesday the central bank lifted its rate.", char_start=0,
              char_end=46, same_document=False, rank=1, score=1.0, published_at=datetime(2026, 3, 4, 18))
    assert evidence_text(resolve_engine("local"), hit) == "On 4 March 2026 the central bank lifted its rate."
    # An LLM judge quotes the passage verbatim, so it reads it as written; so does any judge when
    # the passage's document has no date.
    assert evidence_text(SimpleNamespace(judge=SimpleNamespace(absolute_dates=False)), hit) == hit.text
    undated = hit.model_copy(update={"published_at": None})
    assert evidence_text(resolve_engine("local"), undated) == hit.text


def test_evidence_span_is_the_passages_own_words(judge):
    """The local judge names the evidence clause it rests on; the pipeline maps it back from the text
    the judge read (dates made absolute) to the stored passage's words."""
    from datetime import datetime

    from claimflow.pipeline import evidence_text, span_in_passage
    from evidence.models import Hit

    claim = "The central bank raised its key rate to 6 percent on 4 March 2026."
    hit = Hit(passage_id="p", doc_id="d", text="On Wednesday the central bank lifted its rate to 5 percent, it said.",
              char_start=0, char_end=67, same_document=False, rank=1, score=1.0, published_at=datetime(2026, 3, 4, 18))
    read = evidence_text(resolve_engine("local"), hit)
    j = judge.judge([(claim, read)])[0]
    assert j.stance == "refutes" and j.kind == "numeric", j.rationale
    assert j.evidence_span and j.evidence_span in read and "4 March 2026" in j.evidence_span
    stored = span_in_passage(j.evidence_span, hit, read)
    assert stored is not None and stored in hit.text and stored.startswith("On Wednesday") and "5 percent" in stored
    assert span_in_passage("the central bank", hit, read) == "the central bank"
    assert span_in_passage("On 9 May 2026 the central bank", hit, read) is None
    # a span that ends in a rewritten date maps to the date as written
    later = hit.model_copy(update={"text": "The bank raised its rate on Wednesday, it said."})
    assert span_in_passage("The bank raised its rate on 4 March 2026", later,
                           evidence_text(resolve_engine("local"), later)) == "The bank raised its rate on Wednesday"


@pytest.mark.parametrize("claim,evidence,stance,kind", [c for c in NEWS_CASES if c[2] != "neutral"])
def test_a_stance_quotes_its_evidence_span(judge, claim, evidence, stance, kind):
    j = judge.judge([(claim, evidence)])[0]
    assert j.evidence_span and j.evidence_span in evidence, j


def test_judge_skips_the_models_where_the_cue_judge_decides(judge, monkeypatch):
    """`judge` (the pipeline's call) gives the same stances as `judge_detailed` (the benchmarks'),
    without running the models on named pairs the cue judge refutes or finds unrelated."""
    pairs = [(c, e) for c, e, _, _ in NEWS_CASES] + [
        ("A chef is chopping vegetables.", "A cook is cutting some vegetables into pieces."),
        ("The Velna Gazette is a weekly magazine.", "The Velna Gazette is a daily newspaper founded in 1921."),
        ("The Tarsk bridge collapsed on 5 March 2026.", "Inflation in Valdia eased to 2 percent in May.")]
    detailed, P = judge.judge_detailed(pairs)
    assert not np.isnan(P).any()
    seen = []
    assess = judge.model.assess
    monkeypatch.setattr(judge.model, "assess", lambda ps, *a: seen.extend(ps) or assess(ps, *a))
    quick = judge.judge(pairs)
    assert [(j.stance, j.kind) for j in quick] == [(j.stance, j.kind) for j in detailed]
    skipped = [p for p in pairs if p not in seen]
    assert pairs[-1] in skipped and pairs[-2] in seen and pairs[-3] in seen  # unrelated / paraphrase / generic
    assert all("cue judge" in j.rationale for p, j in zip(pairs, quick) if p in skipped)


def test_the_rationale_says_which_half_decided(judge):
    pair = ("Russia has begun to withdraw its troops from the borders of Ukraine",
            "At the same time, we have not seen any withdrawal of Russian forces.")
    seed = judge.judge_detailed([pair])[0][0]
    assert (seed.stance, seed.kind) == ("refutes", "polarity")
    assert "cue judge; the model gives refutes p=" in seed.rationale and "withdrawal of Russian forces" in seed.rationale
    quick = judge.judge([pair])[0]  # the pipeline's call does not run the model here
    assert (quick.stance, quick.kind) == ("refutes", "polarity") and quick.rationale.endswith("(cue judge)")
    swap = judge.judge([("The Velna Gazette is a weekly magazine.",
                         "The Velna Gazette is a daily newspaper founded in 1921.")])[0]
    assert swap.rationale.startswith("the trained model says refutes")
