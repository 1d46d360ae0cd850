-- 006_events: changes over time, the contradiction kind "agent", and reports a reviewer can read without joining five tables.
-- A change over time is the same count reported twice, later and higher ("as of 19:30, 10 killed",
-- then "as of 20:50, 11 killed"): not a contradiction, but worth seeing (verdicts/events.py).
CREATE TABLE changes_over_time (
    change_id         VARCHAR PRIMARY KEY,
    claim_id_earlier  VARCHAR NOT NULL,
    claim_id_later    VARCHAR NOT NULL,
    explanation       VARCHAR NOT NULL,
    speaker_earlier   VARCHAR,
    speaker_later     VARCHAR,
    run_id            VARCHAR
);

-- Each claim with its document (id, outlet, title, date, link) and its verdict.
CREATE OR REPLACE VIEW claim_report AS
SELECT c.claim_id, c.doc_id, d.source, d.title, d.published_at, d.url, c.speaker, c.text, c.statement,
       c.polarity, c.modality, c.checkworthiness,
       coalesce(v.verdict, CASE WHEN p.claim_id IS NOT NULL THEN 'pending' END) AS verdict,
       v.confidence, coalesce(v.rationale, p.reason) AS rationale,
       v.n_supporting_sources, v.n_refuting_sources
FROM claims c
JOIN documents d USING (doc_id)
LEFT JOIN verdicts v USING (claim_id)
LEFT JOIN (SELECT claim_id, any_value(reason) AS reason FROM pending WHERE claim_id IS NOT NULL GROUP BY claim_id) p
       USING (claim_id);

-- A contradiction can be of kind "agent": the same act, done by different parties ("Ukrainians hit the
-- station" / "Russian missiles hit the station"). DuckDB cannot change a CHECK in place, so the table is
-- rebuilt with the same columns and rows, and its report view with it: each contradiction with both
-- claims, who said them, and both documents (id, outlet, title, date, link).
CREATE TABLE contradictions_006 (
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
INSERT INTO contradictions_006 SELECT * FROM contradictions;
DROP VIEW contradiction_report;
DROP TABLE contradictions;
ALTER TABLE contradictions_006 RENAME TO contradictions;
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

-- Each change over time with both counts and their documents.
CREATE VIEW change_report AS
SELECT a.text AS earlier, da.source AS source_earlier, da.published_at AS published_earlier,
       b.text AS later, db.source AS source_later, db.published_at AS published_later,
       x.explanation, x.speaker_earlier, x.speaker_later, a.doc_id AS doc_id_earlier, b.doc_id AS doc_id_later,
       x.claim_id_earlier, x.claim_id_later
FROM changes_over_time x
JOIN claims a ON a.claim_id = x.claim_id_earlier
JOIN documents da ON da.doc_id = a.doc_id
JOIN claims b ON b.claim_id = x.claim_id_later
JOIN documents db ON db.doc_id = b.doc_id;
