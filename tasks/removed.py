"""Files that left the inbox: withdraw their rows (`--removed withdraw`, the default) or keep them.

The inbox is the set of sources: a file deleted from it no longer states its figures, so under
`withdraw` its rows leave `indicators` and `quarantine`, the facts they fed are rebuilt (the publish
rebuilds the facts partitions whose indicators change), its current `documents` row becomes
`removed` with no rows, and the ledger forgets it (put back, it is read again as new). `keep` is for
inboxes that are emptied after ingest (files archived elsewhere): rows and documents stay.
Modelled on dbt snapshots' `hard_deletes` (`invalidate` / `ignore`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE

from schemas.models import DOCUMENT_SCHEMA
from tasks.read import parquet_scan_sql, sql_string

POLICIES = ("withdraw", "keep")
SHOWN = 10  # removed files named one per line in the summary; beyond that, a count


class WithdrawalRefused(RuntimeError):
    """The inbox holds none of the documented files: more likely a wrong or unmounted folder than a decision."""


@dataclass
class Withdrawal:
    rows: dict[str, int] = field(default_factory=dict)  # source_file -> rows withdrawn (indicators + quarantine)
    documents: pa.Table = field(default_factory=DOCUMENT_SCHEMA.empty_table)  # their rows, now `removed`

    @property
    def versions(self) -> list[tuple[str, str]]:
        """(doc_id, source_file) of the documents rows this run replaces."""
        return list(zip(self.documents.column("doc_id").to_pylist(),
                        self.documents.column("source_file").to_pylist(), strict=True))


def refuse_empty_inbox(inbox: Path, removed: list[str], recorded: int, allow_empty: bool) -> None:
    """Withdrawing every documented file at once is refused unless asked for (`--allow-empty-inbox`)."""
    if removed and len(removed) >= recorded and not allow_empty:
        raise WithdrawalRefused(
            f"inbox {inbox} has none of the {recorded:,} documented files; not withdrawing their rows "
            "(use --removed keep, or --removed withdraw --allow-empty-inbox)")


def scan_sql(warehouse: Path, table: str) -> str:
    return parquet_scan_sql(sql_string(str(warehouse / table / "*" / "*" / "*.parquet")), union_by_name=True)


def rows_of(connection: duckdb.DuckDBPyConnection, warehouse: Path) -> dict[str, int]:
    tables = [t for t in ("indicators", "quarantine") if any((warehouse / t).glob("*/*/*.parquet"))]
    if not tables:
        return {}
    union = " UNION ALL ".join(f"SELECT source_file FROM {scan_sql(warehouse, t)}" for t in tables)
    return dict(connection.execute(f"SELECT source_file, count(*) FROM ({union}) "
                                   "WHERE source_file IN (SELECT name FROM gone) GROUP BY 1").fetchall())


def current_rows(connection: duckdb.DuckDBPyConnection, warehouse: Path) -> pa.Table:
    """The current documents row (latest `first_seen_at`) of each withdrawn file."""
    if not any((warehouse / "documents").glob("*/*/*.parquet")):
        return DOCUMENT_SCHEMA.empty_table()
    return connection.sql(f"""
        SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY source_file
                                                     ORDER BY first_seen_at DESC, run_id DESC) AS k
                       FROM {scan_sql(warehouse, 'documents')} WHERE source_file IN (SELECT name FROM gone))
        WHERE k = 1 AND status != 'removed'""").to_arrow_table()


def withdrawal(warehouse: Path, files: list[str], run_id: str, now: datetime) -> Withdrawal:
    """What withdrawing `files` takes: their row counts, and their documents rows marked `removed`."""
    if not files:
        return Withdrawal()
    with duckdb.connect() as connection:
        connection.register("gone", pa.table({"name": pa.array(files, pa.string())}))
        counts = rows_of(connection, warehouse)
        current = current_rows(connection, warehouse).to_pylist()
    rows = {f: counts.get(f, 0) for f in files}
    for row in current:  # first_seen_at is kept: the row stays the file's current one
        row.update(status="removed", indicators_found=0, redacted_found=0, run_id=run_id,
                   status_detail=f"no longer in the inbox on {now:%Y-%m-%d}; "
                                 f"its {rows[row['source_file']]:,} rows were withdrawn")
    documents = pa.Table.from_pylist([{k: r[k] for k in DOCUMENT_SCHEMA.names} for r in current],
                                     schema=DOCUMENT_SCHEMA)
    return Withdrawal(rows, documents)


def removed_lines(withdrawn: dict[str, int], kept: int) -> list[str]:
    """The run summary's lines about files that left the inbox."""
    lines = [f"removed: {f}: {n:,} rows withdrawn" for f, n in sorted(withdrawn.items())] \
        if len(withdrawn) <= SHOWN else \
        [f"removed: {len(withdrawn):,} files no longer in the inbox, {sum(withdrawn.values()):,} rows withdrawn"]
    if kept:
        lines.append(f"removed: {kept:,} files no longer in the inbox, rows kept (--removed keep)")
    return lines


# Never cached: it reads the warehouse as it is now.
withdrawal_task = task(withdrawal, name="withdraw-removed", cache_policy=NO_CACHE)
