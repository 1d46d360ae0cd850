"""Stages 3 and 4: passages, hybrid retrieval (BM25 + dense) in DuckDB, and the pair judge."""
