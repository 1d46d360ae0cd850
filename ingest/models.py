"""Pydantic records produced by ingestion."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

DateOrigin = Literal["metadata", "text", "text_year_inferred"]


def stable_id(*parts: object) -> str:
    """A short, stable id from the parts that identify a row (never from editable text alone)."""
    return hashlib.sha256("\x00".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    """Stable hash of a document's text (whitespace-insensitive), used for ids and dedupe."""
    canonical = " ".join(text.split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Document(BaseModel):
    doc_id: str
    text: str = Field(min_length=1)
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published_at: datetime | None = None
    date_origin: DateOrigin | None = None
    language: str | None = None
    origin: str  # where it came from: a file path, or "path.jsonl:LINE"
    content_hash: str


class IngestError(BaseModel):
    origin: str
    reason: Literal["unreadable", "unsafe", "binary", "encoding", "empty", "malformed", "unsupported", "duplicate",
                    "too_large", "truncated", "extraction"]
    detail: str

    @property
    def error_id(self) -> str:
        return stable_id(self.origin, self.reason)
