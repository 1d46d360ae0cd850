"""The text extraction reads: each document's prose paragraphs and its headline, parsed by spaCy in
one batched pass, with their offsets in the document text. Shared by every extraction engine.

A headline is a sentence that may carry a claim (a title-only feed item yields claims). Its
attribution is written the way headlines write it, not with a reporting verb: "Russia has committed
22,500 war crimes - Prosecutor General's Office", "Cruiser Moskva sunk by Neptune missiles, - Pentagon",
"Zelensky: All exim operations must be blocked", "Lukashenko about war in Ukraine: ...". The speaker
is cut from the claim text and given to the claims of the headline; a section label before a colon
("Ukraine war: ...", "Poll about war: ...") is cut and names nobody."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span

from claims.lexicon import SPEAKER_NOUNS
from claims.nlp import get_nlp
from ingest.layout import Paragraph, read_layout
from ingest.models import Document

_DASHES = "-\u2013\u2014"
# "..., - Pentagon" | "... \u2014 MP" | "... - Prosecutor General's Office"
_SUFFIX = re.compile(rf"(?:\s*,)?\s+[{_DASHES}]+\s+(?P<who>[^{_DASHES},:;]{{2,60}})$")
# "Zelensky: ..." | "Zelensky on next package of sanctions: ..." | "Ukraine war: ..."
_PREFIX = re.compile(r"^(?P<who>[^:]{2,60}?)(?P<topic>\s+(?:on|about)\s+[^:]{2,80})?:\s+(?=\S)")
_MAX_WHO_WORDS = 7


@dataclass(frozen=True)
class ParsedText:
    doc: Doc  # spaCy's parse of one paragraph or headline
    offset: int  # where it starts in the document text
    speaker: Span | None = None  # who a headline names as its source (a span of another parse)
    headline: bool = False


def _who(text: str, nlp) -> Span:
    """The words naming a source, parsed as the subject of "said" (alone, a name is often misread)."""
    doc = nlp(f"{text} said.")
    return doc.char_span(0, len(text), alignment_mode="expand") or doc[:-2]


def _is_speaker(who: Span, after_dash: bool = False) -> bool:
    """A name, a country, an institution or a person's role; not a section label or a clause.
    After a dash at the end of a headline ("... - Motuzianyk") any such capitalised phrase is a source."""
    words = [t for t in who if not t.is_punct]
    if not words or len(words) > _MAX_WHO_WORDS or not words[0].text[:1].isupper():
        return False
    if any(t.pos_ in ("VERB", "AUX") or (t.pos_ == "ADP" and t.lower_ != "of") for t in words):
        return False  # "Russia is killing children: ...", "Burial in Lyman: ..."
    if len(words) > 1 and words[0].tag_ in ("VBG", "NNP") and words[0].lower_.endswith("ing"):
        return False  # "Awarding Heroes of Ukraine: ...": a gerund names a topic
    if after_dash:
        return True
    root = who.root
    if root.ent_type_ == "GPE":  # "Russia: ..." is Russia speaking; "Ukraine war: ..." is a section
        return len(who.ents) == 1 and who.ents[0].text == who.text
    return (root.pos_ == "PROPN" and root.ent_type_ != "DATE") \
        or root.lemma_.lower() in SPEAKER_NOUNS or root.lower_ in SPEAKER_NOUNS


def headline_parts(text: str, nlp=None) -> tuple[int, int, Span | None]:
    """The claim part [start, end) of a headline and the span naming who says it, if it names anyone."""
    nlp = nlp or get_nlp()
    start, end, speaker = 0, len(text), None
    suffix = _SUFFIX.search(text)
    if suffix:
        who = _who(suffix.group("who").strip(), nlp)
        if _is_speaker(who, after_dash=True) and len(text[:suffix.start()].split()) >= 2:
            end, speaker = suffix.start(), who
    prefix = _PREFIX.match(text[:end])
    if prefix and len(prefix.group("who").split()) <= _MAX_WHO_WORDS and len(text[prefix.end():end].split()) >= 2:
        who = _who(prefix.group("who").strip(), nlp)
        start = prefix.end()
        if _is_speaker(who):
            speaker = speaker or who
    return start, end, speaker


def parse_prose(documents: Sequence[Document], today: date) -> dict[int, list[ParsedText]]:
    """Each document's headline and prose paragraphs (boilerplate, datelines and sign-offs cut by
    ingest.layout), parsed in one batched pass, in document order."""
    nlp = get_nlp()
    jobs: list[tuple[str, tuple[int, int, Span | None, bool]]] = []
    for d_index, document in enumerate(documents):
        layout = read_layout(document.text, today)
        pieces: list[tuple[Paragraph, Span | None, bool]] = []
        if layout.headline is not None:
            start, end, speaker = headline_parts(layout.headline.text, nlp)
            head = layout.headline
            pieces.append((Paragraph(head.start + start, head.start + end, head.text[start:end]), speaker, True))
        pieces += [(par, None, False) for par in layout.prose]
        jobs += [(par.text, (d_index, par.start, speaker, is_head)) for par, speaker, is_head in pieces]
    parsed: dict[int, list[ParsedText]] = {i: [] for i in range(len(documents))}
    for doc, (d_index, offset, speaker, is_head) in nlp.pipe(jobs, as_tuples=True, batch_size=64):
        parsed[d_index].append(ParsedText(doc, offset, speaker, is_head))
    return parsed


def sentence_span(sentence: Span, offset: int) -> tuple[int, int]:
    """A sentence's span in the document text, trailing space trimmed. Read from the span alone:
    `doc.text` is built afresh at each call, which made a long paragraph quadratic."""
    return offset + sentence.start_char, offset + sentence.start_char + len(sentence.text.rstrip())
