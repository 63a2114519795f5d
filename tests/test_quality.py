"""The ratchet: extraction quality on every gold set we hold never falls below its recorded floor.

One real flow run over the samples, the development set (`../shared/dev`) and our own corpus
(`tests/corpus`), scored per gold set with `tasks.evaluate` (which agrees with score.py, see
test_flow). The floors live in `tests/quality_floor.json`; a change that improves a figure
raises its floor in the same commit, so no later change loses what was won.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import GOLD, ROOT, SAMPLES, SHARED, needs_samples

pytestmark = [pytest.mark.slow, needs_samples]

FLOORS = json.loads((ROOT / "tests" / "quality_floor.json").read_text(encoding="utf-8"))
GOLD_SETS = {
    "samples": (SAMPLES, GOLD),
    "dev": (SHARED / "dev" / "docs", SHARED / "dev" / "gold.jsonl"),
    "corpus": (ROOT / "tests" / "corpus" / "docs", ROOT / "tests" / "corpus" / "gold.jsonl"),
}


@pytest.fixture(scope="module")
def scored(prefect_harness, tmp_path_factory) -> dict[str, dict]:
    from flows.nightly_ingest import nightly_ingest
    from tasks.evaluate import evaluate_rows, load_indicators

    inbox = tmp_path_factory.mktemp("gold_sets") / "inbox"
    inbox.mkdir()
    present = {name: paths for name, paths in GOLD_SETS.items() if name in FLOORS}
    for name, (docs, _) in present.items():
        assert docs.is_dir(), f"gold set {name} has a floor but no documents at {docs}"
        for doc in docs.glob("*.txt"):
            assert not (inbox / doc.name).exists(), f"two gold sets hold a file named {doc.name}"
            shutil.copy(doc, inbox / doc.name)
    warehouse = inbox.parent / "warehouse"
    nightly_ingest(inbox=str(inbox), warehouse=str(warehouse))
    rows = load_indicators(warehouse)
    return {name: evaluate_rows([json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()
                                 if line.strip()], rows)
            for name, (_, gold) in present.items()}


@pytest.mark.parametrize("gold_set", [name for name in GOLD_SETS if name in FLOORS])
def test_f1_holds_its_floor(scored, gold_set):
    report = scored[gold_set]
    got = {"full": {m: report[m]["f1"] for m in ("headline", "all")},
           "reading": {m: report["reading"][m]["f1"] for m in ("headline", "all")}}
    below = [f"{kind} {mode} F1 {got[kind][mode]} < floor {floor}"
             for kind, floors in FLOORS[gold_set].items() for mode, floor in floors.items()
             if got[kind][mode] < floor]
    assert not below, f"{gold_set}: " + "; ".join(below) + f" (misses by cause: {report['misses_by_cause']})"
