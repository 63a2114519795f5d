"""tasks/place.py: resolving place phrases, cutting reports into region sections, report years."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import SCHEMAS_DIR
from schemas.build_divisions import division_rows
from schemas.stages import Document, Segment
from tasks.clean import clean_boilerplate, clean_document, normalise_text
from tasks.place import (
    Place,
    find_publication_date,
    find_title,
    gazetteer,
    place_document,
    read_divisions,
    resolve_region,
    segment_document,
)

INBOX = Path("/work/shared/samples/inbox")


def sample(prefix: str) -> str:
    if not INBOX.is_dir():
        pytest.skip("the shared samples are not on this machine")
    (path,) = INBOX.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def places(
    segments: list[Segment],
) -> list[tuple[str | None, str | None, str | None, str | None, str | None]]:
    return [(s.region_code, s.region, s.city, s.city_code, s.county) for s in segments]


def assert_tiles(text: str, segments: list[Segment]) -> None:
    assert segments, "at least one segment"
    assert segments[0].start == 0
    assert segments[-1].end == len(text)
    for before, after in itertools.pairwise(segments):
        assert before.end == after.start
    assert [s.index for s in segments] == list(range(len(segments)))


# ---------------------------------------------------------------- the division table


def test_divisions_csv_holds_the_package_table_with_parents():
    divisions = read_divisions([SCHEMAS_DIR / "divisions.csv"])
    levels = [d.level for d in divisions.values()]
    assert (levels.count("province"), levels.count("city"), levels.count("county")) == (34, 333, 2843)
    assert divisions["330212"].name == "鄞州区" and divisions["330212"].parent_code == "330200"
    assert divisions["500110"].parent_code == "500000"  # a municipality's county hangs on the province
    assert divisions["429004"].parent_code == "420000"  # 仙桃市: 省直辖县级
    assert all(d.province_code == d.code[:2] + "0000" for d in divisions.values())


def test_division_rows_give_counties_without_prefecture_the_province_as_parent():
    rows = division_rows(
        {
            "500000": "重庆市",
            "500101": "万州区",
            "420000": "湖北省",
            "420100": "武汉市",
            "420102": "江岸区",
            "429004": "仙桃市",
        }
    )
    assert ("500101", "万州区", "county", "500000", "500000") in rows
    assert ("420102", "江岸区", "county", "420100", "420000") in rows
    assert ("429004", "仙桃市", "county", "420000", "420000") in rows
    assert ("420100", "武汉市", "city", "420000", "420000") in rows


def test_extra_divisions_file_adds_and_renames_units(tmp_path):
    base = tmp_path / "base.csv"
    base.write_text(
        "# comment\ncode,name,level,parent_code,province_code\n650000,新疆维吾尔自治区,province,,650000\n"
        "659011,新星市,county,650000,650000\n",
        encoding="utf-8",
    )
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "# newer units\ncode,name,level,parent_code,province_code\n659012,白杨市,county,650000,650000\n"
        "659011,新星新市,county,650000,650000\n",
        encoding="utf-8",
    )
    divisions = read_divisions([base, extra, tmp_path / "missing.csv"])
    assert divisions["659012"].name == "白杨市"
    assert divisions["659011"].name == "新星新市"


def test_shipped_extra_divisions_file_has_only_its_header():
    lines = (SCHEMAS_DIR / "divisions_extra.csv").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "code,name,level,parent_code,province_code"
    ]


# ---------------------------------------------------------------- resolve_region

P = Place
PHRASES: list[tuple[str, Place | None]] = [
    # municipalities: no prefecture city
    ("北京", P("110000", "北京市")),
    ("北京市", P("110000", "北京市")),
    ("天津", P("120000", "天津市")),
    ("上海市", P("310000", "上海市")),
    ("重庆", P("500000", "重庆市")),
    ("重庆市", P("500000", "重庆市")),
    # provinces, short and full
    ("浙江", P("330000", "浙江省")),
    ("浙江省", P("330000", "浙江省")),
    ("甘肃", P("620000", "甘肃省")),
    ("黑龙江省", P("230000", "黑龙江省")),
    ("吉林", P("220000", "吉林省")),  # the province, not 吉林市
    ("海南", P("460000", "海南省")),  # not 海南藏族自治州 or 乌海市海南区
    ("河南", P("410000", "河南省")),  # not 河南蒙古族自治县
    ("台湾", P("710000", "台湾省")),
    # autonomous regions and SARs
    ("广西", P("450000", "广西壮族自治区")),
    ("广西壮族自治区", P("450000", "广西壮族自治区")),
    ("内蒙古", P("150000", "内蒙古自治区")),
    ("内蒙古自治区", P("150000", "内蒙古自治区")),
    ("内蒙", P("150000", "内蒙古自治区")),
    ("新疆", P("650000", "新疆维吾尔自治区")),
    ("新疆维吾尔自治区", P("650000", "新疆维吾尔自治区")),
    ("宁夏", P("640000", "宁夏回族自治区")),
    ("西藏", P("540000", "西藏自治区")),
    ("香港", P("810000", "香港特别行政区")),
    ("澳门特别行政区", P("820000", "澳门特别行政区")),
    # prefectures
    ("宁波", P("330000", "浙江省", "宁波市", "330200")),
    ("宁波市", P("330000", "浙江省", "宁波市", "330200")),
    ("浙江宁波", P("330000", "浙江省", "宁波市", "330200")),
    ("浙江省宁波市", P("330000", "浙江省", "宁波市", "330200")),
    ("吉林市", P("220000", "吉林省", "吉林市", "220200")),
    ("深圳", P("440000", "广东省", "深圳市", "440300")),
    ("东莞市", P("440000", "广东省", "东莞市", "441900")),
    ("延边", P("220000", "吉林省", "延边朝鲜族自治州", "222400")),
    ("恩施土家族苗族自治州", P("420000", "湖北省", "恩施土家族苗族自治州", "422800")),
    ("阿里地区", P("540000", "西藏自治区", "阿里地区", "542500")),
    ("海南藏族自治州", P("630000", "青海省", "海南藏族自治州", "632500")),
    # counties, when only one unit has the name (or the phrase names its parent)
    ("鄞州区", P("330000", "浙江省", "宁波市", "330200", "鄞州区")),
    ("鄞州", P("330000", "浙江省", "宁波市", "330200", "鄞州区")),
    ("宁波市鄞州区", P("330000", "浙江省", "宁波市", "330200", "鄞州区")),
    ("义乌市", P("330000", "浙江省", "金华市", "330700", "义乌市")),
    ("昆山", P("320000", "江苏省", "苏州市", "320500", "昆山市")),
    ("浦东新区", P("310000", "上海市", None, None, "浦东新区")),
    ("北京市朝阳区", P("110000", "北京市", None, None, "朝阳区")),
    ("宁波市江北区", P("330000", "浙江省", "宁波市", "330200", "江北区")),
    ("重庆市江北区", P("500000", "重庆市", None, None, "江北区")),
    ("仙桃市", P("420000", "湖北省", None, None, "仙桃市")),
    ("公安县", P("420000", "湖北省", "荆州市", "421000", "公安县")),
    # masked counties: as written, no province unless the phrase names the city
    ("XX区", P(None, None, None, None, "XX区")),
    ("XX县", P(None, None, None, None, "XX县")),
    ("**区", P(None, None, None, None, "**区")),
    ("宁波市XX区", P("330000", "浙江省", "宁波市", "330200", "XX区")),
    # the whole country
    ("全国", P("100000", "全国")),
    ("我国", P("100000", "全国")),
    # ambiguous or unknown: None, never a guess
    ("江北区", None),  # 重庆 and 宁波
    ("朝阳区", None),  # 北京 and 长春
    ("鼓楼区", None),
    ("滨海", None),  # 滨海县 (盐城) and 滨海新区 (天津)
    ("公安", None),  # an everyday word, not a short name
    ("XX市", None),  # masked, level unknown
    ("火星", None),
    ("", None),
    ("宁波大学", None),
]


@pytest.mark.parametrize(("phrase", "expected"), PHRASES, ids=[p or "empty" for p, _ in PHRASES])
def test_resolve_region(phrase, expected):
    assert resolve_region(phrase) == expected


def test_resolve_region_ignores_surrounding_space_and_punctuation():
    assert resolve_region(" 宁波、") == resolve_region("宁波")


# ---------------------------------------------------------------- the samples


def test_roundup_sample_yields_ten_regions_in_order_after_an_intro():
    text = sample("001")
    segments = segment_document(text)
    assert_tiles(text, segments)
    intro, *regional = segments
    assert intro.region is None and intro.region_code is None
    assert [(s.region, s.region_code) for s in regional] == [
        ("北京市", "110000"),
        ("上海市", "310000"),
        ("重庆市", "500000"),
        ("广东省", "440000"),
        ("江苏省", "320000"),
        ("山东省", "370000"),
        ("浙江省", "330000"),
        ("海南省", "460000"),
        ("云南省", "530000"),
        ("甘肃省", "620000"),
    ]
    assert {s.report_year for s in segments} == {2024}
    assert all(s.city is None and s.county is None for s in segments)


def test_roundup_sample_beijing_section_keeps_its_2025_plan_and_passing_mentions():
    text = sample("001")
    beijing = segment_document(text)[1]
    body = text[beijing.start : beijing.end]
    assert "京津冀" in body and "2025年是" in body
    assert body.startswith("2024年是新中国成立75周年")


def test_county_sample_with_forum_chrome_is_ningbo_county_2022():
    text = sample("002")
    segments = segment_document(text, find_publication_date(text))
    assert_tiles(text, segments)
    assert places(segments) == [("330000", "浙江省", "宁波市", "330200", "XX区")]
    assert segments[0].report_year == 2022


def test_county_sample_without_its_chrome_is_placed_the_same():
    text = sample("002")
    body = text[text.index("区经信局2022年上半年工作总结\n") : text.index("文章转载网络")]
    segments = segment_document(body)
    assert places(segments) == [("330000", "浙江省", "宁波市", "330200", "XX区")]
    assert segments[0].report_year == 2022


def test_chongqing_sample_is_one_section_of_2023():
    text = sample("003")
    segments = segment_document(text)
    assert places(segments) == [("500000", "重庆市", None, None, None)]
    assert segments[0].report_year == 2023


def test_unnamed_district_summary_has_no_place_and_its_title_year():
    text = sample("000")
    segments = segment_document(text)
    assert places(segments) == [(None, None, None, None, None)]
    assert segments[0].report_year == 2023


def test_report_whose_only_year_is_a_batch_of_funds_has_no_year():
    text = sample("004")
    segments = segment_document(text)
    assert places(segments) == [(None, None, None, None, None)]
    assert segments[0].report_year is None


def test_sample_titles_and_page_dates():
    assert find_title(sample("000")) == "2023年上半年工业经济工作总结"
    assert find_title(sample("002")) == "区经信局2022年上半年工作总结"
    assert find_title(sample("001")) is None  # the text opens with its first paragraph
    assert find_publication_date(sample("002")) == "2022-07-04"
    assert find_publication_date(sample("001")) is None


# ---------------------------------------------------------------- composed reports


def test_county_report_is_placed_in_its_city_and_province():
    text = "鄞州区经信局2023年工作总结\n2023年,鄞州区坚持稳中求进,全区规上工业增加值增长8.1%。\n二、2024年工作思路\n2024年,我区将继续推进。"
    (segment,) = segment_document(text)
    assert (segment.region, segment.city, segment.city_code, segment.county) == (
        "浙江省",
        "宁波市",
        "330200",
        "鄞州区",
    )
    assert segment.report_year == 2023


def test_city_report_with_quanshi_subject_is_the_city():
    text = "宁波市经济和信息化局2024年上半年工作总结\n2024年上半年,全市规上工业增加值增长7.2%,高于全省1.1个百分点。杭州、温州等地也保持增长。"
    (segment,) = segment_document(text)
    assert (segment.region_code, segment.city) == ("330000", "宁波市")
    assert segment.report_year == 2024


def test_statistics_release_takes_place_and_year_from_its_title_not_its_page_date():
    text = "宁波市2023年国民经济和社会发展统计公报\n发布时间：2024-03-20\n初步核算,全年全市实现地区生产总值16452.8亿元,比上年增长5.5%。"
    assert find_publication_date(text) == "2024-03-20"
    (segment,) = segment_document(text, find_publication_date(text))
    assert (segment.region, segment.city) == ("浙江省", "宁波市")
    assert segment.report_year == 2023


def test_national_release_is_placed_on_the_whole_country():
    text = "2024年,全国规模以上工业增加值比上年增长5.8%。\n分经济类型看,国有控股企业增加值增长4.2%。"
    (segment,) = segment_document(text)
    assert (segment.region_code, segment.region) == ("100000", "全国")


def test_local_report_that_opens_on_the_national_economy_stays_unplaced():
    text = "2023年,全国经济运行稳中向好,我区规上工业增加值增长6%。"
    (segment,) = segment_document(text)
    assert segment.region is None


def test_roundup_of_three_provinces_splits_at_each_subject():
    text = (
        "各地工信部门2024年工作综述\n"
        "2024年,江苏坚决贯彻党中央决策部署,规上工业增加值增长7.7%。\n"
        "2025年,江苏将继续推进新型工业化。\n"
        "2024年以来,山东工业和信息化系统深入推进新型工业化,与2023年同期相比,工业投资增长12%。\n"
        "2024年,浙江省经济和信息化系统坚持稳中求进,与上海、江苏协同发展。"
    )
    segments = segment_document(text)
    assert_tiles(text, segments)
    assert [s.region for s in segments] == [None, "江苏省", "山东省", "浙江省"]
    assert text[segments[1].start : segments[1].end].count("江苏") == 2
    assert [s.report_year for s in segments] == [2024] * 4


def test_heading_lines_start_sections_and_years_fall_back_to_the_document():
    text = "2024年各地工业经济\n【北京】\n今年以来,规上工业增加值增长7%。\n【上海】\n今年以来,规上工业增加值增长1.2%。"
    segments = segment_document(text)
    assert [s.region for s in segments] == [None, "北京市", "上海市"]
    assert [s.report_year for s in segments] == [2024, 2024, 2024]


def test_numbered_headings_name_regions():
    text = "一、北京市\n2024年1—11月,全市规模以上工业增加值增长7%。\n二、天津市\n2024年1—11月,全市规模以上工业增加值增长4.5%。"
    assert [s.region for s in segment_document(text)] == ["北京市", "天津市"]


def test_table_rows_are_not_headings():
    text = "2024年各省规上工业增加值增速\n北京 7.0\n天津 4.5\n上海 1.2\n"
    (segment,) = segment_document(text)
    assert segment.region is None


def test_passing_mentions_are_not_subjects():
    text = "2024年,在上海召开的会议上,我市与北京、天津签署协议。\n2024年,习近平总书记视察重庆。"
    (segment,) = segment_document(text)
    assert segment.region is None


def test_ambiguous_county_takes_the_city_its_section_names():
    text = "2023年,江北区经信局深入贯彻落实宁波市委市政府决策部署,规上工业产值增长5%。"
    (segment,) = segment_document(text)
    assert (segment.region, segment.city, segment.county) == ("浙江省", "宁波市", "江北区")


def test_ambiguous_county_without_context_keeps_only_its_name():
    (segment,) = segment_document("2023年,江北区规上工业产值增长5%。")
    assert (segment.region_code, segment.county) == (None, "江北区")


def test_year_named_as_comparison_or_start_point_is_not_the_report_year():
    (segment,) = segment_document("2022年以来,特别是2023年,XX县工信局紧紧围绕中心工作。")
    assert segment.report_year == 2023
    (segment,) = segment_document("与2023年同期相比,全县规上工业产值增长5%,力争2025年翻番。")
    assert segment.report_year is None


def test_start_point_is_the_year_when_nothing_else_is_named():
    (segment,) = segment_document("2024年以来,全县工业经济稳中有进。")
    assert segment.report_year == 2024


def test_full_dates_are_not_report_years():
    (segment,) = segment_document("2024年11月25日,全县召开工业经济会议。")
    assert segment.report_year is None


def test_chinese_numeral_years_are_read():
    (segment,) = segment_document("二〇二三年工作总结\n全县工业经济稳中有进。")
    assert segment.report_year == 2023


def test_this_year_counts_from_the_publication_date_only():
    text = "今年以来,全县工业经济稳中有进。1-9月,规上工业增加值增长6%。"
    assert segment_document(text)[0].report_year is None
    assert segment_document(text, "2022-10-20")[0].report_year == 2022
    assert segment_document("比去年同期增长6%。", "2022-10-20")[0].report_year is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布时间:2024-11-25 来源:中国电子报\n正文", "2024-11-25"),
        ("楼主\n发表于 2022-7-4 21:52:13 | 只看该作者", "2022-07-04"),
        ("国家统计局\n2024年2月29日\n初步核算,全年国内生产总值1260582亿元,比上年增长5.2%。", "2024-02-29"),
        ("发布日期：2024/03/05", "2024-03-05"),
        ("截至2024年6月30日,全县规上工业增加值增长6%,高于全市1个百分点。", None),
        ("发布时间:2024-13-45", None),
        ("申报截止日期2023年12月31日。\n发布时间：2024-01-05 来源：XX网 浏览次数：123", "2024-01-05"),
        ("没有日期。", None),
    ],
)
def test_find_publication_date(text, expected):
    assert find_publication_date(text) == expected


def test_find_title_skips_chrome_and_numbered_headings():
    assert (
        find_title("首页 > 新闻\n\n宁波市2023年工业经济运行情况\n2023年,全市…。")
        == "宁波市2023年工业经济运行情况"
    )
    assert find_title("一、主要指标\n(一)工业增加值。全区增长5%。") is None


def test_place_document_fills_title_date_and_segments():
    text = "发布时间:2024-11-25\n宁波市2024年1-10月工业经济运行情况\n今年以来,全市规上工业增加值增长7%。"
    document = Document(
        doc_id="d", sha256="s", source_file="a.txt", size=1, mtime_ns=1, text=text, cleaned_text=text
    )
    placed = place_document(document)
    assert placed.publication_date == "2024-11-25"
    assert placed.title == "宁波市2024年1-10月工业经济运行情况"
    assert [(s.city, s.report_year) for s in placed.segments] == [("宁波市", 2024)]
    skipped = place_document(
        Document(doc_id="d", sha256="s", source_file="a.txt", size=1, mtime_ns=1, status="empty")
    )
    assert skipped.segments == []


# ---------------------------------------------------------------- arbitrary text and speed

FRAGMENTS = [
    *"2024年, 2024年以来, 今年以来, 与2023年同期 2021年11月5日 二〇二三年 北京 北京市 上海 宁波市 XX区 **县".split(),
    *"江北区 鄞州 全国 全市 海南 【 】 一、 (一) 。 , 、 经信局 工业和信息化系统 坚持 增长5% 市场 阿里巴巴 X 年 市".split(),
    *["\n", "\n\n", "\r\n", " ", "\u3000", "发布时间:2024-11-25", "北京 7.0"],
]
arbitrary_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=60).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(arbitrary_text, st.one_of(st.none(), st.just("2024-11-25")))
def test_segments_always_tile_arbitrary_text(text, publication_date):
    segments = segment_document(text, publication_date)
    assert_tiles(text, segments)
    for segment in segments:
        assert segment.report_year is None or 1900 <= segment.report_year <= 2099
        assert (segment.region_code is None) == (segment.region is None)


@settings(max_examples=200, deadline=None)
@given(arbitrary_text)
def test_page_helpers_never_raise(text):
    found = find_publication_date(text)
    assert found is None or len(found) == 10
    title = find_title(text)
    assert title is None or title in text
    resolve_region(text)


def test_placing_a_15_kb_document_takes_about_a_millisecond():
    gazetteer()
    roundup = sample("001").encode("utf-8")[:15_000].decode("utf-8", errors="ignore")
    documents = [roundup, sample("002")]  # sections of known regions; a masked county to settle
    runs = 50
    started = time.perf_counter()
    for _ in range(runs):
        for text in documents:
            segment_document(text)
    per_document = (time.perf_counter() - started) / (runs * len(documents))
    # The target is well under 1 ms; the bound only catches an accidental per-division loop
    # (~100 ms a document) without failing on a busy machine.
    assert per_document < 0.010


def test_bracketed_region_opening_a_paragraph_starts_a_section():
    text = ("各地一季度工业经济\n【江苏】一季度，江苏省规上工业增加值同比增长7.5%。其中高技术制造业增长10.2%。\n"
            "【四川】一季度，四川规模以上工业增加值同比增长6.8%。\n")
    regions = [s.region for s in segment_document(text)]
    assert regions[-2:] == ["江苏省", "四川省"]


# ---------------------------------------------------------------- paragraphs that open with a place


def cleaned_segments(text: str) -> list[Segment]:
    """Segments of `text` as the pipeline sees it: normalised and cleaned first."""
    cleaned, _ = clean_boilerplate(normalise_text(text))
    segments = segment_document(cleaned)
    assert_tiles(cleaned, segments)
    return segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("江西省规模以上工业增加值比上年增长7.1%,工业投资增长10.2%。", ("江西省", None)),
        ("安徽省前三季度规上工业增加值增长7.2%,高于全国3.2个百分点。", ("安徽省", None)),
        ("合肥市1—11月规上工业增加值同比增长9.1%。", ("安徽省", "合肥市")),
        ("温州2022年规上工业增加值增长4.2%。", ("浙江省", "温州市")),
        ("嘉兴市实现规上工业增加值2856亿元,增长6.5%。", ("浙江省", "嘉兴市")),
        ("福建:前三季度,全省规上工业增加值增长3.8%。", ("福建省", None)),
    ],
)
def test_a_paragraph_opening_with_a_region_and_a_period_or_indicator_is_placed(text, expected):
    (segment,) = cleaned_segments(text)
    assert (segment.region, segment.city) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1—11月,温州市规上工业增加值增长5.5%。",
        "前三季度,温州市规上工业增加值增长5.5%,比全省高0.3个百分点。",
        "据初步统计,温州市规上工业增加值增长5.5%。",
        "数据显示,温州市规上工业增加值增长5.5%。",
        "据市统计局监测,温州规上工业增加值增长5.5%。",
    ],
)
def test_a_region_right_after_a_period_or_lead_in_places_the_paragraph(text):
    (segment,) = cleaned_segments(text)
    assert (segment.region, segment.city) == ("浙江省", "温州市")


def test_roundup_without_years_splits_at_each_region_that_opens_a_paragraph():
    text = (
        "江西省前三季度规上工业增加值增长5.2%。\n\n"
        "湖南省前三季度规上工业增加值增长4.5%,高于全国0.5个百分点。\n\n"
        "湖北省前三季度规上工业增加值增长5.1%。"
    )
    assert [s.region for s in cleaned_segments(text)] == ["江西省", "湖南省", "湖北省"]


def test_roundup_sections_headed_by_region_and_colon():
    text = (
        "2023年中部各省工业数据\n"
        "河南:2023年前三季度,全省规上工业增加值增长4.4%。\n"
        "山西省:规上工业增加值增长4.3%,工业投资增长8.8%。\n"
        "安徽:前三季度规上工业增加值增长7.2%。"
    )
    segments = cleaned_segments(text)
    assert [s.region for s in segments] == [None, "河南省", "山西省", "安徽省"]
    assert [s.report_year for s in segments] == [2023] * 4


def test_a_later_paragraph_opening_with_another_province_is_its_own_section():
    text = "2023年前三季度,山东省规上工业增加值增长6.9%。\n\n河北省前三季度规上工业增加值增长6.6%。"
    segments = cleaned_segments(text)
    assert [(s.region, s.report_year) for s in segments] == [("山东省", 2023), ("河北省", 2023)]


def test_a_city_paragraph_in_a_provincial_report_keeps_the_province():
    text = "2023年,浙江省规上工业增加值增长6.0%。\n杭州市规上工业增加值增长5.3%。\n宁波市规上工业增加值增长6.8%。"
    assert [(s.region, s.city) for s in cleaned_segments(text)] == [
        ("浙江省", None),
        ("浙江省", "杭州市"),
        ("浙江省", "宁波市"),
    ]


def test_the_province_opening_a_paragraph_of_a_city_report_continues_the_city_section():
    text = "2023年,湖州市规上工业增加值增长6.6%。\n浙江省规上工业增加值增长6.0%,全市高于全省0.6个百分点。"
    assert [(s.region, s.city) for s in cleaned_segments(text)] == [("浙江省", "湖州市")]


@pytest.mark.parametrize(
    "text",
    [
        "与浙江省合作共建的产业园区投产,全市规上工业增加值增长6.6%。",
        "浙江工业大学课题组测算,全市规上工业增加值增长6.6%。",
        "浙江,江苏等地规上工业增长较快。\n全市规上工业增加值增长6.6%。",
        "全市规上工业增加值增长6.6%,高于全国2.0个百分点,在全省排名第3。",
        "全州规上工业增加值增长6.6%,比全省高1个百分点。",
        "上半年,全市规上工业增加值增长6.6%。",
    ],
)
def test_partners_institutions_lists_and_benchmarks_are_no_section(text):
    (segment,) = cleaned_segments(text)
    assert segment.region is None


def test_table_cells_after_a_region_and_colon_are_no_section():
    (segment,) = segment_document("2023年各省规上工业增加值增速(%)\n浙江: 6.1\n江苏:7.0\n")
    assert segment.region is None


def test_a_title_naming_the_city_places_the_report_under_it():
    (segment,) = cleaned_segments("湖州市2023年工业经济运行分析\n2023年,全市规上工业增加值增长6.6%。")
    assert (segment.region, segment.city, segment.report_year) == ("浙江省", "湖州市", 2023)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("关于衢州市2023年工业经济运行情况的报告\n2023年,全市规上工业增加值增长5.9%。", ("浙江省", "衢州市")),
        ("2023年1-9月长兴县工业经济运行情况\n全县规上工业增加值增长8.1%。", ("浙江省", "湖州市")),
        ("赴深圳学习考察报告\n2023年,全市规上工业增加值增长5.9%。", (None, None)),
        ("我市与上海市合作情况的报告\n2023年,全市规上工业增加值增长5.9%。", (None, None)),
    ],
)
def test_the_region_a_title_is_about_places_a_report_that_names_none_in_its_body(text, expected):
    (segment,) = cleaned_segments(text)
    assert (segment.region, segment.city) == expected


def test_a_paragraph_about_the_whole_province_does_not_take_a_city_named_later():
    text = ("2023年湖南工业经济运行情况\n2023年,全省规上工业增加值增长6.0%。分市州看,长沙、株洲增速居前两位;"
            "岳阳增长5.1%。\n全省工业投资增长9.9%。")
    segments = segment_document(text)
    assert {(s.region, s.city) for s in segments} == {("湖南省", None)}


@pytest.mark.parametrize(("page", "region", "city"), [
    ("1-8月全市工业经济运行情况\n发布日期:2023-09-18 来源:绍兴市统计局\n1-8月,全市规上工业增加值增长5.0%。",
     "浙江省", "绍兴市"),
    ("浙江日报讯 近日记者获悉,今年以来全省规上工业增加值增长4.4%。", "浙江省", None),
])
def test_a_report_placed_by_nothing_else_takes_the_place_of_the_office_or_paper_it_credits(page, region, city):
    doc = place_document(clean_document(Document(doc_id="d", sha256="d", source_file="t.txt", size=1,
                                                 mtime_ns=0, text=page)))
    assert [(s.region, s.city) for s in doc.segments] == [(region, city)]


def test_an_office_named_in_the_body_outranks_the_newspaper_that_reprints_it():
    page = "澳门日报讯 广东省统计局公布,今年前三季度全省规模以上工业增加值增长4.4%。"
    doc = place_document(clean_document(Document(doc_id="d", sha256="d", source_file="t.txt", size=1,
                                                 mtime_ns=0, text=page)))
    assert [s.region for s in doc.segments] == ["广东省"]


def test_autonomous_prefectures_are_known_by_their_everyday_short_form():
    assert resolve_region("恩施州").city == "恩施土家族苗族自治州"
    assert resolve_region("湘西州").region == "湖南省"


@pytest.mark.parametrize("page", [
    "十堰市政府工作报告\n2023年,全市规上工业增加值增长8.0%。",
    "政府工作报告\n——2024年1月9日在十堰市第五届人民代表大会第四次会议上\n2023年,全市规上工业增加值增长8.0%。",
])
def test_a_government_work_report_is_about_its_own_region(page):
    doc = place_document(clean_document(Document(doc_id="d", sha256="d", source_file="t.txt", size=1,
                                                 mtime_ns=0, text=page)))
    assert [(s.region, s.city) for s in doc.segments] == [("湖北省", "十堰市")]


def test_a_period_in_a_title_is_no_page_date():
    assert find_publication_date("2024年1-10月全市工业经济运行情况\n1-10月,全市…") is None
    assert find_publication_date("发布时间:2024年11月5日 来源:市统计局") == "2024-11-05"


# ---------------------------------------------------------------- pages no line places


@pytest.mark.parametrize(
    ("text", "region"),
    [
        # a regional name, even inside a benchmark, fixes the province (never the figure's own place)
        ("1-8月,规上工业增加值增长3%,居全省第13位、珠三角第6位。", "广东省"),
        ("1-10月,全市工业投资同比增长9.2%,增速居全省第八、苏南第二。", "江苏省"),
        ("今年1至10月,兵团制造业投资同比增长14.4%。", "新疆维吾尔自治区"),
        # a city or county the page names in passing, when every clue agrees
        ("今年以来,经开区规上工业产值增长18.7%,有效助力芜湖市实现突破。", "安徽省"),
        ("围绕“智造绿都、和合任泽”建设目标,全区规上工业增加值增长7.3%。", "河北省"),
        ("工业和信息化局工作总结\n青岛政务网\n全年规上工业增加值增长3.8%,打响“工赋青岛”品牌。", "山东省"),
        # 我国 as a subject anywhere, in a page that never speaks of a local whole
        ("累计培育小巨人企业1.46万家。\n记者了解到,即将过去的2024年,我国工业经济回升向好。", "全国"),
    ],
)
def test_a_page_no_line_places_takes_the_province_its_clues_agree_on(text, region):
    (segment,) = cleaned_segments(text)
    assert segment.region == region


@pytest.mark.parametrize(
    "text",
    [
        "全市规模以上高新技术产业增加值增长9.1%。",  # 上高 inside 以上高新 names no 上高县
        "灯塔工厂达到72家,全市规上工业增加值增长5%。",  # nor 灯塔 inside 灯塔工厂 (and 全市 is local)
        "与江苏、浙江相比,全市规上工业增加值增长6.6%。",  # partners are no clue
        "上海、江苏、浙江、安徽三省一市规上工业增加值增长5%,全市增长6%。",  # no two thirds
    ],
)
def test_words_that_only_contain_a_name_partners_and_split_clues_place_nothing(text):
    (segment,) = cleaned_segments(text)
    assert segment.region is None


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2024年以来,全市规上工业增加值增长6%。", 2024),  # a start point that opens the report
        ("1—2月份,全市规上工业增加值增长8.1%,增速创下2022年以来的新高。", None),  # one inside a clause
        ("记者从2024年一季度全区经济运行新闻发布会上获悉,规上工业增加值增长8.0%。", 2024),
        ("一季度,全市规上工业增加值增长6%。\n\n2021年,全市工业经济稳中有进。", 2021),  # a closing year
        ("一季度,全市规上工业增加值增长6%。\n\n完成兑付2021年第三批专项资金。", None),  # a programme's year
        ("今年前8月,全区工业投资增长30%。\n时间:2023-09-25", 2023),  # 今年 from the page date
    ],
)
def test_report_year_rules(text, year):
    cleaned, _ = clean_boilerplate(normalise_text(text))
    from tasks.place import find_publication_date

    (segment,) = segment_document(cleaned, find_publication_date(text))
    assert segment.report_year == year


def test_every_regional_name_resolves_to_a_real_province_code():
    import tomllib

    from schemas import SCHEMAS_DIR
    from tasks.place import gazetteer

    g = gazetteer()
    names = tomllib.loads((SCHEMAS_DIR / "regional_names.toml").read_text(encoding="utf-8"))["provinces"]
    assert names
    for name, code in names.items():
        assert g.divisions[code].level == "province", name
        assert name not in g.full and name not in g.short, f"{name} is also a division's name"
    for alias, code in g.words["aliases"].items():
        assert code in g.divisions, alias


def test_a_quarter_naming_a_release_is_the_year_to_date_it_released():
    from tasks.place import report_period

    text = "昨日,省统计局举办第三季度新闻发布会,全省规上工业增加值增长4.5%。"
    assert report_period(text, 0, len(text), None)[:2] == (1, 9)
    text = "二季度,全市规上工业增加值增长5%,上半年全市规上工业增加值增长6%。"
    assert report_period(text, 0, len(text), None)[:2] == (1, 6)  # a year-to-date range outranks a quarter


def test_a_national_story_before_a_lone_local_section_keeps_its_own_place():
    text = ("记者从全国工业和信息化工作会议上获悉:2022年我国规上工业增加值增长3.6%。制造业增加值增长3.1%。\n"
            "安吉县规上工业增加值增长8%。\n")
    first, second = cleaned_segments(text)
    assert first.region == "全国" and second.county == "安吉县"


def test_a_monthly_release_is_about_its_month_and_a_reprinted_national_story_stays_national():
    from tasks.place import report_period

    text = "8月份,全省规模以上工业增加值同比增长9.5%。"
    assert report_period(text, 0, len(text), None)[:2] == (8, 8)
    (segment,) = cleaned_segments("来源:北京日报\n昨天,国新办举办新闻发布会。2022年我国规上工业增加值增长3.6%。")
    assert segment.region == "全国"
