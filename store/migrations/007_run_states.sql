-- 007_run_states: honest run states. A run whose process died is closed as 'crashed' by the next run
-- (pid and host say whose it was); a cancelled run is 'cancelled'. DuckDB cannot alter a CHECK
-- constraint, so the table is rebuilt, as in 004.
CREATE TABLE runs_007 (
    run_id            VARCHAR PRIMARY KEY,
    flow_run_id       VARCHAR,
    engine            VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    judge_version     VARCHAR NOT NULL,
    sources           VARCHAR[],
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL
                      CHECK (status IN ('running', 'completed', 'partial', 'failed', 'crashed', 'cancelled')),
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
    n_pending         INTEGER,
    pid               INTEGER,
    host              VARCHAR
);
INSERT INTO runs_007 SELECT *, NULL, NULL FROM runs;
DROP TABLE runs;
ALTER TABLE runs_007 RENAME TO runs;
