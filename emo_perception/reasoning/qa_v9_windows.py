"""Evidence windows of the v9 held-out QA set (issue #16), new ones, built by our stages.

Faces: mediapipe face mesh -> geometric AUs -> EMFACS expression on LFW crops no earlier
set used (1, 33, 10; 83 is a crop in which the face stage finds no face) and opencv-doc's
Megamind.avi frames 30, 40 and 140 (earlier sets used 10, 20, 60, 80, 100, 120, 160,
180, 200, 220, 260). Voice: six new espeak-ng sentences through the voice stage
(``qa_v3_windows.speech_prosody``; voice / variant pairs not used before, a level change
scales the samples before analysis). One window has no speech. Micro-gesture spans are
constructed (gestures earlier sets used little: neck, suprasternal notch, arms behind the
body, objects, pressed lips, facial parts, torso; some below the 0.3 presence level, some
overlapping, some touching a window edge) and ``source`` says so. ``meta`` is the v9
author's annotation of each synthesised sentence: tone (positive / negative / neutral),
the emotions the words express, speech acts.

    python -m emo_perception.reasoning.qa_heldout_v9 --windows [FILE]
"""

from __future__ import annotations

from emo_perception.reasoning.qa_v3_windows import _g

# name -> sentence, espeak voice, words per minute, pitch (0-99), level change in dB,
#         annotation
SPEECH = {
    "referee": ("That was the worst referee I have ever seen! He gave them a penalty for "
                "nothing!", "en-gb-x-gbcwmd+m4", 195, 65, 6.0,
                {"tone": "negative", "emotions": ["anger", "disgust"],
                 "acts": ["complaint", "exclamation"]}),
    "puppy": ("Is that a puppy in the box? Oh my goodness, it is so tiny!",
              "en-029+f4", 175, 85, 2.0,
              {"tone": "positive", "emotions": ["surprise", "happiness"],
               "acts": ["question", "exclamation"]}),
    "tickets": ("We won the tickets for the concert on Saturday. I can hardly wait to tell "
                "my sister.", "en-us-nyc+m7", 160, 55, 0.0,
                {"tone": "positive", "emotions": ["happiness", "excitement"],
                 "acts": ["announcement"]}),
    "rubbish": ("Could you please take the rubbish out tonight? The bin is nearly full.",
                "en-gb-x-rp+f5", 145, 45, 0.0,
                {"tone": "neutral", "emotions": [], "acts": ["request", "question"]}),
    "wedding": ("I am so sorry, but I cannot come to the wedding. My flight was cancelled.",
                "en-gb-scotland+f1", 110, 30, -16.0,
                {"tone": "negative", "emotions": ["sadness", "regret"],
                 "acts": ["apology", "refusal"]}),
    "train": ("The train to Leeds leaves from platform four at twenty past six.",
              "en-us+m7", 150, 40, 0.0,
              {"tone": "neutral", "emotions": [], "acts": ["announcement"]}),
}

NECK = "Touching or scratching neck"
NOTCH = "Touching or covering suprasternal notch"

# window -> (face source, speech key or None, constructed gestures, duration)
SPECS: dict[str, tuple[str, str | None, list[dict], float]] = {
    "v9_referee": ("megamind:30", "referee",
                   [_g("Illustrative hand gestures", 0.5, 5.0, 0.85),
                    _g(NECK, 2.0, 3.0, 0.15),
                    _g("Arms akimbo", 5.5, 8.0, 0.8)], 8.0),
    "v9_puppy": ("megamind:40", "puppy",
                 [_g("Covering face", 0.0, 1.0, 0.7),
                  _g("Playing or manipulating objects", 1.5, 6.5, 0.8),
                  _g("Pressing lips", 3.0, 4.0, 0.65)], 7.0),
    "v9_tickets": ("lfw:1", "tickets",
                   [_g("Rubbing or holding hands", 0.5, 2.5, 0.75),
                    _g("Moving torso", 4.0, 8.0, 0.7),
                    _g("Touching jaw", 7.0, 8.5, 0.12)], 9.0),
    "v9_rubbish": ("lfw:33", "rubbish",
                   [_g("Putting arms behind body", 0.0, 6.0, 0.9),
                    _g("Touching or scratching facial parts", 2.5, 3.5, 0.6)], 6.0),
    "v9_wedding": ("lfw:83", "wedding",
                   [_g(NOTCH, 1.0, 3.0, 0.7),
                    _g("Rubbing eyes", 6.0, 7.5, 0.75),
                    _g("Head up", 9.0, 10.0, 0.2)], 10.0),
    "v9_train": ("megamind:140", "train",
                 [_g("Scratching or touching arms", 0.5, 1.5, 0.6),
                  _g("Touching or scratching forehead", 3.0, 5.0, 0.7),
                  _g("Folding arms", 5.5, 8.0, 0.85)], 8.0),
    "v9_still": ("lfw:10", None,
                 [_g("Moving torso", 1.0, 4.0, 0.7),
                  _g(NECK, 5.0, 6.0, 0.65),
                  _g("Pressing lips", 8.0, 11.0, 0.75),
                  _g("Touching hat", 10.0, 10.5, 0.1)], 12.0),
}


def build_windows(specs: dict | None = None) -> dict[str, dict]:
    """Run the face and voice stages for every window of ``SPECS`` (v3's builder with this
    set's sentences)."""
    from emo_perception.reasoning.qa_v3_windows import build_windows as build

    return build(specs or SPECS, speech_table=SPEECH)
