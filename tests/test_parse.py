"""The one number parser, the one period parser (schemas/periods.toml) and the one word-list regex builder."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tasks.parse import (
    alternation,
    can_start_with,
    find_periods,
    parse_chinese_integer,
    parse_number,
    parse_period,
    to_yi_yuan,
    top_level_alternatives,
)

CONTRACT_PERIODS = {
    "1—11月": (1, 11), "1-11月": (1, 11), "1~11月": (1, 11), "前11个月": (1, 11),
    "一季度": (1, 3), "第一季度": (1, 3), "二季度": (4, 6), "上半年": (1, 6), "1—6月": (1, 6),
    "前三季度": (1, 9), "全年": (1, 12), "11月": (11, 11), "11月份": (11, 11), "11月当月": (11, 11),
    "前8月": (1, 8), "前8个月": (1, 8), "1至8月": (1, 8), "1月至8月": (1, 8), "截至9月底": (1, 9),
    "截至二季度": (1, 6),
}


@pytest.mark.parametrize(("written", "months"), CONTRACT_PERIODS.items())
def test_every_period_of_the_contract(written, months):
    period = parse_period(written)
    assert period is not None and (period.start, period.end) == months
    assert period.label == written


def test_a_date_is_not_a_month_period():
    assert find_periods("截至6月16日已偿还64.06%") == []


def test_periods_are_found_in_running_text_left_to_right():
    found = find_periods("2024年1—11月全市增长7%。1—10月信息软件业营收增长11.4%")
    assert [(p.start, p.end) for _, _, p in found] == [(1, 11), (1, 10)]


@pytest.mark.parametrize(("text", "value"), [("十三", 13), ("二十", 20), ("一百零五", 105), ("首", 1), ("7", 7)])
def test_chinese_numerals(text, value):
    assert parse_chinese_integer(text) == value


def test_numbers_and_money():
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("4.3", "万亿") == 4.3e12
    assert to_yi_yuan(76.5, "万元") == pytest.approx(0.00765)
    assert to_yi_yuan(4.3, "万亿元") == pytest.approx(43000)


@given(st.text(max_size=200))
def test_find_periods_never_raises_and_months_are_ordered(text):
    for start, end, period in find_periods(text):
        assert 0 <= start < end <= len(text)
        assert 1 <= period.start <= period.end <= 12


# --- alternation: a trie that matches what the plain longest-first alternation matches ------------

_WORDS = st.lists(st.text(alphabet="工业增加值投资规上(.)+", min_size=1, max_size=5), min_size=1, max_size=12)


def _plain(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@given(_WORDS, st.text(alphabet="工业增加值投资规上(.)+,", max_size=40))
def test_alternation_finds_what_the_plain_alternation_finds(words: list[str], text: str) -> None:
    trie, plain = re.compile(alternation(words)), re.compile(_plain(words))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]


@given(_WORDS, st.text(alphabet="工业增加值投资规上(.)+,", max_size=40))
def test_alternation_backtracks_like_the_plain_alternation_inside_a_pattern(words: list[str], text: str) -> None:
    # a longer word first, then shorter ones when the rest of the pattern fails
    trie = re.compile(f"(?:{alternation(words)})值")
    plain = re.compile(f"(?:{_plain(words)})值")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_alternation_is_a_trie() -> None:
    assert alternation(["工业", "工业增加值", "工业投资"]) == "工业(?:增加值|投资)?"
    assert alternation([]) == ""


# --- can_start_with / top_level_alternatives: what the figure regex's first-character dispatch uses --

_ATOMS = st.sampled_from(["a", "b", "工", "1", "[ab]", "[^a]", "[|a]", "\\|", r"\d", r"\D", r"\s", r"\S", ".", "[0-9]",
                          "[^,，\\d]", "(?<=a)", "(?<!b)", "(?=工)", "(?!1)", "^", r"\b"])


def _node(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, children).map("".join),
        st.tuples(children, children).map(lambda t: f"(?:{t[0]}|{t[1]})"),
        children.map(lambda x: f"(?:{x})?"), children.map(lambda x: f"(?:{x})*?"),
        children.map(lambda x: f"(?:{x}){{0,2}}"), children.map(lambda x: f"(?:{x})+"),
        children.map(lambda x: f"({x})"), children.map(lambda x: f"(?<![工b]){x}"))


_PATTERNS = st.recursive(_ATOMS, _node, max_leaves=8)


@settings(max_examples=400)
@given(_PATTERNS, st.text(alphabet="ab工1 ,，|\n", min_size=1, max_size=12))
@example("[^a]b", "工b")
def test_a_pattern_judged_unable_to_start_with_a_character_never_matches_there(pattern: str, text: str) -> None:
    regex = re.compile(pattern)
    for i, ch in enumerate(text):
        if regex.match(text, i) is not None:
            assert can_start_with(pattern, ch), (pattern, text, i)


def test_can_start_with_reads_first_characters() -> None:
    assert can_start_with("(?<![同环])(?:高于|低于)", "高") and not can_start_with("(?<![同环])(?:高于|低于)", "同")
    assert can_start_with(r"\d+%", "7") and not can_start_with(r"\d+%", "增")
    assert can_start_with("(?:增速)?为", "为") and not can_start_with("[^0-9]", "5")
    assert can_start_with("a?", "z")  # it can match the empty string anywhere


@given(st.lists(_PATTERNS, min_size=1, max_size=5))
def test_top_level_alternatives_splits_at_the_outermost_bar_only(branches: list[str]) -> None:
    assert top_level_alternatives("|".join(branches)) == branches
