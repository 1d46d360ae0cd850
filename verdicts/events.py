"""Whether two accounts that the judge finds in conflict are about the same event at the same time.

The judge compares two sentences; it cannot know that "eliminated 57 invaders on October 29" is a
day's figure and "about 71,200 since February 24" a running total, that "as of 19:30, 10 people were
killed" and "as of 20:50, 11 people were killed" are one toll counted twice, or that Donetsk region's
toll is not the country's. These rules, applied to every typed refutation, decide:

- `different`: not the same event or not the same time frame (a day against a running total, two
  different days, two places or parties with nothing in common): no contradiction at all;
- `change`: the same count reported later and higher (an "as of" update, a toll that rose): a change
  over time, recorded for analysts, never a contradiction;
- `conflict`: the contradiction stands.

Bounds ("at least 20", "more than 500") are compatible with larger figures already in the figure
comparison (claims.lexicon.find_numbers gives their ranges)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from ingest.dates import find_dates, resolve

Relation = Literal["conflict", "change", "different"]

_DAY_FRAME = re.compile(
    r"\b(?:(?:in|over|during|for) the (?:past|last|previous) (?:day|24 hours|night)|last (?:day|night)|yesterday|"
    r"overnight|per day|a day|in a day|past day|on the night of)\b", re.I)
_TOTAL_FRAME = re.compile(
    r"\b(?:since (?:the (?:start|beginning|outbreak)|february 24|24 february|the full-scale|the invasion|the war)|"
    r"in total|so far|to date|overall|total(?:ling|led)?|altogether|cumulative)\b", re.I)
_AS_OF = re.compile(r"\bas of\s+(?:(?P<h>[0-2]?\d)[:.](?P<m>[0-5]\d)(?:\s*(?P<ampm>[ap]\.?m\.?))?)?", re.I)
_UPDATE = re.compile(r"\b(?:as of|rose|risen|rises|climbed|climbs|increased|has reached|now stands|updated)\b", re.I)
_NOT_YET = re.compile(r"\b(?:not|no|n't|none)\b[^.;:]*\byet\b|\byet to\b|\bso far\b[^.;:]*\b(?:not|no)\b", re.I)
_AS_OF_DATE = re.compile(r"\bas of\b[^.;]{0,30}?\b(?:\d{1,2}\s+[A-Z][a-z]+|[A-Z][a-z]+\s+\d{1,2})\b")
UPDATE_DAYS = 3  # a higher count reported within this many days of a lower one is the same toll, updated
# Figures and dates reported more than this many days apart are a running story's reports (daily
# bulletins, tolls as of different days), not two accounts of one fact. In a random sample of 40
# contradictions recorded over the RUWA gold's three events before this rule, all 15 numeric and date
# conflicts between claims were of this kind or of two different events (bench/ruwa_gold.py). A date
# conflict between two claims without figures ("the bridge collapsed on March 3" / "on March 5") stands.
REPORT_DAYS = 1


@dataclass(frozen=True)
class Account:
    """One side of a judged conflict: its text (as the judge read it), when it was reported, the
    names it mentions (places, parties, people), its figures."""

    text: str
    reported: datetime | None
    names: frozenset[str] = frozenset()
    figures: tuple[float, ...] = ()


def midnight(moment: datetime) -> bool:
    return moment.time() == time()


def frame(text: str) -> Literal["day", "total"] | None:
    """The time frame a count is given in: one day, a running total, or not said."""
    day, total = bool(_DAY_FRAME.search(text)), bool(_TOTAL_FRAME.search(text))
    return "day" if day and not total else "total" if total and not day else None


def reported_at(text: str, published: datetime | None) -> datetime | None:
    """When a statement was made: an "as of 19:30" in the text on the document's day, else the document's time."""
    m = _AS_OF.search(text)
    if m and m.group("h") and published is not None:
        hour = int(m.group("h")) % 24
        if (m.group("ampm") or "").lower().startswith("p") and hour < 12:
            hour += 12
        return datetime.combine(published.date(), time(hour, int(m.group("m"))))
    return published


def event_days(text: str, anchor: date | None) -> set[date]:
    """The calendar days a statement names (day-precise dates only)."""
    return {d for m in find_dates(text) if m.day or m.relative in ("yesterday", "today") or m.weekday is not None
            for d in [resolve(m, anchor)] if d is not None}


def _key(name: str) -> str:
    name = re.sub(r"['\u2019]s$", "", name.lower()).strip()
    return name[:5]  # "Russia" / "Russian", "Ukraine" / "Ukrainian", "Kremenchuk" / "Kremenchug"


def share_a_name(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two sets of names share one, read loosely (adjective and country, transliterations that agree
    on their first letters), or either set is empty (nothing to tell them apart)."""
    if not a or not b:
        return True
    ka = {_key(w) for n in a for w in n.split() if w[:1].isupper()}
    kb = {_key(w) for n in b for w in n.split() if w[:1].isupper()}
    return bool(ka & kb) or not ka or not kb


def relate(kind: str, a: Account, b: Account) -> tuple[Relation, str | None]:
    """How two accounts in a typed conflict (`kind`: numeric, date, polarity, denial, antonym) relate,
    with the reason when they are not a contradiction."""
    anchor_a = a.reported.date() if a.reported else None
    anchor_b = b.reported.date() if b.reported else None
    days_a, days_b = event_days(a.text, anchor_a), event_days(b.text, anchor_b)
    if kind != "date" and days_a and days_b and not days_a & days_b:
        return "different", (f"different days ({min(days_a).isoformat()} and {min(days_b).isoformat()}): "
                             "two events, not two accounts of one")
    bulletins = _bulletins(a, b, days_a, days_b) if kind in ("date", "numeric") else None
    if kind == "polarity":
        change = _not_yet(a, b)
        if change:
            return "change", change
    if kind == "date" and bulletins:
        return "different", bulletins
    if kind == "date" and (_AS_OF_DATE.search(a.text) or _AS_OF_DATE.search(b.text)):
        return "different", "an 'as of' date says when a report stands, not when an event happened: two reports"
    if kind == "date":  # two dates for a one-off event stand ("the bridge collapsed on March 3 / 5");
        return _far_apart(a, b) if a.figures or b.figures else ("conflict", None)  # counts are bulletins
    if kind not in ("numeric", "antonym"):  # a speaker's name is no event: "Kremlin denies" / "Russia did"
        return "conflict", None
    if not share_a_name(a.names, b.names):  # a region's toll, a city's; "aid to Ukraine" / "Yemen aid cuts"
        return "different", "nothing in common among the places and parties they name: two events"
    if kind == "antonym":
        return "conflict", None
    fa, fb = frame(a.text), frame(b.text)
    if fa and fb and fa != fb:
        return "different", f"a {'day' if fa == 'day' else 'running total'} against a " \
                            f"{'day' if fb == 'day' else 'running total'}: different time frames"
    if a.figures and b.figures and a.reported and b.reported:
        # A date without a time of day (midnight) orders reports by day only.
        by_day = midnight(a.reported) or midnight(b.reported)
        when = (lambda x: datetime.combine(x.reported.date(), time())) if by_day else (lambda x: x.reported)
        first, later = sorted((a, b), key=lambda x: (when(x), max(x.figures)))
        gap = when(later) - when(first)
        updated = bool(_UPDATE.search(first.text) or _UPDATE.search(later.text))
        if max(later.figures) >= max(first.figures) and (
                timedelta(0) < gap <= timedelta(days=UPDATE_DAYS) or (gap == timedelta(0) and updated)):
            return "change", (f"the same count reported later and higher ({max(first.figures):g} as of "
                              f"{first.reported:%Y-%m-%d %H:%M}, {max(later.figures):g} as of "
                              f"{later.reported:%Y-%m-%d %H:%M}): a change over time")
    return ("different", bulletins) if bulletins else _far_apart(a, b)


def _not_yet(a: Account, b: Account) -> str | None:
    """Why "not yet" on one day and the thing done on a later day are a change over time, or None:
    "no martial law yet" (23 February) then "martial law is imposed" (24 February). Said the same day
    or after the other account ("no withdrawal yet" against "troops pulled back"), it stands."""
    for before, after in ((a, b), (b, a)):
        if (_NOT_YET.search(before.text) and not _NOT_YET.search(after.text) and before.reported and after.reported
                and before.reported.date() < after.reported.date()):
            return (f"not yet as of {before.reported:%Y-%m-%d}, then so on {after.reported:%Y-%m-%d}: "
                    "a change over time")
    return None


def _bulletins(a: Account, b: Account, days_a: set[date], days_b: set[date]) -> str | None:
    """Why two reports made on different days are each about their own day, or None: a figure "over
    the past day" is that day's, and a count that names only its report's day or the day before
    ("three violations on February 8", published on the 8th or 9th) is that day's bulletin. Two days'
    bulletins are two events, whatever their figures or dates. (A one-off event dated the day before
    each report, "the bridge collapsed on March 3" / "on March 5", has no figures and stays.)"""
    if not (a.reported and b.reported) or a.reported.date() == b.reported.date():
        return None
    if "day" in (frame(a.text), frame(b.text)):
        return "a day's figure against a report of another day: two days, not two accounts of one"

    def own_day(days: set[date], reported: datetime) -> bool:
        return bool(days) and all(0 <= (reported.date() - d).days <= 1 for d in days)

    if (a.figures or b.figures) and own_day(days_a, a.reported) and own_day(days_b, b.reported):
        return "each reports on its own day: two days' bulletins, not two accounts of one event"
    return None


def _far_apart(a: Account, b: Account) -> tuple[Relation, str | None]:
    """Figures or dates reported more than REPORT_DAYS apart are two reports, not one fact told twice."""
    days = abs((a.reported.date() - b.reported.date()).days) if a.reported and b.reported else 0
    if days > REPORT_DAYS:
        return "different", f"reported {days} days apart: two reports of a running story, not two accounts of one fact"
    return "conflict", None
