"""Pydantic records of the evidence stage."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ingest.models import stable_id

Stance = Literal["supports", "refutes", "neutral"]
# "agent": the same act, done by different parties ("Ukrainians hit the station" / "Russian missiles hit
# the station").
ContradictionKind = Literal["polarity", "numeric", "date", "antonym", "denial", "agent", "temporal"]
# What decided a judgement, stored in evidence.cue. The cue analysis (evidence/judge.py) names what it
# read; "model" is the cross-encoder deciding without a cue that agrees or types it; "llm" an
# OpenAI-compatible model; "instruction-like text" a passage the prompt-injection guard kept from it.
Cue = Literal[
    "unrelated", "related", "partial overlap", "other party", "lexical paraphrase", "paraphrase", "hedged", "change over time",
    "negation", "denial", "antonym", "negated antonym", "number mismatch", "date mismatch",
    "part of the claim", "agent", "account", "model", "llm", "instruction-like text",
]


def passage_id_for(doc_id: str, char_start: int, char_end: int) -> str:
    return stable_id("passage", doc_id, char_start, char_end)


class Passage(BaseModel):
    passage_id: str
    doc_id: str
    text: str
    char_start: int
    char_end: int
    published_at: datetime | None = None


class Hit(BaseModel):
    """A passage retrieved for a claim."""

    passage_id: str
    doc_id: str
    text: str
    char_start: int
    char_end: int
    same_document: bool
    rank: int
    score: float
    published_at: datetime | None = None  # the passage's document date: its relative dates are read against it


class Judgement(BaseModel):
    stance: Stance
    score: float = Field(ge=0.0, le=1.0)
    kind: ContradictionKind | None = Field(default=None, description="for refutes: which cue")
    cue: Cue = Field(description="what decided it, e.g. 'negation', 'paraphrase', 'model'")
    rationale: str
    evidence_span: str | None = Field(default=None, description="the exact words of the evidence it rests on")


class JudgeFailure(BaseModel):
    """A pair that could not be judged (the model failed after retries, or never answered validly).
    It is recorded as pending and tried again next run; it never becomes a label."""

    reason: str


class EvidenceRow(BaseModel):
    claim_id: str
    hit: Hit
    judgement: Judgement
