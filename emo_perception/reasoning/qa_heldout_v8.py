"""Eighth held-out evidence QA set (``data/qa/heldout_v8/``), frozen before evaluation.

Issue #16 needs a set that judges the claim reader on wording it was never tuned on.
Written by an eighth engineer, who did not read the reader (``claims.py``,
``claim_vocab.py``, ``claim_forms.py``, ``guard.py``, ``knowledge.py``, ``parse.py``,
``facts.py``, ``qa.py`` beyond ``load_qa``), ran no reasoner and no ``qa-eval`` on any
draft, and wrote the draft with only the file format, v6's / v7's formula helpers and the
truth modules in view; the draft was then compared with every earlier question and option
(word trigrams, character similarity) and the texts that came close were reworded
(``qa_v8_items``). Eighth method: registers no earlier set used: a teacher's classroom
observation notes, an elderly-care nurse's handover, a quiz-show host, a robot
developer's debug questions, tag questions ("..., didn't she?"), embedded quotes,
fractions / percentages / scores ("about a third of the way in", "about 15 % of the
clip") and negative polarity items ("hardly", "barely", "scarcely", "not once", "if
anything").

New evidence windows (``qa_v8_windows``: LFW crops and Megamind frames not used before,
one image without a face, seven new espeak-ng sentences with the author's annotation in
``meta``, one window without speech, constructed gesture spans). Gold answers come from
the numbers, not from a reasoner: each statement carries a ``qa_v8_truth`` formula (all
of ``qa_v7_truth`` with its bands and margins, plus a start-as-fraction-of-the-window
atom, a share-of-the-window atom and a word count, each with its own margin), and the
build stops on an item whose gold is not as written or is ambiguous, or that asks about
a prosody feature its window's ``meta["no_ask"]`` rules out. ``random.Random(SEED)`` only
fixes the order of the pairs and the position of each MC item's right answer.

Frozen before any evaluation: the files were written once, their SHA-256 sums are in
``test/reasoning/test_qa_heldout_v8.py``, and a changed item makes a new set.

    python -m emo_perception.reasoning.qa_heldout_v8 [OUT_DIR]
    python -m emo_perception.reasoning.qa_heldout_v8 --windows [FILE]   # rebuild windows
"""

from __future__ import annotations

import sys

from emo_perception.reasoning.qa_heldout_common import DATA, HeldoutSet, jsonl
from emo_perception.reasoning.qa_v8_truth import truth

# The first seed from 8317 that puts 4 of the 16 MC answers at each position (it was
# picked on the positions alone, before any reasoner saw the set).
SEED = 8353
CATEGORIES = ("emotion", "intensity", "action_unit", "gesture", "time", "modality",
              "prosody", "transcript", "speech_act", "negation", "compound", "comparison",
              "count")
STYLES = ("teacher", "handover", "gameshow", "debug", "tag", "quoted", "numeric", "npi")

SET = HeldoutSet(8, SEED, CATEGORIES, STYLES, truth,
                 "emo_perception.reasoning.qa_v8_items",
                 "emo_perception.reasoning.qa_v8_windows")
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
