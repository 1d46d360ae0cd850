-- 008_history: what each run changed. The current tables (verdicts, contradictions) keep the latest
-- state; these keep every change with the run that made it, so that an analyst can ask what changed
-- since run R or since date D (view `history`). Written by store/writer.py:save_judgements.
CREATE TABLE verdict_history (
    run_id          VARCHAR NOT NULL,
    claim_id        VARCHAR NOT NULL,
    verdict_before  VARCHAR,          -- NULL: the claim had no verdict before this run
    verdict_after   VARCHAR,          -- NULL: the claim has none after it (its document went)
    confidence_after DOUBLE,
    recorded_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, claim_id)
);

CREATE TABLE contradiction_history (
    run_id           VARCHAR NOT NULL,
    contradiction_id VARCHAR NOT NULL,
    change           VARCHAR NOT NULL CHECK (change IN ('appeared', 'disappeared')),
    kind             VARCHAR NOT NULL,
    claim_id_a       VARCHAR NOT NULL,
    claim_id_b       VARCHAR,
    recorded_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, contradiction_id)
);

-- One row per change, newest first: SELECT * FROM history WHERE run_started >= DATE '2026-12-01',
-- or WHERE run_started > (SELECT started_at FROM runs WHERE run_id = 'R').
CREATE VIEW history AS
SELECT h.run_id, r.started_at AS run_started, 'verdict' AS what, h.claim_id AS item_id,
       coalesce(h.verdict_before, '(none)') || ' -> ' || coalesce(h.verdict_after, '(none)') AS change,
       c.text, d.source, d.doc_id
FROM verdict_history h
LEFT JOIN runs r USING (run_id)
LEFT JOIN claims c ON c.claim_id = h.claim_id
LEFT JOIN documents d ON d.doc_id = c.doc_id
UNION ALL
SELECT h.run_id, r.started_at, 'contradiction', h.contradiction_id, h.change || ' (' || h.kind || ')',
       coalesce(a.text, '') || ' / ' || coalesce(b.text, ''), da.source, da.doc_id
FROM contradiction_history h
LEFT JOIN runs r USING (run_id)
LEFT JOIN claims a ON a.claim_id = h.claim_id_a
LEFT JOIN claims b ON b.claim_id = h.claim_id_b
LEFT JOIN documents da ON da.doc_id = a.doc_id;
