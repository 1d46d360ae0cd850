"""Stage 1, ingest: files, folders, JSONL, HTML and RSS/Atom in; Document records (or recorded errors) out."""
from ingest.models import Document, IngestError
from ingest.readers import read_sources

__all__ = ["Document", "IngestError", "read_sources"]
