"""Extraction quality against a gold JSONL file, with the contract's matching rule.

A gold row matches an extracted row when file (base name), region, year, period months,
indicator, subject, measure and unit agree and the values agree to 1e-6 (or both are
redacted); rows pair one to one. "headline" scores whole-region rows (subject null), "all"
every row with subjects compared after light normalisation (a trailing 产业/行业/集群/企业/工业
is dropped), exactly as ../shared/tools/score.py does, so the two agree.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
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


def row_key(row: dict, mode: str) -> tuple:
    key = []
    for c in KEY:
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


def match_rows(gold: list[dict], pred: list[dict], mode: str) -> tuple[list[dict], list[dict], list[dict]]:
    """(true positives, misses, extras): greedy one-to-one pairing within equal keys."""
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for p in pred:
        by_key[row_key(p, mode)].append(p)
    tp, misses = [], []
    for g in gold:
        bucket = by_key.get(row_key(g, mode), [])
        gv = _number(g.get("value"))
        hit = None
        for i, p in enumerate(bucket):
            pv = _number(p.get("value"))
            if (gv is None and pv is None) or (
                gv is not None and pv is not None and abs(gv - pv) <= 1e-6 * max(1.0, abs(gv))
            ):
                hit = i
                break
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


def evaluate_rows(gold: list[dict], pred: list[dict], show: int = 0) -> dict:
    files = {Path(g["file"]).name for g in gold}
    pred = [p for p in pred if Path(str(p.get("file"))).name in files]
    report: dict = {"files": len(files), "gold_rows": len(gold), "extracted_rows": len(pred)}
    for mode in ("headline", "all"):
        g = [r for r in gold if mode == "all" or r.get("subject") is None]
        p = [r for r in pred if mode == "all" or r.get("subject") is None]
        tp, misses, extras = match_rows(g, p, mode)
        precision, recall, f1 = prf(len(tp), len(misses), len(extras))
        report[mode] = {"tp": len(tp), "fn": len(misses), "fp": len(extras),
                        "precision": precision, "recall": recall, "f1": f1}
        if show:
            def pick(r: dict) -> dict:
                return {c: r.get(c) for c in (*KEY, "value", "evidence")}
            report[mode]["misses"] = [pick(r) for r in misses[:show]]
            report[mode]["extras"] = [pick(r) for r in extras[:show]]
    return report


def evaluate_warehouse(warehouse: Path, gold_file: Path, show: int = 0) -> dict:
    gold = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return evaluate_rows(gold, load_indicators(warehouse), show)
