"""Evidence windows of the v3 held-out QA set, built by our own stages (issue #16).

Faces: mediapipe face mesh -> geometric AUs -> EMFACS expression (``qa_windows.face_window``)
on real photos (scikit-image astronaut and LFW crops, matplotlib's Grace Hopper, frames of
opencv-doc's Megamind.avi; a photo with no person for the windows without a face). Voice:
new espeak-ng sentences through the voice stage's prosody; a sentence may be scaled in
level before analysis (a quiet or loud speaker; samples clipped to full scale), which
``source`` states. Micro-gesture
spans are constructed and ``source`` says so. ``meta`` is the set author's annotation of
each synthesised sentence (tone, emotions the words express, speech acts).

    python -m emo_perception.reasoning.qa_heldout_v3 --windows [FILE]
"""

from __future__ import annotations

import math
import pathlib

import numpy as np

from emo_perception.labels import IMIGUE_CLASSES

MEGAMIND = pathlib.Path("/usr/share/doc/opencv-doc/examples/data/Megamind.avi")

# name -> sentence, espeak voice, words per minute, pitch (0-99), level change in dB,
#         annotation
SPEECH = {
    "lift": ("This is the third time this week the lift has broken down. I am fed up, and "
             "I am furious about it.", "en-gb", 190, 60, 0.0,
             {"tone": "negative", "emotions": ["anger"], "acts": ["complaint"]}),
    "shopping": ("Thank you so much for carrying my shopping bags. That was really kind of "
                 "you.", "en-us", 175, 65, 0.0,
                 {"tone": "positive", "emotions": ["gratitude", "happiness"],
                  "acts": ["thanks"]}),
    "library": ("Excuse me, could you tell me where the library is? I need to return two "
                "books before noon.", "en-gb-scotland", 150, 50, 0.0,
                {"tone": "neutral", "emotions": [], "acts": ["question", "request"]}),
    "birthday": ("I am sorry I forgot your birthday. I feel terrible about it.", "en-us",
                 95, 20, -22.0,
                 {"tone": "negative", "emotions": ["sadness", "regret"],
                  "acts": ["apology"]}),
    "snake": ("Watch out! There is a snake under the bench! Get back, quickly!", "en-us",
              300, 95, 12.0, {"tone": "negative", "emotions": ["fear"], "acts": ["warning"],
                              "no_ask": {"speaking_rate_sps": "300 wpm synthesis measures "
                                         "3.3 syllables/s: the number and the sound "
                                         "disagree, so no item asks about the pace"}}),
    "report": ("The report has forty pages. Page one lists the dates. Page two lists the "
               "names.", "en-us", 100, 40, 0.0,
               {"tone": "neutral", "emotions": [], "acts": []}),
    "greeting": ("Good morning! How lovely to see you again. I promise I will visit you next "
                 "week.", "en-029", 180, 70, 0.0,
                 {"tone": "positive", "emotions": ["happiness"],
                  "acts": ["greeting", "promise"]}),
}


def _g(name: str, start: float, end: float, score: float) -> dict:
    return {"name": name, "id": IMIGUE_CLASSES.index(name), "start": start, "end": end,
            "score": score}


# window -> (face source, speech key or None, constructed gestures, duration)
SPECS: dict[str, tuple[str, str | None, list[dict], float]] = {
    "v3_lift": ("lfw:87", "lift",
                [_g("Touching or scratching forehead", 0.4, 1.8, 0.75),
                 _g("Arms akimbo", 7.6, 9.8, 0.8)], 10.0),
    "v3_shopping": ("photo:astronaut", "shopping",
                    [_g("Rubbing or holding hands", 0.5, 2.0, 0.7),
                     _g("Playing or adjusting hair", 5.8, 7.6, 0.65)], 8.0),
    "v3_library": ("photo:grace_hopper", "library",
                   [_g("Minaret gesture", 0.3, 4.2, 0.8),
                    _g("Touching jaw", 6.5, 8.5, 0.6)], 9.0),
    "v3_birthday": ("lfw:35", "birthday",
                    [_g("Rubbing eyes", 2.6, 3.8, 0.7),
                     _g("Covering face", 7.2, 9.6, 0.85)], 10.0),
    "v3_snake": ("lfw:21", "snake", [], 5.0),
    "v3_report": ("photo:coffee", "report",
                  [_g("Biting nails", 0.6, 2.0, 0.8),
                   _g("Scratching or touching arms", 4.2, 5.4, 0.7),
                   _g("Crossing fingers", 6.6, 7.8, 0.6)], 8.0),
    "v3_mm_a": ("megamind:220", None, [], 4.0),
    "v3_mm_b": ("megamind:180", None,
                [_g("Touching ears", 0.3, 1.5, 0.7), _g("Folding arms", 3.6, 5.9, 0.85)],
                6.0),
    "v3_lfw_a": ("lfw:69", None, [], 3.0),
    "v3_lfw_b": ("lfw:18", None, [], 3.0),
    "v3_greeting": ("lfw:81", "greeting",
                    [_g("Illustrative hand gestures", 0.5, 4.2, 0.8),
                     _g("Touching or scratching head", 8.0, 9.4, 0.6)], 10.0),
    "v3_silent": ("photo:rocket", None,
                  [_g("Folding arms", 0.2, 11.8, 0.9),
                   _g("Head up", 9.0, 10.5, 0.65)], 12.0),
}


def face_image(source: str) -> np.ndarray:
    """BGR image of a face source ``photo:NAME``, ``lfw:INDEX`` or ``megamind:FRAME``."""
    import cv2

    kind, name = source.split(":")
    if kind == "photo":
        from emo_perception.reasoning.qa_windows import photo_bgr

        if name in ("camera",):
            from skimage import data

            return cv2.cvtColor(data.camera(), cv2.COLOR_GRAY2BGR)
        return photo_bgr(name)
    if kind == "lfw":
        from emo_perception.reasoning.qa_build import lfw_bgr

        return lfw_bgr(int(name))
    if kind == "megamind":
        if not MEGAMIND.is_file():
            raise FileNotFoundError(f"{MEGAMIND} missing (Debian package opencv-doc)")
        cap = cv2.VideoCapture(str(MEGAMIND))
        cap.set(cv2.CAP_PROP_POS_FRAMES, int(name))
        ok, frame = cap.read()
        cap.release()
        if not ok:
            raise ValueError(f"cannot read frame {name} of {MEGAMIND}")
        return frame
    raise ValueError(f"unknown face source {source!r}")


def face_source_text(source: str) -> str:
    kind, name = source.split(":")
    if kind == "photo":
        what = {"coffee": "skimage coffee", "rocket": "skimage rocket",
                "grace_hopper": "matplotlib grace_hopper"}.get(name, f"skimage {name}")
    elif kind == "lfw":
        what = f"skimage lfw_subset[{name}] upscaled to 200 px"
    else:
        what = f"opencv-doc Megamind.avi frame {name}"
    return f"photo {what} -> mediapipe face mesh -> AUs -> expression"


def speech_prosody(text: str, voice: str, wpm: int, pitch: int, gain_db: float) -> dict:
    from emo_perception.evidence import PROSODY_EVIDENCE
    from emo_perception.voice.pipeline import SAMPLE_RATE
    from emo_perception.voice.prosody import prosody
    from emo_perception.voice.synth import espeak

    x = espeak(text, voice, wpm, pitch) * (10.0 ** (gain_db / 20.0))
    x = np.clip(x, -1.0, 1.0).astype(np.float32)
    feats = prosody(x, SAMPLE_RATE).as_dict()
    return {k: round(float(feats[k]), 3) for k in PROSODY_EVIDENCE
            if k in feats and math.isfinite(float(feats[k]))}


def build_windows(specs: dict | None = None,
                  speech_table: dict | None = None) -> dict[str, dict]:
    """Run the face and voice stages for every window of ``specs`` (default ``SPECS``),
    speech keys looked up in ``speech_table`` (default ``SPEECH``)."""
    from emo_perception.reasoning.qa_windows import face_window

    speech_table = speech_table or SPEECH
    out: dict[str, dict] = {}
    for key, (face, speech, gestures, dur) in (specs or SPECS).items():
        ev = face_window(face_image(face), duration_s=dur).to_json()
        src = face_source_text(face)
        if not ev["action_units"]:
            src += " (no face found by the face stage)"
        meta: dict = {"tone": None, "emotions": [], "acts": []}
        if speech:
            text, voice, wpm, pitch, gain, meta = speech_table[speech]
            ev["prosody"] = speech_prosody(text, voice, wpm, pitch, gain)
            ev["transcript"] = text
            src += (f"; espeak-ng speech (voice {voice}, {wpm} wpm, pitch {pitch}"
                    + (f", level {gain:+.0f} dB" if gain else "")
                    + ") -> voice stage prosody; transcript = the synthesised text")
        if gestures:
            ev["micro_gestures"] = gestures
            src += "; micro-gestures constructed"
        out[key] = {"evidence": ev, "source": src, "meta": dict(meta, speech=speech)}
    return out
