"""Evidence windows of the v8 held-out QA set (issue #16), new ones, built by our stages.

Faces: mediapipe face mesh -> geometric AUs -> EMFACS expression on LFW crops no earlier
set used (27, 51, 4, 6; 160 is one of the subset's non-face images, so no face is found)
and opencv-doc's Megamind.avi frames 200, 80 and 10 (earlier sets used 20, 60, 100, 120,
160, 180, 220, 260). Voice: seven new espeak-ng sentences through the voice stage
(``qa_v3_windows.speech_prosody``; voices and variants not used for these sentences
before, a level change scales the samples before analysis). One window has no speech.
Micro-gesture spans are constructed (gestures earlier sets used little: hat, collar,
back, crossed fingers, minaret, head up, deep breath; some below the 0.3 presence level,
some overlapping, some touching a window edge) and ``source`` says so. ``meta`` is the
v8 author's annotation of each synthesised sentence: tone (positive / negative /
neutral), the emotions the words express, speech acts.

    python -m emo_perception.reasoning.qa_heldout_v8 --windows [FILE]
"""

from __future__ import annotations

from emo_perception.reasoning.qa_v3_windows import _g

# name -> sentence, espeak voice, words per minute, pitch (0-99), level change in dB,
#         annotation
SPEECH = {
    "quiz": ("No way, I got every answer right? I honestly thought I had failed that quiz!",
             "en-us+m3", 200, 80, 5.0,
             {"tone": "positive", "emotions": ["surprise", "happiness"],
              "acts": ["question", "exclamation"]}),
    "tomatoes": ("The tomatoes in the garden are finally ripe. Would you like to take some "
                 "home with you?", "en-gb-x-rp+m3", 165, 55, 0.0,
                 {"tone": "positive", "emotions": ["happiness"],
                  "acts": ["announcement", "offer"]}),
    "dentist": ("I have to see the dentist at three o'clock. I am really nervous about it.",
                "en-us+f5", 140, 45, -3.0,
                {"tone": "negative", "emotions": ["fear", "worry"],
                 "acts": ["disclosure"]}),
    "fish": ("Who left this fish in the fridge for a week? The whole kitchen stinks!",
             "en-gb-scotland+m2", 185, 50, 3.0,
             {"tone": "negative", "emotions": ["disgust", "anger"],
              "acts": ["question", "complaint"]}),
    "tablets": ("Please do not forget to take your tablets after lunch today.",
                "en-029+f2", 150, 40, 0.0,
                {"tone": "neutral", "emotions": [], "acts": ["request"]}),
    "letter": ("Thank you for the lovely letter. It really made my whole week.",
               "en-us-nyc+f3", 120, 60, -18.0,
               {"tone": "positive", "emotions": ["gratitude", "happiness"],
                "acts": ["thanks"]}),
    "vase": ("Stop right there! Put that vase down at once, or I will call your father!",
             "en-gb-x-gbclan+m6", 180, 75, 10.0,
             {"tone": "negative", "emotions": ["anger"],
              "acts": ["command", "threat"]}),
}


# window -> (face source, speech key or None, constructed gestures, duration)
SPECS: dict[str, tuple[str, str | None, list[dict], float]] = {
    "v8_quiz": ("megamind:200", "quiz",
                [_g("Touching hat", 0.0, 1.2, 0.7),
                 _g("Covering face", 1.5, 3.0, 0.8),
                 _g("Shaking shoulders", 4.0, 8.0, 0.75)], 8.0),
    "v8_tomatoes": ("megamind:80", "tomatoes",
                    [_g("Illustrative hand gestures", 0.5, 6.0, 0.85),
                     _g("Dustoffing clothes", 6.5, 7.5, 0.6),
                     _g("Scratching back", 8.0, 8.6, 0.12)], 10.0),
    "v8_dentist": ("lfw:27", "dentist",
                   [_g("Crossing fingers", 0.5, 4.5, 0.8),
                    _g("Biting nails", 3.5, 6.0, 0.7),
                    _g("Bulging face, deep breath", 7.0, 8.0, 0.65)], 9.0),
    "v8_fish": ("lfw:51", "fish",
                [_g("Covering face", 0.0, 2.0, 0.75),
                 _g("Hold back arms", 3.0, 4.0, 0.6),
                 _g("Arms akimbo", 5.0, 7.0, 0.8)], 7.0),
    "v8_tablets": ("megamind:10", "tablets",
                   [_g("Minaret gesture", 0.5, 3.5, 0.75),
                    _g("Head up", 5.0, 6.0, 0.15)], 6.0),
    "v8_letter": ("lfw:4", "letter",
                  [_g("Rubbing or holding hands", 0.0, 10.0, 0.85),
                   _g("Buckle button, pulling shirt collar, adjusting tie", 2.0, 3.0, 0.6),
                   _g("Playing or adjusting hair", 6.0, 7.5, 0.65)], 10.0),
    "v8_vase": ("lfw:160", "vase",
                [_g("Arms akimbo", 0.5, 2.5, 0.8),
                 _g("Illustrative hand gestures", 3.0, 5.0, 0.75)], 6.0),
    "v8_quiet": ("lfw:6", None,
                 [_g("Sitting straightly", 0.0, 14.0, 0.9),
                  _g("Scratching back", 2.0, 3.0, 0.7),
                  _g("Touching ears", 6.0, 7.0, 0.1),
                  _g("Turtle neck", 11.0, 14.0, 0.6)], 14.0),
}


def build_windows(specs: dict | None = None) -> dict[str, dict]:
    """Run the face and voice stages for every window of ``SPECS`` (v3's builder with this
    set's sentences)."""
    from emo_perception.reasoning.qa_v3_windows import build_windows as build

    return build(specs or SPECS, speech_table=SPEECH)
