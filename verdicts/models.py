"""Pydantic records of the verdict stage."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from evidence.models import ContradictionKind
from ingest.models import stable_id

Verdict = Literal["supported", "refuted", "disputed", "unverified"]


def contradiction_id_for(claim_a: str, claim_b: str | None, kind: str) -> str:
    a, b = sorted([claim_a, claim_b or ""])
    return stable_id(a, b, kind)


class Contradiction(BaseModel):
    contradiction_id: str
    claim_id_a: str
    claim_id_b: str | None = Field(description="None for a temporal anomaly inside one claim's document")
    kind: ContradictionKind
    score: float = Field(ge=0.0, le=1.0)
    explanation: str
    speaker_a: str | None
    speaker_b: str | None
    same_document: bool


class Change(BaseModel):
    """The same count reported twice, later and higher (an "as of" update): not a contradiction, but
    what analysts of a running toll want to see (verdicts/events.py)."""

    change_id: str
    claim_id_earlier: str
    claim_id_later: str
    explanation: str
    speaker_earlier: str | None
    speaker_later: str | None


def change_id_for(earlier: str, later: str) -> str:
    return stable_id("change", earlier, later)


class ClaimVerdict(BaseModel):
    claim_id: str
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str
    n_supporting_sources: int
    n_refuting_sources: int


class Pending(BaseModel):
    """Work the last run could not do (a model call that failed, a budget spent): tried again by the
    next run; or, with stage `limit`, a claim a bound keeps from judging (ingest/limits.py)."""

    stage: Literal["extract", "judge", "contradiction", "limit"]
    item_id: str = Field(description="judge: claim_id/passage_id, or claim_id when the run's budget of judged "
                                     "pairs was spent; contradiction: claim_id/claim_id; limit: claim_id of a "
                                     "claim past its document's bound, never judged until the bound is raised")
    claim_id: str | None
    doc_id: str | None
    reason: str
