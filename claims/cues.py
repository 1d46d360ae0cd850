"""Word lists for attribution, polarity and modality. Small, readable, and shared by the judge."""
from __future__ import annotations

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
