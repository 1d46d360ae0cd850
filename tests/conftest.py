"""Shared fixtures. Data from ../shared (seeds, datasets) is read at run time; tests that need it
skip with a message where it is absent (a user's clone has no ../shared)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EXAMPLES = ROOT / "examples" / "corpus"
ANSWER_KEY = ROOT / "examples" / "answer_key.json"

# Quiet, local Prefect for the whole test session (set before prefect is imported anywhere).
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="claimflow-prefect-"))
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (it lives in ../shared beside the project, not in a clone)")
    return path


@pytest.fixture
def seeds() -> Path:
    return need(SEEDS)


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the session; the per-flow heartbeat thread is switched off."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield


@pytest.fixture(scope="session")
def demo_db(prefect_harness, tmp_path_factory) -> Path:
    """The bundled sample corpus, verified once by the real flow into a real DuckDB file."""
    from flows.verify import verify_corpus

    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    verify_corpus(sources=[str(EXAMPLES)], db=str(db))
    return db


@pytest.fixture(scope="session")
def seeds_db(prefect_harness, tmp_path_factory) -> Path:
    from flows.verify import verify_corpus

    need(SEEDS)
    db = tmp_path_factory.mktemp("seeds") / "seeds.duckdb"
    verify_corpus(sources=[str(SEEDS)], db=str(db))
    return db


def hold_lock(db, seconds: float):
    """Another process holding a DuckDB file's write lock for `seconds` (as a notebook or a second
    run would); returns the process once it holds the lock."""
    import subprocess
    import sys

    script = f"import duckdb, time\ncon = duckdb.connect({str(db)!r})\nprint('locked', flush=True)\ntime.sleep({seconds})\n"
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc
