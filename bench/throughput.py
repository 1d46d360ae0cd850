"""Throughput of the whole pipeline against its floor, on real news (issue 16).

    .venv/bin/python bench/throughput.py [--items 1000 5000] [--articles 200] [--judge model|cue]
                                         [--e2e] [--out /tmp/claimflow-throughput]

Corpora, read from ../shared/datasets at run time (never copied into the repository):
- items: the first N of a fixed random sample (seed 0) of ruwa_dev.jsonl, title plus a short
  description each (real news feeds, about 2 sentences an item);
- articles: N whole article bodies of FNC-1's test set (real news, a few thousand characters each).

For each corpus, in this one process and into a fresh database: the five stage functions the flow
wraps (claimflow/pipeline.py: ingest, extract, index, judge, record), each timed, with the embedder
counted (texts and characters it was asked to encode); then the floor over the same texts: one
spaCy `nlp.pipe` pass over the documents' prose paragraphs and one e5 pass over the distinct passage
sentences the run stored. Prints items a minute, sentences a second, peak RSS, the ratio of the run
to the floor, each stage's share, and, with two item sizes, the growth exponent of time against
corpus size (log t2/t1 over log n2/n1). `--judge cue` swaps the learned judge (cross-encoder + cues,
the default) for the cue analysis alone, so the learned judge's share can be read off. `--e2e` also
times `claimflow run` as a user runs it (its own process, Prefect's temporary server included).
Runs are single-process; thread counts are whatever the libraries choose (see the README)."""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"
STAGES = ("ingest", "extract", "index", "judge", "record")


def items(n: int) -> list[dict]:
    from incremental import sample  # bench/incremental.py: the same fixed sample (seed 0)

    rows = sample(n)
    if len(rows) < n:
        sys.exit(f"ruwa_dev.jsonl has {len(rows)} distinct items, fewer than {n}")
    return rows


def articles(n: int) -> list[dict]:
    csv.field_size_limit(10_000_000)
    with (DATASETS / "fnc1_test_bodies.csv").open(newline="", encoding="utf-8") as f:
        rows = [{"id": f"fnc1-{r['Body ID']}", "text": r["articleBody"]} for r in csv.DictReader(f)]
    return rows[:n]


class CountingEmbedder:
    """The engine's embedder, counting what it is asked to encode."""

    def __init__(self, inner) -> None:
        self.inner, self.name = inner, inner.name
        self.texts = self.chars = 0
        self.seconds = 0.0

    def _count(self, method, texts):
        self.texts += len(texts)
        self.chars += sum(map(len, texts))
        started = time.perf_counter()
        try:
            return method(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def passages(self, texts):
        return self._count(self.inner.passages, list(texts))

    def queries(self, texts):
        return self._count(self.inner.queries, list(texts))


def pipeline_run(source: Path, db: Path, judge: str) -> dict:
    from claimflow import pipeline
    from claimflow.engines import resolve_engine
    from store import connect
    from store.writer import Writer

    engine = resolve_engine("local")
    if judge == "cue":
        from evidence.judge import CueJudge

        engine.judge = CueJudge()
    embedder = CountingEmbedder(engine.embedder)
    engine.embedder = embedder
    con = connect(db)
    writer = Writer(con)
    writer.start_run("bench", None, engine.spec, engine.extractor.name, engine.judge.name, [str(source)],
                     embedder=embedder.name)
    times: dict[str, float] = {}

    def timed(stage, call):
        started = time.perf_counter()
        out = call()
        times[stage] = time.perf_counter() - started
        return out

    timed("ingest", lambda: pipeline.ingest(writer, [str(source)], "bench"))
    extracted = timed("extract", lambda: pipeline.extract(con, engine, writer.pending_documents(engine.extractor.name)))
    timed("index", lambda: pipeline.index(writer, engine, extracted, "bench"))
    judged = timed("judge", lambda: pipeline.judge_corpus(writer, engine))
    timed("record", lambda: pipeline.record(writer, judged, "bench", engine.judge.name))
    counts = dict(zip(("documents", "claims", "passages", "distinct_passages", "check_worthy"), con.execute(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM claims), (SELECT count(*) FROM passages), "
        "(SELECT count(DISTINCT text) FROM passages), (SELECT count(*) FROM claims WHERE checkworthy)").fetchone()))
    passages = [t for (t,) in con.execute("SELECT DISTINCT text FROM passages").fetchall()]
    con.close()
    return {"times": times, "counts": counts, "embedded_texts": embedder.texts, "embedded_chars": embedder.chars,
            "embed_seconds": embedder.seconds, "passages": passages, "documents": extracted.documents}


def floor(documents, passages: list[str]) -> dict:
    """One spaCy pass over the prose paragraphs and one e5 pass over the distinct passage sentences."""
    from datetime import date

    from claims.nlp import get_nlp
    from evidence.embed import LocalEmbedder
    from ingest.layout import read_layout

    nlp = get_nlp()
    paragraphs = [p.text for d in documents for p in read_layout(d.text, date.today()).prose]
    started = time.perf_counter()
    sentences = sum(len(list(doc.sents)) for doc in nlp.pipe(paragraphs, batch_size=64))
    spacy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    LocalEmbedder().passages(passages)
    e5_seconds = time.perf_counter() - started
    return {"sentences": sentences, "spacy": spacy_seconds, "e5": e5_seconds,
            "passage_chars": sum(map(len, passages))}


def e2e(source: Path, db: Path) -> float:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    started = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "claimflow"), "run", str(source), "--db", str(db), "-q"],
                          env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"claimflow run failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def measure(name: str, rows: list[dict], out: Path, judge: str, with_e2e: bool) -> dict:
    folder = out / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = folder / f"{name}.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    run = pipeline_run(source, folder / "run.duckdb", judge)
    base = floor(run["documents"], run["passages"])
    total = sum(run["times"].values())
    base_total = base["spacy"] + base["e5"]
    counts = run["counts"]
    print(f"\n{name}: {counts['documents']:,} documents, {base['sentences']:,} prose sentences, "
          f"{counts['claims']:,} claims ({counts['check_worthy']:,} check-worthy), {counts['passages']:,} passages "
          f"({counts['distinct_passages']:,} distinct)")
    print(f"  pipeline {total:.1f} s: {counts['documents'] / total * 60:,.0f} documents/min, "
          f"{base['sentences'] / total:,.1f} sentences/s")
    print("  stages: " + ", ".join(f"{s} {run['times'][s]:.1f} s ({run['times'][s] / total:.0%})" for s in STAGES))
    print(f"  e5 inside the run: {run['embed_seconds']:.1f} s ({run['embed_seconds'] / total:.0%}), "
          f"{run['embedded_texts']:,} texts, {run['embedded_chars'] / max(base['passage_chars'], 1):.1f}x the "
          "characters of one pass over the distinct passages")
    print(f"  floor {base_total:.1f} s (spaCy {base['spacy']:.1f} s + e5 {base['e5']:.1f} s): "
          f"the run costs {total / base_total:.2f}x its floor")
    result = {"name": name, "n": len(rows), "seconds": total, "floor": base_total, **counts}
    if with_e2e:
        seconds = e2e(source, folder / "e2e.duckdb")
        print(f"  claimflow run (own process, Prefect included): {seconds:.1f} s, "
              f"{counts['documents'] / seconds * 60:,.0f} documents/min")
        result["e2e"] = seconds
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, nargs="*", default=[1000, 5000], help="ruwa item counts (0 or more)")
    parser.add_argument("--articles", type=int, default=200, help="FNC-1 article bodies (0: none)")
    parser.add_argument("--judge", choices=["model", "cue"], default="model")
    parser.add_argument("--e2e", action="store_true", help="also time `claimflow run` in its own process")
    parser.add_argument("--out", type=Path, default=Path("/tmp/claimflow-throughput"))
    args = parser.parse_args()
    if not DATASETS.exists():
        sys.exit(f"{DATASETS} is absent: this benchmark reads real news from ../shared/datasets")
    print(f"judge: {args.judge}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}; "
          f"{os.cpu_count()} cores")
    results = [measure(f"items-{n}", items(n), args.out, args.judge, args.e2e) for n in sorted(args.items)]
    if args.articles:
        results.append(measure(f"articles-{args.articles}", articles(args.articles), args.out, args.judge, args.e2e))
    sized = [r for r in results if r["name"].startswith("items-")]
    if len(sized) >= 2:
        a, b = sized[0], sized[-1]
        exponent = math.log(b["seconds"] / a["seconds"]) / math.log(b["n"] / a["n"])
        print(f"\ngrowth exponent of time, {a['n']:,} -> {b['n']:,} items: {exponent:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
