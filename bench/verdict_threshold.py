"""Derive the verdict threshold (verdicts/verdicts.py THRESHOLD) from the judge's calibrated scores.

    .venv/bin/python bench/verdict_threshold.py [--judge local|model]

Judges every Climate-FEVER claim against its five evidence sentences, turns the judgements into a
claim verdict by the pipeline's rule (each sentence an independent source, noisy-OR, threshold) for
thresholds from 0.30 to 0.95, and prints the claim-level accuracy and macro-F1 of each against the
annotators' claim labels (SUPPORTS / REFUTES / DISPUTED / NOT_ENOUGH_INFO). Climate-FEVER is a
development set: a threshold chosen here is not a blind number on it."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimflow.evaluate import claim_verdicts, judge_pairs, load_climate_fever, score  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--judge", choices=("local", "model"), default="local")
    args = ap.parse_args()
    from evidence.model_judge import ModelJudge

    judge = ModelJudge() if args.judge == "local" else ModelJudge(figures=False, time=False)
    pairs, gold = load_climate_fever()
    judged, _ = judge_pairs(judge, pairs)
    labels = ("SUPPORTS", "REFUTES", "DISPUTED", "NOT_ENOUGH_INFO")
    print(f"{'threshold':>9} {'accuracy':>9} {'macro-F1':>9}")
    best = None
    for t in [x / 100 for x in range(30, 96, 5)]:
        verdicts = claim_verdicts(pairs, judged, threshold=t)
        claims = sorted(verdicts)
        s = score("claims", [gold[c] for c in claims], [verdicts[c] for c in claims], labels)
        print(f"{t:9.2f} {s.accuracy:9.3f} {s.macro_f1:9.3f}")
        best = max(best or (s.macro_f1, t), (s.macro_f1, t))
    print(f"best macro-F1 {best[0]:.3f} at threshold {best[1]:.2f}")


if __name__ == "__main__":
    main()
