-- 004_llm: what the LLM engine needs to be reproducible, cheap on re-runs and honest about failures.
--
-- llm_calls: one row per request sent to an OpenAI-compatible server (after retries): which run,
--   stage, model, prompt version and prompt hash, how many items it carried, how it ended, tokens.
-- llm_cache: one row per item a model answered validly, keyed on (model, prompt version, prompt
--   hash, input hash): a re-run or a retry after a failure reads it instead of paying again.
-- pending: work that could not be done in the last run (an LLM call that failed after retries, an
--   answer that failed validation twice, a run that stopped on an exhausted quota). A claim with a
--   pending judgement gets no verdict (never a default label); the next run tries it again.
CREATE TABLE llm_calls (
    call_id        VARCHAR PRIMARY KEY,
    run_id         VARCHAR,
    stage          VARCHAR NOT NULL,
    engine         VARCHAR NOT NULL,
    model          VARCHAR NOT NULL,
    prompt_version VARCHAR NOT NULL,
    prompt_hash    VARCHAR NOT NULL,
    n_items        INTEGER NOT NULL,
    status         VARCHAR NOT NULL CHECK (status IN ('ok', 'repaired', 'invalid', 'failed')),
    attempts       INTEGER NOT NULL,
    error          VARCHAR,
    tokens_in      INTEGER NOT NULL,
    tokens_out     INTEGER NOT NULL,
    seconds        DOUBLE NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE llm_cache (
    cache_key      VARCHAR PRIMARY KEY,
    stage          VARCHAR NOT NULL,
    model          VARCHAR NOT NULL,
    prompt_version VARCHAR NOT NULL,
    prompt_hash    VARCHAR NOT NULL,
    input_hash     VARCHAR NOT NULL,
    output         JSON NOT NULL,
    call_id        VARCHAR NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE pending (
    stage        VARCHAR NOT NULL,
    item_id      VARCHAR NOT NULL,
    claim_id     VARCHAR,
    doc_id       VARCHAR,
    engine       VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    run_id       VARCHAR,
    recorded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (stage, item_id)
);

-- Lineage beside each judged row: which judge produced it, and the exact span it relied on.
ALTER TABLE evidence ADD COLUMN judged_by VARCHAR;
ALTER TABLE evidence ADD COLUMN evidence_span VARCHAR;

-- Runs learn a 'partial' status (stopped calling a model: quota, auth; what was done is kept) and
-- their LLM usage. DuckDB cannot alter a CHECK constraint, so the table is rebuilt.
CREATE TABLE runs_004 (
    run_id            VARCHAR PRIMARY KEY,
    flow_run_id       VARCHAR,
    engine            VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    judge_version     VARCHAR NOT NULL,
    sources           VARCHAR[],
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'partial', 'failed')),
    n_documents_seen  INTEGER,
    n_documents_new   INTEGER,
    n_ingest_errors   INTEGER,
    n_claims          INTEGER,
    n_evidence        INTEGER,
    n_contradictions  INTEGER,
    error             VARCHAR,
    embedder          VARCHAR,
    llm_endpoint      VARCHAR,
    n_llm_calls       INTEGER,
    n_cache_hits      INTEGER,
    tokens_in         INTEGER,
    tokens_out        INTEGER,
    n_pending         INTEGER
);
INSERT INTO runs_004 (run_id, flow_run_id, engine, extractor_version, judge_version, sources, started_at,
                      finished_at, status, n_documents_seen, n_documents_new, n_ingest_errors, n_claims,
                      n_evidence, n_contradictions, error)
SELECT run_id, flow_run_id, engine, extractor_version, judge_version, sources, started_at, finished_at, status,
       n_documents_seen, n_documents_new, n_ingest_errors, n_claims, n_evidence, n_contradictions, error
FROM runs;
DROP TABLE runs;
ALTER TABLE runs_004 RENAME TO runs;

-- A claim whose judging is pending shows it in the report instead of a verdict.
CREATE OR REPLACE VIEW claim_report AS
SELECT c.claim_id, d.source, d.title, d.published_at, c.speaker, c.text, c.statement,
       c.polarity, c.modality, c.checkworthiness,
       coalesce(v.verdict, CASE WHEN p.claim_id IS NOT NULL THEN 'pending' END) AS verdict,
       v.confidence, coalesce(v.rationale, p.reason) AS rationale
FROM claims c
JOIN documents d USING (doc_id)
LEFT JOIN verdicts v USING (claim_id)
LEFT JOIN (SELECT claim_id, any_value(reason) AS reason FROM pending WHERE claim_id IS NOT NULL GROUP BY claim_id) p
       USING (claim_id);
