"""Where may the cue analysis overrule the cross-encoder? Measure each rule on the development sets.

    .venv/bin/python bench/judge_rules.py [--corpus]

Judges FEVER-Symmetric dev, Climate-FEVER, SICK test and the held-out validation slices once with the
model (its probabilities are cached), then with each set of overriding rules of `ModelJudge`:

- none: the model's most likely label on every pair (`claimflow eval --judge model`);
- figures: the cue analysis's numeric and date conflicts on aligned clauses refute;
- time: a change over time ("closed since January" / "reopened on Thursday") is neutral;
- polarity: the cue analysis's polarity, denial and antonym conflicts on aligned clauses refute too;
- part of the claim: evidence with every figure and date of the claim, which the claim entails,
  supports it where the model says neutral.

With --corpus, each set also runs the whole pipeline on the sample corpus and scores its answer key.
Prints accuracy (macro-F1 for Climate-FEVER) per set and rule."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

OFF = {"figures": False, "time": False, "polarity": False, "partial": False}
RULES = {"none": OFF, "figures": {**OFF, "figures": True}, "time": {**OFF, "time": True},
         "figures+time": {**OFF, "figures": True, "time": True},
         "figures+time+polarity": {**OFF, "figures": True, "time": True, "polarity": True},
         "all (+part of the claim)": {"figures": True, "time": True, "polarity": True, "partial": True}}


class Recording:
    """A judge that keeps every judgement it hands out, in order."""

    def __init__(self, judge):
        self.inner, self.seen = judge, []

    def judge(self, pairs):
        judged = self.inner.judge(pairs)
        self.seen += judged
        return judged


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="store_true", help="also score the sample corpus's answer key per rule")
    args = ap.parse_args()
    from claimflow.evaluate import (
        NLI_LABEL,
        load_climate_fever,
        load_fever_symmetric,
        load_sick,
        load_validation,
        run_judge_benchmarks,
    )
    from evidence.cross_encoder import CrossEncoder
    from evidence.model_judge import ModelJudge

    model = CrossEncoder.load()
    # gold labels in the order run_judge_benchmarks judges its sets
    gold = [p.gold for p in load_fever_symmetric() + load_climate_fever()[0] + load_sick("TEST")]
    gold += [p.gold for s in ("vitaminc_real", "vitaminc_synthetic", "mnli", "snli") for p in load_validation(s)]
    table = {}
    for name, flags in RULES.items():
        recording = Recording(ModelJudge(model, **flags))
        results = run_judge_benchmarks(recording)
        seen = recording.seen
        table[name] = {r.name: (r.macro_f1 if r.name.startswith("Climate") else r.accuracy) for r in results}
        overruled = [(NLI_LABEL[j.stance] == g) for j, g in zip(seen, gold)
                     if "cue analysis decided" in j.rationale or j.cue == "part of the claim"]
        table[name]["cue overrules: n"] = float(len(overruled))
        table[name]["cue overrules: right"] = sum(overruled) / max(len(overruled), 1)
        if args.corpus:
            from claimflow.answer_key import score
            from flows.verify import verify_corpus

            original = ModelJudge.__init__.__kwdefaults__.copy()
            ModelJudge.__init__.__kwdefaults__.update(flags)
            try:
                db = Path(tempfile.mkdtemp()) / "key.duckdb"
                verify_corpus(sources=[str(ROOT / "examples" / "corpus")], db=str(db), rejudge=True)
                table[name]["sample corpus"] = score(db, ROOT / "examples" / "answer_key.json").summary()
            finally:
                ModelJudge.__init__.__kwdefaults__.update(original)
        print(name, table[name], flush=True)
    sets = list(next(iter(table.values())))
    print(f"\n{'set':36}" + "".join(f"{r:>24}" for r in RULES))
    for s in sets:
        cells = [table[r][s] for r in RULES]
        print(f"{s[:36]:36}" + "".join(f"{c:>24.3f}" if isinstance(c, float) else f"  {c}" for c in cells))


if __name__ == "__main__":
    main()
