"""Reading one sentence: its figures, each attached to its indicator, become rows.

`read_sentence` takes the sentence's slice of the paragraph index, handles follow-on sentences
(分行业看, 其中, … after an indicator: the figures are the last indicator's) and topic headings
(1.规上工业总产值。), finds the figures, and for each one: its governing mention, code,
subject, place, period, year and evidence start, then builds the row. The year and period in
force advance as the sentence is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from schemas.stages import Document, Segment
from tasks.extract.boundaries import (
    BARE_GROWTH,
    CLAUSE_MARK,
    clause_start,
    clause_start_or_list,
    sentence_part_start,
)
from tasks.extract.clauses import (
    GROUP_OPENING,
    HEAD_NOISE,
    PART_TOPIC,
    RATE_REACHED,
    distribution,
    figures_per_listed_group,
    governing_mention,
    item_place,
    place_heading,
)
from tasks.extract.enumerations import enumerated_values, figures_per_listed_place
from tasks.extract.exclusions import exclusion_words, not_a_row, over_several_years, share_of_gdp
from tasks.extract.figures import Figure, find_figures
from tasks.extract.index import QUALIFIER_OPENING, TextIndex
from tasks.extract.lexicon import (
    follow_on_regex,
    group_growth_regex,
    has_word,
    is_count,
    load_catalog,
    named_place,
    regional_words,
    word_tuple,
    words,
)
from tasks.extract.mentions import (
    PARALLEL_GROUP,
    PERIOD_OR_PLACE,
    PLACE_COUNT,
    PLACE_KINDS,
    Mention,
    SentenceContext,
    carried_topic,
    industry_investment,
    is_bare_measure,
    is_sub_unit,
    mention_subject,
    names_a_whole,
    resolve_code,
    special_code_and_subject,
    subject_from_prefix,
)
from tasks.extract.rows import Draft, build_row
from tasks.extract.state import (
    ReadingState,
    YearMention,
    advance_state,
    count_period,
    end_sentence,
    mentions_in_force,
)
from tasks.parse import Period


def _flags(ctx: SentenceContext, upto: int, state: ReadingState) -> tuple[bool, bool]:
    head = ctx.sentence[:upto]
    estimate = ctx.holds("estimate_words") and has_word("estimate_words", head)
    target = state.future or (ctx.holds("target_words") and has_word("target_words", head))
    return estimate, target


# A heading that only names an indicator: "1.规上工业总产值。", "(三)工业投资:", "二、技改投资情况"
_TOPIC_HEADING = re.compile(r"\s*(?:[(（]?[一二三四五六七八九十\d]{1,2}[)）.、．]?)?\s*[^,，;；:：。\d]{2,20}?"
                            r"(?:情况|方面|完成情况)?[。:：]?\s*")

# (全国产量占比提升至16.6%: the region's share of the country's output, not the country's figure)
_NATIONAL_CLAUSE = re.compile(r"\s*(?:(?:19|20)\d\d年)?(?:前三季度|[上下]半年|全年|[一二三四]季度|1\s*[-—–~～至到]\s*\d{1,2}月份?)?"
                              r"[,，]?(?:全国|我国)(?!平均|水平|[^,，;；。]{0,4}(?:占比|比重|份额|占有率))")
_PART_OF = re.compile(r"\s*其中")


@dataclass(slots=True)
class _Reading:
    """One sentence being read: what its figures share while they become rows."""

    ctx: SentenceContext
    follow_on: bool  # its figures are of the last indicator read (after a topic heading or an opener)
    after_opener: bool  # ... after an opener (分行业看): only figures of a group, period or place count
    years: list[YearMention]  # the years and periods that change what is in force, not yet passed
    periods: list[tuple[int, int, Period]]
    all_periods: list[tuple[int, int, Period]]
    comparison_ends: set[int]
    distributed: dict[int, tuple[Mention | None, str | None]] = field(default_factory=dict)
    identities: set[tuple] = field(default_factory=set)  # rows so far: (code, subject, measure, months, start)
    subject_of: dict[str, str | None] = field(default_factory=dict)  # indicator -> subject of its last row
    topic: tuple[str, str | None] | None = None  # (code, subject) the last explicit wording named
    last_place: str | None = None  # the place of the last figure read
    last_measure: str | None = None  # ... and its measure, when that place was named in its clause
    dropped_before: int = -2  # index of the last figure `not_a_row` dropped
    level_dropped: int = -2  # index of the last level figure that gave no row
    last_level: str | None = None  # the unit class of the last level that gave a row
    previous: Mention | None = None  # the mention the last figure was attached to


_BRACKETED_VALUE = re.compile(r"[(（]-?\d")

# what a contribution is to: a figure's 贡献率/拉动 (no row) names the whole, which governs nothing
_COMPARED_WITH = re.compile(r"(?:高于|低于|快于|慢于|好于|领先于?|落后于?)(?:全国|全省|全市|全区|全县|全部|同期)?$")
_CONTRIBUTION = re.compile(r"(?:为|对)[^,，;；。]{0,20}?贡献|拉动[^,，;；。]{0,20}?增长")


def read_sentence(doc: Document, segment: Segment, state: ReadingState, text: str, start: int, end: int,
                  place_names: re.Pattern[str] | None, para_start: int, index: TextIndex) -> list[dict]:
    """Rows for one sentence `text[start:end]`; updates `state` (year, period) as it reads."""
    mentions, all_periods, all_years = index.slice(start, end)
    sentence = text[start:end]
    mentions, follow_on, after_opener = _open_sentence(state, sentence, mentions)
    if not mentions and not all_periods and not all_years:
        return []
    # every row needs an indicator wording in its sentence: skip the costly figure scan without one
    # (a count may stand just before its wording: "XX家规模以上工业企业")
    # (…and an enumeration's bracketed values may all stand before it: 襄阳市(9.1%)、…3个市规上工业…)
    scan_from = 0 if mentions and _BRACKETED_VALUE.search(sentence, 0, mentions[0].start) else (
        max(0, mentions[0].start - 12) if mentions else 0)
    figures = find_figures(sentence, scan_from) if mentions else []
    years, periods, comparison_ends = mentions_in_force(sentence, all_periods, all_years)
    if not figures:
        if mentions and not follow_on:
            _note_topic_heading(state, SentenceContext(sentence, start, mentions, place_names))
        _finish_sentence(state, sentence, years, periods)
        return []
    ctx = SentenceContext(sentence, start, _governing_mentions(sentence, mentions, figures), place_names,
                          (para_start, start), text, (max(segment.start, start - 2000), start), figures,
                          exclusion_words().search(sentence) is not None)
    reading = _Reading(ctx, follow_on, after_opener, years, periods, all_periods, comparison_ends)
    reading.topic = _opening_topic(state, sentence, place_names)
    rows = []
    part_topics = [(m.start(), m.group("group") or m.group("named")) for m in PART_TOPIC.finditer(sentence)] if (
        "方面" in sentence or "其中" in sentence or "另外" in sentence or "此外" in sentence) else []
    for i, fig in enumerate(_figures_to_read(reading, figures)):
        if fig is None:
            continue
        while part_topics and part_topics[0][0] <= fig.start:
            reading.topic = ("", subject_from_prefix(part_topics.pop(0)[1], place_names))
        advance_state(state, sentence, years, periods, fig.start)
        draft = _read_figure(state, reading, i, fig)
        if draft is None:
            reading.level_dropped = i if fig.measure == "level" else reading.level_dropped
            continue
        rows.append(build_row(doc, segment, draft, start, text))
        if fig.measure == "level":
            reading.last_level = fig.unit_class
        state.last_paragraph = state.paragraph
        if not follow_on:  # a follow-on's own period (10月当月) is not passed on to the next one
            state.last_code, state.last_period = draft.code, draft.period
    if not rows and not follow_on:
        _note_named_indicator(state, ctx)
    _finish_sentence(state, sentence, years, periods)
    state.topic = reading.topic
    return rows


def _note_named_indicator(state: ReadingState, ctx: SentenceContext) -> None:
    """A sentence that names an indicator but gives it no row (…23个行业增加值保持增长,增长面为67.6%。)
    still sets what a follow-on after it goes on about (其中,计算机…制造业同比增长2.5倍)."""
    named = [m for m in ctx.mentions if m.alias]
    code = resolve_code(ctx, named[-1]) if named else None
    if code is not None:
        state.last_code, state.last_period, state.last_paragraph = code, state.period, state.paragraph


_PRODUCT_OUTPUT = re.compile(r"(?<![\u4e00-\u9fff])(?:\d{4}年)?(?:\d{1,2}月?[-—–~至]\d{1,2}月,?)?"
                             r"(?P<product>[\u4e00-\u9fff]{2,8}?)(?:产量|产销量)\d")


_PERIOD_GROWTH = re.compile(r"\s*(?:(?:19|20)\d\d年)?(?:\d{1,2}\s*[-—–~至]\s*)?\d{1,2}月份?(?:当月|单月)?[,，]?"
                            r"(?:同比|比上年同期)?(?:增长|下降|增速为?|增幅为?)-?\d"
                            # (…增长7.9%,超额完成目标。2024年奋斗目标为增长8.5%: a target's bare growth)
                            r"|\s*(?:(?:19|20)\d\d年|明年|今年)?(?:全年|年度)?(?:的)?(?:奋斗目标|预期目标|目标)(?:是|为)?"
                            r"(?:增长|增速为?)-?\d"
                            # (…增长6.5%。去年同期增长8.1%: the year before's, a row of its own)
                            r"|\s*(?:去年同期|上年同期)(?:增速)?(?:为|是|增长|下降)-?\d")


def _open_sentence(state: ReadingState, sentence: str, mentions: list[Mention]
                   ) -> tuple[list[Mention], bool, bool]:
    """How a sentence goes on from the one before: (its mentions, whether its figures are of the
    last indicator read, whether that is because of an opener). After a topic heading or an opener
    (分行业看,汽车制造业增长12.1%) the last indicator read comes first among its mentions."""
    topic = state.topic_pending and state.paragraph - state.last_paragraph <= 1
    state.topic_pending = False
    opener_match = follow_on_regex().match(sentence)
    opens = opener_match is not None and not has_word("foreign_openers", opener_match.group())
    if opens:
        state.opened_paragraph = state.paragraph
    elif opener_match is not None:
        state.opened_paragraph = -1  # 从产品产量看: the paragraph turns to another measure
    # 从行业看,35个行业大类中有22个行业增长。汽车制造业增长12.1%…: the opener's paragraph goes on
    opener = (not topic and state.last_code is not None and state.paragraph - state.last_paragraph <= 1
              and (opens or (state.opened_paragraph == state.paragraph and not mentions)))
    # 制造业拉动有力。上半年,制造业增长3.4%: a growth of a named industry or place with no indicator
    # word of its own is of the section's last indicator
    # (…before any indicator word: 制造业增长4.3%,装备制造业(11.8%)…表现亮眼)
    if not opener and not topic and state.last_code is not None:
        growth = group_growth_regex().search(sentence)
        opener = growth is not None and (not mentions or growth.end() <= mentions[0].start)
    # (原标题:…增长6.7%。高于全国平均水平0.6个百分点: a deck line that is only a gap or a rank goes on
    # about the figure just before it; …增长4.5%。9月当月增长6.8%: so does a period's bare growth)
    if not opener and not topic and not mentions and state.last_code is not None and (
            state.paragraph - state.last_paragraph <= 1) and QUALIFIER_OPENING.match(sentence):
        opener = True
    if not opener and not topic and not mentions and state.last_code is not None and (
            state.paragraph == state.last_paragraph) and _PERIOD_GROWTH.match(sentence):
        opener = True
    # ("分市看,邯郸、唐山…分别增长…;石家庄市规上工业增加值…": with mentions of its own, the opening
    # still goes on, but the sentence is read as usual)
    follow_on = topic or (opener and not mentions)
    if topic or opener:
        mentions = [Mention(state.last_code or "", 0, 0, ""), *mentions]
    if follow_on and state.period is None and state.last_paragraph == state.paragraph:
        state.period = state.last_period  # (a month range carries within its paragraph only)
    return mentions, follow_on, follow_on and not topic


def _note_topic_heading(state: ReadingState, ctx: SentenceContext) -> None:
    """"1.规上工业总产值。完成1205.3亿元…": a heading naming an indicator; the next sentences are about it."""
    if not _TOPIC_HEADING.fullmatch(ctx.sentence):
        return
    code = resolve_code(ctx, ctx.mentions[-1])
    if code is not None:
        state.topic_pending, state.last_code = True, code
        state.last_period, state.last_paragraph = state.period, state.paragraph


def _finish_sentence(state: ReadingState, sentence: str, years: list[YearMention],
                     periods: list[tuple[int, int, Period]]) -> None:
    advance_state(state, sentence, years, periods, len(sentence))
    end_sentence(state)


def _figures_to_read(r: _Reading, figures: list[Figure]) -> Sequence[Figure | None]:
    """The sentence's figures, one per listed group, with the 分别 lists shared out (`r.distributed`);
    after an opener, the ones that do not count are None."""
    if not r.follow_on:
        figures = figures_per_listed_group(r.ctx.sentence, figures)
    figures = figures_per_listed_place(r.ctx.sentence, figures)  # (a follow-on's places too: A、B等N个县区增速…)
    r.ctx.figures = figures
    r.distributed = distribution(r.ctx, figures)
    for i, attached in enumerated_values(r.ctx, figures).items():
        r.distributed.setdefault(i, attached)
    if not r.after_opener:
        return figures
    # growth figures of a period, a group or a place only (or 分别 lists), and the gaps and ranks
    # that qualify them
    kept: list[Figure | None] = []
    for i, f in enumerate(figures):
        # (存款余额328.63亿元,增长5.7%: a bare growth after a level not kept is that level's)
        of_dropped_level = i > 0 and kept[-1] is None and figures[i - 1].measure == "level" and (
            BARE_GROWTH.fullmatch(r.ctx.sentence, clause_start(r.ctx.sentence, f.start), f.start) is not None)
        # (上半年,全市工业用电量201.2亿千瓦时,同比下降1.7%: a growth of another measure named before it)
        of_other_measure = r.ctx.holds("other_measures") and has_word("other_measures", r.ctx.sentence[
            sentence_part_start(r.ctx.sentence, f.start): f.start])
        keep = i in r.distributed or (f.measure == "yoy_pct" and not of_dropped_level and not of_other_measure
                                      and _follow_on_head_is_group(r.ctx.sentence, f, figures)) or (
            f.measure in ("vs_benchmark_pp", "rank") and ((bool(kept) and kept[-1] is not None) or (
                i == 0 and QUALIFIER_OPENING.match(r.ctx.sentence) is not None)))  # (a deck line's own gap)
        kept.append(f if keep else None)
    return kept


def _governing_mentions(sentence: str, mentions: list[Mention], figures: list[Figure]) -> list[Mention]:
    """The mentions that may govern a figure: not one inside a gap's benchmark (快于全部规上工业8.3个
    百分点), the object of a comparison with no figure (增速低于规上工业,占…比重为33.9%) or what a
    contribution is to (为全省规上工业增长贡献67.1%, 拉动全市规上工业增长2.1个百分点)."""
    gaps = [f for f in figures if f.measure == "vs_benchmark_pp"]
    mentions = [m for m in mentions if not any(f.start < m.start < f.end for f in gaps)] if gaps else mentions
    mentions = [m for m in mentions if not _COMPARED_WITH.search(sentence, max(0, m.start - 8), m.start)]
    if "贡献" in sentence or "拉动" in sentence:
        spans = [c.span() for c in _CONTRIBUTION.finditer(sentence)]
        mentions = [m for m in mentions if not any(a <= m.start < b for a, b in spans)]
    return mentions


def _opening_topic(state: ReadingState, sentence: str, place_names: re.Pattern[str] | None
                   ) -> tuple[str, str | None] | None:
    """The group a sentence's bare measure words are about, from how it opens."""
    if state.topic is not None and sentence.lstrip().startswith(word_tuple("topic_openers")):
        return state.topic  # 产值增长…: the sentence goes on about the group before it
    if (opening := GROUP_OPENING.match(sentence)) is not None:
        # 其中,电子及通信设备制造业发展一枝独秀,实现产值771.03亿元: its measure words are the group's
        return "", subject_from_prefix(opening.group("group"), place_names)
    if ("产量" in sentence or "产销量" in sentence) and (product := _PRODUCT_OUTPUT.search(sentence)) is not None:
        # 全省汽车产量147万辆,…;实现产值同比增长31.4%,实现增加值…: the product's industry
        return "", subject_from_prefix(product.group("product"), place_names)
    return None


def _read_figure(state: ReadingState, r: _Reading, i: int, fig: Figure) -> Draft | None:
    """Figure `i` of the sentence attached to its indicator, or None when it is no row."""
    if _grows_dropped_level(r, i, fig) or _of_unnamed_places(r.ctx.sentence, fig):
        return None
    parallel = _parallel_place(r, fig)
    mention, subject = (r.previous, None) if parallel else _attached_mention(r, i, fig)
    if mention is None:
        return None
    r.previous = mention
    counted = _after_count(r, i)
    code = (None if counted else _enterprises_value_added(state, mention, fig)) or _measured_code(r.ctx, mention, fig)
    if code is not None and fig.measure == "yoy_pct" and is_count(code) and not counted:
        return None  # a count's growth follows the count (规上工业企业420户,增长6.1%)
    if code is None or _dropped(r, i, mention, fig):
        return None
    code, subject = _code_and_subject(r, i, fig, mention, code, subject)
    if code == "industrial_investment" and subject in words()["non_industrial_investment_groups"]:
        return None  # 高技术产业投资 (with services): no investment of industry
    subject = _sub_unit(state, r, mention, subject)
    code, subject = special_code_and_subject(code, subject)
    code = _breakdown_scope(state, code, subject)
    if code == "industrial_value_added" and subject and share_of_gdp(r.ctx.sentence, fig):
        # 制造业增加值占GDP比重28%: GDP accounting, all industry's code with the group (dev README;
        # the digital core's share of GDP is its own headline figure)
        code = "industrial_value_added_all"
    _place_figure(r, mention, fig)
    estimate, target = _flags(r.ctx, fig.end, state)
    target = target or fig.target  # (a task amount: 占任务数16900万元)
    period = _figure_period(state, r, fig, code, estimate, target)
    evidence_at = _evidence_start(r, code, subject, fig, mention, period)
    year, year_from = _figure_year(state, fig, period, target)
    if fig.measure == "yoy_pct" and over_several_years(r.ctx.sentence, fig, year):
        return None  # "比2020年增长43.6%": growth over several years is no yoy row
    period_from = ("its own" if fig.period else "the report's (title or lead)" if period is state.report_period
                   and period is not None else "its paragraph's" if period is not None else "none stated: the full year")
    return Draft(code, fig, subject, year, period, evidence_at, estimate, target,
                 {"year_from": year_from, "period_from": period_from})


def _enterprises_value_added(state: ReadingState, mention: Mention, fig: Figure) -> str | None:
    """全县完成工业增加值…,其中,规上企业增长11.3%,规下企业增长10.5%: the growth of a scope's
    enterprises, right after a value added, is that scope's value added (规上: the 规上 code);
    not after a count of them (规上工业企业420户,增长6.1%: the count's growth)."""
    if fig.measure != "yoy_pct" or state.last_code not in words()["value_added_codes"]:
        return None
    return "industrial_value_added" if mention.alias in words()["above_scale_enterprise_words"] else None


def _after_count(r: _Reading, i: int) -> bool:
    """Figure `i` is a bare growth clause right after a count (规上工业企业420户,增长6.1%)."""
    before = r.ctx.figures[i - 1] if i > 0 else None
    if before is None or before.measure != "level" or before.unit_class != "count":
        return False
    s, fig = r.ctx.sentence, r.ctx.figures[i]
    at = clause_start(s, fig.start)
    return before.end <= at and BARE_GROWTH.fullmatch(s, at, fig.start) is not None


_BARE_MONTH = re.compile(r"(?<![\d月])(?:当月|单月)")


# 6个省辖市的工业投资增速在30%以上: a figure of some places, counted but not named, is no place's row
_COUNTED_PLACES = re.compile(PLACE_COUNT + "个" + PLACE_KINDS + "的?")  # (个 written: not 两区, 五省(市))


def _of_unnamed_places(sentence: str, fig: Figure) -> bool:
    if fig.place is not None or "个" not in sentence:
        return False
    return _COUNTED_PLACES.match(sentence, clause_start(sentence, fig.start), fig.start) is not None


def _grows_dropped_level(r: _Reading, i: int, fig: Figure) -> bool:
    """A bare growth clause right after a level that gave no row is that level's growth (营业成本
    9336.7亿元,增长13.8%: the cost's, not the revenue's named earlier)."""
    if fig.measure not in ("yoy_pct", "share_pct") or r.level_dropped != i - 1:
        return False
    s = r.ctx.sentence
    bare = BARE_GROWTH if fig.measure == "yoy_pct" else _BARE_SHARE  # (…研发投入4.82亿元,占比2%)
    return bare.fullmatch(s, clause_start(s, fig.start), fig.start) is not None


_BARE_SHARE = re.compile(r"\s*(?:占比|比重|所占比重)?(?:为|达|达到)?\s*")


def _figure_period(state: ReadingState, r: _Reading, fig: Figure, code: str, estimate: bool,
                   target: bool) -> Period | None:
    """The figure's own period, else the one stated last in its paragraph, else the period the
    report is about (contract, "Periods"). Counts take none from elsewhere (only an as-of date or
    a period of their own sentence); a target none at all (dev README); an estimate of a milestone
    (预计…突破1万亿元) the period it names, else the full year (not its paragraph's); other estimates
    (预计金昌市增长31.1% in a quarter's report: a figure not yet final) are read as any figure."""
    period = fig.period or state.period
    if fig.period is None and period is not None and period.start < period.end and (
            "当月" in r.ctx.sentence or "单月" in r.ctx.sentence) and _BARE_MONTH.search(
            r.ctx.sentence, sentence_part_start(r.ctx.sentence, fig.start), fig.start):
        return Period(period.end, period.end, "当月")  # 1-5月…,其中当月实现产值…,增长…: the range's last month
    if is_count(code) and not (period is not None and period.asof):
        return count_period(r.ctx.sentence, r.all_periods, r.comparison_ends, fig.start)
    if target and r.ctx.holds("target_words") and has_word("target_words", r.ctx.sentence[clause_start(r.ctx.sentence, fig.start): fig.start]):
        # 全年目标为增长12%: the period it names, else the year
        return fig.period or _named_by_target(r, fig)
    if period is None and not estimate and not target and _than_last_month(r.ctx.sentence, fig):
        return _latest_month(state)
    if fig.period is None and estimate and fig.measure == "level" and _MILESTONE.search(
            r.ctx.sentence, clause_start(r.ctx.sentence, fig.start), fig.end):
        return None  # 预计…突破1万亿元: a milestone the year is expected to pass, the full year's
    if period is None and not state.carry_closed and not target:
        return state.report_period
    return period


_MILESTONE = re.compile(r"突破|首破|超过|迈上|跨上|跃上")


_THAN_LAST_MONTH = re.compile(r"(?:比|较)上月")


def _than_last_month(sentence: str, fig: Figure) -> bool:
    """A growth rate compared with the month before in its clause or the next (增长10.2%,比上月加快
    8.5个百分点), with no period stated or in force, is a month's figure."""
    if fig.measure != "yoy_pct" or "上月" not in sentence:
        return False
    clauses = CLAUSE_MARK.split(sentence[fig.end:], maxsplit=2)
    window = sentence[clause_start(sentence, fig.start): fig.end] + "".join(clauses[:2])
    return _THAN_LAST_MONTH.search(window) is not None


def _latest_month(state: ReadingState) -> Period:
    """The month a month's figure is about: the last of the report's period, else the last month
    ended by the page date, else December."""
    if state.report_period is not None:
        month = state.report_period.end
    elif state.published is not None:
        month = state.published[1] - 1 or 12
    else:
        month = 12
    return Period(month, month, "上月")


def _named_by_target(r: _Reading, fig: Figure) -> Period | None:
    """The period right before a target word in the figure's clause (全年目标为…, 上半年任务…)."""
    s = r.ctx.sentence
    lo = clause_start(s, fig.start)
    named = [p for a, b, p in r.all_periods if lo <= a < fig.start and has_word("target_words", s[b: b + 4])]
    return named[-1] if named and (named[-1].start, named[-1].end) != (1, 12) else None


def _attached_mention(r: _Reading, i: int, fig: Figure) -> tuple[Mention | None, str | None]:
    """(mention, subject) of figure `i`: the last indicator read after an opener, its item of a 分别
    list, the mention before a listed group, else the mention that governs it (subject still to read)."""
    if r.after_opener:  # (…分行业看,…如A、B等行业分别增长x%、y%: the list's groups are the subjects;
        # 其中,规上工业产值、增加值分别增长…: the listed indicators)
        mention, subject = r.distributed.get(i, (None, None))
        return (mention, subject) if mention is not None and mention.alias else (r.ctx.mentions[0], subject)
    if i in r.distributed:
        return r.distributed[i]
    if fig.group is not None:
        before = [m for m in r.ctx.mentions if m.end <= fig.start]
        return r.previous or (before[-1] if before else None), fig.group
    return governing_mention(r.ctx, fig, r.previous), None


def _measured_code(ctx: SentenceContext, mention: Mention, fig: Figure) -> str | None:
    """The mention's indicator code, when the catalog gives that indicator the figure's measure."""
    code = resolve_code(ctx, mention)
    if code is None:
        return None
    entry = load_catalog().entries[code]
    measure = "level" if fig.measure == "level_pct" else fig.measure
    if measure not in entry.measures:
        return None
    if fig.measure == "level_pct" and "percent" not in entry.level_units:
        if "yoy_pct" not in entry.measures or not RATE_REACHED.fullmatch(ctx.sentence, mention.end, fig.start):
            return None
        fig.measure = "yoy_pct"  # 规模以上工业增加值达到9.1%: a money indicator's bare rate is its growth
    return code



def _dropped(r: _Reading, i: int, mention: Mention, fig: Figure) -> bool:
    """Whether figure `i` is no row: `not_a_row`, or a gap or rank after a dropped figure."""
    qualifier = fig.measure in ("vs_benchmark_pp", "rank")
    qualifies_dropped = qualifier and r.dropped_before == i - 1
    if qualifies_dropped or not_a_row(r.ctx, mention, fig):
        if not qualifier or qualifies_dropped:
            r.dropped_before = i  # a gap or rank after a growth that is no row (年均增长…,高于…) is none either
        return True
    return False


_REFERS_BACK = ("这", "这些", "该", "上述", "以上")
_COUNT_CODES = ("above_scale_enterprises", "little_giant_enterprises")


def _code_and_subject(r: _Reading, i: int, fig: Figure, mention: Mention, code: str,
                      subject: str | None) -> tuple[str, str | None]:
    """The row's code and subject: read from the mention's wording unless a list gave the subject;
    a bare measure word (…;增加值增长8.5%) goes on about the group named before it."""
    if i not in r.distributed and fig.group is None and r.topic is not None and is_bare_measure(
            r.ctx, mention, refers_back=r.topic[1] is not None):
        code, subject = carried_topic(r.topic, code)
    elif i not in r.distributed and fig.group is None:
        subject = mention_subject(r.ctx, mention, code, fig)
        if mention.alias:  # (not the last indicator standing in for a follow-on sentence)
            r.topic = (code, subject)
        if fig.measure in ("vs_benchmark_pp", "rank") and code in r.subject_of:
            subject = r.subject_of[code]  # a gap or rank qualifies the figure just before it (累计达62家,位居…)
    elif code == "industrial_value_added_all" and subject:
        code = "industrial_value_added"
    if subject in _REFERS_BACK:  # 新增规上工业企业356家,这356家企业实现产值…: the group just counted
        subject = next((r.subject_of[c] for c in _COUNT_CODES if r.subject_of.get(c)), None)
    if code == "manufacturing_investment" and subject:
        code, subject = industry_investment(subject)
    if subject is None and fig.place is None and (body := next(
            (v for v in r.subject_of.values() if v in regional_words()), None)) is not None:
        subject = body  # 兵团工业固定资产投资增长8.2%,制造业投资增长14.4%: the body the sentence is about
    if code == "industrial_value_added_all" and subject and subject.endswith("业") and subject != "规下":
        code = "industrial_value_added"  # an industry's value added is a breakdown of 规上 (dev README)
    r.subject_of[code] = subject
    return code, subject


_VALUE_ADDED = ("industrial_value_added", "industrial_value_added_all")


def _breakdown_scope(state: ReadingState, code: str, subject: str | None) -> str:
    """A group's value added (煤炭工业增加值, 轻工业实现工业增加值…) has the scope of the whole it breaks
    down: 规上 when the section's last whole figure was 规上, whatever its own wording says.
    规下 is the one group outside it."""
    if code in _VALUE_ADDED and subject is None:
        state.whole_value_added = code
    elif code == "industrial_value_added_all" and subject != "规下" and state.whole_value_added == _VALUE_ADDED[0]:
        return _VALUE_ADDED[0]
    return code


def _sub_unit(state: ReadingState, r: _Reading, mention: Mention, subject: str | None) -> str | None:
    """A town or corps division named once goes on being the subject of its paragraph's figures
    (胜利镇…产值X亿元;实现增加值…;实现工业投资…) until a clause names the whole area or another group."""
    if is_sub_unit(subject):
        state.unit = subject
    elif subject is None and state.unit is not None:
        if not mention.alias or not names_a_whole(r.ctx, mention):
            return state.unit
        state.unit = None
    return subject


def _place_figure(r: _Reading, mention: Mention, fig: Figure) -> None:
    """Set `fig.place` when the figure is another place's than the segment's."""
    sentence = r.ctx.sentence
    if fig.place is None and _national(sentence, mention, fig):
        fig.place = "全国"  # 全国规上工业增加值增长4.6%, …全国增长4.0%: the country's own figure
    if fig.place is None and fig.measure == "yoy_pct" and ("(" in sentence or "（" in sentence or "、" in sentence):
        fig.place = item_place(sentence, fig)  # (…增长3.9%(广州增长1.6%、深圳增长5.9%): the item's own place)
    if fig.place is None:
        fig.place = place_heading(sentence, mention, fig)
    if fig.place is None and fig.measure in ("vs_benchmark_pp", "rank"):
        fig.place = r.last_place  # 郑州市增长1.5%,低于全省2.3个百分点: the gap is 郑州's
    if fig.place not in ("全国", "全省"):  # (not a benchmark's own figure: 高于全国(3.6%)2.3个百分点)
        r.last_place = fig.place
        r.last_measure = fig.measure if fig.place else None


# 金昌市规上工业同比增长31.1%,白银市为19.1%,酒泉市12.6%: places in parallel after a place's figure
_PLACE_IS = re.compile(r"\s*(?:而|其次|其中)?(?P<place>[^,，;；:：。、\d]{2,10}?)(?:为|是|达|达到|有|建成|完成|实现|累计)?\s*")


def _parallel_place(r: _Reading, fig: Figure) -> bool:
    """A clause that is only a place and a bare percentage, right after a figure of another place
    named in its clause, is that place's figure of the same indicator and measure; a clause or
    list item that is only a place and a level, after a level of that kind, is that place's level
    (累计建成5G基站98613座,其中深圳30591座、广州23555座)."""
    if fig.place is not None or r.previous is None:
        return False
    sentence = r.ctx.sentence
    if fig.measure == "level" and fig.unit_class == r.last_level:
        if sentence[fig.end: fig.end + 1] not in ("", "、", ",", "，", ";", "；", "。"):
            return False  # (江苏省13个设区市: the number counts the word after it)
        at = clause_start_or_list(sentence, fig.start)
        m = _PLACE_IS.fullmatch(sentence, at, fig.start)
        if m is None or named_place(m.group("place")) is None:
            return False
        fig.place, fig.evidence_start = m.group("place"), at
        return True
    if fig.measure != "level_pct" or r.last_measure not in ("yoy_pct", "share_pct"):
        return False
    at = clause_start(sentence, fig.start)
    m = _PLACE_IS.fullmatch(sentence, at, fig.start)
    if m is None or named_place(m.group("place")) is None:
        return False
    fig.place, fig.measure, fig.evidence_start = m.group("place"), r.last_measure, at
    return True


def _national(sentence: str, mention: Mention, fig: Figure) -> bool:
    """The figure is the country's: its clause opens with 全国/我国, or its indicator's clause opens
    with 其中 under such a clause (全国汽车产量…;其中新能源汽车产量97.7万辆,同比增长18.1%)."""
    if "全国" not in sentence and "我国" not in sentence:
        return False  # (the quick test: most sentences name neither)
    if _NATIONAL_CLAUSE.match(sentence, clause_start(sentence, fig.start)):
        return True
    at = clause_start(sentence, min(mention.start, fig.start))
    if not _PART_OF.match(sentence, at):
        return False
    while at > 0:  # back to the clause that names the whole (a place named between stops it)
        at = clause_start(sentence, at - 1)
        if _NATIONAL_CLAUSE.match(sentence, at):
            return True
        head = sentence[at: at + 8]
        if has_word("whole_words", head) or named_place(head) is not None:
            return False
    return False


def _evidence_start(r: _Reading, code: str, subject: str | None, fig: Figure, mention: Mention,
                    period: Period | None) -> int:
    """Where the row's evidence starts: the clause of its mention and figure, with a row identity
    (code, subject, measure, months, start) of its own within the sentence."""
    sentence = r.ctx.sentence
    at = clause_start(sentence, min(mention.start, fig.start))
    if fig.place:  # another place's figure: its own clause, so it keeps a row identity of its own
        at = clause_start(sentence, fig.start)
    if fig.evidence_start >= 0:
        at = fig.evidence_start
    # a second figure of the same kind from one clause start: its list item, else its own clause,
    # else the figure itself starts its evidence
    months = (period.start, period.end) if period else (1, 12)  # (1-9月 and 1—9月 are one period)
    if (code, subject, fig.measure, months, at) in r.identities:
        # (…, then any later start before the figure: places that share one figure after their own
        # bracketed values, 甘孜(21.5%)、泸州(10.9%)…7个市(州)增速在10%以上, are rows of their own)
        for candidate in (clause_start_or_list(sentence, min(mention.start, fig.start)),
                          clause_start(sentence, fig.start), fig.start, *range(at + 1, fig.start)):
            if (code, subject, fig.measure, months, candidate) not in r.identities:
                at = candidate
                break
    r.identities.add((code, subject, fig.measure, months, at))
    return at


def _figure_year(state: ReadingState, fig: Figure, period: Period | None, target: bool
                 ) -> tuple[int | None, str]:
    """The figure's own year (由2020年的…), the year before for 去年同期为…, else the year in force;
    with where it came from (for `industry-etl explain`)."""
    year = state.figure_year(period, target)
    if fig.year is not None:
        return fig.year, "its clause"
    if fig.prior_year and year is not None:
        return year - 1, "the year before (去年同期, a base value)"
    if state.year is None and year is not None:
        return year, "the page date"
    return year, state.year_from if year is not None else "nowhere"


_SINGLE_MONTH = re.compile(r"\d{1,2}月份?(?:当月)?|当月|单月|同比|累计|[,，:：\s]")


def _follow_on_head_is_group(sentence: str, fig: Figure, figures: list[Figure]) -> bool:
    """In a follow-on sentence, a growth figure counts when its clause names only a period or a
    group of industries or enterprises (分行业看,汽车制造业增长…; 其中,11月当月增长…), not some
    other measure (其中,民间投资增长…)."""
    lo = clause_start(sentence, fig.start)
    if _names_only_group(sentence[lo: fig.start], fig):
        # (生产手机1924.1万台,增长72.0%: a bare growth after an amount no figure read is that amount's)
        return not (BARE_GROWTH.fullmatch(sentence, lo, fig.start) and _after_other_quantity(sentence, lo, figures))
    return _after_list_item(sentence, fig, figures)


def _after_other_quantity(sentence: str, lo: int, figures: list[Figure]) -> bool:
    """The clause before `lo` states an amount no figure read (1924.1万台, 201.2亿千瓦时)."""
    prev = clause_start(sentence, max(0, lo - 1))
    return any(not any(f.start <= m.start() < f.end for f in figures)
               for m in _QUANTITY.finditer(sentence, prev, lo))


_QUANTITY = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s?(?:万|亿)?(?![\d.年月日号季%])[\u4e00-\u9fff]")


def _after_list_item(sentence: str, fig: Figure, figures: list[Figure]) -> bool:
    """其中,A同比增长2.5倍、B增长1.1倍: after a growth figure and a list comma, the item's own head
    (not 发电量达1581亿千瓦时、同比增长7.9%: that growth is of the level before it)."""
    at = clause_start_or_list(sentence, fig.start)
    after_growth = any(f.measure == "yoy_pct" and f.end == at - 1 for f in figures)
    return after_growth and _names_only_group(sentence[at: fig.start], fig)


_TARGET_HEAD = re.compile(r"(?:全年|年度)?(?:的)?(?:奋斗目标|预期目标|目标)(?:是|为)?(?:增长|增速为?)?$")


def _names_only_group(head: str, fig: Figure) -> bool:
    head = _TARGET_HEAD.sub("", follow_on_regex().sub("", head))  # (2024年奋斗目标为增长…: a target of it)
    head = HEAD_NOISE.sub("", _SINGLE_MONTH.sub("", PERIOD_OR_PLACE.sub("", head)))
    return not head or PARALLEL_GROUP.fullmatch(head) is not None or fig.place is not None or (
        2 <= len(head) <= 12 and named_place(head) is not None) or head in words()["macro_regions"]
