"""The output tables of ../shared/contract.md (and `facts`, README) as pydantic models and pyarrow schemas.

The pydantic models are the one place a row is defined; the pyarrow schemas are derived
by hand next to them (and a test checks the two agree column for column).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = "1"
PARTITION_COLUMNS = ("region_code", "year")
NATIONAL_CODE = "100000"

Measure = Literal["level", "yoy_pct", "share_pct", "vs_benchmark_pp", "rank"]
DocumentStatus = Literal[
    "ok", "no_indicators", "duplicate", "empty", "undecodable", "too_large", "unreadable", "removed"
]
MEASURES: tuple[str, ...] = ("level", "yoy_pct", "share_pct", "vs_benchmark_pp", "rank")
DOCUMENT_STATUSES: tuple[str, ...] = (
    "ok", "no_indicators", "duplicate", "empty", "undecodable", "too_large", "unreadable", "removed",
)


class IndicatorRow(BaseModel):
    """One extracted figure (contract table `indicators`)."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    source_file: str
    segment: int
    region_code: str | None
    region: str | None
    city: str | None
    city_code: str | None
    county: str | None
    year: int | None
    period_start_month: int
    period_end_month: int
    period_label: str
    indicator: str
    subject: str | None
    measure: Measure
    value: float | None
    unit: str
    benchmark: str | None
    is_redacted: bool
    is_estimate: bool
    is_target: bool
    evidence: str
    char_start: int
    char_end: int
    pipeline_version: str
    run_id: str


class QuarantineRow(IndicatorRow):
    """An indicator row that failed at least one `error` expectation."""

    failed_expectations: list[str]


class DocumentRow(BaseModel):
    """One input file version and what became of it (contract table `documents`)."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    source_file: str
    region_code: str | None
    year: int | None
    region: str | None
    title: str | None
    encoding: str | None
    chars_raw: int
    chars_clean: int
    boilerplate_chars_removed: int
    segments: int
    indicators_found: int
    redacted_found: int
    status: DocumentStatus
    status_detail: str | None
    duplicate_of: str | None
    first_seen_at: datetime
    run_id: str


class FactRow(BaseModel):
    """One fact: every published mention of the same figure, with the value the sources state (table `facts`)."""

    model_config = ConfigDict(extra="forbid")

    fact_id: str
    region_code: str | None
    region: str | None
    city: str | None
    city_code: str | None
    county: str | None
    year: int | None
    period_start_month: int
    period_end_month: int
    period_label: str
    indicator: str
    subject: str | None
    measure: Measure
    benchmark: str | None
    unit: str
    is_target: bool
    value: float | None
    is_estimate: bool
    is_redacted: bool
    conflict: bool
    values_seen: list[float]
    mentions: int
    documents: int
    doc_ids: list[str]
    evidence: str
    evidence_doc_id: str
    evidence_char_start: int
    evidence_char_end: int
    pipeline_version: str
    run_id: str


INDICATOR_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_file", pa.string()),
        ("segment", pa.int32()),
        ("region_code", pa.string()),
        ("region", pa.string()),
        ("city", pa.string()),
        ("city_code", pa.string()),
        ("county", pa.string()),
        ("year", pa.int32()),
        ("period_start_month", pa.int8()),
        ("period_end_month", pa.int8()),
        ("period_label", pa.string()),
        ("indicator", pa.string()),
        ("subject", pa.string()),
        ("measure", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("benchmark", pa.string()),
        ("is_redacted", pa.bool_()),
        ("is_estimate", pa.bool_()),
        ("is_target", pa.bool_()),
        ("evidence", pa.string()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("pipeline_version", pa.string()),
        ("run_id", pa.string()),
    ]
)

QUARANTINE_SCHEMA = INDICATOR_SCHEMA.append(
    pa.field("failed_expectations", pa.list_(pa.string()))
)

DOCUMENT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_file", pa.string()),
        ("region_code", pa.string()),
        ("year", pa.int32()),
        ("region", pa.string()),
        ("title", pa.string()),
        ("encoding", pa.string()),
        ("chars_raw", pa.int64()),
        ("chars_clean", pa.int64()),
        ("boilerplate_chars_removed", pa.int64()),
        ("segments", pa.int32()),
        ("indicators_found", pa.int32()),
        ("redacted_found", pa.int32()),
        ("status", pa.string()),
        ("status_detail", pa.string()),
        ("duplicate_of", pa.string()),
        ("first_seen_at", pa.timestamp("us", tz="UTC")),
        ("run_id", pa.string()),
    ]
)

FACT_SCHEMA = pa.schema(
    [
        ("fact_id", pa.string()),
        ("region_code", pa.string()),
        ("region", pa.string()),
        ("city", pa.string()),
        ("city_code", pa.string()),
        ("county", pa.string()),
        ("year", pa.int32()),
        ("period_start_month", pa.int8()),
        ("period_end_month", pa.int8()),
        ("period_label", pa.string()),
        ("indicator", pa.string()),
        ("subject", pa.string()),
        ("measure", pa.string()),
        ("benchmark", pa.string()),
        ("unit", pa.string()),
        ("is_target", pa.bool_()),
        ("value", pa.float64()),
        ("is_estimate", pa.bool_()),
        ("is_redacted", pa.bool_()),
        ("conflict", pa.bool_()),
        ("values_seen", pa.list_(pa.float64())),
        ("mentions", pa.int32()),
        ("documents", pa.int32()),
        ("doc_ids", pa.list_(pa.string())),
        ("evidence", pa.string()),
        ("evidence_doc_id", pa.string()),
        ("evidence_char_start", pa.int32()),
        ("evidence_char_end", pa.int32()),
        ("pipeline_version", pa.string()),
        ("run_id", pa.string()),
    ]
)

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "indicators": INDICATOR_SCHEMA,
    "documents": DOCUMENT_SCHEMA,
    "quarantine": QUARANTINE_SCHEMA,
    "facts": FACT_SCHEMA,  # derived from `indicators` at publish time (tasks/facts.py)
}
TABLE_MODELS: dict[str, type[BaseModel]] = {
    "indicators": IndicatorRow,
    "documents": DocumentRow,
    "quarantine": QuarantineRow,
    "facts": FactRow,
}
