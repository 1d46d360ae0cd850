"""Train the check-worthiness model (claims/checkworthiness.py) on ClaimBuster and write its weights.

    .venv/bin/python bench/train_checkworthiness.py [--out claims/weights/checkworthiness.v1.npz]
                                                    [--bits 20] [--folds 5] [--quick]
                                                    [--parse-cache /tmp/claimbuster.spacy]

Steps, all deterministic:
1. read ../shared/datasets/claimbuster_kfold_25ncs.json (resolved from this file's location; never
   copied into the repository) and split it with claims.checkworthiness.heldout_split: 20% held out,
   stratified by label, chosen by crc32 of the sentence_id; training rows whose text repeats a
   held-out sentence are dropped. The held-out part is used once, at the end, for the report;
2. parse every sentence with the project's spaCy model (nlp.pipe), compute the feature strings once;
3. on the training part only, 5-fold stratified cross-validation over feature groups, row
   normalisation and C of a scikit-learn LogisticRegression (liblinear); for each setting the
   decision threshold is the one maximising F1 of the positive class on the pooled out-of-fold
   scores; the setting with the best pooled out-of-fold F1 wins;
4. refit that setting on the whole training part, export bias + non-zero hashed weights (float16)
   + threshold to the weights file, check that the numpy scorer reproduces scikit-learn;
5. print precision / recall / F1 of the positive class on the held-out part, and the scoring speed
   of CheckworthinessModel.score_many on already-parsed sentences.

scikit-learn is needed here only; inference uses numpy and the weights file. Takes ~3 minutes on
2 cores (~35 s of it parsing; --quick: a 4-setting grid, ~1 minute; --parse-cache reuses the parses
of an earlier run from a file outside the repository). The committed weights came from the plain
command on the first line, with no options.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "claimbuster_kfold_25ncs.json"
DEFAULT_OUT = ROOT / "claims" / "weights" / "checkworthiness.v1.npz"

# Candidate feature-group sets (see claims.checkworthiness.ALL_GROUPS).
GROUP_SETS = [
    ("w", "wb"),
    ("w", "wb", "a"),
    ("w", "wb", "a", "p", "t", "e", "s", "m"),
    ("w", "wb", "a", "p", "t", "e", "s", "m", "d"),
    ("w", "wb", "wt", "l", "a", "p", "t", "e", "s", "m", "d"),
    ("a", "p", "t", "e", "s", "m", "d"),
]
QUICK_GROUP_SETS = [GROUP_SETS[1], GROUP_SETS[3]]
# C per row normalisation: binary rows need a stronger penalty than unit-length rows.
CS = {"none": (0.1, 0.3, 1.0), "l2": (3.0, 10.0, 30.0)}
QUICK_CS = {"none": (0.3,), "l2": (10.0,)}
NORMS = ("l2", "none")


def hashed_by_group(docs, groups, n_bits):
    """Per sentence, per group: the column indices of its distinct feature strings."""
    from claims.checkworthiness import features

    mask = (1 << n_bits) - 1
    out = []
    for doc in docs:
        row = {}
        for g in groups:
            row[g] = [zlib.crc32(f.encode("utf-8")) & mask for f in set(features(doc, (g,)))]
        out.append(row)
    return out


def matrix(hashed, groups, norm, n_bits):
    """CSR matrix of the chosen groups; duplicate indices (hash collisions) are summed, as at inference."""
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for row in hashed:
        idx = [i for g in groups for i in row[g]]
        v = 1.0 / np.sqrt(len(idx)) if (norm == "l2" and idx) else 1.0
        indices.extend(idx)
        data.extend([v] * len(idx))
        indptr.append(len(indices))
    m = csr_matrix((np.asarray(data, np.float64), np.asarray(indices, np.int64), np.asarray(indptr)),
                   shape=(len(hashed), 1 << n_bits))
    m.sum_duplicates()
    return m


def best_threshold(y, p):
    """The threshold maximising F1 of class 1 over the scores p, and that F1."""
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    k = np.arange(1, len(ys) + 1)
    f1 = 2 * tp / (k + ys.sum())
    # only cut between distinct scores
    last = np.r_[ps[1:] != ps[:-1], True]
    f1 = np.where(last, f1, -1)
    i = int(np.argmax(f1))
    thr = float((ps[i] + ps[i + 1]) / 2) if i + 1 < len(ps) else float(ps[i])
    return thr, float(f1[i])


def prf(y, pred):
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def fit(X, y, C):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=0).fit(X, y)


def fold_scores(X, y, C, train_idx, test_idx):
    """Decision values on one fold's test part of a model fitted on its training part."""
    return fit(X[train_idx], y[train_idx], C).decision_function(X[test_idx])


def summarise(y, oof, splits):
    """(margin threshold, pooled out-of-fold F1, mean and sd of per-fold F1 at that threshold)."""
    thr, f1 = best_threshold(y, oof)
    per_fold = [prf(y[te], (oof[te] >= thr).astype(int))[2] for _, te in splits]
    return thr, f1, float(np.mean(per_fold)), float(np.std(per_fold))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--bits", type=int, default=20)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="smaller grid")
    ap.add_argument("--parse-cache", type=Path, default=None,
                    help="optional DocBin file OUTSIDE the repository to reuse parses between runs")
    args = ap.parse_args(argv)

    from joblib import Parallel, delayed

    from claims.checkworthiness import ALL_GROUPS, CheckworthinessModel, heldout_split
    from claims.nlp import get_nlp

    if not DATA.exists():
        sys.exit(f"{DATA} is not here (it lives in ../shared/datasets beside the project)")
    rows = json.loads(DATA.read_text())
    train_rows, held_rows = heldout_split(rows)
    print(f"data: {len(rows)} sentences; train {len(train_rows)} ({sum(r['label'] for r in train_rows)} pos), "
          f"held-out {len(held_rows)} ({sum(r['label'] for r in held_rows)} pos), "
          f"{len(rows) - len(train_rows) - len(held_rows)} train duplicates of held-out text dropped")

    t0 = time.perf_counter()
    nlp = get_nlp()
    texts = [r["text"] for r in train_rows + held_rows]
    docs = None
    if args.parse_cache and args.parse_cache.exists():
        from spacy.tokens import DocBin

        docs = list(DocBin().from_disk(args.parse_cache).get_docs(nlp.vocab))
        if [d.text for d in docs] != texts:
            docs = None
    if docs is None:
        docs = list(nlp.pipe(texts, batch_size=256))
        if args.parse_cache:
            from spacy.tokens import DocBin

            DocBin(docs=docs, store_user_data=False).to_disk(args.parse_cache)
    train_docs, held_docs = docs[:len(train_rows)], docs[len(train_rows):]
    print(f"parsed in {time.perf_counter() - t0:.1f}s")
    y = np.array([r["label"] for r in train_rows])
    y_held = np.array([r["label"] for r in held_rows])

    t0 = time.perf_counter()
    hashed = hashed_by_group(train_docs, ALL_GROUPS, args.bits)
    print(f"features in {time.perf_counter() - t0:.1f}s")

    from sklearn.model_selection import StratifiedKFold

    splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
    grid, results = [], []
    t0 = time.perf_counter()
    for g in QUICK_GROUP_SETS if args.quick else GROUP_SETS:
        settings = [(n, c) for n in NORMS for c in (QUICK_CS if args.quick else CS)[n]]
        Xs = {n: matrix(hashed, g, n, args.bits) for n in NORMS}
        parts = Parallel(n_jobs=2)(delayed(fold_scores)(Xs[n], y, c, tr, te)
                                   for n, c in settings for tr, te in splits)
        for j, (n, c) in enumerate(settings):
            oof = np.zeros(len(y))
            for k, (_, te) in enumerate(splits):
                oof[te] = parts[j * len(splits) + k]
            grid.append((g, n, c))
            results.append(summarise(y, oof, splits))
    print(f"cross-validation ({len(grid)} settings x {args.folds} folds) in {time.perf_counter() - t0:.1f}s")
    print(f"{'groups':38} {'norm':5} {'C':>5}  pooled-OOF-F1  fold-F1 (mean+-sd)")
    for (g, n, c), (thr, f1, mean, sd) in sorted(zip(grid, results), key=lambda x: -x[1][1])[:12]:
        print(f"{'+'.join(g):38} {n:5} {c:5g}  {f1:.4f}         {mean:.4f} +- {sd:.4f}")
    best = max(range(len(grid)), key=lambda i: results[i][1])
    groups, norm, C = grid[best]
    margin_thr, cv_f1, cv_mean, cv_sd = results[best]
    threshold = float(1 / (1 + np.exp(-margin_thr)))
    print(f"chosen: groups={'+'.join(groups)} norm={norm} C={C} threshold={threshold:.4f} "
          f"(CV F1 pooled {cv_f1:.4f}, per fold {cv_mean:.4f} +- {cv_sd:.4f})")

    X = matrix(hashed, groups, norm, args.bits)
    clf = fit(X, y, C)
    model = CheckworthinessModel(clf.coef_[0].astype(np.float16).astype(np.float32), float(clf.intercept_[0]),
                                 threshold, args.bits, groups, norm)

    # the numpy scorer must reproduce scikit-learn on the training sentences (float16 weights)
    ref = clf.predict_proba(X[:500])[:, 1]
    ours = np.array(model.score_many(train_docs[:500]))
    print(f"numpy scorer vs scikit-learn, max |diff| over 500 sentences: {np.abs(ref - ours).max():.2e}")

    scores = np.array(model.score_many(held_docs))
    p, r, f1 = prf(y_held, (scores >= threshold).astype(int))
    print(f"held-out ({len(held_rows)} sentences, {int(y_held.sum())} positive): "
          f"precision {p:.4f} recall {r:.4f} F1 {f1:.4f}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out, C=C, cv_f1=cv_f1, cv_f1_fold_mean=cv_mean, heldout_precision=p, heldout_recall=r,
               heldout_f1=f1, trained_on="ClaimBuster kfold_25ncs.json (utaresearch/claimbuster-spotter@332bba08), "
               "GPL-3.0")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, "
          f"{int(np.count_nonzero(model.weights))} non-zero weights of {1 << args.bits})")

    reloaded = CheckworthinessModel.load(args.out)
    assert np.allclose(reloaded.score_many(held_docs[:50]), scores[:50], atol=1e-6)
    bench = held_docs * 3
    reloaded.score_many(bench[:200])  # warm-up
    t0 = time.perf_counter()
    reloaded.score_many(bench)
    dt = time.perf_counter() - t0
    print(f"scoring speed: {len(bench) / dt:,.0f} sentences/s ({dt / len(bench) * 1e6:.0f} us/sentence, "
          f"already-parsed docs, single thread)")


if __name__ == "__main__":
    main()
