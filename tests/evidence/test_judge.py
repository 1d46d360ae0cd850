"""The local judge on hand-written pairs: each cue, and the hard negatives it must not fire on."""
import pytest

from evidence.judge import CueJudge, judge_texts, refutation_kind

CASES = [
    # (claim, evidence, stance, kind)
    ("Russia has begun to withdraw its troops from the borders of Ukraine",
     "At the same time, we have not seen any withdrawal of Russian forces.", "refutes", "polarity"),
    ("Russia has begun to withdraw its troops from the borders of Ukraine",
     "It remains to be seen whether there is a Russian withdrawal.", "neutral", None),
    ("About 12,000 soldiers took part in the drills near Velna.",
     "Some 8,000 soldiers took part in the drills near Velna.", "refutes", "numeric"),
    ("About 12,000 soldiers took part in the drills near Velna.",
     "Some 40,000 soldiers are stationed along the northern border.", "neutral", None),
    ("The Tarsk bridge collapsed on March 3.", "The Tarsk bridge collapsed on March 5.", "refutes", "date"),
    ("Unemployment in Valdia rose in February.", "Unemployment in Valdia fell in February.", "refutes", "antonym"),
    ("Energy Minister Lena Orsk resigned on Tuesday.", "A ministry spokesman denied that Orsk had resigned.",
     "refutes", "denial"),
    ("The port of Kaldera has been closed since January.", "The port of Kaldera reopened on Thursday.", "neutral", None),
    ("The museum has been closed since May.", "The museum opened on Friday.", "neutral", None),
    ("The central bank raised its key rate to 6 percent on Wednesday.",
     "On Wednesday the central bank lifted its benchmark rate to 6 percent.", "supports", None),
    ("So far, there is no de-escalation.", "We have not seen any de-escalation on the ground.", "supports", None),
    ("The river flooded the town centre on Monday.", "Floodwater from the river covered the town centre on Monday.",
     "supports", None),
    ("The central bank raised its key rate to 6 percent.", "The mayor opened a new bridge in Tarsk.", "neutral", None),
    # negation on the noun a participle clause hangs from, or on a shared subject
    ("Soldiers are leaving the border area.", "There are no soldiers leaving the border area.", "refutes", "polarity"),
    ("Workers are repairing the Tarsk bridge.", "Nobody is on the roof and is repairing the Tarsk bridge.", "refutes",
     "polarity"),
    ("The Velna bridge opened in 1998.", "The Velna bridge opened in 2004.", "refutes", "date"),
    ("The Velna bridge opened in 1998.", "The Velna bridge, built by a firm founded in 1921, opened in 1998.",
     "supports", None),
]


@pytest.mark.parametrize("claim,evidence,stance,kind", CASES)
def test_pair(claim, evidence, stance, kind):
    j = judge_texts(claim, evidence)
    assert (j.stance, j.kind) == (stance, kind), j.rationale
    assert 0.0 <= j.score <= 1.0 and j.rationale


def test_rationale_cites_the_evidence_span():
    j = judge_texts(CASES[0][0], CASES[0][1])
    assert "we have not seen any withdrawal of Russian forces" in j.rationale


def test_batch_judge_matches_single_pairs():
    pairs = [(c, e) for c, e, _, _ in CASES]
    batch = CueJudge().judge(pairs)
    assert [j.stance for j in batch] == [s for _, _, s, _ in CASES]


def test_another_party_doing_it_is_no_polarity_conflict():
    judgement = judge_texts("NATO has no plans to send troops into Velna.",
                            "The pipeline was put on ice after Marden sends troops to Velna.")
    assert (judgement.stance, judgement.cue) == ("neutral", "other party")


def test_an_observer_is_no_party_to_what_it_does_not_see():
    judgement = judge_texts("NATO has not seen any withdrawal of Marden forces.",
                            "Marden has begun to withdraw its troops from the border.")
    assert (judgement.stance, judgement.kind) == ("refutes", "polarity")


def test_a_refutation_is_typed_only_between_clauses_about_one_thing():
    # the model may call these refutes; opposite polarity on unrelated arguments is no typed conflict
    assert refutation_kind("Velna ends its twinning agreement with Marden.",
                           "Peace talks ended with no breakthrough as shelling continues.") is None
    typed = refutation_kind("Marden units are withdrawing from the capital.",
                            "Marden units are not withdrawing, but repositioning, the alliance says.")
    assert typed is not None and typed.kind == "polarity"


def test_figures_of_two_things_type_no_refutation():
    assert refutation_kind("The coalition currently includes 84 countries and 13 organisations.",
                           "Flight bans hit airlines from 36 countries, the aviation authority said.") is None
    typed = refutation_kind("Turnout in Sunday's election reached 61 percent.",
                            "Only 38 percent of Velorian voters took part in Sunday's election.")
    assert typed is not None and typed.kind == "numeric"


def test_who_did_it_is_left_to_the_accounts_of_one_event():
    # the cue analysis reads two parties for one strike; typing that is verdicts/accounts.py's job
    assert judge_texts("Ukrainians hit the railway station in Kramatorsk.",
                       "Two Russian missiles hit the railway station in Kramatorsk.").kind == "agent"
    assert refutation_kind("Ukrainians hit the railway station in Kramatorsk.",
                           "Two Russian missiles hit the railway station in Kramatorsk.") is None


def test_a_no_beside_the_clause_does_not_negate_its_event():
    # "no breakthrough" is a loose noun phrase (npadvmod) of "ended", not a negated ending
    assert refutation_kind("The port stays closed until the invasion ends.",
                           "Peace talks ended between Velna and Marden, no breakthrough as shelling continues.") is None
    assert refutation_kind("Marden sent troops to the border.", "Marden sent no troops to the border.").kind == "polarity"


def test_a_year_naming_a_thing_is_not_the_events_date():
    assert refutation_kind("On 16 February 2022 the troops violated the ceasefire once.",
                           "The 2015 ceasefire deal between Velna and Marden offers a path to peace.") is None
    assert refutation_kind("The Velna bridge opened in 1998.", "The Velna bridge opened in 2004.").kind == "date"
