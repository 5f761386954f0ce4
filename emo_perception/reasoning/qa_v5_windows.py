"""Evidence windows of the v5 held-out QA set (issue #16), new ones, built by our stages.

Faces: mediapipe face mesh -> geometric AUs -> EMFACS expression on LFW crops not used
by earlier sets (49, 37, 77, 73, 5; 150 is one of the subset's non-face images, so no
face is found) and opencv-doc's Megamind.avi frames 100 and 60. Voice: seven new
espeak-ng sentences through the voice stage (``qa_v3_windows.speech_prosody``; a level
change scales the samples before analysis). Micro-gesture spans are constructed and
``source`` says so. ``meta`` is the v5 author's annotation of each synthesised sentence:
tone (positive / negative / neutral), the emotions the words express, speech acts.

    python -m emo_perception.reasoning.qa_heldout_v5 --windows [FILE]
"""

from __future__ import annotations

from emo_perception.reasoning.qa_v3_windows import _g

# name -> sentence, espeak voice, words per minute, pitch (0-99), level change in dB,
#         annotation
SPEECH = {
    "parcel": ("My parcel still has not arrived, and nobody answers the phone. This is the "
               "worst service I have ever had.", "en-gb-x-rp", 200, 45, 8.0,
               {"tone": "negative", "emotions": ["anger", "frustration"],
                "acts": ["complaint"]}),
    "test": ("I passed my driving test this morning! I can hardly believe it, I am so "
             "happy!", "en-us", 210, 85, 4.0,
             {"tone": "positive", "emotions": ["happiness", "surprise"],
              "acts": ["announcement"]}),
    "dog": ("Our old dog died last night. The house feels very empty without him.",
            "en-gb", 105, 25, -20.0,
            {"tone": "negative", "emotions": ["sadness", "grief"], "acts": ["disclosure"]}),
    "medicine": ("Please remind me to take my tablets at eight o'clock tonight.",
                 "en-us-nyc", 160, 50, 0.0,
                 {"tone": "neutral", "emotions": [], "acts": ["request"]}),
    "bang": ("I heard a loud bang downstairs. I think someone is in the house. Please "
             "call the police!", "en-us", 230, 90, 10.0,
             {"tone": "negative", "emotions": ["fear"], "acts": ["request"]}),
    "dinner": ("Would you like to come round for dinner on Saturday? We would love to have "
               "you.", "en-gb-x-gbclan", 170, 60, 0.0,
               {"tone": "positive", "emotions": ["happiness"],
                "acts": ["invitation", "question"]}),
    "bus": ("The bus leaves at nine fifteen from platform four. The return bus is at six.",
            "en-gb-x-gbcwmd", 140, 40, 0.0,
            {"tone": "neutral", "emotions": [], "acts": []}),
}


# window -> (face source, speech key or None, constructed gestures, duration)
SPECS: dict[str, tuple[str, str | None, list[dict], float]] = {
    "v5_parcel": ("lfw:49", "parcel",
                  [_g("Touching or scratching neck", 0.4, 1.6, 0.7),
                   _g("Arms akimbo", 5.2, 9.6, 0.8)], 10.0),
    "v5_test": ("lfw:37", "test",
                [_g("Illustrative hand gestures", 0.2, 7.6, 0.85),
                 _g("Shaking shoulders", 3.0, 4.0, 0.2)], 8.0),
    "v5_dog": ("lfw:77", "dog",
               [_g("Rubbing eyes", 1.0, 2.2, 0.75),
                _g("Covering face", 8.6, 11.4, 0.8)], 12.0),
    "v5_medicine": ("lfw:73", "medicine",
                    [_g("Playing or manipulating objects", 0.2, 5.8, 0.7)], 6.0),
    "v5_bang": ("megamind:100", "bang",
                [_g("Hold back arms", 0.5, 1.5, 0.65),
                 _g("Touching or covering suprasternal notch", 3.2, 4.4, 0.75)], 6.0),
    "v5_dinner": ("lfw:5", "dinner", [], 7.0),
    "v5_still": ("megamind:60", None,
                 [_g("Pressing lips", 0.5, 1.7, 0.7), _g("Turtle neck", 2.6, 3.6, 0.6),
                  _g("Folding arms", 6.6, 7.8, 0.75)], 8.0),
    "v5_bus": ("lfw:150", "bus",
               [_g("Putting arms behind body", 0.3, 8.7, 0.8),
                _g("Touching jaw", 4.4, 5.2, 0.1)], 9.0),
}


def build_windows(specs: dict | None = None) -> dict[str, dict]:
    """Run the face and voice stages for every window of ``SPECS`` (v3's builder with this
    set's sentences)."""
    from emo_perception.reasoning.qa_v3_windows import build_windows as build

    return build(specs or SPECS, speech_table=SPEECH)
