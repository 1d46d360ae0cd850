"""One string chooses the engine: "local" (default, offline) or "openai:MODEL"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from claims.models import DocumentClaims
from evidence.embed import Embedder
from evidence.models import Judgement
from ingest.models import Document


class Extractor(Protocol):
    name: str

    def extract(self, documents: list[Document]) -> list[DocumentClaims]: ...


class Judge(Protocol):
    name: str

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement]: ...


class EngineError(ValueError):
    """An engine string that cannot be used."""


@dataclass
class Engine:
    spec: str
    extractor: Extractor
    judge: Judge
    embedder: Embedder


def resolve_engine(spec: str = "local") -> Engine:
    """Build the engine named by ``spec``: "local", or "openai:MODEL" (e.g. "openai:gpt-4o-mini")."""
    kind, _, model = spec.partition(":")
    if kind == "local" and not model:
        from claims.local import LocalExtractor
        from evidence.embed import LocalEmbedder
        from evidence.judge import LocalJudge

        return Engine(spec, LocalExtractor(), LocalJudge(), LocalEmbedder())
    if kind == "openai":
        if not model:
            raise EngineError("the openai engine needs a model: --engine openai:MODEL, e.g. openai:gpt-4o-mini")
        raise EngineError(
            f"engine {spec!r}: the OpenAI-compatible engine is not available in this version yet; use --engine local"
        )
    raise EngineError(f"unknown engine {spec!r}: expected 'local' or 'openai:MODEL'")
