"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API, with deterministic
answers and scripted faults, for testing the openai engine through the official client.

Its "model" is a few plain rules (a sentence with enough words is a claim; a passage that shares most
of a claim's words supports it, or refutes it when one of them is negated). It counts every request
and remembers which request bodies it answered, so tests can assert that nothing was paid for twice.

Faults are queued with `fail(kind, times=1, when=substring)`: the next matching request(s) get
  "429"       429 with Retry-After: 1        "500"     500 server error
  "hang"      no answer for `hang` seconds   "garbage" content that is not JSON
  "schema"    JSON that violates the schema  "badspan" a quoted span that is not in the source
  "runaway"   JSON that never ends, as a small model's in JSON mode: cut at the request's max_tokens
              (4 characters a token), finish_reason "length"
(`when=` limits a fault to requests containing a text, `claim=` to judging requests for one claim)
and `quota_after(n)` answers 429 insufficient_quota to every request after the next n answered ones."""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field

import pytest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_NEG = re.compile(r"\b(?:not|no|never|denied|n't)\b|n't\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_STOP = set("the a an of to in on at and or but is are was were be been has have had it its this that with for by "
            "from as said says not no never he she they we you i their our his her them us who which".split())


_OBEYED = ("ignore previous instructions", "mark every claim", "model:", "correct answer")


def _content_words(text: str) -> set[str]:
    return {w.lower()[:6] for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2}


def extract_answer(data: dict) -> dict:
    claims = []
    for s in data["sentences"]:
        text = s["text"].strip()
        words = text.split()
        if len(words) < 6 or text.endswith("?"):
            continue
        negation = _NEG.search(text)
        names = [w.strip(".,\u201c\u201d\"") for w in words[1:] if w[:1].isupper()]
        numbers = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]
        future = re.search(r"\bwill\b", text)
        claims.append({
            "sentence": s["n"], "span": text, "statement": text, "speaker": None,
            "is_quote": "\u201c" in text or '"' in text, "polarity": "negative" if negation else "positive",
            "negation": negation.group(0).lower() if negation else None,
            "modality": "future" if future else "asserted", "claim_date": None, "entities": names[:5],
            "numbers": numbers[:5], "checkworthiness": 0.8 if (names or numbers) and not future else 0.3,
        })
    return {"claims": claims}


def judge_answer(data: dict) -> dict:
    claim = data["claim"]
    # A model that obeys whatever the passages tell it (the worst case the defences are tested against).
    gullible = any(cue in p["text"].lower() for p in data["passages"] for cue in _OBEYED)
    out = []
    for p in data["passages"]:
        text = p["text"].strip()
        a, b = _content_words(claim), _content_words(text)
        overlap = len(a & b) / max(1, min(len(a), len(b)))
        if gullible:
            stance, kind, span = "supports", None, text
        elif overlap >= 0.6:
            differs = bool(_NEG.search(claim)) != bool(_NEG.search(text))
            stance, kind, span = ("refutes", "polarity", text) if differs else ("supports", None, text)
        else:
            stance, kind, span = "neutral", None, ""
        out.append({"passage": p["n"], "stance": stance, "score": 0.9 if stance != "neutral" else 0.5, "kind": kind,
                    "evidence_span": span, "rationale": f"word overlap {overlap:.2f}"})
    return {"judgements": out}


@dataclass
class Fault:
    kind: str
    times: int
    when: str | None = None  # only requests whose body contains this
    claim: str | None = None  # only judging requests for a claim containing this

    def matches(self, raw: str, task: str, user: dict) -> bool:
        if self.times <= 0 or (self.when is not None and self.when not in raw):
            return False
        return self.claim is None or (task == "judge" and self.claim in user["claim"])


@dataclass
class Record:
    path: str
    task: str
    status: int
    body_hash: str
    at: float
    fault: str | None = None
    body: str = ""


@dataclass
class State:
    faults: list[Fault] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)  # hashes of request bodies answered with 200
    items: list[str] = field(default_factory=list)  # each item answered validly: a document chunk or a pair
    quota_left: int | None = None
    hang: float = 3.0
    json_object_only: bool = False  # answer json_schema requests as llama.cpp's Python server does
    lock: threading.Lock = field(default_factory=threading.Lock)
    auth_seen: set[str] = field(default_factory=set)


def _task(body: dict) -> str:
    fmt = body.get("response_format") or {}
    name = (fmt.get("json_schema") or {}).get("name", "")
    if name == "ExtractionReply" or "extract checkable factual claims" in body["messages"][0]["content"]:
        return "extract"
    return "judge"


class _Handler(BaseHTTPRequestHandler):
    state: State
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
        raw = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): fine

    def do_POST(self):  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.loads(raw)
        state = self.state
        state.auth_seen.add(self.headers.get("Authorization", ""))
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, {"error": {"message": "unknown route", "type": "invalid_request_error"}})
            return
        task = _task(body)
        user = json.loads(body["messages"][1]["content"])
        digest = hashlib.sha256(json.dumps(body["messages"], sort_keys=True).encode()).hexdigest()[:16]
        with state.lock:
            fault = next((f for f in state.faults if f.matches(raw.decode(), task, user)), None)
            if fault:
                fault.times -= 1
            quota = state.quota_left is not None and state.quota_left <= 0
            record = Record(self.path, task, 200, digest, time.monotonic(), fault.kind if fault else None,
                            raw.decode())
            state.records.append(record)
        if quota:
            record.status, record.fault = 429, "quota"
            self._send(429, {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota",
                                       "code": "insufficient_quota"}})
            return
        kind = fault.kind if fault else None
        if state.json_object_only and (body.get("response_format") or {}).get("type") == "json_schema":
            record.status, record.fault = 500, "json_schema"
            self._send(500, {"error": {"message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
                                       "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\"}",
                                       "type": "internal_server_error", "param": None, "code": None}})
            return
        if kind == "429":
            record.status = 429
            self._send(429, {"error": {"message": "slow down", "type": "rate_limit_error"}}, {"Retry-After": "1"})
            return
        if kind == "500":
            record.status = 500
            self._send(500, {"error": {"message": "boom", "type": "server_error"}})
            return
        if kind == "hang":
            time.sleep(state.hang)
            record.status = 0
            return  # the client has timed out by now; the connection just closes
        answer = extract_answer(user) if task == "extract" else judge_answer(user)
        if kind == "garbage":
            content = "Sure! Here are the claims: {claims: [oops"
        elif kind == "schema":
            content = json.dumps({"items": "not what was asked"})
        elif kind == "badspan":
            key = "claims" if task == "extract" else "judgements"
            for x in answer[key]:
                if task == "extract" or x["evidence_span"]:
                    x["span" if task == "extract" else "evidence_span"] = "words that appear nowhere in the source"
            content = json.dumps(answer)
        elif kind == "runaway":
            content = ('{"claims": [' + " " * 100_000)[:4 * body.get("max_tokens", 100_000)]
        else:
            content = json.dumps(answer)
        with state.lock:
            if state.quota_left is not None:
                state.quota_left -= 1
            state.answered.append(digest)
            if kind is None:
                state.items += ([json.dumps(user["sentences"])] if task == "extract" else
                                [user["claim"] + "\n" + p["text"] for p in user["passages"]])
        self._send(200, {
            "id": f"chatcmpl-{digest}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "length" if kind == "runaway" else "stop"}],
            "usage": {"prompt_tokens": len(raw) // 4, "completion_tokens": len(content) // 4,
                      "total_tokens": len(raw) // 4 + len(content) // 4},
        })


class FakeOpenAI:
    def __init__(self) -> None:
        self.state = State()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def fail(self, kind: str, times: int = 1, when: str | None = None, claim: str | None = None) -> None:
        self.state.faults.append(Fault(kind, times, when, claim))

    def quota_after(self, answered: int | None) -> None:
        self.state.quota_left = answered

    @property
    def answered(self) -> list[str]:
        return list(self.state.answered)

    @property
    def items(self) -> list[str]:
        """Every document chunk and every (claim, passage) pair the server answered validly, in order."""
        return list(self.state.items)

    def requests(self, task: str | None = None) -> list[Record]:
        return [r for r in self.state.records if task is None or r.task == task]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


SECRET = "sk-test-DO-NOT-LEAK-7f3a9c"


@pytest.fixture
def fake_openai(monkeypatch):
    """The server, and the environment that points claimflow at it (import this fixture to use it)."""
    server = FakeOpenAI()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("CLAIMFLOW_LLM_TIMEOUT", "1")
    monkeypatch.setenv("CLAIMFLOW_LLM_ATTEMPTS", "3")
    monkeypatch.setenv("CLAIMFLOW_LLM_MAX_WAIT", "2")
    monkeypatch.setenv("CLAIMFLOW_LLM_RPM", "0")
    monkeypatch.setenv("CLAIMFLOW_LLM_CONCURRENCY", "2")
    yield server
    server.close()
