"""The data-quality page of a run: what each expectation found, by tier, readable with no network.

Rendered by us from the gate's results (not GE's Data Docs, whose pages load Bootstrap, jQuery and
Font Awesome from public CDNs and show an unstyled page offline). One self-contained HTML file per
run, `<docs>/runs/<run_id>.html` (inline CSS, no script, no external link), and `<docs>/index.html`
listing the recent runs. Each expectation reads:
  - passed: no row failed it;
  - warning: a `warn`-tier expectation some rows failed (they are published and counted);
  - failed: an `error`-tier expectation some rows failed (they went to the quarantine table).
A run reads as the worst of its expectations: "passed", "passed with warnings" or "failed".
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

EXAMPLES_PER_CHECK = 5
EVIDENCE_CHARS = 80
RUNS_LISTED = 100
EXAMPLE_COLUMNS = {
    "indicators": ("source_file", "region", "year", "indicator", "subject", "measure", "value", "unit", "evidence"),
    "documents": ("source_file", "status", "status_detail", "region", "year"),
}
RUN_STATUS = {"failed": "failed", "warning": "passed with warnings", "passed": "passed"}
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC",sans-serif;margin:0;
     color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:16px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#d0d7de}main{padding:16px 28px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;color:#fff}
.passed{background:#1a7f37}.warning{background:#9a6700}.failed{background:#cf222e}
.cards{display:flex;gap:12px;margin:12px 0 20px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:22px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:0 0 16px;padding:8px 16px 14px}
section h2{font-size:16px;margin:8px 0}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid #d8dee4;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
table.examples{font-size:12px;margin:4px 0 10px}table.examples td{color:#57606a}
.why{color:#57606a;font-size:12px}a{color:#0969da}
"""


@dataclass
class CheckResult:
    """One expectation over the rows of a run (or of one chunk of them)."""

    table: str
    name: str
    tier: str
    why: str
    checked: int
    failed: int
    examples: list[dict[str, object]] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.failed:
            return "passed"
        return "failed" if self.tier == "error" else "warning"


def check_results(table: str, expectations: Sequence[dict], failures: dict[str, np.ndarray],
                  rows: pd.DataFrame) -> list[CheckResult]:
    """One CheckResult per expectation of a suite file, with a few of the failing rows as examples."""
    columns = [c for c in EXAMPLE_COLUMNS[table] if c in rows.columns]
    results = []
    for expectation in expectations:
        meta = expectation["meta"]
        failing = failures.get(meta["name"], np.empty(0, dtype="int64"))
        # (most expectations fail no row: an empty `iloc` of every column still costs milliseconds)
        sample = rows.iloc[failing[:EXAMPLES_PER_CHECK]][columns].to_dict("records") if len(failing) else []
        results.append(CheckResult(table, meta["name"], meta["tier"], meta.get("why", ""), len(rows),
                                   len(failing), [_plain(r) for r in sample]))
    return results


def _plain(record: dict[str, object]) -> dict[str, object]:
    """JSON- and HTML-ready values: nulls as None, long evidence cut."""
    out: dict[str, object] = {}
    for key, value in record.items():
        if value is None or (not isinstance(value, str | list | np.ndarray) and pd.isna(value)):
            out[key] = None
        elif isinstance(value, str) and len(value) > EVIDENCE_CHARS:
            out[key] = value[:EVIDENCE_CHARS] + "…"
        else:
            out[key] = value.item() if isinstance(value, np.generic) else value
    return out


def merge_checks(total: list[CheckResult], more: Iterable[CheckResult]) -> list[CheckResult]:
    """Counts added up by (table, name); examples kept from the first chunks until there are enough."""
    by_key = {(c.table, c.name): c for c in total}
    for check in more:
        seen = by_key.get((check.table, check.name))
        if seen is None:
            by_key[(check.table, check.name)] = replace(check, examples=list(check.examples))
            continue
        seen.checked += check.checked
        seen.failed += check.failed
        seen.examples += check.examples[: EXAMPLES_PER_CHECK - len(seen.examples)]
    return list(by_key.values())


def run_status(checks: Iterable[CheckResult]) -> str:
    """"passed", "passed with warnings" or "failed": the worst status among the expectations."""
    statuses = {c.status for c in checks}
    worst = next((s for s in ("failed", "warning") if s in statuses), "passed")
    return RUN_STATUS[worst]


def write_quality_page(docs_dir: Path, run_id: str, checks: list[CheckResult], published: int,
                       quarantined: int) -> Path:
    """Write the run's page and its JSON beside it, refresh the index; the run's page path."""
    runs = docs_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    record = {"run_id": run_id, "finished": datetime.now(UTC).isoformat(timespec="seconds"),
              "status": run_status(checks), "published": published, "quarantined": quarantined,
              "checks": [asdict(c) for c in checks]}
    (runs / f"{run_id}.json").write_text(json.dumps(record, ensure_ascii=False, default=str), encoding="utf-8")
    page = runs / f"{run_id}.html"
    page.write_text(render_run(record, checks), encoding="utf-8")
    (docs_dir / "index.html").write_text(render_index(runs), encoding="utf-8")
    return page


def _document(title: str, heading: str, subtitle: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>{CSS}</style></head><body><header><h1>{heading}</h1><p>{subtitle}</p></header>'
            f"<main>{body}</main></body></html>\n")


def render_run(record: dict, checks: list[CheckResult]) -> str:
    status_class = {v: k for k, v in RUN_STATUS.items()}[record["status"]]
    counts = {s: sum(c.status == s for c in checks) for s in ("passed", "warning", "failed")}
    cards = "".join(f'<div class="card"><b>{n:,}</b>{label}</div>' for n, label in (
        (record["published"], "rows published"), (record["quarantined"], "rows quarantined"),
        (counts["passed"], "expectations passed"), (counts["warning"], "with warnings"),
        (counts["failed"], "failed")))
    sections = "".join(_section(status, [c for c in checks if c.status == status])
                       for status in ("failed", "warning", "passed"))
    heading = (f'Data quality: <span class="badge {status_class}">{html.escape(record["status"])}</span>')
    subtitle = f"run {html.escape(record['run_id'])} · {html.escape(record['finished'])} · " \
               '<a style="color:#fff" href="../index.html">all runs</a>'
    return _document(f"data quality {record['run_id']}", heading, subtitle, f'<div class="cards">{cards}</div>{sections}')


SECTION_TITLES = {
    "failed": "Failed: error-tier expectations (failing rows are in the quarantine table)",
    "warning": "Warnings: warn-tier expectations (failing rows are published and counted)",
    "passed": "Passed",
}


def _section(status: str, checks: list[CheckResult]) -> str:
    if not checks:
        return ""
    rows = []
    for c in checks:
        rows.append(f'<tr><td><span class="badge {c.status}">{c.status}</span></td><td>{html.escape(c.table)}</td>'
                    f'<td><b>{html.escape(c.name)}</b><div class="why">{html.escape(c.why)}</div></td>'
                    f'<td>{c.tier}</td><td class="n">{c.failed:,}</td><td class="n">{c.checked:,}</td></tr>')
        if c.examples:
            rows.append(f'<tr><td></td><td colspan="5">{_examples(c.examples)}</td></tr>')
    return (f"<section><h2>{SECTION_TITLES[status]} — {len(checks)}</h2><table><tr><th>status</th><th>table</th>"
            "<th>expectation</th><th>tier</th><th>rows failed</th><th>rows checked</th></tr>"
            f"{''.join(rows)}</table></section>")


def _examples(examples: list[dict[str, object]]) -> str:
    columns = list(examples[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{'' if r[c] is None else html.escape(str(r[c]))}</td>" for c in columns)
                   + "</tr>" for r in examples)
    return f'<table class="examples"><tr>{head}</tr>{body}</table>'


def render_index(runs: Path) -> str:
    records = []
    for path in runs.glob("*.json"):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # a page being written by nobody else (we hold the warehouse lock) or damaged
    records.sort(key=lambda r: r.get("finished", ""), reverse=True)
    status_class = {v: k for k, v in RUN_STATUS.items()}
    rows = "".join(
        f'<tr><td>{html.escape(r["finished"])}</td><td><a href="runs/{html.escape(r["run_id"])}.html">'
        f'{html.escape(r["run_id"])}</a></td><td><span class="badge {status_class.get(r["status"], "warning")}">'
        f'{html.escape(r["status"])}</span></td><td class="n">{r["published"]:,}</td>'
        f'<td class="n">{r["quarantined"]:,}</td></tr>' for r in records[:RUNS_LISTED])
    table = ("<section><h2>Runs, newest first</h2><table><tr><th>finished (UTC)</th><th>run</th><th>status</th>"
             f"<th>rows published</th><th>rows quarantined</th></tr>{rows}</table></section>")
    return _document("industry-etl data quality", "industry-etl data quality",
                     f"{len(records)} runs checked", table)
