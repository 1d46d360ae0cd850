"""The check-worthiness model: committed weights load, hand-written sentences fall on the right side
of the threshold, and the held-out ClaimBuster F1 (recomputed from the weights) stays above the floor."""
from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from claims.checkworthiness import (
    DEFAULT_WEIGHTS, FEATURES_VERSION, CheckworthinessModel, checkworthiness, features, hash_features,
    heldout_split,
)
from claims.nlp import get_nlp

CLAIMBUSTER = "claimbuster_kfold_25ncs.json"

FACTUAL = [
    "Unemployment in Valdia rose to 7.2 percent in February.",
    "The government spent $4 billion on new roads in 2019.",
    "Exports to China fell by 12 percent last year, according to the trade ministry.",
    "Since 2010 the city has lost 40,000 manufacturing jobs.",
    "Senator Morales voted against the budget bill three times in 2021.",
]
NOT_CHECKWORTHY = [
    "I think we should all be proud.",
    "What do you think?",
    "Thank you very much.",
    "Good evening, everyone.",
    "I hope you will join us.",
]


@pytest.fixture(scope="module")
def model() -> CheckworthinessModel:
    return CheckworthinessModel.load()


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def test_committed_weights_load_and_score_in_unit_interval(model, nlp):
    assert DEFAULT_WEIGHTS.exists()
    assert DEFAULT_WEIGHTS.stat().st_size < 2 * 1024 * 1024
    assert model.meta["features_version"] == FEATURES_VERSION
    assert 0.0 < model.threshold < 1.0
    assert CheckworthinessModel.load() is model  # cached
    docs = list(nlp.pipe(FACTUAL + NOT_CHECKWORTHY + ["", "42", "?!"]))
    scores = model.score_many(docs)
    assert len(scores) == len(docs)
    assert all(0.0 <= s <= 1.0 for s in scores)
    # a Doc and its whole-sentence Span give the same score; the convenience function agrees
    assert model.score(docs[0]) == pytest.approx(model.score(docs[0][:]))
    assert checkworthiness(docs[0]) == pytest.approx(scores[0])


def test_features_are_stable_strings(nlp):
    doc = nlp("Unemployment in Valdia rose to 7.2 percent in February.")
    feats = features(doc)
    assert "w:unemployment" in feats and "m:num" in feats and "m:past" in feats
    assert any(f.startswith("e:") for f in feats)
    # crc32, not hash(): the same string always lands on the same column
    idx = hash_features(["w:unemployment"], 20)
    assert idx.tolist() == [zlib.crc32(b"w:unemployment") & ((1 << 20) - 1)]


@pytest.mark.parametrize("text", FACTUAL)
def test_factual_news_sentences_are_checkworthy(model, nlp, text):
    score = model.score(nlp(text))
    assert score >= model.threshold, f"{text!r} scored {score:.3f} < threshold {model.threshold:.3f}"


@pytest.mark.parametrize("text", NOT_CHECKWORTHY)
def test_opinions_questions_greetings_are_not(model, nlp, text):
    score = model.score(nlp(text))
    assert score < model.threshold, f"{text!r} scored {score:.3f} >= threshold {model.threshold:.3f}"


def test_heldout_f1_from_committed_weights(model, nlp):
    from conftest import SHARED, need

    path = need(SHARED / "datasets" / CLAIMBUSTER)
    _, held = heldout_split(json.loads(path.read_text()))
    assert len(held) == 1935  # 20% of each label of the 9,674 sentences
    y = np.array([r["label"] for r in held])
    scores = np.array(model.score_many(nlp.pipe((r["text"] for r in held), batch_size=256)))
    pred = scores >= model.threshold
    tp = int((pred & (y == 1)).sum())
    precision, recall = tp / pred.sum(), tp / (y == 1).sum()
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.75, f"held-out F1 {f1:.4f} (P {precision:.4f}, R {recall:.4f}) is below the 0.75 floor"
    # the weights file records the number measured at training time; this run must reproduce it
    assert f1 == pytest.approx(model.meta["heldout_f1"], abs=0.005)
