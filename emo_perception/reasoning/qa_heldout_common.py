"""What the hand-written held-out QA sets v6-v9 share: checking every item's gold against
its window, building the JSONL rows and writing them.

Each set's module (``qa_heldout_vN``) names its seed, categories, styles, truth formula
and item / window modules in a :class:`HeldoutSet`; the rows written stay byte for byte
what the frozen files hold (``test/reasoning/test_qa_heldout_vN.py``).
"""

from __future__ import annotations

import importlib
import json
import pathlib
import random
from dataclasses import dataclass
from typing import Any, Callable

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def asked_features(formula) -> set[str]:
    """Prosody features a formula asks about."""
    if isinstance(formula, list):
        return set().union(*[asked_features(f) for f in formula]) if formula else set()
    if formula[0] == "pros":
        return {formula[1]}
    if formula[0] in ("not", "or"):
        return asked_features(list(formula[1:]))
    if formula[0] in ("approx", "gt") and formula[1][0] == "pros":
        return {formula[1][1]}
    return set()


@dataclass(frozen=True)
class HeldoutSet:
    version: int  # N of heldout_vN: ids "vNp000", "vNmc00", categories "heldout_vN/..."
    seed: int
    categories: tuple[str, ...]
    styles: tuple[str, ...]
    truth: Callable[[Any, dict], Any]
    items_module: str  # PAIRS and MC
    windows_module: str  # build_windows()

    @property
    def name(self) -> str:
        return f"heldout_v{self.version}"

    @property
    def out(self) -> pathlib.Path:
        return DATA / self.name

    @property
    def windows_file(self) -> pathlib.Path:
        return self.out / "windows.json"

    @property
    def pairs_file(self) -> str:
        return f"{self.name}_pairs.jsonl"

    @property
    def mc_file(self) -> str:
        return f"{self.name}_mc.jsonl"

    def load_windows(self, path: pathlib.Path | None = None) -> dict[str, dict]:
        return json.loads((path or self.windows_file).read_text(encoding="utf-8"))

    def check_no_ask(self, wins: dict, key: str, formula) -> None:
        banned = set(wins[key]["meta"].get("no_ask", {})) & asked_features(formula)
        if banned:
            raise ValueError(f"{key}: {formula!r} asks about {sorted(banned)} (no_ask)")

    def check_pair(self, wins: dict, item: tuple) -> None:
        key, cat, style, t, ft, f, ff = item
        if cat not in self.categories or style not in self.styles or t == f:
            raise ValueError(f"bad category, style or texts: {item!r}")
        self.check_no_ask(wins, key, [ft, ff])
        gt, gf = self.truth(ft, wins[key]), self.truth(ff, wins[key])
        if gt is not True or gf is not False:
            raise ValueError(f"{key} {cat}: {t!r} is {gt} (want True), {f!r} is {gf} "
                             f"(want False)")

    def check_mc(self, wins: dict, item: tuple) -> None:
        key, question, options, answer = item
        if len({text for text, _ in options}) != len(options):
            raise ValueError(f"MC {question!r}: repeated option")
        if len(options) != 4:
            raise ValueError(f"MC {question!r}: {len(options)} options, want 4")
        for i, (text, formula) in enumerate(options):
            self.check_no_ask(wins, key, formula)
            got = self.truth(formula, wins[key])
            if got is not (i == answer):
                raise ValueError(f"MC {question!r} option {i} ({text!r}) is {got}, "
                                 f"expected {i == answer}")

    def build(self, wins: dict[str, dict] | None = None,
              seed: int | None = None) -> tuple[list[dict], list[dict]]:
        """Pair rows and MC rows of the set, every gold checked; raises on a bad item."""
        items = importlib.import_module(self.items_module)
        pairs, choices = items.PAIRS, items.MC
        wins = wins if wins is not None else self.load_windows()
        texts = [p[3] for p in pairs] + [p[5] for p in pairs]
        if len(set(texts)) != len(texts):
            raise ValueError("a statement occurs twice")
        for item in pairs:
            self.check_pair(wins, item)
        for item in choices:
            self.check_mc(wins, item)
        rng = random.Random(self.seed if seed is None else seed)
        order = list(range(len(pairs)))
        rng.shuffle(order)  # so that ``qa-eval --limit N`` takes a mix of windows
        v = self.version
        rows = []
        for n, i in enumerate(order):
            key, cat, style, t, _, f, _ = pairs[i]
            w = wins[key]
            for kind, text, ans in (("basic", t, "yes"), ("hallucinated", f, "no")):
                rows.append({"pair_id": f"v{v}p{n:03d}", "type": kind, "question": text,
                             "answer": ans, "category": f"{self.name}/{cat}",
                             "evidence": w["evidence"], "source": w["source"], "window": key,
                             "written_by": "hand", "style": style})
        mc = []
        for n, (key, question, options, answer) in enumerate(choices):
            shift = rng.randrange(len(options))  # spread the right answer over the positions
            opts = [""] * len(options)
            for i, (text, _) in enumerate(options):
                opts[(i + shift) % len(options)] = text
            w = wins[key]
            mc.append({"id": f"v{v}mc{n:02d}", "question": question, "options": opts,
                       "answer": (answer + shift) % len(options), "evidence": w["evidence"],
                       "source": w["source"], "window": key, "written_by": "hand"})
        return rows, mc

    def write(self, out_dir: pathlib.Path | None = None) -> tuple[int, int]:
        out_dir = out_dir or self.out
        rows, mc = self.build()
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / self.pairs_file).write_text(jsonl(rows), encoding="utf-8")
        (out_dir / self.mc_file).write_text(jsonl(mc), encoding="utf-8")
        return len(rows) // 2, len(mc)

    def write_windows(self, path: pathlib.Path | None = None) -> int:
        """Rebuild the windows with the face and voice stages (needs mediapipe, espeak-ng)."""
        path = path or self.windows_file
        wins = importlib.import_module(self.windows_module).build_windows()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(wins, indent=1) + "\n", encoding="utf-8")
        return len(wins)

    def main(self, argv: list[str]) -> int:
        if argv and argv[0] == "--windows":
            path = pathlib.Path(argv[1]) if len(argv) > 1 else self.windows_file
            print(f"wrote {self.write_windows(path)} windows to {path}")
            return 0
        out = pathlib.Path(argv[0]) if argv else self.out
        n_pairs, n_mc = self.write(out)
        print(f"wrote {n_pairs} pairs and {n_mc} multiple-choice items to {out}")
        return 0
