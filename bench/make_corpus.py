"""Generate a benchmark inbox of N invented reports, deterministic from a seed.

    .venv/bin/python bench/make_corpus.py --n 10000 --out /tmp/corpus-10k [--seed 7] [--start 0]

Each report is built like the genre (see README "bench/"): a header block (site chrome, forum
chrome like examples/inbox/02_..., a document-site footer, or none), a title and an opening
sentence with a year and a place drawn from schemas/divisions.csv, figure paragraphs made from
the sentences of examples/inbox/ with their numbers re-drawn, and narrative paragraphs composed
from the work-summary sentences below (no figures) up to a size drawn between 3 and 30 KB.
Encodings: mostly UTF-8, some UTF-8 with BOM, GB18030, UTF-16, and a few Traditional.
About 2.5 % of the files are exact copies of an earlier file under another name and about 1 %
are bad (empty, binary, cut short).

Report `i` depends only on (seed, i): the corpus of 1,000 is the first 1,000 files of the corpus
of 10,000, and `--start N --n K` adds K new files to an existing corpus of N (the "1 % new files"
rerun of bench/run.py).
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "inbox"
DIVISIONS = ROOT / "schemas" / "divisions.csv"

MIN_BYTES, MAX_BYTES = 3_000, 30_000
DUPLICATE_SHARE = 0.025
BAD_SHARE = 0.01
FILES_PER_FOLDER = 1000  # inboxes are rarely one flat folder of 100,000 files
# (encoding written, cumulative probability); "traditional" is s2t-converted text in UTF-8 or GB18030.
ENCODINGS: tuple[tuple[str, float], ...] = (
    ("utf-8", 0.80),
    ("utf-8-sig", 0.86),
    ("gb18030", 0.93),
    ("utf-16", 0.96),
    ("traditional", 1.00),
)
CRLF_SHARE = 0.10
SECOND_REGION_SHARE = 0.05  # round-ups that go on to a second place (a second segment)
# Provinces whose reports this project does not receive.
EXCLUDED_PROVINCES = frozenset({"710000", "810000", "820000"})

# Work-summary sentences without figures, composed for this benchmark. `{scope}` becomes 全省,
# 全市, 全县, 全区 or 全旗 and `{place}` the report's place.
FILLER = (
    "{scope}上下坚持稳中求进工作总基调,把制造业高质量发展作为主攻方向。",
    "深入实施产业基础再造工程和重大技术装备攻关工程,产业链供应链韧性持续增强。",
    "围绕主导产业开展精准招商,一批强链补链项目相继落地。",
    "建立重点企业包保服务机制,及时协调解决企业用工、用地、融资等实际困难。",
    "持续开展“万企上云”行动,推动中小企业数字化转型走深走实。",
    "坚持把项目建设作为稳增长的重要抓手,实行重点项目月调度、季督查。",
    "大力推进工业园区扩区调规,园区承载能力明显提升。",
    "积极培育专精特新企业,梯度培育体系逐步完善。",
    "组织开展产销对接活动,帮助企业拓展国内外市场。",
    "扎实推进节能降碳,重点行业能效水平稳步提高。",
    "加快5G网络、工业互联网等新型基础设施建设,数字赋能作用不断显现。",
    "深化“放管服”改革,涉企审批事项办理时限进一步压缩。",
    "认真落实减税降费和惠企纾困政策,企业获得感明显增强。",
    "安全生产形势总体平稳,未发生较大以上生产安全事故。",
    "{place}工业经济总体呈现稳中有进、进中提质的良好态势。",
    "但也要看到,部分企业订单不足、生产经营困难,工业经济回升的基础仍需巩固。",
    "传统产业占比偏高,新兴产业规模偏小,产业结构调整任务依然艰巨。",
    "要素保障压力较大,土地、能源、人才等制约因素仍然存在。",
    "下一步,我们将紧盯年度目标任务,全力以赴稳运行、促转型、强服务。",
    "强化工业经济运行监测分析,对重点企业实行“一企一策”精准帮扶。",
    "聚焦链主企业,推动上下游协同配套,着力打造优势产业集群。",
    "加大技术改造支持力度,引导企业实施智能化、绿色化、高端化改造。",
    "积极争取国家和省级专项资金,为重点项目建设提供有力支撑。",
    "加强与高校、科研院所合作,推动创新成果就地转化。",
    "持续优化营商环境,营造尊重企业家、服务企业家的浓厚氛围。",
    "坚持以党建引领业务工作,干部队伍作风进一步转变。",
    "认真开展调查研究,深入企业一线了解情况、解决问题。",
    "推动服务型制造发展,引导企业由单纯生产向“制造+服务”转型。",
    "扎实做好中小企业服务工作,着力缓解融资难、融资贵问题。",
    "抓好工业固定资产投资统计入库工作,确保应统尽统。",
    "推进无线电管理和信息化建设各项工作,保障重大活动通信安全。",
    "统筹推进淘汰落后产能和化解过剩产能,腾出发展空间。",
    "着力培育新能源、新材料、电子信息等战略性新兴产业。",
    "落实工业用电、用气保障措施,确保重点企业生产稳定。",
    "组织企业参加各类展会和对接活动,提升品牌知名度。",
    "建立健全工业经济运行调度机制,及时研判苗头性、倾向性问题。",
    "以园区为载体,推动产业集聚发展、企业集群发展。",
    "加强工业领域安全生产监管,压实企业主体责任。",
    "深入推进制造业和现代服务业融合发展。",
    "全力推动工业经济实现质的有效提升和量的合理增长。",
    "积极推进智能工厂和数字化车间建设,示范引领作用逐步显现。",
    "加强人才引进和培养,为工业发展提供智力支持。",
)
SECTION_HEADINGS = (
    "一、主要指标完成情况", "二、重点工作推进情况", "三、企业培育情况", "四、项目建设情况",
    "五、存在的主要问题", "六、下一步工作打算", "(一)工业经济运行总体平稳", "(二)产业结构持续优化",
    "(三)转型升级步伐加快", "(四)服务企业扎实有效",
)
OPENINGS = (
    "{year}年,{place}{organ}坚持稳中求进,工业经济运行总体平稳。",
    "{year}年以来,{place}{organ}深入实施制造强{short}战略,工业经济稳中有进。",
    "{year}年,在{place}委{place_gov}的坚强领导下,{organ}紧紧围绕年度目标任务,扎实推进各项工作。",
    "{year}年,{place}工业经济稳步回升,主要指标好于预期。",
    "今年以来({year}年),{place}{organ}全力以赴稳增长、调结构、促转型。",
)
TITLES = (
    "{year}年{place}工业经济运行情况", "{place}{organ}{year}年工作总结", "{place}{year}年上半年工业和信息化工作总结",
    "关于{year}年{place}工业经济运行情况的报告", "{place}{organ}{year}年工作总结和{next}年工作打算",
)
ORGANS = ("工业和信息化局", "工信局", "经济和信息化局", "经信局", "工业和信息化厅")
PROVINCE_ORGANS = ("工业和信息化厅", "经济和信息化厅", "工业和信息化系统")
OTHER_PLACE_OPENINGS = (
    "{year}年,{place}规模以上工业保持较快增长。",
    "另据{place}统计,{year}年当地工业经济稳中向好。",
)

# Example lines that are chrome or disclaimers, not report sentences.
NOT_A_SENTENCE = re.compile(r"示例|範例|示范文件|industry-etl")
FIGURE_WITH_UNIT = re.compile(r"[\dX*]+(?:\.\d+)?(?:%|亿元|万亿元|万元|家|个|万辆|万个|位|个百分点)")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
SCOPE_WORD = re.compile(r"全[省市县区旗]")
KEEP_AFTER = re.compile(r"(?:年|月|日|季度|[—\-~至]\d{1,2}月|[A-Za-z])")


@dataclass(frozen=True)
class Place:
    name: str  # as it appears in the opening: 湖南省, 四川省绵阳市, 绵阳市涪城区
    short: str  # for 制造强省/强市
    scope: str  # 全省, 全市, 全县, 全区, 全旗
    level: str
    file_label: str  # a few characters for the file name


@dataclass
class CorpusStats:
    files: int = 0
    bytes: int = 0
    kinds: Counter = field(default_factory=Counter)  # report, duplicate, empty, binary, truncated
    encodings: Counter = field(default_factory=Counter)


# --- material ------------------------------------------------------------------------------------


@cache
def _divisions() -> tuple[dict[str, tuple[str, str, str]], dict[str, list[str]]]:
    """code -> (name, level, parent_code) and level -> codes, from schemas/divisions.csv."""
    by_code: dict[str, tuple[str, str, str]] = {}
    by_level: dict[str, list[str]] = {"province": [], "city": [], "county": []}
    with DIVISIONS.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        for row in rows:
            if row["province_code"] in EXCLUDED_PROVINCES:
                continue
            by_code[row["code"]] = (row["name"], row["level"], row["parent_code"])
            by_level[row["level"]].append(row["code"])
    return by_code, by_level


def _scope(name: str, level: str) -> str:
    if level == "province":
        return "全区" if name.endswith("自治区") else "全市" if name.endswith("市") else "全省"
    if level == "city":
        return "全州" if name.endswith("州") else "全盟" if name.endswith("盟") else "全市"
    return {"区": "全区", "旗": "全旗", "市": "全市"}.get(name[-1], "全县")


def draw_place(rng: random.Random) -> Place:
    """A province (30 %), prefecture (40 %) or county (30 %), named as reports name them."""
    by_code, by_level = _divisions()
    level = rng.choices(("province", "city", "county"), weights=(3, 4, 3))[0]
    code = rng.choice(by_level[level])
    name, _, parent = by_code[code]
    full = name
    if level != "province" and parent in by_code and rng.random() < 0.4:
        full = by_code[parent][0] + name  # 四川省绵阳市 / 绵阳市涪城区
    short = {"province": "省", "city": "市"}.get(level, "县")
    return Place(full, short, _scope(name, level), level, name[:4])


@cache
def example_sentences() -> tuple[str, ...]:
    """Sentences of examples/inbox/ holding a figure with a unit, in Simplified Chinese."""
    import opencc

    to_simplified = opencc.OpenCC("t2s")
    sentences = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        text = to_simplified.convert(text).replace("，", ",")
        for line in text.splitlines():
            if NOT_A_SENTENCE.search(line):
                continue
            sentences.extend(sentence.strip() for sentence in re.findall(r"[^。]+。", line)
                             if FIGURE_WITH_UNIT.search(sentence))
    if len(sentences) < 8:
        raise RuntimeError(f"too few figure sentences in {EXAMPLES} ({len(sentences)}) to build a corpus")
    return tuple(sentences)


def _redraw_number(match: re.Match[str], sentence: str, rng: random.Random, year: int) -> str:
    """A new number of the same kind: years follow the report, months stay, ranks 1..31, others +-60 %."""
    text, end = match.group(), match.end()
    following = sentence[end:end + 4]
    if following.startswith("年") and len(text) == 4:
        later = "将" in sentence[end:end + 12] or "力争" in sentence[end:end + 12]
        return str(year + 1 if later else year)
    if KEEP_AFTER.match(following):
        return text
    if sentence[max(0, match.start() - 1):match.start()] == "第":
        return str(rng.randint(1, 31))
    decimals = len(text.split(".")[1]) if "." in text else 0
    value = float(text) * rng.uniform(0.4, 1.6)
    if decimals == 0:
        return str(max(1, round(value)))
    return f"{value:.{decimals}f}"


def figure_sentence(rng: random.Random, place: Place, year: int) -> str:
    sentence = rng.choice(example_sentences())
    sentence = NUMBER.sub(lambda m: _redraw_number(m, sentence, rng, year), sentence)
    return SCOPE_WORD.sub(place.scope, sentence, count=1)  # the subject; a comparison (高于全市) stays


def filler_sentences(rng: random.Random, place: Place, low: int, high: int) -> str:
    picked = rng.sample(FILLER, rng.randint(low, high))
    return "".join(picked).format(scope=place.scope, place=place.name)


def figure_paragraph(rng: random.Random, place: Place, year: int) -> str:
    """Two to four figure sentences, usually with some narrative around them, as real reports mix them."""
    figures = "".join(figure_sentence(rng, place, year) for _ in range(rng.randint(2, 4)))
    return filler_sentences(rng, place, 0, 3) + figures + filler_sentences(rng, place, 0, 2)


# --- one report ----------------------------------------------------------------------------------


def _date(rng: random.Random, year: int) -> str:
    return f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"


def header_and_footer(rng: random.Random, title: str, organ_name: str, year: int) -> tuple[list[str], list[str]]:
    """Site chrome around the report: a government site, a forum (like examples 02), a document site, or none."""
    kind = rng.choices(("site", "forum", "docsite", "none"), weights=(35, 20, 20, 25))[0]
    date = _date(rng, year)
    if kind == "site":
        return ([f"首页 > 新闻中心 > {rng.choice(('工作动态', '工作总结', '统计数据'))}", title,
                 f"发布时间:{date} 来源:{organ_name}", "字号:大 中 小 打印本页 关闭窗口"],
                ["扫一扫在手机打开当前页", f"主办单位:{organ_name} 版权所有",
                 f"ICP备{rng.randint(10_000_000, 99_999_999)}号"])
    if kind == "forum":
        return (["搜索", "热搜: 工作总结 计划", "打印 上一主题 下一主题", f"[计划总结] {title}", "楼主",
                 f"发表于 {date} {rng.randint(8, 22)}:{rng.randint(10, 59)}:{rng.randint(10, 59)} | 只看该作者 |阅读模式"],
                ["分享到: QQ好友和群 QQ空间 腾讯微博", "收藏 转播 举报", "您需要登录后才可以回帖 登录 | 立即注册",
                 f"Powered by Discuz! X3.4  GMT+8, {date} 09:30", "返回顶部"])
    if kind == "docsite":
        return ([title], [f"阅读量:{rng.randint(20, 9000)} 下载量:{rng.randint(0, 300)} 收藏: 投诉{rng.randint(0, 9)}"])
    return [title], []


def report_text(rng: random.Random, target_chars: int) -> tuple[str, Place, int]:
    """The text of one report of about `target_chars` characters."""
    place = draw_place(rng)
    year = rng.randint(2018, 2024)
    organ = rng.choice(PROVINCE_ORGANS if place.level == "province" else ORGANS)
    fields = {"year": year, "next": year + 1, "place": place.name, "organ": organ, "short": place.short,
              "place_gov": place.short + "政府"}
    title = rng.choice(TITLES).format(**fields)
    header, footer = header_and_footer(rng, title, place.name + organ, year)
    figures_left = 1 + target_chars // 1800  # about one figure paragraph per 5 KB of UTF-8
    body = [rng.choice(OPENINGS).format(**fields)]
    size = sum(map(len, header + footer + body))
    headings = iter(SECTION_HEADINGS)
    second_place = rng.random() < SECOND_REGION_SHARE
    while size < target_chars or figures_left > 0:
        if rng.random() < 0.25 and (heading := next(headings, None)):
            body.append(heading)
        if figures_left > 0 and (rng.random() < 0.5 or size >= target_chars):
            paragraph = figure_paragraph(rng, place, year)
            figures_left -= 1
        else:
            paragraph = filler_sentences(rng, place, 4, 14)
        if second_place and size > target_chars // 2:
            second_place = False
            place = draw_place(rng)
            paragraph = rng.choice(OTHER_PLACE_OPENINGS).format(year=year, place=place.name) + paragraph
        body.append(paragraph)
        size += len(paragraph) + 1
    return "\n".join([*header, *body, *footer]) + "\n", place, year


@cache
def _to_traditional():
    import opencc

    return opencc.OpenCC("s2t")


def encode(text: str, encoding: str, rng: random.Random) -> tuple[bytes, str]:
    """(bytes, encoding label) of a report text."""
    if rng.random() < CRLF_SHARE:
        text = text.replace("\n", "\r\n")
    if encoding == "traditional":
        codec = rng.choice(("utf-8", "gb18030"))
        return _to_traditional().convert(text).encode(codec), f"traditional-{codec}"
    return text.encode(encoding), encoding  # "utf-16" writes a byte-order mark


BYTES_PER_CHAR = {"utf-8": 3.0, "utf-8-sig": 3.0, "gb18030": 2.0, "utf-16": 2.0, "traditional": 2.6}


def bad_file(rng: random.Random, good: bytes) -> tuple[bytes, str]:
    kind = rng.choice(("empty", "binary-png", "binary-pdf", "binary-junk", "truncated"))
    if kind == "empty":
        return b"", kind
    junk = rng.randbytes(rng.randint(2_000, 20_000))
    if kind == "binary-png":
        return b"\x89PNG\r\n\x1a\n" + junk, kind
    if kind == "binary-pdf":
        return b"%PDF-1.7\n" + junk, kind
    if kind == "binary-junk":
        return junk, kind
    return good[: rng.randint(len(good) // 4, len(good) - 1)], kind  # cut mid-character, usually


@dataclass(frozen=True)
class CorpusFile:
    name: str  # relative path in the inbox
    data: bytes
    kind: str  # report, duplicate, empty, binary-*, truncated
    encoding: str | None


def _report_bytes(rng: random.Random) -> tuple[bytes, str, Place, int]:
    draw = rng.random()
    encoding = next(name for name, upto in ENCODINGS if draw < upto)
    target_bytes = math.exp(rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES)))
    text, place, year = report_text(rng, int(target_bytes / BYTES_PER_CHAR[encoding]))
    data, label = encode(text, encoding, rng)
    return data, label, place, year


def corpus_file(seed: int, index: int) -> CorpusFile:
    """File number `index` of the corpus of `seed`: a pure function of both."""
    rng = random.Random(f"industry-etl-bench:{seed}:{index}")
    data, encoding, place, year = _report_bytes(rng)
    name = f"{index // FILES_PER_FOLDER:03d}/{index:06d}_{place.file_label}_{year}.txt"
    draw = rng.random()
    if index > 0 and draw < DUPLICATE_SHARE:
        original = corpus_file(seed, rng.randrange(index))
        return CorpusFile(name, original.data, "duplicate", original.encoding)
    if draw < DUPLICATE_SHARE + BAD_SHARE:
        data, kind = bad_file(rng, data)
        return CorpusFile(name, data, kind, None)
    return CorpusFile(name, data, "report", encoding)


def write_corpus(out: Path, count: int, seed: int = 7, start: int = 0) -> CorpusStats:
    """Write files start .. start+count-1 of the corpus of `seed` into `out`."""
    stats = CorpusStats()
    for index in range(start, start + count):
        item = corpus_file(seed, index)
        path = out / item.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.data)
        stats.files += 1
        stats.bytes += len(item.data)
        stats.kinds[item.kind] += 1
        if item.encoding:
            stats.encodings[item.encoding] += 1
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of files (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into (created)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", type=int, default=0, help="index of the first file (to add files)")
    args = parser.parse_args()
    started = time.perf_counter()
    stats = write_corpus(args.out, args.n, args.seed, args.start)
    seconds = time.perf_counter() - started
    print(f"{stats.files} files, {stats.bytes / 1e6:.1f} MB in {args.out} ({seconds:.1f} s)")
    print("kinds: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.kinds.items())))
    print("encodings: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.encodings.items())))


if __name__ == "__main__":
    main()
