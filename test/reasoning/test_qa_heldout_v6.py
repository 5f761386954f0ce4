"""heldout_v6 (issue #16): frozen before evaluation; regeneration, hashes, loader, golds."""

from __future__ import annotations

import heldout_checks as hc

from emo_perception.reasoning import qa_heldout_v6 as v6

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
SET = hc.FrozenSet(6, SHA256, CATEGORY_COUNTS, N_PAIRS, N_MC)


def test_hashes_of_the_frozen_files():
    hc.check_hashes(SET)


def test_regenerates_byte_for_byte(tmp_path):
    hc.check_regenerates(SET, tmp_path)


def test_loader_counts_and_categories():
    hc.check_loader(SET)


def test_every_gold_comes_out_of_the_numbers():
    hc.check_golds(SET)


def test_no_item_asks_what_a_window_rules_out():
    hc.check_no_ask(SET, "v6_music")


def test_new_atoms_keep_a_margin():
    hc.check_v6_atoms(SET)


def test_gesture_presence_keeps_a_margin():
    hc.check_gesture_presence(SET)
