"""Verdict rules: independent sources count once, own-document evidence weighs less, a speaker
repeating themselves is not support, and nothing relevant means unverified."""
from claims.models import Claim
from evidence.models import EvidenceRow, Hit, Judgement
from verdicts.verdicts import decide


def _claim(claim_id="c", doc_id="d0", speaker=None, start=0, end=10):
    return Claim(claim_id=claim_id, doc_id=doc_id, text="x" * (end - start), statement="x", speaker=speaker,
                 char_start=start, char_end=end, sentence_start=start, sentence_end=end, polarity="positive",
                 modality="asserted", checkworthiness=0.9, checkworthy=True, extractor="t")


def _row(doc_id, stance, score=0.9, same=False, passage="p"):
    hit = Hit(passage_id=f"{passage}-{doc_id}", doc_id=doc_id, text="evidence", char_start=0, char_end=10,
              same_document=same, rank=1, score=0.1)
    typed = {"kind": "polarity", "cue": "negation"} if stance == "refutes" else {"cue": "model"}
    return EvidenceRow(claim_id="c", hit=hit, judgement=Judgement(stance=stance, score=score, rationale="r", **typed))


def test_four_verdicts():
    sources = {"d1": "post", "d2": "wire", "d3": "ledger"}
    claim = _claim()
    assert decide(claim, [_row("d1", "supports")], sources, {}).verdict == "supported"
    assert decide(claim, [_row("d1", "refutes")], sources, {}).verdict == "refuted"
    assert decide(claim, [_row("d1", "supports"), _row("d2", "refutes")], sources, {}).verdict == "disputed"
    unverified = decide(claim, [_row("d1", "neutral")], sources, {})
    assert unverified.verdict == "unverified" and unverified.n_supporting_sources == 0


def test_syndicated_copies_count_once():
    sources = {"d1": "wire", "d2": "wire", "d3": "wire", "d4": "post"}
    rows = [_row(d, "supports", 0.6) for d in ("d1", "d2", "d3")]
    v = decide(_claim(), rows, sources, {})
    assert v.n_supporting_sources == 1
    more = decide(_claim(), rows + [_row("d4", "supports", 0.6)], sources, {})
    assert more.n_supporting_sources == 2 and more.confidence > v.confidence
    assert "passage p-d1" in v.rationale or "passage p-d2" in v.rationale or "passage p-d3" in v.rationale


def test_own_source_refutes_at_half_weight_and_never_supports():
    far = decide(_claim(), [_row("d1", "refutes", 0.7)], {}, {})
    near = decide(_claim(), [_row("d0", "refutes", 0.7, same=True)], {}, {})
    assert near.confidence < far.confidence
    sources = {"d0": "wire", "d5": "wire"}
    reprint = decide(_claim(), [_row("d5", "supports", 0.9)], sources, {})
    assert reprint.verdict == "unverified"


def test_a_speaker_repeating_themselves_is_not_support():
    claim = _claim(speaker="Jens Stoltenberg")
    repeat = _claim(claim_id="c2", doc_id="d1", speaker="Jens Stoltenberg")
    v = decide(claim, [_row("d1", "supports")], {}, {"d1": [repeat]})
    assert v.verdict == "unverified"
    other = _claim(claim_id="c3", doc_id="d1", speaker="Dmitry Peskov")
    assert decide(claim, [_row("d1", "supports")], {}, {"d1": [other]}).verdict == "supported"


def test_sides_combine_as_independent_probabilities():
    from verdicts.verdicts import THRESHOLD, combine, label

    assert combine([0.3, 0.3]) == 0.51 and label(combine([0.3, 0.3]), 0.0) == "supported"
    assert label(0.3, 0.0) == "unverified" and label(0.0, THRESHOLD) == "refuted"
    assert label(0.9, 0.6) == "disputed"


def test_an_untyped_model_refutation_decides_no_verdict():
    row = _row("d1", "refutes")
    untyped = row.model_copy(update={"judgement": row.judgement.model_copy(update={"kind": None, "cue": "model"})})
    assert decide(_claim(), [untyped], {}, {}).verdict == "unverified"
    assert decide(_claim(), [row], {}, {}).verdict == "refuted"


def test_claims_are_compared_in_one_date_form():
    """When only one of two documents has a date, the dated claim is read as written ("on Wednesday"),
    so the judge never sees "on Wednesday" against "on 4 March 2026"."""
    from verdicts.contradictions import same_form

    dated = _claim("a", "d1").model_copy(update={"text": "Rates rose on Wednesday", "statement": "Rates rose on 4 March 2026"})
    undated = _claim("b", "d2").model_copy(update={"text": "Rates rose on Wednesday", "statement": "Rates rose on Wednesday"})
    assert same_form(dated, undated, {"d1"}) == ("Rates rose on Wednesday", "Rates rose on Wednesday")
    assert same_form(dated, undated, {"d1", "d2"}) == ("Rates rose on 4 March 2026", "Rates rose on Wednesday")
    assert same_form(dated, undated, None) == ("Rates rose on 4 March 2026", "Rates rose on Wednesday")


def test_three_outlets_reporting_what_a_party_says_are_one_voice_and_never_its_support():
    sources = {"d0": "wire", "d1": "post", "d2": "ledger", "d3": "today", "d4": "herald"}
    says = {d: [_claim(claim_id=f"s{d}", doc_id=d, speaker="Varnian defence ministry")] for d in ("d1", "d2", "d3")}
    claim = _claim(speaker="Varnian defence ministry")  # "the ship sank after a fire, the ministry said"
    rows = [_row(d, "supports") for d in ("d1", "d2", "d3")] + [_row("d4", "refutes")]
    v = decide(claim, rows, sources, says)
    assert v.verdict == "disputed" and v.n_supporting_sources == 0 and v.n_refuting_sources == 1
    assert "Varnian defence ministry vs herald" in v.rationale  # who disagrees with whom
    alone = decide(claim, rows[:3], sources, says)
    assert alone.verdict == "unverified"  # holding a claim is not evidence for it
    outlet_claim = _claim()  # the same content in an outlet's own voice: the ministry is one voice
    assert decide(outlet_claim, rows[:3], sources, says).n_supporting_sources == 1


def test_confidence_follows_the_evidence():
    weak, strong = (decide(_claim(), [_row("d1", "refutes", p)], {}, {}) for p in (0.3, 0.45))
    assert weak.verdict == strong.verdict == "unverified" and weak.confidence > strong.confidence


def test_a_claim_only_other_accounts_contradict_is_disputed_not_refuted():
    row = _row("d1", "refutes")
    account = row.model_copy(update={"judgement": row.judgement.model_copy(update={"cue": "account", "kind": "denial"})})
    v = decide(_claim(), [account], {"d1": "post"}, {})
    assert v.verdict == "disputed" and v.n_refuting_sources == 1
    assert v.rationale.startswith("disputed: d0 vs post") and v.confidence > 0.5  # the claim's outlet holds it
    assert decide(_claim(), [row], {"d1": "post"}, {}).verdict == "refuted"
