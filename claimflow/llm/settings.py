"""Where the OpenAI-compatible server is and how hard claimflow may use it.

Read from the environment when an engine is resolved (never at import time):

    OPENAI_BASE_URL            the server, e.g. http://127.0.0.1:8000/v1 (default: the openai client's)
    OPENAI_API_KEY             the key; or CLAIMFLOW_OPENAI_SECRET_BLOCK = name of a Prefect Secret block
    CLAIMFLOW_LLM_TIMEOUT      seconds before one request counts as hung (default 60)
    CLAIMFLOW_LLM_ATTEMPTS     tries per request for transient failures (default 5)
    CLAIMFLOW_LLM_MAX_WAIT     longest wait between tries, Retry-After included (default 60 s)
    CLAIMFLOW_LLM_CONCURRENCY  requests in flight at once (default 4)
    CLAIMFLOW_LLM_RPM          requests per minute, at most (default 60; 0 = no limit)
    CLAIMFLOW_LLM_MAX_CALLS    requests per run, at most (default 0 = no limit): a cost ceiling; past it
                               the run stops calling and what is left waits in `pending`
    CLAIMFLOW_LLM_JUDGE_BATCH  passages of one claim judged per request (default 8; 1 isolates every
                               passage from the others, for ~5x the input tokens)
    CLAIMFLOW_LLM_STRUCTURED   json_schema (default) | json_object (for servers without JSON-schema output)
    CLAIMFLOW_LLM_MAX_TOKENS   tokens one answer may have (default 4096; 0 = the server's own limit): a
                               small model looping in JSON mode stops there instead of filling its context
    CLAIMFLOW_EMBED_BASE_URL   the /v1/embeddings server, when it is not OPENAI_BASE_URL
    CLAIMFLOW_EMBED_INPUT_TYPE set to 1 to send input_type=query|passage to /v1/embeddings (e5 servers)

The key is held as a SecretStr: it is never printed, logged, stored in DuckDB or put in artifacts."""
from __future__ import annotations

import os
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, Field, SecretStr


class LLMSettingsError(ValueError):
    """Settings that cannot work (e.g. no API key anywhere)."""


class LLMSettings(BaseModel):
    base_url: str | None = None
    api_key: SecretStr
    timeout: float = Field(default=60.0, gt=0)
    attempts: int = Field(default=5, ge=1)
    max_wait: float = Field(default=60.0, ge=0)
    concurrency: int = Field(default=4, ge=1)
    rpm: int = Field(default=60, ge=0)
    max_calls: int = Field(default=0, ge=0)
    judge_batch: int = Field(default=8, ge=1)
    structured: Literal["json_schema", "json_object"] = "json_schema"
    max_tokens: int = Field(default=4096, ge=0)
    embed_input_type: bool = False
    embed_base_url: str | None = None

    @property
    def endpoint(self) -> str:
        """The server address as it may be recorded: no credentials, no query string."""
        if not self.base_url:
            return "https://api.openai.com/v1"
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> LLMSettings:
        env = dict(os.environ if env is None else env)
        key = env.get("OPENAI_API_KEY")
        block = env.get("CLAIMFLOW_OPENAI_SECRET_BLOCK")
        if not key and block:
            from prefect.blocks.system import Secret

            key = Secret.load(block).get()
        if not key:
            raise LLMSettingsError(
                "the openai engine needs an API key: set OPENAI_API_KEY, or CLAIMFLOW_OPENAI_SECRET_BLOCK to the "
                "name of a Prefect Secret block holding it (a local server that ignores keys accepts any value)"
            )
        values = dict(
            base_url=env.get("OPENAI_BASE_URL") or None,
            api_key=key,
            timeout=env.get("CLAIMFLOW_LLM_TIMEOUT", 60.0),
            attempts=env.get("CLAIMFLOW_LLM_ATTEMPTS", 5),
            max_wait=env.get("CLAIMFLOW_LLM_MAX_WAIT", 60.0),
            concurrency=env.get("CLAIMFLOW_LLM_CONCURRENCY", 4),
            rpm=env.get("CLAIMFLOW_LLM_RPM", 60),
            max_calls=env.get("CLAIMFLOW_LLM_MAX_CALLS", 0),
            judge_batch=env.get("CLAIMFLOW_LLM_JUDGE_BATCH", 8),
            structured=env.get("CLAIMFLOW_LLM_STRUCTURED", "json_schema"),
            max_tokens=env.get("CLAIMFLOW_LLM_MAX_TOKENS", 4096),
            embed_input_type=env.get("CLAIMFLOW_EMBED_INPUT_TYPE", "") in ("1", "true", "yes"),
            embed_base_url=env.get("CLAIMFLOW_EMBED_BASE_URL") or None,
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
