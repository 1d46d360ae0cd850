-- 001_core: the analysts' contract. Every table and column is documented in README.md.
CREATE TABLE runs (
    run_id            VARCHAR PRIMARY KEY,
    flow_run_id       VARCHAR,
    engine            VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    judge_version     VARCHAR NOT NULL,
    sources           VARCHAR[],
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    n_documents_seen  INTEGER,
    n_documents_new   INTEGER,
    n_ingest_errors   INTEGER,
    n_claims          INTEGER,
    n_evidence        INTEGER,
    n_contradictions  INTEGER,
    error             VARCHAR
);

CREATE TABLE documents (
    doc_id        VARCHAR PRIMARY KEY,
    source        VARCHAR,
    url           VARCHAR,
    title         VARCHAR,
    published_at  TIMESTAMP,
    date_origin   VARCHAR,
    language      VARCHAR,
    text          VARCHAR NOT NULL,
    origin        VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    ingested_at   TIMESTAMP NOT NULL,
    run_id        VARCHAR
);

CREATE TABLE ingest_errors (
    error_id     VARCHAR PRIMARY KEY,
    origin       VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    detail       VARCHAR,
    run_id       VARCHAR,
    recorded_at  TIMESTAMP NOT NULL
);

CREATE TABLE extractions (
    doc_id        VARCHAR NOT NULL,
    extractor     VARCHAR NOT NULL,
    n_claims      INTEGER NOT NULL,
    run_id        VARCHAR,
    extracted_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (doc_id, extractor)
);

CREATE TABLE claims (
    claim_id         VARCHAR PRIMARY KEY,
    doc_id           VARCHAR NOT NULL,
    text             VARCHAR NOT NULL,
    statement        VARCHAR NOT NULL,
    speaker          VARCHAR,
    speaker_mention  VARCHAR,
    is_quote         BOOLEAN NOT NULL,
    char_start       INTEGER NOT NULL,
    char_end         INTEGER NOT NULL,
    sentence_start   INTEGER NOT NULL,
    sentence_end     INTEGER NOT NULL,
    polarity         VARCHAR NOT NULL CHECK (polarity IN ('positive', 'negative')),
    negation         VARCHAR,
    modality         VARCHAR NOT NULL CHECK (modality IN ('asserted', 'hedged', 'conditional', 'future', 'opinion', 'question')),
    claim_date       DATE,
    entities         VARCHAR[],
    numbers          DOUBLE[],
    checkworthiness  DOUBLE NOT NULL CHECK (checkworthiness BETWEEN 0 AND 1),
    checkworthy      BOOLEAN NOT NULL,
    extractor        VARCHAR NOT NULL,
    run_id           VARCHAR
);

CREATE TABLE passages (
    passage_id    VARCHAR PRIMARY KEY,
    doc_id        VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    char_start    INTEGER NOT NULL,
    char_end      INTEGER NOT NULL,
    published_at  TIMESTAMP,
    embedding     FLOAT[384] NOT NULL,
    run_id        VARCHAR
);

CREATE TABLE evidence (
    claim_id         VARCHAR NOT NULL,
    passage_id       VARCHAR NOT NULL,
    doc_id           VARCHAR NOT NULL,
    text             VARCHAR NOT NULL,
    char_start       INTEGER NOT NULL,
    char_end         INTEGER NOT NULL,
    same_document    BOOLEAN NOT NULL,
    retrieval_rank   INTEGER NOT NULL,
    retrieval_score  DOUBLE NOT NULL,
    stance           VARCHAR NOT NULL CHECK (stance IN ('supports', 'refutes', 'neutral')),
    score            DOUBLE NOT NULL,
    cue              VARCHAR NOT NULL,
    rationale        VARCHAR NOT NULL,
    run_id           VARCHAR,
    PRIMARY KEY (claim_id, passage_id)
);

CREATE TABLE contradictions (
    contradiction_id  VARCHAR PRIMARY KEY,
    claim_id_a        VARCHAR NOT NULL,
    claim_id_b        VARCHAR,
    kind              VARCHAR NOT NULL CHECK (kind IN ('polarity', 'numeric', 'date', 'antonym', 'denial', 'temporal')),
    score             DOUBLE NOT NULL,
    explanation       VARCHAR NOT NULL,
    speaker_a         VARCHAR,
    speaker_b         VARCHAR,
    same_document     BOOLEAN NOT NULL,
    run_id            VARCHAR
);

CREATE TABLE verdicts (
    claim_id             VARCHAR PRIMARY KEY,
    verdict              VARCHAR NOT NULL CHECK (verdict IN ('supported', 'refuted', 'disputed', 'unverified')),
    confidence           DOUBLE NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    rationale            VARCHAR NOT NULL,
    n_supporting_sources INTEGER NOT NULL,
    n_refuting_sources   INTEGER NOT NULL,
    run_id               VARCHAR
);
