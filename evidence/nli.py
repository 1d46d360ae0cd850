"""The local engine's pair judge: `HybridJudge` (at the end of this file) combines the cue judge
(evidence/judge.py) with `TrainedJudge`, a trained model that gives supports / refutes / neutral with
a calibrated probability, numpy only at inference. The model reads the pair `without_dates` (calendar
dates are the cue judge's) and combines three views of it:

- the cue judge's (evidence/judge.py): did a clause align (on its predicate, or only lexically), same
  or antonym predicate, polarity mismatch, denial, number / date mismatch, hedging, coverage and
  shared words of the alignment, negation counts, its stance (one-hot), cue (one-hot) and score;
  surface overlap (Jaccard of lemmas and words, words only on one side, length ratio, antonym pairs);
- alignment (evidence/align.py): each content word of the claim matched in the evidence; a word left
  over placed in its slot: substituted (the evidence fills the same slot with another word: "is a
  painting" / "is a film"), added (the evidence leaves the slot empty), typed conflicts (another
  year, number, place, name), whether the claim is about one known referent (a name, "the ...") so
  that a differing slot can conflict at all;
- e5 passage vectors u (claim) and v (evidence): cosine, |u - v| and u * v (384 dimensions each).

A multinomial logistic regression over the standardised features, with a temperature fitted on
out-of-fold predictions, gives the probabilities (weights: evidence/weights/nli.v3.npz, produced by
bench/train_judge.py from SICK TRAIN+TRIAL and synthetic mutations of ClaimBuster and SICK sentences;
see evidence/weights/README.md for the data and its licences). `TrainedJudge` keeps a typed conflict
found by the cue judge on aligned clauses over the model (those are precise on news), keeps the cue
judge's kind / cue / rationale where both agree, and where they differ says so, names the differing
slot and the feature group that pushed the model most, and quotes the evidence. `HybridJudge` says
which of the two decided each pair and why.

A second `TrainedJudge`, the generic model (evidence/weights/nli-generic.v1.npz, SICK only), adds
all-MiniLM-L6-v2 sentence vectors (evidence/minilm.py, `sentence_features`); `HybridJudge` gives it
the pairs that name nothing (captions).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from claims.cues import ANTONYMS, NEGATION_WORDS
from ingest.dates import find_dates
from evidence.align import ALIGN_FEATURES, describe
from evidence.align import features as align_features
from evidence.judge import (
    JUDGE_VERSION, Clause, _conflict, _lexical, align, judge_texts, parse_clauses, parse_many, parse_view, same_word,
)
from evidence.models import Judgement

NLI_VERSION = "nli-judge/3"
DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights" / "nli.v3.npz"
# The model for generic pairs (HybridJudge): SICK only, with MiniLM sentence vectors on top.
GENERIC_VERSION = "nli-generic/1"
GENERIC_WEIGHTS = Path(__file__).resolve().parent / "weights" / "nli-generic.v1.npz"
STANCES = ("supports", "refutes", "neutral")
CUES = ("unrelated", "related", "lexical paraphrase", "hedged", "change over time", "antonym", "negated antonym",
        "negation", "denial", "number mismatch", "date mismatch", "paraphrase", "partial overlap")
DIM = 384

# Pairs that cannot both describe the same scene or event (on top of claims.cues.ANTONYMS).
_EXTRA_ANTONYMS = [
    ("man", "woman"), ("men", "women"), ("boy", "girl"), ("male", "female"), ("sit", "stand"),
    ("sitting", "standing"), ("up", "down"), ("in", "out"), ("inside", "outside"), ("indoors", "outdoors"),
    ("on", "off"), ("empty", "full"), ("young", "old"), ("big", "small"), ("large", "small"), ("tall", "short"),
    ("long", "short"), ("fast", "slow"), ("black", "white"), ("day", "night"), ("wet", "dry"), ("hot", "cold"),
    ("happy", "sad"), ("awake", "asleep"), ("push", "pull"), ("enter", "leave"), ("enter", "exit"), ("buy", "sell"),
    ("give", "take"), ("start", "stop"), ("begin", "end"), ("laugh", "cry"), ("light", "dark"), ("before", "after"),
    ("alive", "dead"), ("live", "die"), ("true", "false"), ("always", "never"), ("all", "none"), ("same", "different"),
    ("accept", "refuse"), ("allow", "forbid"), ("ban", "allow"), ("love", "hate"), ("high", "low"), ("rich", "poor"),
    ("strong", "weak"), ("heavy", "light"), ("first", "last"), ("more", "less"), ("more", "fewer"), ("above", "below"),
    ("over", "under"), ("top", "bottom"), ("front", "back"), ("near", "far"), ("early", "late"), ("clean", "dirty"),
    ("quiet", "loud"), ("safe", "dangerous"), ("success", "failure"), ("succeed", "fail"), ("victory", "defeat"),
    ("increase", "decrease"), ("rise", "fall"), ("gain", "loss"), ("win", "lose"), ("open", "close"), ("present", "absent"),
    ("include", "exclude"), ("support", "oppose"), ("agree", "disagree"), ("legal", "illegal"), ("positive", "negative"),
    ("warm", "cool"), ("warming", "cooling"), ("north", "south"), ("east", "west"), ("public", "private"),
]
_NEG_TOKENS = NEGATION_WORDS | {"nobody", "nowhere", "cannot", "refuse", "deny", "fail", "lack", "absent"}
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

HAND_FEATURES = (
    "cosine", "aligned", "lexical aligned", "same predicate", "antonym predicate", "polarity mismatch", "denied",
    "number mismatch", "date mismatch", "hedged claim", "hedged evidence", "coverage", "shared words",
    "lexical coverage", "lexical shared words", "claim negations", "evidence negations", "negation difference",
    "claim negation words", "evidence negation words", "negation word mismatch",
    *(f"cue stance {s}" for s in STANCES), "cue score", *(f"cue {c}" for c in CUES),
    "lemma jaccard", "word jaccard", "claim-only words", "evidence-only words", "claim words covered",
    "length ratio", "log length ratio", "antonym words", "claim numbers not in evidence",
    *ALIGN_FEATURES,
)
FEATURE_NAMES = (*HAND_FEATURES, *(f"|u-v|[{i}]" for i in range(DIM)), *(f"u*v[{i}]" for i in range(DIM)))
# MiniLM vectors m (claim) and n (evidence) of the texts without dates (evidence/minilm.py).
SENTENCE_FEATURES = ("minilm cosine", *(f"m[{i}]" for i in range(DIM)), *(f"n[{i}]" for i in range(DIM)),
                     *(f"|m-n|[{i}]" for i in range(DIM)), *(f"m*n[{i}]" for i in range(DIM)))
GENERIC_FEATURE_NAMES = (*FEATURE_NAMES, *SENTENCE_FEATURES)


def _group(name: str) -> str:
    """Feature group named in rationales: the 768 embedding dimensions count as two signals."""
    if name.startswith("|u-v|"):
        return "embedding difference |u-v|"
    if name.startswith("u*v"):
        return "embedding product u*v"
    if name.startswith(("m[", "n[", "|m-n|", "m*n")):
        return "MiniLM sentence vectors"
    return name


def _antonym_pairs() -> list[tuple[frozenset[str], frozenset[str]]]:
    out = [(frozenset({a}), frozenset({b})) for a, b in _EXTRA_ANTONYMS]
    return out + [(frozenset(a), frozenset(b)) for a, b in ANTONYMS]


_ANTONYM_PAIRS = _antonym_pairs()


def _is_antonym(a: str, b: str) -> bool:
    for left, right in _ANTONYM_PAIRS:
        if (a in left and b in right) or (a in right and b in left):
            return True
    return False


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def _lemmas(clauses: Sequence[Clause]) -> set[str]:
    out: set[str] = set()
    for c in clauses:
        out |= c.words
        out.add(c.predicate.lower())
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _soft_only(a: set[str], b: set[str]) -> set[str]:
    return {w for w in a if not any(same_word(w, x) for x in b)}


def hand_features(claim: str, evidence: str, cue: Judgement | None = None) -> np.ndarray:
    """The non-embedding features of a pair (cosine left at 0; `pair_features` fills it)."""
    cc, ec = parse_clauses(claim), parse_clauses(evidence)
    cue = cue if cue is not None else judge_texts(claim, evidence)
    a = align(cc, ec)
    lex = _lexical(cc, ec) if cc and ec else None
    f = dict.fromkeys(HAND_FEATURES, 0.0)
    if a is not None:
        c, e = a.claim, a.evidence
        f["aligned"] = 1.0
        f["same predicate"] = float(a.predicate == "same")
        f["antonym predicate"] = float(a.predicate == "antonym")
        f["polarity mismatch"] = float(c.negative != e.negative)
        f["denied"] = float(c.denied or e.denied)
        conflict = _conflict(c, e, 0.5, "")
        f["number mismatch"] = float(conflict is not None and conflict.kind == "numeric")
        f["date mismatch"] = float(conflict is not None and conflict.kind == "date")
        f["hedged claim"], f["hedged evidence"] = float(c.hedged), float(e.hedged)
        f["coverage"], f["shared words"] = a.coverage, min(a.shared, 8) / 8
    if lex is not None:
        f["lexical aligned"] = 1.0
        f["lexical coverage"], f["lexical shared words"] = lex.coverage, min(lex.shared, 8) / 8
        if a is None:
            f["polarity mismatch"] = float(lex.claim.negative != lex.evidence.negative)
    f["claim negations"] = min(sum(len(c.negations) for c in cc), 3) / 3
    f["evidence negations"] = min(sum(len(c.negations) for c in ec), 3) / 3
    f["negation difference"] = abs(f["claim negations"] - f["evidence negations"])
    ct, et = _tokens(claim), _tokens(evidence)
    cneg = sum(t in _NEG_TOKENS or t.endswith("n't") for t in ct)
    eneg = sum(t in _NEG_TOKENS or t.endswith("n't") for t in et)
    f["claim negation words"], f["evidence negation words"] = min(cneg, 3) / 3, min(eneg, 3) / 3
    f["negation word mismatch"] = float((cneg % 2) != (eneg % 2))
    f[f"cue stance {cue.stance}"] = 1.0
    f["cue score"] = cue.score
    if cue.cue in CUES:
        f[f"cue {cue.cue}"] = 1.0
    cl, el = _lemmas(cc), _lemmas(ec)
    cw, ew = set(ct), set(et)
    f["lemma jaccard"], f["word jaccard"] = _jaccard(cl, el), _jaccard(cw, ew)
    c_only, e_only = _soft_only(cl, el), _soft_only(el, cl)
    f["claim-only words"], f["evidence-only words"] = min(len(c_only), 8) / 8, min(len(e_only), 8) / 8
    f["claim words covered"] = 1.0 - len(c_only) / len(cl) if cl else 0.0
    f["length ratio"] = min(len(ct), len(et)) / max(len(ct), len(et), 1)
    f["log length ratio"] = float(np.clip(np.log((len(et) + 1) / (len(ct) + 1)), -3, 3)) / 3
    c_diff, e_diff = (c_only | (cw - ew)), (e_only | (ew - cw))
    f["antonym words"] = float(any(_is_antonym(x, y) for x in c_diff for y in e_diff))
    cnums = {t for t in ct if t.isdigit()}
    f["claim numbers not in evidence"] = float(bool(cnums - set(et)))
    f.update(zip(ALIGN_FEATURES, align_features(parse_view(claim), parse_view(evidence))))
    return np.fromiter(f.values(), dtype=np.float32, count=len(HAND_FEATURES))


def pair_features(claim: str, evidence: str, u: np.ndarray, v: np.ndarray, cue: Judgement | None = None) -> np.ndarray:
    """Feature vector of one pair; u and v are the L2-normalised e5 passage vectors of claim and evidence."""
    return features_matrix([hand_features(claim, evidence, cue)], u[None, :], v[None, :])[0]


def features_matrix(hand: Sequence[np.ndarray], U: np.ndarray, V: np.ndarray) -> np.ndarray:
    H = np.vstack(hand).astype(np.float32)
    H[:, 0] = np.einsum("ij,ij->i", U, V)
    return np.hstack([H, np.abs(U - V), U * V]).astype(np.float32)


_DATE_PREP = re.compile(r"\b(?:on|in|at|of)\s*$", re.I)  # the word that introduces a date


def without_dates(text: str) -> str:
    """The text the model reads: calendar dates taken out, with an "on" / "in" / "at" / "of" that
    introduces them. Dates are the cue judge's: it compares them on aligned clauses and knows that
    "on Thursday" in one article and "on 5 March" in another may be the same day, which pooled
    features cannot know (and a placeholder such as "that day" would count as shared words).
    A year stays, as "in 1941": the model compares years as quantities ("born in 1997" / "born
    October 4, 1941")."""
    out = text
    for m in reversed(find_dates(text)):
        start = m.start
        before = _DATE_PREP.search(out[:start])
        if before and not m.prep:
            start = before.start()
        keep = f"in {m.year}" if m.year else ""
        head, tail = out[:start].rstrip(), out[m.end:].lstrip()
        out = " ".join(x for x in (head, keep) if x)
        if tail:
            out += tail if tail[0] in ".,;:!?)" or not out else " " + tail
    out = out.strip()
    return out[:1].upper() + out[1:] if out[:1].islower() and text[:1].isupper() else out


def pairs_features(pairs: Sequence[tuple[str, str]],
                   cues: Sequence[Judgement] | None = None) -> tuple[np.ndarray, list[Judgement]]:
    """Feature matrix of (claim, evidence) pairs and the cue judge's judgements (`cues`, when the
    caller has them already); each text is parsed and embedded once (batched), and remembered for
    later calls. The cue judge reads the texts as written; the rest of the features read them
    `without_dates`."""
    if not pairs:
        return np.zeros((0, len(FEATURE_NAMES)), np.float32), []
    parse_many([t for pair in pairs for t in pair])
    cues = list(cues) if cues is not None else [judge_texts(c, e) for c, e in pairs]
    pairs = [(without_dates(c), without_dates(e)) for c, e in pairs]
    parse_many([t for pair in pairs for t in pair])
    hand = [hand_features(c, e, j) for (c, e), j in zip(pairs, cues)]
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    vecs = _VECTORS.get(texts)
    row = {t: i for i, t in enumerate(texts)}
    U, V = vecs[[row[c] for c, _ in pairs]], vecs[[row[e] for _, e in pairs]]
    return features_matrix(hand, U, V), cues


def _e5_passages():
    from evidence.embed import LocalEmbedder

    return LocalEmbedder().passages


def _minilm():
    from evidence.minilm import Encoder

    return Encoder().encode


class _VectorCache:
    """Vectors of texts seen before: each text encoded once, the missing ones in one batch; the
    encoder is made on first use (`make_encoder()` returns a texts -> n x DIM function)."""

    def __init__(self, make_encoder, limit: int = 50_000):
        self.limit, self.vectors, self._make, self._encode = limit, {}, make_encoder, None

    def get(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            if self._encode is None:
                self._encode = self._make()
            if len(self.vectors) + len(missing) > self.limit:
                self.vectors.clear()
            self.vectors.update(zip(missing, self._encode(missing)))
        return np.vstack([self.vectors[t] for t in texts]) if texts else np.zeros((0, DIM), np.float32)


_VECTORS = _VectorCache(_e5_passages)  # e5 passage vectors
_SENTENCES = _VectorCache(_minilm)  # all-MiniLM-L6-v2 vectors (evidence/minilm.py)


def sentence_features(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """The SENTENCE_FEATURES block of (claim, evidence) pairs: MiniLM vectors of both texts
    `without_dates`, their cosine, |m - n| and m * n."""
    pairs = [(without_dates(c), without_dates(e)) for c, e in pairs]
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    vecs = _SENTENCES.get(texts)
    row = {t: i for i, t in enumerate(texts)}
    M, N = vecs[[row[c] for c, _ in pairs]], vecs[[row[e] for _, e in pairs]]
    cos = np.einsum("ij,ij->i", M, N)[:, None]
    return np.hstack([cos, M, N, np.abs(M - N), M * N]).astype(np.float32)


def _kind(x: dict[str, float], cue: Judgement) -> str | None:
    """The contradiction kind of a model refutation, from the typed signals it rests on; None for a
    plain slot substitution ("is a film" / "is a painting"), which is a refutation of the claim but
    not a typed contradiction between claims."""
    if cue.stance == "refutes":
        return cue.kind
    if x["denied"] and x["polarity mismatch"]:
        return "denial"
    if x["polarity mismatch"] or x["negation word mismatch"] or x["al root negation mismatch"]:
        return "polarity"
    if x["number mismatch"] or x["al value conflict"] or x["al number conflict"]:
        return "numeric"
    if x["date mismatch"] or x["al year conflict"] or x["al time conflict"]:
        return "date"
    if x["antonym predicate"] or x["antonym words"] or x["al root antonym"]:
        return "antonym"
    return None


class TrainedJudge:
    """Logistic regression over `pair_features` (FEATURE_NAMES), or over those and the MiniLM
    `sentence_features` (GENERIC_FEATURE_NAMES: the generic model); same interface as
    evidence.judge.LocalJudge."""

    name = NLI_VERSION
    absolute_dates = True

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, scale: np.ndarray,
                 temperature: float = 1.0, feature_names: Sequence[str] = FEATURE_NAMES, name: str = NLI_VERSION):
        if tuple(feature_names) not in (FEATURE_NAMES, GENERIC_FEATURE_NAMES):
            raise ValueError("weights were trained on other features than this version of evidence/nli.py computes")
        self.feature_names, self.name = tuple(feature_names), name
        self.sentence_vectors = self.feature_names == GENERIC_FEATURE_NAMES
        # The model for named pairs keeps the cue judge's typed refutations (precise on news); the
        # generic model does not: on SICK they cost a point of cross-validated accuracy (0.866 -> 0.856).
        self.keeps_cue_refutations = name != GENERIC_VERSION
        self.coef, self.intercept = coef.astype(np.float32), intercept.astype(np.float32)
        self.mean, self.scale, self.temperature = mean.astype(np.float32), scale.astype(np.float32), float(temperature)

    _loaded: dict[Path, TrainedJudge] = {}

    @classmethod
    def load(cls, path: Path | str = DEFAULT_WEIGHTS) -> TrainedJudge:
        path = Path(path).resolve()
        if path not in cls._loaded:
            with np.load(path, allow_pickle=False) as w:
                version = str(w["version"])
                if version not in (NLI_VERSION, GENERIC_VERSION):
                    raise ValueError(f"{path} holds {version}, this code reads {NLI_VERSION} or {GENERIC_VERSION}")
                cls._loaded[path] = cls(w["coef"].astype(np.float32), w["intercept"], w["mean"], w["scale"],
                                        float(w["temperature"]), [str(n) for n in w["feature_names"]], version)
        return cls._loaded[path]

    def logits(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.scale) @ self.coef.T + self.intercept

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        z = self.logits(X) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def features(self, pairs: Sequence[tuple[str, str]], base: np.ndarray | None = None,
                 cues: Sequence[Judgement] | None = None) -> tuple[np.ndarray, list[Judgement]]:
        """The model's features and the cue judge's judgements; `base` and `cues` are the
        `pairs_features` of the pairs when already computed."""
        if base is None or cues is None:
            base, cues = pairs_features(pairs)
        if self.sentence_vectors and len(pairs):
            base = np.hstack([base, sentence_features(pairs)])
        return base, list(cues)

    def _top_signal(self, x: np.ndarray, k: int, other: int) -> str:
        contrib = (self.coef[k] - self.coef[other]) * (x - self.mean) / self.scale
        groups: dict[str, float] = {}
        for name, c in zip(self.feature_names, contrib):
            g = _group(name)
            groups[g] = groups.get(g, 0.0) + float(c)
        return max(groups, key=groups.get)

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement]:
        """Judge (claim, evidence) pairs: texts parsed and embedded once each, in batches."""
        return self.judge_detailed(pairs)[0]

    def judge_detailed(self, pairs: list[tuple[str, str]]) -> tuple[list[Judgement], np.ndarray]:
        """The judgements and the model's probabilities (n x 3, columns in STANCES order)."""
        _, P, _, judged = self.assess(pairs)
        return judged, P

    def assess(self, pairs: Sequence[tuple[str, str]], base: np.ndarray | None = None,
               cues: Sequence[Judgement] | None = None) -> tuple[np.ndarray, np.ndarray, list[Judgement], list[Judgement]]:
        """Features, probabilities, the cue judge's judgements and the model's judgements of the pairs
        (`base`, `cues`: their `pairs_features`, when already computed)."""
        pairs = list(pairs)
        if not pairs:
            return np.zeros((0, len(self.feature_names)), np.float32), np.zeros((0, len(STANCES)), np.float32), [], []
        X, cues = self.features(pairs, base, cues)
        P = self.predict_proba(X)
        return X, P, cues, self.decide(pairs, X, P, cues)

    def decide(self, pairs: Sequence[tuple[str, str]], X: np.ndarray, P: np.ndarray,
               cues: Sequence[Judgement]) -> list[Judgement]:
        out = []
        for (claim, evidence), x, p, cue in zip(pairs, X, P, cues):
            k = int(p.argmax())
            stance, prob = STANCES[k], round(float(p[k]), 3)
            if self.keeps_cue_refutations and cue.stance == "refutes" and stance != "refutes":
                # A typed conflict the cue judge found on aligned clauses (opposite polarity, antonym,
                # another number or date, a denial) is not overruled by pooled-vector evidence.
                out.append(cue.model_copy(update={
                    "rationale": f"{cue.rationale} (kept over the model's {stance}, p={prob:.2f})"}))
                continue
            if stance == cue.stance:
                out.append(Judgement(stance=stance, score=prob, kind=cue.kind if stance == "refutes" else None,
                                     cue=cue.cue, rationale=f"{cue.rationale} (model p={prob:.2f})",
                                     evidence_span=cue.evidence_span))
                continue
            named = dict(zip(HAND_FEATURES, map(float, x[: len(HAND_FEATURES)])))
            signal = self._top_signal(x, k, STANCES.index(cue.stance))
            kind = _kind(named, cue) if stance == "refutes" else None
            slot = describe(parse_view(claim), parse_view(evidence)) if stance == "refutes" else None
            quote = evidence if len(evidence) <= 200 else evidence[:197] + "..."
            out.append(Judgement(
                stance=stance, score=prob, kind=kind, cue=f"model: {'slot substitution' if slot and not kind else signal}",
                rationale=(f"the trained model says {stance} (p={prob:.2f}) where the cue judge said {cue.stance} "
                           f"('{cue.cue}'); {slot + '; ' if slot else ''}top contributing signal: {signal}; "
                           f'evidence: "{quote}"')))
        return out


HYBRID_VERSION = f"hybrid-judge/2 ({JUDGE_VERSION} + {NLI_VERSION} + {GENERIC_VERSION})"
# Slots whose substitution changes what is claimed ("is a film" / "is a painting", "associated with
# death metal" / "with dancehall"), unlike a modifier ("key rate" / "benchmark rate").
_ARGUMENT_SUBSTITUTIONS = ("al substitution in copula", "al substitution of object", "al substitution of prep object",
                           "al substitution of subject")
_DECIDED_NEUTRAL = ("change over time", "hedged", "unrelated")
_PERSONAL = frozenset("i me my we us our you your".split())


def names_something(text: str) -> bool:
    """Is the text about particular things or people: a proper noun written with a capital letter, a
    figure written in digits ("12,000 soldiers", "6 percent", "1998"), or someone speaking ("we have
    not seen...")? News and encyclopedic sentences are; generic scene descriptions are not ("two men
    are playing guitars": SICK's captions count in words, and 0 of its 9,840 pairs has a digit). The
    capital letter: in SICK TRAIN+TRIAL, 125 of 5,034 sentences have a token that spaCy tags PROPN,
    nearly all lower-case words ("blue", "tan", "hill", "jersey")."""
    return any((t.pos == "PROPN" and t.title and (t.i > 0 or bool(t.ent))) or t.lower in _PERSONAL or any(ch.isdigit() for ch in t.lower)
               for t in parse_view(text).toks)


class HybridJudge:
    """The local engine's judge: the cue judge and the trained model, each where it is strong.

    - A pair in which either side names something (`names_something`: news, encyclopedic text): the
      cue judge decides when it takes a stance (typed conflicts, paraphrase on an aligned predicate)
      or finds a change over time, a hedge, or no related clause at all (neutral). Its paraphrase
      gives way to the model only when the model says refutes and the alignment found a substituted
      argument (subject, object, attribute), which the cue judge does not see. Otherwise (related
      but not aligned) the model decides.
    - A generic pair (captions: "a man is playing a guitar"): the generic model decides alone (trained
      on SICK alone, with MiniLM sentence vectors on top of the same features).

    Why: the model is trained on SICK and FEVER-style mutations, not on news; on news pairs it
    misreads decontextualised paraphrases ("increased the key interest rate" / "lifted its
    benchmark rate") that the cue judge aligns. The cue judge cannot see a one-slot substitution in
    an otherwise matching sentence, which the model's alignment features can. And SICK and the
    FEVER-style mutations pull one model apart (SICK calls a one-word swap between captions neutral,
    FEVER a refutation): generic pairs get a model of their own."""

    name = HYBRID_VERSION
    absolute_dates = True

    def __init__(self, model: TrainedJudge | None = None, generic: TrainedJudge | None = None):
        from evidence.minilm import model_dir

        model_dir()  # fail now, with the install command, if MiniLM's weights are missing
        self.model = model or TrainedJudge.load()
        self.generic = generic or TrainedJudge.load(GENERIC_WEIGHTS)

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement]:
        """Judge (claim, evidence) pairs. The models run only where they can change the answer: a
        named pair that the cue judge refutes or finds unrelated, hedged or changed over time (most
        retrieved passages) is decided without them."""
        return self._judge(pairs, probabilities=False)[0]

    def judge_detailed(self, pairs: list[tuple[str, str]]) -> tuple[list[Judgement], np.ndarray]:
        """The judgements (the same stances as `judge`) and the probabilities of the model that
        judged each pair, or of the named-pair model where the cue judge decided (n x 3, columns in
        STANCES order)."""
        return self._judge(pairs, probabilities=True)

    def _judge(self, pairs: list[tuple[str, str]], probabilities: bool) -> tuple[list[Judgement], np.ndarray]:
        pairs = list(pairs)
        parse_many([t for pair in pairs for t in pair])
        cues = [judge_texts(c, e) for c, e in pairs]
        generic = {i for i, (c, e) in enumerate(pairs) if not (names_something(c) or names_something(e))}
        decided = {i for i, cue in enumerate(cues)
                   if i not in generic and (cue.stance == "refutes" or cue.cue in _DECIDED_NEUTRAL)}
        rows = [i for i in range(len(pairs)) if probabilities or i not in decided]
        P = np.full((len(pairs), len(STANCES)), np.nan, np.float32)
        X = np.zeros((len(pairs), len(FEATURE_NAMES)), np.float32)
        modelled: dict[int, Judgement] = {}
        if rows:
            chosen, chosen_cues = [pairs[i] for i in rows], [cues[i] for i in rows]
            Xr, P[rows], _, judged = self.model.assess(chosen, *pairs_features(chosen, chosen_cues))
            X[rows] = Xr
            modelled.update(zip(rows, judged))
        if generic:
            g = sorted(generic)
            _, P[g], _, judged = self.generic.assess([pairs[i] for i in g], X[g], [cues[i] for i in g])
            modelled.update(zip(g, judged))
        arguments = [HAND_FEATURES.index(n) for n in _ARGUMENT_SUBSTITUTIONS]
        out = []
        for i, cue in enumerate(cues):
            m = modelled.get(i)
            if i in generic:
                out.append(m)
            elif cue.stance == "supports" and m.stance == "refutes" and X[i, arguments].max() > 0:
                out.append(m)
            elif cue.stance != "neutral" or cue.cue in _DECIDED_NEUTRAL:
                k = STANCES.index(cue.stance)
                given = f"; the model gives {cue.stance} p={float(P[i, k]):.2f}" if m is not None else ""
                out.append(cue.model_copy(update={"rationale": f"{cue.rationale} (cue judge{given})"}))
            else:
                out.append(m)
        return out, P
