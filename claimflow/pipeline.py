"""The pipeline as plain functions, one per stage. Prefect flows (flows/) wrap each in a task; tests
and `claimflow ingest` call them directly.

    ingest   read the sources; record new documents and what could not be read
    extract  claims and prose sentences of the documents not extracted yet (computes, writes nothing)
    index    passages embedded and stored, then the extractions they came from; duplicates, source
             groups, speakers' full names, BM25
    judge    retrieve evidence for every check-worthy claim, judge the pairs not judged before,
             contradictions and verdicts (computes, writes nothing)
    record   the judged tables, their history, and what the judge learnt

Every write goes through one store.writer.Writer. Each stage returns a result whose `summary` is
the line the flow logs."""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from claimflow.engines import Engine
from claimflow.memo import MemoEmbedder, MemoJudge, MemoParser
from evidence.index import passage_rows
from evidence.sources import find_duplicates, source_groups
from claims.models import Claim, DocumentClaims
from claims.nlp import get_nlp
from claims.speakers import unify_surnames
from evidence.models import EvidenceRow, Hit, Judgement, Passage, passage_id_for
from evidence.retrieve import retrieve
from ingest import Document, IngestError, read_sources
from ingest.dates import absolute_dates, original_offsets
from ingest.limits import Limits, env_name, head
from store.db import own_files
from store.writer import Memo, RunChanges, Writer
from verdicts.accounts import account_conflicts
from verdicts.contradictions import account, claims_in_passage, find_contradictions
from verdicts.events import Account, relate, reported_at
from verdicts.models import Change, ClaimVerdict, Contradiction, Pending, contradiction_id_for
from verdicts.verdicts import decide_all


class IngestResult(BaseModel):
    documents: list[Document]
    errors: list[IngestError]
    new: list[str] = []  # ids of the documents the database did not have (set by `ingest`)

    @property
    def summary(self) -> str:
        return (f"ingested {len(self.documents)} documents: {len(self.new)} new, {len(self.errors)} not ingested")


class Extracted(BaseModel):
    """What extraction made of the documents waiting for it (boilerplate sentences already dropped)."""

    documents: list[Document]
    results: list[DocumentClaims]
    truncated: list[IngestError] = []  # documents of which only a head was extracted (ingest/limits.py)

    @property
    def extractions(self) -> list[DocumentClaims]:
        return [x for x in self.results if x.error is None]

    @property
    def errors(self) -> list[IngestError]:
        origin = {d.doc_id: d.origin for d in self.documents}
        return [IngestError(origin=origin[x.doc_id], reason="extraction",
                            detail=f"document {x.doc_id}: {x.error}; it will be retried next run")
                for x in self.results if x.error is not None]

    @property
    def waiting(self) -> list[Pending]:
        return [Pending(stage="extract", item_id=x.doc_id, claim_id=None, doc_id=x.doc_id, reason=x.error)
                for x in self.results if x.error is not None]

    @property
    def summary(self) -> str:
        return (f"extracted {len(self.documents)} documents: {sum(len(x.claims) for x in self.extractions)} claims, "
                f"{len(self.errors)} failed, {len(self.truncated)} cut at a bound")


class Indexed(BaseModel):
    passages: int
    duplicates: int
    groups_changed: int
    speakers_renamed: int  # claims whose speaker carries the full name another document gives

    @property
    def summary(self) -> str:
        return (f"indexed {self.passages} new passages ({self.duplicates} repeat another document's); "
                f"{self.groups_changed} source groups changed, {self.speakers_renamed} claims' speakers given full names")


class Recorded(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    changes: RunChanges
    contradictions: int
    pending: int  # everything in `pending`, the `limited` rows included
    limited: int = 0  # claims a bound keeps from judging (stage `limit`): never retried until it is raised

    @property
    def summary(self) -> str:
        return (f"recorded {self.contradictions} contradictions ({len(self.changes.appeared)} new, "
                f"{len(self.changes.disappeared)} gone), {len(self.changes.verdicts)} verdicts changed, "
                f"{self.pending - self.limited} items pending, {self.limited} claims past a bound")


class JudgeResult(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    evidence: list[EvidenceRow]
    contradictions: list[Contradiction]
    verdicts: list[ClaimVerdict]
    pending: list[Pending] = []
    changes: list[Change] = []
    claims: int = 0
    claims_judged: int = 0  # check-worthy claims with at least one pair judged afresh (the rest reused)
    memo: Memo | None = None

    @property
    def summary(self) -> str:
        return (f"judged {self.claims} claims ({self.claims_judged} with pairs judged afresh, the rest read back): "
                f"{len(self.evidence)} evidence rows, {len(self.contradictions)} contradictions, "
                f"{len(self.verdicts)} verdicts, {len(self.pending)} pending")


def absolute(sources: Sequence[str]) -> list[str]:
    """Sources as absolute, normalised paths (symlinks not followed): one file is one origin, and one
    document, whichever entry point (CLI, `serve`, a deployment) and working folder read it."""
    return [os.path.abspath(s) for s in sources]


def read(sources: Sequence[str], today: date | None = None, skip: Collection[Path] = (),
         limits: Limits | None = None, follow_symlinks: bool = False) -> IngestResult:
    """Read the sources (nothing written): every document, and every file or line that is none.
    `skip`: files not to read (the database's own, when it lies in a source folder); symlinks out
    of a source folder are refused unless `follow_symlinks` (ingest.readers.iter_files)."""
    documents, errors = [], []
    limits = limits or Limits()
    for item in read_sources(absolute(sources), today, skip, follow_symlinks, limits.max_file_bytes):
        (documents if isinstance(item, Document) else errors).append(item)
    return IngestResult(documents=documents, errors=errors)


def ingest(writer: Writer, sources: Sequence[str], run_id: str, today: date | None = None,
           limits: Limits | None = None, follow_symlinks: bool = False) -> IngestResult:
    """Stage 1: read the sources, store the documents the database does not have (an edited file
    replaces its old version), and record what could not be read (errors of these sources from
    earlier runs are replaced)."""
    sources = absolute(sources)
    result = read(sources, today, own_files(writer.database_path()), limits, follow_symlinks)
    result.new = writer.add_documents(result.documents, run_id)
    writer.clear_errors_under(sources)
    writer.record_errors(result.errors, run_id)
    return result


def unusable_sources(sources: Sequence[str], ingested: IngestResult) -> str | None:
    """Why a run over these sources cannot go on, or None: a source that does not exist, or a folder
    from which nothing could be read (empty, or every file not ingested). One bad file among good
    ones is an ingest error, never a reason to stop."""
    problems = []
    for source in sources:
        path = Path(source)
        if not path.exists():
            problems.append(f"source not found: {source}")
        elif path.is_dir():
            inside = str(path).rstrip("/") + "/"
            if any(d.origin.startswith(inside) for d in ingested.documents):
                continue
            errors = [e for e in ingested.errors if e.origin.startswith(inside)]
            if not errors:
                problems.append(f"nothing to read in {source}: the folder has no files")
            elif not any(e.reason == "duplicate" for e in errors):
                reasons = ", ".join(sorted({e.reason for e in errors}))
                problems.append(f"nothing readable in {source}: {len(errors)} files not ingested ({reasons})")
    return "; ".join(problems) or None


# How a long stage reports how far it got: progress(step, done, total), e.g. ("extract", 200, 1000).
Progress = Callable[[str, int, int], None]
EXTRACT_BATCH = 100  # documents per extractor call (each document is extracted on its own)


def extract(con, engine: Engine, documents: list[Document], progress: Progress | None = None,
            limits: Limits | None = None) -> Extracted:
    """Stage 2: claims and prose sentences of `documents`, without an outlet's boilerplate. A document
    whose extraction failed carries its error (it is recorded, and retried next run). Of a document
    longer than the bounds (ingest/limits.py) only the head is extracted, and that is recorded; the
    document itself is kept whole."""
    limits = limits or Limits()
    heads = [d.model_copy(update={"text": head(d.text, limits.max_document_chars)}) for d in documents]
    results: list[DocumentClaims] = []
    for start in range(0, len(heads), EXTRACT_BATCH):
        results += engine.extractor.extract(heads[start:start + EXTRACT_BATCH])
        if progress is not None:
            progress("extract", len(results), len(documents))
    if not documents:
        return Extracted(documents=[], results=[])
    truncated = [note for d, h, x in zip(documents, heads, results)
                 if (note := truncation(d, len(h.text), len(x.sentences), limits)) is not None]
    results = [first_sentences(x, limits.max_sentences) for x in results]
    return Extracted(documents=documents, results=drop_boilerplate(con, documents, results), truncated=truncated)


def first_sentences(x: DocumentClaims, limit: int) -> DocumentClaims:
    """The extraction up to its `limit`-th sentence (0: all): later sentences and their claims dropped."""
    if Limits.within(len(x.sentences), limit):
        return x
    end = x.sentences[limit - 1][1]
    claims = [c for c in x.claims if c.char_start < end]
    kept = {c.claim_id for c in claims}
    return x.model_copy(update={"sentences": x.sentences[:limit], "claims": claims,
                                "anomalies": [a for a in x.anomalies if a.claim_id in kept]})


def truncation(document: Document, extracted_chars: int, sentences: int, limits: Limits) -> IngestError | None:
    """The record of a document cut at a bound (`sentences`: how many its head has), or None."""
    cuts = []
    if extracted_chars < len(document.text):
        cuts.append(f"{len(document.text):,} characters, over {limits.max_document_chars:,} "
                    f"({env_name('max_document_chars')}): only the first {extracted_chars:,} were extracted")
    if not Limits.within(sentences, limits.max_sentences):
        cuts.append(f"{sentences:,} sentences, over {limits.max_sentences:,} ({env_name('max_sentences')}): "
                    f"only the first {limits.max_sentences:,} were indexed and extracted")
    if not cuts:
        return None
    return IngestError(origin=document.origin, reason="truncated",
                       detail=f"document {document.doc_id}: " + "; ".join(cuts) + "; the document is kept whole")


def index(writer: Writer, engine: Engine, extracted: Extracted, run_id: str,
          progress: Progress | None = None) -> Indexed:
    """Stage 3: store the passages first (a document counts as extracted only once its passages are
    indexed too; one whose extraction failed after its sentences were found is indexed all the same,
    so that it is evidence for other claims while its own claims wait), then the extractions, their
    errors and what waits; link repeated passages, regroup sources, give bare surnames the full name,
    rebuild BM25."""
    con = writer.con
    added = writer.add_passages(passage_rows(con, passages_of(extracted.documents, extracted.results),
                                             engine.embedder, run_id, progress=progress))
    done = {x.doc_id for x in extracted.extractions}
    writer.record_errors(extracted.errors, run_id)
    writer.clear_errors([d.origin for d in extracted.documents if d.doc_id in done], "extraction")
    writer.clear_errors([d.origin for d in extracted.documents], "truncated")
    writer.record_errors(extracted.truncated, run_id)
    writer.save_extractions(extracted.extractions, engine.extractor.name, run_id, anomalies_of(extracted.extractions))
    linked = writer.link_duplicates(find_duplicates(con, set(added)))
    writer.save_pending_extractions(extracted.waiting, engine.extractor.name, run_id)
    changed = writer.save_source_groups(source_groups(con), run_id)
    renamed = writer.name_speakers(unify_surnames(writer.extracted_speakers()))
    writer.rebuild_bm25()
    return Indexed(passages=len(added), duplicates=linked, groups_changed=changed, speakers_renamed=renamed)


# A sentence written word for word in this many documents of one outlet is its template ("View news.",
# "Follow us on Telegram."): neither a passage nor a claim.
BOILERPLATE_DOCUMENTS = 5
PASSAGE_MIN_WORDS = 4  # shorter sentences ("View photo news.", "PHOTOS.") are no evidence of anything
_WORD = re.compile(r"[^\W\d_]+")


def _sentence_key(text: str) -> str:
    return " ".join(text.lower().split())


def drop_boilerplate(con, documents: Sequence[Document], extractions: list[DocumentClaims]) -> list[DocumentClaims]:
    """The extractions without the sentences (and their claims) that an outlet repeats in at least
    BOILERPLATE_DOCUMENTS of its documents, counted over this batch and the database."""
    outlet = {d.doc_id: (d.source or "").strip().lower() for d in documents}
    text_of = {d.doc_id: d.text for d in documents}
    seen: dict[tuple[str, str], set[str]] = {}
    for x in extractions:
        if outlet[x.doc_id]:
            for start, end in x.sentences:
                seen.setdefault((outlet[x.doc_id], _sentence_key(text_of[x.doc_id][start:end])), set()).add(x.doc_id)
    if con is not None and seen:
        keys = sorted({k for _, k in seen})
        for source, key, doc_id in con.execute(
                "SELECT DISTINCT lower(trim(d.source)), p.key, p.doc_id FROM (SELECT doc_id, "
                "array_to_string(string_split_regex(lower(trim(text)), '\\s+'), ' ') AS key FROM passages) p "
                "JOIN documents d USING (doc_id) WHERE p.key IN (SELECT unnest(?))", [keys]).fetchall():
            if (source, key) in seen:
                seen[(source, key)].add(doc_id)
    template = {k for k, docs in seen.items() if len(docs) >= BOILERPLATE_DOCUMENTS}
    if not template:
        return extractions
    out = []
    for x in extractions:
        cut = [(a, b) for a, b in x.sentences if (outlet[x.doc_id], _sentence_key(text_of[x.doc_id][a:b])) in template]
        if not cut:
            out.append(x)
            continue
        claims = [c for c in x.claims if not any(a <= c.char_start < b for a, b in cut)]
        kept = {c.claim_id for c in claims}
        out.append(x.model_copy(update={"sentences": [s for s in x.sentences if s not in cut], "claims": claims,
                                        "anomalies": [a for a in x.anomalies if a.claim_id in kept]}))
    return out


def passages_of(documents: Sequence[Document], extractions: Sequence[DocumentClaims]) -> list[Passage]:
    """Prose sentences become passages (boilerplate never reaches the index)."""
    by_id = {d.doc_id: d for d in documents}
    out = []
    for x in extractions:
        doc = by_id[x.doc_id]
        for start, end in x.sentences:
            if len(_WORD.findall(doc.text[start:end])) < PASSAGE_MIN_WORDS:
                continue
            out.append(Passage(passage_id=passage_id_for(doc.doc_id, start, end), doc_id=doc.doc_id,
                               text=doc.text[start:end], char_start=start, char_end=end,
                               published_at=doc.published_at))
    return out


def anomalies_of(extractions: Sequence[DocumentClaims]) -> list[Contradiction]:
    claims = {c.claim_id: c for x in extractions for c in x.claims}
    out = []
    for x in extractions:
        for a in x.anomalies:
            claim = claims[a.claim_id]
            out.append(Contradiction(
                contradiction_id=contradiction_id_for(a.claim_id, None, "temporal"), claim_id_a=a.claim_id,
                claim_id_b=None, kind="temporal", score=0.9, explanation=a.explanation,
                speaker_a=claim.speaker, speaker_b=None, same_document=True,
            ))
    return out


def judged_texts(engine: Engine, claim: Claim, claim_dated: bool, hit: Hit) -> tuple[str, str]:
    """The claim and the passage as the judge reads them. Claim statements carry absolute dates
    ("on 4 March 2026"), so a judge that compares dates gets the passage's relative ones resolved the
    same way, against its document's date ("on Wednesday" in a 4 March article). The stored evidence
    keeps the text.

    Both sides are read in the same form: when only one of the two documents has a date, the judge
    reads the claim and the passage as written ("on Wednesday" against "on Wednesday"; a model reads
    "on Wednesday" against "on 4 March 2026" as a changed detail)."""
    if not engine.judge.absolute_dates:
        return claim.statement, hit.text
    if claim_dated and hit.published_at is not None:
        return claim.statement, absolute_dates(hit.text, hit.published_at.date())
    return (claim.text if claim_dated else claim.statement), hit.text


def document_times(con, doc_ids: set[str]) -> dict[str, datetime]:
    """The publication time of each document among `doc_ids` that has one."""
    if not doc_ids:
        return {}
    rows = con.execute("SELECT doc_id, published_at FROM documents WHERE published_at IS NOT NULL AND doc_id IN "
                       "(SELECT unnest(?))", [sorted(doc_ids)]).fetchall()
    return dict(rows)


def same_event(row: EvidenceRow, claim: Claim, read: str, times: dict[str, datetime],
               claims_by_doc: dict[str, list[Claim]]) -> EvidenceRow:
    """A typed refutation from a passage about another event or time frame (another day's bulletin,
    a running total against a day's count), or that is a later, higher count of the same toll, is
    no refutation: neutral, with the reason (verdicts/events.py)."""
    j = row.judgement
    if j.stance != "refutes" or j.kind is None:
        return row
    inside = claims_in_passage(claims_by_doc, row)
    passage = Account(text=read, reported=reported_at(row.hit.text, row.hit.published_at),
                      names=frozenset(e for c in inside for e in c.entities),
                      figures=tuple(v for c in inside for v in c.numbers))
    relation, why = relate(j.kind, account(claim, claim.statement, times), passage)
    if relation == "conflict":
        return row
    cue = "change over time" if relation == "change" else "related"
    return row.model_copy(update={"judgement": Judgement(
        stance="neutral", score=j.score, cue=cue, rationale=f"{why} (the judge said: {j.rationale})",
        evidence_span=j.evidence_span)})


def span_in_passage(span: str, hit: Hit, read: str) -> str | None:
    """The words of the stored passage behind a span quoted from `read`, the passage as the judge
    read it (`judged_texts`: relative dates made absolute): the span itself when the passage has
    it, else the stretch of the passage it was rewritten from; None if the span is in neither."""
    if span in hit.text:
        return span
    at = read.find(span)
    if at < 0 or hit.published_at is None:
        return None
    start, end = original_offsets(hit.text, hit.published_at.date(), at, at + len(span))
    return hit.text[start:end]


def with_accounts(evidence: list[EvidenceRow], conflicts: Sequence[Contradiction], by_id: dict[str, Claim],
                  times: dict[str, datetime], texts: dict[str, str]) -> list[EvidenceRow]:
    """The evidence with each conflict between two accounts of one event (verdicts/accounts.py) as a
    typed refutation of each claim by the other claim's sentence, in place of what the judge said of
    that pair of claim and passage, so that verdicts count the other voice. `texts`: the documents'
    texts by doc_id (the claims' offsets point into them)."""
    pairs = [(by_id[x.claim_id_a], by_id[x.claim_id_b], x) for x in conflicts]
    pairs += [(b, a, x) for a, b, x in pairs]
    if not pairs:
        return evidence
    rows = {(r.claim_id, r.hit.passage_id): r for r in evidence}
    for claim, other, x in pairs:
        pid = passage_id_for(other.doc_id, other.sentence_start, other.sentence_end)
        sentence = texts[other.doc_id][other.sentence_start:other.sentence_end]
        hit = Hit(passage_id=pid, doc_id=other.doc_id, text=sentence,
                  char_start=other.sentence_start, char_end=other.sentence_end, same_document=False, rank=0,
                  score=0.0, published_at=times.get(other.doc_id))
        rows[(claim.claim_id, pid)] = EvidenceRow(claim_id=claim.claim_id, hit=hit, judgement=Judgement(
            stance="refutes", score=x.score, kind=x.kind, cue="account", rationale=x.explanation,
            evidence_span=other.text))
    return list(rows.values())


def per_document(claims: list[Claim], limit: int) -> tuple[list[Claim], list[Pending]]:
    """The claims that reach judging: of each document the `limit` most check-worthy (0: all); and
    a `limit` row in pending for each check-worthy claim left out."""
    if limit == 0:
        return claims, []
    by_doc: dict[str, list[Claim]] = {}
    for c in claims:
        by_doc.setdefault(c.doc_id, []).append(c)
    kept, left = set(), []
    for doc_claims in by_doc.values():
        ranked = sorted(doc_claims, key=lambda c: (-c.checkworthiness, c.char_start, c.claim_id))
        kept.update(c.claim_id for c in ranked[:limit])
        left += [Pending(stage="limit", item_id=c.claim_id, claim_id=c.claim_id, doc_id=c.doc_id,
                         reason=f"not judged: claim {rank:,} of {len(ranked):,} by check-worthiness in its document, "
                                f"which has more than {limit:,} ({env_name('max_claims_per_document')})")
                 for rank, c in enumerate(ranked[limit:], start=limit + 1) if c.checkworthy]
    return [c for c in claims if c.claim_id in kept], left


def within_budget(targets: list[Claim], pairs: list[tuple[str, Hit]], fresh: set[int],
                  budget: int) -> tuple[set[str], list[Pending]]:
    """Claims whose pairs not judged before (`fresh`: indices into `pairs`) do not fit in this run's
    budget of judged pairs (0: no budget), with a pending row each. Claims are taken in turn from
    each document, most check-worthy first, so one document cannot spend the budget of all. A claim's
    pairs are judged together, so a run goes over by less than one claim's pairs at most, and every
    run judges at least one claim: a deferred claim is judged by a later run."""
    if budget == 0:
        return set(), []
    cost: dict[str, int] = {}
    for i, (cid, _) in enumerate(pairs):
        cost[cid] = cost.get(cid, 0) + (i in fresh)
    queues: dict[str, list[Claim]] = {}
    for c in sorted(targets, key=lambda c: (-c.checkworthiness, c.char_start, c.claim_id)):
        queues.setdefault(c.doc_id, []).append(c)
    order = [q[i] for i in range(max(map(len, queues.values()), default=0)) for q in queues.values() if i < len(q)]
    spent, deferred, rows = 0, set(), []
    for c in order:
        need = cost.get(c.claim_id, 0)
        if need and spent and spent + need > budget:  # a claim's pairs go together; the first always fits
            deferred.add(c.claim_id)
            rows.append(Pending(stage="judge", item_id=c.claim_id, claim_id=c.claim_id, doc_id=c.doc_id,
                                reason=f"waiting: this run's budget of {budget:,} judged pairs "
                                       f"({env_name('max_judged_pairs')}) was spent; the next run judges it"))
        else:
            spent += need
    return deferred, rows


def judge(con, engine: Engine, claims: list[Claim], source_of: dict[str, str], *, top_k: int = 8,
          reuse: bool = True, progress: Progress | None = None, limits: Limits | None = None) -> JudgeResult:
    """Retrieve evidence for check-worthy claims, judge each pair, find contradictions, decide verdicts.

    Pairs judged by an earlier run with the same judge, and query vectors of statements embedded
    before, are read back instead of computed again (claimflow/memo.py), unless `reuse` is False;
    the result says how many claims had a pair judged afresh and carries what to store.
    A pair the judge could not judge (an LLM call that failed) is pending: its claim gets no verdict
    this run rather than one decided on part of its evidence. Bounds (ingest/limits.py): of each
    document only the most check-worthy claims are judged, and a run judges at most so many pairs
    afresh; what they leave out is in `pending`."""
    limits = limits or Limits()
    claims, left_out = per_document(claims, limits.max_claims_per_document)
    store = Writer(con)
    judge_ = MemoJudge(engine.judge, lambda keys: store.known_judgements(engine.judge.name, keys) if reuse else {})
    embedder = MemoEmbedder(engine.embedder,
                            lambda keys: store.known_query_vectors(engine.embedder.name, keys) if reuse else {})
    nlp = get_nlp()
    parser = MemoParser(nlp, lambda keys: store.known_parses(parser.name, keys) if reuse else {})
    targets = [c for c in claims if c.checkworthy]
    times = document_times(con, {c.doc_id for c in claims})
    dated = set(times)
    hits: dict[str, list[Hit]] = retrieve(con, targets, embedder, k=top_k, when=times)
    by_id = {c.claim_id: c for c in claims}
    pairs = [(claim_id, hit) for claim_id, hs in hits.items() for hit in hs]
    read = [judged_texts(engine, by_id[cid], by_id[cid].doc_id in dated, hit) for cid, hit in pairs]
    deferred, waiting_rows = within_budget(targets, pairs, judge_.unknown(read) if limits.max_judged_pairs else set(),
                                           limits.max_judged_pairs)
    if deferred:
        kept = [i for i, (cid, _) in enumerate(pairs) if cid not in deferred]
        pairs, read = [pairs[i] for i in kept], [read[i] for i in kept]
    texts = [text for _, text in read]
    if progress is not None:
        judge_.progress = lambda done, total: progress("judge claim-evidence pairs", done, total)
    judgements = judge_.judge(read)
    claims_judged = {cid for (cid, _), pair in zip(pairs, read) if pair in judge_.asked}
    by_doc: dict[str, list[Claim]] = {}
    for c in claims:
        by_doc.setdefault(c.doc_id, []).append(c)
    evidence, pending = [], left_out + waiting_rows
    for (cid, hit), text, j in zip(pairs, texts, judgements):
        if isinstance(j, Judgement):
            if j.evidence_span and text != hit.text:
                j = j.model_copy(update={"evidence_span": span_in_passage(j.evidence_span, hit, text)})
            row = EvidenceRow(claim_id=cid, hit=hit, judgement=j)
            evidence.append(same_event(row, by_id[cid], text, times, by_doc))
        else:
            pending.append(Pending(stage="judge", item_id=f"{cid}/{hit.passage_id}", claim_id=cid,
                                   doc_id=by_id[cid].doc_id, reason=j.reason))
    failed: list[tuple[Claim, Claim, str]] = []
    changes: list[Change] = []
    if progress is not None:
        judge_.progress = lambda done, total: progress("judge pairs of claims", done, total)
    contradictions = find_contradictions(claims, evidence, judge_, failed, dated, times, changes)
    judged = {frozenset((x.claim_id_a, x.claim_id_b)) for x in contradictions}
    documents = {d: (title or "", text) for d, title, text in con.execute(
        "SELECT doc_id, title, text FROM documents WHERE doc_id IN (SELECT unnest(?))",
        [sorted({c.doc_id for c in claims})]).fetchall()}
    told = [x for x in account_conflicts(claims, source_of, times,
                                         {d: f"{title}\n{text}" for d, (title, text) in documents.items()},
                                         parser.pipe)
            if frozenset((x.claim_id_a, x.claim_id_b)) not in judged]
    contradictions += told
    evidence = with_accounts(evidence, told, by_id, times, {d: text for d, (_, text) in documents.items()})
    pending += [Pending(stage="contradiction", item_id=f"{a.claim_id}/{b.claim_id}", claim_id=a.claim_id,
                        doc_id=a.doc_id, reason=reason) for a, b, reason in failed]
    waiting = {p.claim_id for p in pending if p.stage == "judge"}
    verdicts = decide_all([c for c in targets if c.claim_id not in waiting], evidence, source_of, claims)
    memo = Memo(judged_by=engine.judge.name, embedder=engine.embedder.name, used_judgements=judge_.used,
                judgements=judge_.fresh, used_vectors=embedder.used, vectors=embedder.fresh, parser=parser.name,
                used_parses=parser.used, parses=parser.fresh)
    return JudgeResult(evidence=evidence, contradictions=contradictions, verdicts=verdicts, pending=pending,
                       changes=changes, claims_judged=len(claims_judged), memo=memo)


def judge_corpus(writer: Writer, engine: Engine, *, top_k: int = 8, reuse: bool = True,
                 progress: Progress | None = None, limits: Limits | None = None) -> JudgeResult:
    """Stage 4: `judge` over every claim in the database."""
    claims = writer.load_claims()
    result = judge(writer.con, engine, claims, writer.sources(), top_k=top_k, reuse=reuse, progress=progress,
                   limits=limits)
    result.claims = len(claims)
    return result


def record(writer: Writer, judged: JudgeResult, run_id: str, judged_by: str) -> Recorded:
    """Stage 5: replace the judged tables with this run's, record what changed, keep what the judge learnt."""
    changes = writer.save_judgements(judged.evidence, judged.contradictions, judged.verdicts, run_id,
                                     judged.pending, judged_by, judged.changes, judged.memo)
    contradictions, pending, limited = writer.con.execute(
        "SELECT (SELECT count(*) FROM contradictions), (SELECT count(*) FROM pending), "
        "(SELECT count(*) FROM pending WHERE stage = 'limit')").fetchone()
    return Recorded(changes=changes, contradictions=contradictions, pending=pending, limited=limited)
