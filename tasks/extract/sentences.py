"""Reading one sentence: its figures, each attached to its indicator, become rows.

`read_sentence` takes the sentence's slice of the paragraph index, handles follow-on sentences
(分行业看, 其中, … after an indicator: the figures are the last indicator's) and topic headings
(1.规上工业总产值。), finds the figures, and for each one: its governing mention, code,
subject, place, period, year and evidence start, then builds the row. The year and period in
force advance as the sentence is read.
"""

from __future__ import annotations

import re

from schemas.stages import Document, Segment
from tasks.extract.boundaries import clause_start, clause_start_or_list
from tasks.extract.clauses import distribution, figures_per_listed_group, governing_mention, place_heading
from tasks.extract.exclusions import exclusion_words, not_a_row, over_several_years
from tasks.extract.figures import Figure, find_figures
from tasks.extract.index import TextIndex
from tasks.extract.lexicon import follow_on_regex, has_word, is_count, load_catalog, named_place
from tasks.extract.mentions import (
    PARALLEL_GROUP,
    PERIOD_OR_PLACE,
    Mention,
    SentenceContext,
    mention_subject,
    resolve_code,
)
from tasks.extract.rows import Draft, build_row
from tasks.extract.state import ReadingState, advance_state, count_period, end_sentence, is_figure_year


def _flags(sentence: str, upto: int, state: ReadingState) -> tuple[bool, bool]:
    head = sentence[:upto]
    estimate = has_word("estimate_words", head)
    target = state.future or has_word("target_words", head)
    return estimate, target


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
    opens = follow_on_regex().match(sentence) is not None
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
    years = [m for m in all_years if is_figure_year(sentence, m)]
    comparison_ends = {m.end for m in all_years if m not in years}
    periods = [p for p in periods_all if p[0] not in comparison_ends
               and not _COMPARED_WITH.search(sentence[max(0, p[0] - 2): p[0]])]
    if not figures:
        if mentions and not follow_on and _TOPIC_HEADING.fullmatch(sentence):
            code = resolve_code(SentenceContext(sentence, start, mentions, place_names), mentions[-1])
            if code is not None:  # "1.规上工业总产值。完成1205.3亿元…": the next sentences are about it
                state.topic_pending, state.last_code = True, code
                state.last_period, state.last_paragraph = state.period, state.paragraph
        advance_state(state, sentence, years, periods, len(sentence))
        end_sentence(state)
        return []
    # a mention inside a gap's benchmark (快于全部规上工业8.3个百分点) governs nothing after it
    mentions = [m for m in mentions if not any(
        f.measure == "vs_benchmark_pp" and f.start < m.start < f.end for f in figures)]
    ctx = SentenceContext(sentence, start, mentions, place_names, text[para_start:start], figures,
                          exclusion_words().search(sentence) is not None)
    if not follow_on:
        figures = figures_per_listed_group(sentence, figures)
        ctx.figures = figures
    distributed = distribution(ctx, figures)
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
    dropped_before = -2  # index of the last figure `not_a_row` dropped
    previous: Mention | None = None
    for i, fig in enumerate(figures):
        if fig is None:
            continue
        advance_state(state, sentence, years, periods, fig.start)
        if follow_on and not topic:
            mention, subject = mentions[0], None
        elif i in distributed:
            mention, subject = distributed[i]
        elif fig.group is not None:
            before = [m for m in mentions if m.end <= fig.start]
            mention, subject = previous or (before[-1] if before else None), fig.group
        else:
            mention, subject = governing_mention(ctx, fig, previous), None
        if mention is None:
            continue
        previous = mention
        code = resolve_code(ctx, mention)
        if code is None:
            continue
        entry = load_catalog().entries[code]
        measure = "level" if fig.measure == "level_pct" else fig.measure
        if measure not in entry.measures:
            continue
        if fig.measure == "level_pct" and "percent" not in entry.level_units:
            continue
        qualifies_dropped = fig.measure in ("vs_benchmark_pp", "rank") and dropped_before == i - 1
        if qualifies_dropped or not_a_row(ctx, mention, fig):
            if fig.measure not in ("vs_benchmark_pp", "rank") or qualifies_dropped:
                dropped_before = i  # a gap or rank after a growth that is no row (年均增长…,高于…) is none either
            continue
        if i not in distributed and fig.group is None:
            subject = mention_subject(ctx, mention, code, fig)
            if fig.measure in ("vs_benchmark_pp", "rank") and code in subject_of:
                subject = subject_of[code]  # a gap or rank qualifies the figure just before it (累计达62家,位居…)
        elif code == "industrial_value_added_all" and subject:
            code = "industrial_value_added"
        subject_of[code] = subject
        if fig.place is None and _NATIONAL_CLAUSE.match(sentence, clause_start(sentence, fig.start)):
            fig.place = "全国"  # 全国规上工业增加值增长4.6%, …全国增长4.0%: the country's own figure
        if fig.place is None:
            fig.place = place_heading(sentence, mention, fig)
        if fig.place is None and fig.measure in ("vs_benchmark_pp", "rank"):
            fig.place = last_place  # 郑州市增长1.5%,低于全省2.3个百分点: the gap is 郑州's
        if fig.place not in ("全国", "全省"):  # (not a benchmark's own figure: 高于全国(3.6%)2.3个百分点)
            last_place = fig.place
        period = fig.period or state.period
        if is_count(code) and not (period is not None and period.asof):
            period = count_period(sentence, periods_all, comparison_ends, fig.start)  # counts do not inherit
        evidence_at = clause_start(sentence, min(mention.start, fig.start))
        if fig.place:  # another place's figure: its own clause, so it keeps a row identity of its own
            evidence_at = clause_start(sentence, fig.start)
        if fig.evidence_start >= 0:
            evidence_at = fig.evidence_start
        # a second figure of the same kind from one clause start: its list item, else its own clause,
        # else the figure itself starts its evidence (each row keeps an identity of its own)
        months = (period.start, period.end) if period else (1, 12)  # (1-9月 and 1—9月 are one period)
        if (code, subject, fig.measure, months, evidence_at) in identities:
            for candidate in (clause_start_or_list(sentence, min(mention.start, fig.start)),
                              clause_start(sentence, fig.start), fig.start):
                if (code, subject, fig.measure, months, candidate) not in identities:
                    evidence_at = candidate
                    break
        identities.add((code, subject, fig.measure, months, evidence_at))
        estimate, target = _flags(sentence, fig.end, state)
        year = state.figure_year(period)
        if fig.year is not None:
            year = fig.year
        elif fig.prior_year and year is not None:
            year -= 1
        if fig.measure == "yoy_pct" and over_several_years(sentence, fig, year):
            continue  # "比2020年增长43.6%": growth over several years is no yoy row
        draft = Draft(code, fig, subject, year, period, evidence_at, estimate, target)
        rows.append(build_row(doc, segment, draft, start, text))
        state.last_paragraph = state.paragraph
        if not follow_on:  # a follow-on's own period (10月当月) is not passed on to the next one
            state.last_code, state.last_period = code, period
    advance_state(state, sentence, years, periods, len(sentence))
    end_sentence(state)
    return rows


_SINGLE_MONTH = re.compile(r"\d{1,2}月份?(?:当月)?|当月|单月|同比|累计|[,，:：\s]")


def _follow_on_head_is_group(sentence: str, fig: Figure) -> bool:
    """In a follow-on sentence, a growth figure counts when its clause names only a period or a
    group of industries or enterprises (分行业看,汽车制造业增长…; 其中,11月当月增长…), not some
    other measure (其中,民间投资增长…)."""
    head = sentence[clause_start(sentence, fig.start): fig.start]
    head = follow_on_regex().sub("", head)
    head = _SINGLE_MONTH.sub("", PERIOD_OR_PLACE.sub("", head))
    return not head or PARALLEL_GROUP.fullmatch(head) is not None or fig.place is not None or (
        2 <= len(head) <= 12 and named_place(head) is not None)
