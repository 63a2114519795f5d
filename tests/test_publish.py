"""Publishing: partition layout, replacement, idempotence, atomic rewrites, the lock, crash safety."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from industry_etl import PIPELINE_VERSION
from schemas.models import SCHEMA_VERSION, TABLE_SCHEMAS
from tasks.health import compare_files
from tasks.publish import (
    HIVE_NULL,
    JOURNAL_FILE,
    STAGING_DIR,
    Partition,
    WarehouseBusy,
    partitions_by_doc,
    publish_tables,
    warehouse_lock,
    write_journal,
)

REPO = Path(__file__).resolve().parents[1]
FORK = multiprocessing.get_context("fork")  # the child inherits the imports: no 2 s Prefect start-up

CQ: Partition = ("500000", 2024)
ZJ: Partition = ("330000", 2024)
ZJ_2023: Partition = ("330000", 2023)
NO_REGION: Partition = (None, 2024)
NO_YEAR: Partition = ("500000", None)
NEITHER: Partition = (None, None)


# --- rows ----------------------------------------------------------------------------------------


def indicator_rows(doc_id: str, partitions: Iterable[Partition], per_partition: int = 2,
                   source_file: str | None = None, value: float = 5.0, run_id: str = "run-1") -> list[dict]:
    return [
        {
            "doc_id": doc_id, "source_file": source_file or f"{doc_id}.txt", "segment": 0,
            "region_code": region_code, "region": None, "city": None, "city_code": None,
            "county": None, "year": year, "period_start_month": 1, "period_end_month": 11,
            "period_label": "1—11月", "indicator": "industrial_value_added", "subject": None,
            "measure": "yoy_pct", "value": value + k, "unit": "%", "benchmark": None,
            "is_redacted": False, "is_estimate": False, "is_target": False,
            "evidence": f"规上工业增加值增长{value + k}%", "char_start": 10 * k, "char_end": 10 * k + 9,
            "pipeline_version": PIPELINE_VERSION, "run_id": run_id,
        }
        for region_code, year in partitions
        for k in range(per_partition)
    ]


def document_row(doc_id: str, partition: Partition, source_file: str | None = None,
                 run_id: str = "run-1") -> dict:
    region_code, year = partition
    return {
        "doc_id": doc_id, "source_file": source_file or f"{doc_id}.txt", "region_code": region_code,
        "year": year, "region": None, "title": "工业经济运行情况", "encoding": "utf-8", "chars_raw": 100,
        "chars_clean": 90, "boilerplate_chars_removed": 10, "segments": 1, "indicators_found": 2,
        "redacted_found": 0, "status": "ok", "status_detail": None, "duplicate_of": None,
        "first_seen_at": datetime(2024, 12, 1, tzinfo=UTC), "run_id": run_id,
    }


def tables_of(indicators: list[dict] = (), documents: list[dict] = (),
              quarantine: list[dict] = ()) -> dict[str, pa.Table]:
    return {
        "indicators": pa.Table.from_pylist(list(indicators), schema=TABLE_SCHEMAS["indicators"]),
        "documents": pa.Table.from_pylist(list(documents), schema=TABLE_SCHEMAS["documents"]),
        "quarantine": pa.Table.from_pylist(list(quarantine), schema=TABLE_SCHEMAS["quarantine"]),
    }


def quarantined(rows: list[dict]) -> list[dict]:
    return [{**row, "failed_expectations": ["value_in_range"]} for row in rows]


def doc_tables(doc_id: str, partitions: list[Partition], per_partition: int = 2,
               source_file: str | None = None, value: float = 5.0) -> dict[str, pa.Table]:
    """All three tables for one document: its indicators, one quarantined row a partition, its row."""
    return tables_of(
        indicator_rows(doc_id, partitions, per_partition, source_file, value),
        [document_row(doc_id, partitions[0], source_file)],
        quarantined(indicator_rows(doc_id, partitions, max(per_partition - 1, 1), source_file, value + 100)),
    )


def merge(*parts: dict[str, pa.Table]) -> dict[str, pa.Table]:
    return {name: pa.concat_tables([part[name] for part in parts]) for name in parts[0]}


# --- reading back --------------------------------------------------------------------------------


def warehouse_files(warehouse: Path) -> dict[str, bytes]:
    """Every published file by relative path (the lock and staging area are not the warehouse)."""
    return {str(path.relative_to(warehouse)): path.read_bytes()
            for name in TABLE_SCHEMAS for path in sorted((warehouse / name).rglob("*")) if path.is_file()}


def partition_file(warehouse: Path, table: str, partition: Partition) -> Path:
    code, year = (HIVE_NULL if value is None else value for value in partition)
    return warehouse / table / f"region_code={code}" / f"year={year}" / "part-0.parquet"


def rows_by_doc(warehouse: Path, table: str, partition: Partition) -> dict[str, int]:
    path = partition_file(warehouse, table, partition)
    if not path.exists():
        return {}
    counts: dict[str, int] = {}
    for doc_id in pq.read_table(path, columns=["doc_id"]).column("doc_id").to_pylist():
        counts[doc_id] = counts.get(doc_id, 0) + 1
    return counts


def publish(warehouse: Path, tables: dict[str, pa.Table], replace: Iterable[str] = (), **kwargs):
    with warehouse_lock(warehouse):
        return publish_tables(warehouse, tables, list(replace), **kwargs)


# --- layout --------------------------------------------------------------------------------------


def test_each_partition_is_one_file_named_by_its_keys_with_nulls_as_the_hive_default(tmp_path):
    partitions = [CQ, NO_REGION, NO_YEAR, NEITHER]
    publish(tmp_path, doc_tables("d1", partitions), ["d1"])

    indicator_files = sorted((tmp_path / "indicators").rglob("*.parquet"))
    assert indicator_files == sorted(partition_file(tmp_path, "indicators", p) for p in partitions)
    assert (tmp_path / "indicators" / f"region_code={HIVE_NULL}" / f"year={HIVE_NULL}").is_dir()
    assert partition_file(tmp_path, "documents", CQ).exists()


def test_files_hold_the_contract_columns_minus_partition_keys_and_version_metadata(tmp_path):
    publish(tmp_path, doc_tables("d1", [CQ]), ["d1"])

    parquet = pq.ParquetFile(partition_file(tmp_path, "quarantine", CQ))
    expected = [n for n in TABLE_SCHEMAS["quarantine"].names if n not in ("region_code", "year")]
    assert parquet.schema_arrow.names == expected
    assert parquet.schema_arrow.metadata[b"industry_etl.schema_version"] == SCHEMA_VERSION.encode()
    assert parquet.schema_arrow.metadata[b"industry_etl.pipeline_version"] == PIPELINE_VERSION.encode()
    assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"


def test_rows_are_sorted_by_the_fixed_key_whatever_the_input_order(tmp_path):
    rows = indicator_rows("d2", [CQ], 3) + indicator_rows("d1", [CQ], 3)
    publish(tmp_path, tables_of(list(reversed(rows))), ["d1", "d2"])

    table = pq.read_table(partition_file(tmp_path, "indicators", CQ))
    assert table.column("doc_id").to_pylist() == ["d1"] * 3 + ["d2"] * 3
    assert table.column("char_start").to_pylist() == [0, 10, 20] * 2


def test_region_code_that_is_not_a_plain_directory_name_is_rejected(tmp_path):
    rows = indicator_rows("d1", [("../etc", 2024)])
    with pytest.raises(ValueError, match="partition directory"):
        publish(tmp_path, tables_of(rows), ["d1"])


def test_table_with_missing_columns_is_rejected(tmp_path):
    table = tables_of(indicator_rows("d1", [CQ]))["indicators"].drop_columns(["evidence"])
    with pytest.raises(ValueError, match="evidence"):
        publish(tmp_path, {"indicators": table}, ["d1"])


# --- replacement ---------------------------------------------------------------------------------


@pytest.mark.parametrize("previous_partitions", [None, [CQ, ZJ]], ids=["scan", "ledger"])
def test_replacing_a_doc_removes_its_old_rows_and_deletes_emptied_partitions(tmp_path, previous_partitions):
    publish(tmp_path, merge(doc_tables("d1", [CQ, ZJ]), doc_tables("d2", [CQ])), ["d1", "d2"])

    summary = publish(tmp_path, doc_tables("d1", [CQ, NO_YEAR], per_partition=3, value=7.0), ["d1"],
                      previous_partitions=previous_partitions)

    assert rows_by_doc(tmp_path, "indicators", CQ) == {"d1": 3, "d2": 2}
    assert rows_by_doc(tmp_path, "indicators", NO_YEAR) == {"d1": 3}
    assert not (tmp_path / "indicators" / "region_code=330000").exists()
    assert summary.tables["indicators"].deleted == (ZJ,)
    assert summary.tables["indicators"].rows_removed == 4
    assert summary.tables["indicators"].rows_added == 6


def test_edited_file_replaces_its_previous_versions_rows_but_keeps_its_documents_history(tmp_path):
    publish(tmp_path, doc_tables("v1", [CQ, ZJ], source_file="report.txt"), ["v1"])

    publish(tmp_path, doc_tables("v2", [CQ], source_file="report.txt"), ["v2"],
            replace_source_files=["report.txt"])

    assert rows_by_doc(tmp_path, "indicators", CQ) == {"v2": 2}
    assert rows_by_doc(tmp_path, "quarantine", CQ) == {"v2": 1}
    assert not partition_file(tmp_path, "indicators", ZJ).exists()
    assert rows_by_doc(tmp_path, "documents", CQ) == {"v1": 1, "v2": 1}


def test_reprocessing_a_doc_replaces_its_documents_row(tmp_path):
    publish(tmp_path, doc_tables("d1", [CQ]), ["d1"])
    publish(tmp_path, doc_tables("d1", [CQ], value=9.0), ["d1"])

    assert rows_by_doc(tmp_path, "documents", CQ) == {"d1": 1}
    assert pq.read_table(partition_file(tmp_path, "indicators", CQ)).column("value").to_pylist() == [9.0, 10.0]


def test_a_table_left_out_of_the_call_still_loses_replaced_rows(tmp_path):
    publish(tmp_path, doc_tables("d1", [CQ]), ["d1"])

    publish(tmp_path, {"indicators": doc_tables("d1", [CQ])["indicators"]}, ["d1"])

    assert rows_by_doc(tmp_path, "indicators", CQ) == {"d1": 2}
    assert rows_by_doc(tmp_path, "quarantine", CQ) == {}
    assert rows_by_doc(tmp_path, "documents", CQ) == {}


def test_partitions_by_doc_lists_where_each_docs_rows_live():
    table = tables_of(indicator_rows("d1", [CQ, NEITHER]) + indicator_rows("d2", [ZJ]))["indicators"]
    assert partitions_by_doc(table) == {"d1": {CQ, NEITHER}, "d2": {ZJ}}


# --- idempotence and minimal rewrites ------------------------------------------------------------


def test_publishing_the_same_rows_twice_gives_byte_identical_files(tmp_path):
    tables = merge(doc_tables("d1", [CQ, ZJ, NEITHER]), doc_tables("d2", [CQ, NO_REGION]))
    publish(tmp_path / "a", tables, ["d1", "d2"])
    first = warehouse_files(tmp_path / "a")

    publish(tmp_path / "a", tables, ["d1", "d2"])
    shuffled = {name: table.take(list(reversed(range(table.num_rows)))) for name, table in tables.items()}
    publish(tmp_path / "b", shuffled, ["d1", "d2"])

    assert warehouse_files(tmp_path / "a") == first
    assert warehouse_files(tmp_path / "b") == first


def test_partitions_the_run_does_not_touch_are_not_rewritten(tmp_path):
    publish(tmp_path, merge(doc_tables("d1", [CQ]), doc_tables("d2", [ZJ, ZJ_2023])), ["d1", "d2"])
    untouched = [partition_file(tmp_path, table, p) for table in ("indicators", "quarantine", "facts")
                 for p in (ZJ, ZJ_2023)] + [partition_file(tmp_path, "documents", ZJ)]
    before = {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in untouched}
    time.sleep(0.01)

    publish(tmp_path, doc_tables("d1", [CQ], value=8.0), ["d1"], previous_partitions=[CQ])
    publish(tmp_path, doc_tables("d3", [CQ]), ["d3"])  # no ledger: scans, but writes only CQ

    assert {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in untouched} == before


def test_republishing_identical_rows_leaves_the_files_alone(tmp_path):
    tables = doc_tables("d1", [CQ, ZJ])
    publish(tmp_path, tables, ["d1"])
    path = partition_file(tmp_path, "indicators", CQ)
    before = (path.stat().st_ino, path.stat().st_mtime_ns)

    summary = publish(tmp_path, tables, ["d1"])

    assert (path.stat().st_ino, path.stat().st_mtime_ns) == before
    assert summary.partitions_written == 0
    assert set(summary.tables["indicators"].unchanged) == {CQ, ZJ}


# --- interrupted runs ----------------------------------------------------------------------------


def test_leftover_temp_files_are_deleted_by_the_next_publish(tmp_path):
    publish(tmp_path, doc_tables("d1", [CQ]), ["d1"])
    leftover = tmp_path / STAGING_DIR / "12345-abcd.tmp"
    leftover.write_bytes(b"half a parquet file")

    summary = publish(tmp_path, doc_tables("d2", [ZJ]), ["d2"])

    assert not leftover.exists()
    assert summary.leftovers_removed == 1
    assert list((tmp_path / STAGING_DIR).iterdir()) == []


def test_next_publish_also_revisits_the_partitions_an_interrupted_run_was_writing(tmp_path):
    publish(tmp_path, doc_tables("v1", [CQ], source_file="report.txt"), ["v1"])
    # A run published v2 of report.txt into ZJ, then died before its ledger learnt about it.
    publish(tmp_path, doc_tables("v2", [ZJ], source_file="report.txt"), ["v2"])
    write_journal(tmp_path / STAGING_DIR, {"indicators": [ZJ], "quarantine": [ZJ], "documents": [ZJ]})

    summary = publish(tmp_path, doc_tables("v3", [NO_REGION], source_file="report.txt"), ["v3"],
                      replace_source_files=["report.txt"], previous_partitions=[CQ])

    assert summary.resumed_interrupted_run
    assert rows_by_doc(tmp_path, "indicators", ZJ) == {}
    assert rows_by_doc(tmp_path, "indicators", CQ) == {}
    assert rows_by_doc(tmp_path, "indicators", NO_REGION) == {"v3": 2}
    assert not (tmp_path / STAGING_DIR / JOURNAL_FILE).exists()


# --- the lock ------------------------------------------------------------------------------------


def hold_lock(warehouse: Path, acquired, release) -> None:
    with warehouse_lock(warehouse):
        acquired.set()
        release.wait(30)


def start_holder(warehouse: Path):
    acquired, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=hold_lock, args=(warehouse, acquired, release), daemon=True)
    holder.start()
    assert acquired.wait(10)
    return holder, release


def can_lock(warehouse: Path) -> bool:
    try:
        with warehouse_lock(warehouse):
            return True
    except WarehouseBusy:
        return False


def test_second_run_is_refused_with_holders_pid_while_the_lock_is_held(tmp_path):
    holder, release = start_holder(tmp_path)
    try:
        with pytest.raises(WarehouseBusy, match=rf"another industry-etl run is writing to .*\(pid {holder.pid}, started at"):
            with warehouse_lock(tmp_path):
                pass
    finally:
        release.set()
        holder.join(10)
    assert can_lock(tmp_path)


def test_lock_is_free_again_after_its_holder_is_killed(tmp_path):
    holder, _ = start_holder(tmp_path)
    assert not can_lock(tmp_path)

    holder.kill()
    holder.join(10)

    assert can_lock(tmp_path)


def test_waiting_for_the_lock_blocks_until_the_holder_releases_it(tmp_path):
    holder, release = start_holder(tmp_path)
    threading.Timer(0.3, release.set).start()

    started = time.monotonic()
    with warehouse_lock(tmp_path, wait=True):
        waited = time.monotonic() - started
    holder.join(10)

    assert waited >= 0.2


def test_lock_is_exclusive_within_one_process_too(tmp_path):
    with warehouse_lock(tmp_path), pytest.raises(WarehouseBusy):
        with warehouse_lock(tmp_path):
            pass


# --- crash safety --------------------------------------------------------------------------------

CRASH_PARTITIONS = [(f"{code}0000", year) for code in range(11, 17) for year in (2022, 2023, 2024)]
CRASH_PARTITIONS += [NO_REGION, NO_YEAR, NEITHER]
CRASH_DOCS = [f"doc{i}" for i in range(5)]
OLD_ROWS, NEW_ROWS = 2, 3  # indicator rows per doc and partition before / after (quarantine: one fewer)

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from tasks.read import connect_warehouse, snapshot_lock

    warehouse, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    expected = json.loads(sys.argv[4])
    keys = {tuple(key) for key in expected["keys"]}
    allowed = {table: set(counts) for table, counts in expected["counts"].items()}
    queries, problems = 0, []
    connection = connect_warehouse(warehouse)
    while not stop.exists():
        for table, counts in allowed.items():
            try:
                with snapshot_lock(warehouse):
                    rows = connection.execute(
                        f"SELECT region_code, year, doc_id, count(*) FROM {table} GROUP BY ALL").fetchall()
            except Exception as error:
                problems.append(f"{table}: {error}")
                continue
            queries += 1
            seen = {(code, year, doc): n for code, year, doc, n in rows}
            if set(seen) != keys:
                problems.append(f"{table}: partitions or docs missing or extra")
            problems += [f"{table} {key}: {n} rows" for key, n in seen.items() if n not in counts]
    out.write_text(json.dumps({"queries": queries, "problems": problems[:20]}))
""")


def crash_tables(per_partition: int) -> dict[str, pa.Table]:
    return merge(*(doc_tables(doc, CRASH_PARTITIONS, per_partition, value=float(per_partition))
                   for doc in CRASH_DOCS))


def publish_in_child(warehouse: Path, tables: dict[str, pa.Table], started, ledger: bool) -> None:
    with warehouse_lock(warehouse):
        started.set()
        previous = CRASH_PARTITIONS if ledger else None
        publish_tables(warehouse, tables, CRASH_DOCS, previous_partitions=previous)


def test_killed_publishes_leave_whole_partitions_and_a_rerun_matches_an_uninterrupted_run(tmp_path):
    old, new = crash_tables(OLD_ROWS), crash_tables(NEW_ROWS)
    reference = {}
    for label, tables in (("old", old), ("new", new)):
        publish(tmp_path / f"ref-{label}", tables, CRASH_DOCS)
        reference[label] = warehouse_files(tmp_path / f"ref-{label}")
    warehouse = tmp_path / "wh"
    publish(warehouse, old, CRASH_DOCS)
    started_at = time.perf_counter()
    publish(warehouse, new, CRASH_DOCS)
    one_publish = time.perf_counter() - started_at
    assert warehouse_files(warehouse) == reference["new"]

    expected = {  # every (partition, doc) always present, with the old or the new row count
        "keys": [[code, year, doc] for code, year in CRASH_PARTITIONS for doc in CRASH_DOCS],
        "counts": {"indicators": [OLD_ROWS, NEW_ROWS], "quarantine": [OLD_ROWS - 1, NEW_ROWS - 1]},
    }
    stop, report = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), str(stop), str(report), json.dumps(expected)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    rng = random.Random(20241201)
    killed_mid_publish = 0
    try:
        for trial in range(12):
            label = "old" if trial % 2 == 0 else "new"
            started = FORK.Event()
            child = FORK.Process(target=publish_in_child,
                                 args=(warehouse, old if label == "old" else new, started, trial % 4 < 2))
            child.start()
            assert started.wait(10)
            time.sleep(rng.uniform(0.05, 0.95) * one_publish)
            child.kill()
            child.join(10)
            killed_mid_publish += (warehouse / STAGING_DIR / JOURNAL_FILE).exists()

            publish(warehouse, old if label == "old" else new, CRASH_DOCS)

            assert warehouse_files(warehouse) == reference[label], f"trial {trial}"
            files = compare_files(warehouse, checksum=True)  # the manifest was renewed in the same step
            assert (files.damaged, files.missing, files.adopted) == ({}, [], []), f"trial {trial}"
    finally:
        stop.touch()
        reader.wait(30)

    result = json.loads(report.read_text())
    assert result["problems"] == []
    assert result["queries"] >= 20
    assert killed_mid_publish >= 4  # most kills must land inside a publish, or this tests little
