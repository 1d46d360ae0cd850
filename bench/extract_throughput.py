"""Extraction throughput against its floor, a plain spaCy `nlp.pipe` over the same paragraphs.

    .venv/bin/python bench/extract_throughput.py [--docs 300]

Corpus: news-style documents built from the Climate-FEVER evidence sentences (read from
../shared/datasets at run time; 6 sentences per document, a paragraph break every 2 sentences, a
quoted-speaker paragraph every third document) plus the bundled sample corpus. Both passes run
single-process on the same text, in the same process, after a warm-up."""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "climate_fever.jsonl"


def documents(limit: int):
    from ingest import Document, read_sources
    from ingest.models import content_hash

    docs = [d for d in read_sources([ROOT / "examples" / "corpus"]) if isinstance(d, Document)]
    if not DATA.exists():
        print(f"note: {DATA} absent; measuring on the sample corpus only")
        return docs
    sentences = []
    for line in DATA.read_text().splitlines():
        for ev in json.loads(line)["evidences"]:
            sentences.append(ev["evidence"].strip())
    for i in range(limit):
        chunk = sentences[i * 6 : i * 6 + 6]
        if len(chunk) < 6:
            break
        paragraphs = [" ".join(chunk[j : j + 2]) for j in range(0, 6, 2)]
        if i % 3 == 0:
            paragraphs[1] = f'"{paragraphs[1]}," the researcher said.'
        text = "\n\n".join(paragraphs)
        docs.append(Document(doc_id=f"b{i}", text=text, origin="bench", content_hash=content_hash(text),
                             published_at=datetime(2020, 1, 1)))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=300)
    args = parser.parse_args()
    from datetime import date

    from claims.local import LocalExtractor
    from claims.nlp import get_nlp
    from ingest.layout import read_layout

    docs = documents(args.docs)
    nlp = get_nlp()
    paragraphs = [p.text for d in docs for p in read_layout(d.text, date.today()).prose]
    extractor = LocalExtractor()
    extractor.extract(docs[:5])  # warm-up
    list(nlp.pipe(paragraphs[:20]))

    started = time.perf_counter()
    n_sentences = sum(len(list(doc.sents)) for doc in nlp.pipe(paragraphs, batch_size=64))
    floor = time.perf_counter() - started

    started = time.perf_counter()
    results = extractor.extract(docs)
    elapsed = time.perf_counter() - started

    n_claims = sum(len(r.claims) for r in results)
    print(f"{len(docs)} documents, {len(paragraphs)} paragraphs, {n_sentences} sentences, {n_claims} claims")
    print(f"spaCy nlp.pipe (floor): {floor:.2f} s, {n_sentences / floor:.0f} sentences/s")
    print(f"claimflow extraction:   {elapsed:.2f} s, {n_sentences / elapsed:.0f} sentences/s")
    print(f"cost relative to the floor: {elapsed / floor:.2f}x")


if __name__ == "__main__":
    main()
