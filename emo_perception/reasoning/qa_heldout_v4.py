"""Fourth held-out evidence QA set (``data/qa/heldout_v4/``), frozen before evaluation.

Issue #16 needs a set that judges the claim reader after it was tuned on ``heldout_v3``.
This one is written by a fourth method, by an engineer who did not read the reader
(``claims.py``, ``claim_vocab.py``, ``guard.py``, ``knowledge.py``) and ran no reasoner on
any draft: no templates and no paraphrase rules. Every pair and multiple-choice item is
hand-written for one window (``qa_v4_items``), in one of two styles, the casual question
of an HRI developer ("Did they look caught off guard?") or the multi-clause rationale a
language model writes ("Since the cheeks lift and the lip corners pull up, this reads as a
genuine smile"), with new wording (not the word lists or frames of ``qa_v3_lexicon``,
``qa_v3_hand``, ``plain/`` or ``heldout_plain/``).

Gold answers come from the evidence numbers, not from a reasoner: each statement carries a
formula of ``qa_v3_truth`` (the thresholds of docs/reasoning.md with a no-ask margin, and
the transcript annotations in ``meta``); the build stops on an item whose gold is not as
written or is ambiguous. The windows are those of ``heldout_v3`` (real pipeline output,
copied to ``heldout_v4/windows.json``). ``random.Random(SEED)`` only fixes the order of
the pairs and the position of each MC item's right answer.

    python -m emo_perception.reasoning.qa_heldout_v4 [OUT_DIR]
"""

from __future__ import annotations

import json
import pathlib
import random
import sys

from emo_perception.reasoning.qa_v3_truth import truth

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"
OUT = DATA / "heldout_v4"
WINDOWS_FILE = OUT / "windows.json"
SEED = 4163
PAIRS_FILE = "heldout_v4_pairs.jsonl"
MC_FILE = "heldout_v4_mc.jsonl"
CATEGORIES = ("emotion", "intensity", "action_unit", "gesture", "time", "modality",
              "prosody", "transcript", "speech_act", "negation", "compound", "comparison")


def load_windows(path: pathlib.Path = WINDOWS_FILE) -> dict[str, dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def check_pair(wins: dict, item: tuple) -> None:
    key, cat, style, t, ft, f, ff = item
    if cat not in CATEGORIES or style not in ("question", "rationale"):
        raise ValueError(f"bad category or style: {item!r}")
    gt, gf = truth(ft, wins[key]), truth(ff, wins[key])
    if gt is not True or gf is not False:
        raise ValueError(f"{key} {cat}: {t!r} is {gt} (want True), {f!r} is {gf} "
                         f"(want False)")


def check_mc(wins: dict, item: tuple) -> None:
    key, question, options, answer = item
    for i, (text, formula) in enumerate(options):
        got = truth(formula, wins[key])
        if got is not (i == answer):
            raise ValueError(f"MC {question!r} option {i} ({text!r}) is {got}, "
                             f"expected {i == answer}")


def build(wins: dict[str, dict] | None = None,
          seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """Pair rows and MC rows of the set, every gold checked; raises on a bad item."""
    from emo_perception.reasoning.qa_v4_items import MC, PAIRS

    wins = wins if wins is not None else load_windows()
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
            rows.append({"pair_id": f"v4p{n:03d}", "type": kind, "question": text,
                         "answer": ans, "category": f"heldout_v4/{cat}",
                         "evidence": w["evidence"], "source": w["source"], "window": key,
                         "written_by": "hand", "style": style})
    mc = []
    for n, (key, question, options, answer) in enumerate(MC):
        shift = rng.randrange(len(options))  # spread the right answer over the positions
        texts = [""] * len(options)
        for i, (text, _) in enumerate(options):
            texts[(i + shift) % len(options)] = text
        w = wins[key]
        mc.append({"id": f"v4mc{n:02d}", "question": question, "options": texts,
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


def main(argv: list[str]) -> int:
    out = pathlib.Path(argv[0]) if argv else OUT
    n_pairs, n_mc = write(out)
    print(f"wrote {n_pairs} pairs and {n_mc} multiple-choice items to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
