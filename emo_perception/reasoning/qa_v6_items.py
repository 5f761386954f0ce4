"""Items of the v6 held-out QA set (issue #16), written by hand for the windows of
``qa_v6_windows`` after reading their numbers and ``meta``.

Sixth method: what a new user of an HRI stack would type or paste about a clip. Six
styles (``style`` of each pair): ``question`` (a direct yes/no question from a caregiver
or an app developer: "Is there any trace of joy on her face?", "Any AU4 brow-lowering
going on?"), ``rationale`` (a sentence of an LLM-style explanation: "..., which suggests
..."), ``casual`` (informal, terse or note-like: "kinda grumpy face", "voice: loud",
"crossed fingers in the first few secs?"), ``ordering`` (comparisons and order in time:
"more ... than", "first ... and then", "while"), ``negated`` (negations and double
negations as people say them: "anything but ...", "... is not how ...", "it isn't the
case that ..."), ``quantity`` (amounts and times as people say them: "in the last two
seconds", "about halfway through", "a good seven seconds or so", "all four").

The first draft was written without reading any earlier set; its wording was then
compared with every question of the earlier sets (``data/qa/**/*.jsonl``: word trigrams
and character similarity) and the items that came close were reworded, before any
reasoner saw the set.

A pair is (window, category, style, true statement, its formula, false statement, its
formula); both statements share the frame and differ in one claim. An MC item is (window,
question, [(option, formula), ...], index of the right option). Formulas: ``qa_v6_truth``.
"""

from __future__ import annotations


def E(label: str, level: str) -> tuple:
    return ("expr", label, level)


def A(*codes: int) -> tuple:
    return ("au", codes)


def G(name: str, when: object = "any") -> tuple:
    return ("gest", name, when)


def P(feat: str, level: str) -> tuple:
    return ("pros", feat, level)


def H(modality: str) -> tuple:
    return ("has", modality)


def S(*keywords: str) -> tuple:
    return ("says", keywords)


def NOT(f: object) -> tuple:
    return ("not", f)


def OR(*fs: object) -> tuple:
    return ("or", *fs)


def ACT(a: str) -> tuple:
    return ("act", a)


def TONE(t: str) -> tuple:
    return ("tone", t)


def TEMO(e: str) -> tuple:
    return ("temo", e)


def TOP(label: str) -> tuple:
    return ("top", label)


def MORE(a: tuple, b: tuple) -> tuple:
    return ("more", a, b)


def EARLY(a: str, b: str) -> tuple:
    return ("earlier", a, b)


def AU(code: int) -> tuple:
    return ("au", code)


def EX(label: str) -> tuple:
    return ("expr", label)


def NG(n: int) -> tuple:
    return ("ngest", n)


def NM(n: int) -> tuple:
    return ("nmod", n)


def STARTS(name: str, t: float, tol: float) -> tuple:
    return ("starts", name, t, tol)


def ENDS(name: str, t: float, tol: float) -> tuple:
    return ("ends", name, t, tol)


def LASTS(name: str, secs: float, tol: float) -> tuple:
    return ("lasts", name, secs, tol)


def WHILE(a: str, b: str, m: float = 0.3) -> tuple:
    return ("overlap", a, b, m)


HANDS = "Rubbing or holding hands"
HAIR = "Playing or adjusting hair"
HEADUP = "Head up"
BREATH = "Bulging face, deep breath"
HAT = "Touching hat"
FOLD = "Folding arms"
BACK = "Scratching back"
TORSO = "Moving torso"
FOREHEAD = "Touching or scratching forehead"
COLLAR = "Buckle button, pulling shirt collar, adjusting tie"
ILLUS = "Illustrative hand gestures"
EARS = "Touching ears"
TURTLE = "Turtle neck"
HEAD = "Touching or scratching head"
CROSS = "Crossing fingers"
NAILS = "Biting nails"
MINARET = "Minaret gesture"
LIPS = "Pressing lips"
AKIMBO = "Arms akimbo"
COVER = "Covering face"
BEHIND = "Putting arms behind body"
HOLDBACK = "Hold back arms"
UPSET = OR(E("anger", "shown"), E("sadness", "shown"), E("fear", "shown"))

PAIRS: list[tuple] = [
    # ---- v6_glasses: lfw 94, thanks to the robot, 7 s -------------------------------
    ("v6_glasses", "emotion", "question",
     "Is there any trace of joy on her face?", E("happiness", "shown"),
     "Is there any trace of distress on her face?", UPSET),
    ("v6_glasses", "compound", "rationale",
     "She looked pleased while thanking the robot, which fits genuine gratitude.",
     [E("happiness", "shown"), ACT("thanks")],
     "She looked pleased while apologising to the robot, which fits genuine gratitude.",
     [E("happiness", "shown"), ACT("apology")]),
    ("v6_glasses", "action_unit", "casual",
     "lips apart the whole clip", A(25),
     "brows knitted the whole clip", A(4)),
    ("v6_glasses", "gesture", "question",
     "Any hair twiddling from her?", G(HAIR),
     "Any nail nibbling from her?", G(NAILS)),
    ("v6_glasses", "time", "quantity",
     "She was rubbing her hands together in the first couple of seconds.",
     G(HANDS, ("before", 2.0)),
     "She was rubbing her hands together in the last couple of seconds.",
     G(HANDS, ("after", 5.0))),
    ("v6_glasses", "gesture", "casual",
     "hand-wringing right at the start, hair fiddling near the end",
     [G(HANDS, "opening"), G(HAIR, "close")],
     "hair fiddling right at the start, hand-wringing near the end",
     [G(HAIR, "opening"), G(HANDS, "close")]),
    ("v6_glasses", "prosody", "casual",
     "voice: normal volume", P("energy_db", "normal"),
     "voice: loud", P("energy_db", "high")),
    ("v6_glasses", "transcript", "question",
     "Did she say anything about her glasses?", S("glasses"),
     "Did she say anything about her keys?", S("keys")),
    ("v6_glasses", "speech_act", "rationale",
     "What she said to the robot was mainly an expression of thanks.", ACT("thanks"),
     "What she said to the robot was mainly a complaint.", ACT("complaint")),
    ("v6_glasses", "modality", "quantity",
     "All four channels (face, voice, words and body) had something in them.", NM(4),
     "Only three of the four channels (face, voice, words and body) had something in "
     "them.", NM(3)),
    ("v6_glasses", "negation", "negated",
     "Nothing she said was negative in tone.", NOT(TONE("negative")),
     "Nothing she said was positive in tone.", NOT(TONE("positive"))),
    ("v6_glasses", "comparison", "ordering",
     "She came across as more happy than neutral.",
     MORE(EX("happiness"), EX("neutral")),
     "She came across as more neutral than happy.",
     MORE(EX("neutral"), EX("happiness"))),
    ("v6_glasses", "intensity", "casual",
     "a slight neutral look, nothing more", E("neutral", "weak"),
     "a deeply neutral look, stone-faced", E("neutral", "strong")),
    ("v6_glasses", "speech_act", "casual",
     "she pays the robot a compliment", ACT("compliment"),
     "she has a go at the robot", ACT("criticism")),

    # ---- v6_party: Megamind 260, a surprise party, 6 s ------------------------------
    ("v6_party", "emotion", "casual",
     "looks kinda shocked", E("surprise", "shown"),
     "looks kinda sad", E("sadness", "shown")),
    ("v6_party", "action_unit", "rationale",
     "Her eyebrows shot up and her eyes went wide, the classic look of being startled.",
     [A(1, 2), A(5)],
     "Her eyebrows shot up and her nose wrinkled, the classic look of being startled.",
     [A(1, 2), A(9)]),
    ("v6_party", "gesture", "question",
     "Did the head tilt back, chin up, at some point?", G(HEADUP),
     "Did a hand go up to touch the hat at some point?", G(HAT)),
    ("v6_party", "time", "ordering",
     "Her head went up before the halfway mark.", G(HEADUP, "before_mid"),
     "Her head went up only after the halfway mark.", G(HEADUP, "after_mid")),
    ("v6_party", "comparison", "ordering",
     "The surprise on her face was stronger than the fear.",
     MORE(EX("surprise"), EX("fear")),
     "The fear on her face was stronger than the surprise.",
     MORE(EX("fear"), EX("surprise"))),
    ("v6_party", "prosody", "question",
     "Was there a buzz of excitement in her voice?", P("arousal", "high"),
     "Was her voice drained of energy, flat?", P("arousal", "low")),
    ("v6_party", "intensity", "rationale",
     "There is a faint trace of fear, probably just the shock of the moment.",
     E("fear", "weak"),
     "There is an overwhelming amount of fear, probably just the shock of the moment.",
     E("fear", "strong")),
    ("v6_party", "time", "ordering",
     "She took a deep breath while her head was still tipped up.", WHILE(BREATH, HEADUP),
     "She took a deep breath while touching her hat.", WHILE(BREATH, HAT)),
    ("v6_party", "speech_act", "question",
     "Was she asking a question?", ACT("question"),
     "Was she making a promise?", ACT("promise")),
    ("v6_party", "transcript", "rationale",
     "Since she says she had no idea, the surprise seems real.", S("no idea"),
     "Since she says she saw it coming, the surprise seems real.", S("saw it coming")),
    ("v6_party", "negation", "negated",
     "It isn't the case that her brows stayed down.", NOT(NOT(A(1, 2))),
     "It isn't the case that her eyes went wide.", NOT(A(5))),
    ("v6_party", "transcript", "casual",
     "words upbeat, all good news", TONE("positive"),
     "words gloomy, all bad news", TONE("negative")),
    ("v6_party", "gesture", "quantity",
     "Two body movements were strong enough to count; the hat touch was too faint.",
     [NG(2), NOT(G(HAT))],
     "Three body movements were strong enough to count, the hat touch among them.",
     [NG(3), G(HAT)]),

    # ---- v6_music: lfw 45, shouting about loud music, 11 s --------------------------
    ("v6_music", "emotion", "question",
     "Would you read his expression as repulsed?", E("disgust", "shown"),
     "Would you read his expression as frightened?", E("fear", "shown")),
    ("v6_music", "emotion", "rationale",
     "The words are furious, although his face doesn't actually show anger.",
     [TEMO("anger"), NOT(E("anger", "shown"))],
     "The words are furious, and his face clearly shows anger too.",
     [TEMO("anger"), E("anger", "shown")]),
    ("v6_music", "prosody", "casual",
     "voice: LOUD", P("energy_db", "high"),
     "voice: hushed", P("energy_db", "low")),
    ("v6_music", "prosody", "question",
     "Does his voice swoop up and down in pitch a lot?", P("f0_range_st", "high"),
     "Does his voice stay on one note, barely changing pitch?", P("f0_range_st", "low")),
    ("v6_music", "gesture", "casual",
     "arms folded from the get-go", STARTS(FOLD, 0.0, 0.5),
     "arms folded only from about 5 s in", STARTS(FOLD, 5.0, 0.5)),
    ("v6_music", "time", "quantity",
     "In the last two seconds he was shifting his torso about.", G(TORSO, ("after", 9.0)),
     "In the last two seconds he was scratching his back.", G(BACK, ("after", 9.0))),
    ("v6_music", "time", "quantity",
     "He kept his arms crossed for about eight seconds.", LASTS(FOLD, 8.0, 1.0),
     "He kept his arms crossed for about two seconds.", LASTS(FOLD, 2.0, 1.0)),
    ("v6_music", "speech_act", "question",
     "Is he telling someone to do something, i.e. issuing a command?", ACT("command"),
     "Is he saying sorry to someone, i.e. issuing an apology?", ACT("apology")),
    ("v6_music", "comparison", "ordering",
     "His chin was pushed up far more than his brows were lowered.",
     MORE(AU(17), AU(4)),
     "His brows were lowered far more than his chin was pushed up.",
     MORE(AU(4), AU(17))),
    ("v6_music", "compound", "rationale",
     "A loud voice with arms folded, which reads as an annoyed stance.",
     [P("energy_db", "high"), G(FOLD)],
     "A loud voice with hands on hips, which reads as an annoyed stance.",
     [P("energy_db", "high"), G(AKIMBO)]),
    ("v6_music", "transcript", "casual",
     "says it's 2 in the morning", S("two in the morning"),
     "says it's midnight", S("midnight")),
    ("v6_music", "negation", "negated",
     "Calm is not how his voice came over.", NOT(P("arousal", "low")),
     "Worked up is not how his voice came over.", NOT(P("arousal", "high"))),
    ("v6_music", "comparison", "ordering",
     "He uncrossed his arms first and only then started moving his torso.",
     EARLY(FOLD, TORSO),
     "He started moving his torso first and only then uncrossed his arms.",
     EARLY(TORSO, FOLD)),
    ("v6_music", "intensity", "casual",
     "a mild bit of happiness on the face, not much", E("happiness", "weak"),
     "a solid, middling amount of happiness on the face", E("happiness", "moderate")),
    ("v6_music", "action_unit", "question",
     "Was his chin raised / pushed up?", A(17),
     "Were his cheeks raised?", A(6)),

    # ---- v6_hospital: lfw 79, worried about a sister, 13 s, very quiet --------------
    ("v6_hospital", "emotion", "question",
     "Does her face have a noticeable calm, neutral component?", E("neutral", "shown"),
     "Does her face have a noticeable sad component?", E("sadness", "shown")),
    ("v6_hospital", "prosody", "casual",
     "v quiet voice, barely audible", P("energy_db", "low"),
     "pretty loud voice, easy to hear", P("energy_db", "high")),
    ("v6_hospital", "prosody", "rationale",
     "She spoke at an ordinary pace, neither rushed nor dragging, so the pace alone "
     "says little about her mood.", P("speaking_rate_sps", "normal"),
     "She spoke at a hurried, rushed pace, so the pace alone says little about her "
     "mood.", P("speaking_rate_sps", "high")),
    ("v6_hospital", "action_unit", "question",
     "Were the inner and outer brows lifted (AU1 + AU2)?", A(1, 2),
     "Any AU4 brow-lowering going on?", A(4)),
    ("v6_hospital", "gesture", "rationale",
     "She kept wringing her hands, a common sign of anxiety.", G(HANDS),
     "She kept biting her nails, a common sign of anxiety.", G(NAILS)),
    ("v6_hospital", "time", "ordering",
     "She touched her forehead while she was still wringing her hands.",
     WHILE(FOREHEAD, HANDS),
     "She touched her forehead while she was adjusting her collar.",
     WHILE(FOREHEAD, COLLAR)),
    ("v6_hospital", "time", "casual",
     "tugging at shirt collar in the closing seconds", G(COLLAR, "close"),
     "tugging at shirt collar in the opening seconds", G(COLLAR, "opening")),
    ("v6_hospital", "time", "quantity",
     "The hand-wringing went on for a good seven seconds or so.", LASTS(HANDS, 7.0, 1.0),
     "The hand-wringing went on for just two seconds or so.", LASTS(HANDS, 2.0, 1.0)),
    ("v6_hospital", "transcript", "question",
     "Did she say her sister is in hospital?", S("sister"),
     "Did she say her brother is in hospital?", S("brother")),
    ("v6_hospital", "speech_act", "rationale",
     "She is confiding something personal and upsetting.", ACT("disclosure"),
     "She is giving step-by-step instructions.", ACT("instruction")),
    ("v6_hospital", "compound", "casual",
     "quiet voice + worried words + raised brows", [P("energy_db", "low"),
                                                    TEMO("worry"), A(1, 2)],
     "quiet voice + worried words + a smile", [P("energy_db", "low"), TEMO("worry"),
                                               A(12)]),
    ("v6_hospital", "gesture", "quantity",
     "The tracker logged three distinct bodily movements, no more, no fewer.", NG(3),
     "The tracker logged a single bodily movement and nothing else.", NG(1)),
    ("v6_hospital", "negation", "negated",
     "She was not speaking in a lively, animated way.", NOT(P("arousal", "high")),
     "She was not speaking in a flat, subdued way.", NOT(P("arousal", "low"))),
    ("v6_hospital", "intensity", "negated",
     "Her neutral look was only mild, not a total blank.", E("neutral", "weak"),
     "Her neutral look was a total blank, not mild at all.", E("neutral", "strong")),
    ("v6_hospital", "comparison", "ordering",
     "She fiddled with her collar later than she touched her forehead.",
     EARLY(FOREHEAD, COLLAR),
     "She fiddled with her collar earlier than she touched her forehead.",
     EARLY(COLLAR, FOREHEAD)),
    ("v6_hospital", "modality", "question",
     "Did the mic catch words from her?", H("words"),
     "Did the mic catch nothing from her at all?", NOT(H("voice"))),

    # ---- v6_recipe: Megamind 160, a recipe, 9 s ------------------------------------
    ("v6_recipe", "action_unit", "casual",
     "cheeks up but no real smile at the lip corners", [A(6), NOT(A(12))],
     "cheeks up and a big smile at the lip corners", [A(6), A(12)]),
    ("v6_recipe", "action_unit", "question",
     "Does his upper lip curl up a bit (AU10)?", A(10),
     "Does he squeeze his lips tight (AU24)?", A(24)),
    ("v6_recipe", "gesture", "casual",
     "lots of hand-waving while he talks", G(ILLUS),
     "wringing his hands while he talks", G(HANDS)),
    ("v6_recipe", "gesture", "question",
     "Did he touch his ear at some point?", G(EARS),
     "Did he scratch his back at some point?", G(BACK)),
    ("v6_recipe", "time", "ordering",
     "The ear touch came after he had finished gesturing with his hands.",
     EARLY(ILLUS, EARS),
     "The ear touch came before he started gesturing with his hands.",
     EARLY(EARS, ILLUS)),
    ("v6_recipe", "time", "quantity",
     "About a second in, his hands started moving as he explained.",
     STARTS(ILLUS, 1.0, 0.4),
     "About five seconds in, his hands started moving as he explained.",
     STARTS(ILLUS, 5.0, 0.4)),
    ("v6_recipe", "transcript", "question",
     "Are eggs part of what he lists?", S("egg"),
     "Is butter part of what he lists?", S("butter")),
    ("v6_recipe", "speech_act", "casual",
     "he's walking someone through steps, basically instructions", ACT("instruction"),
     "he's walking someone through steps, basically an invitation", ACT("invitation")),
    ("v6_recipe", "transcript", "rationale",
     "The words themselves carry no particular feeling either way; it's just a recipe.",
     TONE("neutral"),
     "The words themselves are glowing and upbeat; it's just a recipe.",
     TONE("positive")),
    ("v6_recipe", "prosody", "rationale",
     "He kept his voice at an everyday volume, consistent with calmly reading out a "
     "recipe.", P("energy_db", "normal"),
     "He raised his voice to a loud level, consistent with calmly reading out a "
     "recipe.", P("energy_db", "high")),
    ("v6_recipe", "comparison", "ordering",
     "The cheek raiser beats the lip-corner puller by a wide margin here.",
     MORE(AU(6), AU(12)),
     "The lip-corner puller beats the cheek raiser by a wide margin here.",
     MORE(AU(12), AU(6))),
    ("v6_recipe", "intensity", "question",
     "Was there only a mild hint of disgust?", E("disgust", "weak"),
     "Was there an intense look of disgust?", E("disgust", "strong")),
    ("v6_recipe", "negation", "negated",
     "His face was anything but expressionless.", NOT(E("neutral", "shown")),
     "His face was anything but cheerful.", NOT(E("happiness", "shown"))),
    ("v6_recipe", "intensity", "casual",
     "happiness: a little, low-level", E("happiness", "weak"),
     "happiness: moderate, clearly there", E("happiness", "moderate")),
    ("v6_recipe", "emotion", "question",
     "Is there a hint of revulsion in his expression?", E("disgust", "shown"),
     "Is there a hint of rage in his expression?", E("anger", "shown")),
    ("v6_recipe", "modality", "casual",
     "face ✓ voice ✓ words ✓ body ✓", NM(4),
     "face ✗ voice ✓ words ✓ body ✓", [NOT(H("face")), NM(3)]),

    # ---- v6_refusal: lfw 23, refusing to talk, 5 s ---------------------------------
    ("v6_refusal", "emotion", "rationale",
     "Her face mostly looks neutral, so the refusal isn't written on her face.",
     E("neutral", "main"),
     "Her face mostly looks sad, so the refusal isn't written on her face.",
     E("sadness", "main")),
    ("v6_refusal", "intensity", "rationale",
     "Her neutral expression is fairly clear, moderate rather than extreme.",
     E("neutral", "moderate"),
     "Her neutral expression is barely there, faint rather than extreme.",
     E("neutral", "weak")),
    ("v6_refusal", "prosody", "casual",
     "talking reeeally slowly", P("speaking_rate_sps", "low"),
     "talking reeeally fast", P("speaking_rate_sps", "high")),
    ("v6_refusal", "action_unit", "question",
     "Is AU24, the lip pressor, active on her face?", A(24),
     "Is AU26, the jaw drop, active on her face?", A(26)),
    ("v6_refusal", "gesture", "question",
     "Did she hunch and draw her head down into her shoulders?", G(TURTLE),
     "Were her hands planted on her hips, elbows out?", G(AKIMBO)),
    ("v6_refusal", "time", "quantity",
     "She folded her arms from about the two-second mark right to the end.",
     [STARTS(FOLD, 2.0, 0.3), ENDS(FOLD, 5.0, 0.3)],
     "She folded her arms from about the two-second mark to about three and a half "
     "seconds.", [STARTS(FOLD, 2.0, 0.3), ENDS(FOLD, 3.5, 0.3)]),
    ("v6_refusal", "time", "ordering",
     "She pulled her neck in first and then folded her arms.", EARLY(TURTLE, FOLD),
     "She folded her arms first and then pulled her neck in.", EARLY(FOLD, TURTLE)),
    ("v6_refusal", "speech_act", "question",
     "Was the user turning something down?", ACT("refusal"),
     "Was the user thanking someone?", ACT("thanks")),
    ("v6_refusal", "transcript", "casual",
     "asks to be left alone", S("leave me alone"),
     "asks for a glass of water", S("water")),
    ("v6_refusal", "negation", "negated",
     "It's not true that she wasn't smiling at all.", NOT(NOT(A(12))),
     "It's not true that her brows weren't raised at all.", NOT(NOT(A(1, 2)))),
    ("v6_refusal", "compound", "quantity",
     "Slow speech, arms folded for the last three seconds, and words of refusal.",
     [P("speaking_rate_sps", "low"), LASTS(FOLD, 3.0, 0.5), ACT("refusal")],
     "Slow speech, arms folded for the last three seconds, and words of apology.",
     [P("speaking_rate_sps", "low"), LASTS(FOLD, 3.0, 0.5), ACT("apology")]),
    ("v6_refusal", "comparison", "ordering",
     "The smile was more in her mouth than in her cheeks.", MORE(AU(12), AU(6)),
     "The smile was more in her cheeks than in her mouth.", MORE(AU(6), AU(12))),
    ("v6_refusal", "time", "casual",
     "neck pulled in before the 2 s mark?", G(TURTLE, ("before", 2.0)),
     "neck pulled in after the 2 s mark?", G(TURTLE, ("after", 2.0))),
    ("v6_refusal", "emotion", "negated",
     "She didn't look frightened or surprised in the slightest.",
     NOT(OR(E("fear", "shown"), E("surprise", "shown"))),
     "She didn't look calm or neutral in the slightest.",
     NOT(E("neutral", "shown"))),

    # ---- v6_window: lfw 175 (no face), offering to open a window, 8 s ---------------
    ("v6_window", "modality", "question",
     "Can the robot hear someone in this window?", H("voice"),
     "Can the robot see someone's face in this window?", H("face")),
    ("v6_window", "modality", "rationale",
     "With no face detected, only the voice, the words and the body are there to go on.",
     [NOT(H("face")), NM(3)],
     "With no voice detected, only the face, the words and the body are there to go on.",
     [NOT(H("voice")), NM(3)]),
    ("v6_window", "negation", "negated",
     "You won't find a happy expression in this clip.", NOT(E("happiness", "shown")),
     "You won't find any audible speech in this clip.", NOT(H("voice"))),
    ("v6_window", "time", "quantity",
     "The person scratched their head about halfway through.", STARTS(HEAD, 4.0, 0.5),
     "The person scratched their head right at the beginning.", G(HEAD, "opening")),
    ("v6_window", "transcript", "question",
     "Did they offer to open the window?", S("window"),
     "Did they offer to open the door?", S("door")),
    ("v6_window", "speech_act", "question",
     "Is the speaker volunteering to do something for the listener?", ACT("offer"),
     "Is the speaker cautioning the listener about a danger?", ACT("warning")),
    ("v6_window", "prosody", "casual",
     "pitch fairly steady, nothing dramatic", P("f0_range_st", "normal"),
     "pitch swinging wildly, very dramatic", P("f0_range_st", "high")),
    ("v6_window", "transcript", "rationale",
     "The speaker mentions the room warming up, which suggests some discomfort.",
     S("warm"),
     "The speaker mentions the room getting chilly, which suggests some discomfort.",
     S("chilly", "cold")),
    ("v6_window", "gesture", "quantity",
     "The head scratch lasted about a second and a half.", LASTS(HEAD, 1.5, 0.4),
     "The head scratch lasted about five seconds.", LASTS(HEAD, 5.0, 0.4)),
    ("v6_window", "prosody", "question",
     "Is the speaker's vocal arousal mid-range, neither keyed up nor drowsy?",
     P("arousal", "normal"),
     "Is the speaker's vocal arousal sky-high, practically frantic?",
     P("arousal", "high")),
    ("v6_window", "compound", "casual",
     "no face, calm voice, offers help", [NOT(H("face")), P("arousal", "normal"),
                                          ACT("offer")],
     "no face, calm voice, refuses help", [NOT(H("face")), P("arousal", "normal"),
                                           ACT("refusal")]),

    # ---- v6_quiet: lfw 62, no speech, 14 s -----------------------------------------
    ("v6_quiet", "modality", "question",
     "Did the body tracker register any movement from the user?", H("body"),
     "Did the audio channel register any sound from the user?", H("voice")),
    ("v6_quiet", "emotion", "casual",
     "poker face, totally neutral", E("neutral", "main"),
     "kinda grumpy face", E("anger", "shown")),
    ("v6_quiet", "intensity", "question",
     "Was the neutral expression a strong one?", E("neutral", "strong"),
     "Was the neutral expression a weak one?", E("neutral", "weak")),
    ("v6_quiet", "gesture", "question",
     "Were the fingertips pressed together in a steeple (the 'minaret' gesture)?", G(MINARET),
     "Were the fingernails being chewed?", G(NAILS)),
    ("v6_quiet", "time", "quantity",
     "During the closing second or so, they clamped their lips shut.",
     G(LIPS, ("after", 12.5)),
     "During the opening second or so, they clamped their lips shut.",
     G(LIPS, ("before", 1.5))),
    ("v6_quiet", "time", "ordering",
     "The crossed fingers came before the steepled hands.", EARLY(CROSS, MINARET),
     "The crossed fingers came after the steepled hands.", EARLY(MINARET, CROSS)),
    ("v6_quiet", "gesture", "quantity",
     "The finger-steepling lasted a good six seconds.", LASTS(MINARET, 6.0, 1.0),
     "The finger-steepling lasted barely a second.", LASTS(MINARET, 1.0, 0.5)),
    ("v6_quiet", "negation", "negated",
     "The user didn't say a single word.", NOT(H("words")),
     "The user didn't move a single muscle of their body.", NOT(H("body"))),
    ("v6_quiet", "action_unit", "negated",
     "Their brows stayed relaxed, no frown.", NOT(A(4)),
     "Their brows were knitted in a frown.", A(4)),
    ("v6_quiet", "comparison", "ordering",
     "Of all the emotion labels, neutral clearly comes out on top.", TOP("neutral"),
     "Of all the emotion labels, sadness clearly comes out on top.", TOP("sadness")),
    ("v6_quiet", "compound", "casual",
     "silent, straight-faced, fingers steepled", [NOT(H("words")), E("neutral", "main"),
                                                  G(MINARET)],
     "silent, straight-faced, arms folded", [NOT(H("words")), E("neutral", "main"),
                                             G(FOLD)]),
    ("v6_quiet", "time", "casual",
     "crossed fingers in the first few secs?", G(CROSS, "opening"),
     "crossed fingers in the last few secs?", G(CROSS, "close")),
    ("v6_quiet", "emotion", "question",
     "Would a caregiver reading this clip see a straight, unreadable face?", E("neutral", "main"),
     "Would a caregiver reading this clip see signs of distress on the face?", UPSET),
]

MC: list[tuple] = [
    ("v6_glasses", "What was she doing with her hands at the very start?",
     [("Rubbing or holding them together", G(HANDS, "opening")),
      ("Folding her arms", G(FOLD)), ("Covering her face", G(COVER)),
      ("Scratching her head", G(HEAD))], 0),
    ("v6_party", "If you had to caption her facial expression with one word, which would it be?",
     [("Surprised", TOP("surprise")), ("Angry", TOP("anger")), ("Sad", TOP("sadness")),
      ("Blank", TOP("neutral"))], 0),
    ("v6_music", "Pick the description that matches how loud his voice was.",
     [("Loud", P("energy_db", "high")), ("Very quiet", P("energy_db", "low")),
      ("Ordinary volume", P("energy_db", "normal")),
      ("Flat and monotone", P("f0_range_st", "low"))], 0),
    ("v6_hospital", "Who did she say is in hospital?",
     [("Her sister", S("sister")), ("Her husband", S("husband")),
      ("Her neighbour", S("neighbour")), ("Her brother", S("brother"))], 0),
    ("v6_recipe", "What oven temperature did he mention?",
     [("Two hundred degrees", S("two hundred")),
      ("One hundred and eighty degrees", S("eighty")),
      ("Fifty degrees", S("fifty")), ("Three hundred degrees", S("three hundred"))], 0),
    ("v6_refusal", "What were her arms doing from about two seconds on?",
     [("Folded", G(FOLD, ("after", 1.8))), ("Held behind her back", G(BEHIND)),
      ("Hands on hips", G(AKIMBO)), ("Held back stiffly", G(HOLDBACK))], 0),
    ("v6_window", "Which channel was missing from this clip?",
     [("The face", NOT(H("face"))), ("The voice", NOT(H("voice"))),
      ("The words", NOT(H("words"))), ("The body", NOT(H("body")))], 0),
    ("v6_quiet", "What happened in the final second or so?",
     [("Lips pressed together", G(LIPS, ("after", 12.5))),
      ("Nail biting", G(NAILS, ("after", 12.5))),
      ("Fingers crossed", G(CROSS, ("after", 12.5))),
      ("Arms folded", G(FOLD, ("after", 12.5)))], 0),
    ("v6_hospital", "Which description of her delivery fits the measurements?",
     [("Quiet and subdued", [P("energy_db", "low"), P("arousal", "low")]),
      ("Loud and excited", [P("energy_db", "high"), P("arousal", "high")]),
      ("Normal volume and relaxed", [P("energy_db", "normal"), P("arousal", "normal")]),
      ("Loud but calm", [P("energy_db", "high"), P("arousal", "normal")])], 0),
    ("v6_glasses", "What kind of thing did she say to the robot?",
     [("Thanks", ACT("thanks")), ("A warning", ACT("warning")),
      ("A complaint", ACT("complaint")), ("An apology", ACT("apology"))], 0),
    ("v6_music", "When was he moving his torso?",
     [("In the last couple of seconds", G(TORSO, ("after", 9.0))),
      ("Right at the start", G(TORSO, "opening")),
      ("Around the five-second mark", STARTS(TORSO, 5.5, 1.0)),
      ("Never", NOT(G(TORSO)))], 0),
    ("v6_recipe", "Which of these was NOT seen?",
     [("Scratching his back", NOT(G(BACK))),
      ("Hand gestures while talking", NOT(G(ILLUS))),
      ("Touching an ear", NOT(G(EARS))), ("Raised cheeks", NOT(A(6)))], 0),
    ("v6_party", "Roughly when did her head go up?",
     [("In the first half", G(HEADUP, "before_mid")),
      ("In the second half", G(HEADUP, "after_mid")),
      ("Only in the final second", G(HEADUP, ("after", 5.0))),
      ("It never did", NOT(G(HEADUP)))], 0),
    ("v6_refusal", "What was her speech tempo like?",
     [("Slowly", P("speaking_rate_sps", "low")),
      ("At a normal pace", P("speaking_rate_sps", "normal")),
      ("Quickly", P("speaking_rate_sps", "high")),
      ("There was no voice to judge", NOT(H("voice")))], 0),
]
