"""The nightly flow: inbox -> ingest -> clean -> place -> extract -> validate -> publish.

Read this file as the pipeline's table of contents; the work is in `tasks/`.
The per-file stages run in batches (`tasks/process.py`) on the flow's task runner: a local
process pool by default (both cores, no server), or a Dask cluster (`industry-etl run --dask`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner

from industry_etl.progress import report
from tasks.extract import catalog_codes
from tasks.ingest import commit_ledger, mark_duplicates, plan_ingest
from tasks.process import BatchResult, process_batch
from tasks.publish import publish_tables, warehouse_lock
from tasks.tables import documents_table, from_pandas, indicators_table
from tasks.validate import validate_tables

FAILED_STATUSES = ("empty", "undecodable", "too_large", "unreadable")

ingest_task = task(plan_ingest, name="ingest", retries=2, retry_delay_seconds=[1, 5])
process_batch_task = task(process_batch, name="clean-place-extract", persist_result=False)
validate_task = task(validate_tables, name="validate", persist_result=False)
publish_task = task(publish_tables, name="publish", retries=2, retry_delay_seconds=[1, 5])
commit_ledger_task = task(commit_ledger, name="commit-ledger", retries=2, retry_delay_seconds=[1, 5])


@dataclass
class RunSummary:
    """What a run did, for the CLI's summary and for tests."""

    run_id: str
    files_new: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failed_files: list[tuple[str, str, str]] = field(default_factory=list)  # (file, status, detail)
    rows_published: int = 0
    rows_quarantined: int = 0
    failure_counts: dict[str, int] = field(default_factory=dict)
    docs_index: str | None = None
    run_failed: bool = False
    failed_share: float = 0.0


@flow(name="nightly_ingest", log_prints=False, task_runner=ProcessPoolTaskRunner(max_workers=2))
def nightly_ingest(
    inbox: str = "data/inbox",
    warehouse: str = "data/warehouse",
    force: bool = False,
    since: datetime | None = None,
    batch_size: int = 250,
    max_bytes: int = 20_000_000,
    fail_share: float = 0.20,
) -> RunSummary:
    """One run over the inbox: only new or changed files are read; every file ends with a status."""
    inbox_dir, warehouse_dir = Path(inbox).resolve(), Path(warehouse).resolve()
    run_id = str(flow_run.get_id() or "local")
    with warehouse_lock(warehouse_dir):
        plan = ingest_task(inbox_dir, warehouse_dir, force=force, since=since)
        report(f"ingest: {len(plan.to_read)} new or changed files, {plan.unchanged} unchanged")
        results = process_in_batches(plan.to_read, batch_size, max_bytes)
        docs = plan.early + [d for r in results for d in r.documents]
        mark_duplicates(docs, plan.ledger)
        rows = rows_of_kept_documents(results, docs)

        now = datetime.now(UTC)
        documents = documents_table(docs, rows, run_id, now)
        indicators = indicators_table(rows, run_id)
        report(f"extract: {len(rows)} indicator rows from {len(docs)} files; validating")
        outcome = validate_task(indicators.to_pandas(), documents.to_pandas(),
                                warehouse_dir / "_docs", catalog_codes(), fail_share=fail_share)
        publish_task(
            warehouse_dir,
            {"indicators": from_pandas("indicators", outcome.published),
             "quarantine": from_pandas("quarantine", outcome.quarantine), "documents": documents},
            replace_doc_ids=[d.doc_id for d in docs if d.status != "duplicate"],
            replace_source_files=list(plan.previous_doc_ids),
        )
        commit_ledger_task(warehouse_dir, plan.ledger, docs)
        report(f"publish: {len(outcome.published)} rows published, {len(outcome.quarantine)} quarantined")

    summary = summarise(run_id, plan.unchanged, docs, outcome)
    publish_run_artifacts(summary, docs, outcome)
    if summary.run_failed:
        raise RuntimeError(
            f"{summary.failed_share:.0%} of this run's rows failed data-quality checks "
            f"(limit {fail_share:.0%}); they are in the quarantine table. Data Docs: {summary.docs_index}"
        )
    return summary


def process_in_batches(sources: list, batch_size: int, max_bytes: int) -> list[BatchResult]:
    """Batches of files on the task runner; a single batch runs in-process (no pool start-up)."""
    batches = [sources[i: i + batch_size] for i in range(0, len(sources), batch_size)]
    if len(batches) <= 1:
        return [process_batch_task(b, max_bytes) for b in batches]
    futures = [process_batch_task.submit(b, max_bytes) for b in batches]
    results = []
    for i, future in enumerate(futures, 1):
        results.append(future.result())
        report(f"clean/place/extract: batch {i}/{len(batches)} done")
    return results


def rows_of_kept_documents(results: list[BatchResult], docs: list) -> list[dict]:
    """Indicator rows of every document that is not a duplicate, in input order."""
    duplicates = {(d.doc_id, d.source_file) for d in docs if d.status == "duplicate"}
    return [r for res in results for r in res.rows if (r["doc_id"], r["source_file"]) not in duplicates]


def summarise(run_id: str, unchanged: int, docs: list, outcome) -> RunSummary:
    statuses = Counter(d.status for d in docs)
    failed = [(d.source_file, d.status, d.status_detail or "") for d in docs if d.status in FAILED_STATUSES]
    return RunSummary(
        run_id=run_id,
        files_new=len(docs) - len(failed),
        files_skipped=unchanged,
        files_failed=len(failed),
        statuses=dict(sorted(statuses.items())),
        failed_files=sorted(failed),
        rows_published=len(outcome.published),
        rows_quarantined=len(outcome.quarantine),
        failure_counts={k: v for k, v in outcome.failure_counts.items() if v},
        docs_index=str(outcome.docs_index) if outcome.docs_index else None,
        run_failed=outcome.run_failed,
        failed_share=outcome.failed_share,
    )


def publish_run_artifacts(summary: RunSummary, docs: list, outcome) -> None:
    """A table artifact (files, rows, failures) and a markdown artifact linking the Data Docs."""
    table = [{"what": "files", "key": k, "count": v} for k, v in summary.statuses.items()]
    for frame, what in ((outcome.published, "published"), (outcome.quarantine, "quarantined")):
        if len(frame):
            counts = frame.groupby(["region", "indicator"], dropna=False).size()
            table += [{"what": f"rows {what}", "key": f"{r or '(unknown)'} / {i}", "count": int(n)}
                      for (r, i), n in counts.items()]
    table += [{"what": "expectation failed", "key": k, "count": v} for k, v in summary.failure_counts.items()]
    create_table_artifact(table=table, key="run-summary", description="Files by status, rows, failed checks")
    create_markdown_artifact(
        key="data-docs",
        markdown=(f"# Data Docs\n\nValidation results of this run: `{summary.docs_index}`\n\n"
                  f"Rows published: {summary.rows_published}; quarantined: {summary.rows_quarantined}."),
    )
