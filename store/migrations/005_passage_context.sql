-- Document context for retrieval: each passage carries its document's title, and a second e5 vector
-- of "title. sentence" (NULL when the document has no title). `embedding` stays the vector of the
-- sentence alone (near-duplicate detection and the HNSW index use it); retrieval uses
-- coalesce(context_embedding, embedding), and the BM25 index covers title and text.
ALTER TABLE passages ADD COLUMN title VARCHAR;
ALTER TABLE passages ADD COLUMN context_embedding FLOAT[384];
