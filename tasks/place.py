"""Place each section of a report on the map and find the year it reports on.

A newspaper round-up holds one section per province; a 工信局 summary or a statistics
release is one section. `segment_document` cuts the cleaned text into region sections
(character offsets that tile the text) and gives each its subject place and report year.
The divisions are schemas/divisions.csv (+ divisions_extra.csv), the words around them
schemas/place_words.toml; both are read once, on first use.

How sections are found:
- A section starts at a paragraph that opens with a year (2024年…, 今年…) and names a region
  as the subject of one of its first two sentences ("2024年以来,山东工业和信息化系统…",
  "2024年是…关键一年。北京市坚持…"), at a heading line naming a region ("北京市", "【江苏】",
  "一、天津市", "宁波市2023年国民经济…公报"; not a table row "北京 7.0"), at a line that starts
  with a region's office ("江苏省工业和信息化厅…", "鄞州区经信局2023年工作总结"), at a paragraph of
  any length that opens with a region followed by a colon, a comma, a period or an indicator word
  ("浙江:…", "浙江省1-9月…", "湖州市规上工业增加值…"; not "浙江,江苏等地", "浙江工业大学"), or at
  one that opens with a period or a lead-in and names a region right after it ("1-9月,湖州市…",
  "据统计,湖州市…"). Regions later in a sentence (高于全国, 与浙江省合作) open nothing.
  Passing mentions (objects, lists such as "北京、上海", 《…》 titles, "宁波市委") are not subjects.
- A later start naming the same place, or one of its parents, continues the section; a
  different place (a sibling, or a city or county inside the current province) starts a new one.
- With two or more sections the text before the first (a round-up's intro that lists many
  regions, a title) is segment 0 with no region; with one section it belongs to that section.
- A county the author masked (XX区, kept as written) or one whose name several provinces share
  (江北区) takes its city and province from the units its section names most, else stays
  without a province. A real county is given by its canonical name (鄞州 -> 鄞州区).
- A document in which no line opens a section takes the region its title is about ("关于湖州市
  2023年工业经济运行情况的报告"). Failing that, it is national (全国, 100000) only when its opening has
  全国/我国 as a subject and speaks of no local whole (全市, 我区…); otherwise it has no place.

How the report year is found: the first year of the section's opening (its heading lines and
the first two sentences of its first paragraph) that is neither a comparison or target
(与2023年同期, 力争到2027年) nor a full date (2024年11月25日); a starting point (2022年以来)
counts only when no other year is there. A section without one takes the year of segment 0;
failing that, 今年/去年 in the opening count from the publication date. Otherwise None: a page
date alone never sets the year (the figures may refer to the year before it).
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from schemas import SCHEMAS_DIR
from schemas.models import NATIONAL_CODE
from schemas.stages import Document, Segment
from tasks.clean import remove_inline_damage
from tasks.parse import Period, alternation, find_periods

NATIONAL_NAME = "全国"
LEVELS = ("province", "city", "county")
OPENING_SENTENCES = 2
OPENING_MAX_CHARS = 200  # of the first paragraph that is searched for a subject or a year
LEAD_MAX_CHARS = 1000  # heading and chrome lines before a section's first paragraph
TITLE_SEARCH_CHARS = 3000
DATE_LINE_MAX_CHARS = 120  # a labelled page date sits on a chrome line, not in a sentence
DATELINE_MAX_CHARS = 40  # an unlabelled date line: the date and little else
CONTEXT_FIRST_CHARS = 2000  # of a section searched first for the city of a masked county

_NUMBERING = re.compile(
    r"[ \t\u3000]*(?:[(（【\[〔]?[一二三四五六七八九十百\d]{1,3}[)）】\]〕、.．]|[【\[〔])?[ \t\u3000]*"
)
_YEAR_DIGITS = "(?:(?:19|20)\\d{2}|[〇零○一二三四五六七八九]{4})"
_YEAR = re.compile(
    rf"(?<![\d〇零○一二三四五六七八九])(?P<y>{_YEAR_DIGITS})[ \t]*年"
    r"(?![ \t]*(?:\d{1,2}|[一二三四五六七八九十]{1,2})[ \t]*月[ \t]*(?:\d{1,2}|[一二三四五六七八九十]{1,3})[ \t]*日)"
)
_YEAR_OPENING = rf"[ \t\u3000]*(?:{_YEAR_DIGITS}[ \t]*年|今年|去年|本年|近年来|一年来|过去一年)"
_HAN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_SENTENCE_END = re.compile(r"[。！？!?]")
# 2024-11-25, 2024/11/25, 2024年11月25日 (年 goes with 月: "2024年1-10月" is a period, not a date)
_DATE = (r"(?P<y>(?:19|20)\d{2})[ \t]*(?:(?P<han>年)|[-/.])[ \t]*(?P<m>\d{1,2})[ \t]*(?(han)月|[-/.])[ \t]*"
         r"(?P<d>\d{1,2})(?![\d月])(?:[ \t]*日)?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ISO_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}", re.ASCII)
_FIGURE = re.compile(r"^[\s:：|｜]*\d+(?:\.\d+)?(?:\s|$)|\d\.\d|\d\s*(?:%|％|个百分点|亿|万)")
_NUMBERED = re.compile(r"[(（]?[一二三四五六七八九十\d]{1,3}[)）、.．]")
_LIST_END = re.compile(r"[^。；;\n]{0,8}?等(?:地|省|市|城市|地区)")  # 浙江,江苏等地: a list
_LEADING_TAG = re.compile(r"^\s*[\[【][^\]】]{1,12}[\]】]\s*")
_PUNCT = re.compile(r"[\s,，。.、;；:：!！?？\"'“”‘’()（）\[\]【】《》<>|｜·•\-—]+")


@dataclass(frozen=True)
class Place:
    """Where a section (or a place phrase) is: province-level unit, prefecture city, county."""

    region_code: str | None
    region: str | None
    city: str | None = None
    city_code: str | None = None
    county: str | None = None


NATIONAL = Place(region_code=NATIONAL_CODE, region=NATIONAL_NAME)


@dataclass(frozen=True)
class Division:
    """One row of schemas/divisions.csv."""

    code: str
    name: str
    level: str  # province / city / county
    parent_code: str | None
    province_code: str


@dataclass(frozen=True)
class _Subject:
    """A place read at one spot: what is certain, plus the units an ambiguous county may be."""

    place: Place
    candidates: tuple[str, ...] = ()

    @property
    def settled(self) -> bool:
        return self.place.region_code is not None


@dataclass(frozen=True)
class _Gazetteer:
    divisions: dict[str, Division]
    full: dict[str, tuple[str, ...]]  # canonical name -> codes
    short: dict[str, tuple[str, ...]]  # short name or alias -> codes
    lengths: dict[str, tuple[int, ...]]  # first character -> lengths of names starting with it, longest first
    regional_lengths: dict[str, tuple[int, ...]]  # the same for province and city names only
    not_places: dict[str, tuple[str, ...]]  # place name -> longer words it starts that are no place
    masked: re.Pattern[str]
    masked_characters: frozenset[str]
    clause_starts: re.Pattern[str]  # where a clause's first word may be a name
    # a line opening with a year, with a period or lead-in before a name, or with a character a name starts with
    line_head: re.Pattern[str]
    # line_head after a newline: a literal first character the regex engine skips to fast
    line_starts: re.Pattern[str]
    regional_starts: re.Pattern[str]  # a character a province or city name starts with
    opener: re.Pattern[str]  # what may follow a region that opens a paragraph: a period or an opener word
    words: dict[str, Any]
    regional_names: re.Pattern[str]  # 苏南, 珠三角, 兵团… (schemas/regional_names.toml)
    regional_codes: dict[str, str]  # regional name -> province code


# ---------------------------------------------------------------- divisions and words


def read_divisions(paths: Iterable[Path]) -> dict[str, Division]:
    """Divisions by code from CSV files with `#` comment lines; a later file's row replaces an earlier one's."""
    divisions: dict[str, Division] = {}
    for path in paths:
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.DictReader(line for line in handle if not line.lstrip().startswith("#"))
            for row in rows:
                code = (row.get("code") or "").strip()
                level = (row.get("level") or "").strip()
                if not code or level not in LEVELS:
                    continue
                divisions[code] = Division(
                    code=code,
                    name=row["name"].strip(),
                    level=level,
                    parent_code=(row.get("parent_code") or "").strip() or None,
                    province_code=(row.get("province_code") or "").strip() or code[:2] + "0000",
                )
    return divisions


def short_name(name: str, level: str, words: dict[str, Any]) -> str | None:
    """The name without its level suffix and ethnic groups (广西壮族自治区 -> 广西), or None."""
    rules = words["short_names"]
    min_length = rules["min_length"]
    for suffix in rules[f"{level}_suffixes"]:
        if not name.endswith(suffix) or len(name) - len(suffix) < min_length:
            continue
        stem = name[: -len(suffix)]
        if "自治" in suffix:
            stem = _strip_ethnic_groups(stem, _ethnic_tokens(tuple(rules["ethnic_groups"])), min_length)
        if level == "county" and stem in rules["county_exclusions"]:
            return None
        return stem if stem != name else None
    return None


@cache
def _ethnic_tokens(groups: tuple[str, ...]) -> tuple[str, ...]:
    tokens = {g + "族" for g in groups} | {g for g in groups if len(g) >= 2}
    return tuple(sorted(tokens, key=len, reverse=True))


def _strip_ethnic_groups(stem: str, tokens: tuple[str, ...], min_length: int) -> str:
    stripped = True
    while stripped:
        stripped = False
        for token in tokens:
            if stem.endswith(token) and len(stem) - len(token) >= min_length:
                stem = stem[: -len(token)]
                stripped = True
                break
    return stem


def _lengths_by_first_char(names: Iterable[str]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[0], set()).add(len(name))
    return {char: tuple(sorted(found, reverse=True)) for char, found in lengths.items()}


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


@cache
def gazetteer() -> _Gazetteer:
    """Divisions, name indexes and patterns, built once per process.

    Names are found by dictionary look-ups of the few lengths a name starting with that
    character can have: a regex alternation of 6,000 names tries them one by one.
    """
    words = tomllib.loads((SCHEMAS_DIR / "place_words.toml").read_text(encoding="utf-8"))
    nicknames = tomllib.loads((SCHEMAS_DIR / "regional_names.toml").read_text(encoding="utf-8"))["provinces"]
    divisions = read_divisions([SCHEMAS_DIR / "divisions.csv", SCHEMAS_DIR / "divisions_extra.csv"])
    full: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    for division in divisions.values():
        full.setdefault(division.name, []).append(division.code)
        stem = short_name(division.name, division.level, words)
        if stem:
            short.setdefault(stem, []).append(division.code)
            if division.name.endswith("自治州"):  # 恩施州, 湘西州: the everyday short form keeps 州
                short.setdefault(stem + "州", []).append(division.code)
    for alias, code in words["aliases"].items():
        if code in divisions:
            short.setdefault(alias, []).append(code)

    all_names = set(full) | set(short)
    regional = {
        n
        for table in (full, short)
        for n, codes in table.items()
        if any(divisions[c].level != "county" for c in codes)
    }
    not_places: dict[str, list[str]] = {}
    for word in words["subject"]["not_places"]:
        for name in all_names:
            if word.startswith(name) and word != name:
                not_places.setdefault(name, []).append(word)

    masked_cfg = words["masked"]
    masked = f"{_char_class(masked_cfg['characters'])}{{1,3}}(?:{'|'.join(masked_cfg['suffixes'])})"
    name_first = _char_class({n[0] for n in all_names} | set(masked_cfg["characters"]))
    openers = _char_class(words["subject"]["clause_openers"])
    subject_words = words["subject"]
    period = subject_words["period_opener"]
    # "1-9月,湖州市…", "据统计,2023年上半年,湖州市…": periods and lead-ins, then a name at once
    lead = rf"(?:(?:{subject_words['lead_in']}|{period}|{_YEAR_DIGITS}[ \t]*年|今年)[ \t]*[,:]?[ \t]*)+"
    line_head = (
        rf"(?:(?P<year>{_YEAR_OPENING})|(?P<lead>{lead})(?={name_first})"
        rf"|{_NUMBERING.pattern}(?P<name>)(?={name_first}))"
    )
    opener_words = alternation(subject_words["opener_words"])
    return _Gazetteer(
        divisions=divisions,
        full={k: tuple(v) for k, v in full.items()},
        short={k: tuple(v) for k, v in short.items()},
        lengths=_lengths_by_first_char(all_names),
        regional_lengths=_lengths_by_first_char(regional),
        not_places={k: tuple(v) for k, v in not_places.items()},
        masked=re.compile(masked),
        masked_characters=frozenset(masked_cfg["characters"]),
        clause_starts=re.compile(rf"(?:^|(?<={openers}))[ \t\u3000]*(?={name_first})", re.M),
        line_head=re.compile(line_head),
        line_starts=re.compile("\n" + line_head),
        regional_starts=re.compile(_char_class({n[0] for n in regional})),
        opener=re.compile(rf"(?:{period}|{_YEAR.pattern}|{opener_words})"),
        words=words,
        regional_names=re.compile(alternation(nicknames)),
        regional_codes=dict(nicknames),
    )


# ---------------------------------------------------------------- resolving names


def _rank(code: str, g: _Gazetteer) -> int:
    return LEVELS.index(g.divisions[code].level)


def _is_under(code: str, anchor: str, g: _Gazetteer) -> bool:
    division = g.divisions[code]
    return code != anchor and anchor in (division.parent_code, division.province_code)


def _candidates(name: str, anchor: str | None, g: _Gazetteer) -> tuple[str, ...]:
    """Units `name` may be (under `anchor` if given): full names before short ones, highest level only."""
    for table in (g.full, g.short):
        codes = table.get(name, ())
        if anchor is not None:
            codes = tuple(c for c in codes if _is_under(c, anchor, g))
        if codes:
            top = min(_rank(c, g) for c in codes)
            return tuple(sorted(c for c in codes if _rank(c, g) == top))
    return ()


def place_of_code(code: str) -> Place:
    """The Place of one division code: a county keeps its city (if any) and province."""
    g = gazetteer()
    division = g.divisions[code]
    province = g.divisions.get(division.province_code)
    region = province.name if province else None
    if division.level == "province":
        return Place(region_code=division.code, region=division.name)
    if division.level == "city":
        return Place(division.province_code, region, division.name, division.code)
    parent = g.divisions.get(division.parent_code or "")
    if parent is not None and parent.level == "city":
        return Place(division.province_code, region, parent.name, parent.code, division.name)
    return Place(division.province_code, region, county=division.name)


def _name_at(
    text: str, pos: int, endpos: int, lengths: dict[str, tuple[int, ...]], g: _Gazetteer
) -> str | None:
    """The longest name (or masked county) starting at text[pos], not cut off by endpos."""
    if pos >= endpos:
        return None
    first = text[pos]
    for length in lengths.get(first, ()):
        if pos + length <= endpos:
            candidate = text[pos : pos + length]
            if candidate in g.full or candidate in g.short:
                return candidate
    if first not in g.masked_characters:
        return None
    masked = g.masked.match(text, pos, endpos)
    return masked.group() if masked else None


def _read_names(text: str, pos: int, endpos: int, g: _Gazetteer) -> tuple[list[str], int]:
    """Adjacent names starting at `pos` (浙江省宁波市XX区 -> three names) and where they end."""
    found: list[str] = []
    while len(found) < 4:
        name = _name_at(text, pos, endpos, g.lengths, g)
        if name is None or (
            name in g.not_places and any(text.startswith(w, pos) for w in g.not_places[name])
        ):
            break
        end = pos + len(name)
        # "北京市场" is 北京 + 市场: give the 市 back to the word after it.
        if name.endswith("市") and text.startswith("场", end) and name[:-1] in g.short:
            found.append(name[:-1])
            return found, end - 1
        found.append(name)
        pos = end
    return found, pos


def _resolve_names(names: list[str], g: _Gazetteer) -> _Subject | None:
    """The place a run of adjacent names denotes, each name read inside the one before it."""
    anchor: str | None = None
    for name in names:
        if g.masked.fullmatch(name):
            known = place_of_code(anchor) if anchor else Place(None, None)
            return _Subject(replace(known, county=name))
        codes = _candidates(name, anchor, g)
        if not codes:
            break
        if len(codes) > 1:
            known = place_of_code(anchor) if anchor else Place(None, None)
            county = g.divisions[codes[0]].name
            return _Subject(replace(known, county=county), candidates=codes)
        anchor = codes[0]
    return _Subject(place_of_code(anchor)) if anchor else None


def resolve_region(phrase: str) -> Place | None:
    """The place a phrase names: 重庆, 广西壮族自治区, 宁波, 宁波市鄞州区, 鄞州, XX区, 全国.

    A county name that several units share resolves to None (never guessed); a masked county
    (XX区) is kept as written with no province; anything else unknown is None.
    """
    g = gazetteer()
    text = _PUNCT.sub("", phrase or "")
    if not text:
        return None
    if text in g.words["national"]["phrases"]:
        return NATIONAL
    names, end = _read_names(text, 0, len(text), g)
    if not names or end != len(text):
        return None
    subject = _resolve_names(names, g)
    if subject is None or subject.candidates:
        return None
    return subject.place


# ---------------------------------------------------------------- finding subjects in text


def _rejected_after(text: str, end: int, g: _Gazetteer) -> bool:
    return any(text.startswith(word, end) for word in g.words["subject"]["reject_next"])


def _subject_in(text: str, start: int, end: int, g: _Gazetteer) -> _Subject | None:
    """The first region named as the subject of a clause in text[start:end]; none when a clause
    about the current place as a whole (全省, 我市) comes first: "2022年,全省…;杭州增长2.1%" is the
    province's paragraph, not 杭州's."""
    local = tuple(g.words["national"]["local_subjects"])
    for match in g.clause_starts.finditer(text, start, end):
        if text.startswith(local, match.end()):
            return None
        names, names_end = _read_names(text, match.end(), end, g)
        if not names or _rejected_after(text, names_end, g):
            continue
        subject = _resolve_names(names, g)
        if subject is not None:
            return subject
    return None


def _opening_end(text: str, start: int, end: int) -> int:
    """End of the first OPENING_SENTENCES sentences of the paragraph at `start`, capped."""
    limit = min(end, start + OPENING_MAX_CHARS)
    cut = start
    for _ in range(OPENING_SENTENCES):
        found = _SENTENCE_END.search(text, cut, limit)
        if found is None:
            return limit
        cut = found.end()
    return cut


def _line_subject(
    text: str, name_start: int, line_end: int, short_line: bool, g: _Gazetteer
) -> _Subject | None:
    """A region a line starts with, when the line is its heading or its office's paragraph."""
    names, names_end = _read_names(text, name_start, line_end, g)
    if not names:
        return None
    rest = text[names_end:line_end].rstrip()
    words = g.words["subject"]
    is_office = any(rest.startswith(word) for word in words["offices"])
    # A table row ("北京 7.0 5.8", "上海市 规上工业 1.2%") is no heading: a heading has no figures.
    is_heading = (
        short_line
        and (not rest or rest[0] in words["heading_separators"] or _YEAR.match(rest) is not None)
        and _FIGURE.search(_YEAR.sub("", rest)) is None
    )
    # "【江苏】一季度,…": a bracketed region opening a paragraph heads it, however long the paragraph
    bracketed = name_start > 0 and text[name_start - 1] in "【[〔" and rest[:1] in "】]〕"
    if not (is_office or is_heading or bracketed or _opens_paragraph(text, names, names_end, line_end, g)):
        return None
    return _resolve_names(names, g)


def _is_county_short_name(name: str, g: _Gazetteer) -> bool:
    """A county's short name (鄞州, 全州): too often an everyday word to open a paragraph on its own."""
    if name in g.full or g.masked.fullmatch(name):
        return False
    return all(g.divisions[code].level == "county" for code in g.short.get(name, ()))


def _is_institution(text: str, names_end: int, line_end: int, g: _Gazetteer) -> bool:
    words = g.words["subject"]
    window = text[names_end : min(line_end, names_end + words["opener_window"])]
    return any(word in window for word in words["opener_reject"])


def _opens_paragraph(text: str, names: list[str], names_end: int, line_end: int, g: _Gazetteer) -> bool:
    """Whether the region a paragraph starts with is its subject: "浙江:…", "浙江省1-9月…", "湖州市规上工业…".

    Not a list ("浙江,江苏等地…"), an institution (浙江工业大学) or a table cell ("浙江: 6.1").
    """
    if names_end >= line_end or _is_institution(text, names_end, line_end, g):
        return False
    following = text[names_end]
    if following in ":：":
        after = text[names_end + 1 : line_end].lstrip(" \t\u3000")
        return bool(after) and (not after[0].isdigit() or g.opener.match(after) is not None)
    if _is_county_short_name(names[0], g):
        return False
    if following in ",，":
        after = names_end + 1
        while after < line_end and text[after] in " \t\u3000":
            after += 1
        return not _read_names(text, after, line_end, g)[0]
    return g.opener.match(text, names_end, line_end) is not None


def _lead_subject(text: str, name_start: int, line_end: int, g: _Gazetteer) -> _Subject | None:
    """The region named right after a line's opening period or lead-in ("1-9月,湖州市…", "据统计,湖州市…")."""
    names, names_end = _read_names(text, name_start, line_end, g)
    if not names or _rejected_after(text, names_end, g) or _is_institution(text, names_end, line_end, g):
        return None
    if _is_county_short_name(names[0], g) and g.opener.match(text, names_end, line_end) is None:
        return None
    return _resolve_names(names, g)


def _is_prose(line: str) -> bool:
    return any(mark in line for mark in "。！？；") or (len(line) > 40 and ("，" in line or "," in line))


def _section_starts(text: str, g: _Gazetteer) -> list[tuple[int, _Subject]]:
    """(line start, subject) for every line that opens a region's section, in order."""
    heading_max = g.words["subject"]["heading_max_chars"]
    starts: list[tuple[int, _Subject]] = []
    first = g.line_head.match(text)
    matches = [first] if first else []
    for match in [*matches, *g.line_starts.finditer(text)]:
        line_start = match.start() if match is first else match.start() + 1
        line_end = text.find("\n", line_start)
        if line_end == -1:
            line_end = len(text)
        if match.group("year") is not None:
            subject = _subject_in(text, line_start, _opening_end(text, line_start, line_end), g)
        elif match.group("lead") is not None:
            subject = _lead_subject(text, match.end("lead"), line_end, g)
        else:
            line = text[line_start:line_end].strip()
            short_line = len(line) <= heading_max and "。" not in line
            subject = _line_subject(text, match.start("name"), line_end, short_line, g)
        if subject is not None:
            starts.append((line_start, subject))
    return starts


def _continues(new: Place, current: Place) -> bool:
    """Whether a start naming `new` stays in the section of `current` (same place or a parent)."""
    if current.region_code is None and current.county is not None and new.county is None:
        return True  # names the city or province of a county not placed yet
    pairs = (
        (new.region_code, current.region_code),
        (new.city_code, current.city_code),
        (new.county, current.county),
    )
    return all(n is None or n == c for n, c in pairs)


# ---------------------------------------------------------------- settling unplaced counties


def _mention_counts(text: str, start: int, end: int, g: _Gazetteer) -> tuple[Counter[str], Counter[str]]:
    """How often text[start:end] names each province and each prefecture (any mention counts)."""
    provinces: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    skip_to = start
    for found in g.regional_starts.finditer(text, start, end):
        pos = found.start()
        if pos < skip_to:
            continue
        name = _name_at(text, pos, end, g.regional_lengths, g)
        if name is None or (
            name in g.not_places and any(text.startswith(w, pos) for w in g.not_places[name])
        ):
            continue
        skip_to = pos + len(name)
        codes = _candidates(name, None, g)
        if len(codes) != 1 or g.divisions[codes[0]].level == "county":
            continue
        division = g.divisions[codes[0]]
        provinces[division.province_code] += 1
        if division.level == "city":
            cities[division.code] += 1
    return provinces, cities


def _settle(subject: _Subject, hints: list[Place], text: str, start: int, end: int, g: _Gazetteer) -> Place:
    """Give a masked or ambiguous county the city and province its section points to."""
    county = subject.place.county
    if subject.settled or county is None:
        return subject.place
    for hint in hints:  # a later start in the section named its city or province
        if hint.region_code is not None:
            if subject.candidates:
                fitting = [
                    c for c in subject.candidates if _is_under(c, hint.city_code or hint.region_code, g)
                ]
                if len(fitting) == 1:
                    return place_of_code(fitting[0])
                continue
            return replace(hint, county=county)
    # The opening names the county's city far more often than chrome or later passing mentions.
    provinces, cities = _mention_counts(text, start, min(end, start + CONTEXT_FIRST_CHARS), g)
    if not provinces:
        provinces, cities = _mention_counts(text, start, end, g)
    if subject.candidates:

        def named(code: str) -> tuple[int, int]:
            division = g.divisions[code]
            return provinces[division.province_code], cities[division.parent_code or ""]

        best, runner = sorted(subject.candidates, key=named, reverse=True)[:2]
        return place_of_code(best) if named(best) > named(runner) else subject.place
    if not provinces:
        return subject.place
    province = max(provinces, key=lambda code: provinces[code])  # ties: first named
    in_province = [code for code in cities if code.startswith(province[:2])]
    if in_province:
        city = max(in_province, key=lambda code: cities[code])
        return replace(place_of_code(city), county=county)
    return replace(place_of_code(province), county=county)


def _fit_to_current(subject: _Subject, current: Place | None, g: _Gazetteer) -> _Subject:
    """Read an ambiguous county inside the section before it when exactly one candidate fits."""
    if not subject.candidates or current is None or current.region_code is None:
        return subject
    anchor = current.city_code or current.region_code
    fitting = [c for c in subject.candidates if _is_under(c, anchor, g)]
    return _Subject(place_of_code(fitting[0])) if len(fitting) == 1 else subject


# ---------------------------------------------------------------- report year


def _year_value(raw: str) -> int:
    return int(raw.translate(_HAN_DIGITS))


def _first_prose(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start, end) of the first sentences of a section's first prose paragraph, heading lines
    skipped; None when none starts within LEAD_MAX_CHARS."""
    limit = min(end, start + LEAD_MAX_CHARS)
    pos = start
    while pos < limit:
        line_end = text.find("\n", pos, end)
        if line_end == -1:
            line_end = end
        if _is_prose(text[pos:line_end]):
            return pos, _opening_end(text, pos, line_end)
        pos = line_end + 1
    return None


def _opening(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of a section's heading lines plus the first sentences of its first paragraph."""
    prose = _first_prose(text, start, end)
    return (start, prose[1]) if prose else (start, min(end, start + LEAD_MAX_CHARS))


def _stated_year(window: str, words: dict[str, Any], clause_led: bool = False) -> int | None:
    """The first year stated in `window` that is neither a comparison or target (与2023年同期,
    力争到2027年) nor a start point inside a clause (创下2022年以来新高); a start point that opens
    a clause (2024年以来,全市…) counts only when no other year is there. With `clause_led`, only a
    year that leads its clause (2021年,… / 即将过去的2024年) counts: deeper in a text a year inside
    a clause names a programme or a comparison more often than the report."""
    rules = words["year"]
    openers = words["subject"]["clause_openers"] + "\n"
    leads = tuple(rules["report_year_after"])
    start_points: list[int] = []
    for match in _YEAR.finditer(window):
        before = window[max(0, match.start() - 6) : match.start()]
        leads_clause = not before or before[-1] in openers or before.endswith(leads)
        if (any(before.endswith(word) for word in rules["not_report_before"])
                and not before.endswith(tuple(rules["report_before"]))) or (clause_led and not leads_clause):
            continue
        after = window[match.end() : match.end() + 5].lstrip("底末初")
        if any(after.startswith(word) for word in rules["start_point_after"]):
            if leads_clause:
                start_points.append(_year_value(match.group("y")))
            continue
        return _year_value(match.group("y"))
    return start_points[0] if start_points else None


def _relative_year(window: str, publication_date: str | None, words: dict[str, Any]) -> int | None:
    """今年/去年 in the opening, counted from the publication date (yyyy-mm-dd); comparisons skipped."""
    published_match = _ISO_DATE.fullmatch(publication_date or "")
    if published_match is None:
        return None
    published = int(published_match.group(1))
    rules = words["year"]
    offsets = {word: 0 for word in rules["this_year"]} | {word: -1 for word in rules["last_year"]}
    for match in re.finditer("|".join(offsets), window):
        before = window[max(0, match.start() - 4) : match.start()]
        after = window[match.end() : match.end() + 2]
        if any(before.endswith(w) for w in rules["not_report_before"]) or after in ("同期", "同月"):
            continue
        return published + offsets[match.group()]
    return None


def report_year(text: str, start: int, end: int, publication_date: str | None = None) -> int | None:
    """The year the section text[start:end] reports on (see the module doc): a year stated in its
    opening; else 今年/去年 there, counted from the page date; else a year stated later in the
    section (a closing `2021年,…` or a dated signature is the year of all its figures)."""
    words = gazetteer().words
    window_start, window_end = _opening(text, start, end)
    window = text[window_start:window_end]
    return (_stated_year(window, words) or _relative_year(window, publication_date, words)
            or _stated_year(text[start:end], words, clause_led=True))


def _lead(text: str, start: int, end: int) -> str:
    """The first sentences of a section's first prose paragraph (heading lines skipped)."""
    prose = _first_prose(text, start, end)
    return text[prose[0]:prose[1]] if prose else ""


_A_FIGURE = re.compile(r"\d(?:\.\d+)?\s*(?:%|个百分点|亿|万|家|户|个)")


def _figures_lead(text: str, start: int, end: int) -> str:
    """The first sentences of the first prose paragraph that states a figure: a feature story's
    opening paragraphs often set the scene without one, and its first figures then say the period
    the story is about (…经济大省挑大梁。\n上半年,全省工业投资同比增长25.9%…)."""
    pos, limit = start, min(end, start + LEAD_MAX_CHARS)
    while pos < limit and (prose := _first_prose(text, pos, end)) is not None:
        lead = text[prose[0]:prose[1]]
        if _A_FIGURE.search(lead):
            return lead
        line_end = text.find("\n", prose[0], end)
        pos = end if line_end == -1 else line_end + 1
    return ""


_EVENT_AFTER = re.compile(r"[^,，。;；]{0,4}?(?:新闻通气会|新闻发布会|发布会|通气会|座谈会|分析会|推进会|会议|例会)")


def _released_through(source: str, end: int, period: Period) -> Period:
    """A quarter naming a release (第三季度新闻通气会, 一季度经济运行分析会) means the figures it
    released: the year to date through that quarter."""
    return Period(1, period.end, period.label) if _EVENT_AFTER.match(source, end) else period


def report_period(text: str, start: int, end: int, title: str | None) -> tuple[int, int, str] | None:
    """(first month, last month, as written) of the period the section as a whole is about.

    The lead's first year-to-date period wins (a news story opening 今年1至2月, a briefing opening
    1~9月份, even under a title saying 三季度), else its first period (a monthly release opening
    8月份,…); then the title's (上半年工作总结). A quarter naming a release (第三季度新闻通气会) is the
    year to date through it. A comparison (比1-9月份), an as-of date (截至9月底) and the full year
    (the default; `全年以来` in a half-year summary's lead says nothing of its period) are not it.
    """
    not_before = tuple(gazetteer().words["year"]["not_report_before"])
    for source in (_lead(text, start, end), title or "", _figures_lead(text, start, end)):
        found = [_released_through(source, found_end, period) for found_start, found_end, period
                 in find_periods(source)
                 if not (period.asof or (period.start, period.end) == (1, 12)
                         or source.endswith(not_before, 0, found_start))]
        # a year-to-date range outranks a single quarter or month (8月份…,1-8月…); a month alone
        # is the period of a monthly release (8月份,全省规上工业增加值增长9.5%)
        best = next((p for p in found if p.start == 1), found[0] if found else None)
        if best is not None:
            return best.start, best.end, best.label
    return None


# ---------------------------------------------------------------- segments


def _national_subject(text: str, g: _Gazetteer) -> Place | None:
    """全国 / 我国 as the subject of a document's opening, when the opening speaks of no 全市/我区."""
    start, end = _opening(text, 0, len(text))
    window = text[start:end]
    national = g.words["national"]
    if any(word in window for word in national["local_subjects"]):
        return None
    for subject in national["subjects"]:
        for match in re.finditer(re.escape(subject), window):
            if match.start() == 0 or window[match.start() - 1] in g.words["subject"]["clause_openers"] + "\n":
                return NATIONAL
    return None


def _named_everywhere(text: str, g: _Gazetteer) -> Place | None:
    """The province the places a page names point to, when nothing else places it.

    Every unambiguous division name votes for its province: a full name twice, a short name
    once and only where a word ends with it (和合任泽” names 任泽区; 以上高新, 灯塔工厂 name no
    county). Regional names (苏南, 珠三角, 兵团) vote twice, benchmarks included: a report ranked
    珠三角第6位 is a Guangdong report. Partners, benchmarks, institutions and lists (与江苏相比,
    高于江苏, 视察重庆, 浙江工业大学, 北京、天津, 浙江等地) do not vote. A province with two thirds of the votes places the page;
    its city is kept when the page names exactly one.
    """
    end = min(len(text), CONTEXT_FIRST_CHARS * 5)
    partners = tuple(g.words["subject"]["not_voting_before"])
    votes: Counter[str] = Counter()
    for match in g.regional_names.finditer(text, 0, end):
        votes[g.regional_codes[match.group()]] += 2
    cities: set[str] = set()
    pos = 0
    while pos < end:
        name = _name_at(text, pos, end, g.lengths, g)
        if name is None or g.masked.fullmatch(name) or (
                name in g.not_places and any(text.startswith(w, pos) for w in g.not_places[name])):
            pos += 1
            continue
        name_end = pos + len(name)
        listed = (text.startswith(("、", "等"), name_end) or text.endswith("、", 0, pos)
                  or _LIST_END.match(text, name_end) is not None)
        passing = listed or text.endswith(partners, max(0, pos - 2), pos) or _is_institution(text, name_end, end, g)
        if not passing:
            codes = _candidates(name, None, g)
            is_full = name in g.full
            # a province's short name (浙江规上工业…) is distinctive enough to vote inside a word
            province = len(codes) == 1 and g.divisions[codes[0]].level == "province"
            if len(codes) == 1 and (is_full or province or not _HAN.match(text, name_end)):
                place = place_of_code(codes[0])
                votes[place.region_code or ""] += 2 if is_full else 1
                if place.city_code:
                    cities.add(place.city_code)
        pos = name_end
    if not votes:
        return None
    province, count = votes.most_common(1)[0]
    if not province or count * 3 < sum(votes.values()) * 2:
        return None
    own_cities = [c for c in cities if g.divisions[c].province_code == province]
    return place_of_code(own_cities[0]) if len(own_cities) == 1 else place_of_code(province)


def _national_anywhere(text: str, g: _Gazetteer) -> Place | None:
    """全国 / 我国 as a clause subject anywhere in a page that never speaks of a local whole."""
    national = g.words["national"]
    if any(word in text for word in national["local_subjects"]):
        return None
    openers = g.words["subject"]["clause_openers"] + "\n"
    for subject in national["subjects"]:
        for match in re.finditer(re.escape(subject), text):
            if match.start() == 0 or text[match.start() - 1] in openers:
                return NATIONAL
    return None


def _page_place(text: str, source_text: str | None, g: _Gazetteer) -> tuple[Place | None, str | None]:
    """Where a page is when no line opens a section, in the order an analyst trusts the clues,
    and which clue said it (for `industry-etl explain`)."""
    source = source_text if source_text is not None else text
    # (a national story a city paper reprints stays national: 我国 as a subject outranks the credit)
    for clue, find in (("title", lambda: _title_subject(text, g)), ("national opening", lambda: _national_subject(text, g)),
                       ("national subject", lambda: _national_anywhere(text, g)),
                       ("source line", lambda: _source_subject(source, g)),
                       ("dateline", lambda: _dateline_subject(text, g)),
                       ("places named", lambda: _named_everywhere(text, g))):
        place = find()
        if place is not None:
            return place, clue
    return None, None


def _title_subject(text: str, g: _Gazetteer) -> Place | None:
    """The region a report's title is about ("关于湖州市2023年工业经济运行情况的报告"), if it names one.

    A name counts at the start of the title or of a clause in it, or after a period or 关于; a list,
    a party or government body or an institution does not.
    """
    title = find_title(text)
    if title is None:
        return None
    openers = g.words["subject"]["clause_openers"]
    after_words = tuple(g.words["page"]["title_name_after"])
    for pos in range(len(title)):
        if pos and title[pos - 1] not in openers and not title.endswith(after_words, 0, pos):
            continue
        names, names_end = _read_names(title, pos, len(title), g)
        own_report = title.startswith(tuple(g.words["page"]["title_government_report"]), names_end)
        if not names or (not own_report and (
                _rejected_after(title, names_end, g) or _is_institution(title, names_end, len(title), g))):
            continue
        subject = _resolve_names(names, g)
        if subject is not None and subject.settled:
            return subject.place
    return None


def _source_subject(text: str, g: _Gazetteer) -> Place | None:
    """The place of the office or newspaper a page credits: 来源:惠州市统计局, then an office named
    anywhere in the page's head (广东省统计局公布…), then a newspaper opening a line (重庆日报讯)."""
    page = g.words["page"]
    offices = tuple(g.words["subject"]["offices"])
    outlets = tuple(page["source_outlets"])
    head = text[:4000]
    labels = "|".join(map(re.escape, page["source_labels"]))
    labelled = [m.end() for m in re.finditer(rf"(?:{labels})[ \t\u3000]*[:：][ \t\u3000]*", head)]
    before_office = [m.start() - k for m in re.finditer("|".join(map(re.escape, offices)), head)
                     for k in range(2, 12) if m.start() - k >= 0]
    line_starts = [m.start() for m in re.finditer(r"(?:^|(?<=[\n(（【]))[^\n]", head)]
    # (在洛阳市第十六届人民代表大会第三次会议上): a government work report's own congress
    congress = [m.end() for m in re.finditer(r"在(?=[^\n在]{2,12}?第[一二三四五六七八九十\d]{1,3}届人民代表大会)", head)]
    for starts, followers in ((labelled, offices + outlets), (before_office, offices), (congress, ("第",)),
                              (line_starts, outlets)):
        for pos in starts:
            names, names_end = _read_names(head, pos, min(len(head), pos + 30), g)
            if not names or not head.startswith(followers, names_end):
                continue
            subject = _resolve_names(names, g)
            if subject is not None and subject.settled:
                return subject.place
    return None


@cache
def _dateline_words() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The dateline, the province-as-a-whole and the city-as-a-whole patterns (place_words.toml)."""
    page = gazetteer().words["page"]
    outlets = "|".join(map(re.escape, page["dateline_outlets"]))
    dateline = re.compile(rf"(?:{outlets})(?:记者)?(?=[\u4e00-\u9fff]{{2,8}}?(?:\d{{1,2}}月\d{{1,2}}日)?(?:讯|电))")
    return (dateline, re.compile("|".join(map(re.escape, page["dateline_province_words"]))),
            re.compile("|".join(map(re.escape, page["dateline_city_words"]))))


def _dateline_subject(text: str, g: _Gazetteer) -> Place | None:
    """The place of a newspaper's dateline (本报乌鲁木齐讯): its province when the story then speaks of
    the province as a whole (全区规上工业…), else the city."""
    dateline, province_whole, city_whole = _dateline_words()
    m = dateline.search(text, 0, 2000)
    if m is None:
        return None
    names, names_end = _read_names(text, m.end(), min(len(text), m.end() + 12), g)
    subject = _resolve_names(names, g) if names else None
    if subject is None or not subject.settled:
        return None
    place = subject.place
    story = text[names_end: names_end + 300]
    province = province_whole.search(story) or g.regional_names.search(story)  # (…兵团工业…: the province)
    city = city_whole.search(story)
    if province and not (city and city.start() < province.start()):
        return Place(place.region_code, place.region)
    return place


_STORY_SENTENCES = 2  # full sentences before a lone section that make a story of their own


def _story_before(text: str, start: int, section: Place, g: _Gazetteer) -> Place | None:
    """The place of a story that runs before the only section a page opens (a national report with
    an unrelated county story pasted after it), when that story places itself elsewhere."""
    before = text[:start]
    if len(_SENTENCE_END.findall(before)) < _STORY_SENTENCES:
        return None
    place = _national_subject(before, g) or _national_anywhere(before, g)
    return place if place is not None and place.region_code != section.region_code else None


def segment_document(cleaned_text: str, publication_date: str | None = None,
                     source_text: str | None = None, title: str | None = None) -> list[Segment]:
    """Cut a report into region sections that tile the text, each with its place and report year.

    One segment for a single-region report; for a round-up one per region section, after a
    region-less segment 0 for whatever precedes the first section (see the module doc).
    `source_text` (the page before cleaning) is read only for the office or newspaper it credits,
    when nothing else places the report.
    """
    g = gazetteer()
    text = cleaned_text
    sections: list[tuple[int, _Subject, list[Place]]] = []  # start, subject, later places in it
    for line_start, found in _section_starts(text, g):
        current = sections[-1][1].place if sections else None
        subject = _fit_to_current(found, current, g)
        if current is not None and _continues(subject.place, current):
            sections[-1][2].append(subject.place)
            continue
        sections.append((line_start, subject, []))

    if not sections:
        place, clue = _page_place(text, source_text, g)
        segment = _segment(0, 0, len(text), place, text, publication_date, None, title)
        segment.place_source = clue
        return [segment]

    bounds = [start for start, _, _ in sections]
    lead_place = _story_before(text, bounds[0], sections[0][1].place, g) if len(sections) == 1 else None
    if (len(sections) == 1 and lead_place is None) or not text[: bounds[0]].strip():
        bounds[0] = 0
    else:
        sections.insert(0, (0, _Subject(lead_place or Place(None, None)), []))
        bounds.insert(0, 0)
    bounds.append(len(text))

    segments: list[Segment] = []
    # (a section whose lead names no period is about the period the report's title names:
    # 2023年1-9月浙江各市工业运行 / 湖州市:规上工业增加值增长5.4% -> 1..9; contract, "Periods")
    whole = report_period(text, 0, 0, title) if title else None
    for index, (_, subject, hints) in enumerate(sections):
        start, end = bounds[index], bounds[index + 1]
        place = _settle(subject, hints, text, start, end, g)
        fallback = segments[0].report_year if segments else None
        segments.append(_segment(index, start, end, place, text, publication_date, fallback,
                                 title if index == 0 else None))
        segments[-1].report_period = segments[-1].report_period or whole
        segments[-1].place_source = "section heading" if place.region_code or place.county else None
    return segments


def _segment(
    index: int,
    start: int,
    end: int,
    place: Place | None,
    text: str,
    publication_date: str | None,
    fallback: int | None,
    title: str | None = None,
) -> Segment:
    year = report_year(text, start, end, publication_date)
    place = place or Place(None, None)
    return Segment(
        index=index,
        start=start,
        end=end,
        region_code=place.region_code,
        region=place.region,
        city=place.city,
        city_code=place.city_code,
        county=place.county,
        report_year=year if year is not None else fallback,
        report_period=report_period(text, start, end, title),
    )


# ---------------------------------------------------------------- page date and title


@cache
def _date_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    labels = gazetteer().words["page"]["date_labels"]
    labelled = re.compile(rf"(?:{'|'.join(map(re.escape, labels))})[ \t\u3000]*[:：]?[ \t\u3000]*{_DATE}")
    return labelled, re.compile(_DATE)


def _iso_date(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _line_around(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start : line_end if line_end != -1 else len(text)].strip()


def find_publication_date(text: str) -> str | None:
    """yyyy-mm-dd of the page's date line (发布时间:2024-11-25, 发表于 2022-7-4 21:52:13, a dateline).

    A labelled date on a line that is no sentence wins (a body's "截止日期…。" is none); otherwise
    the first short line that carries a full date and nothing like a sentence.
    """
    labelled, bare = _date_patterns()
    for match in labelled.finditer(text):
        line = _line_around(text, match.start(), match.end())
        if len(line) <= DATE_LINE_MAX_CHARS and "。" not in line:
            found = _iso_date(match.group("y"), match.group("m"), match.group("d"))
            if found:
                return found
    for match in bare.finditer(text):
        line = _line_around(text, match.start(), match.end())
        if len(line) <= DATELINE_MAX_CHARS and not any(mark in line for mark in "。，,；"):
            found = _iso_date(match.group("y"), match.group("m"), match.group("d"))
            if found:
                return found
    return None


def find_title(text: str) -> str | None:
    """The first short line before the body that is neither chrome nor a numbered heading."""
    page = gazetteer().words["page"]
    for raw in text[:TITLE_SEARCH_CHARS].splitlines():
        line = raw.strip()
        if not line:
            continue
        if _is_prose(line):
            return None  # the body has begun
        line = _LEADING_TAG.sub("", line, count=1)  # [计划总结] 区经信局…
        if _NUMBERED.match(line) or any(word in line for word in page["chrome_words"]):
            continue
        if any(mark in line for mark in "，,；;") or line.endswith(("：", ":")):
            continue
        if len(line) <= page["title_max_chars"] and len(_HAN.findall(line)) >= page["title_min_han"]:
            return line
    return None


# ---------------------------------------------------------------- the stage


def place_document(document: Document) -> Document:
    """Title, publication date and region segments of one cleaned document (non-ok documents pass through)."""
    if document.status != "ok":
        return document
    page = remove_inline_damage(document.text)  # chrome lines kept, pinyin readings gone: 发(fā)布时间
    publication_date = (document.publication_date or find_publication_date(page)
                        or find_publication_date(document.cleaned_text))
    title = document.title or find_title(document.cleaned_text) or find_title(page)
    return replace(
        document,
        title=title,
        publication_date=publication_date,
        segments=segment_document(document.cleaned_text, publication_date, page, title),
    )

