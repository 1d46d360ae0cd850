"""The local extraction engine: spaCy parses, quotation and attribution rules, cue lists.

For each prose paragraph of a document (boilerplate removed by ingest.layout):
1. quotation regions are found (also quotes that close without opening, or run past the paragraph);
2. each quote gets a speaker from its attribution ("...," Stoltenberg said / according to him / X wrote);
3. sentences outside quotes are read for reported speech ("Peskov said that ...", "..., X said");
4. each asserted clause is split into atomic claims (coordinated clauses with their own subject,
   concessive "although" clauses) whose text is an exact span of the document;
5. each claim gets polarity, modality, a resolved date, entities, numbers and a check-worthiness score.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span, Token

from claims.checkworthiness import CheckworthinessModel
from claims.lexicon import (
    CONCESSIVE_MARKS,
    CONDITIONAL_MARKS,
    DENIAL_VERBS,
    EVIDENTIAL_VERBS,
    HEDGE_PHRASES,
    HEDGE_WORDS,
    LEADING_CONNECTIVES,
    NEGATION_WORDS,
    NEGATIVE_PREDICATES,
    OPINION_WORDS,
    REPORTING_VERBS,
    find_numbers,
)
from claims.models import Claim, DocumentClaims, TemporalAnomaly, claim_id_for
from claims.prose import ParsedText, parse_prose, sentence_span
from claims.speakers import SpeakerBook, mention_span
from ingest.dates import DateMention, find_dates, resolve, rewrite_dates
from ingest.models import Document

EXTRACTOR_VERSION = "local-extract/0.2"

_OPEN_QUOTES = "\u201c\u00ab\u201e"
_CLOSE_QUOTES = "\u201d\u00bb"
_CONNECTIVE = re.compile(
    r"^(?:(?:" + "|".join(re.escape(c) for c in LEADING_CONNECTIVES) + r")\b[\s,]*)+", re.I
)
_TRAILING = re.compile(r"(?:[\s,;:.!?\"'\u201c\u201d\u00ab\u00bb\u2014\u2013-]|\s(?:and|but|or)\b)+$")
_LEADING = re.compile(r"^[\s,;:.\"'\u201c\u201d\u00ab\u00bb\u2014\u2013-]+")
_ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "expl", "csubj"}
_ARGUMENT_DEPS = {"nsubj", "nsubjpass", "dobj", "attr", "pobj", "dative", "oprd", "expl"}


@dataclass
class Quote:
    start: int  # content offsets within the paragraph, quote marks excluded
    end: int
    runs_on: bool = False  # no closing mark in this paragraph
    speaker: str | None = None
    mention: str | None = None


@dataclass
class Unit:
    """One atomic claim candidate inside a parsed paragraph."""

    tokens: list[Token]
    head: Token
    speaker: str | None
    mention: str | None
    is_quote: bool
    denied: bool = False


def quote_regions(text: str) -> list[Quote]:
    regions: list[Quote] = []
    open_at: int | None = None
    for i, ch in enumerate(text):
        if ch in _OPEN_QUOTES and open_at is None:
            open_at = i + 1
        elif ch in _CLOSE_QUOTES or ch == '"':
            if open_at is not None:
                regions.append(Quote(open_at, i))
                open_at = None
            elif ch == '"' and (i == 0 or text[i - 1] in " \t\n([\u2014-"):
                open_at = i + 1
            elif not regions:  # closes a quote that opened in an earlier paragraph
                regions.append(Quote(0, i))
    if open_at is not None:
        regions.append(Quote(open_at, len(text), runs_on=True))
    return [q for q in regions if text[q.start : q.end].strip()]


def _is_fragment(doc: Doc, quote: Quote) -> bool:
    """A few quoted words inside a sentence (scare quotes: 'the ship was "seriously damaged" by a
    fire'), not a statement of its own: read as part of the sentence around them."""
    span = doc.char_span(quote.start, quote.end, alignment_mode="contract")
    if quote.runs_on:
        return False
    if span is None:
        return True
    has_subject = any(c.dep_ in _SUBJECT_DEPS and span.start <= c.i < span.end for c in span.root.children)
    return len(span) < 8 and not has_subject


def _inside(tok: Token, quotes: Sequence[Quote]) -> bool:
    return any(q.start <= tok.idx < q.end for q in quotes)


def _speaker_token(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.dep_ != "nsubjpass":
            return child
        if child.dep_ == "agent":
            for g in child.children:
                if g.dep_ == "pobj":
                    return g
    if verb.dep_ == "conj":  # "he didn't rule out X and warned that Y": the subject is shared
        return _speaker_token(verb.head)
    return None


def _according_to(tokens: Iterable[Token]) -> Token | None:
    for tok in tokens:
        if tok.lower_ == "according":
            for child in tok.children:
                if child.lower_ == "to":
                    for g in child.children:
                        if g.dep_ == "pobj":
                            return g
    return None


def _is_reporting(tok: Token) -> bool:
    return tok.lemma_.lower() in REPORTING_VERBS or tok.lemma_.lower() in DENIAL_VERBS


def _attribute(doc: Doc, quote: Quote, quotes: Sequence[Quote], book: SpeakerBook) -> None:
    """Find who is quoted: a reporting verb after the quote, else before it, else 'according to'."""
    outside = [t for t in doc if not _inside(t, quotes) and not t.is_punct]
    last = next((t for t in reversed(doc) if t.idx < quote.end), None)  # the quote's last token
    after = [t for t in outside if t.idx >= quote.end and t.sent == last.sent] if last is not None else []
    before = [t for t in outside if t.idx < quote.start and t.sent.end_char >= quote.start]
    for group in (after, list(reversed(before))):
        for tok in group:
            if _is_reporting(tok):
                subject = _speaker_token(tok)
                if subject is not None and not _inside(subject, quotes):
                    span = mention_span(subject)
                    quote.speaker, quote.mention = book.resolve(span), span.text
                    return
        according = _according_to(group)
        if according is not None:
            span = mention_span(according)
            quote.speaker, quote.mention = book.resolve(span), span.text
            return


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in _SUBJECT_DEPS for c in verb.children)


def _atoms(head: Token, allowed: set[int]) -> list[tuple[Token, set[int]]]:
    """Split a clause into independently checkable parts."""
    rest = set(allowed)
    parts: list[tuple[Token, set[int]]] = []
    for child in head.children:
        if child.i not in rest:
            continue
        coordinated = child.dep_ == "conj" and child.pos_ in ("VERB", "AUX") and _has_subject(child)
        concessive = child.dep_ == "advcl" and any(
            g.dep_ == "mark" and g.lower_ in CONCESSIVE_MARKS for g in child.children)
        if coordinated or concessive:
            sub = {t.i for t in child.subtree} & rest
            rest -= sub
            parts.extend(_atoms(child, sub))
    return [(head, rest)] + parts


def _contiguous(doc: Doc, head: Token, members: set[int]) -> list[Token]:
    """The unbroken run of ``members`` around the head, without leading "that"/"and"/commas."""
    lo = hi = head.i
    while lo - 1 in members:
        lo -= 1
    while hi + 1 in members:
        hi += 1
    while lo < head.i and (doc[lo].is_punct or (doc[lo].dep_ in ("mark", "cc") and doc[lo].head == head)):
        lo += 1
    return list(doc[lo : hi + 1])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past leading connectives/punctuation and trailing punctuation."""
    while True:
        piece = text[start:end]
        m = _LEADING.match(piece) or _CONNECTIVE.match(piece)
        if not m or not m.group(0):
            break
        start += m.end()
    m = _TRAILING.search(text[start:end])
    if m:
        end = start + m.start()
    return start, end


def _negations(head: Token) -> list[str]:
    cues: list[str] = []
    chain = [head]
    while True:
        nxt = [c for c in chain[-1].children if c.dep_ == "xcomp"]
        if not nxt:
            break
        chain.append(nxt[0])
    for verb in chain:
        for child in verb.children:
            if child.dep_ == "neg" or child.lower_ == "never":
                cues.append(child.lower_.replace("n\u2019t", "not").replace("n't", "not"))
            elif child.dep_ in _ARGUMENT_DEPS:
                if child.lower_ in NEGATION_WORDS:
                    cues.append(child.lower_)
                cues.extend(g.lower_ for g in child.children if g.dep_ == "det" and g.lower_ == "no")
        if verb.lemma_.lower() in NEGATIVE_PREDICATES and any(c.dep_ in ("xcomp", "ccomp") for c in verb.children):
            cues.append(verb.text.lower())
    return cues


def _modality(unit_tokens: Sequence[Token], head: Token, sentence: Span) -> str:
    words = {t.lower_ for t in unit_tokens}
    lemmas = {t.lemma_.lower() for t in unit_tokens}
    text = " ".join(t.text for t in unit_tokens).lower()
    if sentence.text.rstrip().rstrip("\"'\u201d").endswith("?"):
        return "question"
    for child in head.children:
        if child.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in CONDITIONAL_MARKS for g in child.children):
            return "conditional"
    if any(t.dep_ == "mark" and t.lower_ in CONDITIONAL_MARKS and t.head == head for t in unit_tokens):
        return "conditional"
    auxes = {c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")}
    if auxes & {"will", "shall", "'ll", "\u2019ll", "wo"} or "going to" in text or head.lemma_ in ("expect", "plan"):
        return "future"
    if auxes & {"should", "must", "ought"} or head.lemma_.lower() in ("believe", "think", "feel", "hope") \
            or (lemmas & OPINION_WORDS and not auxes & {"may", "might", "could"}):
        return "opinion"
    if words & HEDGE_WORDS or lemmas & HEDGE_WORDS or any(p in text for p in HEDGE_PHRASES):
        return "hedged"
    return "asserted"


def _numbers(text: str, dates: Sequence[DateMention]) -> list[float]:
    """The figures of a claim (claims.lexicon.find_numbers), outside its dates."""
    return [n.value for n in find_numbers(text, skip=[(d.start, d.end) for d in dates])]


def _statement(text: str, dates: Sequence[tuple[DateMention, date | None]], speaker: str | None,
               organisation: str | None) -> str:
    """Self-contained text: relative dates made absolute, first person made explicit."""
    out = rewrite_dates(text, dates)
    who = organisation or speaker
    if who:
        out = re.sub(r"\b[Ww]e\b", who, out)
        out = re.sub(r"\b[Oo]ur\b", f"{who}'s", out)
        out = re.sub(r"\bus\b", who, out)
    if speaker:
        out = re.sub(r"^(?:[Hh]e|[Ss]he)\b", speaker, out)
        out = re.sub(r"\bI\b", speaker, out)
        out = re.sub(r"\b[Mm]y\b", f"{speaker}'s", out)
    return out[0].upper() + out[1:] if out else out


def _checkworthiness(model: CheckworthinessModel, span: Span | None, modality: str) -> tuple[float, bool]:
    """The trained model's score for the claim span; only asserted claims can be check-worthy.

    Opinions, predictions, conditionals, questions and hedged claims keep a score, capped just
    under the model's threshold, so that `checkworthy` and the score never disagree."""
    score = model.score(span) if span is not None and len(span) else 0.0
    if modality != "asserted":
        score = min(score, max(0.0, model.threshold - 0.01))
    return round(score, 4), score >= model.threshold


class LocalExtractor:
    """Offline, deterministic claim extraction."""

    name = EXTRACTOR_VERSION

    def __init__(self, today: date | None = None) -> None:
        self.today = today or date.today()
        self.checkworthiness = CheckworthinessModel.load()

    def extract(self, documents: Sequence[Document]) -> list[DocumentClaims]:
        parsed = parse_prose(documents, self.today)
        results = []
        for i, document in enumerate(documents):
            try:
                results.append(self._document(document, parsed[i]))
            except Exception as exc:  # one bad document never stops a run: it is reported, not dropped
                results.append(DocumentClaims(doc_id=document.doc_id, claims=[], error=f"{type(exc).__name__}: {exc}"))
        return results

    def _document(self, document: Document, paragraphs: list[ParsedText]) -> DocumentClaims:
        book = SpeakerBook()
        anchor = document.published_at.date() if document.published_at else None
        claims: list[Claim] = []
        anomalies: list[TemporalAnomaly] = []
        sentences: list[tuple[int, int]] = []
        carry: Quote | None = None  # a quote that ran on past its paragraph
        for item in paragraphs:
            doc, offset = item.doc, item.offset
            source = None
            if item.speaker is not None:  # a headline's source: "..., - Pentagon"
                source = (book.resolve(item.speaker) or item.speaker.text, item.speaker.text)
            text = doc.text  # spaCy joins the tokens again at each `doc.text`: once per paragraph
            quotes = [q for q in quote_regions(text) if not _is_fragment(doc, q)]
            for ent in doc.ents:
                if ent.label_ in ("PERSON", "ORG") and not any(q.start <= ent.start_char < q.end for q in quotes):
                    book.know(ent)
            for quote in quotes:
                _attribute(doc, quote, quotes, book)
            if quotes and quotes[0].start <= 1 and carry is not None and quotes[0].speaker is None:
                quotes[0].speaker, quotes[0].mention = carry.speaker, carry.mention
            for quote in quotes:
                if quote.speaker is None:  # an unattributed quote continues the last speaker
                    quote.speaker, quote.mention = book.last_speaker, None
            carry = quotes[-1] if quotes and quotes[-1].runs_on else None
            for sentence in doc.sents:
                if sentence.text.strip():
                    sentences.append(sentence_span(sentence, offset))
                for unit in self._units(doc, sentence, quotes, book):
                    if source is not None and unit.speaker is None:  # "..., - Pentagon": the headline's source
                        unit.speaker, unit.mention = source
                    claim, anomaly = self._claim(document, doc, text, offset, sentence, unit, anchor, book)
                    if claim is not None:
                        claims.append(claim)
                    if anomaly is not None:
                        anomalies.append(anomaly)
        unique = {c.claim_id: c for c in claims}
        return DocumentClaims(doc_id=document.doc_id, claims=list(unique.values()), anomalies=anomalies,
                              sentences=sentences)

    def _units(self, doc: Doc, sentence: Span, quotes: Sequence[Quote], book: SpeakerBook) -> list[Unit]:
        units: list[Unit] = []
        inside = [q for q in quotes if q.start < sentence.end_char and sentence.start_char < q.end]
        for quote in inside:
            span = doc.char_span(max(quote.start, sentence.start_char), min(quote.end, sentence.end_char),
                                 alignment_mode="contract")
            if span is None or len(span) == 0:
                continue
            if not _has_subject(span.root) and len(span) < 8:
                continue  # a quoted fragment ("starting this week"), not a statement of its own
            units.extend(self._split(doc, span.root, {t.i for t in span}, quote.speaker, quote.mention, True))
        units.extend(self._reported(doc, sentence, quotes if inside else (), book))
        kept = []
        for unit in units:
            if not unit.denied and _is_reporting(unit.head) and not any(c.dep_ == "ccomp" for c in unit.head.children):
                subject = _speaker_token(unit.head)  # "This was stated by X": remember X, no claim
                if subject is not None:
                    book.resolve(mention_span(subject))
                continue
            kept.append(unit)
        return kept

    def _reported(self, doc: Doc, sentence: Span, quotes: Sequence[Quote], book: SpeakerBook) -> list[Unit]:
        """Claims outside quotation marks: reported speech, 'according to', or the outlet's own voice."""
        outside = {t.i for t in sentence if not _inside(t, quotes)}
        root = sentence.root
        if quotes and (root.i not in outside or not _is_reporting(root)):
            return []
        according = _according_to(sentence)
        if according is not None:
            mention = mention_span(according)
            speaker = book.resolve(mention)
            prep = next(t for t in sentence if t.lower_ == "according")
            members = outside - {t.i for t in prep.subtree}
            return self._split(doc, root, members, speaker, mention.text, False)
        reporting = [v for v in [root] + [c for c in root.children if c.dep_ == "conj"] if _is_reporting(v)]
        if not reporting:
            return self._split(doc, root, outside, None, None, False)
        subject = _speaker_token(reporting[0])
        mention = mention_span(subject) if subject is not None else None
        speaker = book.resolve(mention) if mention is not None else None
        units: list[Unit] = []
        for verb in reporting:
            denied = verb.lemma_.lower() in DENIAL_VERBS
            if denied and not any(c.dep_ == "ccomp" for c in verb.children):
                units += self._denied_object(doc, verb, outside, speaker, mention.text if mention else None)
                continue
            for comp in [c for c in verb.children if c.dep_ == "ccomp" and c.i in outside]:
                if denied:  # "X denied that Y": the claim keeps the denial, Y alone would invert it
                    members = {t.i for t in verb.subtree} & outside
                    for unit in self._split(doc, comp, members, speaker, mention.text if mention else None, False):
                        unit.denied = True
                        units.append(unit)
                    continue
                heads = [comp] + [c for c in comp.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
                for h in heads:
                    members = {t.i for t in h.subtree} & outside
                    if h is comp:
                        members -= {t.i for c in heads[1:] for t in c.subtree}
                    for unit in self._split(doc, h, members, speaker, mention.text if mention else None, False):
                        unit.denied = denied
                        units.append(unit)
        if not _is_reporting(root):  # "he didn't rule out X and warned that Y": X is reported too
            members = outside - {t.i for v in reporting for t in v.subtree}
            units.extend(self._split(doc, root, members, speaker, mention.text if mention else None, False))
        return units

    def _denied_object(self, doc: Doc, verb: Token, outside: set[int], speaker: str | None,
                       mention: str | None) -> list[Unit]:
        """ "Moscow denied carrying out the attack and blamed Ukrainian forces", "Russia denies strike
        on the station": the denied act is a negative claim of the denier; what the denier adds in a
        coordinated verb ("blamed Ukrainian forces") is a claim of theirs too."""
        objects = [c for c in verb.children if c.dep_ in ("dobj", "xcomp") and c.i in outside]
        if not objects:
            return []
        added = [c for o in objects for c in o.children if c.dep_ == "conj" and c.pos_ == "VERB"]
        added += [c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB" and not _is_reporting(c)]
        rest = {t.i for c in added for t in c.subtree}
        members = ({t.i for t in verb.subtree} & outside) - rest
        units = [Unit(_contiguous(doc, verb, members), verb, speaker, mention, False, denied=True)]
        for c in added:
            units += self._split(doc, c, {t.i for t in c.subtree} & outside, speaker, mention, False)
        return units

    def _split(self, doc: Doc, head: Token, members: set[int], speaker: str | None, mention: str | None,
               is_quote: bool) -> list[Unit]:
        units = []
        for atom_head, atom in _atoms(head, members):
            tokens = _contiguous(doc, atom_head, atom)
            if sum(t.is_alpha for t in tokens) < 3 or not any(t.pos_ in ("VERB", "AUX") for t in tokens):
                continue
            units.append(Unit(tokens, atom_head, speaker, mention, is_quote))
        return units

    def _claim(self, document: Document, doc: Doc, paragraph: str, offset: int, sentence: Span, unit: Unit,
               anchor: date | None, book: SpeakerBook) -> tuple[Claim | None, TemporalAnomaly | None]:
        start, end = _trim(paragraph, unit.tokens[0].idx, unit.tokens[-1].idx + len(unit.tokens[-1]))
        if end - start < 12:
            return None, None
        text = paragraph[start:end]
        char_start, char_end = offset + start, offset + end
        assert document.text[char_start:char_end] == text
        cues = _negations(unit.head)
        if unit.denied and unit.head.lower_ not in cues:  # "denied carrying out": the verb is already a cue
            cues.append("denied")
        evidential = unit.head.lemma_.lower() in EVIDENTIAL_VERBS and cues
        polarity = "negative" if len(cues) % 2 else "positive"
        negation = ("not " + unit.head.lemma_ if evidential and not unit.denied else " ".join(cues)) or None
        modality = _modality(unit.tokens, unit.head, sentence)
        mentions = find_dates(text)
        dates = [(m, resolve(m, anchor)) for m in mentions]
        claim_date = next((d for _, d in dates if d is not None), None)
        span = doc.char_span(start, end, alignment_mode="expand")
        entities = sorted({e.text for e in (span.ents if span is not None else []) if e.label_ in _ENTITY_LABELS})
        numbers = _numbers(text, mentions)
        checkworthiness, checkworthy = _checkworthiness(self.checkworthiness, span, modality)
        claim_id = claim_id_for(document.doc_id, char_start, char_end)
        claim = Claim(
            claim_id=claim_id, doc_id=document.doc_id, text=text,
            statement=_statement(text, dates, unit.speaker, book.organisation(unit.speaker)),
            speaker=unit.speaker, speaker_mention=unit.mention, is_quote=unit.is_quote,
            char_start=char_start, char_end=char_end,
            sentence_start=offset + sentence.start_char, sentence_end=offset + sentence.end_char,
            polarity=polarity, negation=negation, modality=modality, claim_date=claim_date,
            entities=entities, numbers=numbers, checkworthiness=checkworthiness,
            checkworthy=checkworthy, extractor=EXTRACTOR_VERSION,
        )
        anomaly = None
        if anchor is not None and modality not in ("future", "conditional", "question"):
            past = any(t.tag_ in ("VBD", "VBN") for t in unit.tokens if t.pos_ in ("VERB", "AUX"))
            for mention, resolved in dates:
                if past and mention.day and mention.month and resolved and resolved > anchor:
                    anomaly = TemporalAnomaly(
                        claim_id=claim_id, referenced=resolved, published=anchor,
                        explanation=(f"the document is dated {anchor.isoformat()} but reports, in the past tense, "
                                     f"something on {resolved.isoformat()} ('{mention.text}')"),
                    )
                    break
        return claim, anomaly
