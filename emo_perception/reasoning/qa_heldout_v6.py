"""Sixth held-out evidence QA set (``data/qa/heldout_v6/``), frozen before evaluation.

Issue #16 needs a set that judges the claim reader on wording it was never tuned on.
Written by a sixth engineer, who did not read the reader (``claims.py``, ``claim_vocab.py``,
``guard.py``, ``knowledge.py``, ``qa.py``, ``parse.py``, ``facts.py``), ran no reasoner
and no ``qa-eval`` on any draft, and wrote the first draft without reading the items of
the earlier sets (only the file format and the formula helpers at the top of
``qa_v5_items``); the draft was then compared with every earlier question and the
statements that came close were reworded (``qa_v6_items``). Sixth method: what a new
user of an HRI stack would ask or assert about a clip: direct yes/no questions from a
caregiver or app developer, sentences of an LLM-style rationale, casual and terse notes,
comparisons and order in time, natural negations and double negations, and amounts and
times as people say them; see ``qa_v6_items``.

New evidence windows (``qa_v6_windows``: LFW crops and Megamind frames not used before,
one image without a face, seven new espeak-ng sentences with the author's annotation in
``meta``, one window without speech, constructed gesture spans). Gold answers come from
the numbers, not from a reasoner: each statement carries a ``qa_v6_truth`` formula (the
bands and no-ask margins of ``qa_v3_truth``, the count / value / time atoms of
``qa_v5_truth``, span-length / overlap atoms with their own margins, and a margin on
gesture presence around the 0.3 score), and the build
stops on an item whose gold is not as written or is ambiguous, or that asks about a
prosody feature its window's ``meta["no_ask"]`` rules out. ``random.Random(SEED)`` only
fixes the order of the pairs and the position of each MC item's right answer.

Frozen before any evaluation: the files were written once, their SHA-256 sums are in
``test/reasoning/test_qa_heldout_v6.py``, and a changed item makes a new set.

    python -m emo_perception.reasoning.qa_heldout_v6 [OUT_DIR]
    python -m emo_perception.reasoning.qa_heldout_v6 --windows [FILE]   # rebuild windows
"""

from __future__ import annotations

import sys

from emo_perception.reasoning.qa_heldout_common import DATA, HeldoutSet, jsonl
from emo_perception.reasoning.qa_v6_truth import truth

# The first seed from 6317 that puts 3 or 4 of the 14 MC answers at each position (it was
# picked on the positions alone, before any reasoner saw the set).
SEED = 6327
CATEGORIES = ("emotion", "intensity", "action_unit", "gesture", "time", "modality",
              "prosody", "transcript", "speech_act", "negation", "compound", "comparison")
STYLES = ("question", "rationale", "casual", "ordering", "negated", "quantity")

SET = HeldoutSet(6, SEED, CATEGORIES, STYLES, truth,
                 "emo_perception.reasoning.qa_v6_items",
                 "emo_perception.reasoning.qa_v6_windows")
OUT = SET.out
WINDOWS_FILE = SET.windows_file
PAIRS_FILE = SET.pairs_file
MC_FILE = SET.mc_file
load_windows = SET.load_windows
check_no_ask = SET.check_no_ask
check_pair = SET.check_pair
check_mc = SET.check_mc
build = SET.build
write = SET.write
write_windows = SET.write_windows
main = SET.main
__all__ = ["DATA", "OUT", "WINDOWS_FILE", "SEED", "PAIRS_FILE", "MC_FILE", "CATEGORIES",
           "STYLES", "SET", "load_windows", "check_no_ask", "check_pair", "check_mc",
           "build", "jsonl", "write", "write_windows", "main"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
