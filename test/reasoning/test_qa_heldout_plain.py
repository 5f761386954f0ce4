"""Untuned held-out plain-language QA set (data/qa/heldout_plain/): structure, frozen
hashes, and the knowledge backend's score measured once on it (docs/reasoning.md).

The expected numbers are the single untuned measurement (commit c110c89 froze the set
before it was run); this test fails if the set or the reader's behaviour on it changes.
"""

from __future__ import annotations

import hashlib
import json
import pathlib

import pytest

from emo_perception.reasoning.qa import KnowledgeAnswerer, evaluate, load_qa
from emo_perception.reasoning.qa_heldout_plain import build

SET = pathlib.Path(__file__).resolve().parents[2] / "emo_perception" / "data" / "qa" / "heldout_plain"
SHA256 = {
    "heldout_plain_pairs.jsonl": "9c88056d5cbbba3b218991d14d2bdb8fc1b2371bb4dc4a4b7cbde874334b2cac",
    "heldout_plain_mc.jsonl": "e1f8b9cb98bb4ac4930d4c2dd81d73621d45c8996adabf1f987ace71f25e3f77",
}
CATEGORIES = ("emotion", "intensity", "action_unit", "gesture", "time", "modality",
              "prosody", "transcript", "negation")


def test_heldout_plain_structure_and_hashes():
    for name, digest in SHA256.items():
        assert hashlib.sha256((SET / name).read_bytes()).hexdigest() == digest, name
    pairs, mc = build()  # the generator reproduces the frozen files
    assert (SET / "heldout_plain_pairs.jsonl").read_text() == "".join(
        json.dumps(r) + "\n" for r in pairs)
    assert (SET / "heldout_plain_mc.jsonl").read_text() == "".join(
        json.dumps(r) + "\n" for r in mc)
    qa = load_qa(SET)
    by_pair: dict[str, list] = {}
    for item in qa.binary:
        assert item.evidence is not None
        by_pair.setdefault(item.pair_id, []).append(item)
    assert len(by_pair) == 54 and len(qa.choice) == 9
    for items in by_pair.values():
        assert sorted((i.type, i.answer) for i in items) == [("basic", "yes"),
                                                             ("hallucinated", "no")]
    cats = [items[0].category.split("/")[1] for items in by_pair.values()]
    assert {c: cats.count(c) for c in CATEGORIES} == {c: 6 for c in CATEGORIES}


@pytest.mark.slow
def test_heldout_plain_knowledge_score_is_reproduced():
    report = evaluate(load_qa(SET), KnowledgeAnswerer())
    assert report["pairs"] == 54 and report["binary_items"] == 108
    assert report["binary_undecided"] == 17 and report["mc_undecided"] == 3
    assert round(report["basic_accuracy"] * 54) == 46
    assert round(report["hallucinated_accuracy"] * 54) == 41
    assert round(report["pair_accuracy"] * 54) == 38
    assert round(report["mc_accuracy"] * 9) == 6
    expected = {"action_unit": 5, "emotion": 4, "gesture": 4, "intensity": 6,
                "modality": 2, "negation": 6, "prosody": 4, "time": 5, "transcript": 2}
    got = {k.split("/")[1]: round(v * 6)
           for k, v in report["pair_accuracy_by_category"].items()}
    assert got == expected
    wrong = sorted((r["pair_id"], r["type"]) for r in report["binary"]
                   if r["pred"] != r["answer"])
    assert len(wrong) == 21
    decided_wrong = sorted((r["pair_id"], r["type"]) for r in report["binary"]
                           if r["pred"] != r["answer"] and not r["undecided"])
    assert decided_wrong == [("hp005", "basic"), ("hp027", "hallucinated"),
                             ("hp031", "basic"), ("hp043", "basic")]
