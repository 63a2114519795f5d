"""Which mention governs which figure, and lists that share out figures.

`governing_mention`: mostly the last mention before the figure in the same or the previous
clause; gaps and ranks follow the figure they qualify; a count may precede its wording
(XX家规模以上工业企业); a share's "of what" is not its subject; parallel clauses
(…,制造业增长8.2%) and place headings (,江苏增长7.0%) keep the indicator before them.
`distribution`: A、B分别增长x%和y% (indicators, subjects, listed years, periods or places, one each).
`figures_per_listed_group`: 冶金有色、新材料、装备制造保持20%以上的增速 (one figure per group).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from functools import lru_cache

from tasks.extract.boundaries import (
    BARE_GROWTH,
    CLAUSE_MARK,
    LIST_JOINERS,
    SHARED_RATE,
    clause_start,
    count_boundaries,
    marks_between,
    sentence_part_start,
    split_items,
)
from tasks.extract.figures import Figure
from tasks.extract.lexicon import (
    has_word,
    is_count,
    is_group_name,
    load_catalog,
    named_place,
    place_name_regex,
    words,
)
from tasks.extract.mentions import (
    Mention,
    SentenceContext,
    continues_stock,
    is_sub_unit,
    mention_subject,
    parallel_subject,
    resolve_code,
    strip_regex,
    subject_from_prefix,
)
from tasks.parse import Period, find_periods

_REACHES = re.compile(r"(?:达到|达|突破|超过|超)")

_COUNT_LABEL = re.compile(r"(?:数|数量|总数)?[:：](?:共|为|达)?")

_FORWARD_BREAK = re.compile(r"[,，、;；。和及与]")

# (the small patterns the list and distribution rules use, compiled once)
_RESPECTIVELY = re.compile("分别")
_PART_END = re.compile(r"[。;；]")
_JOINER_GAP = re.compile(r"[、,，和及与]?\s*")
_GROWTH_GAP = re.compile(r"[、,，和及与]?(?:同比)?(?:增长|下降)?")
_COMMA = re.compile(r"[,，]")
_MEASURE_WORD_END = re.compile(r"(?:增加值|总产值|产值|投资)$")
_YEAR_NUMBER = re.compile(r"((?:19|20)\d\d)年")
_CLAUSE_SPLIT = re.compile(r"[,，;；:：]")
_JOINERS_ONLY = re.compile(r"[、和及与\s]*")
_ETC_TAIL = re.compile(r"等(?:产业|领域|行业|集群)?[^、]*$")
_FIRST_ITEM_LEAD = re.compile(r"[,，:：]|其中|中(?=[^中]{2,}$)")
_GROUP_WORD_END = re.compile(r"(?:产业集群|产业|行业|集群)$")

_COUNTED = ("count", "station", "vehicle")  # unit classes of counted things (家, 个, 辆)
# (规模以上工业增加值达到9.1%; 增加值增速位居全省第一,达到12.3%)
RATE_REACHED = re.compile(r"(?:同比)?(?:(?:增速|增幅)[^。;；%\d]{0,12}?)?(?:达到|达|为)")


def governing_mention(ctx: SentenceContext, fig: Figure, previous: Mention | None) -> Mention | None:
    """The indicator mention a figure belongs to (None: the figure is not about a catalog indicator).

    Mostly the last mention before the figure in the same or the previous clause; gaps and ranks
    follow the figure they qualify (`增长7.6%,高于全国1.8个百分点,居全国第13位`); a count may
    precede its wording (`XX家规模以上工业企业`); a share's "of what" is not its subject.
    `previous` is the mention the figure before it was attached to.
    """
    s = ctx.sentence
    if fig.forward or (fig.measure == "level" and fig.unit_class in _COUNTED):
        after = _mentions_right_after(ctx, fig)
        if after:
            clause = s[clause_start(s, fig.start): fig.start]
            return after[0] if fig.forward or not has_word("count_action_verbs", clause) else None
    if fig.measure == "rank":
        inside = [m for m in ctx.mentions if fig.start <= m.start < fig.end]
        if inside:
            return inside[-1]
        if fig.needs_inside:
            return None  # "全国第一城" needs its indicator inside
    before = [m for m in ctx.mentions if m.end <= fig.start]
    if fig.measure in ("vs_benchmark_pp", "rank") or fig.qualifies:
        return _qualified_mention(ctx, fig, previous, before)
    if fig.measure == "share_pct" and fig.share_of_start >= 0:
        return _share_holder(ctx, fig, previous, before)
    if fig.measure in ("level", "level_pct"):
        return _level_mention(s, fig, before)
    return _growth_mention(ctx, fig, previous, before)


def _mentions_right_after(ctx: SentenceContext, fig: Figure) -> list[Mention]:
    """Mentions right after a forward figure (689家规上工业企业, 70%的工业增加值) that it can be of."""
    entries = load_catalog().entries
    s = ctx.sentence
    after = [m for m in ctx.mentions if fig.end <= m.start <= fig.end + 1
             and not _FORWARD_BREAK.search(s[fig.end: m.start])]
    return [m for m in after if fig.forward or fig.unit_class in entries[m.code].level_units]


def _qualified_mention(ctx: SentenceContext, fig: Figure, previous: Mention | None,
                       before: list[Mention]) -> Mention | None:
    """A gap or rank qualifies the figure just before it (增长7.6%,高于全国1.8个百分点), else a
    mention in its own or the previous clause."""
    s = ctx.sentence
    if previous is not None and counter_between(ctx, previous, fig):
        return None
    own = [m for m in before if m.start >= clause_start(s, fig.start)]
    if own and fig.measure == "rank" and (previous is None or previous.end <= own[-1].start):
        return own[-1]  # ";规上工业增加值由全国城市第9位上升到第7位": the rank's own clause names its indicator
    if previous is not None and marks_between(s, previous.end, fig.start) <= 3:
        return previous
    prior = [f for f in ctx.figures if f.end <= fig.start]
    if previous is not None and prior and prior[-1].start >= previous.end and (
            marks_between(s, prior[-1].end, fig.start) <= 1):
        return previous  # a chain of qualifiers (…,连续7个月增长加快,高于全市0.8个百分点,居三区一县第2位)
    near = [m for m in before if marks_between(s, m.end, fig.start) <= 1]
    return near[-1] if near else None


def _share_holder(ctx: SentenceContext, fig: Figure, previous: Mention | None,
                  before: list[Mention]) -> Mention | None:
    """A share is of the mention before its 占 (工业投资…,占全县固定资产投资的38.5%); without one,
    of the last mention inside its "of what"."""
    s = ctx.sentence
    spanning = [m for m in ctx.mentions if m.start < fig.start < m.end and "…" in m.alias]
    if spanning:  # 新能源汽车占全省汽车产量71.6% (split alias 新能源汽车…产量): the words before 占 hold the share
        return replace(spanning[-1], gap=None)
    outer = [m for m in before if m.end <= fig.share_of_start]
    if (not outer or marks_between(s, outer[-1].end, fig.start) > 1) and previous is not None and (
            previous.end <= fig.share_of_start and marks_between(s, previous.end, fig.start) <= 3):
        outer = [previous]  # "完成工业投资42.8亿元,同比增长12.1%,占全县固定资产投资的38.5%"
    if outer and (marks_between(s, outer[-1].end, fig.start) <= 1 or outer[-1] is previous):
        if counter_between(ctx, outer[-1], fig):
            return None
        # the "of what" inside a share governs nothing after it (占…总产值的XX%,同比增长XX%)
        ctx.mentions[:] = [m for m in ctx.mentions if not fig.share_of_start <= m.start < fig.end]
        return outer[-1]
    of = [m for m in ctx.mentions if fig.share_of_start <= m.start < fig.end]
    return of[-1] if of else None


def _level_mention(s: str, fig: Figure, before: list[Mention]) -> Mention | None:
    """A level is of the last mention before it whose indicator has its unit, when close enough:
    a count in the same clause or list item (or a label, 企业数:1796家), an amount within a clause."""
    entries = load_catalog().entries
    unit_class = "percent" if fig.measure == "level_pct" else fig.unit_class
    if unit_class == "percent" and before and RATE_REACHED.fullmatch(s, before[-1].end, fig.start) and (
            "percent" not in entries[before[-1].code].level_units):
        return before[-1]  # 规模以上工业增加值达到9.1%: a rate right after an amount's wording is its growth
    before = [m for m in before if unit_class in entries[m.code].level_units]
    if not before:
        return None
    last = before[-1]
    between = s[last.end: fig.start]
    if unit_class in _COUNTED:
        if (count_boundaries(between, counts_list_comma=True) == 0 or continues_stock(s, fig)
                or _COUNT_LABEL.fullmatch(between)  # 规上工业企业数:1796家
                or (unit_class == "vehicle" and count_boundaries(between, counts_list_comma=True) <= 1
                    and _REACHES.match(s, clause_start(s, fig.start)))):  # 产量增长1.6倍,达到28.5万辆
            return last
        return None
    return last if count_boundaries(between) <= 1 and len(between) <= 30 else None


def _growth_mention(ctx: SentenceContext, fig: Figure, previous: Mention | None,
                    before: list[Mention]) -> Mention | None:
    """A growth figure is of the last mention in its own or the previous clause; in a run of
    parallel clauses (股份制企业增长7.6%, 广东增长4.1%) of the mention the figure before was of."""
    s = ctx.sentence
    near = [m for m in before if marks_between(s, m.end, fig.start) <= 1]
    if near and counter_between(ctx, near[-1], fig):
        return None  # "产值下滑XX家、占比XX%": the share is of the enterprises just counted
    if not near and previous is not None and _continues_figures_of(ctx, previous, fig):
        return previous  # "工业投资1022.4亿元,总量居全省第2,增长17.8%"; "…,占任务数的63.7%,同比下降15.38%"
    if not near and fig.measure == "yoy_pct" and (parallel_subject(s, fig) or place_heading(s, None, fig)):
        # "国有控股企业增加值增长5.3%;股份制企业增长7.6%,外商…企业增长2.1%"; "…,广东增长4.1%";
        # "在规模以上工业中,分经济类型看,国有控股企业增长1.5%"
        if previous is not None:
            return previous
        return before[-1] if before and marks_between(s, before[-1].end, fig.start) <= 3 else None
    if not near and fig.measure == "yoy_pct" and previous is not None and _bare_growth(ctx, previous, fig):
        return previous  # "…完成工业总产值1107.18亿元,占规模以上工业的25.7%;同比增长12.3%"
    if not near and (label := _HEADING_LABEL.match(s)) is not None and label.end() <= fig.start:
        # "(二)工业投资:上半年,全市同比增长12.6%": a heading's indicator governs the sentence after its colon
        in_label = [m for m in before if m.end <= label.end()]
        return in_label[-1] if in_label else None
    return near[-1] if near else None


_HEADING_LABEL = re.compile(r"\s*(?:[(（][一二三四五六七八九十\d]{1,2}[)）]|[一二三四五六七八九十\d]{1,2}[、.．])?\s*"
                            r"[^,，;；:：。\d]{2,16}[:：]")


def _bare_growth(ctx: SentenceContext, previous: Mention, fig: Figure) -> bool:
    """A clause that is only a growth (;同比增长12.3%) goes on about the indicator of the clauses
    before it, up to three marks back, unless another measure (产量, 出口…) or a count came between."""
    s = ctx.sentence
    return (BARE_GROWTH.fullmatch(s[clause_start(s, fig.start): fig.start]) is not None
            and marks_between(s, previous.end, fig.start) <= 3
            and not has_word("other_measure_words", s[previous.end: fig.start])
            and not any(previous.end <= f.start and f.end <= fig.start and f.measure == "level"
                        and f.unit_class != "money" for f in ctx.figures))

# A growth clause that names nothing but the growth (同比增长, 产量同比增长: 产量 is no alias of its own)
_BARE_GROWTH_HEAD = re.compile(r"(?:产量|产销量)?(?:同比|比上年|较上年|累计)?")


def _continues_figures_of(ctx: SentenceContext, previous: Mention, fig: Figure) -> bool:
    """A bare growth clause goes on about the mention of the figures before it when every clause in
    between holds a figure and names no other measure (a rank, a completion rate, a task amount),
    within three clause marks."""
    s = ctx.sentence
    lo = clause_start(s, fig.start)
    if not _BARE_GROWTH_HEAD.fullmatch(s[lo: fig.start]) or marks_between(s, previous.end, fig.start) > 3:
        return False
    parts = CLAUSE_MARK.split(s[previous.end: lo])[1:-1]  # the clauses after the mention's own
    at = previous.end
    for part in parts:
        at = s.find(part, at)
        if has_word("other_measures", part) or not any(at <= f.start < at + len(part) for f in ctx.figures):
            return False
        at += len(part)
    return True


# What may stand around a place at a clause's head: openers, a superlative (最快的南昌市增长9.6%,
# 最慢的新余市也增长8.2%), and 同比/累计/分别/也 before the growth
HEAD_NOISE = re.compile(r"^(?:其中|另外|此外|而|预计|同时)?(?:(?:增速|增幅)?最[快慢高低]的)?|(?:同比|累计|分别|也|还|仍)$|\s")


def place_heading(sentence: str, mention: Mention | None, fig: Figure) -> str | None:
    """A place that is all a clause names before its indicator or figure ("浙江规上工业增加值增长6.1%",
    ",江苏增长7.0%"): the figure is that place's."""
    lo = clause_start(sentence, fig.start)
    hi = mention.start if mention is not None and lo <= mention.start < fig.start else fig.start
    return _place_of_head(sentence[lo:hi])


def item_place(sentence: str, fig: Figure) -> str | None:
    """A place that is all a bracket or a list item names before its growth (…增长3.9%(广州增长1.6%、
    深圳增长5.9%)): the figure is that place's, its evidence from the place on."""
    m = _ITEM_OPENING.search(sentence, clause_start(sentence, fig.start), fig.start)
    place = _place_of_head(_GROWTH_WORD_END.sub("", m.group(0)[1:])) if m else None
    if m and place:
        fig.evidence_start = m.start() + 1
    return place


_ITEM_OPENING = re.compile(r"[(（、][^(（、,，;；。:：]*$")
_GROWTH_WORD_END = re.compile(r"(?:同比|比上年)?(?:增长|下降|增速为?|增幅为?)?$")


@lru_cache(maxsize=4096)
def _place_of_head(words: str) -> str | None:
    head = HEAD_NOISE.sub("", words)
    if head in ("全省", "全国"):  # (青岛市…增长4.6%,全省增长5.1%: the province's own figure)
        return head
    return head if 2 <= len(head) <= 12 and named_place(head) is not None else None


def counter_between(ctx: SentenceContext, mention: Mention, fig: Figure) -> bool:
    """A count figure of a kind the indicator cannot have stands between the indicator and `fig`."""
    levels = load_catalog().entries[mention.code].level_units
    return any(mention.end <= f.start and f.end <= fig.start and f.measure == "level"
               and f.unit_class not in levels for f in ctx.figures)


_Attached = dict[int, tuple[Mention | None, str | None]]  # figure index -> (mention, subject)

# a measure word only: the list's items are subjects, not indicators of their own
_MEASURE_ONLY = ("增加值", "产值", "总产值", "产业增加值", "行业增加值")


def distribution(ctx: SentenceContext, figures: list[Figure]) -> _Attached:
    """`A、B分别增长x%和y%`: figure index -> (mention, subject) for each listed item, in order."""
    out: _Attached = {}
    s = ctx.sentence
    if "分别" not in s:
        return out
    last_run: list[int] = []
    for m in _RESPECTIVELY.finditer(s):
        run = _run_after(s, m, figures)
        if len(run) < 2:
            continue
        if len(run) == len(last_run) and all(figures[i].measure == "vs_benchmark_pp" for i in run) and all(
                i in out for i in last_run):
            # A、B分别增长x、y,(分别)快于全部规上工业m和n个百分点: each gap is its growth's item's
            out.update({i: out[j] for i, j in zip(run, last_run, strict=True)})
            last_run = run
            continue
        first = figures[run[0]]
        negative = first.value is not None and first.value < 0
        for i in run[1:]:  # (增长6.2%、6.0%和5.8%: the later ones are of the first one's kind)
            f = figures[i]
            f.measure, f.unit, f.unit_class = first.measure, first.unit, first.unit_class
            if negative and f.value is not None:
                f.value = -abs(f.value)
        if len(run) == len(last_run) and all(i in out for i in last_run) and _same_items_again(
                ctx, figures, last_run, m.start()):
            # …,增加值占全市规上工业的比重分别达到x和y: each share is of its item's measure word
            out.update({i: out[j] for i, j in zip(run, last_run, strict=True)})
        else:
            out.update(_share_out(ctx, figures, m, run))
        last_run = run
    _pair_following_gaps(figures, last_run, out)
    return out


def _share_wholes(figures: list[Figure]) -> list[tuple[int, int]]:
    """The spans naming what each share is of (占规上工业比重…): a mention there is no listed item."""
    return [(f.share_of_start, f.end) for f in figures if f.measure == "share_pct" and f.share_of_start >= 0]


def _same_items_again(ctx: SentenceContext, figures: list[Figure], last_run: list[int], at: int) -> bool:
    """Between the run before and this 分别, the only wording is a bare measure word (增加值占…比重
    分别…) or the whole a share is of: the same listed items go on. (The measure word opens its
    clause and no list stands before it: A、B等领域…,增加值分别… lists items of its own.)"""
    s, lo = ctx.sentence, figures[last_run[-1]].end
    between = [x for x in ctx.mentions if lo <= x.start < at]
    bare = [x for x in between if x.alias in _MEASURE_ONLY]
    if not bare or "、" in s[lo: bare[0].start] or any(s[clause_start(s, x.start): x.start].strip() for x in bare):
        return False
    wholes = _share_wholes(figures)
    return all(x in bare or any(a <= x.start < b for a, b in wholes) for x in between)


def _pair_following_gaps(figures: list[Figure], run: list[int], out: _Attached) -> None:
    """分别增长1.5倍、1.3倍,快于全部规上工业136.3和111.0个百分点: as many gaps right after a shared
    run as it has items are those items' gaps, in order."""
    if not run or not all(i in out for i in run):
        return
    after = list(range(run[-1] + 1, run[-1] + 1 + len(run)))
    if after[-1] < len(figures) and all(figures[i].measure == "vs_benchmark_pp" and i not in out for i in after):
        out.update({i: out[j] for i, j in zip(after, run, strict=True)})


def _share_last_unit(figures: list[Figure], run: list[int]) -> None:
    """分别高于…15.1个、7.9个和4.8个百分点: the unit written once at the end is every item's."""
    last = figures[run[-1]]
    if last.measure != "vs_benchmark_pp" or not all(
            figures[i].measure == "level" and figures[i].unit == "个" for i in run[:-1]):
        return
    for i in run[:-1]:
        figures[i].measure, figures[i].unit, figures[i].unit_class = last.measure, last.unit, last.unit_class


def _run_after(s: str, m: re.Match[str], figures: list[Figure]) -> list[int]:
    """The figures right after 分别, joined by 、 和 及 与 , only."""
    group = [i for i, f in enumerate(figures) if f.end > m.end() and not f.listed and
             not _PART_END.search(s[m.end(): f.start])]
    run: list[int] = []
    for i in group:
        if run:
            _share_last_unit(figures, [*run, i])
            if (figures[i].measure in ("rank", "vs_benchmark_pp") or figures[i].place) and (
                    figures[i].measure != figures[run[0]].measure):
                break  # a rank, a gap or another place's figure never continues a list of growths
            gap = s[figures[run[-1]].end: figures[i].start]
            if not _JOINER_GAP.fullmatch(gap) and not _GROWTH_GAP.fullmatch(gap):
                break
        elif _COMMA.search(s[m.end(): figures[i].start]):
            break
        run.append(i)
    return run


def _share_out(ctx: SentenceContext, figures: list[Figure], m: re.Match[str], run: list[int]) -> _Attached:
    """Each figure of a run after 分别 gets its item of the list before it: a year, a period or a
    place; else an indicator; else a subject (of the groups listed, or of a split alias's gap)."""
    s = ctx.sentence
    start = sentence_part_start(s, m.start())
    # (A、B增加值占规上工业比重分别为…: the whole a share is of is no listed indicator)
    wholes = _share_wholes(figures)
    mentions = [x for x in ctx.mentions if start <= x.start < m.start() and not any(a <= x.start < b for a, b in wholes)]
    listed = _listed_values(s[start: m.start()], len(run))
    if listed:
        mention = mentions[-1] if mentions else None
        subject = mention_subject(ctx, mention, resolve_code(ctx, mention) or mention.code) if (
            mention is not None and listed[0] != "place") else None  # (a year's or month's: the wording's group)
        return _share_out_listed(s, figures, run, listed, start, m.start(), mention, subject)
    after = [x for x in ctx.mentions if m.end() <= x.start < figures[run[0]].start]
    if not mentions and after:  # 新能源、新材料、绿色建材三大主导产业分别实现产值A、B和C
        subjects = _list_items(s[clause_start(s, m.start()): m.start()], len(run))
        if subjects:
            return {i: (after[0], sub) for i, sub in zip(run, subjects, strict=True)}
    if not mentions:  # "…三大支柱产业集群分别增长4.1%、4.1%和7.0%": no catalog wording, no rows
        return dict.fromkeys(run, (None, None))
    if len(run) == 2 and mentions[-1].alias.endswith(("产销", "产销量")):
        # 新能源汽车产销分别完成705.8万辆和688.7万辆: production, then sales (no catalog figure)
        return {run[0]: (mentions[-1], None), run[1]: (None, None)}
    owners = _owners_of_figures_before(mentions, figures, start, m.start(), len(run)) if all(
        figures[i].measure == "vs_benchmark_pp" for i in run) else None
    if owners:
        # N gaps after N figures pair with them in order (制造业投资增长29.7%,技改投资增长34.4%,分别高于
        # 全国20.6个、25.3个百分点; …产业增加值增长26.6%,…产值增长16.1%,比全部规上工业分别高22.5和15.2百分点)
        return {i: (x, mention_subject(ctx, x, resolve_code(ctx, x) or x.code))
                for i, x in zip(run, owners, strict=True)}
    # (规上工业增加值增长16.2%,装备和高技术制造业增加值分别…: a mention with a figure of its own
    # before the list is not one of the listed indicators)
    kind = figures[run[0]].measure  # (营业收入812亿元、利润总额37亿元,分别增长…: levels of their own do not count)
    codes = [x for x, prev, nxt in zip(mentions, [None, *mentions[:-1]], [*mentions[1:], None], strict=True)
             if x.alias and not _scope_of(x, nxt) and not _FRAME_AFTER.match(s, x.end)
             and (x.alias not in _MEASURE_ONLY or _joined_to(s, prev, x) or _scope_of(prev, x))
             and not (nxt and any(x.end <= f.start < nxt.start and f.measure == kind for f in figures))]
    if len(codes) > len(run) and not any(CLAUSE_MARK.search(s[a.end: b.start])
                                         for a, b in itertools.pairwise(codes[-len(run):])):
        codes = codes[-len(run):]  # 规上工业企业实现营业收入X、利润总额Y,分别增长…: the listed ones
    if len(codes) == len(run) and _groups_sharing_measure(s, codes):
        # 高技术制造业、高技术服务业投资分别…: the last item's measure word is every item's (each
        # item its own mention of it, where the group stands)
        last = codes[-1]
        items: list[tuple[Mention, str | None]] = [
            (replace(x, code=last.code, alias=last.alias), x.alias) for x in codes[:-1]]
        items.append((last, mention_subject(ctx, last, resolve_code(ctx, last) or last.code)))
        return dict(zip(run, items, strict=True))
    if len(codes) == len(run):
        return {i: (mention, None) for i, mention in zip(run, codes, strict=True)}
    return _share_out_subjects(ctx, mentions[-1], m, run, start)


def _groups_sharing_measure(s: str, mentions: list[Mention]) -> bool:
    """A list of groups' names alone (装备制造业, 高技术制造业: catalog.toml `group_words` maps each
    to itself), each item right after a list separator, closed by an item with a measure word of
    another family than value added (…、高技术服务业投资)."""
    last = mentions[-1]
    return (len(mentions) >= 2 and last.code not in words()["value_added_codes"]
            and all(is_group_name(x.alias) for x in mentions[:-1])
            and all(s[a.end: a.end + 1] in LIST_JOINERS and not CLAUSE_MARK.search(s, a.end, b.start)
                    for a, b in itertools.pairwise(mentions)))


# 高技术制造业中,A、B投资分别…: the group the list is drawn from frames it, no item of it
_FRAME_AFTER = re.compile(r"中[,，:：]")


def _scope_of(x: Mention | None, nxt: Mention | None) -> bool:
    """An enterprise count's wording right before a measure word (规上工业企业增加值、总产值分别…) is
    that measure's scope, not an item of the list."""
    return x is not None and nxt is not None and x.end == nxt.start and is_count(x.code)


def _joined_to(s: str, prev: Mention | None, x: Mention) -> bool:
    """A measure word listed right after an indicator (规上工业产值、增加值分别…) is an indicator of
    the list, not the measure its groups share (A、B增加值分别…)."""
    return prev is not None and bool(prev.alias) and s[prev.end: x.start] in LIST_JOINERS


def _owners_of_figures_before(mentions: list[Mention], figures: list[Figure], start: int, end: int,
                              k: int) -> list[Mention] | None:
    """The mentions of the last k figures (not gaps or ranks) in s[start:end], one each and in
    order, when each figure has a mention of its own after the figure before it (N gaps after N
    figures pair with them)."""
    stated = [f for f in figures if start <= f.start and f.end <= end and f.measure not in ("vs_benchmark_pp", "rank")]
    if len(stated) < k:
        return None
    stated = stated[-k:]
    owners, lo = [], start
    for f in stated:
        own = [x for x in mentions if lo <= x.start and x.end <= f.start]
        if not own:
            return None
        owners.append(own[-1])
        lo = f.end
    return owners


def _listed_values(text: str, k: int) -> tuple[str, list] | None:
    """(the Figure attribute, its k values) of a list of years, periods or places in `text`:
    2021年、2022年…分别增长 (one year each); 一季度、上半年…分别增长 (one period each);
    宁波、嘉兴、衢州增速居前三位,分别增长6.2%、6.0%和5.8% (one row per place)."""
    for attr, find in (("year", _listed_years), ("period", _listed_periods), ("place", _listed_places)):
        found = find(text, k)
        if found:
            return attr, found
    return None


def _share_out_listed(s: str, figures: list[Figure], run: list[int], listed: tuple[str, list], start: int,
                      end: int, mention: Mention | None, subject: str | None) -> _Attached:
    attr, values = listed
    out: _Attached = {}
    at = start
    for i, value in zip(run, values, strict=True):
        if attr == "place":  # each place's row gets an identity of its own
            at = s.find(value, at, end)
            figures[i].evidence_start = at
        if attr == "place" and is_sub_unit(value):
            out[i] = (mention, value)  # (四师可克达拉市、十三师新星市…分别: corps divisions are subjects)
            continue
        setattr(figures[i], attr, value)
        out[i] = (mention, subject)
    return out


def _share_out_subjects(ctx: SentenceContext, mention: Mention, m: re.Match[str], run: list[int],
                        start: int) -> _Attached:
    """One indicator, one subject per figure: the groups of a split alias's gap (工业…和…投资), or
    the groups listed before the indicator (A、B、C等产业增加值分别…)."""
    s = ctx.sentence
    if mention.gap and len(split_items(mention.gap, "、和与及")) == len(run):
        subjects = [subject_from_prefix(x, ctx.place_names) or x for x in split_items(mention.gap, "、和与及")]
        return {i: (mention, sub) for i, sub in zip(run, subjects, strict=True)}
    lo = max(start, s.rfind(",", 0, mention.start) + 1, s.rfind("，", 0, mention.start) + 1)
    if "、" not in s[lo: mention.start] and "和" not in s[lo: mention.start]:
        lo = start
    text = s[lo: mention.start] if mention.start > lo else s[lo: m.start()]
    own = [f for f in ctx.figures if mention.end <= f.start and f.end <= m.start()]
    if own:  # 规上工业增加值增长7%,其中,电子信息、装备制造两大主导产业分别…: listed after its own figure
        text = s[own[-1].end: m.start()]
    group = _MEASURE_WORD_END.sub("", mention.alias)
    if text.endswith(LIST_JOINERS) and group and group != mention.alias:
        text += group  # 装备和高技术制造业增加值分别…: the alias holds the last item (高技术制造业)
    found = _list_items(text, len(run))
    if not found and mention.alias in _MEASURE_ONLY:
        # 装备和高技术制造业持续保持…增长,…,增加值同比分别增长…: the groups the sentence opened on
        opening = GROUP_OPENING.match(s, start)
        found = _list_items(opening.group("group"), len(run)) if opening else None
    if not found:
        return {}
    found = [subject_from_prefix(x, ctx.place_names) or x for x in found]  # (青海省装备和…: not the place)
    # …、专用设备制造业增加值分别…: the alias took the last item's own last word (but after 等 the word
    # is the whole list's: A、B、人工智能等规上制造业增加值)
    joined = load_catalog().group_words.get(mention.alias, "")
    closed = "等" in text.rsplit("、", 1)[-1]
    if joined and joined not in _GENERIC_GROUP and mention.start > lo and not closed and not found[-1].endswith(joined):
        found[-1] += joined
    return {i: (mention, sub) for i, sub in zip(run, found, strict=True)}


# A sentence that opens on a group (an industry, a cluster, or several: 装备和高技术制造业) and goes on
# after a comma: its bare measure words are the group's.
# (after the sentence's year or period, if any: 2023年1-9月,新能源汽车产业加快发展,实现…)
GROUP_OPENING = re.compile(r"\s*(?:(?:19|20)\d\d年)?(?:\d{1,2}\s*[-—–~至]\s*\d{1,2}月份?|上半年|下半年|前三季度|[一二三四]季度|全年)?"
                           r"[,，]?(?:其中|另外|此外)?[,，]?(?P<group>[^,，。;；:：\d%]{2,18}?(?:制造业|产业|行业|集群)|[轻重]工业)"
                           r"(?=[^,，。;；]*[,，])")

# A part of a sentence that opens on a group as its topic (…;重工业方面,实现增加值1.88亿元,增长30.2%;
# …,其中,汽车制造业表现突出,11月,增加值增速21%): its bare measure words are that group's, not those
# of the group named before it.
PART_TOPIC = re.compile(r"(?:^|[;；])\s*(?:在)?(?P<group>[^,，。;；:：\d%]{2,18}?(?:业|集群))方面[,，]"
                        r"|[,，;；](?:其中|另外|此外)[,，]?(?P<named>[^,，。;；:：\d%]{2,18}?(?:制造业|产业|行业|集群)|[轻重]工业)"
                        r"(?=[^,，。;；\d%]*[,，])")

_GENERIC_GROUP = ("产业集群", "产业", "行业", "集群")  # the words `_list_items` drops from every item
_LIST_HEAD_END = re.compile(r"增速|增幅|分别|均|等|增长|的|位居|居|排")

_YEAR_LIST = re.compile(r"(?:19|20)\d\d年(?:[、和及与](?:19|20)\d\d年)+")


def _listed_years(text: str, k: int) -> list[int] | None:
    """The k years listed in `text` (2021年、2022年、2023年), in order, or spanned by a series
    (2013-2017年规上工业增速分别为…: one value a year)."""
    for found in reversed(list(_YEAR_LIST.finditer(text))):
        years = [int(y) for y in _YEAR_NUMBER.findall(found.group(0))]
        if len(years) == k:
            return years
    span = _series_span(text, _YEAR_SPAN, k)
    return list(range(span[0], span[1] + 1)) if span else None


# A series: a span of years or months, then one indicator and 分别 with one value per year or
# month (2-7月,非烟工业增加值累计增幅分别为7.3%,10.0%,…). Three values at least, and no list of
# items between the span and 分别 (1-2月,A、B分别增长…: two indicators of one period).
_YEAR_SPAN = re.compile(r"((?:19|20)\d\d)\s*(?:-|—|–|~|～|至|到)\s*((?:19|20)\d\d)年")
_MONTH_SPAN = re.compile(r"(?<!\d)([1-9]|1[0-2])\s*月?(?:-|—|–|~|～|至|到)\s*([1-9]|1[0-2])月份?")


def _series_span(text: str, span: re.Pattern[str], k: int) -> tuple[int, int] | None:
    found = list(span.finditer(text))
    if k < 3 or not found:
        return None
    last = found[-1]
    first, final = int(last.group(1)), int(last.group(2))
    if final - first + 1 != k or _LIST_JOINER.search(text[last.end():]):
        return None
    return first, final


def _listed_periods(text: str, k: int) -> list[Period] | None:
    """The k periods listed in a clause of `text` (一季度、上半年、前三季度), in order, or spanned
    by a series of months: each month's own value, or with 累计 the year to date through it."""
    span = _series_span(text, _MONTH_SPAN, k)
    if span:
        months = range(span[0], span[1] + 1)
        if has_word("year_to_date_words", text):
            return [Period(1, m, f"1-{m}月") for m in months]
        return [Period(m, m, f"{m}月") for m in months]
    for clause in reversed(_CLAUSE_SPLIT.split(text)):
        found = find_periods(clause)
        if len(found) == k and all(_JOINERS_ONLY.fullmatch(clause[a[1]: b[0]]) for a, b in itertools.pairwise(found)):
            return [period for _start, _end, period in found]
    return None


def _listed_places(text: str, k: int) -> list[str] | None:
    """The k places listed in the last clause of `text` that lists places (宁波、嘉兴和衢州增速…)."""
    for clause in reversed(_CLAUSE_SPLIT.split(text)):
        # the list ends where its predicate starts: a head word or the indicator (…上海市软件收入分别为)
        ends = [m.start() for m in (_LIST_HEAD_END.search(clause), load_catalog().alias_regex.search(clause)) if m]
        names = [x for x in _LIST_JOINER.split(clause[: min(ends) if ends else len(clause)]) if x]
        if names and named_place(names[-1]) is None:  # 上海市软件(收入): the last place runs into its predicate
            names[-1] = next((names[-1][:k] for k in range(len(names[-1]) - 1, 1, -1)
                              if named_place(names[-1][:k]) is not None), names[-1])
        if len(names) == k and all(named_place(x) is not None for x in names):
            return names
    return None


_LIST_TAIL = re.compile(r"(?:[两三四五六七八九十]|\d+)[大个项](?:主导|支柱|重点|优势|特色|传统|新兴|战略性新兴|主要)?"
                        r"(?:产业集群|产业|行业|集群|领域|板块)?$")


_ITEM_PREDICATE = re.compile(r"(?<=业)(?:实现|保持|继续|持续|均|都|增速|增幅)[^、]*$")


def _list_items(text: str, k: int) -> list[str] | None:
    """The last k items of an enumeration `A、B、C等产业` (or `A和B`, `A、B、C三大主导产业`)."""
    # the list is in the last stretch between two 分别 that holds one (A、B分别实现产值…,分别增长…)
    text = next((part for part in reversed(text.split("分别")) if "、" in part or "和" in part), text)
    text = _ETC_TAIL.sub("", text)
    text = _LIST_TAIL.sub("", text)
    parts = split_items(text, "、")
    if len(parts) < k:
        alt = split_items(text, "、和与及")
        if len(alt) >= k:
            parts = alt
    if len(parts) < k:
        return None
    items = parts[-k:]
    first = _FIRST_ITEM_LEAD.split(items[0])[-1]
    place = place_name_regex().match(first)  # (南京市汽车制造业、电子信息业…: the report's place first)
    items[0] = first[place.end():] if place and len(first) - place.end() >= 2 else first
    # (…、电子产业实现两位数的较快增长,增速: the last item ends where its predicate starts)
    items[-1] = _ITEM_PREDICATE.sub("", _COMMA.split(items[-1], maxsplit=1)[0]) or items[-1]
    items = [_GROUP_WORD_END.sub("", x.strip(" \"“”")) or x for x in items]
    items = [strip_regex().sub("", x) or x for x in items]
    return items if all(0 < len(x) <= 20 for x in items) else None


# (an item holds no 、和及与: an item that could also hold a separator makes the regex backtrack
# exponentially on "汽车和汽车和…")
_GROUP_LIST = re.compile(r"(?:其中|另外|此外)?(?P<items>[^、和及与\W\d]{2,12}?(?:[、和及与][^、和及与\W\d]{2,12}?)+)"
                         r"(?:等)?(?P<count>[两三四五六七八九十]大|\d+个)?(?:行业|产业|领域|板块)?"
                         # (A、B、C三大行业产值增速均在10%以上: the measure word and its rate before 均)
                         r"(?:(?:工业)?(?:增加值|产值|总产值|营业收入|投资))?(?:同比)?(?:增速|增幅)?(?P<all>均|都|全部)?(?:在|为|达到|达)?"
                         r"(?P<keep>继续保持|保持)?")

_LIST_JOINER = re.compile(r"[、和及与]")


def _items_before_indicator(items: str) -> str | None:
    """The groups of a list with no indicator wording among them (A、B、C均增长…), or before the
    one that closes the list (A、B增加值均增长…: the groups' value added), or a list of the special
    groups themselves (高技术制造业、装备制造业增加值均增长…: each its own); else None."""
    found = list(load_catalog().alias_regex.finditer(items))
    if not found:
        return items
    if len(found) == 1 and found[0].end() == len(items) and _LIST_JOINER.search(items, 0, found[0].start()):
        return items[: found[0].start()]
    cat, special = load_catalog(), words()["value_added_codes"]
    parts = split_items(items, "、和及与")
    if len(found) == len(parts) >= 2 and all(
            cat.alias_to_code[m.group(0)] in special and not cat.alias_to_code[m.group(0)].startswith("industrial_")
            for m in found):
        return "、".join(_MEASURE_WORD_END.sub("", p.removesuffix("等")) for p in parts)
    return None


def figures_per_listed_group(sentence: str, figures: list[Figure]) -> list[Figure]:
    """`其中冶金有色、新材料、装备制造保持20%以上的增速`: a growth figure right after a list of groups
    (without 分别 over several figures) is a figure of each group, with its evidence from the group on."""
    if not _LIST_JOINER.search(sentence):
        return figures  # (no list anywhere in the sentence)
    out = []
    for fig in figures:
        if fig.measure != "yoy_pct":
            out.append(fig)
            continue
        head = sentence[clause_start(sentence, fig.start): fig.start]
        listed = _GROUP_LIST.fullmatch(head) if len(head) >= 5 and _LIST_JOINER.search(head) else None
        items = None
        # a marker says it is a list of groups, not one group whose name holds 、 (电力、热力…供应业)
        marked = listed and (listed.group("count") or listed.group("all") or listed.group("keep")
                             or sentence.startswith("保持", fig.start) or SHARED_RATE.match(sentence, fig.start))
        text = _items_before_indicator(listed.group("items")) if marked and listed else None
        if text is not None:
            items = _list_items(text, len(split_items(text, "、和及与")))
        if items and all(named_place(x) is not None for x in items):
            items = None  # a list of places: enumerations.figures_per_listed_place reads it
        if not items:
            out.append(fig)
            continue
        lo = clause_start(sentence, fig.start)
        for item in items:
            at = sentence.find(item, lo, fig.start)
            out.append(replace(fig, group=item, evidence_start=at if at >= 0 else fig.start))
            lo = max(lo, at + len(item))
    return out
