"""The vocabulary extraction reads with: the indicator catalog (schemas/catalog.toml), the
grammar word lists (schemas/extract_words.toml) and place names (schemas/divisions.csv).

Each is loaded once and cached for the process, with the regexes compiled from it: catalog
aliases (longest first), a regex per word list (`word_regex`, `has_word`), place names to strip
from subjects, zone words, follow-on openers. A word that changes what is read belongs in those
data files, not here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from schemas import SCHEMAS_DIR
from tasks.parse import alternation
from tasks.place import Place, resolve_region


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    name: str
    level_units: tuple[str, ...]
    measures: tuple[str, ...]
    scope_sensitive: bool = False


@dataclass(frozen=True)
class Catalog:
    entries: dict[str, CatalogEntry]
    alias_to_code: dict[str, str]
    alias_regex: re.Pattern[str]
    split_aliases: tuple[tuple[re.Pattern[str], str, str, str], ...]  # (regex, first, second, code)
    not_after: dict[str, frozenset[str]]  # "工业" -> {"加"}: 工业 in 加工业 is no alias
    not_after_alias: dict[str, frozenset[str]]  # the same per alias ("工业增加值" -> {"加"})
    not_before: dict[str, tuple[str, ...]]  # "规上工业" -> ("用电量", ...): 规上工业用电量 is no alias
    group_words: dict[str, str]  # "制造业增加值" -> "制造业": the alias starts with its group's last word
    group_alone: frozenset[str]  # ... and names a group (not the total) even with nothing before it
    product_names: dict[str, str]  # "新能源汽车" -> "nev_output": a product in a list of products' output


@cache
def load_catalog() -> Catalog:
    """The indicator catalog from schemas/catalog.toml."""
    data = tomllib.loads((SCHEMAS_DIR / "catalog.toml").read_text(encoding="utf-8"))
    entries: dict[str, CatalogEntry] = {}
    alias_to_code: dict[str, str] = {}
    splits: list[tuple[str, str, str]] = []
    products: dict[str, str] = {}
    for code, spec in data["indicators"].items():
        entries[code] = CatalogEntry(
            code, spec["name"], tuple(spec["level_units"]), tuple(spec["measures"]),
            bool(spec.get("scope_sensitive", False)),
        )
        for alias in spec["aliases"]:
            alias_to_code[alias] = code
        splits.extend((a, b, code) for a, b in spec.get("split_aliases", []))
        products.update(dict.fromkeys(spec.get("product_names", []), code))
    ordered = sorted(alias_to_code, key=len, reverse=True)
    # Literals only: the regex engine scans for their first characters at C speed (a lookbehind
    # in any branch would make it try every position).
    regex = re.compile(alternation(ordered))
    not_after = {word: frozenset(chars) for word, chars in data.get("not_after", {}).items()}
    # "新能源汽车方面,1—11月产量…": a topic phrase may stand before a comma
    split_regexes = tuple(
        (re.compile(f"{re.escape(a)}(?P<gap>(?:方面[,，])?[^,，。;；、\n!！?？]{{0,14}}?){re.escape(b)}"), a, b, code)
        for a, b, code in splits)
    not_after_alias = {alias: frozenset().union(*(c for w, c in not_after.items() if alias.startswith(w)))
                       for alias in alias_to_code}
    not_before = {alias: tuple(words) for alias, words in data.get("not_before", {}).items()}
    return Catalog(entries, alias_to_code, regex, split_regexes, not_after, not_after_alias, not_before,
                   data.get("group_words", {}), frozenset(data.get("group_alone", {}).get("aliases", [])), products)


@cache
def place_name_regex() -> re.Pattern[str]:
    """Province and city names (full and short) and county names (full only: 长兴县, 余杭区) from
    schemas/divisions.csv, to strip from subjects: a report's own place is its region, not a subject."""
    names: set[str] = {"全国", "中国", "我国"}
    for line in (SCHEMAS_DIR / "divisions.csv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("code,"):
            continue
        _code, name, level, *_ = line.split(",")
        if level == "county" and len(name) >= 3:  # not 郊区, 矿区
            names.add(name)
        if level in ("province", "city"):
            names.add(name)
            short = re.sub(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市|地区|盟|自治州)$", "", name)
            if len(short) >= 2:
                names.add(short + ("省" if level == "province" else "市"))
                names.add(short)
    return re.compile(alternation(sorted(names)))


def is_zone_report(title: str) -> bool:
    """Whether a title is a zone's own report, not one about the zones of a province or city
    (全省开发区…): a whole named after the zone (经开区…稳居全市第一) is a benchmark."""
    zone = word_regex("zone_words").search(title)
    return zone is not None and not has_word("zones_of_a_whole", title[: zone.start()])


@cache
def place_and_zone_regex() -> re.Pattern[str]:
    return re.compile(f"{alternation(words()['zone_words'])}|{place_name_regex().pattern}")


def catalog_codes() -> list[str]:
    return list(load_catalog().entries)


@cache
def words() -> dict[str, Any]:
    """The grammar word lists of schemas/extract_words.toml, by name."""
    return tomllib.loads((SCHEMAS_DIR / "extract_words.toml").read_text(encoding="utf-8"))


@cache
def word_regex(name: str) -> re.Pattern[str]:
    return re.compile(alternation(words()[name]))


def is_group_name(alias: str) -> bool:
    """Whether a catalog alias is a group's name alone, with no measure word (装备制造业, 高技术制造业:
    catalog.toml `group_words` maps it to itself)."""
    return load_catalog().group_words.get(alias) == alias


@cache
def word_tuple(name: str) -> tuple[str, ...]:
    """The list `name` as a tuple, for str.startswith and str.endswith."""
    return tuple(words()[name])


def has_word(name: str, text: str) -> bool:
    """Whether `text` holds any word of the list `name` in schemas/extract_words.toml."""
    return word_regex(name).search(text) is not None


@lru_cache(maxsize=4096)
def named_place(name: str) -> Place | None:
    """The division a place name denotes, when it is certain and has a province."""
    place = resolve_region(name)
    return place if place is not None and place.region_code is not None else None


@cache
def follow_on_regex() -> re.Pattern[str]:
    """A sentence opening that goes on about the indicator just read (schemas/extract_words.toml)."""
    return re.compile(f"{alternation(words()['follow_on_openers'])}|{words()['follow_on_pattern']}")


def is_count(code: str) -> bool:
    """Whether an indicator counts things (enterprises, stations): counts keep no flow period."""
    return not {"count", "station"}.isdisjoint(load_catalog().entries[code].level_units)


@cache
def regional_words() -> frozenset[str]:
    """Regional names that fix a province (苏南, 兵团; schemas/regional_names.toml)."""
    data = tomllib.loads((SCHEMAS_DIR / "regional_names.toml").read_text(encoding="utf-8"))
    return frozenset(data["provinces"])


@cache
def group_growth_regex() -> re.Pattern[str]:
    """A named industry's or place's growth with no indicator word (schemas/extract_words.toml)."""
    return re.compile(words()["group_growth_pattern"])


@cache
def follow_on_first_chars() -> frozenset[str]:
    """Characters a follow-on opener can start with (the list's words, the pattern's leading group)."""
    lead = re.match(r"\(\?:([^)]*)\)", words()["follow_on_pattern"])
    return frozenset(w[0] for w in words()["follow_on_openers"]) | frozenset(
        w[0] for w in (lead.group(1).split("|") if lead else []))
