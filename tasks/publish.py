"""Publish the three tables, and the `facts` built from indicators, into the Hive-partitioned Parquet warehouse,
atomically and idempotently.

How a publish stays safe (README paragraph). Each table is a folder
`<table>/region_code=<code>/year=<yyyy>/` holding exactly one file, `part-0.parquet`; a null code
or year is the directory value `__HIVE_DEFAULT_PARTITION__`, which DuckDB, Arrow, Polars and Spark
read back as null. A publish rewrites only the partitions that gain or lose rows: it reads each
such partition, drops the rows being replaced (same `doc_id`, or in indicators and quarantine the
same `source_file` when a file was edited in place), adds the new rows, sorts them by a fixed key
and writes them with fixed writer options, so the same rows always give the same bytes. Every new
partition file is first written in full under `<warehouse>/.staging/` (same file system, a name
ending in `.tmp` that no reader's glob or directory listing picks up) and flushed to disk with
fsync. Only then, in one short step, are the staged files moved over the live ones with
`os.replace` (an atomic rename on POSIX) and emptied partitions deleted with their empty
directories. A rename never exposes a half-written file, and a crash leaves every partition
either old or new; the next publish deletes leftover `.tmp` files, re-reads the partitions the
interrupted run listed in `.staging/journal.json`, and, publishing being idempotent, rerunning the
same inputs gives exactly the warehouse an uninterrupted run would have. We chose this over
appending files (needs compaction, and a reader can see a document half replaced) and over
versioned table snapshots behind a pointer (every reader would have to follow the pointer, while
plain `read_parquet('…/**/*.parquet')` must keep working). One caveat we measured: DuckDB (2.0)
and Polars open each Parquet file more than once per query, so a query that overlaps the swap
step itself (a fraction of a second, once per run) can get wrong rows from DuckDB or an error from Polars;
pyarrow and pandas open each file once and see the old or the new partition. The swap step
therefore holds an exclusive `flock` on `<warehouse>/.snapshot.lock`, and `industry-etl sql` (and
any code using `tasks.read.snapshot_lock`) holds it shared while querying: those queries see one
published state of the whole warehouse, never a mix. Only one run writes at a time: the flow holds
`warehouse_lock`, an OS file lock (`flock`) on `<warehouse>/.lock` that the kernel releases if the
process dies, so a crash never leaves a stale lock behind. (flock is reliable on local disks; on
network file systems check that the mount supports it.)
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

from industry_etl import PIPELINE_VERSION
from schemas.models import PARTITION_COLUMNS, SCHEMA_VERSION, TABLE_SCHEMAS
from tasks.facts import build_facts
from tasks.manifest import (
    ManifestError,
    live_table_files,
    manifest_path,
    manifest_text,
    read_manifest,
    repairing_files,
    updated_files,
)
from tasks.read import snapshot_lock

Partition = tuple[str | None, int | None]

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
PART_FILE = "part-0.parquet"
LOCK_FILE = ".lock"
STAGING_DIR = ".staging"
JOURNAL_FILE = "journal.json"
TMP_SUFFIX = ".tmp"

# Documents first, so a reader who sees an indicator row can find its document row.
PUBLISH_ORDER = ("documents", "indicators", "quarantine")
# `facts` is not published from rows of its own: it is rebuilt from `indicators` (see `stage_facts`).
FACTS = "facts"
# `documents` keeps one row per file version (its history), so an edited file does not replace it.
REPLACED_BY_SOURCE_FILE = frozenset({"indicators", "quarantine"})
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "indicators": ("doc_id", "segment", "char_start", "indicator", "measure", "subject",
                   "period_start_month", "period_end_month", "value"),
    "quarantine": ("doc_id", "segment", "char_start", "indicator", "measure", "subject",
                   "period_start_month", "period_end_month", "value"),
    "documents": ("source_file", "doc_id"),
}
# Fixed writer options: the same rows must give the same bytes.
WRITER_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "row_group_size": 64 * 1024,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
}
FILE_METADATA = {
    "industry_etl.schema_version": SCHEMA_VERSION,
    "industry_etl.pipeline_version": PIPELINE_VERSION,
}
# Partition values become directory names: keep them plain ASCII so no engine has to decode them.
SAFE_PARTITION_VALUE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*")


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse lock."""


@dataclass(frozen=True)
class TableChanges:
    """What one publish did to one table."""

    rows_added: int
    rows_removed: int
    written: tuple[Partition, ...]
    deleted: tuple[Partition, ...]
    unchanged: tuple[Partition, ...]  # read, but their rows came out the same: left as they were


@dataclass(frozen=True)
class PublishSummary:
    """What one publish did, per table."""

    tables: dict[str, TableChanges]
    leftovers_removed: int
    resumed_interrupted_run: bool

    @property
    def partitions_written(self) -> int:
        return sum(len(changes.written) for changes in self.tables.values())

    @property
    def partitions_deleted(self) -> int:
        return sum(len(changes.deleted) for changes in self.tables.values())


# --- locking -------------------------------------------------------------------------------------


@contextmanager
def warehouse_lock(warehouse: Path, wait: bool = False) -> Iterator[Path]:
    """Hold the exclusive lock on `warehouse` for the duration of the block.

    The lock is `flock` on `<warehouse>/.lock`: the kernel drops it when the holder exits or is
    killed, so there are no stale locks. The pid and start time written into the file only serve
    the error message. Locks are per open file, so a second `warehouse_lock` in the same process
    also raises `WarehouseBusy`.
    """
    warehouse.mkdir(parents=True, exist_ok=True)
    fd = os.open(warehouse / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(busy_message(warehouse, read_lock_holder(fd))) from None
        holder = {"pid": os.getpid(), "started_at": datetime.now(UTC).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        try:
            yield warehouse
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def read_lock_holder(fd: int) -> dict[str, object]:
    """The pid/start time the current holder wrote, or {} if it has not written it yet."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def busy_message(warehouse: Path, holder: Mapping[str, object]) -> str:
    pid = holder.get("pid", "unknown")
    started = holder.get("started_at", "an unknown time")
    return (f"another industry-etl run is writing to {warehouse} (pid {pid}, started at {started}); "
            "try again later")


# --- partitions and paths ------------------------------------------------------------------------


def partition_dir(table_dir: Path, partition: Partition) -> Path:
    region_code, year = partition
    code = HIVE_NULL if region_code is None else region_code
    year_text = HIVE_NULL if year is None else str(year)
    return table_dir / f"region_code={code}" / f"year={year_text}"


def parse_partition(region_dir_name: str, year_dir_name: str) -> Partition:
    code = region_dir_name.removeprefix("region_code=")
    year = year_dir_name.removeprefix("year=")
    return (None if code == HIVE_NULL else code, None if year == HIVE_NULL else int(year))


def partition_sort_key(partition: Partition) -> tuple[bool, str, bool, int]:
    region_code, year = partition
    return (region_code is None, region_code or "", year is None, year or 0)


def normalise_partition(partition: tuple[object, object]) -> Partition:
    region_code, year = partition
    return (None if region_code is None else str(region_code), None if year is None else int(year))


def existing_partitions(table_dir: Path) -> dict[Partition, Path]:
    """The live partition files of one table, by partition."""
    files = {}
    for path in table_dir.glob(f"region_code=*/year=*/{PART_FILE}"):
        files[parse_partition(path.parent.parent.name, path.parent.name)] = path
    return files


def split_by_partition(table: pa.Table) -> dict[Partition, pa.Table]:
    """The rows of `table` grouped by (region_code, year), in table order within each group."""
    # One stable sort and one take, then zero-copy slices: a take per partition re-reads the
    # whole table each time (seconds for a few hundred partitions of a large run).
    order = pc.sort_indices(table.select(list(PARTITION_COLUMNS)),
                            sort_keys=[(c, "ascending") for c in PARTITION_COLUMNS])
    ordered = table.take(order)
    keys = list(zip(ordered.column("region_code").to_pylist(), ordered.column("year").to_pylist(), strict=True))
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    ends = [*starts[1:], len(keys)] if starts else []
    groups = {keys[a]: ordered.slice(a, b - a) for a, b in zip(starts, ends, strict=True)}
    for region_code, _ in groups:
        if region_code is not None and not SAFE_PARTITION_VALUE.fullmatch(region_code):
            raise ValueError(f"region_code {region_code!r} cannot be a partition directory name")
    return groups


def partitions_by_doc(table: pa.Table) -> dict[str, set[Partition]]:
    """Which partitions each doc_id's rows land in (what a ledger needs for `previous_partitions`)."""
    columns = (table.column(name).to_pylist() for name in ("doc_id", *PARTITION_COLUMNS))
    result: dict[str, set[Partition]] = {}
    for doc_id, region_code, year in zip(*columns, strict=True):
        result.setdefault(doc_id, set()).add((region_code, year))
    return result


# --- rows ----------------------------------------------------------------------------------------


class StagedRows(Mapping[Partition, pa.Table]):
    """New rows kept on disk as `<root>/region_code=…/year=…/*.parquet` (partition columns in the
    path), read one partition at a time, so publishing a large run never holds all its rows."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirs = {parse_partition(r.name, y.name): y for r in sorted(root.glob("region_code=*"))
                      for y in sorted(r.glob("year=*"))} if root.exists() else {}

    def __getitem__(self, partition: Partition) -> pa.Table:
        files = sorted(self._dirs[partition].glob("*.parquet"))
        return pa.concat_tables([pq.read_table(f, partitioning=None) for f in files])

    def __iter__(self) -> Iterator[Partition]:
        return iter(self._dirs)

    def __len__(self) -> int:
        return len(self._dirs)


def conform_table(name: str, table: pa.Table | None) -> pa.Table:
    """`table` with exactly the contract columns of `name`, in contract order and types."""
    schema = TABLE_SCHEMAS[name]
    if table is None:
        return schema.empty_table()
    missing = set(schema.names) - set(table.column_names)
    extra = set(table.column_names) - set(schema.names)
    if missing or extra:
        raise ValueError(f"table {name!r}: missing columns {sorted(missing)}, unexpected {sorted(extra)}")
    return table.select(schema.names).cast(schema)


def file_schema(name: str) -> pa.Schema:
    """The schema stored inside a partition file: the contract minus the partition columns."""
    schema = TABLE_SCHEMAS[name]
    for column in PARTITION_COLUMNS:
        schema = schema.remove(schema.get_field_index(column))
    return schema.with_metadata(FILE_METADATA)


def sort_rows(name: str, rows: pa.Table) -> pa.Table:
    """Rows in a fixed order: the table's key, then every other column as a tie-break."""
    key_columns = SORT_KEYS[name] + tuple(c for c in rows.column_names if c not in SORT_KEYS[name])
    keys = {}
    for column in key_columns:
        values = rows.column(column)
        # Lists cannot be sorted on directly; their joined text orders them just as well.
        keys[column] = pc.binary_join(values, "\x1f") if pa.types.is_list(values.type) else values
    # Nulls sort last (Arrow's default for every key).
    order = pc.sort_indices(pa.table(keys), sort_keys=[(c, "ascending") for c in keys])
    return rows.take(order)


def read_partition(name: str, path: Path) -> pa.Table:
    """A partition file's rows, keeping the file's own key-value metadata (compared on rewrite)."""
    with pq.ParquetFile(path) as parquet:
        stored = parquet.schema_arrow.metadata or {}
        version = stored.get(b"industry_etl.schema_version", b"?").decode()
        if version != SCHEMA_VERSION:
            raise RuntimeError(f"{path} has schema version {version}, this code writes {SCHEMA_VERSION}; "
                               "rebuild the warehouse instead of mixing versions")
        schema = file_schema(name)  # (the empty table's file also holds the partition columns)
        return parquet.read(columns=schema.names).cast(schema).replace_schema_metadata(stored)


def replaced_rows_mask(rows: pa.Table, doc_ids: pa.Array, source_files: pa.Array,
                       versions: pa.Array | None = None) -> pa.ChunkedArray:
    mask = pc.is_in(rows.column("doc_id"), value_set=doc_ids)
    if len(source_files):
        mask = pc.or_(mask, pc.is_in(rows.column("source_file"), value_set=source_files))
    if versions is not None and len(versions):
        keys = pc.binary_join_element_wise(rows.column("doc_id"), rows.column("source_file"), VERSION_SEP)
        mask = pc.or_(mask, pc.is_in(keys, value_set=versions))
    return pc.fill_null(mask, False)


VERSION_SEP = "\x00"


def version_keys(versions: Collection[tuple[str, str]]) -> pa.Array:
    """(doc_id, source_file) pairs as one string each, for `replaced_rows_mask`."""
    return pa.array(sorted(f"{d}{VERSION_SEP}{s}" for d, s in versions), pa.string())


def partitions_holding(files: Mapping[Partition, Path], doc_ids: pa.Array,
                       source_files: pa.Array) -> set[Partition]:
    """The partitions holding any replaced row, found by scanning every file of the table."""
    if not files or (len(doc_ids) == 0 and len(source_files) == 0):
        return set()
    by_path = {str(path): partition for partition, path in files.items()}
    condition = pc.field("doc_id").isin(doc_ids)
    if len(source_files):
        condition = condition | pc.field("source_file").isin(source_files)
    dataset = ds.dataset(list(by_path), format="parquet")
    return {by_path[fragment.path] for fragment in dataset.get_fragments()
            if fragment.count_rows(filter=condition) > 0}


# --- files ---------------------------------------------------------------------------------------


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage_file(staging: Path, write: Callable[[BinaryIO], object]) -> Path:
    """A new file in staging holding what `write(file)` wrote, flushed to disk."""
    fd, name = tempfile.mkstemp(dir=staging, prefix=f"{os.getpid()}-", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def stage_partition(rows: pa.Table, staging: Path) -> Path:
    return stage_file(staging, lambda file: pq.write_table(rows, file, **WRITER_OPTIONS))


def clean_staging(staging: Path) -> int:
    """Delete temp files an interrupted run left in staging; returns how many."""
    leftovers = [path for path in staging.glob(f"*{TMP_SUFFIX}") if path.is_file()]
    for path in leftovers:
        path.unlink()
    return len(leftovers)


def read_journal(staging: Path) -> dict[str, set[Partition]]:
    """The partitions an interrupted publish was about to touch ({} after a clean finish)."""
    try:
        recorded = json.loads((staging / JOURNAL_FILE).read_text())
    except FileNotFoundError:
        return {}
    return {name: {normalise_partition(tuple(p)) for p in partitions}
            for name, partitions in recorded.items()}


def write_journal(staging: Path, touched: Mapping[str, Iterable[Partition]]) -> None:
    text = json.dumps({name: sorted(parts, key=partition_sort_key) for name, parts in touched.items()})
    os.replace(stage_file(staging, lambda file: file.write(text.encode())), staging / JOURNAL_FILE)
    fsync_dir(staging)


def finish_journal(staging: Path) -> None:
    (staging / JOURNAL_FILE).unlink()
    fsync_dir(staging)


@dataclass(frozen=True)
class Swap:
    """One staged change to the live warehouse: move `staged` over `target`, or delete `target`."""

    target: Path
    staged: Path | None


def apply_swaps(swaps: Iterable[Swap]) -> set[Path]:
    """Make the staged changes live; returns the directories whose entries changed.

    Only renames, unlinks and mkdir/rmdir: this runs while readers are held off, so it must be
    quick. Making the changes durable (fsync of the directories) is left to the caller.
    """
    changed: set[Path] = set()
    for swap in swaps:
        if swap.staged is None:
            swap.target.unlink()
            changed.add(swap.target.parent)
            for directory in (swap.target.parent, swap.target.parent.parent):
                with suppress(OSError):  # not empty: other partitions live there
                    directory.rmdir()
                    changed.add(directory.parent)
            continue
        missing, directory = [], swap.target.parent
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for directory in reversed(missing):
            directory.mkdir()
            changed.add(directory.parent)
        os.replace(swap.staged, swap.target)
        changed.add(swap.target.parent)
    return changed


# --- publishing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TablePlan:
    name: str
    new_rows: Mapping[Partition, pa.Table]
    files: dict[Partition, Path]
    touched: tuple[Partition, ...]  # partitions with new rows first, then those that may only lose rows
    doc_ids: pa.Array
    source_files: pa.Array
    versions: pa.Array | None = None  # documents: (doc_id, source_file) rows this run rewrites


def plan_table(warehouse: Path, name: str, new_rows: pa.Table | StagedRows, replace_doc_ids: pa.Array,
               replace_source_files: pa.Array, previous_partitions: Collection[Partition] | None,
               interrupted: set[Partition], versions: pa.Array | None = None) -> TablePlan:
    source_files = replace_source_files if name in REPLACED_BY_SOURCE_FILE else pa.array([], pa.string())
    by_partition = new_rows if isinstance(new_rows, StagedRows) else split_by_partition(new_rows)
    files = existing_partitions(warehouse / name)
    if previous_partitions is None:
        version_doc_ids = pa.array(sorted({v.split(VERSION_SEP)[0] for v in (versions or pa.array([])).to_pylist()}),
                                   pa.string())
        holding = partitions_holding(files, pa.concat_arrays([replace_doc_ids, version_doc_ids]), source_files)
    else:
        holding = set(previous_partitions) & files.keys()
    removal_only = (holding | (interrupted & files.keys())) - by_partition.keys()
    touched = (*sorted(by_partition, key=partition_sort_key), *sorted(removal_only, key=partition_sort_key))
    return TablePlan(name, by_partition, files, touched, replace_doc_ids, source_files, versions)


@dataclass(frozen=True)
class Staged:
    """One partition's outcome: its new rows, and the swap that makes them live (None: unchanged)."""

    partition: Partition
    rows: pa.Table
    added: int
    removed: int
    swap: Swap | None


def stage_table(plan: TablePlan, warehouse: Path, staging: Path,
                on_rows: Callable[[Partition, pa.Table], object] | None = None,
                ) -> tuple[TableChanges, list[Swap]]:
    """Compute every touched partition's new rows and stage its file; the live files stay as they are.

    `on_rows(partition, rows)` is called with each partition's rows as this publish leaves them
    (the facts are built from them while they are in memory)."""
    def one(partition: Partition) -> Staged:
        staged = stage_table_partition(plan, warehouse, staging, partition)
        if on_rows is not None:
            on_rows(partition, staged.rows)
        return staged

    return collect_staged(parallel_map(one, plan.touched))


def stage_table_partition(plan: TablePlan, warehouse: Path, staging: Path, partition: Partition) -> Staged:
    schema = file_schema(plan.name)
    path = plan.files.get(partition)
    old = read_partition(plan.name, path) if path else schema.empty_table()
    # (a new partition has no rows to replace: the mask would hash every replaced id for nothing)
    kept = old.filter(pc.invert(replaced_rows_mask(old, plan.doc_ids, plan.source_files, plan.versions))) \
        if old.num_rows else old
    new = plan.new_rows.get(partition)
    if new is None:
        new = schema.empty_table()
    else:
        new = new.drop_columns([c for c in PARTITION_COLUMNS if c in new.column_names])
        new = new.select(schema.names).cast(schema)
    rows = sort_rows(plan.name, pa.concat_tables([kept, new])).replace_schema_metadata(FILE_METADATA)
    target = partition_dir(warehouse / plan.name, partition) / PART_FILE
    return Staged(partition, rows, new.num_rows, old.num_rows - kept.num_rows,
                  staged_swap(rows, old, path, target, staging))


def staged_swap(rows: pa.Table, old: pa.Table, path: Path | None, target: Path, staging: Path) -> Swap | None:
    """None when the rows came out as they were; a deletion when none are left; else a staged write."""
    if rows.equals(old, check_metadata=True):
        return None  # nothing to replace, or the very same rows again
    if rows.num_rows == 0:
        return Swap(path or target, None)
    return Swap(target, stage_partition(rows, staging))


def collect_staged(results: Iterable[Staged]) -> tuple[TableChanges, list[Swap]]:
    added = removed = 0
    swaps: list[Swap] = []
    written: list[Partition] = []
    deleted: list[Partition] = []
    unchanged: list[Partition] = []
    for staged in results:
        added, removed = added + staged.added, removed + staged.removed
        if staged.swap is None:
            unchanged.append(staged.partition)
        else:
            swaps.append(staged.swap)
            (written if staged.swap.staged else deleted).append(staged.partition)
    return TableChanges(added, removed, tuple(written), tuple(deleted), tuple(unchanged)), swaps


def parallel_map(fn: Callable[[Partition], Staged], partitions: Iterable[Partition]) -> list[Staged]:
    """`fn` over partitions on a few threads, results in partition order: reading, sorting,
    compressing and fsync-ing a partition file all release the GIL, so partitions overlap."""
    partitions = list(partitions)
    if len(partitions) < 2:
        return [fn(p) for p in partitions]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(PUBLISH_THREADS, len(partitions))) as pool:
        return list(pool.map(fn, partitions))


PUBLISH_THREADS = max(2, min(4, os.cpu_count() or 1))


def facts_to_rebuild(warehouse: Path, indicators: TablePlan, interrupted: set[Partition]) -> tuple[Partition, ...]:
    """Facts partitions whose indicators this publish may change, plus any out of step with
    `indicators` (a warehouse from before `facts`, or an interrupted run): facts are per partition."""
    facts = existing_partitions(warehouse / FACTS).keys()
    live = indicators.files.keys()
    return tuple(sorted(set(indicators.touched) | interrupted | (live - facts) | (facts - live),
                        key=partition_sort_key))


def stage_facts_partition(warehouse: Path, staging: Path, partition: Partition, indicators: pa.Table,
                          run_id: str) -> Staged:
    """Stage one partition's facts, built from its indicators (`indicators`: file columns) as this
    publish leaves them."""
    target = partition_dir(warehouse / FACTS, partition) / PART_FILE
    exists = target.exists()
    old = read_partition(FACTS, target) if exists else file_schema(FACTS).empty_table()
    facts = build_facts(with_partition(indicators, partition), with_partition(old, partition).to_pylist(),
                        run_id)
    rows = facts.drop_columns(list(PARTITION_COLUMNS)).cast(file_schema(FACTS))
    rows = rows.replace_schema_metadata(FILE_METADATA)
    return Staged(partition, rows, rows.num_rows, old.num_rows,
                  staged_swap(rows, old, target if exists else None, target, staging))


def stage_facts(warehouse: Path, staging: Path, partitions: Iterable[Partition], indicator_swaps: list[Swap],
                run_id: str, built: Mapping[Partition, Staged] | None = None) -> tuple[TableChanges, list[Swap]]:
    """Stage each partition's facts, built from its indicators as this publish leaves them.

    `built`: partitions whose facts were already staged (from the indicator rows in memory)."""
    staged = {swap.target: swap.staged for swap in indicator_swaps}
    built = built or {}

    def one(partition: Partition) -> Staged:
        if partition in built:
            return built[partition]
        live = partition_dir(warehouse / "indicators", partition) / PART_FILE
        source = staged.get(live, live if live.exists() else None)
        indicators = read_partition("indicators", source) if source else file_schema("indicators").empty_table()
        return stage_facts_partition(warehouse, staging, partition, indicators, run_id)

    return collect_staged(parallel_map(one, partitions))


def with_partition(rows: pa.Table, partition: Partition) -> pa.Table:
    """A partition file's rows with its partition columns put back (files store them in the path)."""
    region_code, year = partition
    return rows.append_column("region_code", pa.array([region_code] * rows.num_rows, pa.string())) \
               .append_column("year", pa.array([year] * rows.num_rows, pa.int32()))


NULL_PARTITION: Partition = (None, None)


def readable_when_empty(name: str, files: Mapping[Partition, Path], changes: TableChanges, swaps: list[Swap],
                        warehouse: Path, staging: Path) -> tuple[TableChanges, list[Swap]]:
    """Keep a table without rows readable: a zero-row file with the table's schema in the null partition.

    `read_parquet('<table>/**/*.parquet')` (DuckDB), Polars and Spark fail on a folder with no file;
    with this one they read 0 rows and every column. It is the table's only file while the table
    is empty and is removed by the publish that gives the table rows in any other partition.
    """
    target = partition_dir(warehouse / name, NULL_PARTITION) / PART_FILE
    live = (files.keys() - set(changes.deleted)) | set(changes.written)
    if not live:  # (a deletion of the null partition's last rows becomes the placeholder's write)
        # The partition columns are in the file too: typed there, they keep Polars and Spark from
        # reading them as text from the all-null path (DuckDB and pyarrow read them either way).
        empty = TABLE_SCHEMAS[name].empty_table().replace_schema_metadata(FILE_METADATA)
        return changes, [s for s in swaps if s.target != target] + [Swap(target, stage_partition(empty, staging))]
    placeholder = files.get(NULL_PARTITION)
    if (live != {NULL_PARTITION} and placeholder and NULL_PARTITION not in changes.written + changes.deleted
            and pq.read_metadata(placeholder).num_rows == 0):
        return changes, [*swaps, Swap(placeholder, None)]
    return changes, swaps


def publish_tables(warehouse: Path, tables: Mapping[str, pa.Table | StagedRows], replace_doc_ids: Collection[str],
                   replace_source_files: Collection[str] = (), *,
                   previous_partitions: Collection[tuple[str | None, int | None]] | None = None,
                   replace_document_versions: Collection[tuple[str, str]] = (),
                   run_id: str = "",
                   ) -> PublishSummary:
    """Replace rows in the warehouse and add `tables`' rows, rewriting only the partitions affected.

    In every table, rows whose doc_id is in `replace_doc_ids` are removed; in indicators and
    quarantine also rows whose source_file is in `replace_source_files` (a file edited in place).
    A table missing from `tables` gets no new rows, but its replaced rows are still removed.
    `previous_partitions` lists where replaced rows may live (from the caller's ledger); when None,
    every partition file is scanned for them. `replace_document_versions` are (doc_id, source_file)
    pairs whose `documents` rows this run writes again (identical bytes share a doc_id across
    files, so a documents row is replaced by its pair, never by doc_id alone).
    `facts` is rebuilt in the same step for the partitions whose indicators change; `run_id` marks
    the facts that change. The manifest (`tasks/manifest.py`) is renewed in the same step, its new
    entries marked `run_id`. The caller must hold `warehouse_lock`.
    """
    unknown = set(tables) - set(PUBLISH_ORDER)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}; expected {sorted(PUBLISH_ORDER)}")
    new_tables = {name: table if isinstance(table := tables.get(name), StagedRows) else conform_table(name, table)
                  for name in PUBLISH_ORDER}
    doc_ids = pa.array(sorted(set(replace_doc_ids)), pa.string())
    source_files = pa.array(sorted(set(replace_source_files)), pa.string())
    previous = None if previous_partitions is None else {normalise_partition(p) for p in previous_partitions}

    versions = version_keys(replace_document_versions)
    staging = warehouse / STAGING_DIR
    staging.mkdir(parents=True, exist_ok=True)
    interrupted = read_journal(staging)
    leftovers = clean_staging(staging)
    plans = [plan_table(warehouse, name, new_tables[name], doc_ids, source_files, previous,
                        interrupted.get(name, set()), versions if name == "documents" else None)
             for name in PUBLISH_ORDER]
    facts = facts_to_rebuild(warehouse, plans[PUBLISH_ORDER.index("indicators")], interrupted.get(FACTS, set()))
    # Record where this run writes before writing, so a rerun after a crash looks there too.
    write_journal(staging, {plan.name: plan.touched for plan in plans} | {FACTS: facts})
    try:
        built: dict[Partition, Staged] = {}  # facts staged from indicator rows still in memory
        rebuild = set(facts)

        def facts_of(partition: Partition, rows: pa.Table) -> None:
            if partition in rebuild:
                built[partition] = stage_facts_partition(warehouse, staging, partition, rows, run_id)

        staged = {plan.name: readable_when_empty(
                      plan.name, plan.files,
                      *stage_table(plan, warehouse, staging, facts_of if plan.name == "indicators" else None),
                      warehouse, staging)
                  for plan in plans}
        staged[FACTS] = readable_when_empty(FACTS, existing_partitions(warehouse / FACTS),
                                            *stage_facts(warehouse, staging, facts, staged["indicators"][1], run_id,
                                                         built),
                                            warehouse, staging)
        writes = [swap for _, swaps in staged.values() for swap in swaps if swap.staged]
        deletions = [swap for _, swaps in staged.values() for swap in swaps if not swap.staged]
        kept = [partition_dir(warehouse / name, partition) / PART_FILE
                for name, (changes, _) in staged.items() for partition in changes.unchanged]
        manifest = stage_manifest(warehouse, staging, writes, deletions, kept, bool(interrupted), run_id or None)
        with snapshot_lock(warehouse, exclusive=True):  # the manifest last: it describes the files swapped in
            changed_dirs = apply_swaps([*writes, *deletions, *manifest])
    finally:
        clean_staging(staging)  # staged files of a failed run; the journal stays for the next run
    for directory in sorted(changed_dirs):
        if directory.exists():
            fsync_dir(directory)
    finish_journal(staging)
    return PublishSummary({name: changes for name, (changes, _) in staged.items()}, leftovers,
                          bool(interrupted))


def worth_retrying(task, task_run, state) -> bool:
    """A full disk, a permission or a read-only file system will not heal in seconds: fail at once."""
    import errno

    try:
        state.result()
    except OSError as exc:
        return exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS)
    except Exception:
        return True
    return True


def stage_manifest(warehouse: Path, staging: Path, writes: list[Swap], deletions: list[Swap], kept: list[Path],
                   resumed: bool, run_id: str | None) -> list[Swap]:
    """The manifest's swap (none when nothing changes): renewed for the files written and deleted, and
    for kept files it does not describe yet (a first publish, or one a crash left half recorded)."""
    try:
        recorded = read_manifest(warehouse)
    except ManifestError:
        recorded = None  # the run's repair step reports a damaged manifest; here it is simply renewed
    if recorded is None:
        recorded = {}
        kept = [warehouse / relative for relative in live_table_files(warehouse)]
    written = {str(swap.target.relative_to(warehouse)): swap.staged for swap in writes if swap.staged}
    deleted = {str(swap.target.relative_to(warehouse)) for swap in deletions}
    for path in kept:
        relative = str(path.relative_to(warehouse))
        entry = recorded.get(relative)
        if relative in written or relative in deleted:
            continue
        if resumed or entry is None or entry.bytes != path.stat().st_size:
            written[relative] = path
    if not written and not deleted and manifest_path(warehouse).exists() and not repairing_files(warehouse):
        return []  # nothing to record (a repair's list of files to restore is cleared by writing it again)
    files = updated_files(recorded, written, deleted, run_id)
    text = manifest_text(files, run_id).encode()
    return [Swap(manifest_path(warehouse), stage_file(staging, lambda file: file.write(text)))]


# Never cached: publishing is a side effect, and hashing whole tables as cache keys is wasted work.
publish_task = task(publish_tables, name="publish", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE,
                    retry_condition_fn=worth_retrying)
