"""Facts: the published mentions of one figure merged into one row, with its sources and conflicts.

A fact is everything that names the same figure: place, year, period, indicator, subject, measure,
benchmark, unit and whether it is a target (`FACT_KEY`); a figure whose place is unknown or masked
is a fact of its own document only. Every key column is also a partition key
or finer, so the facts of a warehouse partition are built from that partition's `indicators`
alone: publishing rebuilds the facts partitions whose indicators changed and nothing else
(`tasks.publish.stage_facts`). The value rule is stated once, in `choose_value`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from industry_etl import PIPELINE_VERSION
from schemas.models import FACT_SCHEMA
from tasks.read import snapshot_lock, warehouse_partitioning

FACT_KEY = ("region_code", "year", "region", "city", "city_code", "county", "period_start_month",
            "period_end_month", "indicator", "subject", "measure", "benchmark", "unit", "is_target")
MENTION_COLUMNS = (*FACT_KEY, "doc_id", "value", "is_redacted", "is_estimate", "period_label",
                   "evidence", "char_start", "char_end")
# Order of the rows inside a partition file: readable, and fact_id makes it total.
FACT_ORDER = ("indicator", "measure", "city_code", "county", "subject", "period_start_month",
              "period_end_month", "benchmark", "unit", "is_target", "fact_id")


# A county masked in the source (`XX区`) names no particular county.
MASKED_PLACE = re.compile(r"[XＸxｘ*＊×某]")


def own_document_only(region: str | None, county: str | None) -> bool:
    """An unknown or masked place is no place two documents can share: its facts stay per document."""
    return region is None or (county is not None and MASKED_PLACE.search(county) is not None)


# A mention is a tuple of MENTION_COLUMNS values (FACT_KEY first): a dict per row was most of grouping.
_KEY_LENGTH = len(FACT_KEY)
_REGION, _COUNTY, _DOC_ID = (MENTION_COLUMNS.index(c) for c in ("region", "county", "doc_id"))


def identity(mention: tuple) -> tuple:
    """What makes two mentions one fact: the key columns (and the document, for `own_document_only`)."""
    own = own_document_only(mention[_REGION], mention[_COUNTY])
    return *mention[:_KEY_LENGTH], mention[_DOC_ID] if own else None


def fact_id(key: tuple) -> str:
    """First 16 hex chars of sha256 of an `identity`: stable across runs, machines and Python versions."""
    text = "\x1f".join(["\x00" if v is None else str(v) for v in key])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _decimal(value: float) -> Decimal:
    return Decimal(format(value, ".15g"))  # shortest honest spelling: 7.0 -> 7, 1.2345 -> 1.2345


@lru_cache(maxsize=1 << 16)  # figures repeat (7%, 10%): a Decimal per call was most of a big publish
def grain(value: float) -> int:
    """The power of ten a value is stated to: 1.23 -> -2; 44000 (from 4.4万亿元) -> 3, since a whole
    number ending in two or more zeros reads as rounded; any other whole number -> 0, exact."""
    exponent = int(_decimal(value).normalize().as_tuple().exponent)
    return exponent if exponent < 0 or exponent >= 2 else 0


@lru_cache(maxsize=1 << 16)
def agree(a: float, b: float) -> bool:
    """Same number as far as the coarser one says: 7 and 7.0 agree (one float), 1.23 and 1.2345
    agree, 4.4万亿元 and 44343.9亿元 agree, 7.0 and 7.1 do not. Any other whole number agrees only
    with itself: `7%` may be a rounded 7.4% or an exact 7%, and calling that agreement would hide
    revisions; ranks and counts mean exactly what they say."""
    if a == b:
        return True
    coarse, fine = (a, b) if grain(a) >= grain(b) else (b, a)
    step = grain(coarse)
    if step == 0:
        return False
    rounded = _decimal(fine).quantize(Decimal(1).scaleb(step), rounding=ROUND_HALF_UP)
    return rounded == _decimal(coarse)


def choose_value(stated: list[dict]) -> float:
    """The value most documents give (a document counts for every value its mentions agree with);
    then the one most mentions give; then the more precise; then the one stated first (a report
    leads with its headline figure; across documents, by doc_id, so the choice is total)."""
    by_value: dict[float, list[dict]] = defaultdict(list)  # agreement depends on the value only
    for m in stated:
        by_value[m["value"]].append(m)
    docs = {v: {m["doc_id"] for m in ms} for v, ms in by_value.items()}

    def rank(value: float) -> tuple:
        agreeing = [v for v in by_value if agree(v, value)]
        first = min((m["doc_id"], m["char_start"]) for m in by_value[value])
        return (-len(set().union(*(docs[v] for v in agreeing))), -sum(len(by_value[v]) for v in agreeing),
                grain(value), first)

    return min(by_value, key=rank)


def build_fact(key: tuple, mentions: list[dict], run_id: str) -> dict:
    """One fact row from all its mentions (same `FACT_KEY`). An outcome wins over an estimate: the
    estimates count as sources but their values do not compete when an outcome is stated."""
    stated = [m for m in mentions if not m["is_redacted"]]
    pool = [m for m in stated if not m["is_estimate"]] or stated
    seen = sorted({m["value"] for m in pool})
    value = (seen[0] if len(seen) == 1 else choose_value(pool)) if pool else None
    if len(mentions) == 1:  # most facts (the rules below give this mention for any value it has)
        first = mentions[0]
    else:
        chosen = [m for m in pool if agree(m["value"], value)] if pool else mentions
        first = min(chosen, key=lambda m: (m["doc_id"], m["char_start"], m["char_end"]))
    return {
        "fact_id": fact_id(key),
        **{c: first[c] for c in FACT_KEY},
        "period_label": first["period_label"],
        "value": value,
        "is_estimate": all(m["is_estimate"] for m in (pool or mentions)),
        "is_redacted": not stated,
        "conflict": len(seen) > 1 and any(not agree(a, b) for i, a in enumerate(seen) for b in seen[i + 1:]),
        "values_seen": seen,
        "mentions": len(mentions),
        "documents": len({m["doc_id"] for m in mentions}),
        "doc_ids": sorted({m["doc_id"] for m in mentions}),
        "evidence": first["evidence"],
        "evidence_doc_id": first["doc_id"],
        "evidence_char_start": first["char_start"],
        "evidence_char_end": first["char_end"],
        "pipeline_version": PIPELINE_VERSION,
        "run_id": run_id,
    }


def group_mentions(indicators: pa.Table) -> dict[tuple, list[tuple]]:
    """identity -> its mentions (indicator rows reduced to the columns a fact needs, as tuples)."""
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    columns = [indicators.column(c).to_pylist() for c in MENTION_COLUMNS]  # (faster than Table.to_pylist)
    for mention in zip(*columns, strict=True):
        groups[identity(mention)].append(mention)
    return groups


def build_facts(indicators: pa.Table, previous: Iterable[dict] = (), run_id: str = "") -> pa.Table:
    """The facts of some indicator rows (typically one partition's), sorted by `FACT_ORDER`.

    A fact that comes out as it was in `previous` keeps its old row, run id included, so `run_id`
    marks only the facts this run changed and an unchanged partition is not rewritten.
    """
    old = {row["fact_id"]: row for row in previous}
    rows = []
    for key, mentions in group_mentions(indicators).items():
        row = build_fact(key, [dict(zip(MENTION_COLUMNS, m, strict=True)) for m in mentions], run_id)
        before = old.get(row["fact_id"])
        rows.append(before if before is not None and {**before, "run_id": run_id} == row else row)
    # Sorted by Arrow (nulls last in every key, as a Python key of (is None, value) would order them):
    # a Python sort key per fact was a fifth of building them.
    table = pa.Table.from_pylist(rows, schema=FACT_SCHEMA)
    return table.take(pc.sort_indices(table, sort_keys=[(c, "ascending") for c in FACT_ORDER]))  # nulls: at_end


@dataclass(frozen=True)
class FactsReport:
    """The facts table after a run: how many, how many this run wrote, and the conflicts."""

    total: int = 0
    conflicts: int = 0
    changed: int = 0  # facts whose row this run wrote (new or changed)
    changed_conflicts: int = 0
    sample: tuple[dict, ...] = ()  # the first `limit` of them, conflicts first, for the run page


REPORT_ORDER = [("conflict", "descending"), ("indicator", "ascending"), ("region_code", "ascending"),
                ("year", "ascending"), ("fact_id", "ascending")]


def facts_report(warehouse: Path, run_id: str, limit: int = 500) -> FactsReport:
    """Counted from a few columns; whole rows are read only for the sample, from the partitions that
    hold it (every column of every partition was most of the report's time, and all of it on a no-op run)."""
    root = warehouse / "facts"
    if not any(root.glob("**/*.parquet")):
        return FactsReport()
    with snapshot_lock(warehouse):
        dataset = ds.dataset(root, format="parquet", partitioning=warehouse_partitioning())
        table = dataset.to_table(columns=[*(c for c, _ in REPORT_ORDER), "run_id"])
        changed = table.filter(pc.equal(table.column("run_id"), run_id))
        chosen = changed.sort_by(REPORT_ORDER).slice(0, limit)
        sample = partitions_dataset(root, chosen).to_table(filter=ds.field("fact_id").isin(chosen.column("fact_id"))) \
            if chosen.num_rows else None
    return FactsReport(table.num_rows, _true(table.column("conflict")), changed.num_rows,
                       _true(changed.column("conflict")),
                       tuple(sample.sort_by(REPORT_ORDER).to_pylist()) if sample is not None else ())


def partitions_dataset(root: Path, rows: pa.Table) -> ds.Dataset:
    """The files of the partitions (region_code, year) these rows live in, as one dataset."""
    from tasks.publish import PART_FILE, partition_dir  # (publish imports this module)

    pairs = set(zip(rows.column("region_code").to_pylist(), rows.column("year").to_pylist(), strict=True))
    files = sorted(str(partition_dir(root, pair) / PART_FILE) for pair in pairs)
    return ds.dataset(files, format="parquet", partitioning=warehouse_partitioning(), partition_base_dir=str(root))


def _true(column: pa.ChunkedArray) -> int:
    return pc.sum(column.cast(pa.int64())).as_py() or 0
