"""What one run did, for the Prefect UI: a markdown artifact, a table of its new contradictions, and
a run name that says what happened ("inbox: 12 new, 3 new contradictions").

Plain functions over the database and the run's counts; flows/verify.py publishes them. Kept out of
the flow so that a test can read exactly what a desk would see."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ingest.models import IngestError
from store.writer import RunChanges

LISTED = 50  # rows of each list in the markdown; the tables in the database have them all


def artifact_key(db: str | Path) -> str:
    """The artifact key of a database: lowercase letters, digits and dashes, as Prefect wants."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(str(db)).stem.lower()).strip("-") or "db"
    return f"claimflow-{stem}"


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.replace("|", "\\|").split())[:300]


def contradiction_rows(con, ids: Sequence[str]) -> list[dict]:
    """The contradictions `ids` with both claims, speakers, outlets and dates, for a person to read."""
    if not ids:
        return []
    cur = con.execute(  # the analysts' view, narrowed to these contradictions
        "SELECT r.kind, coalesce(r.speaker_a, r.source_a) AS who_a, r.source_a AS outlet_a,"
        " strftime(r.published_a, '%Y-%m-%d') AS date_a, r.claim_a, coalesce(r.speaker_b, r.source_b) AS who_b,"
        " r.source_b AS outlet_b, strftime(r.published_b, '%Y-%m-%d') AS date_b, r.claim_b, x.contradiction_id"
        " FROM contradiction_report r JOIN contradictions x ON x.kind = r.kind AND x.claim_id_a = r.claim_id_a"
        " AND x.claim_id_b IS NOT DISTINCT FROM r.claim_id_b"
        " WHERE x.contradiction_id IN (SELECT unnest(?)) ORDER BY r.kind, r.claim_a", [list(ids)])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _verdict_rows(con, changes: RunChanges) -> list[tuple[str, str, str]]:
    if not changes.verdicts:
        return []
    text = dict(con.execute("SELECT claim_id, text FROM claims WHERE claim_id IN (SELECT unnest(?))",
                            [[c for c, _, _ in changes.verdicts]]).fetchall())
    return [(text.get(c, c), before or "(none)", after or "(none)") for c, before, after in changes.verdicts]


def run_name(sources: Sequence[str], counts: dict[str, int], changes: RunChanges | None, status: str) -> str:
    """A flow run's name that says what happened: `inbox: 12 new, 3 new contradictions`."""
    first = Path(sources[0]).name if sources else "nothing"
    label = first + (f" +{len(sources) - 1}" if len(sources) > 1 else "")
    parts = [f"{counts.get('n_documents_new', 0)} new"]
    if changes is not None:
        parts.append(f"{len(changes.appeared)} new contradiction{'s' if len(changes.appeared) != 1 else ''}")
    if counts.get("n_ingest_errors"):
        parts.append(f"{counts['n_ingest_errors']} not ingested")
    if status != "completed":
        parts.append(status)
    return f"{label}: {', '.join(parts)}"


def run_markdown(con, run_id: str, db: str, engine: str, judge: str, counts: dict[str, int],
                 errors: Sequence[IngestError], changes: RunChanges, crashed: Sequence[str] = (),
                 note: str | None = None) -> str:
    """The run's report: counts, what was not ingested and why, new and vanished contradictions,
    verdicts that changed, pending work."""
    lines = [f"# claimflow run `{run_id}`", "",
             f"Database `{db}` · engine `{engine}` · judge `{judge}`", "",
             "| documents seen | new | not ingested | claims | contradictions | new | gone | verdicts changed | pending |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| {counts.get('n_documents_seen', 0)} | {counts.get('n_documents_new', 0)} | "
             f"{counts.get('n_ingest_errors', 0)} | {counts.get('n_claims', 0)} | {counts.get('n_contradictions', 0)} | "
             f"{len(changes.appeared)} | {len(changes.disappeared)} | {len(changes.verdicts)} | "
             f"{counts.get('n_pending', 0)} |", ""]
    if note:
        lines += [f"**Note**: {_cell(note)}", ""]
    if crashed:
        lines += [f"Closed as crashed (their process had ended): {', '.join(f'`{r}`' for r in crashed)}; "
                  "this run redid their work.", ""]
    if errors:
        by_reason = Counter(e.reason for e in errors)
        lines += ["## Not ingested", "", ", ".join(f"{n} {reason}" for reason, n in by_reason.most_common()), "",
                  "| origin | reason | detail |", "|---|---|---|"]
        lines += [f"| {_cell(e.origin)} | {e.reason} | {_cell(e.detail)} |" for e in errors[:LISTED]]
        if len(errors) > LISTED:
            lines.append(f"| … {len(errors) - LISTED} more: `SELECT * FROM ingest_errors` | | |")
        lines.append("")
    rows = contradiction_rows(con, changes.appeared)
    lines += ["## New contradictions", ""]
    if rows:
        lines += ["| kind | who (outlet, date) | claim | who (outlet, date) | claim |", "|---|---|---|---|---|"]
        lines += [f"| {r['kind']} | {_cell(r['who_a'])} ({_cell(r['outlet_a'])}, {r['date_a'] or '?'}) | "
                  f"{_cell(r['claim_a'])} | {_cell(r['who_b'])} ({_cell(r['outlet_b'])}, {r['date_b'] or '?'}) | "
                  f"{_cell(r['claim_b'])} |" for r in rows[:LISTED]]
        if len(rows) > LISTED:
            lines.append(f"\n… {len(rows) - LISTED} more: `SELECT * FROM history WHERE run_id = '{run_id}'`")
    else:
        lines.append("None.")
    if changes.disappeared:
        lines += ["", f"{len(changes.disappeared)} contradictions of earlier runs no longer hold "
                      f"(`SELECT * FROM contradiction_history WHERE run_id = '{run_id}'`)."]
    verdicts = _verdict_rows(con, changes)
    lines += ["", "## Verdicts that changed", ""]
    if verdicts:
        lines += ["| claim | before | after |", "|---|---|---|"]
        lines += [f"| {_cell(t)} | {b} | {a} |" for t, b, a in verdicts[:LISTED]]
        if len(verdicts) > LISTED:
            lines.append(f"\n… {len(verdicts) - LISTED} more: `SELECT * FROM verdict_history WHERE run_id = '{run_id}'`")
    else:
        lines.append("None.")
    if counts.get("n_pending"):
        limited = con.execute("SELECT count(*) FROM pending WHERE stage = 'limit'").fetchone()[0]
        lines += ["", "## Pending", "", f"{counts['n_pending'] - limited} items wait for the next run: "
                  "`SELECT * FROM pending WHERE stage <> 'limit'`."]
        if limited:
            lines += ["", f"{limited} check-worthy claims are past their document's bound and are not judged "
                          "(ingest/limits.py: CLAIMFLOW_MAX_CLAIMS_PER_DOCUMENT): `SELECT * FROM pending WHERE stage = 'limit'`."]
    return "\n".join(lines) + "\n"
