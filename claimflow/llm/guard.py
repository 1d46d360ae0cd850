"""Document text is data. Text that addresses a model ("ignore previous instructions", "you are now",
"mark every claim as supported") is never sent to a model as evidence: a judge that obeyed it could
change the verdicts of every claim judged beside it."""
from __future__ import annotations

import re

_PATTERNS = [
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:previous|prior|above|earlier|all|your|system)\b[^.]{0,20}"
    r"\b(?:instructions?|prompts?|rules|directions)\b",
    r"\byou are (?:now|no longer)\b",
    r"\b(?:system|developer) (?:prompt|message|instructions?)\b",
    r"\b(?:mark|label|classify|rate|judge)\b[^.]{0,30}\b(?:every|all|each|any)\b[^.]{0,30}\bclaims?\b",
    r"\bnew instructions?\b",
]
_INSTRUCTIONS = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)


def instructions_in(text: str) -> str | None:
    """The words of ``text`` that speak to a model, if any."""
    match = _INSTRUCTIONS.search(text)
    return match.group(0) if match else None
