"""The warehouse's own record of its files: `<warehouse>/_manifest.json`.

In the spirit of Delta Lake's log and Iceberg's manifests, but one small JSON file: every live
partition file of every table, by its path relative to the warehouse, with its row count, size in
bytes, sha256, and the run that wrote it (one line per file, sorted, so it reads and diffs well):

    {"format": 1, "schema_version": "1", "updated_at": "2026-12-01T23:40:02+00:00", "run_id": "…",
     "files": {
      "documents/region_code=330000/year=2024/part-0.parquet": {"rows": 3, "bytes": 9120, "sha256": "…", "run_id": "…", "written_at": "…"},
      …
     }}

A repair adds `"repairing": [source files…]` to the header: the files whose rows it found missing
and handed to the run to read again. The next publish writes the manifest without it, so a run
killed in between leaves the list for the next run, which reads those files again.

A publish stages the new manifest beside its partition files and renames it into place in the same
step, under the same exclusive snapshot lock, after them: a reader holding the shared lock sees a
manifest that describes exactly the files it sees. A crash inside that step leaves the journal,
and the next run re-describes the partitions the journal lists before trusting the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from schemas.models import SCHEMA_VERSION, TABLE_SCHEMAS

MANIFEST_FILE = "_manifest.json"
MANIFEST_FORMAT = 1


class ManifestError(ValueError):
    """The manifest file exists but cannot be read as a manifest."""


@dataclass(frozen=True)
class FileEntry:
    rows: int
    bytes: int
    sha256: str
    run_id: str | None
    written_at: str


def manifest_path(warehouse: Path) -> Path:
    return warehouse / MANIFEST_FILE


def live_table_files(warehouse: Path) -> list[str]:
    """Paths (relative to the warehouse) of every partition file on disk, sorted."""
    return sorted(str(path.relative_to(warehouse)) for name in TABLE_SCHEMAS
                  for path in (warehouse / name).glob("region_code=*/year=*/*.parquet"))


def sha256_of(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def describe_file(path: Path, run_id: str | None, written_at: str | None = None) -> FileEntry:
    """The manifest entry of a Parquet file; raises (OSError, ArrowInvalid) when it is not readable."""
    rows = pq.ParquetFile(path).metadata.num_rows
    return FileEntry(rows, path.stat().st_size, sha256_of(path), run_id,
                     written_at or datetime.now(UTC).isoformat(timespec="seconds"))


def read_manifest(warehouse: Path) -> dict[str, FileEntry] | None:
    """The recorded files, or None when there is no manifest; raises ManifestError when it is damaged."""
    try:
        text = manifest_path(warehouse).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"cannot read {MANIFEST_FILE}: {error}") from None
    try:
        recorded = json.loads(text)
        if recorded.get("format") != MANIFEST_FORMAT:
            raise ManifestError(f"{MANIFEST_FILE} has format {recorded.get('format')!r}, expected {MANIFEST_FORMAT}")
        return {path: FileEntry(**entry) for path, entry in recorded["files"].items()}
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        if isinstance(error, ManifestError):
            raise
        raise ManifestError(f"{MANIFEST_FILE} is not a manifest ({type(error).__name__}: {error})") from None


def repairing_files(warehouse: Path) -> frozenset[str]:
    """Source files a repair found short of rows and a run has not restored yet (none if unreadable)."""
    try:
        return frozenset(json.loads(manifest_path(warehouse).read_text(encoding="utf-8")).get("repairing", ()))
    except (OSError, ValueError, AttributeError, TypeError):
        return frozenset()


def manifest_text(files: Mapping[str, FileEntry], run_id: str | None, repairing: Iterable[str] = ()) -> str:
    """The manifest as written: a header, then one line per file in path order."""
    header = {"format": MANIFEST_FORMAT, "schema_version": SCHEMA_VERSION,
              "updated_at": datetime.now(UTC).isoformat(timespec="seconds"), "run_id": run_id}
    if repairing:
        header["repairing"] = sorted(repairing)
    lines = [f"  {json.dumps(path)}: {json.dumps(asdict(files[path]))}" for path in sorted(files)]
    head = json.dumps(header)[:-1]
    return head + ', "files": {\n' + ",\n".join(lines) + "\n}}\n"


def write_manifest(warehouse: Path, files: Mapping[str, FileEntry], run_id: str | None,
                   repairing: Iterable[str] = ()) -> None:
    """Replace the manifest atomically (temp file, fsync, rename, fsync of the directory)."""
    path = manifest_path(warehouse)
    tmp = path.with_name(f".{MANIFEST_FILE}.{os.getpid()}.tmp")
    with tmp.open("wb") as file:
        file.write(manifest_text(files, run_id, repairing).encode())
        file.flush()
        os.fsync(file.fileno())
    os.replace(tmp, path)
    fd = os.open(warehouse, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def updated_files(recorded: Mapping[str, FileEntry], written: Mapping[str, Path], deleted: Iterable[str],
                  run_id: str | None) -> dict[str, FileEntry]:
    """`recorded` after a publish: entries of the `written` files (relative path -> staged file) renewed,
    `deleted` ones dropped."""
    files = dict(recorded)
    for relative in deleted:
        files.pop(relative, None)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for relative, staged in written.items():
        files[relative] = describe_file(staged, run_id, now)
    return files
