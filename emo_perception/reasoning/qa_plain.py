"""Generator of the plain-language evidence QA set (``data/qa/plain/``), issue #16.

Written to test the claim reader on wording it was not written with, so it is made
differently from the other sets: questions come from templates filled with everyday
synonyms and paraphrase rules (question frames, subjects, tense) chosen by a seeded RNG,
plus hand-written items. Truth comes from the evidence values through the bands below,
never from a reasoner. The set was generated and committed before the claim reader was
written (sha256 and commit in docs/reasoning.md); do not regenerate it to fit a reader.

Windows: faces are our perception stages on real photos (the windows embedded in
``evidence_pairs.jsonl``: astronaut, Grace Hopper, LFW), voice is the voice stage on
espeak-ng speech generated here, micro-gesture spans are constructed (``source`` says so).

Bands (the documented meaning of the everyday words, used for the answers):
  expression present p >= 0.2; "a little / slightly / weak" 0.2 <= p < 0.5;
  "moderate" 0.5 <= p < 0.7; "very / strong / intense" p >= 0.7; "looks X" = X is the
  top expression. AU present p >= 0.5, absent p < 0.3 (nothing in between is asked).
  Gesture present score >= 0.3. "happened in <interval>" = at least half of the span lies
  in the interval; "throughout" = covers >= 80 % of the window; "after t" = starts at or
  after t; "before t" = ends at or before t (times from the window start).
  Prosody high/low: arousal > 0.4 / < -0.4, speaking_rate_sps > 5.5 / < 2.5,
  f0_range_st > 10 / < 2 (varied / monotone), energy_db > -18 / < -34 (loud / quiet).

    python -m emo_perception.reasoning.qa_plain [OUT_DIR]
"""

from __future__ import annotations

import json
import pathlib
import random
import sys

from emo_perception.labels import IMIGUE_CLASSES

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"
OUT = DATA / "plain"
SEED = 16

# -- everyday phrasings (base form, past form) ------------------------------------------
GESTURE_PHRASES: dict[str, list[tuple[str, str]]] = {
    "Folding arms": [("fold their arms", "folded their arms"),
                     ("cross their arms", "crossed their arms"),
                     ("keep their arms crossed over the chest",
                      "kept their arms crossed over the chest")],
    "Rubbing eyes": [("rub their eyes", "rubbed their eyes"),
                     ("rub at their eyes", "rubbed at their eyes")],
    "Touching or scratching neck": [("touch their neck", "touched their neck"),
                                    ("scratch the back of their neck",
                                     "scratched the back of their neck")],
    "Biting nails": [("bite their nails", "bit their nails"),
                     ("chew on their fingernails", "chewed on their fingernails")],
    "Covering face": [("cover their face", "covered their face"),
                      ("hide their face behind their hands",
                       "hid their face behind their hands")],
    "Touching or scratching facial parts": [("touch their nose", "touched their nose"),
                      ("put a finger to their nose", "put a finger to their nose")],
    "Touching or scratching head": [("scratch their head", "scratched their head"),
                                    ("touch the top of their head",
                                     "touched the top of their head")],
    "Putting arms behind body": [("hold their hands behind their back",
                                  "held their hands behind their back"),
                                 ("put their arms behind their back",
                                  "put their arms behind their back")],
    "Pressing lips": [("press their lips together", "pressed their lips together")],
    "Illustrative hand gestures": [("gesture with their hands while talking",
                                    "gestured with their hands while talking"),
                                   ("talk with their hands", "talked with their hands")],
    "Arms akimbo": [("put their hands on their hips", "put their hands on their hips")],
    "Touching ears": [("tug at their ear", "tugged at their ear")],
    "Playing or adjusting hair": [("fiddle with their hair", "fiddled with their hair")],
    "Rubbing or holding hands": [("wring their hands", "wrung their hands"),
                                 ("rub their hands together", "rubbed their hands together")],
}
GESTURE_NOUNS = {"Folding arms": "the arm folding", "Rubbing eyes": "the eye rubbing",
                 "Touching or scratching neck": "the neck touching",
                 "Biting nails": "the nail biting", "Covering face": "the face covering",
                 "Touching or scratching facial parts": "the nose touch", "Touching or scratching head":
                 "the head scratching", "Putting arms behind body": "the hands-behind-the-back "
                 "posture", "Illustrative hand gestures": "the hand gesturing",
                 "Pressing lips": "the lip pressing"}
# AU -> phrasings; (1, 2) means "either of these codes"
AU_PHRASES: dict[tuple[int, ...], list[tuple[str, str]]] = {
    (6,): [("raise their cheeks", "raised their cheeks")],
    (12,): [("smile", "smiled"), ("pull up the corners of the mouth",
                                  "pulled up the corners of the mouth")],
    (4,): [("frown", "frowned"), ("draw their brows together", "drew their brows together"),
           ("lower their eyebrows", "lowered their eyebrows")],
    (15,): [("turn the corners of the mouth down", "turned the corners of the mouth down")],
    (17,): [("push their chin up", "pushed their chin up")],
    (1, 2): [("raise their eyebrows", "raised their eyebrows"),
             ("lift their brows", "lifted their brows")],
    (9,): [("wrinkle their nose", "wrinkled their nose")],
    (26,): [("let the jaw drop", "let the jaw drop")],
    (25,): [("part their lips", "parted their lips")],
    (5,): [("widen their eyes", "widened their eyes")],
    (43,): [("close their eyes", "closed their eyes")],
}
EMOTION_ADJ = {
    "happiness": ["happy", "joyful", "pleased", "cheerful", "delighted"],
    "sadness": ["sad", "gloomy", "unhappy", "downcast"],
    "anger": ["angry", "annoyed", "irritated", "furious"],
    "fear": ["scared", "frightened", "afraid"],
    "disgust": ["disgusted", "repulsed", "grossed out"],
    "surprise": ["surprised", "astonished", "taken aback"],
    "neutral": ["expressionless", "blank-faced", "neutral"],
}
EMOTION_NOUN = {"happiness": ["happiness", "joy"], "sadness": ["sadness", "sorrow"],
                "anger": ["anger", "irritation"], "fear": ["fear"],
                "disgust": ["disgust", "revulsion"], "surprise": ["surprise", "astonishment"],
                "disappointment": ["disappointment", "letdown"],
                "neutral": ["neutrality"]}
VALENCE_OPPOSITE = {"happiness": "sadness", "sadness": "happiness", "anger": "happiness",
                    "fear": "happiness", "disgust": "happiness", "surprise": "sadness",
                    "disappointment": "happiness", "neutral": "anger"}
SUBJECTS = ["the person", "they", "the participant", "the individual"]
FALSE_TOPICS = ["the weather", "food", "a car", "money", "a holiday", "football"]


# -- windows ---------------------------------------------------------------------------
def base_windows() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for line in (DATA / "evidence_pairs.jsonl").read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        out.setdefault(obj["window"], {"evidence": obj["evidence"], "source": obj["source"]})
    return out


def _g(name: str, start: float, end: float, score: float) -> dict:
    return {"name": name, "id": IMIGUE_CLASSES.index(name), "start": start, "end": end,
            "score": score}


# name -> (face window, speech (text, wpm, pitch) or None, gestures, duration, transcript
#          emotion, transcript topics)
SPECS = {
    "arms_letdown": ("lfw29", ("I really hoped it would work out. I am so disappointed, it "
                               "failed again.", 120, 30),
                     [_g("Folding arms", 5.5, 9.5, 0.85), _g("Rubbing eyes", 1.0, 2.0, 0.7)],
                     10.0, "disappointment", ["something that failed"]),
    "astro_win": ("astro", ("Wow, we won! This is amazing, I can hardly believe it!", 230, 90),
                  [_g("Illustrative hand gestures", 0.5, 3.0, 0.8)], 6.0, "happiness",
                  ["winning"]),
    "brows_noise": ("lfw65", ("What was that noise? I am scared, please stay with me.", 190,
                              70),
                    [_g("Touching or scratching head", 0.5, 1.5, 0.6),
                     _g("Touching or scratching facial parts", 3.5, 4.5, 0.7)], 5.0, "fear", ["a noise"]),
    "grace_meeting": ("grace", ("The meeting is at three. Please bring the report.", 160, 50),
                      [_g("Putting arms behind body", 0.0, 8.0, 0.9)], 8.0, None,
                      ["a meeting", "a report"]),
    "lfw52": ("lfw52", None, [], 3.0, None, []),
    "lfw16": ("lfw16", None, [], 3.0, None, []),
    "nails_face": ("body_only", None, [], 8.0, None, []),  # gestures of the base window
    "grace_sad": ("grace_sad", None, [], 6.0, "sadness", ["missing someone", "loneliness"]),
    "astro_glad": ("astro_speech", None, [], 6.0, "happiness", ["news"]),
}


def windows() -> dict[str, dict]:
    from emo_perception.reasoning.qa_windows import speech_evidence

    base = base_windows()
    out = {}
    for key, (face, speech, gestures, dur, emo, topics) in SPECS.items():
        ev = json.loads(json.dumps(base[face]["evidence"]))
        src = base[face]["source"]
        ev["duration_s"] = dur
        if speech:
            text, wpm, pitch = speech
            ev["prosody"] = speech_evidence(text, speed_wpm=wpm, pitch=pitch)
            ev["transcript"] = text
            src += f"; espeak-ng speech ({wpm} wpm, pitch {pitch}) -> voice stage prosody"
        if gestures:
            ev["micro_gestures"] = gestures
            src += "; micro-gestures constructed"
        out[key] = {"evidence": ev, "source": src, "transcript_emotion": emo,
                    "topics": topics}
    return out


# -- truth helpers -----------------------------------------------------------------------
def top_expression(ev: dict) -> tuple[str, float] | None:
    if not ev["expression"]:
        return None
    k = max(ev["expression"], key=ev["expression"].get)
    return k, ev["expression"][k]


def band(p: float) -> str | None:
    if p < 0.2:
        return "absent"
    if p < 0.5:
        return "weak"
    if p < 0.7:
        return "moderate"
    return "strong"


def au_state(ev: dict, codes: tuple[int, ...]) -> str | None:
    vals = [ev["action_units"].get(f"AU{c}") for c in codes]
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    if max(vals) >= 0.5:
        return "present"
    if max(vals) < 0.3:
        return "absent"
    return None


def present_gestures(ev: dict) -> list[dict]:
    return [g for g in ev["micro_gestures"] if g["score"] >= 0.3]


def in_interval(g: dict, a: float, b: float) -> bool:
    inside = max(0.0, min(g["end"], b) - max(g["start"], a))
    return inside >= 0.5 * (g["end"] - g["start"])


def time_phrases(dur: float) -> list[tuple[str, object]]:
    """(phrase, test(g)) pairs; times relative to the window start."""
    half = dur / 2
    out: list[tuple[str, object]] = [
        ("in the first half of the window", lambda g: in_interval(g, 0, half)),
        ("in the second half of the window", lambda g: in_interval(g, half, dur)),
        ("during the first half", lambda g: in_interval(g, 0, half)),
        ("during the second half", lambda g: in_interval(g, half, dur)),
        ("throughout the window", lambda g: (g["end"] - g["start"]) >= 0.8 * dur),
        ("for the whole time", lambda g: (g["end"] - g["start"]) >= 0.8 * dur),
        ("towards the end", lambda g: in_interval(g, dur * 0.6, dur)),
        ("at the very start", lambda g: in_interval(g, 0, dur * 0.25)),
    ]
    for t in (2, 3, 5):
        if t < dur:
            word = {2: "two", 3: "three", 5: "five"}[t]
            out.append((f"in the first {word} seconds", lambda g, t=t: in_interval(g, 0, t)))
            out.append((f"after {t} s", lambda g, t=t: g["start"] >= t - 0.25))
            out.append((f"after the {t}-second mark", lambda g, t=t: g["start"] >= t - 0.25))
            out.append((f"before {t} seconds", lambda g, t=t: g["end"] <= t + 0.25))
    return out


PROSODY_BANDS = {  # feature: (low, high, low words, high words)
    "arousal": (-0.4, 0.4, ["is the speaker's arousal low", "does the voice sound subdued "
                            "and low in energy"],
                ["is the speaker's arousal high", "does the voice sound energetic and "
                 "aroused"]),
    "speaking_rate_sps": (2.5, 5.5, ["does the person speak slowly", "is the speech rate "
                                     "slow"],
                          ["does the person speak quickly", "is the speech rate fast"]),
    "f0_range_st": (2.0, 10.0, ["is the voice monotone", "does the pitch stay flat"],
                    ["does the pitch vary a lot", "is the intonation lively with a wide "
                     "pitch range"]),
    "energy_db": (-34.0, -18.0, ["is the voice quiet", "does the person speak softly"],
                  ["is the voice loud", "does the person speak loudly"]),
}


# -- templates ---------------------------------------------------------------------------
class Gen:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.pairs: list[tuple[str, str, str, str, str]] = []  # win, cat, true, false, how

    def subj(self) -> str:
        return self.rng.choice(SUBJECTS)

    def action(self, phrase: tuple[str, str], subj: str | None = None) -> str:
        """A yes/no question or statement about doing ``phrase``, paraphrased."""
        s = subj or self.subj()
        base, past = phrase
        frame = self.rng.randrange(4)
        if frame == 0:
            return f"Did {s} {base}?"
        if frame == 1:
            return f"Is it true that {s} {past}?"
        if frame == 2:
            return f"{s[0].upper() + s[1:]} {past}."
        return f"Would you say {s} {past} at some point?"

    def add(self, win, cat, true_q, false_q, how="template"):
        fix = lambda q: q.replace("Does they ", "Do they ").replace("Is they ", "Are they ")  # noqa: E731
        self.pairs.append((win, cat, fix(true_q), fix(false_q), how))


def generate(wins: dict[str, dict], seed: int = SEED) -> Gen:
    gen = Gen(seed)
    rng = gen.rng
    for key, w in wins.items():
        ev = w["evidence"]
        dur = ev["duration_s"]
        present = present_gestures(ev)
        present_names = {g["name"] for g in present}
        absent = [n for n in GESTURE_PHRASES if n not in present_names]
        # gestures: one pair per present gesture (a same-frame absent gesture as the lie)
        for g in present:
            subj = gen.subj()
            frame_state = rng.getstate()
            t = gen.action(rng.choice(GESTURE_PHRASES[g["name"]]), subj)
            rng.setstate(frame_state)
            f = gen.action(rng.choice(GESTURE_PHRASES[rng.choice(absent)]), subj)
            gen.add(key, "gesture", t, f)
        # negation: "did not <absent>" true, "did not <present>" false
        if present:
            g = rng.choice(present)
            s = gen.subj()
            verb = rng.choice(["did not", "never", "didn't"])
            tense = 1 if verb == "never" else 0  # "never" + past, "did not" + base form
            neg_t = rng.choice(GESTURE_PHRASES[rng.choice(absent)])[tense]
            neg_f = rng.choice(GESTURE_PHRASES[g["name"]])[tense]
            gen.add(key, "negation", f"{s[0].upper() + s[1:]} {verb} {neg_t}.",
                    f"{s[0].upper() + s[1:]} {verb} {neg_f}.")
        # time: per present gesture, a true and a false time phrase
        for g in present:
            rel = dict(g, start=g["start"] - ev.get("start", 0.0), end=g["end"]
                       - ev.get("start", 0.0))
            phrases = time_phrases(dur)
            trues = [p for p, test in phrases if test(rel)]
            falses = [p for p, test in phrases if not test(rel)]
            if not trues or not falses:
                continue
            noun = GESTURE_NOUNS.get(g["name"])
            tp, fp = rng.choice(trues), rng.choice(falses)
            if noun and rng.random() < 0.5:
                gen.add(key, "time", f"Did {noun} happen {tp}?", f"Did {noun} happen {fp}?")
            else:
                ph = rng.choice(GESTURE_PHRASES[g["name"]])
                s = gen.subj()
                gen.add(key, "time", f"Did {s} {ph[0]} {tp}?", f"Did {s} {ph[0]} {fp}?")
        # action units: present vs absent
        if ev["action_units"]:
            pres = [c for c in AU_PHRASES if au_state(ev, c) == "present"]
            abs_ = [c for c in AU_PHRASES if au_state(ev, c) == "absent"]
            rng.shuffle(pres)
            for c in pres[:2]:
                s = gen.subj()
                st = rng.getstate()
                t = gen.action(rng.choice(AU_PHRASES[c]), s)
                rng.setstate(st)
                f = gen.action(rng.choice(AU_PHRASES[rng.choice(abs_)]), s)
                gen.add(key, "action_unit", t, f)
            if not pres and abs_:  # a face showing nothing: the negated form is the truth
                c = rng.choice(abs_)
                ph = rng.choice(AU_PHRASES[c])
                s = gen.subj()
                gen.add(key, "action_unit", f"{s[0].upper() + s[1:]} did not {ph[0]}.",
                        f"{s[0].upper() + s[1:]} {ph[1]}.")
        # emotion category from the top expression; intensity from its band
        top = top_expression(ev)
        if top:
            label, p = top
            lows = [k for k, v in ev["expression"].items() if v < 0.1 and k in EMOTION_ADJ
                    and k != label]
            s = gen.subj()
            frame = rng.randrange(4)
            adj_t, adj_f = rng.choice(EMOTION_ADJ[label]), rng.choice(EMOTION_ADJ[
                rng.choice(lows)])
            fr = ["Does {s} look {a}?", "Would you describe {s} as {a}?",
                  "{S} comes across as {a}.", "Does {s} appear {a} in the face?"][frame]
            fill = lambda a: fr.format(s=s, S=s[0].upper() + s[1:], a=a)  # noqa: E731
            gen.add(key, "emotion", fill(adj_t), fill(adj_f))
            b = band(p)
            if label != "neutral" and b in ("weak", "moderate", "strong"):
                noun = rng.choice(EMOTION_NOUN[label])
                words = {"weak": ["weak rather than intense", "only slight", "faint"],
                         "moderate": ["moderate rather than extreme", "of medium strength"],
                         "strong": ["intense rather than weak", "strong", "very pronounced"]}
                other = {"weak": "strong", "moderate": "strong", "strong": "weak"}[b]
                wt, wf = rng.choice(words[b]), rng.choice(words[other])
                if rng.random() < 0.5:
                    gen.add(key, "intensity", f"Is any {noun} {wt}?", f"Is any {noun} {wf}?")
                else:
                    gen.add(key, "intensity", f"Is the {noun} on the face {wt}?",
                            f"Is the {noun} on the face {wf}?")
            # an emotion below presence asked with "a little": false; top with its band: true
            if lows and b == "strong" and label != "neutral":
                lo = rng.choice(lows)
                s = gen.subj()
                gen.add(key, "intensity",
                        f"Would you call {s} very {rng.choice(EMOTION_ADJ[label])}?",
                        f"Would you call {s} a little {rng.choice(EMOTION_ADJ[lo])}?")
        # prosody
        for feat, (low, high, lw, hw) in PROSODY_BANDS.items():
            v = ev["prosody"].get(feat)
            if v is None:
                continue
            margin = 0.05 * (high - low)
            if v > high + margin:
                t, f = rng.choice(hw), rng.choice(lw)
            elif v < low - margin:
                t, f = rng.choice(lw), rng.choice(hw)
            else:
                continue
            gen.add(key, "prosody", t[0].upper() + t[1:] + "?", f[0].upper() + f[1:] + "?")
        # transcript sentiment and content
        emo = w["transcript_emotion"]
        if emo and ev["transcript"]:
            nt = rng.choice(EMOTION_NOUN[emo])
            nf = rng.choice(EMOTION_NOUN[VALENCE_OPPOSITE[emo]])
            fr = rng.choice(["Does the transcript express {n}?", "Do the spoken words convey "
                             "{n}?", "Is {n} what the person put into words?"])
            gen.add(key, "transcript", fr.format(n=nt), fr.format(n=nf))
        for topic in w["topics"][:1]:
            s = gen.subj()
            fr = rng.choice(["Did {s} mention {t}?", "Did {s} talk about {t}?",
                             "Was {t} brought up in what {s} said?"])
            gen.add(key, "transcript", fr.format(s=s, t=topic),
                    fr.format(s=s, t=rng.choice(FALSE_TOPICS)))
        # modality presence
        have = {"face": bool(ev["action_units"]), "body": bool(present),
                "voice": bool(ev["prosody"]), "transcript": bool(ev["transcript"])}
        words = {"face": ["Was a face measured in this window?", "Is there facial evidence?"],
                 "body": ["Is there any body-movement evidence?", "Was any gesture picked "
                          "up from the body?"],
                 "voice": ["Is there evidence from the voice?", "Was the voice analysed?"],
                 "transcript": ["Was anything said?", "Is there a transcript of speech?"]}
        yes = [m for m, h in have.items() if h]
        no = [m for m, h in have.items() if not h]
        if yes and no:
            gen.add(key, "modality", rng.choice(words[rng.choice(yes)]),
                    rng.choice(words[rng.choice(no)]))
    return gen


# Hand-written pairs (rationale-like sentences with several claims; unusual wording).
HAND: list[tuple[str, str, str, str]] = [
    ("arms_letdown", "compound",
     "She crossed her arms in the second half and sounded disappointed.",
     "She crossed her arms in the first seconds and sounded excited."),
    ("arms_letdown", "compound", "Early on they rubbed their eyes; later the arms were folded.",
     "Early on they folded their arms; later they rubbed their eyes."),
    ("arms_letdown", "compound", "The lip corners were pulled down and the chin pushed up.",
     "The lip corners were pulled up into a smile."),
    ("astro_win", "compound", "He was beaming, with raised cheeks, and talked with his hands "
     "in the first half.", "He was frowning, with brows drawn together, and talked with his "
     "hands in the first half."),
    ("astro_win", "compound", "The speaker sounded highly aroused and said they had won.",
     "The speaker sounded calm and low in arousal and said they had lost."),
    ("brows_noise", "compound", "The eyebrows went up, and the person admitted being scared.",
     "The eyebrows went down into a frown, and the person said they felt safe."),
    ("brows_noise", "compound", "A hand went to the nose after the 3-second mark.",
     "A hand went to the nose within the first second."),
    ("brows_noise", "compound", "The voice was slow rather than rushed.",
     "The voice was rushed rather than slow."),
    ("grace_meeting", "compound", "Hands stayed behind the back the whole time and no smile "
     "appeared.", "Hands stayed behind the back the whole time and a broad smile appeared."),
    ("grace_meeting", "compound", "The words were about a meeting and a report.",
     "The words were about a birthday party."),
    ("grace_meeting", "compound", "The pitch moved up and down a great deal.",
     "The pitch was flat and monotonous."),
    ("lfw52", "compound", "A genuine smile with the cheeks lifted.",
     "A genuine frown with the nose wrinkled."),
    ("lfw16", "compound", "The jaw hung open and the nose was wrinkled.",
     "The eyes were shut and the eyebrows were raised."),
    ("nails_face", "compound", "First nail biting, then the face was hidden behind the hands.",
     "First the face was hidden behind the hands, then nail biting."),
    ("nails_face", "compound", "No face was visible to the camera's face analysis.",
     "The face showed a clear smile."),
    ("grace_sad", "compound", "They sounded lonely, and rubbed their eyes before touching "
     "the neck.", "They sounded cheerful, and rubbed their eyes before touching the neck."),
    ("astro_glad", "compound", "The person said the news was wonderful while smiling.",
     "The person said the news was terrible while smiling."),
]

# Multiple choice, hand-written (answer index into the options as written here).
MC: list[tuple[str, str, list[str], int]] = [
    ("arms_letdown", "What did the person do with their arms?",
     ["put their hands on their hips", "crossed them", "held them behind their back",
      "waved them"], 1),
    ("arms_letdown", "When were the arms folded?",
     ["in the first two seconds", "in the second half of the window", "never",
      "only before 1 s"], 1),
    ("astro_win", "How does the face look?", ["scared", "gloomy", "cheerful", "disgusted"], 2),
    ("astro_win", "How does the voice sound?", ["low in arousal", "monotone",
                                               "high in arousal", "whispered"], 2),
    ("brows_noise", "What did the person touch after 3 s?", ["their ear", "their nose",
                                                             "their hair", "their hips"], 1),
    ("brows_noise", "What feeling do the words express?", ["joy", "fear", "anger",
                                                          "boredom"], 1),
    ("grace_meeting", "Where were the hands?", ["covering the face", "behind the back",
                                               "on the hips", "in the hair"], 1),
    ("nails_face", "Which happened first?", ["hiding the face", "nail biting",
                                            "scratching the head", "folding the arms"], 1),
    ("lfw52", "What is the mouth doing?", ["smiling", "turned down", "pressed shut",
                                          "hanging open in shock"], 0),
    ("grace_sad", "What did the person rub?", ["their hands", "their eyes", "their arms",
                                              "their chin"], 1),
]


def build(out_dir: pathlib.Path = OUT, seed: int = SEED) -> tuple[int, int]:
    wins = windows()
    gen = generate(wins, seed)
    for win, cat, t, f in HAND:
        gen.add(win, cat, t, f, "hand")
    lines = []
    for n, (key, cat, t, f, how) in enumerate(gen.pairs):
        w = wins[key]
        for kind, text, ans in (("basic", t, "yes"), ("hallucinated", f, "no")):
            lines.append({"pair_id": f"pl{n:03d}", "type": kind, "question": text,
                          "answer": ans, "category": f"plain/{cat}",
                          "evidence": w["evidence"], "source": w["source"], "window": key,
                          "written_by": how})
    mc = []
    for n, (key, q, opts, ans) in enumerate(MC):
        w = wins[key]
        shift = n % len(opts)  # balance answer positions
        target = (ans + shift) % len(opts)
        opts2 = [None] * len(opts)
        for i, o in enumerate(opts):
            opts2[(i + shift) % len(opts)] = o
        mc.append({"id": f"plmc{n:02d}", "question": q, "options": opts2, "answer": target,
                   "evidence": w["evidence"], "source": w["source"], "window": key,
                   "written_by": "hand"})
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "plain_pairs.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (out_dir / "plain_mc.jsonl").write_text("".join(json.dumps(x) + "\n" for x in mc))
    return len(gen.pairs), len(mc)


if __name__ == "__main__":
    pairs, items = build(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"wrote {pairs} plain-language pairs and {items} multiple-choice items")
