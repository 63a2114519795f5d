"""`industry-etl review`: the page of sample 001 marks every row, works offline, and renders in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tasks.read import run_sql
from tasks.review import write_review
from tests.conftest import SAMPLES, needs_samples

pytestmark = [pytest.mark.slow, needs_samples]

SAMPLE_001 = SAMPLES / "001_6bc1b6faa40d64d0.txt"  # the ten-province round-up
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)")


def doc_rows(warehouse: Path, source_file: str) -> int:
    """Rows of the file in indicators + quarantine (the views read an absent table as empty)."""
    query = " UNION ALL ".join(f"SELECT source_file FROM {t}" for t in ("indicators", "quarantine"))
    return run_sql(warehouse, f"SELECT count(*) AS n FROM ({query}) WHERE source_file = '{source_file}'")["n"][0].as_py()


@pytest.fixture(scope="module")
def page_001(samples_run, tmp_path_factory) -> tuple[Path, int]:
    warehouse, _ = samples_run
    out = write_review(SAMPLE_001, warehouse, tmp_path_factory.mktemp("review") / "001.html")
    return out, doc_rows(warehouse, SAMPLE_001.name)


def test_review_page_has_one_mark_per_row_of_indicators_and_quarantine(page_001):
    page, rows = page_001
    assert rows > 50
    assert page.read_text(encoding="utf-8").count('<mark class="fig') == rows


def test_review_page_loads_nothing_from_the_network(page_001):
    text = page_001[0].read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//|@import|url\(", text)


def test_gold_rows_that_were_not_extracted_are_marked_on_their_evidence(samples_run, tmp_path):
    warehouse, _ = samples_run
    gold = tmp_path / "gold.jsonl"
    missed = {"file": SAMPLE_001.name, "region": "北京市", "city": None, "county": None, "year": 2024,
              "period_start_month": 1, "period_end_month": 11, "indicator": "industrial_value_added",
              "subject": None, "measure": "yoy_pct", "value": 99.0, "unit": "%", "benchmark": None,
              "evidence": "2024年1—11月全市规模以上工业增加值增长7%"}
    gold.write_text(json.dumps(missed, ensure_ascii=False) + "\n", encoding="utf-8")
    text = write_review(SAMPLE_001, warehouse, tmp_path / "page.html", gold).read_text(encoding="utf-8")
    assert text.count('<mark class="miss"') == 1 and "gold row not extracted" in text


def chromium(profile: Path, *args: str) -> str:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True).stdout


def png_size(path: Path) -> tuple[int, int]:
    return struct.unpack(">II", path.read_bytes()[16:24])  # the IHDR chunk: width, height


@needs_chromium
def test_review_page_renders_its_highlights_in_headless_chromium_at_phone_width(page_001, tmp_path):
    page, rows = page_001
    dom = chromium(tmp_path / "profile-dom", "--dump-dom", page.as_uri())
    assert dom.count('<mark class="fig') == rows
    shot = tmp_path / "phone.png"
    chromium(tmp_path / "profile-shot", "--window-size=390,1600", "--hide-scrollbars", f"--screenshot={shot}",
             page.as_uri())
    assert png_size(shot) == (390, 1600) and shot.stat().st_size > 20_000


def test_review_command_extracts_a_file_the_warehouse_does_not_know(tmp_path, capsys):
    from industry_etl.cli import main

    out = tmp_path / "page.html"
    assert main(["review", str(SAMPLE_001), "--warehouse", str(tmp_path / "empty"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "rows extracted now, not validated" in text and text.count('<mark class="fig') > 50
    assert out.as_uri() in capsys.readouterr().out
