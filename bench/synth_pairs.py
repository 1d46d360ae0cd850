"""Synthetic claim/evidence pairs for training the pair judge: FEVER-style mutations of sentences
that belong to no evaluation set.

    .venv/bin/python bench/synth_pairs.py [--out /tmp/synth.jsonl] [--per-source 2500] [--seed 5]

Source sentences, read at run time from ../shared/datasets (never copied into the repository):
- ClaimBuster (`claimbuster_kfold_25ncs.json`, GPL-3.0): sentences from US presidential debates;
- SICK TRAIN + TRIAL (`sick.tsv`, CC BY-NC-SA 3.0): sentence A of each pair (captions). SICK TEST,
  FEVER-Symmetric and Climate-FEVER are never read here.

Each source sentence is the evidence; the claim is made from it (spaCy parse, deterministic seed):
- supports: the sentence with one or two optional parts dropped (adjectives, adverbs, prepositional
  phrases, appositions, relative and adverbial clauses, coordinated parts): the claim says less than
  the evidence; or an apposition turned into "X is a Y";
- refutes: the (shortened) sentence with one argument substituted by another of the same type taken
  from another sentence: an entity of the same label (person, place, nationality, organisation, date),
  a number changed, the noun of a copula's attribute ("is a film" -> "is a painting") or of a
  prepositional object ("associated with jazz" -> "associated with tennis"), a subject; or the main
  verb negated (or its negation removed); or a word swapped for its antonym;
- neutral: any substitution in a sentence whose subject is not one known referent ("a man is playing
  a guitar" / "a man is playing a flute" can be two scenes; SICK labels such pairs neutral); the
  direct object of an action verb substituted ("approved the budget" -> "approved the
  tax plan": both can be true, so this is not a contradiction in news); the claim says more than the
  evidence (the evidence is the shortened sentence, the claim the full one); or the claim is another
  sentence that shares a content word with the evidence.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASETS = ROOT.parent / "shared" / "datasets"

_OPTIONAL = {"amod", "advmod", "prep", "appos", "relcl", "acl", "advcl", "npadvmod", "conj"}
_ENT_LABELS = {"PERSON", "GPE", "NORP", "ORG", "DATE", "LOC", "EVENT", "WORK_OF_ART", "LANGUAGE", "FAC"}
_SWAP_POS = {"NOUN", "PROPN", "ADJ"}
_NEG_WORDS = {"not", "n't", "never"}


def source_sentences(root: Path = DATASETS, per_source: int = 2500, seed: int = 5) -> list[tuple[str, str]]:
    """(origin, sentence): ClaimBuster sentences and SICK TRAIN+TRIAL sentence A, deterministic sample."""
    rng = random.Random(seed)
    cb = json.loads((root / "claimbuster_kfold_25ncs.json").read_text())
    cb_texts = sorted({r["text"].strip() for r in cb if 6 <= len(r["text"].split()) <= 35})
    with open(root / "sick.tsv", newline="") as f:
        sick = sorted({r["sentence_A"] for r in csv.DictReader(f, delimiter="\t") if r["SemEval_set"] in ("TRAIN", "TRIAL")})
    rng.shuffle(cb_texts)
    rng.shuffle(sick)
    return [("claimbuster", t) for t in cb_texts[:per_source]] + [("sick", t) for t in sick[: per_source // 2]]


def _render(tokens) -> str:
    text = "".join(t.text_with_ws if not isinstance(t, str) else t for t in tokens).strip()
    text = re.sub(r"\s+([,.;:!?%])", r"\1", re.sub(r"\s+", " ", text))
    text = re.sub(r"^[,;:\s]+|[,;:\s]+(?=[.!?]?$)", "", text)
    return text[:1].upper() + text[1:] if text else text


def _optional_subtrees(doc) -> list[set[int]]:
    out = []
    n = len(doc)
    for t in doc:
        if t.dep_ not in _OPTIONAL or t.dep_ == "ROOT":
            continue
        if t.dep_ == "advmod" and t.lower_ in _NEG_WORDS:
            continue
        span = {x.i for x in t.subtree}
        if t.dep_ == "conj":  # drop the coordinator and comma before it too
            span |= {x.i for x in t.head.children if x.dep_ in ("cc", "punct") and x.i < t.i and x.i > t.head.i}
        if len(span) <= 0.6 * n and any(doc[i].pos_ in ("NOUN", "PROPN", "ADJ", "VERB", "NUM", "ADV") for i in span):
            out.append(span)
    return out


def shorten(doc, rng: random.Random, k: int | None = None) -> tuple[str, list[int]] | None:
    """Drop one or two optional subtrees; returns the text and the kept token indices."""
    subtrees = _optional_subtrees(doc)
    if not subtrees:
        return None
    k = k or rng.choice((1, 1, 2))
    drop = set().union(*rng.sample(subtrees, min(k, len(subtrees))))
    keep = [t.i for t in doc if t.i not in drop]
    if len(keep) < 3:
        return None
    return _render([doc[i] for i in keep]), keep


class Pool:
    """Replacement candidates by type, from all source sentences."""

    def __init__(self, docs):
        self.ents: dict[str, list[str]] = {}
        self.words: dict[tuple[str, str], list[str]] = {}
        for doc in docs:
            for e in doc.ents:
                if e.label_ in _ENT_LABELS and len(e) <= 4:
                    self.ents.setdefault(e.label_, []).append(e.text)
            for t in doc:
                if t.pos_ in _SWAP_POS and not t.is_stop and t.is_alpha and not t.ent_type_:
                    self.words.setdefault((t.pos_, t.tag_), []).append(t.text.lower() if t.pos_ != "PROPN" else t.text)

    def other(self, rng, kind: str, current: str, key=None) -> str | None:
        pool = self.ents.get(kind, []) if key is None else self.words.get(key, [])
        for _ in range(10):
            if not pool:
                return None
            cand = rng.choice(pool)
            if cand.lower() != current.lower() and cand.lower()[:4] != current.lower()[:4]:
                return cand
        return None


def _number_change(rng, text: str) -> str | None:
    raw = text.replace(",", "")
    try:
        v = float(raw)
    except ValueError:
        return None
    if re.fullmatch(r"1[5-9]\d\d|20\d\d", raw):
        return str(int(v) + rng.choice([-1, 1]) * rng.randint(1, 25))
    new = v * rng.choice([0.3, 0.5, 2, 3, 1.5]) if v > 10 else v + rng.randint(1, 5)
    return f"{int(round(new)):,}" if "," in text else str(int(round(new)))


def substitute(doc, keep: list[int], pool: Pool, rng) -> tuple[str, str, str] | None:
    """Replace one argument in the kept tokens. Returns (claim text, label, what)."""
    kept = set(keep)
    options = []
    for e in doc.ents:
        if e.label_ in _ENT_LABELS and all(t.i in kept for t in e):
            options.append(("ent", e))
    for t in doc:
        if t.i not in kept or t.ent_type_ or t.is_stop:
            continue
        if t.like_num and t.i in kept:
            options.append(("num", t))
        elif t.pos_ in ("NOUN", "ADJ") and t.dep_ in ("attr", "acomp", "dobj", "pobj", "nsubj", "nsubjpass", "amod"):
            options.append(("word", t))
    if not options:
        return None
    kind, target = rng.choice(options)
    if kind == "ent":
        new = pool.other(rng, target.label_, target.text)
        span = {t.i for t in target}
        label, what = "refutes", f"entity {target.label_}"
    elif kind == "num":
        new = _number_change(rng, target.text)
        span, label, what = {target.i}, "refutes", "number"
    else:
        new = pool.other(rng, "", target.lower_, key=(target.pos_, target.tag_))
        span = {target.i}
        head = target.head
        if target.dep_ == "dobj" and head.lemma_ != "be":
            label, what = "neutral", "object of an action verb"
        elif target.dep_ == "amod" and target.head.dep_ == "dobj" and target.head.head.lemma_ != "be":
            label, what = "neutral", "modifier of an object"
        else:
            label, what = "refutes", f"{target.dep_} {target.pos_}"
    if not new:
        return None
    out, done = [], False
    for i in keep:
        if i in span:
            if not done:
                out.append(new + doc[max(span)].whitespace_)
                done = True
            continue
        out.append(doc[i])
    return _render(out), label, what


def _aux_for(tag: str) -> str:
    return {"VBD": "did", "VBZ": "does", "VBP": "do"}.get(tag, "did")


def negate(doc, keep: list[int]) -> str | None:
    """Negate the main verb of the kept tokens, or remove its negation."""
    kept = set(keep)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.i not in kept:
        return None
    negs = [c for c in root.children if c.dep_ == "neg"]
    out: list = []
    if negs:
        drop = {n.i for n in negs}
        dos = [c for c in root.children if c.dep_ == "aux" and c.lemma_ == "do"]
        if dos and root.tag_ == "VB":
            drop |= {d.i for d in dos}
            for i in keep:
                if i in drop:
                    continue
                if i == root.i:
                    past = dos[0].tag_ == "VBD"
                    out.append((root.text + "ed" if past and not root.text.endswith("e") else root.text + "d" if past
                                else root.text + "s" if dos[0].lower_ == "does" else root.text) + root.whitespace_)
                else:
                    out.append(doc[i])
            return _render(out)
        return _render([doc[i] for i in keep if i not in drop])
    auxes = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i]
    for i in keep:
        t = doc[i]
        if auxes and t.i == auxes[0].i:
            out += [t.text + " ", "not "]
        elif not auxes and t.i == root.i and (root.lemma_ == "be" or root.pos_ == "AUX"):
            out += [t.text + " ", "not" + t.whitespace_]
        elif not auxes and t.i == root.i and root.pos_ == "VERB" and root.tag_ in ("VBD", "VBZ", "VBP"):
            out += [f"{_aux_for(root.tag_)} not ", root.lemma_ + t.whitespace_]
        else:
            out.append(t)
    text = _render(out)
    return text if " not" in text else None


def antonym_swap(doc, keep: list[int], rng) -> str | None:
    from evidence.align import _ANT

    options = []
    for i in keep:
        t = doc[i]
        cands = sorted(b for a, b in _ANT if a in (t.lemma_.lower(), t.lower_))
        if cands:
            options.append((t, cands))
    if not options:
        return None
    t, cands = rng.choice(options)
    new = rng.choice(cands)
    return _render([new + doc[i].whitespace_ if i == t.i else doc[i] for i in keep])


def appositive_claim(doc) -> tuple[str, int] | None:
    """"Smith, a retired judge, said ..." -> ("Smith is a retired judge.", index of the apposition head)."""
    for t in doc:
        if t.dep_ == "appos" and t.head.pos_ in ("PROPN", "NOUN") and t.pos_ == "NOUN":
            head_span = [x for x in t.head.subtree if x.i not in {y.i for y in t.subtree} and x.dep_ != "punct"]
            app = [x for x in t.subtree if x.dep_ != "punct"]
            if 1 <= len(head_span) <= 5 and 1 <= len(app) <= 8:
                verb = "are" if t.head.tag_ in ("NNS", "NNPS") else "is"
                return _render([*(x.text + " " for x in head_span), verb + " ", *(x.text + " " for x in app), "."]), t.i
    return None


_INDEFINITE = {"a", "an", "some", "several", "many", "few", "another", "two", "three", "four", "five"}


def anchored(doc) -> bool:
    """Is the sentence about one known referent (a name, a pronoun, "the"/possessive subject)? Two
    captions with an indefinite subject ("a man is sitting" / "a man is standing") can describe two
    scenes: SICK labels such pairs neutral, so a substitution there is not a conflict."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    subj = next((c for c in root.children if c.dep_.startswith("nsubj")), None) if root is not None else None
    if subj is None:
        return False
    dets = {c.lower_ for c in subj.children if c.dep_ in ("det", "nummod")}
    if subj.pos_ == "PRON" or subj.pos_ == "PROPN" or subj.ent_type_:
        return True
    if dets & _INDEFINITE or (not dets and subj.tag_ == "NNS"):
        return False
    return bool(dets) or subj.text[:1].isupper()


def generate(root: Path = DATASETS, per_source: int = 2500, seed: int = 5) -> list[dict]:
    from claims.nlp import get_nlp

    rng = random.Random(seed)
    sources = source_sentences(root, per_source, seed)
    docs = list(get_nlp().pipe([t for _, t in sources], batch_size=128))
    pool = Pool(docs)
    index: dict[str, list[int]] = {}
    for k, doc in enumerate(docs):
        for lemma in {t.lemma_.lower() for t in doc if t.pos_ in ("NOUN", "PROPN", "VERB") and not t.is_stop}:
            index.setdefault(lemma, []).append(k)
    out = []

    def add(kind, label, claim, evidence, origin):
        if claim and evidence and claim.strip(" .") and claim != evidence or label == "supports":
            out.append({"claim": claim, "evidence": evidence, "label": label, "mutation": kind, "source": origin})

    for k, ((origin, text), doc) in enumerate(zip(sources, docs)):
        evidence = _render(list(doc))
        short = shorten(doc, rng)
        keep = short[1] if short else [t.i for t in doc]
        claim_base = short[0] if short else evidence
        # supports
        app = appositive_claim(doc) if rng.random() < 0.5 else None
        add("apposition" if app else "shorten", "supports", app[0] if app else claim_base, evidence, origin)
        # refutes (and neutral object substitutions)
        r = rng.random()
        made = None
        known = anchored(doc)
        if r < 0.55:
            sub = substitute(doc, keep, pool, rng)
            if sub:
                made = (f"substitute {sub[2]}", sub[1] if known else "neutral", sub[0])
        elif r < 0.8:
            neg = negate(doc, keep)
            if neg:
                made = ("negate", "refutes", neg)
        elif known:  # an antonym about an unanchored subject ("a man is sitting") is not generated
            ant = antonym_swap(doc, keep, rng)
            if ant:
                made = ("antonym", "refutes", ant)
        if made is None:
            sub = substitute(doc, keep, pool, rng)
            made = (f"substitute {sub[2]}", sub[1] if known else "neutral", sub[0]) if sub else None
        if made and not known and made[0].startswith("substitute"):
            made = (made[0] + " (unanchored)", made[1], made[2])
        if made:
            add(made[0], made[1], made[2], evidence, origin)
        if known and made and made[0].startswith("substitute") and rng.random() < 0.6:
            # a second conflict for anchored sentences: the main verb negated, or an antonym
            extra = (antonym_swap(doc, keep, rng) if rng.random() < 0.3 else None)
            if extra:
                add("antonym", "refutes", extra, evidence, origin)
            else:
                neg = negate(doc, keep)
                if neg:
                    add("negate", "refutes", neg, evidence, origin)
        # neutral
        if short and rng.random() < 0.5:
            add("claim says more", "neutral", evidence, short[0], origin)
        else:
            lemmas = [t.lemma_.lower() for t in doc if t.pos_ in ("NOUN", "PROPN", "VERB") and not t.is_stop]
            cands = [j for lemma in lemmas for j in index.get(lemma, []) if j != k]
            j = rng.choice(cands) if cands else rng.randrange(len(docs))
            other = shorten(docs[j], rng)
            add("other sentence", "neutral", other[0] if other else _render(list(docs[j])), evidence, origin)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/claimflow-synth.jsonl"))
    ap.add_argument("--per-source", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    rows = generate(per_source=args.per_source, seed=args.seed)
    with open(args.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    from collections import Counter

    print(f"{len(rows)} pairs -> {args.out}")
    print(Counter(r["label"] for r in rows))
    print(Counter(r["mutation"] for r in rows).most_common())


if __name__ == "__main__":
    main()
