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
from dataclasses import replace

from tasks.extract.boundaries import SHARED_RATE, clause_start
from tasks.extract.figures import Figure
from tasks.extract.lexicon import has_word, named_place, place_name_regex
from tasks.extract.mentions import COUNTED_PLACES, Mention, SentenceContext, subject_from_prefix

# what ends the text before an item: a separator, or a word that introduces the list
# (高于辽宁(3.4%)、广东(3.5%)等: a comparison word ends the text before the first item too)
_ITEM_OPENER = re.compile(r"[、,，;；:：和及与)）]|其中|分别为|分别是|依次为|的是|是|为|有|于")
_GROUP_END = re.compile(r"(?:业|产业|行业|集群|企业|领域)$")

Attached = dict[int, tuple[Mention | None, str | None]]


def _measure(sentence: str) -> str | None:
    if has_word("enumeration_share_words", sentence):
        return "share_pct"
    return "yoy_pct" if has_word("enumeration_growth_words", sentence) else None


def _item_start(s: str, bracket: int) -> int:
    """Where the item before the bracket at `bracket` starts: after the nearest opener, unless a
    place's name holds that opener (呼和浩特市(23.1%): 和 is in the name)."""
    ends = [m.end() for m in _ITEM_OPENER.finditer(s, max(0, bracket - 16), bracket)]
    if not ends:
        return max(0, bracket - 16) if bracket > 16 else 0
    if named_place(s[ends[-1]: bracket]) is None:
        whole = next((e for e in reversed([max(0, bracket - 16), *ends[:-1]]) if named_place(s[e: bracket])), None)
        if whole is not None:
            return whole
    return ends[-1]


def enumerated_values(ctx: SentenceContext, figures: list[Figure]) -> Attached:
    """figure index -> (mention, subject) for every `<item>(x%)` of a list; sets each figure's
    measure (and its place, for a place item)."""
    s = ctx.sentence
    if "(" not in s and "（" not in s:
        return {}
    measure = _measure(s)
    # (a follow-on sentence's only mention is the last indicator read: 其中深圳(5.3%)回升…;广州(4.4%)…)
    mentions = [m for m in ctx.mentions if m.alias] or ctx.mentions[:1]
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


# 商丘市、濮阳市、信阳市6市工业投资增速均在30%以上: a place list, then one figure for all of them
# (an item may carry its own value in brackets: 甘孜(21.5%)、泸州(10.9%)…7个市(州)增速在10%以上)
_ITEM = r"[^、,，;；:：。\d()（）]{2,8}(?:[(（]-?\d+(?:\.\d+)?%[)）])?"
_PLACE_LIST = re.compile(rf"(?P<items>{_ITEM}(?:、{_ITEM})+)(?:等)?(?:\d+|[两三四五六七八九十]+)?个?"
                         r"(?:市[(（]州[)）]|市|州|县|区|县区|县市|市州|盟市|地市|省|省份)?")
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")
_SHARED = re.compile(r"(?:均|都)(?:在|达|达到|超过|超|高于|保持)?\s*$")
# …金塔县等9个县区预计增速20%以上: a counted list (等N个县区) shares the figure that follows it
_COUNTED = re.compile(COUNTED_PLACES + "$")


def _listed_places(listed: re.Match[str]) -> tuple[list[str], int]:
    """The items of a place list and where its last one ends: the last item may run on into its
    clause (…、信阳市工业投资增速均在30%以上), then only the place that opens it counts."""
    places = [_BRACKETED.sub("", x).removesuffix("等") for x in listed.group("items").split("、")]
    end = listed.end()
    if named_place(places[-1]) is None and (lead := place_name_regex().match(places[-1])):
        end = min(end, listed.start("items") + listed.group("items").rfind("、") + 1 + lead.end())
        places[-1] = lead.group(0)
    return places, end


def figures_per_listed_place(sentence: str, figures: list[Figure]) -> list[Figure]:
    """A figure all the places listed at its clause's start share (`…6市工业投资增速均在30%以上`,
    `A、B、C等3个县区增速20%以上`): one figure per place, each with its evidence from its place on."""
    if "均" not in sentence and "都" not in sentence and "等" not in sentence:
        return figures
    out: list[Figure] = []
    for fig in figures:
        lo = clause_start(sentence, fig.start)
        listed = _PLACE_LIST.match(sentence, lo)
        places, end = _listed_places(listed) if listed else ([], 0)
        if listed and (fig.start < end or not (
                _SHARED.search(sentence, lo, fig.start) or SHARED_RATE.match(sentence, fig.start)
                or _COUNTED.search(listed.group(0)))):
            places = []  # (an item's own bracketed value is no shared figure)
        if len(places) < 2 or not all(named_place(x) is not None for x in places):
            out.append(fig)
            continue
        measure = fig.measure
        if measure == "level_pct" and has_word("enumeration_growth_words", sentence[lo: fig.start]):
            measure = "yoy_pct"  # 增速均在30%以上: the rate named before it is a growth
        for place in places:
            at = sentence.find(place, lo, fig.start)
            out.append(replace(fig, place=place, evidence_start=at, measure=measure))
    return out
