"""The trained pair judge (evidence/nli.py): its weights, its probabilities, hand-written pairs, and
its accuracy on a fixed subset of SICK TEST (skipped where ../shared is absent)."""
import numpy as np
import pytest

from evidence.nli import DEFAULT_WEIGHTS, FEATURE_NAMES, NLI_VERSION, STANCES, TrainedJudge, pairs_features
from conftest import SHARED, need

CASES = [
    # (claim, evidence, stance) -- our own sentences, not from any data set
    ("A cyclist is riding a red bicycle down the hill.", "A cyclist is not riding a bicycle down the hill.",
     "refutes"),
    ("The baker is putting bread into the oven.", "Nobody is putting bread into the oven.", "refutes"),
    # Known weakness of v1 (SICK often labels swapped antonyms neutral): the model overrides the cue
    # judge's antonym refutation. Kept as strict xfail so a fix shows up.
    pytest.param("Two children are sitting on the porch.", "Two children are standing on the porch.", "refutes",
                 marks=pytest.mark.xfail(strict=True, reason="v1 learns antonym words -> neutral from SICK")),
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
    # Whole SICK TEST: 0.856 with typed cue conflicts kept over the model (0.862 without); this
    # fixed subset guards against regressions.
    assert accuracy >= 0.85, accuracy
