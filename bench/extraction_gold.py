"""Claim extraction against the hand-written gold file of the sample corpus.

    .venv/bin/python bench/extraction_gold.py [--show]

A predicted claim matches a gold claim of the same document when the spans overlap by at least half
of the longer one and speaker and polarity agree. Prints precision, recall, check-worthiness agreement
and (with --show) every miss and every extra claim."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", action="store_true", help="list misses and extras")
    args = parser.parse_args()
    from claimflow.answer_key import score_extraction

    score = score_extraction(ROOT / "examples" / "corpus", ROOT / "examples" / "claims_gold.jsonl")
    print(score.summary())
    if args.show:
        for line in score.misses:
            print("  missed:", line)
        for line in score.extras:
            print("  extra: ", line)


if __name__ == "__main__":
    main()
