"""Clean stage: one normal form for the characters, then the web chrome and copy-paste damage removed.

`normalise_text` is called by ingest right after decoding (it fills `Document.text`);
`clean_boilerplate` turns that into `Document.cleaned_text`, the text every later stage reads
and every `char_start`/`evidence` refers to. Both are idempotent and never lengthen the text
(except that a tab becomes two spaces, so a table pasted as text keeps its cell gaps).
Patterns and character tables are data: schemas/boilerplate.toml and schemas/normalise.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from schemas import SCHEMAS_DIR
from schemas.stages import Document
from tasks.parse import alternation

# ----------------------------------------------------------------------------------------------
# normalise_text

_FULLWIDTH_OFFSET = 0xFF01 - 0x21  # U+FF01..U+FF5E are ASCII 0x21..0x7E shifted by this


@dataclass(frozen=True)
class _Folding:
    replacement: dict[str, str]  # character -> what it becomes ("" to drop it)
    pattern: re.Pattern[str]  # one character the table changes


@cache
def _normalise_data() -> dict:
    return tomllib.loads((SCHEMAS_DIR / "normalise.toml").read_text(encoding="utf-8"))


@cache
def _folding() -> _Folding:
    data = _normalise_data()
    replacement = {chr(c): chr(c - _FULLWIDTH_OFFSET) for c in range(0xFF01, 0xFF5F)}
    for replaced_by, chars in data["fold"].items():
        replacement.update(dict.fromkeys(chars, replaced_by))
    replacement.update(dict.fromkeys(data["drop"]["chars"], ""))
    # Control characters other than TAB/LF mean nothing in a report; CR is handled before.
    controls = (chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c not in (9, 10))
    replacement.update({c: "" for c in controls if c not in replacement})
    # Lone surrogates (text decoded with surrogateescape) would make OpenCC's UTF-8 encode fail.
    replacement.update({chr(c): "" for c in range(0xD800, 0xE000)})
    chars = "".join(re.escape(c) for c in sorted(replacement) if not "\ud800" <= c <= "\udfff")
    # One character per match: measured faster here than runs (`+`), and than str.translate
    # with the same table (~26 MB/s against ~250 MB/s on report text).
    return _Folding(replacement, re.compile(f"[{chars}\ud800-\udfff]"))


@cache
def _t2s():  # -> opencc.OpenCC; built once, ~50 ms
    import opencc  # the native package; imported lazily so `--help` stays fast

    return opencc.OpenCC("t2s")


@cache
def _traditional() -> re.Pattern[str]:
    """Matches a character OpenCC's t2s changes (~4,200 in the BMP, read off the installed
    dictionary once, ~10 ms), or any CJK character outside the BMP: those only trigger a
    conversion that may change nothing, because `re` scans a class of astral literals one by
    one, which would make every check ~100x slower."""
    ranges = [(0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)]
    chars = [chr(c) for lo, hi in ranges for c in range(lo, hi)]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    changed = "".join(c for c, s in zip(chars, converted, strict=True) if c != s)
    return re.compile(f"[{changed}]|[\U00020000-\U0003ffff]")


def _fold_characters(text: str) -> str:
    folding = _folding()
    return folding.pattern.sub(lambda m: folding.replacement[m.group()], text)


def _to_simplified(text: str) -> str:
    # Converting runs at ~50 MB/s, checking for a Traditional character at ~500 MB/s, so
    # Simplified text (the common case) is only scanned.
    if not _traditional().search(text):
        return text
    text = _t2s().convert(text)
    # OpenCC matches the longest phrase at each point, so converted text can convert differently
    # (韓昇延 -> 韩昇延 -> 韩升延), and a few entries chain (薴 -> 苧 -> 苎). Converting until
    # nothing changes keeps normalise_text idempotent; on 50,000 random strings of dictionary
    # phrases it took at most two extra rounds.
    for _ in range(4):
        if not _traditional().search(text):
            break
        converted = _t2s().convert(text)
        if converted == text:
            break
        text = converted
    return text


def normalise_text(text: str) -> str:
    """One normal form for decoded report text.

    - CRLF / CR / U+2028 … -> LF; NBSP, ideographic and other spaces -> " "; a tab -> two spaces;
      zero-width characters, BOM, soft hyphens and control characters removed.
    - Full-width ASCII -> half-width: `１—１１月` -> `1—11月`, `７．６％` -> `7.6%`, and
      `，：；（）` -> `,:;()` (so the comma in the text is always `,`; `、` and `。` stay).
    - Range dashes `-`, `—`, `–`, `~` stay as written (the period parser reads all of them);
      `－`, `～` and rarer look-alikes (`−`, `‒`, `―`, `〜`) are folded onto them.
    - Traditional -> Simplified (OpenCC t2s), only when a Traditional character is present.

    Idempotent, never raises on a str, and never lengthens the text but for a tab, which becomes
    two spaces (a table's cell gap).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _fold_characters(text)
    simplified = _to_simplified(text)
    if simplified is not text:
        # OpenCC never emits full-width ASCII today; folding again keeps that an assumption we don't need.
        text = _fold_characters(simplified)
    return _fix_misspellings(text)


@cache
def _misspellings() -> tuple[re.Pattern[str], dict[str, str]]:
    data = _normalise_data()["misspellings"]
    wrong = {bad: right for right, bads in data.items() for bad in bads}
    if any(len(bad) != len(right) or right in wrong for bad, right in wrong.items()):
        raise ValueError("normalise.toml: a misspelling must keep its length and not be a fix itself")
    return re.compile(alternation(wrong)), wrong


def _fix_misspellings(text: str) -> str:
    """Homophone misspellings of administrative words (西藏自制区 for 自治区): the place would be lost.
    Same length, so positions do not move; a fix is never itself a misspelling, so this is idempotent."""
    pattern, wrong = _misspellings()
    return pattern.sub(lambda m: wrong[m.group()], text)


# ----------------------------------------------------------------------------------------------
# clean_boilerplate


@dataclass(frozen=True)
class _Rules:
    inline: tuple[re.Pattern[str], ...]
    line_max_chars: int
    line_starts: re.Pattern[str]
    list_item_break: re.Pattern[str]
    line_contains: re.Pattern[str]
    chrome_max_chars: int
    chrome_token: re.Pattern[str]
    chrome_separators: re.Pattern[str]
    separator_chars: str
    separator_min_symbols: int
    footer_header: re.Pattern[str]
    footer_item_max_chars: int
    footer_item: re.Pattern[str]
    join_max_chars: int
    sentence_end: re.Pattern[str]
    heading: re.Pattern[str]
    figure: re.Pattern[str]
    figure_end: re.Pattern[str]
    continues: re.Pattern[str]
    clause_opener: re.Pattern[str]
    title_min_han: int
    title_punctuation: re.Pattern[str]
    title_ends: re.Pattern[str]
    sentence_opener: re.Pattern[str]


_MAX_PASSES = 8


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@cache
def _rules() -> _Rules:
    data = tomllib.loads((SCHEMAS_DIR / "boilerplate.toml").read_text(encoding="utf-8"))
    inline = data["inline"]
    # Three regexes rather than one: a union of everything would start with no known character
    # and `re` would try it at every position (~17 MB/s); each of these skips ahead (~300+ MB/s).
    inline_patterns = (
        _alternation(inline["anywhere"]),
        rf"[(（][ \t]*(?:{_alternation(inline['bracketed'])})[ \t]*[)）]",
        inline["symbols"],
    )
    for p in inline_patterns:
        # An empty match would make the removal loop spin; a line break would break the line rules.
        if re.fullmatch(p, "") or re.search(p, "\n"):
            raise ValueError(f"boilerplate.toml: inline pattern may match empty text or a newline: {p}")
    lines, footer, join = data["lines"], data["footer"], data["join"]
    return _Rules(
        inline=tuple(re.compile(p) for p in inline_patterns),
        list_item_break=re.compile(inline["list_item_break"]),
        line_max_chars=lines["max_chars"],
        line_starts=re.compile(_alternation([*lines["starts"], footer["headers"]])),
        line_contains=re.compile(_alternation(lines["contains"])),
        chrome_max_chars=lines["chrome_max_chars"],
        chrome_token=re.compile(_alternation(lines["chrome_tokens"])),
        chrome_separators=re.compile(f"{lines['chrome_separators']}*"),
        separator_chars=lines["separator_chars"],
        separator_min_symbols=lines["separator_min_symbols"],
        footer_header=re.compile(footer["headers"]),
        footer_item_max_chars=footer["item_max_chars"],
        footer_item=re.compile(footer["item"]),
        join_max_chars=join["max_line_chars"],
        sentence_end=re.compile(join["sentence_end"]),
        heading=re.compile(join["heading"]),
        figure=re.compile(join["figure"]),
        figure_end=re.compile(join["figure_end"]),
        continues=re.compile(join["continues"]),
        clause_opener=re.compile(join["clause_opener"]),
        title_min_han=join["title_min_han"],
        title_punctuation=re.compile(join["title_punctuation"]),
        title_ends=re.compile(join["title_ends"]),
        sentence_opener=re.compile(join["sentence_opener"]),
    )


def _remove_inline(text: str, rules: _Rules) -> str:
    # Removing one piece can make another (a URL split by a watermark): repeat until nothing matches.
    # Every round that matched shortened the text, so this ends.
    while True:
        removed = 0
        for pattern in rules.inline:
            text, n = pattern.subn("", text)
            removed += n
        if not removed:
            return rules.list_item_break.sub("。", text) if "-" in text else text


def _is_separator(line: str, rules: _Rules) -> bool:
    symbols = line.replace(" ", "")
    return len(symbols) >= rules.separator_min_symbols and not symbols.strip(rules.separator_chars)


def _is_all_chrome_tokens(line: str, rules: _Rules) -> bool:
    # Remove the tokens and look at what is left, rather than one `(?:sep*token)+sep*` fullmatch:
    # that one backtracks exponentially on a line like "收藏 收藏 … 收藏 x".
    return bool(rules.chrome_separators.fullmatch(rules.chrome_token.sub("", line)))


def _is_chrome_line(line: str, rules: _Rules) -> bool:
    """A short line that is site chrome; `line` is stripped and not empty."""
    if len(line) > rules.line_max_chars:
        return False
    return bool(
        rules.line_starts.match(line)
        or rules.line_contains.search(line)
        or (len(line) <= rules.chrome_max_chars and _is_all_chrome_tokens(line, rules))
        or _is_separator(line, rules)
    )


def _drop_chrome_lines(lines: list[str], rules: _Rules) -> list[str]:
    """Stripped lines without chrome lines and related-article footers; blank lines kept as ""."""
    kept: list[str] = []
    in_footer = False
    for raw in lines:
        line = raw.strip()
        if not line:
            kept.append("")
            continue
        if in_footer and len(line) <= rules.footer_item_max_chars and rules.footer_item.fullmatch(line):
            continue
        in_footer = False
        if _is_chrome_line(line, rules):
            in_footer = bool(rules.footer_header.match(line))
            continue
        kept.append(line)
    return kept


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _is_title_over(line: str, following: str, rules: _Rules) -> bool:
    """Whether `line` is a title (or a heading without a number) standing over the body `following`.

    A title has no punctuation, enough Chinese characters and no figure at its end, and either
    ends with a title word (…运行情况, …统计公报) or has a whole sentence under it.
    """
    if (
        rules.title_punctuation.search(line)
        or rules.figure_end.search(line)
        or len(_HAN.findall(line)) < rules.title_min_han
    ):
        return False
    if rules.title_ends.search(line):
        return True
    return bool(rules.sentence_opener.match(following) and rules.sentence_end.search(following))


def _joins_next(line: str, following: str, rules: _Rules) -> bool:
    """Whether `following` continues `line` in a one-phrase-per-line layout."""
    return (
        bool(line)
        and bool(following)
        and len(line) <= rules.join_max_chars
        and len(following) <= rules.join_max_chars
        and not rules.sentence_end.search(line)
        and not rules.heading.match(line)
        and not rules.heading.match(following)
        and not _is_title_over(line, following, rules)
        and not _TABLE_CELL_GAP.search(line)  # a row of a table pasted as text is a line of its own
        and not _TABLE_CELL_GAP.search(following)
    )


_TABLE_CELL_GAP = re.compile(r"\S(?:\t|\s*[|｜]\s*| {2,}|\u3000+)\S")


def _ends_a_clause_list(line: str) -> bool:
    """A phrase line of clauses whose last clause is a phrase of its own (…发力,培育产业优势), not a
    lead-in the next line completes (1—11月,全市 / 规上工业增加值…)."""
    head, _, last = line.rpartition(",")
    return bool(head) and len(last) >= 5


def _join_run(run: list[str], rules: _Rules) -> str:
    parts = [run[0]]
    for previous, line in pairwise(run):
        # A phrase ending in a figure followed by a new phrase: keep them two clauses; so too a line
        # that is already a clause list of its own (上半年我省扭住产业发力,培育产业优势 / 规模以上…),
        # and a line that opens like a sentence or a clause (…推动重大项目的建设 / 2023年1-11月 / 全省…;
        # …的主要力量 / 其中,汽车制造业…).
        opens = rules.sentence_opener.match(line) or rules.clause_opener.match(line)
        if (rules.figure_end.search(previous) or _ends_a_clause_list(previous) or opens) \
                and not rules.continues.match(line):
            parts.append(",")
        parts.append(line)
    return "".join(parts)


def _join_phrase_lines(lines: list[str], rules: _Rules) -> tuple[list[str], bool]:
    """Join runs of short phrase lines that hold a figure; also says whether anything was joined."""
    out: list[str] = []
    joined_any = False
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and _joins_next(lines[j], lines[j + 1], rules):
            j += 1
        run = lines[i : j + 1]
        if j > i and any(rules.figure.search(line) for line in run):
            out.append(_join_run(run, rules))
            joined_any = True
        else:
            out.extend(run)
        i = j + 1
    return out, joined_any


def _collapse_blank_lines(lines: list[str]) -> str:
    """Lines (already stripped) joined with at most one blank line between paragraphs, none at the ends."""
    kept = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(kept).strip("\n")


def _clean_once(text: str, rules: _Rules) -> tuple[str, bool]:
    text = _remove_inline(text, rules)
    lines = _drop_chrome_lines(text.split("\n"), rules)
    lines, joined = _join_phrase_lines(lines, rules)
    return _collapse_blank_lines(lines), joined


def clean_boilerplate(text: str) -> tuple[str, int]:
    """Remove web chrome and copy-paste damage; return (cleaned text, characters removed).

    The count is simply `len(text) - len(cleaned)`, so stripped spaces, collapsed blank lines and
    the line breaks of re-joined phrase lines count as removed characters too.

    In place: watermarks (`笔杆儿网www.bgzjy.cn`, the word around it closes up), bare URLs, `[1]`
    markers, pinyin readings `(zhǎng)`, decorative `★◆■…`, paywall notices, photo credits.
    Whole SHORT lines: forum/portal chrome, counters, disclaimers, copyright/ICP lines, `******`
    separators, related-article footers. Then one-phrase-per-line runs holding a figure are joined,
    lines stripped, blank-line runs collapsed to one blank line. Redacted figures (`***亿元`, `**%`,
    `XX%`) are kept. Idempotent, never raises on a str, never lengthens the text.
    """
    rules = _rules()
    cleaned, joined = _clean_once(text, rules)
    # Joining lines can complete a pattern split over two lines ("发表\n于 2022-7-4"), so clean
    # again until no join happens. A joined line does not join its neighbours on the next pass
    # (they stayed apart for a reason that still holds) unless that pass shortened it, so this
    # nearly always takes two passes; the bound only guards against a pattern file gone wrong.
    for _ in range(_MAX_PASSES):
        if not joined:
            break
        cleaned, joined = _clean_once(cleaned, rules)
    return cleaned, len(text) - len(cleaned)


def remove_inline_damage(text: str) -> str:
    """`text` with only the in-line damage removed (watermarks, markers, pinyin readings, symbols):
    its lines, chrome included, stay, so the page's source and date lines can still be read."""
    return _remove_inline(text, _rules())


def clean_document(doc: Document) -> Document:
    """Fill `cleaned_text` and `boilerplate_chars_removed` from `doc.text` (already normalised by ingest).

    A document ingest gave a failure status is returned untouched.
    """
    if doc.status != "ok":
        return doc
    doc.cleaned_text, doc.boilerplate_chars_removed = clean_boilerplate(doc.text)
    return doc

