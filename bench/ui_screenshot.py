"""Screenshots of what a run shows in the real Prefect UI, taken with headless Chromium (issue 14).

    .venv/bin/python bench/ui_screenshot.py [--out docs/img] [--port 4271]

Starts `prefect server start` on 127.0.0.1 (its own PREFECT_HOME in a temporary folder), runs
`claimflow run` twice against it over the bundled examples (the second run brings the other
outlet's account of the Tarsk bridge, so its report lists a new contradiction), then opens the
second run's page and its markdown artifact in headless Chromium and saves the screenshots:

    OUT/prefect-run.png        the flow run: its name, tags, state message and tasks
    OUT/prefect-artifact.png   the run's markdown report

Chromium is Debian's (`apt-get install chromium`); the script says so and stops when it is missing."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "corpus"
FIRST = ("06_coastal_ledger_tarsk_bridge.txt", "01_harbour_post_kaldera_port.txt", "03_valdia_today_central_bank.txt")
SECOND = ("07_northern_wire_tarsk_storm.txt",)  # disagrees with 06 on the date of the collapse
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def _post(url: str, body: dict):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def _wait(api: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _get(f"{api}/health")
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the Prefect server at {api} did not answer in {seconds:g} s")


def _screenshot(chromium: str, url: str, out: Path, profile: Path, size: str = "1440,1000") -> None:
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
                    "--virtual-time-budget=15000", f"--screenshot={out}", url],
                   check=True, capture_output=True, timeout=120)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--port", type=int, default=4271)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("needs Debian's chromium: apt-get install -y chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    api = f"http://127.0.0.1:{args.port}/api"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect"), "PREFECT_API_URL": api,
               "PREFECT_UI_API_URL": api, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "PREFECT_LOGGING_LEVEL": "WARNING"}
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "prefect"), "server", "start", "--host", "127.0.0.1",
                                   "--port", str(args.port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            _wait(api)
            inbox, db = tmp / "inbox", tmp / "desk.duckdb"
            inbox.mkdir()
            for batch in (FIRST, SECOND):
                for name in batch:
                    shutil.copy(EXAMPLES / name, inbox / name)
                subprocess.run([str(ROOT / ".venv" / "bin" / "claimflow"), "run", str(inbox), "--db", str(db), "-q"],
                               env=env, check=True)
            runs = _post(f"{api}/flow_runs/filter", {"sort": "START_TIME_DESC", "limit": 1})
            run = runs[0]
            artifacts = _post(f"{api}/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]},
                                                                        "type": {"any_": ["markdown"]}}})
            print(f"flow run {run['name']!r}: {run['state']['message']}")
            profile = tmp / "chromium"
            _screenshot(chromium, f"http://127.0.0.1:{args.port}/runs/flow-run/{run['id']}", args.out / "prefect-run.png",
                        profile)
            _screenshot(chromium, f"http://127.0.0.1:{args.port}/artifacts/artifact/{artifacts[0]['id']}",
                        args.out / "prefect-artifact.png", profile, "1440,1400")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
