"""Score `claimflow run` on real news against the team's gold (bench/gold/ruwa_gold.json).

    .venv/bin/python bench/ruwa_gold.py [--db /tmp/ruwa.duckdb] [--window DAYS] [--sample 40] [--score-only]
        [--gold bench/gold/ruwa_blind_nuclear.json] [--all]

Builds a JSONL of the gold's events from ../shared/datasets/ruwa_dev.jsonl (read at run time, never
copied into the repository), runs the verify flow over it, and prints: recall of the gold's
contradictions, hard negatives recorded as contradictions, verdicts right, the wall time and the
peak memory, then a random sample of recorded contradictions to label by hand for precision.

`--window DAYS` keeps only the items published within DAYS of a gold item (a faster development
run; the gold's numbers are for whole events, without it). The gold was written blind to the
engine (see bench/gold/README.md); numbers on it stop being blind once rules are tuned by looking
at its misses, so say which run a number comes from."""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
DATA = ROOT.parent / "shared" / "datasets" / "ruwa_dev.jsonl"
GOLD = ROOT / "bench" / "gold" / "ruwa_gold.json"


def gold_docs(gold: dict) -> set[str]:
    docs = {e[s]["doc"] for part in ("contradictions", "hard_negatives") for e in gold[part] for s in ("a", "b")}
    return docs | {v["doc"] for v in gold["verdicts"]} | {d for v in gold["verdicts"] for d in v.get("evidence", [])}


def corpus(gold: dict, out: Path, window: int | None, every: bool = False) -> int:
    rows, seen = [], set()
    first, last = gold.get("window", ("0000", "9999"))  # a gold may cover only some weeks of its events

    def in_window(row: dict) -> bool:
        return first <= (row.get("published_at") or "")[:10] <= last

    for line in DATA.read_text().splitlines():
        row = json.loads(line)
        if (every or (row["event"] in gold["events"] and in_window(row))) and row["id"] not in seen:
            seen.add(row["id"])  # a few ids repeat in the source: the first is kept, as claimflow would
            rows.append(row)
    if window is not None:
        wanted = gold_docs(gold)
        days = {date.fromisoformat(r["published_at"][:10]) for r in rows if r["id"] in wanted}
        near = {d + timedelta(days=k) for d in days for k in range(-window, window + 1)}
        rows = [r for r in rows if r["id"] in wanted or date.fromisoformat(r["published_at"][:10]) in near]
    out.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "event"}) + "\n" for r in rows))
    return len(rows)


def sample(db: str, n: int, seed: int = 0) -> None:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    rows = con.execute(
        "SELECT x.kind, x.speaker_a, x.speaker_b, a.doc_id, da.source, a.text, b.doc_id, db.source, b.text"
        " FROM contradictions x JOIN claims a ON a.claim_id = x.claim_id_a JOIN claims b ON b.claim_id = x.claim_id_b"
        " JOIN documents da ON da.doc_id = a.doc_id JOIN documents db ON db.doc_id = b.doc_id ORDER BY x.contradiction_id"
    ).fetchall()
    random.Random(seed).shuffle(rows)
    print(f"\n{len(rows)} contradictions between two claims; a random sample of {min(n, len(rows))} to label:")
    for i, (kind, sa, sb, da, oa, ta, db_, ob, tb) in enumerate(rows[:n], 1):
        print(f"{i:2d}. [{kind}] {da} {oa} ({sa or 'outlet'}): {ta[:140]}\n"
              f"    vs {db_} {ob} ({sb or 'outlet'}): {tb[:140]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(Path(tempfile.mkdtemp()) / "ruwa.duckdb"))
    parser.add_argument("--window", type=int, default=None, help="only items within DAYS of a gold item")
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--score-only", action="store_true", help="score an existing --db, do not run")
    parser.add_argument("--all", action="store_true", help="run over all 13,752 items (then score --gold)")
    parser.add_argument("--gold", default=str(GOLD), help="the gold file (bench/gold/ruwa_blind_nuclear.json: held out)")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"skipped: {DATA} is not here (the real-news data lives in ../shared, outside the repository)")
    from claimflow.answer_key import score

    gold = json.loads(Path(args.gold).read_text())
    if not args.score_only:
        from flows.verify import verify_corpus

        path = Path(tempfile.mkdtemp()) / "ruwa_gold_events.jsonl"
        n = corpus(gold, path, args.window, every=args.all)
        started = time.perf_counter()
        summary = verify_corpus(sources=[str(path)], db=args.db, today=date(2023, 8, 1), rejudge=True)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n} items of {'all events' if args.all else ', '.join(gold['events'])}: {summary.claims} claims, {summary.contradictions} "
              f"contradictions, verdicts {summary.verdicts}; {elapsed:.0f} s, peak memory {peak:.0f} MB")
    report = score(args.db, args.gold)
    print(report.summary())
    for name in ("contradictions_found", "contradictions_missed", "wrong_kind", "hard_negatives_violated",
                 "verdicts_wrong", "unmatched"):
        for line in getattr(report, name):
            print(f"  {name}: {line}")
    sample(args.db, args.sample)


if __name__ == "__main__":
    main()
