"""Ingest: encodings, a status row for every file, the ledger (new / unchanged / edited / duplicate)."""

from __future__ import annotations

import codecs
import json
import os
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import opencc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.models import DOCUMENT_STATUSES
from schemas.stages import Document
from tasks.clean import clean_document
from tasks.ingest import (
    LEDGER_DIR,
    UndecodableError,
    _common_chinese_chars,
    body_hash,
    commit_ledger,
    decode_bytes,
    ledger_path,
    mark_duplicates,
    plan_ingest,
    read_document,
)

REPORT = """重庆市2024年1—11月工业经济运行情况
发布时间:2024-12-20 来源:市统计局

１—１１月，全市规模以上工业增加值同比增长７．６％，高于全国１．８个百分点。
其中，汽车产业增加值增长6.3%，电子产业增长12.2%；制造业投资增长８.１%。
全市规上工业企业实现营业收入2.6万亿元，利润总额增长15.3%（去年同期为12.8%）。
规模以上工业企业达7500家，国家级专精特新“小巨人”企业发展到283家。
"""

TEMPLATE = "{county}2024年1—11月,全县规上工业增加值同比增长{growth}%,工业投资增长8.1%,技改投资增长12.0%。\n"


def write(path: Path, content: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def run_once(inbox: Path, warehouse: Path, **options) -> list[Document]:
    """What the flow does around ingest: plan, read, clean, mark duplicates, publish (not here), commit."""
    plan = plan_ingest(inbox, warehouse, **options)
    docs = [clean_document(read_document(source)) for source in plan.to_read]
    mark_duplicates(docs, plan.ledger)
    docs = sorted(plan.early + docs, key=lambda doc: doc.source_file)
    commit_ledger(warehouse, plan.ledger, docs)
    return docs


def by_file(docs: list[Document]) -> dict[str, Document]:
    return {doc.source_file: doc for doc in docs}


# --- decoding ----------------------------------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "gb18030": lambda text: text.encode("gb18030"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_report_in_any_encoding_reads_as_the_utf8_original(tmp_path: Path, encoding: str) -> None:
    inbox = tmp_path / "inbox"
    write(inbox / "original.txt", REPORT)
    write(inbox / "copy.txt", ENCODINGS[encoding](REPORT))
    plan = plan_ingest(inbox, tmp_path / "warehouse")
    original, copy = (read_document(source) for source in plan.to_read[::-1])
    assert copy.status == "ok"
    assert copy.encoding == encoding
    assert copy.text == original.text
    assert "1—11月" in copy.text and "7.6%" in copy.text  # full-width folded, the dash kept


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5"])
def test_traditional_report_reads_as_the_simplified_original(tmp_path: Path, encoding: str) -> None:
    traditional = opencc.OpenCC("s2tw").convert(REPORT)  # Taiwan forms: Big5 has 為, not 爲
    assert "規模以上工業增加值" in traditional
    write(tmp_path / "inbox" / "simplified.txt", REPORT)
    write(tmp_path / "inbox" / "traditional.txt", traditional.encode(encoding))
    plan = plan_ingest(tmp_path / "inbox", tmp_path / "warehouse")
    simplified, converted = (read_document(source) for source in plan.to_read)
    assert converted.status == "ok"
    assert converted.encoding == encoding
    assert converted.text == simplified.text


# Characters of real reports: common Chinese ones and ASCII (what the encodings above must carry).
REPORT_CHARS = st.sampled_from(sorted(_common_chinese_chars())) | st.characters(min_codepoint=0x20,
                                                                                  max_codepoint=0x7E)


@settings(max_examples=300)
@given(st.text(REPORT_CHARS, min_size=1, max_size=40), st.sampled_from(sorted(ENCODINGS)))
def test_report_text_survives_every_supported_encoding(text: str, encoding: str) -> None:
    expected_encoding = "utf-8" if encoding == "gb18030" and text.isascii() else encoding
    assert decode_bytes(ENCODINGS[encoding](text)) == (text, expected_encoding)


HANZI = st.sampled_from("规上工业增加值同比增长全市县区投资制造汽车电子利润总额营业收入企业家亿元重庆浙江省")


@settings(max_examples=300)
@given(st.text(HANZI | st.sampled_from("0123456789.%,。、"), min_size=1, max_size=12).filter(
    lambda text: not text.isascii()))
def test_short_gb18030_text_is_not_taken_for_another_encoding(text: str) -> None:
    # charset-normalizer alone calls such input UTF-16-BE, CP949, Big5 or cp1006.
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_decoding_arbitrary_bytes_returns_text_or_raises_undecodable(raw: bytes) -> None:
    try:
        text, encoding = decode_bytes(raw)
    except UndecodableError as error:
        assert str(error)
    else:
        assert isinstance(text, str) and encoding


def test_utf8_cut_inside_a_character_keeps_the_text_before_the_cut() -> None:
    raw = REPORT.encode()
    cut = raw[: raw.index("增长".encode()) + 1]
    text, encoding = decode_bytes(cut)
    assert encoding == "utf-8"
    assert text.endswith("同比")


def test_bomless_utf16_reads_as_text() -> None:
    assert decode_bytes(REPORT.encode("utf-16-le")) == (REPORT, "utf-16-le")


# --- a status row for every file ---------------------------------------------------------------------


@pytest.fixture
def messy_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    write(inbox / "good report.txt", REPORT)
    write(inbox / "重庆 工业.txt", REPORT.replace("283", "284"))
    write(inbox / "-rf.txt", REPORT.replace("283", "285"))
    write(inbox / "empty.txt", b"")
    write(inbox / "blank.txt", " \n\u3000\r\n")
    write(inbox / "random.txt", random.Random(7).randbytes(4096))
    write(inbox / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(8).randbytes(200))
    cut = REPORT.replace("283", "287").encode()
    write(inbox / "cut.txt", cut[: cut.index("增长".encode()) + 1])  # "增" is three bytes
    write(inbox / "huge.txt", b"a" * 25_000_000)
    outside = write(tmp_path / "outside" / "secret.txt", REPORT)
    os.symlink(outside, inbox / "escape.txt")
    os.mkfifo(inbox / "pipe.txt")
    write(inbox / "notes.md", "not an input")
    write(inbox / ".hidden.txt", REPORT)
    write(inbox / ".git" / "inside.txt", REPORT)
    write(inbox / "sub" / "dir" / "nested.txt", REPORT.replace("283", "286"))
    return inbox


def test_every_file_gets_the_right_status(messy_inbox: Path, tmp_path: Path) -> None:
    docs = by_file(run_once(messy_inbox, tmp_path / "warehouse"))
    statuses = {name: doc.status for name, doc in docs.items()}
    assert statuses == {
        "-rf.txt": "ok",
        "blank.txt": "empty",
        "cut.txt": "ok",
        "empty.txt": "empty",
        "escape.txt": "unreadable",
        "good report.txt": "ok",
        "huge.txt": "too_large",
        "image.txt": "undecodable",
        "pipe.txt": "unreadable",
        "random.txt": "undecodable",
        "sub/dir/nested.txt": "ok",
        "重庆 工业.txt": "ok",
    }
    assert set(statuses.values()) <= set(DOCUMENT_STATUSES)
    assert docs["cut.txt"].status_detail == "truncated utf-8 sequence at end dropped (1 of its bytes)"
    assert docs["cut.txt"].text.endswith("全市规模以上工业增加值同比")
    assert "PNG" in docs["image.txt"].status_detail
    assert "NUL" in docs["random.txt"].status_detail
    assert "over the 20,000,000-byte limit" in docs["huge.txt"].status_detail
    assert docs["escape.txt"].status_detail == "symbolic link leading out of the inbox; not followed"
    assert docs["pipe.txt"].status_detail == "not a regular file"
    for name, doc in docs.items():
        assert doc.status == "ok" or doc.status_detail, name
        assert len(doc.doc_id) == 16 and doc.first_seen_at is not None


def test_too_large_file_is_judged_by_its_size_and_still_gets_its_content_id(tmp_path: Path) -> None:
    huge = write(tmp_path / "inbox" / "huge.txt", REPORT * 10)
    plan = plan_ingest(tmp_path / "inbox", tmp_path / "warehouse")
    doc = read_document(plan.to_read[0], max_bytes=100)
    assert doc.status == "too_large"
    assert doc.size == huge.stat().st_size
    assert doc.doc_id == read_document(plan.to_read[0]).doc_id


def test_file_vanishing_between_plan_and_read_is_unreadable_and_retried(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    write(inbox / "a.txt", REPORT)
    write(inbox / "b.txt", REPORT.replace("283", "999"))
    plan = plan_ingest(inbox, warehouse)
    (inbox / "a.txt").unlink()
    docs = [read_document(source) for source in plan.to_read]
    assert [(doc.source_file, doc.status) for doc in docs] == [("a.txt", "unreadable"), ("b.txt", "ok")]
    assert docs[0].status_detail == "vanished before it could be read"
    mark_duplicates(docs, plan.ledger)
    commit_ledger(warehouse, plan.ledger, docs)
    write(inbox / "a.txt", REPORT)  # back again: it was never recorded, so it is read
    assert [source.source_file for source in plan_ingest(inbox, warehouse).to_read] == ["a.txt"]


PLAN_AS_JSON = """
import json, sys
from pathlib import Path
from tasks.ingest import plan_ingest
plan = plan_ingest(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({"to_read": [source.source_file for source in plan.to_read],
                  "early": [[doc.source_file, doc.status, doc.status_detail] for doc in plan.early],
                  "previous_doc_ids": plan.previous_doc_ids, "unchanged": plan.unchanged}))
"""


def plan_without_read_override(inbox: Path, warehouse: Path) -> dict:
    """plan_ingest in a process that permissions apply to (root loses its right to read anything)."""
    command = [sys.executable, "-c", PLAN_AS_JSON, str(inbox), str(warehouse)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root without setpriv reads a chmod 000 file anyway")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    for _attempt in range(3):
        # Once in a full CI run the unprivileged interpreter died with SIGABRT before it ran a line of
        # ours (not reproduced in 40 isolated runs); a process killed by a signal is tried again.
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode >= 0:
            break
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    return json.loads(done.stdout)


def test_files_and_folders_without_read_permission_are_unreadable_and_keep_their_rows(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    locked = write(inbox / "locked.txt", REPORT)
    write(inbox / "ok.txt", REPORT.replace("283", "999"))
    run_once(inbox, warehouse)
    write(inbox / "locked" / "inside.txt", REPORT)
    locked.chmod(0)
    os.utime(locked, ns=(1, 2_000_000_000_000_000_000))
    (inbox / "locked").chmod(0)
    plan = plan_without_read_override(inbox, warehouse)
    assert plan == {
        "to_read": [],
        "early": [["locked", "unreadable", "directory cannot be listed (Permission denied); its files were not seen"],
                  ["locked.txt", "unreadable", "permission denied"]],
        "previous_doc_ids": {},  # its published rows stay until it can be read again
        "unchanged": 1,
    }


def test_symlink_inside_the_inbox_is_read_as_a_duplicate(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox / "a.txt", REPORT)
    os.symlink(inbox / "a.txt", inbox / "b.txt")
    docs = by_file(run_once(inbox, tmp_path / "warehouse"))
    assert docs["b.txt"].status == "duplicate"
    assert docs["b.txt"].duplicate_of == docs["a.txt"].doc_id


# --- the ledger ------------------------------------------------------------------------------------


@pytest.fixture
def processed(tmp_path: Path) -> tuple[Path, Path, dict[str, Document]]:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    for county, growth in (("北碚区", "5.1"), ("江津区", "6.2"), ("綦江区", "7.3")):
        write(inbox / f"{county}.txt", TEMPLATE.format(county=county, growth=growth))
    write(inbox / "空.txt", b"")
    return inbox, warehouse, by_file(run_once(inbox, warehouse))


def test_unchanged_inbox_plans_nothing(processed) -> None:
    inbox, warehouse, _ = processed
    plan = plan_ingest(inbox, warehouse)
    assert (plan.to_read, plan.early, plan.previous_doc_ids, plan.unchanged) == ([], [], {}, 4)


def test_ledger_is_one_parquet_file_in_an_underscore_directory(processed) -> None:
    _, warehouse, docs = processed
    assert [path.name for path in (warehouse / LEDGER_DIR).iterdir()] == ["ledger.parquet"]
    rows = pq.read_table(ledger_path(warehouse)).to_pylist()
    assert [(row["source_file"], row["status"], row["doc_id"]) for row in rows] == [
        (name, doc.status, doc.doc_id) for name, doc in sorted(docs.items())]


def test_unchanged_stat_key_is_trusted_without_reading(processed) -> None:
    inbox, warehouse, _ = processed
    path = inbox / "北碚区.txt"
    before = path.stat()
    path.write_text(TEMPLATE.format(county="北碚区", growth="9.1"))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert plan_ingest(inbox, warehouse).to_read == []


def test_touched_file_with_the_same_bytes_is_unchanged(processed) -> None:
    inbox, warehouse, _ = processed
    os.utime(inbox / "江津区.txt", ns=(1, 2_000_000_000_000_000_000))
    plan = plan_ingest(inbox, warehouse)
    assert (plan.to_read, plan.early, plan.unchanged) == ([], [], 4)
    commit_ledger(warehouse, plan.ledger, [])
    assert plan_ingest(inbox, warehouse).ledger.touched == {}  # the new mtime was recorded


def test_edited_file_alone_is_read_again_and_replaces_its_previous_version(processed) -> None:
    inbox, warehouse, docs = processed
    write(inbox / "江津区.txt", TEMPLATE.format(county="江津区", growth="6.4"))
    plan = plan_ingest(inbox, warehouse)
    assert [source.source_file for source in plan.to_read] == ["江津区.txt"]
    assert plan.previous_doc_ids == {"江津区.txt": docs["江津区.txt"].doc_id}
    assert plan.replace_doc_ids == {docs["江津区.txt"].doc_id}
    assert plan.unchanged == 3


def test_renamed_copy_is_a_duplicate_of_the_first(processed) -> None:
    inbox, warehouse, docs = processed
    shutil.copy(inbox / "北碚区.txt", inbox / "copy of 北碚区.txt")
    plan = plan_ingest(inbox, warehouse)
    assert plan.to_read == []
    [copy] = plan.early
    assert (copy.source_file, copy.status) == ("copy of 北碚区.txt", "duplicate")
    assert copy.duplicate_of == docs["北碚区.txt"].doc_id
    assert copy.status_detail == "same bytes as 北碚区.txt"


def test_file_gone_from_the_inbox_keeps_its_ledger_row_under_removed_keep(processed) -> None:
    inbox, warehouse, docs = processed
    (inbox / "綦江区.txt").unlink()
    plan = plan_ingest(inbox, warehouse, withdraw=False)
    assert (plan.to_read, plan.early, plan.previous_doc_ids, plan.removed, plan.withdrawn) == \
        ([], [], {}, ["綦江区.txt"], [])
    assert plan.ledger.entry("綦江区.txt").doc_id == docs["綦江区.txt"].doc_id
    write(inbox / "again.txt", TEMPLATE.format(county="綦江区", growth="7.3"))
    assert [doc.duplicate_of for doc in plan_ingest(inbox, warehouse, withdraw=False).early] == \
        [docs["綦江区.txt"].doc_id]


def test_file_gone_from_the_inbox_is_withdrawn_and_forgotten_by_the_ledger(processed) -> None:
    inbox, warehouse, _ = processed
    (inbox / "綦江区.txt").unlink()
    write(inbox / "again.txt", TEMPLATE.format(county="綦江区", growth="7.3"))  # its bytes, another name
    plan = plan_ingest(inbox, warehouse)
    assert (plan.removed, plan.withdrawn, plan.previous_doc_ids) == (["綦江区.txt"], ["綦江区.txt"], {})
    assert [source.source_file for source in plan.to_read] == ["again.txt"]  # no longer a duplicate of it
    docs = plan.early + [clean_document(read_document(source)) for source in plan.to_read]
    commit_ledger(warehouse, plan.ledger, mark_duplicates(docs, plan.ledger))
    assert plan_ingest(inbox, warehouse).ledger.entry("綦江区.txt") is None
    assert by_file(docs)["again.txt"].status == "ok"


def test_editing_an_original_rereads_its_duplicates(processed) -> None:
    inbox, warehouse, docs = processed
    shutil.copy(inbox / "北碚区.txt", inbox / "z copy.txt")
    run_once(inbox, warehouse)
    write(inbox / "北碚区.txt", TEMPLATE.format(county="北碚区", growth="5.5"))
    plan = plan_ingest(inbox, warehouse)
    assert [source.source_file for source in plan.to_read] == ["z copy.txt", "北碚区.txt"]
    assert plan.replace_doc_ids == {docs["北碚区.txt"].doc_id}  # every file carrying it is read again
    docs_now = by_file(run_once(inbox, warehouse))
    assert docs_now["z copy.txt"].status == "ok"  # its bytes are now the only copy of that report


def test_editing_a_duplicate_never_replaces_the_rows_of_its_original(processed) -> None:
    inbox, warehouse, docs = processed
    shutil.copy(inbox / "北碚区.txt", inbox / "copy.txt")
    run_once(inbox, warehouse)
    write(inbox / "copy.txt", TEMPLATE.format(county="万州区", growth="2.0"))
    plan = plan_ingest(inbox, warehouse)
    assert [source.source_file for source in plan.to_read] == ["copy.txt"]
    assert plan.previous_doc_ids == {"copy.txt": docs["北碚区.txt"].doc_id}  # identical bytes, one doc_id
    assert plan.replace_doc_ids == frozenset()


def test_editing_one_of_two_empty_files_keeps_the_other_files_doc_id(processed) -> None:
    inbox, warehouse, docs = processed
    write(inbox / "空2.txt", b"")
    assert by_file(run_once(inbox, warehouse))["空2.txt"].doc_id == docs["空.txt"].doc_id
    write(inbox / "空2.txt", TEMPLATE.format(county="万州区", growth="2.0"))
    assert plan_ingest(inbox, warehouse).replace_doc_ids == frozenset()


def test_force_reads_everything_again(processed) -> None:
    inbox, warehouse, docs = processed
    plan = plan_ingest(inbox, warehouse, force=True)
    assert [source.source_file for source in plan.to_read] == sorted(docs)
    assert plan.previous_doc_ids == {name: doc.doc_id for name, doc in docs.items()}
    assert plan.replace_doc_ids == {doc.doc_id for doc in docs.values()}
    assert plan.unchanged == 0


def test_since_leaves_older_files_alone(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    old = write(inbox / "old.txt", TEMPLATE.format(county="北碚区", growth="5.1"))
    write(inbox / "new.txt", TEMPLATE.format(county="江津区", growth="6.2"))
    os.utime(old, (datetime(2023, 1, 1, tzinfo=UTC).timestamp(),) * 2)
    since = datetime(2024, 1, 1, tzinfo=UTC)
    plan = plan_ingest(inbox, tmp_path / "warehouse", since=since)
    assert ([source.source_file for source in plan.to_read], plan.skipped_by_since) == (["new.txt"], 1)
    run_once(inbox, tmp_path / "warehouse", since=since)
    forced = plan_ingest(inbox, tmp_path / "warehouse", since=since, force=True)
    assert ([source.source_file for source in forced.to_read], forced.skipped_by_since) == (["new.txt"], 1)


def test_ledger_write_leaves_no_temp_file_behind_a_crash(processed) -> None:
    inbox, warehouse, _ = processed
    leftover = write(warehouse / LEDGER_DIR / "123-abc.tmp", b"half a parquet file")
    write(inbox / "new.txt", TEMPLATE.format(county="永川区", growth="1.0"))
    run_once(inbox, warehouse)
    assert not leftover.exists()
    assert pq.read_table(ledger_path(warehouse)).num_rows == 5


# --- near-duplicates -------------------------------------------------------------------------------

BODY = "2024年1—11月,全市规上工业增加值同比增长5.3%,高于全国1.2个百分点。\n工业投资增长8.1%。\n"
SITE_A = "首页 > 新闻中心 > 经济运行\n发布时间:2024-12-20 来源:市统计局\n{body}分享到:微信 微博 QQ空间\n阅读量:64 下载量:4\n"
SITE_B = "当前位置:首页 >> 统计分析\n{body}版权所有©某某市人民政府 ICP备12345678号\n【打印本页】【关闭窗口】\n"


def test_same_report_from_two_websites_is_one_report(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    write(inbox / "a.txt", SITE_A.format(body=BODY))
    write(inbox / "b.txt", SITE_B.format(body=BODY.replace("\n", "\n\n")))
    docs = by_file(run_once(inbox, warehouse))
    assert docs["a.txt"].cleaned_text != docs["b.txt"].cleaned_text
    assert (docs["a.txt"].status, docs["b.txt"].status) == ("ok", "duplicate")
    assert docs["b.txt"].duplicate_of == docs["a.txt"].doc_id
    assert docs["b.txt"].status_detail == "same report body as a.txt"


def test_near_duplicate_of_an_earlier_run_is_a_duplicate(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    write(inbox / "z.txt", SITE_B.format(body=BODY))
    first = run_once(inbox, warehouse)
    write(inbox / "a.txt", SITE_A.format(body=BODY))
    [later] = run_once(inbox, warehouse)
    assert (later.source_file, later.status, later.duplicate_of) == ("a.txt", "duplicate", first[0].doc_id)


@pytest.mark.parametrize("other", [
    TEMPLATE.format(county="北碚区", growth="5.2"),  # one figure
    TEMPLATE.format(county="江津区", growth="5.1"),  # the place
    TEMPLATE.format(county="北碚区", growth="5.1").replace("2024", "2023"),  # the year
    TEMPLATE.format(county="北碚区", growth="51"),  # the decimal point
    TEMPLATE.format(county="北碚区", growth="5.1").replace("1—11", "11—1"),  # digits regrouped
])
def test_template_reports_that_differ_are_not_duplicates(tmp_path: Path, other: str) -> None:
    inbox = tmp_path / "inbox"
    write(inbox / "a.txt", TEMPLATE.format(county="北碚区", growth="5.1"))
    write(inbox / "b.txt", other)
    assert [doc.status for doc in run_once(inbox, tmp_path / "warehouse")] == ["ok", "ok"]


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_body_hash_differs_whenever_a_figure_differs(first: int, second: int) -> None:
    texts = [f"全县规上工业增加值{value / 10}亿元,同比增长{value % 97}%。" for value in (first, second)]
    assert (body_hash(texts[0]) == body_hash(texts[1])) == (first == second)


@given(st.text(max_size=200))
def test_body_hash_ignores_spacing_and_punctuation_changes(text: str) -> None:
    spaced = text.replace(",", ", ").replace("\n", "\n\n") + "\n。"
    assert body_hash(text) == body_hash(spaced) or body_hash(text) is None
