"""heldout_v8 (issue #16): frozen before evaluation; regeneration, hashes, loader, golds."""

from __future__ import annotations

import heldout_checks as hc

from emo_perception.reasoning import qa_heldout_v8 as v8

# Frozen in 821151b ("Frozen held-out QA set v8 ... (#16)") before any reader or reasoner
# was run on it; do not edit items to fit a reader: a changed item is a new set.
SHA256 = {
    v8.PAIRS_FILE: "64497454c2d17214a045f42499db2bddc9a668c3d54f3cf40e77ca05b7701ac5",
    v8.MC_FILE: "c30dfa5c7e441a9e0574917b4d383d3509e68c60cbe1113ab269314dd214ea31",
    "windows.json": "80ab8fa2830bc35d524a102b7b3e349f9d3062b5dcabc32bf0332afbd2402f28",
}
CATEGORY_COUNTS = {"action_unit": 13, "time": 13, "emotion": 12, "prosody": 12,
                   "gesture": 9, "transcript": 8, "speech_act": 7, "intensity": 6,
                   "count": 5, "compound": 4, "comparison": 4, "negation": 4, "modality": 4}
N_PAIRS, N_MC = 101, 16
SET = hc.FrozenSet(8, SHA256, CATEGORY_COUNTS, N_PAIRS, N_MC)


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
