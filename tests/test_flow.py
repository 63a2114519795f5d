"""End to end: the real Prefect flow on the real sample reports, read back with DuckDB."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from schemas.models import DOCUMENT_SCHEMA, INDICATOR_SCHEMA
from tests.conftest import EXAMPLES, GOLD, SAMPLES, SHARED, needs_samples

pytestmark = [pytest.mark.slow, needs_samples]


def run(inbox: Path, warehouse: Path, **kwargs):
    from flows.nightly_ingest import nightly_ingest

    return nightly_ingest(inbox=str(inbox), warehouse=str(warehouse), **kwargs)


def scan(warehouse: Path, table: str) -> str:
    return (f"read_parquet('{warehouse}/{table}/**/*.parquet', hive_partitioning=true, "
            "hive_types={'region_code': 'VARCHAR'})")


def query(warehouse: Path, table: str, select: str = "*", where: str = "true") -> list[tuple]:
    return duckdb.sql(f"SELECT {select} FROM {scan(warehouse, table)} WHERE {where} ORDER BY ALL").fetchall()


def columns(warehouse: Path, table: str) -> list[str]:
    return duckdb.sql(f"SELECT * FROM {scan(warehouse, table)} LIMIT 0").columns


def file_digests(warehouse: Path) -> dict[str, str]:
    return {str(p.relative_to(warehouse)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(warehouse.rglob("*.parquet")) if not p.name.startswith((".", "_"))
            and "_ledger" not in p.parts and "_docs" not in p.parts}


def test_samples_publish_every_contract_column(samples_run):
    warehouse, summary = samples_run
    assert summary.files_new == 5 and summary.files_failed == 0
    for table, schema in (("indicators", INDICATOR_SCHEMA), ("documents", DOCUMENT_SCHEMA)):
        assert set(schema.names) <= set(columns(warehouse, table)), table
    assert query(warehouse, "indicators", "count(*)") == [(summary.rows_published,)]
    codes = {r[0] for r in query(warehouse, "indicators", "DISTINCT region_code")}
    assert {"500000", "330000", "110000", "620000", None} <= codes
    assert list(warehouse.glob("indicators/region_code=__HIVE_DEFAULT_PARTITION__/year=*/*.parquet"))


def test_samples_documents_have_status_and_place(samples_run):
    warehouse, _ = samples_run
    docs = dict(query(warehouse, "documents", "source_file, region"))
    assert docs == {
        "000_3647faf347258816.txt": None, "001_6bc1b6faa40d64d0.txt": None,
        "002_c7c8b67092e286f7.txt": "浙江省", "003_bb58e88cae0c3348.txt": "重庆市",
        "004_f59545b9d75aea0a.txt": None,
    }
    statuses = {r[0] for r in query(warehouse, "documents", "status")}
    assert statuses == {"ok"}


def test_quality_page_is_self_contained_and_reads_passed_with_warnings(samples_run):
    warehouse, summary = samples_run
    page = Path(summary.quality_page)
    assert page == warehouse.resolve() / "_docs" / "runs" / f"{summary.run_id}.html"
    text = page.read_text(encoding="utf-8")
    assert summary.quality_status == "passed with warnings"  # year_not_null is a warn-tier check
    assert 'Data quality: <span class="badge warning">passed with warnings</span>' in text
    assert "<b>year_not_null</b>" in text and summary.failure_counts["year_not_null"] > 0
    for page_text in (text, (warehouse / "_docs" / "index.html").read_text(encoding="utf-8")):
        assert "http://" not in page_text and "https://" not in page_text and "<script" not in page_text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)")
def test_quality_page_renders_styled_in_a_headless_browser_with_no_network(samples_run, tmp_path):
    from PIL import Image

    _, summary = samples_run
    png = tmp_path / "page.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,900", f"--screenshot={png}",
         Path(summary.quality_page).as_uri()],
        check=True, capture_output=True, timeout=120)
    colours = Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20)
    count = {colour: n for n, colour in colours}
    assert count.get((0x24, 0x29, 0x2F), 0) > 10_000  # the dark header band: the stylesheet applied
    assert count.get((0x9A, 0x67, 0x00), 0) > 100  # the amber "passed with warnings" badges


def test_every_row_is_grounded_in_its_evidence(samples_run):
    warehouse, _ = samples_run
    rows = query(warehouse, "indicators", "evidence, char_start, char_end")
    assert rows and all(len(ev) == end - start for ev, start, end in rows)


def test_samples_extraction_quality_and_evaluate_agrees_with_score_py(samples_run):
    from tasks.evaluate import evaluate_warehouse

    warehouse, _ = samples_run
    ours = evaluate_warehouse(warehouse, GOLD)
    assert ours["headline"]["f1"] >= 0.95
    assert ours["all"]["f1"] >= 0.85
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), str(warehouse), str(GOLD)],
                         capture_output=True, text=True, check=True)
    theirs = json.loads(out.stdout)
    reading = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), str(warehouse), str(GOLD),
                              "--ignore", "region,year,period"], capture_output=True, text=True, check=True)
    theirs_reading = json.loads(reading.stdout)
    for mode in ("headline", "all"):
        for k in ("tp", "fn", "fp", "precision", "recall", "f1"):
            assert ours[mode][k] == theirs[mode][k], (mode, k)
            assert ours["reading"][mode][k] == theirs_reading[mode][k], ("reading", mode, k)
    assert sum(ours["misses_by_cause"].values()) == ours["all"]["fn"]


def test_second_run_reads_nothing_and_changes_no_byte(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    warehouse = tmp_path / "warehouse"
    first = run(inbox, warehouse)
    before = file_digests(warehouse)
    second = run(inbox, warehouse)
    assert first.files_new == len(list(inbox.glob("*.txt")))
    assert second.files_new == 0 and second.files_skipped == first.files_new
    assert file_digests(warehouse) == before


def test_editing_a_file_replaces_exactly_its_rows(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(EXAMPLES, inbox)
    warehouse = tmp_path / "warehouse"
    run(inbox, warehouse)
    edited = inbox / "03_county_redacted.txt"
    others_before = query(warehouse, "indicators", "doc_id, indicator, measure, value",
                          f"source_file != '{edited.name}'")
    old_doc = query(warehouse, "indicators", "DISTINCT doc_id", f"source_file = '{edited.name}'")[0][0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n1-6月全县制造业投资增长6.6%。\n", encoding="utf-8")
    summary = run(inbox, warehouse)
    assert summary.files_new == 1
    mine = f"source_file = '{edited.name}'"
    assert old_doc not in {r[0] for r in query(warehouse, "indicators", "doc_id", mine)}
    assert ("manufacturing_investment", 6.6) in query(warehouse, "indicators", "indicator, value", mine)
    others_after = query(warehouse, "indicators", "doc_id, indicator, measure, value",
                         f"source_file != '{edited.name}'")
    assert others_after == others_before


def test_bad_files_get_a_status_and_never_stop_the_run(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "01_province_release.txt", inbox / "good report.txt")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "random.txt").write_bytes(os.urandom(4096))
    (inbox / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    cut = "全市规上工业增加值增长7.2%。".encode()
    (inbox / "-cut.txt").write_bytes(cut + "工业".encode()[:-1])
    (inbox / "huge.txt").write_bytes(b"a" * (25 * 1024 * 1024))
    warehouse = tmp_path / "warehouse"
    summary = run(inbox, warehouse)
    status = dict(query(warehouse, "documents", "source_file, status"))
    assert status["good report.txt"] == "ok"
    assert status["empty.txt"] == "empty"
    assert status["random.txt"] == "undecodable"
    assert status["picture.txt"] == "undecodable"
    assert status["huge.txt"] == "too_large"
    assert status["-cut.txt"] in ("ok", "no_indicators")
    details = dict(query(warehouse, "documents", "source_file, status_detail"))
    assert all(details[f] for f in ("empty.txt", "random.txt", "picture.txt", "huge.txt"))
    published = {r[0] for r in query(warehouse, "indicators", "source_file")}
    assert "good report.txt" in published and "-cut.txt" in published
    assert summary.files_failed == 4


def test_impossible_figures_are_quarantined_not_published(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "odd.txt").write_text(
        "示例:2024年,全省经济运行平稳。1-10月,全省规上工业增加值同比增长950%。"
        "工业投资增长8.1%,技改投资增长5.5%,制造业投资增长6.0%,软件业务收入增长12%。\n", encoding="utf-8")
    warehouse = tmp_path / "warehouse"
    summary = run(inbox, warehouse)
    assert summary.rows_quarantined == 1
    quarantined = query(warehouse, "quarantine", "value, failed_expectations")
    assert quarantined[0][0] == 950 and any("yoy" in name for name in quarantined[0][1])
    assert 950 not in {r[0] for r in query(warehouse, "indicators", "value")}
    [page] = summary.review_pages  # linked from the run page, with the row in the quarantine colour
    assert Path(page).name in Path(summary.run_page).read_text(encoding="utf-8")
    html = Path(page).read_text(encoding="utf-8")
    assert html.count('<mark class="fig q"') == 1 and "yoy_pct_in_range" in html


def test_too_many_failed_rows_fail_the_run_after_publishing_the_quarantine(prefect_harness, tmp_path):
    from prefect.states import State

    from flows.nightly_ingest import nightly_ingest

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.txt").write_text(
        "示例:2024年1-10月,全省规上工业增加值同比增长950%,工业投资增长870%,技改投资增长640%。\n", encoding="utf-8")
    warehouse = tmp_path / "warehouse"
    state: State = nightly_ingest(inbox=str(inbox), warehouse=str(warehouse), return_state=True)
    assert state.is_failed()
    assert "failed data-quality checks" in str(state.message) + repr(state.result(raise_on_failure=False))
    assert len(query(warehouse, "quarantine", "value")) == 3


def test_two_fresh_warehouses_get_the_same_rows(prefect_harness, tmp_path, samples_run):
    first, _ = samples_run
    second = tmp_path / "again"
    run(SAMPLES, second)
    cols = "doc_id, source_file, segment, region_code, year, indicator, subject, measure, value, evidence, char_start"
    assert query(second, "indicators", cols) == query(first, "indicators", cols)
    assert query(second, "documents", "doc_id, source_file, status, region_code") == \
        query(first, "documents", "doc_id, source_file, status, region_code")
