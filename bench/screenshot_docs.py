"""Build Data Docs for a small synthetic run and photograph them with headless Chromium.

    .venv/bin/python bench/screenshot_docs.py [--out /tmp/docs.png] [--assets DIR/node_modules]

Writes the index page to --out and the indicators validation page beside it (`*_validation.png`),
so a person can see what the gate reports. Skips (exit 0) when Chromium is not installed
(Debian: `apt-get install -y chromium`).

GE's pages load Bootstrap, jQuery and bootstrap-table from CDNs; without network they render
unstyled and the index's result list (filled in by bootstrap-table) stays empty. To see them as a
reader with network does, fetch the same versions from npm and pass their node_modules folder:

    npm install --prefix DIR --legacy-peer-deps --ignore-scripts jquery@3.7.1 bootstrap@4.3.1 \
        popper.js@1.12.9 bootstrap-table@1.19.1 bootstrap-datepicker@1.9.0 @fortawesome/fontawesome-free@6.6.0

The pages are then photographed from a copy whose CDN links point at those files.
"""

from __future__ import annotations

import argparse
import re
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
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
]

# CDN address in GE 1.24's page templates -> the same file in an npm node_modules folder.
CDN_FILES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/dist/umd/popper.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "@fortawesome/fontawesome-free/css/all.min.css",
}
UNPKG_BOOTSTRAP_TABLE = re.compile(r"https://unpkg\.com/bootstrap-table@[0-9.]+/")
GE_LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.[^\"]*/logo-long\.png\?[^\"]*")


def with_local_assets(docs_dir: Path, node_modules: Path) -> Path:
    """A copy of the site whose CDN links point at files in `node_modules`."""
    copy = Path(tempfile.mkdtemp(prefix="industry-etl-docs-offline-")) / "_docs"
    shutil.copytree(docs_dir, copy)
    for page in copy.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for url, path in CDN_FILES.items():
            html = html.replace(url, (node_modules / path).as_uri())
        html = UNPKG_BOOTSTRAP_TABLE.sub((node_modules / "bootstrap-table").as_uri() + "/", html)
        html = GE_LOGO.sub((copy / "static" / "images" / "logo-long.png").as_uri(), html)
        page.write_text(html, encoding="utf-8")
    return copy


def find_chromium() -> str | None:
    return next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)


def screenshot(chromium: str, page: Path, png: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/docs.png"))
    parser.add_argument("--assets", type=Path, help="node_modules folder with the pages' CDN libraries")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print("skipped: chromium is not installed (apt-get install -y chromium)")
        return

    docs_dir = Path(tempfile.mkdtemp(prefix="industry-etl-docs-")) / "_docs"
    outcome = validate_tables(
        synthetic_indicators(2000, bad_share=0.05), DOCUMENT_SCHEMA.empty_table().to_pandas(),
        docs_dir, catalog_codes(), run_name="screenshot",
    )
    assert outcome.docs_index is not None
    shown = with_local_assets(docs_dir, args.assets) if args.assets else docs_dir
    validation_page = max((shown / "validations" / "indicators").rglob("*.html"))
    screenshot(chromium, shown / "index.html", args.out)
    validation_png = args.out.with_name(f"{args.out.stem}_validation{args.out.suffix}")
    screenshot(chromium, validation_page, validation_png)
    print(f"Data Docs: {outcome.docs_index}")
    print(f"screenshots: {args.out} {validation_png}")
    print(f"quarantined {len(outcome.quarantine)} of {len(outcome.quarantine) + len(outcome.published)} rows")


if __name__ == "__main__":
    main()
