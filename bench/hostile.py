"""A run over the hostile folder (issue 15): how long it takes, what it refused and why, what the
bounds deferred, and what a rerun adds.

    .venv/bin/python bench/hostile.py [--out /tmp/claimflow-hostile] [--limit-minutes 10]

Writes the folder with tests/hostile.py (every file generated there, none copied), runs
`claimflow run` over it into a fresh database with the default bounds (ingest/limits.py), in its
own process with `/usr/bin/time -v` where there is one, then runs again. Prints the wall time and
peak memory of each run, the `ingest_errors` reasons, the pending rows by stage, whether any text
from outside the folder became a document, and fails (exit 1) when the first run takes longer
than --limit-minutes or the rerun adds a document, a claim or a judgement."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import hostile  # noqa: E402  (tests/hostile.py: the generator the tests use)


def run(folder: Path, db: Path) -> tuple[float, float | None, str]:
    command = [str(ROOT / ".venv" / "bin" / "claimflow"), "run", str(folder), "--db", str(db), "-q"]
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if timer:
        command = [timer, "-v", *command]
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: the run completed with files it could not ingest
        sys.exit(f"claimflow run failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return seconds, (int(peak.group(1)) / 1024 if peak else None), done.stdout.strip().splitlines()[0]


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("documents", "claims", "evidence", "verdicts", "judge_memo")}
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("/tmp/claimflow-hostile"))
    parser.add_argument("--limit-minutes", type=float, default=10.0)
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    inbox = hostile.write(args.out / "inbox", args.out / "elsewhere")
    db = args.out / "hostile.duckdb"
    size = sum(p.stat().st_size for p in inbox.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"hostile folder: {sum(1 for _ in inbox.iterdir())} entries, {size / 1024:.0f} KB")

    seconds, peak, line = run(inbox, db)
    print(f"first run: {seconds:.1f} s wall" + (f", {peak:.0f} MB peak" if peak else "") + f"\n  {line}")
    first = counts(db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        reasons = con.execute("SELECT reason, count(*) FROM ingest_errors GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
        pending = con.execute("SELECT stage, count(*) FROM pending GROUP BY 1 ORDER BY 1").fetchall()
        leaked = con.execute("SELECT count(*) FROM documents WHERE text LIKE '%SECRET-OUTSIDE%'").fetchone()[0]
        errors = {origin.rsplit("/", 1)[-1]: reason
                  for origin, reason in con.execute("SELECT origin, reason FROM ingest_errors").fetchall()}
    finally:
        con.close()
    print("ingest_errors:", ", ".join(f"{r} x{n}" for r, n in reasons))
    print("pending:", ", ".join(f"{s} x{n}" for s, n in pending) or "none")
    print(f"documents with text from outside the folder: {leaked}")
    missing = [name for name, reason in hostile.REFUSED.items() if errors.get(name) != reason]
    print("refused files without their expected row:", missing or "none")
    print("tables:", first)

    again, peak, line = run(inbox, db)
    second = counts(db)
    print(f"rerun: {again:.1f} s wall" + (f", {peak:.0f} MB peak" if peak else "") + f"\n  {line}")
    print("rerun adds:", {k: second[k] - first[k] for k in first})

    failures = []
    if seconds > args.limit_minutes * 60:
        failures.append(f"first run took {seconds:.0f} s, over {args.limit_minutes} minutes")
    if leaked:
        failures.append("text from outside the folder became a document")
    if missing:
        failures.append(f"no ingest_errors row with the expected reason for {missing}")
    if second != first:
        failures.append("the rerun changed the tables")
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))
    print("ok")


if __name__ == "__main__":
    main()
