"""The one number parser, the one period parser and the one word-list regex (`alternation`),
shared by the stages that need them."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from schemas import SCHEMAS_DIR

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_chinese_integer(text: str) -> int | None:
    """`十三` -> 13, `二十` -> 20, `一百零五` -> 105, `首` -> 1; None if not a numeral."""
    if text == "首":
        return 1
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current if text else None


def parse_month(text: str) -> int | None:
    """A month number written in digits or Chinese numerals, 1..12, else None."""
    n = parse_chinese_integer(text)
    return n if n is not None and 1 <= n <= 12 else None


# Multipliers that stand between a number and its unit.
_MULTIPLIER = {"": 1.0, "万": 1e4, "亿": 1e8, "万亿": 1e12, "千": 1e3, "百": 1e2}


def parse_number(digits: str, multiplier: str = "") -> float:
    """`4.3`, `万亿` -> 4.3e12. Digits may carry thousands separators (`1,234.5`)."""
    return float(digits.replace(",", "")) * _MULTIPLIER[multiplier]


def to_yi_yuan(value: float, unit: str) -> float:
    """Money to 亿元: `76.5`, `万元` -> 0.00765; `4.3`, `万亿元` -> 43000."""
    factor = {"亿元": 1.0, "万亿元": 1e4, "万元": 1e-4, "元": 1e-8, "千亿元": 1e3}[unit]
    return round(value * factor, 10)


@dataclass(frozen=True)
class Period:
    start: int
    end: int
    label: str
    asof: bool = False


@dataclass(frozen=True)
class _PeriodRule:
    start: int | str
    end: int | str
    asof: bool


@cache
def _period_rules() -> tuple[re.Pattern[str], tuple[_PeriodRule, ...]]:
    """All rules of schemas/periods.toml as one alternation (group `r<i>` = rule i, first wins)."""
    data = tomllib.loads((SCHEMAS_DIR / "periods.toml").read_text(encoding="utf-8"))
    parts, rules = [], []
    for i, r in enumerate(data["rule"]):
        body = r["pattern"].replace("(?P<", f"(?P<r{i}_")
        parts.append(f"(?P<r{i}>{body})")
        rules.append(_PeriodRule(r["start"], r["end"], bool(r.get("asof", False))))
    return re.compile("|".join(parts)), tuple(rules)


def _month_value(spec: int | str, m: re.Match[str], i: int) -> int | None:
    if isinstance(spec, int):
        return spec
    if spec.startswith("q*3"):
        q = parse_month(m.group(f"r{i}_q"))
        if q is None or q > 4:
            return None
        return q * 3 - 2 if spec == "q*3-2" else q * 3
    return parse_month(m.group(f"r{i}_{spec}"))


def _period_of(m: re.Match[str], rules: tuple[_PeriodRule, ...]) -> Period | None:
    name = m.lastgroup  # the outermost group that closed last is the rule's own group
    i = int(name[1:].split("_")[0]) if name else -1
    if i < 0:
        return None
    start, end = _month_value(rules[i].start, m, i), _month_value(rules[i].end, m, i)
    if start is None or end is None or start > end:
        return None
    return Period(start, end, m.group(0), rules[i].asof)


@cache
def _period_starts() -> re.Pattern[str]:
    """Where a period wording can start (schemas/periods.toml `starts`), so the rules are tried only
    there: Python's regex engine would otherwise try every rule everywhere."""
    data = tomllib.loads((SCHEMAS_DIR / "periods.toml").read_text(encoding="utf-8"))
    return re.compile(data["starts"])


def find_periods(text: str) -> list[tuple[int, int, Period]]:
    """Every period mention in `text` as (start, end, Period), left to right."""
    if "月" not in text and "季" not in text and "年" not in text and "目前" not in text:
        return []  # every period wording has one of these; most sentences have none
    regex, rules = _period_rules()
    starts = _period_starts()
    found = []
    pos = 0
    while (candidate := starts.search(text, pos)) is not None:
        m = regex.match(text, candidate.start())
        if m is None or m.end() == m.start():
            pos = candidate.start() + 1
            continue
        pos = m.end()
        period = _period_of(m, rules)
        if period is not None:
            found.append((m.start(), m.end(), period))
    return found


def parse_period(text: str) -> Period | None:
    """The period a whole phrase names (`1—11月`, `上半年`, `前三季度`), else None."""
    regex, rules = _period_rules()
    m = regex.fullmatch(text.strip())
    return _period_of(m, rules) if m else None


def alternation(items: Iterable[str]) -> str:
    """A regex matching any of `items`, longest first (so a longer word wins over its prefix).

    Written as a trie (工业(?:增加值|投资)?, not 工业增加值|工业投资|工业): the regex engine then reads
    each character once at a position instead of trying every word there, and it still tries the
    words that match in order of length, so the regex matches exactly what the plain
    longest-first alternation does, also inside a larger pattern."""
    trie: dict = {}
    for word in items:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    ends = "" in node  # a word ends here: the longer ones are tried first (greedy), then this one
    if not branches or (len(branches) == 1 and not ends):
        return "".join(branches)
    if len(branches) == 1 and len(branches[0]) == 1:
        return branches[0] + "?"
    return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")
