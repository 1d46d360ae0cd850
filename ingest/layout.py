"""Reading the layout of a raw page dump or a feed item: which lines are navigation, date, section,
title, wire dateline, timestamp, sign-off or source line, and which text is prose that may hold claims.

The same rules serve ingestion (title, date, outlet) and extraction (which text may become claims),
so boilerplate never becomes a claim. What the layout cuts from a paragraph (a dateline "OTTAWA,
January 17. /TASS/.", a timestamp "27.06.22 21:56 - ", the headline repeated after it, a sign-off
"— Ukrinform.", a date glued to the last sentence "...in Europe.June 28, 2022") is metadata, never
claim text; the paragraph keeps its offsets into the document text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from ingest.dates import MONTHS, WEEKDAYS, _safe_date, find_dates, infer_year

# "OTTAWA, January 17. /TASS/. " | "PORT ALDER, March 3 (Harbour Post) - " | "KYIV, 3 March 2026 (Wire) —"
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'\-]{1,40}),\s+(?P<date>[A-Z][a-z]+\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]+)(?:,?\s+(?:19|20)\d\d)?"
    r"\s*[.,]?\s*(?:/(?P<wire>[^/\n]{2,40})/\.?|\((?P<paren>[^)\n]{2,40})\))?\s*[-\u2013\u2014:]?\s*"
)
SOURCE_LINE = re.compile(r"^\s*(?:Source|Sources|Via)\s*:\s*(?P<source>.{2,60}?)\s*$", re.I)
_PROSE_END = re.compile(r"[.!?\"'\u201d\u2019\u00bb)]\s*$")
# "27.06.22 21:56 - " before a paragraph; "(29.06.22 23:31)" in a title
_STAMP = r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})\s+(?P<H>[0-2]?\d):(?P<M>[0-5]\d)"
TIMESTAMP = re.compile(rf"^{_STAMP}\s*[-\u2013\u2014]\s*")
# what a site appends to a title: "(29.06.22 23:31) « War in Ukraine | Censor.NET", " | Reuters"
_BARE_STAMP = r"\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})\s+[0-2]?\d:[0-5]\d"
_BREADCRUMB = re.compile(rf"\s*(?:\({_BARE_STAMP}\)\s*)?(?:[\u00ab|]\s*[^\u00ab|\n]{{1,60}})*$")
# "... last night. — Ukrinform." : an outlet signing off after the last sentence
_SIGNOFF = re.compile(r"(?<=[.!?\"'\u201d\u2019)])\s*[\u2014\u2013]\s*[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*){0,2}\.?\s*$")
_DATE_LINE = re.compile(
    r"^\s*(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?:\d{1,2}\s+[A-Za-z]+\.?|[A-Za-z]+\.?\s+\d{1,2})(?:,?\s+(?:19|20)\d\d)?"
    r"(?:,?\s+\d{1,2}:\d\d(?:\s*[AP]M)?)?\s*$"
    r"|^\s*(?:19|20)\d\d-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d)?Z?)?\s*$",
    re.I,
)


_LOWER_SHARE = 0.3  # a paragraph without a final stop is prose when this share of its words is lower case


@dataclass(frozen=True)
class Paragraph:
    start: int  # char offsets into the document text
    end: int
    text: str

    def cut(self, head: int = 0, tail: int = 0) -> Paragraph:
        """The paragraph without its first `head` and last `tail` characters, whitespace trimmed."""
        piece = self.text[head:len(self.text) - tail]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        return Paragraph(self.start + head + lead, self.start + head + lead + len(piece), piece)


@dataclass
class PageLayout:
    title: str | None
    source: str | None
    date_line: str | None
    published: date | None
    year_inferred: bool
    prose: list[Paragraph]  # paragraphs that may hold claims (boilerplate, headings and datelines removed)
    headline: Paragraph | None = None  # the title as written in the text, site breadcrumbs cut: it may hold a claim
    reported_at: datetime | None = None  # a timestamp written in the text ("27.06.22 21:56 - ")


# A block longer than this is cut into pieces at sentence ends (a 99 KB text with no line break):
# the parser's work per block grows faster than its length. Real articles' longest paragraphs are
# ~6,000 characters (bench/limits.py on FNC-1's bodies).
PARAGRAPH_MAX_CHARS = 8_000
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+")


def paragraphs(text: str) -> list[Paragraph]:
    """Blank-line separated blocks; a block of several short lines is split into lines; a block
    longer than PARAGRAPH_MAX_CHARS into pieces that end at a sentence end where there is one."""
    out = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):
        block = m.group(0)
        if not block.strip():
            continue
        lead = len(block) - len(block.lstrip())
        tail = len(block.rstrip())
        out += _pieces(Paragraph(m.start() + lead, m.start() + tail, block[lead:tail]))
    return out


def _pieces(par: Paragraph) -> list[Paragraph]:
    out = []
    while len(par.text) > PARAGRAPH_MAX_CHARS:
        window = par.text[:PARAGRAPH_MAX_CHARS]
        ends = [e.end() for e in _SENTENCE_END.finditer(window, PARAGRAPH_MAX_CHARS // 2)]
        cut = ends[-1] if ends else (window.rfind(" ", PARAGRAPH_MAX_CHARS // 2) + 1 or PARAGRAPH_MAX_CHARS)
        out.append(par.cut(tail=len(par.text) - cut))
        par = par.cut(head=cut)
    return out + ([par] if par.text else [])


def is_date_line(line: str) -> bool:
    if not _DATE_LINE.match(line):
        return False
    return any(d.month for d in find_dates(line))


def is_prose(par: Paragraph, after_title: bool = False) -> bool:
    """Prose: ends like a sentence and has enough words; headings, menus, section words do not.
    After the title, a long paragraph of mostly lower-case words is prose without a final stop too
    (feed descriptions often have none)."""
    words = par.text.split()
    if len(words) < 4 or is_date_line(par.text) or SOURCE_LINE.match(par.text):
        return False
    if _PROSE_END.search(par.text):
        return True
    return after_title and len(words) >= 8 and sum(w[:1].islower() for w in words) >= _LOWER_SHARE * len(words)


def dateline_length(text: str) -> int:
    """Length of a wire dateline ("OTTAWA, January 17. /TASS/. ") at the start of ``text``, else 0."""
    m = DATELINE.match(text)
    if not m or not (m.group("wire") or m.group("paren") or m.group(0).rstrip().endswith(("-", "\u2013", "\u2014", ":", "."))):
        return 0
    if not any(d.month for d in find_dates(m.group("date"))):
        return 0
    return m.end()


def _date_parts(line: str) -> tuple[int, int, int | None, int | None] | None:
    for d in find_dates(line):
        if d.month and d.day:
            return d.month, d.day, d.year, d.weekday
    return None


def _stamp(m: re.Match) -> datetime | None:
    year = int(m.group("y"))
    try:
        return datetime(year + 2000 if year < 100 else year, int(m.group("m")), int(m.group("d")),
                        int(m.group("H")), int(m.group("M")))
    except ValueError:
        return None


def _glued_date(par: Paragraph) -> tuple[Paragraph, str | None]:
    """A date written after the last sentence ("...have been growing.Sept. 2, 2022"): cut, returned."""
    dates = [d for d in find_dates(par.text) if d.month and d.day and d.end == len(par.text.rstrip(" ."))]
    if dates and _PROSE_END.search(par.text[:dates[-1].start].rstrip()) and dates[-1].start > 0:
        return par.cut(tail=len(par.text) - dates[-1].start), dates[-1].text
    return par, None


def _headline(par: Paragraph) -> Paragraph:
    """A title line without what the site appends to it (timestamp, section, site name)."""
    m = _BREADCRUMB.search(par.text)
    cut = par.cut(tail=len(par.text) - m.start()) if m and m.start() > 0 else par
    return cut if len(cut.text.split()) >= 3 else par


def _lead_cut(par: Paragraph, headline: Paragraph | None) -> tuple[Paragraph, datetime | None, re.Match | None]:
    """A prose paragraph without its dateline or timestamp, and without the headline repeated after
    the timestamp ("27.06.22 21:56 - <headline>. <first sentence>")."""
    stamp = TIMESTAMP.match(par.text)
    if stamp:
        par = par.cut(head=stamp.end())
        if headline is not None and par.text.startswith(headline.text):
            rest = re.match(r"[.!?]?\s*", par.text[len(headline.text):])
            par = par.cut(head=len(headline.text) + rest.end())
        return par, _stamp(stamp), None
    m = DATELINE.match(par.text)
    cut = dateline_length(par.text)
    return (par.cut(head=cut), None, m) if cut and m else (par, None, None)


def read_layout(text: str, today: date) -> PageLayout:
    title = source = date_line = None
    headline: Paragraph | None = None
    reported_at: datetime | None = None
    published: date | None = None
    year_inferred = False
    prose: list[Paragraph] = []
    parts = None
    glued = None
    for par in paragraphs(text):
        first_line = par.text.splitlines()[0]
        src = SOURCE_LINE.match(par.text)
        if src:
            source = source or src.group("source").strip()
            continue
        par, glued_date = _glued_date(par)
        glued = glued or glued_date
        signoff = _SIGNOFF.search(par.text)
        if signoff:
            par = par.cut(tail=len(par.text) - signoff.start())
        if is_prose(par, after_title=title is not None or bool(prose)):
            par, stamp, dateline = _lead_cut(par, headline)
            reported_at = reported_at or stamp
            if dateline is not None:
                source = source or (dateline.group("wire") or dateline.group("paren") or "").strip() or None
                if parts is None:
                    parts = _date_parts(dateline.group(0))
            if par.text:
                prose.append(par)
            continue
        if prose:
            continue  # headings after the body started: not claims, not metadata
        if date_line is None and is_date_line(first_line):
            date_line = first_line.strip()
            parts = _date_parts(first_line)
        elif title is None and len(first_line.split()) >= 4:
            title = first_line.strip()
            if "\n" not in par.text:
                headline = _headline(par)
                stamp = re.search(rf"\({_STAMP}\)", par.text)
                reported_at = _stamp(stamp) if stamp else None
    if parts is None and reported_at is not None:
        parts = reported_at.month, reported_at.day, reported_at.year, None
    if parts is None and glued:
        parts = _date_parts(glued)
    if parts:
        month, day, year, weekday = parts
        if year is None:
            context = [
                d for d in (
                    _safe_date(m.year, m.month, m.day or 1) for m in find_dates(text) if m.year and m.month
                ) if d
            ]
            year = infer_year(month, day, weekday, context, today)
            year_inferred = True
        published = _safe_date(year, month, day)
    return PageLayout(title, source, date_line, published, year_inferred, prose, headline, reported_at)


__all__ = ["DATELINE", "MONTHS", "TIMESTAMP", "WEEKDAYS", "PageLayout", "Paragraph", "dateline_length",
           "is_prose", "paragraphs", "read_layout"]
