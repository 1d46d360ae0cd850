"""Prefect's temporary API server, started while the rest of a CLI run is still loading.

With no PREFECT_API_URL, a flow run starts a temporary Prefect server in a subprocess on its first
API call and waits for it to answer (Prefect polls its health every 0.1 s); on 2 cores that is
several seconds of every `claimflow run` spent waiting. `start_early()` starts that same server (Prefect's
own `SubprocessASGIServer`, one per process) in a thread, so that it boots while claimflow imports
its stages and loads its models; the flow then finds it running. With PREFECT_API_URL set (a
`prefect server start`, Prefect Cloud, or the test harness), nothing is started: the run uses that API.
"""
from __future__ import annotations

import threading
from collections.abc import Callable


def start_early() -> Callable[[], None]:
    """Start the temporary server in the background when the run will need one; returns a function
    that waits until it has started (call it before the flow). A server that fails to start here is
    started (or its failure reported) by Prefect itself when the flow begins."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return lambda: None

    def start() -> None:
        from prefect.server.api.server import SubprocessASGIServer

        try:
            SubprocessASGIServer().start()
        except Exception:  # noqa: BLE001 - Prefect retries the start in the flow and reports its own error
            pass

    thread = threading.Thread(target=start, name="prefect-temporary-server", daemon=True)
    thread.start()
    return thread.join
