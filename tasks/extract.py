"""Extract: catalog indicators from cleaned, placed text, one row per figure, grounded to its clause.

How it reads a segment:
  paragraph (newline) -> sentence (。；;!?) -> tokens found by a few regular expressions:
  years, periods, indicator mentions (catalog aliases, longest first) and figures
  (gap to a benchmark, rank, share, growth, level). Each figure is attached to the
  indicator mention that governs it (the last one before it in the sentence, with a
  few grammatical exceptions), its period and year are the ones in force at that point,
  and `build_row` turns it into an `IndicatorRow`-shaped dict.

Carry-over rules (contract "Periods", gold README 5): a month range carries forward
within its paragraph to later flow figures; it stops at a new year, at a short heading
sentence and at a paragraph end; counts do not inherit a flow period unless it is an
as-of date (截至9月底). The year is the nearest preceding explicit year that is not a
comparison (与2023年同期, 2022年以来), else the segment's report year.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

from prefect import task
from prefect.cache_policies import NO_CACHE

from industry_etl import PIPELINE_VERSION
from schemas import SCHEMAS_DIR
from schemas.models import NATIONAL_CODE
from schemas.stages import Document, Segment
from tasks.parse import Period, find_periods, parse_chinese_integer, parse_number, to_yi_yuan
from tasks.place import Place, resolve_region

# ---------------------------------------------------------------------------------------------
# Data: the catalog and the grammar words


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    name: str
    level_units: tuple[str, ...]
    measures: tuple[str, ...]
    scope_sensitive: bool = False


@dataclass(frozen=True)
class Catalog:
    entries: dict[str, CatalogEntry]
    alias_to_code: dict[str, str]
    alias_regex: re.Pattern[str]
    split_aliases: tuple[tuple[re.Pattern[str], str, str, str], ...]  # (regex, first, second, code)
    not_after: dict[str, frozenset[str]]  # "工业" -> {"加"}: 工业 in 加工业 is no alias
    not_after_alias: dict[str, frozenset[str]]  # the same per alias ("工业增加值" -> {"加"})
    not_before: dict[str, tuple[str, ...]]  # "规上工业" -> ("用电量", ...): 规上工业用电量 is no alias
    group_words: dict[str, str]  # "制造业增加值" -> "制造业": the alias starts with its group's last word
    group_alone: frozenset[str]  # ... and names a group (not the total) even with nothing before it


@cache
def load_catalog() -> Catalog:
    """The indicator catalog from schemas/catalog.toml."""
    data = tomllib.loads((SCHEMAS_DIR / "catalog.toml").read_text(encoding="utf-8"))
    entries, alias_to_code, splits = {}, {}, []
    for code, spec in data["indicators"].items():
        entries[code] = CatalogEntry(
            code, spec["name"], tuple(spec["level_units"]), tuple(spec["measures"]),
            bool(spec.get("scope_sensitive", False)),
        )
        for alias in spec["aliases"]:
            alias_to_code[alias] = code
        splits.extend((a, b, code) for a, b in spec.get("split_aliases", []))
    ordered = sorted(alias_to_code, key=len, reverse=True)
    # A plain alternation of literals: the regex engine scans for its first characters at C speed
    # (a lookbehind in any branch would make it try every position).
    regex = re.compile("|".join(re.escape(a) for a in ordered))
    not_after = {word: frozenset(chars) for word, chars in data.get("not_after", {}).items()}
    # "新能源汽车方面,1—11月产量…": a topic phrase may stand before a comma
    split_regexes = tuple(
        (re.compile(f"{re.escape(a)}(?P<gap>(?:方面[,，])?[^,，。;；、\n!！?？]{{0,14}}?){re.escape(b)}"), a, b, code)
        for a, b, code in splits)
    not_after_alias = {alias: frozenset().union(*(c for w, c in not_after.items() if alias.startswith(w)))
                       for alias in alias_to_code}
    not_before = {alias: tuple(words) for alias, words in data.get("not_before", {}).items()}
    return Catalog(entries, alias_to_code, regex, split_regexes, not_after, not_after_alias, not_before,
                   data.get("group_words", {}), frozenset(data.get("group_alone", {}).get("aliases", [])))


@cache
def place_name_regex() -> re.Pattern[str]:
    """Province and city names (full and short) and county names (full only: 长兴县, 余杭区) from
    schemas/divisions.csv, to strip from subjects: a report's own place is its region, not a subject."""
    names: set[str] = {"全国", "中国", "我国"}
    for line in (SCHEMAS_DIR / "divisions.csv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("code,"):
            continue
        _code, name, level, *_ = line.split(",")
        if level == "county" and len(name) >= 3:  # not 郊区, 矿区
            names.add(name)
        if level in ("province", "city"):
            names.add(name)
            short = re.sub(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市|地区|盟|自治州)$", "", name)
            if len(short) >= 2:
                names.add(short + ("省" if level == "province" else "市"))
                names.add(short)
    return re.compile(_alternation(sorted(names)))


def _is_zone_report(title: str) -> bool:
    """Whether a title is a zone's own report (not one about the zones of a province or city)."""
    return _has("zone_words", title) and not _has("zones_of_a_whole", title)


@cache
def _place_and_zone_regex() -> re.Pattern[str]:
    return re.compile(f"{_alternation(_words()['zone_words'])}|{place_name_regex().pattern}")


def catalog_codes() -> list[str]:
    return list(load_catalog().entries)


@cache
def _words() -> dict[str, list[str]]:
    return tomllib.loads((SCHEMAS_DIR / "extract_words.toml").read_text(encoding="utf-8"))


@cache
def _word_regex(name: str) -> re.Pattern[str]:
    return re.compile(_alternation(_words()[name]))


def _has(name: str, text: str) -> bool:
    """Whether `text` holds any word of the list `name` in schemas/extract_words.toml."""
    return _word_regex(name).search(text) is not None


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# ---------------------------------------------------------------------------------------------
# Figures

# 1,234.5 (thousands separators) or 7.6; redactions ***, **.*, XX, X.X
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?"
_RED = r"\*+(?:\.\*+)?|[Xx]{1,3}(?:\.[Xx]+)?(?![A-Za-z])"
_VAL = rf"(?:{_NUM}|{_RED})"
_RANK_NUM = r"(?:\d+|[一二三四五六七八九十]+|[Xx]{1,2}|\*{1,2})"  # 第13位, 第三位, 第X位


@cache
def _figure_regex() -> re.Pattern[str]:
    w = _words()
    up, down = _alternation(w["growth_up"]), _alternation(w["growth_down"])
    gap = _alternation(w["gap_up"] + w["gap_down"])
    bench = _alternation(w["benchmarks"])
    vs = (
        # 比全国、全省分别高3.2和1.3个百分点: two benchmarks, two gaps, in order
        # (分别高于规上工业5.2、2.6个百分点: one benchmark, two gaps of two listed subjects)
        rf"(?P<vl_dir>{gap})(?P<vl_b1>{bench})(?:[、和与及](?P<vl_b2>{bench}))?(?:平均水平|平均增速|平均|增速|水平)?"
        rf"(?:分别)?(?P<vl_dir2>高出|高|低|快|慢|多|少)?(?P<vl_n1>-?{_VAL})个?(?:百分点)?(?:[、和与及]|,(?!\d{{3}}(?!\d)))"
        rf"(?P<vl_n2>-?{_VAL})个?百分点"
        rf"|(?P<vs_dir>{gap})(?P<vs_bench>[^,，。;；:：\d]{{0,16}}?)"
        rf"(?:平均水平|平均增速|平均|增速|水平)?(?P<vs_dir2>还差|高出|高|低|快|慢|多|少|大|小|收窄|扩大)?(?P<vs_num>-?{_VAL})个?百分点"
        # 高于全国(3.6%): the benchmark's own value, a row for that place
        rf"|(?P<bv_dir>{gap})(?P<bv_bench>全国|全省)(?:平均水平|平均增速|平均|增速|水平)?"
        rf"[(（](?P<bv_num>-?{_NUM})%[)）](?:(?P<bv_gap>{_VAL})个?百分点)?"
    )
    rank = (
        rf"(?:居|位居|列|位列|排名|排|位于|稳居|跃居|处于|名列)(?P<rk_bench>[^,，。;；:：第\d]{{1,16}}?)"
        rf"(?:第(?P<rk_num>{_RANK_NUM})(?:位|名)?(?![大批个家方梯档季])|(?P<rk_first>首位))"
        # 在全省14个市州中排第3位, 全省排名第5
        rf"|(?P<rk_bench3>全国|全省|全市|全区|全县|全州)[^,，。;；:：第]{{0,12}}?(?:排名|排位|排|位居|居|位列|列)"
        rf"第?(?P<rk_num3>{_RANK_NUM})(?:位|名)?(?![大批个家方梯档季])"
        r"|(?P<rk_bench2>全国|全省|全市)[^,，。;；:：\d]{0,8}?第一(?:城|位|名)?(?![大批个家方梯档季])"
    )
    share = (
        rf"占(?P<sh_of>[^,，。;；:：由]{{0,24}}?)(?:的)?(?:比重|比例|份额)?"
        # 由去年的24.5%提高到26.1%: the share now, and last year's (a row of its own)
        rf"(?:由(?P<sh_prev_word>去年同期|上年同期|去年|上年|(?:19|20)\d\d年)?[^,，。;；:：\d%]{{0,8}}?的?(?P<sh_prev>{_NUM})%"
        rf"(?:提高|提升|上升|增加|扩大|下降|回落|降低|下滑)(?:到|至)"
        rf"|达到|达|为|超过|超|约|近|提高到|提升至|升至)?(?P<sh_num>{_VAL})%"
        rf"|(?P<sh2_num>{_NUM})%的(?=[^,，。;；]{{0,2}}(?:工业|营收|利润))"
    )
    yoy = (
        # 增速回落至3.1%: the rate it moved to is the current growth rate
        rf"(?P<yt_word>增速|增幅|降幅)(?:由(?P<yt_prev_word>去年同期|上年同期|去年|上年|(?:19|20)\d\d年)?[^,，。;；:：\d%]{{0,8}}?的?"
        rf"(?P<yt_prev>-?{_NUM})%|[^,，。;；\d%]{{0,6}}?)(?:回落|回升|提高|提升|上升|下降|下滑|放缓|加快|扩大|收窄|升|降)"
        rf"(?:至|到)(?P<yt_num>{_NUM})%"
        # 去年同期为5.1%: the growth of the year before, a row of its own
        rf"|(?<![比较与同])(?P<py_word>去年同期|上年同期|去年|上年)(?:增速)?(?:为|是)(?P<py_num>-?{_NUM})%"
        rf"|(?P<yoy_verb>{up}|{down})(?:目标)?(?:了|为|达到|达|是|保持在|保持|不低于|不少于)?(?P<yoy_approx>约|近|超过|超|逾)?\s*"
        rf"(?P<yoy_num>-?(?:{_NUM})\s?(?:%|倍)|-?(?:{_RED})\s?(?:%|(?![家户个项亿万元辆座台])))(?P<yoy_floor>以上|左右)?"
        rf"|保持(?P<yoy2_num>{_NUM})%(?:以上|左右)?的(?:增速|增长)"
        # (同比+28.6%): a signed rate after 同比
        rf"|(?:同比|比上年|较上年)\s*(?P<yoy3_sign>[+-])\s*(?P<yoy3_num>{_NUM})%"
    )
    level = (
        r"(?:突破|首破|超过|超)(?P<lv_big>万亿|千亿)元"
        r"|(?P<lv_wan>万)(?:余|多)(?P<lv_unit2>家|户|个)"
        rf"|(?P<lv_num>{_VAL})\s?(?:余|多)?(?P<lv_mult>万亿|千亿|亿|万)?(?:余|多)?"
        r"(?P<lv_unit>元|家|户|个|辆|座)(?!/|月|百分点|季度|工作日|小时|省|市|县|区)"
    )
    pct = rf"(?P<pc_num>-?{_VAL})\s?%"
    return re.compile(f"(?P<vs>{vs})|(?P<rk>{rank})|(?P<sh>{share})|(?P<yoy>{yoy})|(?P<lv>{level})|(?P<pc>{pct})")


@dataclass(slots=True)
class Figure:
    measure: str  # level | yoy_pct | share_pct | vs_benchmark_pp | rank | level_pct
    value: float | None
    unit: str
    unit_class: str  # money | count | station | vehicle | percent | pp | rank
    start: int
    end: int
    benchmark: str | None = None
    share_of_start: int = -1  # for shares: where the "of what" starts (mentions in it are not the subject)
    forward: bool = False  # the indicator wording follows the figure ("689家规上工业企业", "70%的工业增加值")
    place: str | None = None  # a figure of the benchmark place itself (高于全国(3.6%) -> 全国)
    evidence_start: int = -1  # where its evidence starts, when not at its clause (a benchmark in a list)
    listed: bool = False  # one of a benchmark list's gaps (already distributed over its benchmarks)
    needs_inside: bool = False  # a rank without a verb (全国第一城): its indicator must be inside it
    prior_year: bool = False  # a figure of the year before (去年同期为5.1%)
    group: str | None = None  # one of the groups listed right before it (A、B、C均增长…): its subject
    period: Period | None = None  # its own period, from a list of periods (一季度、上半年分别增长…)
    year: int | None = None  # its own year (由2020年的2.3%…; 2021年、2022年分别增长…)


def _is_redacted(num: str) -> bool:
    return num.strip("-")[:1] in {"*", "X", "x"}


def _value(num: str) -> float | None:
    return None if _is_redacted(num) else parse_number(num)


def _counter_class(unit: str) -> str:
    return {"家": "count", "户": "count", "个": "station", "座": "station", "辆": "vehicle"}.get(unit, "other")


def _figure_from_match(m: re.Match[str]) -> Figure | None:
    kind = m.lastgroup
    s, e = m.start(), m.end()
    if kind == "vs" and m.group("bv_num"):
        return Figure("yoy_pct", parse_number(m.group("bv_num")), "%", "percent", s, e,
                      place=m.group("bv_bench"))  # its gap, if written, is read by find_figures
    if kind == "vs":
        down = m.group("vs_dir") in _words()["gap_down"] or m.group("vs_dir2") in ("低", "慢", "少", "还差")
        if m.group("vs_dir2") in ("大", "小", "扩大", "收窄"):  # 降幅比全省大1.1个百分点: a larger decline is below
            down = (m.group("vs_dir2") in ("大", "扩大")) == ("降幅" in m.string[max(0, s - 4): s])
        sign = -1.0 if down else 1.0
        val = _value(m.group("vs_num"))
        bench = (m.group("vs_bench") or "").strip()
        return Figure("vs_benchmark_pp", None if val is None else sign * abs(val), "pp", "pp", s, e, bench)
    if kind == "rk":
        g = m.groupdict()  # (the next-rank regex has only some of these groups)
        if g.get("rk_bench2"):
            return Figure("rank", 1.0, "位", "rank", s, e, g["rk_bench2"], needs_inside=True)
        if g.get("rk_first"):
            return Figure("rank", 1.0, "位", "rank", s, e, _rank_benchmark(g["rk_bench"].strip()))
        bench, raw = next((g[b] or "", g[n]) for b, n in (
            ("rk_bench", "rk_num"), ("rk_bench3", "rk_num3"), ("rk_bench4", "rk_num4")) if g.get(n) is not None)
        num: float | None = None
        if not _is_redacted(raw):
            parsed = parse_chinese_integer(raw)
            if parsed is None:
                return None
            num = float(parsed)
        return Figure("rank", num, "位", "rank", s, e, _rank_benchmark(bench.strip()))
    if kind == "sh":
        if m.group("sh2_num"):
            return Figure("share_pct", parse_number(m.group("sh2_num")), "%", "percent", s, e, forward=True)
        return Figure("share_pct", _value(m.group("sh_num")), "%", "percent", s, e,
                      share_of_start=m.start("sh_of"))
    if kind == "yoy":
        if m.group("py_num"):
            return Figure("yoy_pct", parse_number(m.group("py_num")), "%", "percent", s, e, evidence_start=s,
                          prior_year=True)
        if m.group("yt_num"):
            val = parse_number(m.group("yt_num"))
            return Figure("yoy_pct", -val if m.group("yt_word") == "降幅" else val, "%", "percent", s, e)
        if m.group("yoy2_num"):
            return Figure("yoy_pct", parse_number(m.group("yoy2_num")), "%", "percent", s, e)
        if m.group("yoy3_num"):
            sign = -1.0 if m.group("yoy3_sign") == "-" else 1.0
            return Figure("yoy_pct", sign * parse_number(m.group("yoy3_num")), "%", "percent", s, e)
        raw = m.group("yoy_num")
        if raw.endswith("倍"):
            if m.group("yoy_approx") in ("近", "约"):
                return None  # 增长近3倍: 3x or +300%? ambiguous, left out (gold README 13)
            val: float | None = parse_number(raw[:-1].strip()) * 100
        else:
            val = _value(raw.rstrip("%").strip())
        negative = m.group("yoy_verb") in _words()["growth_down"] or m.string[max(0, s - 1): s] == "负"
        if val is not None and negative:
            val = -abs(val)
        return Figure("yoy_pct", val, "%", "percent", s, e)
    if kind == "lv":
        if m.group("lv_big"):
            return Figure("level", to_yi_yuan(1.0, m.group("lv_big") + "元"), "亿元", "money", s, e)
        if m.group("lv_wan"):
            unit = "万" + m.group("lv_unit2")
            return Figure("level", 1.0, unit, _counter_class(m.group("lv_unit2")), s, e)
        num, mult, unit = m.group("lv_num"), m.group("lv_mult") or "", m.group("lv_unit")
        val = _value(num)
        if unit == "元":
            money_unit = mult + "元"
            if money_unit not in ("亿元", "万亿元", "万元", "千亿元"):
                return None
            return Figure("level", None if val is None else to_yi_yuan(val, money_unit), "亿元", "money", s, e)
        if mult in ("亿", "万亿", "千亿"):
            return None
        return Figure("level", val, mult + unit, _counter_class(unit), s, e)
    if kind == "pc":
        fig = Figure("level_pct", _value(m.group("pc_num").strip()), "%", "percent", s, e)
        if _MOVED_TO.match(m.string, e):  # 由2020年的1.8%提高到2.4%: 1.8 is an earlier value
            since = _MOVED_FROM.search(m.string, max(0, s - 16), s)
            if since is None or since.group("w") is None:
                return None  # (由上半年的…: an earlier period of the same year is no row)
            fig.prior_year, fig.year, fig.evidence_start = True, _year_named(since.group("w")), since.start("w")
        return fig
    return None


_MOVED_TO = re.compile(r"(?:提高|提升|上升|增加|扩大|下降|回落|降低|下滑)(?:到|至)")
_MOVED_FROM = re.compile(r"由(?P<w>去年同期|上年同期|去年|上年|(?:19|20)\d\d年)?[^,，。;；:：\d%]{0,8}?的?$")


@cache
def _figure_starts() -> re.Pattern[str]:
    """Where a figure can start: the first characters of the figure regex's branches.

    Python's regex engine tries every branch of the figure regex at every position; jumping from
    one of these places to the next and trying a match there is several times as fast."""
    w = _words()
    words = w["gap_up"] + w["gap_down"] + w["growth_up"] + w["growth_down"]
    chars = {word[0] for word in words} | set("居位列排稳跃处名全占保突首超万去同-*Xx0123456789")
    # A number starts a figure only when a unit, a multiplier or % follows it (余/多 may come
    # between): the regex engine skips other numbers (years, dates, list numbers) at C speed.
    unit_after_number = r"(?:(?<![0-9])|(?<=[0-9])[0-9.,]*\s?[余多]?[%万亿千元家户个辆座])"
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]" + unit_after_number)


def find_figures(sentence: str, start: int = 0) -> list[Figure]:
    """Every figure in a sentence from `start` on, left to right (as `finditer` would find them)."""
    figures = []
    regex, starts = _figure_regex(), _figure_starts()
    pos = start
    while (candidate := starts.search(sentence, pos)) is not None:
        m = regex.match(sentence, candidate.start())
        if m is None:
            pos = candidate.start() + 1
            continue
        pos = m.end() if m.end() > m.start() else m.start() + 1
        if m.lastgroup == "vs" and m.group("vl_b1"):
            figures.extend(_benchmark_list_figures(m))
            continue
        if m.lastgroup == "yoy" and m.group("yt_prev_word"):  # 增速由去年的2.6%提高到3.1%: last year's too
            figures.append(Figure("yoy_pct", parse_number(m.group("yt_prev")), "%", "percent", m.start(),
                                  m.end("yt_prev") + 1, evidence_start=m.start("yt_prev_word"), prior_year=True,
                                  year=_year_named(m.group("yt_prev_word"))))
        if m.lastgroup == "sh" and m.group("sh_prev_word"):  # 由去年的24.5%提高到26.1%: last year's too
            figures.append(Figure("share_pct", parse_number(m.group("sh_prev")), "%", "percent", m.start(),
                                  m.end("sh_prev") + 1, share_of_start=m.start("sh_of"),
                                  evidence_start=m.start("sh_prev_word"), prior_year=True,
                                  year=_year_named(m.group("sh_prev_word"))))
        fig = _figure_from_match(m)
        if fig is not None and fig.value is not None and not math.isfinite(fig.value):
            fig = None  # a run of digits too long to be a figure
        if fig is not None:
            figures.append(fig)
        while fig is not None and fig.measure == "rank" and (more := _next_rank_regex().match(sentence, pos)):
            fig = _figure_from_match(more)  # 居全国第3位、中部第1位: the next rank of a list
            if fig is not None:
                fig.benchmark = fig.benchmark or figures[-1].benchmark  # 居全省第3位、第2位: the same place
                fig.evidence_start = more.start("rk")  # a row identity of its own
                figures.append(fig)
            pos = more.end()
        if m.lastgroup == "vs" and m.group("bv_gap"):  # 高于全国(4.6%)2.3个百分点: the gap too
            gap = _value(m.group("bv_gap"))
            sign = -1.0 if m.group("bv_dir") in _words()["gap_down"] else 1.0
            figures.append(Figure("vs_benchmark_pp", None if gap is None else sign * gap, "pp", "pp",
                                  m.start(), m.end(), m.group("bv_bench")))
    return figures


_RANK_SCOPE = re.compile(r"^(?:全国|全省|全市|全区|全县|全州|全盟)")


def _rank_benchmark(bench: str) -> str:
    """The place a rank is within: 全省 of 全省14个市州中, 全国 of 全国城市; else as written."""
    scope = _RANK_SCOPE.match(bench)
    return scope.group(0) if scope else bench


@cache
def _next_rank_regex() -> re.Pattern[str]:
    """The next rank of a list, right after a rank (、中部第1位; 、第2位; 和第5位)."""
    return re.compile(rf"(?:、|和|及)(?P<rk>(?P<rk_bench4>[^,，。;；:：第\d、和及]{{0,8}}?)第(?P<rk_num4>{_RANK_NUM})(?:位|名))")


def _year_named(word: str) -> int | None:
    """2020 of "2020年"; None for 去年/上年 (one before the figure's year)."""
    return int(word[:4]) if word[:1].isdigit() else None


def _benchmark_list_figures(m: re.Match[str]) -> list[Figure]:
    """`比全国、全省分别高3.2和1.3个百分点`: one gap per benchmark, each with its own evidence start
    (the benchmark's word), so the two rows keep distinct identities."""
    down = m.group("vl_dir") in _words()["gap_down"] or m.group("vl_dir2") in ("低", "慢", "少")
    sign = -1.0 if down else 1.0
    figures = []
    second = "vl_b2" if m.group("vl_b2") else "vl_b1"
    for bench, num in (("vl_b1", "vl_n1"), (second, "vl_n2")):
        val = _value(m.group(num))
        figures.append(Figure("vs_benchmark_pp", None if val is None else sign * abs(val), "pp", "pp",
                              m.start(), m.end(), m.group(bench)))
    if second == "vl_b2":  # two benchmarks: distributed here, the second with evidence of its own
        figures[1].evidence_start = m.start("vl_b2")
        figures[0].listed = figures[1].listed = True
    return figures


# ---------------------------------------------------------------------------------------------
# Mentions of indicators


@dataclass(slots=True)
class Mention:
    code: str
    start: int
    end: int
    alias: str
    gap: str | None = None  # split aliases: the words between the two parts (a subject)


def find_mentions(sentence: str) -> list[Mention]:
    """Catalog aliases in a sentence (longest first, non-overlapping), plus split aliases."""
    cat = load_catalog()
    mentions = []
    pos = 0
    while (m := cat.alias_regex.search(sentence, pos)) is not None:
        alias, start = m.group(0), m.start()
        if (start and sentence[start - 1] in cat.not_after_alias.get(alias, "")) or (
                alias in cat.not_before and sentence.startswith(cat.not_before[alias], m.end())):
            pos = start + 1  # "食品加工业产值", "高技术制造业投资": try the shorter aliases inside it
            continue
        mentions.append(Mention(cat.alias_to_code[alias], start, m.end(), alias))
        pos = m.end()
    for regex, first, second, code in cat.split_aliases:
        if first not in sentence:
            continue
        for m in regex.finditer(sentence):
            i, end, gap = m.start(), m.end(), m.group("gap")
            covered = [x for x in mentions if x.start >= i and x.end <= end]
            if any(x.code == code and x.start == i for x in covered) or _splits_other(covered, code, end):
                continue  # the plain alias already says it, or the gap holds another indicator
            for x in covered:
                mentions.remove(x)
            subject = None if re.search(r"方面|\d", gap) else gap
            mentions.append(Mention(code, i, end, first + "…" + second, subject or None))
    mentions.sort(key=lambda m: m.start)
    return mentions


def _splits_other(covered: list[Mention], code: str, end: int) -> bool:
    """A split alias must not swallow a complete mention of another indicator that ends where it
    ends (工业和技术改造投资); a mention inside it is just a qualifier (工业信息软件业固定资产投资)."""
    bare = _words()["bare_aliases"]  # (软件和信息技术服务业营收: 营收 is the measure word, no indicator of its own)
    return any(m.code != code and m.end == end and m.alias not in bare for m in covered)


# ---------------------------------------------------------------------------------------------
# Reading state


@dataclass
class ReadingState:
    """What is in force while reading a segment left to right."""

    report_year: int | None
    year: int | None = None
    period: Period | None = None
    future: bool = False  # inside a plan for a year after the report year
    published: tuple[int, int] | None = None  # (year, month) of the page's date line, if any
    paragraph: int = 0  # index of the paragraph being read
    last_code: str | None = None  # the indicator of the last row, for follow-on sentences
    last_period: Period | None = None  # ... its period
    last_paragraph: int = -9  # ... and the paragraph it was in
    relative_base: int | None = None  # 今年/去年 count from the page's date when the body states no year
    topic_pending: bool = False  # the last sentence was a heading naming an indicator ("1.工业投资。")
    before_month: Period | None = None  # the period in force before a 当月 month
    opened_paragraph: int = -1  # the paragraph a follow-on opener (分行业看) was read in

    def figure_year(self, period: Period | None) -> int | None:
        """The year in force; with none stated in the body, the latest one whose period had ended
        by the publication date (published 2022-11 about 1—10月 -> 2022; 2024-01 about 全年 -> 2023)."""
        if self.year is not None or self.published is None:
            return self.year
        pub_year, pub_month = self.published
        end = period.end if period else 12
        return pub_year if end < pub_month else pub_year - 1

    def __post_init__(self) -> None:
        self.year = self.report_year


# Every figure has one of these: a digit, a redaction mark, or a Chinese-numeral rank or level
# (第三位, 首位, 突破万亿元, 万余家). Most narrative paragraphs have none.
_FIGURE_HINT = re.compile(r"[0-9*Xx]|第|首位|万亿|千亿|万[余多]")
_FIGURE_CHAR = re.compile(r"[0-9*Xx第首万千]")  # a quicker first test (a character class)
# Starts with a character class so the regex engine can skip ahead quickly.
_YEAR = re.compile(r"[12今去上](?:(?<=[12])(?:(?<=1)9|(?<=2)0)\d\d年|(?<=[今去上])年)")


@cache
def _year_context() -> tuple[re.Pattern[str], re.Pattern[str]]:
    w = _words()
    before = re.compile(f"(?:{_alternation(w['year_comparison_before'])})$")
    after = re.compile(f"^(?:{_alternation(w['year_comparison_after'])})")
    return before, after


@dataclass(frozen=True, slots=True)
class YearMention:
    start: int
    end: int
    year: int
    relative: bool = False  # 今年 (year 0) / 去年 (year -1): counted from the report year


def _is_figure_year(sentence: str, m: YearMention) -> bool:
    """A year that names the time of what follows, not a comparison, a start point or a passing date."""
    before, after = _year_context()
    head = sentence[max(0, m.start - 3): m.start]
    as_of = head.endswith(tuple(_words()["year_as_of_before"]))  # 截至2023年9月底: not a comparison
    if (before.search(head) and not as_of) or after.match(sentence[m.end: m.end + 3]):
        return False
    after_text = sentence[m.end: m.end + 6]
    if re.match(r"\d{1,2}月\d{1,2}日", after_text):
        return False  # a date (发布于2024年3月28日), not the year figures refer to
    lead = sentence[_clause_start(sentence, m.start): m.start]
    return len(lead) <= 2 or bool(re.match(r"\d|[上下前全]半?年|[一二三四]季度", after_text))


def _year_mention(m: re.Match[str]) -> YearMention:
    text = m.group(0)
    if text[0].isdigit():
        return YearMention(m.start(), m.end(), int(text[:4]))
    return YearMention(m.start(), m.end(), 0 if text == "今年" else -1, relative=True)


@dataclass
class TextIndex:
    """Mentions, periods and years of one paragraph, found once; its sentences take their slice."""

    offset: int
    mentions: list[Mention]
    periods: list[tuple[int, int, Period]]
    years: list[YearMention]
    follow_ons: list[int] = field(default_factory=list)  # sentences opening with 分行业看, 其中, ...

    @classmethod
    def of(cls, paragraph: str, offset: int, all_periods: bool = False) -> TextIndex:
        years = [_year_mention(m) for m in _YEAR.finditer(paragraph)
                 if m.start() == 0 or not paragraph[m.start() - 1].isdigit()]
        if not (_FIGURE_CHAR.search(paragraph) and _FIGURE_HINT.search(paragraph)):
            return cls(offset, [], [], years)  # no figure can be here: only its years matter (they carry)
        mentions = find_mentions(paragraph)
        follow_ons = [m.start() for m in _follow_on_regex().finditer(paragraph)
                      if m.start() == 0 or paragraph[m.start() - 1] in "。!！?？"]  # sentence openings only
        # periods matter only where a figure can be: a paragraph without catalog wording has none
        periods = find_periods(paragraph if follow_ons or all_periods else paragraph[: mentions[-1].end + 40]) if (
            mentions or follow_ons or all_periods) else []
        return cls(offset, mentions, periods, years, follow_ons)

    def starts(self) -> list[int]:
        """Sorted start positions (text coordinates) of everything indexed."""
        return sorted([m.start + self.offset for m in self.mentions] + [p[0] + self.offset for p in self.periods]
                      + [y.start + self.offset for y in self.years] + [f + self.offset for f in self.follow_ons])

    def slice(self, start: int, end: int) -> tuple[list[Mention], list[tuple[int, int, Period]], list[YearMention]]:
        """The items inside text `[start, end)`, with positions relative to `start`."""
        lo, hi = start - self.offset, end - self.offset
        mentions = [Mention(m.code, m.start - lo, m.end - lo, m.alias, m.gap)
                    for m in self.mentions if lo <= m.start and m.end <= hi]
        periods = [(a - lo, b - lo, p) for a, b, p in self.periods if lo <= a and b <= hi]
        years = [YearMention(y.start - lo, y.end - lo, y.year, y.relative)
                 for y in self.years if lo <= y.start and y.end <= hi]
        return mentions, periods, years


# ---------------------------------------------------------------------------------------------
# Rows


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
    if draft.figure.place == "全国":  # the benchmark's own figure (高于全国(3.6%))
        region_code, region, city, city_code, county = NATIONAL_CODE, "全国", None, None, None
    elif draft.figure.place == "全省":
        city, city_code, county = None, None, None
    elif draft.figure.place:  # a place the clause names (浙江增长6.1%,江苏增长7.0%; 湖州市规上工业…)
        named = _named_place(draft.figure.place)
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
        "benchmark": draft.figure.benchmark if measure in ("vs_benchmark_pp", "rank") else None,
        "is_redacted": draft.figure.value is None,
        "is_estimate": draft.is_estimate,
        "is_target": draft.is_target,
        "evidence": text[start:end],
        "char_start": start,
        "char_end": end,
        "pipeline_version": PIPELINE_VERSION,
        "run_id": "",
    }


# ---------------------------------------------------------------------------------------------
# Sentence reading


# A comma between digit groups (1,234.5) is not a clause boundary.
# (Each opens with one character class, so the regex engine skips ahead at C speed.)
_CLAUSE_MARK = re.compile(r"[，;；:：。,](?!(?<=\d,)\d{3}(?!\d))")
_LIST_MARK = re.compile(r"[，;；:：。、,](?!(?<=\d,)\d{3}(?!\d))")


@lru_cache(maxsize=256)
def _mark_positions(sentence: str, with_list_comma: bool) -> list[int]:
    regex = _LIST_MARK if with_list_comma else _CLAUSE_MARK
    return [m.start() for m in regex.finditer(sentence)]


def _clause_start(sentence: str, pos: int) -> int:
    """Start of the clause holding `pos`: after the last clause boundary before it."""
    marks = _mark_positions(sentence, False)
    i = bisect.bisect_left(marks, pos)
    return marks[i - 1] + 1 if i else 0


@cache
def _strip_regex() -> re.Pattern[str]:
    w = _words()
    return re.compile(
        rf"^(?:(?:19|20)\d{{2}}年|(?:\d+(?:\.\d+)?|XX|\*+)[个家户项条]?|"
        rf"{_alternation(w['subject_strip'] + w['estimate_words'] + w['target_words'])})+"
    )


_PERIOD_OR_PLACE = re.compile(r"\d{1,2}\s*[-—–~～至到]\s*\d{1,2}月份?|\d{1,2}月份|前[一二三四五六七八九十\d]+个?(?:月|季度)|"
                              r"[一二三四1-4]季度|上半年|下半年|全年|今年|去年|前三季度")


_SCOPE_WORDS = re.compile(r"(?:规模以上|规上|规模)(?:工业)?(?:企业)?")
_TRAILING_VERB = re.compile(r"(?:累计|共|已)?(?:实现|完成|达到|达)$")
_TRAILING_FILLER = re.compile(r"(?:的|中|和|及|与|等|、|之|企业|实现|完成|累计)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PUNCTUATION = re.compile(r"[,，。;；]")


@lru_cache(maxsize=4096)
def _subject_from_prefix(prefix: str, place_names: re.Pattern[str] | None) -> str | None:
    """What is left of the words before an indicator once places, periods and fillers are removed."""
    if not prefix:
        return None
    s = _PERIOD_OR_PLACE.sub("", prefix)
    # "区属规上工业企业实现" -> "区属"; "规上工业中小微企业" -> "中小微"; "数字经济规上核心制造业" -> both sides
    s = _SCOPE_WORDS.sub("", s)
    s = _TRAILING_VERB.sub("", s)
    s = (place_names or place_name_regex()).sub("", s)
    s = s.strip(" \"“”'")
    prev = None
    while prev != s:
        prev = s
        s = _strip_regex().sub("", s)
        s = _TRAILING_FILLER.sub("", s)
        s = s.strip(" \"“”'")
    if "等" in s and s.rsplit("等", 1)[1]:
        s = s.rsplit("等", 1)[1]  # "XX公司、XX集团等产值前5名" -> "产值前5名"
    if not s or len(s) > 20 or not _CJK.search(s) or "%" in s or _PUNCTUATION.search(s):
        return None
    return s


def _count_subject(clause_text: str, mention: Mention) -> str | None:
    """Counts: additions get 新增 (or 新增重点), stocks get none (gold README 15)."""
    w = _words()
    if mention.alias in w["addition_aliases"]:
        return "新增"
    if _has("addition_words", clause_text):
        return "新增重点" if "重点" in clause_text[-6:] or "重点" in mention.alias else "新增"
    return None


@dataclass(slots=True)
class SentenceContext:
    sentence: str
    offset: int
    mentions: list[Mention]
    place_names: re.Pattern[str] | None
    paragraph_before: str = ""  # the paragraph's text before this sentence (for scope words)
    figures: list[Figure] = field(default_factory=list)
    may_exclude: bool = True  # the sentence holds a word of `_exclusion_words`


def _marks_between(sentence: str, start: int, end: int) -> int:
    """Clause boundaries in sentence[start:end], from the sentence's cached marks (a count per
    figure and mention would otherwise rescan long sentences again and again)."""
    marks = _mark_positions(sentence, False)
    return bisect.bisect_left(marks, end) - bisect.bisect_left(marks, start)


def _boundaries(text: str, counts_list_comma: bool = False) -> int:
    """Clause boundaries inside `text` (a full stop never occurs inside a sentence)."""
    return len((_LIST_MARK if counts_list_comma else _CLAUSE_MARK).findall(text))


_REACHES = re.compile(r"(?:达到|达|突破|超过|超)")
_COUNT_LABEL = re.compile(r"(?:数|数量|总数)?[:：](?:共|为|达)?")
_FORWARD_BREAK = re.compile(r"[,，、;；。和及与]")


def _governing_mention(ctx: SentenceContext, fig: Figure, previous: Mention | None) -> Mention | None:
    """The indicator mention a figure belongs to (None: the figure is not about a catalog indicator).

    Mostly the last mention before the figure in the same or the previous clause; gaps and ranks
    follow the figure they qualify (`增长7.6%,高于全国1.8个百分点,居全国第13位`); a count may
    precede its wording (`XX家规模以上工业企业`); a share's "of what" is not its subject.
    """
    entries = load_catalog().entries
    s = ctx.sentence
    before = [m for m in ctx.mentions if m.end <= fig.start]
    inside = [m for m in ctx.mentions if fig.start <= m.start < fig.end]
    after = [m for m in ctx.mentions if fig.end <= m.start <= fig.end + 1
             and not _FORWARD_BREAK.search(s[fig.end: m.start])]
    if fig.forward or (fig.measure == "level" and fig.unit_class in ("count", "station", "vehicle")):
        fwd = [m for m in after if fig.forward or fig.unit_class in entries[m.code].level_units]
        if fwd:
            clause = s[_clause_start(s, fig.start): fig.start]
            if fig.forward or not _has("count_action_verbs", clause):
                return fwd[0]
            return None
    if fig.measure == "rank" and inside:
        return inside[-1]
    if fig.measure == "rank" and fig.needs_inside:
        return None  # "全国第一城" needs its indicator inside
    if fig.measure in ("vs_benchmark_pp", "rank"):
        if previous is not None and _counter_between(ctx, previous, fig):
            return None
        if previous is not None and _marks_between(s, previous.end, fig.start) <= 3:
            return previous
        near = [m for m in before if _marks_between(s, m.end, fig.start) <= 1]
        return near[-1] if near else None
    if fig.measure == "share_pct" and fig.share_of_start >= 0:
        outer = [m for m in before if m.end <= fig.share_of_start]
        if (not outer or _marks_between(s, outer[-1].end, fig.start) > 1) and previous is not None and (
                previous.end <= fig.share_of_start and _marks_between(s, previous.end, fig.start) <= 3):
            outer = [previous]  # "完成工业投资42.8亿元,同比增长12.1%,占全县固定资产投资的38.5%"
        if outer and (_marks_between(s, outer[-1].end, fig.start) <= 1 or outer[-1] is previous):
            if _counter_between(ctx, outer[-1], fig):
                return None
            # the "of what" inside a share governs nothing after it (占…总产值的XX%,同比增长XX%)
            ctx.mentions[:] = [m for m in ctx.mentions if not fig.share_of_start <= m.start < fig.end]
            return outer[-1]
        of = [m for m in ctx.mentions if fig.share_of_start <= m.start < fig.end]
        return of[-1] if of else None
    if fig.measure in ("level", "level_pct"):
        unit_class = "percent" if fig.measure == "level_pct" else fig.unit_class
        before = [m for m in before if unit_class in entries[m.code].level_units]
        if not before:
            return None
        last = before[-1]
        between = s[last.end: fig.start]
        if unit_class in ("count", "station", "vehicle"):
            if (_boundaries(between, counts_list_comma=True) == 0 or _continues_stock(s, fig)
                    or _COUNT_LABEL.fullmatch(between)  # 规上工业企业数:1796家
                    or (unit_class == "vehicle" and _boundaries(between, counts_list_comma=True) <= 1
                        and _REACHES.match(s, _clause_start(s, fig.start)))):  # 产量增长1.6倍,达到28.5万辆
                return last
            return None
        return last if _boundaries(between) <= 1 and len(between) <= 30 else None
    near = [m for m in before if _marks_between(s, m.end, fig.start) <= 1]
    if near and _counter_between(ctx, near[-1], fig):
        return None  # "产值下滑XX家、占比XX%": the share is of the enterprises just counted
    if not near and fig.measure == "yoy_pct" and (_parallel_subject(s, fig) or _place_heading(s, None, fig)):
        # "国有控股企业增加值增长5.3%;股份制企业增长7.6%,外商…企业增长2.1%"; "…,广东增长4.1%";
        # "在规模以上工业中,分经济类型看,国有控股企业增长1.5%"
        if previous is not None:
            return previous
        return before[-1] if before and _marks_between(s, before[-1].end, fig.start) <= 3 else None
    return near[-1] if near else None


_PARALLEL = re.compile(r"[\u4e00-\u9fff()（）、]{2,16}?(?:企业|行业|产业|业|项目)$")


_HEAD_NOISE = re.compile(r"^(?:其中|另外|此外|而)|(?:同比|累计|分别)$|\s")


def _place_heading(sentence: str, mention: Mention | None, fig: Figure) -> str | None:
    """A place that is all a clause names before its indicator or figure ("浙江规上工业增加值增长6.1%",
    ",江苏增长7.0%"): the figure is that place's."""
    lo = _clause_start(sentence, fig.start)
    hi = mention.start if mention is not None and lo <= mention.start < fig.start else fig.start
    head = _HEAD_NOISE.sub("", sentence[lo:hi])
    return head if 2 <= len(head) <= 12 and _named_place(head) is not None else None


@lru_cache(maxsize=4096)
def _named_place(name: str) -> Place | None:
    """The division a place name denotes, when it is certain and has a province."""
    place = resolve_region(name)
    return place if place is not None and place.region_code is not None else None


def _parallel_subject(sentence: str, fig: Figure) -> str | None:
    """The group a clause of its own names before its growth figure, in a run of parallel clauses
    ("…,制造业增长8.2%"), or None when the clause does not start with such a group."""
    head = sentence[_clause_start(sentence, fig.start): fig.start]
    head = re.sub(r"^(?:其中|另外|此外)", "", head)
    head = re.sub(r"(?:同比|比上年|比去年同期|较上年)?(?:累计)?$", "", head)
    head = re.sub(r"(?<=项目)(?:完成)?投资(?:额)?$", "", head)  # 新开工项目投资增长…: a breakdown of investment
    if not _PARALLEL.fullmatch(head) or load_catalog().alias_regex.search(head):
        return None
    return _subject_from_prefix(head, None)


def _counter_between(ctx: SentenceContext, mention: Mention, fig: Figure) -> bool:
    """A count figure of a kind the indicator cannot have stands between the indicator and `fig`."""
    levels = load_catalog().entries[mention.code].level_units
    return any(mention.end <= f.start and f.end <= fig.start and f.measure == "level"
               and f.unit_class not in levels for f in ctx.figures)


def _continues_stock(sentence: str, fig: Figure) -> bool:
    """`新增5G基站4万个、累计开通24.2万个`: a later clause that states the running total."""
    clause = sentence[_clause_start_or_list(sentence, fig.start): fig.start]
    return bool(re.match(r"(?:累计|总数|总量|共计|合计)", clause))


def _clause_start_or_list(sentence: str, pos: int) -> int:
    """Like `_clause_start`, but a list comma 、 also ends a clause."""
    marks = _mark_positions(sentence, True)
    i = bisect.bisect_left(marks, pos)
    return marks[i - 1] + 1 if i else 0


_ABOVE_SCALE = re.compile(r"规上|规模以上|规模工业")
_ALL_INDUSTRY = re.compile(r"(?:全部|全)工业(?:实现|完成|累计)?$")


def _resolve_code(ctx: SentenceContext, mention: Mention) -> str | None:
    """Apply scope rules: 工业增加值 is 规上 when the sentence's subject is 规上 (gold README 7)."""
    code = mention.code
    entry = load_catalog().entries[code]
    head = ctx.sentence[: mention.start]
    scope_text = (ctx.paragraph_before + head)[-120:]
    if entry.scope_sensitive and _ABOVE_SCALE.search(scope_text) and "规下" not in head[-6:]:
        return "industrial_value_added"
    if mention.alias in _words()["scoped_bare_aliases"] and not re.search(
            r"规上|规模以上|工业", (ctx.paragraph_before + head)[-40:]):
        return None
    if mention.alias in _words()["bare_aliases"]:
        if not _has("group_words", (ctx.paragraph_before + head)[-40:] + mention.alias):
            return None
    if mention.alias == "增加值" and _ALL_INDUSTRY.search(head) and not _ABOVE_SCALE.search(scope_text):
        return "industrial_value_added_all"  # 全市工业实现增加值…: industry as a whole
    return code


_ALIAS_GROUP = re.compile(r"(.+?业)(?:主营业务收入|业务收入|营业收入|收入|营收|增加值|总产值|产值|固定资产投资|投资)$")
_SHARE_HOLDER = re.compile(r"[^,，;；:：]*?(?=以|贡献|创造|提供|集聚|聚集|汇聚)")


def _subject(ctx: SentenceContext, mention: Mention, code: str, fig: Figure | None = None) -> str | None:
    entry = load_catalog().entries[code]
    cstart = _clause_start(ctx.sentence, mention.start)
    prefix = ctx.sentence[cstart: mention.start]
    if "count" not in entry.level_units:
        prefix = ctx.sentence[_clause_start_or_list(ctx.sentence, mention.start): mention.start]
    if "count" in entry.level_units or "station" in entry.level_units:
        sub = _count_subject(prefix, mention)
        if fig is not None and _continues_stock(ctx.sentence, fig):
            sub = None
        if "station" in entry.level_units:
            inner = re.search(r"5G-A|室外", mention.alias)
            return inner.group(0) if inner else sub
        return sub
    if mention.gap:
        return _subject_from_prefix(mention.gap, ctx.place_names)
    if fig is not None and fig.forward and fig.measure == "share_pct":
        # 云南省89个园区以…面积,贡献了…70%的工业增加值: the share is the sentence subject's (园区)
        head = _SHARE_HOLDER.match(ctx.sentence)
        return _subject_from_prefix(head.group(0), ctx.place_names) if head else None
    if fig is not None and fig.measure == "yoy_pct" and mention.end <= _clause_start(ctx.sentence, fig.start):
        parallel = _parallel_subject(ctx.sentence, fig)
        if parallel:
            return parallel
    if mention.alias in ("增加值", "产值", "总产值") and not prefix.strip():
        return None
    if "规下" in prefix[-4:]:
        return "规下"
    joined = _ALIAS_GROUP.match(mention.alias) if prefix.endswith(("及", "和", "与")) else None
    if joined:  # 互联网及软件信息服务业主营业务收入: the group is both, as written
        prefix += joined.group(1)
    subject = _subject_from_prefix(prefix, ctx.place_names)
    cat = load_catalog()
    if subject:  # 先进制造业增加值 -> 先进制造业
        return subject + cat.group_words.get(mention.alias, "")
    # 制造业增加值 alone is manufacturing, a part of industry, not the total
    return cat.group_words.get(mention.alias) if mention.alias in cat.group_alone else None


def _flags(sentence: str, upto: int, state: ReadingState) -> tuple[bool, bool]:
    head = sentence[:upto]
    estimate = _has("estimate_words", head)
    target = state.future or _has("target_words", head)
    return estimate, target


def _not_a_row(ctx: SentenceContext, mention: Mention, fig: Figure) -> bool:
    s = ctx.sentence
    if fig.measure == "level" and fig.unit_class == "money" and s[:mention.start].endswith(
            tuple(_words()["increment_words"])):
        return True
    if fig.measure == "vs_benchmark_pp":
        bench = fig.benchmark or ""
        if _has("gap_not_benchmark", bench) or _DIGIT.search(bench):
            return True
        if bench and load_catalog().alias_regex.search(bench) and _BENCH_PLACE.sub("", bench) not in _words()["benchmarks"]:
            return True  # a gap against another indicator (but 全部规上工业, 全市规上工业 are benchmarks)
    if fig.measure == "share_pct" and mention.alias == "制造业增加值" and fig.share_of_start >= 0 and (
            _OF_GDP.search(s, fig.share_of_start, fig.end)):
        return True  # 制造业增加值占GDP比重: manufacturing in the whole economy, not a catalog figure
    if fig.measure == "rank" and not (_RANK_BENCHMARK.match(fig.benchmark or "") or (
            place_name_regex().match(fig.benchmark or "") and not _AMONG_KINDS.search(fig.benchmark or ""))):
        return True  # (居宁波各区县(市)第2位, 居湖州市第1位: a parent place is a benchmark too)
    clause_lo = _clause_start(s, fig.start)
    if mention.end <= clause_lo and _has("other_measures", s[clause_lo: fig.start]):
        return True  # "规上工业增加值增长7%,固定资产投资增长5%": the figure is of another measure
    if not ctx.may_exclude:
        return False  # none of the words below is anywhere in the sentence
    lo = fig.start if fig.measure in ("vs_benchmark_pp", "rank") else min(mention.start, fig.start)
    if _has("not_a_row", s[_clause_start(s, lo): fig.end]):
        return True
    # a kind of figure counts in the figure's own clause, and the indicator's when they share it
    # (8月环比增长0.9%;1-8月累计增长8.1%: the second figure is no 环比)
    own = clause_lo if fig.measure in ("vs_benchmark_pp", "rank") or mention.end <= clause_lo else _clause_start(
        s, min(mention.start, fig.start))
    if _has("not_a_row_figure", s[own: fig.end]):
        return True
    head = s[: fig.start]
    clause_lo = _clause_start(s, mention.start)
    near = head[clause_lo:]
    if _has("project_words", near) and not _has("project_breakdowns", near):
        return True  # designated projects; but 亿元以上项目, 新开工项目 break the region's investment down
    if _single_enterprise().search(head, clause_lo):
        return True  # one enterprise's figure ("XX公司1-9月份产值"); "XX公司等前5名企业" is a group
    # a short alias may start inside the group's name (第一|产业增加值, 房地|产业增加值)
    prefix = s[_clause_start_or_list(s, mention.start): mention.start] + mention.alias[:2]
    if _has("foreign_subject_exceptions", prefix):
        return False
    return _has("foreign_subjects", prefix)


_SINCE_YEAR = re.compile(r"(?:比|较|与)((?:19|20)\d\d)年(?:同期|末|底)?(?:相比)?")


def _over_several_years(sentence: str, fig: Figure, year: int | None) -> bool:
    """A growth compared with an earlier year than the last one (2023年…比2020年增长43.6%)."""
    since = _SINCE_YEAR.search(sentence, _clause_start(sentence, fig.start), fig.start)
    return since is not None and year is not None and int(since.group(1)) < year - 1


_OF_GDP = re.compile(r"GDP|生产总值")
_AMONG_KINDS = re.compile(r"行业|产业|企业|门类|领域")  # 居云南省各行业第一: a rank among industries
_RANK_BENCHMARK = re.compile(r"全|西部|中部|东部|东北|副省级|省会|同类|经济大省|工业大省|长三角|珠三角|粤港澳|京津冀|长江经济带|黄河流域")
_BENCH_PLACE = re.compile(r"^(?:全市|全省|全区|全县|全国)(?=.)")


@cache
def _exclusion_words() -> re.Pattern[str]:
    """Any word that can make `_not_a_row` exclude a figure by its clause (one scan per sentence)."""
    w = _words()
    return re.compile(_alternation(w["not_a_row"] + w["not_a_row_figure"] + w["project_words"] + w["enterprise_words"]
                                   + w["foreign_subjects"]))


@cache
def _single_enterprise() -> re.Pattern[str]:
    return re.compile(f"(?:{_alternation(_words()['enterprise_words'])})(?![^,，;；]*等)")


def _distribution(ctx: SentenceContext, figures: list[Figure]) -> dict[int, tuple[Mention | None, str | None]]:
    """`A、B分别增长x%和y%`: figure index -> (mention, subject) for each listed item, in order."""
    out: dict[int, tuple[Mention | None, str | None]] = {}
    s = ctx.sentence
    if "分别" not in s:
        return out
    for m in re.finditer("分别", s):
        group = [i for i, f in enumerate(figures) if f.start >= m.start() and not f.listed and
                 not re.search(r"[。;；]", s[m.end(): f.start])]
        # the figures right after 分别, joined by 、 和 及 与 , only
        run: list[int] = []
        for i in group:
            if run:
                if (figures[i].measure in ("rank", "vs_benchmark_pp") or figures[i].place) and (
                        figures[i].measure != figures[run[0]].measure):
                    break  # a rank, a gap or another place's figure never continues a list of growths
                gap = s[figures[run[-1]].end: figures[i].start]
                if not re.fullmatch(r"[、,，和及与]?\s*", gap) and not re.fullmatch(r"[、,，和及与]?(?:同比)?(?:增长|下降)?", gap):
                    break
            elif re.search(r"[,，]", s[m.end(): figures[i].start]):
                break
            run.append(i)
        if len(run) < 2:
            continue
        first = figures[run[0]]
        negative = first.value is not None and first.value < 0
        for i in run[1:]:
            f = figures[i]
            f.measure, f.unit, f.unit_class = first.measure, first.unit, first.unit_class
            if negative and f.value is not None:
                f.value = -abs(f.value)
        start = _sentence_part_start(s, m.start())
        mentions = [x for x in ctx.mentions if start <= x.start < m.start()]
        # 2021年、2022年…分别增长 (one year each); 一季度、上半年…分别增长 (one period each);
        # 宁波、嘉兴、衢州增速居前三位,分别增长6.2%、6.0%和5.8% (one row per place)
        listed = [(attr, found) for attr, found in (
            ("year", _listed_years(s[start: m.start()], len(run))),
            ("period", _listed_periods(s[start: m.start()], len(run))),
            ("place", _listed_places(s[start: m.start()], len(run)))) if found]
        if listed:
            attr, values = listed[0]
            at = start
            for i, value in zip(run, values, strict=True):
                setattr(figures[i], attr, value)
                if attr == "place":  # each place's row gets an identity of its own
                    at = s.find(value, at, m.start())
                    figures[i].evidence_start = at
                out[i] = (mentions[-1] if mentions else None, None)
            continue
        after = [x for x in ctx.mentions if m.end() <= x.start < figures[run[0]].start]
        if not mentions and after:  # 新能源、新材料、绿色建材三大主导产业分别实现产值A、B和C
            subjects = _list_items(s[_clause_start(s, m.start()): m.start()], len(run))
            if subjects:
                for i, sub in zip(run, subjects, strict=True):
                    out[i] = (after[0], sub)
                continue
        if not mentions:  # "…三大支柱产业集群分别增长4.1%、4.1%和7.0%": no catalog wording, no rows
            out.update(dict.fromkeys(run, (None, None)))
            continue
        codes = [x for x in mentions if x.alias not in ("增加值", "产值", "总产值", "产业增加值", "行业增加值")]
        if len(codes) > len(run) and not any(_CLAUSE_MARK.search(s[a.end: b.start])
                                             for a, b in itertools.pairwise(codes[-len(run):])):
            codes = codes[-len(run):]  # 规上工业企业实现营业收入X、利润总额Y,分别增长…: the listed ones
        if len(codes) == len(run):
            for i, mention in zip(run, codes, strict=True):
                out[i] = (mention, None)
            continue
        mention = mentions[-1]
        if mention.gap and len(re.split(r"[、和与及]", mention.gap)) == len(run):
            subjects = [_subject_from_prefix(x, ctx.place_names) or x for x in re.split(r"[、和与及]", mention.gap)]
            for i, sub in zip(run, subjects, strict=True):
                out[i] = (mention, sub)
            continue
        lo = max(start, s.rfind(",", 0, mention.start) + 1, s.rfind("，", 0, mention.start) + 1)
        if "、" not in s[lo: mention.start] and "和" not in s[lo: mention.start]:
            lo = start
        subjects = _list_items(s[lo: mention.start] if mention.start > lo else s[lo: m.start()], len(run))
        if subjects:
            for i, sub in zip(run, subjects, strict=True):
                out[i] = (mention, sub)
    return out


_LIST_HEAD_END = re.compile(r"增速|增幅|分别|均|等|增长|的|位居|居|排")


_YEAR_LIST = re.compile(r"(?:19|20)\d\d年(?:[、和及与](?:19|20)\d\d年)+")


def _listed_years(text: str, k: int) -> list[int] | None:
    """The k years listed in `text` (2021年、2022年、2023年), in order."""
    for found in reversed(list(_YEAR_LIST.finditer(text))):
        years = [int(y) for y in re.findall(r"((?:19|20)\d\d)年", found.group(0))]
        if len(years) == k:
            return years
    return None


def _listed_periods(text: str, k: int) -> list[Period] | None:
    """The k periods listed in a clause of `text` (一季度、上半年、前三季度), in order."""
    for clause in reversed(re.split(r"[,，;；:：]", text)):
        found = find_periods(clause)
        if len(found) == k and all(re.fullmatch(r"[、和及与\s]*", clause[a[1]: b[0]]) for a, b in itertools.pairwise(found)):
            return [period for _start, _end, period in found]
    return None


def _listed_places(text: str, k: int) -> list[str] | None:
    """The k places listed in the last clause of `text` that lists places (宁波、嘉兴和衢州增速…)."""
    for clause in reversed(re.split(r"[,，;；:：]", text)):
        cut = _LIST_HEAD_END.search(clause)
        names = [x for x in re.split(r"[、和与及]", clause[: cut.start() if cut else len(clause)]) if x]
        if len(names) == k and all(_named_place(x) is not None for x in names):
            return names
    return None


def _sentence_part_start(s: str, pos: int) -> int:
    i = max(s.rfind(c, 0, pos) for c in "。;；")
    return i + 1


_LIST_TAIL = re.compile(r"(?:[两三四五六七八九十]|\d+)[大个项](?:主导|支柱|重点|优势|特色|传统|新兴|战略性新兴|主要)?"
                        r"(?:产业集群|产业|行业|集群|领域|板块)?$")


def _list_items(text: str, k: int) -> list[str] | None:
    """The last k items of an enumeration `A、B、C等产业` (or `A和B`, `A、B、C三大主导产业`)."""
    # the list is in the last stretch between two 分别 that holds one (A、B分别实现产值…,分别增长…)
    text = next((part for part in reversed(text.split("分别")) if "、" in part or "和" in part), text)
    text = re.sub(r"等(?:产业|领域|行业|集群)?[^、]*$", "", text)
    text = _LIST_TAIL.sub("", text)
    parts = [p for p in re.split(r"[、]", text) if p]
    if len(parts) < k:
        alt = [p for p in re.split(r"[、和与及]", text) if p]
        if len(alt) >= k:
            parts = alt
    if len(parts) < k:
        return None
    items = parts[-k:]
    first = re.split(r"[,，:：]|其中|中(?=[^中]{2,}$)", items[0])[-1]
    items[0] = first
    items = [re.sub(r"(?:产业集群|产业|行业|集群)$", "", x.strip(" \"“”")) or x for x in items]
    items = [_strip_regex().sub("", x) or x for x in items]
    return items if all(0 < len(x) <= 20 for x in items) else None


# A heading that only names an indicator: "1.规上工业总产值。", "(三)工业投资:", "二、技改投资情况"
_TOPIC_HEADING = re.compile(r"\s*(?:[(（]?[一二三四五六七八九十\d]{1,2}[)）.、．]?)?\s*[^,，;；:：。\d]{2,20}?"
                            r"(?:情况|方面|完成情况)?[。:：]?\s*")
_NATIONAL_CLAUSE = re.compile(r"\s*(?:(?:19|20)\d\d年)?(?:前三季度|[上下]半年|全年|[一二三四]季度|1\s*[-—–~～至到]\s*\d{1,2}月份?)?"
                              r"[,，]?(?:全国|我国)(?!平均|水平)")
_COMPARED_WITH = re.compile(r"(?:较|比|与|同|相比)$")


def read_sentence(doc: Document, segment: Segment, state: ReadingState, text: str, start: int, end: int,
                  place_names: re.Pattern[str] | None, para_start: int, index: TextIndex) -> list[dict]:
    """Rows for one sentence `text[start:end]`; updates `state` (year, period) as it reads."""
    mentions, periods_all, all_years = index.slice(start, end)
    sentence = text[start:end]
    topic = state.topic_pending and state.paragraph - state.last_paragraph <= 1
    state.topic_pending = False
    opens = _follow_on_regex().match(sentence) is not None
    if opens:
        state.opened_paragraph = state.paragraph
    # 从行业看,35个行业大类中有22个行业增长。汽车制造业增长12.1%…: the opener's paragraph goes on
    opener = (not topic and state.last_code is not None and state.paragraph - state.last_paragraph <= 1
              and (opens or (state.opened_paragraph == state.paragraph and not mentions)))
    follow_on = topic or (opener and not mentions)
    if opener and mentions:  # "分市看,邯郸、唐山…分别增长…;石家庄市规上工业增加值…": its opening goes on
        mentions = [Mention(state.last_code or "", 0, 0, ""), *mentions]
    if follow_on:  # "分行业看,汽车制造业增长12.1%": the figures are of the last indicator read
        mentions = [Mention(state.last_code or "", 0, 0, ""), *mentions]
        if state.period is None and state.last_paragraph == state.paragraph:
            state.period = state.last_period  # (a month range carries within its paragraph only)
    if not mentions and not periods_all and not all_years:
        return []
    # every row needs an indicator wording in its sentence: skip the costly figure scan without one
    # (a count may stand just before its wording: "XX家规模以上工业企业")
    figures = find_figures(sentence, max(0, mentions[0].start - 12)) if mentions else []
    years = [m for m in all_years if _is_figure_year(sentence, m)]
    comparison_ends = {m.end for m in all_years if m not in years}
    periods = [p for p in periods_all if p[0] not in comparison_ends
               and not _COMPARED_WITH.search(sentence[max(0, p[0] - 2): p[0]])]
    if not figures:
        if mentions and not follow_on and _TOPIC_HEADING.fullmatch(sentence):
            code = _resolve_code(SentenceContext(sentence, start, mentions, place_names), mentions[-1])
            if code is not None:  # "1.规上工业总产值。完成1205.3亿元…": the next sentences are about it
                state.topic_pending, state.last_code = True, code
                state.last_period, state.last_paragraph = state.period, state.paragraph
        _advance_state(state, sentence, years, periods, len(sentence))
        _end_sentence(state)
        return []
    # a mention inside a gap's benchmark (快于全部规上工业8.3个百分点) governs nothing after it
    mentions = [m for m in mentions if not any(
        f.measure == "vs_benchmark_pp" and f.start < m.start < f.end for f in figures)]
    ctx = SentenceContext(sentence, start, mentions, place_names, text[para_start:start], figures,
                          _exclusion_words().search(sentence) is not None)
    if not follow_on:
        figures = _figures_per_listed_group(sentence, figures)
        ctx.figures = figures
    distributed = _distribution(ctx, figures)
    if follow_on and not topic:  # growth figures of a period, a group or a place only (or 分别 lists),
        kept: list[Figure | None] = []  # and the gaps and ranks that qualify them
        for i, f in enumerate(figures):
            keep = i in distributed or (f.measure == "yoy_pct" and _follow_on_head_is_group(sentence, f)) or (
                f.measure in ("vs_benchmark_pp", "rank") and bool(kept) and kept[-1] is not None)
            kept.append(f if keep else None)
        figures = kept
    rows = []
    identities: set[tuple] = set()
    subject_of: dict[str, str | None] = {}  # indicator -> subject of its last row in this sentence
    last_place: str | None = None  # the place of the last figure read in this sentence
    dropped_before = -2  # index of the last figure `_not_a_row` dropped
    previous: Mention | None = None
    for i, fig in enumerate(figures):
        if fig is None:
            continue
        _advance_state(state, sentence, years, periods, fig.start)
        if follow_on and not topic:
            mention, subject = mentions[0], None
        elif i in distributed:
            mention, subject = distributed[i]
        elif fig.group is not None:
            before = [m for m in mentions if m.end <= fig.start]
            mention, subject = previous or (before[-1] if before else None), fig.group
        else:
            mention, subject = _governing_mention(ctx, fig, previous), None
        if mention is None:
            continue
        previous = mention
        code = _resolve_code(ctx, mention)
        if code is None:
            continue
        entry = load_catalog().entries[code]
        measure = "level" if fig.measure == "level_pct" else fig.measure
        if measure not in entry.measures:
            continue
        if fig.measure == "level_pct" and "percent" not in entry.level_units:
            continue
        qualifies_dropped = fig.measure in ("vs_benchmark_pp", "rank") and dropped_before == i - 1
        if qualifies_dropped or _not_a_row(ctx, mention, fig):
            if fig.measure not in ("vs_benchmark_pp", "rank") or qualifies_dropped:
                dropped_before = i  # a gap or rank after a growth that is no row (年均增长…,高于…) is none either
            continue
        if i not in distributed and fig.group is None:
            subject = _subject(ctx, mention, code, fig)
            if fig.measure in ("vs_benchmark_pp", "rank") and code in subject_of:
                subject = subject_of[code]  # a gap or rank qualifies the figure just before it (累计达62家,位居…)
        elif code == "industrial_value_added_all" and subject:
            code = "industrial_value_added"
        subject_of[code] = subject
        if fig.place is None and _NATIONAL_CLAUSE.match(sentence, _clause_start(sentence, fig.start)):
            fig.place = "全国"  # 全国规上工业增加值增长4.6%, …全国增长4.0%: the country's own figure
        if fig.place is None:
            fig.place = _place_heading(sentence, mention, fig)
        if fig.place is None and fig.measure in ("vs_benchmark_pp", "rank"):
            fig.place = last_place  # 郑州市增长1.5%,低于全省2.3个百分点: the gap is 郑州's
        if fig.place not in ("全国", "全省"):  # (not a benchmark's own figure: 高于全国(3.6%)2.3个百分点)
            last_place = fig.place
        period = fig.period or state.period
        if _is_count(code) and not (period is not None and period.asof):
            period = _period_in_sentence(sentence, periods_all, comparison_ends, fig.start)  # counts do not inherit
        clause_start = _clause_start(sentence, min(mention.start, fig.start))
        if fig.place:  # another place's figure: its own clause, so it keeps a row identity of its own
            clause_start = _clause_start(sentence, fig.start)
        if fig.evidence_start >= 0:
            clause_start = fig.evidence_start
        # a second figure of the same kind from one clause start: its list item, else its own clause,
        # else the figure itself starts its evidence (each row keeps an identity of its own)
        months = (period.start, period.end) if period else (1, 12)  # (1-9月 and 1—9月 are one period)
        if (code, subject, fig.measure, months, clause_start) in identities:
            for candidate in (_clause_start_or_list(sentence, min(mention.start, fig.start)),
                              _clause_start(sentence, fig.start), fig.start):
                if (code, subject, fig.measure, months, candidate) not in identities:
                    clause_start = candidate
                    break
        identities.add((code, subject, fig.measure, months, clause_start))
        estimate, target = _flags(sentence, fig.end, state)
        year = state.figure_year(period)
        if fig.year is not None:
            year = fig.year
        elif fig.prior_year and year is not None:
            year -= 1
        if fig.measure == "yoy_pct" and _over_several_years(sentence, fig, year):
            continue  # "比2020年增长43.6%": growth over several years is no yoy row
        draft = Draft(code, fig, subject, year, period, clause_start, estimate, target)
        rows.append(build_row(doc, segment, draft, start, text))
        state.last_paragraph = state.paragraph
        if not follow_on:  # a follow-on's own period (10月当月) is not passed on to the next one
            state.last_code, state.last_period = code, period
    _advance_state(state, sentence, years, periods, len(sentence))
    _end_sentence(state)
    return rows


# (an item holds no 、和及与: an item that could also hold a separator makes the regex backtrack
# exponentially on "汽车和汽车和…")
_GROUP_LIST = re.compile(r"(?:其中|另外|此外)?(?P<items>[^、和及与\W\d]{2,12}?(?:[、和及与][^、和及与\W\d]{2,12}?)+)"
                         r"(?:等)?(?P<count>[两三四五六七八九十]大|\d+个)?(?:行业|产业|领域|板块)?(?P<all>均|都|全部)?"
                         r"(?P<keep>继续保持|保持)?")


_LIST_JOINER = re.compile(r"[、和及与]")


def _figures_per_listed_group(sentence: str, figures: list[Figure]) -> list[Figure]:
    """`其中冶金有色、新材料、装备制造保持20%以上的增速`: a growth figure right after a list of groups
    (without 分别 over several figures) is a figure of each group, with its evidence from the group on."""
    out = []
    for fig in figures:
        if fig.measure != "yoy_pct":
            out.append(fig)
            continue
        head = sentence[_clause_start(sentence, fig.start): fig.start]
        listed = _GROUP_LIST.fullmatch(head) if len(head) >= 5 and _LIST_JOINER.search(head) else None
        items = None
        # a marker says it is a list of groups, not one group whose name holds 、 (电力、热力…供应业)
        marked = listed and (listed.group("count") or listed.group("all") or listed.group("keep")
                             or sentence.startswith("保持", fig.start))
        if marked and not (
                load_catalog().alias_regex.search(head)):
            text = listed.group("items")
            items = _list_items(text, len(re.split(r"[、和及与]", text)))
        if not items:
            out.append(fig)
            continue
        lo = _clause_start(sentence, fig.start)
        for item in items:
            at = sentence.find(item, lo, fig.start)
            out.append(replace(fig, group=item, evidence_start=at if at >= 0 else fig.start))
            lo = max(lo, at + len(item))
    return out


@cache
def _follow_on_regex() -> re.Pattern[str]:
    """A sentence opening that goes on about the indicator just read (schemas/extract_words.toml)."""
    return re.compile(_alternation(_words()["follow_on_openers"]))


_SINGLE_MONTH = re.compile(r"\d{1,2}月份?(?:当月)?|当月|单月|同比|累计|[,，:：\s]")


def _follow_on_head_is_group(sentence: str, fig: Figure) -> bool:
    """In a follow-on sentence, a growth figure counts when its clause names only a period or a
    group of industries or enterprises (分行业看,汽车制造业增长…; 其中,11月当月增长…), not some
    other measure (其中,民间投资增长…)."""
    head = sentence[_clause_start(sentence, fig.start): fig.start]
    head = _follow_on_regex().sub("", head)
    head = _SINGLE_MONTH.sub("", _PERIOD_OR_PLACE.sub("", head))
    return not head or _PARALLEL.fullmatch(head) is not None or fig.place is not None or (
        2 <= len(head) <= 12 and _named_place(head) is not None)


def _is_count(code: str) -> bool:
    return not {"count", "station"}.isdisjoint(load_catalog().entries[code].level_units)


def _period_in_sentence(sentence: str, periods: list[tuple[int, int, Period]], skip: set[int],
                        before: int) -> Period | None:
    """A count's period: one stated in its own sentence, the last before the count (截至11月底…,其中11月份
    新增3户 -> 11月), else the first after it (全市XX家规模以上工业企业1-9月份…), else none."""
    stated = [(start, period) for start, _end, period in periods
              if start not in skip and not (period.start == 1 and period.end == 12)]
    earlier = [period for start, period in stated if start < before]
    if earlier:
        return earlier[-1]
    return stated[0][1] if stated else None


def _advance_state(state: ReadingState, sentence: str, years: list[YearMention],
                   periods: list[tuple[int, int, Period]], upto: int) -> None:
    """Apply every year and period mention before `upto` (consumed from the lists)."""
    while years and years[0].start < upto:
        mention = years.pop(0)
        base = state.relative_base if state.relative_base is not None else state.report_year if (
            state.report_year is not None) else (state.published[0] if state.published else None)
        if mention.relative and base is None:
            continue  # 今年 in a text that never says which year: still unknown
        y = base + mention.year if mention.relative else mention.year
        state.year = y
        state.period = None
        state.future = state.report_year is not None and y > state.report_year
    while periods and periods[0][0] < upto:
        period = periods.pop(0)[2]
        if "当月" in period.label and (state.period is None or "当月" not in state.period.label):
            state.before_month = state.period  # 9月当月: for its own sentence only
        state.period = None if period.start == 1 and period.end == 12 else period


def _end_sentence(state: ReadingState) -> None:
    """A 当月 month applies within its sentence; the range in force before it comes back."""
    if state.period is not None and "当月" in state.period.label:
        state.period = state.before_month


# ---------------------------------------------------------------------------------------------
# Tables pasted as text

# Cells of a table row: split at a tab, a bar or a run of two or more spaces.
_CELL_SPLIT = re.compile(r"\t+|\s*[|｜]\s*| {2,}|\u3000+")
_COLUMN_GROWTH = re.compile(r"增速|增长|同比|增幅|±")
_COLUMN_SHARE = re.compile(r"比重|占比")
_COLUMN_LEVEL = re.compile(r"绝对值|总量|累计|本月|当月|金额|完成|数值|\d{1,2}月|季度|半年|全年")
_CELL_NUMBER = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?|[Xx*]+(?:\.[Xx*]+)?")
_SUB_ROW = re.compile(r"^(?:其中|内)[:：]?")


@dataclass(frozen=True, slots=True)
class _Column:
    measure: str  # level | yoy_pct | share_pct | unit | label
    period: Period | None


def _cells(line: str) -> list[tuple[int, str]]:
    """(start, text) of each cell of a table row, in line coordinates."""
    cells, pos = [], 0
    for gap in _CELL_SPLIT.finditer(line):
        if gap.start() > pos:
            cells.append((pos, line[pos: gap.start()]))
        pos = gap.end()
    if pos < len(line):
        cells.append((pos, line[pos:]))
    return [(start, cell) for start, cell in cells if cell.strip()]


def _header_columns(cells: list[tuple[int, str]]) -> list[_Column] | None:
    """What each column of a table holds, read from its header row; None when it is no header."""
    columns = [_Column("label", None)]
    for _start, cell in cells[1:]:
        periods = find_periods(cell)
        period = periods[0][2] if periods else None
        if cell.strip() == "单位":
            columns.append(_Column("unit", None))
        elif _COLUMN_SHARE.search(cell):
            columns.append(_Column("share_pct", period))
        elif _COLUMN_GROWTH.search(cell):
            columns.append(_Column("yoy_pct", period))
        elif _COLUMN_LEVEL.search(cell):
            columns.append(_Column("level", period))
        else:
            return None
    if not any(c.measure in ("yoy_pct", "share_pct", "level") for c in columns) or _DIGIT.search(cells[0][1]):
        return None
    return columns


def read_tables(doc: Document, segment: Segment, state: ReadingState, consumed: set[int] | None = None) -> list[dict]:
    """Rows of the tables a segment holds as text ("指标名称  11月增速(%)  1-11月增速(%)" and rows
    under it): one figure per row label and column, its period from the column header or else from
    the text before the table, its unit from a 单位 column. Adds the start of each line it read
    rows from to `consumed`."""
    text = doc.cleaned_text
    body = text[segment.start: segment.end]
    if not any(gap in body for gap in ("\t", "|", "｜", "  ", "\u3000")):  # (substring tests run at C speed)
        return []
    rows: list[dict] = []
    columns: list[_Column] | None = None
    consumed = consumed if consumed is not None else set()
    before_period: Period | None = None
    parent: Mention | None = None
    for line_match in re.finditer(r"[^\n]+", text[segment.start: segment.end]):
        line, offset = line_match.group(0), segment.start + line_match.start()
        cells = _cells(line)
        if len(cells) < 2:
            columns, parent = None, None
            found = find_periods(line)
            before_period = found[-1][2] if found else before_period
            continue
        if columns is None or len(cells) > len(columns):
            columns, parent = _header_columns(cells), None
            continue
        table_rows = _table_row(doc, segment, state, text, offset, cells, columns, before_period, parent)
        rows.extend(table_rows)
        if table_rows:
            consumed.add(offset)  # the sentence reader skips this line
        label = _SUB_ROW.sub("", cells[0][1].strip())
        mentions = find_mentions(label)
        if mentions and not _SUB_ROW.match(cells[0][1].strip()):
            parent = mentions[-1]
    return rows


def _table_row(doc: Document, segment: Segment, state: ReadingState, text: str, offset: int,
               cells: list[tuple[int, str]], columns: list[_Column], before_period: Period | None,
               parent: Mention | None) -> list[dict]:
    raw_label = cells[0][1].strip()
    label = _SUB_ROW.sub("", raw_label)
    mentions = find_mentions(label)
    if mentions and mentions[-1].end >= len(label) - 2:  # the label is an indicator ("规模以上工业增加值")
        mention = mentions[-1]
        subject = _subject_from_prefix(label[: mention.start], None)
    elif parent is not None and len(label) <= 20:  # "其中:国有控股企业" under its indicator
        mention, subject = parent, _subject_from_prefix(label, None) or label
    else:
        return []
    ctx = SentenceContext(label, 0, [mention], None)
    code = _resolve_code(ctx, mention) if mention is not parent else mention.code
    if code is None:
        return []
    entry = load_catalog().entries[code]
    unit_cell = next((cell.strip() for (_, cell), col in zip(cells, columns, strict=False) if col.measure == "unit"), "")
    out = []
    seen: set[tuple] = set()  # (measure, months): one row each per label (two 增速 columns of one period)
    for (start, cell), column in zip(cells[1:], columns[1:], strict=False):
        number = _CELL_NUMBER.fullmatch(cell.strip().rstrip("%"))
        if column.measure in ("unit", "label") or number is None or column.measure not in entry.measures:
            continue
        raw = number.group(0).replace("−", "-").replace(",", "")
        value = _value(raw)
        end = start + len(cell.rstrip())
        if column.measure == "level":
            unit = unit_cell or ""
            if unit.endswith("元") and unit in ("亿元", "万元", "万亿元", "千亿元"):
                fig = Figure("level", None if value is None else to_yi_yuan(value, unit), "亿元", "money", start, end)
            elif unit in ("家", "户", "个", "辆") and _counter_class(unit) in entry.level_units:
                fig = Figure("level", value, unit, _counter_class(unit), start, end)
            else:
                continue
        else:
            fig = Figure(column.measure, value, "%", "percent", start, end)
        period = column.period or before_period
        key = (fig.measure, (period.start, period.end) if period else (1, 12))
        if key in seen:
            continue
        seen.add(key)
        year = state.figure_year(period)
        draft = Draft(code, fig, subject, year, period, 0)
        out.append(build_row(doc, segment, draft, offset, text))
    return out


# ---------------------------------------------------------------------------------------------
# Document


# Sentences end at 。!?; a semicolon only separates clauses (parallel statistics often run on).
_DIGIT = re.compile(r"\d")
_SENTENCE_SPLIT = re.compile(r"[^。!！?？\n]+[。!！?？]?")


_STATED_YEAR = re.compile(r"(?:19|20)\d\d年(?!\d{1,2}月\d{1,2}日)")


def _year_month(date: str | None) -> tuple[int, int] | None:
    m = re.match(r"(\d{4})-(\d{1,2})", date or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def extract_indicators(doc: Document, place_names: re.Pattern[str] | None = None) -> list[dict]:
    """Every catalog figure in a cleaned, placed document, as `indicators` rows (run_id left empty).

    A zone's own report (its title names 开发区, 高新区, 园区…) reads the zone words like place
    names: "开发区规上工业总产值…" there is the report's headline, not a subject."""
    if place_names is None and _is_zone_report(doc.title or ""):
        place_names = _place_and_zone_regex()
    text = doc.cleaned_text
    rows: list[dict] = []
    segments = doc.segments or [Segment(0, 0, len(text))]
    for segment in segments:
        published = _year_month(doc.publication_date)
        state = ReadingState(segment.report_year, published=published)
        if published is not None and not _STATED_YEAR.search(text, segment.start, segment.end):
            state.relative_base = published[0]  # contract: 今年/去年 count from the page's date
        table_lines: set[int] = set()
        rows.extend(read_tables(doc, segment, ReadingState(segment.report_year, published=published), table_lines))
        for para in re.finditer(r"[^\n]+", text[segment.start: segment.end]):
            p_start = segment.start + para.start()
            if p_start in table_lines:
                continue  # a table row, read above
            state.period = None  # a month range does not cross a paragraph
            state.paragraph += 1
            index = TextIndex.of(para.group(0), p_start, all_periods=state.topic_pending)
            if not index.mentions and not index.years and not index.follow_ons and not state.topic_pending:
                continue
            starts = index.starts()
            for sent in _SENTENCE_SPLIT.finditer(para.group(0)):
                s_start = p_start + sent.start()
                s_end = p_start + sent.end()
                if len(sent.group(0)) <= 12 and not _DIGIT.search(sent.group(0)):
                    state.period = None  # a short heading sentence stops the carry
                i = bisect.bisect_left(starts, s_start)
                if (i == len(starts) or starts[i] >= s_end) and not state.topic_pending and (
                        state.opened_paragraph != state.paragraph):
                    continue  # nothing indexed in this sentence: it changes nothing
                rows.extend(read_sentence(doc, segment, state, text, s_start, s_end, place_names, p_start, index))
    return rows


def warm_up() -> None:
    """Build the catalog, word lists and regexes once (a worker does this before its first batch;
    each is cached for the process)."""
    load_catalog()
    place_name_regex()
    _place_and_zone_regex()
    _figure_regex()
    _figure_starts()
    _exclusion_words()
    _follow_on_regex()
    _next_rank_regex()
    for name in _words():
        if isinstance(_words()[name], list):
            _word_regex(name)


extract_task = task(extract_indicators, name="extract", cache_policy=NO_CACHE)
