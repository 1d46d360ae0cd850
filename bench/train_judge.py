"""Train the NLI pair judge (evidence/nli.py, TrainedJudge) on SICK and write its weights.

    .venv/bin/python bench/train_judge.py [--out evidence/weights/nli.v1.npz] [--folds 5]
                                          [--vectors-cache /tmp/claimflow-e5.npz] [--no-bench]

Steps, all deterministic:
1. read ../shared/datasets/sick.tsv (resolved from this file's location, never copied into the
   repository): the 4,934 TRAIN and TRIAL pairs (claim = sentence B, the hypothesis; evidence =
   sentence A, the premise). SICK TEST, FEVER-Symmetric and Climate-FEVER are never trained or tuned
   on. (SICK also labels B -> A; adding those pairs lowered CV accuracy, 0.82 vs 0.85, so they are
   not used);
2. features (evidence.nli.pairs_features): spaCy parse + cue judge + e5 vectors of each text once;
3. 5-fold cross-validation (GroupKFold on the SICK pair id) over C of a multinomial scikit-learn
   LogisticRegression and over the weight of the 768 embedding features relative to the hand
   features (a heavier L2 penalty on them); scored by accuracy;
4. a temperature for the softmax fitted on the out-of-fold logits of the winner (calibration);
5. refit the winner on all the training data, export coef / intercept / mean / scale / temperature
   (float32) to the weights file, check that the numpy scorer reproduces scikit-learn;
6. print the benchmark table of claimflow.evaluate.run_judge_benchmarks(TrainedJudge.load()) and
   the time to judge 10,000 SICK pairs from cold caches (parse + embed + cue judge + model).

scikit-learn is needed here only. --vectors-cache keeps the e5 vectors in a file outside the
repository between runs (a cold run embeds ~17,000 texts: several minutes on 2 cores).
The committed weights came from: .venv/bin/python bench/train_judge.py
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence import nli  # noqa: E402
from evidence.nli import FEATURE_NAMES, HAND_FEATURES, NLI_VERSION, STANCES, TrainedJudge, pairs_features  # noqa: E402

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
LABEL = {"ENTAILMENT": "supports", "CONTRADICTION": "refutes", "NEUTRAL": "neutral",
         "entails": "supports", "contradicts": "refutes", "neutral": "neutral"}


def sick_training_pairs() -> list[tuple[str, str, str, str, str]]:
    """(pair id, direction, claim, evidence, stance) for SICK TRAIN + TRIAL."""
    out = []
    with open(DATASETS / "sick.tsv", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["SemEval_set"] not in ("TRAIN", "TRIAL"):
                continue
            out.append((r["pair_ID"], "AB", r["sentence_B"], r["sentence_A"], LABEL[r["entailment_label"]]))
    return out


def load_vectors(path: Path | None) -> None:
    if path and path.exists():
        with np.load(path, allow_pickle=False) as z:
            nli._VECTORS.vectors.update(zip([str(t) for t in z["texts"]], z["vectors"]))
        print(f"loaded {len(nli._VECTORS.vectors)} cached e5 vectors from {path}")


def save_vectors(path: Path | None) -> None:
    if path:
        texts = list(nli._VECTORS.vectors)
        np.savez(path, texts=np.array(texts), vectors=np.vstack([nli._VECTORS.vectors[t] for t in texts]))


def fit(X, y, C, alpha, hand):
    """Standardise, then shrink the embedding block by alpha (a heavier L2 penalty on it than on the
    hand features); the shrink is folded into the exported scale, so inference is unchanged."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X)
    scaler.scale_ = scaler.scale_.copy()
    scaler.scale_[hand:] /= alpha
    clf = LogisticRegression(C=C, max_iter=3000).fit(scaler.transform(X), y)
    return scaler, clf


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    best = (np.inf, 1.0)
    for t in np.exp(np.linspace(np.log(0.3), np.log(5), 120)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = -(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean()
        best = min(best, (nll, float(t)))
    return best[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "evidence" / "weights" / "nli.v1.npz")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--vectors-cache", type=Path, default=None)
    ap.add_argument("--no-bench", action="store_true")
    args = ap.parse_args()
    from sklearn.model_selection import GroupKFold

    load_vectors(args.vectors_cache)
    rows = sick_training_pairs()
    t0 = time.time()
    X, _ = pairs_features([(c, e) for _, _, c, e, _ in rows])
    save_vectors(args.vectors_cache)
    print(f"features of {len(rows)} training pairs: {X.shape} in {time.time() - t0:.0f}s")
    y = np.array([STANCES.index(s) for *_, s in rows])
    groups = np.array([pid for pid, *_ in rows])

    hand = len(HAND_FEATURES)
    folds = list(GroupKFold(n_splits=args.folds).split(X, y, groups))
    results = {}
    for C in (0.1, 0.3, 1.0):
        for alpha in (0.05, 0.1, 0.2):
            logits = np.zeros((len(y), len(STANCES)))
            for tr, te in folds:
                scaler, clf = fit(X[tr], y[tr], C, alpha, hand)
                logits[te] = clf.decision_function(scaler.transform(X[te]))
            pred = logits.argmax(1)
            acc = float((pred == y).mean())
            tp = ((pred == 1) & (y == 1)).sum()
            f1c = 2 * tp / ((pred == 1).sum() + (y == 1).sum())
            results[(C, alpha)] = (acc, f1c, logits)
            print(f"CV C={C:<4} embedding weight={alpha:<4} accuracy {acc:.4f}  contradiction F1 {f1c:.4f}")
    (C, alpha), (acc, f1c, logits) = max(results.items(), key=lambda kv: kv[1][0])
    temperature = fit_temperature(logits, y)
    print(f"chosen: C={C} embedding weight={alpha}; {args.folds}-fold CV accuracy {acc:.4f}, "
          f"contradiction F1 {f1c:.4f}; temperature {temperature:.3f}")

    scaler, clf = fit(X, y, C, alpha, hand)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, version=np.array(NLI_VERSION), coef=clf.coef_.astype(np.float32),
        intercept=clf.intercept_.astype(np.float32), mean=scaler.mean_.astype(np.float32),
        scale=scaler.scale_.astype(np.float32), temperature=np.array(temperature),
        feature_names=np.array(FEATURE_NAMES), classes=np.array(STANCES),
        trained_on=np.array("SICK TRAIN+TRIAL (A -> B)"))
    TrainedJudge._loaded.clear()
    judge = TrainedJudge.load(args.out)
    agree = (judge.logits(X).argmax(1) == clf.predict(scaler.transform(X))).mean()
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.1f} KiB); numpy/sklearn agreement {agree:.4f}")
    if args.no_bench:
        return

    from claimflow.evaluate import format_table, run_judge_benchmarks

    t0 = time.time()
    results = run_judge_benchmarks(judge)
    save_vectors(args.vectors_cache)
    print(format_table(results))
    print(f"(benchmarks took {time.time() - t0:.0f}s)")

    from evidence import judge as cue_judge

    sick = []
    with open(DATASETS / "sick.tsv", newline="") as f:
        sick += [(r["sentence_B"], r["sentence_A"]) for r in csv.DictReader(f, delimiter="\t")]
        sick += [(a, b) for b, a in sick]  # 9,840 pairs and their reverse: 10,000 pairs over ~6,000 texts
    pairs = sick[:10_000]
    nli._VECTORS.vectors.clear()
    cue_judge._CACHE.clear()
    nli._VECTORS.get(["warm-up"])
    cue_judge.parse_many(["Warm up."])
    t0 = time.time()
    judge.judge(pairs)
    n_texts = len({t for p in pairs for t in p})
    print(f"judged {len(pairs)} SICK pairs ({n_texts} unique texts) from cold caches in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
