"""Ninth held-out evidence QA set (``data/qa/heldout_v9/``), frozen before evaluation.

Issue #16 needs a set that judges the claim reader on wording it was never tuned on.
Written by a ninth engineer, who did not read the reader (``claims.py``,
``claim_vocab.py``, ``claim_forms.py``, ``guard.py``, ``knowledge.py``, ``parse.py``,
``facts.py``, ``qa.py`` beyond ``load_qa``), ran no reasoner and no ``qa-eval`` on any
draft, and wrote the draft with only the file format, v6's / v7's / v8's formula helpers
and the truth modules in view; the draft was then compared with every earlier question
and option (word trigrams, character similarity) and the texts that came close were
reworded (``qa_v9_items``). Ninth method: registers no earlier set used: a sports
commentator, a police report ("Subject was observed to ..."), a parent texting, a
researcher's hypotheses ("consistent with AU5 activity"), a product manager's acceptance
criteria ("GIVEN ... WHEN ... THEN ..."), questions in reported speech ("I was wondering
whether ..."), double negatives / litotes ("She did not fail to ..."), clipped
fragments ("Lips apart. Chin pushed up, too.") and approximate quantities ("a good four
seconds", "just over half the clip").

New evidence windows (``qa_v9_windows``: LFW crops and Megamind frames not used before,
one crop in which the face stage finds no face, six new espeak-ng sentences with the
author's annotation in ``meta``, one window without speech, constructed gesture spans).
Gold answers come from the numbers, not from a reasoner: each statement carries a
``qa_v9_truth`` formula (all of ``qa_v8_truth`` with its bands and margins, plus an
end-as-a-fraction-of-the-window atom with its own margin), and the build stops on an
item whose gold is not as written or is ambiguous, or that asks about a prosody feature
its window's ``meta["no_ask"]`` rules out. ``random.Random(SEED)`` only fixes the order
of the pairs and the position of each MC item's right answer.

Frozen before any evaluation: the files were written once, their SHA-256 sums are in
``test/reasoning/test_qa_heldout_v9.py``, and a changed item makes a new set.

    python -m emo_perception.reasoning.qa_heldout_v9 [OUT_DIR]
    python -m emo_perception.reasoning.qa_heldout_v9 --windows [FILE]   # rebuild windows
"""

from __future__ import annotations

import sys

from emo_perception.reasoning.qa_heldout_common import DATA, HeldoutSet, jsonl
from emo_perception.reasoning.qa_v9_truth import truth

# The first seed from 9317 that puts 4 of the 16 MC answers at each position (it was
# picked on the positions alone, before any reasoner saw the set).
SEED = 9357
CATEGORIES = ("emotion", "intensity", "action_unit", "gesture", "time", "modality",
              "prosody", "transcript", "speech_act", "negation", "compound", "comparison",
              "count")
STYLES = ("commentator", "police", "parent", "hypothesis", "gherkin", "reported", "litotes",
          "ellipsis", "approx")

SET = HeldoutSet(9, SEED, CATEGORIES, STYLES, truth,
                 "emo_perception.reasoning.qa_v9_items",
                 "emo_perception.reasoning.qa_v9_windows")
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
