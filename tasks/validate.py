"""The data-quality gate: run the expectation suites in `expectations/` over a run's rows.

The suites are reviewable JSON files, one per table; each expectation's `meta` gives it a stable
`name` (what `quarantine.failed_expectations` lists) and a `tier`: `error` sends the row to
quarantine, `warn` publishes it and counts the failure. Great Expectations (GE) validates a pandas
frame in an ephemeral context built once per process; the result format `COMPLETE` returns the
index of every failing row, so the frame is given a fresh RangeIndex and those indexes are row
positions. Two checks need more than one column of one row, so a helper column is computed in
pandas first and GE compares it with the row's own value (see `with_check_columns`). Documents rows
are validated too but never quarantined: they are the ledger of what happened to each file.

GE costs 4-5 s to import, so it is imported inside the functions that need it, never at module
import (the CLI's `--help` must not pay for it).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from schemas.models import INDICATOR_SCHEMA, QUARANTINE_SCHEMA
from tasks.quality import CheckResult, check_results, merge_checks, run_status, write_quality_page

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.data_context import EphemeralDataContext

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"
TIERS = ("error", "warn")
# GE's own severity field, set from the tier so Data Docs and stored results carry it too.
GE_SEVERITY = {"error": "critical", "warn": "warning"}
YEAR_MARGIN = 6  # targets are stated up to this many years past the report year
INDICATOR_COLUMNS = INDICATOR_SCHEMA.names
QUARANTINE_COLUMNS = QUARANTINE_SCHEMA.names
# Same place and period, for the value-added <= output check; all within one document.
OUTPUT_MATCH_KEY = [
    "doc_id", "segment", "region_code", "city", "county",
    "year", "period_start_month", "period_end_month", "unit",
]


class ExpectationRunError(RuntimeError):
    """An expectation could not be evaluated (e.g. a missing column): the run cannot be checked."""


@dataclass(frozen=True)
class ExpectationRule:
    """What the gate needs to know about one expectation of a suite file."""

    table: str
    name: str
    tier: str


@dataclass
class ValidationOutcome:
    """What the gate decided about a run's rows."""

    published: pd.DataFrame  # indicator rows that passed every error-tier expectation
    quarantine: pd.DataFrame  # failed rows, QUARANTINE_SCHEMA columns
    failure_counts: dict[str, int]  # every expectation of both suites, zero included
    warn_counts: dict[str, int]  # the warn-tier subset of failure_counts
    failed_share: float  # quarantined rows / indicator rows
    run_failed: bool  # failed_share > fail_share
    checks: list[CheckResult]  # every expectation of both suites: counts and a few failing rows
    quality_page: Path | None  # the data-quality page, when docs_dir was given


@cache
def load_suite_file(table: str, suites_dir: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The suite file of `table` as a dict, its rule metadata checked (unique names, known tiers)."""
    suite = json.loads((suites_dir / f"{table}.json").read_text(encoding="utf-8"))
    names = [expectation["meta"]["name"] for expectation in suite["expectations"]]
    if len(set(names)) != len(names):
        raise ValueError(f"{table}.json: expectation names must be unique")
    for expectation in suite["expectations"]:
        if expectation["meta"].get("tier") not in TIERS:
            raise ValueError(f"{table}.json: {expectation['meta']['name']} needs a tier in {TIERS}")
    return suite


def suite_rules(table: str, suites_dir: Path = EXPECTATIONS_DIR) -> list[ExpectationRule]:
    """The expectations of a suite file, in file order."""
    return [
        ExpectationRule(table, e["meta"]["name"], e["meta"]["tier"])
        for e in load_suite_file(table, suites_dir)["expectations"]
    ]


def year_upper_bounds(
    indicators: pd.DataFrame, documents: pd.DataFrame, run_year: int
) -> pd.Series:
    """Per row: the latest plausible `year`, min(report year, run year) + YEAR_MARGIN.

    The report year is the document's `year` in the documents table; when the document is not
    there or has no year, the run's year stands in (a report cannot be from the future).
    """
    known = documents.dropna(subset=["year"]).drop_duplicates("doc_id")
    report_year = indicators["doc_id"].map(known.set_index("doc_id")["year"].astype("float64"))
    return report_year.astype("float64").fillna(run_year).clip(upper=run_year) + YEAR_MARGIN


def matched_output_levels(indicators: pd.DataFrame) -> pd.Series:
    """Per row: for a whole-region industrial_value_added level, the largest industrial_output level
    of the same document, segment, place, period and unit; NaN for every other row or no match.

    GE has no cross-row expectation, so this helper column lets a plain column-pair expectation
    state "value added <= output". The largest output is taken so repeated mentions never raise a
    false alarm; only rows of one document are needed, so the check works on document chunks.
    """
    level = (
        indicators["measure"].eq("level")
        & indicators["subject"].isna()
        & indicators["value"].notna()
    )
    is_output = (level & indicators["indicator"].eq("industrial_output")).to_numpy()
    is_value_added = (level & indicators["indicator"].eq("industrial_value_added")).to_numpy()
    candidates = is_output | is_value_added
    # One group number per place and period (nulls are a value of their own), whatever the dtypes.
    group = (
        indicators.loc[candidates, OUTPUT_MATCH_KEY]
        .groupby(OUTPUT_MATCH_KEY, dropna=False, sort=False, observed=True)
        .ngroup()
        .to_numpy()
    )
    output_values = np.where(is_output[candidates], indicators["value"].to_numpy("float64")[candidates], np.nan)
    largest_output = pd.Series(output_values).groupby(group).max()
    levels = np.full(len(indicators), np.nan)
    levels[is_value_added] = largest_output.reindex(group[is_value_added[candidates]]).to_numpy()
    return pd.Series(levels, index=indicators.index, name="_output_level")


def suite_columns(table: str, suites_dir: Path = EXPECTATIONS_DIR) -> set[str]:
    """Every column a suite file names: in kwargs or in a row condition."""

    def condition_columns(condition: Mapping[str, Any] | None) -> set[str]:
        if not condition:
            return set()
        if "conditions" in condition:
            return set().union(*(condition_columns(c) for c in condition["conditions"]))
        return {condition["column"]["name"]}

    columns: set[str] = set()
    for expectation in load_suite_file(table, suites_dir)["expectations"]:
        kwargs = expectation["kwargs"]
        columns |= {kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs}
        columns |= set(kwargs.get("column_list", ()))
        columns |= condition_columns(kwargs.get("row_condition"))
    return columns


def gx_ready(column: pd.Series) -> pd.Series:
    """The same values in a dtype GE's pandas engine handles fast.

    Text becomes categorical: GE copies the whole frame for every row condition and null filter,
    and copying codes is cheap where copying (Arrow-backed) strings is not. Integers become int64,
    and nullable numbers with nulls float64: GE's pandas `between` is vectorised only for those and
    calls a Python function per value otherwise. A nullable boolean with nulls becomes object.
    """
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return column.astype("object") if column.hasnans else column.astype(bool)
    if pd.api.types.is_integer_dtype(dtype):
        return column.astype("float64") if column.hasnans else column.astype("int64")
    if pd.api.types.is_float_dtype(dtype):
        return column.astype("float64")
    if pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return column.astype("category")
    return column


def with_check_columns(
    indicators: pd.DataFrame, documents: pd.DataFrame, run_year: int
) -> pd.DataFrame:
    """What GE validates: the indicator columns the suite names, in `gx_ready` dtypes, with a
    fresh RangeIndex (GE reports failing rows by index), plus the helper columns described in the
    suite's meta: `_year_max`, `_output_level` and `_evidence_chars`."""
    helper_inputs = {"doc_id", "subject", "value", "indicator", "measure", *OUTPUT_MATCH_KEY}
    in_suite = suite_columns("indicators") & set(indicators.columns)
    ready = pd.DataFrame(
        {
            name: gx_ready(indicators[name].reset_index(drop=True))
            for name in INDICATOR_COLUMNS
            if name in in_suite | helper_inputs
        }
    )
    evidence = indicators["evidence"].reset_index(drop=True)
    helpers = {
        "_year_max": year_upper_bounds(ready, documents, run_year),
        "_output_level": matched_output_levels(ready),
        "_evidence_chars": evidence.str.len().astype("float64"),
    }
    return ready[[name for name in ready.columns if name in in_suite]].assign(**helpers)


_CONTEXT_LOCK = threading.Lock()


def warm_up_in_background() -> threading.Thread:
    """Import GE and build its context (4-5 s of one core) in a thread of this process, while the
    batches keep the pool's processes busy: the flow then does not wait for it after the batches."""
    thread = threading.Thread(target=gx_context, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


def gx_context() -> EphemeralDataContext:
    """The process's one GE context (built once; safe to call from several threads)."""
    with _CONTEXT_LOCK:
        return _build_gx_context()


@cache
def _build_gx_context() -> EphemeralDataContext:
    """The process's one GE context: ephemeral, telemetry and progress bars off, one pandas
    dataframe asset per table, the suites added, no Data Docs site (tasks.quality writes the page)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # GE's fallback when the config leaves it unset
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        # GE's default ephemeral config adds a Data Docs site in a temporary folder; we need none.
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    context = gx.get_context(project_config=config, mode="ephemeral")
    frames = context.data_sources.add_pandas("frames")
    for table in ("indicators", "documents"):
        frames.add_dataframe_asset(table).add_batch_definition_whole_dataframe("whole")
        suite_dict = load_suite_file(table)
        expectations = [
            {**e, "severity": GE_SEVERITY[e["meta"]["tier"]]} for e in suite_dict["expectations"]
        ]
        suite = ExpectationSuite(name=suite_dict["name"], expectations=expectations, meta=suite_dict["meta"])
        # GE logs and skips an expectation it cannot build (a typo in its type or kwargs): refuse instead.
        built = {e.meta["name"] for e in suite.expectations}
        missing = [e["meta"]["name"] for e in suite_dict["expectations"] if e["meta"]["name"] not in built]
        if missing:
            raise ValueError(f"{table}.json: GE could not build {', '.join(missing)}")
        context.suites.add(suite)
    return context


def run_suite(
    table: str, frame: pd.DataFrame, parameters: Mapping[str, Any]
) -> ExpectationSuiteValidationResult:
    """Validate `frame` (RangeIndex) against the table's suite, every failing row index returned."""
    context = gx_context()
    batch = (
        context.data_sources.get("frames").get_asset(table).get_batch_definition("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    result = batch.validate(
        context.suites.get(table),
        result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False},
        expectation_parameters=dict(parameters),
    )
    for expectation_result in result.results:
        name = expectation_result.expectation_config.meta["name"]
        message = raised_exception_message(expectation_result.exception_info)
        if message is not None:
            raise ExpectationRunError(f"{table}: expectation {name} could not run: {message}")
        if "unexpected_index_list" not in expectation_result.result:
            raise ExpectationRunError(f"{table}: expectation {name} returned no failing-row list")
    return result


def raised_exception_message(exception_info: Mapping[str, Any]) -> str | None:
    """The message of an exception GE caught while checking one expectation, if any.

    GE reports an exception either at the top of `exception_info` or, when a metric failed, in a
    dict per metric; either way the expectation merely reads as failed, with no rows listed.
    """
    infos = [exception_info, *(value for value in exception_info.values() if isinstance(value, Mapping))]
    for info in infos:
        if info.get("raised_exception"):
            return str(info.get("exception_message"))
    return None


def failing_rows(result: ExpectationSuiteValidationResult) -> dict[str, np.ndarray]:
    """Expectation name -> sorted positions of the rows it failed (results come back in no set
    order, so they are matched by the name in their meta)."""
    rows = {}
    for expectation_result in result.results:
        name = expectation_result.expectation_config.meta["name"]
        indexes = expectation_result.result["unexpected_index_list"]
        rows[name] = np.unique(np.asarray(indexes, dtype="int64"))
    return rows


def failed_names_per_row(
    failures: Mapping[str, np.ndarray], rules: list[ExpectationRule], n_rows: int, rows: np.ndarray
) -> list[list[str]]:
    """For each position in `rows`, the names of every expectation it failed, in suite-file order."""
    wanted = np.zeros(n_rows, dtype=bool)
    wanted[rows] = True
    names: dict[int, list[str]] = {int(row): [] for row in rows}
    for rule in rules:
        for row in failures.get(rule.name, np.empty(0, dtype="int64")):
            if wanted[row]:
                names[int(row)].append(rule.name)
    return [names[int(row)] for row in rows]


def validate_tables(
    indicators: pd.DataFrame,
    documents: pd.DataFrame,
    docs_dir: Path | None,
    catalog_codes: Collection[str],
    *,
    fail_share: float = 0.20,
    run_year: int | None = None,
    run_name: str | None = None,
    documents_suite: bool = True,
) -> ValidationOutcome:
    """Split a run's indicator rows into published and quarantined ones, count every failure,
    and write the data-quality page under `docs_dir` (when given).

    `run_year` bounds `year` when a document's report year is unknown (default: this year, UTC);
    `run_name` names the run's page (default: the rows' run_id). `documents_suite=False`: check
    only the indicator rows (`documents` then only gives report years; its own checks are absent).
    """
    missing = [name for name in INDICATOR_COLUMNS if name not in indicators.columns]
    if missing:
        raise ValueError(f"indicators lack the columns {missing}")
    year_now = run_year if run_year is not None else datetime.now(UTC).year
    frame = with_check_columns(indicators, documents, year_now)
    ledger = documents.reset_index(drop=True)
    indicator_result = run_suite("indicators", frame, {"catalog_codes": sorted(catalog_codes)})
    document_failures = failing_rows(run_suite("documents", ledger, {})) if documents_suite else {}

    indicator_rules, document_rules = suite_rules("indicators"), suite_rules("documents") if documents_suite else []
    indicator_failures = failing_rows(indicator_result)
    counts = {rule.name: len(indicator_failures[rule.name]) for rule in indicator_rules}
    counts |= {rule.name: len(document_failures[rule.name]) for rule in document_rules}
    warn_counts = {
        rule.name: counts[rule.name] for rule in indicator_rules + document_rules if rule.tier == "warn"
    }

    quarantined = np.zeros(len(frame), dtype=bool)
    for rule in indicator_rules:
        if rule.tier == "error":
            quarantined[indicator_failures[rule.name]] = True
    quarantined_rows = np.flatnonzero(quarantined)
    rows = indicators.reset_index(drop=True)[INDICATOR_COLUMNS]
    quarantine = rows.take(quarantined_rows).reset_index(drop=True)
    # No copy when nothing is quarantined (the usual run); `take` is the cheapest copy otherwise.
    published = rows.take(np.flatnonzero(~quarantined)).reset_index(drop=True) if len(quarantined_rows) else rows
    quarantine["failed_expectations"] = pd.Series(
        failed_names_per_row(indicator_failures, indicator_rules, len(frame), quarantined_rows),
        dtype="object",
    )
    failed_share = float(quarantined.mean()) if len(frame) else 0.0

    rows_checked = indicators.reset_index(drop=True)
    checks = (check_results("indicators", load_suite_file("indicators")["expectations"], indicator_failures,
                            rows_checked)
              + (check_results("documents", load_suite_file("documents")["expectations"], document_failures, ledger)
                 if documents_suite else []))
    quality_page = None
    if docs_dir is not None:
        run_ids = pd.concat([indicators["run_id"], documents["run_id"]]).dropna()
        label = run_name or (str(run_ids.iloc[0]) if len(run_ids) else "validate")
        quality_page = write_quality_page(docs_dir, label, checks, len(published), len(quarantine))

    return ValidationOutcome(
        published=published,
        quarantine=quarantine[QUARANTINE_COLUMNS],
        failure_counts=counts,
        warn_counts=warn_counts,
        failed_share=failed_share,
        run_failed=failed_share > fail_share,
        checks=checks,
        quality_page=quality_page,
    )


# The outcome holds whole DataFrames: not persisted (which also turns Prefect's input-hashing cache off).


# --- a run's staged rows, in chunks -----------------------------------------------------------------

# Rows per GE call: large enough that GE's fixed ~0.7 s per call stays small, small enough that a
# run's peak memory is the same for 10,000 reports as for 100,000.
CHUNK_ROWS = 100_000


@dataclass
class GateSummary:
    """What validating a run's staged rows decided, chunk by chunk, kept on disk."""

    published_dir: Path  # hive-partitioned like the warehouse (tasks.publish.StagedRows reads it)
    quarantine_dir: Path
    held: dict[str, list] | None = None  # rows kept in memory instead (see `hold_rows`), per table
    published_rows: int = 0
    quarantined_rows: int = 0
    failure_counts: dict[str, int] | None = None
    published_by: dict[tuple[str | None, str], int] | None = None  # (region, indicator) -> rows
    quarantined_by: dict[tuple[str | None, str], int] | None = None
    checks: list[CheckResult] = field(default_factory=list)  # empty: nothing was checked
    quality_page: Path | None = None
    failed_share: float = 0.0
    run_failed: bool = False

    def rows(self, table: str):
        """The `indicators` (published) or `quarantine` rows: a pyarrow table when they were held in
        memory, else a `StagedRows` over their folder."""
        import pyarrow as pa

        from tasks.publish import StagedRows

        if self.held is not None:
            schema = INDICATOR_SCHEMA if table == "indicators" else QUARANTINE_SCHEMA
            return pa.concat_tables([schema.empty_table(), *self.held[table]])
        return StagedRows(self.published_dir if table == "indicators" else self.quarantine_dir)

    @property
    def quality_status(self) -> str:
        """"passed", "passed with warnings", "failed", or "nothing new to check"."""
        return run_status(self.checks) if self.checks else "nothing new to check"


def validate_staged_rows(row_files: list[Path], documents: pd.DataFrame, run_id: str, out_dir: Path,
                         docs_dir: Path | None, catalog_codes: Collection[str], *,
                         skip: Collection[tuple[str, str]] = (), fail_share: float = 0.20,
                         chunk_rows: int = CHUNK_ROWS, hold_rows: int = 0) -> GateSummary:
    """Validate the rows batches staged (whole documents per file), a chunk of files at a time.

    Rows of `skip` (doc_id, source_file) pairs (duplicates found after extraction) are dropped.
    Each chunk's published and quarantined rows are written under `out_dir/indicators` and
    `out_dir/quarantine`, partitioned like the warehouse. With no rows and no documents (nothing
    new) GE is not even imported: nothing is checked and no page is written. When the run has at
    most `hold_rows` rows they stay in memory instead (`GateSummary.rows`): writing ~250 small
    partition files only for publish to read them back costs more than the rows take.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    summary = GateSummary(out_dir / "indicators", out_dir / "quarantine", failure_counts={},
                          published_by={}, quarantined_by={})
    if not row_files and documents.empty:
        return summary
    if sum(pq.ParquetFile(f).metadata.num_rows for f in row_files) <= hold_rows:
        summary.held = {"indicators": [], "quarantine": []}
    skipped = {f"{d}\x00{s}" for d, s in skip}
    chunks = _chunks(row_files, chunk_rows) or [[]]  # no rows: still check the documents
    for k, chunk in enumerate(chunks):
        table = pa.concat_tables([pq.read_table(f) for f in chunk]) if chunk else INDICATOR_SCHEMA.empty_table()
        if skipped:
            keys = pc.binary_join_element_wise(table["doc_id"], table["source_file"], "\x00")
            table = table.filter(pc.invert(pc.is_in(keys, pa.array(sorted(skipped)))))
        table = table.set_column(table.schema.get_field_index("run_id"), "run_id",
                                 pa.array([run_id] * len(table), pa.string()))
        last = k == len(chunks) - 1
        frame = table.to_pandas()
        # Every chunk needs its documents (report years); the documents suite counts once, at the end.
        chunk_documents = documents if last else documents[documents["doc_id"].isin(frame["doc_id"].unique())]
        # The documents suite runs once, with the last chunk (all documents).
        outcome = validate_tables(frame, chunk_documents, None, catalog_codes, fail_share=fail_share, run_name=run_id,
                                  documents_suite=last)
        del frame
        del table
        _add_chunk(summary, outcome, out_dir, k)
    total = summary.published_rows + summary.quarantined_rows
    summary.failed_share = summary.quarantined_rows / total if total else 0.0
    summary.run_failed = summary.failed_share > fail_share
    if docs_dir is not None:
        summary.quality_page = write_quality_page(docs_dir, run_id, summary.checks, summary.published_rows,
                                                  summary.quarantined_rows)
    return summary


def _chunks(files: list[Path], chunk_rows: int) -> list[list[Path]]:
    """Files in order, about `chunk_rows` rows a chunk; a last chunk of under a quarter of that joins
    the one before (each GE call costs ~0.5 s whatever its size)."""
    import pyarrow.parquet as pq

    chunks: list[list[Path]] = []
    chunk: list[Path] = []
    rows = 0
    for f in files:
        chunk.append(f)
        rows += pq.ParquetFile(f).metadata.num_rows
        if rows >= chunk_rows:
            chunks.append(chunk)
            chunk, rows = [], 0
    if chunk and chunks and rows < chunk_rows // 4:
        chunks[-1] += chunk
    elif chunk:
        chunks.append(chunk)
    return chunks


def _add_chunk(summary: GateSummary, outcome: ValidationOutcome, out_dir: Path, k: int) -> None:
    import pyarrow as pa
    import pyarrow.dataset as ds

    for name, frame, schema, root in (
        ("indicators", outcome.published, INDICATOR_SCHEMA, summary.published_dir),
        ("quarantine", outcome.quarantine, QUARANTINE_SCHEMA, summary.quarantine_dir),
    ):
        if len(frame):
            table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
            if summary.held is not None:
                summary.held[name].append(table)
                continue
            partitioning = ds.partitioning(pa.schema([schema.field("region_code"), schema.field("year")]),
                                           flavor="hive")
            ds.write_dataset(table, root, format="parquet", partitioning=partitioning,
                             basename_template=f"chunk-{k:05d}-{{i}}.parquet",
                             existing_data_behavior="overwrite_or_ignore")
    summary.published_rows += len(outcome.published)
    summary.quarantined_rows += len(outcome.quarantine)
    for name, n in outcome.failure_counts.items():
        if n:
            summary.failure_counts[name] = summary.failure_counts.get(name, 0) + n
    for frame, by in ((outcome.published, summary.published_by), (outcome.quarantine, summary.quarantined_by)):
        if len(frame):
            for (region, indicator), n in frame.groupby(["region", "indicator"], dropna=False).size().items():
                key = (None if pd.isna(region) else region, indicator)
                by[key] = by.get(key, 0) + int(n)
    summary.checks = merge_checks(summary.checks, outcome.checks)


validate_task = task(validate_tables, name="validate", persist_result=False)
validate_staged_task = task(validate_staged_rows, name="validate", cache_policy=NO_CACHE)
