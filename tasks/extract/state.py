"""The reading state carried from sentence to sentence, and the years and periods that change it.

`ReadingState` holds the year and period in force, the last indicator read (for follow-on
sentences) and the page's date. `is_figure_year` tells a year that dates the figures after it
from a comparison (与2023年同期, 2022年以来) or a passing date, and `mentions_in_force` keeps a
sentence's years and periods that are not comparisons; `advance_state` applies each year
and period mention as reading passes it; `end_sentence` ends a 当月 month; `count_period` is a
count's period (counts do not inherit a flow period).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tasks.extract.boundaries import LIST_JOINERS, clause_start
from tasks.extract.lexicon import has_word, word_tuple, words
from tasks.parse import Period, alternation


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
    before_month: Period | None = None  # the period in force before a month of one sentence (9月当月)
    sentence_month: bool = False  # the period in force is such a month: it ends with the sentence
    opened_paragraph: int = -1  # the paragraph a follow-on opener (分行业看) was read in
    report_period: Period | None = None  # the period the section as a whole is about (title or lead)
    topic: tuple[str, str | None] | None = None  # (code, subject) the last sentence was about
    whole_value_added: str | None = None  # the code (规上 or all) of the section's last whole value added
    unit: str | None = None  # a town or corps division this paragraph goes on about (胜利镇…)
    year_from: str = "the section's report year"  # where the year in force came from
    carry_closed: bool = False  # this paragraph stated 全年 or another year: the report's period stops

    def figure_year(self, period: Period | None, target: bool = False) -> int | None:
        """The year in force; with none stated in the body, the latest one whose period had ended
        by the publication date (published 2022-11 about 1—10月 -> 2022; 2024-01 about 全年 -> 2023);
        for a target, whose period is still to come, the first one not yet ended (published 2018-03
        about 3月 or 全年 -> 2018; 2018-12 about 1—6月 -> 2019)."""
        if self.year is not None or self.published is None:
            return self.year
        pub_year, pub_month = self.published
        end = period.end if period else 12
        if target:
            return pub_year if end >= pub_month else pub_year + 1
        return pub_year if end < pub_month else pub_year - 1

    def __post_init__(self) -> None:
        self.year = self.report_year


# Starts with a character class so the regex engine can skip ahead quickly.
YEAR = re.compile(r"[12今去上](?:(?<=[12])(?:(?<=1)9|(?<=2)0)\d\d年|(?<=[今去上])年)")


@cache
def _year_context() -> tuple[re.Pattern[str], re.Pattern[str]]:
    w = words()
    before = re.compile(f"(?:{alternation(w['year_comparison_before'])})$")
    after = re.compile(f"^(?:{alternation(w['year_comparison_after'])})")
    return before, after


@dataclass(frozen=True, slots=True)
class YearMention:
    start: int
    end: int
    year: int
    relative: bool = False  # 今年 (year 0) / 去年 (year -1): counted from the report year


_DATE = re.compile(r"\d{1,2}月\d{1,2}日")
_TIME_NAMED = re.compile(r"\d|[上下前全]半?年|[一二三四]季度")


def is_figure_year(sentence: str, m: YearMention) -> bool:
    """A year that names the time of what follows, not a comparison, a start point or a passing date."""
    before, after = _year_context()
    head = sentence[max(0, m.start - 3): m.start]
    as_of = head.endswith(word_tuple("year_as_of_before"))  # 截至2023年9月底: not a comparison
    if (before.search(head) and not as_of) or after.match(sentence[m.end: m.end + 3]):
        return False
    if _START_POINT.match(sentence, m.end):
        return False  # 去年下半年以来, 2022年6月以来: a start point, not the figures' year
    after_text = sentence[m.end: m.end + 6]
    if _DATE.match(after_text):
        return False  # a date (发布于2024年3月28日), not the year figures refer to
    lead = sentence[clause_start(sentence, m.start): m.start]
    return len(lead) <= 2 or bool(_TIME_NAMED.match(after_text))


_START_POINT = re.compile(r"(?:[上下]半年|[一二三四]季度|\d{1,2}月份?(?:底|末|初)?|前\d{1,2}个?月|年[底末初])(?:以来|起|开始)")
# 完成全年指标X%, 全年目标: the year named by a target or task is not a period in force
_TARGET_OF_YEAR = re.compile(r"(?:目标|任务|指标|计划)")
_COMPARED_WITH = re.compile(r"(?:较|比|与|同|相比)$")
# 是自4月份以来的单月最高增速: a period that starts a span is a start point, not a period in force
_SINCE = re.compile(r"(?:以来|起|开始)")


def mentions_in_force(sentence: str, periods: list[tuple[int, int, Period]], years: list[YearMention]
                      ) -> tuple[list[YearMention], list[tuple[int, int, Period]], set[int]]:
    """The year and period mentions of a sentence that change what is in force, and where the
    comparison years end (a period right after one, 比2023年1-9月, or after 较/比/与 is a comparison too)."""
    in_force = [m for m in years if is_figure_year(sentence, m)]
    comparison_ends = {m.end for m in years if m not in in_force}
    kept, compared_end = [], -1
    for p in periods:
        # 较一季度和1-5月分别提高…: every period of a list after a comparison word is compared with
        listed = compared_end >= 0 and sentence[compared_end: p[0]] in LIST_JOINERS
        if (p[0] in comparison_ends or listed or _COMPARED_WITH.search(sentence[max(0, p[0] - 2): p[0]])):
            compared_end = p[1]
        elif not _TARGET_OF_YEAR.match(sentence, p[1]) and not _SINCE.match(sentence, p[1]):
            kept.append(p)
    return in_force, kept, comparison_ends


def mention_text(sentence: str, mention: YearMention) -> str:
    return sentence[mention.start: mention.end]


def year_mention(m: re.Match[str]) -> YearMention:
    text = m.group(0)
    if text[0].isdigit():
        return YearMention(m.start(), m.end(), int(text[:4]))
    return YearMention(m.start(), m.end(), 0 if text == "今年" else -1, relative=True)


def count_period(sentence: str, periods: list[tuple[int, int, Period]], skip: set[int],
                        before: int) -> Period | None:
    """A count's period: one stated in its own sentence, the last before the count (截至11月底…,其中11月份
    新增3户 -> 11月), else the first after it (全市XX家规模以上工业企业1-9月份…), else none."""
    stated = [(start, period) for start, _end, period in periods
              if start not in skip and not (period.start == 1 and period.end == 12)]
    earlier = [period for start, period in stated if start < before]
    if earlier:
        return earlier[-1]
    return stated[0][1] if stated else None


def advance_state(state: ReadingState, sentence: str, years: list[YearMention],
                   periods: list[tuple[int, int, Period]], upto: int) -> None:
    """Apply every year and period mention before `upto` (consumed from the lists)."""
    while years and years[0].start < upto:
        mention = years.pop(0)
        base = state.relative_base if state.relative_base is not None else state.report_year if (
            state.report_year is not None) else (state.published[0] if state.published else None)
        if mention.relative and base is None:
            continue  # 今年 in a text that never says which year: still unknown
        y = base + mention.year if mention.relative and base is not None else mention.year
        state.year = y
        state.year_from = f"{mention_text(sentence, mention)} in the text before it"
        state.period = None
        state.carry_closed = state.carry_closed or y != state.report_year
        state.future = state.report_year is not None and y > state.report_year
    while periods and periods[0][0] < upto:
        at, _, period = periods.pop(0)
        if not _month_of_sentence(state, sentence, at, period):
            state.sentence_month = False  # (9月当月…,1-9月…: the range stays in force)
        elif not state.sentence_month:
            state.before_month, state.sentence_month = state.period, True
        full_year = period.start == 1 and period.end == 12
        cumulative = _year_to_date(state, sentence, period)
        if cumulative is None:
            continue
        period = cumulative
        state.period = None if full_year else period
        state.carry_closed = state.carry_closed or full_year


def _year_to_date(state: ReadingState, sentence: str, period: Period) -> Period | None:
    """A quarter (二季度, 4..6) read as year-to-date where the text says it is cumulative (累计,
    今年以来): 1..6. A quarter repeating the cumulative quarter in force is that same period (None:
    nothing changes); 上半年…其中二季度 stays the single quarter."""
    quarter = period.end - period.start == 2 and period.end % 3 == 0 and period.start > 1
    if not quarter:
        return period
    current = state.period
    if current is not None and current.start == 1 and current.end == period.end and "季度" in current.label:
        return None
    if has_word("year_to_date_words", sentence):
        return Period(1, period.end, period.label)
    return period


def _month_of_sentence(state: ReadingState, sentence: str, at: int, period: Period) -> bool:
    """A month that holds for its own sentence only: 9月当月, or the last month of the year-to-date
    range in force named inside a later clause (1~6月份,工业投资…,6月份出口增速由负转正。), a detail
    of that month, not a new period for the paragraph."""
    if "当月" in period.label:
        return True
    current = state.period
    return (period.start == period.end and current is not None and current.start == 1
            and current.end == period.end and clause_start(sentence, at) > 0)


def end_sentence(state: ReadingState) -> None:
    """A sentence's own month (`_month_of_sentence`) ends with it; the range in force before it comes back."""
    if state.sentence_month:
        state.period, state.sentence_month = state.before_month, False
