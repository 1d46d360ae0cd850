"""Scoring a claimflow database against a hand-written answer key (examples/answer_key.json).

A key entry names a document (file name, or JSONL id) and an exact text; it matches a claim of that
document when their spans overlap by at least half of the shorter one."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass
class KeyReport:
    contradictions_found: list[str] = field(default_factory=list)
    contradictions_missed: list[str] = field(default_factory=list)
    wrong_kind: list[str] = field(default_factory=list)
    hard_negatives_violated: list[str] = field(default_factory=list)
    verdicts_right: list[str] = field(default_factory=list)
    verdicts_wrong: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    def summary(self) -> str:
        n_c = len(self.contradictions_found) + len(self.contradictions_missed) + len(self.wrong_kind)
        n_v = len(self.verdicts_right) + len(self.verdicts_wrong)
        return (f"contradictions {len(self.contradictions_found)}/{n_c} found with the right kind; "
                f"hard negatives violated {len(self.hard_negatives_violated)}; "
                f"verdicts {len(self.verdicts_right)}/{n_v} right")


def _claims(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, int, int]]]:
    rows = con.execute(
        "SELECT d.doc_id, d.origin, c.claim_id, c.char_start, c.char_end, d.text FROM claims c JOIN documents d USING (doc_id)"
    ).fetchall()
    out: dict[str, list[tuple[str, int, int]]] = {}
    for doc_id, origin, claim_id, start, end, _ in rows:
        for name in {doc_id, Path(origin.split(":")[0].split("#")[0]).name}:
            out.setdefault(name, []).append((claim_id, start, end))
    return out


def locate(con: duckdb.DuckDBPyConnection, entry: dict, claims: dict | None = None) -> str | None:
    """The claim_id matching a key entry {"doc", "text"}, or None."""
    claims = claims if claims is not None else _claims(con)
    doc_rows = con.execute(
        "SELECT doc_id, text FROM documents WHERE doc_id = ? OR origin LIKE ?", [entry["doc"], f"%/{entry['doc']}"]
    ).fetchall()
    for doc_id, text in doc_rows:
        start = text.find(entry["text"])
        if start < 0:
            continue
        end = start + len(entry["text"])
        best, best_overlap = None, 0.0
        for claim_id, s, e in claims.get(doc_id, []):
            overlap = max(0, min(e, end) - max(s, start)) / max(1, min(e - s, end - start))
            if overlap > best_overlap:
                best, best_overlap = claim_id, overlap
        if best_overlap >= 0.5:
            return best
    return None


def score(db: str | Path, key_path: str | Path) -> KeyReport:
    key = json.loads(Path(key_path).read_text())
    con = duckdb.connect(str(db), read_only=True)
    try:
        claims = _claims(con)
        pairs = {}
        for a, b, kind in con.execute("SELECT claim_id_a, coalesce(claim_id_b, ''), kind FROM contradictions").fetchall():
            pairs.setdefault(frozenset((a, b)), set()).add(kind)
        verdicts = dict(con.execute("SELECT claim_id, verdict FROM verdicts").fetchall())
        report = KeyReport()
        for item in key["contradictions"]:
            label = f"{item['kind']}: {item['a']['text']!r} / {(item['b'] or {}).get('text')!r}"
            a = locate(con, item["a"], claims)
            b = locate(con, item["b"], claims) if item.get("b") else ""
            if a is None or b is None:
                report.unmatched.append(label)
                report.contradictions_missed.append(label)
                continue
            kinds = pairs.get(frozenset((a, b)), set())
            if item["kind"] in kinds or (item["kind"] == "any" and kinds):  # "any": the gold does not type it
                report.contradictions_found.append(label)
            elif kinds:
                report.wrong_kind.append(f"{label} recorded as {sorted(kinds)}")
            else:
                report.contradictions_missed.append(label)
        for item in key["hard_negatives"]:
            a, b = locate(con, item["a"], claims), locate(con, item["b"], claims)
            if a and b and frozenset((a, b)) in pairs:
                report.hard_negatives_violated.append(
                    f"{item['a']['text']!r} / {item['b']['text']!r}: {sorted(pairs[frozenset((a, b))])}")
        for item in key["verdicts"]:
            label = f"{item['verdict']}: {item['text']!r}"
            claim_id = locate(con, item, claims)
            got = verdicts.get(claim_id) if claim_id else None
            if claim_id is None:
                report.unmatched.append(label)
            (report.verdicts_right if got == item["verdict"] else report.verdicts_wrong).append(f"{label} got {got}")
        return report
    finally:
        con.close()


@dataclass
class ExtractionScore:
    predicted: int
    gold: int
    matched: int
    checkworthy_agree: int
    checkworthy_confusion: dict[str, int] = field(default_factory=lambda: {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    def summary(self) -> str:
        m = self.checkworthy_confusion
        p = m["tp"] / (m["tp"] + m["fp"]) if m["tp"] + m["fp"] else 0.0
        r = m["tp"] / (m["tp"] + m["fn"]) if m["tp"] + m["fn"] else 0.0
        return (f"extraction vs gold: precision {self.precision:.3f} ({self.matched}/{self.predicted}), "
                f"recall {self.recall:.3f} ({self.matched}/{self.gold}); check-worthy label agrees on "
                f"{self.checkworthy_agree}/{self.matched} matched claims (check-worthy class: precision "
                f"{p:.2f}, recall {r:.2f})")


def _speaker_key(name: str | None) -> str:
    if not name:
        return ""
    words = name.lower().split()
    return " ".join(words[1:] if words and words[0] == "the" else words)


def score_extraction(corpus: str | Path, gold_path: str | Path, extractor=None) -> ExtractionScore:
    """Span-level precision and recall of extracted claims against a gold JSONL file.

    A predicted claim matches a gold one of the same document when their spans overlap by at least
    half of the longer span and speaker and polarity agree (one-to-one, best overlap first)."""
    from claims.local import LocalExtractor
    from ingest import Document, read_sources

    docs = [d for d in read_sources([corpus]) if isinstance(d, Document)]
    extractor = extractor or LocalExtractor()
    results = {r.doc_id: r for r in extractor.extract(docs)}
    names = {}
    for d in docs:
        names[d.doc_id] = d
        names[Path(d.origin.split(":")[0].split("#")[0]).name] = d
    gold = [json.loads(line) for line in Path(gold_path).read_text().splitlines() if line.strip()]
    score = ExtractionScore(predicted=sum(len(r.claims) for r in results.values()), gold=len(gold), matched=0,
                            checkworthy_agree=0)
    candidates = []
    for gi, g in enumerate(gold):
        doc = names[g["doc"]]
        start = doc.text.find(g["text"])
        if start < 0:
            raise ValueError(f"gold text not in {g['doc']}: {g['text']!r}")
        end = start + len(g["text"])
        for c in results[doc.doc_id].claims:
            overlap = max(0, min(end, c.char_end) - max(start, c.char_start))
            if overlap >= 0.5 * max(end - start, c.char_end - c.char_start) \
                    and _speaker_key(c.speaker) == _speaker_key(g["speaker"]) and c.polarity == g["polarity"]:
                candidates.append((overlap / max(end - start, c.char_end - c.char_start), gi, c))
    used_gold, used_pred = set(), set()
    for _, gi, c in sorted(candidates, key=lambda x: -x[0]):
        if gi in used_gold or c.claim_id in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(c.claim_id)
        score.matched += 1
        score.checkworthy_agree += c.checkworthy == gold[gi]["checkworthy"]
        cell = ("t" if c.checkworthy == gold[gi]["checkworthy"] else "f") + ("p" if c.checkworthy else "n")
        score.checkworthy_confusion[cell] += 1
    score.misses = [f"{g['doc']}: [{g['speaker']}|{g['polarity']}] {g['text']}" for gi, g in enumerate(gold)
                    if gi not in used_gold]
    score.extras = [f"{r.doc_id}: [{c.speaker}|{c.polarity}] {c.text}" for r in results.values() for c in r.claims
                    if c.claim_id not in used_pred]
    return score
