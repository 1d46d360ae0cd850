"""Score the accounts of one event alone (verdicts/accounts.py) on an existing run's claims.

    .venv/bin/python bench/accounts_gold.py --db RUN.duckdb [--gold bench/gold/ruwa_gold.json]

Reads the claims, sources, dates and texts of a database written by `claimflow run` (or
bench/ruwa_gold.py --db), finds the conflicts between accounts as the judge stage would, and prints
how many of the gold's contradictions and hard negatives they contain. Fast (under a minute for 9,000
claims): a way to work on the accounts rules without a whole run. A gold whose misses were read to
write the rules gives a development number, not a blind one (bench/gold/README.md)."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    import duckdb

    from claimflow.answer_key import _claims, locate
    from store.writer import Writer
    from verdicts.accounts import account_conflicts

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--gold", default=str(ROOT / "bench" / "gold" / "ruwa_gold.json"))
    args = parser.parse_args()
    con = duckdb.connect(args.db, read_only=True)
    writer = Writer(con)
    claims, sources = writer.load_claims(), writer.sources()
    times = dict(con.execute("SELECT doc_id, published_at FROM documents WHERE published_at IS NOT NULL").fetchall())
    texts = {d: f"{title or ''}\n{text}" for d, title, text in
             con.execute("SELECT doc_id, title, text FROM documents").fetchall()}
    started = time.perf_counter()
    found = account_conflicts(claims, sources, times, texts)
    print(f"{len(claims)} claims, {len(found)} account conflicts, {time.perf_counter() - started:.0f} s")
    pairs = {frozenset((x.claim_id_a, x.claim_id_b)) for x in found}
    gold, located = json.loads(Path(args.gold).read_text()), _claims(con)
    for part in ("contradictions", "hard_negatives"):
        hits = 0
        for entry in gold[part]:
            a, b = locate(con, entry["a"], located), locate(con, entry["b"], located)
            hit = bool(a and b and frozenset((a, b)) in pairs)
            hits += hit
            if hit:
                print(f"  {part}: {entry['a']['text']!r} / {entry['b']['text']!r}")
        print(f"{part}: {hits} of {len(gold[part])} among the account conflicts")


if __name__ == "__main__":
    main()
