"""Pydantic records produced by claim extraction (same shape whichever engine produced them)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from ingest.models import stable_id

Polarity = Literal["positive", "negative"]
Modality = Literal["asserted", "hedged", "conditional", "future", "opinion", "question"]


def claim_id_for(doc_id: str, char_start: int, char_end: int) -> str:
    """Stable id: the document and the exact span, never the (editable) claim text."""
    return stable_id(doc_id, char_start, char_end)


class Claim(BaseModel):
    claim_id: str
    doc_id: str
    text: str = Field(description="the claim exactly as written: documents.text[char_start:char_end]")
    statement: str = Field(description="self-contained version: pronouns and relative dates resolved")
    speaker: str | None = Field(description="normalised name of who asserts it; None = the outlet itself")
    speaker_mention: str | None = Field(default=None, description="the speaker as written at this place")
    is_quote: bool = False
    char_start: int
    char_end: int
    sentence_start: int
    sentence_end: int
    polarity: Polarity
    negation: str | None = Field(default=None, description="the negation cue, e.g. 'not', 'no', 'denied'")
    modality: Modality
    claim_date: date | None = None
    entities: list[str] = []
    numbers: list[float] = []
    checkworthiness: float = Field(ge=0.0, le=1.0)
    checkworthy: bool
    extractor: str


class TemporalAnomaly(BaseModel):
    """A document speaks, in the past tense, of a date after its own publication date."""

    claim_id: str
    referenced: date
    published: date
    explanation: str


class DocumentClaims(BaseModel):
    doc_id: str
    claims: list[Claim]
    anomalies: list[TemporalAnomaly] = []
    sentences: list[tuple[int, int]] = Field(default=[], description="prose sentence spans: the passages")
    error: str | None = Field(default=None, description="why extraction failed for this document, if it did")
