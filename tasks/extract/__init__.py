"""Extract: catalog indicators from cleaned, placed text, one row per figure, grounded to its clause.

How it reads a segment:
  paragraph (newline) -> sentence (。；;!?) -> tokens found by a few regular expressions:
  years, periods, indicator mentions (catalog aliases, longest first) and figures
  (gap to a benchmark, rank, share, growth, level). Each figure is attached to the
  indicator mention that governs it (the last one before it in the sentence, with a
  few grammatical exceptions), its period and year are the ones in force at that point,
  and `build_row` turns it into an `IndicatorRow`-shaped dict.

Carry-over rules (contract "Periods", revised 2026-12-01): a month range carries forward
within its paragraph to later flow figures; failing one, a figure takes the period its
section is about (`Segment.report_period`, from its lead or title); 全年 or another year
ends the carry; counts take only an as-of date (截至9月底) or a period of their sentence.
The year is the nearest preceding explicit year that is not a comparison or start point
(与2023年同期, 2022年以来), else the segment's report year. What a sentence carries to the
next (its group, a town that heads the paragraph, the indicator in force) is in `state`.

Modules, one per role (each one's docstring lists the constructions it reads):
  lexicon     the catalog, the word lists and place names, and the regexes built from them
  boundaries  clause and sentence boundaries
  figures     number + unit + measure words -> `Figure`
  enumerations  A(x%)、B(y%)… and A、B、C均在X%以上: a figure per listed place or group
  mentions    indicator and subject wordings -> `Mention`, code, subject
  clauses     which mention governs which figure; 分别 lists and listed groups
  exclusions  figures that are no row
  state       `ReadingState`, year mentions and how reading advances them
  index       `TextIndex`: what a paragraph holds, found once
  sentences   reading one sentence
  tables      tables pasted as text
  rows        `Draft` -> `indicators` row (`build_row`)
  document    reading a whole document (`extract_indicators`, `warm_up`)
"""

from tasks import native
from tasks.extract import document
from tasks.extract.document import extract_indicators, warm_up
from tasks.extract.figures import Figure, find_figures
from tasks.extract.lexicon import Catalog, CatalogEntry, catalog_codes, load_catalog, place_name_regex
from tasks.extract.mentions import Mention, find_mentions
from tasks.extract.rows import Draft, build_row
from tasks.extract.state import ReadingState

BUILD = native.build_of(document)  # "compiled" (mypyc, setup.py) or "pure": see tasks/native.py

__all__ = [
    "BUILD",
    "Catalog",
    "CatalogEntry",
    "Draft",
    "Figure",
    "Mention",
    "ReadingState",
    "build_row",
    "catalog_codes",
    "extract_indicators",
    "find_figures",
    "find_mentions",
    "load_catalog",
    "place_name_regex",
    "warm_up",
]
