"""The Dask path: the same flow on a real LocalCluster with 2 worker processes gives the same tables."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.conftest import EXAMPLES, SAMPLES, needs_samples

pytestmark = [pytest.mark.slow, needs_samples]

COMPARED = {
    "indicators": "doc_id, source_file, segment, region_code, region, year, period_start_month, "
                  "period_end_month, indicator, subject, measure, value, unit, evidence, char_start",
    "documents": "doc_id, source_file, region_code, year, status, status_detail, chars_clean, indicators_found",
}


def table(warehouse, name):
    return duckdb.sql(
        f"SELECT {COMPARED[name]} FROM read_parquet('{warehouse}/{name}/**/*.parquet', hive_partitioning=true, "
        "hive_types={'region_code': 'VARCHAR'}) ORDER BY ALL").fetchall()


def test_dask_local_cluster_gives_the_same_tables_as_the_local_run(prefect_harness, tmp_path):
    from industry_etl.runner import run_flow

    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    for f in EXAMPLES.glob("*.txt"):
        shutil.copy(f, inbox / f.name)
    local, dask = tmp_path / "local", tmp_path / "dask"
    # batch_size 3 -> several batches, so both Dask workers get work
    run_flow(inbox, local, batch_size=3)
    summary = run_flow(inbox, dask, batch_size=3, workers=2)
    assert summary.files_new == 9
    for name in COMPARED:
        assert table(dask, name) == table(local, name), name
