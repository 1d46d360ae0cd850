"""Pair judging by a model behind an OpenAI-compatible API.

Pairs are sent grouped by claim (a claim and up to CLAIMFLOW_LLM_JUDGE_BATCH, default 8, of its passages
per request: one call per claim instead of one per pair). Each pair is cached on its own, so a passage added later costs only
its own judgement. The model must quote the span of the passage it relies on; a span that is not in
the passage, a missing passage or a refutation without a kind sends the reply back once, then the
pair fails: a JudgeFailure, recorded as pending, never a default label.

A passage (or claim) whose text addresses a model ("ignore previous instructions ...") is not sent at
all: it is judged neutral with the reason named, so it cannot steer the judgements beside it."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimflow.llm.client import Prompt
from claimflow.llm.guard import instructions_in
from claimflow.llm.runner import Item, Runner
from claimflow.llm.spans import locate
from evidence.models import JudgeFailure, Judgement, Stance

Refutation = Literal["polarity", "numeric", "date", "antonym", "denial"]

PROMPT_VERSION = "judge.v1"


class PassageJudgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage: int
    stance: Stance
    score: float = Field(ge=0.0, le=1.0)
    kind: Refutation | None = Field(description="for refutes: which conflict; null otherwise")
    evidence_span: str
    rationale: str


class JudgeReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    judgements: list[PassageJudgement]



class JudgeStage:
    stage = "judge"
    reply_model = JudgeReply
    output_model = PassageJudgement

    def __init__(self, prompt: Prompt, batch: int) -> None:
        self.prompt = prompt
        self.batch = batch

    def batches(self, items: Sequence[Item]) -> list[list[int]]:
        by_claim: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            by_claim.setdefault(item.input["claim"], []).append(i)
        n = self.batch
        return [group[j:j + n] for group in by_claim.values() for j in range(0, len(group), n)]

    def messages(self, items: Sequence[Item]) -> list[dict]:
        data = {"claim": items[0].input["claim"],
                "passages": [{"n": n, "text": item.input["passage"]} for n, item in enumerate(items, 1)]}
        return [{"role": "system", "content": self.prompt.render()},
                {"role": "user", "content": json.dumps(data, ensure_ascii=False)}]

    def split(self, items: Sequence[Item], reply: BaseModel) -> list[BaseModel | str]:
        by_n: dict[int, PassageJudgement] = {}
        for j in reply.judgements:
            by_n.setdefault(j.passage, j)
        out: list[BaseModel | str] = []
        for n, item in enumerate(items, 1):
            j = by_n.get(n)
            if j is None:
                out.append(f"no judgement for passage {n}")
            elif j.stance == "refutes" and j.kind is None:
                out.append(f"passage {n}: a refutation needs a kind")
            elif j.evidence_span and locate(j.evidence_span, item.input["passage"]) is None:
                out.append(f"passage {n}: evidence_span {j.evidence_span[:80]!r} does not occur in the passage")
            elif not j.evidence_span and j.stance != "neutral":
                out.append(f"passage {n}: a {j.stance} judgement must quote its evidence_span")
            else:
                out.append(j.model_copy(update={"kind": j.kind if j.stance == "refutes" else None}))
        return out


class LLMJudge:
    absolute_dates = False  # the model quotes the evidence verbatim, so it reads the passage as written

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.prompt = Prompt.load("evidence", "judge", PROMPT_VERSION)
        self.stage = JudgeStage(self.prompt, runner.model.settings.judge_batch)
        self.name = f"{runner.engine}/{PROMPT_VERSION}#{self.prompt.hash}"

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement | JudgeFailure]:
        results: list[Judgement | JudgeFailure | None] = [None] * len(pairs)
        send = []
        for i, (claim, evidence) in enumerate(pairs):
            words = instructions_in(evidence) or instructions_in(claim)
            if words:
                results[i] = Judgement(stance="neutral", score=0.5, cue="instruction-like text", rationale=(
                    f"not sent to the model: the text addresses a model ('{words}'), so it is treated as no evidence"))
            else:
                send.append(i)
        outcomes = self.runner.run(self.stage, [Item(input={"claim": pairs[i][0], "passage": pairs[i][1]})
                                                for i in send])
        for i, outcome in zip(send, outcomes):
            if not outcome.ok:
                results[i] = JudgeFailure(reason=outcome.error or "no answer")
                continue
            j: PassageJudgement = outcome.output  # type: ignore[assignment]
            span = j.evidence_span.strip()
            results[i] = Judgement(
                stance=j.stance, score=round(j.score, 4), kind=j.kind, cue="llm",
                rationale=f'{j.rationale.strip()} (evidence: "{span}")' if span else j.rationale.strip(),
                evidence_span=span or None)
        return results  # type: ignore[return-value]
