"""Third held-out evidence QA set (``data/qa/heldout_v3/``), frozen before evaluation.

Issue #16 asks for a set that cannot be tuned to: wording deliberately unlike the fact
base and the sets before it (``plain/``, ``heldout_plain/``), written by a third method
by an engineer who did not write or read the claim reader:

1. Templates: atomic claims ("clauses") per category drawn from new synonym lists, each
   with a formula over the evidence (``qa_v3_truth``); paraphrase rules (question or
   statement frame, fronted or trailing time phrase, passive or active face wording,
   hedges, compounds) are picked by ``random.Random(SEED)``. The lie of a pair is the same
   frame with one claim swapped for one the window contradicts or does not support. A
   candidate whose gold is ambiguous (a value near a band edge) is dropped.
2. Hand-written pairs and multiple-choice items (``qa_v3_hand``), each with formulas that
   are checked the same way; a hand item whose gold does not come out as written stops
   the build.

Evidence windows are real output of our own stages (``windows.json``, rebuilt with
``--windows``): mediapipe face mesh -> geometric AUs -> EMFACS expression on photos from
scikit-image / matplotlib and frames of Megamind.avi, the voice stage's prosody on
espeak-ng speech (some scaled in level before analysis, said in ``source``); micro-gesture
spans are constructed (no clip here has them) and ``source`` says so.

    python -m emo_perception.reasoning.qa_heldout_v3 [OUT_DIR]      # the JSONL files
    python -m emo_perception.reasoning.qa_heldout_v3 --windows [FILE]  # rerun the stages
"""

from __future__ import annotations

import json
import pathlib
import random
import sys

from emo_perception.reasoning.qa_v3_lexicon import (
    EMO_ADJ, EMO_NOUN, DEGREE_ADJ, DEGREE_ADV, SUBJECTS, AU_CODE_FORMS, AU_NAMES, AU_EVERYDAY,
    GESTURES, TIME_WORDS, PROSODY_WORDS, TONE_WORDS, ACT_WORDS, MODALITY_WORDS,
    MODALITY_FRAMES, MODALITY_VIEW, CLAUSE_FRAMES, HEDGES, FALSE_TOPICS, TOPICS, NEGATORS,
    TIME_MODES, OPPOSITE_TONE, OPPOSITE_EMO,
)
from emo_perception.reasoning.qa_v3_truth import truth

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"
OUT = DATA / "heldout_v3"
WINDOWS_FILE = OUT / "windows.json"
SEED = 3016
PAIRS_FILE = "heldout_v3_pairs.jsonl"
MC_FILE = "heldout_v3_mc.jsonl"


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


class Writer:
    """Draws clauses and frames with one seeded RNG; the order of draws is the recipe."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)

    def pick(self, seq):
        return self.rng.choice(list(seq))

    def subject(self) -> tuple[str, str]:
        return self.pick(SUBJECTS)

    def frame(self, clause: str, rules: list[str]) -> str:
        i = self.rng.randrange(len(CLAUSE_FRAMES))
        if clause.startswith("it is not the case") and "that {c}" in CLAUSE_FRAMES[i]:
            i = 0  # "Is it the case that it is not the case that ..." reads as a riddle
        rules.append(f"frame{i}")
        hedge = ""
        if i == 0 and self.rng.random() < 0.3:
            hedge = self.pick(HEDGES)
            if hedge:
                rules.append("hedge")
        c = hedge + clause
        return CLAUSE_FRAMES[i].format(c=c, C=_cap(c))

    # -- clause makers: (clause, formula) ---------------------------------------------------
    def emotion_clause(self, label: str, s: tuple[str, str], strong_ok: bool,
                       rules: list[str]) -> tuple[str, object]:
        form = self.rng.randrange(3)
        words = [a for a, k in EMO_ADJ[label] if k is None or strong_ok]
        adj = self.pick(words)
        rules.append(f"emotion{form}")
        level = "main"
        article = "an" if adj[0] in "aeiou" else "a"
        clause = [f"{s[0]} looked {adj}", f"{s[1]} face read as {adj}",
                  f"{s[0]} wore {article} {adj} expression"][form]
        if " " in adj and form:
            clause = f"{s[0]} appeared {adj}"  # "read as in good spirits" is not English
        formula = [("expr", label, level)]
        if dict(EMO_ADJ[label])[adj] == "strong":
            formula.append(("expr", label, "strong"))
        return clause, formula

    def intensity_clause(self, label: str, level: str, s: tuple[str, str],
                         rules: list[str]) -> tuple[str, object]:
        if self.rng.random() < 0.5 or not [a for a, k in EMO_ADJ[label] if k is None]:
            rules.append("degree-noun")
            noun = self.pick(EMO_NOUN[label])
            return (f"{s[1]} face showed {self.pick(DEGREE_ADJ[level])} {noun}",
                    [("expr", label, level)])
        rules.append("degree-adverb")
        adj = self.pick([a for a, k in EMO_ADJ[label] if k is None and " " not in a])
        return (f"{s[0]} looked {self.pick(DEGREE_ADV[level])} {adj}",
                [("expr", label, level)])

    def au_clause(self, code: int, rules: list[str]) -> tuple[str, object]:
        style = self.rng.randrange(3) if code in AU_EVERYDAY else self.rng.randrange(2)
        rules.append(["au-code", "au-facs-name", "au-everyday"][style])
        if style == 0:
            ref = self.pick(AU_CODE_FORMS).format(c=code)
            clause = self.pick([f"{ref} was active", f"the face showed {ref}",
                                f"{ref} registered on the face"])
        elif style == 1:
            name = AU_NAMES[code]
            clause = self.pick([f"the {name} was engaged",
                                f"the face showed {name} (AU{code})",
                                f"{name} action was present"])
        else:
            clause = self.pick(AU_EVERYDAY[code])
        return clause, [("au", (code,))]

    def gesture_clause(self, name: str, s: tuple[str, str], when, dur: float,
                       rules: list[str]) -> tuple[str, object]:
        base, past = self.pick(GESTURES[name])
        if when is None:
            return f"{s[0]} {past}", [("gest", name, "any")]
        key = when if isinstance(when, str) else when[0]
        phrase = self.pick(TIME_WORDS[key])
        if not isinstance(when, str):
            phrase = phrase.format(t=when[1])
        if self.rng.random() < 0.5:
            rules.append("time-fronted")
            return f"{phrase}, {s[0]} {past}", [("gest", name, when)]
        rules.append("time-trailing")
        return f"{s[0]} {past} {phrase}", [("gest", name, when)]

    def prosody_clause(self, feat: str, level: str, s: tuple[str, str],
                       rules: list[str]) -> tuple[str, object]:
        rules.append(f"prosody-{feat}")
        text = self.pick(PROSODY_WORDS[(feat, level)]).format(s=s[0], p=s[1])
        return text, [("pros", feat, level)]


def load_windows(path: pathlib.Path = WINDOWS_FILE) -> dict[str, dict]:
    return json.loads(path.read_text(encoding="utf-8"))


class Pairs:
    """Collects (window, category, true text, false text, formulas, rules, how)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.dropped: list[str] = []

    def add(self, wins: dict, key: str, cat: str, t: str, ft, f: str, ff, rules,
            how: str = "template") -> bool:
        w = wins[key]
        gt, gf = truth(ft, w), truth(ff, w)
        if gt is not True or gf is not False:
            self.dropped.append(f"{key} {cat}: {t!r}={gt} / {f!r}={gf}")
            return False
        self.rows.append({"window": key, "category": cat, "true": t, "false": f,
                          "true_formula": ft, "false_formula": ff, "rules": list(rules),
                          "how": how})
        return True


def _same(writer: Writer, make):
    """Run ``make(truth_side)`` twice with the same RNG state, so that both statements of
    a pair share every structural choice (frame, form, subject) and differ in one claim."""
    st = writer.rng.getstate()
    a = make(True)
    after = writer.rng.getstate()
    writer.rng.setstate(st)
    b = make(False)
    writer.rng.setstate(after)
    return a, b


def _present(ev: dict) -> list[dict]:
    return [g for g in ev["micro_gestures"] if g["score"] >= 0.3]


def template_pairs(wins: dict[str, dict], writer: Writer) -> Pairs:
    out = Pairs()
    rng = writer.rng
    for key, w in wins.items():
        ev, meta = w["evidence"], w["meta"]
        speech = meta.get("speech")
        expr = ev["expression"]
        s = writer.subject()
        top = max(expr, key=expr.get) if expr else None
        lows = sorted(k for k, v in expr.items() if v < 0.1 and k != "neutral" and k != top)
        present = _present(ev)
        names = [g["name"] for g in present]
        absent = [n for n in GESTURES if n not in names]
        clauses: dict[str, list[tuple]] = {}  # category -> [(true clause, formula, lie)]

        def keep(cat, pair):
            (ct, ft), (cf, ff) = pair
            clauses.setdefault(cat, []).append(((ct, ft), (cf, ff)))

        # emotion on the face
        if top and expr[top] >= 0.5:
            lie = rng.choice(lows)
            strong = expr[top] >= 0.74
            r: list[str] = []
            keep("emotion", _same(writer, lambda side: writer.emotion_clause(
                top if side else lie, s, strong if side else True, r)))
            # intensity of the main emotion, lie = a band it is not in
            if top != "neutral":
                level = next((b for b in ("weak", "moderate", "strong")
                              if truth(("expr", top, b), w) is True), None)
                if level:
                    other = {"weak": "strong", "moderate": rng.choice(["weak", "strong"]),
                             "strong": "weak"}[level]
                    keep("intensity", _same(writer, lambda side: writer.intensity_clause(
                        top, level if side else other, s, r)))
            # a weaker second emotion, claimed faint (true) or intense (false)
            second = sorted((v, k) for k, v in expr.items() if k not in (top, "neutral"))
            if second and truth(("expr", second[-1][1], "weak"), w) is True:
                lab = second[-1][1]
                keep("intensity", _same(writer, lambda side: writer.intensity_clause(
                    lab, "weak" if side else "strong", s, r)))
        # action units: one or two present, each against an absent one
        if ev["action_units"]:
            on = [c for c in AU_NAMES if truth(("au", (c,)), w) is True]
            off = [c for c in AU_NAMES if truth(("au", (c,)), w) is False]
            rng.shuffle(on)
            for c in on[:1]:
                lie_c = rng.choice(off)
                r = []
                keep("action_unit", _same(writer, lambda side: writer.au_clause(
                    c if side else lie_c, r)))
        # gestures, then their timing
        for g in present[:1]:
            lie_g = rng.choice(absent)
            keep("gesture", _same(writer, lambda side: writer.gesture_clause(
                g["name"] if side else lie_g, s, None, ev["duration_s"], [])))
        for g in present:
            timed = [("after", t) for t in range(2, int(ev["duration_s"]))] + \
                [("before", t) for t in range(2, int(ev["duration_s"]))]
            yes = [m for m in TIME_MODES if truth(("gest", g["name"], m), w) is True] or \
                [m for m in timed if truth(("gest", g["name"], m), w) is True]
            no = [m for m in TIME_MODES + timed if truth(("gest", g["name"], m), w) is False]
            if yes and no:
                my, mn = rng.choice(yes), rng.choice(no)
                keep("time", _same(writer, lambda side: writer.gesture_clause(
                    g["name"], s, my if side else mn, ev["duration_s"], [])))
        # prosody: the measured level against its opposite
        feats = ["energy_db", "speaking_rate_sps", "f0_range_st", "arousal"]
        rng.shuffle(feats)
        n_prosody = 0
        for feat in feats:
            if feat in meta.get("no_ask", {}):
                continue
            level = next((lv for lv in ("high", "low", "normal")
                          if (feat, lv) in PROSODY_WORDS
                          and truth(("pros", feat, lv), w) is True), None)
            if level and n_prosody < 2:
                n_prosody += 1
                other = {"high": "low", "low": "high",
                         "normal": rng.choice(["high", "low"])}[level]
                keep("prosody", _same(writer, lambda side: writer.prosody_clause(
                    feat, level if side else other, s, [])))
        # transcript: tone, the emotion the words express, content
        if ev["transcript"]:
            tone = meta["tone"]
            lie_tone = OPPOSITE_TONE.get(tone) or rng.choice(["positive", "negative"])
            keep("transcript", _same(writer, lambda side: (
                f"{s[1]} words {rng.choice(TONE_WORDS[tone if side else lie_tone])}",
                [("tone", tone if side else lie_tone)])))
            for emo in meta["emotions"][:1]:
                lie_e = OPPOSITE_EMO[emo]
                keep("transcript", _same(writer, lambda side: (
                    rng.choice(["the utterance expressed {n}", "what {s} said voiced {n}",
                                "the spoken sentence carried {n}"]).format(
                        s=s[0], n=rng.choice(EMO_NOUN.get(emo if side else lie_e,
                                                          [emo if side else lie_e]))),
                    [("temo", emo if side else lie_e)])))
            for topic, kw in TOPICS[speech][:1]:
                lie_t = rng.choice([t for t in FALSE_TOPICS
                                    if truth(("says", t[1]), w) is False])
                keep("transcript", _same(writer, lambda side: (
                    rng.choice(["the speech referred to {t}", "{s} spoke of {t}",
                                "there was a reference to {t} in the speech"]).format(
                        s=s[0], t=topic if side else lie_t[0]),
                    [("says", kw if side else lie_t[1])])))
            acts = meta["acts"]
            if acts:
                act = rng.choice(acts)
                lie_a = rng.choice(sorted(a for a in ACT_WORDS if a not in acts))
                keep("speech_act", _same(writer, lambda side: (
                    f"{s[0]} {rng.choice(ACT_WORDS[act if side else lie_a])}",
                    [("act", act if side else lie_a)])))
        # modality: what the window holds, and which channel carries an emotion
        have = [m for m in ("face", "voice", "words", "body") if truth(("has", m), w)]
        lack = [m for m in ("face", "voice", "words", "body") if m not in have]
        if have and lack:
            m_t, m_f = rng.choice(have), rng.choice(lack)
            keep("modality", _same(writer, lambda side: (
                rng.choice(MODALITY_FRAMES).format(
                    n=rng.choice(MODALITY_WORDS[m_t if side else m_f])),
                [("has", m_t if side else m_f)])))
        if top and expr[top] >= 0.5 and ev["transcript"] and meta["tone"] != "neutral" \
                and top not in meta["emotions"]:
            adj = rng.choice([a for a, k in EMO_ADJ[top] if k is None])
            keep("modality", _same(writer, lambda side: (
                f"{rng.choice(MODALITY_VIEW['face' if side else 'words'])}, {s[0]} "
                f"seemed {adj}",
                [("expr", top, "main")] if side else [("temo", top)])))
        # negation: a gesture that did not happen (true) vs one that did (false)
        if present:
            g = rng.choice(present)["name"]
            lie_g = rng.choice(absent)
            form = rng.choice(NEGATORS)

            def neg(side, form=form, g=g, lie_g=lie_g):
                base, past = rng.choice(GESTURES[lie_g if side else g])
                return (form.format(s=s[0], base=base, past=past),
                        [("not", ("gest", lie_g if side else g, "any"))])
            keep("negation", _same(writer, neg))
        elif ev["action_units"]:
            off = [c for c in AU_NAMES if truth(("au", (c,)), w) is False]
            on = [c for c in AU_NAMES if truth(("au", (c,)), w) is True]
            if off and on:
                c_off, c_on = rng.choice(off), rng.choice(on)
                keep("negation", _same(writer, lambda side: (
                    f"no {AU_NAMES[c_off if side else c_on]} activity was recorded",
                    [("not", ("au", (c_off if side else c_on,)))])))
        # emit single-claim pairs, then compounds of two categories
        for cat in sorted(clauses):
            for (ct, ft), (cf, ff) in clauses[cat]:
                r = [cat]
                st = rng.getstate()
                t = writer.frame(ct, r)
                rng.setstate(st)
                f = writer.frame(cf, [])
                out.add(wins, key, cat, t, ft, f, ff, r)
        cats = sorted(c for c in clauses if c not in ("modality",))
        # no compound of two claims about the same thing (a smile twice, a gesture and
        # its denial): the lie would contradict itself rather than the evidence
        combos = [(a, b) for i, a in enumerate(cats) for b in cats[i + 1:]
                  if not {a, b} & {"gesture", "time", "negation"} or
                  len({a, b} & {"gesture", "time", "negation"}) == 1]
        combos = [c for c in combos if set(c) != {"emotion", "intensity"}]
        if combos:
            a, b = rng.choice(combos)
            (at, aft), (af, aff) = rng.choice(clauses[a])
            (bt, bft), (bf, bff) = rng.choice(clauses[b])
            j = rng.randrange(3)
            join = ["{a}, and {b}", "{a}; also, {b}", "{a}, but {b}"][j]
            swap = rng.randrange(2)
            lie = (af, aff, bt, bft) if swap == 0 else (at, aft, bf, bff)
            r = ["compound", a, b, f"join{j}"]
            st = rng.getstate()
            t = writer.frame(join.format(a=at, b=bt), r)
            rng.setstate(st)
            f = writer.frame(join.format(a=lie[0], b=lie[2]), [])
            out.add(wins, key, "compound", t, aft + bft, f, lie[1] + lie[3], r)
    return out


def _check_mc(wins: dict, item: tuple) -> None:
    key, question, options, answer = item
    for i, (_, formula) in enumerate(options):
        got = truth(formula, wins[key])
        if got is not (i == answer):
            raise ValueError(f"MC {question!r} option {i} ({options[i][0]!r}) is {got}, "
                             f"expected {i == answer}")


def build(wins: dict[str, dict] | None = None,
          seed: int = SEED) -> tuple[list[dict], list[dict], Pairs]:
    """Pair rows and MC rows of the set (golds checked); raises on a bad hand item."""
    from emo_perception.reasoning.qa_v3_hand import HAND, MC

    wins = wins if wins is not None else load_windows()
    pairs = template_pairs(wins, Writer(seed))
    for key, cat, t, ft, f, ff in HAND:
        if not pairs.add(wins, key, cat, t, ft, f, ff, ["hand"], "hand"):
            raise ValueError(f"hand-written pair does not hold: {pairs.dropped[-1]}")
    # a fixed shuffle, so that ``qa-eval --limit N`` takes a mix of windows and methods
    order = list(range(len(pairs.rows)))
    random.Random(seed + 1).shuffle(order)
    rows = []
    for n, p in enumerate(pairs.rows[i] for i in order):
        w = wins[p["window"]]
        for kind, text, ans in (("basic", p["true"], "yes"),
                                ("hallucinated", p["false"], "no")):
            rows.append({"pair_id": f"v3p{n:03d}", "type": kind, "question": text,
                         "answer": ans, "category": f"heldout_v3/{p['category']}",
                         "evidence": w["evidence"], "source": w["source"],
                         "window": p["window"], "written_by": p["how"]})
    mc = []
    for n, item in enumerate(MC):
        _check_mc(wins, item)
        key, question, options, answer = item
        shift = n % len(options)  # spread the right answer over the positions
        texts = [""] * len(options)
        for i, (text, _) in enumerate(options):
            texts[(i + shift) % len(options)] = text
        w = wins[key]
        mc.append({"id": f"v3mc{n:02d}", "question": question, "options": texts,
                   "answer": (answer + shift) % len(options), "evidence": w["evidence"],
                   "source": w["source"], "window": key, "written_by": "hand"})
    return rows, mc, pairs


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def write(out_dir: pathlib.Path = OUT) -> tuple[int, int, int]:
    rows, mc, pairs = build()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / PAIRS_FILE).write_text(jsonl(rows), encoding="utf-8")
    (out_dir / MC_FILE).write_text(jsonl(mc), encoding="utf-8")
    return len(rows) // 2, len(mc), len(pairs.dropped)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--windows"]:
        from emo_perception.reasoning.qa_v3_windows import build_windows

        target = pathlib.Path(argv[1]) if len(argv) > 1 else WINDOWS_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(build_windows(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {target}")
        return 0
    out = pathlib.Path(argv[0]) if argv else OUT
    n_pairs, n_mc, n_dropped = write(out)
    print(f"wrote {n_pairs} pairs and {n_mc} multiple-choice items to {out} "
          f"({n_dropped} template candidates dropped as ambiguous or not as intended)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
