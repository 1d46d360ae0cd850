"""What real news looks like to the bounds in ingest/limits.py: the measurement behind their defaults.

    .venv/bin/python bench/limits.py [--n 904]

Reads whole article bodies (FNC-1's test bodies) and short items (RUWA) from ../shared/datasets and
prints percentiles of characters, longest paragraph, sentences, claims and check-worthy claims per
document under the local extractor, and how many documents each default bound would touch."""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"

from claims.local import LocalExtractor  # noqa: E402
from ingest.layout import paragraphs  # noqa: E402
from ingest.limits import Limits  # noqa: E402
from ingest.readers import _document  # noqa: E402


def bodies(n: int) -> list[str]:
    with open(DATASETS / "fnc1_test_bodies.csv", encoding="utf-8") as f:
        return [row["articleBody"] for row in csv.DictReader(f)][:n]


def items(n: int) -> list[str]:
    with open(DATASETS / "ruwa_dev.jsonl", encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f][:n]


def measure(name: str, texts: list[str], limits: Limits) -> None:
    extractor = LocalExtractor(date(2026, 1, 1))
    docs = [_document(t, f"{name}:{i}", date(2026, 1, 1)) for i, t in enumerate(texts) if t.strip()]
    started = time.perf_counter()
    results = extractor.extract(docs)
    seconds = time.perf_counter() - started
    rows = {
        "characters": [len(d.text) for d in docs],
        "longest paragraph": [max((len(p.text) for p in paragraphs(d.text)), default=0) for d in docs],
        "sentences": [len(r.sentences) for r in results],
        "claims": [len(r.claims) for r in results],
        "check-worthy claims": [sum(c.checkworthy for c in r.claims) for r in results],
    }
    print(f"\n{name}: {len(docs)} documents, extracted in {seconds:.1f} s")
    print(f"{'':22}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}")
    for label, values in rows.items():
        v = np.array(values)
        print(f"{label:22}" + "".join(f"{int(np.percentile(v, q)):>8}" for q in (50, 90, 99, 100)))
    touched = {
        f"characters > {limits.max_document_chars:,}": sum(x > limits.max_document_chars for x in rows["characters"]),
        f"sentences > {limits.max_sentences:,}": sum(x > limits.max_sentences for x in rows["sentences"]),
        f"claims > {limits.max_claims_per_document:,}": sum(x > limits.max_claims_per_document for x in rows["claims"]),
    }
    for label, count in touched.items():
        print(f"documents with {label}: {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=904, help="documents of each set (FNC-1 has 904 bodies)")
    args = parser.parse_args()
    if not DATASETS.exists():
        sys.exit(f"{DATASETS} is not here: this benchmark reads ../shared/datasets")
    limits = Limits()
    measure("FNC-1 article bodies", bodies(args.n), limits)
    measure("RUWA items", items(args.n), limits)


if __name__ == "__main__":
    main()
