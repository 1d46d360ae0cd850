"""A verdict per check-worthy claim from its judged evidence, counting independent sources.

Each source (a source group: an outlet with its syndicated copies; a document without an outlet is
its own source) contributes its strongest supporting and its strongest refuting passage once, so five
reprints of one wire story are one voice. The claim's own source cannot support it (a reprint repeating
a claim is not evidence), and its refutations weigh half (a document that contradicts itself is
worth knowing). A passage in which the claim's own speaker says it again is not support either:
that someone said a thing is not evidence for it."""
from __future__ import annotations

from collections.abc import Sequence

from claims.models import Claim
from evidence.models import EvidenceRow
from verdicts.contradictions import claims_in_passage
from verdicts.models import ClaimVerdict

# A side (support, refutation) counts when the chance that at least one independent source really
# takes it, from the judge's calibrated probabilities, reaches THRESHOLD: more likely than not.
# `bench/verdict_threshold.py` sweeps it over Climate-FEVER's claim labels with the local judge: flat
# (claim macro-F1 0.204 at 0.3, 0.209 at 0.5, 0.214 at 0.7), so the sweep does not overrule 0.5.
THRESHOLD = 0.5
SAME_SOURCE_WEIGHT = 0.5


def combine(scores: Sequence[float]) -> float:
    """The probability that at least one of independent sources is right (noisy-OR)."""
    remaining = 1.0
    for s in scores:
        remaining *= 1.0 - s
    return 1.0 - remaining


def label(support: float, refute: float, threshold: float = THRESHOLD) -> str:
    """supported / refuted / disputed / unverified from the combined support and refutation."""
    if support >= threshold and refute >= threshold:
        return "disputed"
    if support >= threshold:
        return "supported"
    return "refuted" if refute >= threshold else "unverified"


def decide(claim: Claim, rows: Sequence[EvidenceRow], source_of: dict[str, str],
           claims_by_doc: dict[str, list[Claim]]) -> ClaimVerdict:
    best: dict[str, dict[str, tuple[float, EvidenceRow]]] = {"supports": {}, "refutes": {}}
    own_source = source_of.get(claim.doc_id, claim.doc_id)
    for row in rows:
        stance = row.judgement.stance
        if stance == "neutral" or (stance == "refutes" and row.judgement.kind is None and row.judgement.cue == "model"):
            continue  # an untyped model refutation (another fact about the same event, most often) decides nothing
        source = source_of.get(row.hit.doc_id, row.hit.doc_id)
        same_source = row.hit.same_document or source == own_source
        if stance == "supports" and same_source:
            continue  # a reprint or the article itself repeating a claim is not support
        if stance == "supports" and claim.speaker and any(
                c.speaker == claim.speaker for c in claims_in_passage(claims_by_doc, row)):
            continue
        weight = SAME_SOURCE_WEIGHT if same_source else 1.0
        score = row.judgement.score * weight
        if score > best[stance].get(source, (0.0, row))[0]:
            best[stance][source] = (score, row)
    support = combine([s for s, _ in best["supports"].values()])
    refute = combine([s for s, _ in best["refutes"].values()])

    def cite(stance: str) -> str:
        items = sorted(best[stance].items(), key=lambda x: -x[1][0])
        return "; ".join(f"{src} (passage {row.hit.passage_id}, {row.judgement.cue}: "
                         f"{row.hit.text[:90]!r})" for src, (_, row) in items)

    n_sup, n_ref = len(best["supports"]), len(best["refutes"])
    verdict = label(support, refute)
    if verdict == "disputed":
        confidence = min(support, refute) / max(support, refute)
        rationale = f"supported by {n_sup} source(s): {cite('supports')}; refuted by {n_ref}: {cite('refutes')}"
    elif verdict == "supported":
        confidence = support
        rationale = f"supported by {n_sup} independent source(s), none refutes: {cite('supports')}"
    elif verdict == "refuted":
        confidence = refute
        rationale = f"refuted by {n_ref} source(s), none supports: {cite('refutes')}"
    else:
        confidence = 0.8 if not rows else 0.6
        rationale = ("no passage elsewhere in the corpus is about this claim" if not rows else
                     f"{len(rows)} passage(s) retrieved, none supports or refutes it")
    return ClaimVerdict(
        claim_id=claim.claim_id, verdict=verdict, confidence=round(min(max(confidence, 0.05), 0.99), 4),
        rationale=rationale, n_supporting_sources=n_sup, n_refuting_sources=n_ref,
    )


def decide_all(claims: Sequence[Claim], evidence: Sequence[EvidenceRow], source_of: dict[str, str],
               all_claims: Sequence[Claim]) -> list[ClaimVerdict]:
    by_claim: dict[str, list[EvidenceRow]] = {}
    for row in evidence:
        by_claim.setdefault(row.claim_id, []).append(row)
    by_doc: dict[str, list[Claim]] = {}
    for c in all_claims:
        by_doc.setdefault(c.doc_id, []).append(c)
    return [decide(c, by_claim.get(c.claim_id, []), source_of, by_doc) for c in claims]
