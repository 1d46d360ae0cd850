"""What a run reuses from the runs before it: pair judgements, query vectors and parses.

A judge's answer for a pair depends only on the judge (its name carries its version) and the two
texts as it read them; a query vector only on the embedder and the claim statement. So both are
stored under a hash of exactly that (tables `judge_memo` and `query_vectors`, migration 009) and a
run asks its judge and embedder only for what is not stored; the spaCy parses of claim statements,
which the accounts of events read on every run, are kept the same way (`parses`). A run that adds 10 documents to 1,000
judges the pairs that involve something new (new claims, new passages in an old claim's candidates,
new contradiction partners) and gives the same tables as a full re-run over all 1,010, since
everything else it reads back is what the judge would have said again.

The wrappers are read-only towards the database: they read through the functions they are given,
and what they learn waits in `fresh` until the writer saves it with the run's judgements."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from evidence.embed import DIMENSIONS
from evidence.models import Judgement, JudgeFailure


def memo_key(*parts: str) -> str:
    """A stable key for texts: sha256 over the parts, each length-prefixed (no two splits collide)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        h.update(f"{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()[:32]


class MemoJudge:
    """A judge that answers stored pairs from `known` and asks `inner` for the rest.

    `known(keys)` returns the stored judgements among `keys` (a dict by key). After a run, `used`
    holds every key the run needed, `asked` the pairs given to the inner judge, and `fresh` the
    judgements it made (failures are never stored: they are pending, and asked again next run).
    Everything else (`name`, `absolute_dates`, ...) is the inner judge's."""

    BATCH = 256  # pairs per call of the inner judge, so that `progress(done, total)` can follow a long stage

    def __init__(self, inner, known: Callable[[list[str]], dict[str, Judgement]],
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.inner = inner
        self._known = known
        self.progress = progress
        self.used: set[str] = set()
        self.fresh: dict[str, Judgement] = {}
        self.asked: set[tuple[str, str]] = set()  # the pairs the inner judge was asked (answered or failed)
        self._read: dict[str, Judgement] = {}  # stored judgements already read by `unknown`

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def key(self, pair: tuple[str, str]) -> str:
        """The judge's `memo_version` (its name and a digest of its deciding code, where it has one) and both texts."""
        return memo_key(getattr(self.inner, "memo_version", self.inner.name), pair[0], pair[1])

    def _stored(self, keys: list[str]) -> dict[str, Judgement]:
        wanted = set(keys) - set(self.fresh) - set(self._read)
        self._read.update(self._known(sorted(wanted)) if wanted else {})
        return {**{k: self._read[k] for k in keys if k in self._read}, **self.fresh}

    def unknown(self, pairs: list[tuple[str, str]]) -> set[int]:
        """The indices of the pairs that `judge` would ask the inner judge about (none stored)."""
        keys = [self.key(p) for p in pairs]
        stored = self._stored(keys)
        return {i for i, k in enumerate(keys) if k not in stored}

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement | JudgeFailure]:
        keys = [self.key(p) for p in pairs]
        self.used.update(keys)
        found = self._stored(keys)
        todo: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in found:
                todo.setdefault(k, i)
        ask = [pairs[i] for i in todo.values()]
        answers: list[Judgement | JudgeFailure] = []
        for start in range(0, len(ask), self.BATCH):
            answers += self.inner.judge(ask[start:start + self.BATCH])
            if self.progress is not None:
                self.progress(len(answers), len(ask))
        asked: dict[str, Judgement | JudgeFailure] = {}
        for (k, i), answer in zip(todo.items(), answers):
            asked[k] = answer
            self.asked.add(pairs[i])
            if isinstance(answer, Judgement):
                self.fresh[k] = answer
        return [found.get(k) or asked[k] for k in keys]


class MemoEmbedder:
    """An embedder whose query vectors come from `known` where stored; passages are embedded as the
    inner embedder does (each is embedded once anyway, when indexed)."""

    def __init__(self, inner, known: Callable[[list[str]], dict[str, np.ndarray]]) -> None:
        self.inner = inner
        self._known = known
        self.used: set[str] = set()
        self.fresh: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.passages(texts)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        keys = [memo_key(self.inner.name, "query", t) for t in texts]
        self.used.update(keys)
        found = {**self._known(sorted(set(keys) - set(self.fresh))), **self.fresh}
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        if missing:
            vectors = self.inner.queries(missing)
            for text, vector in zip(missing, vectors):
                key = memo_key(self.inner.name, "query", text)
                self.fresh[key] = found[key] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32)


class MemoParser:
    """spaCy parses of texts, read back from `known` (one-document DocBin bytes by key) where stored."""

    def __init__(self, nlp, known: Callable[[list[str]], dict[str, bytes]]) -> None:
        self.nlp = nlp
        self.name = f"spacy:{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}:{'+'.join(nlp.pipe_names)}"
        self._known = known
        self.used: set[str] = set()
        self.fresh: dict[str, bytes] = {}

    def pipe(self, texts: Sequence[str]) -> list:
        from spacy.tokens import DocBin

        texts = list(texts)
        keys = [memo_key(self.name, "parse", t) for t in texts]
        self.used.update(keys)
        stored = {**self._known(sorted(set(keys) - set(self.fresh))), **self.fresh}
        docs = {k: next(iter(DocBin().from_bytes(b).get_docs(self.nlp.vocab))) for k, b in stored.items()}
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in docs))
        for text, doc in zip(missing, self.nlp.pipe(missing, batch_size=256)):
            key = memo_key(self.name, "parse", text)
            one = DocBin(store_user_data=False)
            one.add(doc)
            self.fresh[key], docs[key] = one.to_bytes(), doc
        return [docs[k] for k in keys]
