"""Figures: a number with its unit and measure words becomes a `Figure`.

One regex, with a branch per kind of figure, read left to right by `find_figures`:
  gap to a benchmark   高于全国1.8个百分点; 比全国、全省分别高3.2和1.3个百分点; 高于全国(3.6%)
  rank                 居全国第13位; 全省排名第5; 全国第一城; and the next ranks of a list (、中部第1位)
  share                占全县固定资产投资的38.5%; 由去年的24.5%提高到26.1% (last year's too)
  growth               增长7.6%; 下降2.1%; 增长1.6倍; 增速回落至3.1%; 去年同期为5.1%; (同比+28.6%)
  level                1205.3亿元; 689家; 突破万亿元; 万余家
  percent level        a bare 12.5% (a rate that is itself the indicator)
Money is converted to 亿元; redactions (***, XX) give a figure without a value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from tasks.extract.lexicon import has_word, words
from tasks.parse import (
    Period,
    alternation,
    can_start_with,
    find_periods,
    parse_chinese_integer,
    parse_number,
    to_yi_yuan,
    top_level_alternatives,
)

# 1,234.5 (thousands separators) or 7.6; redactions ***, **.*, XX, X.X
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?"

_RED = r"\*+(?:\.\*+)?|[Xx]{1,3}(?:\.[Xx]+)?(?![A-Za-z])"

_VAL = rf"(?:{_NUM}|{_RED})"

_RANK_NUM = r"(?:\d+|[一二三四五六七八九十]+|[Xx]{1,2}|\*{1,2})"  # 第13位, 第三位, 第X位


@cache
def _figure_kinds() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(kind, its branches), in the order they are tried at each place a figure can start."""
    w = words()
    kinds = (("vs", _gap_pattern(w)), ("rk", _RANK_PATTERN), ("sh", _SHARE_PATTERN), ("yoy", _growth_pattern(w)),
             ("lv", _LEVEL_PATTERN), ("pc", _PERCENT_PATTERN))
    return tuple((kind, tuple(top_level_alternatives(pattern))) for kind, pattern in kinds)


@cache
def figure_regex() -> re.Pattern[str]:
    """One group per kind of figure (its name is the match's `lastgroup`), tried in order: what
    `figure_regex_at` matches at any place (find_figures uses that one)."""
    return re.compile("|".join(f"(?P<{kind}>{'|'.join(branches)})" for kind, branches in _figure_kinds()))


# A noncharacter no figure starts with: the regex engine skips a branch that opens with a
# character other than the one in the text without entering it.
_NEVER = "\uFFFE"
_FIGURE_REGEX_AT: dict[str, re.Pattern[str]] = {}


def figure_regex_at(char: str) -> re.Pattern[str]:
    """The figure regex for a place whose text starts with `char`: the same branches in the same
    order, except that those that cannot start with `char` (can_start_with) wait behind `_NEVER`.
    It matches there exactly as `figure_regex()` does, without entering ~20 branches that fail."""
    regex = _FIGURE_REGEX_AT.get(char)
    if regex is None:
        regex = _FIGURE_REGEX_AT[char] = _figure_regex_for(tuple(
            tuple(can_start_with(branch, char) for branch in branches) for _, branches in _figure_kinds()))
    return regex


@cache
def _figure_regex_for(possible: tuple[tuple[bool, ...], ...]) -> re.Pattern[str]:
    tried, waiting = [], []
    for (kind, branches), can in zip(_figure_kinds(), possible, strict=True):
        first = [b for b, ok in zip(branches, can, strict=True) if ok]
        rest = [b for b, ok in zip(branches, can, strict=True) if not ok]
        if not first:
            waiting.append(f"(?P<{kind}>{'|'.join(branches)})")
            continue
        tried.append(f"(?P<{kind}>{'|'.join(first)}" + (f"|{_NEVER}(?:{'|'.join(rest)})" if rest else "") + ")")
    return re.compile("|".join(tried + ([f"{_NEVER}(?:{'|'.join(waiting)})"] if waiting else [])))


def _gap_pattern(w: dict[str, list[str]]) -> str:
    """Gaps to a benchmark: 高于全国1.8个百分点; 比全国、全省分别高3.2和1.3个百分点; 高于全国(3.6%);
    增速比全国平均值高出了7.7% (only after 增速/增幅 and 高出 is a % a gap: 高于全国6.1% may be the
    benchmark's own rate).

    A value written right after a benchmark or a base, in parentheses or as `X%的平均水平`, is that
    benchmark's own figure (高于全国6.1%的平均水平0.6个百分点; 高于全国工业投资平均增速(8.8%)21.2个百分点;
    较去年同期(-1.1%)提高9.2个百分点; 分别高出全国(5.9%)、全省(6.4%)平均水平2.2个和1.7个百分点):
    a row of that place, or of the year before for a base (去年同期); the gap after a place is still
    the subject's, the change after a base is none (a change over time)."""
    gap = alternation(w["gap_up"] + w["gap_down"])
    bench = alternation(w["benchmarks"])
    value_of = alternation(w["benchmark_places"] + w["benchmark_bases"])
    level = r"(?:平均水平|平均增速|平均值|平均|增速|水平)"

    def own(name: str) -> str:  # a benchmark's own value in parentheses
        return rf"[(（](?P<{name}>-?(?:{_NUM}))%[)）]"

    return (
        # 比全国、全省分别高3.2和1.3个百分点: two benchmarks, two gaps, in order
        # (分别高于规上工业5.2、2.6个百分点: one benchmark, two gaps of two listed subjects)
        rf"(?P<vl_dir>{gap})(?P<vl_b1>{bench})(?:{own('vl_v1')})?"
        rf"(?:[、和与及](?P<vl_b2>{bench})(?:{own('vl_v2')})?)?{level}?(?P<vl_fall>降幅)?"
        rf"(?:分别)?(?P<vl_dir2>高出|高|低|快|慢|多|少|小|大)?(?P<vl_n1>-?{_VAL})个?(?:百分点)?(?:[、和与及]|,(?!\d{{3}}(?!\d)))"
        rf"(?P<vl_n2>-?{_VAL})个?百分点"
        rf"|(?<![同环])(?P<vs_dir>{gap})(?P<vs_bench>[^,，。;；:：\d]{{0,16}}?)"
        rf"{level}?(?P<vs_dir2>还差|高出|高|低|快|慢|多|少|大|小|收窄|扩大)?(?P<vs_num>-?{_VAL})个?百分点"
        # 高于全国(3.6%); 高于全国6.1%的平均水平; 较去年同期(-1.1%): the benchmark's own value, a row
        # of that place (or year), and the gap after it, if written, is read by find_figures
        # (与全国平均水平(6.4%)持平: the same, the benchmark's own value in brackets)
        rf"|(?P<bv_dir>{gap}|与(?=(?:{value_of})[^,，。;；:：\d]{{0,12}}?[(（]))(?P<bv_bench>{value_of})(?P<bv_what>[^,，。;；:：\d(（)）%、]{{0,12}}?)"
        rf"(?:{own('bv_num')}|(?P<bv_num2>-?(?:{_NUM}))%的?(?={level}))"
        rf"(?:[、和](?P<bv_b2>{value_of})(?P<bv_what2>[^,，。;；:：\d(（)）%、]{{0,12}}?){own('bv_v2')})?"
        rf"{level}?(?P<bv_dir2>提高|提升|回升|加快|高出|高|低|快|慢)?(?:(?P<bv_gap>{_VAL})个?百分点)?"
        # 增速比全国平均值高出了7.7%: a growth rate's excess written with % is a gap in points
        rf"|(?:增速|增幅)(?:也|还|均)?(?:(?:比|较)(?P<vp_bench>{bench}){level}?高出|高出(?P<vp_bench2>{bench}){level}?)了?"
        rf"(?P<vp_num>{_VAL})%(?![的)）\d])"
    )


def _growth_pattern(w: dict[str, list[str]]) -> str:
    """Growth rates: 增长7.6%; 下降2.1%; 增长1.6倍; 增速回落至3.1%; 去年同期为5.1%; (同比+28.6%)."""
    up, down = alternation(w["growth_up"]), alternation(w["growth_down"])
    return (
        # 增速回落至3.1%: the rate it moved to is the current growth rate
        rf"(?P<yt_word>增速|增幅|降幅)(?:由(?P<yt_prev_word>去年同期|上年同期|去年|上年|(?:19|20)\d\d年)?[^,，。;；:：\d%]{{0,8}}?的?"
        rf"(?P<yt_prev>-?(?:{_NUM}))%|[^,，。;；\d%]{{0,6}}?)(?:回落|回升|提高|提升|上升|下降|下滑|放缓|加快|扩大|收窄|升|降)"
        rf"(?:至|到)(?:(?P<yt_when>[^,，。;；\d%]{{0,6}}?)的)?(?P<yt_num>{_NUM})%"
        # 去年同期为5.1%: the growth of the year before, a row of its own
        # (去年同期增长8.1%, 上年同期下降2.1%: the same, said with its verb)
        rf"|(?<![比较与同])(?P<py_word>去年同期|上年同期|去年|上年)(?:增速)?(?:为|是|(?P<py_verb>增长|下降))(?P<py_num>-?(?:{_NUM}))%"
        # 全国为4.6%, 全省平均为5.1%: the benchmark place's own growth, a row of that place
        rf"|(?P<pw_place>全国|全省)(?:平均水平|平均增速|平均|增速)?(?:为|是)(?P<pw_num>-?(?:{_NUM}))%"
        rf"|(?P<yoy_verb>{up}|{down})(?:目标|分别|均|都)?(?:要|需|将|在)?(?:了|为|达到|达|是|保持在|保持|不低于|不少于)?(?P<yoy_approx>约|近|超过|超|逾)?\s*"
        rf"(?P<yoy_num>-?(?:{_NUM})\s?(?:%|倍)|-?(?:{_RED})\s?(?:%|(?![家户个项亿万元辆座台])))(?P<yoy_floor>以上|左右)?"
        rf"|保持(?P<yoy2_num>{_NUM})%(?:以上|左右)?的(?:增速|增长)"
        # 增速均在30%以上: a threshold every item listed before it passed (dev README 7)
        rf"|(?:(?<=增速均在)|(?<=增幅均在)|(?<=增速都在)|(?<=增速均为)|(?<=增速均达)|(?<=增速均达到))"
        rf"(?P<yoy6_num>{_NUM})%(?:以上|左右)?"
        # (同比+28.6%): a signed rate after 同比
        rf"|(?:同比|比上年|较上年)\s*(?P<yoy3_sign>[+-])\s*(?P<yoy3_num>{_NUM})%"
        # 分别增长1.5倍、1.3倍: a multiple listed after a growth multiple is a growth too
        rf"|(?<=倍[、和及与])(?P<yoy4_num>{_NUM})倍"
    )


# Ranks: 居全国第13位; 在全省14个市州中排第3位; 全国第一城; 跃升全国第四; 由全国城市第9位上升到第7位;
# 居全国首位, 位列全国之首 (first)
_RANK_VERBS = (r"居|位居|列|位列|排名|排|位于|稳居|跃居|跃升(?:至|到)?|上升(?:到|至|为)|提升(?:到|至|为)|处于|名列")
_RANK_AFTER = r"(?![大批个家方梯档季产次轮期届])"  # 第二产业, 第一批, 第三季度 are no ranks
_RANK_PATTERN = (
    # (an empty benchmark is read from before the verb: 在省内市(区)居第6位; 由全国城市第9位上升到第7位)
    rf"(?:{_RANK_VERBS})(?P<rk_bench>[^,，。;；:：第\d]{{0,16}}?)"
    rf"(?:第(?P<rk_num>{_RANK_NUM})(?:位|名)?{_RANK_AFTER}|(?P<rk_first>首位|之首))"  # (位列全国之首: first)
    # 在全省14个市州中排第3位, 全省排名第5
    rf"|(?P<rk_bench3>全国|全省|全市|全区|全县|全州)[^,，。;；:：第]{{0,12}}?(?:排名|排位|排|位居|居|位列|列)"
    rf"第?(?P<rk_num3>{_RANK_NUM})(?:位|名)?{_RANK_AFTER}"
    rf"|(?P<rk_bench2>全国|全省|全市)[^,，。;；:：\d]{{0,8}}?第一(?:城|位|名)?{_RANK_AFTER}"
)

# Shares: 占全县固定资产投资的38.5%; 由去年的24.5%提高到26.1%; 70%的工业增加值
_SHARE_PATTERN = (
    rf"占(?P<sh_of>[^,，。;；:：由]{{0,24}}?)(?:的)?(?:比重|比例|份额)?"
    # 由去年的24.5%提高到26.1%: the share now, and last year's (a row of its own)
    rf"(?:由(?P<sh_prev_word>去年同期|上年同期|去年|上年|(?:19|20)\d\d年)?[^,，。;；:：\d%]{{0,8}}?的?(?P<sh_prev>{_NUM})%"
    rf"(?:提高|提升|上升|增加|扩大|下降|回落|降低|下滑)(?:到|至)"
    rf"|达到|达|为|超过|超|约|近|提高到|提升至|升至)?(?P<sh_num>{_VAL})%"
    rf"|(?P<sh2_num>{_NUM})%的(?=[^,，。;；]{{0,2}}(?:工业|营收|利润))"
    # 占规上工业比重达45.9: a share written without % (dev README)
    rf"|占(?P<sh3_of>[^,，。;；:：由]{{0,24}}?)的?(?:比重|比例)(?:达到|达|为)(?P<sh3_num>{_NUM})(?![\d.%％万亿元个家户辆倍])"
)

# Levels: 1205.3亿元; 689家; 突破万亿元; 超百万辆; 万余家
_LEVEL_PATTERN = (
    r"(?:突破|首破|超过|超)(?P<lv_big>万亿|千亿)元"
    # 超百万辆, 突破千万辆: a threshold written with a Chinese magnitude is a value (100 万辆)
    r"|(?:突破|首破|超过|超)(?P<lv_cn>百|千)万(?P<lv_unit3>辆|座|个|家|户)(?!级)"
    # 首破千家, 超百家: a threshold of a hundred or a thousand written in Chinese
    r"|(?:突破|首破|超过|超|破)(?P<lv_k>百|千)(?P<lv_unit4>家|户|个|座|辆)"
    r"|(?P<lv_wan>万)(?:余|多)(?P<lv_unit2>家|户|个)"
    rf"|(?P<lv_num>{_VAL})\s?(?:余|多)?(?P<lv_mult>万亿|千亿|亿|万)?(?:余|多)?"
    r"(?P<lv_unit>元|家|户|个|辆|座)(?!/|月|百分点|季度|工作日|小时|省|市|县|区)"
    # (高于…15.1个、7.9个和4.8个百分点: 个 of a list of gaps whose unit is written once, at the end)
    r"(?<!个(?=[、和与及]\s?-?\d[\d.]*个?(?:[、和与及]\s?-?\d[\d.]*个?)*百分点))"
    # 1.14亿, 迈上4.4万亿: 亿 and 万亿 without 元 are money when nothing names another unit after them
    rf"|(?P<lv_yi_num>{_VAL})\s?(?P<lv_yi>万亿|千亿|亿)(?![\u4e00-\u9fffA-Za-z元/])"
)

# A money amount describing the units counted after it (产值超10亿元的工业企业, 亿元以上的项目)
_DESCRIBES_UNITS = re.compile(r"(?:以上|以下)?的[^,，。;；\d]{0,6}?(?:企业|项目|公司|园区|工厂|集群)")

# A bare percentage: a rate that is itself the indicator's level
_PERCENT_PATTERN = rf"(?P<pc_num>-?{_VAL})\s?%"


@dataclass(slots=True)
class Figure:
    measure: str  # level | yoy_pct | share_pct | vs_benchmark_pp | rank | level_pct | completion (no row)
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
    target: bool = False  # a task amount (占任务数16900万元): a target, whatever the words around it
    qualifies: bool = False  # a benchmark's or base's own value (高于全国(3.6%)): of the figure before it, like a gap


def _is_redacted(num: str) -> bool:
    return num.strip("-")[:1] in {"*", "X", "x"}


def figure_value(num: str) -> float | None:
    return None if _is_redacted(num) else parse_number(num)


def counter_class(unit: str) -> str:
    return {"家": "count", "户": "count", "个": "station", "座": "station", "辆": "vehicle"}.get(unit, "other")


def _figure_from_match(m: re.Match[str]) -> Figure | None:
    """The figure a match of the figure regex (or the next-rank regex) reads, by its branch."""
    read = _READERS.get(m.lastgroup or "")
    return read(m, m.start(), m.end()) if read is not None else None


def _gap_figure(m: re.Match[str], s: int, e: int) -> Figure | None:
    if m.group("bv_bench"):  # the benchmark's own value; its gap, if written, is read by find_figures
        own = "bv_num" if m.group("bv_num") else "bv_num2"  # (3.6%) or 6.1%的平均水平
        return _benchmark_value(m.group("bv_bench"), m.group(own), m.start("bv_bench"), m.end(own) + 2)
    if m.group("vp_num") is not None:  # 增速比全国高出了7.7%: above the benchmark, in points
        val = figure_value(m.group("vp_num"))
        return Figure("vs_benchmark_pp", val, "pp", "pp", s, e, m.group("vp_bench") or m.group("vp_bench2"))
    down = m.group("vs_dir") in words()["gap_down"] or m.group("vs_dir2") in ("低", "慢", "少", "还差")
    if m.group("vs_dir2") in ("大", "小", "扩大", "收窄"):  # 降幅比全省大1.1个百分点: a larger decline is below
        down = (m.group("vs_dir2") in ("大", "扩大")) == ("降幅" in m.string[max(0, s - 4): s])
    sign = -1.0 if down else 1.0
    val = figure_value(m.group("vs_num"))
    bench = _gap_benchmark((m.group("vs_bench") or "").strip())
    return Figure("vs_benchmark_pp", None if val is None else sign * abs(val), "pp", "pp", s, e, bench)


_BENCH_MEASURE = re.compile(r"(?:工业)?(?:占比|比重|平均水平|平均值|平均|水平)$")


def _gap_benchmark(bench: str) -> str:
    """The place a gap is against, as the contract writes it: 全省 of 省平均 and of 全省占比 (a gap of
    shares is against the place)."""
    bench = _BENCH_MEASURE.sub("", bench) or bench
    return "全" + bench if bench in ("省", "市", "县", "区", "州") else bench


def _rank_figure(m: re.Match[str], s: int, e: int) -> Figure | None:
    g = m.groupdict()  # (the next-rank regex has only some of these groups)
    if g.get("rk_bench2"):
        return Figure("rank", 1.0, "位", "rank", s, e, g["rk_bench2"], needs_inside=True)
    bench, raw = next(((g[b] or "", g[n]) for b, n in (
        ("rk_bench", "rk_num"), ("rk_bench3", "rk_num3"), ("rk_bench4", "rk_num4"), ("rk_bench", "rk_first"))
        if g.get(n) is not None))
    if g.get("rk_bench") is not None and not bench.strip():  # 在省内市(区)居第6位: the peer set before the verb
        among = _RANK_AMONG.search(m.string, max(0, s - 16), s) or _RANK_FROM.search(m.string, max(0, s - 24), s)
        bench = among.group("bench") if among else ""
    num = 1.0 if g.get("rk_first") else _rank_value(raw)
    if num is False:
        return None
    return Figure("rank", num, "位", "rank", s, e, _rank_benchmark(bench.strip()))


def _rank_value(raw: str) -> float | bool | None:
    """第13位 -> 13.0, 第X位 -> None (redacted), False when no integer is written."""
    if _is_redacted(raw):
        return None
    parsed = parse_chinese_integer(raw)
    return False if parsed is None else float(parsed)


# the peer set a rank is among, before its verb: 在省内市(区)居第6位, 在全国城市中排名第5
_RANK_AMONG = re.compile(r"在(?P<bench>[^,，。;；:：第\d在]{1,12}?)中?$")

# a rank moved from: 由全国城市第9位上升到第7位; 从一季度的第15位提升至第6位 (the earlier rank, a row of
# the year before, or of the period named)
_RANK_FROM = re.compile(rf"(?:由|从)(?:(?P<when>[^,，。;；:：第\d由从]{{1,10}}?)的)?(?P<bench>[^,，。;；:：第\d由从的]{{0,16}}?)"
                        rf"第(?P<num>{_RANK_NUM})(?:位|名)?$")


def _earlier_rank(sentence: str, fig: Figure) -> Figure | None:
    """The rank a moved-to rank (上升到第7位) moved from, when the clause states it: a row of the
    period it names (从一季度的第15位), else of the year before (由全国城市第9位)."""
    moved = _RANK_FROM.search(sentence, max(0, fig.start - 24), fig.start)
    if moved is None:
        return None
    num = _rank_value(moved.group("num"))
    if num is False:
        return None
    earlier = Figure("rank", num, "位", "rank", moved.start(), fig.start, fig.benchmark, evidence_start=moved.start())
    periods = find_periods(moved.group("when") or "")
    if periods:
        earlier.period = periods[0][2]
    else:
        earlier.prior_year = True
    return earlier



def _share_figure(m: re.Match[str], s: int, e: int) -> Figure | None:
    if m.group("sh_of") is not None and _task_regex().match(m.group("sh_of")):  # 占任务数的63.7%: a completion rate
        return Figure("completion", figure_value(m.group("sh_num")), "%", "percent", s, e)
    if m.group("sh2_num"):
        return Figure("share_pct", parse_number(m.group("sh2_num")), "%", "percent", s, e, forward=True)
    if m.group("sh3_num"):
        return Figure("share_pct", parse_number(m.group("sh3_num")), "%", "percent", s, e, share_of_start=m.start("sh3_of"))
    return Figure("share_pct", figure_value(m.group("sh_num")), "%", "percent", s, e,
                  share_of_start=m.start("sh_of"))


def _growth_figure(m: re.Match[str], s: int, e: int) -> Figure | None:
    raw = m.group("yoy_num")  # (the branches are alternatives: the common one is asked first)
    if raw is not None:
        return _verb_growth_figure(m, raw, s, e)
    if m.group("py_num"):
        val = parse_number(m.group("py_num"))
        return Figure("yoy_pct", -abs(val) if m.group("py_verb") == "下降" else val, "%", "percent", s, e,
                      evidence_start=s, prior_year=True)
    if m.group("pw_num"):
        return _benchmark_value(m.group("pw_place"), m.group("pw_num"), s, e)
    if m.group("yt_num"):
        val = parse_number(m.group("yt_num"))
        fig = Figure("yoy_pct", -val if m.group("yt_word") == "降幅" else val, "%", "percent", s, e)
        when = find_periods(m.group("yt_when") or "")
        fig.period = when[0][2] if when else None  # (…提升至全年的6.5%: the period it names)
        return fig
    if m.group("yoy2_num") or m.group("yoy6_num"):
        return Figure("yoy_pct", parse_number(m.group("yoy2_num") or m.group("yoy6_num")), "%", "percent", s, e)
    if m.group("yoy4_num"):
        return Figure("yoy_pct", _times_as_percent(m.group("yoy4_num")), "%", "percent", s, e)
    sign = -1.0 if m.group("yoy3_sign") == "-" else 1.0
    return Figure("yoy_pct", sign * parse_number(m.group("yoy3_num")), "%", "percent", s, e)


def _verb_growth_figure(m: re.Match[str], raw: str, s: int, e: int) -> Figure | None:
    """增长7.6%, 下降2.1%, 增长1.6倍 (增长近3倍 is ambiguous: none)."""
    if raw.endswith("倍"):
        if m.group("yoy_approx") in ("近", "约"):
            return None  # 增长近3倍: 3x or +300%? ambiguous, left out (gold README 13)
        val: float | None = _times_as_percent(raw[:-1].strip())
    else:
        val = figure_value(raw.rstrip("%").strip())
    negative = m.group("yoy_verb") in words()["growth_down"] or m.string[max(0, s - 1): s] == "负"
    if val is not None and negative:
        val = -abs(val)
    return Figure("yoy_pct", val, "%", "percent", s, e)


def _times_as_percent(num: str) -> float:
    """增长1.1倍 -> 110.0 (rounded: not 110.00000000000001)."""
    return round(parse_number(num) * 100, 6)


def _level_figure(m: re.Match[str], s: int, e: int) -> Figure | None:
    if m.group("lv_num") is not None:  # (the branches are alternatives: the common one first)
        return _number_level_figure(m, s, e)
    if m.group("lv_big"):
        return Figure("level", to_yi_yuan(1.0, m.group("lv_big") + "元"), "亿元", "money", s, e)
    if m.group("lv_yi"):
        val = figure_value(m.group("lv_yi_num"))
        return Figure("level", None if val is None else to_yi_yuan(val, m.group("lv_yi") + "元"), "亿元", "money", s, e)
    if m.group("lv_cn"):
        unit = "万" + m.group("lv_unit3")
        return Figure("level", 100.0 if m.group("lv_cn") == "百" else 1000.0, unit, counter_class(m.group("lv_unit3")), s, e)
    if m.group("lv_k"):
        unit = m.group("lv_unit4")
        return Figure("level", 100.0 if m.group("lv_k") == "百" else 1000.0, unit, counter_class(unit), s, e)
    if m.group("lv_wan"):
        unit = "万" + m.group("lv_unit2")
        return Figure("level", 1.0, unit, counter_class(m.group("lv_unit2")), s, e)
    return None


def _number_level_figure(m: re.Match[str], s: int, e: int) -> Figure | None:
    """1205.3亿元, 689家 (a threshold describing firms, 超10亿元的企业, is none)."""
    num, mult, unit = m.group("lv_num"), m.group("lv_mult") or "", m.group("lv_unit")
    val = figure_value(num)
    if unit == "元" and _DESCRIBES_UNITS.match(m.string, e):
        return None  # 产值超10亿元的工业企业达到86家: a threshold describing firms, no level
    if unit == "元":
        money_unit = mult + "元"
        if money_unit not in ("亿元", "万亿元", "万元", "千亿元"):
            return None
        return Figure("level", None if val is None else to_yi_yuan(val, money_unit), "亿元", "money", s, e)
    if mult in ("亿", "万亿", "千亿"):
        return None
    return Figure("level", val, mult + unit, counter_class(unit), s, e)


def _percent_level_figure(m: re.Match[str], s: int, e: int) -> Figure | None:
    fig = Figure("level_pct", figure_value(m.group("pc_num").strip()), "%", "percent", s, e)
    if _MOVED_TO.match(m.string, e):  # 由2020年的1.8%提高到2.4%: 1.8 is an earlier value
        since = _MOVED_FROM.search(m.string, max(0, s - 16), s)
        if since is None or since.group("w") is None:
            return None  # (由上半年的…: an earlier period of the same year is no row)
        fig.prior_year, fig.year, fig.evidence_start = True, _year_named(since.group("w")), since.start("w")
    return fig


@cache
def _task_regex() -> re.Pattern[str]:
    """The of-what of a completion rate (占任务数16900万元的63.7%), with the task amount if written."""
    return re.compile(rf"(?:{alternation(words()['completion_bases'])})"
                      rf"(?P<amount>(?P<num>{_VAL})\s?(?P<mult>万亿|亿|万)?元)?")


def _task_amount(m: re.Match[str]) -> Figure | None:
    """The task amount inside a completion rate (占任务数16900万元的63.7%): a full-year target level."""
    task = _task_regex().match(m.group("sh_of") or "")
    if task is None or task.group("amount") is None:
        return None
    val = figure_value(task.group("num"))
    start = m.start("sh_of")
    return Figure("level", None if val is None else to_yi_yuan(val, (task.group("mult") or "") + "元"), "亿元",
                  "money", m.start(), start + task.end(), evidence_start=m.start(), target=True,
                  period=Period(1, 12, "全年"))


# the figure regex's branch (the match's last group) -> how its figure is read
_READERS = {"vs": _gap_figure, "rk": _rank_figure, "sh": _share_figure, "yoy": _growth_figure,
            "lv": _level_figure, "pc": _percent_level_figure}

_MOVED_TO = re.compile(r"(?:提高|提升|上升|增加|扩大|下降|回落|降低|下滑)(?:到|至)")

_MOVED_FROM = re.compile(r"由(?P<w>去年同期|上年同期|去年|上年|(?:19|20)\d\d年)?[^,，。;；:：\d%]{0,8}?的?$")


@cache
def figure_starts() -> re.Pattern[str]:
    """Where a figure can start: the first characters of the figure regex's branches.

    Python's regex engine tries every branch of the figure regex at every position; jumping from
    one of these places to the next and trying a match there is several times as fast."""
    chars = figure_start_chars()
    # A number starts a figure only when a unit, a multiplier or % follows it (余/多 may come
    # between): the regex engine skips other numbers (years, dates, list numbers) at C speed.
    unit_after_number = r"(?:(?<![0-9])|(?<=[0-9])[0-9.,]*\s?[余多]?[%万亿千元家户个辆座倍])"
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]" + unit_after_number)


@cache
def figure_start_chars() -> frozenset[str]:
    """The characters a figure can start with (the first characters of the figure regex's branches)."""
    w = words()
    openers = w["gap_up"] + w["gap_down"] + w["growth_up"] + w["growth_down"]
    return frozenset({word[0] for word in openers} | set("居位列排稳跃处名全占保突首超万去同与-*Xx0123456789"))


def find_figures(sentence: str, start: int = 0) -> list[Figure]:
    """Every figure in a sentence from `start` on, left to right (as `finditer` would find them)."""
    figures = []
    starts = figure_starts()
    pos = start
    while (candidate := starts.search(sentence, pos)) is not None:
        m = figure_regex_at(sentence[candidate.start()]).match(sentence, candidate.start())
        if m is None:
            pos = candidate.start() + 1
            continue
        pos = m.end() if m.end() > m.start() else m.start() + 1
        kind = m.lastgroup
        if kind == "vs" and m.group("vl_b1"):
            figures.extend(_benchmark_list_figures(m))
            continue
        if kind == "yoy" and m.group("yt_prev_word"):  # 增速由去年的2.6%提高到3.1%: last year's too
            figures.append(Figure("yoy_pct", parse_number(m.group("yt_prev")), "%", "percent", m.start(),
                                  m.end("yt_prev") + 1, evidence_start=m.start("yt_prev_word"), prior_year=True,
                                  year=_year_named(m.group("yt_prev_word"))))
        if kind == "sh" and (task := _task_amount(m)) is not None:
            figures.append(task)  # 占任务数16900万元的63.7%: the task amount is a target level
        if kind == "sh" and m.group("sh_prev_word"):  # 由去年的24.5%提高到26.1%: last year's too
            figures.append(Figure("share_pct", parse_number(m.group("sh_prev")), "%", "percent", m.start(),
                                  m.end("sh_prev") + 1, share_of_start=m.start("sh_of"),
                                  evidence_start=m.start("sh_prev_word"), prior_year=True,
                                  year=_year_named(m.group("sh_prev_word"))))
        fig = _figure_from_match(m)
        if fig is not None and fig.value is not None and not math.isfinite(fig.value):
            fig = None  # a run of digits too long to be a figure
        if fig is not None and fig.measure == "rank" and (earlier := _earlier_rank(sentence, fig)) is not None:
            figures.append(earlier)  # 由全国城市第9位上升到第7位: the rank it moved from too
        if fig is not None and fig.measure == "rank" and not fig.benchmark:
            # 总量位居全省第2位,增速位居第5位: a rank with no peer set of its own is among the last one's
            fig.benchmark = next((f.benchmark for f in reversed(figures) if f.measure == "rank" and f.benchmark), "")
        if fig is not None:
            figures.append(fig)
        while fig is not None and fig.measure == "rank" and (more := next_rank_regex().match(sentence, pos)):
            fig = _figure_from_match(more)  # 居全国第3位、中部第1位: the next rank of a list
            if fig is not None:
                fig.benchmark = fig.benchmark or figures[-1].benchmark  # 居全省第3位、第2位: the same place
                fig.evidence_start = more.start("rk")  # a row identity of its own
                figures.append(fig)
            pos = more.end()
        if kind == "vs" and m.group("bv_b2"):  # 高于全国(3%)、全省(2.9%): the second one's too
            figures.append(_benchmark_value(m.group("bv_b2"), m.group("bv_v2"), m.start("bv_b2"), m.end("bv_v2") + 2))
        elif kind == "vs" and m.group("bv_gap") and not has_word("benchmark_bases", m.group("bv_bench")):
            gap = figure_value(m.group("bv_gap"))  # 高于全国(4.6%)2.3个百分点: the gap too
            sign = -1.0 if m.group("bv_dir") in words()["gap_down"] or m.group("bv_dir2") in ("低", "慢") else 1.0
            figures.append(Figure("vs_benchmark_pp", None if gap is None else sign * gap, "pp", "pp",
                                  m.start(), m.end(), m.group("bv_bench")))
    _mark_prior_levels(sentence, figures)
    return figures


# a level labelled as the year before: (同期2511.8亿元), 去年同期为790.1亿元
_PRIOR_LABEL = re.compile(r"(?:[(（](?:去年同期|上年同期|同期)|(?:去年同期|上年同期))(?:为|是)?$")


def _mark_prior_levels(sentence: str, figures: list[Figure]) -> None:
    """A level labelled 同期/去年同期 right after a level is the same indicator a year earlier; so is an
    unlabelled one in parentheses right after a level, in a sentence that labels such pairs."""
    labelled = False
    for k, f in enumerate(figures):
        if f.measure != "level":
            continue
        label = _PRIOR_LABEL.search(sentence, max(0, f.start - 6), f.start)
        if label:
            f.prior_year = labelled = True
            f.evidence_start = label.start()
        elif labelled and k and sentence[f.start - 1: f.start] in ("(", "（") and (
                figures[k - 1].measure == "level" and figures[k - 1].end == f.start - 1
                and figures[k - 1].unit == f.unit):
            f.prior_year = True  # 6月完成产值XX亿元(XX亿元) after …(同期XX亿元)…
            f.evidence_start = f.start - 1


_RANK_SCOPE = re.compile(r"^(?:全国|全省|全市|全区|全县|全州|全盟)")


def _rank_benchmark(bench: str) -> str:
    """The place a rank is within: 全省 of 全省14个市州中 and of 省内市(区); else as written
    (全国城市, 三区一县, 苏南)."""
    for word, scope in words()["rank_scope_aliases"].items():
        if bench.startswith(word):
            return scope
    scope = _RANK_SCOPE.match(bench)
    return scope.group(0) if scope else bench


@cache
def next_rank_regex() -> re.Pattern[str]:
    """The next rank of a list, right after a rank (、中部第1位; 、第2位; 和第5位; 、苏南第二; (三区第1位);
    ,苏南第2位: after a comma only with its own peer set)."""
    return re.compile(rf"(?:、|和|及|[(（]|[,，](?=[^,，。;；:：第\d、和及()（）居列排位增速]{{1,6}}第))(?P<rk>(?P<rk_bench4>[^,，。;；:：第\d、和及()（）]{{0,8}}?)"
                      rf"第(?P<rk_num4>{_RANK_NUM})(?:位|名)?{_RANK_AFTER})")


def _benchmark_value(bench: str, num: str, start: int, end: int) -> Figure:
    """The growth a benchmark's own value states (全国(5.9%) -> a 全国 row), or a base's
    (去年同期(-1.1%) -> a row of the year before), with evidence from the benchmark word on."""
    if has_word("benchmark_bases", bench):
        return Figure("yoy_pct", parse_number(num), "%", "percent", start, end, evidence_start=start, prior_year=True,
                      qualifies=True)
    return Figure("yoy_pct", parse_number(num), "%", "percent", start, end, place=bench, evidence_start=start,
                  qualifies=True)


def _year_named(word: str) -> int | None:
    """2020 of "2020年"; None for 去年/上年 (one before the figure's year)."""
    return int(word[:4]) if word[:1].isdigit() else None


def _benchmark_list_figures(m: re.Match[str]) -> list[Figure]:
    """`比全国、全省分别高3.2和1.3个百分点`: one gap per benchmark, each with its own evidence start
    (the benchmark's word), so the two rows keep distinct identities."""
    down = m.group("vl_dir") in words()["gap_down"] or m.group("vl_dir2") in ("低", "慢", "少")
    if m.group("vl_fall"):  # 比工业整体降幅分别小2.2、6.1个百分点: a smaller decline is above the benchmark
        down = m.group("vl_dir2") == "大"
    sign = -1.0 if down else 1.0
    figures = []
    second = "vl_b2" if m.group("vl_b2") else "vl_b1"
    for bench, num in (("vl_b1", "vl_n1"), (second, "vl_n2")):
        val = figure_value(m.group(num))
        figures.append(Figure("vs_benchmark_pp", None if val is None else sign * abs(val), "pp", "pp",
                              m.start(), m.end(), m.group(bench)))
    if second == "vl_b2":  # two benchmarks: distributed here, the second with evidence of its own
        figures[1].evidence_start = m.start("vl_b2")
        figures[0].listed = figures[1].listed = True
    # 分别高出全国(5.9%)、全省(6.4%)平均水平2.2个和1.7个百分点: each benchmark's own value, a row of its place
    own = [_benchmark_value(m.group(b), m.group(v), m.start(b), m.end(v) + 2)
           for b, v in (("vl_b1", "vl_v1"), ("vl_b2", "vl_v2")) if m.group(v) and has_word("benchmark_places", m.group(b))]
    for fig in own:
        fig.listed = True  # (no item of a 分别 list either)
    return own + figures


# A digit: a cell, a benchmark or a sentence holding one may hold a figure.
DIGIT = re.compile(r"\d")
