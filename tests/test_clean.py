"""Clean stage: character normal form, boilerplate removal, and what must survive it."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.stages import Document
from tasks.clean import clean_boilerplate, clean_document, normalise_text
from tests.conftest import GOLD, SAMPLES, needs_samples

WATERMARK = "笔杆儿网www.bgzjy.cn"


def clean(text: str) -> str:
    return clean_boilerplate(normalise_text(text))[0]


@pytest.fixture(scope="module")
def cleaned_samples() -> dict[str, str]:
    return {p.name: clean(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.txt"))}


# ---- acceptance on the five sample reports ---------------------------------------------------


@needs_samples
def test_every_gold_evidence_survives_cleaning(cleaned_samples: dict[str, str]) -> None:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    missing = [
        (row["file"], row["evidence"])
        for row in rows
        if normalise_text(row["evidence"]).replace(WATERMARK, "") not in cleaned_samples[row["file"]]
    ]
    assert len(rows) == 171
    assert missing == []


CHROME_MARKERS = [
    "热搜",
    "上一主题",
    "下一主题",
    "楼主",
    "发表于",
    "回帖",
    "只看该作者",
    "倒序浏览",
    "阅读模式",
    "分享到",
    "使用道具",
    "立即注册",
    "本版积分规则",
    "ICP备",
    "公网安备",
    "Powered by",
    "GMT+8",
    "返回顶部",
    "返回列表",
    "快速回复",
    "复制链接",
    "跳转到指定楼层",
    "阅读量",
    "下载量",
    "文章转载网络",
    "bgzjy",
    "©",
    "www.",
    "[1]",
]
# Chrome words that are also report prose (004: "及时受理企业和群众的投诉举报"): only a short line
# holding one is chrome.
CHROME_WORDS = ["搜索", "打印", "收藏", "转播", "举报", "登录", "投诉"]


@needs_samples
@pytest.mark.parametrize("marker", CHROME_MARKERS)
def test_no_chrome_marker_survives_in_any_sample(cleaned_samples: dict[str, str], marker: str) -> None:
    assert [name for name, text in cleaned_samples.items() if marker in text] == []


@needs_samples
def test_no_short_line_with_a_chrome_word_survives(cleaned_samples: dict[str, str]) -> None:
    short_lines = [line for text in cleaned_samples.values() for line in text.split("\n") if len(line) <= 40]
    assert [line for line in short_lines if any(word in line for word in CHROME_WORDS)] == []


@needs_samples
def test_chrome_words_in_report_prose_survive(cleaned_samples: dict[str, str]) -> None:
    assert "及时受理企业和群众的投诉举报" in cleaned_samples["004_f59545b9d75aea0a.txt"]


@needs_samples
def test_redacted_figures_survive(cleaned_samples: dict[str, str]) -> None:
    s000 = next(text for name, text in cleaned_samples.items() if name.startswith("000_"))
    s004 = next(text for name, text in cleaned_samples.items() if name.startswith("004_"))
    assert "全区***户规模以上工业企业实现工业总产值达***亿元" in s000
    assert "同比增长**%" in s000
    assert "同比增长XX%" in s004
    assert "累计完成工业增加值XX亿元" in s004


@needs_samples
def test_forum_page_keeps_its_title_and_report_body(cleaned_samples: dict[str, str]) -> None:
    s002 = next(text for name, text in cleaned_samples.items() if name.startswith("002_"))
    assert s002.startswith(
        "[计划总结] 区经信局2022年上半年工作总结\n\n区经信局2022年上半年工作总结\n\n2022年,"
    )
    assert s002.endswith("华尔推剪等8家企业获宁波市企业管理创新提升星级评价五星级。")


@needs_samples
def test_clean_report_loses_nothing_but_markers(cleaned_samples: dict[str, str]) -> None:
    raw = normalise_text((SAMPLES / "003_bb58e88cae0c3348.txt").read_text(encoding="utf-8"))
    assert cleaned_samples["003_bb58e88cae0c3348.txt"] == raw.strip()


# ---- normalise_text --------------------------------------------------------------------------


def test_traditional_and_full_width_become_simplified_half_width() -> None:
    assert normalise_text("規上工業增加值增長７．６％") == "规上工业增加值增长7.6%"


def test_full_width_month_range_keeps_its_dash() -> None:
    assert normalise_text("１—１１月，全市") == "1—11月,全市"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1－11月", "1-11月"),
        ("1～11月", "1~11月"),
        ("1〜11月", "1~11月"),
        ("1−11月", "1-11月"),
        ("1―11月", "1—11月"),
        ("1–11月", "1–11月"),
        ("1~11月", "1~11月"),
        ("1-11月", "1-11月"),
    ],
)
def test_range_dash_variants_fold_onto_what_the_period_parser_reads(written: str, expected: str) -> None:
    assert normalise_text(written) == expected


def test_full_width_punctuation_becomes_ascii_but_chinese_stops_stay() -> None:
    assert normalise_text("（一）指标：增长８％；下降２％，、。") == "(一)指标:增长8%;下降2%,、。"


def test_line_breaks_spaces_and_invisible_characters() -> None:
    text = "第一行\r\n第二\u200b行\r第三行\u3000增长\u00a05%\ufeff"
    assert normalise_text(text) == "第一行\n第二行\n第三行 增长 5%"


def test_traditional_conversion_runs_to_a_fixed_point() -> None:
    # OpenCC converts 韓昇延 to 韩昇延, which converts again to 韩升延; 薴 -> 苧 -> 苎 chains.
    assert normalise_text("韓昇延 薴") == "韩升延 苎"


def test_simplified_text_is_left_alone() -> None:
    text = "2023年,全市规上工业增加值增长5.5%,高于全国1.4个百分点。乾隆 瞭望"
    assert normalise_text(text) == text


def test_lone_surrogates_are_dropped_not_raised() -> None:
    assert normalise_text("增長\udc80７%") == "增长7%"


# ---- clean_boilerplate: composed damage ------------------------------------------------------


def test_watermark_inside_a_word_is_removed_and_the_word_rejoined() -> None:
    assert clean("蓝笔杆儿网www.bgzjy.cn鲸发动机") == "蓝鲸发动机"


def test_pinyin_readings_are_dropped() -> None:
    assert clean("工业增長(zhǎng)7.6%,增长（zēng zhǎng）较快") == "工业增长7.6%,增长较快"


def test_parenthesised_words_without_tone_marks_stay() -> None:
    text = "地区生产总值(GDP)增长5%,工业(app)"
    assert clean(text) == text


def test_decorative_symbols_between_clauses_are_dropped() -> None:
    assert clean("增长7.6%★,高于全国◆1.4个百分点■。") == "增长7.6%,高于全国1.4个百分点。"


def test_redacted_figures_are_not_separators() -> None:
    text = "实现工业增加值***亿元,同比增长**%。\n\n***\n\n增加值增速XX%。"
    assert clean(text) == text


def test_separator_lines_are_dropped() -> None:
    assert clean("第一段。\n******\n第二段。\n————————\n- - - - -") == "第一段。\n第二段。"


def test_paywall_notice_is_dropped() -> None:
    assert clean("工业投资增长12.8%。(未完,全文共2270字…)") == "工业投资增长12.8%。"


def test_parenthesised_report_words_that_look_like_a_paywall_stay() -> None:
    text = "对进度滞后的项目(未完成年度计划的)加强督导。"
    assert clean(text) == text


def test_photo_credits_and_picture_placeholders_are_dropped() -> None:
    text = "新能源汽车产量增长30%。(摄影 张三)\n图片\n图片来源:视觉中国\n园区全景(新华社记者 李贺 摄)"
    assert clean(text) == "新能源汽车产量增长30%。\n园区全景"


def test_footnote_markers_and_bare_urls_are_dropped() -> None:
    assert clean("部署[1],详见 https://gxt.example.cn/a/1.html 与www.example.com.cn") == "部署,详见  与"


@pytest.mark.parametrize(("text", "expected"), [
    # a bulleted list flattened into one line: each " - " starts an item of its own
    ("工业经济整体表现 - 2025年规上工业增加值增长6.9% [1] - 2025年全省工业投资增长6.6%",
     "工业经济整体表现。2025年规上工业增加值增长6.9%。2025年全省工业投资增长6.6%"),
    # a dash between numbers, or with no space around it, is no list mark
    ("2023 - 2025年规上工业增加值年均增长6%", "2023 - 2025年规上工业增加值年均增长6%"),
    ("1-2月规上工业增加值增长6%", "1-2月规上工业增加值增长6%"),
])
def test_a_flattened_bullet_list_becomes_sentences(text: str, expected: str) -> None:
    assert clean(text) == expected


def test_related_article_footer_is_dropped() -> None:
    text = (
        "软件业务收入增长13%。\n\n相关阅读:\n· 浙江省工业经济运行平稳\n· 重庆市新型工业化推进会召开 2024-11-25\n\n下一段正文很长"
        + "很长" * 20
        + "。"
    )
    assert clean(text) == "软件业务收入增长13%。\n\n下一段正文很长" + "很长" * 20 + "。"


def test_app_banners_counters_and_disclaimers_are_dropped() -> None:
    text = "打开APP\n扫描分享至微信\n正文。\n阅读量:64 下载量:4 收藏: 投诉3\n文章转载网络,只供大家学习交流。\n© 2001-2013 版权所有"
    assert clean(text) == "正文。"


def test_a_long_report_sentence_mentioning_chrome_words_stays() -> None:
    text = "搜索引擎、收藏品和回复率等新业态" + "加快发展" * 30 + ",发表于2022-7-4的报告显示增长5%。"
    assert clean(text) == text


def test_one_phrase_per_line_is_rejoined_into_clauses() -> None:
    text = "1—11月,全市\n规上工业增加值\n同比增长7.6%,\n高于全国1.4个百分点。\n工业投资\n增长12.8%。"
    assert clean(text) == "1—11月,全市规上工业增加值同比增长7.6%,高于全国1.4个百分点。\n工业投资增长12.8%。"


def test_phrase_lines_ending_in_a_figure_stay_separate_clauses() -> None:
    text = "智能网联新能源汽车\n产业增加值\n增长6.3%\n软件业务收入\n同比增长13%\n居全国第5位"
    assert clean(text) == "智能网联新能源汽车产业增加值增长6.3%,软件业务收入同比增长13%,居全国第5位"


def test_a_phrase_line_of_clauses_stays_a_clause_of_its_own() -> None:
    # a heading-like line that is already a list of clauses is not the subject of the next line's figure
    text = "上半年我省扭住产业发力,培育产业优势\n规模以上工业增加值同比增长8.4%"
    assert clean(text) == "上半年我省扭住产业发力,培育产业优势,规模以上工业增加值同比增长8.4%"


def test_a_unit_on_the_next_line_stays_with_its_number() -> None:
    assert clean("规上工业企业达\n1234\n家,增长5%") == "规上工业企业达1234家,增长5%"


def test_picture_placeholder_between_phrase_lines_does_not_split_the_clause() -> None:
    assert clean("规上工业增加值\n图片\n同比增长7.6%") == "规上工业增加值同比增长7.6%"


def test_headings_and_paragraphs_are_not_joined() -> None:
    text = "一、工作成效\n(一)工业经济\n规上工业增加值增长7.6%。\n\n二、存在问题\n聚焦重点、协同推进\n坚定不移落实全年目标任务"
    assert clean(text) == text


def test_blank_line_runs_collapse_and_trailing_spaces_go() -> None:
    assert clean("\n\n第一段。  \n\n\n\n  第二段。 \n\n") == "第一段。\n\n第二段。"


def test_removed_count_is_the_length_difference() -> None:
    text = "正文。\n\n\n\n分享到: QQ空间\n"
    cleaned, removed = clean_boilerplate(text)
    assert (cleaned, removed) == ("正文。", len(text) - len("正文。"))


# Inputs that once made a pattern backtrack for tens of seconds (exponential chrome-line match,
# quadratic host and run joins). Not timed: a regression shows up as a test that hangs.
@pytest.mark.parametrize(
    "text",
    [
        ("收藏 " * 12 + "x\n") * 2000,
        "www." * 20000,
        "增长7%\n" * 20000,
        "(" + "a " * 20000,
        ("(图 " + "字" * 20) * 3000,
    ],
    ids=["chrome-tokens", "hosts", "figure-lines", "parenthesised-words", "photo-credits"],
)
def test_pathological_inputs_are_cleaned_in_linear_time(text: str) -> None:
    cleaned, removed = clean_boilerplate(normalise_text(text))
    assert removed == len(text) - len(cleaned) >= 0


# ---- clean_document --------------------------------------------------------------------------


def _document(text: str, status: str = "ok") -> Document:
    return Document(
        doc_id="0" * 16, sha256="0" * 64, source_file="a.txt", size=0, mtime_ns=0, status=status, text=text
    )


def test_clean_document_fills_cleaned_text_and_count() -> None:
    doc = clean_document(_document("正文增长5%。\n热搜: 活动 交友"))
    assert (doc.cleaned_text, doc.boilerplate_chars_removed) == ("正文增长5%。", 10)


def test_clean_document_leaves_failed_documents_alone() -> None:
    doc = clean_document(_document("搜索\n正文", status="undecodable"))
    assert (doc.cleaned_text, doc.boilerplate_chars_removed) == ("", 0)


# ---- properties ------------------------------------------------------------------------------

# Text made of the pieces the cleaner reacts to, so the properties are tested where it matters.
_PIECES = [
    "规上工业增加值",
    "同比增长",
    "7.6%",
    "***",
    "**%",
    "XX",
    "亿元",
    "1—11月",
    "。",
    ",",
    ",",
    "\n",
    "\n\n",
    " ",
    "(",
    ")",
    "（",
    "）",
    "zhǎng",
    "zēng ",
    "zhang3",
    "★",
    "◆",
    "******",
    "-----",
    "笔杆儿网",
    "www.bgzjy.cn",
    "https://a.cn/x",
    "[1]",
    "【2】",
    "未完",
    "全文共2270字",
    "摄影 ",
    " 摄",
    "图片",
    "图片来源:",
    "未完成",
    "相关阅读",
    "· ",
    "2024-11-25",
    "分享到",
    "收藏",
    "阅读量:64",
    "发表于 2022-7-4",
    "ICP备",
    "©",
    "一、",
    "(一)",
    "1.",
    "規上工業",
    "增長",
    "７．６％",
    "，",
    "\r\n",
    "\u3000",
    "\u200b",
    "薴",
    "韓昇延",
    "於戲",
    "\t",
    "展开全文",
]
_damaged_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=30).map("".join),
)
_fuzz = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_fuzz
@given(_damaged_text)
def test_normalise_text_is_idempotent_and_never_lengthens(text: str) -> None:
    once = normalise_text(text)
    assert len(once) <= len(text) + text.count("\t")  # a tab becomes two spaces (a table's cell gap)
    assert normalise_text(once) == once


@_fuzz
@given(_damaged_text)
def test_clean_boilerplate_is_idempotent_never_lengthens_and_counts_exactly(text: str) -> None:
    cleaned, removed = clean_boilerplate(text)
    assert removed == len(text) - len(cleaned) >= 0
    assert clean_boilerplate(cleaned) == (cleaned, 0)


@_fuzz
@given(_damaged_text)
def test_cleaning_normalised_text_is_idempotent(text: str) -> None:
    once = clean(text)
    assert clean(once) == once


# ---------------------------------------------------------------- titles over the body


@pytest.mark.parametrize(
    "text",
    [
        "2022年全县工业经济运行情况\n全县规上工业增加值增长5.2%,技改投资增长8.0%。",
        "绍兴市2022年1-11月工业经济运行简析\n1-11月,全市规上工业增加值增长5.2%。",
        "衢州工业经济稳中有进\n前三季度,全市规上工业增加值增长5.6%,高于全省0.4个百分点。",
        "衢州:前三季度工业经济稳中向好\n前三季度,全市规上工业增加值增长5.6%。",
        "2023年各省工业经济数据\n【安徽】规上工业增加值增长7.5%。\n【河南】规上工业增加值增长5.0%。",
    ],
)
def test_a_title_line_is_not_joined_to_the_sentence_under_it(text: str) -> None:
    assert clean(text) == text


def test_a_title_stays_its_own_line_when_a_date_line_between_is_dropped() -> None:
    text = "2022年全县工业经济运行情况\n发布时间:2023-01-18 来源:县统计局\n全县规上工业增加值增长5.2%。"
    assert clean(text) == "2022年全县工业经济运行情况\n全县规上工业增加值增长5.2%。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("规上工业增加值\n同比增长7.6%,居全省第3位。", "规上工业增加值同比增长7.6%,居全省第3位。"),
        ("智能网联新能源汽车\n产业增加值增长6.3%。", "智能网联新能源汽车产业增加值增长6.3%。"),
        # (a line that opens like a sentence starts a clause of its own)
        ("今年以来\n全区规上工业增加值增长4.1%。", "今年以来,全区规上工业增加值增长4.1%。"),
        ("湖北持续推动重大项目的建设\n2023年1-11月\n全省工业投资增长9.3%", "湖北持续推动重大项目的建设,2023年1-11月,全省工业投资增长9.3%"),
        ("成为稳定工业大盘的主要力量\n其中,汽车制造业表现突出\n11月,增加值增速21%", "成为稳定工业大盘的主要力量,其中,汽车制造业表现突出,11月,增加值增速21%"),
    ],
)
def test_phrase_lines_that_are_no_title_are_still_joined(text: str, expected: str) -> None:
    assert clean(text) == expected
