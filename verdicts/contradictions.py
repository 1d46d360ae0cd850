"""Contradictions between claims: pairs found through retrieval (never all pairs), typed by the judge."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from claims.models import Claim
from evidence.models import EvidenceRow, Judgement
from verdicts.events import Account, relate, reported_at
from verdicts.models import Change, Contradiction, change_id_for, contradiction_id_for


def claims_in_passage(claims_by_doc: dict[str, list[Claim]], row: EvidenceRow) -> list[Claim]:
    hit = row.hit
    return [c for c in claims_by_doc.get(hit.doc_id, []) if c.char_start < hit.char_end and hit.char_start < c.char_end]


def same_form(a: Claim, b: Claim, dated: set[str] | None) -> tuple[str, str]:
    """The two claims as the judge reads them: their statements (relative dates made absolute), or,
    when only one of the two documents has a date, the dated one as written, so that both say "on
    Wednesday" rather than one "on Wednesday" and the other "on 4 March 2026"."""
    if dated is None or (a.doc_id in dated) == (b.doc_id in dated):
        return a.statement, b.statement
    return (a.text if a.doc_id in dated else a.statement), (b.text if b.doc_id in dated else b.statement)


def account(claim: Claim, text: str, times: dict[str, datetime | None]) -> Account:
    """A claim as one side of a conflict (verdicts/events.py): when it was reported, what it names."""
    return Account(text=text, reported=reported_at(claim.text, times.get(claim.doc_id)),
                   names=frozenset(claim.entities), figures=tuple(claim.numbers))


def find_contradictions(claims: Sequence[Claim], evidence: Sequence[EvidenceRow], judge,
                        failed: list[tuple[Claim, Claim, str]] | None = None,
                        dated: set[str] | None = None, times: dict[str, datetime | None] | None = None,
                        changes: list[Change] | None = None) -> list[Contradiction]:
    """Judge each claim against the claims inside its refuting evidence passages. Pairs the judge
    could not judge (a JudgeFailure) are appended to ``failed``, never taken as "no contradiction".
    `dated`: the documents with a publication date (see `same_form`); None reads every statement.
    `times`: each document's time of report; a typed conflict between two claims of different events
    or time frames is dropped, and one that is a later, higher count is appended to `changes`
    (verdicts/events.py)."""
    times = times or {}
    by_id = {c.claim_id: c for c in claims}
    by_doc: dict[str, list[Claim]] = {}
    for c in claims:
        by_doc.setdefault(c.doc_id, []).append(c)
    pairs: list[tuple[Claim, Claim]] = []
    seen: set[tuple[str, str]] = set()
    for row in evidence:
        if row.judgement.stance != "refutes" and row.judgement.cue != "change over time":
            continue  # (a passage that updates the claim's count is judged claim to claim, to record the change)
        a = by_id[row.claim_id]
        for b in claims_in_passage(by_doc, row):
            key = tuple(sorted((a.claim_id, b.claim_id)))
            if b.claim_id != a.claim_id and key not in seen:
                seen.add(key)
                pairs.append((a, b))
    read = [same_form(a, b, dated) for a, b in pairs]
    judgements: list[Judgement] = judge.judge(read)
    found: dict[str, Contradiction] = {}
    for (a, b), (text_a, text_b), j in zip(pairs, read, judgements):
        if not isinstance(j, Judgement):
            if failed is not None:
                failed.append((a, b, j.reason))
            continue
        if j.stance != "refutes" or j.kind is None:
            continue
        relation, why = relate(j.kind, account(a, text_a, times), account(b, text_b, times))
        if relation == "change" and changes is not None:
            earlier, later = sorted((a, b), key=lambda c: (reported_at(c.text, times.get(c.doc_id)) or datetime.min,
                                                           max(c.numbers or [0.0])))
            changes.append(Change(change_id=change_id_for(earlier.claim_id, later.claim_id),
                                  claim_id_earlier=earlier.claim_id, claim_id_later=later.claim_id, explanation=why,
                                  speaker_earlier=earlier.speaker, speaker_later=later.speaker))
        if relation != "conflict":
            continue
        first, second = sorted((a, b), key=lambda c: (c.doc_id, c.char_start))
        cid = contradiction_id_for(first.claim_id, second.claim_id, j.kind)
        found[cid] = Contradiction(
            contradiction_id=cid, claim_id_a=first.claim_id, claim_id_b=second.claim_id, kind=j.kind,
            score=round(j.score, 4), explanation=j.rationale, speaker_a=first.speaker, speaker_b=second.speaker,
            same_document=first.doc_id == second.doc_id,
        )
    return sorted(found.values(), key=lambda x: x.contradiction_id)
