"""Finding and resolving dates written in text ("Wednesday, 22 January", "the 26th of January",
"December 17, 2021", "yesterday", "on Sunday") against an anchor date.

Used by ingestion (a page's own date line) and by claim extraction (a claim's date)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {name: i for i, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MONTH = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

# Ordered: the first pattern that matches at a position wins.
_PATTERNS = [
    re.compile(rf"\b{_YEAR}-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(rf"\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.I),
    re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR})?", re.I),
    re.compile(rf"\b(?:in\s+)?{_MONTH}\s+{_YEAR}\b", re.I),
    re.compile(r"\b(?P<relative>yesterday|today|tomorrow|last week|this week|next week|last month|this month|next month)\b", re.I),
    re.compile(rf"\b(?P<prep>on|last|this|next)\s+{_WEEKDAY}\b", re.I),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    relative: str | None = None
    prep: str | None = None

    @property
    def is_absolute(self) -> bool:
        return self.month is not None


def find_dates(text: str) -> list[DateMention]:
    """All date expressions in ``text``, left to right, non-overlapping."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            g = m.groupdict()
            month = int(g["mnum"]) if g.get("mnum") else MONTHS.get((g.get("month") or "").lower().rstrip("."))
            day = int(g["day"]) if g.get("day") else None
            if day is not None and not 1 <= day <= 31:
                continue
            if month is None and not g.get("relative") and not g.get("weekday"):
                continue
            if g.get("relative") and _in_name(text, m.start(), m.group(0)):
                continue
            found.append(DateMention(
                start=m.start(), end=m.end(), text=m.group(0),
                year=int(g["year"]) if g.get("year") else None, month=month, day=day,
                weekday=WEEKDAYS[g["weekday"].lower()] if g.get("weekday") else None,
                relative=g["relative"].lower() if g.get("relative") else None,
                prep=g["prep"].lower() if g.get("prep") else None,
            ))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


_NAME_BEFORE = re.compile(r"\b[A-Z][\w&'-]*\s+$")


def _in_name(text: str, start: int, word: str) -> bool:
    """A capitalised "Today" right after a capitalised word is part of a name ("Russia Today", "USA
    Today"), not a date; at the start of a sentence or a headline it is the word."""
    return word[:1].isupper() and bool(_NAME_BEFORE.search(text[max(0, start - 40):start]))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve(mention: DateMention, anchor: date | None, *, prefer_past: bool = True) -> date | None:
    """The calendar date a mention refers to, read against ``anchor`` (the document's date).

    A day and month without a year take the anchor's year. Weekdays ("on Sunday") resolve to the
    nearest such day up to the anchor: the anchor itself when it is that weekday ("last Sunday": the
    week before), or the next one when ``prefer_past`` is false. Month-only mentions resolve to the
    first of the month. Returns None when nothing can be fixed."""
    if mention.month is not None:
        year = mention.year or (anchor.year if anchor else None)
        if year is None:
            return None
        return _safe_date(year, mention.month, mention.day or 1)
    if anchor is None:
        return None
    if mention.relative:
        offsets = {"yesterday": -1, "today": 0, "tomorrow": 1}
        if mention.relative in offsets:
            return anchor + timedelta(days=offsets[mention.relative])
        unit_start = {"week": anchor - timedelta(days=anchor.weekday()), "month": anchor.replace(day=1)}
        which, unit = mention.relative.split()
        start = unit_start[unit]
        if which == "this":
            return start
        if unit == "week":
            return start + timedelta(days=-7 if which == "last" else 7)
        month = start.month + (-1 if which == "last" else 1)
        year = start.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1)
    if mention.weekday is not None:
        delta = (anchor.weekday() - mention.weekday) % 7
        if mention.prep == "next" or (not prefer_past and mention.prep != "last"):
            ahead = (mention.weekday - anchor.weekday()) % 7 or 7
            return anchor + timedelta(days=ahead)
        # "on Wednesday" in a Wednesday article is that day (news style names the weekday even for
        # the same day); "last Wednesday" is the week before.
        return anchor - timedelta(days=(delta or 7) if mention.prep == "last" else delta)
    return None


def infer_year(month: int, day: int, weekday: int | None, context_years: list[date], today: date) -> int:
    """The year of a date written without one (a page's "Wednesday, 22 January").

    With a weekday: the latest year not after ``today`` (or the context) in which that day falls on
    that weekday. Without one: the first year at or after the latest fully dated mention in the text
    that keeps the date after it; else the current year (the previous one if it would be in the future)."""
    if context_years:
        latest = max(context_years)
        year = latest.year
        while (_safe_date(year, month, day) or date(year, month, 28)) < latest:
            year += 1
        if weekday is None:
            return year
        for candidate in (year, year + 1, year - 1):
            d = _safe_date(candidate, month, day)
            if d and d.weekday() == weekday:
                return candidate
        return year
    year = today.year
    if weekday is not None:
        for candidate in range(year, year - 12, -1):
            d = _safe_date(candidate, month, day)
            if d and d.weekday() == weekday and d <= today:
                return candidate
    d = _safe_date(year, month, day)
    return year if d is None or d <= today else year - 1


def format_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _edits(dates: Sequence[tuple[DateMention, date | None]]) -> list[tuple[int, int, str]]:
    """(start, end, new phrase) for each resolved mention that lacks a year or a month written out in
    full, in text order."""
    out = []
    for mention, resolved in dates:
        if resolved is None or (mention.year and mention.month):
            continue
        if mention.relative in ("this week", "last week", "next week"):
            phrase = f"in the week of {format_date(resolved)}"
        elif mention.relative or mention.prep:
            phrase = f"on {format_date(resolved)}"
        else:
            phrase = format_date(resolved)
        out.append((mention.start, mention.end, phrase))
    return sorted(out)


def rewrite_dates(text: str, dates: Sequence[tuple[DateMention, date | None]]) -> str:
    """``text`` with each resolved mention that lacks a year or a month written out in full
    ("on Wednesday" -> "on 4 March 2026", "March 2" -> "2 March 2026", "last week" -> "in the week
    of 23 February 2026"); mentions that could not be resolved stay as written."""
    out = text
    for start, end, phrase in reversed(_edits(dates)):
        out = out[:start] + phrase + out[end:]
    return out


def absolute_dates(text: str, anchor: date | None) -> str:
    """``text`` read on ``anchor`` (its document's date) with its dates made absolute, as claim
    statements are: the judge then compares "on Wednesday" in a 4 March article with "on 4 March"."""
    if anchor is None:
        return text
    out = rewrite_dates(text, _resolved(text, anchor))
    return out[:1].upper() + out[1:] if text[:1].isupper() else out


def _resolved(text: str, anchor: date) -> list[tuple[DateMention, date | None]]:
    return [(m, resolve(m, anchor)) for m in find_dates(text)]


def original_offsets(text: str, anchor: date | None, start: int, end: int) -> tuple[int, int]:
    """Offsets [start, end) in ``absolute_dates(text, anchor)`` mapped back to ``text``; a rewritten
    date that the stretch touches is taken whole ("on 4 March 2026 the bank" -> "On Wednesday the bank")."""
    if anchor is None:
        return start, end
    edits = _edits(_resolved(text, anchor))

    def back(pos: int, is_end: bool) -> int:
        shift = 0
        for s, e, phrase in edits:
            new_start, new_end = s + shift, s + shift + len(phrase)
            if (pos <= new_start) if is_end else (pos < new_start):
                break
            if (pos <= new_end) if is_end else (pos < new_end):
                return e if is_end else s
            shift += len(phrase) - (e - s)
        return pos - shift

    return back(start, False), back(end, True)
