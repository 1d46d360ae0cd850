"""One request to an OpenAI-compatible chat server, through the official `openai` client.

The client's own retries are off (max_retries=0): claimflow.llm.retry is the only retry layer. Each
try waits for a slot under the requests-per-minute limit."""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from importlib import resources

import jinja2
import openai
from pydantic import BaseModel

from claimflow.llm.retry import call_with_retries, rejects_json_schema
from claimflow.llm.settings import LLMSettings

log = logging.getLogger(__name__)


def digest(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


@dataclass(frozen=True)
class Prompt:
    """A versioned prompt file, e.g. claims/tasks/extract/extract.v1.jinja: instructions only.
    Document text never goes into the template; it travels as JSON data in the user message."""

    version: str  # "extract.v1"
    text: str

    @property
    def hash(self) -> str:
        return digest(self.text, 12)

    @classmethod
    def load(cls, package: str, task: str, version: str) -> Prompt:
        path = resources.files(package) / "tasks" / task / f"{version}.jinja"
        return cls(version=version, text=path.read_text(encoding="utf-8"))

    def render(self, **values) -> str:
        return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False).from_string(self.text).render(
            **values).strip()


@dataclass
class Reply:
    content: str
    tokens_in: int
    tokens_out: int
    attempts: int
    structured: str = "json_schema"  # the output mode the request used
    note: str | None = None  # e.g. that the server refused json_schema and this request fell back
    cut: bool = False  # the answer stopped at max_tokens (finish_reason "length")


class RateLimiter:
    """At most ``rpm`` request starts per minute, spread evenly (thread-safe)."""

    def __init__(self, rpm: int) -> None:
        self.interval = 60.0 / rpm if rpm > 0 else 0.0
        self.next_slot = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot)
            self.next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def response_format(schema_model: type[BaseModel], mode: str) -> dict:
    if mode == "json_object":
        return {"type": "json_object"}
    return {"type": "json_schema", "json_schema": {
        "name": schema_model.__name__, "schema": schema_model.model_json_schema(), "strict": False}}


class ChatModel:
    """One model on one server. `structured` is the output mode requests use: the configured one
    (CLAIMFLOW_LLM_STRUCTURED), until a server refuses json_schema; then json_object, with the
    schema in the instructions, for the rest of the run (`fell_back` says why)."""

    def __init__(self, model: str, settings: LLMSettings) -> None:
        self.model = model
        self.settings = settings
        self.structured: str = settings.structured
        self.fell_back: str | None = None
        self.limiter = RateLimiter(settings.rpm)
        self._lock = threading.Lock()
        self._client = openai.OpenAI(base_url=settings.base_url, api_key=settings.api_key.get_secret_value(),
                                     timeout=settings.timeout, max_retries=0)

    def chat(self, messages: list[dict], schema_model: type[BaseModel]) -> Reply:
        mode = self.structured
        try:
            return self._chat(messages, schema_model, mode)
        except openai.APIStatusError as exc:
            if mode != "json_schema" or not rejects_json_schema(exc):
                raise
            with self._lock:
                if self.fell_back is None:
                    self.fell_back = (f"the server refused json_schema output (HTTP {exc.status_code}: "
                                      f"{' '.join(str(exc.message).split())[:160]}); falling back to json_object "
                                      "with the schema in the instructions")
                    log.warning("%s at %s: %s", self.model, self.settings.endpoint, self.fell_back)
                self.structured = "json_object"
            reply = self._chat(messages, schema_model, "json_object")
            reply.attempts += 1
            reply.note = self.fell_back
            return reply

    def _chat(self, messages: list[dict], schema_model: type[BaseModel], mode: str) -> Reply:
        fmt = response_format(schema_model, mode)
        if mode == "json_object":  # the server cannot enforce the schema: show it
            schema = json.dumps(schema_model.model_json_schema(), separators=(",", ":"))
            messages = [{**messages[0], "content": f"{messages[0]['content']}\n\nThe JSON must fit this schema: "
                                                  f"{schema}"}, *messages[1:]]

        def once():
            self.limiter.wait()
            limit = {"max_tokens": self.settings.max_tokens} if self.settings.max_tokens else {}
            return self._client.chat.completions.create(model=self.model, messages=messages, temperature=0,
                                                        response_format=fmt, **limit)

        completion, attempts = call_with_retries(once, self.settings.attempts, self.settings.max_wait)
        if not completion.choices:
            raise ValueError("the server answered with no choices")
        choice = completion.choices[0]
        usage = completion.usage
        return Reply(content=choice.message.content or "", tokens_in=usage.prompt_tokens if usage else 0,
                     tokens_out=usage.completion_tokens if usage else 0, attempts=attempts, structured=mode,
                     cut=choice.finish_reason == "length")
