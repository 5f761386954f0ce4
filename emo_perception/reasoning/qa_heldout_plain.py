"""Untuned held-out plain-language evidence QA set (``data/qa/heldout_plain/``).

Written by hand, after the claim reader (``claims.py``) was finished, by an engineer who
did not write the reader and did not study the wording of ``data/qa/plain/``; committed
before the knowledge backend was ever run on it (hashes and commit in docs/reasoning.md).
Do not edit the items to fit a reader.

Evidence: the nine real windows embedded in ``data/qa/plain/plain_pairs.jsonl`` (our
perception stages on the scikit-image astronaut, Grace Hopper, LFW 52 / 29 / 65 / 16 and
the cat photo; the voice stage on espeak-ng speech; constructed micro-gesture spans --
each item's ``source`` says which parts are which), reused verbatim by window name.

Gold answers were checked by hand against the window values, using the bands documented
in ``qa_plain.py`` (expression present p >= 0.2, slight < 0.5, moderate < 0.7, strong
>= 0.7; AU present >= 0.5, absent < 0.3; gesture times from the window start; speech
slow < 2.5 syll/s, fast > 5.5; arousal high > 0.4; f0 range > 10 st varied, < 2 flat;
loud energy > -18 dB).

    python -m emo_perception.reasoning.qa_heldout_plain [OUT_DIR]
"""

from __future__ import annotations

import json
import pathlib
import sys

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"
OUT = DATA / "heldout_plain"
WINDOW_SOURCE = DATA / "plain" / "plain_pairs.jsonl"

# Windows (short name -> window name in plain_pairs.jsonl), with what they hold:
#  A  arms_letdown  disgust .663 top; AU15 .953, AU17 .979; arms folded 5.5-9.5 s,
#                   eyes rubbed 1-2 s of 10 s; slow speech 2.33; "disappointed, it failed"
#  W  astro_win     happiness .957; AU6 .815, AU12 .918; hand gestures 0.5-3.0 s of 6 s;
#                   arousal .69; "Wow, we won!"
#  N  brows_noise   neutral .424 top, surprise .23; AU1 .858, AU2 .916; head scratch
#                   0.5-1.5, face touch 3.5-4.5 of 5 s; rate 1.81; "noise? I am scared"
#  M  grace_meeting neutral .98; arms behind body 0-8 of 8 s; f0 range 18.5 st;
#                   "The meeting is at three. Please bring the report."
#  L52 lfw52        happiness .917; AU6 .569, AU12 .775 (face only)
#  L16 lfw16        disgust .595 top; AU9 .545, AU15 .637, AU26 .717 (face only)
#  NF nails_face    no face; nails bitten 2-3 s, face covered 4-6 s of 8 s
#  S  grace_sad     neutral .98; eyes rubbed 1-2.5, neck touched 3-4 of 6 s; rate 2.31,
#                   arousal .055; "I miss her. I feel so lonely these days."
#  G  astro_glad    happiness .957; no gestures; arousal .09; "so glad you came"
WINDOWS = {"A": "arms_letdown", "W": "astro_win", "N": "brows_noise",
           "M": "grace_meeting", "L52": "lfw52", "L16": "lfw16", "NF": "nails_face",
           "S": "grace_sad", "G": "astro_glad"}

# (category, window of the true (yes) statement, statement, window of the hallucinated
#  (no) statement, statement)
PAIRS: list[tuple[str, str, str, str, str]] = [
    # -- emotion category
    ("emotion", "W", "Would you say the person seemed cheerful?",
     "A", "Is it fair to say this person was in a cheerful mood?"),
    ("emotion", "A", "Did the person come across as disgusted by something?",
     "M", "They looked disgusted."),
    ("emotion", "M", "Their face looked pretty blank, just neutral.",
     "L52", "Would you describe their expression as neutral, with no emotion showing?"),
    ("emotion", "L52", "Did the person look pleased?",
     "G", "Any sign the person was glum?"),
    ("emotion", "L16", "The person looked grossed out.",
     "L16", "The person looked irritated."),
    ("emotion", "N", "Is it fair to say they looked mostly calm and neutral?",
     "N", "Did they seem irritated or cross?"),
    # -- intensity
    ("intensity", "W", "They were clearly, strongly happy.",
     "N", "They were strongly surprised."),
    ("intensity", "N", "Was there a slight hint of surprise on their face?",
     "W", "Is there a trace of surprise in the expression?"),
    ("intensity", "A", "The disgust showed up at a moderate level.",
     "L52", "The person was only barely happy."),
    ("intensity", "L52", "They were grinning widely, very happy.",
     "L16", "Would you say the person was extremely disgusted?"),
    ("intensity", "N", "The person was slightly surprised, nothing more.",
     "A", "The person was slightly sad."),
    ("intensity", "G", "Is the happiness on their face intense?",
     "M", "Was there a mild smile, a little happiness?"),
    # -- action unit / facial cue
    ("action_unit", "W", "Were they grinning?",
     "A", "Was there a grin on their face?"),
    ("action_unit", "N", "Their eyebrows were raised.",
     "A", "Did they lift their brows?"),
    ("action_unit", "L16", "Did they wrinkle their nose?",
     "W", "Any wrinkled nose?"),
    ("action_unit", "L16", "Was their jaw dropped open?",
     "L52", "Their jaw dropped."),
    ("action_unit", "A", "The corners of the mouth were pulled down.",
     "W", "Was the mouth turned down at the corners?"),
    ("action_unit", "W", "Did their cheeks lift, like in a real smile?",
     "N", "Knitted brows, as if frowning?"),
    # -- micro-gesture / body
    ("gesture", "A", "Arms folded across the chest at some point?",
     "W", "Did they hug themselves?"),
    ("gesture", "NF", "Was the person chewing their nails?",
     "S", "Any nail biting?"),
    ("gesture", "W", "Were they gesturing with their hands while talking?",
     "M", "Were they waving their hands around as they spoke?"),
    ("gesture", "S", "They touched the back of their neck.",
     "N", "They rubbed the back of their neck."),
    ("gesture", "M", "Hands kept behind their back?",
     "A", "Did they put their hands behind their back?"),
    ("gesture", "N", "Did they scratch their head?",
     "NF", "Was the person fidgeting with their fingers?"),
    # -- time
    ("time", "A", "Towards the end, were their arms crossed?",
     "A", "Were their arms crossed the whole time?"),
    ("time", "A", "Early on, did they rub their eyes?",
     "A", "In the last few seconds, did they rub their eyes?"),
    ("time", "M", "The hands stayed behind the back the whole time.",
     "W", "They gestured with their hands the whole time."),
    ("time", "W", "The hand gestures happened in the first half.",
     "W", "In the last couple of seconds they were gesturing with their hands."),
    ("time", "NF", "They covered their face in the second half of the clip.",
     "NF", "The nail biting happened towards the end."),
    ("time", "S", "Did the neck touching start after about three seconds?",
     "S", "They rubbed their eyes in the final seconds."),
    # -- modality
    ("modality", "W", "From the voice alone, did they sound excited?",
     "A", "Did their voice sound energetic and excited?"),
    ("modality", "L52", "Judging by the face, would you say they were happy?",
     "S", "Judging by the face, did they look sad?"),
    ("modality", "NF", "Body language: did they hide their face in their hands?",
     "NF", "Judging by the face, did they look scared?"),
    ("modality", "S", "Their words sounded sad, even though the face stayed neutral.",
     "S", "Both the face and the voice showed strong sadness."),
    ("modality", "G", "Going by the facial expression, they were happy.",
     "G", "Their body language showed a lot of fidgeting."),
    ("modality", "M", "Facially, they showed no emotion.",
     "W", "On the face, nothing: no emotion showing."),
    # -- prosody
    ("prosody", "N", "Were they speaking slowly?",
     "W", "Was the person a slow talker?"),
    ("prosody", "M", "Was their pitch all over the place, a very lively intonation?",
     "M", "Did they speak in a monotone?"),
    ("prosody", "W", "Did they sound worked up, with a lot of energy in the voice?",
     "S", "Did they have an agitated voice?"),
    ("prosody", "A", "Did they talk slowly?",
     "A", "Were they a fast talker?"),
    ("prosody", "S", "They spoke at a slow pace.",
     "N", "They rattled the words off quickly."),
    ("prosody", "W", "The speaker sounded lively rather than flat.",
     "W", "Were they shouting?"),
    # -- transcript content / sentiment
    ("transcript", "A", "Did they complain that something went wrong?",
     "G", "Did they complain about anything?"),
    ("transcript", "G", "Did they say they were happy to see someone?",
     "M", "Did they thank someone?"),
    ("transcript", "M", "Did they mention a meeting?",
     "A", "Was a meeting brought up?"),
    ("transcript", "S", "Did they say they feel lonely?",
     "W", "Did they talk about feeling lonely?"),
    ("transcript", "N", "Did they ask someone to stay with them?",
     "S", "Did they ask someone to leave?"),
    ("transcript", "W", "Did they celebrate a win?",
     "N", "Did they say something positive?"),
    # -- negation
    ("negation", "M", "There was no sign of a smile.",
     "L52", "Not a trace of a smile on their face."),
    ("negation", "S", "They never bit their nails.",
     "NF", "At no point did they chew their nails."),
    ("negation", "A", "At no point did they look happy.",
     "W", "They didn't look happy at all."),
    ("negation", "G", "No hand or body movements were picked up.",
     "M", "Their hands weren't behind their back."),
    ("negation", "N", "The person didn't seem angry.",
     "L16", "They didn't wrinkle their nose at all."),
    ("negation", "W", "Nothing in their words sounded sad.",
     "S", "Their words weren't sad in any way."),
]

# (window, question, options, index of the right option)
MC: list[tuple[str, str, list[str], int]] = [
    ("L16", "What stood out most on their face?",
     ["a big grin", "a wrinkled nose and a dropped jaw", "raised eyebrows",
      "knitted brows"], 1),
    ("NF", "When did they hide their face?",
     ["right at the start", "in the second half", "the whole time", "never"], 1),
    ("M", "How would you describe their intonation?",
     ["flat, monotone", "very varied, lively pitch", "whispered", "there was no speech"], 1),
    ("S", "What did they talk about?",
     ["a meeting", "feeling lonely and missing someone", "winning something",
      "a strange noise"], 1),
    ("W", "Which word fits their mood best?",
     ["glum", "irritated", "cheerful", "scared"], 2),
    ("N", "What did they do with their hands early on?",
     ["scratched their head", "folded their arms", "bit their nails",
      "covered their face"], 0),
    ("A", "How strong was the disgust on their face?",
     ["barely there", "moderate", "extreme", "none at all"], 1),
    ("N", "What was the pace of their speech?",
     ["very fast", "slow", "normal", "there was no speech"], 1),
    ("A", "What happened towards the end?",
     ["they rubbed their eyes", "they crossed their arms", "they waved",
      "they scratched their head"], 1),
]


def load_windows() -> dict[str, tuple[dict, str]]:
    out: dict[str, tuple[dict, str]] = {}
    for line in WINDOW_SOURCE.read_text().splitlines():
        d = json.loads(line)
        out.setdefault(d["window"], (d["evidence"], d["source"]))
    return out


def build() -> tuple[list[dict], list[dict]]:
    wins = load_windows()

    def ev(key: str) -> tuple[dict, str, str]:
        name = WINDOWS[key]
        evidence, source = wins[name]
        return evidence, source, name

    pairs: list[dict] = []
    for i, (cat, wy, qy, wn, qn) in enumerate(PAIRS):
        for typ, w, q, ans in (("basic", wy, qy, "yes"), ("hallucinated", wn, qn, "no")):
            evidence, source, name = ev(w)
            pairs.append({"pair_id": f"hp{i:03d}", "type": typ, "question": q,
                          "answer": ans, "category": f"heldout_plain/{cat}",
                          "evidence": evidence, "source": source, "window": name,
                          "written_by": "hand"})
    mc: list[dict] = []
    for i, (w, q, opts, ans) in enumerate(MC):
        evidence, source, name = ev(w)
        mc.append({"id": f"hpmc{i:02d}", "question": q, "options": opts, "answer": ans,
                   "evidence": evidence, "source": source, "window": name,
                   "written_by": "hand"})
    return pairs, mc


def main(out_dir: pathlib.Path = OUT) -> None:
    pairs, mc = build()
    out_dir.mkdir(parents=True, exist_ok=True)
    for fname, rows in (("heldout_plain_pairs.jsonl", pairs),
                        ("heldout_plain_mc.jsonl", mc)):
        (out_dir / fname).write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"wrote {len(pairs) // 2} pairs and {len(mc)} MC items to {out_dir}")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
