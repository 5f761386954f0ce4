"""Emotion knowledge tables shared by the knowledge reasoner, the guard and the prompts.

Values are coarse, literature-level facts (circumplex positions, EMFACS prototypes,
common readings of body language), not fitted parameters. They say which way a cue
points; the knowledge reasoner weights them and always names the cue it used.
"""

from __future__ import annotations

import re

from emo_perception.labels import AU_NAMES, EMFACS_PROTOTYPES

# Approximate circumplex positions (valence, arousal) in -1..1 (Russell-style layouts).
CIRCUMPLEX: dict[str, tuple[float, float]] = {
    "happiness": (0.8, 0.4),
    "surprise": (0.1, 0.8),
    "fear": (-0.6, 0.7),
    "anger": (-0.6, 0.7),
    "disgust": (-0.6, 0.3),
    "sadness": (-0.7, -0.4),
    "contempt": (-0.5, 0.1),
    "neutral": (0.0, 0.0),
    "anxiety": (-0.5, 0.5),
    "helplessness": (-0.6, -0.3),
    "disappointment": (-0.5, -0.2),
}

POSITIVE = frozenset({"happiness"})
NEGATIVE = frozenset({"fear", "anger", "disgust", "sadness", "contempt", "anxiety",
                      "helplessness", "disappointment"})

# Micro-gesture readings (iMiGUE names; SMG names map onto them below): valence and arousal
# shifts plus the emotions the gesture is commonly read as. Self-touch and self-soothing
# gestures are the classic stress/negative cues; open illustrative gestures and an
# upright head the positive/engaged ones (iMiGUE's win/lose and SMG's relaxed/stressed).
GESTURE_KNOWLEDGE: dict[str, tuple[float, float, tuple[str, ...], str]] = {
    "Turtle neck": (-0.3, 0.2, ("fear", "anxiety"), "protective shrinking"),
    "Bulging face, deep breath": (-0.2, 0.3, ("anxiety", "anger"), "tension release"),
    "Touching hat": (-0.1, 0.1, ("anxiety",), "self-adjusting"),
    "Touching or scratching head": (-0.2, 0.2, ("anxiety",), "self-touch under stress"),
    "Touching or scratching forehead": (-0.3, 0.2, ("sadness", "anxiety"), "self-touch"),
    "Covering face": (-0.5, 0.2, ("sadness", "fear", "helplessness"), "hiding the face"),
    "Rubbing eyes": (-0.3, -0.2, ("sadness", "helplessness"), "fatigue or distress"),
    "Touching or scratching facial parts": (-0.2, 0.1, ("anxiety",), "self-touch"),
    "Touching ears": (-0.1, 0.1, ("anxiety",), "self-touch"),
    "Biting nails": (-0.4, 0.4, ("anxiety", "fear"), "nervous self-soothing"),
    "Touching jaw": (-0.1, 0.0, ("anxiety",), "evaluating or uneasy"),
    "Touching or scratching neck": (-0.3, 0.2, ("anxiety", "fear"), "pacifying self-touch"),
    "Playing or adjusting hair": (-0.1, 0.2, ("anxiety",), "self-grooming"),
    "Buckle button, pulling shirt collar, adjusting tie": (-0.2, 0.3, ("anxiety",),
                                                           "relieving tension"),
    "Touching or covering suprasternal notch": (-0.4, 0.3, ("fear", "anxiety"),
                                                "protecting the neck dimple"),
    "Scratching back": (-0.1, 0.1, (), "self-touch"),
    "Folding arms": (-0.3, 0.0, ("anger", "contempt", "disappointment"), "closed posture"),
    "Dustoffing clothes": (-0.1, 0.1, ("contempt",), "dismissive grooming"),
    "Putting arms behind body": (0.0, -0.1, (), "restrained posture"),
    "Moving torso": (0.0, 0.3, (), "restlessness"),
    "Sitting straightly": (0.1, 0.1, (), "attentive posture"),
    "Scratching or touching arms": (-0.2, 0.1, ("anxiety",), "self-touch"),
    "Rubbing or holding hands": (-0.2, 0.2, ("anxiety",), "self-soothing"),
    "Crossing fingers": (-0.1, 0.2, ("anxiety",), "hoping or tense"),
    "Minaret gesture": (0.3, 0.1, ("happiness",), "confidence display"),
    "Playing or manipulating objects": (-0.1, 0.2, ("anxiety",), "displacement activity"),
    "Hold back arms": (-0.1, 0.0, (), "restrained posture"),
    "Head up": (0.3, 0.2, ("happiness",), "pride or confidence"),
    "Pressing lips": (-0.3, 0.2, ("anger", "sadness"), "suppressing a reaction"),
    "Arms akimbo": (-0.1, 0.4, ("anger",), "dominance or impatience"),
    "Shaking shoulders": (0.2, 0.5, ("happiness",), "laughing or shrugging"),
    "Illustrative hand gestures": (0.2, 0.4, ("happiness",), "engaged speaking"),
    "Touching nose": (-0.2, 0.1, ("anxiety",), "self-touch"),
}

SMG_TO_IMIGUE: dict[str, str] = {
    "Turtling neck and shoulder": "Turtle neck",
    "Rubbing eyes and forehead": "Rubbing eyes",
    "Folding arms": "Folding arms",
    "Touching or covering suprasternal notch": "Touching or covering suprasternal notch",
    "Touching or scratching neck": "Touching or scratching neck",
    "Folding arms behind body": "Putting arms behind body",
    "Rubbing hands and crossing finger": "Rubbing or holding hands",
    "Arms akimbo": "Arms akimbo",
    "Playing or adjusting hair": "Playing or adjusting hair",
    "Pulling shirt collar": "Buckle button, pulling shirt collar, adjusting tie",
    "Illustrative hand gestures": "Illustrative hand gestures",
}

# Emotion words in speech (lower case stems) -> emotion. Negation is handled by the caller.
EMOTION_WORDS: dict[str, str] = {
    "happy": "happiness", "glad": "happiness", "great": "happiness", "love": "happiness",
    "wonderful": "happiness", "delighted": "happiness", "thrilled": "happiness",
    "excited": "happiness", "fantastic": "happiness", "thank": "happiness",
    "enjoy": "happiness", "pleased": "happiness",
    "sad": "sadness", "unhappy": "sadness", "miss": "sadness", "lonely": "sadness",
    "depressed": "sadness", "cry": "sadness", "heartbroken": "sadness",
    "angry": "anger", "furious": "anger", "annoyed": "anger", "hate": "anger",
    "mad": "anger", "irritated": "anger",
    "afraid": "fear", "scared": "fear", "terrified": "fear", "frightened": "fear",
    "worried": "anxiety", "nervous": "anxiety", "anxious": "anxiety", "stressed": "anxiety",
    "disgusting": "disgust", "gross": "disgust", "disgusted": "disgust", "yuck": "disgust",
    "surprised": "surprise", "wow": "surprise", "unexpected": "surprise",
    "amazed": "surprise", "shocked": "surprise",
    "disappointed": "disappointment", "helpless": "helplessness",
}
NEGATORS = frozenset({"not", "no", "never", "n't", "nothing", "hardly", "isn't", "wasn't",
                      "don't", "didn't", "aren't", "without"})

# Emotions outside a label set fold onto the nearest basic emotion.
FOLD: dict[str, str] = {"anxiety": "fear", "helplessness": "sadness",
                        "disappointment": "sadness", "contempt": "disgust"}

LABEL_SYNONYMS: dict[str, str] = {
    "happy": "happiness", "joy": "happiness", "joyful": "happiness", "smiling": "happiness",
    "sad": "sadness", "angry": "anger", "mad": "anger", "surprised": "surprise",
    "scared": "fear", "afraid": "fear", "fearful": "fear", "disgusted": "disgust",
    "contemptuous": "contempt", "anxious": "anxiety", "helpless": "helplessness",
    "disappointed": "disappointment", "calm": "neutral",
}


def fold_label(emotion: str, labels: tuple[str, ...]) -> str | None:
    """``emotion`` if it is in ``labels``, else its fold target if that is, else None."""
    if emotion in labels:
        return emotion
    target = FOLD.get(emotion)
    if target in labels:
        return target
    if target == "disgust" and "disgust" not in labels:
        return None
    return None


def canonical_gesture(name: str) -> str | None:
    """The iMiGUE name of a gesture named in any case, or by its SMG name; None if unknown."""
    low = name.strip().lower()
    for known in GESTURE_KNOWLEDGE:
        if known.lower() == low:
            return known
    for smg, imigue in SMG_TO_IMIGUE.items():
        if smg.lower() == low:
            return imigue
    return None


_AU_RE = re.compile(r"\bAU\s*0*(\d{1,2})\b", re.IGNORECASE)


def au_code(name: str) -> int | None:
    """FACS code from "AU12", "au 12", "AU12 (lip corner puller)" or "lip corner puller"."""
    match = _AU_RE.search(name)
    if match:
        return int(match.group(1))
    low = name.strip().lower()
    for code, au_name in AU_NAMES.items():
        if au_name in low:
            return code
    return None


def au_label(code: int) -> str:
    return f"AU{code} ({AU_NAMES.get(code, 'unnamed')})"


def emfacs_variants(emotion: str) -> tuple[tuple[int, ...], ...]:
    return EMFACS_PROTOTYPES.get(emotion, ())
