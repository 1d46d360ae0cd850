"""The cue analysis: does an evidence text support, refute, or say nothing about a claim, and why?

Both sides are parsed into clauses (evidence/clauses.py). The claim is
aligned with the evidence clause that shares its predicate and most of its arguments; the slot that
differs decides:
- same event, opposite polarity          -> refutes (polarity; denial when a "denied that" flips it)
- same event, antonym predicate          -> refutes (antonym)
- same event and quantity, other number  -> refutes (numeric)
- same event, other date                 -> refutes (date)
- same event, done by other named parties -> refutes (agent: "Ukrainians hit the station" / "Russian
  missiles hit the station")
- same event, same polarity, no conflict -> supports (paraphrase)
A difference in time ("closed since January" / "reopened on Thursday") is a change, not a conflict,
and hedged evidence ("it remains to be seen whether") decides nothing. Everything else is neutral."""
from __future__ import annotations

from dataclasses import dataclass

from claims.lexicon import HARM, LIGHT_VERBS, NumberMention
from evidence.clauses import Clause, antonyms, other_parties, parse_clauses, parse_many, related
from evidence.models import Judgement

__all__ = ["CueJudge", "JUDGE_VERSION", "judge_texts", "number_clash", "parse_many", "refutation_kind"]

JUDGE_VERSION = "local-judge/0.2"


def _overlap(a: set[str], b: set[str]) -> tuple[int, float]:
    """How many of a's words have a related word in b, and the share of the smaller side covered."""
    matched_a = {w for w in a if any(related(w, v) for v in b)}
    matched_b = {v for v in b if any(related(w, v) for w in a)}
    smaller = min(len(a), len(b)) or 1
    return len(matched_a), min(len(matched_a), len(matched_b)) / smaller


@dataclass
class Alignment:
    claim: Clause
    evidence: Clause
    predicate: str  # "same", "antonym"
    shared: int
    coverage: float


def align(claim_clauses: tuple[Clause, ...], evidence_clauses: tuple[Clause, ...]) -> Alignment | None:
    best: Alignment | None = None
    for c in claim_clauses:
        for e in evidence_clauses:
            if related(c.predicate, e.predicate):
                kind = "same"
            elif antonyms(c.predicate, e.predicate):
                kind = "antonym"
            else:
                continue
            shared, coverage = _overlap(c.words, e.words)
            if shared == 0 and (c.words or e.words):
                continue
            candidate = Alignment(c, e, kind, shared, coverage)
            if best is None or (shared, coverage) > (best.shared, best.coverage):
                best = candidate
    return best


def _lexical(claim_clauses: tuple[Clause, ...], evidence_clauses: tuple[Clause, ...]) -> Alignment | None:
    """Fallback alignment on all content words, predicate included ("floodwater covered" / "flooded")."""
    best: Alignment | None = None
    for c in claim_clauses:
        for e in evidence_clauses:
            shared, coverage = _overlap(c.words | {c.predicate}, e.words | {e.predicate})
            if best is None or (shared, coverage) > (best.shared, best.coverage):
                best = Alignment(c, e, "lexical", shared, coverage)
    return best


def _conflict(c: Clause, e: Clause, strength: float, quote: str) -> Judgement | None:
    """A number or a date that differs for the same event."""
    clash = number_clash(c.quantities, e.quantities)
    if clash is not None:
        return Judgement(stance="refutes", score=strength, kind="numeric", cue="number mismatch",
                         rationale=f"the evidence gives {clash} for the same event '{c.predicate}': {quote}")
    if c.years and e.years and not (c.years & e.years) and not (c.since or e.since):
        fmt = lambda ys: ", ".join(map(str, sorted(ys)))  # noqa: E731
        return Judgement(stance="refutes", score=strength, kind="date", cue="date mismatch",
                         rationale=f"same event '{c.predicate}' in different years ({fmt(c.years)} vs {fmt(e.years)}): {quote}")
    if c.dates and e.dates and not (c.dates & e.dates) and not (c.since or e.since):
        fmt = lambda ds: ", ".join(f"{m}/{d}" for m, d in sorted(ds))  # noqa: E731
        return Judgement(stance="refutes", score=strength, kind="date", cue="date mismatch",
                         rationale=f"same event '{c.predicate}' on different dates ({fmt(c.dates)} vs {fmt(e.dates)}): {quote}")
    return None


def _comparable(c: Clause, e: Clause) -> bool:
    """Two clauses of a pair the model says contradicts that are about one thing, so that opposite
    polarity or opposite predicates type the refutation: an event predicate (not "be" or "have"),
    the same party or no named party on one side ("NATO has no plans to send troops" / "Putin sends
    troops" is not), and at least half the arguments of the shorter clause shared ("Doncaster ends
    the twinning" / "peace talks ended" is not)."""
    return c.predicate not in LIGHT_VERBS and e.predicate not in LIGHT_VERBS and _about_one_thing(c, e)


def _about_one_thing(c: Clause, e: Clause) -> bool:
    """The same party or no named party on one side, and at least half the arguments of the
    shorter clause shared."""
    if other_parties(c.agents, e.agents):
        return False
    shared, coverage = _overlap(c.words - {c.predicate}, e.words - {e.predicate})
    return shared >= 1 and coverage >= 0.5


def _exclusive(c: Clause, e: Clause) -> bool:
    """Both clauses state, unhedged, a harmful act (`HARM`): one party's doing, so that two parties
    given it conflict. Two parties can both discuss, condemn or sign; "may launch" reports no act."""
    return c.predicate in HARM and e.predicate in HARM and not c.hedged and not e.hedged


def _agent_conflict(c: Clause, e: Clause, strength: float, quote: str) -> Judgement:
    """The same act by different parties: who did it is what the two accounts disagree on."""
    return Judgement(stance="refutes", score=strength, kind="agent", cue="agent",
                     rationale=f"same event '{c.predicate}', done by another party ({' '.join(sorted(e.agents))} "
                               f"in the evidence, {' '.join(sorted(c.agents))} in the claim): {quote}")


def _figure(n: NumberMention, unit: str) -> str:
    value = f"{n.value:,.0f}" if n.value == int(n.value) and n.value >= 10_000 else f"{n.value:g}"
    if unit == "percent":
        return f"{value}%"
    return f"{value} {unit}" + ("s" if n.value != 1 and not unit.endswith("s") else "")


def number_clash(claim: dict[str, tuple[NumberMention, ...]], evidence: dict[str, tuple[NumberMention, ...]]) -> str | None:
    """How the figures differ, in words ("5 workers where the claim gives 3"), when claim and evidence
    count the same thing and no figure of one fits a figure of the other; None otherwise."""
    for unit, ours in claim.items():
        for other_unit, theirs in evidence.items():
            if related(unit, other_unit) and not any(a.overlaps(b) for a in ours for b in theirs):
                return f"{_figure(theirs[0], other_unit)} where the claim gives {_figure(ours[0], unit)}"
    return None


def judge_texts(claim: str, evidence: str) -> Judgement:
    """Judge one (claim, evidence) pair of plain texts; `evidence_span` is the evidence clause the
    judgement rests on (none when nothing in the evidence is related)."""
    judgement, clause = _judge_clauses(parse_clauses(claim), parse_clauses(evidence))
    return judgement if clause is None else judgement.model_copy(update={"evidence_span": clause.text})


def _judge_clauses(claim_clauses: tuple[Clause, ...],
                   evidence_clauses: tuple[Clause, ...]) -> tuple[Judgement, Clause | None]:
    a = align(claim_clauses, evidence_clauses)
    if a is None or a.coverage < 0.5:
        lexical = _lexical(claim_clauses, evidence_clauses)
        if lexical is None or lexical.shared < 3 or lexical.coverage < 0.75:
            return Judgement(stance="neutral", score=0.5, cue="unrelated",
                             rationale="no clause of the evidence shares the claim's event and arguments"), None
        c, e = lexical.claim, lexical.evidence
        quote = f'"{e.text}"'
        if c.hedged or e.hedged or c.negative != e.negative or _conflict(c, e, 0.5, quote):
            return Judgement(stance="neutral", score=0.5, cue="related",
                             rationale=f"about the same thing, but worded too differently to compare: {quote}"), e
        return Judgement(stance="supports", score=round(min(0.8, 0.4 + 0.1 * lexical.shared), 3),
                         cue="lexical paraphrase",
                         rationale=f"shares {lexical.shared} content words, same polarity, no conflicting number or date: {quote}"), e
    c, e = a.claim, a.evidence
    quote = f'"{e.text}"'
    if e.hedged or c.hedged:
        return Judgement(stance="neutral", score=0.5, cue="hedged",
                         rationale=f"the aligned evidence clause is hedged or conditional: {quote}"), e
    strength = round(min(0.95, 0.55 + 0.1 * a.shared + 0.2 * a.coverage), 3)
    changed_time = (c.dates != e.dates and (c.dates or e.dates)) or c.since != e.since or c.reprefix or e.reprefix
    if a.predicate == "antonym":
        if changed_time:
            return Judgement(stance="neutral", score=0.5, cue="change over time",
                             rationale=f"opposite predicates ({c.predicate} / {e.predicate}) at different times: {quote}"), e
        if c.negative == e.negative:
            return Judgement(stance="refutes", score=strength, kind="antonym", cue="antonym",
                             rationale=f"'{c.predicate}' vs '{e.predicate}' about the same thing: {quote}"), e
        return Judgement(stance="supports", score=round(strength * 0.8, 3), cue="negated antonym",
                         rationale=f"'{e.predicate}' negated agrees with '{c.predicate}': {quote}"), e
    if c.negative != e.negative:
        if changed_time and c.dates and e.dates:
            return Judgement(stance="neutral", score=0.5, cue="change over time",
                             rationale=f"opposite polarity at different dates: {quote}"), e
        if other_parties(c.agents, e.agents):
            return Judgement(stance="neutral", score=0.5, cue="other party",
                             rationale=f"'{c.predicate}' said of another party, one doing it and one not: {quote}"), e
        denial = c.denied or e.denied
        neg = ", ".join(sorted(set(c.negations + e.negations)))
        return Judgement(stance="refutes", score=strength, kind="denial" if denial else "polarity",
                         cue="denial" if denial else "negation",
                         rationale=f"same event '{c.predicate}', opposite polarity ({neg}): {quote}"), e
    conflict = _conflict(c, e, strength, quote)
    if conflict is not None:
        return conflict, e
    if a.predicate == "same" and _exclusive(c, e) and other_parties(c.agents, e.agents):
        return _agent_conflict(c, e, strength, quote), e
    if a.coverage >= 0.6:
        return Judgement(stance="supports", score=strength, cue="paraphrase",
                         rationale=f"same event '{c.predicate}' with the same arguments and polarity: {quote}"), e
    return Judgement(stance="neutral", score=0.5, cue="partial overlap",
                     rationale=f"shares the event '{c.predicate}' but not enough of its arguments: {quote}"), e


class CueJudge:
    """The cue analysis alone as a judge (`claimflow eval --judge cue`): hand-built rules, no model."""

    name = JUDGE_VERSION
    absolute_dates = True  # give it evidence with relative dates resolved (claimflow.pipeline.judged_texts)

    def judge(self, pairs: list[tuple[str, str]]) -> list[Judgement]:
        """Judge (claim, evidence) pairs; texts are parsed once, in batches."""
        parse_many([t for pair in pairs for t in pair])
        return [judge_texts(claim, evidence) for claim, evidence in pairs]


def _figures(clauses_: tuple[Clause, ...]) -> dict[str, tuple[NumberMention, ...]]:
    """The figures of all clauses of a text, by what they count."""
    out: dict[str, tuple[NumberMention, ...]] = {}
    for c in clauses_:
        for unit, numbers in c.quantities.items():
            out[unit] = out.get(unit, ()) + numbers
    return out


def refutation_kind(claim: str, evidence: str, cue: Judgement | None = None) -> Judgement | None:
    """What kind of conflict a refutation is, for a pair the model says contradicts: the cue judge's
    typed conflict on aligned clauses if it finds one; otherwise, over any clauses of the two, the
    same or an antonym predicate with opposite polarity or meaning ("has begun withdrawing units" /
    "has seen no withdrawal of troops"), figures of the same thing that cannot both hold ("61 percent"
    / "38 percent"), or years that differ. None when the difference is not one of these (another
    cause, place or person), when no two clauses are about one thing, or when the difference is who did
    it (the accounts of one event decide that: verdicts/accounts.py): a refutation, but not a typed
    contradiction. `cue`: the pair's `judge_texts` judgement, when the caller has it."""
    cue = cue if cue is not None else judge_texts(claim, evidence)
    if cue.stance == "refutes":
        return None if cue.kind == "agent" else cue  # who did it is for the accounts of one event
    cc, ec = parse_clauses(claim), parse_clauses(evidence)
    for c in cc:
        for e in ec:
            quote = f'"{e.text}"'
            if related(c.predicate, e.predicate) and c.negative != e.negative and _comparable(c, e):
                denial = c.denied or e.denied
                neg = ", ".join(sorted(set(c.negations + e.negations)))
                return Judgement(stance="refutes", score=0.5, kind="denial" if denial else "polarity",
                                 cue="denial" if denial else "negation", evidence_span=e.text,
                                 rationale=f"'{c.predicate}' with opposite polarity ({neg}): {quote}")
            if antonyms(c.predicate, e.predicate) and c.negative == e.negative and _comparable(c, e):
                return Judgement(stance="refutes", score=0.5, kind="antonym", cue="antonym", evidence_span=e.text,
                                 rationale=f"'{c.predicate}' vs '{e.predicate}': {quote}")
    counted = set(_figures(cc)) | set(_figures(ec))
    if not any(_overlap(c.words - {c.predicate} - counted, e.words - {e.predicate} - counted)[0]
               for c in cc for e in ec):
        return None  # figures or years of two things: "84 countries" in a coalition / bans on "36 countries"
    clash = number_clash(_figures(cc), _figures(ec))
    if clash is not None:
        return Judgement(stance="refutes", score=0.5, kind="numeric", cue="number mismatch",
                         rationale=f"the evidence gives {clash}: \"{evidence}\"")
    cy, ey = {y for c in cc for y in c.years}, {y for e in ec for y in e.years}
    if cy and ey and not cy & ey and not any(c.since for c in (*cc, *ec)):
        return Judgement(stance="refutes", score=0.5, kind="date", cue="date mismatch",
                         rationale=f"different years ({', '.join(map(str, sorted(cy)))} in the claim, "
                                   f"{', '.join(map(str, sorted(ey)))} in the evidence): \"{evidence}\"")
    return None
