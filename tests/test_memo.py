"""The memo wrappers (claimflow/memo.py): stored answers are read back, only the rest is asked."""
import numpy as np

from claimflow.memo import MemoEmbedder, MemoJudge, memo_key
from evidence.models import Judgement, JudgeFailure


class CountingJudge:
    name = "counting/1"
    absolute_dates = False

    def __init__(self):
        self.asked = []

    def judge(self, pairs):
        self.asked.extend(pairs)
        return [JudgeFailure(reason="down") if "fail" in c else
                Judgement(stance="supports", score=0.9, cue="model", rationale=f"{c} / {e}") for c, e in pairs]


def test_stored_pairs_are_read_back_and_only_new_ones_asked():
    inner = CountingJudge()
    stored = {memo_key("counting/1", "a", "x"): Judgement(stance="refutes", score=0.7, cue="model", rationale="old")}
    judge = MemoJudge(inner, lambda keys: {k: stored[k] for k in keys if k in stored})
    out = judge.judge([("a", "x"), ("b", "y"), ("b", "y"), ("fail", "z")])
    assert [o.stance if isinstance(o, Judgement) else "failed" for o in out] == ["refutes", "supports", "supports",
                                                                                  "failed"]
    assert inner.asked == [("b", "y"), ("fail", "z")]  # each new pair once; the stored one never
    assert judge.asked == {("b", "y"), ("fail", "z")}
    assert set(judge.fresh) == {memo_key("counting/1", "b", "y")}  # a failure is never stored
    assert len(judge.used) == 3 and judge.name == "counting/1" and judge.absolute_dates is False
    judge.judge([("b", "y")])
    assert inner.asked == [("b", "y"), ("fail", "z")]  # learnt within the run too


def test_keys_depend_on_the_judge_and_on_how_the_texts_split():
    assert memo_key("j/1", "ab", "c") != memo_key("j/1", "a", "bc")
    assert memo_key("j/1", "a", "b") != memo_key("j/2", "a", "b")


class CountingEmbedder:
    name = "counting-embedder"

    def __init__(self):
        self.asked = []

    def queries(self, texts):
        self.asked.extend(texts)
        return np.array([[float(len(t))] * 384 for t in texts], dtype=np.float32)


def test_query_vectors_are_read_back():
    inner = CountingEmbedder()
    stored = {memo_key("counting-embedder", "query", "old"): np.full(384, 7.0, dtype=np.float32)}
    embedder = MemoEmbedder(inner, lambda keys: {k: stored[k] for k in keys if k in stored})
    vectors = embedder.queries(["old", "new one", "new one"])
    assert inner.asked == ["new one"]
    assert vectors.shape == (3, 384) and vectors[0, 0] == 7.0 and vectors[1, 0] == vectors[2, 0] == 7.0 * 1
    assert set(embedder.fresh) == {memo_key("counting-embedder", "query", "new one")}
    assert embedder.queries([]).shape == (0, 384)


def test_the_local_judges_memo_key_follows_its_code(tmp_path, monkeypatch):
    from evidence import model_judge

    rule = tmp_path / "rule.py"
    rule.write_text("THRESHOLD = 0.5\n")
    monkeypatch.setattr(model_judge, "_DECIDING_CODE", model_judge._DECIDING_CODE + (str(rule),))
    before = model_judge.code_digest()
    assert model_judge.code_digest() == before
    rule.write_text("THRESHOLD = 0.6\n")  # an edited rule: stored judgements no longer answer for it
    assert model_judge.code_digest() != before
    judge = model_judge.ModelJudge()
    assert judge.memo_version.startswith(judge.name + "#")
    memo = MemoJudge(judge, lambda keys: {})
    assert memo.key(("a", "b")) == memo_key(judge.memo_version, "a", "b") != memo_key(judge.name, "a", "b")
