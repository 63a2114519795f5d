"""Extraction quality against a gold JSONL file, with the contract's matching rule.

A gold row matches an extracted row when file (base name), region, year, period months,
indicator, subject, measure and unit agree and the values agree to 1e-6 (or both are
redacted); rows pair one to one. "headline" scores whole-region rows (subject null), "all"
every row with subjects compared after light normalisation (a trailing 产业/行业/集群/企业/工业
is dropped), exactly as ../shared/tools/score.py does, so the two agree.

Besides the full match it reports reading alone (region, year and period left out of the key,
as `score.py --ignore region,year,period`), the placing ratio (full-match true positives over
reading-only ones: of the figures read right, how many were also placed right) and every miss
classified by the fields that went wrong (as `../shared/tools/diagnose.py`): the nearest
extracted row of the same file and value names them, else the miss is "not extracted".
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

KEY = ("file", "region", "year", "period_start_month", "period_end_month",
       "indicator", "subject", "measure", "unit")
_SUFFIX = re.compile(r"(产业集群|产业|行业|集群|企业|工业)$")


def _norm_subject(s: object) -> str | None:
    if s is None:
        return None
    text = str(s).strip().strip("“”\"'")
    return _SUFFIX.sub("", text) or text


def _number(v: object) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


PLACING = frozenset({"region", "year", "period_start_month", "period_end_month"})


def row_key(row: dict, mode: str, ignore: frozenset[str] = frozenset()) -> tuple:
    key = []
    for c in KEY:
        if c in ignore:
            continue
        v = row.get(c)
        if c == "file" and v is not None:
            v = Path(str(v)).name
        elif c == "subject":
            v = _norm_subject(v) if mode == "all" else v
        elif c in ("year", "period_start_month", "period_end_month") and v is not None:
            v = int(v)
        elif isinstance(v, str):
            v = v.strip()
        key.append(v)
    return tuple(key)


def _same_value(g: dict, p: dict) -> bool:
    gv, pv = _number(g.get("value")), _number(p.get("value"))
    if gv is None or pv is None:
        return gv is None and pv is None
    return abs(gv - pv) <= 1e-6 * max(1.0, abs(gv))


def match_rows(gold: list[dict], pred: list[dict], mode: str,
               ignore: frozenset[str] = frozenset()) -> tuple[list[dict], list[dict], list[dict]]:
    """(true positives, misses, extras): greedy one-to-one pairing within equal keys."""
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for p in pred:
        by_key[row_key(p, mode, ignore)].append(p)
    tp, misses = [], []
    for g in gold:
        bucket = by_key.get(row_key(g, mode, ignore), [])
        hit = next((i for i, p in enumerate(bucket) if _same_value(g, p)), None)
        if hit is None:
            misses.append(g)
        else:
            bucket.pop(hit)
            tp.append(g)
    extras = [p for bucket in by_key.values() for p in bucket]
    return tp, misses, extras


def prf(tp: int, fn: int, fp: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


def load_indicators(warehouse: Path) -> list[dict]:
    import pyarrow.dataset as ds

    root = warehouse / "indicators"
    if not root.exists():
        raise FileNotFoundError(f"no indicators table under {warehouse}")
    rows = ds.dataset(str(root), format="parquet", partitioning="hive").to_table().to_pylist()
    for r in rows:
        r.setdefault("file", r.get("source_file"))
    return rows


def _scores(gold: list[dict], pred: list[dict], ignore: frozenset[str], show: int) -> dict:
    report: dict = {}
    for mode in ("headline", "all"):
        g = [r for r in gold if mode == "all" or r.get("subject") is None]
        p = [r for r in pred if mode == "all" or r.get("subject") is None]
        tp, misses, extras = match_rows(g, p, mode, ignore)
        precision, recall, f1 = prf(len(tp), len(misses), len(extras))
        report[mode] = {"tp": len(tp), "fn": len(misses), "fp": len(extras),
                        "precision": precision, "recall": recall, "f1": f1}
        if show:
            def pick(r: dict) -> dict:
                return {c: r.get(c) for c in (*KEY, "value", "evidence")}
            report[mode]["misses"] = [pick(r) for r in misses[:show]]
            report[mode]["extras"] = [pick(r) for r in extras[:show]]
    return report


def miss_causes(misses: list[dict], pred: list[dict]) -> Counter[str]:
    """Each miss by the key fields in which the nearest extracted row of its file and value differs."""
    by_file: dict[str, list[tuple]] = defaultdict(list)
    for p in pred:
        by_file[Path(str(p.get("file"))).name].append((p, row_key(p, "all")))
    fields = KEY[1:]
    causes: Counter[str] = Counter()
    for g in misses:
        gk = row_key(g, "all")
        best: list[str] | None = None
        for p, pk in by_file[Path(str(g.get("file"))).name]:
            if _same_value(g, p):
                diff = [f for f, a, b in zip(fields, gk[1:], pk[1:], strict=True) if a != b]
                if best is None or len(diff) < len(best):
                    best = diff
        causes["not extracted" if best is None else "+".join(best) or "duplicate"] += 1
    return causes


def evaluate_rows(gold: list[dict], pred: list[dict], show: int = 0) -> dict:
    files = {Path(g["file"]).name for g in gold}
    pred = [p for p in pred if Path(str(p.get("file"))).name in files]
    report: dict = {"files": len(files), "gold_rows": len(gold), "extracted_rows": len(pred)}
    report.update(_scores(gold, pred, frozenset(), show))
    report["reading"] = _scores(gold, pred, PLACING, 0)
    report["placing"] = {mode: round(report[mode]["tp"] / report["reading"][mode]["tp"], 4)
                         if report["reading"][mode]["tp"] else 0.0 for mode in ("headline", "all")}
    _, misses, _ = match_rows(gold, pred, "all")
    report["misses_by_cause"] = dict(miss_causes(misses, pred).most_common())
    return report


def evaluate_warehouse(warehouse: Path, gold_file: Path, show: int = 0) -> dict:
    gold = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return evaluate_rows(gold, load_indicators(warehouse), show)
