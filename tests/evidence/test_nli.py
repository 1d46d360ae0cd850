"""The trained pair judge (evidence/nli.py): its weights, its probabilities, hand-written pairs, and
its accuracy on a fixed subset of SICK TEST (skipped where ../shared is absent)."""
import numpy as np
import pytest

from evidence.nli import DEFAULT_WEIGHTS, FEATURE_NAMES, NLI_VERSION, STANCES, TrainedJudge, pairs_features
from conftest import SHARED, need
from test_judge import CASES as NEWS_CASES

CASES = [
    # (claim, evidence, stance) -- our own sentences, not from any data set
    ("A cyclist is riding a red bicycle down the hill.", "A cyclist is not riding a bicycle down the hill.",
     "refutes"),
    ("The baker is putting bread into the oven.", "Nobody is putting bread into the oven.", "refutes"),
    # Two captions with an indefinite subject can describe two scenes: SICK calls this neutral, and
    # the judge follows it (no anchored referent, so the differing slot is not a conflict).
    ("Two children are sitting on the porch.", "Two children are standing on the porch.", "neutral"),
    # One known referent, one differing slot: a refutation (FEVER-style), named in the rationale.
    ("The Velna Gazette is a weekly magazine.", "The Velna Gazette is a daily newspaper founded in 1921 in Tarsk.",
     "refutes"),
    ("Orsk was born in 1961.", "Lena Orsk was born in 1974 in Kaldera.", "refutes"),
    # A typed conflict found by the cue judge is kept over the model's answer.
    ("The door of the shop is open.", "The door of the shop is closed.", "refutes"),
    ("A chef is chopping vegetables.", "A cook is cutting some vegetables into pieces.", "supports"),
    ("A dog is running across the beach.", "A brown dog is running quickly across the sandy beach.", "supports"),
    ("A dog is running across the beach.", "Inflation in the euro area eased to 2 percent in May.", "neutral"),
    ("The pianist is performing for a large audience.", "A boy is feeding ducks at the pond.", "neutral"),
]


@pytest.fixture(scope="module")
def judge():
    return TrainedJudge.load()


def test_weights_load(judge):
    assert DEFAULT_WEIGHTS.exists() and DEFAULT_WEIGHTS.stat().st_size < 200_000
    assert judge.name == NLI_VERSION
    assert judge.coef.shape == (len(STANCES), len(FEATURE_NAMES)) and np.isfinite(judge.coef).all()
    assert judge.temperature > 0
    assert TrainedJudge.load() is judge  # cached


def _plain(cases):
    return [tuple(c.values) if hasattr(c, "values") else c for c in cases]


def test_probabilities_valid(judge):
    X, cues = pairs_features([(c, e) for c, e, _ in _plain(CASES)])
    assert X.shape == (len(CASES), len(FEATURE_NAMES)) and len(cues) == len(CASES)
    P = judge.predict_proba(X)
    assert np.all(P >= 0) and np.all(P <= 1) and np.allclose(P.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("claim,evidence,stance", CASES)
def test_hand_written_pair(judge, claim, evidence, stance):
    j = judge.judge([(claim, evidence)])[0]
    assert j.stance == stance, j.rationale
    assert 1 / 3 <= j.score <= 1.0 and j.rationale


def test_negation_is_typed_and_disagreement_is_explained(judge):
    j = judge.judge([(CASES[0][0], CASES[0][1])])[0]
    assert j.kind == "polarity"
    out = judge.judge([(c, e) for c, e, _ in _plain(CASES)])
    from evidence.judge import judge_texts

    for (c, e, _), got in zip(_plain(CASES), out):
        cue = judge_texts(c, e)
        if cue.stance != got.stance and cue.stance != "refutes":
            assert f"cue judge said {cue.stance}" in got.rationale and "top contributing signal" in got.rationale


def test_empty(judge):
    assert judge.judge([]) == []


def test_sick_test_subset_accuracy(judge):
    need(SHARED / "datasets" / "sick.tsv")
    from claimflow.evaluate import load_sick

    pairs = load_sick("TEST", SHARED / "datasets")[::8][:600]
    got = judge.judge([(p.hypothesis, p.premise) for p in pairs])
    to_nli = {"supports": "entailment", "refutes": "contradiction", "neutral": "neutral"}
    accuracy = np.mean([to_nli[j.stance] == p.gold for j, p in zip(got, pairs)])
    # Whole SICK TEST (v2): 0.844 with typed cue conflicts kept over the model (0.848 without); this
    # fixed subset guards against regressions.
    assert accuracy >= 0.85, accuracy


# --- alignment features (evidence/align.py): the slot where claim and evidence differ ---------------

def _align(claim, evidence):
    from evidence.align import ALIGN_FEATURES, features
    from evidence.judge import parse_view

    return dict(zip(ALIGN_FEATURES, features(parse_view(claim), parse_view(evidence))))


def test_align_substitution_in_a_copula_slot():
    f = _align("The Velna Gazette is a weekly magazine.", "The Velna Gazette is a daily newspaper founded in 1921.")
    assert f["al subject matched"] == 1.0
    assert f["al substitutions"] > 0 and f["al substitution in copula"] == 1.0
    assert f["al all matched"] == 0.0


def test_align_substitution_of_a_prepositional_object():
    f = _align("The drummer is associated with jazz.", "The drummer is associated with heavy metal bands.")
    assert f["al substitutions"] > 0 and f["al substitution of prep object"] == 1.0


def test_align_addition_is_not_a_substitution():
    # the claim says more than the evidence: a slot the evidence leaves empty
    f = _align("The council approved the budget in March.", "The council approved the budget.")
    assert f["al substitutions"] == 0.0 and f["al additions"] > 0


def test_align_paraphrase_fully_matched_and_typed_conflicts():
    f = _align("The minister resigned.", "Energy minister Lena Orsk resigned on Tuesday after the vote.")
    assert f["al all matched"] == 1.0 and f["al all matched same polarity"] == 1.0
    g = _align("The plant opened in 1998.", "The plant opened in 2004.")
    assert g["al year conflict"] == 1.0 and g["al all matched"] == 0.0
    h = _align("The band never played in Tarsk.", "The band played in Tarsk twice.")
    assert h["al any negation mismatch"] == 1.0 and h["al root negation mismatch"] == 1.0
    k = _align("Orsk is a Valdian politician.", "Orsk is a Norwegian politician.")
    assert k["al place conflict"] == 1.0


# --- the model alone on the cue judge's news cases (the local engine's HybridJudge passes them all) ---

# Why the model alone is not the pipeline's judge: on these news pairs it disagrees with the cue judge
# (and with the sample corpus's answer key); HybridJudge lets the cue judge decide them
# (tests/evidence/test_hybrid.py). Strict xfail, so a fix shows up.
_NOT_YET = {
    "The museum has been closed since May.": "change over time read as an antonym conflict",
    "The central bank raised its key rate to 6 percent on Wednesday.": "key/benchmark read as a substituted modifier",
    "So far, there is no de-escalation.": "negated existential paraphrase left neutral",
}


@pytest.mark.parametrize("claim,evidence,stance,kind", [
    pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason=_NOT_YET[case[0]])) if case[0] in _NOT_YET
    and case[2] != "refutes" and "withdrawal" not in case[1] else case
    for case in NEWS_CASES])
def test_news_cases_of_the_cue_judge(judge, claim, evidence, stance, kind):
    """The hand-written news pairs of tests/evidence/test_judge.py (typed conflicts, hard negatives such
    as different quantities and change over time, paraphrases) through the model alone."""
    j = judge.judge([(claim, evidence)])[0]
    assert (j.stance, j.kind) == (stance, kind), j.rationale


def test_fever_symmetric_subset_two_way(judge):
    need(SHARED / "datasets" / "fever_symmetric_dev.jsonl")
    from claimflow.evaluate import load_fever_symmetric, two_way

    pairs = load_fever_symmetric(SHARED / "datasets")[::4]
    labels, judged = two_way(judge, pairs)
    accuracy = np.mean([g == p.gold for g, p in zip(labels, pairs)])
    assert len(judged) == len(pairs)
    # The cue judge alone is at chance (0.51) here; this subset guards the alignment features.
    assert accuracy >= 0.62, accuracy


def test_refutation_rationale_names_the_slot_and_quotes_the_evidence(judge):
    claim, evidence = "The Velna Gazette is a weekly magazine.", "The Velna Gazette is a daily newspaper founded in 1921."
    j = judge.judge([(claim, evidence)])[0]
    assert j.stance == "refutes"
    assert "evidence" in j.rationale and "newspaper" in j.rationale
