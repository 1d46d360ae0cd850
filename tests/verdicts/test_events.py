"""Event identity and time (verdicts/events.py): which typed conflicts are contradictions, which are a
count updated over time, and which compare two different events or time frames."""
from datetime import datetime

import pytest

from verdicts.events import Account, frame, relate, reported_at

MORNING = datetime(2026, 3, 5)


def _account(text, reported=MORNING, names=("Tarsk",), figures=()):
    return Account(text=text, reported=reported, names=frozenset(names), figures=tuple(figures))


def test_a_later_as_of_count_is_a_change_over_time():
    a = _account("As of 19:30, 10 people were killed in the fire", reported_at("As of 19:30, 10 people", MORNING),
                 figures=[10])
    b = _account("As of 20:50, 11 people were killed in the fire", reported_at("As of 20:50, 11 people", MORNING),
                 figures=[11])
    relation, why = relate("numeric", a, b)
    assert relation == "change" and "10 as of 2026-03-05 19:30" in why and "11 as of 2026-03-05 20:50" in why


def test_a_days_figure_against_a_running_total_is_no_contradiction():
    day = _account("Over the past day the army destroyed 57 armoured vehicles", figures=[57])
    total = _account("The army has destroyed about 2,100 armoured vehicles since February 24", figures=[2100])
    assert frame(day.text) == "day" and frame(total.text) == "total"
    assert relate("numeric", day, total)[0] == "different"


def test_two_places_or_two_days_are_two_events():
    tarsk = _account("Three people were killed in Tarsk on 4 March 2026", names=["Tarsk"], figures=[3])
    velna = _account("Seven people were killed in Velna on 4 March 2026", names=["Velna"], figures=[7])
    assert relate("numeric", tarsk, velna)[0] == "different"
    monday = _account("The bridge at Tarsk was closed on 2 March 2026")  # two days, one place
    friday = _account("The bridge at Tarsk was not closed on 6 March 2026")
    assert relate("polarity", monday, friday)[0] == "different"


@pytest.mark.parametrize("kind,a,b", [
    ("numeric", _account("About 300 people died in the theatre", datetime(2026, 3, 25), figures=[300]),
     _account("About 600 people died in the theatre", datetime(2026, 3, 25), figures=[600])),  # the same day
    ("numeric", _account("Twelve soldiers took part in the drill", figures=[12]),
     _account("Eight soldiers took part in the drill", figures=[8])),  # the same time, two figures
    ("polarity", _account("Varnia has begun to withdraw its troops", names=["Varnia"]),
     _account("We have not seen any withdrawal of Varnian forces", names=["Varnian"])),
])
def test_accounts_of_one_event_that_cannot_both_hold_stay_a_contradiction(kind, a, b):
    assert relate(kind, a, b) == ("conflict", None)


def test_figures_and_dates_reported_days_apart_are_two_reports():
    # Daily bulletins and as-of tolls of different days, the commonest false contradiction on real news.
    # (The price: a toll revised weeks later by an independent count, 300 then 600, is read the same way.)
    a = _account("On July 18, a civilian was killed", datetime(2026, 7, 18), figures=[1])
    b = _account("On July 20, Russian troops killed one civilian", datetime(2026, 7, 20), figures=[1])
    assert relate("date", a, b)[0] == "different"
    bridge = _account("The bridge collapsed on March 3", datetime(2026, 3, 4))  # a one-off event, two dates
    assert relate("date", bridge, _account("The bridge collapsed on March 5", datetime(2026, 3, 6)))[0] == "conflict"
    early = _account("About 300 people died in the theatre", datetime(2026, 3, 25), figures=[300])
    late = _account("About 600 people died in the theatre", datetime(2026, 5, 4), figures=[600])
    relation, why = relate("numeric", early, late)
    assert relation == "different" and "40 days apart" in why


def test_a_date_without_a_time_of_day_does_not_order_two_reports_of_that_day():
    dated = _account("Some 8,000 soldiers took part in the drills", datetime(2026, 3, 3), figures=[8000])
    timed = _account("Around 12,000 soldiers took part in the drills", datetime(2026, 3, 3, 11), figures=[12000])
    assert relate("numeric", dated, timed)[0] == "conflict"


def test_two_days_bulletins_are_two_events():
    # Censor.NET's daily ceasefire reports, published a day apart: one day's count is not another's.
    feb8 = _account("Over the past day, 8 February 2026, the troops violated the ceasefire three times",
                    datetime(2026, 2, 8, 7, 10), figures=[3])
    feb9 = _account("Over the past day, 9 February 2026, the troops violated the ceasefire once",
                    datetime(2026, 2, 9, 7, 5), figures=[1])
    for kind in ("date", "numeric"):
        relation, why = relate(kind, feb8, feb9)
        assert relation == "different" and "day" in why
    headline = _account("Troops violate ceasefire six times", datetime(2026, 2, 14, 7, 17), figures=[6])
    next_day = _account("Over the past day the troops violated the ceasefire five times", datetime(2026, 2, 15, 7, 16),
                        figures=[5])
    assert relate("numeric", headline, next_day)[0] == "different"
    # counts naming only their own day, a day apart, without "over the past day"
    a = _account("On 8 February 2026 the troops violated the ceasefire three times", datetime(2026, 2, 8), figures=[3])
    b = _account("On 9 February 2026 the troops violated the ceasefire once", datetime(2026, 2, 9), figures=[1])
    assert relate("date", a, b) == ("different", "each reports on its own day: two days' bulletins, not two "
                                                 "accounts of one event")
    # the same day's two counts still conflict
    same_day = _account("Over the past day the troops violated the ceasefire five times", datetime(2026, 2, 14, 9),
                        figures=[5])
    assert relate("numeric", headline, same_day) == ("conflict", None)


def test_opposite_predicates_about_two_places_are_two_things():
    more = _account("The administration is working to increase aid to Ukraine", names=["Ukraine"])
    less = _account("Yemen aid cuts to deepen as funds dry up", names=["Yemen"])
    assert relate("antonym", more, less)[0] == "different"
    assert relate("antonym", more, _account("Aid to Ukraine cut", names=["Ukraine"])) == ("conflict", None)


def test_not_yet_then_done_a_day_later_is_a_change_over_time():
    before = _account("Velna to impose state of emergency but no martial law yet", datetime(2026, 2, 23),
                      names=["Velna"])
    after = _account("Martial law is being imposed throughout Velna", datetime(2026, 2, 24), names=["Velna"])
    relation, why = relate("polarity", before, after)
    assert relation == "change" and "2026-02-23" in why
    # "not yet" said the same day as, or after, the other account disputes it
    same_day = _account("Martial law is being imposed throughout Velna", datetime(2026, 2, 23, 18), names=["Velna"])
    assert relate("polarity", before, same_day) == ("conflict", None)
    withdrawn = _account("Marden pulls some troops back from the border", datetime(2026, 2, 15), names=["Marden"])
    not_yet = _account("No Marden withdrawal yet, Velna's president says", datetime(2026, 2, 16), names=["Marden"])
    assert relate("polarity", withdrawn, not_yet) == ("conflict", None)


def test_as_of_dates_stamp_reports_not_events():
    a = _account("The General Staff released operational information as of 6:00 pm on April 28",
                 datetime(2026, 4, 28, 18))
    b = _account("The General Staff released operational information as of 6:00 pm on April 29",
                 datetime(2026, 4, 29, 18))
    assert relate("date", a, b)[0] == "different"
    bridge = _account("The bridge collapsed on March 3", datetime(2026, 3, 4))
    assert relate("date", bridge, _account("The bridge collapsed on March 5", datetime(2026, 3, 6)))[0] == "conflict"
