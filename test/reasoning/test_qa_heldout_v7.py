"""heldout_v7 (issue #16): frozen before evaluation; regeneration, hashes, loader, golds."""

from __future__ import annotations

import collections
import hashlib
import json

import pytest

from emo_perception.reasoning import qa_heldout_v7 as v7
from emo_perception.reasoning.qa import load_qa
from emo_perception.reasoning.qa_v7_items import MC, PAIRS
from emo_perception.reasoning.qa_v7_truth import Ambiguous, holds, truth

# Frozen in 647b691 ("Frozen held-out QA set v7 ... (#16)") before any reader or reasoner
# was run on it; do not edit items to fit a reader: a changed item is a new set.
SHA256 = {
    v7.PAIRS_FILE: "2da6ed30ad432e25b54147ec2b1f356f1eacae3d31bbcd4457a713b6d7a85adc",
    v7.MC_FILE: "7da73d425a504d71ebcc6dc0166500e378cb7b9283be4f6a0af5bb2d82199ada",
    "windows.json": "85ab443bf1a1257a723ff2bd22952a479edbfcda1e911d6a821feb5627beb25c",
}
CATEGORY_COUNTS = {"prosody": 15, "time": 14, "emotion": 11, "action_unit": 9,
                   "transcript": 9, "gesture": 8, "speech_act": 7, "intensity": 5,
                   "count": 5, "negation": 5, "comparison": 4, "compound": 4, "modality": 4}
N_PAIRS, N_MC = 100, 14


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_hashes_of_the_frozen_files():
    for name, digest in SHA256.items():
        assert _sha(v7.OUT / name) == digest, name


def test_regenerates_byte_for_byte(tmp_path):
    assert v7.write(tmp_path) == (N_PAIRS, N_MC)
    for name in (v7.PAIRS_FILE, v7.MC_FILE):
        assert (tmp_path / name).read_bytes() == (v7.OUT / name).read_bytes(), name


def test_loader_counts_and_categories():
    qa = load_qa(v7.OUT)
    assert len(qa.binary) == 2 * N_PAIRS and len(qa.choice) == N_MC
    cats = collections.Counter(b.category for b in qa.binary if b.type == "basic")
    assert cats == {f"heldout_v7/{c}": n for c, n in CATEGORY_COUNTS.items()}
    assert set(CATEGORY_COUNTS) == set(v7.CATEGORIES)
    kinds = collections.Counter((b.type, b.answer) for b in qa.binary)
    assert kinds == {("basic", "yes"): N_PAIRS, ("hallucinated", "no"): N_PAIRS}
    ids = [b.pair_id for b in qa.binary]
    assert ids[::2] == ids[1::2] == [f"v7p{n:03d}" for n in range(N_PAIRS)]
    assert [c.id for c in qa.choice] == [f"v7mc{n:02d}" for n in range(N_MC)]
    assert all(len(c.options) == 4 for c in qa.choice)
    spread = collections.Counter(c.answer for c in qa.choice)
    assert set(spread) == {0, 1, 2, 3} and max(spread.values()) <= 4  # answers spread out


def test_every_gold_comes_out_of_the_numbers():
    wins = v7.load_windows()
    rows = [json.loads(x) for x in (v7.OUT / v7.PAIRS_FILE).read_text().splitlines()]
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
    mc_rows = [json.loads(x) for x in (v7.OUT / v7.MC_FILE).read_text().splitlines()]
    assert len(mc_rows) == len(MC)
    for row, (key, question, options, answer) in zip(mc_rows, MC):
        assert row["question"] == question and row["window"] == key
        assert row["options"][row["answer"]] == options[answer][0]
        assert sorted(row["options"]) == sorted(text for text, _ in options)
        for text, formula in options:
            assert truth(formula, wins[key]) is (text == options[answer][0]), text


def test_no_item_asks_what_a_window_rules_out():
    wins = v7.load_windows()
    for key, _cat, _style, _t, ft, _f, ff in PAIRS:
        v7.check_no_ask(wins, key, [ft, ff])
    for key, _question, options, _answer in MC:
        for _text, formula in options:
            v7.check_no_ask(wins, key, formula)
    with pytest.raises(ValueError):
        v7.check_no_ask(wins, "v7_keys", ("pros", "speaking_rate_sps", "low"))


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


def test_v7_atoms_keep_a_margin():
    def win(score=0.8, transcript="", acts=()):
        return {"meta": {"acts": list(acts)},
                "evidence": {"action_units": {}, "expression": {}, "prosody": {},
                             "transcript": transcript, "duration_s": 10.0, "start": 0.0,
                             "micro_gestures": [{"name": "Arms akimbo", "start": 0.0,
                                                 "end": 2.0, "score": 0.8},
                                                {"name": "Touching jaw", "start": 3.0,
                                                 "end": 4.0, "score": score}]}}
    assert holds(("gap", "Arms akimbo", "Touching jaw", 1.0, 0.5), win()) is True
    assert holds(("gap", "Arms akimbo", "Touching jaw", 4.0, 0.5), win()) is False
    with pytest.raises(Ambiguous):
        holds(("gap", "Arms akimbo", "Touching jaw", 1.75, 0.5), win())
    assert holds(("gap", "Touching jaw", "Arms akimbo", 1.0, 0.5), win()) is False
    assert holds(("gap", "Arms akimbo", "Touching jaw", 1.0, 0.5), win(0.1)) is False
    with pytest.raises(Ambiguous):
        holds(("gap", "Arms akimbo", "Touching jaw", 1.0, 0.5), win(0.32))
    assert holds(("nacts", 2), win(transcript="Hi. Stop.", acts=("greeting", "command")))
    assert holds(("nacts", 0), win(acts=("greeting",))) is True  # no speech: no acts
    assert holds(("nacts", 1), win(transcript="Hi.", acts=("greeting",))) is True
