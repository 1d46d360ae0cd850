"""Reading the layout of a raw page dump: which lines are navigation, date, section, title,
wire dateline or source line, and which paragraphs are prose that may hold claims.

The same rules serve ingestion (title, date, outlet) and extraction (which text may become claims),
so boilerplate never becomes a claim."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest.dates import MONTHS, WEEKDAYS, _safe_date, find_dates, infer_year

# "OTTAWA, January 17. /TASS/. " | "PORT ALDER, March 3 (Harbour Post) - " | "KYIV, 3 March 2026 (Wire) —"
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'\-]{1,40}),\s+(?P<date>[A-Z][a-z]+\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]+)(?:,?\s+(?:19|20)\d\d)?"
    r"\s*[.,]?\s*(?:/(?P<wire>[^/\n]{2,40})/\.?|\((?P<paren>[^)\n]{2,40})\))?\s*[-\u2013\u2014:]?\s*"
)
SOURCE_LINE = re.compile(r"^\s*(?:Source|Sources|Via)\s*:\s*(?P<source>.{2,60}?)\s*$", re.I)
_PROSE_END = re.compile(r"[.!?\"'\u201d\u2019\u00bb)]\s*$")
_DATE_LINE = re.compile(
    r"^\s*(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?:\d{1,2}\s+[A-Za-z]+\.?|[A-Za-z]+\.?\s+\d{1,2})(?:,?\s+(?:19|20)\d\d)?"
    r"(?:,?\s+\d{1,2}:\d\d(?:\s*[AP]M)?)?\s*$"
    r"|^\s*(?:19|20)\d\d-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d)?Z?)?\s*$",
    re.I,
)


@dataclass(frozen=True)
class Paragraph:
    start: int  # char offsets into the document text
    end: int
    text: str


@dataclass
class PageLayout:
    title: str | None
    source: str | None
    date_line: str | None
    published: date | None
    year_inferred: bool
    prose: list[Paragraph]  # paragraphs that may hold claims (boilerplate and headings removed)


def paragraphs(text: str) -> list[Paragraph]:
    """Blank-line separated blocks; a block of several short lines is split into lines."""
    out = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):
        block = m.group(0)
        if not block.strip():
            continue
        lead = len(block) - len(block.lstrip())
        tail = len(block.rstrip())
        out.append(Paragraph(m.start() + lead, m.start() + tail, block[lead:tail]))
    return out


def is_date_line(line: str) -> bool:
    if not _DATE_LINE.match(line):
        return False
    return any(d.month for d in find_dates(line))


def is_prose(par: Paragraph) -> bool:
    """Prose: ends like a sentence and has enough words; headings, menus, section words do not."""
    words = par.text.split()
    if len(words) < 4 or is_date_line(par.text) or SOURCE_LINE.match(par.text):
        return False
    return bool(_PROSE_END.search(par.text))


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


def read_layout(text: str, today: date) -> PageLayout:
    pars = paragraphs(text)
    title = source = date_line = None
    published: date | None = None
    year_inferred = False
    prose: list[Paragraph] = []
    parts = None
    for par in pars:
        first_line = par.text.splitlines()[0]
        src = SOURCE_LINE.match(par.text)
        if src:
            source = source or src.group("source").strip()
            continue
        if is_prose(par):
            if not prose:
                m = DATELINE.match(par.text)
                cut = dateline_length(par.text)
                if cut and m:
                    source = source or (m.group("wire") or m.group("paren") or "").strip() or None
                    if parts is None:
                        parts = _date_parts(m.group(0))
            prose.append(par)
            continue
        if prose:
            continue  # headings after the body started: not claims, not metadata
        if date_line is None and is_date_line(first_line):
            date_line = first_line.strip()
            parts = _date_parts(first_line)
        elif title is None and len(first_line.split()) >= 4:
            title = first_line.strip()
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
    return PageLayout(title, source, date_line, published, year_inferred, prose)


__all__ = ["DATELINE", "MONTHS", "WEEKDAYS", "PageLayout", "Paragraph", "dateline_length",
           "is_prose", "paragraphs", "read_layout"]
