"""heldout_v9 (issue #16): frozen before evaluation; regeneration, hashes, loader, golds."""

from __future__ import annotations

import collections
import hashlib
import json

import pytest

from emo_perception.reasoning import qa_heldout_v9 as v9
from emo_perception.reasoning.qa import load_qa
from emo_perception.reasoning.qa_v9_items import MC, PAIRS
from emo_perception.reasoning.qa_v9_truth import Ambiguous, holds, truth

# Frozen in 8f41858 ("Frozen held-out QA set v9 ... (#16)") before any reader or reasoner
# was run on it; do not edit items to fit a reader: a changed item is a new set.
SHA256 = {
    v9.PAIRS_FILE: "c9b726611ee0c55b9e8f4bb2359cd73461e0587f70ae5a232029f5b32eadc51a",
    v9.MC_FILE: "340643b8906baadc9ffd4fcdf3f723456a992405959991336f707b3bd7eb6a25",
    "windows.json": "3dfc3c114d3ceae1baeaa524329e93cac921b538018ecf7e4b4fef254802febf",
}
CATEGORY_COUNTS = {"emotion": 15, "action_unit": 15, "time": 15, "prosody": 13,
                   "transcript": 9, "gesture": 8, "count": 8, "intensity": 6,
                   "speech_act": 6, "modality": 5, "negation": 4, "comparison": 4,
                   "compound": 3}
N_PAIRS, N_MC = 111, 16


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_hashes_of_the_frozen_files():
    for name, digest in SHA256.items():
        assert _sha(v9.OUT / name) == digest, name


def test_regenerates_byte_for_byte(tmp_path):
    assert v9.write(tmp_path) == (N_PAIRS, N_MC)
    for name in (v9.PAIRS_FILE, v9.MC_FILE):
        assert (tmp_path / name).read_bytes() == (v9.OUT / name).read_bytes(), name


def test_loader_counts_and_categories():
    qa = load_qa(v9.OUT)
    assert len(qa.binary) == 2 * N_PAIRS and len(qa.choice) == N_MC
    cats = collections.Counter(b.category for b in qa.binary if b.type == "basic")
    assert cats == {f"heldout_v9/{c}": n for c, n in CATEGORY_COUNTS.items()}
    assert set(CATEGORY_COUNTS) == set(v9.CATEGORIES)
    kinds = collections.Counter((b.type, b.answer) for b in qa.binary)
    assert kinds == {("basic", "yes"): N_PAIRS, ("hallucinated", "no"): N_PAIRS}
    ids = [b.pair_id for b in qa.binary]
    assert ids[::2] == ids[1::2] == [f"v9p{n:03d}" for n in range(N_PAIRS)]
    assert [c.id for c in qa.choice] == [f"v9mc{n:02d}" for n in range(N_MC)]
    assert all(len(c.options) == 4 for c in qa.choice)
    spread = collections.Counter(c.answer for c in qa.choice)
    assert set(spread) == {0, 1, 2, 3} and max(spread.values()) <= 4  # answers spread out


def test_every_gold_comes_out_of_the_numbers():
    wins = v9.load_windows()
    rows = [json.loads(x) for x in (v9.OUT / v9.PAIRS_FILE).read_text().splitlines()]
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
    mc_rows = [json.loads(x) for x in (v9.OUT / v9.MC_FILE).read_text().splitlines()]
    assert len(mc_rows) == len(MC)
    for row, (key, question, options, answer) in zip(mc_rows, MC):
        assert row["question"] == question and row["window"] == key
        assert row["options"][row["answer"]] == options[answer][0]
        assert sorted(row["options"]) == sorted(text for text, _ in options)
        for text, formula in options:
            assert truth(formula, wins[key]) is (text == options[answer][0]), text


def test_no_item_asks_what_a_window_rules_out():
    wins = v9.load_windows()
    for key, _cat, _style, _t, ft, _f, ff in PAIRS:
        v9.check_no_ask(wins, key, [ft, ff])
    for key, _question, options, _answer in MC:
        for _text, formula in options:
            v9.check_no_ask(wins, key, formula)
    assert not any(w["meta"].get("no_ask") for w in wins.values())
    ruled_out = {"w": {"meta": {"no_ask": {"speaking_rate_sps": "why"}}}}
    with pytest.raises(ValueError):
        v9.check_no_ask(ruled_out, "w", ("pros", "speaking_rate_sps", "low"))
    with pytest.raises(ValueError):
        v9.check_no_ask(ruled_out, "w", ("gt", ("pros", "speaking_rate_sps"), 3.0, 0.3))


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


def test_v7_atoms_still_keep_a_margin():
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


def test_v8_atoms_keep_a_margin():
    def win(score=0.8, transcript=""):
        return {"meta": {}, "evidence": {
            "action_units": {}, "expression": {}, "prosody": {}, "transcript": transcript,
            "duration_s": 10.0, "start": 0.0,
            "micro_gestures": [{"name": "Arms akimbo", "start": 2.0, "end": 4.0,
                                "score": score},
                               {"name": "Arms akimbo", "start": 3.0, "end": 6.0,
                                "score": score},
                               {"name": "Touching jaw", "start": 9.0, "end": 12.0,
                                "score": 0.8}]}}
    assert holds(("frac_at", "Arms akimbo", 0.2, 0.05), win()) is True
    assert holds(("frac_at", "Arms akimbo", 0.3, 0.05), win()) is True  # second span
    assert holds(("frac_at", "Arms akimbo", 0.6, 0.05), win()) is False
    with pytest.raises(Ambiguous):
        holds(("frac_at", "Arms akimbo", 0.37, 0.05), win())
    assert holds(("frac_at", "Folding arms", 0.2, 0.05), win()) is False
    assert holds(("frac_at", "Arms akimbo", 0.2, 0.05), win(0.1)) is False
    with pytest.raises(Ambiguous):
        holds(("frac_at", "Arms akimbo", 0.2, 0.05), win(0.32))
    assert holds(("share", "Arms akimbo", 0.4, 0.05), win()) is True  # union: 2-6 s
    assert holds(("share", "Arms akimbo", 0.6, 0.05), win()) is False
    with pytest.raises(Ambiguous):
        holds(("share", "Arms akimbo", 0.47, 0.05), win())
    assert holds(("share", "Touching jaw", 0.1, 0.05), win()) is True  # clipped at 10 s
    assert holds(("share", "Folding arms", 0.0, 0.05), win()) is True
    with pytest.raises(Ambiguous):
        holds(("share", "Arms akimbo", 0.4, 0.05), win(0.25))
    assert holds(("nwords", 4, 1), win(transcript="One two three four.")) is True
    assert holds(("nwords", 8, 1), win(transcript="One two three four.")) is False
    with pytest.raises(Ambiguous):
        holds(("nwords", 5.5, 1), win(transcript="One two three four."))
    assert holds(("nwords", 0, 0.5), win()) is True
    assert truth(("nwords", 0, 0.5), win(transcript="Hi.")) is False  # 1 word: 2 tol away
    assert truth(("nwords", 0, 0.6), win(transcript="Hi.")) is None  # 1 word: ambiguous
    assert holds(("not", ("share", "Arms akimbo", 0.6, 0.05)), win()) is True
    assert holds([("frac_at", "Arms akimbo", 0.2, 0.05), ("ngest", 3)], win()) is True


def test_v9_atom_keeps_a_margin():
    def win(score=0.8):
        return {"meta": {}, "evidence": {
            "action_units": {}, "expression": {}, "prosody": {}, "transcript": "",
            "duration_s": 10.0, "start": 0.0,
            "micro_gestures": [{"name": "Pressing lips", "start": 2.0, "end": 4.0,
                                "score": score},
                               {"name": "Pressing lips", "start": 5.0, "end": 8.0,
                                "score": score}]}}
    assert holds(("frac_end", "Pressing lips", 0.4, 0.05), win()) is True
    assert holds(("frac_end", "Pressing lips", 0.8, 0.05), win()) is True  # second span
    assert holds(("frac_end", "Pressing lips", 0.1, 0.05), win()) is False
    with pytest.raises(Ambiguous):
        holds(("frac_end", "Pressing lips", 0.47, 0.05), win())
    assert holds(("frac_end", "Folding arms", 0.4, 0.05), win()) is False
    assert holds(("frac_end", "Pressing lips", 0.4, 0.05), win(0.1)) is False
    with pytest.raises(Ambiguous):
        holds(("frac_end", "Pressing lips", 0.4, 0.05), win(0.32))
    assert holds(("not", ("frac_end", "Pressing lips", 0.1, 0.05)), win()) is True
    assert holds([("frac_end", "Pressing lips", 0.4, 0.05), ("ngest", 2)], win()) is True


def test_windows_are_new():
    """No v9 window reuses a face image of an earlier set's windows."""
    import json as _json

    wins = v9.load_windows()
    earlier = set()
    for path in v9.DATA.glob("heldout_v[3-8]/windows.json"):
        earlier |= {w["source"].split(" -> ")[0] for w in
                    _json.loads(path.read_text(encoding="utf-8")).values()}
    for key, w in wins.items():
        assert w["source"].split(" -> ")[0] not in earlier, key
