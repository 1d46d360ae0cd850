"""One string chooses the engine: "local" (default, offline) or "openai:MODEL".

    resolve_engine("local")
    resolve_engine("openai:gpt-4o-mini")                       # LLM extraction and judging, local embeddings
    resolve_engine("local", judge="openai:gpt-4o-mini")        # mixed: local extraction, LLM judging
    resolve_engine("local", embed="openai:multilingual-e5-small")

Each stage is resolved by the same rule; `embed` stays local unless named, since chat models do not
embed. The OpenAI-compatible server comes from OPENAI_BASE_URL / OPENAI_API_KEY (claimflow.llm.settings)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Protocol

from claimflow.llm.runner import CallStore, Runner, Usage
from claims.models import DocumentClaims
from evidence.embed import Embedder
from evidence.models import JudgeFailure, Judgement
from ingest.models import Document


class Extractor(Protocol):
    name: str

    def extract(self, documents: list[Document]) -> list[DocumentClaims]: ...


class Judge(Protocol):
    name: str
    absolute_dates: bool  # read evidence with its relative dates resolved against its document's date

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement | JudgeFailure]: ...


class EngineError(ValueError):
    """An engine string that cannot be used."""


@dataclass
class Engine:
    spec: str
    extractor: Extractor
    judge: Judge
    embedder: Embedder
    runners: list[Runner] = field(default_factory=list)
    endpoint: str | None = None

    def bind(self, con, run_id: str) -> None:
        """Give the LLM stages the run's database: their cache and their call log."""
        for runner in self.runners:
            runner.store = CallStore(con, run_id)

    @property
    def usage(self) -> Usage:
        return Usage(*(sum(getattr(r.usage, f.name) for r in self.runners) for f in fields(Usage)))

    @property
    def stopped(self) -> str | None:
        return next((r.stopped for r in self.runners if r.stopped), None)


def _parse(spec: str, stage: str) -> tuple[str, str | None]:
    kind, _, model = spec.partition(":")
    if kind == "local" and not model:
        return "local", None
    if kind == "openai":
        if not model:
            raise EngineError(f"{stage}: the openai engine needs a model: openai:MODEL, e.g. openai:gpt-4o-mini")
        return "openai", model
    raise EngineError(f"unknown engine {spec!r} for {stage}: expected 'local' or 'openai:MODEL'")


def resolve_engine(spec: str = "local", *, extract: str | None = None, judge: str | None = None,
                   embed: str | None = None, today: date | None = None, settings=None) -> Engine:
    """Build the engine: ``spec`` for every stage, unless a stage is named on its own."""
    stages = {"extract": extract or spec, "judge": judge or spec, "embed": embed or "local"}
    parsed = {stage: _parse(s, stage) for stage, s in stages.items()}
    runners: dict[str, Runner] = {}
    endpoint = None
    if any(kind == "openai" for kind, _ in parsed.values()):
        from claimflow.llm.client import ChatModel
        from claimflow.llm.settings import LLMSettings

        settings = settings or LLMSettings.from_env()
        endpoint = settings.endpoint

        def runner(model: str) -> Runner:
            if model not in runners:
                runners[model] = Runner(ChatModel(model, settings), engine=f"openai:{model}")
            return runners[model]

    kind, model = parsed["extract"]
    if kind == "local":
        from claims.local import LocalExtractor

        extractor = LocalExtractor(today)
    else:
        from claims.llm import LLMExtractor

        extractor = LLMExtractor(runner(model), today)
    kind, model = parsed["judge"]
    if kind == "local":
        from evidence.model_judge import ModelJudge

        judge_ = ModelJudge()
    else:
        from evidence.llm_judge import LLMJudge

        judge_ = LLMJudge(runner(model))
    kind, model = parsed["embed"]
    if kind == "local":
        from evidence.embed import LocalEmbedder

        embedder = LocalEmbedder()
    else:
        from evidence.openai_embed import OpenAIEmbedder

        embedder = OpenAIEmbedder(model, settings)
    name = spec if stages["extract"] == stages["judge"] == spec and stages["embed"] == "local" else \
        ",".join(f"{k}={v}" for k, v in stages.items())
    return Engine(name, extractor, judge_, embedder, list(runners.values()), endpoint)
