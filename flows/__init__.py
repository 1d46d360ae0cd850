"""Prefect flows: thin wrappers over claimflow.pipeline, one task per stage, batch work per task."""
