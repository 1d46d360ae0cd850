"""Retrieval quality on Climate-FEVER and latency at scale, for BM25, dense and hybrid.

    .venv/bin/python bench/retrieval.py quality
    .venv/bin/python bench/retrieval.py scale [--passages 100000] [--hnsw] [--queries 200]
    .venv/bin/python bench/retrieval.py multilingual

quality: the 7,675 Climate-FEVER evidence sentences (read from ../shared/datasets at run time;
identical sentences shared by several claims are one passage) form the corpus, indexed exactly as
claimflow indexes news (DuckDB fts BM25 + e5 vectors). Every claim queries it; recall@5/@10 is the
share of the claim's own evidence sentences in the top 5/10, MRR the mean reciprocal rank of the
first one.

scale: the same real passages, padded with synthetic ones up to --passages: each synthetic passage
is a real sentence with its words shuffled and one word dropped, its vector the real vector plus
Gaussian noise, re-normalised (so the padding is realistic in length, vocabulary and vector
distribution, but it is not real text). Reports index build times, p50/p95 query latency and peak
memory for BM25 (fts), dense (exact numpy scan; HNSW with --hnsw), hybrid, a brute-force SQL scan of
the same vectors in DuckDB, and the `bm25s` package on the same texts, in the same run.

multilingual: a hand-made parallel set (bench/data/parallel_en_ru_uk.jsonl, 16 sentences in English,
Russian and Ukrainian, written for this project): each English sentence queries the 32 Russian and
Ukrainian sentences by dense search; reports how often its own translations rank first.

Embeddings are cached under $CLAIMFLOW_BENCH_CACHE (default /tmp/claimflow-bench-cache)."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "climate_fever.jsonl"
CACHE = Path(os.environ.get("CLAIMFLOW_BENCH_CACHE", "/tmp/claimflow-bench-cache"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def embed_cached(kind: str, texts: list[str]) -> np.ndarray:
    from evidence.embed import LocalEmbedder

    CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(("\n".join(texts) + kind).encode()).hexdigest()[:16]
    path = CACHE / f"{kind}-{key}.npy"
    if path.exists():
        return np.load(path)
    embedder = LocalEmbedder()
    vectors = embedder.passages(texts) if kind == "passage" else embedder.queries(texts)
    np.save(path, vectors)
    return vectors


class Precomputed:
    """An embedder that returns vectors computed earlier, in the same order as the texts."""

    name = "precomputed"

    def __init__(self, texts: list[str], vectors: np.ndarray) -> None:
        self.lookup = {t: v for t, v in zip(texts, vectors)}

    def passages(self, texts):
        return np.vstack([self.lookup[t] for t in texts])

    queries = passages


def load_climate_fever():
    if not DATA.exists():
        sys.exit(f"{DATA} not found: this benchmark reads ../shared/datasets beside the project")
    claims, texts, ids = [], [], {}
    for line in DATA.read_text().splitlines():
        row = json.loads(line)
        relevant, labelled = set(), set()
        for ev in row["evidences"]:
            if ev["evidence_id"] not in ids:
                ids[ev["evidence_id"]] = len(texts)
                texts.append(ev["evidence"].strip())
            relevant.add(ids[ev["evidence_id"]])
            if ev["evidence_label"] in ("SUPPORTS", "REFUTES"):
                labelled.add(ids[ev["evidence_id"]])
        claims.append((row["claim"], relevant, labelled))
    return claims, texts


def build_index(texts: list[str], vectors: np.ndarray, db: Path, hnsw: bool = False) -> dict[str, float]:
    from evidence.index import add_passages, create_hnsw, rebuild_bm25
    from evidence.models import Passage
    from store import connect

    con = connect(db)
    passages = [Passage(passage_id=f"p{i:07d}", doc_id=f"d{i:07d}", text=t, char_start=0, char_end=len(t))
                for i, t in enumerate(texts)]
    times = {}
    started = time.perf_counter()
    add_passages(con, passages, Precomputed(texts, vectors), "bench")
    times["load vectors (Arrow)"] = time.perf_counter() - started
    started = time.perf_counter()
    rebuild_bm25(con)
    times["BM25 index (fts)"] = time.perf_counter() - started
    if hnsw:
        started = time.perf_counter()
        create_hnsw(con)
        times["HNSW index (vss)"] = time.perf_counter() - started
    con.close()
    return times


def quality(args) -> None:
    from evidence.retrieve import HybridRetriever
    from store import connect

    claims, texts = load_climate_fever()
    vectors = embed_cached("passage", texts)
    queries = embed_cached("query", [c for c, *_ in claims])
    db = Path(tempfile.mkdtemp()) / "cf.duckdb"
    build_index(texts, vectors, db)
    con = connect(db, read_only=True)
    retriever = HybridRetriever(con)
    order = [int(pid[1:]) for pid in retriever.table.ids]  # passage position -> text index
    print(f"Climate-FEVER: {len(claims)} claims, {len(texts)} distinct evidence sentences")
    print("recall@k: share of a claim's own evidence sentences in its top k (averaged over claims);"
          " hit@k: share of claims with at least one of them in the top k")
    for label, which in (("all 5 evidence sentences of each claim", 1),
                         ("only its SUPPORTS/REFUTES sentences (claims that have one)", 2)):
        subset = [(c[0], c[which], v) for c, v in zip(claims, queries) if c[which]]
        print(f"relevant = {label}: {len(subset)} claims")
        _quality_table(retriever, order, subset)


def _quality_table(retriever, order, subset) -> None:
    print(f"{'retriever':10} {'recall@5':>9} {'recall@10':>10} {'hit@5':>7} {'hit@10':>7} {'MRR':>7}")
    for mode in ("bm25", "dense", "hybrid"):
        r5 = r10 = h5 = h10 = mrr = 0.0
        for claim, relevant, vector in subset:
            ranked = [order[i] for i, _ in retriever.search(claim, vector, 10, mode=mode)]
            r5 += len(relevant & set(ranked[:5])) / len(relevant)
            r10 += len(relevant & set(ranked[:10])) / len(relevant)
            h5 += bool(relevant & set(ranked[:5]))
            h10 += bool(relevant & set(ranked[:10]))
            first = next((rank for rank, t in enumerate(ranked, 1) if t in relevant), None)
            mrr += 1 / first if first else 0.0
        n = len(subset)
        print(f"{mode:10} {r5 / n:9.3f} {r10 / n:10.3f} {h5 / n:7.3f} {h10 / n:7.3f} {mrr / n:7.3f}")


def synthetic(texts: list[str], vectors: np.ndarray, n: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    out_texts, out_vectors = list(texts), [vectors]
    extra = n - len(texts)
    picks = rng.integers(0, len(texts), size=extra)
    for i in picks:
        words = texts[i].split()
        rng.shuffle(words)
        if len(words) > 3:
            words.pop(int(rng.integers(0, len(words))))
        out_texts.append(" ".join(words))
    noise = vectors[picks] + rng.normal(0, 0.03, size=(extra, vectors.shape[1])).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    out_vectors.append(noise.astype(np.float32))
    return out_texts, np.vstack(out_vectors)


def percentiles(samples: list[float]) -> str:
    ms = np.array(samples) * 1000
    return f"p50 {np.percentile(ms, 50):7.2f} ms   p95 {np.percentile(ms, 95):7.2f} ms"


def scale(args) -> None:
    import duckdb

    from evidence.retrieve import HybridRetriever
    from store import connect

    claims, texts = load_climate_fever()
    vectors = embed_cached("passage", texts)
    queries = embed_cached("query", [c for c, *_ in claims])
    all_texts, all_vectors = synthetic(texts, vectors, args.passages)
    print(f"corpus: {len(texts)} real Climate-FEVER sentences + {len(all_texts) - len(texts)} synthetic "
          f"= {len(all_texts)} passages; {args.queries} real claims as queries; peak RSS so far {peak_mb():.0f} MB")
    db = Path(tempfile.mkdtemp()) / "scale.duckdb"
    for name, seconds in build_index(all_texts, all_vectors, db, hnsw=args.hnsw).items():
        print(f"build  {name:24} {seconds:8.2f} s")
    print(f"peak RSS after building: {peak_mb():.0f} MB")
    con = connect(db, read_only=True)
    started = time.perf_counter()
    retriever = HybridRetriever(con, dense="hnsw" if args.hnsw else "exact")
    print(f"load passages + vectors into memory: {time.perf_counter() - started:.2f} s, peak RSS {peak_mb():.0f} MB")
    sample = list(zip(claims, queries))[: args.queries]
    timings: dict[str, list[float]] = {}

    def timed(name, fn):
        for (claim, *_), vector in sample:
            started = time.perf_counter()
            fn(claim, vector)
            timings.setdefault(name, []).append(time.perf_counter() - started)

    timed("BM25 (fts index, numpy)", lambda q, v: retriever.bm25(q, 40))
    timed("BM25 (fts match_bm25, SQL)", lambda q, v: retriever.bm25_sql(q, 40))
    exact = HybridRetriever(con, dense="exact")
    timed("dense exact (numpy scan)", lambda q, v: exact.dense(v, 40))
    timed("hybrid (fts + numpy)", lambda q, v: exact.search(q, v, 10))
    if args.hnsw:
        timed("dense HNSW (vss)", lambda q, v: retriever.dense(v, 40))
        timed("hybrid (fts + HNSW)", lambda q, v: retriever.search(q, v, 10))

    raw = duckdb.connect(str(db), read_only=True)  # no extensions: a plain SQL scan

    def sql_scan(q, v):
        literal = "[" + ",".join(f"{x:.7g}" for x in v) + "]::FLOAT[384]"
        raw.execute(f"SELECT passage_id FROM passages ORDER BY array_inner_product(embedding, {literal}) DESC"
                    " LIMIT 40").fetchall()

    timed("dense brute-force SQL scan", sql_scan)
    try:
        import bm25s
    except ImportError:
        print("bm25s not installed (pip install bm25s): skipped")
    else:
        started = time.perf_counter()
        index = bm25s.BM25()
        index.index(bm25s.tokenize(all_texts, stopwords="en", show_progress=False), show_progress=False)
        print(f"build  {'bm25s index':24} {time.perf_counter() - started:8.2f} s   peak RSS {peak_mb():.0f} MB")
        timed("BM25 (bm25s package)", lambda q, v: index.retrieve(
            bm25s.tokenize([q], stopwords="en", show_progress=False), k=40, show_progress=False))
    print(f"latency over {len(sample)} queries, top-40 per retriever, top-10 fused:")
    for name, samples in timings.items():
        print(f"  {name:28} {percentiles(samples)}")
    hnsw = timings.get("dense HNSW (vss)")
    brute = np.median(timings["dense brute-force SQL scan"])
    numpy_scan = np.median(timings["dense exact (numpy scan)"])
    print(f"brute-force SQL scan / numpy exact scan (p50): {brute / numpy_scan:.1f}x")
    if hnsw:
        print(f"brute-force SQL scan / HNSW (p50): {brute / np.median(hnsw):.1f}x")
    print(f"peak RSS: {peak_mb():.0f} MB")


def multilingual(args) -> None:
    rows = [json.loads(line) for line in (ROOT / "bench" / "data" / "parallel_en_ru_uk.jsonl").read_text().splitlines()]
    english = embed_cached("query", [r["en"] for r in rows])
    others = [(i, lang, r[lang]) for i, r in enumerate(rows) for lang in ("ru", "uk")]
    vectors = embed_cached("passage", [t for _, _, t in others])
    scores = english @ vectors.T
    for lang in ("ru", "uk"):
        columns = [j for j, (_, l, _) in enumerate(others) if l == lang]
        top = np.argmax(scores[:, columns], axis=1)
        hits = sum(others[columns[int(t)]][0] == i for i, t in enumerate(top))
        print(f"en -> {lang}: the own translation ranks first among the {len(columns)} {lang} sentences "
              f"for {hits}/{len(rows)} English queries")
    first = [others[int(np.argmax(scores[i]))][0] == i for i in range(len(rows))]
    print(f"en -> ru+uk pooled ({len(others)} sentences): an own translation ranks first for "
          f"{sum(first)}/{len(rows)} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description="retrieval benchmarks")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("quality")
    s = sub.add_parser("scale")
    s.add_argument("--passages", type=int, default=100_000)
    s.add_argument("--queries", type=int, default=200)
    s.add_argument("--hnsw", action="store_true", help="also build and query the HNSW index (minutes)")
    sub.add_parser("multilingual")
    args = parser.parse_args()
    {"quality": quality, "scale": scale, "multilingual": multilingual}[args.command](args)


if __name__ == "__main__":
    main()
