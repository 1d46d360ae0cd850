"""Development benchmarks of the pair judge on public NLI / fact-checking data (read from
../shared/datasets at run time) and of the whole pipeline on the sample corpus.

NLI convention: the premise is the evidence, the hypothesis is the claim. The judge's `supports`
is `entailment`, `refutes` is `contradiction`, `neutral` is `neutral`."""
from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evidence.models import Judgement

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
NLI_LABEL = {"supports": "entailment", "refutes": "contradiction", "neutral": "neutral"}
FEVER_LABEL = {"SUPPORTS": "entailment", "REFUTES": "contradiction", "NOT_ENOUGH_INFO": "neutral"}


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


def load_sick(split: str = "TEST", root: Path = DATASETS) -> list[Pair]:
    with open(root / "sick.tsv", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["SemEval_set"] == split]
    return [Pair(r["pair_ID"], r["sentence_A"], r["sentence_B"], r["entailment_label"].lower()) for r in rows]


def load_fever_symmetric(root: Path = DATASETS) -> list[Pair]:
    rows = [json.loads(line) for line in (root / "fever_symmetric_dev.jsonl").read_text().splitlines() if line]
    return [Pair(str(r["id"]), r["evidence"], r["claim"], FEVER_LABEL[r["label"]]) for r in rows]


def load_climate_fever(root: Path = DATASETS) -> tuple[list[Pair], dict[str, str]]:
    pairs, claim_labels = [], {}
    for line in (root / "climate_fever.jsonl").read_text().splitlines():
        row = json.loads(line)
        claim_labels[row["claim_id"]] = row["claim_label"]
        for ev in row["evidences"]:
            pairs.append(Pair(f"{row['claim_id']}/{ev['evidence_id']}", ev["evidence"], row["claim"],
                              FEVER_LABEL[ev["evidence_label"]], group=row["claim_id"]))
    return pairs, claim_labels


def predict(judge, pairs: Sequence[Pair]) -> list[Judgement]:
    return judge.judge([(p.hypothesis, p.premise) for p in pairs])


def two_way(judge, pairs: Sequence[Pair]) -> tuple[list[str], list[Judgement]]:
    """SUPPORTS vs REFUTES for a task without a neutral class (FEVER-Symmetric: every evidence
    sentence is about its claim). Rule: the judge's stance when it takes one; when it answers
    neutral, the side with more evidence: the trained judge's probability of refutes against that
    of supports (refutes only if strictly larger); a judge without probabilities (the cue judge)
    falls back to supports."""
    detailed = getattr(judge, "judge_detailed", None)
    if detailed is None:
        judged = predict(judge, pairs)
        return [NLI_LABEL[j.stance] if j.stance != "neutral" else "entailment" for j in judged], judged
    judged, P = detailed([(p.hypothesis, p.premise) for p in pairs])
    labels = []
    for j, prob in zip(judged, P):
        if j.stance != "neutral":
            labels.append(NLI_LABEL[j.stance])
        else:  # columns: supports, refutes, neutral
            labels.append("contradiction" if prob[1] > prob[0] else "entailment")
    return labels, judged


def score(name: str, gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Scores:
    confusion = Counter(zip(gold, predicted))
    f1 = {}
    for label in labels:
        tp = confusion[(label, label)]
        fp = sum(confusion[(g, label)] for g in labels if g != label)
        fn = sum(confusion[(label, p)] for p in labels if p != label)
        f1[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold) if gold else 0.0
    return Scores(name, len(gold), accuracy, sum(f1.values()) / len(f1), f1, dict(confusion))


def claim_verdicts(pairs: Sequence[Pair], labels: Sequence[str]) -> dict[str, str]:
    """Climate-FEVER claim label from its sentences' labels: support only, refute only, both, neither."""
    by_claim: dict[str, set[str]] = {}
    for p, label in zip(pairs, labels):
        by_claim.setdefault(p.group, set()).add(label)
    out = {}
    for claim, seen in by_claim.items():
        s, r = "entailment" in seen, "contradiction" in seen
        out[claim] = "DISPUTED" if s and r else "SUPPORTS" if s else "REFUTES" if r else "NOT_ENOUGH_INFO"
    return out


def run_judge_benchmarks(judge, root: Path = DATASETS) -> list[Scores]:
    three = ("entailment", "contradiction", "neutral")
    results = []
    sick = load_sick("TEST", root)
    results.append(score("SICK test (3-way)", [p.gold for p in sick],
                         [NLI_LABEL[j.stance] for j in predict(judge, sick)], three))
    fever = load_fever_symmetric(root)
    forced, judged = two_way(judge, fever)  # the rule is in two_way's docstring
    s = score("FEVER-Symmetric dev (2-way)", [p.gold for p in fever], forced, ("entailment", "contradiction"))
    s.extra["share answered neutral"] = sum(j.stance == "neutral" for j in judged) / len(judged)
    results.append(s)
    climate, claim_labels = load_climate_fever(root)
    labels = [NLI_LABEL[j.stance] for j in predict(judge, climate)]
    s = score("Climate-FEVER sentences (3-way)", [p.gold for p in climate], labels, three)
    verdicts = claim_verdicts(climate, labels)
    s.extra["claim-level verdict accuracy"] = sum(verdicts[c] == claim_labels[c] for c in verdicts) / len(verdicts)
    results.append(s)
    return results


def format_table(results: Sequence[Scores]) -> str:
    lines = [f"{'benchmark':34} {'n':>6} {'accuracy':>9} {'macro-F1':>9} {'F1 contradiction':>17}  other"]
    for r in results:
        extra = ", ".join(f"{k} {v:.3f}" for k, v in r.extra.items())
        lines.append(f"{r.name:34} {r.n:6d} {r.accuracy:9.3f} {r.macro_f1:9.3f} "
                     f"{r.f1.get('contradiction', 0.0):17.3f}  {extra}")
    for r in results:
        labels = sorted({g for g, _ in r.confusion} | {p for _, p in r.confusion})
        lines.append(f"\n{r.name}: confusion (rows gold, columns predicted)")
        lines.append(" " * 15 + "".join(f"{lab[:13]:>15}" for lab in labels))
        for g in labels:
            lines.append(f"{g[:14]:15}" + "".join(f"{r.confusion.get((g, p), 0):15d}" for p in labels))
    return "\n".join(lines)
