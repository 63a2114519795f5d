"""The warehouse knows its own state: real warehouses built from the samples, damaged, checked, healed."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tasks.health import check_warehouse
from tasks.ingest import LEDGER_SCHEMA, ledger_path
from tasks.manifest import live_table_files, manifest_path, read_manifest, sha256_of
from tests.conftest import SAMPLES, needs_samples

pytestmark = [pytest.mark.slow, needs_samples]

BIN = Path(sys.executable).parent / "industry-etl"
VOLATILE = {"indicators": "run_id", "documents": "run_id, first_seen_at"}  # differ between runs by design
REMOVED = "003_bb58e88cae0c3348.txt"  # its rows are all in 500000/2023
ITS_PARTITION = "indicators/region_code=500000/year=2023/part-0.parquet"
OTHER_PARTITION = "indicators/region_code=330000/year=2022/part-0.parquet"  # 002's rows


def run(inbox: Path, warehouse: Path, **kwargs):
    from flows.nightly_ingest import nightly_ingest

    return nightly_ingest(inbox=str(inbox), warehouse=str(warehouse), **kwargs)


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=300, **kwargs)


def rows(warehouse: Path, table: str, where: str = "true") -> list[tuple]:
    source = (f"read_parquet('{warehouse}/{table}/**/*.parquet', hive_partitioning=true, "
              "hive_types={'region_code': 'VARCHAR'})")
    return duckdb.sql(f"SELECT * EXCLUDE ({VOLATILE[table]}) FROM {source} WHERE {where} ORDER BY ALL").fetchall()


def tables(warehouse: Path) -> dict[str, list[tuple]]:
    return {name: rows(warehouse, name) for name in ("indicators", "documents")}


def its_rows(clean: Path) -> int:
    """REMOVED's rows, which the tests below expect to fill ITS_PARTITION alone."""
    where = f"source_file = '{REMOVED}'"
    assert rows(clean, "indicators", f"NOT ({where}) AND region_code = '500000' AND year = 2023") == []
    return len(rows(clean, "indicators", where))


def digests(warehouse: Path) -> dict[str, str]:
    return {f: sha256_of(warehouse / f) for f in live_table_files(warehouse)}


@pytest.fixture(scope="module")
def clean(prefect_harness, tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("clean") / "warehouse"
    run(SAMPLES, warehouse)
    return warehouse


@pytest.fixture
def copy(clean, tmp_path) -> Path:
    warehouse = tmp_path / "warehouse"
    shutil.copytree(clean, warehouse)
    return warehouse


def damage(warehouse: Path) -> None:
    """Truncate one partition file, delete another."""
    os.truncate(warehouse / OTHER_PARTITION, 500)
    (warehouse / ITS_PARTITION).unlink()


# --- the manifest --------------------------------------------------------------------------------


def test_manifest_records_every_table_file_with_rows_bytes_checksum_and_run(clean):
    recorded = read_manifest(clean)
    assert sorted(recorded) == live_table_files(clean)
    for relative, entry in recorded.items():
        path = clean / relative
        assert (entry.rows, entry.bytes, entry.sha256) == (pq.ParquetFile(path).metadata.num_rows,
                                                           path.stat().st_size, sha256_of(path))
        assert entry.run_id
    lines = manifest_path(clean).read_text().splitlines()
    assert len(lines) == len(recorded) + 2  # header, one line per file, closing line
    assert json.loads(manifest_path(clean).read_text())["format"] == 1


def test_check_is_clean_on_a_fresh_warehouse(clean):
    result = check_warehouse(clean)
    found = duckdb.sql(f"SELECT sum(indicators_found) FROM read_parquet('{clean}/documents/**/*.parquet')")
    assert result.problems == [] and result.documents == 5 and result.rows == found.fetchall()[0][0]


# --- the ledger ----------------------------------------------------------------------------------


def test_a_lost_ledger_is_rebuilt_from_documents_and_nothing_is_counted_twice(copy):
    before = digests(copy)
    shutil.rmtree(copy / "_ledger")
    summary = run(SAMPLES, copy)
    assert any("ledger missing: rebuilt" in m for m in summary.repairs)
    assert summary.files_new == 0  # each file hashed, found as documented, not read again
    assert digests(copy) == before
    assert check_warehouse(copy).problems == []


def test_a_stale_ledger_never_lets_a_files_rows_be_added_twice(clean, copy):
    pq.write_table(LEDGER_SCHEMA.empty_table(), ledger_path(copy))  # valid, but knows no file
    summary = run(SAMPLES, copy)
    assert summary.files_new == 5
    assert tables(copy) == tables(clean)
    assert check_warehouse(copy).problems == []


def test_check_names_ledger_rows_that_disagree_with_documents(copy):
    ledger = pq.read_table(ledger_path(copy))
    doc_ids = ledger.column("doc_id").to_pylist()
    doc_ids[0] = "0" * 16
    pq.write_table(ledger.set_column(ledger.schema.get_field_index("doc_id"), "doc_id",
                                     pa.array(doc_ids, pa.string())), ledger_path(copy))
    first = ledger.column("source_file")[0].as_py()
    assert check_warehouse(copy).problems == [
        f"ledger: {first} is recorded as {'0' * 16}, documents says {ledger.column('doc_id')[0].as_py()}"]


def test_a_garbage_ledger_is_rebuilt_and_the_run_says_so(copy):
    before = digests(copy)
    ledger_path(copy).write_bytes(b"not parquet at all")
    summary = run(SAMPLES, copy)  # the CLI's wording of it: the crash test below
    assert any(m.startswith("ledger ") and "rebuilt it from documents" in m for m in summary.repairs)
    assert digests(copy) == before
    assert check_warehouse(copy).problems == []


# --- damaged partitions --------------------------------------------------------------------------


def test_check_names_a_truncated_and_a_deleted_partition_and_exits_non_zero(copy):
    damage(copy)
    out = cli("check", "--warehouse", str(copy))
    assert out.returncode == 1
    assert f"{OTHER_PARTITION}: 500 bytes" in out.stdout
    assert f"{ITS_PARTITION}: missing" in out.stdout
    assert " problems in " in out.stdout.splitlines()[-1]


def test_the_next_run_restores_damaged_partitions_from_the_inbox(clean, copy):
    damage(copy)
    summary = run(SAMPLES, copy)
    said = "\n".join(summary.repairs)
    assert f"{OTHER_PARTITION}: 500 bytes" in said and "moved to _damaged/" in said
    assert f"{ITS_PARTITION}: missing" in said and f"{REMOVED}: 0 of its {its_rows(clean)} rows found" in said
    assert summary.files_new == 2
    assert tables(copy) == tables(clean)
    assert check_warehouse(copy).problems == []
    assert list((copy / "_damaged").rglob("part-0.parquet"))  # kept for whoever wants to look


def test_a_lost_documents_partition_is_restored_from_the_inbox(clean, copy):
    (copy / "documents/region_code=500000/year=2023/part-0.parquet").unlink()  # 003's documents row
    summary = run(SAMPLES, copy)
    assert any(m.startswith(f"{REMOVED}: {its_rows(clean)} rows but no documents row") for m in summary.repairs)
    assert tables(copy) == tables(clean)
    assert check_warehouse(copy).problems == []


def test_run_repair_finds_damage_of_the_same_size_by_checksum(clean, copy):
    path = copy / OTHER_PARTITION
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF  # in the first column chunk: the footer stays readable, the values do not
    path.write_bytes(bytes(data))
    assert run(SAMPLES, copy).repairs == []  # an ordinary run compares sizes only
    summary = run(SAMPLES, copy, repair_all=True)
    assert any("checksum differs" in m for m in summary.repairs)
    assert tables(copy) == tables(clean)
    assert check_warehouse(copy).problems == []


def test_a_file_gone_from_the_inbox_is_reported_and_the_others_rows_are_intact(clean, copy, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    (inbox / REMOVED).unlink()
    os.truncate(copy / ITS_PARTITION, 500)
    summary = run(inbox, copy, removed="keep")  # kept: its documents row stays as it was
    assert any(m.startswith(f"{REMOVED}: 0 of its {its_rows(clean)} rows found") and "no longer in the inbox" in m
               for m in summary.repairs)
    others = f"source_file != '{REMOVED}'"
    assert rows(copy, "indicators", others) == rows(clean, "indicators", others)
    assert rows(copy, "documents") == rows(clean, "documents")


def test_a_file_gone_from_the_inbox_with_a_damaged_partition_is_withdrawn_by_default(clean, copy, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    (inbox / REMOVED).unlink()
    os.truncate(copy / ITS_PARTITION, 500)
    summary = run(inbox, copy)
    assert any(m.startswith(f"{REMOVED}: 0 of its {its_rows(clean)} rows found") and "rows are withdrawn" in m
               for m in summary.repairs)
    assert summary.withdrawn == {REMOVED: 0}  # its rows were in the damaged partition
    others = f"source_file != '{REMOVED}'"
    assert rows(copy, "indicators", others) == rows(clean, "indicators", others)
    assert rows(copy, "documents", others) == rows(clean, "documents", others)
    documented = duckdb.sql(f"SELECT status, indicators_found FROM read_parquet('{copy}/documents/**/*.parquet') "
                            f"WHERE source_file = '{REMOVED}'").fetchall()
    assert documented == [("removed", 0)]
    assert check_warehouse(copy).problems == []


def test_run_repair_withdraws_a_file_gone_from_the_inbox_that_a_stale_ledger_forgot(clean, copy, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    (inbox / REMOVED).unlink()
    pq.write_table(LEDGER_SCHEMA.empty_table(), ledger_path(copy))  # valid, but knows no file
    assert f"ledger: {REMOVED} is documented but not recorded (it will be read again)" in check_warehouse(copy).problems
    summary = run(inbox, copy, repair_all=True)
    assert any(m.startswith(f"ledger: {REMOVED} is documented but not recorded; no longer in the inbox") for m in summary.repairs)
    assert summary.withdrawn == {REMOVED: its_rows(clean)}
    others = f"source_file != '{REMOVED}'"
    assert rows(copy, "indicators", others) == rows(clean, "indicators", others)
    assert check_warehouse(copy).problems == []


# --- nothing outlives a killed run ---------------------------------------------------------------


def marked(mark: str) -> list[int]:
    """Pids of live processes started with `mark` in their environment (the run and all it started)."""
    needle = f"\0TEST_RUN_MARK={mark}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and needle in b"\0" + (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def left_after_kill(process: subprocess.Popen, mark: str, within: float = 10.0) -> list[int]:
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + within
    while (left := marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_a_guarded_process_killed_with_sigkill_takes_its_children_with_it():
    mark = uuid.uuid4().hex
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, time\nfrom industry_etl.watchdog import guard_run\n"
         "guard_run(); subprocess.Popen(['sleep', '600']); print('ready', flush=True); time.sleep(600)"],
        env={**os.environ, "TEST_RUN_MARK": mark}, stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline() == "ready\n"
    deadline = time.monotonic() + 10  # (the watchdog's interpreter may still be starting under load)
    while len(marked(mark)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(marked(mark)) == 3  # the parent, its watchdog and its child
    assert left_after_kill(parent, mark) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and pidfd")
def test_runs_killed_during_repair_leave_no_process_and_the_next_run_completes(clean, copy):
    damage(copy)
    ledger_path(copy).write_bytes(b"garbage")
    rng = random.Random(16)
    for trial in range(2):
        mark = uuid.uuid4().hex
        process = subprocess.Popen([str(BIN), "run", "--inbox", str(SAMPLES), "--warehouse", str(copy)],
                                   env={**os.environ, "TEST_RUN_MARK": mark}, stdout=subprocess.PIPE, text=True)
        # The first kill lands in the repair step (after its last line: the CLI says it rebuilt the
        # garbage ledger), the second later in the run.
        awaited = "rebuilt it from documents" if trial == 0 else "ingest:"
        assert any(awaited in line for line in process.stdout)
        time.sleep(rng.uniform(0, 0.3) if trial == 0 else rng.uniform(1.0, 3.0))
        assert left_after_kill(process, mark) == [], f"trial {trial}"
    run(SAMPLES, copy)
    assert tables(copy) == tables(clean)
    assert check_warehouse(copy).problems == []
