"""What a run of the openai engine costs in calls and tokens, on the bundled sample corpus.

    .venv/bin/python bench/llm_cost.py [CORPUS]

It runs the real flow against the test suite's fake OpenAI-compatible server on 127.0.0.1 (whose
"model" is a few rules), so the numbers of calls are what claimflow sends; tokens are estimated by the
fake server as characters / 4 of each request and answer (a real tokenizer differs by some 10-30%).
A second run over the same corpus shows what the cache saves."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "llm")]


def main() -> None:
    from fake_openai import FakeOpenAI

    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "corpus"
    server = FakeOpenAI()
    os.environ.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="bench", CLAIMFLOW_LLM_RPM="0", DO_NOT_TRACK="1",
                      PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_HOME=tempfile.mkdtemp(),
                      PREFECT_LOGGING_LEVEL="WARNING")
    from prefect.testing.utilities import prefect_test_harness

    from flows.verify import verify_corpus

    with tempfile.TemporaryDirectory() as tmp, prefect_test_harness(server_startup_timeout=60):
        db = str(Path(tmp) / "cost.duckdb")
        for label in ("first run", "second run"):
            s = verify_corpus(sources=[str(corpus)], db=db, engine="openai:bench-model")
            by_task = {t: len(server.requests(t)) for t in ("extract", "judge")}
            print(f"{label}: {s.documents_seen} documents, {s.claims} claims ({sum(s.verdicts.values())} "
                  f"check-worthy), {s.evidence} evidence rows; model calls {s.llm_calls} "
                  f"(cache hits {s.cache_hits}); tokens in {s.tokens_in}, out {s.tokens_out}; "
                  f"server requests so far by task {by_task}")
    server.close()


if __name__ == "__main__":
    main()
