"""Source independence: syndicated copies and reprinted quotes are one voice, not several.

1. Each new passage is compared with the passages of other documents: a near-duplicate has almost
   the same words (Jaccard >= 0.8 over lower-cased word sets) and almost the same meaning (e5
   cosine >= 0.9). It records `passages.duplicate_of`, the earliest such passage.
2. Two documents are copies of one another when at least half of the shorter one's passages
   duplicate passages of the other (and at least two do).
3. Groups are the connected components of "copy of" and "same outlet"; `source_groups` stores each
   document's group, and verdicts count each group once."""
from __future__ import annotations

import re
from collections import defaultdict

import duckdb
import numpy as np

from evidence.retrieve import PassageTable

JACCARD = 0.8
COSINE = 0.9
SHARE = 0.5
_WORD = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def link_duplicates(con: duckdb.DuckDBPyConnection, new_ids: set[str]) -> int:
    """Set `duplicate_of` for the new passages; returns how many were linked."""
    if not new_ids:
        return 0
    table = PassageTable.load(con)
    new = [i for i, pid in enumerate(table.ids) if pid in new_ids]
    if not new:
        return 0
    sims = table.vectors[new] @ table.vectors.T
    words = {}
    links: set[tuple[str, str]] = set()
    latest = np.datetime64("9999-12-31", "us")

    def key(i: int) -> tuple:  # who came first: the earlier date, an unknown date counts as latest
        published = table.published[i]
        return (latest if np.isnat(published) else published, table.ids[i])

    for row, i in enumerate(new):
        candidates = np.nonzero(sims[row] >= COSINE)[0]
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
    for pid, original in sorted(links):
        con.execute("UPDATE passages SET duplicate_of = ? WHERE passage_id = ? AND duplicate_of IS NULL",
                    [original, pid])
    return len(links)


def group_sources(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, str]:
    """Recompute `source_groups` from duplicate links and outlets; returns doc_id -> group_id."""
    docs = con.execute("SELECT doc_id, lower(trim(source)) FROM documents ORDER BY doc_id").fetchall()
    parent = {doc_id: doc_id for doc_id, _ in docs}
    reason = {doc_id: "own" for doc_id, _ in docs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str, why: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
        for d in (a, b):
            if reason[d] == "own" or why == "syndicated copy":
                reason[d] = why

    by_outlet = defaultdict(list)
    for doc_id, source in docs:
        if source:
            by_outlet[source].append(doc_id)
    for members in by_outlet.values():
        for other in members[1:]:
            union(members[0], other, "same outlet")
    sizes = dict(con.execute("SELECT doc_id, count(*) FROM passages GROUP BY doc_id").fetchall())
    shared = con.execute(
        "SELECT p.doc_id, o.doc_id, count(*) FROM passages p JOIN passages o ON p.duplicate_of = o.passage_id"
        " WHERE p.doc_id <> o.doc_id GROUP BY 1, 2"
    ).fetchall()
    pairs = defaultdict(int)
    for a, b, n in shared:
        pairs[tuple(sorted((a, b)))] += n
    for (a, b), n in pairs.items():
        if n >= 2 and n >= SHARE * min(sizes.get(a, 0), sizes.get(b, 0)):
            union(a, b, "syndicated copy")
    groups = {doc_id: find(doc_id) for doc_id, _ in docs}
    con.execute("DELETE FROM source_groups")
    if groups:
        con.executemany("INSERT INTO source_groups VALUES (?, ?, ?, ?)",
                        [[d, g, reason[d], run_id] for d, g in groups.items()])
    return groups
