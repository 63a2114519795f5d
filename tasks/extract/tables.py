"""Tables pasted as text: a header row names what each column holds (增速, 比重, 绝对值,
a period), the rows under it give one figure per label and column; "其中:" rows are groups of
the indicator above them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.stages import Document, Segment
from tasks.extract.boundaries import LINE
from tasks.extract.figures import DIGIT, Figure, counter_class, figure_value
from tasks.extract.lexicon import load_catalog
from tasks.extract.mentions import Mention, SentenceContext, find_mentions, resolve_code, subject_from_prefix
from tasks.extract.rows import Draft, build_row
from tasks.extract.state import ReadingState
from tasks.parse import Period, find_periods, to_yi_yuan

# Cells of a table row: split at a tab, a bar or a run of two or more spaces.
_CELL_SPLIT = re.compile(r"\t+|\s*[|｜]\s*| {2,}|\u3000+")

_COLUMN_GROWTH = re.compile(r"增速|增长|同比|增幅|±")

_COLUMN_SHARE = re.compile(r"比重|占比")

_COLUMN_LEVEL = re.compile(r"绝对值|总量|累计|本月|当月|本期|本年|金额|完成|数值|\d{1,2}月|季度|半年|全年")

# A column of the year before (本期 / 上年同期 / 增速): a level of that year
_COLUMN_PRIOR = re.compile(r"上年同期|去年同期|上年|去年")

# A unit written in a header cell (1-9月(亿元)) or in the caption ((单位:亿元))
_UNIT_WRITTEN = re.compile(r"(?:[(（]|单位[:：]\s*)(万亿元|亿元|万元|家|户|个|辆)[)）]?")

_CELL_NUMBER = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?|[Xx*]+(?:\.[Xx*]+)?")

_SUB_ROW = re.compile(r"^(?:其中|内)[:：]?")


@dataclass(frozen=True, slots=True)
class _Column:
    measure: str  # level | yoy_pct | share_pct | unit | label
    period: Period | None
    unit: str = ""  # the unit its header writes (1-9月(亿元))
    prior: bool = False  # a column of the year before (上年同期)


@dataclass(slots=True)
class _Caption:
    """The line over a table: its indicator (分行业规上工业增加值增速) and unit ((单位:亿元))."""

    text: str = ""
    mention: Mention | None = None
    unit: str = ""


def _cells(line: str) -> list[tuple[int, str]]:
    """(start, text) of each cell of a table row, in line coordinates."""
    cells, pos = [], 0
    for gap in _CELL_SPLIT.finditer(line):
        if gap.start() > pos:
            cells.append((pos, line[pos: gap.start()]))
        pos = gap.end()
    if pos < len(line):
        cells.append((pos, line[pos:]))
    return [(start, cell) for start, cell in cells if cell.strip()]


def _header_columns(cells: list[tuple[int, str]]) -> list[_Column] | None:
    """What each column of a table holds, read from its header row; None when it is no header."""
    columns = [_Column("label", None)]
    for _start, cell in cells[1:]:
        periods = find_periods(cell)
        period = periods[0][2] if periods else None
        unit = _UNIT_WRITTEN.search(cell)
        if cell.strip() == "单位":
            columns.append(_Column("unit", None))
        elif _COLUMN_SHARE.search(cell):
            columns.append(_Column("share_pct", period))
        elif _COLUMN_GROWTH.search(cell):
            columns.append(_Column("yoy_pct", period))
        elif _COLUMN_PRIOR.search(cell):
            columns.append(_Column("level", period, unit.group(1) if unit else "", prior=True))
        elif _COLUMN_LEVEL.search(cell):
            columns.append(_Column("level", period, unit.group(1) if unit else ""))
        else:
            return None
    if not any(c.measure in ("yoy_pct", "share_pct", "level") for c in columns) or DIGIT.search(cells[0][1]):
        return None
    return columns


def read_tables(doc: Document, segment: Segment, state: ReadingState, consumed: set[int] | None = None) -> list[dict]:
    """Rows of the tables a segment holds as text ("指标名称  11月增速(%)  1-11月增速(%)" and rows
    under it): one figure per row label and column, its period from the column header or else from
    the text before the table, its unit from a 单位 column. Adds the start of each line it read
    rows from to `consumed`."""
    text = doc.cleaned_text
    body = text[segment.start: segment.end]
    if not any(gap in body for gap in ("\t", "|", "｜", "  ", "\u3000")):  # (substring tests run at C speed)
        return []
    rows: list[dict] = []
    columns: list[_Column] | None = None
    consumed = consumed if consumed is not None else set()
    before_period: Period | None = None
    parent: Mention | None = None
    caption = _Caption()
    for line_match in LINE.finditer(text[segment.start: segment.end]):
        line, offset = line_match.group(0), segment.start + line_match.start()
        cells = _cells(line)
        if len(cells) < 2:
            columns, parent = None, None
            found = find_periods(line)
            before_period = found[-1][2] if found else before_period
            caption = _caption_of(line) if line.strip() else caption
            continue
        if columns is None or len(cells) > len(columns):
            columns, parent = _header_columns(cells), None
            continue
        table_rows = _table_row(doc, segment, state, text, offset, cells, columns, before_period,
                                parent or caption.mention, caption)
        rows.extend(table_rows)
        if table_rows:
            consumed.add(offset)  # the sentence reader skips this line
        label = _SUB_ROW.sub("", cells[0][1].strip())
        mentions = find_mentions(label)
        if mentions and not _SUB_ROW.match(cells[0][1].strip()):
            parent = mentions[-1]
    return rows


def _caption_of(line: str) -> _Caption:
    mentions = find_mentions(line)
    unit = _UNIT_WRITTEN.search(line)
    return _Caption(line, mentions[-1] if mentions else None, unit.group(1) if unit else "")


def _table_row(doc: Document, segment: Segment, state: ReadingState, text: str, offset: int,
               cells: list[tuple[int, str]], columns: list[_Column], before_period: Period | None,
               parent: Mention | None, caption: _Caption) -> list[dict]:
    raw_label = cells[0][1].strip()
    label = _SUB_ROW.sub("", raw_label)
    mentions = find_mentions(label)
    if mentions and mentions[-1].end >= len(label) - 2:  # the label is an indicator ("规模以上工业增加值")
        mention = mentions[-1]
        subject = subject_from_prefix(label[: mention.start], None)
    elif parent is not None and len(label) <= 20:  # "其中:国有控股企业" under its indicator
        mention, subject = parent, subject_from_prefix(label, None) or label
    else:
        return []
    # (the caption is the label's scope: 工业经济主要指标 over a row 营业收入)
    ctx = SentenceContext(label, 0, [mention], None, (0, len(caption.text)), caption.text, (0, len(caption.text)))
    code = resolve_code(ctx, mention) if mention is not parent else mention.code
    if code is None:
        return []
    entry = load_catalog().entries[code]
    unit_cell = next((cell.strip() for (_, cell), col in zip(cells, columns, strict=False) if col.measure == "unit"), "")
    out = []
    seen: set[tuple] = set()  # (measure, months): one row each per label (two 增速 columns of one period)
    for (start, cell), column in zip(cells[1:], columns[1:], strict=False):
        number = _CELL_NUMBER.fullmatch(cell.strip().rstrip("%"))
        if column.measure in ("unit", "label") or number is None or column.measure not in entry.measures:
            continue
        raw = number.group(0).replace("−", "-").replace(",", "")
        value = figure_value(raw)
        end = start + len(cell.rstrip())
        if column.measure == "level":
            unit = unit_cell or column.unit or caption.unit
            if unit.endswith("元") and unit in ("亿元", "万元", "万亿元", "千亿元"):
                fig = Figure("level", None if value is None else to_yi_yuan(value, unit), "亿元", "money", start, end)
            elif unit in ("家", "户", "个", "辆") and counter_class(unit) in entry.level_units:
                fig = Figure("level", value, unit, counter_class(unit), start, end)
            else:
                continue
        else:
            fig = Figure(column.measure, value, "%", "percent", start, end)
        period = column.period or before_period
        key = (fig.measure, (period.start, period.end) if period else (1, 12), column.prior)
        if key in seen:
            continue
        seen.add(key)
        year = state.figure_year(period)
        year = year - 1 if column.prior and year is not None else year
        draft = Draft(code, fig, subject, year, period, 0)
        out.append(build_row(doc, segment, draft, offset, text))
    return out
