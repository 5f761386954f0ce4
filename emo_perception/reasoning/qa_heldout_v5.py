"""Fifth held-out evidence QA set (``data/qa/heldout_v5/``), frozen before evaluation.

Issue #16 needs a set that judges the claim reader after its tuning on ``heldout_v4``.
Written by a fifth engineer, who did not read the reader (``claims.py``, ``claim_vocab.py``,
``guard.py``, ``knowledge.py``), ran no reasoner on any draft and read no item of the
earlier sets (only the file format). Fifth method: statements in the registers an HRI
application produces around a clip, not questions and not rationales: logged / spoken
robot notes, second-person and reported speech, numeric and list-style claims (values,
counts, times in seconds), contrastive and concessive forms, and domain jargon (FACS
names, valence / arousal, pragmatics terms, British and American variants); see
``qa_v5_items``.

New evidence windows (``qa_v5_windows``: LFW crops and Megamind frames not used before,
seven new espeak-ng sentences with the author's annotation in ``meta``, constructed
gesture spans). Gold answers come from the numbers, not from a reasoner: each statement
carries a ``qa_v5_truth`` formula (the bands and no-ask margins of ``qa_v3_truth`` plus
count / value / time-in-seconds atoms with their own margins), and the build stops on an
item whose gold is not as written or is ambiguous. ``random.Random(SEED)`` only fixes the
order of the pairs and the position of each MC item's right answer.

    python -m emo_perception.reasoning.qa_heldout_v5 [OUT_DIR]
    python -m emo_perception.reasoning.qa_heldout_v5 --windows [FILE]   # rebuild windows
"""

from __future__ import annotations

import json
import pathlib
import random
import sys

from emo_perception.reasoning.qa_v5_truth import truth

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"
OUT = DATA / "heldout_v5"
WINDOWS_FILE = OUT / "windows.json"
SEED = 5209
PAIRS_FILE = "heldout_v5_pairs.jsonl"
MC_FILE = "heldout_v5_mc.jsonl"
CATEGORIES = ("emotion", "intensity", "action_unit", "gesture", "time", "modality",
              "prosody", "transcript", "speech_act", "negation", "compound", "comparison")
STYLES = ("log", "reported", "numeric", "contrast", "jargon")


def load_windows(path: pathlib.Path = WINDOWS_FILE) -> dict[str, dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def check_pair(wins: dict, item: tuple) -> None:
    key, cat, style, t, ft, f, ff = item
    if cat not in CATEGORIES or style not in STYLES or t == f:
        raise ValueError(f"bad category, style or texts: {item!r}")
    gt, gf = truth(ft, wins[key]), truth(ff, wins[key])
    if gt is not True or gf is not False:
        raise ValueError(f"{key} {cat}: {t!r} is {gt} (want True), {f!r} is {gf} "
                         f"(want False)")


def check_mc(wins: dict, item: tuple) -> None:
    key, question, options, answer = item
    if len({text for text, _ in options}) != len(options):
        raise ValueError(f"MC {question!r}: repeated option")
    for i, (text, formula) in enumerate(options):
        got = truth(formula, wins[key])
        if got is not (i == answer):
            raise ValueError(f"MC {question!r} option {i} ({text!r}) is {got}, "
                             f"expected {i == answer}")


def build(wins: dict[str, dict] | None = None,
          seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """Pair rows and MC rows of the set, every gold checked; raises on a bad item."""
    from emo_perception.reasoning.qa_v5_items import MC, PAIRS

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
            rows.append({"pair_id": f"v5p{n:03d}", "type": kind, "question": text,
                         "answer": ans, "category": f"heldout_v5/{cat}",
                         "evidence": w["evidence"], "source": w["source"], "window": key,
                         "written_by": "hand", "style": style})
    mc = []
    for n, (key, question, options, answer) in enumerate(MC):
        shift = rng.randrange(len(options))  # spread the right answer over the positions
        opts = [""] * len(options)
        for i, (text, _) in enumerate(options):
            opts[(i + shift) % len(options)] = text
        w = wins[key]
        mc.append({"id": f"v5mc{n:02d}", "question": question, "options": opts,
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
    from emo_perception.reasoning.qa_v5_windows import build_windows

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
