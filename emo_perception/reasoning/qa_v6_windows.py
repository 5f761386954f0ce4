"""Evidence windows of the v6 held-out QA set (issue #16), new ones, built by our stages.

Faces: mediapipe face mesh -> geometric AUs -> EMFACS expression on LFW crops no earlier
set used (94, 45, 79, 23, 62; 175 is one of the subset's non-face images, so no face is
found) and opencv-doc's Megamind.avi frames 260 and 160 (earlier sets used 60, 100, 180,
220). Voice: seven new espeak-ng sentences through the voice stage
(``qa_v3_windows.speech_prosody``; voices with espeak variants, a level change scales the
samples before analysis). One window has no speech. Micro-gesture spans are constructed
(some below the 0.3 presence level, some overlapping, some touching a window edge) and
``source`` says so. ``meta`` is the v6 author's annotation of each synthesised sentence:
tone (positive / negative / neutral), the emotions the words express, speech acts.

    python -m emo_perception.reasoning.qa_heldout_v6 --windows [FILE]
"""

from __future__ import annotations

from emo_perception.reasoning.qa_v3_windows import _g

# name -> sentence, espeak voice, words per minute, pitch (0-99), level change in dB,
#         annotation
SPEECH = {
    "glasses": ("Thanks for finding my glasses, robot. You are a real lifesaver!",
                "en-us+f2", 185, 75, 3.0,
                {"tone": "positive", "emotions": ["gratitude", "happiness"],
                 "acts": ["thanks", "compliment"]}),
    "party": ("Wait, you organised all of this for me? I had no idea! What a wonderful "
              "surprise!", "en-gb-x-rp+f3", 200, 88, 5.0,
              {"tone": "positive", "emotions": ["surprise", "happiness"],
               "acts": ["question", "exclamation"]}),
    "music": ("Turn that music down right now! It is two in the morning and I have had "
              "enough!", "en-us-nyc+m4", 240, 60, 11.0,
              {"tone": "negative", "emotions": ["anger"], "acts": ["command", "complaint"],
               "no_ask": {"speaking_rate_sps": "240 wpm synthesis measures 2.3 "
                          "syllables/s (few voiced frames in the shouted voice): the "
                          "number and the sound disagree, so no item asks about the "
                          "pace"}}),
    "hospital": ("The doctor says my sister has to stay in hospital for another month. I am "
                 "really worried about her.", "en-gb+f4", 105, 30, -19.0,
                 {"tone": "negative", "emotions": ["worry", "sadness"],
                  "acts": ["disclosure"]}),
    "recipe": ("First, heat the oven to two hundred degrees. Then mix the flour with two "
               "eggs and a cup of milk.", "en-gb-scotland+m3", 150, 45, 0.0,
               {"tone": "neutral", "emotions": [], "acts": ["instruction"]}),
    "refusal": ("No. I do not want to talk about it. Please just leave me alone.",
                "en-gb-x-gbclan+f1", 135, 35, 0.0,
                {"tone": "negative", "emotions": ["annoyance", "sadness"],
                 "acts": ["refusal", "request"]}),
    "window": ("Shall I open the window for you? It is getting rather warm in here.",
               "en-029+m2", 160, 55, 0.0,
               {"tone": "neutral", "emotions": [], "acts": ["offer", "question"]}),
}


# window -> (face source, speech key or None, constructed gestures, duration)
SPECS: dict[str, tuple[str, str | None, list[dict], float]] = {
    "v6_glasses": ("lfw:94", "glasses",
                   [_g("Rubbing or holding hands", 0.0, 1.4, 0.7),
                    _g("Touching or scratching facial parts", 3.1, 4.0, 0.25),
                    _g("Playing or adjusting hair", 5.2, 6.6, 0.6)], 7.0),
    "v6_party": ("megamind:260", "party",
                 [_g("Head up", 0.4, 2.6, 0.8),
                  _g("Bulging face, deep breath", 1.6, 3.0, 0.6),
                  _g("Touching hat", 4.8, 6.0, 0.15)], 6.0),
    "v6_music": ("lfw:45", "music",
                 [_g("Folding arms", 0.0, 8.4, 0.85),
                  _g("Scratching back", 9.2, 11.0, 0.12),
                  _g("Moving torso", 9.4, 10.6, 0.55)], 11.0),
    "v6_hospital": ("lfw:79", "hospital",
                    [_g("Rubbing or holding hands", 2.0, 9.0, 0.75),
                     _g("Touching or scratching forehead", 3.5, 4.6, 0.45),
                     _g("Buckle button, pulling shirt collar, adjusting tie", 10.8, 13.0,
                        0.55)], 13.0),
    "v6_recipe": ("megamind:160", "recipe",
                  [_g("Illustrative hand gestures", 1.0, 6.0, 0.85),
                   _g("Sitting straightly", 0.0, 9.0, 0.28),
                   _g("Touching ears", 7.2, 8.0, 0.6)], 9.0),
    "v6_refusal": ("lfw:23", "refusal",
                   [_g("Turtle neck", 0.6, 1.6, 0.7), _g("Folding arms", 2.0, 5.0, 0.8),
                    _g("Dustoffing clothes", 4.4, 5.0, 0.35)], 5.0),
    "v6_window": ("lfw:175", "window",
                  [_g("Touching or scratching head", 4.0, 5.5, 0.65)], 8.0),
    "v6_quiet": ("lfw:62", None,
                 [_g("Crossing fingers", 0.5, 3.0, 0.7),
                  _g("Biting nails", 3.5, 4.5, 0.2),
                  _g("Minaret gesture", 6.0, 12.0, 0.8),
                  _g("Pressing lips", 13.0, 14.0, 0.65)], 14.0),
}


def build_windows(specs: dict | None = None) -> dict[str, dict]:
    """Run the face and voice stages for every window of ``SPECS`` (v3's builder with this
    set's sentences)."""
    from emo_perception.reasoning.qa_v3_windows import build_windows as build

    return build(specs or SPECS, speech_table=SPEECH)
