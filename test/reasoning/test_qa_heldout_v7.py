"""heldout_v7 (issue #16): frozen before evaluation; regeneration, hashes, loader, golds."""

from __future__ import annotations

import heldout_checks as hc

from emo_perception.reasoning import qa_heldout_v7 as v7

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
SET = hc.FrozenSet(7, SHA256, CATEGORY_COUNTS, N_PAIRS, N_MC)


def test_hashes_of_the_frozen_files():
    hc.check_hashes(SET)


def test_regenerates_byte_for_byte(tmp_path):
    hc.check_regenerates(SET, tmp_path)


def test_loader_counts_and_categories():
    hc.check_loader(SET)


def test_every_gold_comes_out_of_the_numbers():
    hc.check_golds(SET)


def test_no_item_asks_what_a_window_rules_out():
    hc.check_no_ask(SET, "v7_keys")


def test_new_atoms_keep_a_margin():
    hc.check_v6_atoms(SET)


def test_gesture_presence_keeps_a_margin():
    hc.check_gesture_presence(SET)


def test_v7_atoms_keep_a_margin():
    hc.check_v7_atoms(SET)
