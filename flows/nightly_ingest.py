"""The nightly flow: inbox -> ingest -> clean -> place -> extract -> validate -> publish.

Read this file as the pipeline's table of contents; the work is in `tasks/`.
The per-file stages run in batches (`tasks/process.py`), one Prefect task per batch: by default
the tasks hand their batch to a local process pool (one process per core, no server to install);
with `industry-etl run --dask/--workers` the Dask task runner places the batch tasks on its workers.
Rows are staged on disk between stages, so memory does not grow with the size of the inbox.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from industry_etl.progress import report
from tasks.extract import catalog_codes
from tasks.facts import FactsReport
from tasks.health import documented_source_files, repair_task
from tasks.ingest import DEFAULT_MAX_BYTES, commit_ledger, is_retried, mark_duplicates, plan_ingest
from tasks.process import BatchResult, local_pool, process_batch_in_pool
from tasks.publish import publish_task, warehouse_lock
from tasks.removed import POLICIES, Withdrawal, refuse_empty_inbox, withdrawal_task
from tasks.review import run_pages_task
from tasks.tables import documents_table
from tasks.validate import GateSummary, validate_staged_task, warm_up_in_background

# The per-file stages' tasks are wrapped here, not in their modules: the pool's workers import
# those modules, and a worker that never runs a Prefect task should not pay Prefect's import.
# Ingest must look at the disk every time: nothing may be served from a task cache. Retried with
# back-off: they touch the file system (a busy NFS mount, a file being copied in).
plan_ingest_task = task(plan_ingest, name="ingest", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
commit_ledger_task = task(commit_ledger, name="commit-ledger", retries=2, retry_delay_seconds=[1, 5],
                          cache_policy=NO_CACHE)
# One Prefect task per batch (the per-file stages are plain functions called inside it).
process_batch_task = task(process_batch_in_pool, name="clean-place-extract", cache_policy=NO_CACHE)

FAILED_STATUSES = ("empty", "undecodable", "too_large", "unreadable")
RUNS_DIR = "_runs"  # per-run staging under the warehouse (underscore: readers ignore it)
HOLD_ROWS = 400_000  # a run with at most this many rows (~300 B each) hands them to publish in memory



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
    quality_page: str | None = None
    quality_status: str = "nothing new to check"
    run_failed: bool = False
    failed_share: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    facts: FactsReport = field(default_factory=FactsReport)
    run_page: str | None = None  # facts this run wrote, conflicts, review pages
    review_pages: list[str] = field(default_factory=list)  # documents with quarantined rows
    repairs: list[str] = field(default_factory=list)  # what the repair step found and did
    withdrawn: dict[str, int] = field(default_factory=dict)  # files gone from the inbox -> rows withdrawn
    removed_kept: int = 0  # files gone from the inbox whose rows stay (`removed="keep"`)


@flow(name="nightly_ingest", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 1))
def nightly_ingest(
    inbox: str = "data/inbox",
    warehouse: str = "data/warehouse",
    force: bool = False,
    since: datetime | None = None,
    batch_size: int = 250,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fail_share: float = 0.20,
    local_workers: int = 0,
    repair_all: bool = False,
    removed: str = "withdraw",  # a str: a Literal here fails Prefect's parameter model in a served run
    allow_empty_inbox: bool = False,
) -> RunSummary:
    """One run over the inbox: only new or changed files are read; every file ends with a status.

    `local_workers`: processes of the local pool that runs the batches (0: one per core; -1: no
    pool, the flow's task runner places the batches, e.g. on Dask workers). `repair_all`: check
    every file's checksum and every document's rows first, not only file sizes (`run --repair`).
    `removed`: what becomes of files that left the inbox, "withdraw" their rows or "keep" them
    (`tasks/removed.py`); `allow_empty_inbox`: withdraw even when none of the documented files is left.
    """
    if removed not in POLICIES:
        raise ValueError(f"removed must be one of {', '.join(POLICIES)}, not {removed!r}")
    withdraw = removed == "withdraw"
    inbox_dir, warehouse_dir = Path(inbox).resolve(), Path(warehouse).resolve()
    run_id = str(flow_run.get_id() or uuid.uuid4())
    with warehouse_lock(warehouse_dir), run_staging(warehouse_dir, run_id) as staging:
        repair = repair_task(warehouse_dir, inbox_dir, full=repair_all, run_id=run_id, withdraw=withdraw)
        for message in repair.messages:
            report(f"repair: {message}")
        plan = plan_ingest_task(inbox_dir, warehouse_dir, force=force, since=since, reread=repair.reread,
                                withdraw=withdraw, gone=repair.gone)
        report(f"ingest: {len(plan.to_read)} new or changed files, {plan.unchanged} unchanged, "
               f"{len(plan.removed)} no longer in the inbox")
        if withdraw:
            refuse_empty_inbox(inbox_dir, plan.removed, plan.recorded, allow_empty_inbox)
        withdrawn = withdrawal_task(warehouse_dir, plan.withdrawn, run_id, datetime.now(UTC)) if plan.withdrawn \
            else Withdrawal()
        use_pool = local_workers >= 0 and len(plan.to_read) > batch_size
        with local_pool(local_workers) if use_pool else nullcontext():
            if use_pool:  # this process only waits while the pool works: load GE meanwhile
                warm_up_in_background()
            results = process_in_batches(plan.to_read, batch_size, max_bytes, staging)
        docs = plan.early + [d for r in results for d in r.documents]
        mark_duplicates(docs, plan.ledger)

        documents = pa.concat_tables([documents_table(docs, row_counts(results, docs), run_id, datetime.now(UTC)),
                                      withdrawn.documents])
        report(f"extract: {sum(r.rows for r in results)} indicator rows from {len(docs)} files; validating")
        gate = validate_staged_task([Path(r.rows_file) for r in results if r.rows_file], documents.to_pandas(), run_id,
                             staging, warehouse_dir / "_docs", catalog_codes(), fail_share=fail_share,
                             skip=duplicate_versions(docs), hold_rows=HOLD_ROWS)
        publish_task(
            warehouse_dir,
            {"indicators": quote(gate.rows("indicators")), "quarantine": quote(gate.rows("quarantine")),
             "documents": documents},
            replace_doc_ids=(),
            replace_source_files=quote(reprocessed_files(docs, plan, warehouse_dir, repair.reread)),
            replace_document_versions=quote([(d.doc_id, d.source_file) for d in docs if not is_retried(d)]
                                            + withdrawn.versions),
            run_id=run_id,
        )
        # quote(): Prefect would otherwise walk every document twice looking for futures (~28 s at 100,000)
        commit_ledger_task(warehouse_dir, plan.ledger, quote(docs))
        report(f"publish: {gate.published_rows} rows published, {gate.quarantined_rows} quarantined")
        facts, pages = run_pages_task(warehouse_dir, inbox_dir, run_id)

    summary = summarise(run_id, plan.unchanged, docs, gate, results)
    summary.facts, summary.run_page = facts, str(pages.index)
    summary.review_pages = [str(p) for p in pages.reviews]
    summary.repairs = repair.messages
    summary.withdrawn, summary.removed_kept = withdrawn.rows, 0 if withdraw else len(plan.removed)
    publish_run_artifacts(summary, gate)
    if summary.run_failed:
        raise RuntimeError(
            f"{summary.failed_share:.0%} of this run's rows failed data-quality checks "
            f"(limit {fail_share:.0%}); they are in the quarantine table. Data quality: {summary.quality_page}"
        )
    return summary


@contextlib.contextmanager
def run_staging(warehouse: Path, run_id: str) -> Iterator[Path]:
    """A scratch folder for this run's staged rows; removed afterwards, and leftovers of crashed runs too."""
    runs = warehouse / RUNS_DIR
    shutil.rmtree(runs, ignore_errors=True)  # we hold the warehouse lock: nothing else uses it
    staging = runs / run_id
    staging.mkdir(parents=True)
    try:
        yield staging
    finally:
        shutil.rmtree(runs, ignore_errors=True)


def process_in_batches(sources: list, batch_size: int, max_bytes: int, staging: Path) -> list[BatchResult]:
    """Batches of files on the task runner; a single batch runs in-process (no pool start-up)."""
    batches = [sources[i: i + batch_size] for i in range(0, len(sources), batch_size)]
    files = [str(staging / f"rows-{i:06d}.parquet") for i in range(len(batches))]
    if len(batches) <= 1:
        return [process_batch_task(b, f, max_bytes) for b, f in zip(batches, files, strict=True)]
    futures = [process_batch_task.submit(b, f, max_bytes) for b, f in zip(batches, files, strict=True)]
    results = []
    for i, future in enumerate(futures, 1):
        results.append(future.result())
        report(f"clean/place/extract: batch {i}/{len(batches)} done")
    return results


def row_counts(results: list[BatchResult], docs: list) -> dict[str, tuple[int, int]]:
    """doc_id -> (rows, redacted rows) of the documents whose rows are kept (not duplicates)."""
    counts = {k: v for r in results for k, v in r.row_counts.items()}
    for d in docs:
        if d.status == "duplicate":
            counts[f"{d.doc_id}\x00{d.source_file}"] = (0, 0)
    return counts


def duplicate_versions(docs: list) -> list[tuple[str, str]]:
    """(doc_id, source_file) of documents found to be duplicates after extraction: their rows go."""
    return [(d.doc_id, d.source_file) for d in docs if d.status == "duplicate"]


def reprocessed_files(docs: list, plan, warehouse: Path, reread: frozenset[str]) -> list[str]:
    """Files read before whose earlier rows this run replaces (new files have none to replace).

    Known from the ledger, and from the warehouse's own `documents` table: a lost or stale ledger
    must never let a file's rows be added a second time. Files withdrawn from the inbox lose theirs."""
    names = {d.source_file for d in docs if not is_retried(d)}
    known = plan.ledger.stat_keys
    return sorted({n for n in names if n in known} | set(plan.previous_doc_ids) | (names & reread)
                  | documented_source_files(warehouse, {n for n in names if n not in known}) | set(plan.withdrawn))


def summarise(run_id: str, unchanged: int, docs: list, gate: GateSummary, results: list[BatchResult]) -> RunSummary:
    statuses = Counter(d.status for d in docs)
    failed = [(d.source_file, d.status, d.status_detail or "") for d in docs if d.status in FAILED_STATUSES]
    seconds: Counter[str] = Counter()
    for r in results:
        seconds.update(r.seconds)
    return RunSummary(
        run_id=run_id,
        files_new=len(docs) - len(failed),
        files_skipped=unchanged,
        files_failed=len(failed),
        statuses=dict(sorted(statuses.items())),
        failed_files=sorted(failed),
        rows_published=gate.published_rows,
        rows_quarantined=gate.quarantined_rows,
        failure_counts=dict(sorted((gate.failure_counts or {}).items())),
        quality_page=str(gate.quality_page) if gate.quality_page else None,
        quality_status=gate.quality_status,
        run_failed=gate.run_failed,
        failed_share=gate.failed_share,
        stage_seconds={k: round(v, 3) for k, v in seconds.items()},
    )


def publish_run_artifacts(summary: RunSummary, gate: GateSummary) -> None:
    """A table artifact (files, rows, failures) and a markdown artifact naming the data-quality page."""
    table = [{"what": "files", "key": k, "count": v} for k, v in summary.statuses.items()]
    for by, what in ((gate.published_by or {}, "published"), (gate.quarantined_by or {}, "quarantined")):
        table += [{"what": f"rows {what}", "key": f"{region or '(unknown)'} / {indicator}", "count": n}
                  for (region, indicator), n in sorted(by.items(), key=lambda kv: (str(kv[0][0]), kv[0][1]))]
    table += [{"what": "expectation failed", "key": k, "count": v} for k, v in summary.failure_counts.items()]
    create_table_artifact(table=table, key="run-summary", description="Files by status, rows, failed checks")
    create_markdown_artifact(
        key="data-quality",
        markdown=(f"# Data quality: {summary.quality_status}\n\nThis run's page: `{summary.quality_page}`\n\n"
                  f"Rows published: {summary.rows_published}; quarantined: {summary.rows_quarantined}.\n\n"
                  f"Facts: {summary.facts.changed} written by this run ({summary.facts.changed_conflicts} conflicts); "
                  f"{summary.facts.conflicts} conflicts of {summary.facts.total} facts in all. "
                  f"Run page (facts, review pages of documents with quarantined rows): `{summary.run_page}`"),
    )
