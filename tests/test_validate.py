"""The data-quality gate (tasks/validate.py with the suites in expectations/).

One clean row plus rows that each break exactly one expectation are validated together, once per
module (GE's context costs seconds to build); each parametrised case then checks its own row.
Every bad row lives in its own document so the row-identity and cross-row checks see only it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from schemas.models import DOCUMENT_SCHEMA, INDICATOR_SCHEMA, QUARANTINE_SCHEMA
from tasks.validate import (
    EXPECTATIONS_DIR,
    ExpectationRunError,
    ValidationOutcome,
    load_suite_file,
    matched_output_levels,
    run_suite,
    suite_rules,
    validate_tables,
    with_check_columns,
    year_upper_bounds,
)

# The 18 codes of the catalog table in ../shared/contract.md.
CATALOG_CODES = [
    "industrial_value_added", "industrial_value_added_all", "industrial_output", "industrial_investment",
    "tech_renovation_investment", "manufacturing_investment", "industrial_profit", "industrial_revenue",
    "software_revenue", "digital_core_value_added", "high_tech_mfg_value_added", "equipment_mfg_value_added",
    "strategic_emerging_value_added", "above_scale_enterprises", "little_giant_enterprises", "rd_intensity",
    "nev_output", "base_stations_5g",
]
RUN_YEAR = 2025
REPORT_YEAR = 2024

CLEAN_ROW: dict[str, Any] = {
    "doc_id": "clean", "source_file": "clean.txt", "segment": 0, "region_code": "330000", "region": "浙江省",
    "city": None, "city_code": None, "county": None, "year": 2024, "period_start_month": 1,
    "period_end_month": 11, "period_label": "1—11月", "indicator": "industrial_value_added", "subject": None,
    "measure": "yoy_pct", "value": 5.4, "unit": "%", "benchmark": None, "is_redacted": False,
    "is_estimate": False, "is_target": False, "evidence": "规上工业增加值同比增长5.4%", "char_start": 10,
    "char_end": 25, "pipeline_version": "test", "run_id": "run-test",
}
COMPARISON = {"benchmark": "全国"}

# Expectation name -> what to change in the clean row to break exactly that expectation.
BREAKS_ONE_ERROR: dict[str, dict[str, Any]] = {
    "doc_id_not_null": {"doc_id": None},
    "source_file_not_null": {"source_file": None},
    "segment_not_null": {"segment": None},
    "period_start_month_not_null": {"period_start_month": None},
    "period_end_month_not_null": {"period_end_month": None},
    "indicator_not_null": {"indicator": None},
    "measure_not_null": {"measure": None},
    "unit_not_null": {"unit": None},
    "char_start_not_null": {"char_start": None},
    "char_end_not_null": {"char_end": None},
    "is_redacted_not_null": {"is_redacted": None},
    "is_estimate_not_null": {"is_estimate": None},
    "is_target_not_null": {"is_target": None},
    "evidence_not_null": {"evidence": None},
    "evidence_not_empty": {"evidence": ""},
    "indicator_in_catalog": {"indicator": "gdp"},
    "measure_in_set": {"measure": "ratio"},
    "unit_is_percent_for_pct_measures": {"unit": "pp"},
    "unit_is_pp_for_vs_benchmark": {"measure": "vs_benchmark_pp", "value": 1.8, "unit": "%", **COMPARISON},
    "unit_is_wei_for_rank": {"measure": "rank", "value": 3.0, "unit": "名", **COMPARISON},
    "region_code_in_set": {"region_code": "330100"},
    "is_redacted_in_set": {"is_redacted": "no"},
    "is_estimate_in_set": {"is_estimate": "maybe"},
    "is_target_in_set": {"is_target": "maybe"},
    "period_start_month_in_1_12": {"period_start_month": 0},
    "period_end_month_in_1_12": {"period_end_month": 13},
    "period_start_not_after_end": {"period_start_month": 11, "period_end_month": 3},
    "year_not_before_2000": {"year": 1999},
    "year_not_after_report_year_plus_6": {"year": REPORT_YEAR + 7},
    "yoy_pct_in_range": {"value": 600.0},
    "vs_benchmark_pp_in_range": {"measure": "vs_benchmark_pp", "value": -650.0, "unit": "pp", **COMPARISON},
    "rank_in_range": {"measure": "rank", "value": 0.0, "unit": "位", **COMPARISON},
    "share_pct_in_range": {"measure": "share_pct", "value": 120.0},
    "money_level_positive": {"measure": "level", "value": 0.0, "unit": "亿元"},
    "value_null_when_redacted": {"is_redacted": True},
    "value_present_unless_redacted": {"value": None},
    "char_span_ordered": {"char_start": 50, "char_end": 10},
}
BREAKS_ONE_WARN: dict[str, dict[str, Any]] = {
    "year_not_null": {"year": None},
    "benchmark_present_for_comparisons": {"measure": "rank", "value": 3.0, "unit": "位", "benchmark": None},
}
# Expectations that need more than one row to break, built in `indicator_rows`.
MULTI_ROW = ("row_identity_unique", "value_added_not_above_output")
# One more row breaks these two at once (so each is counted twice).
TWO_FAILURES = ("region_code_in_set", "yoy_pct_in_range")


def level_row(doc_id: str, indicator: str, value: float, char_start: int) -> dict[str, Any]:
    return {**CLEAN_ROW, "doc_id": doc_id, "indicator": indicator, "measure": "level", "value": value,
            "unit": "亿元", "char_start": char_start, "char_end": char_start + 20}


def indicator_rows() -> list[dict[str, Any]]:
    rows = [CLEAN_ROW]
    for name, change in (BREAKS_ONE_ERROR | BREAKS_ONE_WARN).items():
        rows.append({**CLEAN_ROW, "doc_id": name, **change})
    rows += [{**CLEAN_ROW, "doc_id": "row_identity_unique"}] * 2  # the same mention twice
    rows += [  # value added above output, same place and period
        level_row("value_added_not_above_output", "industrial_output", 100.0, 0),
        level_row("value_added_not_above_output", "industrial_value_added", 150.0, 40),
    ]
    rows += [  # value added below output: both published
        level_row("value_added_below_output", "industrial_output", 100.0, 0),
        level_row("value_added_below_output", "industrial_value_added", 40.0, 40),
    ]
    # A row breaking two expectations names both, in suite-file order.
    rows.append({**CLEAN_ROW, "doc_id": "two_failures", **BREAKS_ONE_ERROR[TWO_FAILURES[0]],
                 **BREAKS_ONE_ERROR[TWO_FAILURES[1]]})
    return rows


def indicators_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows with the INDICATOR columns; pandas picks the dtypes (object where a bad value needs it)."""
    return pd.DataFrame(rows, columns=INDICATOR_SCHEMA.names)


def documents_frame(doc_ids: list[str]) -> pd.DataFrame:
    rows = [
        {"doc_id": doc_id, "source_file": f"{doc_id}.txt", "region_code": "330000", "year": REPORT_YEAR,
         "region": "浙江省", "title": None, "encoding": "utf-8", "chars_raw": 100, "chars_clean": 90,
         "boilerplate_chars_removed": 10, "segments": 1, "indicators_found": 1, "redacted_found": 0,
         "status": "ok", "status_detail": None, "duplicate_of": None,
         "first_seen_at": pd.Timestamp("2025-01-01", tz="UTC"), "run_id": "run-test"}
        for doc_id in doc_ids
    ]
    rows.append({**rows[0], "doc_id": "weird", "status": "lost", "status_detail": "no such status"})
    rows.append({**rows[0], "doc_id": "silent", "status": "empty", "status_detail": None})
    return pd.DataFrame(rows, columns=DOCUMENT_SCHEMA.names)


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("warehouse") / "_docs"


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return indicators_frame(indicator_rows())


@pytest.fixture(scope="module")
def outcome(rows: pd.DataFrame, docs_dir: Path) -> ValidationOutcome:
    documents = documents_frame(sorted({d for d in rows["doc_id"].dropna()}))
    return validate_tables(rows, documents, docs_dir, CATALOG_CODES, run_year=RUN_YEAR)


def failures_of(outcome: ValidationOutcome, doc_id: str) -> list[list[str]]:
    quarantined = outcome.quarantine
    if doc_id == "doc_id_not_null":
        return quarantined.loc[quarantined["doc_id"].isna(), "failed_expectations"].tolist()
    return quarantined.loc[quarantined["doc_id"] == doc_id, "failed_expectations"].tolist()


def test_every_expectation_of_the_suite_has_a_breaking_row() -> None:
    names = {rule.name for rule in suite_rules("indicators")}
    assert names == set(BREAKS_ONE_ERROR) | set(BREAKS_ONE_WARN) | set(MULTI_ROW)
    for name in BREAKS_ONE_WARN:
        assert next(r for r in suite_rules("indicators") if r.name == name).tier == "warn"


def test_clean_row_is_published(outcome: ValidationOutcome) -> None:
    assert (outcome.published["doc_id"] == "clean").sum() == 1
    assert failures_of(outcome, "clean") == []


@pytest.mark.parametrize("name", sorted(BREAKS_ONE_ERROR))
def test_row_breaking_one_error_expectation_is_quarantined_naming_it(
    outcome: ValidationOutcome, name: str
) -> None:
    assert failures_of(outcome, name) == [[name]]
    assert outcome.failure_counts[name] == 1 + (name in TWO_FAILURES)


@pytest.mark.parametrize("name", sorted(BREAKS_ONE_WARN))
def test_row_breaking_one_warn_expectation_is_published_and_counted(
    outcome: ValidationOutcome, name: str
) -> None:
    assert failures_of(outcome, name) == []
    assert (outcome.published["doc_id"] == name).sum() == 1
    assert outcome.warn_counts[name] == outcome.failure_counts[name] == 1


def test_repeated_row_identity_quarantines_both_copies(outcome: ValidationOutcome) -> None:
    assert failures_of(outcome, "row_identity_unique") == [["row_identity_unique"]] * 2


def test_value_added_above_output_of_same_place_and_period_is_quarantined(outcome: ValidationOutcome) -> None:
    quarantined = outcome.quarantine[outcome.quarantine["doc_id"] == "value_added_not_above_output"]
    assert quarantined["indicator"].tolist() == ["industrial_value_added"]
    assert quarantined["failed_expectations"].tolist() == [["value_added_not_above_output"]]
    assert (outcome.published["doc_id"] == "value_added_below_output").sum() == 2


def test_row_breaking_two_expectations_names_both_in_suite_order(outcome: ValidationOutcome) -> None:
    assert failures_of(outcome, "two_failures") == [list(TWO_FAILURES)]


def test_published_and_quarantine_split_the_rows_and_keep_their_schemas(
    outcome: ValidationOutcome, rows: pd.DataFrame
) -> None:
    assert len(outcome.published) + len(outcome.quarantine) == len(rows)
    assert list(outcome.published.columns) == INDICATOR_SCHEMA.names
    assert list(outcome.quarantine.columns) == QUARANTINE_SCHEMA.names
    assert outcome.failed_share == pytest.approx(len(outcome.quarantine) / len(rows))
    assert outcome.run_failed  # most rows here are broken on purpose
    assert all(isinstance(names, list) and names for names in outcome.quarantine["failed_expectations"])


def test_documents_are_counted_but_never_quarantined(outcome: ValidationOutcome) -> None:
    assert outcome.failure_counts["documents_status_in_set"] == 1
    assert outcome.failure_counts["documents_status_detail_unless_ok"] == 1  # "empty" says not why
    assert outcome.warn_counts["documents_status_in_set"] == 1
    assert not outcome.quarantine["doc_id"].isin(["weird", "silent"]).any()


def test_quality_page_shows_every_failing_expectation_by_tier_with_example_rows(
    outcome: ValidationOutcome, docs_dir: Path
) -> None:
    page = outcome.quality_page
    assert page is not None and page.parent == docs_dir / "runs"
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "<script" not in text
    assert 'Data quality: <span class="badge failed">failed</span>' in text
    failed = [c for c in outcome.checks if c.status == "failed"]
    warned = [c for c in outcome.checks if c.status == "warning"]
    assert failed and warned  # this fixture breaks both tiers on purpose
    for check in failed + warned:
        assert check.failed == outcome.failure_counts[check.name] and check.examples
        assert f"<b>{check.name}</b>" in text
    assert "documents_status_in_set" in {c.name for c in warned}
    assert f'href="runs/{page.stem}.html"' in (docs_dir / "index.html").read_text(encoding="utf-8")


def small_run(n_rows: int, n_bad: int) -> pd.DataFrame:
    rows = [{**CLEAN_ROW, "char_start": i} for i in range(n_rows - n_bad)]
    rows += [{**CLEAN_ROW, "char_start": 1000 + i, "value": 600.0} for i in range(n_bad)]
    return indicators_frame(rows)


@pytest.mark.parametrize(("fail_share", "run_failed"), [(0.20, False), (0.19, True)])
def test_run_fails_only_above_the_share_of_failing_rows(fail_share: float, run_failed: bool) -> None:
    outcome = validate_tables(small_run(10, 2), documents_frame(["clean"]), None, CATALOG_CODES,
                              fail_share=fail_share, run_year=RUN_YEAR)
    assert outcome.failed_share == pytest.approx(0.2)
    assert outcome.run_failed is run_failed
    assert len(outcome.quarantine) == 2 and outcome.quality_page is None


def test_validating_document_chunks_quarantines_the_same_rows(outcome: ValidationOutcome, rows: pd.DataFrame) -> None:
    documents = documents_frame(sorted({d for d in rows["doc_id"].dropna()}))
    first_docs = set(rows["doc_id"].dropna().unique()[::2])
    in_first = rows["doc_id"].isin(first_docs)
    chunks = [validate_tables(rows[part], documents, None, CATALOG_CODES, run_year=RUN_YEAR)
              for part in (in_first, ~in_first)]

    def failures(quarantine: pd.DataFrame) -> list[tuple[str, int, tuple[str, ...]]]:
        return sorted((str(doc), int(start) if pd.notna(start) else -1, tuple(names)) for doc, start, names
                      in quarantine[["doc_id", "char_start", "failed_expectations"]].itertuples(index=False))

    assert failures(pd.concat([c.quarantine for c in chunks])) == failures(outcome.quarantine)


def test_empty_run_publishes_nothing_and_does_not_fail() -> None:
    outcome = validate_tables(INDICATOR_SCHEMA.empty_table().to_pandas(),
                              DOCUMENT_SCHEMA.empty_table().to_pandas(), None, CATALOG_CODES)
    assert outcome.published.empty and outcome.quarantine.empty
    assert list(outcome.quarantine.columns) == QUARANTINE_SCHEMA.names
    assert (outcome.failed_share, outcome.run_failed) == (0.0, False)


def test_a_missing_column_is_refused(rows: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unit"):
        validate_tables(rows.drop(columns=["unit"]), documents_frame(["clean"]), None, CATALOG_CODES)


def test_an_expectation_that_cannot_run_stops_the_gate_instead_of_passing_rows(rows: pd.DataFrame) -> None:
    frame = with_check_columns(rows, documents_frame(["clean"]), RUN_YEAR).drop(columns=["unit"])
    with pytest.raises(ExpectationRunError, match="unit"):
        run_suite("indicators", frame, {"catalog_codes": CATALOG_CODES})


def test_output_level_helper_matches_only_same_place_period_and_whole_region() -> None:
    rows = indicators_frame([
        level_row("d", "industrial_output", 100.0, 0),
        level_row("d", "industrial_output", 120.0, 5),  # a repeated mention: the larger one counts
        level_row("d", "industrial_value_added", 30.0, 10),
        {**level_row("d", "industrial_value_added", 30.0, 20), "period_end_month": 6},
        {**level_row("d", "industrial_value_added", 30.0, 30), "subject": "民营"},
        {**level_row("e", "industrial_value_added", 30.0, 40)},
    ])
    levels = matched_output_levels(rows).tolist()
    assert levels[2] == 120.0
    assert pd.isna([levels[0], levels[1], levels[3], levels[4], levels[5]]).all()


def test_year_bound_is_report_year_plus_6_capped_at_the_run_year() -> None:
    documents = documents_frame(["old", "future"])
    documents.loc[documents["doc_id"] == "future", "year"] = RUN_YEAR + 3
    rows = indicators_frame([{**CLEAN_ROW, "doc_id": d} for d in ("old", "future", "unknown")])
    assert year_upper_bounds(rows, documents, RUN_YEAR).tolist() == [REPORT_YEAR + 6, RUN_YEAR + 6, RUN_YEAR + 6]


def test_suite_files_name_each_expectation_once_with_a_tier(tmp_path: Path) -> None:
    for table in ("indicators", "documents"):
        suite = json.loads((EXPECTATIONS_DIR / f"{table}.json").read_text(encoding="utf-8"))
        assert suite["name"] == table
        assert all(e["meta"]["tier"] in ("error", "warn") for e in suite["expectations"])
    bad = json.loads((EXPECTATIONS_DIR / "documents.json").read_text(encoding="utf-8"))
    bad["expectations"].append(bad["expectations"][0])
    (tmp_path / "documents.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="unique"):
        load_suite_file("documents", tmp_path)


def test_importing_the_module_does_not_import_great_expectations() -> None:
    code = "import sys, tasks.validate; sys.exit('great_expectations' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


def test_staged_rows_validated_in_chunks_equal_one_call(tmp_path):
    """Chunking a run's staged rows changes nothing but memory: same published and quarantined rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from schemas.models import INDICATOR_SCHEMA
    from tasks.publish import StagedRows
    from tasks.validate import validate_staged_rows

    frame = small_run(6, 1)  # one yoy of 600 %: quarantined
    files = []
    for k, part in enumerate((frame.iloc[:3], frame.iloc[3:])):
        path = tmp_path / f"rows-{k}.parquet"
        pq.write_table(pa.Table.from_pandas(part, schema=INDICATOR_SCHEMA, preserve_index=False), path)
        files.append(path)
    documents = documents_frame(["clean"])
    outcomes = []
    for chunk_rows, name in ((1, "small"), (1000, "one")):
        out = tmp_path / name
        out.mkdir()
        outcomes.append(validate_staged_rows(files, documents, "run-1", out, out / "_docs", CATALOG_CODES,
                                             chunk_rows=chunk_rows))
    small, one = outcomes
    assert (small.published_rows, small.quarantined_rows) == (one.published_rows, one.quarantined_rows) == (5, 1)
    assert small.failure_counts == one.failure_counts
    assert small.quality_page is not None and small.quality_page.exists()
    assert [(c.name, c.failed) for c in small.checks] == [(c.name, c.failed) for c in one.checks]

    def rows(root):
        staged = StagedRows(root)
        return sorted(tuple(r.values()) for p in staged for r in staged[p].to_pylist())

    assert rows(small.published_dir) == rows(one.published_dir)
    assert rows(small.quarantine_dir) == rows(one.quarantine_dir)


def test_staged_rows_held_in_memory_equal_the_staged_files(tmp_path):
    """A small run's rows kept in memory (`hold_rows`) are the rows the gate would have staged on disk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from schemas.models import INDICATOR_SCHEMA
    from tasks.validate import validate_staged_rows

    frame = small_run(6, 1)  # one yoy of 600 %: quarantined
    path = tmp_path / "rows-0.parquet"
    pq.write_table(pa.Table.from_pandas(frame, schema=INDICATOR_SCHEMA, preserve_index=False), path)
    documents = documents_frame(["clean"])
    gates = {}
    for hold_rows, name in ((0, "disk"), (1000, "memory")):
        out = tmp_path / name
        out.mkdir()
        gates[name] = validate_staged_rows([path], documents, "run-1", out, None, CATALOG_CODES, hold_rows=hold_rows)
    assert isinstance(gates["memory"].rows("indicators"), pa.Table)
    assert not gates["memory"].published_dir.exists()

    def rows(gate, table):
        held = gate.rows(table)
        tables = [held] if isinstance(held, pa.Table) else [held[p] for p in held]
        return sorted(str(sorted(r.items())) for t in tables for r in t.drop_columns(
            [c for c in ("region_code", "year") if c in t.column_names]).to_pylist())

    for table in ("indicators", "quarantine"):
        assert rows(gates["memory"], table) == rows(gates["disk"], table)
    assert len(rows(gates["memory"], "quarantine")) == 1
