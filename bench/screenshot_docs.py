"""Write the data-quality page of a small synthetic run and photograph it with headless Chromium.

    .venv/bin/python bench/screenshot_docs.py [--out /tmp/docs.png]

Writes the run's page to --out and the index of runs beside it (`*_index.png`), so a person can
see what the gate reports. The pages need no network (inline CSS, no script); Chromium runs with
name resolution switched off to show exactly that. Skips (exit 0) when Chromium is not installed
(Debian: `apt-get install -y chromium`).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_validate import catalog_codes, synthetic_indicators  # noqa: E402

from schemas.models import DOCUMENT_SCHEMA  # noqa: E402
from tasks.validate import validate_tables  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1400,1000",
]


def find_chromium() -> str | None:
    return next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)


def screenshot(chromium: str, page: Path, png: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
                        page.as_uri()], check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/docs.png"))
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print("skipped: chromium is not installed (apt-get install -y chromium)")
        return
    docs_dir = Path(tempfile.mkdtemp(prefix="industry-etl-docs-")) / "_docs"
    outcome = validate_tables(synthetic_indicators(2000, bad_share=0.05), DOCUMENT_SCHEMA.empty_table().to_pandas(),
                              docs_dir, catalog_codes(), run_name="screenshot")
    assert outcome.quality_page is not None
    index_png = args.out.with_name(f"{args.out.stem}_index{args.out.suffix}")
    screenshot(chromium, outcome.quality_page, args.out)
    screenshot(chromium, docs_dir / "index.html", index_png)
    print(f"data-quality page: {outcome.quality_page}")
    print(f"screenshots: {args.out} {index_png}")
    print(f"quarantined {len(outcome.quarantine)} of {len(outcome.quarantine) + len(outcome.published)} rows")


if __name__ == "__main__":
    main()
