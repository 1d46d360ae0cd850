"""Retrieval quality on Climate-FEVER and latency at scale, for BM25, dense and hybrid.

    .venv/bin/python bench/retrieval.py quality
    .venv/bin/python bench/retrieval.py scale [--passages 100000] [--hnsw] [--queries 200]
    .venv/bin/python bench/retrieval.py multilingual
    .venv/bin/python bench/retrieval.py oracle
    .venv/bin/python bench/retrieval.py context

quality: the 7,675 Climate-FEVER evidence sentences (read from ../shared/datasets at run time;
identical sentences shared by several claims are one passage) form the corpus, indexed exactly as
claimflow indexes news (DuckDB fts BM25 + e5 vectors): each sentence's Wikipedia article is its
document, and the article's title is the document title, used as context (BM25 over title and
sentence, e5 over "title. sentence"). The same corpus indexed without context is measured too.
The claim -> evidence grouping (the label) is never used at retrieval time. Every claim queries
the corpus; recall@5/@10 is the share of the claim's own evidence sentences in the top 5/10, MRR
the mean reciprocal rank of the first one in the top 10. Numbers are given for all claims and for
the even / odd claim ids separately: fusion weights were tuned on the even half, so the odd half is
held out.

scale: the same real passages, padded with synthetic ones up to --passages: each synthetic passage
is a real sentence with its words shuffled and one word dropped, under its article's title, its
vectors (sentence and title context) the real ones plus Gaussian noise, re-normalised (so the padding is realistic in length, vocabulary and vector
distribution, but it is not real text). Reports index build times, p50/p95 query latency and peak
memory for BM25 (fts), dense (exact numpy scan; HNSW with --hnsw), hybrid, a brute-force SQL scan of
the same vectors in DuckDB, and the `bm25s` package on the same texts, in the same run.

multilingual: a hand-made parallel set (bench/data/parallel_en_ru_uk.jsonl, 16 sentences in English,
Russian and Ukrainian, written for this project): each English sentence queries the 32 Russian and
Ukrainian sentences by dense search; reports how often its own translations rank first.

oracle: where each claim's own evidence sentences rank in the full rankings of BM25, dense and
hybrid (with and without document context), what a perfect reranker of the top N could reach,
and what the evidence sentences are like (no word shared with the claim, fragments, near-duplicates
evidencing other claims, annotators' NOT_ENOUGH_INFO labels).

context: whether the title context needs a second e5 vector per passage: the same retrieval with
the dense vectors of the sentence alone, of "title. sentence", or of the sentence plus a share of its
title's vector; and claims embedded as queries or as passages.

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


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def embed_cached(kind: str, texts: list[str]) -> np.ndarray:
    """e5 vectors of `texts` ("passage" or "query"), cached per text under CACHE/{kind}-rows.npz:
    only texts not seen before are embedded."""
    from evidence.embed import LocalEmbedder

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{kind}-rows.npz"
    keys, vectors = np.zeros(0, dtype="U40"), np.zeros((0, 384), dtype=np.float32)
    if path.exists():
        with np.load(path) as stored:
            keys, vectors = stored["keys"], stored["vectors"]
    row = {k: i for i, k in enumerate(keys.tolist())}
    wanted = [_key(t) for t in texts]
    missing = list(dict.fromkeys(t for t, k in zip(texts, wanted) if k not in row))
    if missing:
        embedder = LocalEmbedder()
        fresh = embedder.passages(missing) if kind == "passage" else embedder.queries(missing)
        keys = np.concatenate([keys, np.array([_key(t) for t in missing], dtype="U40")])
        vectors = np.vstack([vectors, fresh.astype(np.float32)])
        np.savez(path, keys=keys, vectors=vectors)
        row = {k: i for i, k in enumerate(keys.tolist())}
    return vectors[[row[k] for k in wanted]] if texts else np.zeros((0, 384), dtype=np.float32)


class Precomputed:
    """An embedder that returns vectors computed earlier (looked up by text)."""

    name = "precomputed"

    def __init__(self, lookup: dict[str, np.ndarray]) -> None:
        self.lookup = lookup

    def passages(self, texts):
        return np.vstack([self.lookup[t] for t in texts])

    queries = passages


class Corpus:
    """The distinct Climate-FEVER evidence sentences, each with its Wikipedia article (its document's title)."""

    def __init__(self) -> None:
        if not DATA.exists():
            sys.exit(f"{DATA} not found: this benchmark reads ../shared/datasets beside the project")
        self.claims: list[tuple[int, str, set[int], set[int]]] = []  # claim id, claim, relevant, labelled
        self.texts: list[str] = []
        self.titles: list[str] = []
        ids: dict[str, int] = {}
        for line in DATA.read_text().splitlines():
            row = json.loads(line)
            relevant, labelled = set(), set()
            for ev in row["evidences"]:
                if ev["evidence_id"] not in ids:
                    ids[ev["evidence_id"]] = len(self.texts)
                    self.texts.append(ev["evidence"].strip())
                    self.titles.append(ev["article"])
                relevant.add(ids[ev["evidence_id"]])
                if ev["evidence_label"] in ("SUPPORTS", "REFUTES"):
                    labelled.add(ids[ev["evidence_id"]])
            self.claims.append((int(row["claim_id"]), row["claim"], relevant, labelled))

    def contexts(self, texts=None, titles=None) -> list[str]:
        from evidence.index import context_text

        return [context_text(t, x) for t, x in zip(titles or self.titles, texts or self.texts)]


def build_index(texts: list[str], titles: list[str] | None, lookup: dict[str, np.ndarray], db: Path,
                hnsw: bool = False) -> dict[str, float]:
    """Index the texts as claimflow indexes news: one document per title (its Wikipedia article)
    with that title as context, or (titles=None) every sentence alone, without context."""
    from evidence.index import passage_rows
    from evidence.models import Passage
    from store import connect
    from store.writer import Writer

    con = connect(db)
    writer = Writer(con)
    doc_of = {title: f"d{i:06d}" for i, title in enumerate(dict.fromkeys(titles))} if titles else {}
    passages = [Passage(passage_id=f"p{i:07d}", doc_id=doc_of[titles[i]] if titles else f"s{i:07d}", text=t,
                        char_start=0, char_end=len(t)) for i, t in enumerate(texts)]
    doc_titles = {d: title for title, d in doc_of.items()}
    times = {}
    started = time.perf_counter()
    writer.add_passages(passage_rows(con, passages, Precomputed(lookup), "bench", titles=doc_titles))
    times["load vectors (Arrow)"] = time.perf_counter() - started
    started = time.perf_counter()
    writer.rebuild_bm25()
    times["BM25 index (fts)"] = time.perf_counter() - started
    if hnsw:
        started = time.perf_counter()
        writer.create_hnsw()
        times["HNSW index (vss)"] = time.perf_counter() - started
    con.close()
    return times


MODES = (("bm25", "BM25"), ("dense", "dense (e5)"), ("rrf", "hybrid RRF k=60"), ("zscore", "hybrid z-score"))


def quality(args) -> None:
    from evidence.retrieve import HybridRetriever
    from store import connect

    corpus = Corpus()
    claims, texts = corpus.claims, corpus.texts
    contexts = corpus.contexts()
    vectors = embed_cached("passage", texts + contexts)
    lookup = dict(zip(texts + contexts, vectors))
    queries = embed_cached("query", [c for _, c, *_ in claims])
    print(f"Climate-FEVER: {len(claims)} claims, {len(texts)} distinct evidence sentences from "
          f"{len(set(corpus.titles))} Wikipedia articles")
    print("recall@k: share of a claim's own evidence sentences in its top k (averaged over claims);"
          " hit@k: share of claims with at least one of them in the top k; MRR of the first one in the top 10.")
    print("Fusion weights were tuned on claims with even ids; the odd ids are the held-out half.")
    for context in (False, True):
        db = Path(tempfile.mkdtemp()) / "cf.duckdb"
        build_index(texts, corpus.titles if context else None, lookup, db)
        con = connect(db, read_only=True)
        retriever = HybridRetriever(con)
        order = [int(pid[1:]) for pid in retriever.table.ids]  # passage position -> text index
        what = ("with document context (BM25 over title + sentence, e5 over 'title. sentence'): claimflow's default"
                if context else "sentence alone (no document context)")
        print(f"\n== passages indexed {what}")
        for label, which, modes in (("all 5 evidence sentences of each claim", 2, MODES),
                                    ("only its SUPPORTS/REFUTES sentences (claims that have one)", 3, MODES)):
            subset = [(cid, c[1], c[which], v) for c, v, cid in zip(claims, queries, (c[0] for c in claims))
                      if c[which]]
            print(f"relevant = {label}: {len(subset)} claims")
            _quality_table(retriever, order, subset, modes)
        con.close()


def _quality_table(retriever, order, subset, modes) -> None:
    print(f"{'retriever':18} {'claims':>6} {'recall@5':>9} {'recall@10':>10} {'hit@5':>7} {'hit@10':>7} {'MRR':>7}")
    for mode, name in modes:
        rows = []
        for cid, claim, relevant, vector in subset:
            ranked = [order[i] for i, _ in retriever.search(claim, vector, 10, mode=mode)]
            first = next((rank for rank, t in enumerate(ranked, 1) if t in relevant), None)
            rows.append((cid % 2, len(relevant & set(ranked[:5])) / len(relevant),
                         len(relevant & set(ranked[:10])) / len(relevant), bool(relevant & set(ranked[:5])),
                         bool(relevant & set(ranked[:10])), 1 / first if first else 0.0))
        table = np.array(rows, dtype=float)
        for part, keep in (("all", np.ones(len(table), bool)), ("even", table[:, 0] == 0),
                           ("odd", table[:, 0] == 1)):
            m = table[keep, 1:].mean(axis=0)
            print(f"{name if part == 'all' else '':18} {part:>6} {m[0]:9.3f} {m[1]:10.3f} {m[2]:7.3f} {m[3]:7.3f} "
                  f"{m[4]:7.3f}")


def oracle(args) -> None:
    """How far recall@10 could go: where a claim's own sentences rank under every retriever measured
    (full rankings, not only the top 10), what a perfect reranker of the top N could reach, and what
    kind of sentences they are."""
    import re

    from evidence.retrieve import HybridRetriever
    from store import connect

    corpus = Corpus()
    claims, texts = corpus.claims, corpus.texts
    contexts = corpus.contexts()
    vectors = embed_cached("passage", texts + contexts)
    lookup = dict(zip(texts + contexts, vectors))
    queries = embed_cached("query", [c for _, c, *_ in claims])
    ranks = {}
    for context in (False, True):
        db = Path(tempfile.mkdtemp()) / "cf.duckdb"
        build_index(texts, corpus.titles if context else None, lookup, db)
        con = connect(db, read_only=True)
        r = HybridRetriever(con)
        order = np.array([int(pid[1:]) for pid in r.table.ids])
        tag = " +context" if context else ""
        for name in ("BM25", "dense", "hybrid z-score"):
            ranks[name + tag] = np.zeros((len(claims), len(texts)), dtype=np.int32)
        for qi, ((_, claim, *_), vector) in enumerate(zip(claims, queries)):
            lexical = r.bm25_scores(claim)
            semantic = r.table.vectors @ vector
            fused = r.bm25_weight * (lexical - lexical.mean()) / (lexical.std() or 1) + (1 - r.bm25_weight) * (
                semantic - semantic.mean()) / (semantic.std() or 1)
            for name, scores in (("BM25", lexical), ("dense", semantic), ("hybrid z-score", fused)):
                rank = np.empty(len(texts), dtype=np.int32)
                rank[order[np.argsort(-scores, kind="stable")]] = np.arange(1, len(texts) + 1)
                ranks[name + tag][qi] = rank
        con.close()
    pairs = [(qi, p) for qi, c in enumerate(claims) for p in c[2]]
    rows, cols = np.array([q for q, _ in pairs]), np.array([p for _, p in pairs])
    default = ranks["hybrid z-score +context"][rows, cols]
    best = np.minimum.reduce([m[rows, cols] for m in ranks.values()])
    print(f"{len(pairs)} (claim, own evidence sentence) pairs; rank of the own sentence among {len(texts)} passages")
    print(f"{'within top':>12} {'default hybrid':>15} {'best of 6 rankings':>19}")
    for t in (5, 10, 20, 30, 50, 100, 500):
        print(f"{t:12d} {np.mean(default <= t):15.3f} {np.mean(best <= t):19.3f}")
    print("A perfect reranker of the default hybrid's top N puts at most the share above (column 1, row N) of the"
          " own sentences into the top 10 (when N >= 10), so its recall@10 cannot exceed it.")
    print("'best of 6' gives each pair the best rank any of the 6 rankings (BM25, dense, hybrid; with and without"
          " context) gives it: an optimistic ceiling for fusing them.")
    per_claim = [np.mean([best[i] <= 10 for i, (q, _) in enumerate(pairs) if q == qi]) for qi in range(len(claims))]
    print(f"union of the 6 top-10 lists (up to 60 passages per claim): recall {np.mean(per_claim):.3f}")
    stop = set("the and for that with are was were this from has have been which its their they not but can "
               "more than also into over such these other about will would may between".split())

    def words(text):
        return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in stop}

    disjoint = np.mean([not (words(claims[q][1]) & words(texts[p])) for q, p in pairs])
    print(f"own sentences sharing no content word with their claim: {disjoint:.3f}")
    print(f"distinct sentences of fewer than 6 words (dates, citation fragments): "
          f"{sum(len(t.split()) < 6 for t in texts)}")
    sentence_vectors = np.vstack([lookup[t] for t in texts])
    near = 0
    for q, p in pairs:
        sims = sentence_vectors @ sentence_vectors[p]
        close = [j for j in np.flatnonzero(sims >= 0.95) if j != p and j not in claims[q][2]]
        near += bool(close)
    print(f"own sentences with a near-duplicate (e5 cosine >= 0.95) that is not evidence for the same claim: "
          f"{near / len(pairs):.3f}")
    labelled = np.array([p in claims[q][3] for q, p in pairs])
    print(f"pairs labelled NOT_ENOUGH_INFO by the annotators: {1 - labelled.mean():.3f}; default hybrid top-10 "
          f"share: NOT_ENOUGH_INFO {np.mean(default[~labelled] <= 10):.3f}, SUPPORTS/REFUTES "
          f"{np.mean(default[labelled] <= 10):.3f}")


def synthetic(texts: list[str], titles: list[str], vectors: np.ndarray, context_vectors: np.ndarray, n: int,
              seed: int = 7):
    """Pad to n passages: a real sentence with its words shuffled and one dropped, under its real
    article's title; its two vectors are the real ones plus Gaussian noise, re-normalised."""
    rng = np.random.default_rng(seed)
    out_texts, out_titles = list(texts), list(titles)
    extra = n - len(texts)
    picks = rng.integers(0, len(texts), size=extra)
    for i in picks:
        words = texts[i].split()
        rng.shuffle(words)
        if len(words) > 3:
            words.pop(int(rng.integers(0, len(words))))
        out_texts.append(" ".join(words))
        out_titles.append(titles[i])

    def noisy(v):
        noise = v[picks] + rng.normal(0, 0.03, size=(extra, v.shape[1])).astype(np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        return np.vstack([v, noise.astype(np.float32)])

    return out_texts, out_titles, noisy(vectors), noisy(context_vectors)


def percentiles(samples: list[float]) -> str:
    ms = np.array(samples) * 1000
    return f"p50 {np.percentile(ms, 50):7.2f} ms   p95 {np.percentile(ms, 95):7.2f} ms"


def scale(args) -> None:
    import duckdb

    from evidence.retrieve import HybridRetriever
    from store import connect

    corpus = Corpus()
    claims, texts = corpus.claims, corpus.texts
    vectors = embed_cached("passage", texts)
    context_vectors = embed_cached("passage", corpus.contexts())
    queries = embed_cached("query", [c for _, c, *_ in claims])
    all_texts, all_titles, all_vectors, all_context = synthetic(texts, corpus.titles, vectors, context_vectors,
                                                                args.passages)
    lookup = dict(zip(all_texts, all_vectors))
    lookup.update(zip(corpus.contexts(all_texts, all_titles), all_context))
    print(f"corpus: {len(texts)} real Climate-FEVER sentences + {len(all_texts) - len(texts)} synthetic "
          f"= {len(all_texts)} passages, each under its Wikipedia article's title; {args.queries} real claims as "
          f"queries; peak RSS so far {peak_mb():.0f} MB")
    db = Path(tempfile.mkdtemp()) / "scale.duckdb"
    for name, seconds in build_index(all_texts, all_titles, lookup, db, hnsw=args.hnsw).items():
        print(f"build  {name:24} {seconds:8.2f} s")
    print(f"peak RSS after building: {peak_mb():.0f} MB")
    con = connect(db, read_only=True)
    started = time.perf_counter()
    retriever = HybridRetriever(con, dense="hnsw" if args.hnsw else "exact")
    print(f"load passages + vectors into memory: {time.perf_counter() - started:.2f} s, peak RSS {peak_mb():.0f} MB")
    sample = [(c[1], v) for c, v in zip(claims, queries)][: args.queries]
    timings: dict[str, list[float]] = {}

    def timed(name, fn):
        for claim, vector in sample:
            started = time.perf_counter()
            fn(claim, vector)
            timings.setdefault(name, []).append(time.perf_counter() - started)

    timed("BM25 (fts index, numpy)", lambda q, v: retriever.bm25(q, 40))
    timed("BM25 (fts match_bm25, SQL)", lambda q, v: retriever.bm25_sql(q, 40))
    exact = HybridRetriever(con, dense="exact")
    timed("dense exact (numpy scan)", lambda q, v: exact.dense(v, 40))
    timed("hybrid (fts + numpy)", lambda q, v: exact.search(q, v, 10))
    timed("hybrid RRF (fts + numpy)", lambda q, v: exact.search(q, v, 10, mode="rrf"))
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
        index.index(bm25s.tokenize([f"{t} {x}" for t, x in zip(all_titles, all_texts)], stopwords="en", show_progress=False), show_progress=False)
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


def context(args) -> None:
    """What the title context is worth and what would replace its second e5 vector (issue 16): recall@10
    of dense and hybrid (z-score) retrieval with the passages' dense vectors taken as the sentence alone,
    claimflow's context vector, or the sentence vector plus a times the title's vector (one e5 vector
    per distinct title instead of one per passage), re-normalised; and with the claims embedded as e5
    queries (claimflow) or as passages. One index (BM25 over title + sentence) serves every variant:
    only the vectors change."""
    from evidence.retrieve import HybridRetriever
    from store import connect

    corpus = Corpus()
    claims, texts, titles = corpus.claims, corpus.texts, corpus.titles
    contexts = corpus.contexts()
    vectors = embed_cached("passage", texts + contexts)
    sentence, in_context = vectors[:len(texts)], vectors[len(texts):]
    distinct = sorted(set(titles))
    title_vector = dict(zip(distinct, embed_cached("passage", distinct)))
    by_title = np.vstack([title_vector[t] for t in titles])
    statements = [c for _, c, *_ in claims]
    queries = {"query": embed_cached("query", statements), "passage": embed_cached("passage", statements)}
    db = Path(tempfile.mkdtemp()) / "cf.duckdb"
    build_index(texts, titles, dict(zip(texts + contexts, vectors)), db)
    con = connect(db, read_only=True)
    retriever = HybridRetriever(con)
    order = np.array([int(pid[1:]) for pid in retriever.table.ids])  # passage position -> text index

    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    # before issue 16 every passage with a title had "title. sentence", even where the sentence already
    # holds the title ("Global warming is ..." under "Global warming"); claimflow now embeds the sentence alone there
    plain = [" ".join(t.split()) for t in titles]
    always = embed_cached("passage", [f"{t}{'' if t[-1] in '.!?:;' else '.'} {x}" for t, x in zip(plain, texts)])
    variants = {"sentence alone": sentence, "e5('title. sentence')": always, "claimflow's context": in_context}
    for a in (0.2, 0.35, 0.5, 0.75):
        variants[f"sentence + {a} title"] = unit(sentence + a * by_title)
    print(f"Climate-FEVER: {len(claims)} claims, {len(texts)} evidence sentences; recall@10 (all 5 evidence "
          "sentences), all claims / even ids / odd ids (held out)")
    print(f"{'claims as':9} {'passage vectors':24} {'dense':>19} {'hybrid z-score':>21}")
    for kind, Q in queries.items():
        for name, V in variants.items():
            retriever.table.vectors = np.ascontiguousarray(V[order], dtype=np.float32)
            cells = []
            for mode in ("dense", "zscore"):
                rows = np.array([(cid % 2, len(relevant & {order[i] for i, _ in retriever.search(claim, q, 10, mode=mode)})
                                  / len(relevant)) for (cid, claim, relevant, _), q in zip(claims, Q)])
                cells.append(f"{rows[:, 1].mean():.3f} {rows[rows[:, 0] == 0, 1].mean():.3f} "
                             f"{rows[rows[:, 0] == 1, 1].mean():.3f}")
            print(f"{kind:9} {name:24} {cells[0]:>19} {cells[1]:>21}", flush=True)
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="retrieval benchmarks")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("quality")
    s = sub.add_parser("scale")
    s.add_argument("--passages", type=int, default=100_000)
    s.add_argument("--queries", type=int, default=200)
    s.add_argument("--hnsw", action="store_true", help="also build and query the HNSW index (minutes)")
    sub.add_parser("multilingual")
    sub.add_parser("oracle")
    sub.add_parser("context")
    args = parser.parse_args()
    {"quality": quality, "scale": scale, "multilingual": multilingual, "oracle": oracle,
     "context": context}[args.command](args)


if __name__ == "__main__":
    main()
