"""Compiled or pure: which build of the extraction modules runs.

`setup.py` compiles the extraction package (tasks/extract, all but its `__init__`) and the parsers
it leans on (tasks/parse.py) with mypyc: the same Python source, as C extension modules beside
it, about 1.5× as fast. It then writes `tasks/compiled.sha256`, the digest of the sources it
compiled. Python prefers an extension module to the source of the same name, so a source edited
after the build would be shadowed by its stale compiled module; `choose` (called first thing by
the `tasks` package) lets the compiled modules run only when the digest matches the sources
beside them, and otherwise makes every one of them load from its source (`tasks.extract.BUILD`
says which runs). `INDUSTRY_ETL_PURE=1` asks for the source (profilers, the equivalence test);
for `setup.py` it skips compiling. `make compile` rebuilds after an edit.

This module has no side effects on import: `setup.py` runs it on its own to list and digest the
sources.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent  # tasks/
STAMP = HERE / "compiled.sha256"
PURE_ENV = "INDUSTRY_ETL_PURE"


def compiled_sources() -> dict[str, Path]:
    """Module name -> source, of what setup.py compiles, in a stable order."""
    sources = {"tasks.parse": HERE / "parse.py"}
    for path in sorted((HERE / "extract").glob("*.py")):
        if path.name != "__init__.py":
            sources[f"tasks.extract.{path.stem}"] = path
    return sources


def source_digest() -> str:
    """sha256 over the compiled sources' names and bytes."""
    digest = hashlib.sha256()
    for name, path in compiled_sources().items():
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def pure_requested() -> bool:
    return os.environ.get(PURE_ENV) == "1"


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Finds the compiled modules as their .py sources, ahead of any compiled module."""

    def __init__(self) -> None:
        self.sources = compiled_sources()

    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(name)
        return importlib.util.spec_from_file_location(name, source) if source is not None else None


def choose() -> None:
    """Leave the compiled modules to run when they were built from these sources (and are not
    refused); else put their sources first on the import path."""
    built = STAMP.read_text(encoding="utf-8").strip() if STAMP.is_file() else None
    if built is not None and not pure_requested():
        if built == source_digest():
            return
        # An ImportWarning (shown by pytest and `python -W default`, not by the CLI): the sources give
        # the same rows, only slower, so a run's output stays as it is.
        warnings.warn("tasks/extract or tasks/parse.py changed after it was compiled: the sources run (slower); "
                      "`make compile` rebuilds it", ImportWarning, stacklevel=2)
    if not any(isinstance(f, _SourceFirst) for f in sys.meta_path):
        sys.meta_path.insert(0, _SourceFirst())


def build_of(module: ModuleType) -> str:
    """'compiled' or 'pure': what a loaded module is."""
    return "pure" if str(getattr(module, "__file__", "")).endswith(".py") else "compiled"
