"""A review page for one document: its cleaned text with every extracted figure highlighted in place.

The page is one self-contained HTML file (no network, no CDN; fonts from the system), readable on a
phone: each figure is a `<mark class="fig">` on the number that ends its clause (the clause itself
is underlined), quarantined rows are `<mark class="fig q">`, and with a gold file the gold rows the
extraction missed are `<mark class="miss">` on their evidence. Tapping a mark shows its rows in the
side panel (a bottom sheet on a phone); the full list of rows follows the text.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import pyarrow.dataset as ds
from prefect import task
from prefect.cache_policies import NO_CACHE

from industry_etl.progress import report
from schemas.stages import Document, SourceFile
from tasks.evaluate import match_rows
from tasks.facts import FactsReport, facts_report
from tasks.read import snapshot_lock, warehouse_partitioning

# The figure that ends a clause: digits (or a mask) and, after it, at most a unit's few characters.
FIGURE = re.compile(r"第?(?:\d[\d,.]*|[*＊Xx×]+|[一二三四五六七八九十百首]+(?=[位名城]))")
UNIT_CHARS = 5
ROW_FIELDS = ("indicator", "subject", "measure", "value", "unit", "period_label", "period_start_month",
              "period_end_month", "year", "region", "city", "county", "benchmark", "is_redacted",
              "is_estimate", "is_target", "evidence", "failed_expectations")


@dataclass
class Mark:
    start: int
    end: int
    kind: str  # "fig", "fig q" (quarantined) or "miss" (a gold row not extracted)
    row: int  # index into the page's rows


@dataclass
class ReviewData:
    doc: Document
    rows: list[dict]  # published rows, then quarantined ones (with failed_expectations)
    misses: list[dict] = field(default_factory=list)  # gold rows not extracted
    status: str = ""  # one line about where the rows came from


def figure_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the figure inside the clause text[start:end]: its last number up to the unit."""
    found = list(FIGURE.finditer(text, start, end))
    if not found:
        return start, end
    last = found[-1]
    return last.start(), min(end, last.end() + UNIT_CHARS)


def read_rows(warehouse: Path, table: str, doc_id: str) -> list[dict]:
    root = warehouse / table
    if not any(root.glob("**/*.parquet")):
        return []
    dataset = ds.dataset(root, format="parquet", partitioning=warehouse_partitioning())
    return dataset.to_table(filter=ds.field("doc_id") == doc_id).to_pylist()


def load_review(path: Path, warehouse: Path | None, gold: Path | None = None) -> ReviewData:
    """The document as the pipeline reads it, and its rows from the warehouse (or extracted now)."""
    from tasks.process import process_document

    stat = path.stat()
    doc, live_rows = process_document(SourceFile(str(path), path.name, stat.st_size, stat.st_mtime_ns), 20_000_000)
    rows, status = sorted(live_rows, key=_order), "not in the warehouse: rows extracted now, not validated"
    if warehouse is not None:
        with snapshot_lock(warehouse):
            published = read_rows(warehouse, "indicators", doc.doc_id)
            quarantined = read_rows(warehouse, "quarantine", doc.doc_id)
            documents = read_rows(warehouse, "documents", doc.doc_id)
        if documents:  # the warehouse knows this file: show what it published, even nothing
            rows = sorted(published, key=_order) + sorted(quarantined, key=_order)
            states = sorted({d["status"] + (f" ({d['status_detail']})" if d["status_detail"] else "")
                             for d in documents})
            status = (f"{len(published)} published, {len(quarantined)} quarantined in {warehouse}; "
                      f"document: {', '.join(states)}")
    data = ReviewData(doc, rows, status=status)
    if gold is not None:
        data.misses = gold_misses(gold, path.name, rows)
    return data


def _order(row: dict) -> tuple:
    return row["char_start"], row["char_end"], row["indicator"], row["measure"]


def gold_misses(gold: Path, file_name: str, rows: list[dict]) -> list[dict]:
    """Gold rows of this file that no extracted row matches (the contract's matching rule)."""
    wanted = [g for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()
              and Path((g := json.loads(line))["file"]).name == file_name]
    _, misses, _ = match_rows(wanted, [{**r, "file": file_name} for r in rows], "all")
    return misses


def page_marks(data: ReviewData) -> tuple[list[Mark], list[int]]:
    """Marks for every row and located miss, and the misses whose evidence is not in the text."""
    text = data.doc.cleaned_text
    marks = [Mark(*figure_span(text, r["char_start"], r["char_end"]),
                  "fig q" if r.get("failed_expectations") else "fig", i) for i, r in enumerate(data.rows)]
    unlocated = []
    for k, miss in enumerate(data.misses):
        evidence = (miss.get("evidence") or "").strip()
        at = text.find(evidence) if evidence else -1
        if at < 0:
            unlocated.append(k)
        else:
            marks.append(Mark(*figure_span(text, at, at + len(evidence)), "miss", len(data.rows) + k))
    return marks, unlocated


def group_marks(marks: list[Mark]) -> list[list[Mark]]:
    """Marks on the same or overlapping text become one group, drawn as nested marks on its first span."""
    groups: list[list[Mark]] = []
    for mark in sorted(marks, key=lambda m: (m.start, -m.end, m.row)):
        if groups and mark.start < groups[-1][0].end:
            groups[-1].append(mark)
        else:
            groups.append([mark])
    return groups


def render_text(data: ReviewData, groups: list[list[Mark]]) -> str:
    """The cleaned text as HTML: clauses underlined, marks nested per group, a label per region section."""
    text = data.doc.cleaned_text
    clause = [False] * (len(text) + 1)
    for r in data.rows:
        clause[r["char_start"]:r["char_end"]] = [True] * (r["char_end"] - r["char_start"])
    labels = {s.start: s.region or "地区未定" for s in data.doc.segments if len(data.doc.segments) > 1}
    out: list[str] = []
    pos = 0
    for group in [*groups, None]:
        upto = len(text) if group is None else group[0].start
        out.append(plain_html(text, pos, upto, clause, labels))
        if group is None:
            break
        first = group[0]
        inner = html.escape(text[first.start:first.end])
        for mark in reversed(group):
            inner = f'<mark class="{mark.kind}" id="m{mark.row}" data-i="{mark.row}">{inner}</mark>'
        out.append(inner)
        pos = first.end
    return "".join(out)


def plain_html(text: str, start: int, end: int, clause: list[bool], labels: dict[int, str]) -> str:
    """text[start:end] with runs inside a clause underlined and section labels where sections open."""
    out, i = [], start
    while i < end:
        if i in labels:
            out.append(f'<span class="seg">{html.escape(labels[i])}</span>')
        j = i + 1
        while j < end and clause[j] == clause[i] and j not in labels:
            j += 1
        piece = html.escape(text[i:j])
        out.append(f'<span class="clause">{piece}</span>' if clause[i] else piece)
        i = j
    return "".join(out)


def panel_rows(data: ReviewData) -> list[dict]:
    """What the panel shows for each mark index: the row's fields (misses flagged as such)."""
    rows = [{k: r.get(k) for k in ROW_FIELDS if r.get(k) not in (None, False, [])} for r in data.rows]
    rows += [{"missed": "gold row not extracted", **{k: g.get(k) for k in ROW_FIELDS if g.get(k) not in (None, False)}}
             for g in data.misses]
    return rows


def rows_table(data: ReviewData, unlocated: list[int]) -> str:
    lines = []
    for i, row in enumerate(panel_rows(data)):
        kind = "miss" if "missed" in row else ("q" if row.get("failed_expectations") else "ok")
        where = "" if i - len(data.rows) in unlocated else f'<a href="#m{i}">↑</a>'
        value = "***" if row.get("is_redacted") else row.get("value", "")
        cells = [where, row.get("indicator", ""), row.get("subject", ""), row.get("measure", ""),
                 f"{value} {row.get('unit', '')}", row.get("period_label", ""), row.get("year", ""),
                 " ".join(str(row.get(k, "")) for k in ("region", "city", "county")).strip(),
                 "; ".join(row.get("failed_expectations", []) or []) or row.get("missed", "")]
        lines.append(f'<tr class="{kind}">' + "".join(f"<td>{html.escape(str(c)) if k else c}</td>"
                                                    for k, c in enumerate(cells)) + "</tr>")
    return "".join(lines)


def render_page(data: ReviewData) -> str:
    marks, unlocated = page_marks(data)
    quarantined = sum(1 for r in data.rows if r.get("failed_expectations"))
    counts = (f"{len(data.rows)} figures ({len(data.rows) - quarantined} published, {quarantined} quarantined)"
              + (f", {len(data.misses)} gold rows missed ({len(unlocated)} not found in the text)"
                 if data.misses else ""))
    payload = json.dumps(panel_rows(data), ensure_ascii=False, default=str).replace("</", "<\\/")
    template = files("tasks").joinpath("review_page.html").read_text(encoding="utf-8")
    fields = {"title": html.escape(data.doc.title or data.doc.source_file),
              "file": html.escape(data.doc.source_file), "doc_id": data.doc.doc_id,
              "status": html.escape(data.status), "counts": html.escape(counts),
              "text": render_text(data, group_marks(marks)), "rows": rows_table(data, unlocated),
              "payload": payload}
    return re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], template)


REVIEW_DIR = "_review"  # under the warehouse (underscore: table readers ignore it)


def review_page_path(warehouse: Path, source_file: str) -> Path:
    """Where the run summary and `industry-etl review` put a document's page by default."""
    return warehouse / REVIEW_DIR / (re.sub(r"[^\w.-]+", "_", source_file) + ".html")


def write_review(path: Path, warehouse: Path | None, out: Path, gold: Path | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_page(load_review(path, warehouse, gold)), encoding="utf-8")
    return out


RUN_PAGE = "index.html"
RUN_PAGE_REVIEWS_LIMIT = 50  # a page costs a re-read of its document; a bad run must not cost minutes


@dataclass(frozen=True)
class RunPages:
    index: Path  # the run page: facts changed, conflicts, links to the review pages
    reviews: list[Path]  # review pages of this run's documents that had quarantined rows


def quarantined_documents(warehouse: Path, run_id: str) -> list[str]:
    """source_file of every document with rows this run quarantined."""
    root = warehouse / "quarantine"
    if not any(root.glob("**/*.parquet")):
        return []
    with snapshot_lock(warehouse):
        table = ds.dataset(root, format="parquet", partitioning=warehouse_partitioning()).to_table(
            columns=["source_file"], filter=ds.field("run_id") == run_id)
    return sorted(set(table.column("source_file").to_pylist()))


def try_review(inbox: Path, source_file: str, warehouse: Path) -> Path | None:
    """A document's review page, or None: the rows are published by now, and a page that cannot be
    drawn (file gone or changed since, a bug here) must not turn a finished run into a failed one."""
    try:
        return write_review(inbox / source_file, warehouse, review_page_path(warehouse, source_file))
    except Exception as error:
        report(f"review page of {source_file} not written: {error}")
        return None


def write_run_pages(warehouse: Path, inbox: Path, run_id: str, facts: FactsReport) -> RunPages:
    reviews = [page for name in quarantined_documents(warehouse, run_id)[:RUN_PAGE_REVIEWS_LIMIT]
               if (page := try_review(inbox, name, warehouse)) is not None]
    links = "".join(f'<li><a href="{html.escape(p.name)}">{html.escape(p.stem)}</a></li>' for p in reviews)
    cells = ("region", "city", "county", "indicator", "subject", "measure", "year", "period_label", "value",
             "unit", "values_seen", "documents", "evidence")
    rows = "".join(
        f'<tr class="{"conflict" if f["conflict"] else ""}">'
        + "".join(f"<td>{html.escape('' if f[c] is None else str(f[c]))}</td>" for c in cells) + "</tr>"
        for f in facts.sample)
    fields = {"run_id": html.escape(run_id), "total": str(facts.total), "conflicts": str(facts.conflicts),
              "changed": str(facts.changed), "changed_conflicts": str(facts.changed_conflicts),
              "reviews": links or "<li>none</li>", "header": "".join(f"<th>{c}</th>" for c in cells),
              "rows": rows, "limit": str(len(facts.sample))}
    template = files("tasks").joinpath("run_page.html").read_text(encoding="utf-8")
    index = warehouse / REVIEW_DIR / RUN_PAGE
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], template), encoding="utf-8")
    return RunPages(index, reviews)


def run_pages(warehouse: Path, inbox: Path, run_id: str) -> tuple[FactsReport, RunPages]:
    """After a publish: what the run did to `facts`, the run page, and the review pages it links."""
    facts = facts_report(warehouse, run_id)
    return facts, write_run_pages(warehouse, inbox, run_id, facts)


run_pages_task = task(run_pages, name="run-pages", cache_policy=NO_CACHE)
