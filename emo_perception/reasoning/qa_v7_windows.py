"""Evidence windows of the v7 held-out QA set (issue #16), new ones, built by our stages.

Faces: mediapipe face mesh -> geometric AUs -> EMFACS expression on LFW crops no earlier
set used (31, 8, 97, 56, 14; 130 is one of the subset's non-face images, so no face is
found) and opencv-doc's Megamind.avi frames 120 and 20 (earlier sets used 60, 100, 160,
180, 220, 260). Voice: seven new espeak-ng sentences through the voice stage
(``qa_v3_windows.speech_prosody``; voices and variants not used for these sentences
before, a level change scales the samples before analysis). One window has no speech.
Micro-gesture spans are constructed (mostly gestures earlier sets used little: jaw, neck,
suprasternal notch, objects, shoulders; some below the 0.3 presence level, some
overlapping, some touching a window edge) and ``source`` says so. ``meta`` is the v7
author's annotation of each synthesised sentence: tone (positive / negative / neutral),
the emotions the words express, speech acts.

    python -m emo_perception.reasoning.qa_heldout_v7 --windows [FILE]
"""

from __future__ import annotations

from emo_perception.reasoning.qa_v3_windows import _g

# name -> sentence, espeak voice, words per minute, pitch (0-99), level change in dB,
#         annotation
SPEECH = {
    "keys": ("Oh no, I have lost my keys again. I am so cross with myself!",
             "en-us+m1", 190, 55, 4.0,
             {"tone": "negative", "emotions": ["annoyance", "frustration"],
              "acts": ["complaint", "exclamation"],
              "no_ask": {"speaking_rate_sps": "190 wpm synthesis measures 0.9 "
                         "syllables/s (few syllable peaks found): the number and the "
                         "sound disagree, so no item asks about the pace"}}),
    "raffle": ("We won the raffle! Can you believe it? A whole week in Spain!",
               "en-gb+f2", 215, 85, 6.0,
               {"tone": "positive", "emotions": ["happiness", "surprise"],
                "acts": ["announcement", "question", "exclamation"]}),
    "grandson": ("My grandson is coming to stay tomorrow, and I simply cannot wait to see "
                 "him.", "en-gb-x-rp+m5", 160, 50, 0.0,
                 {"tone": "positive", "emotions": ["happiness", "anticipation"],
                  "acts": ["announcement"]}),
    "milk": ("Ugh, this milk smells disgusting. Pour it down the sink, it has gone off.",
             "en-us-nyc+m2", 175, 40, 2.0,
             {"tone": "negative", "emotions": ["disgust"], "acts": ["command", "complaint"]}),
    "mug": ("I am afraid I broke your favourite mug this morning. I am so sorry, it just "
            "slipped.", "en-gb-x-gbcwmd+f4", 110, 30, -16.0,
            {"tone": "negative", "emotions": ["regret", "sadness"],
             "acts": ["apology", "disclosure"]}),
    "lights": ("Good night, robot. Please switch off the lights on your way out.",
               "en-gb-scotland+f3", 150, 45, 0.0,
               {"tone": "neutral", "emotions": [], "acts": ["greeting", "request"]}),
    "bus": ("Hurry up! The bus leaves in five minutes and we are still not ready!",
            "en-us+f1", 215, 70, 9.0,
            {"tone": "negative", "emotions": ["stress", "worry"],
             "acts": ["command", "exclamation"],
             "no_ask": {"speaking_rate_sps": "215 wpm synthesis, a hurried sentence, "
                        "measures 4.5 syllables/s (inside the normal band): the number "
                        "and the sound disagree, so no item asks about the pace"}}),
}


# window -> (face source, speech key or None, constructed gestures, duration)
SPECS: dict[str, tuple[str, str | None, list[dict], float]] = {
    "v7_keys": ("lfw:31", "keys",
                [_g("Touching or scratching head", 0.0, 1.6, 0.8),
                 _g("Playing or manipulating objects", 2.5, 6.5, 0.7),
                 _g("Touching jaw", 7.4, 8.0, 0.12)], 8.0),
    "v7_raffle": ("megamind:120", "raffle",
                  [_g("Shaking shoulders", 0.5, 3.5, 0.75),
                   _g("Illustrative hand gestures", 2.0, 5.5, 0.8),
                   _g("Covering face", 5.9, 7.0, 0.6)], 7.0),
    "v7_grandson": ("lfw:8", "grandson",
                    [_g("Rubbing or holding hands", 1.0, 3.0, 0.65),
                     _g("Sitting straightly", 0.0, 10.0, 0.9),
                     _g("Touching or scratching neck", 8.2, 9.6, 0.1)], 10.0),
    "v7_milk": ("megamind:20", "milk",
                [_g("Hold back arms", 0.3, 2.4, 0.7),
                 _g("Touching or scratching facial parts", 2.8, 3.6, 0.55),
                 _g("Moving torso", 5.0, 6.0, 0.14)], 6.0),
    "v7_mug": ("lfw:97", "mug",
               [_g("Touching or covering suprasternal notch", 1.2, 4.0, 0.7),
                _g("Rubbing eyes", 6.5, 8.0, 0.6),
                _g("Putting arms behind body", 9.0, 12.0, 0.75)], 12.0),
    "v7_lights": ("lfw:130", "lights",
                  [_g("Scratching or touching arms", 0.4, 1.4, 0.6),
                   _g("Dustoffing clothes", 3.0, 3.6, 0.15)], 6.0),
    "v7_bus": ("lfw:56", "bus",
               [_g("Arms akimbo", 0.0, 2.5, 0.85),
                _g("Touching or scratching forehead", 3.0, 4.0, 0.6),
                _g("Moving torso", 3.5, 7.0, 0.7)], 7.0),
    "v7_still": ("lfw:14", None,
                 [_g("Pressing lips", 1.0, 2.0, 0.7),
                  _g("Touching jaw", 4.0, 9.0, 0.8),
                  _g("Biting nails", 10.0, 11.0, 0.1),
                  _g("Turtle neck", 13.5, 15.0, 0.65)], 15.0),
}


def build_windows(specs: dict | None = None) -> dict[str, dict]:
    """Run the face and voice stages for every window of ``SPECS`` (v3's builder with this
    set's sentences)."""
    from emo_perception.reasoning.qa_v3_windows import build_windows as build

    return build(specs or SPECS, speech_table=SPEECH)
