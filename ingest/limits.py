"""Bounds that keep one large or pathological input from holding a whole run hostage.

Read from the environment when a run starts (never at import time); 0 switches a bound off:

    CLAIMFLOW_MAX_FILE_BYTES          a file larger than this is not read: `too_large` (default 200 MB)
    CLAIMFLOW_MAX_DOCUMENT_CHARS      a longer document is stored whole, but only its first this many
                                      characters are extracted: `truncated` (default 100,000)
    CLAIMFLOW_MAX_SENTENCES           sentences of one document indexed and extracted (default 1,000):
                                      `truncated`
    CLAIMFLOW_MAX_CLAIMS_PER_DOCUMENT claims of one document that reach judging, the most check-worthy
                                      first (default 200); the rest are kept in `claims` and listed
                                      in `pending` with the reason
    CLAIMFLOW_MAX_JUDGED_PAIRS        claim-evidence pairs judged afresh in one run (default 100,000);
                                      claims are taken in turn from each document, so one file
                                      cannot starve the others; those past it wait in `pending` and
                                      later runs judge them (pairs judged before cost nothing)

The defaults come from `bench/limits.py` on real news (904 whole article bodies of FNC-1's test set):
characters p50 1,730, p99 10,291, max 19,815; sentences p99 104, max 170; claims p99 94, max 181,
of which check-worthy at most 98. No article reaches a bound; they bite only on what is not an article
(a log, a dump, a book, 5,000 near-identical paragraphs). A 200 MB file bound stops a file that would
not fit in memory as text several times over."""
from __future__ import annotations

import os

from pydantic import BaseModel, Field

_ENV = {
    "max_file_bytes": "CLAIMFLOW_MAX_FILE_BYTES",
    "max_document_chars": "CLAIMFLOW_MAX_DOCUMENT_CHARS",
    "max_sentences": "CLAIMFLOW_MAX_SENTENCES",
    "max_claims_per_document": "CLAIMFLOW_MAX_CLAIMS_PER_DOCUMENT",
    "max_judged_pairs": "CLAIMFLOW_MAX_JUDGED_PAIRS",
}


class LimitsError(ValueError):
    """A bound set to something that is not a whole number of at least 0."""


class Limits(BaseModel):
    max_file_bytes: int = Field(default=200_000_000, ge=0)
    max_document_chars: int = Field(default=100_000, ge=0)
    max_sentences: int = Field(default=1_000, ge=0)
    max_claims_per_document: int = Field(default=200, ge=0)
    max_judged_pairs: int = Field(default=100_000, ge=0)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Limits:
        env = dict(os.environ if env is None else env)
        values = {}
        for field, name in _ENV.items():
            raw = env.get(name, "").strip().replace("_", "")
            if not raw:
                continue
            if not raw.isdigit():
                raise LimitsError(f"{name}={env[name]!r}: expected a whole number of at least 0 (0 = no limit)")
            values[field] = int(raw)
        return cls(**values)

    @staticmethod
    def within(value: int, bound: int) -> bool:
        """True when `value` does not exceed `bound` (a bound of 0 means none)."""
        return bound == 0 or value <= bound


def env_name(field: str) -> str:
    """The environment variable that sets a bound, for messages that say how to raise it."""
    return _ENV[field]


def head(text: str, limit: int) -> str:
    """The first `limit` characters of `text` or fewer, ending at a paragraph break, else a line
    break, else a space in the last half (never inside a word when it can help); `text` itself when
    it is not longer (or `limit` is 0)."""
    if Limits.within(len(text), limit):
        return text
    for mark in ("\n\n", "\n", " "):
        cut = text.rfind(mark, limit // 2, limit)
        if cut > 0:
            return text[:cut]
    return text[:limit]
