"""Extraction, one construction of the genre per test, on sentences composed for the tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.stages import Document, Segment
from tasks.extract import catalog_codes, extract_indicators, load_catalog


def extract(text: str, report_year: int | None = 2024, region: str | None = "湖北省") -> list[dict]:
    doc = Document(doc_id="d", sha256="d", source_file="t.txt", size=0, mtime_ns=0,
                   text=text, cleaned_text=text)
    doc.segments = [Segment(0, 0, len(text), region_code="420000" if region else None, region=region,
                            report_year=report_year)]
    rows = extract_indicators(doc)
    for r in rows:  # grounding: always
        assert text[r["char_start"]:r["char_end"]] == r["evidence"]
    # row identity (expectations/indicators.json row_identity_unique): a duplicate would be quarantined
    identity = ["segment", "indicator", "subject", "measure", "year", "period_start_month", "period_end_month",
                "char_start"]
    keys = [tuple(r[k] for k in identity) for r in rows]
    assert len(keys) == len(set(keys)), "two rows with one identity"
    return rows


def only(rows: list[dict], **match) -> list[dict]:
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


def test_catalog_covers_every_contract_code():
    contract = {
        "industrial_value_added", "industrial_value_added_all", "industrial_output", "industrial_investment",
        "tech_renovation_investment", "manufacturing_investment", "industrial_profit", "industrial_revenue",
        "software_revenue", "digital_core_value_added", "high_tech_mfg_value_added",
        "equipment_mfg_value_added", "strategic_emerging_value_added", "above_scale_enterprises",
        "little_giant_enterprises", "rd_intensity", "nev_output", "base_stations_5g",
    }
    assert set(catalog_codes()) == contract
    assert all(entry.name for entry in load_catalog().entries.values())


def test_yoy_growth_with_period_and_year():
    rows = extract("2023年1-8月,全省规上工业增加值同比增长5.9%。")
    [r] = rows
    assert (r["indicator"], r["measure"], r["value"], r["unit"]) == ("industrial_value_added", "yoy_pct", 5.9, "%")
    assert (r["year"], r["period_start_month"], r["period_end_month"]) == (2023, 1, 8)
    assert r["subject"] is None


def test_decline_is_negative():
    [r] = extract("前三季度,全市工业投资同比下降4.2%。")
    assert r["value"] == -4.2 and (r["period_start_month"], r["period_end_month"]) == (1, 9)


def test_level_in_wan_yuan_converts_to_yi_yuan():
    rows = extract("全年完成技改投资8650万元,同比增长3.1%。")
    level = only(rows, measure="level")[0]
    assert level["indicator"] == "tech_renovation_investment"
    assert level["unit"] == "亿元" and level["value"] == pytest.approx(0.865)


def test_trillion_yuan_level():
    [r] = only(extract("全省规模以上工业营业收入达到2.6万亿元。"), measure="level")
    assert r["indicator"] == "industrial_revenue" and r["value"] == pytest.approx(26000.0)


def test_gap_to_benchmark_and_rank_follow_the_growth_figure():
    rows = extract("1—11月,全省规上工业增加值增长6.1%,低于全国0.4个百分点,居全国第十三位。")
    vs = only(rows, measure="vs_benchmark_pp")[0]
    rank = only(rows, measure="rank")[0]
    assert vs["value"] == -0.4 and vs["benchmark"] == "全国" and vs["unit"] == "pp"
    assert rank["value"] == 13 and rank["unit"] == "位" and rank["indicator"] == "industrial_value_added"


def test_gap_against_an_earlier_period_is_not_a_row():
    rows = extract("1-10月,全市规上工业增加值增长5.2%,比1-9月份加快0.5个百分点。")
    assert only(rows, measure="vs_benchmark_pp") == []
    assert len(only(rows, measure="yoy_pct")) == 1


def test_pulling_and_contribution_are_not_rows():
    rows = extract("工业投资拉动全部投资增长2.3个百分点,工业对经济增长的贡献率达41.5%。")
    assert rows == []


def test_share_of_a_total():
    rows = extract("全年工业投资增长8.8%,占全部投资的比重达到35.2%。")
    share = only(rows, measure="share_pct")[0]
    assert share["indicator"] == "industrial_investment" and share["value"] == 35.2


def test_distribution_over_indicators():
    rows = extract("高技术制造业、装备制造业增加值分别增长12.4%和8.1%。")
    assert {(r["indicator"], r["value"]) for r in rows} == {
        ("high_tech_mfg_value_added", 12.4), ("equipment_mfg_value_added", 8.1)}


def test_distribution_over_subjects_in_order():
    rows = extract("纺织、化工、冶金等行业增加值分别增长3.5%、-1.2%和7.8%。")
    assert [(r["subject"], r["value"]) for r in rows] == [("纺织", 3.5), ("化工", -1.2), ("冶金", 7.8)]
    assert {r["indicator"] for r in rows} == {"industrial_value_added"}


def test_group_subject_is_not_the_region_total():
    rows = extract("全县民营规上工业增加值同比增长9.3%。")
    [r] = rows
    assert r["subject"] == "民营"


def test_redacted_figures_have_no_value():
    rows = extract("全区实现规上工业总产值***亿元,同比增长XX%。")
    assert len(rows) == 2
    assert all(r["is_redacted"] and r["value"] is None for r in rows)


def test_count_before_its_wording():
    rows = extract("全县共有规模以上工业企业386家。全县156家规上工业企业实现产值40.2亿元。")
    counts = only(rows, indicator="above_scale_enterprises")
    assert [r["value"] for r in counts] == [386.0, 156.0]
    assert all(r["unit"] == "家" for r in counts)


def test_new_enterprises_are_an_addition_subject():
    rows = extract("今年新增国家级专精特新“小巨人”企业12家,累计达到57家。")
    assert [(r["subject"], r["value"]) for r in rows] == [("新增", 12.0), (None, 57.0)]


def test_counts_do_not_inherit_a_flow_period():
    rows = extract("1-9月,全市规上工业增加值增长6%,新建5G基站1200个。")
    station = only(rows, indicator="base_stations_5g")[0]
    assert (station["period_start_month"], station["period_end_month"]) == (1, 9)  # same sentence
    rows = extract("1-9月,全市规上工业增加值增长6%。建成5G基站1.2万个。")
    station = only(rows, indicator="base_stations_5g")[0]
    assert (station["period_start_month"], station["period_end_month"]) == (1, 12)
    assert station["unit"] == "万个" and station["value"] == 1.2


def test_period_carries_within_a_paragraph_but_not_beyond():
    text = "1-6月,全市规上工业增加值增长7.1%。工业投资增长9.9%。\n制造业投资增长4.4%。"
    rows = extract(text)
    periods = {r["indicator"]: (r["period_start_month"], r["period_end_month"]) for r in rows}
    assert periods["industrial_investment"] == (1, 6)
    assert periods["manufacturing_investment"] == (1, 12)


def test_comparison_year_is_not_the_figure_year():
    [r] = extract("全年规上工业增加值增长6.5%,增速与2022年持平。", report_year=2023)
    assert r["year"] == 2023


def test_text_with_no_year_gives_null_year():
    [r] = extract("1-9月份累计完成工业投资12.3亿元。", report_year=None)
    assert r["year"] is None and r["period_end_month"] == 9


def test_estimate_and_target_flags():
    rows = extract("预计全年软件业务收入增长11%。2025年,力争规上工业增加值增长6%以上。", report_year=2024)
    estimate = only(rows, indicator="software_revenue")[0]
    target = only(rows, indicator="industrial_value_added")[0]
    assert estimate["is_estimate"] and not estimate["is_target"]
    assert target["is_target"] and target["year"] == 2025 and target["value"] == 6.0


def test_growth_in_multiples():
    [r] = extract("新能源汽车产量12.5万辆,增长1.6倍。", report_year=2024)[1:]
    assert r["measure"] == "yoy_pct" and r["value"] == pytest.approx(160.0)


def test_research_intensity_is_a_percent_level():
    [r] = extract("规上工业企业研发投入强度达到2.1%。")
    assert (r["indicator"], r["measure"], r["unit"], r["value"]) == ("rd_intensity", "level", "%", 2.1)


def test_project_lists_are_not_rows():
    assert extract("全市120个重点技改项目完成投资86亿元。") == []
    assert extract("56个工业投资项目完成投资43.5亿元。") == []


def test_one_enterprise_is_not_a_row():
    assert extract("XX公司1-9月份产值增长15%。") == []


def test_unscoped_value_added_is_all_industry():
    [r] = extract("全市实现工业增加值420亿元。")
    assert r["indicator"] == "industrial_value_added_all"
    [r] = extract("全市规模以上工业企业实现工业增加值420亿元。")
    assert r["indicator"] == "industrial_value_added"


def test_chinese_numeral_quarters_and_ranks():
    rows = extract("三季度,全省规上工业增加值增长4.8%,增速列全国第五位。")
    growth = only(rows, measure="yoy_pct")[0]
    assert (growth["period_start_month"], growth["period_end_month"]) == (7, 9)
    assert only(rows, measure="rank")[0]["value"] == 5


_GRAMMAR_TOKENS = [
    *"规上工业增加值同比增长下降投资技改1234567890.%,。、;亿元万家个年月—-分别和XX*居全国第位高于百分点占比重\n ",
    "\t", " | ", "增速", "指标", "单位", "其中:", "分行业看,", "浙江", "湖州市", "由去年的", "提高到", "三大", "均",
    "保持", "(一)", "全国", "开发区", "截至", "前三季度",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_GRAMMAR_TOKENS), max_size=150).map("".join))
def test_extractor_never_raises_and_every_row_is_grounded(text):
    for r in extract(text):
        assert r["evidence"]
        assert r["measure"] in ("level", "yoy_pct", "share_pct", "vs_benchmark_pp", "rank")
        assert 1 <= r["period_start_month"] <= r["period_end_month"] <= 12


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_extractor_on_arbitrary_unicode(text):
    extract(text)


def test_last_year_counts_from_the_report_year():
    rows = extract("去年,全市规上工业增加值增长4.1%。今年1-6月,全市规上工业增加值增长5.2%。", report_year=2024)
    assert [(r["year"], r["value"]) for r in rows] == [(2023, 4.1), (2024, 5.2)]


def test_thousands_separators_spaces_and_decimal_redactions():
    rows = extract("全省规上工业营业收入1,234.5亿元,同比增长 3.2 %;利润总额增长X.X%。")
    assert [(r["indicator"], r["measure"], r["value"]) for r in rows] == [
        ("industrial_revenue", "level", 1234.5), ("industrial_revenue", "yoy_pct", 3.2),
        ("industrial_profit", "yoy_pct", None)]


def test_profit_of_the_sentence_subject_in_an_earlier_clause():
    rows = extract("全市规模以上工业企业实现营业收入860亿元;实现利润总额52.3亿元,下降5.4%。")
    assert {(r["indicator"], r["measure"]) for r in rows} == {
        ("industrial_revenue", "level"), ("industrial_profit", "level"), ("industrial_profit", "yoy_pct")}


def test_benchmark_value_in_brackets_is_a_row_for_that_place():
    rows = extract("1-10月,全省规上工业增加值增长6.9%,高于全国(4.6%)2.3个百分点。")
    national = only(rows, region="全国")
    assert [(r["region_code"], r["measure"], r["value"]) for r in national] == [("100000", "yoy_pct", 4.6)]
    assert only(rows, region="湖北省", measure="yoy_pct")[0]["value"] == 6.9


def test_gap_direction_after_the_benchmark():
    rows = extract("全市工业投资增长3.1%,较全省平均低1.4个百分点。")
    assert only(rows, measure="vs_benchmark_pp")[0]["value"] == -1.4


def test_negative_growth_wording():
    [r] = extract("全县规上工业增加值负增长2.3%。")
    assert r["value"] == -2.3


def test_first_tier_is_not_a_rank():
    rows = extract("全市规上工业增加值增长8%,增速位居全省第一方阵。")
    assert only(rows, measure="rank") == []


def test_benchmark_value_and_gap_in_one_phrase():
    rows = extract("1-10月,全省规上工业增加值增长6.9%,高于全国(4.6%)2.3个百分点。")
    vs = only(rows, measure="vs_benchmark_pp")
    assert [(r["value"], r["benchmark"], r["region"]) for r in vs] == [(2.3, "全国", "湖北省")]


def test_publication_date_fixes_the_year_when_the_body_states_none():
    text = "1—10月,全市规上工业增加值增长5.1%。全年工业投资增长8%。"
    doc = Document(doc_id="d", sha256="d", source_file="t.txt", size=0, mtime_ns=0, text=text,
                   cleaned_text=text, publication_date="2022-11-22")
    doc.segments = [Segment(0, 0, len(text), report_year=None)]
    years = {r["indicator"]: r["year"] for r in extract_indicators(doc)}
    assert years == {"industrial_value_added": 2022, "industrial_investment": 2021}


def test_parallel_clauses_name_their_own_groups():
    rows = extract("全年规模以上工业增加值增长7.1%。分门类看,采矿业增加值下降3.5%,制造业增长8.2%;"
                   "电力、热力、燃气及水生产和供应业增长4.4%。")
    assert [(r["subject"], r["value"]) for r in rows] == [
        (None, 7.1), ("采矿业", -3.5), ("制造业", 8.2), ("电力、热力、燃气及水生产和供应业", 4.4)]
    assert {r["indicator"] for r in rows} == {"industrial_value_added"}


def test_a_date_line_is_not_the_figure_year():
    rows = extract("市统计局 2024年3月28日\n全年规模以上工业增加值增长7.1%。", report_year=2023)
    assert rows[0]["year"] == 2023 and not rows[0]["is_target"]


def test_a_share_after_a_growth_chain_and_processing_industries():
    rows = extract("全年完成工业投资42.8亿元,同比增长12.1%,占全县固定资产投资的38.5%。食品加工业产值下降2.3%。")
    assert only(rows, measure="share_pct")[0]["value"] == 38.5
    food = only(rows, subject="食品加工业")
    assert [(r["indicator"], r["value"]) for r in food] == [("industrial_output", -2.3)]


@pytest.mark.parametrize("text", [
    "全县规上工业增加值增速为8.4%。",
    "全县规上工业增速达到8.4%。",
    "全县规模以上工业增加值增速是8.4%。",
])
def test_growth_rate_written_as_增速_after_the_indicator(text):
    [r] = extract(text)
    assert (r["indicator"], r["measure"], r["value"]) == ("industrial_value_added", "yoy_pct", 8.4)


def test_growth_target_written_as_增速目标():
    [r] = extract("2025年,全县规上工业增加值增速目标为6.5%。")
    assert (r["measure"], r["value"], r["year"], r["is_target"]) == ("yoy_pct", 6.5, 2025, True)


@pytest.mark.parametrize(("text", "months"), [
    ("2022年前三季度,全区工业投资增长4.4%。", (1, 9)),
    ("2022年前7个月,全区工业投资增长4.4%。", (1, 7)),
    ("2022年前两个月,全区工业投资增长4.4%。", (1, 2)),
])
def test_a_year_then_a_前_period_is_that_period(text, months):
    [r] = extract(text, report_year=None)
    assert (r["year"], r["period_start_month"], r["period_end_month"]) == (2022, *months)


@pytest.mark.parametrize(("text", "months"), [
    ("截至2022年8月底,全区规上工业企业达到736家。", (1, 8)),
    ("截至2022年11月末,全区共有规模以上工业企业736家。", (1, 11)),
    ("截至2022年底,全区规上工业企业达到736家。", (1, 12)),
])
def test_an_as_of_date_with_a_year_gives_the_year(text, months):
    [r] = extract(text, report_year=None)
    assert (r["indicator"], r["value"], r["year"]) == ("above_scale_enterprises", 736, 2022)
    assert (r["period_start_month"], r["period_end_month"]) == months


@pytest.mark.parametrize("text", [
    "全年第一产业增加值88亿元,增长2.7%;第二产业增加值410亿元,增长6.2%。",
    "金融业增加值增长5.5%,房地产业增加值下降2.2%,住宿和餐饮业增加值增长9.0%。",
    "规上工业出口交货值增长3.3%,规上工业用电量增长6.1%,规模以上工业综合能源消费量下降1.4%。",
])
def test_other_sectors_and_other_measures_of_industry_are_not_value_added(text):
    assert extract(text) == []


def test_investment_in_a_kind_of_manufacturing_is_investment_with_that_subject():
    rows = extract("高技术制造业投资增长18.2%,装备制造业投资增长9.9%。")
    assert [(r["indicator"], r["subject"], r["value"]) for r in rows] == [
        ("industrial_investment", "高技术制造业", 18.2), ("industrial_investment", "装备制造业", 9.9)]


@pytest.mark.parametrize("text", [
    "2023年,桐庐县规上工业增加值增长7.3%。",
    "2023年,拱墅区规模以上工业增加值增长7.3%。",
    "2023年,全镇规上工业增加值增长7.3%。",
])
def test_the_reports_own_county_or_town_is_not_a_subject(text):
    [r] = extract(text)
    assert (r["indicator"], r["subject"], r["value"]) == ("industrial_value_added", None, 7.3)


@pytest.mark.parametrize("text", [
    "全县工业投资增长12.0%,比全国、全省分别高7.1和3.4个百分点。",
    "全县工业投资增长12.0%,分别高于全国、全省7.1个和3.4个百分点。",
    "全县工业投资增长12.0%,增速较全国、全省平均水平分别快7.1、3.4个百分点。",
])
def test_gaps_to_a_list_of_benchmarks_pair_in_order(text):
    rows = only(extract(text), measure="vs_benchmark_pp")
    assert [(r["benchmark"], r["value"]) for r in rows] == [("全国", 7.1), ("全省", 3.4)]
    assert len({r["char_start"] for r in rows}) == 2  # two rows, two identities


def test_a_rank_after_a_benchmark_list_stays_a_rank():
    rows = extract("全县工业投资增长12.0%,分别高于全国、全省7.1和3.4个百分点,居全市第2位。")
    assert [(r["measure"], r["value"]) for r in rows] == [
        ("yoy_pct", 12.0), ("vs_benchmark_pp", 7.1), ("vs_benchmark_pp", 3.4), ("rank", 2.0)]


@pytest.mark.parametrize(("text", "value"), [
    ("1-8月,全县规上工业增加值增速回落至4.6%。", 4.6),
    ("1-8月,全县规上工业增加值增速回升到4.6%。", 4.6),
    ("1-8月,全县工业投资降幅扩大至4.6%。", -4.6),
])
def test_a_rate_that_moved_to_a_value_is_the_growth_rate(text, value):
    [r] = extract(text)
    assert (r["measure"], r["value"], r["period_end_month"]) == ("yoy_pct", value, 8)


def test_follow_on_sentences_by_industry_and_quarter_belong_to_the_indicator_before():
    text = ("1-10月,全县规上工业增加值增长7.7%。分行业看,纺织业增长3.5%,通用设备制造业下降1.9%。"
            "分季度看,一季度增长6.0%,二季度增长8.8%。")
    rows = extract(text)
    assert [(r["subject"], r["value"], r["period_start_month"], r["period_end_month"]) for r in rows] == [
        (None, 7.7, 1, 10), ("纺织业", 3.5, 1, 10), ("通用设备制造业", -1.9, 1, 10), (None, 6.0, 1, 3),
        (None, 8.8, 4, 6)]
    assert {r["indicator"] for r in rows} == {"industrial_value_added"}


def test_a_follow_on_paragraph_keeps_the_indicator_not_the_month_range():
    # gold README 5: a month range carries within its paragraph only
    rows = extract("1-10月,全县工业投资增长7.7%。\n其中,10月当月增长9.2%。\n其中,民营企业增长4.1%。")
    assert [(r["subject"], r["value"], r["period_start_month"], r["period_end_month"]) for r in rows] == [
        (None, 7.7, 1, 10), (None, 9.2, 10, 10), ("民营", 4.1, 1, 12)]


def test_a_follow_on_about_another_measure_is_not_a_row():
    rows = extract("全县工业投资增长7.7%。其中,民间投资增长5.0%,基础设施投资下降2.0%。")
    assert [r["value"] for r in rows] == [7.7]


def test_no_follow_on_without_an_indicator_just_before():
    assert extract("全县经济运行平稳。分行业看,纺织业增长3.5%。") == []


@pytest.mark.parametrize(("text", "bench", "value"), [
    ("工业投资增长9.0%,在全省16个市州中排第4位。", "全省", 4.0),
    ("工业投资增长9.0%,增速全省排名第4。", "全省", 4.0),
    ("工业投资增长9.0%,增速居全市各县(市、区)第4位。", "全市", 4.0),
    ("工业投资增长9.0%,增速居全省第X位。", "全省", None),
])
def test_rank_wordings(text, bench, value):
    [rank] = only(extract(text), measure="rank")
    assert (rank["indicator"], rank["benchmark"], rank["value"]) == ("industrial_investment", bench, value)


def test_a_list_of_ranks_pairs_with_the_listed_indicators():
    rows = only(extract("全县工业投资、技改投资分别增长9.0%、13.0%,增速分别居全市第4位、第1位。"), measure="rank")
    assert [(r["indicator"], r["benchmark"], r["value"]) for r in rows] == [
        ("industrial_investment", "全市", 4.0), ("tech_renovation_investment", "全市", 1.0)]


def test_second_rank_of_a_list_has_its_own_benchmark():
    rows = only(extract("规上工业增加值增长9.0%,居全国第11位、西部第2位。"), measure="rank")
    assert [(r["benchmark"], r["value"]) for r in rows] == [("全国", 11.0), ("西部", 2.0)]


def test_levels_then_a_distribution_over_the_listed_indicators():
    rows = extract("全县规上工业企业实现营业收入812亿元、利润总额37亿元,分别增长6.6%和-1.2%。")
    growth = only(rows, measure="yoy_pct")
    assert [(r["indicator"], r["value"]) for r in growth] == [("industrial_revenue", 6.6), ("industrial_profit", -1.2)]


@pytest.mark.parametrize(("text", "bench", "value"), [
    # (the place whose whole it is, as the contract writes a benchmark: here a province's report)
    ("高技术制造业增加值增长21.0%,比全部规上工业高13.2个百分点。", "全省", 13.2),
    ("高技术制造业增加值增长21.0%,快于全市规上工业13.2个百分点。", "全市", 13.2),
    ("高技术制造业增加值增长21.0%,快于同期全市规模以上工业经济13.2个百分点。", "全市", 13.2),
])
def test_gap_to_industry_as_a_whole_is_a_benchmark_row(text, bench, value):
    [gap] = only(extract(text), measure="vs_benchmark_pp")
    assert (gap["indicator"], gap["benchmark"], gap["value"]) == ("high_tech_mfg_value_added", bench, value)


def test_one_benchmark_two_gaps_distribute_over_two_subjects():
    rows = only(extract("高技术制造业、装备制造业增加值分别增长9.9%、7.7%,分别高于规上工业4.1、1.9个百分点。"),
                measure="vs_benchmark_pp")
    assert [(r["indicator"], r["value"]) for r in rows] == [
        ("high_tech_mfg_value_added", 4.1), ("equipment_mfg_value_added", 1.9)]


def test_a_larger_decline_than_the_benchmark_is_a_negative_gap():
    [gap] = only(extract("工业投资下降3.0%,降幅比全省大0.8个百分点。"), measure="vs_benchmark_pp")
    assert (gap["benchmark"], gap["value"]) == ("全省", -0.8)


def test_last_years_rate_in_the_same_sentence_is_a_row_for_that_year():
    rows = extract("2023年,全县工业投资增长9.0%,去年同期为4.4%。", report_year=2023)
    assert [(r["year"], r["value"]) for r in rows] == [(2023, 9.0), (2022, 4.4)]
    assert rows[0]["char_start"] != rows[1]["char_start"]


def test_relative_years_count_from_the_page_date_when_the_body_states_no_year():
    text = "去年,全县规上工业增加值增长6.2%。"
    doc = Document(doc_id="d", sha256="d", source_file="t.txt", size=0, mtime_ns=0, text=text,
                   cleaned_text=text, publication_date="2024-02-05")
    doc.segments = [Segment(0, 0, len(text), report_year=2023)]
    [r] = extract_indicators(doc)
    assert r["year"] == 2023


@pytest.mark.parametrize(("text", "value", "target"), [
    ("全县工业投资降幅收窄至2.4%。", -2.4, False),
    ("2025年,确保工业投资增速不低于10%。", 10.0, True),
])
def test_narrowed_declines_and_floors(text, value, target):
    [r] = extract(text)
    assert (r["indicator"], r["value"], r["is_target"]) == ("industrial_investment", value, target)


def test_software_revenue_with_a_verb_between_industry_and_revenue():
    rows = extract("全省软件和信息技术服务业实现业务收入985亿元,增长11.0%。")
    assert [(r["indicator"], r["subject"], r["measure"]) for r in rows] == [
        ("software_revenue", None, "level"), ("software_revenue", None, "yoy_pct")]


@pytest.mark.parametrize("text", [
    "全县规上工业增加值增长8.0%,其中纺织、化纤、机械三大行业均增长10%以上。",
    "全县规上工业增加值增长8.0%,其中纺织、化纤和机械保持10%以上的增速。",
])
def test_one_growth_figure_after_a_marked_list_of_groups_is_a_row_per_group(text):
    rows = extract(text)
    assert [(r["subject"], r["value"]) for r in rows] == [(None, 8.0), ("纺织", 10.0), ("化纤", 10.0), ("机械", 10.0)]
    assert len({r["char_start"] for r in rows}) == 4


def test_one_group_whose_name_has_list_commas_stays_one_group():
    rows = extract("全年规上工业增加值增长7.0%,电力、热力、燃气及水生产和供应业增长4.0%。")
    assert [r["subject"] for r in rows] == [None, "电力、热力、燃气及水生产和供应业"]


def test_forward_shares_belong_to_the_sentence_subject():
    rows = extract("全省56个开发区以不到2%的土地,贡献了45%的规上工业增加值、38%的工业投资。")
    assert [(r["indicator"], r["subject"], r["measure"], r["value"]) for r in rows] == [
        ("industrial_value_added", "开发区", "share_pct", 45.0), ("industrial_investment", "开发区", "share_pct", 38.0)]


def test_an_industry_joined_to_the_indicators_own_industry_is_one_group():
    rows = extract("全区电子商务及软件信息服务业收入12.5亿元,增长9.1%。")
    assert [(r["indicator"], r["subject"]) for r in rows] == [
        ("software_revenue", "电子商务及软件信息服务业"), ("software_revenue", "电子商务及软件信息服务业")]


def test_a_kind_of_manufacturing_keeps_its_name_as_subject():
    rows = extract("全县先进制造业增加值增长9.0%,制造业增加值增长7.5%,规上工业增加值增长6.0%。")
    assert [r["subject"] for r in rows] == ["先进制造业", "制造业", None]


def test_a_clause_about_the_whole_country_is_a_national_row():
    rows = extract("2023年,全县规上工业增加值增长7.0%,全国增长4.6%。全国规上工业增加值增长4.6%,全县增长7.0%。")
    assert [(r["region"], r["value"]) for r in rows] == [("湖北省", 7.0), ("全国", 4.6), ("全国", 4.6), ("湖北省", 7.0)]


def test_a_heading_that_names_an_indicator_governs_the_figures_after_it():
    text = "(一)规上工业总产值。完成312.4亿元,同比增长5.5%。\n(二)工业投资。完成41.0亿元,增长12.0%,其中技改投资20.2亿元。"
    rows = extract(text)
    assert [(r["indicator"], r["measure"], r["value"]) for r in rows] == [
        ("industrial_output", "level", 312.4), ("industrial_output", "yoy_pct", 5.5),
        ("industrial_investment", "level", 41.0), ("industrial_investment", "yoy_pct", 12.0),
        ("tech_renovation_investment", "level", 20.2)]


def test_a_long_sentence_without_figures_is_no_heading():
    assert extract("规上工业增加值是衡量工业经济运行的重要指标。全年增长5.5%。") == []


def test_a_share_that_rose_from_last_years_value_gives_both_years():
    rows = extract("2024年,全县高技术制造业增加值占规上工业比重由去年的20.5%提高到22.0%。", report_year=2024)
    assert sorted((r["year"], r["value"]) for r in rows) == [(2023, 20.5), (2024, 22.0)]
    assert {r["measure"] for r in rows} == {"share_pct"}


def test_a_count_takes_the_period_of_its_own_clause_over_an_earlier_as_of_date():
    rows = extract("截至10月底,全县规上工业企业达到205家,其中10月份新增入规企业4家。")
    assert [(r["subject"], r["value"], r["period_start_month"], r["period_end_month"]) for r in rows] == [
        (None, 205.0, 1, 10), ("新增", 4.0, 10, 10)]


def test_statistical_breakdowns_of_investment_are_subjects_and_designated_projects_are_not_rows():
    rows = extract("全县工业投资增长9.0%,其中亿元及以上项目投资增长11.0%,新开工项目投资增长15.0%。"
                   "全县实施重点技改项目30个,完成投资12亿元。")
    assert [(r["subject"], r["value"]) for r in rows] == [(None, 9.0), ("亿元及以上项目", 11.0), ("新开工项目", 15.0)]


def test_figures_of_named_places_are_rows_of_those_places():
    rows = extract("2023年1-9月,浙江规上工业增加值增长6.1%,江苏增长7.0%,广东增长4.1%。", region=None)
    assert [(r["region"], r["value"]) for r in rows] == [("浙江省", 6.1), ("江苏省", 7.0), ("广东省", 4.1)]


def test_cities_of_a_provincial_report_keep_the_province_and_name_the_city():
    text = ("全省规上工业增加值增长5.0%。分地区看,武汉、宜昌、襄阳增速居前三位,分别增长7.1%、6.6%和6.0%;"
            "十堰增长3.2%。")
    rows = extract(text)
    assert [(r["region"], r["city"], r["value"]) for r in rows] == [
        ("湖北省", None, 5.0), ("湖北省", "武汉市", 7.1), ("湖北省", "宜昌市", 6.6), ("湖北省", "襄阳市", 6.0),
        ("湖北省", "十堰市", 3.2)]
    assert len({r["char_start"] for r in rows}) == 5


@pytest.mark.parametrize("sep", ["\t", " | ", "    "])
def test_a_table_pasted_as_text_gives_a_row_per_cell(sep):
    lines = [
        "1-9月,全县规上工业增加值增长6.0%。",
        "附表:主要指标",
        sep.join(["指标", "单位", "1-9月", "同比增长(%)"]),
        sep.join(["规模以上工业总产值", "亿元", "512.3", "7.1"]),
        sep.join(["工业投资", "亿元", "88.0", "-2.5"]),
        sep.join(["其中:技改投资", "万元", "31000", "12.0"]),
        sep.join(["其中:民营企业", "—", "—", "9.9"]),
    ]
    text = "\n".join(lines)
    rows = [r for r in extract(text) if r["evidence"].startswith(("规模", "工业投资", "其中"))]
    assert [(r["indicator"], r["subject"], r["measure"], r["value"], r["period_end_month"]) for r in rows] == [
        ("industrial_output", None, "level", 512.3, 9), ("industrial_output", None, "yoy_pct", 7.1, 9),
        ("industrial_investment", None, "level", 88.0, 9), ("industrial_investment", None, "yoy_pct", -2.5, 9),
        ("tech_renovation_investment", None, "level", 3.1, 9), ("tech_renovation_investment", None, "yoy_pct", 12.0, 9),
        ("industrial_investment", "民营", "yoy_pct", 9.9, 9)]


def test_column_headers_give_the_period_of_their_figures():
    text = "全县规上工业增加值增长5.0%。\n指标名称  3月增速(%)  1-3月增速(%)\n规模以上工业增加值  6.1  5.0"
    rows = only(extract(text), period_start_month=3)
    assert [(r["value"], r["period_end_month"]) for r in rows] == [(6.1, 3)]


def test_in_a_zones_own_report_the_zone_is_no_subject():
    text = "上半年,开发区规上工业总产值完成86.0亿元,同比增长9.0%;园区完成工业投资12.5亿元。"
    doc = Document(doc_id="d", sha256="d", source_file="t.txt", size=0, mtime_ns=0, text=text,
                   cleaned_text=text, title="某某经济开发区2024年上半年工作总结")
    doc.segments = [Segment(0, 0, len(text), region_code="420000", region="湖北省", report_year=2024)]
    assert [r["subject"] for r in extract_indicators(doc)] == [None, None, None]
    assert [r["subject"] for r in extract(text)][:1] == ["开发区"]  # in a city's report it is a subject


def test_a_mention_inside_a_gaps_benchmark_governs_nothing_after_it():
    rows = extract("高技术制造业增加值增长15.0%,快于全部规上工业8.0个百分点;其占规上工业比重为16.0%。")
    assert [(r["indicator"], r["measure"]) for r in rows] == [
        ("high_tech_mfg_value_added", "yoy_pct"), ("high_tech_mfg_value_added", "vs_benchmark_pp"),
        ("high_tech_mfg_value_added", "share_pct")]


def test_a_follow_on_opening_goes_on_before_the_sentences_own_indicator():
    text = "全省规上工业增加值增长6.0%。分市看,甲乙、武汉、宜昌增速居前,分别增长9.0%、8.0%;襄阳市规上工业增加值增长7.0%。"
    rows = extract(text.replace("甲乙、", ""))
    assert [(r["city"], r["value"]) for r in rows] == [(None, 6.0), ("武汉市", 9.0), ("宜昌市", 8.0), ("襄阳市", 7.0)]


def test_a_group_two_clauses_after_its_indicator_in_the_same_sentence():
    rows = extract("规模以上工业增加值增长2.7%。在规模以上工业中,分经济类型看,国有控股企业增长1.5%。")
    assert [(r["subject"], r["value"]) for r in rows] == [(None, 2.7), ("国有控股", 1.5)]


def test_a_list_of_groups_then_分别_then_the_indicator():
    rows = extract("上半年,纺织、化纤、机械三大主导产业分别实现产值41.0亿元、32.0亿元和18.0亿元,分别增长5.0%、4.0%和-1.0%。")
    assert [(r["subject"], r["measure"], r["value"]) for r in rows] == [
        ("纺织", "level", 41.0), ("化纤", "level", 32.0), ("机械", "level", 18.0),
        ("纺织", "yoy_pct", 5.0), ("化纤", "yoy_pct", 4.0), ("机械", "yoy_pct", -1.0)]
    assert {r["indicator"] for r in rows} == {"industrial_output"}


def test_signed_rates_after_同比_and_a_labelled_count():
    rows = extract("全县完成工业投资20.0亿元(同比+8.5%);技改投资同比-3.0%。全县规上工业企业数:312家。")
    assert [(r["indicator"], r["measure"], r["value"]) for r in rows] == [
        ("industrial_investment", "level", 20.0), ("industrial_investment", "yoy_pct", 8.5),
        ("tech_renovation_investment", "yoy_pct", -3.0), ("above_scale_enterprises", "level", 312.0)]


@pytest.mark.parametrize(("text", "rows_expected"), [
    ("全县规上工业增加值增速由去年的4.0%提高到6.0%。", [(2024, 6.0), (2023, 4.0)]),
    ("全县规上工业增加值增速由上半年的4.0%提高到6.0%。", [(2024, 6.0)]),
])
def test_a_rate_that_rose_from_an_earlier_value(text, rows_expected):
    assert sorted((r["year"], r["value"]) for r in extract(text)) == sorted(rows_expected)


def test_a_narrower_decline_than_the_benchmark_is_a_positive_gap():
    [gap] = only(extract("工业投资下降3.0%,降幅比全省收窄1.2个百分点。"), measure="vs_benchmark_pp")
    assert (gap["benchmark"], gap["value"]) == ("全省", 1.2)


def test_vehicles_produced_and_a_level_after_a_multiple():
    rows = extract("全省生产新能源汽车45.6万辆,增长32.1%。新能源汽车产量增长1.6倍,达到28.5万辆。")
    assert [(r["measure"], r["value"], r["unit"]) for r in rows] == [
        ("level", 45.6, "万辆"), ("yoy_pct", 32.1, "%"), ("yoy_pct", 160.0, "%"), ("level", 28.5, "万辆")]


def test_profits_and_taxes_of_industry_are_not_value_added():
    assert extract("全市规上工业实现利税456亿元,增长5.1%。") == []


def test_a_list_of_periods_gives_each_figure_its_period():
    rows = extract("一季度、上半年和前三季度,全县工业投资分别增长3.0%、4.0%、5.0%。")
    assert [(r["subject"], r["value"], r["period_start_month"], r["period_end_month"]) for r in rows] == [
        (None, 3.0, 1, 3), (None, 4.0, 1, 6), (None, 5.0, 1, 9)]


def test_the_sentences_after_a_follow_on_opener_in_its_paragraph_go_on():
    text = "全县规上工业增加值增长6.0%。分行业看,28个行业大类中有19个行业实现增长。纺织业增长9.0%,造纸业下降2.0%。"
    rows = extract(text)
    assert [(r["subject"], r["value"]) for r in rows] == [(None, 6.0), ("纺织业", 9.0), ("造纸业", -2.0)]


def test_a_rank_qualifies_the_figure_just_before_it():
    rows = extract("全县新增规上工业企业15家,累计达到310家,总数居全市第2位。")
    assert [(r["measure"], r["subject"], r["value"]) for r in rows] == [
        ("level", "新增", 15.0), ("level", None, 310.0), ("rank", None, 2.0)]


def test_a_gap_after_a_places_figure_is_that_places():
    rows = extract("全省规上工业增加值增长6.0%。分市看,宜昌增长8.0%,十堰增长3.5%,低于全省2.5个百分点。")
    assert [(r["city"], r["measure"], r["value"]) for r in rows] == [
        (None, "yoy_pct", 6.0), ("宜昌市", "yoy_pct", 8.0), ("十堰市", "yoy_pct", 3.5),
        ("十堰市", "vs_benchmark_pp", -2.5)]


def test_a_single_month_applies_to_its_own_sentence_only():
    rows = extract("1-9月,全县规上工业增加值增长6.0%。其中,9月当月增长7.5%。工业投资增长11.0%。")
    assert [(r["value"], r["period_start_month"], r["period_end_month"]) for r in rows] == [
        (6.0, 1, 9), (7.5, 9, 9), (11.0, 1, 9)]


def test_a_month_on_month_clause_does_not_exclude_the_cumulative_figure_after_it():
    rows = extract("8月,全县规上工业增加值环比增长0.9%;1-8月累计增长8.1%,居全市第2位。")
    assert [(r["measure"], r["value"]) for r in rows] == [("yoy_pct", 8.1), ("rank", 2.0)]


def test_ranks_within_a_parent_place_but_not_among_industries():
    assert only(extract("全县规上工业增加值增长8.0%,居宁波各区县(市)第2位。"), measure="rank")[0]["value"] == 2.0
    assert only(extract("工业投资占全社会固定资产投资居湖北省各行业第一。"), measure="rank") == []


def test_a_gap_after_an_average_annual_growth_is_no_row_either():
    assert extract("十四五以来,全县规上工业增加值年均增长9.0%,高于全市1.5个百分点。") == []


def test_a_gap_to_a_benchmark_after_a_gap_to_an_earlier_period_stays():
    rows = extract("1-9月,全县规上工业增加值增速较上半年提升1.0个百分点,但距离全市平均增速还差0.5个百分点。")
    assert [(r["measure"], r["benchmark"], r["value"]) for r in rows] == [("vs_benchmark_pp", "全市", -0.5)]


def test_a_list_of_years_gives_each_figure_its_year():
    rows = extract("2021年、2022年和2023年,全县规上工业增加值分别增长9.0%、5.0%、7.0%。", report_year=2023)
    assert [(r["year"], r["subject"], r["value"]) for r in rows] == [(2021, None, 9.0), (2022, None, 5.0), (2023, None, 7.0)]


def test_a_share_that_rose_from_a_named_year():
    rows = extract("2023年,全县规上工业企业研发投入强度由2020年的1.8%提高到2.4%。", report_year=2023)
    assert sorted((r["year"], r["value"]) for r in rows) == [(2020, 1.8), (2023, 2.4)]


def test_manufacturings_share_of_gdp_is_all_industrys_code_with_the_group():
    # dev README (conventions 2026-12-01): GDP accounting, industrial_value_added_all with subject 制造业
    rows = extract("全县制造业增加值占GDP比重达到30.0%。")
    assert [(r["indicator"], r["subject"], r["measure"], r["value"]) for r in rows] == [
        ("industrial_value_added_all", "制造业", "share_pct", 30.0)]


def test_ranks_listed_with_和_pair_with_the_indicators_before_分别():
    rows = only(extract("全县规上工业增加值增长6.0%,工业投资增长9.0%,分别居全市第3位和第5位。"), measure="rank")
    assert [(r["indicator"], r["value"]) for r in rows] == [("industrial_value_added", 3.0), ("industrial_investment", 5.0)]


def test_software_revenue_written_营收():
    [r] = extract("全省软件和信息技术服务业营收达到980亿元。")
    assert (r["indicator"], r["subject"], r["value"]) == ("software_revenue", None, 980.0)


def test_texts_that_once_made_the_extractor_slow_or_wrong():
    # a 和-joined run once made the group-list regex backtrack exponentially (seconds at 100 characters)
    extract("规上工业增加值增长5%;" + "汽车和" * 40 + "a增长6%。")
    # a long line without a full stop once cost minutes (clause boundaries recounted per mention)
    assert len(extract("规上工业增加值增长5%,工业投资增长6%," * 300)) == 600
    # a digit run too long for a float is no figure
    assert extract("规上工业增加值增长" + "9" * 400 + "%。") == []


def test_a_gap_with_a_thousands_separator_is_one_figure():
    [gap] = only(extract("规上工业增加值增长5.0%,高于全国1,234.5个百分点。"), measure="vs_benchmark_pp")
    assert gap["value"] == 1234.5


def test_a_month_with_份_is_no_subject():
    [r] = extract("全县9月份规上工业增加值增长6.0%。")
    assert (r["subject"], r["period_start_month"], r["period_end_month"]) == (None, 9, 9)


def test_a_table_line_is_read_once():
    text = "指标  单位  1-9月  增长(%)\n规上工业增加值增长  亿元  120.0  5.2%"
    keys = [(r["measure"], r["char_start"]) for r in extract(text)]
    assert len(keys) == len(set(keys))


def test_an_enumeration_gives_each_place_its_bracketed_value():
    rows = extract("1-9月,襄阳市(9.1%)、宜昌市(8.4%)、荆州市(-1.2%)3个市规上工业增加值增速高于全省。")
    assert [(r["city"], r["measure"], r["value"]) for r in rows] == [
        ("襄阳市", "yoy_pct", 9.1), ("宜昌市", "yoy_pct", 8.4), ("荆州市", "yoy_pct", -1.2)]
    assert all(r["region"] == "湖北省" and r["subject"] is None for r in rows)


def test_an_enumeration_of_groups_gives_subjects_and_a_special_codes_whole_its_code():
    rows = extract("全市规上工业增加值增长6.1%,其中纺织业(8.2%)、装备制造业(11.8%)表现亮眼。")
    got = {(r["indicator"], r["subject"], r["value"]) for r in rows}
    assert ("industrial_value_added", "纺织业", 8.2) in got
    assert ("equipment_mfg_value_added", None, 11.8) in got


def test_a_bracketed_value_without_a_growth_or_share_word_is_no_enumeration():
    assert not [r for r in extract("全市规上工业增加值完成320亿元,襄阳市(9.1%)、宜昌市(8.4%)。")
                if r["measure"] == "yoy_pct"]


def test_a_named_industrys_growth_without_an_indicator_word_is_the_sections_indicator():
    rows = extract("1-8月,全省规模以上工业增加值同比增长5.2%。\n3. 重点行业多数增长。1-8月,纺织业同比增长7.7%,"
                   "医药制造业增长12.7%。")
    got = {(r["indicator"], r["subject"], r["value"]) for r in rows}
    assert {("industrial_value_added", "纺织业", 7.7), ("industrial_value_added", "医药制造业", 12.7)} <= got


def test_an_opener_naming_another_measure_reads_no_growth_as_the_indicators():
    rows = extract("全省规模以上工业增加值增长7.3%。从产品产量看,金属切削机床1051台,增长62.9%;水泥增长5%。")
    assert [r["value"] for r in rows] == [7.3]


def test_places_listed_before_a_shared_threshold_get_a_row_each():
    rows = extract("2022年,商丘市、濮阳市、信阳市6市工业投资增速均在30%以上。", region="河南省")
    assert [(r["city"], r["subject"], r["measure"], r["value"]) for r in rows] == [
        ("商丘市", None, "yoy_pct", 30.0), ("濮阳市", None, "yoy_pct", 30.0), ("信阳市", None, "yoy_pct", 30.0)]

# --- a benchmark's or base's own value inside the comparison (R6) ---

def test_a_benchmarks_value_before_的平均水平_is_a_row_of_that_place():
    rows = extract("1-6月,全县规上工业增加值增长7.9%,高于全省5.8%的平均水平2.1个百分点。")
    [own] = only(rows, measure="yoy_pct", value=5.8)
    [gap] = only(rows, measure="vs_benchmark_pp")
    assert own["city"] is None and gap["value"] == 2.1 and gap["benchmark"] == "全省"


def test_a_benchmarks_value_in_parentheses_after_its_indicator_wording():
    rows = extract("前三季度,全市工业投资增长15.0%,高于全国工业投资平均增速(6.2%)8.8个百分点。")
    [own] = only(rows, value=6.2)
    assert (own["region"], own["indicator"], own["measure"]) == ("全国", "industrial_investment", "yoy_pct")
    assert only(rows, measure="vs_benchmark_pp")[0]["value"] == 8.8


def test_a_base_value_in_parentheses_is_last_years_and_its_change_no_gap():
    rows = extract("2024年1-5月,全市规上工业增加值增长6.0%,较去年同期(2.5%)提高3.5个百分点。")
    [base] = only(rows, value=2.5)
    assert (base["year"], base["measure"]) == (2023, "yoy_pct")
    assert only(rows, measure="vs_benchmark_pp") == []


def test_benchmarks_listed_with_their_values_give_a_row_each_and_their_gaps_in_order():
    rows = extract("全县规上工业增加值增长9.0%,分别高出全国(4.8%)、全省(6.1%)平均水平4.2个和2.9个百分点。")
    assert sorted((r["region"], r["value"]) for r in only(rows, measure="yoy_pct")) == [
        ("全国", 4.8), ("湖北省", 6.1), ("湖北省", 9.0)]
    assert [(r["benchmark"], r["value"]) for r in only(rows, measure="vs_benchmark_pp")] == [("全国", 4.2), ("全省", 2.9)]


def test_two_benchmark_values_without_a_gap():
    rows = extract("全市规上制造业增加值增长4.1%,高于全国(3.2%)、全省(3.9%)。")
    assert sorted(r["value"] for r in rows) == [3.2, 3.9, 4.1]


def test_a_parenthesised_percent_after_no_place_is_no_place_figure():
    rows = extract("全市规上工业增加值增长4.0%,其中汽车制造(5.6%)。")
    assert all(r["region"] == "湖北省" and r["city"] is None for r in rows)


# --- ranks outside 居全省第N位 (R9) ---

def test_a_second_rank_without_位_after_a_regional_benchmark():
    rows = only(extract("1-9月,全市工业投资增长8.0%,增速居全省第五、苏北第一。"), measure="rank")
    assert [(r["benchmark"], r["value"]) for r in rows] == [("全省", 5.0), ("苏北", 1.0)]


def test_a_counted_peer_set_is_a_rank_benchmark_and_a_bracketed_rank_follows():
    rows = only(extract("全区规上工业增加值增长6.2%,居四区两县第3位(四区第2位)。"), measure="rank")
    assert [(r["benchmark"], r["value"]) for r in rows] == [("四区两县", 3.0), ("四区", 2.0)]


def test_a_peer_set_before_the_rank_verb():
    [r] = only(extract("全市规上工业增加值增长5.5%,在省内市(州)居第4位。"), measure="rank")
    assert (r["benchmark"], r["value"]) == ("全省", 4.0)


def test_a_rank_moved_from_gives_last_years_rank_too():
    rows = only(extract("2024年,全市工业投资由全国城市第12位上升到第8位。"), measure="rank")
    assert sorted((r["year"], r["value"]) for r in rows) == [(2023, 12.0), (2024, 8.0)]
    assert {r["indicator"] for r in rows} == {"industrial_investment"}


def test_rank_verbs_跃升_and_稳居():
    rows = only(extract("全省5G基站数跃升全国第三。全县规上工业增加值增速连续5个月稳居全市第一。"), measure="rank")
    assert [(r["indicator"], r["value"]) for r in rows] == [("base_stations_5g", 3.0), ("industrial_value_added", 1.0)]


def test_a_rank_in_its_own_clause_is_of_the_indicator_that_clause_names():
    rows = extract("全市工业总产值增长7.0%;规上工业增加值由全国城市第11位上升到第9位。")
    assert {r["indicator"] for r in only(rows, measure="rank")} == {"industrial_value_added"}


def test_a_rank_after_a_chain_of_qualifiers_keeps_their_indicator():
    rows = extract("全县规上工业增加值增长5.0%,较1-9月加快0.3个百分点,连续3个月回升,高于全市0.6个百分点,居全市第2位。")
    [rank] = only(rows, measure="rank")
    assert (rank["indicator"], rank["value"]) == ("industrial_value_added", 2.0)


# --- new-energy vehicles (R12) ---

def test_nev_production_and_sales_both_past_a_threshold_is_an_output_level():
    [r] = only(extract("全省新能源汽车产销量均超过80万辆。"), measure="level")
    assert (r["indicator"], r["value"], r["unit"]) == ("nev_output", 80.0, "万辆")


def test_a_chinese_magnitude_threshold_is_a_value():
    [r] = extract("2024年,全市新能源汽车产量突破百万辆。")
    assert (r["indicator"], r["value"], r["unit"]) == ("nev_output", 100.0, "万辆")


def test_nevs_share_of_car_output_and_the_gap_of_shares():
    rows = extract("全省新能源汽车占全省汽车产量的62.0%,高出全国平均值25.5个百分点。")
    assert [(r["indicator"], r["measure"], r["value"]) for r in rows] == [
        ("nev_output", "share_pct", 62.0), ("nev_output", "vs_benchmark_pp", 25.5)]


def test_a_growth_after_a_rank_clause_keeps_the_indicator_before_the_rank():
    rows = extract("全省新能源汽车产量60.5万辆,居全国第五位,产量同比增长21.0%。")
    assert [(r["indicator"], r["measure"]) for r in rows] == [
        ("nev_output", "level"), ("nev_output", "rank"), ("nev_output", "yoy_pct")]


def test_nevs_share_of_registrations_is_no_output_share():
    assert extract("全市新增车辆中新能源汽车占比41.0%,高出全国平均水平9.0个百分点。") == []


# --- completion rates (R17), growth and money wordings (R18), gaps that are no benchmark (R20) ---

def test_a_completion_rate_is_no_share_and_its_task_amount_a_full_year_target():
    rows = extract("1-8月份完成规模工业增加值8200万元,占任务数15000万元的54.7%,同比增长3.1%。")
    assert only(rows, measure="share_pct") == []
    [task] = only(rows, measure="level", value=1.5)
    assert task["is_target"] and (task["period_start_month"], task["period_end_month"]) == (1, 12)
    assert only(rows, measure="yoy_pct")[0]["value"] == 3.1


def test_完成率_and_完成全年指标_are_no_rows():
    rows = extract("全县完成工业投资5.2亿元,完成率64.0%;规上工业增加值完成全年指标72%。")
    assert [(r["indicator"], r["measure"]) for r in rows] == [("industrial_investment", "level")]


def test_亿_and_万亿_without_元_are_money():
    rows = extract("预计1-11月份规模工业增加值达2.35亿。全省规模以上工业营业收入迈上1.2万亿")
    assert [r["value"] for r in rows] == [2.35, 12000.0]


def test_预增_is_an_estimated_growth_and_增_降_alone_are_growth_verbs():
    rows = extract("全年规上工业增加值预增4.2%。全市工业投资同比增6.1%,技改投资同比降2.0%。")
    assert [(r["value"], r["is_estimate"]) for r in rows] == [(4.2, True), (6.1, False), (-2.0, False)]


def test_降幅为_is_a_decline():
    [r] = extract("1-5月,全市工业投资降幅为1.8%。")
    assert r["value"] == -1.8


def test_a_gap_against_another_indicator_or_over_time_is_no_row():
    rows = extract("全市制造业投资增长8.0%,高于全社会固定资产投资增速5.0个百分点;工业投资占全部投资的31.0%,同比提高2.0个百分点。")
    assert only(rows, measure="vs_benchmark_pp") == []


def test_a_groups_gap_against_the_规上_whole_it_belongs_to_is_a_row():
    rows = extract("全市战略性新兴产业增加值增长12.0%,快于规模以上工业增加值增速6.5个百分点。")
    [gap] = only(rows, measure="vs_benchmark_pp")
    assert (gap["indicator"], gap["value"]) == ("strategic_emerging_value_added", 6.5)


# --- 分别 gap lists (R15) ---

def test_分别_gaps_after_as_many_figures_pair_with_them_in_order():
    rows = only(extract("其中,制造业投资增长12.0%,技改投资增长18.0%,分别高于全省3.1个、9.1个百分点。"), measure="vs_benchmark_pp")
    assert [(r["indicator"], r["value"]) for r in rows] == [
        ("manufacturing_investment", 3.1), ("tech_renovation_investment", 9.1)]


def test_分别_after_the_benchmark_and_百分点_without_个():
    rows = only(extract("全区高新技术产业增加值增长20.0%,战略性新兴产业产值增长11.0%,比全部规上工业分别高14.0和5.0百分点。"),
                measure="vs_benchmark_pp")
    assert [(r["indicator"], r["subject"], r["value"]) for r in rows] == [
        ("industrial_value_added", "高新技术产业", 14.0), ("industrial_output", "战略性新兴产业", 5.0)]


# --- figures outside the catalog (R5) ---

def test_a_product_after_the_规上_scope_is_no_value_added():
    rows = extract("规模以上工业钢材产量850万吨,同比增长4.0%;规模以上工业服务机器人同比增长22.0%,工业母机同比增长9.0%。")
    assert rows == []


def test_the_规上_scope_among_whose_enterprises_a_group_grows_is_still_value_added():
    rows = extract("规模以上工业增加值增长3.0%。在规模以上工业中,国有控股企业增长2.0%。")
    assert [r["value"] for r in rows] == [3.0, 2.0]


def test_forestry_and_husbandry_output_is_no_industrial_output():
    assert extract("全县林业产值5200万元,同比增长3.0%;渔业产值1.2亿元。") == []


def test_a_net_change_or_a_decrease_of_money_is_no_level():
    assert only(extract("二季度规上工业净增长产值3.0亿元,两家规上企业退库减少6000万元。"), measure="level") == []


def test_增加值率_is_no_value_added():
    assert extract("全市规上工业增加值率为28.5%,同比提高0.4个百分点。") == []


def test_investment_of_the_digital_core_industries_is_no_row():
    assert extract("全市数字经济核心产业投资增长15.0%。") == []


def test_a_level_labelled_同期_and_an_unlabelled_one_in_its_run_are_last_years():
    rows = only(extract("2024年4月完成产值12.0亿元(同期10.5亿元),5月完成产值13.0亿元(11.2亿元)。"), measure="level")
    assert sorted((r["year"], r["value"]) for r in rows) == [(2023, 10.5), (2023, 11.2), (2024, 12.0), (2024, 13.0)]


def test_去年同期为_a_level_is_last_years():
    rows = extract("2024年1-6月,全市工业投资完成56.0亿元,去年同期为49.0亿元。")
    assert sorted((r["year"], r["value"]) for r in rows) == [(2023, 49.0), (2024, 56.0)]


def test_全国为_and_全省平均为_are_those_places_growth():
    rows = extract("全市规上工业增加值增长6.0%,全国为4.5%;工业投资增长9.0%,全省平均为7.0%。")
    assert sorted((r["region"], r["value"]) for r in rows) == [("全国", 4.5), ("湖北省", 6.0), ("湖北省", 7.0), ("湖北省", 9.0)]


def test_a_gap_against_省平均_or_a_share_of_the_province_is_against_全省():
    rows = only(extract("全市工业投资增长5.0%,低于省平均0.5个百分点;规上工业增加值占比30.0%,比全省占比高2.0个百分点。"),
                measure="vs_benchmark_pp")
    assert {r["benchmark"] for r in rows} == {"全省"}


def test_a_money_threshold_describing_firms_is_no_level():
    assert extract("全市产值超50亿元的工业企业达到12家。") == []


def test_a_citys_value_in_parentheses_after_其中_in_a_follow_on_sentence():
    rows = extract("全省规上工业增加值增长4.0%。其中武汉(4.6%)回升0.5个百分点;宜昌(5.1%)回升0.2个百分点。")
    assert sorted((r["city"] or "", r["value"]) for r in rows) == [("", 4.0), ("宜昌市", 5.1), ("武汉市", 4.6)]


def test_measure_words_after_a_sentence_opening_on_a_group_are_the_groups():
    rows = extract("其中,电子信息制造业发展较快,实现产值771.0亿元,同比增长12.3%。")
    assert {(r["indicator"], r["subject"], r["measure"]) for r in rows} == {
        ("industrial_output", "电子信息制造业", "level"), ("industrial_output", "电子信息制造业", "yoy_pct")}


def test_every_period_of_a_list_after_a_comparison_word_is_compared_with():
    rows = extract("上半年,全县规上工业增加值同比增长1.3%,增速较一季度和1-5月分别提高15.5和2.2个百分点,增速居全市第6位。")
    assert {(r["measure"], r["period_start_month"], r["period_end_month"]) for r in rows} == {
        ("yoy_pct", 1, 6), ("rank", 1, 6)}


def test_the_figure_regex_for_a_first_character_matches_as_the_whole_one():
    # find_figures tries, at each place, only the branches that can start with its character
    from pathlib import Path

    from tasks.extract.figures import figure_regex, figure_regex_at

    root = Path(__file__).resolve().parent
    texts = [line for p in sorted((root / "specs").glob("*.jsonl")) for line in p.read_text(encoding="utf-8").splitlines()]
    texts += [p.read_bytes().decode("utf-8", errors="replace") for p in sorted((root / "corpus" / "docs").iterdir())]
    whole, compared = figure_regex(), 0
    for text in texts:
        for i, ch in enumerate(text):
            expected, got = whole.match(text, i), figure_regex_at(ch).match(text, i)
            assert (got is None) == (expected is None), (text[i: i + 30])
            if expected is not None and got is not None:
                assert (got.span(), got.lastgroup, got.groupdict()) == (
                    expected.span(), expected.lastgroup, expected.groupdict()), text[i: i + 30]
                compared += 1
    assert compared > 2000
