"""Source independence: syndicated copies and reprinted quotes are one voice, not several.

1. Each new passage is compared with the passages of other documents: a near-duplicate has almost
   the same words (Jaccard >= 0.8 over lower-cased word sets) and almost the same meaning (e5
   cosine >= 0.9). It records `passages.duplicate_of`, the earliest such passage.
2. A document is a syndicated copy of an earlier one when at least half of the shorter one's passages
   duplicate passages of the other (and at least two do, each of COPY_MIN_WORDS words or more: shared
   boilerplate or one reprinted quote never makes a copy).
3. Each outlet is one source. A syndicated copy joins the source of the document it copies (following
   copies of copies back to the first), never that whole outlet's other documents with it: there is
   no transitive merge of outlets. A document without an outlet is its own source. `source_groups`
   stores each document's source (the outlet's name, lower case, or the document id), and verdicts
   count each source once."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

import duckdb
import numpy as np

from evidence.retrieve import PassageTable

JACCARD = 0.8
COSINE = 0.9
SHARE = 0.5
COPY_MIN_WORDS = 6
CHUNK = 2048  # new passages compared with the whole index at once
_WORD = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def find_duplicates(con: duckdb.DuckDBPyConnection, new_ids: set[str]) -> set[tuple[str, str]]:
    """The (passage, earlier passage it repeats) links that the new passages make, for
    `passages.duplicate_of` (store.writer.Writer.link_duplicates writes them). Reads only."""
    if not new_ids:
        return set()
    table = PassageTable.load(con)
    new = [i for i, pid in enumerate(table.ids) if pid in new_ids]
    if not new:
        return set()
    words = {}
    links: set[tuple[str, str]] = set()
    latest = np.datetime64("9999-12-31", "us")

    def key(i: int) -> tuple:  # who came first: the earlier date, an unknown date counts as latest
        published = table.published[i]
        return (latest if np.isnat(published) else published, table.ids[i])

    candidates_of = {}
    for first in range(0, len(new), CHUNK):  # new x all similarities, a block at a time (bounded memory)
        block = new[first:first + CHUNK]
        sims = table.vectors[block] @ table.vectors.T
        for row, i in enumerate(block):
            candidates_of[i] = np.nonzero(sims[row] >= COSINE)[0]
    for i in new:
        candidates = candidates_of[i]
        best = None
        for j in candidates:
            if table.doc_ids[j] == table.doc_ids[i]:
                continue
            wi = words.setdefault(i, _words(table.texts[i]))
            wj = words.setdefault(int(j), _words(table.texts[j]))
            if len(wi & wj) / max(1, len(wi | wj)) >= JACCARD:
                if best is None or key(int(j)) < best[0]:
                    best = (key(int(j)), table.ids[j])
        if best is not None and key(i) > best[0]:
            links.add((table.ids[i], best[1]))
        elif best is not None:  # the new passage is the earlier one: the other points at it
            links.add((best[1], table.ids[i]))
    return links


def source_groups(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """Each document's source from outlets and syndicated copies: doc_id -> (source, "own" or
    "syndicated copy"), for `source_groups` (store.writer.Writer.save_source_groups). Reads only."""
    docs = con.execute("SELECT doc_id, lower(trim(source)), published_at FROM documents ORDER BY doc_id").fetchall()
    own = {doc_id: outlet or doc_id for doc_id, outlet, _ in docs}
    latest = datetime.max
    order = {doc_id: (published or latest, doc_id) for doc_id, _, published in docs}
    sizes = dict(con.execute("SELECT doc_id, count(*) FROM passages GROUP BY doc_id").fetchall())
    shared = con.execute(
        "SELECT p.doc_id, o.doc_id, count(*) FROM passages p JOIN passages o ON p.duplicate_of = o.passage_id"
        " WHERE p.doc_id <> o.doc_id AND len(string_split(trim(p.text), ' ')) >= ? GROUP BY 1, 2",
        [COPY_MIN_WORDS]).fetchall()
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, n in shared:
        pairs[tuple(sorted((a, b)))] += n
    copy_of: dict[str, str] = {}
    for (a, b), n in sorted(pairs.items()):
        if n >= 2 and n >= SHARE * min(sizes.get(a, 0), sizes.get(b, 0)) and own[a] != own[b]:
            first, copy = sorted((a, b), key=order.__getitem__)
            if copy not in copy_of or order[first] < order[copy_of[copy]]:
                copy_of[copy] = first

    def original(doc_id: str) -> str:
        while doc_id in copy_of:  # copies point at earlier documents: no cycles
            doc_id = copy_of[doc_id]
        return doc_id

    return {doc_id: (own[original(doc_id)], "syndicated copy" if doc_id in copy_of else "own") for doc_id in own}
