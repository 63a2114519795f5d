"""The compiled extraction modules (mypyc, setup.py): in use when built, the same rows as the
sources, and never run once a source has changed after the build (tasks/native.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tasks.extract
import tasks.parse
from tasks import native

ROOT = Path(__file__).resolve().parent.parent
compiled_only = pytest.mark.skipif(not native.STAMP.is_file(), reason="tasks/extract is not compiled here "
                                   "(INDUSTRY_ETL_PURE=1 or no build): `make compile`")

# Rows of the spec corpus's texts and the bundled examples, as JSON lines, in a fresh interpreter.
_ROWS_SCRIPT = """
import json, sys
from pathlib import Path
from schemas.stages import SourceFile
from tasks.process import process_document
import tasks.extract
print(tasks.extract.BUILD)
root = Path(sys.argv[1])
texts = [json.loads(l)["text"] for p in sorted((root / "tests" / "specs").glob("*.jsonl"))
         for l in p.read_text(encoding="utf-8").splitlines() if l.strip()]
folder = Path(sys.argv[2]); folder.mkdir(exist_ok=True)
paths = sorted((root / "examples" / "inbox").glob("*.txt"))
for i, text in enumerate(texts):
    path = folder / f"case{i:04d}.txt"; path.write_text(text, encoding="utf-8"); paths.append(path)
for path in paths:
    st = path.stat()
    _, rows = process_document(SourceFile(str(path), path.name, st.st_size, st.st_mtime_ns), 20_000_000)
    for r in rows:
        print(json.dumps({k: v for k, v in r.items() if k not in ("extracted_at", "run_id")},
                         ensure_ascii=False, sort_keys=True, default=str))
"""


def _rows(tmp_path: Path, pure: bool) -> tuple[str, list[str]]:
    env = {**os.environ, native.PURE_ENV: "1" if pure else "0"}
    out = subprocess.run([sys.executable, "-c", _ROWS_SCRIPT, str(ROOT), str(tmp_path / "inbox")], cwd=ROOT,
                         env=env, capture_output=True, text=True, check=True).stdout.splitlines()
    return out[0], out[1:]


@compiled_only
def test_the_compiled_modules_run_when_built():
    assert tasks.extract.BUILD == "compiled"
    assert tasks.extract.document.__file__.endswith(".so")
    assert tasks.parse.__file__.endswith(".so")
    assert native.STAMP.read_text(encoding="utf-8").strip() == native.source_digest()


@compiled_only
def test_compiled_and_pure_give_the_same_rows(tmp_path):
    compiled_build, compiled = _rows(tmp_path, pure=False)
    pure_build, pure = _rows(tmp_path, pure=True)
    assert (compiled_build, pure_build) == ("compiled", "pure")
    assert len(compiled) > 800  # the spec corpus and the examples give rows
    assert compiled == pure


@compiled_only
def test_an_edited_source_runs_instead_of_its_stale_build(tmp_path):
    # a copy of the package with its build, one source then edited
    for name in ("tasks", "schemas"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    script = ("import tasks.extract as t, tasks.parse as p; "
              "print(t.BUILD, t.rows.__file__.rsplit('.', 1)[-1], p.__file__.rsplit('.', 1)[-1])")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), native.PURE_ENV: "0"}

    def build() -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-P", "-W", "default::ImportWarning", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                              text=True, check=True)
        return done.stdout.strip(), done.stderr

    assert build() == ("compiled so so", "")
    rows = tmp_path / "tasks" / "extract" / "rows.py"
    rows.write_text(rows.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    shown, warning = build()
    assert shown == "pure py py"  # every compiled module, not only the edited one
    assert "changed after it was compiled" in warning and "make compile" in warning


def test_the_digest_covers_every_compiled_source():
    sources = native.compiled_sources()
    extract = {p.name for p in (native.HERE / "extract").glob("*.py")} - {"__init__.py"}
    assert {p.name for n, p in sources.items() if n.startswith("tasks.extract.")} == extract
    assert sources["tasks.parse"] == native.HERE / "parse.py"
    assert all(p.is_file() and n.endswith(p.stem) for n, p in sources.items())
    assert len(native.source_digest()) == 64

