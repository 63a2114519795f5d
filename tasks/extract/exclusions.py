"""Figures that are no row: `not_a_row` (increments, gaps against another indicator or an
earlier period, ranks without a benchmark place, designated projects, one enterprise, foreign
subjects, other measures, the word lists `not_a_row` and `not_a_row_figure`), and
`over_several_years` (比2020年增长43.6%: growth over several years is no yoy row).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache

from schemas import SCHEMAS_DIR
from tasks.extract.boundaries import BARE_GROWTH, clause_start, clause_start_or_list
from tasks.extract.figures import DIGIT, Figure
from tasks.extract.lexicon import has_word, is_group_name, load_catalog, place_name_regex, word_tuple, words
from tasks.extract.mentions import Mention, SentenceContext, industry_investment, mention_subject
from tasks.parse import alternation

_SAME_PERIOD = re.compile(r"^同期(?=全)")
_COUNTED_GROUPS = re.compile(r"(?<![等\d])(?:\d+|[一二三四五六七八九十两]+)个(?:重点|工业)?(?:行业|产业|大类|门类|领域)(?!集群|链)")
_THRESHOLD = re.compile(r"超过|超|逾|以上")


def not_a_row(ctx: SentenceContext, mention: Mention, fig: Figure) -> bool:
    s = ctx.sentence
    if fig.measure == "share_pct" and not _share_base_named(s, mention.code, fig):
        return True  # 新增车辆中新能源汽车占比57.2%: a share of registrations, not of output
    if fig.measure == "share_pct" and is_group_name(mention.alias) and _BARE_SHARE_WORD.match(s, mention.end):
        return True  # 战略性新兴产业占比达22%: a group's share of no named metric (dev README)
    if fig.measure == "level" and fig.unit_class == "money" and (s[:mention.start].endswith(
            word_tuple("increment_words")) or s[:fig.start].endswith(word_tuple("increment_verbs"))):
        return True  # 新增产值245亿元; 净增长产值XX亿元; 退库…减少4000万元: an increment, not a level
    if mention.alias in words()["scope_aliases"] and _names_a_product(ctx, mention):
        return True  # 规模以上工业原煤产量…增长7.7%; 规模以上工业机器人同比增长30.8%: a product's figure
    if fig.measure == "vs_benchmark_pp":
        bench = _SAME_PERIOD.sub("", fig.benchmark or "")  # (同期全国…: the country, in the same period)
        if has_word("gap_not_benchmark", bench) or DIGIT.search(bench):
            return True
        if bench and load_catalog().alias_regex.search(bench) and _BENCH_PLACE.sub("", _after_place(bench)) not in words()[
                "benchmarks"] and not _against_own_whole(ctx, mention, fig, bench):
            return True  # a gap against another indicator (but 全部规上工业, 全市规上工业 are benchmarks)
    if fig.measure == "rank" and not (rank_benchmark_regex().match(fig.benchmark or "") or (
            place_name_regex().match(fig.benchmark or "") and not _AMONG_KINDS.search(fig.benchmark or ""))):
        return True  # (居宁波各区县(市)第2位, 居湖州市第1位: a parent place is a benchmark too)
    if fig.measure == "yoy_pct" and _COUNTED_GROUPS.search(s, clause_start_or_list(s, fig.start), fig.start) and (
            _THRESHOLD.search(s, fig.start, min(len(s), fig.end + 2))):
        return True  # 4个行业投资增速超50%: how many industries passed a threshold, no one's figure
    clause_lo = clause_start(s, fig.start)
    if mention.end <= clause_lo and ctx.holds("other_measures") and has_word("other_measures", s[clause_lo: fig.start]):
        return True  # "规上工业增加值增长7%,固定资产投资增长5%": the figure is of another measure
    if mention.end <= clause_lo and fig.measure != "share_pct" and _OTHER_PRODUCT.search(s, clause_lo, fig.start):
        return True  # 新能源汽车产量增长2.4倍,光伏电池产量增长12.0%: another product's output
    if mention.alias in load_catalog().product_names and mention.end <= clause_lo and not BARE_GROWTH.fullmatch(
            s, clause_lo, fig.start):
        return True  # …新能源汽车增长39.9%,集成电路增长23.6%: in a list of products, the next one's
    if not ctx.may_exclude:
        return False  # none of the words below is anywhere in the sentence
    # (each word list is asked of the sentence first: most sentences hold none of them)
    lo = fig.start if fig.measure in ("vs_benchmark_pp", "rank") else min(mention.start, fig.start)
    if ctx.holds("not_a_row") and has_word("not_a_row", s[clause_start(s, lo): fig.end]):
        return True
    # a kind of figure counts in the figure's own clause, and the indicator's when they share it
    # (8月环比增长0.9%;1-8月累计增长8.1%: the second figure is no 环比)
    own = clause_lo if fig.measure in ("vs_benchmark_pp", "rank") or mention.end <= clause_lo else clause_start(
        s, min(mention.start, fig.start))
    if ctx.holds("not_a_row_figure") and has_word("not_a_row_figure", s[own: fig.end]):
        return True
    clause_lo = clause_start(s, mention.start)
    if ctx.holds("project_words"):
        near = s[clause_lo: fig.start]
        if has_word("project_words", near) and not has_word("project_breakdowns", near):
            return True  # designated projects; but 亿元以上项目, 新开工项目 break the region's investment down
    if _single_enterprise().search(s, clause_lo, fig.start):
        return True  # one enterprise's figure ("XX公司1-9月份产值"); "XX公司等前5名企业" is a group
    if not ctx.holds("foreign_subjects"):
        return False
    # a short alias may start inside the group's name (第一|产业增加值, 房地|产业增加值)
    prefix = s[clause_start_or_list(s, mention.start): mention.start] + mention.alias[:2]
    if has_word("foreign_subject_exceptions", prefix):
        return False
    return has_word("foreign_subjects", prefix)


_BARE_SHARE_WORD = re.compile(r"的?(?:占比|比重|所占比重)")


def _share_base_named(sentence: str, code: str, fig: Figure) -> bool:
    """A share of an indicator whose base must be named in its sentence (extract_words.toml
    `share_bases`: NEV's share is of car output, 汽车产量) names it before the figure."""
    bases = words()["share_bases"].get(code)
    return bases is None or any(b in sentence[: fig.end] for b in bases)


# What may stand between a bare scope alias (规上工业) and its first figure when the figure is the
# scope's value added: grammar and periods only (规上工业1-9月同比增长…, 规模以上工业增速为…).
_SCOPE_STOP = re.compile(r"[,，;；:：。]|增长|增速|增幅|下降|回落|提高")
_SCOPE_GRAMMAR = re.compile(r"(?:同比|累计|比上年|较上年|为|达到|达|实现|完成|共|的|了|分别|均|中|今年|全年|"
                            r"[上下]半年|前三季度|[一二三四]季度|\d{1,2}(?:\s*[-—–~～至到]\s*\d{1,2})?月份?|[,，\s])*")


def _names_a_product(ctx: SentenceContext, mention: Mention) -> bool:
    """A bare scope alias followed by a product's name (规模以上工业原煤产量12166.85万吨, 规模以上工业机器人
    同比增长…): the figures after it are the product's, not value added. Only the words between the alias
    and its first figure, growth word or clause mark count (规上工业增长的贡献…: no product)."""
    s = ctx.sentence
    first = min((f.start for f in ctx.figures if f.start >= mention.end), default=len(s))
    stop = _SCOPE_STOP.search(s, mention.end, first)
    return not _SCOPE_GRAMMAR.fullmatch(s, mention.end, stop.start() if stop else first)


_SINCE_YEAR = re.compile(r"(?:比|较|与)((?:19|20)\d\d)年(?:同期|末|底)?(?:相比)?")


def over_several_years(sentence: str, fig: Figure, year: int | None) -> bool:
    """A growth compared with an earlier year than the last one (2023年…比2020年增长43.6%)."""
    if year is None or "年" not in sentence:
        return False
    since = _SINCE_YEAR.search(sentence, clause_start(sentence, fig.start), fig.start)
    return since is not None and year is not None and int(since.group(1)) < year - 1


_OF_GDP = re.compile(r"GDP|生产总值")
# (a product named before its 产量; a bare 产量同比增长… goes on about the indicator's own output)
_OTHER_PRODUCT = re.compile(r"[\u4e00-\u9fff]{2}(?:产量|产销量|销量)")


def share_of_gdp(sentence: str, fig: Figure) -> bool:
    """A share whose whole is the economy's output (制造业增加值占GDP比重28%): GDP accounting."""
    return fig.measure == "share_pct" and fig.share_of_start >= 0 and bool(
        _OF_GDP.search(sentence, fig.share_of_start, fig.end))

def _after_place(bench: str) -> str:
    """A benchmark without the place it opens with (西安市规模以上工业 -> 规模以上工业: a named place's whole)."""
    named = place_name_regex().match(bench)
    return bench[named.end():] if named and named.end() < len(bench) else bench


def _against_own_whole(ctx: SentenceContext, mention: Mention, fig: Figure, bench: str) -> bool:
    """The benchmark names the indicator the figure's row is of: a breakdown against its whole
    (汽车制造业投资…高于全省工业投资增长33.6个百分点), not another indicator (制造业投资…高于固定资产投资增速,
    技改投资…高于工业投资增速)."""
    found = load_catalog().alias_regex.search(bench)
    whole = load_catalog().alias_to_code.get(found.group(0)) if found else None
    code = mention.code
    if code == "manufacturing_investment":  # (one industry's is a breakdown of industrial investment)
        subject = mention_subject(ctx, mention, code, fig)
        code = industry_investment(subject)[0] if subject else code
    return whole == code


_AMONG_KINDS = re.compile(r"行业|产业|企业|门类|领域")  # 居云南省各行业第一: a rank among industries

@cache
def rank_benchmark_regex() -> re.Pattern[str]:
    """What a rank may be within (extract_words.toml rank_benchmarks, the regional names of
    regional_names.toml, counted or not, or a counted set of places: 三区一县, 五县市)."""
    regional = tomllib.loads((SCHEMAS_DIR / "regional_names.toml").read_text(encoding="utf-8"))["provinces"]
    # (居十个工业大省第二位: a peer set may be counted)
    return re.compile(f"(?:[一二三四五六七八九十两\\d]+个)?(?:{alternation(words()['rank_benchmarks'] + list(regional))})"
                      r"|(?:[一二三四五六七八九十两\d]+[区县市州旗])+$")

# (全国规模以上工业经济增速, 全省工业投资增长: a place before the whole, and the whole's own 经济, 增速 after it)
_BENCH_PLACE = re.compile(r"^(?:全市|全省|全区|全县|全国)(?=.)|(?:(?<=工业)|(?<=增加值)|(?<=投资))(?:经济)?(?:增长|增速|平均增速|平均水平)?$")


@cache
def exclusion_words() -> re.Pattern[str]:
    """Any word that can make `not_a_row` exclude a figure by its clause (one scan per sentence)."""
    w = words()
    return re.compile(alternation(w["not_a_row"] + w["not_a_row_figure"] + w["project_words"] + w["enterprise_words"]
                                   + w["foreign_subjects"]))


@cache
def _single_enterprise() -> re.Pattern[str]:
    return re.compile(f"(?:{alternation(words()['enterprise_words'])})(?![^,，;；]*等)")
