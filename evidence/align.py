"""Token alignment of a claim with an evidence sentence, as features for the trained judge.

A claim and the evidence that refutes it usually differ in ONE argument ("X is associated with
death metal" / "X is associated with the 2006 wave of dancehall music"; "Daag is a painting" /
"Daag is a 1973 drama film"). Pooled sentence vectors do not see that; alignment does. Each content
word of the claim (noun, proper noun, verb, adjective, number) is matched to the evidence by lemma,
morphology ("withdraw" / "withdrawal") or a short synonym list. A claim word left unmatched is then
placed: its head word is matched in the evidence, and
- the evidence fills the same slot (same dependency, or the object of the same preposition) with
  another word: a *substitution* ("painting" where the evidence has "film"), or
- the evidence has nothing in that slot: an *addition* (the claim says more than the evidence).
Entities, numbers and years are compared by type (another year, another nationality, another person).

These are features, not rules: "approved the budget" vs "approved the tax plan" is a substitution in
a slot that can hold both, and the model (evidence/nli.py) weighs slots and types from training data.
Everything here is pure Python over a compact token view of the spaCy parse, cached per text
(evidence.judge.parse_many fills the cache in the same spaCy pass as the cue judge's clauses).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from claims.cues import ANTONYMS, NEGATION_WORDS, NEGATIVE_PREDICATES, SYNONYMS

_CONTENT = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}
_LIGHT = frozenset("be have do get make become remain seem appear go come take give include".split())
_ARG_DEPS = {"nsubj", "nsubjpass", "dobj", "attr", "pobj", "acomp", "oprd", "appos", "compound", "amod",
             "nummod", "npadvmod", "poss", "dative", "agent", "advmod", "conj", "xcomp", "ccomp", "pcomp"}
_EXCLUSIVE = frozenset("only solely exclusively entirely never always all every none sole exclusive".split())
_ENT_GROUP = {
    "DATE": "time", "TIME": "time",
    "CARDINAL": "number", "QUANTITY": "number", "MONEY": "number", "PERCENT": "number", "ORDINAL": "number",
    "GPE": "place", "LOC": "place", "NORP": "place", "LANGUAGE": "place", "FAC": "place",
    "PERSON": "name", "ORG": "name", "WORK_OF_ART": "name", "PRODUCT": "name", "EVENT": "name", "LAW": "name",
}
_GROUPS = ("time", "number", "place", "name")
_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)s?$")
_NEG = NEGATION_WORDS | NEGATIVE_PREDICATES | {"nobody", "nowhere", "cannot", "refused", "failed", "denied"}
_EXTRA_ANTONYMS = [
    ("man", "woman"), ("boy", "girl"), ("male", "female"), ("sit", "stand"), ("up", "down"), ("in", "out"),
    ("inside", "outside"), ("indoors", "outdoors"), ("empty", "full"), ("young", "old"), ("big", "small"),
    ("large", "small"), ("tall", "short"), ("long", "short"), ("fast", "slow"), ("black", "white"), ("day", "night"),
    ("wet", "dry"), ("hot", "cold"), ("happy", "sad"), ("asleep", "awake"), ("push", "pull"), ("enter", "leave"),
    ("buy", "sell"), ("give", "take"), ("start", "stop"), ("begin", "end"), ("laugh", "cry"), ("alive", "dead"),
    ("live", "die"), ("true", "false"), ("always", "never"), ("accept", "refuse"), ("allow", "forbid"),
    ("ban", "allow"), ("love", "hate"), ("high", "low"), ("rich", "poor"), ("strong", "weak"), ("first", "last"),
    ("more", "less"), ("more", "fewer"), ("above", "below"), ("early", "late"), ("success", "failure"),
    ("succeed", "fail"), ("win", "lose"), ("victory", "defeat"), ("include", "exclude"), ("support", "oppose"),
    ("agree", "disagree"), ("legal", "illegal"), ("positive", "negative"), ("north", "south"), ("east", "west"),
    ("public", "private"), ("modern", "ancient"), ("fiction", "nonfiction"), ("major", "minor"),
    ("domestic", "foreign"), ("born", "die"), ("remember", "forget"), ("friend", "enemy"), ("ally", "enemy"),
    ("increase", "decrease"), ("rise", "fall"), ("gain", "loss"), ("open", "close"), ("present", "absent"),
]


@dataclass(slots=True)
class Tok:
    i: int
    lower: str
    lemma: str
    pos: str
    dep: str
    head: int
    ent: str  # entity type, "" when none
    ent_id: int  # index of the entity's first token, -1 when none
    negated: bool  # has a "not"/"never" child, or "no" determiner
    content: bool
    title: bool  # written with a capital letter
    value: float | None  # numeric value of a number token


@dataclass(slots=True)
class View:
    toks: list[Tok]
    root: int  # the main predicate (copula resolved to its attribute's head when there is one)


def _number(text: str) -> float | None:
    t = text.replace(",", "")
    try:
        return float(t)
    except ValueError:
        return None


def view_of(doc: Doc) -> View:
    """Compact, picklable token view of a parsed text (only what the features need)."""
    toks = []
    for t in doc:
        lemma = t.lemma_.lower()
        neg = any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in t.children)
        content = (t.pos_ in _CONTENT and not (t.is_stop and t.pos_ != "NUM") and lemma not in _LIGHT
                   and t.dep_ not in ("aux", "auxpass")) or (t.pos_ == "ADV" and t.lower_ in _EXCLUSIVE)
        toks.append(Tok(t.i, t.lower_, lemma, t.pos_, t.dep_, t.head.i, t.ent_type_, -1, neg, content,
                        t.text[:1].isupper(), _number(t.text) if t.like_num else None))
    for ent in doc.ents:  # entity id: the index of the entity's first token
        for t in ent:
            toks[t.i].ent_id = ent.start
    roots = [t for t in doc if t.dep_ == "ROOT"]
    root = roots[0].i if roots else 0
    return View(toks, root)


def _stem(w: str) -> str:
    return w[:-2] if w.endswith("'s") else w


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) >= 5 and a[:5] == b[:5]:
        short, long_ = sorted((a, b), key=len)
        return long_.startswith(short[: max(5, len(short) - 2)])
    return False


_SYN_INDEX: dict[str, int] = {w: k for k, g in enumerate(SYNONYMS) for w in g}
_ANT: set[tuple[str, str]] = set()
for _left, _right in ANTONYMS:
    _ANT |= {(x, y) for x in _left for y in _right} | {(y, x) for x in _left for y in _right}
_ANT |= {(a, b) for a, b in _EXTRA_ANTONYMS} | {(b, a) for a, b in _EXTRA_ANTONYMS}


def _match(c: Tok, e: Tok) -> bool:
    if c.value is not None or e.value is not None:
        return c.value is not None and e.value is not None and abs(c.value - e.value) <= 1e-9 * max(1, abs(c.value))
    for a in (c.lemma, c.lower):
        for b in (e.lemma, e.lower):
            if _same(_stem(a), _stem(b)):
                return True
    k = _SYN_INDEX.get(c.lemma)
    return k is not None and _SYN_INDEX.get(e.lemma) == k


def _antonym(c: Tok, e: Tok) -> bool:
    return (c.lemma, e.lemma) in _ANT or (c.lower, e.lower) in _ANT


ALIGN_FEATURES = (
    "al claim content", "al matched share", "al matched share noun", "al matched share propn", "al matched share verb",
    "al matched share adj", "al matched share num", "al unmatched noun", "al unmatched propn", "al unmatched verb",
    "al unmatched adj", "al unmatched num", "al root matched", "al root antonym", "al subject matched",
    "al substitutions", "al substitution in copula", "al substitution of object", "al substitution of prep object",
    "al substitution of subject",
    "al substitution of modifier", "al additions", "al unanchored", "al antonym pair",
    *(f"al {g} conflict" for g in _GROUPS), *(f"al {g} claim only" for g in _GROUPS),
    "al year conflict", "al value conflict", "al exclusive word", "al root negation mismatch",
    "al any negation mismatch", "al evidence extra content", "al evidence content", "al all matched",
    "al all matched same polarity", "al subject anchored", "al subject indefinite",
    "al anchored substitution", "al anchored substitution in copula", "al anchored substitution of object",
    "al anchored substitution of prep object", "al anchored substitution of subject", "al anchored antonym",
    "al anchored typed conflict", "al anchored negation mismatch", "al indefinite substitution",
)
# Determiners that pick out one known referent ("the", "this", possessives) vs. any ("a", "some").
_DEFINITE = frozenset("the this that these those my our your his her their its".split())
_INDEFINITE = frozenset("a an some several many few any another".split())
_PRONOUNS = frozenset("i we you he she it they".split())


def _children(view: View, i: int) -> list[Tok]:
    return [t for t in view.toks if t.head == i and t.i != i]


def _copula(view: View, t: Tok) -> bool:
    head = view.toks[t.head]
    return t.dep in ("attr", "acomp") or head.lemma == "be"


def _negated_chain(view: View, i: int) -> bool:
    """Negation on the token, its head, or the copula/auxiliary it hangs from."""
    t = view.toks[i]
    if t.negated:
        return True
    head = view.toks[t.head]
    return t.dep in ("attr", "acomp", "xcomp", "dobj") and head.negated


def describe(claim: View, evidence: View) -> str | None:
    """The first differing slot, in words, for a rationale ("'painting' where the evidence has 'film'
    (attribute of a copula)"), or None."""
    found: list[tuple[str, str, str]] = []
    features(claim, evidence, found)
    if not found:
        return None
    c, e, slot = found[0]
    return f"the claim has '{c}' where the evidence has '{e}' ({slot})"


_SLOT_NAMES = {"attr": "attribute of a copula", "acomp": "attribute of a copula", "dobj": "object",
               "pobj": "object of a preposition", "nsubj": "subject", "nsubjpass": "subject"}


def features(claim: View, evidence: View, detail: list | None = None) -> list[float]:
    ct, et = claim.toks, evidence.toks
    content = [t for t in ct if t.content]
    ev_content = [t for t in et if t.content]
    match: dict[int, int] = {}
    for t in content:
        for e in ev_content:
            if _match(t, e):
                match[t.i] = e.i
                break
    # anchors may be function-like heads too ("is", prepositions are handled below)
    anchor: dict[int, int] = dict(match)
    for t in ct:
        if t.i in anchor or t.pos not in ("AUX", "VERB"):
            continue
        cands = [e for e in et if e.lemma == t.lemma]
        if cands:
            subj = next((c for c in _children(claim, t.i) if c.dep.startswith("nsubj")), None)
            best = cands[0]
            if subj is not None and subj.i in match:
                for e in cands:
                    if any(c.i == match[subj.i] for c in _children(evidence, e.i)):
                        best = e
                        break
            anchor[t.i] = best.i
    # entity-level matching: a name counts as matched when any of its tokens is ("Cruz" for "Penelope Cruz")
    ent_matched: dict[int, bool] = {}
    for t in content:
        if t.ent_id >= 0:
            ent_matched[t.ent_id] = ent_matched.get(t.ent_id, False) or t.i in match
    ev_ent_types: dict[str, set[int]] = {}
    ev_matched = set(match.values())
    for e in et:
        if e.ent and e.ent_id >= 0:
            ev_ent_types.setdefault(_ENT_GROUP.get(e.ent, ""), set()).add(e.ent_id)
    ev_ent_matched: set[int] = {et[i].ent_id for i in ev_matched if et[i].ent_id >= 0}

    f = dict.fromkeys(ALIGN_FEATURES, 0.0)
    f["al claim content"] = min(len(content), 15) / 15
    f["al evidence content"] = min(len(ev_content), 30) / 30
    by_pos: dict[str, list[bool]] = {}
    for t in content:
        ok = t.i in match or (t.ent_id >= 0 and ent_matched.get(t.ent_id, False) and t.pos == "PROPN")
        by_pos.setdefault(t.pos, []).append(ok)
    all_ok = [x for v in by_pos.values() for x in v]
    f["al matched share"] = sum(all_ok) / len(all_ok) if all_ok else 1.0
    for pos, name in (("NOUN", "noun"), ("PROPN", "propn"), ("VERB", "verb"), ("ADJ", "adj"), ("NUM", "num")):
        got = by_pos.get(pos, [])
        f[f"al matched share {name}"] = sum(got) / len(got) if got else 1.0
        f[f"al unmatched {name}"] = min(len(got) - sum(got), 3) / 3
    f["al all matched"] = float(all(all_ok))
    f["al evidence extra content"] = min(max(len(ev_content) - len(ev_matched), 0), 20) / 20

    # main predicate: the root, or for a copula the attribute
    root = ct[claim.root]
    if root.lemma == "be" or not root.content:
        attr = next((c for c in _children(claim, root.i) if c.dep in ("attr", "acomp")), None)
        root = attr or root
    f["al root matched"] = float(root.i in match)
    unmatched_ev = [e for e in ev_content if e.i not in ev_matched]
    f["al root antonym"] = float(root.i not in match and any(_antonym(root, e) for e in unmatched_ev))
    subj = next((c for c in _children(claim, claim.root) if c.dep.startswith("nsubj")), None)
    if subj is not None:
        f["al subject matched"] = float(subj.i in match or (subj.ent_id >= 0 and ent_matched.get(subj.ent_id, False))
                                        or (subj.lower in _PRONOUNS and any(e.lower == subj.lower for e in et)))

    subs = adds = unanch = 0
    for t in content:
        if t.i in match or (t.pos == "PROPN" and t.ent_id >= 0 and ent_matched.get(t.ent_id, False)):
            continue
        if t.dep not in _ARG_DEPS and t.dep != "ROOT":
            unanch += 1
            continue
        # the slot: (head in the claim, dependency); a preposition's object is keyed by the preposition
        head, dep = ct[t.head], t.dep
        if dep == "pobj" and head.pos == "ADP":
            prep, head = head, ct[head.head]
            key = ("prep", prep.lemma)
        else:
            key = ("dep", dep)
        if head.i == t.i or head.i not in anchor:
            unanch += 1
            continue
        m = anchor[head.i]
        fillers: list[Tok] = []
        for c in _children(evidence, m):
            if key[0] == "prep" and c.dep == "prep" and c.lemma == key[1]:
                fillers += [g for g in _children(evidence, c.i) if g.dep == "pobj"]
            elif key[0] == "dep" and (c.dep == dep or (dep in ("attr", "acomp") and c.dep in ("attr", "acomp"))):
                fillers.append(c)
        fillers = [x for x in fillers if x.content and x.i not in ev_matched]
        if fillers:
            subs += 1
            if detail is not None:
                detail.append((t.lower, fillers[0].lower, _SLOT_NAMES.get(dep, dep)))
            if dep in ("attr", "acomp") or head.lemma == "be":
                f["al substitution in copula"] = 1.0
            elif dep in ("dobj", "dative", "oprd"):
                f["al substitution of object"] = 1.0
            elif dep == "pobj":
                f["al substitution of prep object"] = 1.0
            elif dep.startswith("nsubj"):
                f["al substitution of subject"] = 1.0
            else:
                f["al substitution of modifier"] = 1.0
            if any(_antonym(t, x) for x in fillers):
                f["al antonym pair"] = 1.0
        else:
            adds += 1
    f["al substitutions"] = min(subs, 3) / 3
    f["al additions"] = min(adds, 3) / 3
    f["al unanchored"] = min(unanch, 3) / 3
    if not f["al antonym pair"]:
        un_c = [t for t in content if t.i not in match]
        f["al antonym pair"] = float(any(_antonym(t, e) for t in un_c for e in unmatched_ev))

    # typed entity comparison: a claim entity absent from the evidence, where the evidence has another of its type
    seen: set[int] = set()
    for t in ct:
        if t.ent_id < 0 or t.ent_id in seen or not t.ent:
            continue
        seen.add(t.ent_id)
        group = _ENT_GROUP.get(t.ent)
        if group is None or ent_matched.get(t.ent_id, False):
            continue
        if group in ("time", "number") and any(x.i in match for x in ct if x.ent_id == t.ent_id and x.value is not None):
            continue
        others = ev_ent_types.get(group, set()) - ev_ent_matched
        f[f"al {group} {'conflict' if others else 'claim only'}"] = 1.0
    c_years = {t.lower for t in ct if _YEAR.match(t.lower)}
    e_years = {t.lower for t in et if _YEAR.match(t.lower)}
    f["al year conflict"] = float(bool(c_years - e_years) and bool(e_years))
    c_nums = {t.value for t in ct if t.value is not None and not _YEAR.match(t.lower)}
    e_nums = {t.value for t in et if t.value is not None and not _YEAR.match(t.lower)}
    f["al value conflict"] = float(bool(c_nums - e_nums) and bool(e_nums))
    e_lowers = {t.lower for t in et}
    f["al exclusive word"] = float(any(t.lower in _EXCLUSIVE and t.lower not in e_lowers for t in ct))

    c_neg = any(t.lower in _NEG or t.lower.endswith("n't") for t in ct)
    e_neg = any(t.lower in _NEG or t.lower.endswith("n't") for t in et)
    f["al any negation mismatch"] = float(c_neg != e_neg)
    r = claim.root
    if r in anchor:
        f["al root negation mismatch"] = float(_negated_chain(claim, r) != _negated_chain(evidence, anchor[r]))
    f["al all matched same polarity"] = float(f["al all matched"] and not f["al any negation mismatch"])
    # Is the claim about one known referent? Two captions "a man is sitting" / "a man is standing" can
    # describe two scenes (SICK calls that neutral); "Daag is a painting" / "Daag is a film" cannot.
    # A differing slot is a conflict only when both sides are anchored to the same referent.
    subj_tok = subj
    anchored = indefinite = False
    if subj_tok is not None and f["al subject matched"]:
        dets = {c.lower for c in _children(claim, subj_tok.i) if c.dep in ("det", "poss", "nummod")}
        bare_name = not dets and subj_tok.title and subj_tok.pos in ("NOUN", "PROPN") and not subj_tok.lower.endswith("s")
        anchored = (subj_tok.pos == "PROPN" or subj_tok.ent_id >= 0 or subj_tok.lower in _PRONOUNS or bare_name
                    or bool(dets & _DEFINITE) or any(c.dep == "poss" for c in _children(claim, subj_tok.i)))
        indefinite = not anchored and (bool(dets & _INDEFINITE) or any(d[0].isdigit() for d in dets)
                                       or subj_tok.pos == "NOUN")
    f["al subject anchored"], f["al subject indefinite"] = float(anchored), float(indefinite)
    typed = max(f[f"al {g} conflict"] for g in _GROUPS)
    typed = max(typed, f["al year conflict"], f["al value conflict"])
    if anchored:
        f["al anchored substitution"] = f["al substitutions"]
        for slot in ("in copula", "of object", "of prep object", "of subject"):
            f[f"al anchored substitution {slot}"] = f[f"al substitution {slot}"]
        f["al anchored antonym"] = max(f["al antonym pair"], f["al root antonym"])
        f["al anchored typed conflict"] = typed
        f["al anchored negation mismatch"] = max(f["al root negation mismatch"], f["al any negation mismatch"])
    else:
        f["al indefinite substitution"] = f["al substitutions"]
    assert len(f) == len(ALIGN_FEATURES)
    return list(f.values())
