"""Runs the model calls of one stage: cache first, then bounded concurrency, validation, one repair.

A stage (extraction, judging) hands over items; the runner answers each with an Outcome: a validated
pydantic output (fresh or from the cache) or an explicit error. It never invents a label.

- Cache: an item's output is stored under (model, prompt version, prompt hash, input hash), so a
  re-run, or the run after a failure, pays only for what is still missing.
- Concurrency: at most `concurrency` requests in flight (threads doing HTTP only; every DuckDB write
  happens on the caller's thread, as each request completes, so finished work is kept even if the
  run dies later).
- Validation: every reply goes through `model_validate_json` and the stage's own checks (a quoted
  span must occur in the source). A reply that fails is asked again once, with the error; then the
  items it carried fail.
- Quota / key / model errors: the run stops calling; items not yet sent fail as "not attempted"."""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Protocol

import openai
from pydantic import BaseModel, ValidationError

from claimflow.llm.client import ChatModel, Prompt, Reply, digest
from claimflow.llm.retry import EngineStopped, is_transient
from store.writer import Writer


@dataclass
class Item:
    """One unit of work with its canonical input (what the cache key hashes)."""

    input: dict[str, Any]
    payload: Any = None

    @property
    def input_hash(self) -> str:
        return digest(json.dumps(self.input, sort_keys=True, ensure_ascii=False), 32)


@dataclass
class Outcome:
    output: BaseModel | None = None
    error: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.output is not None


class LLMStage(Protocol):
    """What a stage tells the runner."""

    stage: str
    prompt: Prompt
    reply_model: type[BaseModel]  # the JSON the model must return for one request
    output_model: type[BaseModel]  # what is kept (and cached) per item

    def batches(self, items: Sequence[Item]) -> list[list[int]]: ...

    def messages(self, items: Sequence[Item]) -> list[dict]: ...

    def split(self, items: Sequence[Item], reply: BaseModel) -> list[BaseModel | str]:
        """Per item: its output, or why the reply does not fit it (e.g. a span not in the text)."""
        ...


@dataclass
class Usage:
    calls: int = 0
    cache_hits: int = 0
    tokens_in: int = 0
    tokens_out: int = 0


class CallStore:
    """llm_calls and llm_cache in the claimflow database, written through its Writer (caller's thread only)."""

    def __init__(self, con, run_id: str) -> None:
        self.writer, self.run_id = Writer(con), run_id

    def get(self, keys: Sequence[str]) -> dict[str, str]:
        return self.writer.cached_outputs(keys)

    def put(self, rows: Sequence[dict]) -> None:
        self.writer.cache_outputs(rows)

    def record_call(self, call: dict) -> None:
        self.writer.record_llm_call(self.run_id, call)


class MemoryStore:
    """The same interface as CallStore, in memory: `claimflow judge` with an LLM and no database."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self.calls: list[dict] = []

    def get(self, keys: Sequence[str]) -> dict[str, str]:
        return {k: self.cache[k] for k in keys if k in self.cache}

    def put(self, rows: Sequence[dict]) -> None:
        self.cache.update({r["cache_key"]: r["output"] for r in rows})

    def record_call(self, call: dict) -> None:
        self.calls.append(call)


class _NotAttempted(Exception):
    """A request not sent because the run had already stopped calling."""


@dataclass
class _Result:
    outputs: list[BaseModel | str]
    replies: list[Reply] = field(default_factory=list)
    status: str = "ok"
    error: str | None = None
    seconds: float = 0.0
    attempts: int = 0
    repair: str = "after one repair"  # or why no repair answer came


def _error_text(exc: BaseException) -> str:
    retried = " after retries" if is_transient(exc) else ""
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}{retried}"
    if isinstance(exc, openai.APITimeoutError):
        return "timed out after retries"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed after retries"
    return f"{type(exc).__name__}: {exc}"


class Runner:
    def __init__(self, model: ChatModel, engine: str, store: CallStore | MemoryStore | None = None) -> None:
        self.model = model
        self.engine = engine
        self.store = store or MemoryStore()
        self.usage = Usage()
        self.stopped: str | None = None  # why the run stopped calling, once it has
        self._sent = 0  # requests started by this runner (the CLAIMFLOW_LLM_MAX_CALLS ceiling counts these)
        self._lock = threading.Lock()

    def _may_send(self) -> bool:
        """Claim a request under the per-run ceiling; False once the run has stopped calling."""
        ceiling = self.model.settings.max_calls
        with self._lock:
            if not self.stopped and ceiling and self._sent >= ceiling:
                self.stopped = f"the ceiling of {ceiling} requests per run (CLAIMFLOW_LLM_MAX_CALLS) was reached"
            if self.stopped:
                return False
            self._sent += 1
            return True

    def _key(self, stage: LLMStage, item: Item) -> str:
        """What an answer depends on: server, model, prompt (version and text), the reply schema, the
        output mode, and the item's input. Change any of them and the cache misses."""
        schema = json.dumps(stage.reply_model.model_json_schema(), sort_keys=True)
        return digest("|".join([self.model.settings.endpoint, self.model.model, self.model.settings.structured,
                                stage.prompt.version, stage.prompt.hash, digest(schema), item.input_hash]), 32)

    def _ask(self, stage: LLMStage, items: list[Item]) -> _Result:
        """Worker thread: one request (under the retry policy), validation, one repair request.
        Whatever the first answer got right is kept, even if the repair cannot be sent or fails."""
        started = time.monotonic()
        messages = stage.messages(items)
        result = _Result(outputs=[])
        for attempt in range(2):
            if not self._may_send():  # quota gone or ceiling reached: send nothing more
                if attempt:
                    result.repair = "no repair: the run stopped calling"
                    break
                raise _NotAttempted()
            try:
                reply = self.model.chat(messages, stage.reply_model)
            except Exception as exc:
                if isinstance(exc, EngineStopped):
                    self.stopped = f"the server stopped answering ({exc}); the rest waits for the next run"
                if not attempt:
                    raise
                result.repair = f"repair request failed: {_error_text(exc)}"
                result.attempts += getattr(exc, "attempts", 1)
                break
            result.replies.append(reply)
            result.attempts += reply.attempts
            try:
                outputs = stage.split(items, stage.reply_model.model_validate_json(reply.content))
                problems = [o for o in outputs if isinstance(o, str)]
            except ValidationError as exc:
                why = _short(exc)
                if reply.cut:
                    why = (f"the answer stopped at CLAIMFLOW_LLM_MAX_TOKENS={self.model.settings.max_tokens} "
                           f"tokens: {why}")
                outputs, problems = [f"invalid reply: {why}"] * len(items), [why]
            if attempt:  # keep the first answer's good items where the repair got them wrong
                outputs = [new if not isinstance(new, str) or isinstance(old, str) else old
                           for old, new in zip(result.outputs, outputs)]
                problems = [o for o in outputs if isinstance(o, str)]
            result.outputs = outputs
            if not problems:
                result.status, result.error = ("repaired" if attempt else "ok"), None
                break
            result.status, result.error = "invalid", "; ".join(dict.fromkeys(problems))[:1000]
            messages = [*messages, {"role": "assistant", "content": reply.content}, {"role": "user", "content": (
                "Your answer does not fit: " + result.error + ". Answer again, with JSON that fits the schema, "
                "quoting spans exactly as they occur in the given text.")}]
        result.seconds = time.monotonic() - started
        return result

    def run(self, stage: LLMStage, items: Sequence[Item]) -> list[Outcome]:
        items = list(items)
        keys = [self._key(stage, item) for item in items]
        cached = self.store.get(keys)
        outcomes: list[Outcome | None] = [None] * len(items)
        for i, key in enumerate(keys):
            if key in cached:
                try:
                    outcomes[i] = Outcome(output=stage.output_model.model_validate_json(cached[key]), cached=True)
                    self.usage.cache_hits += 1
                except ValidationError:
                    pass  # an entry this version cannot read is a miss: asked again, then replaced
        todo = [i for i in range(len(items)) if outcomes[i] is None]
        batches = [[todo[j] for j in b] for b in stage.batches([items[i] for i in todo])] if todo else []
        with ThreadPoolExecutor(max_workers=self.model.settings.concurrency, thread_name_prefix="llm") as pool:
            futures: dict[Future, list[int]] = {pool.submit(self._ask, stage, [items[i] for i in b]): b
                                                for b in batches}
            for future in as_completed(futures):
                batch = futures[future]
                try:
                    result = future.result()
                except (CancelledError, _NotAttempted):
                    continue
                except Exception as exc:  # after retries: this request's items fail, the others go on
                    if isinstance(exc, EngineStopped):
                        for other in futures:
                            other.cancel()
                    result = _Result(outputs=[f"failed: {_error_text(exc)}"] * len(batch), status="failed",
                                     error=_error_text(exc), attempts=getattr(exc, "attempts", 1))
                call_id = self._record(stage, batch, result)
                keep = []
                for i, output in zip(batch, result.outputs):
                    if isinstance(output, str):
                        failed = output if result.status == "failed" else f"invalid ({result.repair}): {output}"
                        outcomes[i] = Outcome(error=failed)
                    else:
                        outcomes[i] = Outcome(output=output)
                        keep.append({"cache_key": keys[i], "stage": stage.stage, "model": self.model.model,
                                     "prompt_version": stage.prompt.version, "prompt_hash": stage.prompt.hash,
                                     "input_hash": items[i].input_hash, "output": output.model_dump_json(),
                                     "call_id": call_id})
                self.store.put(keep)
        for i in todo:
            if outcomes[i] is None:
                outcomes[i] = Outcome(error=f"not attempted: {self.stopped}")
        return outcomes  # type: ignore[return-value]

    def _record(self, stage: LLMStage, batch: list[int], result: _Result) -> str:
        call_id = uuid.uuid4().hex[:16]
        tokens_in = sum(r.tokens_in for r in result.replies)
        tokens_out = sum(r.tokens_out for r in result.replies)
        self.usage.calls += max(1, len(result.replies))
        self.usage.tokens_in += tokens_in
        self.usage.tokens_out += tokens_out
        self.store.record_call({
            "call_id": call_id, "stage": stage.stage, "engine": self.engine, "model": self.model.model,
            "prompt_version": stage.prompt.version, "prompt_hash": stage.prompt.hash, "n_items": len(batch),
            "status": result.status, "attempts": max(1, result.attempts), "error": result.error,
            "tokens_in": tokens_in, "tokens_out": tokens_out, "seconds": round(result.seconds, 3),
            "structured": result.replies[-1].structured if result.replies else self.model.structured,
            "note": next((r.note for r in result.replies if r.note), None)})
        return call_id


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}" for e in exc.errors()[:5])
