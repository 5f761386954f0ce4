"""Frozen held-out QA set v4 (data/qa/heldout_v4/): the generator reproduces the committed
files byte for byte (sha256 as frozen in 8c7223c), the files load with the QA loader,
every category is present, and every gold still comes out of the evidence numbers.
Cheap: no stages and no reasoner run.
"""

from __future__ import annotations

import collections
import hashlib
import json

from emo_perception.reasoning.qa import load_qa
from emo_perception.reasoning.qa_heldout_v4 import (
    CATEGORIES, MC_FILE, OUT, PAIRS_FILE, build, jsonl, load_windows,
)
from emo_perception.reasoning.qa_v3_truth import truth
from emo_perception.reasoning.qa_v4_items import MC, PAIRS

# Frozen before any evaluation (docs/reasoning.md, "heldout_v4"); a change here is a new set.
SHA256 = {
    PAIRS_FILE: "d8c719dc16a01bb26672dabde75265afd1cea24d94326be11bc3811b20b153c2",
    MC_FILE: "e07844857b2329afba38f56ecda6743e81376a991d959bc777ea2cb09b858fa0",
    "windows.json": "4627ce16c5cc4dc5841faff367c6887d3b64e5d55f903425dbdc7d31b4f2817a",
}
COUNTS = {"action_unit": 15, "time": 15, "gesture": 12, "negation": 12, "prosody": 12,
          "transcript": 12, "comparison": 11, "compound": 11, "speech_act": 11,
          "emotion": 10, "intensity": 10, "modality": 10}


def test_frozen_files_are_reproduced_byte_for_byte():
    for name, digest in SHA256.items():
        assert hashlib.sha256((OUT / name).read_bytes()).hexdigest() == digest, name
    rows, mc = build()
    assert (OUT / PAIRS_FILE).read_text(encoding="utf-8") == jsonl(rows)
    assert (OUT / MC_FILE).read_text(encoding="utf-8") == jsonl(mc)


def test_set_loads_with_the_harness_loader():
    qa = load_qa(OUT)
    assert (len(qa.binary), len(qa.choice)) == (282, 14)
    pairs: dict[str, list] = collections.defaultdict(list)
    for item in qa.binary:
        assert item.evidence is not None and item.category.startswith("heldout_v4/")
        pairs[item.pair_id].append(item)
    assert sorted(pairs) == [f"v4p{n:03d}" for n in range(141)]
    for items in pairs.values():
        assert sorted((i.type, i.answer) for i in items) == [("basic", "yes"),
                                                             ("hallucinated", "no")]
    cats = collections.Counter(v[0].category.split("/")[1] for v in pairs.values())
    assert set(cats) == set(CATEGORIES) and cats == COUNTS, cats
    assert [c.id for c in qa.choice] == [f"v4mc{n:02d}" for n in range(14)]
    assert all(c.evidence is not None and len(c.options) == 4 for c in qa.choice)
    assert len({c.answer for c in qa.choice}) == 4  # right answers spread over positions


def test_items_embed_their_windows_and_golds_hold():
    wins = load_windows()
    rows = [json.loads(line) for line in (OUT / PAIRS_FILE).read_text().splitlines()]
    for r in rows:  # every item embeds its window's real evidence, unchanged
        assert r["evidence"] == wins[r["window"]]["evidence"]
        assert r["source"] == wins[r["window"]]["source"]
        assert r["written_by"] == "hand" and r["style"] in ("question", "rationale")
    styles = collections.Counter(p[2] for p in PAIRS)
    assert styles == {"question": 101, "rationale": 40}
    for key, _, _, _, ft, _, ff in PAIRS:  # basic true, hallucinated false, none ambiguous
        assert truth(ft, wins[key]) is True and truth(ff, wins[key]) is False
    for key, _, options, answer in MC:
        assert [truth(f, wins[key]) for _, f in options] == [i == answer for i in range(4)]
