"""heldout_v9 (issue #16): frozen before evaluation; regeneration, hashes, loader, golds."""

from __future__ import annotations

import heldout_checks as hc
import pytest

from emo_perception.reasoning import qa_heldout_v9 as v9
from emo_perception.reasoning.qa_v9_truth import Ambiguous, holds

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
SET = hc.FrozenSet(9, SHA256, CATEGORY_COUNTS, N_PAIRS, N_MC)


def test_hashes_of_the_frozen_files():
    hc.check_hashes(SET)


def test_regenerates_byte_for_byte(tmp_path):
    hc.check_regenerates(SET, tmp_path)


def test_loader_counts_and_categories():
    hc.check_loader(SET)


def test_every_gold_comes_out_of_the_numbers():
    hc.check_golds(SET)


def test_no_item_asks_what_a_window_rules_out():
    hc.check_no_ask(SET)


def test_new_atoms_keep_a_margin():
    hc.check_v6_atoms(SET)


def test_gesture_presence_keeps_a_margin():
    hc.check_gesture_presence(SET)


def test_v7_atoms_still_keep_a_margin():
    hc.check_v7_atoms(SET)


def test_v8_atoms_keep_a_margin():
    hc.check_v8_atoms(SET)


def test_v9_atom_keeps_a_margin():
    def win(score=0.8):
        return hc.window([hc.gesture("Pressing lips", 2.0, 4.0, score),
                          hc.gesture("Pressing lips", 5.0, 8.0, score)])
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
    hc.check_windows_are_new(SET)
