"""Seventh held-out evidence QA set (``data/qa/heldout_v7/``), frozen before evaluation.

Issue #16 needs a set that judges the claim reader on wording it was never tuned on.
Written by a seventh engineer, who did not read the reader (``claims.py``,
``claim_vocab.py``, ``claim_forms.py``, ``guard.py``, ``knowledge.py``, ``parse.py``,
``facts.py``, ``qa.py`` beyond ``load_qa``), ran no reasoner and no ``qa-eval`` on any
draft, and wrote the draft with only the file format, v6's formula helpers and the truth
modules in view; the draft was then compared with every earlier question (word trigrams,
character similarity) and the statements that came close were reworded
(``qa_v7_items``). Seventh method: registers no earlier set used: a clinician's session
notes, a UX researcher's observations of a participant, child-friendly questions, hedged
questions and claims ("Would you say", "Is it fair to say", "Can we conclude",
"probably", "seems"), second person to the robot, fragments and lists, the passive
voice; numbers often as words, times as people say them, British and American spelling.

New evidence windows (``qa_v7_windows``: LFW crops and Megamind frames not used before,
one image without a face, seven new espeak-ng sentences with the author's annotation in
``meta``, one window without speech, constructed gesture spans). Gold answers come from
the numbers, not from a reasoner: each statement carries a ``qa_v7_truth`` formula (all
of ``qa_v6_truth`` with its bands and margins, plus a gap-between-gestures atom with its
own margin and a count of annotated speech acts), and the build stops on an item whose
gold is not as written or is ambiguous, or that asks about a prosody feature its
window's ``meta["no_ask"]`` rules out. ``random.Random(SEED)`` only fixes the order of
the pairs and the position of each MC item's right answer.

Frozen before any evaluation: the files were written once, their SHA-256 sums are in
``test/reasoning/test_qa_heldout_v7.py``, and a changed item makes a new set.

    python -m emo_perception.reasoning.qa_heldout_v7 [OUT_DIR]
    python -m emo_perception.reasoning.qa_heldout_v7 --windows [FILE]   # rebuild windows
"""

from __future__ import annotations

import sys

from emo_perception.reasoning.qa_heldout_common import DATA, HeldoutSet, jsonl
from emo_perception.reasoning.qa_v7_truth import truth

# The first seed from 7317 that puts 3 or 4 of the 14 MC answers at each position (it was
# picked on the positions alone, before any reasoner saw the set).
SEED = 7319
CATEGORIES = ("emotion", "intensity", "action_unit", "gesture", "time", "modality",
              "prosody", "transcript", "speech_act", "negation", "compound", "comparison",
              "count")
STYLES = ("clinical", "ux_note", "child", "hedged", "to_robot", "fragment", "passive")

SET = HeldoutSet(7, SEED, CATEGORIES, STYLES, truth,
                 "emo_perception.reasoning.qa_v7_items",
                 "emo_perception.reasoning.qa_v7_windows")
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
