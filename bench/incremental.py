"""What an incremental run costs against a full one, on real news (issue 14).

    .venv/bin/python bench/incremental.py [--n 1000] [--add 10] [--out /tmp/claimflow-incremental] [--profile]
                                          [--no-full]

Takes N items of ../shared/datasets/ruwa_dev.jsonl (read at run time, never copied into the
repository; a fixed random sample, seed 0), runs `claimflow run` over them into a fresh database,
adds ADD more items to the inbox and runs again (what a scheduled run does), then runs once over
all N + ADD items into another fresh database with `--rejudge` (the full run). Each run is its own
process, as a deployment's runs are. Prints the wall time of each run, the claims each judged
afresh (`runs.n_claims_judged`), and whether the incremental database's tables equal the full
run's (run ids, times and origins aside; floats compared within 0.001), and each run's peak RSS.
`--profile` writes a cProfile of the incremental run next to the databases; `--no-full` skips the
full run (at 5,000 items it is as long as the first) and compares with the first run only."""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets" / "ruwa_dev.jsonl"
TABLES = ("documents", "claims", "passages", "evidence", "contradictions", "verdicts", "changes_over_time")
SKIP = {"run_id", "ingested_at", "extracted_at", "origin"}


def sample(n: int) -> list[dict]:
    rows, seen = [], set()
    for line in DATA.read_text().splitlines():
        row = json.loads(line)
        if row["id"] not in seen:  # a few ids repeat in the source: the first is kept, as claimflow would
            seen.add(row["id"])
            rows.append({k: v for k, v in row.items() if k != "event"})
    random.Random(0).shuffle(rows)
    return rows[:n]


def write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


PEAK_MB: dict[str, float] = {}  # peak RSS of each run by database and run (its process, or a child it waited for if larger)


def run(folder: Path, db: Path, *extra: str, profile: Path | None = None) -> float:
    command = [str(ROOT / ".venv" / "bin" / "claimflow"), "run", str(folder), "--db", str(db), "-q", *extra]
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage: its peak RSS
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode:
        sys.exit(f"claimflow run failed:\n{stdout}\n{stderr}")
    PEAK_MB[f"{db.name} #{sum(k.startswith(db.name) for k in PEAK_MB) + 1}"] = usage.ru_maxrss / 1024
    print(f"  {stdout.strip().splitlines()[0]}")
    return seconds


def tables(db: Path) -> dict[str, list]:
    """Each table's rows, sorted by their fields other than floats (floats come last in each row)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in TABLES:
            described = [(c, t) for c, t, *_ in con.execute(f"DESCRIBE {table}").fetchall() if c not in SKIP]
            cols = [c for c, t in described if t not in ("DOUBLE", "FLOAT")]
            floats = [c for c, t in described if t in ("DOUBLE", "FLOAT")]
            rows = con.execute(f"SELECT {', '.join(cols + floats)} FROM {table}").fetchall()
            out[table] = sorted(((r[:len(cols)], r[len(cols):]) for r in rows), key=lambda r: repr(r[0]))
        return out
    finally:
        con.close()


TOLERANCE = 1e-3  # models batched with other texts differ in the last digits (a 0.76435 rounds either way)


def differing(a: list, b: list) -> int:
    """Rows of `a` and `b` that differ: in any field other than a float, or a float by more than TOLERANCE."""
    if len(a) != len(b):
        return abs(len(a) - len(b)) + sum(x[0] != y[0] for x, y in zip(a, b))
    return sum(x[0] != y[0] or any((p is None) != (q is None) or (p is not None and abs(p - q) > TOLERANCE)
                                   for p, q in zip(x[1], y[1])) for x, y in zip(a, b))


def last_run(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT n_claims_judged, n_claims FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--add", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path("/tmp/claimflow-incremental"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-full", action="store_true",
                        help="skip the full re-run (and the equality check): compare with the first run only")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"skipped: {DATA} is not here (the real-news set lives in ../shared/datasets)")
    shutil.rmtree(args.out, ignore_errors=True)
    rows = sample(args.n + args.add)
    inbox, everything = args.out / "inbox", args.out / "everything"
    write(inbox / "a.jsonl", rows[:args.n])
    write(everything / "a.jsonl", rows[:args.n])
    write(everything / "b.jsonl", rows[args.n:])
    incremental, full = args.out / "incremental.duckdb", args.out / "full.duckdb"

    print(f"first run over {args.n} items")
    first = run(inbox, incremental)
    first_judged = last_run(incremental)
    write(inbox / "b.jsonl", rows[args.n:])
    print(f"incremental run adding {args.add} items")
    second = run(inbox, incremental, profile=args.out / "incremental.prof" if args.profile else None)
    second_judged = last_run(incremental)
    if not args.no_full:
        print(f"full run over {args.n + args.add} items (--rejudge, fresh database)")
        whole = run(everything, full, "--rejudge")
        full_judged = last_run(full)
    print(f"\nfirst run ({args.n} items):       {first:7.1f} s, {first_judged[0]} of {first_judged[1]} claims judged")
    print(f"incremental run (+{args.add}):     {second:7.1f} s, {second_judged[0]} of {second_judged[1]} claims "
          f"judged afresh; {second / first:.1%} of the first run"
          + ("" if args.no_full else f", {second / whole:.1%} of the full run"))
    print("peak RSS of each run's process: " + ", ".join(f"{k} {v:,.0f} MB" for k, v in PEAK_MB.items()))
    if args.no_full:
        return
    a, b = tables(incremental), tables(full)
    differ = {t: n for t in TABLES if (n := differing(a[t], b[t]))}
    print(f"full run ({args.n + args.add} items):      {whole:7.1f} s, {full_judged[0]} of {full_judged[1]} claims judged")
    print(f"tables equal to the full run's (floats within {TOLERANCE:g}): " + (
        "yes, all of " + ", ".join(TABLES) if not differ else
        "NO: " + ", ".join(f"{t} ({n} rows differ)" for t, n in differ.items())))


if __name__ == "__main__":
    main()
