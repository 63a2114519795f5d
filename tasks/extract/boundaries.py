"""Where clauses and sentences end: the punctuation that splits a sentence into clauses
(，;；:：。, and, for lists, 、), with a comma between digit groups (1,234.5) no boundary.

Clause starts are looked up in cached mark positions, since every figure and mention asks.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

# A comma between digit groups (1,234.5) is not a clause boundary.
# (Each opens with one character class, so the regex engine skips ahead at C speed.)
CLAUSE_MARK = re.compile(r"[，;；:：。,](?!(?<=\d,)\d{3}(?!\d))")

_LIST_MARK = re.compile(r"[，;；:：。、,](?!(?<=\d,)\d{3}(?!\d))")


@lru_cache(maxsize=256)
def _mark_positions(sentence: str, with_list_comma: bool) -> list[int]:
    regex = _LIST_MARK if with_list_comma else CLAUSE_MARK
    return [m.start() for m in regex.finditer(sentence)]


def clause_start(sentence: str, pos: int) -> int:
    """Start of the clause holding `pos`: after the last clause boundary before it."""
    marks = _mark_positions(sentence, False)
    i = bisect.bisect_left(marks, pos)
    return marks[i - 1] + 1 if i else 0


def marks_between(sentence: str, start: int, end: int) -> int:
    """Clause boundaries in sentence[start:end], from the sentence's cached marks (a count per
    figure and mention would otherwise rescan long sentences again and again)."""
    marks = _mark_positions(sentence, False)
    return bisect.bisect_left(marks, end) - bisect.bisect_left(marks, start)


def count_boundaries(text: str, counts_list_comma: bool = False) -> int:
    """Clause boundaries inside `text` (a full stop never occurs inside a sentence)."""
    return len((_LIST_MARK if counts_list_comma else CLAUSE_MARK).findall(text))


def clause_start_or_list(sentence: str, pos: int) -> int:
    """Like `clause_start`, but a list comma 、 also ends a clause."""
    marks = _mark_positions(sentence, True)
    i = bisect.bisect_left(marks, pos)
    return marks[i - 1] + 1 if i else 0


def sentence_part_start(s: str, pos: int) -> int:
    """Start of the part of a sentence holding `pos`: after the last 。 or semicolon before it."""
    i = max(s.rfind(c, 0, pos) for c in "。;；")
    return i + 1


# Sentences end at 。!?; a semicolon only separates clauses (parallel statistics often run on).
SENTENCE_SPLIT = re.compile(r"[^。!！?？\n]+[。!！?？]?")
