"""What the per-file stages hand each other: plain dataclasses, cheap to pickle to a worker process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SourceFile:
    """A file found in the inbox. `source_file` is its path relative to the inbox (posix)."""

    path: str
    source_file: str
    size: int
    mtime_ns: int


@dataclass
class Segment:
    """One region section of a document: `cleaned_text[start:end]`."""

    index: int
    start: int
    end: int
    region_code: str | None = None
    region: str | None = None
    city: str | None = None
    city_code: str | None = None
    county: str | None = None
    report_year: int | None = None
    # (first month, last month, as written) the section as a whole is about: its lead's or title's period
    report_period: tuple[int, int, str] | None = None
    place_source: str | None = None  # which clue placed the section (section heading, title, source line…)


@dataclass
class Document:
    """One input file version as it moves through ingest -> clean -> place -> extract.

    `status` starts as "ok" and is set to a failure status by ingest (then no later stage
    touches the text) or to "no_indicators" by extract.
    """

    doc_id: str
    sha256: str
    source_file: str
    size: int
    mtime_ns: int
    status: str = "ok"
    status_detail: str | None = None
    duplicate_of: str | None = None
    encoding: str | None = None
    text: str = ""  # decoded, Simplified, width-normalised
    chars_raw: int = 0
    cleaned_text: str = ""
    chars_clean: int = 0  # len(cleaned_text), kept when the text itself is dropped after extraction
    segment_count: int = 0  # len(segments), kept when only the first segment is kept
    boilerplate_chars_removed: int = 0
    title: str | None = None
    publication_date: str | None = None  # yyyy-mm-dd of a page date line, if any
    segments: list[Segment] = field(default_factory=list)
    body_hash: str | None = None  # sha256 of the cleaned body without spacing/punctuation (near-duplicates)
    first_seen_at: datetime | None = None  # when this version of the file was first seen (set by ingest)
