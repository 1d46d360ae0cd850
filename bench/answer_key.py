"""Score the local engine on the team's sample corpus against examples/answer_key.json.

    .venv/bin/python bench/answer_key.py [--db /tmp/answer_key.duckdb]

Prints how many key contradictions were found with the right kind, hard negatives violated,
verdicts right, and the wall time of the whole run (ephemeral Prefect server included)."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(Path(tempfile.mkdtemp()) / "answer_key.duckdb"))
    args = parser.parse_args()
    from claimflow.answer_key import score
    from flows.verify import verify_corpus

    started = time.perf_counter()
    summary = verify_corpus(sources=[str(ROOT / "examples" / "corpus")], db=args.db, rejudge=True)
    elapsed = time.perf_counter() - started
    report = score(args.db, ROOT / "examples" / "answer_key.json")
    print(f"{summary.documents_seen} documents, {summary.claims} claims, {summary.contradictions} contradictions, "
          f"verdicts {summary.verdicts}, {elapsed:.1f} s")
    print(report.summary())
    for name in ("contradictions_missed", "wrong_kind", "hard_negatives_violated", "verdicts_wrong", "unmatched"):
        for line in getattr(report, name):
            print(f"  {name}: {line}")


if __name__ == "__main__":
    main()
