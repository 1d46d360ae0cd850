"""claimflow: fact-claim verification workflow (ingest -> extract -> retrieve -> judge -> record)."""
__version__ = "0.1.0"
