"""The NLI cross-encoder in numpy (evidence/cross_encoder.py): the shipped weights, parity with the
PyTorch model they were trained in, calibrated probabilities, batching."""
import numpy as np
import pytest

from evidence.cross_encoder import CLASSES, WEIGHTS, CrossEncoder


@pytest.fixture(scope="module")
def model():
    return CrossEncoder.load()


def test_shipped_weights_are_small_and_describe_themselves(model):
    assert WEIGHTS.stat().st_size < 30 * 2**20
    assert model.meta["classes"] == list(CLASSES) and 0.3 < model.temperature < 3
    assert "SICK" not in " ".join(model.meta["trained_on"]).upper()  # non-commercial data never trains the default
    assert CrossEncoder.load() is model


def test_numpy_forward_matches_torch(model):
    """The logits torch gave at export time (fp32 weights) against numpy on the fp16 file."""
    ref = model.meta["reference"]
    got = model.logits([(r["premise"], r["hypothesis"]) for r in ref])
    assert np.abs(got - np.array([r["logits"] for r in ref])).max() < 0.02


def test_probabilities_are_calibrated_softmax_and_batch_independent(model):
    pairs = [(r["premise"], r["hypothesis"]) for r in model.meta["reference"]]
    P = model.probabilities(pairs)
    assert P.shape == (4, 3) and np.allclose(P.sum(1), 1, atol=1e-5)
    z = model.logits(pairs) / model.temperature
    assert np.allclose(P, np.exp(z) / np.exp(z).sum(1, keepdims=True), atol=1e-5)
    one = np.vstack([model.logits([p]) for p in pairs])
    assert np.allclose(one, model.logits(pairs), atol=1e-4)  # padding changes nothing


def test_reads_both_sentences_together(model):
    P = model.probabilities([
        ("We have not seen any withdrawal of Russian forces.", "Russia has begun to withdraw its troops."),
        ("The Tarsk bridge collapsed on March 3 after heavy rain.", "The Tarsk bridge collapsed."),
        ("The central bank raised its key rate to 6 percent.", "The mayor opened a new bridge in Tarsk."),
    ])
    assert [CLASSES[k] for k in P.argmax(1)] == ["contradiction", "entailment", "neutral"]
