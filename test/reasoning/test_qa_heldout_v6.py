"""heldout_v6 (issue #16): frozen before evaluation; regeneration, hashes, loader, golds."""

from __future__ import annotations

import collections
import hashlib
import json

import pytest

from emo_perception.reasoning import qa_heldout_v6 as v6
from emo_perception.reasoning.qa import load_qa
from emo_perception.reasoning.qa_v6_items import MC, PAIRS
from emo_perception.reasoning.qa_v6_truth import Ambiguous, holds, truth

# Frozen in 6d48e38 ("Frozen held-out QA set v6 ... (#16)") before any reader or reasoner
# was run on it; do not edit items to fit a reader: a changed item is a new set.
SHA256 = {
    v6.PAIRS_FILE: "2630916c3c7cc077b4ffe1bd1e32f3a51eea3866688db4e4780ac5b7fc4a3eae",
    v6.MC_FILE: "6ef6ef04355e0059374119c5c73d140ca2ec8f149ae17bb381bd18f723b5ef41",
    "windows.json": "7f996b0c7123d49e7aaeb1fd74400fd979ab67ab2750c0d5e21d0ebcb662e421",
}
CATEGORY_COUNTS = {"time": 17, "gesture": 13, "prosody": 10, "emotion": 10,
                   "transcript": 10, "speech_act": 8, "intensity": 8, "comparison": 8,
                   "negation": 8, "action_unit": 8, "modality": 6, "compound": 6}
N_PAIRS, N_MC = 112, 14


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_hashes_of_the_frozen_files():
    for name, digest in SHA256.items():
        assert _sha(v6.OUT / name) == digest, name


def test_regenerates_byte_for_byte(tmp_path):
    assert v6.write(tmp_path) == (N_PAIRS, N_MC)
    for name in (v6.PAIRS_FILE, v6.MC_FILE):
        assert (tmp_path / name).read_bytes() == (v6.OUT / name).read_bytes(), name


def test_loader_counts_and_categories():
    qa = load_qa(v6.OUT)
    assert len(qa.binary) == 2 * N_PAIRS and len(qa.choice) == N_MC
    cats = collections.Counter(b.category for b in qa.binary if b.type == "basic")
    assert cats == {f"heldout_v6/{c}": n for c, n in CATEGORY_COUNTS.items()}
    assert set(CATEGORY_COUNTS) == set(v6.CATEGORIES)
    kinds = collections.Counter((b.type, b.answer) for b in qa.binary)
    assert kinds == {("basic", "yes"): N_PAIRS, ("hallucinated", "no"): N_PAIRS}
    ids = [b.pair_id for b in qa.binary]
    assert ids[::2] == ids[1::2] == [f"v6p{n:03d}" for n in range(N_PAIRS)]
    assert [c.id for c in qa.choice] == [f"v6mc{n:02d}" for n in range(N_MC)]
    assert all(len(c.options) == 4 for c in qa.choice)
    spread = collections.Counter(c.answer for c in qa.choice)
    assert set(spread) == {0, 1, 2, 3} and max(spread.values()) <= 4  # answers spread out


def test_every_gold_comes_out_of_the_numbers():
    wins = v6.load_windows()
    rows = [json.loads(x) for x in (v6.OUT / v6.PAIRS_FILE).read_text().splitlines()]
    by_text = {}
    for key, _cat, _style, t, ft, f, ff in PAIRS:
        assert holds(ft, wins[key]) is True and holds(ff, wins[key]) is False, t
        by_text[t], by_text[f] = (key, ft, "yes"), (key, ff, "no")
    assert len(by_text) == 2 * N_PAIRS
    for r in rows:
        key, formula, answer = by_text[r["question"]]
        assert r["window"] == key and r["answer"] == answer
        assert r["evidence"] == wins[key]["evidence"]
        assert truth(formula, {"evidence": r["evidence"], "meta": wins[key]["meta"]}) \
            is (answer == "yes")
    mc_rows = [json.loads(x) for x in (v6.OUT / v6.MC_FILE).read_text().splitlines()]
    assert len(mc_rows) == len(MC)
    for row, (key, question, options, answer) in zip(mc_rows, MC):
        assert row["question"] == question and row["window"] == key
        assert row["options"][row["answer"]] == options[answer][0]
        assert sorted(row["options"]) == sorted(text for text, _ in options)
        for text, formula in options:
            assert truth(formula, wins[key]) is (text == options[answer][0]), text


def test_no_item_asks_what_a_window_rules_out():
    wins = v6.load_windows()
    for key, _cat, _style, _t, ft, _f, ff in PAIRS:
        v6.check_no_ask(wins, key, [ft, ff])
    for key, _question, options, _answer in MC:
        for _text, formula in options:
            v6.check_no_ask(wins, key, formula)
    with pytest.raises(ValueError):
        v6.check_no_ask(wins, "v6_music", ("pros", "speaking_rate_sps", "low"))


def test_new_atoms_keep_a_margin():
    w = {"evidence": {"action_units": {}, "expression": {}, "prosody": {},
                      "transcript": "", "duration_s": 10.0, "start": 0.0,
                      "micro_gestures": [{"name": "Folding arms", "start": 1.0, "end": 7.0,
                                          "score": 0.8},
                                         {"name": "Moving torso", "start": 6.0, "end": 9.0,
                                          "score": 0.6},
                                         {"name": "Touching ears", "start": 8.0, "end": 9.0,
                                          "score": 0.1}]}}
    assert holds(("lasts", "Folding arms", 6.0, 1.0), w) is True
    assert holds(("lasts", "Folding arms", 2.0, 1.0), w) is False
    with pytest.raises(Ambiguous):
        holds(("lasts", "Folding arms", 4.5, 1.0), w)
    assert holds(("lasts", "Touching ears", 1.0, 0.5), w) is False  # below 0.3: absent
    assert holds(("overlap", "Folding arms", "Moving torso", 0.3), w) is True
    with pytest.raises(Ambiguous):
        holds(("overlap", "Folding arms", "Moving torso", 1.5), w)
    assert holds(("overlap", "Folding arms", "Touching ears", 0.3), w) is False
    assert holds(("ngest", 2), w) is True


def test_gesture_presence_keeps_a_margin():
    def win(score):
        return {"evidence": {"action_units": {}, "expression": {}, "prosody": {},
                             "transcript": "", "duration_s": 10.0, "start": 0.0,
                             "micro_gestures": [{"name": "Touching ears", "start": 8.0,
                                                 "end": 9.0, "score": score}]}}
    for score in (0.25, 0.28, 0.33, 0.35):
        for formula in (("gest", "Touching ears", "any"), ("ngest", 1), ("has", "body"),
                        ("starts", "Touching ears", 8.0, 0.5)):
            with pytest.raises(Ambiguous):
                holds(formula, win(score))
    assert holds(("gest", "Touching ears", "close"), win(0.6)) is True
    assert holds(("gest", "Touching ears", "any"), win(0.15)) is False
    assert holds(("has", "body"), win(0.15)) is False
    assert truth(("gest", "Biting nails", "any"), win(0.3)) is False  # another gesture
