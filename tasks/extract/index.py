"""`TextIndex`: the mentions, periods, years and follow-on openers of one paragraph, found once.

A paragraph that cannot hold a figure (no digit, redaction mark or numeral rank) is indexed for
its years only, since they carry; each sentence then takes its slice of the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from tasks.extract.lexicon import follow_on_first_chars, follow_on_regex, group_growth_regex
from tasks.extract.mentions import Mention, find_mentions
from tasks.extract.state import YEAR, YearMention, year_mention
from tasks.parse import Period, find_periods

# Every figure has one of these: a digit that is not a date's (2024年, 9月, 5日 are no figure's
# number), a redaction mark, or a Chinese-numeral rank or level (第三位, 首位, 突破万亿元, 万余家,
# 超百万辆, 首破千家: the level branches of figures.py). Most narrative paragraphs have none. Written
# as one character class and what must follow it: a pattern that opens with a class is scanned for
# it at C speed; an alternation is tried in full at every position.
_FIGURE_HINT = re.compile(r"[0-9*Xx第首万千百](?:(?<=[*Xx第])|(?<=[0-9])(?![0-9.,]*[年月日])|(?<=首)位"
                          r"|(?<=万)[亿余多]|(?<=千)[亿万家户个座辆]|(?<=百)[万家户个座辆])")


# A sentence that is only a gap or a rank (a deck line: 高于全国平均水平0.6个百分点) goes on about the
# figure before it (tasks/extract/sentences.py)
QUALIFIER_OPENING = re.compile(r"\s*(?:增速|增幅)?(?:高于|快于|高出|超出|领先|低于|慢于|位居|居|位列|排名|排)"
                               r"(?:全国|全省|全市|全区|全县|同期)")
_QUALIFIER_AFTER_END = re.compile(r"[。!！?？](?=\s*(?:增速|增幅)?[高快超领低慢位居排])")


@cache
def _follow_on_openings() -> re.Pattern[str]:
    """A sentence end followed by a character that can start a follow-on opener (a character
    class first: the regex engine skips to candidates at C speed)."""
    first = "".join(sorted(follow_on_first_chars()))
    return re.compile(rf"[。!！?？](?=[{re.escape(first)}])")


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
        years = [year_mention(m) for m in YEAR.finditer(paragraph)
                 if m.start() == 0 or not paragraph[m.start() - 1].isdigit()] if "年" in paragraph else []
        if not _FIGURE_HINT.search(paragraph):
            return cls(offset, [], [], years)  # no figure can be here: only its years matter (they carry)
        mentions = find_mentions(paragraph)
        opener = follow_on_regex()  # tried at sentence openings only
        openings = [0] if paragraph[:1] in follow_on_first_chars() else []
        follow_ons = [i for i in [*openings, *(m.end() for m in _follow_on_openings().finditer(paragraph))]
                      if opener.match(paragraph, i)]
        follow_ons += [i for i in [0, *(m.end() for m in _QUALIFIER_AFTER_END.finditer(paragraph))]
                       if QUALIFIER_OPENING.match(paragraph, i)]
        # 制造业增长3.4%: a group's growth may go on about the section's indicator
        follow_ons += [m.start() for m in group_growth_regex().finditer(paragraph)]
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
