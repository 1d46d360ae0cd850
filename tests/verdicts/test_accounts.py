"""Accounts of one event by different voices: who did it, whether it happened (verdicts/accounts.py).
Shapes written for the rules, with the real spaCy parse."""
from datetime import datetime

from claims.models import Claim
from verdicts.accounts import account_conflicts

DAY = datetime(2022, 4, 8, 12, 0)


def _claim(cid, doc, text, speaker=None, polarity="positive"):
    return Claim(claim_id=cid, doc_id=doc, text=text, statement=text, speaker=speaker, char_start=0,
                 char_end=len(text), sentence_start=0, sentence_end=len(text), polarity=polarity,
                 modality="asserted", checkworthiness=0.9, checkworthy=True, extractor="t")


def _run(*claims, times=None):
    sources = {c.doc_id: f"outlet-{c.doc_id}" for c in claims}
    times = times or {c.doc_id: DAY for c in claims}
    return account_conflicts(list(claims), sources, times)


def test_the_same_strike_given_to_two_parties_is_an_agent_conflict():
    found = _run(_claim("a", "d1", "Ukrainians hit the railway station in Kramatorsk."),
                 _claim("b", "d2", "Two Russian missiles hit the railway station in Kramatorsk."))
    assert [(x.kind, {x.claim_id_a, x.claim_id_b}) for x in found] == [("agent", {"a", "b"})]
    assert "Ukrainians" in found[0].explanation and "Russian" in found[0].explanation


def test_one_side_named_twice_is_no_conflict():
    assert _run(_claim("a", "d1", "Russian forces shelled the railway station in Kramatorsk."),
                _claim("b", "d2", "A Russian missile hit the railway station in Kramatorsk.")) == []


def test_a_denial_against_the_act_is_a_denial_conflict():
    found = _run(_claim("a", "d1", "Russia denies killing civilians in Bucha.", speaker="Russia", polarity="negative"),
                 _claim("b", "d2", "Russian soldiers killed civilians in Bucha."))
    assert [x.kind for x in found] == ["denial"]


def test_calling_the_event_fake_conflicts_with_reporting_it():
    found = _run(_claim("a", "d1", "The footage from Bucha is a fake.", speaker="Kremlin"),
                 _claim("b", "d2", "Russian troops killed dozens of civilians in Bucha."))
    assert [x.kind for x in found] == ["polarity"] and "fabricated" in found[0].explanation


def test_other_places_other_weeks_and_one_voice_tell_accounts_apart():
    a = _claim("a", "d1", "Ukrainians hit the railway station in Kramatorsk.")
    assert _run(a, _claim("b", "d2", "Two Russian missiles hit the railway station in Chaplyne.")) == []
    later = {"d1": DAY, "d2": datetime(2022, 5, 20)}
    assert _run(a, _claim("b", "d2", "Two Russian missiles hit the railway station in Kramatorsk."), times=later) == []
    same = _claim("b", "d1", "Two Russian missiles hit the railway station in Kramatorsk.")
    assert _run(a, same) == []  # one document, one voice


def test_transliterations_of_a_place_are_one_place():
    from verdicts.accounts import place_key

    for a, b in [("Olenivka", "Yelenovka"), ("Kremenchuk", "Kremenchug"), ("Kharkiv", "Kharkov"), ("Kyiv", "Kiev")]:
        assert place_key(a) == place_key(b), (a, b)
    assert place_key("Kyiv") != place_key("Kovel") and place_key("Bucha") != place_key("Irpin")
    found = _run(_claim("a", "d1", "Ukrainian artillery struck the prison in Yelenovka."),
                 _claim("b", "d2", "Russian forces blew up the prison in Olenivka."))
    assert [x.kind for x in found] == ["agent"]


def test_a_sham_of_something_else_or_a_feared_provocation_is_no_fabrication():
    report = _claim("r", "d0", "Russian troops shelled the nuclear power plant in Enerhodar.")
    for text in ("Russia is holding fake referendums in Enerhodar.",
                 "The Kremlin fears a Ukrainian provocation at the nuclear plant in Enerhodar.",
                 "The occupiers may stage terrorist acts in Enerhodar."):
        assert _run(report, _claim("f", "d1", text, speaker="Kremlin")) == [], text


def test_staged_killings_contradict_the_killings_but_not_another_act():
    staged = _claim("f", "d1", "The killings in Bucha were staged by the West.", speaker="Kremlin")
    assert [x.kind for x in _run(staged, _claim("k", "d2", "Russian soldiers killed civilians in Bucha."))] == ["polarity"]
    assert _run(staged, _claim("h", "d2", "Ukrainian gunners destroyed a Russian helicopter near Bucha.")) == []


def test_opened_fire_and_blamed_on_name_who_did_it():
    found = _run(_claim("a", "d1", "Russian troops opened fire on the nuclear plant in Enerhodar."),
                 _claim("b", "d2", "Russia blames the attack on the nuclear plant in Enerhodar on Ukrainian saboteurs.",
                        speaker="Russia"))
    assert [x.kind for x in found] == ["agent"]


def test_two_names_for_one_side_are_no_agent_conflict_when_the_batch_shows_their_enemy():
    # "Ruscists" and "Russians" both strike Ukrainians and never each other: one side, two names.
    found = _run(_claim("a", "d1", "The Ruscists shelled a Ukrainian village near Orikhiv."),
                 _claim("b", "d2", "The Russians shelled the village near Orikhiv."),
                 _claim("c", "d3", "Russians shelled Ukrainian positions near Huliaipole."))
    assert [x for x in found if x.kind == "agent"] == []
