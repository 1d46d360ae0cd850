"""A verdict per check-worthy claim from its judged evidence, counting independent voices.

A passage speaks with a voice: the speaker it reports ("Russia says ...", "..., the governor said"),
or, when it reports nobody, its outlet (a source group: an outlet, with the syndicated copies that
reprint it). Each voice contributes its strongest supporting and its strongest refuting passage
once, so five outlets reporting "Russia says X" are one voice, Russia's, and five reprints of one wire
story are one voice too.

That someone says a thing is evidence that they say it, never that it is true: the claim's own voice
(its speaker, or its own outlet) never supports it, however many outlets repeat it; it only shows that
the speaker holds the claim. A claim that other outlets, too, report its speaker holding, and that
another voice refutes, is `disputed` between them, not `refuted`: a party's position against another
account, and so is a claim that only other accounts of the event contradict (verdicts/accounts.py:
another party did it, it was staged). A speaker's claim heard once and contradicted by an outlet's own
report is `refuted`. Refutations from the claim's own outlet weigh half (a document that contradicts
itself is worth knowing)."""
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


def voice_of(row: EvidenceRow, source_of: dict[str, str], claims_by_doc: dict[str, list[Claim]]) -> str:
    """Who speaks in an evidence passage: the speaker of a claim it reports, else its source group."""
    speakers = [c.speaker for c in claims_in_passage(claims_by_doc, row) if c.speaker]
    return speakers[0] if speakers else source_of.get(row.hit.doc_id, row.hit.doc_id)


def _label(support: float, refute: float, held: bool, contested: bool) -> str:
    verdict = label(support, refute)
    return "disputed" if verdict == "refuted" and (held or contested) else verdict


def decide(claim: Claim, rows: Sequence[EvidenceRow], source_of: dict[str, str],
           claims_by_doc: dict[str, list[Claim]]) -> ClaimVerdict:
    best: dict[str, dict[str, tuple[float, EvidenceRow]]] = {"supports": {}, "refutes": {}}
    own_source = source_of.get(claim.doc_id, claim.doc_id)
    holders: set[str] = set()  # the claim's speaker, when other outlets report them holding it
    for row in rows:
        stance = row.judgement.stance
        if stance == "neutral" or (stance == "refutes" and row.judgement.kind is None and row.judgement.cue == "model"):
            continue  # an untyped model refutation (another fact about the same event, most often) decides nothing
        source = source_of.get(row.hit.doc_id, row.hit.doc_id)
        same_source = row.hit.same_document or source == own_source
        voice = voice_of(row, source_of, claims_by_doc)
        if stance == "supports" and voice == claim.speaker and not same_source:
            holders.add(voice)
        if stance == "supports" and (same_source or voice == claim.speaker):
            continue  # the article, its outlet or its speaker repeating a claim is not support
        weight = SAME_SOURCE_WEIGHT if same_source else 1.0
        score = row.judgement.score * weight
        if score > best[stance].get(voice, (0.0, row))[0]:
            best[stance][voice] = (score, row)
    support = combine([s for s, _ in best["supports"].values()])
    refute = combine([s for s, _ in best["refutes"].values()])

    def cite(stance: str) -> str:
        items = sorted(best[stance].items(), key=lambda x: -x[1][0])
        return "; ".join(f"{voice} ({_where(row, source_of)}, {row.judgement.cue}: {row.hit.text[:90]!r})"
                         for voice, (_, row) in items)

    n_sup, n_ref = len(best["supports"]), len(best["refutes"])
    # Refuted only by other accounts of the event (verdicts/accounts.py: another party did it, it was
    # staged): one party's account against another's is a dispute, not a refutation.
    contested = bool(best["refutes"]) and all(row.judgement.cue == "account" for _, row in best["refutes"].values())
    verdict = _label(support, refute, bool(holders), contested)
    if verdict == "disputed":
        # (a claim only other accounts contest is held by its own voice: its speaker, else its outlet)
        own_voice = claim.speaker or own_source
        confidence = refute * max(support, 1.0 if holders or contested else 0.0)
        sides = " and ".join(sorted(best["supports"]) + sorted(holders - set(best["supports"]))) or own_voice
        rationale = (f"disputed: {sides} vs {' and '.join(sorted(best['refutes']))}. "
                     f"Refuted by {n_ref}: {cite('refutes')}"
                     + (f"; supported by {n_sup}: {cite('supports')}" if n_sup else
                        f"; only {own_voice} holds it"))
    elif verdict == "supported":
        confidence = support * (1.0 - refute)
        rationale = f"supported by {n_sup} independent voice(s), none refutes: {cite('supports')}"
    elif verdict == "refuted":
        confidence = refute * (1.0 - support)
        rationale = f"refuted by {n_ref} voice(s), none supports: {cite('refutes')}"
    else:
        confidence = (1.0 - support) * (1.0 - refute)
        rationale = ("no passage elsewhere in the corpus is about this claim" if not rows else
                     f"{len(rows)} passage(s) retrieved, none supports or refutes it"
                     + (f" (strongest support {support:.2f}, refutation {refute:.2f})" if support or refute else ""))
    return ClaimVerdict(
        claim_id=claim.claim_id, verdict=verdict, confidence=round(min(max(confidence, 0.05), 0.99), 4),
        rationale=rationale, n_supporting_sources=n_sup, n_refuting_sources=n_ref,
    )


def _where(row: EvidenceRow, source_of: dict[str, str]) -> str:
    """The passage's own document and outlet, never its group's first document."""
    return f"{source_of.get(row.hit.doc_id, row.hit.doc_id)}, document {row.hit.doc_id}, passage {row.hit.passage_id}"


def decide_all(claims: Sequence[Claim], evidence: Sequence[EvidenceRow], source_of: dict[str, str],
               all_claims: Sequence[Claim]) -> list[ClaimVerdict]:
    by_claim: dict[str, list[EvidenceRow]] = {}
    for row in evidence:
        by_claim.setdefault(row.claim_id, []).append(row)
    by_doc: dict[str, list[Claim]] = {}
    for c in all_claims:
        by_doc.setdefault(c.doc_id, []).append(c)
    return [decide(c, by_claim.get(c.claim_id, []), source_of, by_doc) for c in claims]
