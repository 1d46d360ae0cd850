"""Development benchmarks of the pair judge on public NLI / fact-checking data (read from
../shared/datasets at run time) and of the whole pipeline on the sample corpus.

NLI convention: the premise is the evidence, the hypothesis is the claim. The judge's `supports`
is `entailment`, `refutes` is `contradiction`, `neutral` is `neutral`. Every set is scored on the
label the judge writes: on FEVER-Symmetric, whose pairs are all supports or refutes, a `neutral`
answer is wrong.

The validation slices of the cross-encoder's training files (VitaminC, MultiNLI, SNLI) are the pairs
`held_out` puts aside: one group in twenty (a Wikipedia page, a premise), never trained on."""
from __future__ import annotations

import csv
import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evidence.models import Judgement

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
NLI_LABEL = {"supports": "entailment", "refutes": "contradiction", "neutral": "neutral"}
FEVER_LABEL = {"SUPPORTS": "entailment", "REFUTES": "contradiction", "NOT_ENOUGH_INFO": "neutral",
               "NOT ENOUGH INFO": "neutral"}
THREE = ("entailment", "neutral", "contradiction")


@dataclass
class Pair:
    id: str
    premise: str
    hypothesis: str
    gold: str  # entailment / contradiction / neutral
    group: str = ""  # e.g. the claim a Climate-FEVER sentence belongs to


@dataclass
class Scores:
    name: str
    n: int
    accuracy: float
    macro_f1: float
    f1: dict[str, float]
    confusion: dict[tuple[str, str], int]
    extra: dict[str, float] = field(default_factory=dict)


def held_out(source: str, group: str, folds: int = 20) -> bool:
    """One group in `folds` of a training file is validation (stable across runs and machines);
    bench/train_cross_encoder.py never trains on these."""
    return int(hashlib.sha1(f"{source}\t{group}".encode()).hexdigest(), 16) % folds == 0


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_sick(split: str = "TEST", root: Path = DATASETS) -> list[Pair]:
    with open(root / "sick.tsv", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["SemEval_set"] == split]
    return [Pair(r["pair_ID"], r["sentence_A"], r["sentence_B"], r["entailment_label"].lower()) for r in rows]


def load_fever_symmetric(root: Path = DATASETS) -> list[Pair]:
    return [Pair(str(r["id"]), r["evidence"], r["claim"], FEVER_LABEL[r["label"]])
            for r in _jsonl(root / "fever_symmetric_dev.jsonl")]


def load_climate_fever(root: Path = DATASETS) -> tuple[list[Pair], dict[str, str]]:
    pairs, claim_labels = [], {}
    for row in _jsonl(root / "climate_fever.jsonl"):
        claim_labels[row["claim_id"]] = row["claim_label"]
        for ev in row["evidences"]:
            pairs.append(Pair(f"{row['claim_id']}/{ev['evidence_id']}", ev["evidence"], row["claim"],
                              FEVER_LABEL[ev["evidence_label"]], group=row["claim_id"]))
    return pairs, claim_labels


TRAINING_FILES = {"vitaminc_real": "vitaminc_real.jsonl", "vitaminc_synthetic": "vitaminc_synthetic.jsonl",
                  "mnli": "mnli_dev_matched.jsonl", "snli": "snli_dev.jsonl"}


def load_training_file(source: str, root: Path = DATASETS) -> list[Pair]:
    """Every labelled pair of one of the cross-encoder's training files, with its group (a VitaminC
    page, an NLI premise): vitaminc_real, vitaminc_synthetic, mnli or snli."""
    out = []
    for i, r in enumerate(_jsonl(root / TRAINING_FILES[source])):
        if "evidence" in r:
            premise, hypothesis, gold, group = r["evidence"], r["claim"], FEVER_LABEL.get(r["label"]), r["page"]
        else:
            premise, hypothesis, gold, group = r["premise"], r["hypothesis"], r["label"], r["premise"]
        if gold in THREE and premise.strip() and hypothesis.strip():
            out.append(Pair(f"{source}:{i}", premise, hypothesis, gold, group))
    return out


def load_validation(source: str, root: Path = DATASETS) -> list[Pair]:
    """The held-out slice of a training file (`held_out`)."""
    return [p for p in load_training_file(source, root) if held_out(source, p.group)]


def judge_pairs(judge, pairs: Sequence[Pair]) -> tuple[list[Judgement], float]:
    """The judgements of the pairs (claim = hypothesis, evidence = premise) and the pairs per second."""
    started = time.perf_counter()
    judged = judge.judge([(p.hypothesis, p.premise) for p in pairs])
    return judged, len(pairs) / max(time.perf_counter() - started, 1e-9)


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE over equal-width confidence bins: the gap between how sure the judge is of its label (the
    score it writes) and how often that label is right, weighted by the share of pairs in each bin."""
    conf, ok = np.asarray(confidence, float), np.asarray(correct, float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= lo) & (conf <= hi)
        if inside.any():
            total += inside.mean() * abs(conf[inside].mean() - ok[inside].mean())
    return float(total)


def score(name: str, gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Scores:
    confusion = Counter(zip(gold, predicted))
    f1 = {}
    for label in labels:
        tp = confusion[(label, label)]
        fp = sum(n for (g, p), n in confusion.items() if p == label and g != label)
        fn = sum(n for (g, p), n in confusion.items() if g == label and p != label)
        f1[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold) if gold else 0.0
    return Scores(name, len(gold), accuracy, sum(f1.values()) / len(f1), f1, dict(confusion))


def claim_verdicts(pairs: Sequence[Pair], judged: Sequence[Judgement], threshold: float | None = None) -> dict[str, str]:
    """Climate-FEVER claim labels from the judgements of each claim's sentences, by the pipeline's own
    rule (verdicts.verdicts: each sentence an independent source, noisy-OR of the scores, THRESHOLD)."""
    from verdicts.verdicts import THRESHOLD, combine, label

    by_claim: dict[str, dict[str, list[float]]] = {}
    for p, j in zip(pairs, judged):
        sides = by_claim.setdefault(p.group, {"supports": [], "refutes": []})
        if j.stance != "neutral":
            sides[j.stance].append(j.score)
    names = {"supported": "SUPPORTS", "refuted": "REFUTES", "disputed": "DISPUTED", "unverified": "NOT_ENOUGH_INFO"}
    t = THRESHOLD if threshold is None else threshold
    return {c: names[label(combine(v["supports"]), combine(v["refutes"]), t)] for c, v in by_claim.items()}


def _scored(name: str, pairs: Sequence[Pair], judge, labels: Sequence[str] = THREE
            ) -> tuple[Scores, list[str], list[Judgement]]:
    judged, rate = judge_pairs(judge, pairs)
    predicted = [NLI_LABEL[j.stance] for j in judged]
    s = score(name, [p.gold for p in pairs], predicted, labels)
    s.extra["ECE"] = expected_calibration_error([j.score for j in judged],
                                                [g == p.gold for g, p in zip(predicted, pairs)])
    s.extra["pairs/s"] = rate
    return s, predicted, judged


def run_judge_benchmarks(judge, root: Path = DATASETS, validation: bool = True) -> list[Scores]:
    """Every development set: FEVER-Symmetric dev, Climate-FEVER sentences, SICK test, and (with
    `validation`) the held-out slices of the training files."""
    results = []
    fever = load_fever_symmetric(root)
    s, predicted, _ = _scored("FEVER-Symmetric dev", fever, judge)
    s.extra["share answered neutral"] = predicted.count("neutral") / len(predicted)
    results.append(s)
    climate, claim_labels = load_climate_fever(root)
    s, predicted, judged = _scored("Climate-FEVER sentences", climate, judge)
    verdicts = claim_verdicts(climate, judged)
    s.extra["claim-level verdict accuracy"] = sum(verdicts[c] == claim_labels[c] for c in verdicts) / len(verdicts)
    results.append(s)
    results.append(_scored("SICK test (never trained on)", load_sick("TEST", root), judge)[0])
    if validation:
        for source, name in (("vitaminc_real", "VitaminC real, validation"),
                             ("vitaminc_synthetic", "VitaminC synthetic, validation"),
                             ("mnli", "MultiNLI dev, validation slice"), ("snli", "SNLI dev, validation slice")):
            results.append(_scored(name, load_validation(source, root), judge)[0])
    return results


def format_table(results: Sequence[Scores]) -> str:
    lines = [f"{'benchmark':34} {'n':>6} {'accuracy':>9} {'macro-F1':>9} {'F1 contra':>10} {'ECE':>6} {'pairs/s':>8}  other"]
    for r in results:
        extra = ", ".join(f"{k} {v:.3f}" for k, v in r.extra.items() if k not in ("ECE", "pairs/s"))
        lines.append(f"{r.name:34} {r.n:6d} {r.accuracy:9.3f} {r.macro_f1:9.3f} {r.f1.get('contradiction', 0.0):10.3f} "
                     f"{r.extra.get('ECE', float('nan')):6.3f} {r.extra.get('pairs/s', 0.0):8.0f}  {extra}")
    for r in results:
        labels = [lab for lab in THREE if any(lab in k for k in r.confusion)]
        lines.append(f"\n{r.name}: confusion (rows gold, columns predicted)")
        lines.append(" " * 15 + "".join(f"{lab[:13]:>15}" for lab in labels))
        for g in labels:
            lines.append(f"{g[:14]:15}" + "".join(f"{r.confusion.get((g, p), 0):15d}" for p in labels))
    return "\n".join(lines)
