"""heldout_v5 (issue #16): frozen before evaluation; regeneration, hashes, loader, golds."""

from __future__ import annotations

import collections
import hashlib
import json

import pytest

from emo_perception.reasoning import qa_heldout_v5 as v5
from emo_perception.reasoning.qa import load_qa
from emo_perception.reasoning.qa_v5_items import MC, PAIRS
from emo_perception.reasoning.qa_v5_truth import Ambiguous, holds, truth

# Frozen in e9a9784 ("Frozen held-out QA set v5 ... (#16)"); do not edit items to fit a
# reader: a changed item is a new set.
SHA256 = {
    v5.PAIRS_FILE: "832494764f543e5a312f6066585af9b50ca6e7d2060f82e80afb7fe9be8980d5",
    v5.MC_FILE: "b69b024747d8f000216b328204fe8f24ee1ff5b547dd8cc0a36d7fbd1ce8b009",
    "windows.json": "3408561e43e001978599fd7f4be5e12cf4e60cf739e545cb93003af8bd0586b7",
}
CATEGORY_COUNTS = {"transcript": 13, "action_unit": 12, "time": 11, "prosody": 11,
                   "emotion": 10, "gesture": 8, "negation": 8, "speech_act": 7,
                   "modality": 7, "compound": 6, "comparison": 6, "intensity": 6}


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_hashes_of_the_frozen_files():
    for name, digest in SHA256.items():
        assert _sha(v5.OUT / name) == digest, name


def test_regenerates_byte_for_byte(tmp_path):
    assert v5.write(tmp_path) == (105, 13)
    for name in (v5.PAIRS_FILE, v5.MC_FILE):
        assert (tmp_path / name).read_bytes() == (v5.OUT / name).read_bytes(), name


def test_loader_counts_and_categories():
    qa = load_qa(v5.OUT)
    assert len(qa.binary) == 210 and len(qa.choice) == 13
    cats = collections.Counter(b.category for b in qa.binary if b.type == "basic")
    assert cats == {f"heldout_v5/{c}": n for c, n in CATEGORY_COUNTS.items()}
    assert set(CATEGORY_COUNTS) == set(v5.CATEGORIES)
    kinds = collections.Counter((b.type, b.answer) for b in qa.binary)
    assert kinds == {("basic", "yes"): 105, ("hallucinated", "no"): 105}
    ids = [b.pair_id for b in qa.binary]
    assert ids[::2] == ids[1::2] == [f"v5p{n:03d}" for n in range(105)]
    assert [c.id for c in qa.choice] == [f"v5mc{n:02d}" for n in range(13)]
    assert {c.answer for c in qa.choice} == {0, 1, 2, 3}  # right answers spread out
    assert all(len(c.options) == 4 for c in qa.choice)


def test_every_gold_comes_out_of_the_numbers():
    wins = v5.load_windows()
    rows = [json.loads(x) for x in (v5.OUT / v5.PAIRS_FILE).read_text().splitlines()]
    by_text = {}
    for key, _cat, _style, t, ft, f, ff in PAIRS:
        assert holds(ft, wins[key]) is True and holds(ff, wins[key]) is False, t
        by_text[t], by_text[f] = (key, ft, "yes"), (key, ff, "no")
    for r in rows:
        key, formula, answer = by_text[r["question"]]
        assert r["window"] == key and r["answer"] == answer
        assert r["evidence"] == wins[key]["evidence"]
        assert truth(formula, {"evidence": r["evidence"], "meta": wins[key]["meta"]}) \
            is (answer == "yes")
    mc_rows = [json.loads(x) for x in (v5.OUT / v5.MC_FILE).read_text().splitlines()]
    for row, (key, question, options, answer) in zip(mc_rows, MC):
        assert row["question"] == question and row["window"] == key
        assert row["options"][row["answer"]] == options[answer][0]
        for text, formula in options:
            assert truth(formula, wins[key]) is (text == options[answer][0]), text


def test_extra_atoms_keep_a_margin():
    w = {"evidence": {"action_units": {"AU17": 0.675}, "expression": {}, "prosody": {},
                      "transcript": "", "duration_s": 10.0, "start": 0.0,
                      "micro_gestures": [{"name": "Arms akimbo", "start": 5.2, "end": 9.6,
                                          "score": 0.8},
                                         {"name": "Touching jaw", "start": 1.0, "end": 2.0,
                                          "score": 0.1}]}}
    assert holds(("approx", ("au", 17), 0.68, 0.05), w) is True
    assert holds(("approx", ("au", 17), 0.5, 0.05), w) is False
    with pytest.raises(Ambiguous):
        holds(("approx", ("au", 17), 0.6, 0.05), w)
    with pytest.raises(Ambiguous):
        holds(("gt", ("au", 17), 0.66, 0.03), w)
    assert holds(("ngest", 1), w) is True  # the jaw touch is below the 0.3 threshold
    assert holds(("starts", "Arms akimbo", 5.0, 0.5), w) is True
    assert holds(("starts", "Arms akimbo", 3.0, 0.5), w) is False
    with pytest.raises(Ambiguous):
        holds(("ends", "Arms akimbo", 8.9, 0.5), w)
    assert holds(("nmod", 2), w) is True
