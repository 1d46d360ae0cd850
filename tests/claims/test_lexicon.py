"""Numbers as people write them (claims/lexicon.py): values, percentages, bounds and estimates."""
import pytest

from claims.lexicon import find_numbers, number_value


@pytest.mark.parametrize("text,value", [
    ("three", 3), ("Five", 5), ("twenty-five", 25), ("a dozen", 12), ("two hundred thousand", 200_000),
    ("12,000", 12_000), ("12 000", 12_000), ("1.5 million", 1_500_000), ("a million", 1_000_000),
    ("61 percent", 61), ("61%", 61), ("3.5 per cent", 3.5), ("about 12,000", 12_000),
])
def test_values(text, value):
    assert number_value(text) == pytest.approx(value)


def test_percent_bounds_and_estimates():
    pct, = find_numbers("Turnout reached 61 percent")
    assert pct.percent and pct.value == 61
    about, = find_numbers("about 12,000 soldiers")
    assert about.overlaps(find_numbers("11,500 soldiers")[0])  # 10% either way
    assert not find_numbers("12,000 soldiers")[0].overlaps(find_numbers("11,500 soldiers")[0])
    more, = find_numbers("more than 23 million sales")
    assert more.overlaps(find_numbers("23.5 million")[0]) and not more.overlaps(find_numbers("20 million")[0])


def test_years_times_dates_and_pronoun_one_are_not_figures():
    assert [n.value for n in find_numbers("in 2022 100 people")] == [100]
    assert [n.value for n in find_numbers("As of 20:50, 11 people were killed")] == [11]
    assert [n.value for n in find_numbers("27.06.22 21:56 - 3 killed")] == [3]
    assert find_numbers("one of the largest plants") == []
    assert [n.value for n in find_numbers("won 14 of the country's 20 councils")] == [14, 20]
    text = "On March 3 three people died"
    assert [n.value for n in find_numbers(text, skip=[(3, 10)])] == [3]
