"""Reading the warehouse back: every engine, every contract column, null partitions, the SQL views."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from schemas.models import INDICATOR_SCHEMA, TABLE_SCHEMAS
from tasks.facts import build_facts
from tasks.publish import publish_tables, warehouse_lock
from tasks.read import connect_warehouse, run_sql, snapshot_lock, warehouse_partitioning

# Every combination of known and unknown region and year.
PARTITIONS = [("500000", 2024), ("330000", 2023), (None, 2024), ("100000", None), (None, None)]


def indicator(doc_id: str, partition: tuple[str | None, int | None], k: int) -> dict:
    region_code, year = partition
    return {
        "doc_id": doc_id, "source_file": f"{doc_id}.txt", "segment": k % 2, "region_code": region_code,
        "region": "重庆市" if region_code == "500000" else None, "city": "渝北区" if k else None,
        "city_code": "500112" if k else None, "county": None, "year": year,
        "period_start_month": 1, "period_end_month": 11, "period_label": "1—11月",
        "indicator": "industrial_value_added", "subject": "民营" if k else None, "measure": "yoy_pct",
        "value": None if k == 2 else 5.5 + k, "unit": "%", "benchmark": "全国" if k else None,
        "is_redacted": k == 2, "is_estimate": k == 1, "is_target": False,
        "evidence": f"规上工业增加值增长{5.5 + k}%", "char_start": 10 * k, "char_end": 10 * k + 9,
        "pipeline_version": "0.1.0", "run_id": "run-1",
    }


def document(doc_id: str, partition: tuple[str | None, int | None]) -> dict:
    region_code, year = partition
    return {
        "doc_id": doc_id, "source_file": f"{doc_id}.txt", "region_code": region_code, "year": year,
        "region": None, "title": "工业经济运行", "encoding": "gb18030", "chars_raw": 1200,
        "chars_clean": 1000, "boilerplate_chars_removed": 200, "segments": 1, "indicators_found": 3,
        "redacted_found": 1, "status": "ok", "status_detail": None, "duplicate_of": None,
        "first_seen_at": datetime(2024, 12, 1, 8, 30, tzinfo=UTC), "run_id": "run-1",
    }


def sample_rows() -> dict[str, list[dict]]:
    docs = [(f"doc{i}", partition) for i, partition in enumerate(PARTITIONS)]
    indicators = [indicator(doc_id, partition, k) for doc_id, partition in docs for k in range(3)]
    return {
        "indicators": indicators,
        "quarantine": [{**row, "failed_expectations": ["value_in_range", "period_valid"][: i % 3]}
                       for i, row in enumerate(indicators)],
        "documents": [document(doc_id, partition) for doc_id, partition in docs],
        "facts": build_facts(pa.Table.from_pylist(indicators, schema=INDICATOR_SCHEMA)).to_pylist(),
    }


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    rows = sample_rows()
    tables = {name: pa.Table.from_pylist(rows[name], schema=TABLE_SCHEMAS[name]) for name in rows if name != "facts"}
    with warehouse_lock(tmp_path):
        publish_tables(tmp_path, tables, [f"doc{i}" for i in range(len(PARTITIONS))])
    return tmp_path


def canonical(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=repr)


def null_partition_rows(table: pa.Table | pl.DataFrame | pd.DataFrame) -> tuple[int, int]:
    """How many rows have a null region_code, and how many a null year."""
    if isinstance(table, pa.Table):
        return table.column("region_code").null_count, table.column("year").null_count
    if isinstance(table, pl.DataFrame):
        return table["region_code"].null_count(), table["year"].null_count()
    return int(table["region_code"].isna().sum()), int(table["year"].isna().sum())


@pytest.mark.parametrize("name", list(TABLE_SCHEMAS))
def test_views_return_exactly_the_published_rows_with_contract_types(warehouse, name):
    with connect_warehouse(warehouse) as connection:
        table = connection.sql(f"SELECT * FROM {name}").to_arrow_table()

    assert table.schema.remove_metadata() == TABLE_SCHEMAS[name]
    assert canonical(table.to_pylist()) == canonical(sample_rows()[name])


@pytest.mark.parametrize("name", list(TABLE_SCHEMAS))
def test_contract_duckdb_query_reads_every_column_and_null_partitions(warehouse, name):
    glob = f"{warehouse}/{name}/**/*.parquet"
    table = duckdb.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning = true)").to_arrow_table()

    assert set(table.column_names) == set(TABLE_SCHEMAS[name].names)
    assert table.num_rows == len(sample_rows()[name])
    assert null_partition_rows(table) == null_partition_rows(pa.Table.from_pylist(sample_rows()[name]))


@pytest.mark.parametrize("name", list(TABLE_SCHEMAS))
def test_pyarrow_dataset_with_plain_hive_partitioning_reads_every_column(warehouse, name):
    table = ds.dataset(warehouse / name, partitioning="hive").to_table()

    assert set(table.column_names) == set(TABLE_SCHEMAS[name].names)
    assert null_partition_rows(table) == null_partition_rows(pa.Table.from_pylist(sample_rows()[name]))


@pytest.mark.parametrize("name", list(TABLE_SCHEMAS))
def test_pyarrow_with_the_warehouse_partitioning_gives_back_the_contract_table(warehouse, name):
    table = ds.dataset(warehouse / name, partitioning=warehouse_partitioning()).to_table()

    assert table.select(TABLE_SCHEMAS[name].names).schema.remove_metadata() == TABLE_SCHEMAS[name]
    assert canonical(table.to_pylist()) == canonical(sample_rows()[name])


@pytest.mark.parametrize("name", list(TABLE_SCHEMAS))
def test_polars_reads_every_column_and_null_partitions(warehouse, name):
    frame = pl.scan_parquet(f"{warehouse}/{name}/**/*.parquet", hive_partitioning=True).collect()

    assert set(frame.columns) == set(TABLE_SCHEMAS[name].names)
    assert frame.height == len(sample_rows()[name])
    assert null_partition_rows(frame) == null_partition_rows(pa.Table.from_pylist(sample_rows()[name]))


@pytest.mark.parametrize("name", list(TABLE_SCHEMAS))
def test_pandas_reads_every_column_and_null_partitions_given_the_partitioning(warehouse, name):
    frame = pd.read_parquet(warehouse / name, partitioning=warehouse_partitioning())

    assert set(frame.columns) == set(TABLE_SCHEMAS[name].names)
    assert len(frame) == len(sample_rows()[name])
    assert null_partition_rows(frame) == null_partition_rows(pa.Table.from_pylist(sample_rows()[name]))
    assert set(frame["region_code"].dropna()) <= {"500000", "330000", "100000"}


def test_readme_series_query_on_facts_gives_the_same_rows_in_duckdb_polars_and_pandas(warehouse):
    """The README's province x month series of 规上工业增加值 growth, in its three spellings."""
    glob = f"{warehouse}/facts/**/*.parquet"
    duck = duckdb.sql(f"""
        SELECT region_code, region, year, period_end_month AS month, value, conflict
        FROM read_parquet('{glob}', hive_partitioning=true, hive_types={{'region_code': 'VARCHAR'}})
        WHERE indicator = 'industrial_value_added' AND measure = 'yoy_pct' AND period_start_month = 1
          AND subject IS NULL AND city IS NULL AND county IS NULL AND benchmark IS NULL AND NOT is_target
        ORDER BY region_code, year, month""").fetchall()
    series = (pl.col("indicator") == "industrial_value_added") & (pl.col("measure") == "yoy_pct") \
        & (pl.col("period_start_month") == 1) & pl.col("subject").is_null() & pl.col("city").is_null() \
        & pl.col("county").is_null() & pl.col("benchmark").is_null() & ~pl.col("is_target")
    hive = {"region_code": pl.String, "year": pl.Int32}
    polars = (pl.read_parquet(glob, hive_partitioning=True, hive_schema=hive).filter(series)
              .select("region_code", "region", "year", pl.col("period_end_month").alias("month"), "value", "conflict")
              .sort("region_code", "year", "month", nulls_last=True))
    frame = pd.read_parquet(warehouse / "facts", partitioning=warehouse_partitioning())
    frame = frame.query("indicator == 'industrial_value_added' and measure == 'yoy_pct' and period_start_month == 1"
                        " and subject.isna() and city.isna() and county.isna() and benchmark.isna() and not is_target",
                        engine="python")
    assert len(duck) == len(PARTITIONS) and {r[4] for r in duck} == {5.5}
    assert polars.height == len(frame) == len(duck)
    assert polars.rows() == duck
    assert sorted(frame["value"]) == [r[4] for r in duck]


def test_fresh_warehouse_gives_empty_views_with_the_contract_columns(tmp_path):
    with connect_warehouse(tmp_path / "never-published") as connection:
        for name, schema in TABLE_SCHEMAS.items():
            table = connection.sql(f"SELECT * FROM {name}").to_arrow_table()
            assert table.num_rows == 0
            assert table.schema.remove_metadata() == schema


def test_run_sql_answers_a_query_as_an_arrow_table(warehouse):
    result = run_sql(warehouse, "SELECT region_code, year, count(*) AS n FROM indicators "
                                "GROUP BY ALL ORDER BY region_code NULLS LAST, year NULLS LAST")

    assert result.to_pylist() == [
        {"region_code": "100000", "year": None, "n": 3},
        {"region_code": "330000", "year": 2023, "n": 3},
        {"region_code": "500000", "year": 2024, "n": 3},
        {"region_code": None, "year": 2024, "n": 3},
        {"region_code": None, "year": None, "n": 3},
    ]


def test_views_follow_publishes_made_after_connecting(warehouse):
    with connect_warehouse(warehouse) as connection:
        with warehouse_lock(warehouse):
            publish_tables(warehouse, {}, ["doc0"])
        count = connection.execute("SELECT count(*) FROM indicators WHERE doc_id = 'doc0'").fetchone()[0]

    assert count == 0


def test_publish_waits_to_swap_files_while_a_reader_holds_the_snapshot(warehouse):
    before = run_sql(warehouse, "SELECT count(*) AS n FROM indicators").column("n")[0].as_py()

    def remove_doc0() -> None:
        with warehouse_lock(warehouse):
            publish_tables(warehouse, {}, ["doc0"])

    with snapshot_lock(warehouse):
        publisher = threading.Thread(target=remove_doc0)
        publisher.start()
        publisher.join(0.5)
        assert publisher.is_alive()
        with connect_warehouse(warehouse) as connection:
            assert connection.execute("SELECT count(*) FROM indicators").fetchone()[0] == before
    publisher.join(10)

    assert run_sql(warehouse, "SELECT count(*) AS n FROM indicators").column("n")[0].as_py() == before - 3


def empty_table_readers(warehouse: Path, name: str) -> dict[str, tuple[int, set[str]]]:
    """(rows, columns) as each engine reads the table the way the README does."""
    glob = f"{warehouse}/{name}/**/*.parquet"
    duck = duckdb.sql(f"SELECT * FROM read_parquet('{glob}', hive_partitioning=true, "
                      "hive_types={'region_code': 'VARCHAR'}) WHERE year = 2024 OR year IS NULL")
    # (plain partitioning="hive" cannot type an all-null partition key: README, pandas note)
    arrow = ds.dataset(warehouse / name, partitioning=warehouse_partitioning()).to_table()
    polars = pl.read_parquet(glob, hive_partitioning=True).filter((pl.col("year") == 2024) | pl.col("year").is_null())
    pandas = pd.read_parquet(warehouse / name, partitioning=warehouse_partitioning()).query("year == 2024 or year != year")
    return {"duckdb": (len(duck.fetchall()), set(duck.columns)), "pyarrow": (arrow.num_rows, set(arrow.column_names)),
            "polars": (polars.height, set(polars.columns)), "pandas": (len(pandas), set(pandas.columns))}


def test_a_table_without_rows_reads_as_zero_rows_with_every_contract_column(tmp_path):
    with warehouse_lock(tmp_path):
        publish_tables(tmp_path, {}, [])  # a first run with nothing in the inbox
    for name, schema in TABLE_SCHEMAS.items():
        assert empty_table_readers(tmp_path, name) == dict.fromkeys(("duckdb", "pyarrow", "polars", "pandas"),
                                                                    (0, set(schema.names))), name


def test_the_empty_tables_file_goes_when_rows_come_and_comes_back_when_they_go(warehouse):
    quarantine = warehouse / "quarantine"
    assert all(pq_rows(f) for f in quarantine.rglob("*.parquet"))  # no zero-row file beside real ones
    with warehouse_lock(warehouse):
        publish_tables(warehouse, {}, [f"doc{i}" for i in range(len(PARTITIONS))])
    files = list(quarantine.rglob("*.parquet"))
    assert [f.relative_to(quarantine).parts[:2] for f in files] == [
        ("region_code=__HIVE_DEFAULT_PARTITION__", "year=__HIVE_DEFAULT_PARTITION__")]
    assert empty_table_readers(warehouse, "quarantine")["duckdb"] == (0, set(TABLE_SCHEMAS["quarantine"].names))
    rows = sample_rows()
    with warehouse_lock(warehouse):
        publish_tables(warehouse, {"quarantine": pa.Table.from_pylist(rows["quarantine"][:3],
                                                                      schema=TABLE_SCHEMAS["quarantine"])}, [])
    assert all(pq_rows(f) for f in quarantine.rglob("*.parquet"))
    assert empty_table_readers(warehouse, "quarantine")["duckdb"][0] == 3


def pq_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_metadata(path).num_rows
