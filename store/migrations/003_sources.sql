-- 003_sources: syndicated copies. A passage that repeats (nearly word for word) a passage of another
-- document points at it; documents that share most of their passages form one source group, and
-- verdicts count a group once, however many outlets reprinted it.
ALTER TABLE passages ADD COLUMN duplicate_of VARCHAR;

CREATE TABLE source_groups (
    doc_id     VARCHAR PRIMARY KEY,
    group_id   VARCHAR NOT NULL,
    reason     VARCHAR NOT NULL,
    run_id     VARCHAR
);
