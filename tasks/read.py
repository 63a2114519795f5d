"""Read the warehouse: DuckDB views over the Parquet tables, and one-shot SQL for the CLI."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from schemas.models import TABLE_SCHEMAS

# Read region_code as text: engines infer six-digit codes as integers otherwise.
HIVE_TYPES = {"region_code": "VARCHAR", "year": "INTEGER"}
PARTITION_SCHEMA = pa.schema([("region_code", pa.string()), ("year", pa.int32())])
SNAPSHOT_LOCK_FILE = ".snapshot.lock"


def open_lock_file(path: Path) -> int | None:
    """A read-only descriptor on `path` (created if need be), or None if it cannot exist there."""
    try:
        return os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:
        try:
            return os.open(path, os.O_RDONLY)
        except OSError:
            return None


@contextmanager
def snapshot_lock(warehouse: Path, exclusive: bool = False) -> Iterator[None]:
    """Shared: no publish swaps files in while you hold it, so queries inside see one published state.

    A publish holds it exclusively only while it renames its staged files into place (well under a
    second). It matters because DuckDB and Polars open each Parquet file more than once per query: a file
    replaced between those opens gives DuckDB wrong rows, silently, and makes Polars panic.
    """
    fd = open_lock_file(warehouse / SNAPSHOT_LOCK_FILE)
    if fd is None:  # no warehouse yet, or a read-only copy nobody publishes into
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def warehouse_partitioning() -> ds.Partitioning:
    """The Hive partitioning of every table, for pyarrow and pandas readers.

    pandas needs it: without an explicit schema pyarrow reads partition keys as dictionaries and
    fails on a table that has null partitions ("Cannot yet unify dictionaries with nulls",
    pandas-dev/pandas#55400), e.g. `pd.read_parquet(path, partitioning=warehouse_partitioning())`.
    """
    return ds.partitioning(PARTITION_SCHEMA, flavor="hive")


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def parquet_scan_sql(source: str, union_by_name: bool = False) -> str:
    """DuckDB's `read_parquet` over `source` (a quoted glob or list of paths) with the warehouse's
    Hive partition keys and their types."""
    hive_types = "{" + ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in HIVE_TYPES.items()) + "}"
    union = ", union_by_name = true" if union_by_name else ""
    return f"read_parquet({source}, hive_partitioning = true, hive_types = {hive_types}{union})"


def table_view_sql(connection: duckdb.DuckDBPyConnection, warehouse: Path, name: str) -> str:
    """SELECT over a table's files, columns in contract order; or no rows if it has no file yet."""
    schema = TABLE_SCHEMAS[name]
    table_dir = warehouse / name
    if any(table_dir.glob("**/*.parquet")):
        columns = ", ".join(sql_identifier(column) for column in schema.names)
        return f"SELECT {columns} FROM {parquet_scan_sql(sql_string(f'{table_dir}/**/*.parquet'))}"
    # DuckDB spells each Arrow type for us, so the empty view has exactly the contract types.
    types = connection.from_arrow(schema.empty_table()).types
    columns = ", ".join(f"CAST(NULL AS {duck_type}) AS {sql_identifier(column)}"
                        for column, duck_type in zip(schema.names, types, strict=True))
    return f"SELECT {columns} LIMIT 0"


def connect_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with views `indicators`, `documents` and `quarantine`.

    Views re-list the files at every query, so they follow later publishes; a table that had no
    file when connecting stays an empty view on this connection. Run queries inside
    `snapshot_lock(warehouse)` if a publish may be running at the same time.
    """
    connection = duckdb.connect()
    # Timestamps come back in UTC whatever the machine's time zone.
    connection.execute("SET TimeZone = 'UTC'")
    for name in TABLE_SCHEMAS:
        view = table_view_sql(connection, warehouse, name)
        connection.execute(f"CREATE VIEW {sql_identifier(name)} AS {view}")
    return connection


def run_sql(warehouse: Path, query: str) -> pa.Table:
    """Run one SQL statement against the warehouse tables and return its result."""
    with connect_warehouse(warehouse) as connection, snapshot_lock(warehouse):
        return connection.sql(query).to_arrow_table()
