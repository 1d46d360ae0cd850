"""Who asserts a claim: speaker mentions resolved to one normalised name.

Within a document, "NATO Secretary-General Jens Stoltenberg", "Stoltenberg", "he", "according to him"
and "NATO Secretary-General" all become "Jens Stoltenberg"; "the message reads" is the last speaker's
message. Across a corpus, a bare surname becomes the full name when only one person has it."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from spacy.tokens import Span, Token

from claims.lexicon import DOCUMENT_NOUNS

_PRONOUNS_PERSON = frozenset("he she him her his".split())
_PRONOUNS_OTHER = frozenset("they them it we i".split())
_DETERMINERS = frozenset("the a an this that these those".split())
_WORD = re.compile(r"[a-z]+")
_TITLES = re.compile(
    r"^(?:(?:mayor|president|minister|prime|deputy|foreign|defence|defense|secretary|general|spokesman|"
    r"spokeswoman|spokesperson|chief|chairman|chairwoman|governor|senator|chancellor|ambassador|dr|mr|mrs|ms|"
    r"sir|professor|prof|gen|col|capt|lt)\.?\s+)+", re.I)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _DETERMINERS}


def mention_span(token: Token) -> Span:
    """The noun phrase of a speaker token, cut at the first comma or relative clause."""
    doc = token.doc
    left = token.left_edge.i
    right = token.i
    for child in token.rights:
        if child.dep_ in ("relcl", "acl", "punct", "cc", "conj", "prep"):
            break
        right = child.right_edge.i
    for i in range(token.i - 1, left - 1, -1):
        if doc[i].is_punct and doc[i].text in ",;:()\"\u201c\u201d\u2014":
            left = i + 1
            break
    while left < right and doc[left].lower_ in _DETERMINERS:
        left += 1
    return doc[left : right + 1]


class SpeakerBook:
    """Per-document memory of who has spoken, to resolve pronouns, titles and bare surnames."""

    def __init__(self) -> None:
        self.titles: dict[str, set[str]] = {}  # canonical person -> title words seen with them
        self.orgs: dict[str, str] = {}  # canonical person -> organisation named in their title
        self.last_person: str | None = None
        self.last_speaker: str | None = None
        self.name_like: dict[str, str] = {}  # surname -> "First Last" seen under another entity label

    def organisation(self, speaker: str | None) -> str | None:
        return self.orgs.get(speaker or "")

    def _person(self, name: str) -> str:
        last = name.split()[-1].lower()
        for known in self.titles:
            if known.split()[-1].lower() == last:
                if len(name.split()) > len(known.split()):  # a fuller form of a known name
                    self.titles[name] = self.titles.pop(known)
                    if known in self.orgs:
                        self.orgs[name] = self.orgs.pop(known)
                    return name
                return known
        self.titles[name] = set()
        return name

    def know(self, person: Span) -> None:
        """Remember a person named in the text (so a later bare surname resolves), without making
        them the last speaker."""
        name = _TITLES.sub("", re.sub(r"['\u2019]s$", "", person.text).strip()) or person.text
        if len(name.split()) < 2:
            return
        if person.label_ == "PERSON":
            self._person(name)
        elif all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in person) and len(person) <= 3:
            self.name_like.setdefault(name.split()[-1], name)  # spaCy may label a name ORG

    def resolve(self, span: Span) -> str | None:
        """Normalised speaker for a mention span, updating the memory."""
        text = span.text.strip()
        lower = text.lower()
        if lower in _PRONOUNS_PERSON:
            return self.last_person or self.last_speaker
        if lower in _PRONOUNS_OTHER:
            return self.last_speaker
        if span.root.lemma_.lower() in DOCUMENT_NOUNS and not any(e.label_ == "PERSON" for e in span.ents):
            return self.last_speaker
        last_tok = span[-1] if len(span) else None
        if last_tok is not None and last_tok.pos_ == "PROPN":
            for known in self.titles:
                if known.split()[-1] == last_tok.text and len(span) <= 2:
                    self.last_person = self.last_speaker = known
                    return known
        if last_tok is not None and len(span) == 1 and last_tok.text in self.name_like:
            canonical = self._person(self.name_like[last_tok.text])  # "Moor said" after "Hanna Moor"
            self.last_person = self.last_speaker = canonical
            return canonical
        persons = [e for e in span.ents if e.label_ == "PERSON"]
        words = _words(text)
        if not persons and words:
            for canonical, titles in self.titles.items():
                if titles and words <= titles:
                    self.last_person = self.last_speaker = canonical
                    return canonical
        if not persons:  # spaCy sometimes misses a name after a title: use a trailing "First Last"
            tail = []
            for tok in reversed(span):
                if tok.pos_ != "PROPN" or tok.ent_type_ in ("GPE", "NORP"):
                    break
                tail.insert(0, tok)
            if 2 <= len(tail) <= 3:
                persons = [span.doc[tail[0].i : tail[-1].i + 1]]
        if persons:
            person = persons[-1]
            name = re.sub(r"['\u2019]s$", "", person.text).strip()
            name = _TITLES.sub("", name) or name
            canonical = self._person(name)
            title_words = _words(span.text) - _words(name)
            self.titles[canonical] |= title_words
            orgs = [e.text for e in span.ents if e.label_ in ("ORG", "GPE", "NORP") and e.start < person.start]
            if orgs and canonical not in self.orgs:
                self.orgs[canonical] = orgs[0]
            self.last_person = self.last_speaker = canonical
            return canonical
        name = " ".join(t.text for t in span if t.lower_ not in _DETERMINERS).strip()
        if not name:
            return self.last_speaker
        self.last_speaker = name
        return name


def spelling_key(name: str) -> str:
    """One key for transliterations of a name: "Zelensky", "Zelenskyy", "Zelenskiy", "Zelenskyi" all
    read "zelensk"; "Kremenchuk" / "Kremenchug" do not (a different last letter is another word)."""
    words = []
    for word in re.findall(r"[a-z]+", name.lower()):
        word = word.replace("y", "i")
        word = re.sub(r"(.)\1+", r"\1", word)  # doubled letters
        words.append(re.sub(r"i+$", "", word) if len(word) > 4 else word)
    return " ".join(words)


def unify_surnames(speakers: Iterable[str | None]) -> dict[str, str]:
    """Across documents: map spellings of one name to its most frequent spelling ("Zelenskyy",
    "Zelenskiy" -> "Zelensky"), then a one-word speaker to the only multi-word name ending with it
    ("Zelensky" -> "Volodymyr Zelensky")."""
    counts = Counter(s for s in speakers if s)
    by_key: dict[str, list[str]] = {}
    for name in counts:
        by_key.setdefault(spelling_key(name), []).append(name)
    mapping = {}
    for names in by_key.values():
        if len(names) > 1:
            canonical = max(names, key=lambda n: (counts[n], -len(n), n))
            mapping.update({n: canonical for n in names if n != canonical})
    names = {mapping.get(n, n) for n in counts}
    full: dict[str, set[str]] = {}
    for name in names:
        parts = name.split()
        if len(parts) > 1:
            full.setdefault(spelling_key(parts[-1]), set()).add(name)
    for name in names:
        if len(name.split()) == 1 and len(full.get(spelling_key(name), ())) == 1:
            target = next(iter(full[spelling_key(name)]))
            mapping[name] = target
            mapping.update({n: target for n, c in mapping.items() if c == name})
    return mapping
