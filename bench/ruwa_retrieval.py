"""Does retrieval bring the other side's account? Ranks on the real-news gold (bench/gold/ruwa_gold.json).

    .venv/bin/python bench/ruwa_retrieval.py --db RUN.duckdb

RUN.duckdb is a database of a run over the gold's events (bench/ruwa_gold.py --db RUN.duckdb). For
every gold contradiction, in both directions, and for every gold verdict and each document the gold
names as deciding it, the claim (located by its cue) queries the index, and the bench reports how
often the other document is among the claim's top 8 and top 30 candidates, for each retrieval
setting (evidence/retrieve.py: the per-document caps and the time prior). The gold is the
development set here: these numbers are not blind."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOLD = ROOT / "bench" / "gold" / "ruwa_gold.json"

SETTINGS = {  # name: (per_document, same_document, time_weight, per_outlet)
    "no caps": (99, 99, 0.0, None),
    "caps": (1, 1, 0.0, None),
    "caps + time 1.0": (1, 1, 1.0, None),
    "caps + time 2.0": (1, 1, 2.0, None),
    "caps + outlet 3": (1, 1, 0.0, 3),
    "caps + outlet 2": (1, 1, 0.0, 2),
    "caps + outlet 1": (1, 1, 0.0, 1),
    "caps + time 1 + outlet 2": (1, 1, 1.0, 2),
    "caps + time 2 + outlet 2": (1, 1, 2.0, 2),
    "caps + time 2 + outlet 1": (1, 1, 2.0, 1),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    from claimflow.answer_key import locate
    from evidence.embed import LocalEmbedder
    from evidence.retrieve import retrieve
    from store import connect
    from store.writer import Writer

    gold = json.loads(GOLD.read_text())
    con = connect(args.db, read_only=True)
    claims = {c.claim_id: c for c in Writer(con).load_claims()}
    targets = []  # (claim_id, other doc)
    for item in gold["contradictions"]:
        for x, y in ((item["a"], item["b"]), (item["b"], item["a"])):
            cid = locate(con, x)
            if cid is not None:
                targets.append((cid, y["doc"], "contradiction"))
    for item in gold["verdicts"]:
        cid = locate(con, item)
        for doc in item.get("evidence", []):
            if cid is not None:
                targets.append((cid, doc, "verdict"))
    located = {cid for cid, _, _ in targets}
    print(f"{len(targets)} (claim, document) targets; {len(located)} claims located "
          f"({len(gold['contradictions']) * 2} contradiction sides and {len(gold['verdicts'])} verdicts in the gold)")
    times: dict[str, datetime] = dict(con.execute(
        "SELECT doc_id, published_at FROM documents WHERE published_at IS NOT NULL").fetchall())
    queries = [claims[cid] for cid in sorted(located)]
    embedder = LocalEmbedder()
    outlet_of = {d: s for d, s in con.execute("SELECT doc_id, lower(trim(source)) FROM documents").fetchall() if s}
    for name, (per_doc, same_doc, weight, per_outlet) in SETTINGS.items():
        hits = retrieve(con, queries, embedder, k=30, when=times, per_document=per_doc, same_document=same_doc,
                        time_weight=weight, outlet_of=outlet_of, per_outlet=per_outlet and per_outlet * 30 // 8,
                        depth=20)
        if per_outlet is not None:  # the cap is per 8 candidates: top-8 with at most per_outlet per outlet
            top8 = retrieve(con, queries, embedder, k=8, when=times, per_document=per_doc, same_document=same_doc,
                            time_weight=weight, outlet_of=outlet_of, per_outlet=per_outlet, depth=20)
            hits = {cid: top8[cid] + [h for h in hits[cid] if h.doc_id not in {x.doc_id for x in top8[cid]}]
                    for cid in hits}
        for kind in ("contradiction", "verdict"):
            rows = [(cid, doc) for cid, doc, k in targets if k == kind]
            at8 = sum(doc in {h.doc_id for h in hits[cid][:8]} for cid, doc in rows)
            at30 = sum(doc in {h.doc_id for h in hits[cid]} for cid, doc in rows)
            print(f"{name:18s} {kind:13s} top-8 {at8 / len(rows):.2f}  top-30 {at30 / len(rows):.2f}  (n={len(rows)})")


if __name__ == "__main__":
    main()
