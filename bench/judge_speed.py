"""Time `claimflow judge` on 10,000 pairs (all of SICK plus FEVER-Symmetric, topped up by cycling).

    .venv/bin/python bench/judge_speed.py [--pairs 10000] [--engine local]

Writes the pairs to a temporary JSONL file and runs the real command, in a subprocess, end to end
(process start, model loading, tokenising, the cross-encoder, the cue analysis where it can change
or type the answer, writing)."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--engine", default="local")
    args = parser.parse_args()
    from claimflow.evaluate import load_fever_symmetric, load_sick

    pool = load_sick("TRAIN") + load_sick("TRIAL") + load_sick("TEST") + load_fever_symmetric()
    folder = Path(tempfile.mkdtemp())
    pairs, out = folder / "pairs.jsonl", folder / "out.jsonl"
    with open(pairs, "w") as f:
        for i in range(args.pairs):
            p = pool[i % len(pool)]
            f.write(json.dumps({"id": i, "premise": p.premise, "hypothesis": p.hypothesis}) + "\n")
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "claimflow"), "judge", str(pairs), "-o", str(out),
                    "--engine", args.engine], check=True)
    elapsed = time.perf_counter() - started
    n = sum(1 for _ in open(out))
    print(f"claimflow judge: {n} pairs in {elapsed:.1f} s ({n / elapsed:.0f} pairs/s), engine {args.engine}")


if __name__ == "__main__":
    main()
