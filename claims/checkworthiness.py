"""Check-worthiness of an English sentence: a hashed-feature linear model over an existing spaCy parse.

The extractor already holds a parsed spaCy ``Doc``/``Span`` for every sentence; this module reads
only that parse (token text, lemma, POS, tag, dependency, entity type, ``like_num``) and scores it
with a logistic-regression model stored as plain numpy arrays. No second model, no embeddings, no
scikit-learn at inference: building the feature strings and summing their weights costs a few tens
of microseconds per sentence.

    >>> from claims.checkworthiness import checkworthiness, CheckworthinessModel
    >>> checkworthiness(doc[:])                      # probability-like score in [0, 1]
    >>> model = CheckworthinessModel.load()          # cached, loaded on first use
    >>> model.score_many(list(doc.sents)); model.threshold

Features (see :func:`features`) are strings such as ``"w:unemployment"`` or ``"p:NUM>NOUN"``;
each is hashed with ``zlib.crc32`` (stable across processes, unlike ``hash()``) into a space of
``2**n_bits`` columns. The weights file (``claims/weights/checkworthiness.v1.npz``) stores the
non-zero weights with their column indices, the bias, the feature groups the model was trained on,
the row normalisation, and the decision threshold chosen by cross-validation. It is produced by
``bench/train_checkworthiness.py`` from the ClaimBuster data (GPL-3.0): see
``claims/weights/README.md``.

:func:`heldout_split` is the deterministic train / held-out split shared by the training script
and the tests.
"""
from __future__ import annotations

import math
import threading
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# Bump when features() changes in a way that invalidates trained weights; the weights file records
# the version it was trained with and load() refuses a mismatch.
FEATURES_VERSION = "cw-features/1"

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights" / "checkworthiness.v1.npz"

# Feature groups; a model uses a subset (stored in its weights file).
#   w  lowercased word unigrams        wb  word bigrams (with sentence boundaries)
#   wt word trigrams                   l   lemma unigrams
#   a  abstracted uni/bi/trigrams: numbers -> NUM, named entities -> their type, other words -> lemma
#   p  coarse POS uni/bi/trigrams      t   fine tag uni/bigrams
#   e  entity types and entity count   s   syntax: root, its subject, dependency/POS pairs
#   m  meta: numbers, dates, tense, modals, 1st/2nd person, question, length bucket
#   d  dependency arcs: head lemma > relation > dependent (lemma or entity type), and the same with
#      the head's POS instead of its lemma
ALL_GROUPS = ("w", "wb", "wt", "l", "a", "p", "t", "e", "s", "m", "d")

_FIRST_PERSON = frozenset("i me my mine myself we us our ours ourselves".split())
_SECOND_PERSON = frozenset("you your yours yourself yourselves".split())
_TIME_ENTS = frozenset(("DATE", "TIME"))
_QUANT_ENTS = frozenset(("PERCENT", "MONEY", "QUANTITY", "CARDINAL", "ORDINAL"))
_PAST_TAGS = frozenset(("VBD", "VBN"))
_PRESENT_TAGS = frozenset(("VBP", "VBZ"))
_LENGTH_BUCKETS = (4, 8, 12, 18, 25, 35, 50)


def _length_bucket(n: int) -> str:
    for bound in _LENGTH_BUCKETS:
        if n <= bound:
            return f"<={bound}"
    return f">{_LENGTH_BUCKETS[-1]}"


def features(span: Any, groups: Iterable[str] = ALL_GROUPS) -> list[str]:
    """The feature strings of one sentence (a spaCy ``Span`` or ``Doc``), for the given groups.

    Only the existing parse is read (lower form, lemma, POS, tag, dependency, entity type,
    ``like_num``). Whitespace tokens are skipped. Strings may repeat (a repeated word gives a
    repeated feature); the model counts each distinct string once.
    """
    groups = frozenset(groups)
    toks = [t for t in span if not t.is_space]
    if not toks:
        return ["m:empty"]
    out: list[str] = []
    lower = [t.lower_ for t in toks]
    lemma = [t.lemma_.lower() for t in toks]
    pos = [t.pos_ for t in toks]
    tag = [t.tag_ for t in toks]
    ent = [t.ent_type_ for t in toks]
    num = [t.like_num for t in toks]

    if "w" in groups:
        out.extend(["w:" + w for w in lower])
    if "wb" in groups or "wt" in groups:
        seq = ["<s>", *lower, "</s>"]
        if "wb" in groups:
            out.extend([f"wb:{a} {b}" for a, b in zip(seq, seq[1:])])
        if "wt" in groups:
            out.extend([f"wt:{a} {b} {c}" for a, b, c in zip(seq, seq[1:], seq[2:])])
    if "l" in groups:
        out.extend(["l:" + x for x in lemma])
    if "a" in groups:
        # numbers -> NUM, entities -> their type (a run of one type collapsed: "New York City" -> GPE)
        seq = ["<s>"]
        for i in range(len(toks)):
            if ent[i]:
                if not (ent[i] == seq[-1] and (i == 0 or ent[i - 1] == ent[i])):
                    seq.append(ent[i])
            else:
                seq.append("NUM" if num[i] else lemma[i])
        seq.append("</s>")
        out.extend(["a:" + x for x in seq[1:-1]])
        out.extend([f"a2:{a} {b}" for a, b in zip(seq, seq[1:])])
        out.extend([f"a3:{a} {b} {c}" for a, b, c in zip(seq, seq[1:], seq[2:])])
    if "p" in groups:
        seq = ["<s>", *pos, "</s>"]
        out.extend(["p:" + x for x in pos])
        out.extend([f"p2:{a}>{b}" for a, b in zip(seq, seq[1:])])
        out.extend([f"p3:{a}>{b}>{c}" for a, b, c in zip(seq, seq[1:], seq[2:])])
    if "t" in groups:
        seq = ["<s>", *tag, "</s>"]
        out.extend(["t:" + x for x in tag])
        out.extend([f"t2:{a}>{b}" for a, b in zip(seq, seq[1:])])
    if "e" in groups:
        n_ents = 0
        for i, t in enumerate(toks):
            if ent[i] and (i == 0 or t.ent_iob_ == "B"):
                n_ents += 1
                out.append("e:" + ent[i])
        out.append(f"e#:{min(n_ents, 4)}")
    if "s" in groups or "d" in groups:
        dep = [t.dep_ for t in toks]
        heads = [t.head for t in toks]
        head_i = [h.i for h in heads]
    if "s" in groups:
        root = span.root if hasattr(span, "root") else span[:].root  # a Doc has no .root
        root_i, root_lemma = root.i, root.lemma_.lower()
        out.append("s:root:" + root_lemma)
        out.append("s:roottag:" + root.tag_)
        for i in range(len(toks)):
            d = dep[i]
            if d in ("nsubj", "nsubjpass", "expl", "csubj") and head_i[i] == root_i:
                subj = lower[i] if pos[i] == "PRON" else (ent[i] or pos[i])
                out.append("s:subj:" + subj)
                out.append(f"s:subjverb:{subj}>{root_lemma}")
            out.append(f"s:dep:{d}:{pos[i]}")
            if d in ("aux", "auxpass", "neg", "advmod", "ccomp", "xcomp", "dobj", "attr", "acomp"):
                out.append(f"s:dh:{d}:{heads[i].pos_}")
    if "d" in groups:
        for i, t in enumerate(toks):
            if dep[i] == "punct" or head_i[i] == t.i:
                continue
            child = ent[i] or lemma[i]
            out.append(f"d:{heads[i].lemma_.lower()}>{dep[i]}>{child}")
            out.append(f"dp:{heads[i].pos_}>{dep[i]}>{child}")
    if "m" in groups:
        tags = set(tag)
        ents = set(ent)
        if any(num):
            out.append("m:num")
        if ents & _TIME_ENTS:
            out.append("m:time")
        if ents & _QUANT_ENTS:
            out.append("m:quant")
        if tags & _PAST_TAGS:
            out.append("m:past")
        if "MD" in tags:
            out.append("m:modal")
        if tags & _PRESENT_TAGS:
            out.append("m:present")
        if not _FIRST_PERSON.isdisjoint(lower):
            out.append("m:1p")
        if not _SECOND_PERSON.isdisjoint(lower):
            out.append("m:2p")
        if "?" in lower[-2:]:
            out.append("m:question")
        out.append("m:len" + _length_bucket(len(toks)))
    return out


def hash_features(feats: Iterable[str], n_bits: int) -> np.ndarray:
    """Distinct column indices of the distinct feature strings (``zlib.crc32`` modulo ``2**n_bits``).

    Two strings that collide give the index twice: the training script builds its matrix the same
    way, so the weight counts twice there too."""
    mask = (1 << n_bits) - 1
    return np.fromiter((zlib.crc32(f.encode("utf-8")) & mask for f in set(feats)), dtype=np.int64)


def heldout_split(rows: Sequence[dict], fraction: float = 0.2) -> tuple[list[dict], list[dict]]:
    """Deterministic stratified split of ClaimBuster rows into (train, held_out).

    Within each label, rows are ordered by ``crc32("cw-split:<sentence_id>")`` and the first
    ``round(fraction * n_label)`` go to the held-out part. Training rows whose normalised text also
    occurs in the held-out part are dropped (ClaimBuster repeats a few sentences), so no held-out
    sentence is ever seen in training."""
    held: list[dict] = []
    train: list[dict] = []
    for label in sorted({r["label"] for r in rows}):
        group = sorted((r for r in rows if r["label"] == label),
                       key=lambda r: (zlib.crc32(f"cw-split:{r['sentence_id']}".encode()), r["sentence_id"]))
        k = round(fraction * len(group))
        held.extend(group[:k])
        train.extend(group[k:])
    held_texts = {_norm(r["text"]) for r in held}
    train = [r for r in train if _norm(r["text"]) not in held_texts]
    key = lambda r: r["sentence_id"]  # noqa: E731
    return sorted(train, key=key), sorted(held, key=key)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


class CheckworthinessModel:
    """A logistic-regression scorer over hashed :func:`features`, weights held as numpy arrays.

    ``score(span)`` returns ``sigmoid(bias + scale * sum(weights of the sentence's distinct feature
    columns))`` where ``scale`` is ``1/sqrt(number of columns)`` for an ``"l2"`` model and 1
    otherwise. ``threshold`` is the cut-off chosen by cross-validation on the training part
    (maximum F1 of the positive class); ``score >= threshold`` means check-worthy."""

    _cache: dict[Path, CheckworthinessModel] = {}
    _lock = threading.Lock()

    def __init__(self, weights: np.ndarray, bias: float, threshold: float, n_bits: int,
                 groups: Sequence[str], norm: str = "none", meta: dict | None = None):
        self.weights = np.asarray(weights, dtype=np.float32)
        if self.weights.shape != (1 << n_bits,):
            raise ValueError(f"weights must have shape ({1 << n_bits},), got {self.weights.shape}")
        self.bias = float(bias)
        self.threshold = float(threshold)
        self.n_bits = int(n_bits)
        self.groups = tuple(groups)
        if norm not in ("none", "l2"):
            raise ValueError(f"unknown norm {norm!r}")
        self.norm = norm
        self.meta = dict(meta or {})

    @classmethod
    def load(cls, path: str | Path | None = None) -> CheckworthinessModel:
        """The model stored at ``path`` (default: the committed ``weights/checkworthiness.v1.npz``).

        Loaded once per path and process, then cached; thread-safe."""
        p = Path(path).resolve() if path is not None else DEFAULT_WEIGHTS
        with cls._lock:
            model = cls._cache.get(p)
            if model is None:
                model = cls._cache[p] = cls._read(p)
        return model

    @classmethod
    def _read(cls, path: Path) -> CheckworthinessModel:
        with np.load(path, allow_pickle=False) as z:
            version = str(z["features_version"])
            if version != FEATURES_VERSION:
                raise ValueError(f"{path} was trained with {version}, this code computes {FEATURES_VERSION}")
            n_bits = int(z["n_bits"])
            dense = np.zeros(1 << n_bits, dtype=np.float32)
            dense[z["index"].astype(np.int64)] = z["weight"].astype(np.float32)
            meta = {k: z[k].item() if z[k].ndim == 0 else z[k].tolist()
                    for k in z.files if k not in ("index", "weight")}
            return cls(dense, float(z["bias"]), float(z["threshold"]), n_bits,
                       [str(g) for g in z["groups"]], str(z["norm"]), meta)

    def save(self, path: str | Path, **extra: Any) -> None:
        """Write the non-zero weights (float16) with their indices and the settings to ``path``.

        ``extra`` scalars/strings are stored alongside (e.g. held-out scores) for the record."""
        index = np.flatnonzero(self.weights).astype(np.int32)
        np.savez_compressed(
            path, index=index, weight=self.weights[index].astype(np.float16),
            bias=np.float64(self.bias), threshold=np.float64(self.threshold), n_bits=np.int64(self.n_bits),
            groups=np.array(self.groups), norm=np.array(self.norm),
            features_version=np.array(FEATURES_VERSION),
            **{k: np.array(v) for k, v in extra.items()},
        )

    def margin(self, span: Any) -> float:
        """The linear score (log-odds) of one sentence."""
        idx = hash_features(features(span, self.groups), self.n_bits)
        if len(idx) == 0:
            return self.bias
        total = float(self.weights[idx].sum())
        if self.norm == "l2":
            total /= math.sqrt(len(idx))
        return self.bias + total

    def score(self, span: Any) -> float:
        """Check-worthiness of one sentence (spaCy ``Span`` or ``Doc``), in [0, 1]."""
        z = self.margin(span)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def score_many(self, spans: Iterable[Any]) -> list[float]:
        """Check-worthiness of each sentence, in order."""
        return [self.score(s) for s in spans]

    def is_checkworthy(self, span: Any) -> bool:
        """``score(span) >= threshold``."""
        return self.score(span) >= self.threshold


def checkworthiness(span: Any) -> float:
    """Check-worthiness in [0, 1] of a parsed sentence, from the default (committed) model.

    Compare with ``CheckworthinessModel.load().threshold`` for a yes/no decision."""
    return CheckworthinessModel.load().score(span)
