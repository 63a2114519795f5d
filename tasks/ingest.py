"""Ingest: find what is new in the inbox, read it in whatever encoding it came in, account for every file.

The ledger (`<warehouse>/_ledger/ledger.parquet`, one row per inbox file) records what each file's
content was when it was last processed. A run reads a file only when its content is new:
- `(source_file, size, mtime_ns)` equal to the ledger's -> unchanged, without opening the file;
- otherwise the file is hashed: the same sha256 as its ledger row -> unchanged (only touched);
  the same bytes as another file already processed -> `duplicate` of it, without decoding;
  else it is read, and its rows replace those of its previous version (`previous_doc_ids`; identical
  bytes share a doc_id, so only `replace_doc_ids` are safe to drop from every table).
After cleaning, `mark_duplicates` also catches the same report body under different page chrome.
Files that cannot be read for now keep their ledger rows and published rows. Files that left the
inbox are `removed`: with `withdraw` (the default) the ledger forgets them and the run withdraws their
rows (`tasks/removed.py`); with `keep` they keep both.

Decoding trusts, in order: a byte-order mark, a strict UTF-8 decode, a strict GB18030 decode
whose text reads as Chinese, and only then charset-normalizer (30 MB/s against 550 MB/s for
UTF-8, and it misreads short GB18030 text), whose answer must also read as Chinese.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from schemas.stages import Document, SourceFile
from tasks.clean import normalise_text

DEFAULT_MAX_BYTES = 20_000_000
LEDGER_DIR = "_ledger"  # underscore: Hive readers and pyarrow datasets skip it
LEDGER_FILE = "ledger.parquet"
LEDGER_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("sha256", pa.string()),  # "" for a file that could not be read (a symlink leaving the inbox)
        ("doc_id", pa.string()),
        ("body_hash", pa.string()),
        ("status", pa.string()),
        ("duplicate_of", pa.string()),
        ("first_seen_at", pa.timestamp("us", tz="UTC")),
    ],
    metadata={"industry_etl.ledger_version": "1"},
)
# Statuses whose content has rows in the warehouse: the only ones another file can duplicate.
ORIGINAL_STATUSES = frozenset({"ok", "no_indicators"})

SYMLINK_OUTSIDE = "symbolic link leading out of the inbox; not followed"
NOT_REGULAR = "not a regular file"
# Unreadable for as long as the directory entry is unchanged, so the ledger may remember them;
# any other unreadable file (permission, vanished) is retried on the next run.
SETTLED_UNREADABLE = frozenset({SYMLINK_OUTSIDE, NOT_REGULAR})

# Magic numbers of binary formats people save or rename as .txt by mistake.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (docx/xlsx/zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document (doc/xls)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
)
BYTE_ORDER_MARKS: tuple[tuple[bytes, str, str], ...] = (
    # (mark, codec for the bytes after it, name recorded in documents.encoding); UTF-32 first:
    # its little-endian mark starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)
# Control characters no report contains (tab, newlines, form feed and the DOS end-of-file ^Z are fine).
STRAY_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")
STRAY_CONTROLS_PER_CHAR = 0.001  # a stray one from copy-paste is fine; bytes misread as text have many
CJK_START = "\u2e80"  # first code point of the CJK radicals/punctuation/ideograph blocks
COMMON_SHARE = 0.9  # real Chinese text: >= 99% of its non-ASCII chars are common; misread bytes: ~45%
SAMPLE_CHARS = 65_536  # enough to judge an encoding; the strict decode already checked every byte
SHORT_INPUT = 64  # below this many bytes a GB18030 text can also be valid UTF-8 by chance
HASH_CHUNK = 1 << 20


class UndecodableError(ValueError):
    """No encoding explains the bytes; the message is the status_detail."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    note: str | None = None  # e.g. an incomplete character at the end was dropped


@dataclass(frozen=True)
class LedgerEntry:
    source_file: str
    size: int
    mtime_ns: int
    sha256: str
    doc_id: str
    body_hash: str | None
    status: str
    duplicate_of: str | None
    first_seen_at: datetime | None


class Ledger:
    """What each inbox file held when last processed. Loaded once per run; written by commit_ledger.

    Holds the file's bytes and decodes columns on demand: a no-op run only builds one dict of
    stat keys from three columns.
    """

    def __init__(self, parquet: bytes | None, opened_at: datetime) -> None:
        self._parquet = parquet  # the ledger file as read, None when there is none yet
        self.opened_at = opened_at  # first_seen_at of every file version new in this run
        # Files whose ledger rows this run replaces: their old content no longer counts as seen.
        self.reprocessing: frozenset[str] = frozenset()
        self.touched: dict[str, tuple[int, int]] = {}  # same bytes, new (size, mtime_ns)
        self.confirmed: dict[str, str] = {}  # sha256 of entries rebuilt from documents, once hashed
        self.withdrawn: frozenset[str] = frozenset()  # files gone from the inbox whose rows this run withdraws

    @classmethod
    def load(cls, warehouse: Path) -> Ledger:
        try:
            parquet = ledger_path(warehouse).read_bytes()
        except FileNotFoundError:
            parquet = None
        return cls(parquet, datetime.now(UTC))

    def _read(self, columns: list[str] | None = None) -> pa.Table:
        schema = LEDGER_SCHEMA if columns is None else pa.schema([LEDGER_SCHEMA.field(name) for name in columns])
        if self._parquet is None:
            return schema.empty_table()
        return pq.read_table(pa.BufferReader(self._parquet), columns=columns).cast(schema)

    @cached_property
    def table(self) -> pa.Table:
        return self._read()

    @cached_property
    def stat_keys(self) -> dict[str, tuple[int, int]]:
        """source_file -> (size, mtime_ns): the whole of what a no-op run needs."""
        keys = self._read(["source_file", "size", "mtime_ns"])
        files, sizes, mtimes = (column.to_pylist() for column in keys.columns)
        return dict(zip(files, zip(sizes, mtimes, strict=True), strict=True))

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {name: index for index, name in enumerate(self.table.column("source_file").to_pylist())}

    @cached_property
    def _columns(self) -> dict[str, list]:
        return self.table.to_pydict()

    def entry(self, source_file: str) -> LedgerEntry | None:
        index = self._rows.get(source_file)
        if index is None:
            return None
        return LedgerEntry(**{name: values[index] for name, values in self._columns.items()})

    def entries_duplicating(self, doc_ids: set[str]) -> list[LedgerEntry]:
        """Rows recorded as duplicates of any of `doc_ids`, in source_file order."""
        columns = self._columns
        names = [name for name, status, original in zip(columns["source_file"], columns["status"],
                                                         columns["duplicate_of"], strict=True)
                 if status == "duplicate" and original in doc_ids]
        return [entry for name in sorted(names) if (entry := self.entry(name)) is not None]

    def doc_ids_only_in(self, doc_ids: set[str]) -> frozenset[str]:
        """Those of `doc_ids` that no ledger row outside `reprocessing` carries."""
        if not doc_ids:
            return frozenset()
        shared = {doc_id for doc_id, source_file in zip(self._columns["doc_id"], self._columns["source_file"],
                                                        strict=True)
                  if doc_id in doc_ids and source_file not in self.reprocessing}
        return frozenset(doc_ids - shared)

    def _originals_by(self, column: str) -> dict[str, tuple[str, str]]:
        """column value -> (doc_id, source_file) of the first original holding it, skipping rows being replaced."""
        columns = self._columns
        found: dict[str, tuple[str, str]] = {}
        for key, status, doc_id, source_file in zip(columns[column], columns["status"], columns["doc_id"],
                                                     columns["source_file"], strict=True):
            if key and status in ORIGINAL_STATUSES and source_file not in self.reprocessing:
                found.setdefault(key, (doc_id, source_file))
        return found

    @cached_property
    def originals_by_sha256(self) -> dict[str, tuple[str, str]]:
        return self._originals_by("sha256")

    @cached_property
    def originals_by_body_hash(self) -> dict[str, tuple[str, str]]:
        return self._originals_by("body_hash")

    def first_seen_at(self, doc: Document) -> datetime:
        """When this version of the file was first seen: kept from the ledger, else now."""
        entry = self.entry(doc.source_file)
        if entry is not None and entry.sha256 == doc.sha256 and entry.first_seen_at is not None:
            return entry.first_seen_at
        return self.opened_at


@dataclass
class IngestPlan:
    to_read: list[SourceFile]  # new or changed content (or everything with force), sorted by source_file
    unchanged: int  # files whose (path, size, mtime_ns) or content was already processed
    early: list[Document]  # rows decided without decoding: unreadable, or the same bytes as a processed file
    previous_doc_ids: dict[str, str]  # source_file -> ledger doc_id of every file read again (edited, forced)
    ledger: Ledger
    # Old doc_ids no file outside this run carries (identical bytes share a doc_id): safe to drop from
    # every table. An edited duplicate's old doc_id is its original's, so it is not in here.
    replace_doc_ids: frozenset[str] = frozenset()
    skipped_by_since: int = 0  # new or changed files left alone because they are older than `since`
    seen: int = field(default=0)  # .txt files found in the inbox
    removed: list[str] = field(default_factory=list)  # recorded files no longer in the inbox
    recorded: int = 0  # files the ledger knew at the start of the run

    @property
    def withdrawn(self) -> list[str]:
        """Files whose rows this run withdraws (empty under `--removed keep`)."""
        return sorted(self.ledger.withdrawn)


def ledger_path(warehouse: Path) -> Path:
    return warehouse / LEDGER_DIR / LEDGER_FILE


def doc_id_of(sha256: str) -> str:
    return sha256[:16]


def unread_doc_id(source_file: str) -> str:
    """doc_id of a file whose bytes could not be read: stable per path, never a content hash."""
    return doc_id_of(hashlib.sha256(("unread:" + source_file).encode("utf-8", "surrogateescape")).hexdigest())


# --- finding files ---------------------------------------------------------------------------------


@dataclass
class _Scan:
    candidates: list[SourceFile] = field(default_factory=list)
    early: list[Document] = field(default_factory=list)
    unchanged: int = 0
    skipped_by_since: int = 0
    seen: int = 0
    present: set[str] = field(default_factory=set)  # every .txt name found
    unlisted: list[str] = field(default_factory=list)  # prefixes of directories that could not be listed


def _display_name(name: str) -> str:
    """A name the file system gave us, safe to store: undecodable bytes become backslash escapes."""
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def is_retried(doc: Document) -> bool:
    """Unreadable for a passing reason (permission, vanished): not recorded, tried again next run."""
    return doc.status == "unreadable" and doc.status_detail not in SETTLED_UNREADABLE


def _unread_document(source_file: str, size: int, mtime_ns: int, detail: str) -> Document:
    return Document(doc_id=unread_doc_id(source_file), sha256="", source_file=source_file, size=size,
                    mtime_ns=mtime_ns, status="unreadable", status_detail=detail)


def _resolve_link(path: str, root: str) -> str | None:
    """The real path a symlink leads to, or None when it leads out of the inbox."""
    target = os.path.realpath(path)
    inside = target != root and os.path.commonpath((root, target)) == root
    return target if inside else None


def _scan_inbox(root: str, known: dict[str, tuple[int, int]], since_ns: int | None,
                reread: frozenset[str] = frozenset()) -> _Scan:
    """Walk the inbox with os.scandir. A regular file whose stat key the ledger knows costs one lstat
    and one dict lookup: this loop is the whole cost of a no-op run, so it stays flat and local."""
    scan = _Scan()
    known_get = known.get
    present = scan.present
    unchanged = seen = 0
    pending = [("", root)]
    while pending:
        prefix, directory = pending.pop()
        try:
            # Listed through a descriptor, each entry's lstat is an fstatat relative to it: cheaper
            # than resolving the whole path again, and a directory swapped for a symlink is refused.
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as error:
            scan.early.append(_unlisted_directory(prefix, error))
            scan.unlisted.append(prefix)
            continue
        try:
            with os.scandir(fd) as listing:
                entries = list(listing)
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                is_file = entry.is_file(follow_symlinks=False)  # from the listing's d_type: no syscall
                if not is_file and entry.is_dir(follow_symlinks=False):
                    pending.append((prefix + _display_name(name) + "/", f"{directory}/{name}"))
                    continue
                if not name.endswith(".txt") and name[-4:].lower() != ".txt":
                    continue
                seen += 1
                source_file = prefix + name if name.isascii() else prefix + _display_name(name)
                present.add(source_file)
                try:
                    if is_file:
                        st = entry.stat(follow_symlinks=False)
                        if known_get(source_file) == (st.st_size, st.st_mtime_ns):
                            unchanged += 1
                            continue
                        path, settled_detail = f"{directory}/{name}", None
                    else:
                        st, path, settled_detail = _stat_special(f"{directory}/{name}", root)
                        if known_get(source_file) == (st.st_size, st.st_mtime_ns):
                            unchanged += 1
                            continue
                except OSError as error:  # vanished or became unreadable while we looked
                    scan.early.append(_unread_document(source_file, 0, 0, _describe_os_error(error)))
                    continue
                if since_ns is not None and st.st_mtime_ns < since_ns and source_file not in reread:
                    scan.skipped_by_since += 1
                elif settled_detail is not None:
                    scan.early.append(_unread_document(source_file, st.st_size, st.st_mtime_ns, settled_detail))
                else:
                    scan.candidates.append(SourceFile(path=path, source_file=source_file, size=st.st_size,
                                                      mtime_ns=st.st_mtime_ns))
        except OSError as error:
            scan.early.append(_unlisted_directory(prefix, error))
            scan.unlisted.append(prefix)
        finally:
            os.close(fd)
    scan.unchanged, scan.seen = unchanged, seen
    return scan


def _unlisted_directory(prefix: str, error: OSError) -> Document:
    return _unread_document(prefix.rstrip("/") or ".", 0, 0,
                            f"directory cannot be listed ({error.strerror}); its files were not seen")


def _stat_special(path: str, root: str) -> tuple[os.stat_result, str, str | None]:
    """(stat, path to read, settled unreadable detail or None) of a symlink, FIFO, socket or device.

    A symlink leading out of the inbox is judged by its own lstat and never followed; one leading
    to a regular file inside the inbox is read through its target's real path.
    """
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        target = _resolve_link(path, root)
        if target is None:
            return st, path, SYMLINK_OUTSIDE
        st, path = os.stat(target), target
    return st, path, None if stat.S_ISREG(st.st_mode) else NOT_REGULAR


# --- planning ----------------------------------------------------------------------------------------


def _open_for_reading(path: str) -> int:
    # O_NOFOLLOW: a file swapped for a symlink after the scan is never followed out of the inbox;
    # O_NONBLOCK: a FIFO named *.txt must not hang the run (it is refused by the fstat check after).
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)


def sha256_of_file(path: str) -> str:
    with os.fdopen(_open_for_reading(path), "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise IsADirectoryError(errno.EISDIR, NOT_REGULAR)
        return hashlib.file_digest(file, "sha256").hexdigest()


def _describe_os_error(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "vanished before it could be read"
    if isinstance(error, PermissionError):
        return "permission denied"
    if error.errno == errno.ELOOP:
        return "became a symbolic link before it could be read; not followed"
    if error.errno == errno.EISDIR:
        return NOT_REGULAR
    return f"cannot be read: {error.strerror or error}"


def _duplicate_document(source: SourceFile, sha256: str, original: tuple[str, str], how: str) -> Document:
    doc_id, source_file = original
    return Document(doc_id=doc_id_of(sha256), sha256=sha256, source_file=source.source_file, size=source.size,
                    mtime_ns=source.mtime_ns, status="duplicate", duplicate_of=doc_id,
                    status_detail=f"{how} {source_file}")


def _promoted_duplicates(ledger: Ledger, root: Path, superseded: set[str],
                         busy: set[str]) -> list[tuple[SourceFile, str]]:
    """Files recorded as duplicates of a version this run replaces: their content must be read again."""
    promoted = []
    for entry in ledger.entries_duplicating(superseded):
        if entry.source_file in busy:
            continue
        try:
            st = os.lstat(root / entry.source_file)
        except OSError:
            continue  # gone: nothing of it is published
        if stat.S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns) == (entry.size, entry.mtime_ns):
            source = SourceFile(path=str(root / entry.source_file), source_file=entry.source_file,
                                size=st.st_size, mtime_ns=st.st_mtime_ns)
            promoted.append((source, entry.sha256))
    return promoted


def _same_content(entry: LedgerEntry | None, sha256: str) -> bool:
    """The ledger's version of the file has these bytes. An entry rebuilt from `documents` (size -1)
    knows only the doc_id, the first 16 hex digits of the sha256."""
    if entry is None:
        return False
    return entry.sha256 == sha256 or (entry.size < 0 and not entry.sha256 and entry.doc_id == doc_id_of(sha256))


def _hash_candidates(candidates: list[SourceFile], ledger: Ledger, force: bool, early: list[Document],
                     reread: frozenset[str] = frozenset()) -> tuple[list[tuple[SourceFile, str]], int]:
    """(files with new content and their sha256, how many were only touched); unreadable ones go to `early`."""
    hashed = []
    touched = 0
    for source in sorted(candidates, key=lambda source: source.source_file):
        try:
            sha256 = sha256_of_file(source.path)
        except OSError as error:
            early.append(_unread_document(source.source_file, source.size, source.mtime_ns,
                                          _describe_os_error(error)))
            continue
        entry = ledger.entry(source.source_file)
        if not force and source.source_file not in reread and _same_content(entry, sha256):
            touched += 1
            ledger.touched[source.source_file] = (source.size, source.mtime_ns)
            if entry.sha256 != sha256:
                ledger.confirmed[source.source_file] = sha256
        else:
            hashed.append((source, sha256))
    return hashed, touched


def _superseded_doc_ids(ledger: Ledger, new_sha256: dict[str, str]) -> set[str]:
    """doc_ids of original versions this run replaces with other content."""
    superseded = set()
    for source_file, sha256 in new_sha256.items():
        entry = ledger.entry(source_file)
        if entry is not None and entry.status in ORIGINAL_STATUSES and entry.sha256 != sha256:
            superseded.add(entry.doc_id)
    return superseded


def removed_files(recorded: Iterable[str], scan: _Scan) -> list[str]:
    """Recorded files the scan did not find; a directory that could not be listed hides none."""
    if "" in scan.unlisted:
        return []
    hidden = tuple(scan.unlisted)
    return sorted(f for f in recorded if f not in scan.present and not (hidden and f.startswith(hidden)))


def withdraw_removed(ledger: Ledger, removed: Iterable[str]) -> set[str]:
    """Mark files for withdrawal; returns the original versions they held (their duplicates are read again)."""
    ledger.withdrawn = frozenset(removed)
    return {e.doc_id for f in ledger.withdrawn if (e := ledger.entry(f)) and e.status in ORIGINAL_STATUSES}


def plan_ingest(inbox: Path, warehouse: Path, *, force: bool = False,
                since: datetime | None = None, reread: frozenset[str] = frozenset(),
                withdraw: bool = True, gone: frozenset[str] = frozenset()) -> IngestPlan:
    """Decide what this run reads. `force`: reprocess every file; `since`: leave alone files modified
    before it (a naive datetime is local time; combine both to reprocess one window in a backfill);
    `reread`: files to read again whatever the ledger or `since` says (the repair step's);
    `withdraw`: recorded files no longer in the inbox, and `gone` (the repair step's), are withdrawn."""
    root = os.path.realpath(inbox)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"inbox {inbox} is not a directory")
    ledger = Ledger.load(warehouse)
    since_ns = None if since is None else int(since.timestamp() * 1_000_000) * 1000
    known = {} if force else ledger.stat_keys
    if reread and known:
        known = {k: v for k, v in known.items() if k not in reread}
    scan = _scan_inbox(root, known, since_ns, reread)
    removed = removed_files(ledger.stat_keys, scan)
    withdrawn_originals = withdraw_removed(ledger, set(removed) | gone) if withdraw else set()
    if not scan.candidates and not scan.early and not ledger.withdrawn:
        return IngestPlan([], scan.unchanged, [], {}, ledger, skipped_by_since=scan.skipped_by_since,
                          seen=scan.seen, removed=removed, recorded=len(ledger.stat_keys))

    early = scan.early
    hashed, touched = _hash_candidates(scan.candidates, ledger, force, early, reread)
    unchanged, skipped_by_since = scan.unchanged + touched, scan.skipped_by_since
    # A file unreadable for now keeps its published rows and ledger row, like a file that left the inbox.
    new_sha256 = {source.source_file: sha256 for source, sha256 in hashed}
    new_sha256.update((doc.source_file, doc.sha256) for doc in early if not is_retried(doc))
    superseded = _superseded_doc_ids(ledger, new_sha256) | withdrawn_originals
    promoted = _promoted_duplicates(ledger, Path(root), superseded, set(new_sha256)) if superseded else []
    for source, _ in promoted:  # counted as unchanged (or too old) by the scan; read after all
        if since_ns is not None and source.mtime_ns < since_ns:
            skipped_by_since -= 1
        else:
            unchanged -= 1
    hashed.extend(promoted)
    # Withdrawn files count as replaced: none of them is an original any more.
    ledger.reprocessing = frozenset(new_sha256) | {source.source_file for source, _ in promoted} | ledger.withdrawn

    to_read = []
    for source, sha256 in hashed:
        original = ledger.originals_by_sha256.get(sha256)
        if original is None:
            to_read.append(source)
        else:
            early.append(_duplicate_document(source, sha256, original, "same bytes as"))
    for doc in early:
        doc.first_seen_at = ledger.first_seen_at(doc)
    previous_doc_ids = {}
    for source_file in sorted(ledger.reprocessing - ledger.withdrawn):  # (withdrawn: by source file)
        entry = ledger.entry(source_file)
        if entry is not None:
            previous_doc_ids[source_file] = entry.doc_id
    return IngestPlan(sorted(to_read, key=lambda source: source.source_file), unchanged,
                      sorted(early, key=lambda doc: doc.source_file), previous_doc_ids, ledger,
                      replace_doc_ids=ledger.doc_ids_only_in(set(previous_doc_ids.values())),
                      skipped_by_since=skipped_by_since, seen=scan.seen, removed=removed,
                      recorded=len(ledger.stat_keys))


# --- decoding ----------------------------------------------------------------------------------------


@cache
def _common_chinese_chars() -> frozenset[str]:
    """Every character of GB2312 (Simplified, with punctuation, full-width forms and pinyin) and of
    Big5's frequent level (Traditional): what nearly all characters of a real report belong to."""
    chars: set[str] = set()
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            chars.update(bytes((lead, trail)).decode("gb2312", "ignore"))
    for lead in range(0xA1, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            chars.update(bytes((lead, trail)).decode("cp950", "ignore"))
    return frozenset(chars)


def common_share(text: str) -> float:
    """Share of the (sampled) non-ASCII characters that are common Chinese characters or punctuation."""
    common = _common_chinese_chars()
    non_ascii = [char for char in text[:SAMPLE_CHARS] if char >= "\x80"]
    if not non_ascii:
        return 1.0
    return sum(char in common for char in non_ascii) / len(non_ascii)


def has_stray_controls(text: str) -> bool:
    return len(STRAY_CONTROLS.findall(text)) > len(text) * STRAY_CONTROLS_PER_CHAR


def reads_as_chinese(text: str) -> bool:
    """Next to no control characters, and the non-ASCII characters are mostly common Chinese ones."""
    return not has_stray_controls(text) and common_share(text) >= COMMON_SHARE


def _decode_strictly(raw: bytes, codec: str, name: str) -> Decoded | None:
    """Decode every byte, or give up; an incomplete character at the very end is dropped and noted."""
    try:
        return Decoded(raw.decode(codec), name)
    except UnicodeDecodeError:
        pass
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        text = decoder.decode(raw, final=False)
    except UnicodeDecodeError:
        return None
    tail = decoder.getstate()[0]
    return Decoded(text, name, f"truncated {name} sequence at end dropped ({len(tail)} of its bytes)")


def _decode_with_bom(raw: bytes) -> Decoded | None:
    for mark, codec, name in BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            decoded = _decode_strictly(raw[len(mark):], codec, name)
            # UTF-8 validates itself; UTF-16/32 decode most byte soups, so check what came out.
            if decoded is not None and (codec == "utf-8" or not has_stray_controls(decoded.text)):
                return decoded
            return None
    return None


def _decode_bomless_utf16(raw: bytes) -> Decoded | None:
    for codec in ("utf-16-le", "utf-16-be"):
        decoded = _decode_strictly(raw, codec, codec)
        if decoded is not None and decoded.text and reads_as_chinese(decoded.text):
            return decoded
    return None


def _gb18030_reads_better(raw: bytes, utf8: Decoded) -> Decoded | None:
    """GB18030 bytes of a few characters can be valid UTF-8 by chance (as Latin, Greek or rare CJK),
    or look like UTF-8 cut inside a character: then a complete GB18030 reading that is Chinese wins."""
    truncated = utf8.note is not None
    if not truncated and (utf8.text.isascii()
                          or (len(raw) >= SHORT_INPUT and max(utf8.text[:4096]) >= CJK_START)):
        return None
    gb = _decode_strictly(raw, "gb18030", "gb18030")
    if gb is None or gb.note is not None or not reads_as_chinese(gb.text):
        return None
    return gb if truncated or common_share(gb.text) > common_share(utf8.text) else None


def _decode_with_detector(raw: bytes) -> Decoded | None:
    import charset_normalizer  # imported on first use: most inputs never need it

    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        return None
    text = str(best)
    return Decoded(text, best.encoding) if text and reads_as_chinese(text) else None


def binary_signature(raw: bytes) -> str | None:
    for magic, kind in BINARY_SIGNATURES:
        if raw.startswith(magic):
            return kind
    return None


def decode_report(raw: bytes) -> Decoded:
    """Decode a report's bytes, saying which encoding explained them; raises UndecodableError."""
    kind = binary_signature(raw)
    if kind is not None:
        raise UndecodableError(f"binary content: {kind}")
    decoded = _decode_with_bom(raw)
    if decoded is not None:
        return decoded
    if b"\x00" in raw:
        decoded = _decode_bomless_utf16(raw)
        if decoded is not None:
            return decoded
        raise UndecodableError("binary content: NUL bytes")
    decoded = _decode_strictly(raw, "utf-8", "utf-8")
    if decoded is not None:
        return _gb18030_reads_better(raw, decoded) or decoded
    decoded = _decode_strictly(raw, "gb18030", "gb18030")
    if decoded is not None and reads_as_chinese(decoded.text):
        return decoded
    decoded = _decode_with_detector(raw)
    if decoded is not None:
        return decoded
    raise UndecodableError("no encoding explains these bytes as Chinese text "
                           "(tried byte-order marks, UTF-8, GB18030 and charset detection)")


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """(text, encoding name); raises UndecodableError."""
    decoded = decode_report(raw)
    return decoded.text, decoded.encoding


# --- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RawFile:
    raw: bytes | None  # None when the file is over the limit (only hashed)
    sha256: str
    size: int
    mtime_ns: int


def _read_raw(path: str, max_bytes: int) -> _RawFile:
    """The file's bytes, or only their hash when it is over `max_bytes` (known from fstat, before reading)."""
    with os.fdopen(_open_for_reading(path), "rb") as file:
        st = os.fstat(file.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, NOT_REGULAR)
        head = file.read(max_bytes + 1) if st.st_size <= max_bytes else b""  # +1: a file that grew
        if st.st_size <= max_bytes and len(head) <= max_bytes:
            return _RawFile(head, hashlib.sha256(head).hexdigest(), len(head), st.st_mtime_ns)
        digest, size = hashlib.sha256(head), len(head)
        for chunk in iter(lambda: file.read(HASH_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
        return _RawFile(None, digest.hexdigest(), size, st.st_mtime_ns)


def read_document(source: SourceFile, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and normalise one file; every failure becomes the Document's status, never an exception."""
    try:
        found = _read_raw(source.path, max_bytes)
    except OSError as error:
        return _unread_document(source.source_file, source.size, source.mtime_ns, _describe_os_error(error))
    doc = Document(doc_id=doc_id_of(found.sha256), sha256=found.sha256, source_file=source.source_file,
                   size=found.size, mtime_ns=found.mtime_ns)
    if found.raw is None:
        doc.status = "too_large"
        doc.status_detail = f"{found.size:,} bytes, over the {max_bytes:,}-byte limit; not read"
        return doc
    if not found.raw:
        doc.status, doc.status_detail = "empty", "0 bytes"
        return doc
    try:
        decoded = decode_report(found.raw)
    except UndecodableError as error:
        doc.status, doc.status_detail = "undecodable", str(error)
        return doc
    doc.encoding = decoded.encoding
    doc.text = normalise_text(decoded.text)
    doc.chars_raw = len(doc.text)
    if not doc.text.strip():
        doc.status, doc.status_detail = "empty", "no text, only white space"
        return doc
    doc.status_detail = decoded.note
    return doc


# --- duplicates --------------------------------------------------------------------------------------

NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
NOT_WORD = re.compile(r"[\W_]+")
# Short lines without a figure or a place are navigation the cleaner left (`首页 > 新闻中心`,
# `打印本页 关闭窗口`); they differ between websites, so the body fingerprint leaves them out.
SHORT_LINE_CHARS = 20
FIGURE_OR_PLACE = re.compile(r"[\d〇零一二三四五六七八九十百千万亿省市县区州盟旗镇乡村]")


def _line_fingerprint(line: str) -> str:
    parts = []
    position = 0
    for number in NUMBER.finditer(line):
        parts.append(NOT_WORD.sub("", line[position:number.start()]))
        parts.append(f"<{number.group()}>")  # delimited, so 1-11 and 11-1 stay different
        position = number.end()
    parts.append(NOT_WORD.sub("", line[position:]))
    return "".join(parts)


def body_fingerprint(cleaned_text: str) -> str:
    """The cleaned body without spacing, punctuation, symbols and short navigation lines, numbers
    kept whole: copies of one report from two websites agree; reports differing in any figure,
    place or year do not (every line holding a digit, a numeral or a place suffix is kept)."""
    kept = []
    for line in cleaned_text.split("\n"):
        fingerprint = _line_fingerprint(line)
        if len(fingerprint) > SHORT_LINE_CHARS or FIGURE_OR_PLACE.search(line):
            kept.append(fingerprint)
    return "".join(kept)


def body_hash(cleaned_text: str) -> str | None:
    fingerprint = body_fingerprint(cleaned_text)
    return hashlib.sha256(fingerprint.encode()).hexdigest() if fingerprint else None


def mark_duplicates(docs: list[Document], ledger: Ledger) -> list[Document]:
    """After cleaning: a document whose bytes or cleaned body match an earlier one becomes `duplicate`.

    Earlier means already in the ledger, else earlier in source_file order within this run. Also
    sets `body_hash` and `first_seen_at`. Changes the documents in place and returns the same list.
    """
    seen_bytes: dict[str, tuple[str, str]] = {}
    seen_bodies: dict[str, tuple[str, str]] = {}
    for doc in sorted(docs, key=lambda doc: doc.source_file):
        if doc.first_seen_at is None:
            doc.first_seen_at = ledger.first_seen_at(doc)
        if doc.status not in ORIGINAL_STATUSES:
            continue
        if doc.body_hash is None:  # set already when the batch dropped the text to save memory
            doc.body_hash = body_hash(doc.cleaned_text)
        original = ledger.originals_by_sha256.get(doc.sha256) or seen_bytes.get(doc.sha256)
        how = "same bytes as"
        if original is None and doc.body_hash is not None:
            original = ledger.originals_by_body_hash.get(doc.body_hash) or seen_bodies.get(doc.body_hash)
            how = "same report body as"
        if original is None:
            seen_bytes.setdefault(doc.sha256, (doc.doc_id, doc.source_file))
            if doc.body_hash is not None:
                seen_bodies.setdefault(doc.body_hash, (doc.doc_id, doc.source_file))
            continue
        doc.status = "duplicate"
        doc.duplicate_of = original[0]
        doc.status_detail = f"{how} {original[1]}"
    return docs


# --- the ledger on disk ------------------------------------------------------------------------------


def _ledger_rows(ledger: Ledger, docs: list[Document]) -> pa.Table:
    recorded = [doc for doc in docs if not is_retried(doc)]
    rows = {
        "source_file": [doc.source_file for doc in recorded],
        "size": [doc.size for doc in recorded],
        "mtime_ns": [doc.mtime_ns for doc in recorded],
        "sha256": [doc.sha256 for doc in recorded],
        "doc_id": [doc.doc_id for doc in recorded],
        "body_hash": [doc.body_hash for doc in recorded],
        "status": [doc.status for doc in recorded],
        "duplicate_of": [doc.duplicate_of for doc in recorded],
        "first_seen_at": [doc.first_seen_at or ledger.first_seen_at(doc) for doc in recorded],
    }
    return pa.table(rows, schema=LEDGER_SCHEMA)


def _touched_rows(ledger: Ledger, skip: set[str]) -> pa.Table:
    """Ledger rows of files touched without a change, with their new stat key."""
    touched = {name: key for name, key in ledger.touched.items() if name not in skip}
    old = ledger.table.filter(pc.is_in(ledger.table.column("source_file"), pa.array(list(touched), pa.string())))
    rows = old.to_pylist()
    for row in rows:
        row["size"], row["mtime_ns"] = touched[row["source_file"]]
        row["sha256"] = ledger.confirmed.get(row["source_file"], row["sha256"])
    return pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA)


def write_ledger_file(path: Path, table: pa.Table) -> None:
    """Temp file beside the ledger, fsync, rename over it, fsync the directory: old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob("*.tmp"):  # from a run killed while writing
        leftover.unlink()
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            pq.write_table(table, tmp, compression="zstd")
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def commit_ledger(warehouse: Path, ledger: Ledger, docs: list[Document]) -> None:
    """Record this run's documents (all of them, every status) once their rows are published.

    A file that was unreadable for a passing reason is not recorded, so the next run retries it.
    Nothing to record (a no-op run) writes nothing.
    """
    new_rows = _ledger_rows(ledger, docs)
    if new_rows.num_rows == 0 and not ledger.touched and not ledger.withdrawn:
        return
    # A withdrawn file is forgotten: put back later, it is read again as new.
    replaced_names = set(new_rows.column("source_file").to_pylist()) | ledger.withdrawn
    touched = _touched_rows(ledger, replaced_names)
    replaced = pa.array(sorted(replaced_names | set(touched.column("source_file").to_pylist())), pa.string())
    kept = ledger.table.filter(pc.invert(pc.is_in(ledger.table.column("source_file"), replaced)))
    write_ledger_file(ledger_path(warehouse), pa.concat_tables([kept, touched, new_rows]).sort_by("source_file"))

