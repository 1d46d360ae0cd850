"""The one lexicon of claimflow: word lists for attribution, polarity, modality and the judge's
alignment, and numbers as people write them ("three", "a dozen", "about 12,000", "12 000", "1.5 million",
"61 percent"). Small and readable; the trained model (evidence/cross_encoder.py) decides stances, these
lists type and explain them."""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

# Verbs that introduce what someone asserts ("X said that ...", "..., X added").
REPORTING_VERBS = frozenset("""
say state tell add claim warn note mention announce report write insist stress confirm explain
acknowledge admit argue assert reiterate emphasise emphasize declare told allege read
caution predict estimate suggest indicate testify
""".split())
# Reporting verbs whose complement the speaker says is false.
DENIAL_VERBS = frozenset("deny reject dismiss refute rebut disprove".split())
# "we have not seen X": a negated observation of X.
EVIDENTIAL_VERBS = frozenset("see observe notice detect witness record find spot register".split())
# Nouns that stand for the last speaker's words ("the message reads", "the statement said").
DOCUMENT_NOUNS = frozenset("message statement letter document report note text communique post".split())

# Nouns that name who speaks in a headline ("Polish diplomat: ...", "... - Prosecutor General's Office").
SPEAKER_NOUNS = frozenset("""
president minister ministry mayor governor official officials diplomat ambassador envoy spokesman spokeswoman
spokesperson secretary chancellor senator mp lawmaker deputy chief head commander general staff office
intelligence prosecutor police military army navy expert analyst source sources media agency service
council committee government administration department poll survey
""".split())

# Harmful acts, as lemmas: one party's doing, so two accounts that give the same one to two unrelated
# parties conflict ("Ukrainians hit the station" / "Russian missiles hit the station"). Talking,
# condemning, signing are not exclusive: "Zelensky, Guterres discuss" and "Guterres, Lavrov discuss"
# agree.
HARM = frozenset("""
strike hit shell bomb bombard attack fire shoot kill murder execute massacre destroy loot torture rape blow
explode airstrike shelling bombing killing atrocity atrocities execution murder massacre explosion blast
death dead corpse crime genocide
""".split())
NEGATION_WORDS = frozenset("not n't never no none nothing nobody neither nor without".split())
NEGATIVE_PREDICATES = frozenset("fail deny reject refuse dismiss".split())  # "failed to withdraw"

HEDGE_WORDS = frozenset("""
may might could possibly possible perhaps probably likely unlikely apparently appear appears seem seems
reportedly allegedly suggest suggests estimate estimated estimates unclear uncertain unconfirmed
""".split())
HEDGE_PHRASES = ("remains to be seen", "remain to be seen", "it is not clear", "too early to")
OPINION_WORDS = frozenset("""
should must ought believe think feel hope optimism optimistic pessimistic important mistake wrong right
good bad terrible excellent unacceptable welcome regret fear deserve need necessary
""".split())
FUTURE_MARKERS = frozenset("will shall 'll going expect expects plan plans intend intends".split())
CONDITIONAL_MARKS = frozenset("if unless provided".split())
CONCESSIVE_MARKS = frozenset("although though whereas while despite".split())

# Discourse markers stripped from the start of a claim span (the span stays an exact substring).
LEADING_CONNECTIVES = (
    "at the same time", "on the contrary", "in addition", "meanwhile", "however", "moreover",
    "furthermore", "also", "and", "but", "yet", "still", "although", "though", "whereas", "while",
)

# Verbs that carry no event of their own: the event is their complement ("begun to withdraw").
LIGHT_VERBS = frozenset("begin start continue try attempt be have do get make seem appear".split())
# Nouns through which an observation points at its event ("signs of de-escalation").
POINTER_NOUNS = frozenset("sign signs evidence indication indications trace proof".split())
# Near-synonyms that align arguments and predicates ("troops" / "forces", "raise" / "increase").
SYNONYMS = [
    {"troop", "force", "soldier", "army", "military", "serviceman"},
    {"raise", "increase", "lift", "hike", "rise", "grow", "climb", "jump", "boost"},
    {"cut", "lower", "reduce", "decrease", "fall", "drop", "decline", "slash", "sink"},
    {"say", "state", "tell", "announce"},
    {"approve", "pass", "adopt", "endorse"},
    {"kill", "die", "dead", "death"},
    {"injure", "wound", "hurt"},
    {"resign", "quit", "step"},
    {"collapse", "fall"},
    {"attack", "strike", "assault"},
    {"meeting", "talk", "summit", "session"},
    {"rate", "interest"},
    {"town", "city"},
]
# Predicates that cannot both hold of the same thing at the same time.
ANTONYMS = [
    ({"rise", "increase", "grow", "climb", "raise", "jump", "gain"}, {"fall", "decrease", "drop", "decline", "cut", "shrink", "lower", "sink"}),
    ({"open"}, {"close", "shut"}),
    ({"win"}, {"lose"}),
    ({"approve", "accept", "pass"}, {"reject", "veto", "refuse"}),
    ({"withdraw", "pull", "retreat"}, {"deploy", "advance", "reinforce"}),
    ({"lift"}, {"impose"}),
    ({"confirm"}, {"deny"}),
    ({"arrest", "detain"}, {"release", "free"}),
    ({"increase"}, {"reduce"}),
]

# --- numbers -----------------------------------------------------------------------------------
UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
SCALES = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Qualifiers that make a figure a bound or an estimate: [low, high] factors of the stated value.
LOWER_BOUNDS = ("more than", "over", "at least", "above", "in excess of", "upwards of")
UPPER_BOUNDS = ("less than", "fewer than", "under", "below", "up to", "at most", "no more than")
ESTIMATES = ("about", "around", "some", "nearly", "almost", "roughly", "approximately", "an estimated", "close to",
             "up to about")
PERCENT_WORDS = ("%", "percent", "per cent", "pct")


def _alternation(words) -> str:
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True))


_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.])|\d+(?:\.\d+)?"
_WORD = _alternation([*UNITS, *TENS, "hundred", "thousand", "dozen"])
_NUMBER_RE = re.compile(
    rf"(?<![\w.,:])(?:(?P<qual>{_alternation(LOWER_BOUNDS + UPPER_BOUNDS + ESTIMATES)})\s+)?"
    rf"(?P<num>{_DIGITS}|an?\s+dozen|(?:{_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_WORD}))*|an?(?=\s+(?:hundred|thousand|million|billion)\b))"
    rf"(?:\s+(?P<scale>{_alternation(SCALES)}))?(?P<pct>\s*%|\s+(?:percent|per\s+cent|pct)\b)?(?![\w]|[:.]\d)",
    re.I)


@dataclass(frozen=True)
class NumberMention:
    """A figure in a text: its value, its character span, whether it is a percentage, and the range
    it allows ("about 12,000": 10% either way; "more than 20": 20 and up; a plain figure: 2%)."""

    value: float
    start: int
    end: int
    percent: bool
    low: float
    high: float

    def overlaps(self, other: NumberMention) -> bool:
        return self.low <= other.high and other.low <= self.high


def _word_value(words: list[str]) -> float | None:
    total, current = 0.0, 0.0
    for w in words:
        if w in ("a", "an"):
            current = 1.0
        elif w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w == "dozen":
            current = (current or 1.0) * 12
        elif w == "hundred":
            current = (current or 1.0) * 100
        elif w in SCALES:
            total += (current or 1.0) * SCALES[w]
            current = 0.0
        elif w != "and":
            return None
    return total + current


def number_value(text: str) -> float | None:
    """The value of a figure as written: "12,000", "12 000", "1.5 million", "three", "twenty-five",
    "a dozen", "two hundred thousand"; None if it is not one."""
    m = _NUMBER_RE.fullmatch(text.strip())
    return _mention(m).value if m else None


def _mention(m: re.Match) -> NumberMention:
    raw = m.group("num").lower()
    if raw[0].isdigit():
        value = float(re.sub(r"[,\s\u00a0\u202f]", "", raw))
    else:
        value = _word_value(re.split(r"[\s-]+", raw)) or 0.0
    if m.group("scale"):
        value *= SCALES[m.group("scale").lower()]
    qual = re.sub(r"\s+", " ", (m.group("qual") or "").lower())
    low, high = value * 0.98, value * 1.02
    if qual in LOWER_BOUNDS:
        low, high = value, math.inf
    elif qual in UPPER_BOUNDS:
        low, high = 0.0, value
    elif qual in ESTIMATES:
        low, high = value * 0.9, value * 1.1
    return NumberMention(value, m.start(), m.end(), bool(m.group("pct")), low, high)


YEAR = re.compile(r"(?:1[5-9]|20)\d\d")  # a four-digit year, 1500-2099


def find_numbers(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[NumberMention]:
    """Figures in a text, in order. A four-digit year (1500-2099) without a scale or percent sign is not
    a figure, nor is anything inside a `skip` span (calendar dates); nor is a bare "one" (a pronoun
    more often than a count: "one of the largest")."""
    out = []
    for m in _NUMBER_RE.finditer(text):
        num = m.group("num")
        if any(s <= m.start("num") < e for s, e in skip):
            continue
        if YEAR.fullmatch(num) and not (m.group("scale") or m.group("pct")):
            continue
        if num.lower() in ("one", "a", "an") and not m.group("scale"):
            continue
        out.append(_mention(m))
    return out
