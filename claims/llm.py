"""Claim extraction by a model behind an OpenAI-compatible API.

The document is cut into prose sentences locally (the same layout and spaCy sentences as the local
engine, so passages are identical whichever engine extracts). The model gets the sentences as
numbered JSON data, in chunks, and returns claims in the `ExtractionReply` schema. Every span it
quotes must occur in the sentence it names; the claim's offsets are then computed here, never taken
from the model. A document with a chunk that failed is reported and retried next run (chunks already
answered come from the cache)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from claimflow.llm.client import Prompt
from claimflow.llm.runner import Item, Runner
from claimflow.llm.spans import locate
from claims.models import (
    Claim,
    DocumentClaims,
    Modality,
    Polarity,
    TemporalAnomaly,
    claim_id_for,
)
from claims.prose import parse_prose, sentence_span
from ingest.models import Document

PROMPT_VERSION = "extract.v1"
CHUNK_SENTENCES = 40
CHECKWORTHY = 0.5


class ExtractedClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentence: int = Field(description="number of the sentence the claim comes from")
    span: str = Field(description="the claim copied exactly from that sentence")
    statement: str
    speaker: str | None
    is_quote: bool
    polarity: Polarity
    negation: str | None
    modality: Modality
    claim_date: date | None
    entities: list[str]
    numbers: list[float]
    checkworthiness: float = Field(ge=0.0, le=1.0)


class ExtractionReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claims: list[ExtractedClaim]


class ExtractStage:
    stage = "extract"
    reply_model = ExtractionReply
    output_model = ExtractionReply

    def __init__(self, prompt: Prompt) -> None:
        self.prompt = prompt

    def batches(self, items: Sequence[Item]) -> list[list[int]]:
        return [[i] for i in range(len(items))]  # one chunk of one document per request

    def messages(self, items: Sequence[Item]) -> list[dict]:
        (item,) = items
        return [{"role": "system", "content": self.prompt.render()},
                {"role": "user", "content": json.dumps(item.input, ensure_ascii=False)}]

    def split(self, items: Sequence[Item], reply: BaseModel) -> list[BaseModel | str]:
        (item,) = items
        sentences = item.input["sentences"]
        problems = []
        for n, claim in enumerate(reply.claims, 1):
            if not 1 <= claim.sentence <= len(sentences):
                problems.append(f"claim {n}: there is no sentence {claim.sentence}")
            elif locate(claim.span, sentences[claim.sentence - 1]["text"]) is None:
                problems.append(f"claim {n}: span {claim.span[:80]!r} does not occur in sentence {claim.sentence}")
        return ["; ".join(problems)] if problems else [reply]


class LLMExtractor:
    def __init__(self, runner: Runner, today: date | None = None) -> None:
        self.runner = runner
        self.today = today or date.today()
        self.prompt = Prompt.load("claims", "extract", PROMPT_VERSION)
        self.stage = ExtractStage(self.prompt)
        self.name = f"{runner.engine}/{PROMPT_VERSION}#{self.prompt.hash}"

    def extract(self, documents: Sequence[Document]) -> list[DocumentClaims]:
        parsed = parse_prose(documents, self.today)
        spans = {i: [sentence_span(s, p.offset) for p in parsed[i] for s in p.doc.sents if s.text.strip()]
                 for i in range(len(documents))}
        items, owners = [], []
        for i, document in enumerate(documents):
            head = {"source": document.source, "title": document.title,
                    "published": document.published_at.date().isoformat() if document.published_at else None}
            for first in range(0, len(spans[i]), CHUNK_SENTENCES):
                chunk = spans[i][first:first + CHUNK_SENTENCES]
                items.append(Item(input={"document": head, "sentences": [
                    {"n": n, "text": document.text[a:b]} for n, (a, b) in enumerate(chunk, 1)]}, payload=chunk))
                owners.append(i)
        outcomes = self.runner.run(self.stage, items)
        results = []
        for i, document in enumerate(documents):
            mine = [(item, out) for item, out, owner in zip(items, outcomes, owners) if owner == i]
            errors = [out.error for _, out in mine if not out.ok]
            if errors:  # its sentences are known: they are indexed as passages while its claims wait
                results.append(DocumentClaims(doc_id=document.doc_id, claims=[], error=errors[0], sentences=spans[i]))
                continue
            claims = [c for item, out in mine for c in self._claims(document, item.payload, out.output)]
            unique = {c.claim_id: c for c in claims}
            results.append(DocumentClaims(doc_id=document.doc_id, claims=list(unique.values()),
                                          anomalies=self._anomalies(document, list(unique.values())),
                                          sentences=spans[i]))
        return results

    def _claims(self, document: Document, chunk: list[tuple[int, int]], reply: ExtractionReply) -> list[Claim]:
        out = []
        for x in reply.claims:
            s_start, s_end = chunk[x.sentence - 1]
            sentence = document.text[s_start:s_end]
            a, b = locate(x.span, sentence)  # checked in ExtractStage.split
            start, end = s_start + a, s_start + b
            checkworthiness = x.checkworthiness if x.modality == "asserted" else min(x.checkworthiness, CHECKWORTHY - 0.01)
            out.append(Claim(
                claim_id=claim_id_for(document.doc_id, start, end), doc_id=document.doc_id,
                text=document.text[start:end], statement=x.statement.strip() or sentence[a:b], speaker=x.speaker or None,
                speaker_mention=x.speaker or None, is_quote=x.is_quote, char_start=start, char_end=end,
                sentence_start=s_start, sentence_end=s_end, polarity=x.polarity, negation=x.negation or None,
                modality=x.modality, claim_date=x.claim_date, entities=x.entities, numbers=x.numbers,
                checkworthiness=round(checkworthiness, 4), checkworthy=checkworthiness >= CHECKWORTHY,
                extractor=self.name,
            ))
        return out

    @staticmethod
    def _anomalies(document: Document, claims: list[Claim]) -> list[TemporalAnomaly]:
        """An asserted claim about a date after the document's own date."""
        if document.published_at is None:
            return []
        published = document.published_at.date()
        return [TemporalAnomaly(claim_id=c.claim_id, referenced=c.claim_date, published=published,
                                explanation=(f"the document is dated {published.isoformat()} but asserts something "
                                             f"on {c.claim_date.isoformat()}"))
                for c in claims if c.claim_date and c.claim_date > published and c.modality == "asserted"]
