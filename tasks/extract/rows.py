"""Rows: the one place an attached figure (`Draft`) becomes an `indicators` row (a dict with
every contract column), with its place, period, flags and evidence span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from industry_etl import PIPELINE_VERSION
from schemas.models import NATIONAL_CODE
from schemas.stages import Document, Segment
from tasks.extract.figures import Figure
from tasks.extract.lexicon import named_place, place_name_regex
from tasks.parse import Period


@dataclass(slots=True)
class Draft:
    """A figure attached to its indicator, before it becomes a row."""

    code: str
    figure: Figure
    subject: str | None
    year: int | None
    period: Period | None
    clause_start: int  # in sentence coordinates
    is_estimate: bool = False
    is_target: bool = False
    extra: dict = field(default_factory=dict)


def build_row(doc: Document, segment: Segment, draft: Draft, offset: int, text: str) -> dict:
    """The one place a figure becomes an `indicators` row (a dict with every contract column)."""
    period = draft.period
    start, end = offset + draft.clause_start, offset + draft.figure.end
    measure = "level" if draft.figure.measure == "level_pct" else draft.figure.measure
    region_code, region, city, city_code, county = (
        segment.region_code, segment.region, segment.city, segment.city_code, segment.county)
    place_from = f"its clause ({draft.figure.place})" if draft.figure.place else (
        segment.place_source or "nowhere (no place found)")
    if draft.figure.place == "全国":  # the benchmark's own figure (高于全国(3.6%))
        region_code, region, city, city_code, county = NATIONAL_CODE, "全国", None, None, None
    elif draft.figure.place == "全省":
        city, city_code, county = None, None, None
    elif draft.figure.place:  # a place the clause names (浙江增长6.1%,江苏增长7.0%; 湖州市规上工业…)
        named = named_place(draft.figure.place)
        if named is not None:
            region_code, region, city, city_code, county = (
                named.region_code, named.region, named.city, named.city_code, named.county)
    return {
        "doc_id": doc.doc_id,
        "source_file": doc.source_file,
        "segment": segment.index,
        "region_code": region_code,
        "region": region,
        "city": city,
        "city_code": city_code,
        "county": county,
        "year": draft.year,
        "period_start_month": period.start if period else 1,
        "period_end_month": period.end if period else 12,
        "period_label": period.label if period else "全年",
        "indicator": draft.code,
        "subject": draft.subject,
        "measure": measure,
        "value": draft.figure.value,
        "unit": draft.figure.unit,
        "benchmark": _gap_benchmark(draft.figure.benchmark, county, city, region) if measure == "vs_benchmark_pp" else (
            draft.figure.benchmark if measure == "rank" else None),
        "is_redacted": draft.figure.value is None,
        "is_estimate": draft.is_estimate,
        "is_target": draft.is_target,
        "evidence": text[start:end],
        "char_start": start,
        "char_end": end,
        "pipeline_version": PIPELINE_VERSION,
        "run_id": "",
        # why: not table columns (the Parquet schema leaves them out); `industry-etl explain` prints them
        "_place_from": place_from,
        "_year_from": draft.extra.get("year_from", ""),
        "_period_from": draft.extra.get("period_from", ""),
    }


# 高于全县规上工业增速, 同期全国规模以上工业经济: a gap's benchmark is the place whose whole it is, as the
# contract writes it (a rank's keeps its peer set: 全国城市)
_BENCH_WHOLE = re.compile(r"(?:同期)?(全国|全省|全市|全区|全县|全州|全盟)(?=.)")


# …比全部规上工业高10.8个百分点: the whole of the row's own place (dev README: 全市/全县/全区)
_OWN_WHOLE = re.compile(r"(?:全部)?(?:规模以上|规上)(?:工业)?(?:增加值)?(?:增速)?|全部工业(?:增加值)?|工业整体|整体工业")


def _gap_benchmark(benchmark: str | None, county: str | None, city: str | None, region: str | None) -> str | None:
    if benchmark and _OWN_WHOLE.fullmatch(benchmark):
        if county:
            return "全区" if county.endswith("区") else "全县"
        if city:
            return "全市"
        if not region or region == "全国":
            return benchmark
        return "全区" if region.endswith("自治区") else "全市" if region.endswith("市") else "全省"
    whole = _BENCH_WHOLE.match(benchmark or "") or place_name_regex().match(benchmark or "")
    return whole.group(whole.lastindex or 0) if whole else benchmark  # (西安市规模以上工业 -> 西安市)
