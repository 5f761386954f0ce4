"""Regenerates ``emo_perception/data/qa/evidence_pairs.jsonl`` and ``evidence_mc.jsonl``.

Faces come from our perception stages on real photos (scikit-image astronaut, LFW
faces, matplotlib's Grace Hopper; the cat photo yields no face), prosody from the voice
stage on espeak-ng speech. Micro-gesture spans are constructed (no real clip with these
gestures ships with any package here) and items that use them say so in ``source``.
Statements were written by hand for each window after looking at its evidence.

    python -m emo_perception.reasoning.qa_build [OUT_DIR]
"""

from __future__ import annotations

import json
import pathlib
import sys

import cv2
import numpy as np

from emo_perception.labels import IMIGUE_CLASSES
from emo_perception.reasoning.qa_windows import face_window, photo_bgr, speech_evidence

OUT = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"


def lfw_bgr(index: int) -> np.ndarray:
    from skimage import data

    gray = (data.lfw_subset()[index] * 255).astype(np.uint8)
    gray = cv2.resize(gray, (200, 200), interpolation=cv2.INTER_CUBIC)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def gesture(cid: int, start: float, end: float, score: float) -> dict:
    return {"name": IMIGUE_CLASSES[cid], "id": cid, "start": start, "end": end, "score": score}


def windows() -> dict[str, tuple[dict, str]]:
    w: dict[str, tuple[dict, str]] = {}
    w["astro"] = (face_window(photo_bgr("astronaut"), duration_s=4.0).to_json(),
                  "photo skimage astronaut -> mediapipe mesh -> AUs -> expression")
    w["grace"] = (face_window(photo_bgr("grace_hopper"), duration_s=4.0).to_json(),
                  "photo grace_hopper -> mediapipe mesh -> AUs -> expression")
    for idx in (52, 29, 65, 16):
        w[f"lfw{idx}"] = (face_window(lfw_bgr(idx), duration_s=3.0).to_json(),
                          f"photo skimage lfw_subset[{idx}] upscaled -> mesh -> AUs")
    glad = speech_evidence("I am so glad you came, this is wonderful news!", speed_wpm=210,
                           pitch=80)
    sad = speech_evidence("I miss her. I feel so lonely these days.", speed_wpm=110, pitch=25)
    astro_speech = dict(w["astro"][0], prosody=glad, duration_s=6.0,
                        transcript="I am so glad you came, this is wonderful news!")
    w["astro_speech"] = (astro_speech, w["astro"][1] + "; espeak-ng speech -> prosody")
    grace_sad = dict(w["grace"][0], prosody=sad, duration_s=6.0,
                     transcript="I miss her. I feel so lonely these days.",
                     micro_gestures=[gesture(6, 1.0, 2.5, 0.8), gesture(11, 3.0, 4.0, 0.7)])
    w["grace_sad"] = (grace_sad, w["grace"][1] + "; espeak-ng speech -> prosody; "
                      "micro-gestures constructed")
    lfw29_arms = dict(w["lfw29"][0], duration_s=5.0,
                      micro_gestures=[gesture(16, 0.5, 4.5, 0.9), gesture(28, 2.0, 3.0, 0.6)])
    w["lfw29_arms"] = (lfw29_arms, w["lfw29"][1] + "; micro-gestures constructed")
    cat = face_window(photo_bgr("chelsea"), duration_s=8.0).to_json()
    cat["micro_gestures"] = [gesture(9, 2.0, 3.0, 0.85), gesture(5, 4.0, 6.0, 0.75)]
    w["body_only"] = (cat, "photo chelsea (no face found by the face stage); micro-gestures "
                      "constructed")
    return w


# (window, category, true statement, minimally edited false statement)
PAIRS: list[tuple[str, str, str, str]] = [
    ("astro", "cue", "The person shows AU12 (lip corner puller).",
     "The person shows AU15 (lip corner depressor)."),
    ("astro", "cue", "The person shows AU6, the cheek raiser.",
     "The person shows AU4, the brow lowerer."),
    ("astro", "category", "The person appears to feel happiness.",
     "The person appears to feel sadness."),
    ("astro", "reasoning", "The person looks happy because of AU12.",
     "The person looks happy because of AU4."),
    ("astro", "cue", "The person's lips are parted (AU25).",
     "The person's eyes are closed (AU43)."),
    ("grace", "category", "The person's expression is neutral.",
     "The person's expression is happiness."),
    ("grace", "cue", "The person does not show AU12.", "The person shows AU12."),
    ("grace", "cue", "The person does not show AU6.", "The person shows AU6."),
    ("lfw52", "category", "The person shows happiness.", "The person shows anger."),
    ("lfw52", "reasoning", "The person seems happy because of AU12.",
     "The person seems happy because of AU15."),
    ("lfw29", "cue", "The person shows AU17 (chin raiser).",
     "The person shows AU1 (inner brow raiser)."),
    ("lfw29", "cue", "The person shows AU15.", "The person shows AU6."),
    ("lfw29", "category", "The person's face shows disgust.",
     "The person's face shows happiness."),
    ("lfw65", "cue", "The person shows AU2 (outer brow raiser).",
     "The person shows AU9 (nose wrinkler)."),
    ("lfw65", "category", "The person appears surprised.", "The person appears angry."),
    ("lfw16", "category", "The person's face shows disgust.",
     "The person's face shows fear."),
    ("astro_speech", "text", "The person said 'wonderful news'.",
     "The person said 'terrible news'."),
    ("astro_speech", "category", "Face and words both point to happiness.",
     "Face and words both point to sadness."),
    ("astro_speech", "valence", "The person is in a positive emotional state.",
     "The person is in a negative emotional state."),
    ("grace_sad", "text", "The person said 'I feel so lonely'.",
     "The person said 'I feel so happy'."),
    ("grace_sad", "cue", "The person is rubbing eyes.", "The person is biting nails."),
    ("grace_sad", "time", "Rubbing eyes happens between 1 and 2.5 s.",
     "Rubbing eyes happens between 4 and 5.5 s."),
    ("grace_sad", "cue", "The person is touching or scratching neck.",
     "The person is folding arms."),
    ("grace_sad", "category", "The person appears to feel sadness.",
     "The person appears to feel surprise."),
    ("grace_sad", "valence", "The person is in a negative emotional state.",
     "The person is in a positive emotional state."),
    ("lfw29_arms", "cue", "The person is folding arms.", "The person is in arms akimbo."),
    ("lfw29_arms", "cue", "The person is pressing lips.", "The person is covering face."),
    ("lfw29_arms", "time", "Folding arms lasts from 0.5 to 4.5 s.",
     "Folding arms lasts from 5 to 7 s."),
    ("lfw29_arms", "reasoning", "The person seems disgusted because of AU15.",
     "The person seems disgusted because of AU12."),
    ("body_only", "cue", "The person is biting nails.", "The person is rubbing eyes."),
    ("body_only", "cue", "The person is covering face.", "The person is touching ears."),
    ("body_only", "time", "Biting nails happens between 2 and 3 s.",
     "Biting nails happens between 6 and 7 s."),
    ("body_only", "cue", "The person shows no AU12.", "The person shows AU12."),
]

# (window, question, options, answer index, explanation)
CHOICES: list[tuple[str, str, list[str], int, str]] = [
    ("astro", "What is the facial expression of the person? Choose one from the following "
     "options:", ["sadness", "happiness", "anger", "fear"], 1, "AU6 + AU12 present"),
    ("grace", "What is the facial expression of the person? Choose one from the following "
     "options:", ["surprise", "disgust", "neutral", "happiness"], 2, "no AU above threshold"),
    ("lfw29", "What is the facial expression of the person? Choose one from the following "
     "options:", ["happiness", "disgust", "surprise", "neutral"], 1, "AU15 + AU17"),
    ("lfw65", "What is the facial expression of the person? Choose one from the following "
     "options:", ["anger", "sadness", "surprise", "disgust"], 2, "AU1 + AU2 raised brows"),
    ("grace_sad", "Which micro-gesture does the person show?",
     ["Folding arms", "Arms akimbo", "Rubbing eyes", "Head up"], 2, "Rubbing eyes 1-2.5 s"),
    ("body_only", "Which micro-gesture does the person show?",
     ["Covering face", "Minaret gesture", "Sitting straightly", "Touching hat"], 0,
     "Covering face 4-6 s"),
    ("lfw29_arms", "Which micro-gesture does the person show?",
     ["Shaking shoulders", "Folding arms", "Touching ears", "Scratching back"], 1,
     "Folding arms 0.5-4.5 s"),
    ("astro_speech", "What did the person say?",
     ["'so sad'", "'wonderful news'", "'go away'", "'I am scared'"], 1, "transcript"),
]


def rotate(options: list[str], answer: int, target: int) -> tuple[list[str], int]:
    """Options rotated so the answer sits at ``target``: answer positions are balanced,
    so a model that always picks one letter scores chance, not 0 or 100 %."""
    shift = (target - answer) % len(options)
    return options[-shift:] + options[:-shift] if shift else list(options), target


def build(out_dir: pathlib.Path = OUT) -> tuple[int, int]:
    wins = windows()
    lines = []
    for n, (key, cat, true_s, false_s) in enumerate(PAIRS):
        ev, src = wins[key]
        for kind, text, ans in (("basic", true_s, "yes"), ("hallucinated", false_s, "no")):
            lines.append({"pair_id": f"ev{n:02d}", "type": kind, "question": text,
                          "answer": ans, "category": f"evidence/{cat}", "evidence": ev,
                          "source": src, "window": key})
    mc = []
    for n, (key, q, opts, ans, expl) in enumerate(CHOICES):
        ev, src = wins[key]
        opts, ans = rotate(opts, ans, n % len(opts))
        mc.append({"id": f"evmc{n:02d}", "question": q, "options": opts, "answer": ans,
                   "explanation": expl, "evidence": ev, "source": src, "window": key})
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "evidence_pairs.jsonl").write_text(
        "".join(json.dumps(x) + "\n" for x in lines))
    (out_dir / "evidence_mc.jsonl").write_text("".join(json.dumps(x) + "\n" for x in mc))
    return len(PAIRS), len(mc)


if __name__ == "__main__":
    pairs, items = build(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"wrote {pairs} evidence pairs and {items} multiple-choice items")
