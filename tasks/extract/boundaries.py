"""Where clauses and sentences end: the punctuation that splits a sentence into clauses
(，;；:：。, and, for lists, 、), with a comma between digit groups (1,234.5) no boundary.

Clause starts are looked up in cached mark positions, since every figure and mention asks.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from functools import cache, lru_cache

from schemas import SCHEMAS_DIR
from tasks.parse import alternation

# A comma between digit groups (1,234.5) is not a clause boundary.
# (Each opens with one character class, so the regex engine skips ahead at C speed.)
CLAUSE_MARK = re.compile(r"[，;；:：。,](?!(?<=\d,)\d{3}(?!\d))")

# A clause that states only a growth, before its figure (;同比增长12.3%, ,比上年增长): it goes on
# about what the clauses before it named.
BARE_GROWTH = re.compile(r"\s*(?:同比|比上年|比去年|较上年|较去年)?(?:增长|下降|增加|减少|提高|上升|增速为?|增幅为?)?\s*")

# The words that join a list's items (A、B; A和B; A及B; A与B).
LIST_JOINERS = ("、", "和", "及", "与")

# A rate every item listed before it shares, as the figure opens (…增速均在30%以上, …增长均超过10%).
SHARED_RATE = re.compile(r"(?:增速|增幅|增长|下降)(?:均|都)")

_LIST_MARK = re.compile(r"[，;；:：。、,](?!(?<=\d,)\d{3}(?!\d))")


@cache
def _industry_names() -> re.Pattern[str]:
    """Industry names that hold a list separator (schemas/industry_names.toml), longest first."""
    names = tomllib.loads((SCHEMAS_DIR / "industry_names.toml").read_text(encoding="utf-8"))["names"]
    return re.compile(alternation(names))


@lru_cache(maxsize=256)
def industry_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where `text` names an industry whose name holds 、 和 or 及 (纺织服装、服饰业): one group."""
    if "业" not in text or not ("、" in text or "和" in text or "及" in text):
        return ()
    return tuple(m.span() for m in _industry_names().finditer(text))


def _inside(pos: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(a < pos < b for a, b in spans)


@lru_cache(maxsize=256)
def _mark_positions(sentence: str, with_list_comma: bool) -> list[int]:
    regex = _LIST_MARK if with_list_comma else CLAUSE_MARK
    marks = [m.start() for m in regex.finditer(sentence)]
    spans = industry_spans(sentence) if with_list_comma else ()
    return [p for p in marks if not _inside(p, spans)] if spans else marks


def split_items(text: str, separators: str = "、") -> list[str]:
    """The items of a list, split at `separators` but never inside an industry's own name."""
    spans = industry_spans(text)
    items, start = [], 0
    for i, ch in enumerate(text):
        if ch in separators and not _inside(i, spans):
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [x for x in items if x]


# The marks of the sentence asked about last, without and with list commas: the rules ask of one
# sentence many times in a row. (Each entry is one tuple, replaced whole, so threads reading
# sentences side by side never see a torn pair.)
_LAST_MARKS: list[tuple[str | None, list[int]]] = [(None, []), (None, [])]


def _clause_marks(sentence: str, with_list_comma: bool = False) -> list[int]:
    last = _LAST_MARKS[with_list_comma]
    if last[0] is sentence:
        return last[1]
    marks = _mark_positions(sentence, with_list_comma)
    _LAST_MARKS[with_list_comma] = (sentence, marks)
    return marks


def clause_start(sentence: str, pos: int) -> int:
    """Start of the clause holding `pos`: after the last clause boundary before it."""
    last = _LAST_MARKS[0]  # (the quick path of `_clause_marks`, written out: the rules ask this most)
    marks = last[1] if last[0] is sentence else _clause_marks(sentence)
    i = bisect.bisect_left(marks, pos)
    return marks[i - 1] + 1 if i else 0


def marks_between(sentence: str, start: int, end: int) -> int:
    """Clause boundaries in sentence[start:end], from the sentence's cached marks (a count per
    figure and mention would otherwise rescan long sentences again and again)."""
    marks = _clause_marks(sentence)
    return bisect.bisect_left(marks, end) - bisect.bisect_left(marks, start)


def count_boundaries(text: str, counts_list_comma: bool = False) -> int:
    """Clause boundaries inside `text` (a full stop never occurs inside a sentence)."""
    return len((_LIST_MARK if counts_list_comma else CLAUSE_MARK).findall(text))


def clause_start_or_list(sentence: str, pos: int) -> int:
    """Like `clause_start`, but a list comma 、 also ends a clause."""
    marks = _clause_marks(sentence, True)
    i = bisect.bisect_left(marks, pos)
    return marks[i - 1] + 1 if i else 0


def sentence_part_start(s: str, pos: int) -> int:
    """Start of the part of a sentence holding `pos`: after the last 。 or semicolon before it."""
    return max(s.rfind("。", 0, pos), s.rfind(";", 0, pos), s.rfind("；", 0, pos)) + 1


# Sentences end at 。!?; a semicolon only separates clauses (parallel statistics often run on).
SENTENCE_SPLIT = re.compile(r"[^。!！?？\n]+[。!！?？]?")

# A line of text: a paragraph, or a row of a pasted table.
LINE = re.compile(r"[^\n]+")
