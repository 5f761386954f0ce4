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

import json
import pathlib
import random
import sys

from emo_perception.reasoning.qa_v9_truth import truth

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"
OUT = DATA / "heldout_v9"
WINDOWS_FILE = OUT / "windows.json"
# The first seed from 9317 that puts 4 of the 16 MC answers at each position (it was
# picked on the positions alone, before any reasoner saw the set).
SEED = 9357
PAIRS_FILE = "heldout_v9_pairs.jsonl"
MC_FILE = "heldout_v9_mc.jsonl"
CATEGORIES = ("emotion", "intensity", "action_unit", "gesture", "time", "modality",
              "prosody", "transcript", "speech_act", "negation", "compound", "comparison",
              "count")
STYLES = ("commentator", "police", "parent", "hypothesis", "gherkin", "reported", "litotes",
          "ellipsis", "approx")


def load_windows(path: pathlib.Path = WINDOWS_FILE) -> dict[str, dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _asked_features(formula) -> set[str]:
    """Prosody features a formula asks about."""
    if isinstance(formula, list):
        return set().union(*[_asked_features(f) for f in formula]) if formula else set()
    if formula[0] == "pros":
        return {formula[1]}
    if formula[0] in ("not", "or"):
        return _asked_features(list(formula[1:]))
    if formula[0] in ("approx", "gt") and formula[1][0] == "pros":
        return {formula[1][1]}
    return set()


def check_no_ask(wins: dict, key: str, formula) -> None:
    banned = set(wins[key]["meta"].get("no_ask", {})) & _asked_features(formula)
    if banned:
        raise ValueError(f"{key}: {formula!r} asks about {sorted(banned)} (no_ask)")


def check_pair(wins: dict, item: tuple) -> None:
    key, cat, style, t, ft, f, ff = item
    if cat not in CATEGORIES or style not in STYLES or t == f:
        raise ValueError(f"bad category, style or texts: {item!r}")
    check_no_ask(wins, key, [ft, ff])
    gt, gf = truth(ft, wins[key]), truth(ff, wins[key])
    if gt is not True or gf is not False:
        raise ValueError(f"{key} {cat}: {t!r} is {gt} (want True), {f!r} is {gf} "
                         f"(want False)")


def check_mc(wins: dict, item: tuple) -> None:
    key, question, options, answer = item
    if len({text for text, _ in options}) != len(options):
        raise ValueError(f"MC {question!r}: repeated option")
    if len(options) != 4:
        raise ValueError(f"MC {question!r}: {len(options)} options, want 4")
    for i, (text, formula) in enumerate(options):
        check_no_ask(wins, key, formula)
        got = truth(formula, wins[key])
        if got is not (i == answer):
            raise ValueError(f"MC {question!r} option {i} ({text!r}) is {got}, "
                             f"expected {i == answer}")


def build(wins: dict[str, dict] | None = None,
          seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """Pair rows and MC rows of the set, every gold checked; raises on a bad item."""
    from emo_perception.reasoning.qa_v9_items import MC, PAIRS

    wins = wins if wins is not None else load_windows()
    texts = [p[3] for p in PAIRS] + [p[5] for p in PAIRS]
    if len(set(texts)) != len(texts):
        raise ValueError("a statement occurs twice")
    for item in PAIRS:
        check_pair(wins, item)
    for item in MC:
        check_mc(wins, item)
    rng = random.Random(seed)
    order = list(range(len(PAIRS)))
    rng.shuffle(order)  # so that ``qa-eval --limit N`` takes a mix of windows
    rows = []
    for n, i in enumerate(order):
        key, cat, style, t, _, f, _ = PAIRS[i]
        w = wins[key]
        for kind, text, ans in (("basic", t, "yes"), ("hallucinated", f, "no")):
            rows.append({"pair_id": f"v9p{n:03d}", "type": kind, "question": text,
                         "answer": ans, "category": f"heldout_v9/{cat}",
                         "evidence": w["evidence"], "source": w["source"], "window": key,
                         "written_by": "hand", "style": style})
    mc = []
    for n, (key, question, options, answer) in enumerate(MC):
        shift = rng.randrange(len(options))  # spread the right answer over the positions
        opts = [""] * len(options)
        for i, (text, _) in enumerate(options):
            opts[(i + shift) % len(options)] = text
        w = wins[key]
        mc.append({"id": f"v9mc{n:02d}", "question": question, "options": opts,
                   "answer": (answer + shift) % len(options), "evidence": w["evidence"],
                   "source": w["source"], "window": key, "written_by": "hand"})
    return rows, mc


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def write(out_dir: pathlib.Path = OUT) -> tuple[int, int]:
    rows, mc = build()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / PAIRS_FILE).write_text(jsonl(rows), encoding="utf-8")
    (out_dir / MC_FILE).write_text(jsonl(mc), encoding="utf-8")
    return len(rows) // 2, len(mc)


def write_windows(path: pathlib.Path = WINDOWS_FILE) -> int:
    """Rebuild the windows with the face and voice stages (needs mediapipe, espeak-ng)."""
    from emo_perception.reasoning.qa_v9_windows import build_windows

    wins = build_windows()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(wins, indent=1) + "\n", encoding="utf-8")
    return len(wins)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--windows":
        path = pathlib.Path(argv[1]) if len(argv) > 1 else WINDOWS_FILE
        print(f"wrote {write_windows(path)} windows to {path}")
        return 0
    out = pathlib.Path(argv[0]) if argv else OUT
    n_pairs, n_mc = write(out)
    print(f"wrote {n_pairs} pairs and {n_mc} multiple-choice items to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
