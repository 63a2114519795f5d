"""Time the data-quality gate on synthetic indicator rows against a Parquet read + write of them.

    .venv/bin/python bench/bench_validate.py [--rows 1000000] [--bad-share 0.01]

Acceptance: validating takes less than 3 x (read + write) of the same rows. The rows look like the
extractor's (catalog codes, the five measures with their units, redacted and null-year rows,
several figures per document) and a small share is broken on purpose, so the quarantine path runs.
GE's import and context build are timed apart: they are paid once per process. Each figure is
the best of --repeat runs, as other work on the machine only ever adds time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas.models import DOCUMENT_SCHEMA, INDICATOR_SCHEMA  # noqa: E402
from tasks.validate import gx_context, validate_tables  # noqa: E402

MEASURE_UNITS = {"level": "亿元", "yoy_pct": "%", "share_pct": "%", "vs_benchmark_pp": "pp", "rank": "位"}
ROWS_PER_DOCUMENT = 100


def catalog_codes() -> list[str]:
    with (ROOT / "schemas" / "catalog.toml").open("rb") as f:
        return sorted(tomllib.load(f)["indicators"])


def synthetic_indicators(n_rows: int, bad_share: float, seed: int = 7) -> pd.DataFrame:
    """`n_rows` rows with INDICATOR_SCHEMA columns; about `bad_share` of them break one rule."""
    rng = np.random.default_rng(seed)
    codes = np.array(catalog_codes())
    measures = np.array(list(MEASURE_UNITS))
    measure = measures[rng.integers(0, len(measures), n_rows)]
    value = np.select(
        [measure == "level", measure == "yoy_pct", measure == "share_pct", measure == "vs_benchmark_pp"],
        [rng.uniform(1, 5000, n_rows), rng.uniform(-20, 60, n_rows), rng.uniform(0, 100, n_rows),
         rng.uniform(-10, 10, n_rows)],
        rng.integers(1, 30, n_rows).astype("float64"),
    )
    redacted = rng.random(n_rows) < 0.03
    value[redacted] = np.nan
    bad = rng.random(n_rows) < bad_share
    value[bad & (measure == "yoy_pct")] = 900.0
    row = np.arange(n_rows)
    doc = row // ROWS_PER_DOCUMENT
    provinces = np.array(["330000", "500000", "440000", "110000", "100000"])
    year = pd.array(rng.integers(2018, 2025, n_rows), dtype="Int32")
    year[rng.random(n_rows) < 0.05] = pd.NA
    start = np.where(rng.random(n_rows) < 0.5, 1, rng.integers(1, 12, n_rows))
    end = np.maximum(start, rng.integers(1, 13, n_rows))
    evidence = pd.Series(np.char.add("规上工业增加值同比增长", row.astype(str)), dtype="str")
    frame = pd.DataFrame({
        "doc_id": pd.Series(np.char.add("doc", doc.astype(str)), dtype="str"),
        "source_file": pd.Series(np.char.add(np.char.add("inbox/", doc.astype(str)), ".txt"), dtype="str"),
        "segment": np.zeros(n_rows, dtype="int32"),
        "region_code": pd.Series(provinces[doc % len(provinces)], dtype="str"),
        "region": pd.Series(["浙江省"] * n_rows, dtype="str"),
        "city": pd.Series([None] * n_rows, dtype="str"),
        "city_code": pd.Series([None] * n_rows, dtype="str"),
        "county": pd.Series([None] * n_rows, dtype="str"),
        "year": year,
        "period_start_month": start.astype("int8"),
        "period_end_month": end.astype("int8"),
        "period_label": pd.Series(["1—11月"] * n_rows, dtype="str"),
        "indicator": pd.Series(codes[rng.integers(0, len(codes), n_rows)], dtype="str"),
        "subject": pd.Series(np.where(rng.random(n_rows) < 0.3, "民营", None), dtype="str"),
        "measure": pd.Series(measure, dtype="str"),
        "value": value,
        "unit": pd.Series([MEASURE_UNITS[m] for m in measure], dtype="str"),
        "benchmark": pd.Series(np.where(np.isin(measure, ["rank", "vs_benchmark_pp"]), "全国", None), dtype="str"),
        "is_redacted": redacted,
        "is_estimate": rng.random(n_rows) < 0.02,
        "is_target": rng.random(n_rows) < 0.02,
        "evidence": evidence,
        "char_start": (row % ROWS_PER_DOCUMENT * 40).astype("int32"),
        "char_end": (row % ROWS_PER_DOCUMENT * 40 + 30).astype("int32"),
        "pipeline_version": pd.Series(["0.1.0"] * n_rows, dtype="str"),
        "run_id": pd.Series(["bench"] * n_rows, dtype="str"),
    })
    return frame[INDICATOR_SCHEMA.names]


def parquet_round_trip_seconds(frame: pd.DataFrame, folder: Path) -> tuple[float, float, pd.DataFrame]:
    """Write the rows to Parquet (schema of the contract), then read them back: (write s, read s, rows)."""
    path = folder / "indicators.parquet"
    started = time.perf_counter()
    pq.write_table(pa.Table.from_pandas(frame, schema=INDICATOR_SCHEMA, preserve_index=False), path)
    written = time.perf_counter()
    rows = pq.read_table(path).to_pandas()
    return written - started, time.perf_counter() - written, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bad-share", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    gx_context()
    print(f"GE import + context build (once per process): {time.perf_counter() - started:.2f} s")

    frame = synthetic_indicators(args.rows, args.bad_share)
    documents = DOCUMENT_SCHEMA.empty_table().to_pandas()
    write_s = read_s = validate_s = float("inf")
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            write, read, rows = parquet_round_trip_seconds(frame, Path(folder))
            write_s, read_s = min(write_s, write), min(read_s, read)
            started = time.perf_counter()
            outcome = validate_tables(rows, documents, None, catalog_codes(), run_year=2025)
            validate_s = min(validate_s, time.perf_counter() - started)
        started = time.perf_counter()
        validate_tables(rows.head(1000), documents, Path(folder) / "_docs", catalog_codes(), run_year=2025)
        docs_s = time.perf_counter() - started

    io_s = read_s + write_s
    print(f"best of {args.repeat}; rows: {args.rows:,}  published: {len(outcome.published):,}  quarantined: {len(outcome.quarantine):,}")
    print(f"Parquet write: {write_s:.2f} s  read: {read_s:.2f} s  read+write: {io_s:.2f} s")
    print(f"validate_tables (no page): {validate_s:.2f} s  = {validate_s / io_s:.2f} x read+write")
    print(f"validate_tables on 1,000 rows with the data-quality page: {docs_s:.2f} s")
    verdict = "PASS" if validate_s < 3 * io_s else "FAIL"
    print(f"acceptance (validate < 3 x read+write): {verdict}")


if __name__ == "__main__":
    main()
