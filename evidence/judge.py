"""The local pair judge: does an evidence text support, refute, or say nothing about a claim?

Both sides are parsed (spaCy) into clauses: a predicate (light verbs, evidential verbs and
nominalisations resolved: "have begun to withdraw" and "have not seen any withdrawal" both give
the event "withdraw"), its negation, its hedging, its content words, numbers and dates. The claim is
aligned with the evidence clause that shares its predicate and most of its arguments; the slot that
differs decides:
- same event, opposite polarity          -> refutes (polarity; denial when a "denied that" flips it)
- same event, antonym predicate          -> refutes (antonym)
- same event and quantity, other number  -> refutes (numeric)
- same event, other date                 -> refutes (date)
- same event, same polarity, no conflict -> supports (paraphrase)
A difference in time ("closed since January" / "reopened on Thursday") is a change, not a conflict,
and hedged evidence ("it remains to be seen whether") decides nothing. Everything else is neutral."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Token

from claims.cues import (
    ANTONYMS, CONDITIONAL_MARKS, DENIAL_VERBS, EVIDENTIAL_VERBS, HEDGE_PHRASES, HEDGE_WORDS, LIGHT_VERBS,
    NEGATION_WORDS, NEGATIVE_PREDICATES, POINTER_NOUNS, REPORTING_VERBS, SYNONYMS,
)
from claims.nlp import get_nlp
from evidence.models import Judgement
from ingest.dates import MONTHS, WEEKDAYS, find_dates

JUDGE_VERSION = "local-judge/0.1"

_CLAUSE_DEPS = {"ROOT", "ccomp", "conj", "advcl", "relcl", "xcomp", "acl"}
_SUBCLAUSE_DEPS = {"ccomp", "advcl", "relcl", "acl", "csubj"}
_CONTENT_POS = {"NOUN", "PROPN", "ADJ", "VERB"}
_STOP = frozenset("""
say state tell add report be have do get make other such new more most own same last first also
""".split()) | frozenset(MONTHS) | frozenset(WEEKDAYS)
_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_MODALS = {"may", "might", "could", "would"}


def _stem(word: str) -> str:
    return re.sub(r"['\u2019]s$", "", word.lower())


@lru_cache(maxsize=1 << 20)
def same_word(a: str, b: str) -> bool:
    """Morphology-tolerant match: withdraw/withdrawal, Russia/Russian, troop/troops."""
    if a == b:
        return True
    if min(len(a), len(b)) >= 5 and (a.startswith(b[:5]) and b.startswith(a[:5])):
        short, long_ = sorted((a, b), key=len)
        return long_.startswith(short[: max(5, len(short) - 2)])
    return False


@lru_cache(maxsize=65536)
def _synonym_groups(word: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(g) for g in SYNONYMS if any(same_word(word, s) for s in g))


@lru_cache(maxsize=262144)
def related(a: str, b: str) -> bool:
    if same_word(a, b):
        return True
    return any(any(same_word(b, s) for s in g) for g in _synonym_groups(a))


@lru_cache(maxsize=262144)
def antonyms(a: str, b: str) -> bool:
    for left, right in ANTONYMS:
        in_left = lambda w, side: any(same_word(w, s) for s in side)  # noqa: E731
        if (in_left(a, left) and in_left(b, right)) or (in_left(a, right) and in_left(b, left)):
            return True
    return False


@dataclass
class Clause:
    predicate: str
    negations: list[str]
    denied: bool
    hedged: bool
    words: set[str]
    quantities: dict[str, float]  # unit lemma -> value ("soldier" -> 12000)
    dates: set[tuple[int, int]]  # (month, day) mentioned in the clause
    years: set[int]  # years mentioned in the clause, alone ("in 1998") or in a date
    since: bool  # a state with a start ("closed since January")
    text: str
    reprefix: bool = False

    @property
    def negative(self) -> bool:
        return len(self.negations) % 2 == 1


_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")
_YEAR_PREPS = frozenset({"in", "since", "until", "by", "from", "of", "during", "before", "after"})


def _value(tok: Token) -> float | None:
    text = tok.text.replace(",", "")
    try:
        value = float(text) if _NUMBER.match(tok.text) else None
    except ValueError:
        value = None
    if value is None:
        return None
    for nxt in tok.doc[tok.i + 1 : tok.i + 2]:
        if nxt.lower_ in _SCALE:
            value *= _SCALE[nxt.lower_]
    return value


def _event(head: Token) -> tuple[Token, list[Token]]:
    """The token naming the event, and negations met on the way ("have not seen any withdrawal")."""
    negs = [c for c in head.children if c.dep_ == "neg"]
    tok = head
    for _ in range(3):
        lemma = tok.lemma_.lower()
        xcomp = [c for c in tok.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")]
        if lemma in LIGHT_VERBS and xcomp:
            tok = xcomp[0]
            negs += [c for c in tok.children if c.dep_ == "neg"]
            continue
        if lemma in EVIDENTIAL_VERBS:
            obj = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
            if obj:
                tok = obj[0]
                negs += [g for g in tok.children if g.dep_ == "det" and g.lower_ == "no"]
                if tok.lemma_.lower() in POINTER_NOUNS:
                    of = [g for p in tok.children if p.lower_ == "of" for g in p.children if g.dep_ == "pobj"]
                    if of:
                        tok = of[0]
                continue
        if lemma == "be":
            attr = [c for c in tok.children if c.dep_ in ("attr", "acomp")]
            if attr and any(c.dep_ == "expl" for c in tok.children):  # "there is no de-escalation"
                tok = attr[0]
                negs += [g for g in tok.children if g.dep_ == "det" and g.lower_ == "no"]
                continue
            if attr and attr[0].pos_ in ("ADJ", "VERB"):
                tok = attr[0]
                continue
        break
    return tok, negs


def _clause_tokens(head: Token) -> list[Token]:
    skip: set[int] = set()
    for child in head.children:
        sub = child.dep_ in _SUBCLAUSE_DEPS or (child.dep_ == "conj" and child.pos_ in ("VERB", "AUX"))
        if sub:
            skip |= {t.i for t in child.subtree}
    return [t for t in head.subtree if t.i not in skip]


def _hedged(head: Token, tokens: list[Token]) -> bool:
    text = " ".join(t.lower_ for t in tokens)
    if any(t.lower_ in HEDGE_WORDS or t.lower_ in _MODALS for t in tokens):
        return True
    if any(c.dep_ == "mark" and (c.lower_ in CONDITIONAL_MARKS or c.lower_ == "whether") for c in head.children):
        return True
    if any(p in text for p in HEDGE_PHRASES):
        return True
    anc = head.head if head.dep_ != "ROOT" else None
    while anc is not None:
        around = " ".join(t.lower_ for t in _clause_tokens(anc))
        if any(p in around for p in HEDGE_PHRASES) or anc.lemma_.lower() in HEDGE_WORDS:
            return True
        anc = anc.head if anc.dep_ != "ROOT" else None
    return False


def clauses(doc: Doc) -> list[Clause]:
    out = []
    for head in doc:
        if head.pos_ not in ("VERB", "AUX") or head.dep_ not in _CLAUSE_DEPS:
            continue
        if head.dep_ == "xcomp" or (head.dep_ == "conj" and not any(c.dep_.startswith("nsubj") for c in head.children)
                                    and head.head.dep_ == "xcomp"):
            continue
        if head.lemma_.lower() in REPORTING_VERBS and any(c.dep_ == "ccomp" for c in head.children):
            continue  # "X said that ...": the content is the ccomp clause
        tokens = _clause_tokens(head)
        event, neg_tokens = _event(head)
        found = {t.i: t.lower_ for t in neg_tokens}
        for t in tokens:
            if t.dep_ in ("nsubj", "nsubjpass", "dobj", "attr", "pobj") and t.lower_ in NEGATION_WORDS - {"not", "n't"}:
                found[t.i] = t.lower_
            if t.dep_ == "det" and t.lower_ == "no" and t.head.head in (head, event):
                found[t.i] = "no"
        # Negation carried by the noun a clause hangs from or shares its subject with:
        # "there is no man doing tricks", "nobody is on the bike and is standing on the seat".
        anchor = head.head if head.dep_ in ("acl", "relcl") else None
        if head.dep_ == "conj" and not any(c.dep_.startswith("nsubj") for c in head.children):
            anchor = next((c for c in head.head.children if c.dep_.startswith("nsubj")), None)
        if anchor is not None and anchor.i not in found:
            if anchor.lower_ in NEGATION_WORDS - {"not", "n't"}:
                found[anchor.i] = anchor.lower_
            elif any(g.dep_ == "det" and g.lower_ == "no" for g in anchor.children):
                found[anchor.i] = "no"
        negs = list(found.values())
        if head.lemma_.lower() in NEGATIVE_PREDICATES and any(c.dep_ == "xcomp" for c in head.children):
            negs.append(head.lemma_.lower())
        denied = False
        parent = head.head if head.dep_ == "ccomp" else None
        if parent is not None and parent.lemma_.lower() in DENIAL_VERBS:
            negs.append("denied")
            denied = True
        if parent is not None and parent.lemma_.lower() in REPORTING_VERBS | DENIAL_VERBS:
            negs += [c.lower_ for c in parent.children if c.dep_ == "neg"]  # "did not say that"
        quantities = {}
        for t in tokens:
            value = _value(t) if t.like_num else None
            if value is not None and t.ent_type_ not in ("DATE", "TIME"):
                unit = t.head if t.dep_ == "nummod" else t
                if unit.lower_ in ("percent", "%") or t.dep_ != "nummod":
                    unit = next((c for c in t.children if c.dep_ == "pobj"), unit)
                quantities[_stem(unit.lemma_)] = value
        mentions = find_dates(" ".join(t.text for t in tokens))
        dates = {(d.month, d.day or 0) for d in mentions if d.month}
        years = {d.year for d in mentions if d.year} | {
            int(t.text) for t in tokens if _YEAR.fullmatch(t.text) and (t.ent_type_ == "DATE" or t.head.lower_ in _YEAR_PREPS)}
        pred = _stem(event.lemma_)
        if event.i + 2 < len(doc) and doc[event.i + 1].text == "-":  # "de-escalation"
            pred = _stem(f"{event.text}-{doc[event.i + 2].lemma_}")
        words = {
            _stem(t.lemma_) for t in tokens
            if t.pos_ in _CONTENT_POS and not t.is_stop and t.i != event.i and t.i != head.i
            and _stem(t.lemma_) not in _STOP and not t.like_num and t.lemma_.lower() not in LIGHT_VERBS
            and t.lemma_.lower() not in EVIDENTIAL_VERBS and t.lemma_.lower() not in POINTER_NOUNS
            and t.ent_type_ not in ("DATE", "TIME", "CARDINAL", "QUANTITY", "PERCENT", "MONEY")
        }
        out.append(Clause(
            predicate=pred, negations=[n.replace("n\u2019t", "not").replace("n't", "not") for n in negs],
            denied=denied, hedged=_hedged(head, tokens), words=words, quantities=quantities, dates=dates, years=years,
            since=any(t.lower_ == "since" for t in tokens), text=doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1])],
            reprefix=event.lower_.startswith("re") and len(event.lower_) > 5 and not event.lower_.startswith(("reach", "ready", "real")),
        ))
    return out


_CACHE: dict[str, tuple[Clause, ...]] = {}
_VIEWS: dict = {}  # text -> evidence.align.View (token view for the alignment features)
_CACHE_LIMIT = 100_000


def parse_many(texts: list[str]) -> None:
    """Parse texts not seen yet in one batched spaCy pass (clauses and the alignment token view)."""
    from evidence.align import view_of

    missing = list(dict.fromkeys(t for t in texts if t not in _CACHE))
    if len(_CACHE) + len(missing) > _CACHE_LIMIT:
        _CACHE.clear()
        _VIEWS.clear()
    for text, doc in zip(missing, get_nlp().pipe(missing, batch_size=128)):
        _CACHE[text] = tuple(clauses(doc))
        _VIEWS[text] = view_of(doc)


def parse_view(text: str):
    """The alignment token view of a text (evidence.align.View), parsed on first use."""
    if text not in _VIEWS:
        _CACHE.pop(text, None)
        parse_many([text])
    return _VIEWS[text]


def parse_clauses(text: str) -> tuple[Clause, ...]:
    if text not in _CACHE:
        parse_many([text])
    return _CACHE[text]


def _overlap(a: set[str], b: set[str]) -> tuple[int, float]:
    """How many of a's words have a related word in b, and the share of the smaller side covered."""
    matched_a = {w for w in a if any(related(w, v) for v in b)}
    matched_b = {v for v in b if any(related(w, v) for w in a)}
    smaller = min(len(a), len(b)) or 1
    return len(matched_a), min(len(matched_a), len(matched_b)) / smaller


@dataclass
class Alignment:
    claim: Clause
    evidence: Clause
    predicate: str  # "same", "antonym"
    shared: int
    coverage: float


def align(claim_clauses: tuple[Clause, ...], evidence_clauses: tuple[Clause, ...]) -> Alignment | None:
    best: Alignment | None = None
    for c in claim_clauses:
        for e in evidence_clauses:
            if related(c.predicate, e.predicate):
                kind = "same"
            elif antonyms(c.predicate, e.predicate):
                kind = "antonym"
            else:
                continue
            shared, coverage = _overlap(c.words, e.words)
            if shared == 0 and (c.words or e.words):
                continue
            candidate = Alignment(c, e, kind, shared, coverage)
            if best is None or (shared, coverage) > (best.shared, best.coverage):
                best = candidate
    return best


def _lexical(claim_clauses: tuple[Clause, ...], evidence_clauses: tuple[Clause, ...]) -> Alignment | None:
    """Fallback alignment on all content words, predicate included ("floodwater covered" / "flooded")."""
    best: Alignment | None = None
    for c in claim_clauses:
        for e in evidence_clauses:
            shared, coverage = _overlap(c.words | {c.predicate}, e.words | {e.predicate})
            if best is None or (shared, coverage) > (best.shared, best.coverage):
                best = Alignment(c, e, "lexical", shared, coverage)
    return best


def _conflict(c: Clause, e: Clause, strength: float, quote: str) -> Judgement | None:
    """A number or a date that differs for the same event."""
    for unit, value in c.quantities.items():
        for other_unit, other in e.quantities.items():
            if related(unit, other_unit) and abs(value - other) / max(value, other, 1e-9) > 0.05:
                return Judgement(stance="refutes", score=strength, kind="numeric", cue="number mismatch",
                                 rationale=f"{unit}: {value:g} vs {other:g} for the same event '{c.predicate}': {quote}")
    if c.years and e.years and not (c.years & e.years) and not (c.since or e.since):
        fmt = lambda ys: ", ".join(map(str, sorted(ys)))  # noqa: E731
        return Judgement(stance="refutes", score=strength, kind="date", cue="date mismatch",
                         rationale=f"same event '{c.predicate}' in different years ({fmt(c.years)} vs {fmt(e.years)}): {quote}")
    if c.dates and e.dates and not (c.dates & e.dates) and not (c.since or e.since):
        fmt = lambda ds: ", ".join(f"{m}/{d}" for m, d in sorted(ds))  # noqa: E731
        return Judgement(stance="refutes", score=strength, kind="date", cue="date mismatch",
                         rationale=f"same event '{c.predicate}' on different dates ({fmt(c.dates)} vs {fmt(e.dates)}): {quote}")
    return None


def judge_texts(claim: str, evidence: str) -> Judgement:
    """Judge one (claim, evidence) pair of plain texts; `evidence_span` is the evidence clause the
    judgement rests on (none when nothing in the evidence is related)."""
    judgement, clause = _judge_clauses(parse_clauses(claim), parse_clauses(evidence))
    return judgement if clause is None else judgement.model_copy(update={"evidence_span": clause.text})


def _judge_clauses(claim_clauses: tuple[Clause, ...],
                   evidence_clauses: tuple[Clause, ...]) -> tuple[Judgement, Clause | None]:
    a = align(claim_clauses, evidence_clauses)
    if a is None or a.coverage < 0.5:
        lexical = _lexical(claim_clauses, evidence_clauses)
        if lexical is None or lexical.shared < 3 or lexical.coverage < 0.75:
            return Judgement(stance="neutral", score=0.5, cue="unrelated",
                             rationale="no clause of the evidence shares the claim's event and arguments"), None
        c, e = lexical.claim, lexical.evidence
        quote = f'"{e.text}"'
        if c.hedged or e.hedged or c.negative != e.negative or _conflict(c, e, 0.5, quote):
            return Judgement(stance="neutral", score=0.5, cue="related",
                             rationale=f"about the same thing, but worded too differently to compare: {quote}"), e
        return Judgement(stance="supports", score=round(min(0.8, 0.4 + 0.1 * lexical.shared), 3),
                         cue="lexical paraphrase",
                         rationale=f"shares {lexical.shared} content words, same polarity, no conflicting number or date: {quote}"), e
    c, e = a.claim, a.evidence
    quote = f'"{e.text}"'
    if e.hedged or c.hedged:
        return Judgement(stance="neutral", score=0.5, cue="hedged",
                         rationale=f"the aligned evidence clause is hedged or conditional: {quote}"), e
    strength = round(min(0.95, 0.55 + 0.1 * a.shared + 0.2 * a.coverage), 3)
    changed_time = (c.dates != e.dates and (c.dates or e.dates)) or c.since != e.since or c.reprefix or e.reprefix
    if a.predicate == "antonym":
        if changed_time:
            return Judgement(stance="neutral", score=0.5, cue="change over time",
                             rationale=f"opposite predicates ({c.predicate} / {e.predicate}) at different times: {quote}"), e
        if c.negative == e.negative:
            return Judgement(stance="refutes", score=strength, kind="antonym", cue="antonym",
                             rationale=f"'{c.predicate}' vs '{e.predicate}' about the same thing: {quote}"), e
        return Judgement(stance="supports", score=round(strength * 0.8, 3), cue="negated antonym",
                         rationale=f"'{e.predicate}' negated agrees with '{c.predicate}': {quote}"), e
    if c.negative != e.negative:
        if changed_time and c.dates and e.dates:
            return Judgement(stance="neutral", score=0.5, cue="change over time",
                             rationale=f"opposite polarity at different dates: {quote}"), e
        denial = c.denied or e.denied
        neg = ", ".join(sorted(set(c.negations + e.negations)))
        return Judgement(stance="refutes", score=strength, kind="denial" if denial else "polarity",
                         cue="denial" if denial else "negation",
                         rationale=f"same event '{c.predicate}', opposite polarity ({neg}): {quote}"), e
    conflict = _conflict(c, e, strength, quote)
    if conflict is not None:
        return conflict, e
    if a.coverage >= 0.6:
        return Judgement(stance="supports", score=strength, cue="paraphrase",
                         rationale=f"same event '{c.predicate}' with the same arguments and polarity: {quote}"), e
    return Judgement(stance="neutral", score=0.5, cue="partial overlap",
                     rationale=f"shares the event '{c.predicate}' but not enough of its arguments: {quote}"), e


class LocalJudge:
    name = JUDGE_VERSION
    absolute_dates = True  # give it evidence with relative dates resolved (claimflow.pipeline.evidence_text)

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement]:
        """Judge (claim, evidence) pairs; texts are parsed once, in batches."""
        parse_many([t for pair in pairs for t in pair])
        return [judge_texts(claim, evidence) for claim, evidence in pairs]
