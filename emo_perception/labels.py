"""Label sets shared by stages, models, messages and evaluation.

Names and orders follow the datasets' public material (see docs/labels.md) so that
models trained elsewhere on these datasets drop in.
"""

from __future__ import annotations

IMIGUE_CLASSES: tuple[str, ...] = (
    "Turtle neck",
    "Bulging face, deep breath",
    "Touching hat",
    "Touching or scratching head",
    "Touching or scratching forehead",
    "Covering face",
    "Rubbing eyes",
    "Touching or scratching facial parts",
    "Touching ears",
    "Biting nails",
    "Touching jaw",
    "Touching or scratching neck",
    "Playing or adjusting hair",
    "Buckle button, pulling shirt collar, adjusting tie",
    "Touching or covering suprasternal notch",
    "Scratching back",
    "Folding arms",
    "Dustoffing clothes",
    "Putting arms behind body",
    "Moving torso",
    "Sitting straightly",
    "Scratching or touching arms",
    "Rubbing or holding hands",
    "Crossing fingers",
    "Minaret gesture",
    "Playing or manipulating objects",
    "Hold back arms",
    "Head up",
    "Pressing lips",
    "Arms akimbo",
    "Shaking shoulders",
    "Illustrative hand gestures",
)

# EALD extends the iMiGUE ids past 31 for non-facial body language.
EALD_EXTRA_CLASSES: dict[int, str] = {34: "Touching nose"}

SMG_CLASSES: tuple[str, ...] = (
    "Turtling neck and shoulder",
    "Rubbing eyes and forehead",
    "Folding arms",
    "Touching or covering suprasternal notch",
    "Moving legs",
    "Touching or scratching neck",
    "Folding arms behind body",
    "Rubbing hands and crossing finger",
    "Arms akimbo",
    "Crossing legs",
    "Scratching some part of body",
    "Scratching or touching facial parts other than eyes",
    "Playing or adjusting hair",
    "Holding arms",
    "Pulling shirt collar",
    "Playing with jewelry, and manipulating other objects",
    "Illustrative hand gestures",
)

BP4D_AUS: tuple[int, ...] = (1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24)
DISFA_AUS: tuple[int, ...] = (1, 2, 4, 6, 9, 12, 25, 26)

AU_NAMES: dict[int, str] = {
    1: "inner brow raiser",
    2: "outer brow raiser",
    4: "brow lowerer",
    5: "upper lid raiser",
    6: "cheek raiser",
    7: "lid tightener",
    9: "nose wrinkler",
    10: "upper lip raiser",
    12: "lip corner puller",
    14: "dimpler",
    15: "lip corner depressor",
    16: "lower lip depressor",
    17: "chin raiser",
    20: "lip stretcher",
    23: "lip tightener",
    24: "lip pressor",
    25: "lips part",
    26: "jaw drop",
    43: "eyes closed",
    45: "blink",
}

# Facial expression label sets (lower-case names used on every topic).
BASIC7: tuple[str, ...] = (
    "surprise", "fear", "disgust", "happiness", "sadness", "anger", "neutral",
)
BASIC8: tuple[str, ...] = BASIC7 + ("contempt",)
MAFW11: tuple[str, ...] = BASIC8 + ("anxiety", "helplessness", "disappointment")

EXPRESSION_LABEL_SETS: dict[str, tuple[str, ...]] = {
    "basic7": BASIC7,
    "basic8": BASIC8,
    "mafw11": MAFW11,
}

# EMFACS prototypes: emotion -> AU combinations (first is the prototype, rest variants).
EMFACS_PROTOTYPES: dict[str, tuple[tuple[int, ...], ...]] = {
    "happiness": ((6, 12), (6, 12, 25)),
    "sadness": ((1, 4, 15),),
    "surprise": ((1, 2, 5, 26),),
    "fear": ((1, 2, 4, 5, 7, 20, 26), (1, 2, 4, 5, 20, 26), (1, 2, 4, 5, 20, 25)),
    "anger": ((4, 5, 7, 23), (4, 5, 7, 24)),
    "disgust": ((9, 15, 16), (9, 15, 17), (10, 17)),
    "contempt": ((12, 14),),  # unilateral only
}

# REP-155 (ROS4HRI) expression names for the bridge.
REP155_EXPRESSION_NAMES: dict[str, str] = {
    "neutral": "neutral",
    "happiness": "happy",
    "sadness": "sad",
    "anger": "angry",
    "surprise": "surprised",
    "disgust": "disgusted",
    "fear": "scared",
    "contempt": "contempt",
}


def imigue_name(class_id: int) -> str:
    """Name of an iMiGUE (or EALD-extended) class id; raises KeyError if unknown."""
    if 0 <= class_id < len(IMIGUE_CLASSES):
        return IMIGUE_CLASSES[class_id]
    return EALD_EXTRA_CLASSES[class_id]


def expression_labels(label_set: str) -> tuple[str, ...]:
    """Labels of a named expression label set, with a clear error for unknown names."""
    try:
        return EXPRESSION_LABEL_SETS[label_set]
    except KeyError:
        raise ValueError(
            f"unknown expression label set {label_set!r}; "
            f"choose one of {sorted(EXPRESSION_LABEL_SETS)}"
        ) from None
