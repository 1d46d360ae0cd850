"""The local engine's pair judge: the cross-encoder decides, the cue analysis types and explains.

For each (claim, evidence) pair the NLI cross-encoder (evidence/cross_encoder.py; the evidence is the
premise, the claim the hypothesis) gives calibrated probabilities of supports / neutral / refutes,
and its most likely stance is the answer, except where the cue judge (evidence/judge.py) reads
something a small NLI model cannot, rule by rule measured on the development sets (bench/judge_rules.py):

- figures: the same thing counted with numbers that cannot both hold ("three workers were killed" /
  "five workers died"; "about 12,000" / "8,000") refutes, and so do two dates for one event;
- polarity: the same event with the same arguments and opposite polarity, a denial, or an antonym
  predicate refutes ("has begun to withdraw its troops" / "we have not seen any withdrawal of Russian
  forces", which the model reads as neutral: not seeing is not denying). The same act by other named
  parties is left to the accounts of one event (verdicts/accounts.py), which also compare place,
  target and time: overruling the model with it alone paired unrelated acts of one war;
- time: opposite states at different times ("closed since January" / "reopened on Thursday") are a
  change over time, not a conflict: neutral;
- part of the claim: evidence that gives the date and every figure of a dated claim and that the claim
  entails (the model, read the other way round) supports it, where the model alone says neutral
  because the claim adds a detail ("The port reopened on Thursday" for "The port reopened to ships on
  Thursday morning"). What the evidence does not say is named in the rationale.

Every refutation is then typed from the text (`evidence.judge.refutation_kind`: polarity, denial,
antonym, numeric, date), which is what makes it a contradiction between claims; a refutation that
is none of these (another cause, place or person; cue "model") is stored, but decides no verdict
(verdicts/verdicts.py: on news it is most often another fact about the same event).
The rationale says which of the two decided, with the model's probability, and quotes the evidence
clause the judgement rests on where the cue analysis aligned one.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from claims.lexicon import find_numbers
from evidence.cross_encoder import CLASSES, CrossEncoder
from evidence.judge import JUDGE_VERSION, judge_texts, parse_many, refutation_kind
from evidence.models import Judgement
from ingest.dates import find_dates

STANCES = ("supports", "refutes", "neutral")
_FIGURE = re.compile(r"\d")
# How often a refutation the cue analysis decided against the model was right on the development sets
# (FEVER-Symmetric, Climate-FEVER, SICK and the validation slices; bench/judge_rules.py): the score
# such a refutation gets. Measured with cross-encoder v1 (165 pairs); with v2 the same bench gives 0.556
# over 288 overrulings, all rules together, not yet re-set here.
CUE_PRECISION = 0.58


_DECIDING_CODE = ("evidence/model_judge.py", "evidence/judge.py", "evidence/clauses.py", "evidence/cross_encoder.py",
                  "evidence/minilm.py", "claims/lexicon.py", "claims/nlp.py", "ingest/dates.py")


def code_digest() -> str:
    """A short hash of the source files whose rules decide a judgement."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for name in _DECIDING_CODE:
        h.update((root / name).read_bytes())
    return h.hexdigest()[:12]


def _has_figure(text: str) -> bool:
    return bool(_FIGURE.search(text)) or bool(find_numbers(text)) or bool(find_dates(text))


def _date_fields(d) -> dict[str, int | str]:
    return {k: v for k, v in (("year", d.year), ("month", d.month), ("day", d.day), ("weekday", d.weekday),
                              ("relative", d.relative)) if v is not None}


def states_every_figure(claim: str, evidence: str) -> bool:
    """The claim has a figure or a date, and the evidence gives each of them: the same number, and a
    date that agrees on every field the claim's date has ("March 3" is in "3 March 2026")."""
    c_dates, e_dates = find_dates(claim), find_dates(evidence)
    c_nums = {n.value for n in find_numbers(claim, skip=[(d.start, d.end) for d in c_dates])}
    e_nums = {n.value for n in find_numbers(evidence, skip=[(d.start, d.end) for d in e_dates])}
    if not (c_nums or c_dates) or not c_nums <= e_nums:
        return False
    e_fields = [_date_fields(d) for d in e_dates]
    return all(any(all(e.get(k) == v for k, v in _date_fields(d).items()) for e in e_fields) for d in c_dates)


def _missing(claim: str, evidence: str) -> list[str]:
    """The stretches of the claim the evidence does not have, for the rationale ("into the river Osk")."""
    have = {w.lower() for w in re.findall(r"\w+", evidence)}
    words = re.findall(r"\w+", claim)
    runs, run, gap = [], [], []
    for w in words:
        if w.lower() not in have:
            run += gap + [w]
            gap = []
        elif run and w.lower() in _JOINERS:
            gap.append(w)
        elif run:
            runs.append(" ".join(run))
            run, gap = [], []
    if run:
        runs.append(" ".join(run))
    return runs


_JOINERS = {"the", "a", "an", "of", "to", "in", "on", "at", "and"}


def _quote(text: str) -> str:
    return f'"{text}"' if len(text) <= 200 else f'"{text[:197]}..."'


class ModelJudge:
    """Judges (claim, evidence) pairs; same interface as the other judges (`judge`, `name`)."""

    absolute_dates = True  # reads passages with relative dates resolved (claimflow.pipeline.judged_texts)

    def __init__(self, model: CrossEncoder | None = None, *, figures: bool = True, time: bool = True,
                 polarity: bool = True, partial: bool = True):
        self.model = model or CrossEncoder.load()
        self.figures, self.time, self.polarity, self.partial = figures, time, polarity, partial
        self.name = f"model-judge/1 ({self.model.version} + {JUDGE_VERSION})"
        # What stored judgements are keyed on (claimflow/memo.py): the name and the source of the code
        # that decides, so that an edited rule is never answered from an older run's judgements.
        self.memo_version = f"{self.name}#{code_digest()}"

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """The model's calibrated probabilities, n x 3 in STANCES order (supports, refutes, neutral)."""
        P = self.model.probabilities([(evidence, claim) for claim, evidence in pairs])
        return P[:, [CLASSES.index(c) for c in ("entailment", "contradiction", "neutral")]]

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement]:
        return self.judge_detailed(pairs)[0]

    def judge_detailed(self, pairs: list[tuple[str, str]]) -> tuple[list[Judgement], np.ndarray]:
        """The judgements and the model's probabilities (n x 3, STANCES order)."""
        pairs = list(pairs)
        if not pairs:
            return [], np.zeros((0, 3), np.float32)
        P = self.probabilities(pairs)
        best = P.argmax(1)
        # The cue analysis runs only where it can change or type the answer: a stance taken, or
        # figures or dates on both sides.
        need = [i for i, (c, e) in enumerate(pairs)
                if best[i] != 2 or self.polarity or (self.figures and _has_figure(c) and _has_figure(e))]
        parse_many([t for i in need for t in pairs[i]])
        # The other way round, only where the model says neutral and the evidence has the claim's date
        # and every figure: does the claim entail the evidence? (With figures alone, SICK's "two dogs"
        # made it fire on captions, right 4 times in 25 on the development sets: bench/judge_rules.py.)
        reverse = {}
        if self.partial:
            ask = [i for i, (c, e) in enumerate(pairs)
                   if best[i] == 2 and find_dates(c) and states_every_figure(c, e)]
            if ask:
                R = self.model.probabilities([pairs[i] for i in ask])[:, CLASSES.index("entailment")]
                reverse = {i: float(r) for i, r in zip(ask, R) if r > 0.5}
        out = []
        need_set = set(need)
        for i, (claim, evidence) in enumerate(pairs):
            p, k = P[i], int(best[i])
            stance, prob = STANCES[k], float(p[k])
            cue = judge_texts(claim, evidence) if i in need_set else None
            said = f"the model gives {stance} p={prob:.2f}"
            if cue is not None and self.time and cue.cue == "change over time" and stance != "neutral":
                out.append(cue.model_copy(update={"score": round(float(p[2]), 3),
                                                  "rationale": f"{cue.rationale} (cue analysis decided; {said})"}))
            elif cue is not None and cue.stance == "refutes" and stance != "refutes" and (
                    (self.figures and cue.kind in ("numeric", "date"))
                    or (self.polarity and cue.kind in ("polarity", "denial", "antonym"))):
                out.append(cue.model_copy(update={"score": CUE_PRECISION,
                                                  "rationale": f"{cue.rationale} (cue analysis decided; {said})"}))
            elif i in reverse:
                left = ", ".join(f"'{w}'" for w in _missing(claim, evidence)[:3]) or "a detail"
                out.append(Judgement(stance="supports", score=round(reverse[i], 3), cue="part of the claim",
                                     rationale=f"the evidence states the claim with all its figures and dates, "
                                               f"without {left} (the claim entails the evidence, p={reverse[i]:.2f}; "
                                               f"{said}): {_quote(evidence)}", evidence_span=evidence))
            elif stance == "refutes":
                typed = refutation_kind(claim, evidence, cue)
                if typed is not None:
                    out.append(Judgement(stance="refutes", score=round(prob, 3), kind=typed.kind, cue=typed.cue,
                                         rationale=f"the model says refutes (p={prob:.2f}); {typed.rationale}",
                                         evidence_span=typed.evidence_span))
                else:
                    out.append(Judgement(stance="refutes", score=round(prob, 3), cue="model",
                                         rationale=f"the model says refutes (p={prob:.2f}); no typed conflict "
                                                   f"(polarity, figure, date, antonym) found: {_quote(evidence)}"))
            elif stance == "supports":
                span = cue.evidence_span if cue is not None and cue.stance == "supports" else None
                how = f"; the cue analysis agrees ('{cue.cue}')" if cue is not None and cue.stance == "supports" else ""
                out.append(Judgement(stance="supports", score=round(prob, 3), cue="paraphrase" if how else "model",
                                     rationale=f"the model says supports (p={prob:.2f}){how}: {_quote(span or evidence)}",
                                     evidence_span=span))
            else:
                out.append(Judgement(stance="neutral", score=round(prob, 3), cue="model",
                                     rationale=f"the model says neutral (p={prob:.2f}): the evidence neither "
                                               f"backs nor contradicts the claim"))
        return out, P
