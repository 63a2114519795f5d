"""The warehouse knows its own state: check it against itself, and repair what a run can repair.

Three records must agree. The manifest (`tasks/manifest.py`) lists every table file with its row
count and checksum. The `documents` table says, for the current version of every source file (its
latest `first_seen_at`), how many indicator rows it produced (`indicators_found`, published plus
quarantined). The ledger (`_ledger/ledger.parquet`) is only a cache of which file versions were
processed, rebuildable from `documents`.

`check_warehouse` (the `industry-etl check` command) reports every disagreement. `repair_warehouse`
(the start of every run) repairs: a damaged or missing manifest is rebuilt from the files, a
damaged partition file is moved aside to `_damaged/`, a missing or damaged ledger is rebuilt from
`documents`, and the source files whose rows are incomplete, doubled or undocumented are handed to
the run to be read again (their surviving rows are then replaced by source file, like an edit).
A run checks sizes only (cheap); checksums and row accounting are done when something is off, on
`--repair`, and by `check`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

from schemas.models import TABLE_SCHEMAS
from tasks.ingest import LEDGER_SCHEMA, SETTLED_UNREADABLE, ledger_path, write_ledger_file
from tasks.manifest import (
    FileEntry,
    ManifestError,
    describe_file,
    live_table_files,
    read_manifest,
    repairing_files,
    sha256_of,
    write_manifest,
)
from tasks.publish import JOURNAL_FILE, PART_FILE, STAGING_DIR, partition_dir, read_journal
from tasks.read import parquet_scan_sql, snapshot_lock, sql_string

DAMAGED_DIR = "_damaged"  # damaged files are moved here, never deleted: someone may want to look
ROW_TABLES = ("indicators", "quarantine")


@dataclass
class FileReport:
    """The table files compared with the manifest."""

    good: dict[str, FileEntry] = field(default_factory=dict)  # readable and as recorded (or adopted)
    damaged: dict[str, str] = field(default_factory=dict)  # relative path -> what is wrong
    missing: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)  # on disk, readable, not in the manifest
    manifest_problem: str | None = None  # no manifest, or an unreadable one


def short_error(error: Exception) -> str:
    """Arrow's message without the path it repeats and the advice after the first sentence."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text.split("': ", 1)[-1].split(". ", 1)[0]


# --- files against the manifest -----------------------------------------------------------------


def file_problem(path: Path, entry: FileEntry, checksum: bool) -> str | None:
    """What is wrong with one recorded file, or None."""
    try:
        size = path.stat().st_size
        if size != entry.bytes:
            return f"{size:,} bytes, the manifest says {entry.bytes:,}"
        rows = pq.ParquetFile(path).metadata.num_rows
    except FileNotFoundError:
        return "missing"
    except Exception as error:  # Arrow raises several types for a damaged footer
        return f"not readable ({short_error(error)})"
    if rows != entry.rows:
        return f"{rows:,} rows, the manifest says {entry.rows:,}"
    if checksum and sha256_of(path) != entry.sha256:
        return "checksum differs from the manifest"
    return None


def in_flux(warehouse: Path) -> set[str]:
    """Files of partitions an interrupted publish was rewriting: old or new, both are fine."""
    journal = read_journal(warehouse / STAGING_DIR)
    return {str((partition_dir(warehouse / name, p) / PART_FILE).relative_to(warehouse))
            for name, partitions in journal.items() for p in partitions}


def adopt(warehouse: Path, relative: str) -> FileEntry | str:
    """The entry of a file the manifest does not describe, or what makes it unreadable."""
    try:
        entry = describe_file(warehouse / relative, None)
        pq.read_table(warehouse / relative)  # unrecorded: only reading every page vouches for it
    except Exception as error:
        return f"not readable ({short_error(error)})"
    return entry


def compare_files(warehouse: Path, checksum: bool) -> FileReport:
    report = FileReport()
    try:
        recorded = read_manifest(warehouse)
    except ManifestError as error:
        recorded, report.manifest_problem = None, str(error)
    live = set(live_table_files(warehouse))
    if recorded is None:
        report.manifest_problem = report.manifest_problem or ("no manifest" if live else None)
        recorded = {}
    flux = in_flux(warehouse)
    for relative, entry in recorded.items():
        problem = file_problem(warehouse / relative, entry, checksum)
        if problem == "missing":
            report.missing.append(relative)
        elif problem is None:
            report.good[relative] = entry
        elif relative not in flux:
            report.damaged[relative] = problem
    for relative in sorted((live - report.good.keys()) - report.damaged.keys()):
        found = adopt(warehouse, relative)
        if isinstance(found, str):
            report.damaged[relative] = found
        else:
            report.good[relative] = found
            if relative not in flux and report.manifest_problem is None:
                report.adopted.append(relative)
    return report


# --- rows against documents ---------------------------------------------------------------------


def table_sql(warehouse: Path, name: str, files: Iterable[str]) -> str | None:
    """A SELECT over the given files of one table, or None when there are none."""
    paths = [str(warehouse / f) for f in files if f.startswith(f"{name}/")]
    if not paths:
        return None
    listing = "[" + ", ".join(sql_string(p) for p in paths) + "]"
    return f"SELECT * FROM {parquet_scan_sql(listing)}"


SETTLED = "(" + ", ".join(sql_string(d) for d in sorted(SETTLED_UNREADABLE)) + ")"
ACCOUNTS_SQL = f"""
WITH cur AS (
    SELECT source_file, doc_id, indicators_found, status FROM (
        SELECT *, row_number() OVER (PARTITION BY source_file ORDER BY first_seen_at DESC, run_id DESC) AS k
        FROM documents WHERE NOT (status = 'unreadable' AND coalesce(status_detail, '') NOT IN {SETTLED}))
    WHERE k = 1),
r AS (SELECT source_file, doc_id, run_id FROM indicators UNION ALL SELECT source_file, doc_id, run_id FROM quarantine),
per_file AS (SELECT source_file, count(DISTINCT doc_id) AS versions, count(DISTINCT run_id) AS runs,
                    count(*) AS n, list(DISTINCT doc_id) AS doc_ids FROM r GROUP BY source_file)
SELECT coalesce(cur.source_file, p.source_file) AS source_file, cur.doc_id, cur.indicators_found,
       coalesce(p.n, 0) AS n, coalesce(p.versions, 0) AS versions, coalesce(p.runs, 0) AS runs, p.doc_ids
FROM cur FULL OUTER JOIN per_file p ON cur.source_file = p.source_file
WHERE cur.source_file IS NULL OR p.versions > 1 OR p.runs > 1 OR coalesce(p.n, 0) != cur.indicators_found
   OR (p.n > 0 AND NOT list_contains(p.doc_ids, cur.doc_id))
ORDER BY 1
"""
TWICE_SQL = """SELECT source_file, doc_id, count(*) FROM documents GROUP BY ALL HAVING count(*) > 1 ORDER BY 1, 2"""


def connect(warehouse: Path, files: Iterable[str]) -> duckdb.DuckDBPyConnection:
    files = list(files)
    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    for name, schema in TABLE_SCHEMAS.items():
        select = table_sql(warehouse, name, files)
        if select is None:
            connection.register(name, schema.empty_table())
        else:
            connection.execute(f"CREATE VIEW {name} AS {select}")
    return connection


def account_problem(source_file: str, doc_id: str | None, found: int | None, n: int, versions: int,
                    runs: int) -> str:
    if doc_id is None:
        return f"{source_file}: {n:,} rows but no documents row"
    if runs > 1 or versions > 1:
        return f"{source_file}: rows of {max(runs, versions)} runs or versions, counted more than once ({n:,} rows)"
    if n < found:
        return f"{source_file}: {n:,} of its {found:,} rows found (documents.indicators_found)"
    if n > found:
        return f"{source_file}: {n:,} rows, documents says {found:,}"
    return f"{source_file}: rows of another version than documents' current {doc_id}"


def row_accounts(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """source_file -> what is wrong with its rows, for every file whose rows do not add up."""
    problems = {row[0]: account_problem(*row[:6]) for row in connection.execute(ACCOUNTS_SQL).fetchall()}
    for source_file, doc_id, count in connection.execute(TWICE_SQL).fetchall():
        problems.setdefault(source_file, f"{source_file}: {count} documents rows for version {doc_id}")
    return problems


def current_documents(connection: duckdb.DuckDBPyConnection) -> pa.Table:
    """The current documents row of every source file in the inbox (what the ledger is rebuilt from):
    a `removed` file is one the ledger has forgotten."""
    return connection.sql(f"""
        SELECT source_file, doc_id, status, duplicate_of, first_seen_at FROM (
            SELECT *, row_number() OVER (PARTITION BY source_file ORDER BY first_seen_at DESC, run_id DESC) AS k
            FROM documents WHERE NOT (status = 'unreadable' AND coalesce(status_detail, '') NOT IN {SETTLED}))
        WHERE k = 1 AND status != 'removed' ORDER BY source_file""").to_arrow_table()


# --- the ledger ---------------------------------------------------------------------------------


def read_ledger(warehouse: Path) -> tuple[pa.Table | None, str | None]:
    """(ledger table, None), (None, None) when there is none, or (None, what is wrong with it)."""
    try:
        return pq.read_table(ledger_path(warehouse)).cast(LEDGER_SCHEMA), None
    except FileNotFoundError:
        return None, None
    except Exception as error:
        return None, f"ledger {ledger_path(warehouse)} is not readable ({short_error(error)})"


def ledger_footer_readable(warehouse: Path) -> bool:
    """The ledger is there and its footer names the ledger's columns: all a run checks every time
    (a full read is `--repair`'s; a garbage or truncated file fails this)."""
    try:
        return set(LEDGER_SCHEMA.names) <= set(pq.ParquetFile(ledger_path(warehouse)).schema_arrow.names)
    except Exception:
        return False


def ledger_from_documents(current: pa.Table) -> pa.Table:
    """A ledger that knows every documented file version by doc_id only (size -1: hash to confirm)."""
    n = current.num_rows
    return pa.table({
        "source_file": current.column("source_file"), "size": pa.array([-1] * n, pa.int64()),
        "mtime_ns": pa.array([-1] * n, pa.int64()), "sha256": pa.array([""] * n, pa.string()),
        "doc_id": current.column("doc_id"), "body_hash": pa.nulls(n, pa.string()),
        "status": current.column("status"), "duplicate_of": current.column("duplicate_of"),
        "first_seen_at": current.column("first_seen_at"),
    }).cast(LEDGER_SCHEMA)


def ledger_problems(ledger: pa.Table, current: pa.Table) -> dict[str, str]:
    """source_file -> how the ledger disagrees with documents' current version of it."""
    documented = dict(zip(current.column("source_file").to_pylist(), current.column("doc_id").to_pylist(),
                          strict=True))
    problems = {}
    for source_file, doc_id in zip(ledger.column("source_file").to_pylist(), ledger.column("doc_id").to_pylist(),
                                   strict=True):
        known = documented.pop(source_file, None)
        if known is None:
            problems[source_file] = f"ledger: {source_file} is recorded but has no documents row"
        elif known != doc_id:
            problems[source_file] = f"ledger: {source_file} is recorded as {doc_id}, documents says {known}"
    for source_file in documented:
        problems[source_file] = f"ledger: {source_file} is documented but not recorded (it will be read again)"
    return problems


def documented_source_files(warehouse: Path, names: Iterable[str]) -> set[str]:
    """Those of `names` that have a row in the `documents` table (whatever the ledger says)."""
    names = set(names)
    files = sorted((warehouse / "documents").glob("region_code=*/year=*/*.parquet"))
    if not names or not files:
        return set()
    table = ds.dataset([str(f) for f in files], format="parquet").to_table(columns=["source_file"])
    return names & set(table.column("source_file").to_pylist())


# --- check ---------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    problems: list[str]
    files: int
    rows: int
    documents: int
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def file_lines(report: FileReport) -> list[str]:
    lines = [f"manifest: {report.manifest_problem}"] if report.manifest_problem else []
    lines += [f"{relative}: {problem}" for relative, problem in sorted(report.damaged.items())]
    lines += [f"{relative}: missing (in the manifest, not on disk)" for relative in report.missing]
    lines += [f"{relative}: on disk but not in the manifest" for relative in report.adopted]
    return lines


def check_warehouse(warehouse: Path, writer_running: bool = False) -> CheckResult:
    """Every problem of the warehouse, one line each. `writer_running`: a run holds the warehouse
    lock, so the ledger may lag behind `documents` for a moment and is not compared."""
    with snapshot_lock(warehouse):
        report = compare_files(warehouse, checksum=True)
        problems = file_lines(report)
        notes = ["an interrupted publish was found; the next run completes it"] \
            if (warehouse / STAGING_DIR / JOURNAL_FILE).exists() and not writer_running else []
        with connect(warehouse, report.good) as connection:
            problems += sorted(row_accounts(connection).values())
            current = current_documents(connection)
    if writer_running:
        notes.append("a run is writing: the ledger was not compared")
    else:
        ledger, ledger_error = read_ledger(warehouse)
        if ledger_error:
            problems.append(ledger_error)
        elif ledger is not None or current.num_rows:
            ledger = LEDGER_SCHEMA.empty_table() if ledger is None else ledger
            problems += sorted(ledger_problems(ledger, current).values())
    rows = sum(e.rows for f, e in report.good.items() if f.split("/")[0] in ROW_TABLES)
    return CheckResult(problems, len(report.good), rows, current.num_rows, notes)


# --- repair (the start of every run) ------------------------------------------------------------


@dataclass
class Repair:
    messages: list[str] = field(default_factory=list)  # what was repaired or could not be, one line each
    reread: frozenset[str] = frozenset()  # source files the run must read again
    gone: frozenset[str] = frozenset()  # source files whose rows do not add up and that left the inbox


def move_aside(warehouse: Path, relatives: Iterable[str]) -> Path:
    """Move damaged files to `_damaged/<time>/…` (readers stop seeing them); returns that folder."""
    target = warehouse / DAMAGED_DIR / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    with snapshot_lock(warehouse, exclusive=True):
        for relative in relatives:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(warehouse / relative, destination)
            for directory in ((warehouse / relative).parent, (warehouse / relative).parent.parent):
                try:
                    directory.rmdir()
                except OSError:  # other partitions live there
                    break
    return target


def repair_files(warehouse: Path, checksum: bool) -> tuple[FileReport, list[str]]:
    """Compare the files with the manifest and move damaged ones aside; the manifest is written later."""
    report = compare_files(warehouse, checksum)
    messages = []
    if report.manifest_problem and report.good:
        messages.append(f"{report.manifest_problem}: rebuilt it from the {len(report.good)} table files")
    if report.damaged:
        folder = move_aside(warehouse, report.damaged)
        messages += [f"{relative}: {problem}; moved to {folder.relative_to(warehouse)}"
                     for relative, problem in sorted(report.damaged.items())]
    messages += [f"{relative}: missing; its rows are restored from the inbox" for relative in report.missing]
    messages += [f"{relative}: was not in the manifest; recorded" for relative in report.adopted]
    return report, messages


def repair_ledger(warehouse: Path, current: pa.Table) -> tuple[str | None, bool]:
    """(message, rebuilt): a missing or unreadable ledger is rebuilt from documents' current rows."""
    ledger, problem = read_ledger(warehouse)
    if ledger is not None or (problem is None and current.num_rows == 0):
        return None, False
    write_ledger_file(ledger_path(warehouse), ledger_from_documents(current))
    what = problem or "ledger missing"
    return f"{what}: rebuilt it from documents ({current.num_rows:,} files; each is hashed once to confirm)", True


def repair_warehouse(warehouse: Path, inbox: Path, full: bool = False, run_id: str | None = None,
                     withdraw: bool = True) -> Repair:
    """Repair what can be repaired before a run reads its inbox; the caller holds `warehouse_lock`.
    `withdraw`: files gone from the inbox are withdrawn by the run (`--removed withdraw`), not kept.

    Killed at any point, it leaves a state the next run repairs again: damaged files are moved aside
    before the manifest forgets them (until then they count as missing), and the files to read again
    are recorded in the manifest (`repairing`) until a publish has restored them."""
    pending = repairing_files(warehouse)
    report, messages = repair_files(warehouse, checksum=full)
    if not (full or messages or pending or not ledger_footer_readable(warehouse)):
        return Repair()  # the everyday case: files as recorded, ledger in place
    with connect(warehouse, report.good) as connection:
        current = current_documents(connection)
        ledger_message, rebuilt = repair_ledger(warehouse, current)
        messages += [ledger_message] if ledger_message else []
        if not (full or messages or pending):
            return Repair()
        accounts = row_accounts(connection)
    ledger, _ = read_ledger(warehouse)
    if ledger is not None and not rebuilt:
        accounts.update({k: v for k, v in ledger_accounts(ledger, current, inbox).items() if k not in accounts})
    accounts.update({k: f"{k}: left to restore by an interrupted repair" for k in pending if k not in accounts})
    repair = reread_or_report(inbox, accounts, messages, withdraw)
    if messages or pending:
        write_manifest(warehouse, report.good, run_id, repair.reread)
    return repair


def ledger_accounts(ledger: pa.Table, current: pa.Table, inbox: Path) -> dict[str, str]:
    """The ledger's disagreements repair acts on: a documented file the ledger lacks is simply read
    again as new, unless it left the inbox (then it is withdrawn, or kept, like any file gone)."""
    found = {}
    for source_file, problem in ledger_problems(ledger, current).items():
        if "not recorded" not in problem:
            found[source_file] = problem
        elif not (inbox / source_file).exists():
            found[source_file] = f"ledger: {source_file} is documented but not recorded"
    return found


SHOWN = 20  # per kind: a damaged partition of a large warehouse can hold rows of thousands of files


def reread_or_report(inbox: Path, accounts: Mapping[str, str], messages: list[str], withdraw: bool) -> Repair:
    """Files whose rows do not add up are read again; those gone from the inbox are withdrawn, or
    keep what is left of their rows (`--removed keep`)."""
    reread = sorted(f for f in accounts if (inbox / f).exists())
    gone = sorted(f for f in accounts if f not in set(reread))
    fate = "its rows are withdrawn (--removed withdraw)" if withdraw else "its readable rows are kept"
    messages += [f"{accounts[f]}; reading it again" for f in reread[:SHOWN]]
    messages += [f"{accounts[f]}; no longer in the inbox, {fate}" for f in gone[:SHOWN]]
    if len(gone) > SHOWN:
        messages.append(f"… {len(gone) - SHOWN:,} more files no longer in the inbox (industry-etl check lists them)")
    if reread:
        messages.append(f"{len(reread):,} files read again to restore their rows")
    return Repair(messages, frozenset(reread), frozenset(gone) if withdraw else frozenset())


# Never cached: it must look at the disk every run.
repair_task = task(repair_warehouse, name="repair", cache_policy=NO_CACHE)
