"""Checking that a span a model quotes really is in the source, and where."""
from __future__ import annotations

_QUOTES = "\"'\u201c\u201d\u00ab\u00bb\u2018\u2019"


def _bounded(text: str, start: int, end: int) -> bool:
    """The match neither starts nor ends inside a word ("no" is not found in "know")."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (after.isalnum() and text[end - 1].isalnum())


def locate(span: str, text: str) -> tuple[int, int] | None:
    """Where a quoted span lies in the text, as (start, end) offsets of the real text: the exact span,
    else the span without the model's outer whitespace or quotation marks; whole words only."""
    for candidate in (span, span.strip().strip(_QUOTES).strip()):
        if not candidate.strip():
            continue
        start = text.find(candidate)
        while start >= 0:
            if _bounded(text, start, start + len(candidate)):
                return start, start + len(candidate)
            start = text.find(candidate, start + 1)
    return None
