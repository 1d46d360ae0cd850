-- 007_agent_kind: a contradiction can be of kind "agent": the same act, done by different parties
-- ("Ukrainians hit the station" / "Russian missiles hit the station"). DuckDB cannot change a CHECK in
-- place, so the table is rebuilt with the same columns and rows.
CREATE TABLE contradictions_007 (
    contradiction_id  VARCHAR PRIMARY KEY,
    claim_id_a        VARCHAR NOT NULL,
    claim_id_b        VARCHAR,
    kind              VARCHAR NOT NULL CHECK (kind IN ('polarity', 'numeric', 'date', 'antonym', 'denial', 'agent',
                                                      'temporal')),
    score             DOUBLE NOT NULL,
    explanation       VARCHAR NOT NULL,
    speaker_a         VARCHAR,
    speaker_b         VARCHAR,
    same_document     BOOLEAN NOT NULL,
    run_id            VARCHAR
);
INSERT INTO contradictions_007 SELECT * FROM contradictions;
DROP VIEW contradiction_report;
DROP TABLE contradictions;
ALTER TABLE contradictions_007 RENAME TO contradictions;
CREATE VIEW contradiction_report AS
SELECT x.kind, x.score,
       da.source AS source_a, x.speaker_a, a.text AS claim_a,
       db.source AS source_b, x.speaker_b, b.text AS claim_b,
       x.same_document, x.explanation, x.claim_id_a, x.claim_id_b,
       a.doc_id AS doc_id_a, da.title AS title_a, da.published_at AS published_a, da.url AS url_a,
       b.doc_id AS doc_id_b, db.title AS title_b, db.published_at AS published_b, db.url AS url_b
FROM contradictions x
JOIN claims a ON a.claim_id = x.claim_id_a
JOIN documents da ON da.doc_id = a.doc_id
LEFT JOIN claims b ON b.claim_id = x.claim_id_b
LEFT JOIN documents db ON db.doc_id = b.doc_id;
