"""The spec corpus: tests/specs/*.jsonl, one file per construction family, one case a line.

Each case is a tiny inbox file (`text`) and the rows the contract says it must give (`rows`).
The text goes through the real per-file stages (read -> clean -> place -> extract) in this
process; each expected row must match a distinct extracted row on every field it gives, and a
`complete` case allows no other row. A case with a `gap` is a strict xfail: the extractor does
not do that yet, and the day it does the test fails until the flag is removed.
See tests/specs/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.stages import SourceFile
from tasks.process import process_document

SPECS = Path(__file__).resolve().parent / "specs"
REQUIRED = ("id", "rule", "text", "rows", "complete", "gap")
ROW_REQUIRED = ("indicator", "measure", "value", "unit", "subject")
ROW_FIELDS = (*ROW_REQUIRED, "region", "city", "county", "year", "period",
              "benchmark", "is_redacted", "is_estimate", "is_target")
SHOWN = ("indicator", "subject", "measure", "value", "unit", "region", "city", "county", "year", "period")


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(SPECS.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                case = json.loads(line)
                case["_where"] = f"{path.name}:{number}"
                cases.append(case)
    return cases


CASES = load_cases()


def _param(case: dict):
    marks = []
    if case.get("gap"):
        marks.append(pytest.mark.xfail(reason=case["gap"], strict=True))
    return pytest.param(case, id=case.get("id", case["_where"]), marks=marks)


@pytest.fixture(scope="session")
def extract_text(tmp_path_factory):
    """Send a text through the real per-file stages; the catalog and regexes are built once."""
    from tasks.extract import warm_up

    warm_up()
    folder = tmp_path_factory.mktemp("specs")
    counter = iter(range(1_000_000))

    def run(text: str) -> list[dict]:
        path = folder / f"case_{next(counter)}.txt"
        path.write_text(text, encoding="utf-8")
        stat = path.stat()
        _doc, rows = process_document(SourceFile(str(path), path.name, stat.st_size, stat.st_mtime_ns), 20_000_000)
        return rows

    return run


def _actual(row: dict, field: str):
    if field == "period":
        return [row["period_start_month"], row["period_end_month"]]
    return row.get(field)


def _agrees(expected: dict, row: dict) -> bool:
    for field, want in expected.items():
        if field not in ROW_FIELDS:
            continue
        got = _actual(row, field)
        if field == "value":
            if want is None or got is None:
                if want is not got:
                    return False
            elif abs(float(want) - float(got)) > 1e-6:
                return False
        elif field == "period":
            if list(want) != got:
                return False
        elif want != got:
            return False
    return True


def _match(expected: list[dict], rows: list[dict]) -> list[int | None]:
    """A maximum one-to-one matching of expected rows to extracted rows (augmenting paths)."""
    options = [[j for j, row in enumerate(rows) if _agrees(e, row)] for e in expected]
    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j in options[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or assign(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        assign(i, set())
    pairs: list[int | None] = [None] * len(expected)
    for j, i in owner.items():
        pairs[i] = j
    return pairs


def _line(row: dict, actual: bool) -> str:
    cells = []
    for field in SHOWN:
        if actual:
            value = _actual(row, field)
        elif field in row:
            value = row[field]
        else:
            value = "·"  # not compared
        cells.append(f"{field}={value}" if field != "indicator" else str(value))
    if actual:
        flags = "".join(f for f, k in (("R", "is_redacted"), ("E", "is_estimate"), ("T", "is_target")) if row.get(k))
        if row.get("benchmark"):
            cells.append(f"benchmark={row['benchmark']}")
        if flags:
            cells.append(flags)
    else:
        cells.extend(f"{field}={row[field]}" for field in ("benchmark", "is_redacted", "is_estimate", "is_target")
                     if field in row)
    return " ".join(cells)


def _report(case: dict, rows: list[dict], pairs: list[int | None]) -> str:
    matched = {j for j in pairs if j is not None}
    lines = [f"{case['id']} ({case['_where']}): {case['rule']}", "text: " + case["text"].replace("\n", "⏎")]
    lines.append("expected:")
    for row, j in zip(case["rows"], pairs, strict=True):
        lines.append(f"  {'ok ' if j is not None else 'MISSING'} {_line(row, False)}")
    if not case["rows"]:
        lines.append("  (no row)")
    lines.append("extracted:")
    for j, row in enumerate(rows):
        mark = "ok " if j in matched else ("EXTRA" if case.get("complete", True) else "   ")
        lines.append(f"  {mark} {_line(row, True)}")
    if not rows:
        lines.append("  (no row)")
    return "\n".join(lines)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_spec(case, extract_text):
    rows = extract_text(case["text"])
    pairs = _match(case["rows"], rows)
    missing = any(j is None for j in pairs)
    extra = case.get("complete", True) and len(rows) > len(case["rows"])
    if missing or extra:
        pytest.fail(_report(case, rows, pairs), pytrace=False)


def test_the_corpus_is_large_and_well_formed():
    assert len(CASES) >= 300, f"only {len(CASES)} spec cases"
    ids = [c.get("id") for c in CASES]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate ids: {duplicates}"
    problems = []
    for case in CASES:
        where = f"{case.get('id')} ({case['_where']})"
        missing = [k for k in REQUIRED if k not in case]
        if missing:
            problems.append(f"{where}: missing {missing}")
            continue
        if not case["id"].startswith(Path(case["_where"].split(":")[0]).stem + "."):
            problems.append(f"{where}: id does not start with its file's family")
        if not isinstance(case["text"], str) or not case["text"].strip():
            problems.append(f"{where}: empty text")
        if not isinstance(case["complete"], bool):
            problems.append(f"{where}: complete must be true or false")
        if case["gap"] is not None and not (isinstance(case["gap"], str) and case["gap"].strip()):
            problems.append(f"{where}: gap must be null or one line")
        for row in case["rows"]:
            absent = [k for k in ROW_REQUIRED if k not in row]
            unknown = [k for k in row if k not in ROW_FIELDS]
            if absent or unknown:
                problems.append(f"{where}: row missing {absent} / unknown {unknown}")
            if "period" in row and not (isinstance(row["period"], list) and len(row["period"]) == 2):
                problems.append(f"{where}: period must be [start_month, end_month]")
    families = {Path(c["_where"].split(":")[0]).stem for c in CASES}
    for family in sorted(families):
        cases = [c for c in CASES if c["_where"].startswith(family + ".jsonl")]
        if not any(c["rows"] == [] or ".neg" in c["id"] for c in cases):
            problems.append(f"{family}: no negative case")
    assert not problems, "\n".join(problems)
