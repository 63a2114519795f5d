"""The one number parser, the one period parser and the one word-list regex (`alternation`),
shared by the stages that need them."""

from __future__ import annotations

import re
import re._constants as re_constants  # the parse tree can_start_with reads (stable since 3.11)
import re._parser as re_parser
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

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


def top_level_alternatives(pattern: str) -> list[str]:
    """The branches of a regex's outermost `|`, as written ("a(b|c)|d" -> ["a(b|c)", "d"])."""
    branches, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 2 if pattern.startswith("[^]", i) else 1 if pattern.startswith("[]", i) else 0  # a literal ]
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*branches, pattern[start:]]


@cache
def _parsed(pattern: str) -> Any:
    return re_parser.parse(pattern)


def can_start_with(pattern: str, char: str) -> bool:
    """Whether a match of `pattern` can begin with `char` (or be empty), read off its parse tree.

    True whenever the tree does not say (a category like \\d, a backreference): a pattern judged
    unable to start with `char` never can, so a regex may skip it wherever `char` stands."""
    starts, empty = _sequence(_parsed(pattern), char)
    return starts or empty


def _sequence(items: Any, char: str) -> tuple[bool, bool]:
    """(can start with `char`, can be empty) for a sequence of parse-tree items."""
    starts = False
    for op, av in items:
        first, empty = _item(op, av, char)
        starts = starts or first
        if not empty:
            return starts, False
    return starts, True


def _item(op: Any, av: Any, char: str) -> tuple[bool, bool]:
    c = re_constants
    if op is c.LITERAL:
        return chr(av) == char, False
    if op is c.NOT_LITERAL:
        return chr(av) != char, False
    if op is c.ANY:
        return True, False
    if op is c.IN:
        return _in_class(av, char), False
    if op is c.BRANCH:
        found = [_sequence(branch, char) for branch in av[1]]
        return any(s for s, _ in found), any(e for _, e in found)
    if op is c.SUBPATTERN:
        return _sequence(av[3], char)
    if op is c.ATOMIC_GROUP:
        return _sequence(av, char)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        starts, empty = _sequence(av[2], char)
        return starts, empty or av[0] == 0
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return False, True  # zero-width: the next item starts the match
    return True, True  # anything else: assume it can


# \d and \s of a str pattern are what str.isdecimal and str.isspace say (the engine's own tests)
_CATEGORIES = {re_constants.CATEGORY_DIGIT: str.isdecimal, re_constants.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
               re_constants.CATEGORY_SPACE: str.isspace, re_constants.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace()}


def _in_class(items: Any, char: str) -> bool:
    c = re_constants
    negated = bool(items) and items[0][0] is c.NEGATE
    inside = False
    for op, av in items[1:] if negated else items:
        if op is c.LITERAL:
            inside = inside or chr(av) == char
        elif op is c.RANGE:
            inside = inside or av[0] <= ord(char) <= av[1]
        elif op is c.CATEGORY and av in _CATEGORIES:
            inside = inside or _CATEGORIES[av](char)
        else:
            return True  # another category: assume it can
    return inside != negated
