-- 009_memo: what a run reuses from the runs before it, so that a run costs what is new, not what is stored.
--
-- judge_memo: one row per (claim, passage) or (claim, claim) pair a judge decided, keyed on a hash of
--   the judge's name (its version) and both texts exactly as the judge read them. A judge's answer
--   depends on nothing else, so a pair found here is not judged again, and the run's tables equal a
--   full re-run's. Each run keeps the rows of its judge that it used (others' rows stay, for a
--   database switched between engines).
-- query_vectors: the embedding of each claim statement as a retrieval query, keyed on a hash of the
--   embedder's name and the text; kept the same way.
-- parses: the spaCy parse of each claim statement (a one-document DocBin, about 1 KB), keyed on a hash
--   of the pipeline's name, version and components and the text: the accounts of events
--   (verdicts/accounts.py) read every claim on every run, and reading a parse back is about 15
--   times faster than parsing.
-- runs.n_claims_judged: check-worthy claims with at least one pair judged afresh by the run.
-- claims.extracted_speaker: the speaker as the extractor named it. `speaker` is that name unified
--   across documents ("Zelensky" -> "Volodymyr Zelensky"), recomputed by every run from these, so
--   that the names depend on the corpus and never on the order documents arrived in. (In a database
--   from before this migration it starts as the unified name.)
CREATE TABLE judge_memo (
    pair_key   VARCHAR PRIMARY KEY,
    judged_by  VARCHAR NOT NULL,
    judgement  JSON NOT NULL,
    run_id     VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE query_vectors (
    text_key  VARCHAR PRIMARY KEY,
    embedder  VARCHAR NOT NULL,
    embedding FLOAT[384] NOT NULL,
    run_id    VARCHAR NOT NULL
);

CREATE TABLE parses (
    text_key VARCHAR PRIMARY KEY,
    parser   VARCHAR NOT NULL,
    doc      BLOB NOT NULL,
    run_id   VARCHAR NOT NULL
);

ALTER TABLE runs ADD COLUMN n_claims_judged INTEGER;

ALTER TABLE claims ADD COLUMN extracted_speaker VARCHAR;
UPDATE claims SET extracted_speaker = speaker;
