"""Mentions: the indicator and subject wordings of a sentence.

`find_mentions` finds catalog aliases (longest first, non-overlapping) and split aliases
(工业…投资 with words between them); `resolve_code` applies the scope rules (工业增加值 under
规上 is the 规上 indicator; bare aliases need their group word); `mention_subject` and
`subject_from_prefix` read the subject from the words before an indicator once places,
periods and fillers are removed (先进制造业增加值 -> 先进制造业; counts get 新增 or none).
`SentenceContext` is what the rules of one sentence share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from tasks.extract.boundaries import clause_start, clause_start_or_list
from tasks.extract.figures import Figure
from tasks.extract.lexicon import (
    has_word,
    load_catalog,
    named_place,
    place_name_regex,
    regional_words,
    words,
)
from tasks.parse import alternation


@dataclass(slots=True)
class Mention:
    code: str
    start: int
    end: int
    alias: str
    gap: str | None = None  # split aliases: the words between the two parts (a subject)


@dataclass(slots=True)
class SentenceContext:
    """What the rules reading one sentence share: its text, mentions and figures."""

    sentence: str
    offset: int
    mentions: list[Mention]
    place_names: re.Pattern[str] | None
    paragraph_span: tuple[int, int] = (0, 0)  # the paragraph's text before this sentence (scope words)…
    section_text: str = ""  # …and the section before it (its topic), in the whole text (sliced when asked)
    section_span: tuple[int, int] = (0, 0)

    @property
    def section_before(self) -> str:
        return self.section_text[self.section_span[0]: self.section_span[1]]
    figures: list[Figure] = field(default_factory=list)
    may_exclude: bool = True  # the sentence holds a word of `exclusion_words`
    codes: dict[tuple[str, int, str], str | None] = field(default_factory=dict)  # resolve_code's, per mention
    lists_held: dict[str, bool] = field(default_factory=dict)  # `holds`'s answers

    def holds(self, name: str) -> bool:
        """Whether the sentence holds a word of the list `name`: asked once per sentence, since no
        part of it can hold one when the whole does not (the lists are plain words)."""
        if name not in self.lists_held:
            self.lists_held[name] = has_word(name, self.sentence)
        return self.lists_held[name]


def find_mentions(sentence: str) -> list[Mention]:
    """Catalog aliases in a sentence (longest first, non-overlapping), plus split aliases."""
    cat = load_catalog()
    mentions = []
    pos = 0
    while (m := cat.alias_regex.search(sentence, pos)) is not None:
        alias, start = m.group(0), m.start()
        if (start and sentence[start - 1] in cat.not_after_alias.get(alias, "")) or (
                alias in cat.not_before and sentence.startswith(cat.not_before[alias], m.end())):
            pos = start + 1  # "食品加工业产值", "高技术制造业投资": try the shorter aliases inside it
            continue
        mentions.append(Mention(cat.alias_to_code[alias], start, m.end(), alias))
        pos = m.end()
    for regex, first, second, code in cat.split_aliases:
        if first not in sentence:
            continue
        for m in regex.finditer(sentence):
            i, end, gap = m.start(), m.end(), m.group("gap")
            covered = [x for x in mentions if x.start >= i and x.end <= end]
            if any(x.code == code and x.start == i for x in covered) or _splits_other(covered, code, end):
                continue  # the plain alias already says it, or the gap holds another indicator
            for x in covered:
                mentions.remove(x)
            subject = None if _TOPIC_OR_DIGIT.search(gap) else gap
            mentions.append(Mention(code, i, end, first + "…" + second, subject or None))
    mentions.extend(_listed_products(sentence, mentions))
    mentions.sort(key=lambda m: m.start)
    return mentions


_PRODUCT_CONTEXT = re.compile(r"产量|产品")
_TOPIC_OR_DIGIT = re.compile(r"方面|\d")  # a gap that is a topic phrase or holds a number
_FIGURE_NEXT = re.compile(r"\d|增长|下降|同比")


def _listed_products(text: str, mentions: list[Mention]) -> list[Mention]:
    """In a list of products' output (从产品产量看,…:金属轧制设备8.4万吨,增长2.6倍;新能源汽车6149辆,
    增长90.3%), a catalog product named right before its figure is its output indicator
    (catalog.toml `product_names`); the paragraph says before it that it lists products (its
    sentences may go on: 从主要工业产品看,…。其中,轿车…;新能源汽车2.1万辆)."""
    found = []
    for name, code in load_catalog().product_names.items():
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if (_FIGURE_NEXT.match(text, end) and _PRODUCT_CONTEXT.search(text, 0, start)
                    and not any(m.start <= start < m.end for m in mentions)):
                found.append(Mention(code, start, end, name))
            start = text.find(name, end)
    return found


def _splits_other(covered: list[Mention], code: str, end: int) -> bool:
    """A split alias must not swallow a complete mention of another indicator that ends where it
    ends (工业和技术改造投资); a mention inside it is just a qualifier (工业信息软件业固定资产投资)."""
    bare = words()["bare_aliases"]  # (软件和信息技术服务业营收: 营收 is the measure word, no indicator of its own)
    return any(m.code != code and m.end == end and m.alias not in bare for m in covered)


@cache
def strip_regex() -> re.Pattern[str]:
    w = words()
    # (工业软件产品 keeps its 工业: a word of subject_keep is never stripped)
    return re.compile(
        rf"^(?:(?!{alternation(w['subject_keep'])})(?:(?:19|20)\d{{2}}年|(?:\d+(?:\.\d+)?|XX|\*+)[个家户项条]?|"
        rf"{alternation(w['subject_strip'] + w['estimate_words'] + w['target_words'])}))+"
    )


# N places counted by their kind (6个省辖市, 9个县区, 7个市(州), 3市): one pattern for every reader
PLACE_COUNT = r"(?:\d+|[两三四五六七八九十]+)"
PLACE_KINDS = r"(?:市[(（]州[)）]|省辖市|地级市|县级市|市州|县区|县市|盟市|地市|省份|[市州县区盟省])"
COUNTED_PLACES = PLACE_COUNT + "个?" + PLACE_KINDS

PERIOD_OR_PLACE = re.compile(r"\d{1,2}\s*[-—–~～至到]\s*\d{1,2}月份?|\d{1,2}月份|当月|单月|前[一二三四五六七八九十\d]+个?(?:月|季度)|"
                              r"[一二三四1-4]季度|上半年|下半年|全年|今年|去年|前三季度|(?:19|20)\d\d年|"
                              r"(?:[Xx*＊某]{1,3}|\d+(?:\.\d+)?[万千百]?|[万千百])[余多]?[个家户项条]|[Xx*＊某]{1,3}[区县市镇]|"
                              + COUNTED_PLACES)
# A unit of the Xinjiang Production and Construction Corps is named whole (十师北屯市, 第一师阿拉尔市).
_CORPS_UNIT = re.compile(r"第?[一二三四五六七八九十]{1,3}师(?:[\u4e00-\u9fff]{2,5}?市)?$")
_QUOTES = re.compile(r"[\"“”'‘’「」『』]")
# A subject never holds a space, a colon or a bar: those are a heading's separators.
_SEPARATOR = re.compile(r"[\s:：|｜]")  # (a dash inside a name stays: 建材—家居产业链群)

# (规模以上工业中高技术行业: "among", not 中小企业)
_SCOPE_WORDS = re.compile(r"(?:规模以上|规上|规模)(?:工业)?(?:企业)?(?:中(?![小型]))?")

_TRAILING_VERB = re.compile(r"(?:累计|共|已)?(?:实现|完成|达到|(?<!下)达)$")  # (市下达: who set a target)

_TRAILING_FILLER = re.compile(r"(?:的|中|和|及|与|等|、|之|企业|实现|完成|累计|全年目标|目标|任务)$")

_CJK = re.compile(r"[\u4e00-\u9fff]")

def _after_own_figure(sentence: str, listed_at: int) -> bool:
    """The list comma just before `listed_at` follows a figure (…增长12.1%、B…)."""
    last = sentence[listed_at - 2] if listed_at >= 2 else ""
    return bool(last) and (last in "%倍元家户个辆座" or last.isdigit())


_JOINT = re.compile(r"、[^、,，;；]+(?:共|合计|共计)(?:实现|完成)?$")

_PUNCTUATION = re.compile(r"[,，。;；]")
_PHRASE_BREAK = re.compile(r"——|[\s:：|｜]+")
_LIST_NUMBER = re.compile(r"^(?:[(（][一二三四五六七八九十\d]{1,2}[)）]|[一二三四五六七八九十]{1,2}、|\d{1,2}[、.．](?!\d))")


# (an aside that defines or bounds the group, not a name written with brackets: 新能源(节能环保产业))
_ASIDE = re.compile(r"[(（](?:简称|以下简称|下称|含|包括|不含)[^()（）\d]*[)）]")


@lru_cache(maxsize=4096)
def subject_from_prefix(prefix: str, place_names: re.Pattern[str] | None) -> str | None:
    """What is left of the words before an indicator once places, periods and fillers are removed."""
    if not prefix:
        return None
    # (结构向优——1至11月…; 新疆“八大产业集群”建设提速 今年前8月…: a heading's label before a double
    # dash, a space or a colon is another phrase)
    prefix = _LIST_NUMBER.sub("", _PHRASE_BREAK.split(prefix)[-1])  # ((二)工业投资: a heading's number)
    corps = _CORPS_UNIT.search(prefix)
    if corps:
        return corps.group(0)
    s = PERIOD_OR_PLACE.sub("", prefix)
    # "区属规上工业企业实现" -> "区属"; "规上工业中小微企业" -> "中小微"; "数字经济规上核心制造业" -> both sides
    s = _SCOPE_WORDS.sub("", s)
    s = _TRAILING_VERB.sub("", s)
    s = (place_names or place_name_regex()).sub("", s)
    s = _QUOTES.sub("", s)  # “主导+特色”产业: quotation marks around a group's name are typography
    s = _ASIDE.sub("", s)  # 规模以上工业(简称"全省工业")增加值: an aside in brackets names no group
    prev = None
    while prev != s:
        prev = s
        s = strip_regex().sub("", s)
        s = _TRAILING_FILLER.sub("", s)
        s = s.strip(" \"“”'")
    if "的" in s and s.rsplit("的", 1)[1] and "、" not in s.rsplit("的", 1)[0]:
        # 增加值率高的船舶修理业: a modifier before the group is no part of it (but 电力、热力的生产
        # 和供应业 is one name)
        s = s.rsplit("的", 1)[1]
    if "等" in s and s.rsplit("等", 1)[1]:
        s = s.rsplit("等", 1)[1]  # "XX公司、XX集团等产值前5名" -> "产值前5名"
    if not s or len(s) > 20 or not _CJK.search(s) or "%" in s or _PUNCTUATION.search(s) or _SEPARATOR.search(s):
        return None
    return s


def _count_subject(clause_text: str, mention: Mention) -> str | None:
    """Counts: additions get 新增 (or 新增重点), stocks get none (gold README 15)."""
    w = words()
    if mention.alias in w["addition_aliases"]:
        return "新增"
    if has_word("addition_words", clause_text):
        return "新增重点" if "重点" in clause_text[-6:] or "重点" in mention.alias else "新增"
    return None


def _counted_industry(prefix: str, place_names: re.Pattern[str] | None) -> str | None:
    """The industry whose enterprises are counted (全省汽车制造业规模以上企业958家; “主导+特色”产业规上企业
    79家): a group of the stock, its subject (gold README 15: 数字经济核心制造业企业纳统91家)."""
    group = subject_from_prefix(prefix, place_names)
    return group if group and group.endswith(("业", "集群")) else None


PARALLEL_GROUP = re.compile(r"[\u4e00-\u9fff()（）、]{2,16}?(?:企业|行业|产业|业|项目)$")


def parallel_subject(sentence: str, fig: Figure) -> str | None:
    """The group a clause of its own names before its growth figure, in a run of parallel clauses
    ("…,制造业增长8.2%"; after a list comma, A增长2.5倍、B增长1.1倍, the item's own), or None when
    the clause does not start with such a group."""
    at = clause_start(sentence, fig.start)
    subject = _group_head(sentence[at: fig.start])
    listed_at = clause_start_or_list(sentence, fig.start) if not subject else at
    if listed_at != at:
        subject = _group_head(sentence[listed_at: fig.start])
    return subject or None


_HEAD_OPENER = re.compile(r"^(?:其中|另外|此外)")
_HEAD_GROWTH_WORDS = re.compile(r"(?:同比|比上年|比去年同期|较上年)?(?:累计)?$")
_PROJECT_INVESTMENT = re.compile(r"(?<=项目)(?:完成)?投资(?:额)?$")  # 新开工项目投资增长…: a breakdown of investment


@lru_cache(maxsize=4096)
def _group_head(head: str) -> str | None:
    part_of = head.startswith("其中")
    head = _HEAD_OPENER.sub("", head)
    head = _HEAD_GROWTH_WORDS.sub("", head)
    head = _PROJECT_INVESTMENT.sub("", head)
    if part_of and head in load_catalog().product_names:
        return head  # …战略性新兴产业增长21.9%,其中新能源汽车增长81.6%: the product's industry, a part
    if head in words()["macro_regions"]:
        return head if head.endswith("地区") else head + "地区"  # 东部地区增长5.0%: a group of provinces
    if not PARALLEL_GROUP.fullmatch(head) or load_catalog().alias_regex.search(head):
        return None
    return subject_from_prefix(head, None)


def continues_stock(sentence: str, fig: Figure) -> bool:
    """`新增5G基站4万个、累计开通24.2万个`, `…新增88.7万个,目前已达到231.2万个`: a later clause that
    states the running total."""
    clause = sentence[clause_start_or_list(sentence, fig.start): fig.start]
    return bool(_STOCK_CLAUSE.match(clause))


_STOCK_CLAUSE = re.compile(r"(?:累计|总数|总量|共计|合计|(?:目前|截至目前|现|当前)?已?(?:达到|达)(?!\d))")


_ABOVE_SCALE = re.compile(r"规上|规模以上|规模工业")

_ALL_INDUSTRY = re.compile(r"(?:全部|全)工业(?:实现|完成|累计)?$")


_WHOLE_CLAUSE = re.compile(r"[,，;；:：。](?=(?:全|我|本)[省市区县州旗盟国])")
_WHOLE_FIRST = re.compile(r"[全我本]")  # (a quick test: most heads name no whole)


def _scope_text(ctx: SentenceContext, mention: Mention, reach: int = 120) -> str:
    """What a bare wording's scope is read from: its clause and the clauses before it back to the
    last one that names a whole of its own (…规上工业增加值增长6%,全省工业增加值增长5%: the second is
    all industry), else the last `reach` characters of the paragraph so far."""
    head = ctx.sentence[: mention.start]
    cut = [m.end() for m in _WHOLE_CLAUSE.finditer(head)] if _WHOLE_FIRST.search(head) else None
    if cut:
        return head[cut[-1]:]
    if len(head) >= reach:
        return head[-reach:]
    lo, hi = ctx.paragraph_span
    return ctx.section_text[max(lo, hi - (reach - len(head))): hi] + head


def _bare_scope(ctx: SentenceContext, mention: Mention) -> str:
    """The scope of a bare 利润总额 or 营业收入 (湖北省规模以上工业企业营业收入…;营业成本…;利润总额…): as
    `_scope_text`, reaching back over its whole sentence (at least 40 characters); a ministry's name
    (工业和信息化部) is no scope."""
    reach = max(40, mention.start)
    return _scope_text(ctx, mention, reach).replace("工业和信息化", "")


_SCOPE_NAMED = re.compile(r"规上|规模以上|工业")
_CONTINUING_VERB = re.compile(r"实现|完成")


def _above_scale_scope(ctx: SentenceContext, mention: Mention) -> bool:
    """A bare 工业增加值 is 规上 when its clause says so, or when its clause only goes on with the
    subject before it (…规模以上工业企业实现工业总产值…,实现工业增加值…) and that is 规上; a clause
    that opens on the wording (…;工业增加值同比增长12%) names all industry (dev README)."""
    head = ctx.sentence[clause_start(ctx.sentence, mention.start): mention.start]
    if _ABOVE_SCALE.search(head):
        return True
    goes_on = _CONTINUING_VERB.search(head) is not None and subject_from_prefix(head, ctx.place_names) is None
    return goes_on and _ABOVE_SCALE.search(_scope_text(ctx, mention)) is not None


def resolve_code(ctx: SentenceContext, mention: Mention) -> str | None:
    """Apply scope rules: 工业增加值 is 规上 when the sentence's subject is 规上 (gold README 7).
    (Each of a sentence's figures asks of its mention: the answer is kept in the context.)"""
    key = (mention.code, mention.start, mention.alias)
    if key not in ctx.codes:
        ctx.codes[key] = _resolve_code(ctx, mention)
    return ctx.codes[key]


def _resolve_code(ctx: SentenceContext, mention: Mention) -> str | None:
    code = mention.code
    entry = load_catalog().entries[code]
    head = ctx.sentence[: mention.start]
    if entry.scope_sensitive and _above_scale_scope(ctx, mention) and "规下" not in head[-6:]:
        return "industrial_value_added"
    if mention.alias in words()["scoped_bare_aliases"] and not _SCOPE_NAMED.search(_bare_scope(ctx, mention)):
        return None
    if mention.alias in words()["software_segment_aliases"] and not has_word(
            "software_context_words", ctx.section_before + head):
        return None
    if mention.alias in words()["bare_aliases"]:
        if not has_word("group_words", _bare_scope(ctx, mention) + mention.alias):
            return None
    if mention.alias == "增加值" and _ALL_INDUSTRY.search(head) and not _ABOVE_SCALE.search(_scope_text(ctx, mention)):
        return "industrial_value_added_all"  # 全市工业实现增加值…: industry as a whole
    return code


_ALIAS_GROUP = re.compile(r"(.+?业)(?:主营业务收入|业务收入|营业收入|收入|营收|增加值|总产值|产值|固定资产投资|投资)$")

_STATION_KIND = re.compile(r"5G-A|室外")

_SHARE_HOLDER = re.compile(r"[^,，;；:：]*?(?=以|贡献|创造|提供|集聚|聚集|汇聚)")


def mention_subject(ctx: SentenceContext, mention: Mention, code: str, fig: Figure | None = None) -> str | None:
    entry = load_catalog().entries[code]
    cstart = clause_start(ctx.sentence, mention.start)
    prefix = ctx.sentence[cstart: mention.start]
    # (with no list comma in the clause, its list item is the clause itself)
    listed_at = clause_start_or_list(ctx.sentence, mention.start) if "、" in prefix else cstart
    other_item = listed_at > cstart and any(cstart <= m.start < listed_at for m in ctx.mentions if m is not mention)
    if listed_at > cstart and "count" not in entry.level_units and not _JOINT.search(prefix) and (
            other_item or mention.start <= listed_at or _after_own_figure(ctx.sentence, listed_at)):
        # (A增长x%、B增加值增长y%, 增加值、总产值分别…: after an item with its own figure or wording,
        # the item's own words; but 电力、热力的生产和供应业增加值 or A、B共实现收入X is one group)
        prefix = ctx.sentence[listed_at: mention.start]
    if "count" in entry.level_units or "station" in entry.level_units:
        # (5G基站新增88.7万个: the addition word may follow the indicator in the figure's clause)
        own = ctx.sentence[max(mention.end, clause_start(ctx.sentence, fig.start)): fig.start] if fig else ""
        sub = _count_subject(prefix + own, mention)
        if fig is not None and continues_stock(ctx.sentence, fig):
            sub = None
        if sub is None and mention.code == "above_scale_enterprises":
            sub = _counted_industry(prefix, ctx.place_names)
        if "station" in entry.level_units:
            inner = _STATION_KIND.search(mention.alias)
            return inner.group(0) if inner else sub
        return sub
    if mention.gap:
        return subject_from_prefix(mention.gap, ctx.place_names)
    if fig is not None and fig.forward and fig.measure == "share_pct":
        # 云南省89个园区以…面积,贡献了…70%的工业增加值: the share is the sentence subject's (园区)
        head = _SHARE_HOLDER.match(ctx.sentence)
        return subject_from_prefix(head.group(0), ctx.place_names) if head else None
    if fig is not None and prefix.startswith("从") and _LENS_END.match(ctx.sentence, mention.end) is not None:
        return _lens_subject(ctx, fig)
    # (A增加值增长12.1%、B增长8.4%: a list item after a growth figure is a parallel clause too)
    if fig is not None and fig.measure == "yoy_pct" and mention.end <= clause_start_or_list(ctx.sentence, fig.start):
        parallel = parallel_subject(ctx.sentence, fig)
        if parallel:
            return parallel
    return _prefixed_subject(prefix, mention.alias, ctx.place_names)


# 从重点企业产值情况看,机械行业同比增长11%: a lens names the measure; the group is the clause's after it
_LENS_END = re.compile(r"(?:情况|数据)?(?:来)?看[,，]")
_LENS_GROUP_END = ("业", "企业", "集群")


def _lens_subject(ctx: SentenceContext, fig: Figure) -> str | None:
    """The group the clause of a figure after a lens (从…产值看,) opens on, or None (the whole)."""
    head = _HEAD_GROWTH_WORDS.sub("", ctx.sentence[clause_start(ctx.sentence, fig.start): fig.start])
    subject = subject_from_prefix(head, ctx.place_names)
    return subject if subject and subject.endswith(_LENS_GROUP_END) else None


_BELOW_SCALE_TAIL = re.compile(r"(?:工业)?(?:企业)?$")


@lru_cache(maxsize=4096)
def _prefixed_subject(prefix: str, alias: str, place_names: re.Pattern[str] | None) -> str | None:
    """The subject the words before an alias name (the same words and alias read the same)."""
    if alias in ("增加值", "产值", "总产值") and not prefix.strip():
        return None
    scope = _BELOW_SCALE_TAIL.sub("", prefix)  # (规下工业企业增加值: the scope, then its words)
    if "规下" in scope[-4:] or scope.endswith("规模以下"):
        return "规下"
    joined = _ALIAS_GROUP.match(alias) if prefix.endswith(("及", "和", "与")) else None
    if joined:  # 互联网及软件信息服务业主营业务收入: the group is both, as written
        prefix += joined.group(1)
    subject = subject_from_prefix(prefix, place_names)
    cat = load_catalog()
    if subject:  # 先进制造业增加值 -> 先进制造业; 煤炭工业增加值 -> 煤炭工业 (not 轻工业实现工业增加值)
        word = cat.group_words.get(alias, "")  # (汽车制造业工业增加值: a name ending in 业 is whole)
        return subject + word if prefix.endswith(subject) and not subject.endswith((word, "业")) else subject
    # 制造业增加值 alone is manufacturing, a part of industry, not the total
    return cat.group_words.get(alias) if alias in cat.group_alone else None


def is_bare_measure(ctx: SentenceContext, mention: Mention, refers_back: bool = False) -> bool:
    """A measure word with no group or scope of its own before it (…;增加值同比增长8.5%); with
    `refers_back`, also one after a group word that refers back (…,全行业增加值增长4.8%)."""
    if mention.alias not in words()["carried_measure_aliases"]:
        return False
    prefix = ctx.sentence[clause_start(ctx.sentence, mention.start): mention.start]
    subject = subject_from_prefix(prefix, ctx.place_names)
    # (全行业增加值: the alias 行业增加值 holds the group word)
    named = (subject or "") + load_catalog().group_words.get(mention.alias, "")
    own = subject is not None and not (refers_back and named in words()["anaphoric_groups"])
    return not own and not _SCOPE_WORDS.search(prefix)


def carried_topic(topic: tuple[str, str | None], code: str) -> tuple[str, str | None]:
    """(code, subject) of a bare measure word under the group a clause before it named."""
    topic_code, topic_subject = topic
    if not topic_code:  # a group the sentence opened on, with no indicator of its own
        return code, topic_subject
    value_added = words()["value_added_codes"]
    if topic_code == code or (topic_code in value_added and code in value_added):
        return topic_code, topic_subject
    special = topic_code in value_added and not topic_code.startswith("industrial_")
    group = topic_subject or (load_catalog().entries[topic_code].name.removesuffix("增加值") if special else None)
    return code, group


def industry_investment(subject: str) -> tuple[str, str | None]:
    """(code, subject) of `<X>制造业投资`: one industry's investment is a breakdown of industrial
    investment (汽车制造业投资 -> industrial_investment, 汽车制造业); a place's or a body's (兵团制造业投资)
    stays manufacturing investment with the place as subject."""
    holder = subject.removesuffix("制造业")
    if holder != subject and (holder in regional_words() or named_place(holder) is not None):
        return "manufacturing_investment", holder
    return "industrial_investment", subject


_UNIT = re.compile(r"(?:[\u4e00-\u9fff]{1,6}(?:镇|乡|街道)|第?[一二三四五六七八九十]{1,3}师[\u4e00-\u9fff]{0,5})$")


def is_sub_unit(subject: str | None) -> bool:
    """A town, township, street or corps division (胜利镇, 十师北屯市): a part of the report's area whose
    figures a paragraph may go on giving after naming it once."""
    return subject is not None and _UNIT.fullmatch(subject) is not None


def names_a_whole(ctx: SentenceContext, mention: Mention) -> bool:
    """The mention's clause speaks of the report's whole area (全区…, 全县…, 我市…)."""
    head = ctx.sentence[clause_start(ctx.sentence, mention.start): mention.start]
    return has_word("whole_words", head)


@lru_cache(maxsize=1024)
def special_whole(group: str | None, code: str) -> str | None:
    """The special code whose whole a listed group is (装备制造业 in a value-added list ->
    equipment_mfg_value_added), else None."""
    if not group or code not in words()["value_added_codes"]:
        return None
    cat = load_catalog()
    # (高技术行业实现增加值…: a short form, one of its aliases; 装备和高技术制造业…分别: the list's
    # items share the last one's 制造业; 战略性新兴、…产业: the list dropped its 产业)
    for name in (group, group + "业", group + "产业", group + "制造业"):
        aliased = cat.alias_to_code.get(name)
        if aliased is not None and aliased in words()["value_added_codes"] and not aliased.startswith("industrial_"):
            return aliased
    for entry in cat.entries.values():
        if entry.code in words()["value_added_codes"] and entry.name.removesuffix("增加值") == group:
            return entry.code
    return None


def special_code_and_subject(code: str, subject: str | None) -> tuple[str, str | None]:
    """A special code is for its group as a whole: a group inside it, or beside it, is a breakdown
    of 规上 value added (dev README 4); a listed group that is a special code's whole takes it."""
    whole = special_whole(subject, code)
    if whole is not None:
        return whole, None
    if subject == "规下" and code == "industrial_value_added":
        return "industrial_value_added_all", subject  # below the scale is no part of 规上 (dev README)
    if subject is not None and code in words()["value_added_codes"] and not code.startswith("industrial_"):
        return "industrial_value_added", subject
    return code, subject
