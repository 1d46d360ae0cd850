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
