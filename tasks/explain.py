"""Why a file's rows are placed where they are: the per-file stages run on one file, printed.

`industry-etl explain FILE` shows each section (its place, which clue placed it, its report year
and the period it is about) and each row with where its place and year came from: its own clause
(郑州市增长1.5%, 由2020年的…), the section heading, the title, a source line, the places the page
names, the page date, or nowhere. It reads no warehouse and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from schemas.stages import SourceFile
from tasks.process import process_document


def _place(row: dict) -> str:
    return "/".join(x for x in (row["region"], row["city"], row["county"]) if x) or "(no place)"


def explain_file(path: Path, max_bytes: int = 20_000_000) -> str:
    """A plain-text account of one file's sections and rows."""
    stat = path.stat()
    doc, rows = process_document(SourceFile(str(path), path.name, stat.st_size, stat.st_mtime_ns), max_bytes)
    lines = [f"{path.name}: {doc.status}" + (f" ({doc.status_detail})" if doc.status_detail else ""),
             f"title: {doc.title or '-'}   page date: {doc.publication_date or '-'}"]
    for seg in doc.segments:
        where = "/".join(x for x in (seg.region, seg.city, seg.county) if x) or "(no place)"
        period = f"{seg.report_period[2]} ({seg.report_period[0]}..{seg.report_period[1]})" if seg.report_period else "-"
        lines.append(f"section {seg.index} [{seg.start}:{seg.end}]: {where} (from {seg.place_source or 'nothing'}), "
                     f"report year {seg.report_year or '-'}, about {period}")
    for row in rows:
        subject = f" [{row['subject']}]" if row["subject"] else ""
        value = "masked" if row["is_redacted"] else f"{row['value']:g}"
        lines.append(f"- {row['indicator']}{subject} {row['measure']} {value} {row['unit']}"
                     f" | {_place(row)} <- {row['_place_from']}"
                     f" | {row['year'] or '-'} <- {row['_year_from']}"
                     f" | months {row['period_start_month']}..{row['period_end_month']} <- {row['_period_from']}"
                     f" | {row['evidence']}")
    return "\n".join(lines)
