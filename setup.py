"""Build hook: compiles extraction (tasks/extract and tasks/parse.py) with mypyc; pyproject.toml has the rest.

The modules stay plain, typed Python; mypyc turns them into C extension modules beside the
sources (about 1.5× as fast: extraction is the pipeline's costliest stage). The build writes
tasks/compiled.sha256, the digest of what it compiled; tasks/native.py runs the compiled modules
only while that digest matches the sources, so an edit is never shadowed by a stale build
(`make compile` rebuilds). mypyc compiles what mypy accepts: a type error in those modules fails
the build, naming it. `INDUSTRY_ETL_PURE=1 pip install …` installs the sources
alone (a machine with no C compiler).
"""

from __future__ import annotations

import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
NATIVE = runpy.run_path(str(ROOT / "tasks" / "native.py"))  # no side effects; no imports of ours


def _compiled_modules() -> list:
    if NATIVE["pure_requested"]():
        return []
    from mypyc.build import mypycify

    sources = [str(p.relative_to(ROOT)) for p in NATIVE["compiled_sources"]().values()]
    # Imports outside the package are read for their types but not compiled or checked.
    return mypycify(["--ignore-missing-imports", "--follow-imports=silent", *sources],
                    opt_level="3", group_name="tasks.compiled")


class BuildWithStamp(build_ext):
    """build_ext, then the digest of the compiled sources beside the compiled modules."""

    def run(self) -> None:
        stamp: Path = NATIVE["STAMP"]
        stamp.unlink(missing_ok=True)  # a failed build must not leave an old build marked current
        super().run()
        if not self.extensions:
            return
        digest = NATIVE["source_digest"]() + "\n"
        if self.inplace or getattr(self, "editable_mode", False):
            stamp.write_text(digest, encoding="utf-8")
        else:
            built = Path(self.build_lib) / "tasks" / stamp.name
            built.parent.mkdir(parents=True, exist_ok=True)
            built.write_text(digest, encoding="utf-8")


setup(ext_modules=_compiled_modules(), cmdclass={"build_ext": BuildWithStamp})
