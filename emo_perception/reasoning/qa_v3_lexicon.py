"""Word lists and sentence frames of the v3 held-out QA set's templates (issue #16).

Chosen to differ from the fact base and from the wording of ``plain/`` and
``heldout_plain/``: new emotion synonyms, intensity words, FACS names and everyday
descriptions of AUs, everyday phrasings of iMiGUE micro-gestures, time phrases, prosody
paraphrases, tone and speech-act words. ``qa_heldout_v3`` draws from them with its seeded
RNG; editing a list changes the frozen set.
"""

from __future__ import annotations

# -- lexicon: (word, intensity it implies or None) -----------------------------------------
EMO_ADJ: dict[str, list[tuple[str, str | None]]] = {
    "happiness": [("content", None), ("glad", None), ("in good spirits", None),
                  ("merry", None), ("upbeat", None), ("elated", "strong")],
    "sadness": [("sorrowful", None), ("downhearted", None), ("crestfallen", None),
                ("dejected", None), ("melancholy", None), ("heartbroken", "strong")],
    "anger": [("cross", None), ("mad", None), ("hostile", None), ("fuming", "strong"),
              ("livid", "strong")],
    "fear": [("fearful", None), ("alarmed", None), ("terrified", "strong"),
             ("panicky", None)],
    "disgust": [("revolted", None), ("nauseated", None), ("sickened", None)],
    "surprise": [("amazed", None), ("startled", None), ("stunned", None),
                 ("astounded", None)],
    "neutral": [("impassive", None), ("deadpan", None), ("poker-faced", None),
                ("composed", None)],
}
EMO_NOUN = {"happiness": ["joy", "gladness", "delight", "happiness"],
            "sadness": ["sorrow", "grief", "sadness"],
            "anger": ["anger", "rage", "fury"],
            "fear": ["fear", "dread", "alarm"],
            "disgust": ["disgust", "revulsion", "distaste"],
            "surprise": ["amazement", "astonishment", "surprise"],
            "gratitude": ["gratitude", "thankfulness"], "regret": ["regret", "remorse"]}
DEGREE_ADJ = {"weak": ["a faint trace of", "mild", "slight"],
              "moderate": ["a moderate degree of", "a middling amount of",
                           "medium-strength"],
              "strong": ["intense", "overwhelming", "full-blown"]}
DEGREE_ADV = {"weak": ["faintly", "mildly", "slightly"],
              "moderate": ["moderately"],
              "strong": ["extremely", "intensely", "overwhelmingly"]}
SUBJECTS = [("the user", "the user's"), ("the visitor", "the visitor's"),
            ("this participant", "this participant's"), ("our guest", "our guest's"),
            ("the person on camera", "the on-camera person's")]

AU_CODE_FORMS = ["AU{c}", "AU {c}", "action unit {c}", "AU-{c}"]
AU_NAMES = {1: "inner brow raiser", 2: "outer brow raiser", 4: "brow lowerer",
            5: "upper lid raiser", 6: "cheek raiser", 7: "lid tightener",
            9: "nose wrinkler", 10: "upper lip raiser", 12: "lip corner puller",
            14: "dimpler", 15: "lip corner depressor", 17: "chin raiser",
            20: "lip stretcher", 23: "lip tightener", 24: "lip pressor", 25: "lips part",
            26: "jaw drop", 43: "eyes closed", 45: "blink"}
# everyday descriptions as clauses about the face (active, passive)
AU_EVERYDAY: dict[int, list[str]] = {
    1: ["the inner ends of the brows lifted"],
    2: ["the outer parts of the eyebrows went up"],
    4: ["the eyebrows knotted downward", "the brows pulled down into a scowl"],
    5: ["the upper eyelids opened wide"],
    6: ["the cheeks bunched up under the eyes", "crow's feet appeared at the eyes"],
    9: ["the nose crinkled up"],
    10: ["the upper lip curled upward"],
    12: ["the lip corners curled upward", "the mouth curved into a smile"],
    14: ["dimples formed beside the mouth"],
    15: ["the mouth corners sagged", "the corners of the lips drooped"],
    17: ["the chin puckered and pushed up"],
    20: ["the lips stretched sideways"],
    24: ["the lips pressed hard together"],
    25: ["the lips came apart"],
    26: ["the jaw fell slack"],
    43: ["the eyes were shut"],
    45: ["a blink was caught"],
}

# micro-gestures: (base form, past form) in everyday words, none used by earlier sets
GESTURES: dict[str, list[tuple[str, str]]] = {
    "Touching ears": [("fiddle with an earlobe", "fiddled with an earlobe"),
                      ("pull on one ear", "pulled on one ear")],
    "Arms akimbo": [("plant both hands on the hips", "planted both hands on the hips"),
                    ("stand with arms akimbo", "stood with arms akimbo")],
    "Playing or adjusting hair": [("twirl a lock of hair", "twirled a lock of hair"),
                                  ("smooth down their hair", "smoothed down their hair")],
    "Rubbing or holding hands": [("clasp their hands together",
                                  "clasped their hands together"),
                                 ("rub the palms together", "rubbed the palms together")],
    "Crossing fingers": [("cross their fingers", "crossed their fingers")],
    "Minaret gesture": [("steeple the fingers", "steepled the fingers"),
                        ("press the fingertips together in a steeple",
                         "pressed the fingertips together in a steeple")],
    "Touching jaw": [("stroke the jaw", "stroked the jaw"),
                     ("rest a hand on the jaw", "rested a hand on the jaw")],
    "Touching or scratching forehead": [("rub the forehead", "rubbed the forehead"),
                                        ("scratch the forehead", "scratched the forehead")],
    "Scratching or touching arms": [("scratch a forearm", "scratched a forearm"),
                                    ("rub the upper arm", "rubbed the upper arm")],
    "Folding arms": [("lock the arms across the chest", "locked the arms across the chest"),
                     ("sit with folded arms", "sat with folded arms")],
    "Biting nails": [("nibble at a fingernail", "nibbled at a fingernail"),
                     ("gnaw on a thumbnail", "gnawed on a thumbnail")],
    "Covering face": [("bury the face in the hands", "buried the face in the hands")],
    "Rubbing eyes": [("knuckle the eyes", "knuckled the eyes"),
                     ("rub an eye", "rubbed an eye")],
    "Touching or scratching head": [("scratch the scalp", "scratched the scalp")],
    "Putting arms behind body": [("tuck the hands behind the back",
                                  "tucked the hands behind the back")],
    "Touching or scratching neck": [("rub the nape of the neck",
                                     "rubbed the nape of the neck")],
    "Head up": [("tip the head back", "tipped the head back")],
    "Illustrative hand gestures": [("use the hands to illustrate what they said",
                                    "used the hands to illustrate what they said")],
}
TIME_WORDS: dict[str, list[str]] = {
    "opening": ["in the opening seconds", "right at the outset", "in the first moments"],
    "close": ["toward the close", "in the closing seconds", "as the clip wound down"],
    "after_mid": ["after the midpoint", "in the latter half", "once the window was half over"],
    "before_mid": ["before the midpoint", "in the earlier half",
                   "before the halfway point"],
    "throughout": ["from start to finish", "for the entire window",
                   "the whole way through"],
    "after": ["after the {t}-second point", "later than {t} seconds in",
              "past the {t} s mark"],  # t >= 2 only, so "seconds" is always plural
    "before": ["within the first {t} seconds", "before {t} seconds had passed"],
}
PROSODY_WORDS: dict[tuple[str, str], list[str]] = {
    ("energy_db", "high"): ["{s} spoke at a high volume", "{s} raised their voice"],
    ("energy_db", "low"): ["{s} spoke in a hushed voice", "{s} kept the volume very low"],
    ("speaking_rate_sps", "high"): ["{s} talked at a brisk pace",
                                    "{s} hurried through the words"],
    ("speaking_rate_sps", "low"): ["{s} drew the words out slowly",
                                   "{s} talked at a leisurely pace"],
    ("speaking_rate_sps", "normal"): ["{s} spoke at an ordinary, everyday pace",
                                      "{s} talked neither fast nor slow",
                                      "{p} speaking rate was unremarkable"],
    ("f0_range_st", "high"): ["the pitch of {p} voice swooped up and down",
                              "{p} intonation had a wide, sing-song range"],
    ("f0_range_st", "low"): ["{p} intonation stayed flat", "{p} voice droned on one note"],
    ("arousal", "high"): ["{s} sounded animated and keyed up",
                          "{p} voice carried a lot of energy"],
    ("arousal", "low"): ["{s} sounded flat and drained", "{p} voice had very little energy"],
}
TONE_WORDS = {"positive": ["struck a positive note", "were upbeat in tone"],
              "negative": ["struck a negative note", "were downbeat in tone"],
              "neutral": ["were matter-of-fact in tone", "were businesslike and neutral"]}
ACT_WORDS = {"question": ["asked a question", "put a question to someone"],
             "request": ["made a request", "asked for something to be done"],
             "thanks": ["thanked someone", "expressed thanks"],
             "apology": ["apologised", "said sorry"],
             "complaint": ["complained", "grumbled about something"],
             "warning": ["issued a warning", "warned someone of a danger"],
             "greeting": ["greeted someone", "said hello"],
             "promise": ["made a promise", "gave their word"]}
MODALITY_WORDS = {"face": ["facial measurements", "a measured face"],
                  "voice": ["voice measurements", "an analysed audio track"],
                  "words": ["a transcript of speech", "recognised speech"],
                  "body": ["gesture detections", "tracked body movements"]}
MODALITY_FRAMES = ["the recording contains {n}", "the sensors delivered {n}",
                   "the evidence includes {n}"]
MODALITY_VIEW = {"face": ["looking only at the face", "on the evidence of the face",
                          "to the camera"],
                 "words": ["reading only the transcript", "on the evidence of the words",
                           "judged by what was said"]}

# frames that turn a declarative clause into a statement or a yes/no question
CLAUSE_FRAMES = ["{C}.", "Is it the case that {c}?", "Yes or no: {c}?",
                 "The evidence shows that {c}.", "Was it observed that {c}?",
                 "According to this window, {c}.", "Can one tell from the data that {c}?",
                 "{C} -- correct?"]
HEDGES = ["it seems that ", "apparently ", "as far as the sensors tell, ", ""]

FALSE_TOPICS = [("a lost dog", ["dog"]), ("the price of petrol", ["petrol", "price"]),
                ("a football match", ["football", "match"]),
                ("a hospital appointment", ["hospital", "appointment"]),
                ("a holiday abroad", ["holiday", "abroad"]),
                ("the weather forecast", ["weather", "forecast", "rain"])]
TOPICS = {"lift": [("a broken-down lift", ["lift"])],
          "shopping": [("shopping bags", ["shopping"])],
          "library": [("returning library books", ["library", "books"])],
          "birthday": [("a forgotten birthday", ["birthday"])],
          "snake": [("a snake", ["snake"])],
          "report": [("the pages of a report", ["report", "pages"])],
          "greeting": [("a visit next week", ["visit"])]}
NEGATORS = ["at no point did {s} {base}", "not once did {s} {base}", "{s} never {past}",
            "it is not the case that {s} {past}", "{s} did not {base} at all"]
TIME_MODES = ["opening", "close", "after_mid", "before_mid", "throughout"]
OPPOSITE_TONE = {"positive": "negative", "negative": "positive"}
OPPOSITE_EMO = {"happiness": "sadness", "gratitude": "anger", "sadness": "happiness",
                "regret": "joy", "anger": "gratitude", "fear": "happiness"}
