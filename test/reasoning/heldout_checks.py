"""Checks every frozen held-out QA set v6-v9 (issue #16) must pass, shared by their tests:
the frozen files keep their hashes and regenerate byte for byte, the loader sees the
counts and categories the set was written with, every gold comes out of the window
numbers, no item asks what its window rules out, and the truth atoms keep their margins.

Each ``test_qa_heldout_vN.py`` builds a :class:`FrozenSet` for its set and calls these;
the atom checks run against the set's own truth module (vN's extends v(N-1)'s, so a later
set re-checks the earlier atoms through its own ``holds``)."""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import importlib
import json
import pathlib
from types import ModuleType
from typing import Any

import pytest

from emo_perception.reasoning.qa import load_qa


@dataclasses.dataclass(frozen=True)
class FrozenSet:
    version: int
    sha256: dict[str, str]  # file name -> digest, as frozen
    category_counts: dict[str, int]  # basic items per category
    n_pairs: int
    n_mc: int

    @property
    def prefix(self) -> str:
        return f"v{self.version}"

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(f"emo_perception.reasoning.qa_heldout_v{self.version}")

    @property
    def items(self) -> ModuleType:
        return importlib.import_module(f"emo_perception.reasoning.qa_v{self.version}_items")

    @property
    def truth(self) -> ModuleType:
        return importlib.import_module(f"emo_perception.reasoning.qa_v{self.version}_truth")


def _sha(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_hashes(s: FrozenSet) -> None:
    for name, digest in s.sha256.items():
        assert _sha(s.module.OUT / name) == digest, name


def check_regenerates(s: FrozenSet, tmp_path: pathlib.Path) -> None:
    m = s.module
    assert m.write(tmp_path) == (s.n_pairs, s.n_mc)
    for name in (m.PAIRS_FILE, m.MC_FILE):
        assert (tmp_path / name).read_bytes() == (m.OUT / name).read_bytes(), name


def check_loader(s: FrozenSet) -> None:
    qa = load_qa(s.module.OUT)
    assert len(qa.binary) == 2 * s.n_pairs and len(qa.choice) == s.n_mc
    cats = collections.Counter(b.category for b in qa.binary if b.type == "basic")
    assert cats == {f"heldout_{s.prefix}/{c}": n for c, n in s.category_counts.items()}
    assert set(s.category_counts) == set(s.module.CATEGORIES)
    kinds = collections.Counter((b.type, b.answer) for b in qa.binary)
    assert kinds == {("basic", "yes"): s.n_pairs, ("hallucinated", "no"): s.n_pairs}
    ids = [b.pair_id for b in qa.binary]
    assert ids[::2] == ids[1::2] == [f"{s.prefix}p{n:03d}" for n in range(s.n_pairs)]
    assert [c.id for c in qa.choice] == [f"{s.prefix}mc{n:02d}" for n in range(s.n_mc)]
    assert all(len(c.options) == 4 for c in qa.choice)
    spread = collections.Counter(c.answer for c in qa.choice)
    assert set(spread) == {0, 1, 2, 3} and max(spread.values()) <= 4  # answers spread out


def check_golds(s: FrozenSet) -> None:
    m, holds, truth = s.module, s.truth.holds, s.truth.truth
    wins = m.load_windows()
    rows = [json.loads(x) for x in (m.OUT / m.PAIRS_FILE).read_text().splitlines()]
    by_text = {}
    for key, _cat, _style, t, ft, f, ff in s.items.PAIRS:
        assert holds(ft, wins[key]) is True and holds(ff, wins[key]) is False, t
        by_text[t], by_text[f] = (key, ft, "yes"), (key, ff, "no")
    assert len(by_text) == 2 * s.n_pairs
    for r in rows:
        key, formula, answer = by_text[r["question"]]
        assert r["window"] == key and r["answer"] == answer
        assert r["evidence"] == wins[key]["evidence"]
        assert truth(formula, {"evidence": r["evidence"], "meta": wins[key]["meta"]}) \
            is (answer == "yes")
    mc_rows = [json.loads(x) for x in (m.OUT / m.MC_FILE).read_text().splitlines()]
    assert len(mc_rows) == len(s.items.MC)
    for row, (key, question, options, answer) in zip(mc_rows, s.items.MC):
        assert row["question"] == question and row["window"] == key
        assert row["options"][row["answer"]] == options[answer][0]
        assert sorted(row["options"]) == sorted(text for text, _ in options)
        for text, formula in options:
            assert truth(formula, wins[key]) is (text == options[answer][0]), text


def check_no_ask(s: FrozenSet, ruled_out_window: str | None = None) -> None:
    """Every item passes ``check_no_ask``; and the check itself refuses a ruled-out
    feature: in ``ruled_out_window`` of the set where one rules out the speaking rate,
    else (no window of the set rules anything out) in a made-up window."""
    m = s.module
    wins = m.load_windows()
    for key, _cat, _style, _t, ft, _f, ff in s.items.PAIRS:
        m.check_no_ask(wins, key, [ft, ff])
    for key, _question, options, _answer in s.items.MC:
        for _text, formula in options:
            m.check_no_ask(wins, key, formula)
    if ruled_out_window is not None:
        with pytest.raises(ValueError):
            m.check_no_ask(wins, ruled_out_window, ("pros", "speaking_rate_sps", "low"))
        return
    assert not any(w["meta"].get("no_ask") for w in wins.values())
    ruled_out = {"w": {"meta": {"no_ask": {"speaking_rate_sps": "why"}}}}
    with pytest.raises(ValueError):
        m.check_no_ask(ruled_out, "w", ("pros", "speaking_rate_sps", "low"))
    with pytest.raises(ValueError):
        m.check_no_ask(ruled_out, "w", ("gt", ("pros", "speaking_rate_sps"), 3.0, 0.3))


def window(gestures: list[dict[str, Any]], transcript: str = "",
           meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"meta": meta or {}, "evidence": {
        "action_units": {}, "expression": {}, "prosody": {}, "transcript": transcript,
        "duration_s": 10.0, "start": 0.0, "micro_gestures": gestures}}


def gesture(name: str, start: float, end: float, score: float) -> dict[str, Any]:
    return {"name": name, "start": start, "end": end, "score": score}


def check_v6_atoms(s: FrozenSet) -> None:
    holds, Ambiguous = s.truth.holds, s.truth.Ambiguous
    w = window([gesture("Folding arms", 1.0, 7.0, 0.8), gesture("Moving torso", 6.0, 9.0, 0.6),
                gesture("Touching ears", 8.0, 9.0, 0.1)])
    assert holds(("lasts", "Folding arms", 6.0, 1.0), w) is True
    assert holds(("lasts", "Folding arms", 2.0, 1.0), w) is False
    with pytest.raises(Ambiguous):
        holds(("lasts", "Folding arms", 4.5, 1.0), w)
    assert holds(("lasts", "Touching ears", 1.0, 0.5), w) is False  # below 0.3: absent
    assert holds(("overlap", "Folding arms", "Moving torso", 0.3), w) is True
    with pytest.raises(Ambiguous):
        holds(("overlap", "Folding arms", "Moving torso", 1.5), w)
    assert holds(("overlap", "Folding arms", "Touching ears", 0.3), w) is False
    assert holds(("ngest", 2), w) is True


def check_gesture_presence(s: FrozenSet) -> None:
    holds, truth, Ambiguous = s.truth.holds, s.truth.truth, s.truth.Ambiguous

    def win(score):
        return window([gesture("Touching ears", 8.0, 9.0, score)])
    for score in (0.25, 0.28, 0.33, 0.35):
        for formula in (("gest", "Touching ears", "any"), ("ngest", 1), ("has", "body"),
                        ("starts", "Touching ears", 8.0, 0.5)):
            with pytest.raises(Ambiguous):
                holds(formula, win(score))
    assert holds(("gest", "Touching ears", "close"), win(0.6)) is True
    assert holds(("gest", "Touching ears", "any"), win(0.15)) is False
    assert holds(("has", "body"), win(0.15)) is False
    assert truth(("gest", "Biting nails", "any"), win(0.3)) is False  # another gesture


def check_v7_atoms(s: FrozenSet) -> None:
    holds, Ambiguous = s.truth.holds, s.truth.Ambiguous

    def win(score=0.8, transcript="", acts=()):
        return window([gesture("Arms akimbo", 0.0, 2.0, 0.8),
                       gesture("Touching jaw", 3.0, 4.0, score)],
                      transcript, {"acts": list(acts)})
    assert holds(("gap", "Arms akimbo", "Touching jaw", 1.0, 0.5), win()) is True
    assert holds(("gap", "Arms akimbo", "Touching jaw", 4.0, 0.5), win()) is False
    with pytest.raises(Ambiguous):
        holds(("gap", "Arms akimbo", "Touching jaw", 1.75, 0.5), win())
    assert holds(("gap", "Touching jaw", "Arms akimbo", 1.0, 0.5), win()) is False
    assert holds(("gap", "Arms akimbo", "Touching jaw", 1.0, 0.5), win(0.1)) is False
    with pytest.raises(Ambiguous):
        holds(("gap", "Arms akimbo", "Touching jaw", 1.0, 0.5), win(0.32))
    assert holds(("nacts", 2), win(transcript="Hi. Stop.", acts=("greeting", "command")))
    assert holds(("nacts", 0), win(acts=("greeting",))) is True  # no speech: no acts
    assert holds(("nacts", 1), win(transcript="Hi.", acts=("greeting",))) is True


def check_v8_atoms(s: FrozenSet) -> None:
    holds, truth, Ambiguous = s.truth.holds, s.truth.truth, s.truth.Ambiguous

    def win(score=0.8, transcript=""):
        return window([gesture("Arms akimbo", 2.0, 4.0, score),
                       gesture("Arms akimbo", 3.0, 6.0, score),
                       gesture("Touching jaw", 9.0, 12.0, 0.8)], transcript)
    assert holds(("frac_at", "Arms akimbo", 0.2, 0.05), win()) is True
    assert holds(("frac_at", "Arms akimbo", 0.3, 0.05), win()) is True  # second span
    assert holds(("frac_at", "Arms akimbo", 0.6, 0.05), win()) is False
    with pytest.raises(Ambiguous):
        holds(("frac_at", "Arms akimbo", 0.37, 0.05), win())
    assert holds(("frac_at", "Folding arms", 0.2, 0.05), win()) is False
    assert holds(("frac_at", "Arms akimbo", 0.2, 0.05), win(0.1)) is False
    with pytest.raises(Ambiguous):
        holds(("frac_at", "Arms akimbo", 0.2, 0.05), win(0.32))
    assert holds(("share", "Arms akimbo", 0.4, 0.05), win()) is True  # union: 2-6 s
    assert holds(("share", "Arms akimbo", 0.6, 0.05), win()) is False
    with pytest.raises(Ambiguous):
        holds(("share", "Arms akimbo", 0.47, 0.05), win())
    assert holds(("share", "Touching jaw", 0.1, 0.05), win()) is True  # clipped at 10 s
    assert holds(("share", "Folding arms", 0.0, 0.05), win()) is True
    with pytest.raises(Ambiguous):
        holds(("share", "Arms akimbo", 0.4, 0.05), win(0.25))
    assert holds(("nwords", 4, 1), win(transcript="One two three four.")) is True
    assert holds(("nwords", 8, 1), win(transcript="One two three four.")) is False
    with pytest.raises(Ambiguous):
        holds(("nwords", 5.5, 1), win(transcript="One two three four."))
    assert holds(("nwords", 0, 0.5), win()) is True
    assert truth(("nwords", 0, 0.5), win(transcript="Hi.")) is False  # 1 word: 2 tol away
    assert truth(("nwords", 0, 0.6), win(transcript="Hi.")) is None  # 1 word: ambiguous
    assert holds(("not", ("share", "Arms akimbo", 0.6, 0.05)), win()) is True
    assert holds([("frac_at", "Arms akimbo", 0.2, 0.05), ("ngest", 3)], win()) is True


def check_windows_are_new(s: FrozenSet) -> None:
    """No window of the set reuses a face image of an earlier set's windows (v3 on)."""
    m = s.module
    earlier = set()
    for path in m.DATA.glob(f"heldout_v[3-{s.version - 1}]/windows.json"):
        earlier |= {w["source"].split(" -> ")[0] for w in
                    json.loads(path.read_text(encoding="utf-8")).values()}
    for key, w in m.load_windows().items():
        assert w["source"].split(" -> ")[0] not in earlier, key
