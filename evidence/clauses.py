"""Sentences as clauses, the unit the cue analysis compares (evidence/judge.py).

Each verb clause of a spaCy parse becomes a `Clause`: the event it names (light verbs, evidential
verbs and nominalisations resolved: "have begun to withdraw" and "have not seen any withdrawal" both
give "withdraw"), its negations, whether it is hedged, its content words, its figures by what they
count (claims.lexicon.find_numbers: "three workers", "61 percent") and its dates and years. Word
matching is morphology-tolerant (withdraw / withdrawal) with the lexicon's short synonym and antonym
lists."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Token

from claims.lexicon import (
    ANTONYMS,
    CONDITIONAL_MARKS,
    DENIAL_VERBS,
    EVIDENTIAL_VERBS,
    HEDGE_PHRASES,
    HEDGE_WORDS,
    LIGHT_VERBS,
    NEGATION_WORDS,
    NEGATIVE_PREDICATES,
    POINTER_NOUNS,
    REPORTING_VERBS,
    SYNONYMS,
    YEAR,
    NumberMention,
    find_numbers,
)
from claims.nlp import get_nlp
from ingest.dates import MONTHS, WEEKDAYS, find_dates

_CLAUSE_DEPS = {"ROOT", "ccomp", "conj", "advcl", "relcl", "xcomp", "acl"}
_SUBCLAUSE_DEPS = {"ccomp", "advcl", "relcl", "acl", "csubj"}
_CONTENT_POS = {"NOUN", "PROPN", "ADJ", "VERB"}
_STOP = frozenset("""
say state tell add report be have do get make other such new more most own same last first also
""".split()) | frozenset(MONTHS) | frozenset(WEEKDAYS)
_MODALS = {"may", "might", "could", "would"}  # hedge only as modal verbs (tag MD)


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


_ANTONYM_WORDS = frozenset(w for pair in ANTONYMS for side in pair for w in side)


def _again(word: str) -> str:
    """"reopen" -> "open": a re- verb is its base event happening again, when only the base is listed."""
    if word.startswith("re") and len(word) > 5 and word not in _ANTONYM_WORDS and word[2:] in _ANTONYM_WORDS:
        return word[2:]
    return word


@lru_cache(maxsize=262144)
def antonyms(a: str, b: str) -> bool:
    a, b = _again(a), _again(b)
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
    quantities: dict[str, tuple[NumberMention, ...]]  # what is counted -> figures ("soldier" -> about 12,000)
    dates: set[tuple[int, int]]  # (month, day) mentioned in the clause
    years: set[int]  # years mentioned in the clause, alone ("in 1998") or in a date
    since: bool  # a state with a start ("closed since January")
    text: str
    reprefix: bool = False
    agents: frozenset[str] = frozenset()  # the named parties who do it ("Russian" in "Russian missiles hit")

    @property
    def negative(self) -> bool:
        return len(self.negations) % 2 == 1


_ARGUMENTS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "pobj", "acomp", "oprd"})
_YEAR_PREPS = frozenset({"in", "since", "until", "by", "from", "of", "during", "before", "after"})


def _quantities(doc: Doc, tokens: list[Token], numbers: list[NumberMention]) -> dict[str, tuple[NumberMention, ...]]:
    """The figures of a clause by what they count: "Three workers" -> worker, "61 percent" -> percent,
    "14 of the 20 councils" -> council (both); a figure counting nothing nameable is left out."""
    inside = {t.idx: t for t in tokens}
    out: dict[str, list[NumberMention]] = {}
    for n in numbers:
        first = next((t for i, t in inside.items() if n.start <= i < n.end), None)
        if first is None:
            continue
        last = max((t for i, t in inside.items() if n.start <= i < n.end), key=lambda t: t.i)
        if last.lower_ in ("%", "percent", "pct", "cent") or n.percent:
            unit = "percent"
        else:
            head = last.head if last.dep_ in ("nummod", "quantmod", "compound", "amod") else None
            of = [g for p in last.children if p.lower_ == "of" for g in p.children if g.dep_ == "pobj"]
            unit_tok = head if head is not None and head.pos_ in ("NOUN", "PROPN") else (of[0] if of else None)
            if unit_tok is None:
                continue
            unit = _stem(unit_tok.lemma_)
        out.setdefault(unit, []).append(n)
    return {u: tuple(v) for u, v in out.items()}


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


_AGENT_ENTITIES = frozenset({"NORP", "GPE", "ORG", "PERSON"})


def name_key(text: str) -> str:
    """A loose key for a party's name: "Russia", "Russian", "Russians" -> "russi"."""
    return text.lower().replace("\u2019", "'").split("'")[0][:5]


def _agents(head: Token, event: Token) -> frozenset[str]:
    """The named parties that do what a clause says: entities in its active subject or passive
    "by" phrase ("Ukrainians hit ...", "Two Russian missiles hit ...", "... was hit by Ukrainian forces")."""
    # An observer is not a doer: in "NATO has not seen any withdrawal" the clause's event is the
    # withdrawal, and NATO only sees (or does not see) it.
    verbs = {event} if head.i != event.i and head.lemma_.lower() in EVIDENTIAL_VERBS else {head, event}
    doers = [c for verb in verbs for c in verb.children if c.dep_ == "nsubj"]
    doers += [g for verb in verbs for c in verb.children if c.dep_ == "agent" for g in c.children
              if g.dep_ == "pobj"]
    if not doers and event.pos_ in ("VERB", "AUX") and event.dep_ in ("xcomp", "acl"):
        # a controlled infinitive does what its governor's subject does ("NATO plans to send",
        # "NATO has no plans to send"); not an observer's ("we have not seen any withdrawal")
        up = event.head.head if event.dep_ == "acl" and event.head.dep_ == "dobj" else event.head
        if up.lemma_.lower() not in EVIDENTIAL_VERBS:
            doers = [c for c in up.children if c.dep_ == "nsubj"]
    return frozenset(t.text for d in doers for t in d.subtree if t.ent_type_ in _AGENT_ENTITIES
                     and t.pos_ in ("PROPN", "ADJ", "NOUN") and t.text[:1].isupper())


def other_parties(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both name who did it, and no name of one is a name of the other ("Russian" is "Russia")."""
    return bool(a and b) and not {name_key(x) for x in a} & {name_key(x) for x in b}


def _clause_tokens(head: Token) -> list[Token]:
    skip: set[int] = set()
    for child in head.children:
        sub = child.dep_ in _SUBCLAUSE_DEPS or (child.dep_ == "conj" and child.pos_ in ("VERB", "AUX"))
        if sub:
            skip |= {t.i for t in child.subtree}
    return [t for t in head.subtree if t.i not in skip]


def _hedged(head: Token, tokens: list[Token]) -> bool:
    text = " ".join(t.lower_ for t in tokens)
    if any((t.lower_ in HEDGE_WORDS or t.lower_ in _MODALS) and (t.lower_ not in _MODALS or t.tag_ == "MD")
           for t in tokens):  # "may" the modal, not the month
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
    numbers = find_numbers(doc.text, skip=[(d.start, d.end) for d in find_dates(doc.text)])
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
            if t.dep_ == "det" and t.lower_ == "no" and t.head.head in (head, event) and t.head.dep_ in _ARGUMENTS:
                found[t.i] = "no"  # "sent no troops", not "talks ended, no breakthrough" (npadvmod)
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
        quantities = _quantities(doc, tokens, numbers)
        mentions = find_dates(" ".join(t.text for t in tokens))
        dates = {(d.month, d.day or 0) for d in mentions if d.month}
        # A year before a noun names a thing ("the 2015 ceasefire deal"), not when the clause's event happened.
        naming = {int(t.text) for t in tokens if YEAR.fullmatch(t.text) and t.dep_ in ("nummod", "compound", "amod")
                  and t.head.pos_ in ("NOUN", "PROPN") and t.i < t.head.i}
        years = ({d.year for d in mentions if d.year} | {
            int(t.text) for t in tokens if YEAR.fullmatch(t.text) and (t.ent_type_ == "DATE" or t.head.lower_ in _YEAR_PREPS)}) - naming
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
            agents=_agents(head, event),
        ))
    return out


_CACHE: dict[str, tuple[Clause, ...]] = {}
_CACHE_LIMIT = 100_000


def parse_many(texts: list[str]) -> None:
    """Parse the texts not seen yet into clauses, in one batched spaCy pass (remembered per process)."""
    missing = list(dict.fromkeys(t for t in texts if t not in _CACHE))
    if len(_CACHE) + len(missing) > _CACHE_LIMIT:
        _CACHE.clear()
    for text, doc in zip(missing, get_nlp().pipe(missing, batch_size=128)):
        _CACHE[text] = tuple(clauses(doc))


def parse_clauses(text: str) -> tuple[Clause, ...]:
    if text not in _CACHE:
        parse_many([text])
    return _CACHE[text]
