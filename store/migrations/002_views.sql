-- 002_views: convenience views for analysts (read-only joins over the core tables).
CREATE VIEW claim_report AS
SELECT c.claim_id, d.source, d.title, d.published_at, c.speaker, c.text, c.statement,
       c.polarity, c.modality, c.checkworthiness, v.verdict, v.confidence, v.rationale
FROM claims c
JOIN documents d USING (doc_id)
LEFT JOIN verdicts v USING (claim_id);

CREATE VIEW contradiction_report AS
SELECT x.kind, x.score,
       da.source AS source_a, x.speaker_a, a.text AS claim_a,
       db.source AS source_b, x.speaker_b, b.text AS claim_b,
       x.same_document, x.explanation, x.claim_id_a, x.claim_id_b
FROM contradictions x
JOIN claims a ON a.claim_id = x.claim_id_a
JOIN documents da ON da.doc_id = a.doc_id
LEFT JOIN claims b ON b.claim_id = x.claim_id_b
LEFT JOIN documents db ON db.doc_id = b.doc_id;
