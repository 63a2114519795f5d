"""Enumerations that give each item its value in parentheses.

Statistical prose ranks places or groups by listing them with their figure in brackets:
`呼和浩特市(23.1%)、包头市(22.9%)…4个盟市规上工业增加值增速高于全区平均水平`,
`分别为白银市(42.2%)、天水市(29.3%)…`, `装备制造业(11.8%)、高技术制造业(10.0%)表现亮眼`. Each
`<item>(x%)` is a figure of that item for the sentence's indicator: a place's own row (its city,
or its province), or a group's (a subject; a group that is a special code's whole takes that code).
The measure is the one the sentence names for the list: a growth word makes it `yoy_pct`, a share
word `share_pct`; without either the items are not read.
"""

from __future__ import annotations

import re

from tasks.extract.figures import Figure
from tasks.extract.lexicon import has_word, named_place
from tasks.extract.mentions import Mention, SentenceContext, subject_from_prefix

# what ends the text before an item: a separator, or a word that introduces the list
_ITEM_OPENER = re.compile(r"[、,，;；:：和及与)）]|分别为|分别是|依次为|的是|是|为|有")
_GROUP_END = re.compile(r"(?:业|产业|行业|集群|企业|领域)$")

Attached = dict[int, tuple[Mention | None, str | None]]


def _measure(sentence: str) -> str | None:
    if has_word("enumeration_share_words", sentence):
        return "share_pct"
    return "yoy_pct" if has_word("enumeration_growth_words", sentence) else None


def _item_start(s: str, bracket: int) -> int:
    """Where the item before the bracket at `bracket` starts: after the nearest opener."""
    ends = [m.end() for m in _ITEM_OPENER.finditer(s, max(0, bracket - 16), bracket)]
    return ends[-1] if ends else max(0, bracket - 16) if bracket > 16 else 0


def enumerated_values(ctx: SentenceContext, figures: list[Figure]) -> Attached:
    """figure index -> (mention, subject) for every `<item>(x%)` of a list; sets each figure's
    measure (and its place, for a place item)."""
    s = ctx.sentence
    if "(" not in s and "（" not in s:
        return {}
    measure = _measure(s)
    mentions = [m for m in ctx.mentions if m.alias]
    if measure is None or not mentions:
        return {}
    items = [(f.start - 17, f.end) for f in figures if f.start and s[f.start - 1] in "(（"]
    mentions = [m for m in mentions if not any(a <= m.start < b for a, b in items)] or mentions
    out: Attached = {}
    for i, fig in enumerate(figures):
        if fig.measure != "level_pct" or fig.place or not (
                fig.start and s[fig.start - 1] in "(（" and s[fig.end: fig.end + 1] in (")", "）")):
            continue
        item_start = _item_start(s, fig.start - 1)
        item = s[item_start: fig.start - 1].strip()
        if not 2 <= len(item) <= 14:
            continue
        mention = min(mentions, key=lambda m: abs(m.start - fig.start))
        fig.measure, fig.unit, fig.unit_class = measure, "%", "percent"
        if named_place(item) is not None:
            fig.place, fig.evidence_start = item, item_start
            out[i] = (mention, None)
        elif _GROUP_END.search(item):
            fig.evidence_start = item_start
            out[i] = (mention, subject_from_prefix(item, ctx.place_names) or item)
        else:
            fig.measure = "level_pct"
    return out
