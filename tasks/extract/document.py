"""Reading a document: each segment's tables first, then its paragraphs and sentences in order,
with the reading state (year, period, last indicator) carried along. A month range does not cross
a paragraph; a short heading sentence stops it.
"""

from __future__ import annotations

import bisect
import re

from schemas.stages import Document, Segment
from tasks.extract.boundaries import LINE, SENTENCE_SPLIT
from tasks.extract.exclusions import exclusion_words
from tasks.extract.figures import (
    DIGIT,
    figure_regex_at,
    figure_start_chars,
    figure_starts,
    next_rank_regex,
)
from tasks.extract.index import TextIndex
from tasks.extract.lexicon import (
    follow_on_regex,
    is_zone_report,
    load_catalog,
    place_and_zone_regex,
    place_name_regex,
    word_regex,
    words,
)
from tasks.extract.sentences import read_sentence
from tasks.extract.state import ReadingState
from tasks.extract.tables import read_tables
from tasks.parse import Period

_STATED_YEAR = re.compile(r"(?:19|20)\d\d年(?!\d{1,2}月\d{1,2}日)")
_PUBLISHED = re.compile(r"(\d{4})-(\d{1,2})")


def _year_month(date: str | None) -> tuple[int, int] | None:
    m = _PUBLISHED.match(date or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def extract_indicators(doc: Document, place_names: re.Pattern[str] | None = None) -> list[dict]:
    """Every catalog figure in a cleaned, placed document, as `indicators` rows (run_id left empty).

    A zone's own report (its title names 开发区, 高新区, 园区…) reads the zone words like place
    names: "开发区规上工业总产值…" there is the report's headline, not a subject."""
    if place_names is None and is_zone_report(doc.title or ""):
        place_names = place_and_zone_regex()
    text = doc.cleaned_text
    rows: list[dict] = []
    segments = doc.segments or [Segment(0, 0, len(text))]
    for segment in segments:
        published = _year_month(doc.publication_date)
        report_period = Period(*segment.report_period) if segment.report_period else None
        state = ReadingState(segment.report_year, published=published, report_period=report_period)
        if published is not None and not _STATED_YEAR.search(text, segment.start, segment.end):
            state.relative_base = published[0]  # contract: 今年/去年 count from the page's date
        table_lines: set[int] = set()
        rows.extend(read_tables(doc, segment, ReadingState(segment.report_year, published=published), table_lines))
        for para in LINE.finditer(text[segment.start: segment.end]):
            p_start = segment.start + para.start()
            if p_start in table_lines:
                continue  # a table row, read above
            state.period = None  # a month range does not cross a paragraph
            state.carry_closed, state.topic, state.unit = False, None, None
            state.paragraph += 1
            paragraph = para.group(0)
            index = TextIndex.of(paragraph, p_start, all_periods=state.topic_pending)
            if not index.mentions and not index.years and not index.follow_ons and not state.topic_pending:
                continue  # (most narrative paragraphs: no year, no figure)
            starts = index.starts()
            for sent in SENTENCE_SPLIT.finditer(paragraph):
                a, b = sent.span()
                s_start, s_end = p_start + a, p_start + b
                if b - a <= 12 and not DIGIT.search(paragraph, a, b):
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
    place_and_zone_regex()
    figure_starts()
    for char in figure_start_chars():
        figure_regex_at(char)
    exclusion_words()
    follow_on_regex()
    next_rank_regex()
    for name in words():
        if isinstance(words()[name], list):
            word_regex(name)

