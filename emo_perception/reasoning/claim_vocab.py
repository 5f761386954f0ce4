"""Everyday paraphrases the claim reader (claims.py) understands, by category.

Written from general English usage and the FACS / iMiGUE / prosody literature, before
looking at the individual failures of any QA set, so that the reader generalises to
wording nobody wrote for it. Each list says what a phrase claims; claims.py says how a
claim is checked. Regular expressions run on lower-cased text with straight quotes.

Ambiguous words map to several readings (``EMOTION_ANY``, ``GESTURE_GROUPS``): a claim
with alternatives holds when one of them does and fails only when all are contradicted.
"""

from __future__ import annotations

# -- emotions --------------------------------------------------------------------------
# Single words -> label (MAFW11 names; claims.py folds them for smaller sets).
EMOTION_SYNONYMS: dict[str, str] = {
    **{w: "happiness" for w in (
        "cheery", "chirpy", "sunny", "ecstatic", "euphoric", "blissful", "radiant",
        "contented", "satisfied", "gratified", "jubilant", "exuberant", "triumphant",
        "playful", "lighthearted", "light-hearted", "good-humoured", "good-humored",
        "happier", "happiest", "smiley", "giddy", "buoyant", "chuffed", "tickled",
        "bubbly", "sparkling", "glowing", "elation", "gladness", "cheerfulness", "bliss",
        "pleasure", "pleasant", "positive-looking")},
    **{w: "sadness" for w in (
        "glum", "downhearted", "crestfallen", "forlorn", "mournful", "woeful", "wistful",
        "melancholic", "sombre", "somber", "dispirited", "disheartened", "low-spirited",
        "teary", "weepy", "crying", "tearful", "sorrowful", "grief-stricken", "morose",
        "doleful", "saddened", "sadder", "saddest", "heavy-hearted", "unhappiness",
        "misery", "despair", "desolate", "bereft", "mopey", "mopy", "sullen", "moping")},
    **{w: "anger" for w in (
        "cross", "fuming", "seething", "grumpy", "exasperated", "frustrated",
        "frustration", "irked", "indignant", "outraged", "outrage", "riled", "vexed",
        "cranky", "huffy", "bad-tempered", "aggressive", "antagonistic", "incensed",
        "infuriated", "wrathful", "belligerent", "testy", "peeved", "grouchy", "snappy",
        "snappish", "bitter", "aggravated", "heated", "angrier", "angriest", "agitation")},
    **{w: "fear" for w in (
        "petrified", "spooked", "panicky", "panic-stricken", "horrified", "timid",
        "fearfulness", "dread", "dreading", "intimidated", "threatened", "cowering",
        "trembling", "shaken", "scared-looking")},
    **{w: "anxiety" for w in (
        "jittery", "jumpy", "edgy", "apprehensive", "restless", "fretful", "concerned",
        "flustered", "unsettled", "uptight", "insecure", "troubled", "agitated",
        "antsy", "fidgety", "worrying", "nervy", "tension", "unease")},
    **{w: "disgust" for w in (
        "appalled", "nauseous", "queasy", "repelled", "revulsed", "grossed-out",
        "distaste", "repugnance", "loathing")},
    **{w: "surprise" for w in (
        "flabbergasted", "dumbfounded", "astounded", "bewildered", "incredulous",
        "gobsmacked", "speechless", "staggered", "thunderstruck", "agape", "surprising")},
    **{w: "neutral" for w in (
        "unemotional", "emotionless", "unmoved", "stoic", "stony", "stone-faced",
        "straight-faced", "unexpressive", "unreadable", "placid", "serene", "calm",
        "calmness", "composure", "collected", "even-tempered", "unruffled", "blank")},
    **{w: "contempt" for w in (
        "dismissive", "condescending", "smug", "scoffing", "derisive", "mocking",
        "sneer", "haughty", "sarcastic")},
    **{w: "disappointment" for w in (
        "disillusioned", "deflated", "dismayed", "disenchanted", "disappointing")},
    **{w: "helplessness" for w in (
        "defeated", "resigned", "hopeless", "overwhelmed", "despairing")},
}

# Multi-word phrases -> label.
EMOTION_PHRASES_MORE: dict[str, str] = {
    "in good spirits": "happiness", "in high spirits": "happiness",
    "in a good mood": "happiness", "over the moon": "happiness",
    "on cloud nine": "happiness", "on top of the world": "happiness",
    "full of joy": "happiness", "lit up": "happiness",
    "feeling down": "sadness", "felt down": "sadness", "looked down in the dumps": "sadness",
    "down in the dumps": "sadness", "in low spirits": "sadness", "low mood": "sadness",
    "close to tears": "sadness", "on the verge of tears": "sadness", "in tears": "sadness",
    "ticked off": "anger", "put out": "anger", "pissed off": "anger", "bent out of shape":
    "anger", "at the end of their tether": "anger", "lost their temper": "anger",
    "on edge": "anxiety", "ill at ease": "anxiety", "wound up": "anxiety",
    "stressed out": "anxiety", "keyed up": "anxiety", "a bundle of nerves": "anxiety",
    "scared stiff": "fear", "frozen with fear": "fear", "scared to death": "fear",
    "caught off guard": "surprise", "in disbelief": "surprise", "caught by surprise":
    "surprise", "thrown off": "surprise",
    "turned off": "disgust", "put off": "disgust",
    "no emotion": "neutral", "no emotions": "neutral", "no feelings": "neutral",
    "no expression": "neutral", "no particular emotion": "neutral",
    "no clear emotion": "neutral", "no visible emotion": "neutral",
    "no obvious emotion": "neutral", "no real emotion": "neutral",
    "nothing much": "neutral", "poker face": "neutral", "neutral expression": "neutral",
    "gives little away": "neutral", "gave little away": "neutral",
    "giving little away": "neutral", "give little away": "neutral",
    "gives nothing away": "neutral", "gave nothing away": "neutral",
    "giving nothing away": "neutral", "give nothing away": "neutral",
    "gives away nothing": "neutral", "gave away nothing": "neutral",
    "gives away little": "neutral", "gave away little": "neutral",
    "matter-of-fact": "neutral", "matter of fact": "neutral",
    "looking down on": "contempt", "rolled their eyes": "contempt",
    "let-down": "disappointment", "felt let down": "disappointment",
    "at a loss": "helplessness", "gave up": "helplessness", "given up": "helplessness",
}

# Words that name no single emotion: any of these readings makes the claim true.
EMOTION_ANY: dict[str, tuple[str, ...]] = {
    "upset": ("sadness", "anger", "disappointment"),
    "distressed": ("sadness", "fear", "anxiety"),
    "distress": ("sadness", "fear", "anxiety"),
    "unsettled": ("anxiety", "fear"),
    "troubled": ("anxiety", "sadness"),
    "hurt": ("sadness", "disappointment"),
    "regret": ("sadness", "disappointment"), "regretful": ("sadness", "disappointment"),
    "remorse": ("sadness", "disappointment"), "remorseful": ("sadness", "disappointment"),
    "rueful": ("sadness", "disappointment"),
    "relaxed": ("neutral", "happiness"),
    "at ease": ("neutral", "happiness"),
    "in a bad mood": ("anger", "sadness"),
    "bad mood": ("anger", "sadness"),
    "worked up": ("anger", "anxiety", "fear"),
    "emotional": ("sadness", "happiness", "anger", "fear", "surprise", "disgust"),
    "startled": ("surprise", "fear"),
    "horror": ("fear", "disgust"),
    "disturbed": ("fear", "disgust", "anxiety"),
    "shaken up": ("fear", "surprise"),
}

# Emotion words that are strong by themselves ("ecstatic" is no mild joy).
STRONG_EMOTION_WORDS = frozenset((
    "ecstatic", "euphoric", "overjoyed", "furious", "livid", "enraged", "terrified",
    "petrified"))

# Intensity qualifiers (regex alternatives, added to claims.INTENSITY_WORDS).
WEAK_MORE = (r"a tad|a touch|a trace|trace of|touch of|kind of|sort of|marginally|"
             r"not very|not particularly|low-key|muted|a little bit|ever so slightly|"
             r"only just|minimal\w*|mildly|lightly|tiny bit|hint of|somewhat faint")
MODERATE_MORE = (r"reasonably|mid-level|medium-strength|medium-level|quite|rather|"
                 r"moderate(?:ly)?|partly|partially|to some extent|"
                 r"in between|middle")
STRONG_MORE = (r"severe\w*|incredibly|terribly|awfully|hugely|utterly|totally|completely|"
               r"absolutely|"
               r"thoroughly|super|truly|markedly|strikingly|powerfully|heavily|enormously|"
               r"exceptionally|remarkably|unmistakabl\w*|intensely|fiercely|wildly|"
               r"massively|tremendously|full-on|huge|over-the-top|over the top|off the charts|"
               r"as (?:big|strong|intense|wide|broad|full|"
               r"clear) as (?:it|they|one|a \w+) (?:gets|get|can be|comes|come)|at full "
               r"strength|full strength|"
               r"overwhelmed with|beaming with|bursting with|visibly very")

# -- action units ----------------------------------------------------------------------
# Extra everyday phrasing -> FACS codes (any counts); tried after claims.AU_RULES.
AU_PARAPHRASES: list[tuple[str, tuple[int, ...]]] = [
    (r"brow[- ]?drop\w*|brows? (?:dropp\w*|drop|drops|came down)", (4,)),
    (r"mouth(?:\s+\w+){0,2}\s+(?:turned|turning|curv\w*|curled|pulled|went)\s+up(?:ward)?|"
     r"upturned (?:mouth|lips|corners)|smirk\w*|smiley", (12,)),
    (r"mouth(?:\s+\w+){0,2}\s+(?:turned|turning|turns|pulled|drawn|drooping|drooped|"
     r"droop\w*|sagg\w*|curv\w*|curled|bent|pointed|angled)\s+down(?:ward)?|"
     r"(?:drooping|sagging|downturned|down-turned|turned-down|downward) (?:mouth|lips?|"
     r"corners?)|corners?(?:\s+\w+){0,3}\s+(?:droop\w*|sag\w*|sank|sunk|fell|dropped)|"
     r"(?:sad|unhappy) mouth|upside-down smile", (15,)),
    (r"crow'?s[- ]feet|(?:crinkl|crink)\w*(?:\s+\w+){0,2}\s+eyes|eyes(?:\s+\w+){0,2}\s+"
     r"crinkl\w*|smiling eyes|cheeks(?:\s+\w+){0,2}\s+(?:bunched|puffed up|pushed up)",
     (6,)),
    (r"(?:crease|creas|pucker|wrinkl)\w*(?:\s+\w+){0,2}\s+(?:brow|forehead between)|"
     r"(?:brow|brows)(?:\s+\w+){0,2}\s+(?:creased|puckered|knotted|bunched)|glower\w*|"
     r"glar\w*|(?:eye)?brows?(?:\s+\w+){0,2}\s+(?:pulled|drawn|knit)\s+(?:down|in|together)|"
     r"(?:angry|cross|stern) brows?|v-shaped brows?", (4,)),
    (r"arch\w*(?:\s+\w+){0,2}\s+(?:eye)?brows?|(?:eye)?brows?(?:\s+\w+){0,2}\s+(?:arched|"
     r"lifted high|flew up|went high|high up)|eyebrows? high|brows? high|brow flash",
     (1, 2)),
    (r"eyes(?:\s+\w+){0,2}\s+(?:opened wide|popping|bulging|big and round|like saucers|pop\w* "
     r"open|flew open|went wide)|"
     r"(?:wide|widened|wide-open) eyes|staring eyes|eyes? went big|saucer-eyed",
     (5,)),
    (r"squint\w*|narrow\w*(?:\s+\w+){0,2}\s+eyes|eyes(?:\s+\w+){0,2}\s+narrow\w*|"
     r"eyes? (?:tightened|tight)", (7,)),
    (r"(?:crinkl|screw|pinch)\w*(?:\s+\w+){0,2}\s+nose|nose(?:\s+\w+){0,2}\s+(?:crinkl\w*|"
     r"scrunched|screwed up|wrinkled)", (9,)),
    (r"curl\w*(?:\s+\w+){0,2}\s+lips?|lips?(?:\s+\w+){0,2}\s+curl\w* up|lip curl\w*|"
     r"upper lip(?:\s+\w+){0,2}\s+(?:raised|lifted|pulled up|curled)", (10,)),
    (r"chin(?:\s+\w+){0,2}\s+(?:wrinkl\w*|pucker\w*|trembl\w*|quiver\w*|dimpl\w*|up)\b|"
     r"(?:wrinkl|pucker)\w*(?:\s+\w+){0,2}\s+chin|quivering chin", (17,)),
    (r"grimac\w*|lips?(?:\s+\w+){0,2}\s+(?:stretched|pulled wide|drawn back)|"
     r"(?:mouth|lips?)(?:\s+\w+){0,2}\s+stretched (?:sideways|wide|tight)", (20,)),
    (r"tight-?lipped|thin-?lipped|lips?(?:\s+\w+){0,2}\s+(?:tight\w*|thin\w*|"
     r"pressed (?:tight|thin|hard)|clamped)|(?:tight|thin|firm) lips|pursed", (23, 24)),
    (r"mouth(?:\s+\w+){0,2}\s+(?:slightly |a little |partly |half )?open\b|"
     r"(?:slightly|partly|half)[- ]open mouth|lips?(?:\s+\w+){0,2}\s+(?:apart|separated|"
     r"slightly open)|open lips", (25, 26)),
    # an open mouth is parted lips or a dropped jaw, whichever was measured
    (r"open-mouthed|mouth(?:\s+\w+){0,2}\s+(?:fell open|dropped open|opened)|jaw(?:\s+\w+){0,2}"
     r"\s+parted",
     (25, 26)),
    (r"gaping|gaped|agape|mouth(?:\s+\w+){0,2}\s+(?:wide open|hung open|opened wide)|"
     r"jaw(?:\s+\w+){0,2}\s+(?:slack|loose|dropped|fell open|dropped open|hung open)|"
     r"slack-jawed",
     (26,)),
    (r"eyes? (?:were |was )?(?:shut|closed)|closed (?:their|his|her) eyes|"
     r"(?:screwed|squeezed) (?:their|his|her)? ?eyes shut", (43,)),
    (r"blink\w*|flutter\w*(?:\s+\w+){0,2}\s+(?:eyelids|lashes)", (45,)),
]

# -- micro-gestures --------------------------------------------------------------------
# Extra phrasing -> iMiGUE class; tried after claims.GESTURE_RULES.
GESTURE_PARAPHRASES: list[tuple[str, str]] = [
    # noun compounds ("the jaw touch", "the hand-talking", "fists-on-hips")
    (r"jaw[- ]?(?:touch|rub|strok)\w*", "Touching jaw"),
    (r"hand[- ]?talk\w*|hand movements? (?:that )?(?:went|go|goes|going) with (?:the |their "
     r"|his |her )?(?:speech|words|talking)", "Illustrative hand gestures"),
    (r"hand[- ]?(?:rubb|wring)\w*|rubb\w* (?:of )?(?:the |their |his |her )?hands",
     "Rubbing or holding hands"),
    (r"hair[- ]?(?:fiddl|adjust|fix|tug|pull|twiddl|twirl|twist)\w*|(?:twiddl|twirl|fiddl)\w* "
     r"(?:with |at )?(?:their |his |her |the )?hair", "Playing or adjusting hair"),
    (r"(?:hands?|fists?)[- ]on[- ](?:the[- ]|their[- ]|his[- ]|her[- ])?hips", "Arms akimbo"),
    (r"(?:hands?|fists?|arms?)\s+(?:go|goes|went|going|gone|move|moved|moving|come|came|"
     r"coming|placed|put|rest\w*|planted|set)\s+(?:up\s+)?(?:to|on|onto)\s+(?:the|their|his|"
     r"her|both)\s+(?:hips|waist)", "Arms akimbo"),
    (r"fingertip[- ]?tent\w*|tent\w* (?:their |his |her |the )?fingers|fingers? (?:were |was )?"
     r"tented|tented fingers", "Minaret gesture"),
    (r"arms?(?:\s+\w+){0,3}\s+across\s+" + r"(?:their|his|her|the)\s+(?:chest|body|front)|"
     r"arms? (?:locked|tucked) (?:across|over)", "Folding arms"),
    (r"(?:hand|hands|fingers?)(?:\s+\w+){0,3}\s+(?:in|through|to|on)\s+(?:their|his|her|"
     r"the)\s+hair|(?:tuck|flick|twirl|twist|curl|brush|push|sweep|smooth|comb|tousl)\w*"
     r"(?:\s+\w+){0,4}\s+hair|hair[- ]?(?:twirl|touch|play|flick)\w*",
     "Playing or adjusting hair"),
    (r"(?:hand|hands)(?:\s+\w+){0,2}\s+(?:on|to|against)\s+(?:their|his|her|the)\s+"
     r"forehead|(?:wip|mop)\w*(?:\s+\w+){0,2}\s+(?:brow|forehead)|(?:massag|rub)\w*"
     r"(?:\s+\w+){0,2}\s+temples?|temples?(?:\s+\w+){0,2}\s+(?:rubbed|massaged)",
     "Touching or scratching forehead"),
    (r"(?:hand|hands)(?:\s+\w+){0,2}\s+(?:on|over|to)\s+(?:top of\s+)?(?:their|his|her|the)"
     r"\s+head|scalp|(?:ran|run|runs|running)\s+a\s+hand\s+over\s+(?:their|his|her)\s+head",
     "Touching or scratching head"),
    (r"face\s+in\s+(?:their|his|her)\s+hands|hands?(?:\s+\w+){0,2}\s+(?:over|across)\s+"
     r"(?:their|his|her|the)\s+face|facepalm\w*|face[- ]?palm\w*|hid\w*(?:\s+\w+){0,2}\s+"
     r"behind\s+(?:their|his|her)\s+hands|peek\w*\s+through\s+(?:their|his|her)\s+fingers|"
     r"face(?:\s+\w+){0,2}\s+(?:disappeared|vanished|went|was hidden|hid|sank)\s+(?:behind|"
     r"into|in)\s+(?:both\s+|the\s+|their\s+|his\s+|her\s+)?(?:hands|palms)|behind (?:both|"
     r"their|his|her) hands", "Covering face"),
    (r"mouth(?:\s+\w+){0,2}\s+(?:pressed|clamped|squeezed|held) (?:shut|tight|closed|"
     r"together)|(?:pressed|clamped|squeezed) (?:their|his|her|the) mouth (?:shut|closed)",
     "Pressing lips"),
    (r"(?:wip|dab|knuckl|rub|rubb|press)\w*(?:\s+\w+){0,3}\s+(?:at\s+)?(?:their|his|her|the)"
     r"\s+eyes|(?:wip|dab)\w*(?:\s+\w+){0,2}\s+tears", "Rubbing eyes"),
    (r"(?:hand|finger|fingers)(?:\s+\w+){0,2}\s+(?:over|on|to|at|against)\s+(?:their|his|"
     r"her|the)\s+(?:mouth|lips|nose|cheek|cheeks)|(?:tap|pick|pinch|cover)\w*(?:\s+\w+)"
     r"{0,3}\s+(?:mouth|lips|nose|cheek|cheeks)\b|rested\s+(?:their|his|her)\s+cheek",
     "Touching or scratching facial parts"),
    (r"(?:tug|pull|rub|rubb|touch|pinch|fiddl|play|toy|twiddl|scratch)\w*(?:\s+\w+){0,3}\s+"
     r"(?:ear|earlobes?|ears)\b|ear ?lobes?", "Touching ears"),
    (r"(?:fingers?|fingernails?|thumb)(?:\s+\w+){0,2}\s+(?:in|into|between)\s+(?:their|"
     r"his|her)\s+(?:mouth|teeth)|(?:chew|gnaw|nibbl)\w*(?:\s+\w+){0,3}\s+(?:fingers?|"
     r"thumb|cuticles?)|nail-?biting|bit\w* (?:at )?(?:their|his|her) (?:fingers|thumb)|"
     r"pick\w* at (?:their|his|her|the) (?:finger)?nails",
     "Biting nails"),
    (r"(?:hand|hands|palm|fingers?|fist)\s+(?:\w+\s+)?(?:on|under|against|cupping|"
     r"propping up|supporting)\s+(?:their|his|her|the)\s+(?:chin|jaw)\b|"
     r"(?:strok|rub|rubb|scratch|hold|held|cup|cupp|rest)\w*(?:\s+\w+){0,3}\s+chin|"
     r"chin\s+(?:in|on)\s+(?:their|his|her|one)\s+hands?|hand\s+(?:on|under)\s+(?:their|"
     r"his|her|the)\s+(?:chin|jaw)", "Touching jaw"),
    (r"(?:rub|rubb|scratch|massag|grab|grabb|clutch|hold|held|touch)\w*(?:\s+\w+){0,4}\s+"
     r"(?:nape|back of (?:their|his|her|the) neck)|hand\s+(?:on|behind|to)\s+(?:their|"
     r"his|her|the)\s+neck", "Touching or scratching neck"),
    (r"(?:hand|hands|fingers?)(?:\s+\w+){0,2}\s+(?:on|to|at|over)\s+(?:their|his|her|the)"
     r"\s+(?:throat|collarbone|upper chest|chest)|(?:clutch|grab|touch)\w*(?:\s+\w+){0,2}"
     r"\s+(?:their|his|her|the)\s+(?:throat|chest)", "Touching or covering suprasternal notch"),
    (r"(?:tug|pull|straighten|fiddl|fix|loosen|adjust)\w*(?:\s+\w+){0,3}\s+(?:shirt|"
     r"collar|tie|sleeves?|buttons?|jacket|cuffs?|clothes|clothing)", "Buckle button, "
     "pulling shirt collar, adjusting tie"),
    (r"(?:brush|dust|flick|swat|pick)\w*(?:\s+\w+){0,3}\s+(?:lint|fluff|crumbs|dust)|"
     r"(?:brush|smooth)\w*(?:\s+\w+){0,2}\s+(?:down\s+)?(?:their|his|her)\s+(?:trousers|"
     r"pants|skirt|sleeves?|lap)", "Dustoffing clothes"),
    (r"(?:hands?|arms?)(?:\s+\w+){0,3}\s+(?:clasped|folded|locked|tucked|held)\s+behind|"
     r"(?:clasp|hold|held|keep|kept|tuck)\w*(?:\s+\w+){0,3}\s+(?:hands|arms)\s+behind|"
     r"hands? out of sight behind|(?:hands?|arms?)(?:\s+\w+){0,2}\s+behind\s+(?:them|him|"
     r"her|themselves|himself|herself)\b", "Putting arms behind body"),
    (r"(?:sway|rock|lean|bob|wobbl|shuffl|squirm|wriggl|twist)\w*(?:\s+\w+){0,3}\s+"
     r"(?:back[- ]and[- ]forth|side to side|to[- ]and[- ]fro|forward|backward|in (?:their|"
     r"his|her) "
     r"(?:seat|chair))|(?:swayed|swaying|rocking|rocked|squirm\w*|wriggl\w*)\b|"
     r"shift\w*(?:\s+\w+){0,2}\s+(?:in (?:their|his|her) seat|from foot to foot)",
     "Moving torso"),
    (r"(?:straighten\w*|sat|sit|sitting|stood|stand\w*)\s+(?:up\s+)?(?:tall|straight|"
     r"upright|erect)|(?:straight|upright) (?:back|posture)|back (?:was )?straight",
     "Sitting straightly"),
    (r"(?:rub|rubb|scratch|stroke|strok|grip|grab|clutch|hold|held|squeez)\w*(?:\s+\w+)"
     r"{0,3}\s+(?:their|his|her|one|the other)\s+(?:own\s+)?(?:arm|forearm|elbow|upper "
     r"arm|wrist)s?\b", "Scratching or touching arms"),
    (r"(?:hands|fingers)(?:\s+\w+){0,2}\s+(?:together|clasped|interlaced|intertwined|"
     r"laced|knotted)|(?:clasp|wring|knead|twist|interlac|lac|squeez)\w*(?:\s+\w+){0,2}\s+"
     r"(?:their|his|her|both)\s+(?:hands|fingers)|(?:rub|rubb|press|clasp|wring)\w*\s+"
     r"(?:their|his|her|the|both)\s+palms|palms?(?:\s+\w+){0,2}\s+(?:together|rubbed|"
     r"pressed)", "Rubbing or holding hands"),
    (r"fingers?\s+crossed|cross\w*\s+(?:their|his|her)\s+fingers|fingers?[- ]?crossing|"
     r"crossing (?:of )?(?:the )?fingers", "Crossing fingers"),
    (r"(?:fingertips|fingers?)(?:\s+\w+){0,2}\s+(?:touching|pressed together|joined)|"
     r"steeple\w*|church (?:and )?steeple|tent\w*\s+(?:their|his|her)\s+fingers",
     "Minaret gesture"),
    (r"(?:fiddl|fidget|toy|play|twiddl|click|tap|spin|twirl|turn)\w*(?:\s+\w+){0,3}\s+"
     r"(?:with\s+)?(?:a|an|the|their|his|her)\s+(?:pen|pencil|phone|keys?|cup|mug|glass|"
     r"bottle|ring|watch|paper|object|item|thing|bracelet|necklace|button)\b|"
     r"(?:turn|twist|spin)\w*\s+(?:something|an object)\s+(?:in|between)|"
     r"(?:handl|manipulat|hold|held|grip|clutch|finger)\w*\s+(?:an?|the|some|their|his|her)\s+"
     r"(?:small\s+)?(?:object|item|thing|pen|phone|keys?|cup|mug|bottle|toy|remote)s?\b",
     "Playing or manipulating objects"),
    (r"head\s+(?:held\s+)?(?:high|up)|(?:rais|lift|tilt|tip|throw|threw|toss|jerk|cock)\w*"
     r"\s+(?:their|his|her|the)\s+(?:head|chin)\s+(?:up|back|high|upward)|(?:head|chin)\s+"
     r"(?:tilted|tipped|thrown|tossed|went|jerked|lifted|raised|cocked)\s+(?:up|back|upward)",
     "Head up"),
    (r"(?:hands?|fists?)(?:\s+\w+){0,2}\s+(?:on|at)\s+(?:their|his|her|the|both)\s+(?:hips|"
     r"waist)|hands? on hips|akimbo", "Arms akimbo"),
    (r"(?:shoulders?)(?:\s+\w+){0,3}\s+(?:shook|shaking|shuddered|shuddering|jerked|"
     r"bounced|trembled|heaved|shrugged|lifted and dropped)|shrug\w*", "Shaking shoulders"),
    (r"(?:shoulders?)(?:\s+\w+){0,3}\s+(?:hunched|raised|hiked|scrunched|pulled up|drawn "
     r"up|up (?:to|around) (?:their|his|her) ears)|(?:pull|sink|sank|draw|duck|tuck)\w*"
     r"(?:\s+\w+){0,2}\s+(?:head|neck)\s+(?:in|into|down into|between)|shrink\w* (?:down|into)"
     r"|hunch\w*|turtl\w*|\b(?:head|neck)\s+(?:was\s+|were\s+|is\s+)?(?:pulled|drawn|tucked|"
     r"sunk|sank|ducked|retracted)\s+(?:in|back|down)\b", "Turtle neck"),
    (r"(?:puff|blow|blew|blowing)\w*(?:\s+\w+){0,2}\s+(?:out\s+)?(?:their|his|her)?\s*"
     r"cheeks|(?:big|long|deep|heavy) (?:breath|sigh|exhale)|sigh\w*|inhal\w* deeply|"
     r"breath\w* (?:in )?deeply", "Bulging face, deep breath"),
    (r"(?:wav|mov|flail|flap|wave|swing|swung|throw|threw|spread|open|chop|point)\w*"
     r"(?:\s+\w+){0,3}\s+(?:hands|arms|hand|arm|fingers?)(?:\s+\w+){0,4}\s+(?:as|while|when)"
     r"\s+(?:they|he|she|speaking|talking|explaining|saying)|(?:hands?|arms?)(?:\s+\w+){0,2}"
     r"\s+(?:moving|moved|going|flying|waving)(?:\s+\w+){0,3}\s+(?:as|while|when)\s+"
     r"(?:they|he|she)|(?:expressive|animated|lively|emphatic|sweeping|big) (?:hand|arm)\s+"
     r"(?:movements?|gestures?|motions?)|hand (?:movements?|motions?) (?:as|while|when)|"
     r"(?:wav|mov|flail|flap|wave|swing)\w* (?:their|his|her) (?:hands|arms)(?: around| about)?"
     r"|(?:used|using|use|uses) (?:their|his|her|the|both) hands (?:to (?:explain|illustrate|"
     r"emphasi[sz]e|underline|punctuate|describe|show|act out)|as (?:they|he|she) (?:spoke|"
     r"talked))|speaking with (?:their|his|her) hands|pointing|talking hands|(?:hands|arms)"
     r"(?:\s+\w+){0,2}\s+(?:were|was|kept|stayed)\s+(?:busy|active|animated|moving|going)\b"
     r"(?!\s+(?:with|on|at|in|behind|to))",
     "Illustrative hand gestures"),
    (r"\bgestur(?:ed|ing|es)\b|\bgesticulat\w*|\bgestures? (?:continued|went on|kept)",
     "Illustrative hand gestures"),
    (r"(?:hold|held|holding|pull|pulled|pulling|keep|kept)\s+(?:their|his|her)\s+arms\s+"
     r"back|arms (?:pulled|drawn|held) back", "Hold back arms"),
    (r"(?:scratch|rub|rubb)\w*(?:\s+\w+){0,3}\s+(?:their|his|her)\s+(?:lower |upper )?back",
     "Scratching back"),
    (r"(?:touch|tip|tug|adjust|straighten)\w*(?:\s+\w+){0,2}\s+(?:their|his|her|the)\s+"
     r"(?:hat|cap|beanie|hood)|\b(?:hat|cap)[- ](?:touch|tip|tug|adjustment)\w*", "Touching hat"),
]

# Phrasing that names a family of gestures, not one class (any member makes it true).
# Fidgeting: restless handling of objects, hands, hair, clothes or the body; touching the
# face or biting nails are self-touch, not fidgeting.
_FIDGET = ("Playing or manipulating objects", "Rubbing or holding hands",
           "Playing or adjusting hair", "Crossing fingers", "Scratching or touching arms",
           "Buckle button, pulling shirt collar, adjusting tie", "Dustoffing clothes",
           "Moving torso")
_FACE_TOUCH = ("Touching or scratching facial parts", "Rubbing eyes", "Covering face",
               "Touching or scratching forehead", "Touching jaw", "Biting nails",
               "Touching ears")
_SELF_TOUCH = tuple(dict.fromkeys(_FACE_TOUCH + (
    "Touching or scratching head", "Touching or scratching neck", "Playing or adjusting hair",
    "Scratching or touching arms", "Rubbing or holding hands",
    "Touching or covering suprasternal notch", "Scratching back")))
GESTURE_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    (r"(?:hug|hugg|wrap|wrapp|clasp|clutch|squeez)\w*\s+(?:their|his|her)\s*(?:arms\s+"
     r"(?:around|round)\s+(?:themselves|himself|herself|their body|his body|her body)|self|"
     r"elves|imself|erself)|(?:hug|hugg)\w*\s+(?:themselves|himself|herself|oneself)|"
     r"self-?hug\w*|arms? (?:wrapped|around) (?:themselves|himself|herself|their body)",
     ("Folding arms", "Scratching or touching arms")),
    (r"fidget\w*|restless (?:hands|fingers|movements?)|(?:fiddl|twiddl)\w*(?:\s+\w+){0,2}\s+"
     r"(?:with\s+)?(?:their|his|her)\s+(?:fingers|thumbs)|could(?:n't| not) (?:keep|sit) "
     r"still|squirm\w*|self-?sooth\w*|nervous (?:hand|movements?|habits?)",
     _FIDGET),
    (r"(?:touch|rub|rubb|scratch|stroke|strok|pat|feel|felt)\w*(?:\s+\w+){0,3}\s+(?:their|"
     r"his|her|the)\s+(?:own\s+)?face|(?:hand|hands|fingers?)(?:\s+\w+){0,2}\s+(?:to|on|"
     r"near|at|up to)\s+(?:their|his|her|the)\s+face|face[- ]?touch\w*|"
     r"hand-to-face", _FACE_TOUCH),
    (r"self-?touch\w*|touch\w*\s+(?:themselves|himself|herself)|self-?adaptors?|"
     r"(?:comfort|sooth)\w*\s+(?:themselves|himself|herself)", _SELF_TOUCH),
]

# -- prosody ---------------------------------------------------------------------------
# Words that carry feature and level by themselves. The flag says whether the word is
# about the voice only when the clause talks about speaking ("calm" may be the face).
PROSODY_WORDS: list[tuple[str, str, str, bool]] = [
    # arousal
    (r"lively|animated|energetic|excited-sounding|fired up|pumped|vibrant|spirited|"
     r"bubbly|passionate|emphatic|heated|full of energy|high-energy|worked up|agitated|"
     r"intense|keyed up|enthusiastic\w*|vigorous\w*|vivacious|dynamic|wired|energi[sz]ed|"
     r"buzzing|buzzy|hyped|pumped|hyper|revved up|charged up|amped up", "arousal", "high",
     True),
    # calm is the absence of agitation: low or ordinary arousal
    (r"calm\w*|relaxed|placid|tranquil|even-toned|laid-back|mellow|composed|unruffled|"
     r"serene", "arousal", "low|normal", True),
    (r"subdued|sleepy|lethargic|listless|tired|weary|drained|low-energy|"
     r"sluggish|dull|muted|soothing|lifeless|flat|deadpan|unexcited|unemotional|"
     r"without energy|no energy|"
     r"(?:very |so )?little energy|not much energy|hardly any energy|low on energy|"
     r"lack\w* energy|drained of energy",
     "arousal", "low", True),
    # loudness
    (r"shout\w*|yell\w*|scream\w*|holler\w*|bellow\w*|boom\w*|raised (?:their|his|her)? ?"
     r"voice|raising (?:their|his|her)? ?voice|at the top of (?:their|his|her) lungs|"
     r"loud(?!ness)\w*|noisy|noisily|forceful\w*|blar\w*", "energy_db", "high", False),
    # ways of speaking: about the voice by themselves
    (r"whisper\w*|murmur\w*|mumbl\w*|mutter\w*|hushed|barely audible|under (?:their|his|"
     r"her) breath|soft-?spoken|inaudibl\w*", "energy_db", "low", False),
    (r"faint voice|quiet\w*|soft(?:ly)?|low volume", "energy_db", "low", True),
    # speaking rate
    (r"rattl\w*(?:\s+\w+){0,3}\s+off|rac\w* through|a mile a minute|rapid-?fire|"
     r"fast-?talking|fast talker|gabbl\w*|babbl\w*|(?:spoke|speak\w*|talk\w*|words?)"
     r"(?:\s+\w+){0,3}\s+(?:fast|quickly|rapidly|hurriedly|in a rush|briskly)|"
     r"(?:fast|quick|rapid|hurried|brisk|breathless|rushed) (?:speech|talk\w*|pace|"
     r"delivery|words)", "speaking_rate_sps", "high", False),
    (r"drawl\w*|drawn-?out|dragg\w*(?:\s+\w+){0,2}\s+(?:words|out)|slow talker|"
     r"(?:spoke|speak\w*|talk\w*|words?)(?:\s+\w+){0,3}\s+(?:slowly|leisurely|"
     r"deliberately|haltingly|ponderously)|(?:slow|unhurried|leisurely|halting|measured|"
     r"deliberate|plodding|sluggish) (?:speech|talk\w*|pace|delivery|words)|"
     r"took (?:their|his|her) time", "speaking_rate_sps", "low", False),
    # pitch range
    (r"sing-?song|melodic|musical|lilting|up-and-down|rising[- ]and[- ]falling|ups[- ]and[- ]"
     r"downs|(?:rose|rises|rise|rising|went[- ]up)[- ]and[- ](?:fell|falls|fall|falling|came"
     r"[- ]down)|lots of "
     r"(?:intonation|inflection|expression)|expressive (?:voice|intonation|tone)|"
     r"varied (?:pitch|intonation|tone)|animated (?:intonation|tone)|(?:swinging|swooping|"
     r"bouncing|bouncy|wandering|wide-ranging|varying|lively) (?:pitch|intonation|melody)",
     "f0_range_st", "high",
     False),
    (r"monoton\w*|dron(?:e|ed|es|ing)|one-note|on (?:one|a single) note|no inflection|"
     r"without inflection|little "
     r"(?:intonation|inflection|variation)|flat (?:voice|tone|intonation|delivery)|"
     r"(?:level|even|unvarying|unchanging) (?:pitch|tone|voice)|robotic", "f0_range_st",
     "low", False),
]
# Clause words that make an ambiguous prosody word (flag True above) about the voice.
VOICE_CONTEXT = (r"\b(?:voice\w*|vocal\w*|sound\w*|spoke|speak\w*|speech|talk\w*|tone|"
                 r"pitch|intonation|prosody|delivery|said|say\w*|told|words|audio|"
                 r"utter\w*|speaker|talker|narrat\w*|reading|read out|volume|loudness|"
                 r"tempo|speaking rate|speech rate|articulation rate|energy)\b")

# -- modality framing ------------------------------------------------------------------
MODALITY_FRAMES: dict[str, str] = {
    "face": r"\b(?:facially|faces?|facial|visage|countenance|features|look on|by (?:the|"
            r"their|his|her) looks?|judging by (?:the|their|his|her) (?:face|looks?|"
            r"expression)|visibly|to look at|in (?:the|their|his|her) eyes|to the (?:naked )?"
            r"eye|by sight|from what could be seen|from what was visible)\b",
    "voice": r"\b(?:vocally|audibly|by ear|to listen to|how (?:they|he|she) (?:spoke|"
             r"sounded|talked)|the way (?:they|he|she) (?:spoke|talked|sounded)|voice|"
             r"tone of voice|vocal\w*|sound\w*|to the ear|from what (?:could be|was) heard|"
             r"in the audio|on the audio|by what (?:could be|was) heard)\b",
    "text": r"\b(?:verbally|in words|in (?:their|his|her) words|what (?:they|he|she) said|"
            r"spoken words|the words|wording|statement|remark\w*|comment\w*|voiced|voicing)\b",
    "body": r"\b(?:body language|bodily|physically|posture|gesture\w*|movement\w*|hands?|"
            r"arms?|shoulders?)\b",
}

# -- time ------------------------------------------------------------------------------
# Counted words for "the last couple of seconds" and friends.
COUNT_WORDS: dict[str, float] = {"couple of": 2, "couple": 2, "few": 3, "several": 3,
                                 "a few": 3, "a couple of": 2, "one or two": 2,
                                 "two or three": 3}
START_WORDS = (r"at the (?:very )?(?:start|beginning|outset|onset)|early on|early|at first|"
               r"initially|in the beginning|to begin with|to start with|right away|"
               r"straight away|immediately|from the (?:get-go|off|word go)|in the opening "
               r"(?:moments?|part|stretch)|in the first moments?|first thing|soon after "
               r"the start|early in the (?:window|clip|recording|conversation)|"
               r"(?:first|earlier|early|opening) (?:part|portion|stretch|section)|in the "
               r"opening (?:seconds|stages)|in the first (?:few )?(?:moments|instants)|as "
               r"(?:the|this) (?:window|clip|recording|video) (?:began|started|opened)|"
               r"(?:right )?(?:from|at) the (?:very )?(?:first|start|beginning|outset)")
END_WORDS = (r"(?:towards?|near|at|by|around) the (?:very )?(?:end|finish|close)|finally|"
             r"in the end|at the close|late in|late on|in the closing (?:moments?|part|"
             r"stretch)|in the (?:final|last) moments?|at the last moment|just before the "
             r"end|right at the end|(?:last|final|closing|later|latter|end) (?:part|portion|"
             r"stretch|section)|as (?:the|it) (?:window|clip|recording) (?:ended|closed)|"
             r"before the end|at the finish|late|(?:right |all the way |up |until |till )?"
             r"(?:to|until|till|into) the (?:very )?end|as (?:the|it|this) (?:window|clip|"
             r"recording|video|segment) (?:wound|was winding|drew|came|was coming|was drawing)"
             r" (?:down|to a close|to an end)|as (?:the|this) (?:window|clip|recording|video) "
             r"(?:was )?(?:ending|closing|finishing|wrapping up)|in the (?:dying|closing|final|"
             r"last) (?:seconds|stages|part)")
MIDDLE_WORDS = (r"in the middle|midway|halfway(?: through)?|mid-?window|mid-?way through|"
                r"middle (?:part|portion|section|stretch)|partway through")
THROUGHOUT_WORDS = (r"throughout|the (?:whole|entire) (?:time|window|clip|period|way|"
                    r"recording|while|thing|segment)|all (?:along|the time|the way "
                    r"through)|for the whole|continuously|constantly|non-?stop|the whole "
                    r"way|from start to (?:finish|end)|from beginning to end|start to "
                    r"finish|the entire duration|without (?:a )?(?:break|pause|let-up)|"
                    r"the full (?:window|time|clip)|all through|from the first (?:second|"
                    r"moment|frame) to the (?:last|final)(?: (?:second|moment|frame))?|"
                    r"first (?:second|moment) to (?:the )?last|every (?:second|moment) of")

# -- transcript: speech acts -----------------------------------------------------------
_ADDRESSEE = (r"(?:someone|somebody|anyone|anybody|them|him|her|you|me|us|people|everyone|"
              r"the (?:\w+ )?(?:person|listener|visitor|guest|robot|others?|\w+)|a (?:\w+ )?"
              r"(?:person|friend|visitor|guest|\w+))")
# name -> (how a claim names the act, what in a transcript performs it). Checked on the
# transcript sentence by sentence; a transcript without the act contradicts the claim.
SPEECH_ACTS: dict[str, tuple[str, str]] = {
    "thank": (r"\bthank\w*|\bgratitude\b|\bexpress\w* (?:their |his |her )?(?:thanks|"
              r"appreciation)|\bsaid thanks\b|\bshow\w* appreciation\b|\bgrateful\b|"
              r"\bappreciative\b",
              r"\bthank\w*|\bgrateful\b|\bappreciate\w*|\bcheers\b|\bmuch obliged\b"),
    "apologise": (r"\bapologi[sz]\w*|\bapolog(?:y|etic\w*)\b|"
                  r"\bsa(?:id|y|ying) (?:they were |he was |"
                  r"she was |they're )?sorry\b|\bask\w* (?:for )?forgiveness\b",
                  r"\bsorry\b|\bapologi[sz]\w*|\bforgive me\b|\bmy (?:fault|bad|mistake)\b|"
                  r"\b(?:pardon|excuse) me for\b"),
    "complain": (r"\bcomplain\w*|\bcomplaint\w*|\bgrumbl\w*|\bmoan\w*|\bwhin\w*|"
                 r"\bgripe[sd]?\b|\bgriping\b|\bgrous\w*|\bprotest\w*|\bobject\w* to\b|"
                 r"\bvent(?:ed|ing)\b|"
                 r"\bbemoan\w*|\blament\w*|\bbellyach\w*|\bkvetch\w*",
                 r"\bfail\w*|\bbroke\w*|\bwrong\b|\bunfair\b|\bterrible\b|\bawful\b|"
                 r"\bhorrible\b|\buseless\b|\bridiculous\b|\bannoy\w*|\bstupid\b|"
                 r"\bdisappoint\w*|\b(?:doesn't|didn't|does not|did not|won't|isn't|not|"
                 r"never) (?:work\w*|help\w*|fair|good enough)|\bfed up\b|\bsick of\b|"
                 r"\btired of\b|\bhate\b|\bworst\b|\btoo (?:loud|slow|late|much|long|hard)\b|"
                 r"\bwaste of\b|\bunacceptable\b|\bwhy (?:does|do|is|can't|won't) (?:this|"
                 r"it|nothing)\b|\bnothing works\b|\boh no\b|\bso cross\b|\bcross with\b|"
                 r"\b(?:lost|broken|failed|missed|forgot\w*|late) (?:\w+ ){0,2}again\b"),
    "ask_stay": (r"\b(?:ask|beg|begg|plead|want|urg|implor|tell|told)\w*\s+(?:with\s+)?"
                 + _ADDRESSEE + r"\s+(?:to stay|to remain|not to (?:leave|go)|to keep \w+ "
                 r"company|to stick around|to wait)\b|\bkeep (?:them|him|her|me) company\b",
                 r"\bstay (?:with|here|close|by|for a while|a bit|a little|please)|\bplease"
                 r",? stay\b|\bstay\b[^.]*\bwith me\b|\bdon'?t (?:leave|go)\b|\bdo not "
                 r"(?:leave|go)\b|\bkeep me company\b|\bcome back\b|\bwait for me\b|"
                 r"\bstick around\b|\bdon'?t leave me\b|\bstay\s*[.!]"),
    "ask_leave": (r"\b(?:ask|tell|told|want|order|demand|beg|begg)\w*\s+" + _ADDRESSEE
                  + r"\s+to (?:leave|go away|get out|go|get lost|leave (?:them|him|her) "
                  r"alone)\b|\bto be left alone\b|\bsent \w+ away\b|\bsend \w+ away\b|"
                  r"\bshoo(?:ed|ing|s)?\b",
                  r"\bgo away\b|\bleave me alone\b|\bget out\b|\bplease (?:leave|go)\b|"
                  r"\bleave now\b|\byou (?:should|can|may|must) (?:leave|go)\b|"
                  r"\bget lost\b|\bleave (?:us|me)\b|\bout of here\b"),
    "greet": (r"\bgreet\w*|\bwelcom\w*|\bsa(?:id|y|ying) (?:hello|hi|hey|good morning)\b|"
              r"\b(?:happy|glad|pleased|delighted|thrilled|excited|good|nice|great|lovely)"
              r" (?:(?:\w+ ){0,3}to see|(?:\w+ ){0,3}to meet|(?:that )?(?:someone|somebody|they|"
              r"he|she|you|a visitor|"
              r"the visitor|a friend|the guest|a guest) (?:came|had come|arrived|was there|"
              r"were there|showed up|turned up|visited|made it))",
              r"\b(?:hello|hi|hey|welcome|good (?:morning|afternoon|evening|night)|goodnight|"
              r"howdy)\b|"
              r"\b(?:glad|happy|good|nice|great|pleased|lovely|wonderful) (?:to see you|to "
              r"meet you|you came|you could come|you could make it|you're here|you are "
              r"here|you made it|you've come|that you came)\b|\byou made it\b|\bthanks for "
              r"coming\b"),
    "farewell": (r"\bsa(?:id|y|ying) (?:goodbye|bye|farewell|good night)\b|\bbid \w+ "
                 r"(?:farewell|goodbye)\b|\bfarewell\b|\btook (?:their|his|her) leave\b",
                 r"\b(?:goodbye|bye|farewell|(?<!to )see you(?! again)|take care|good night|"
                 r"so long)\b"),
    "celebrate": (r"\bcelebrat\w*|\bcheer\w* (?:about|for|over|on)\b|\bcheered\b|"
                  r"\brejoic\w*|\bexult\w*|\bgloat\w*|\bcrow\w* about\b|\btriumphant\w*|"
                  r"\bwhoop\w*|\bpunch\w* the air\b|\bdid a (?:little )?(?:victory )?dance\b",
                  r"\b(?:we|i|you|they|he|she) (?:won|did it|made it|passed|got it|nailed "
                  r"it|beat them)\b|\bwin\b|\bwon\b|\bvictory\b|\bhooray\b|\bhurray\b|"
                  r"\byay\b|\bwoo+(?:hoo)?\b|\bcongratulations?\b|\bsuccess\w*|\bchampions?\b|"
                  r"\byes+!|\bwe'?re the best\b"),
    "congratulate": (r"\bcongratulat\w*|\bprais\w*|\bcompliment\w*|\bcommend\w*",
                     r"\bcongratulations?\b|\bwell done\b|\bgood job\b|\bgreat (?:job|work)\b|"
                     r"\bproud of you\b|\bnice work\b|\byou did (?:it|great|well)\b|"
                     r"\byou(?:'re| are) (?:a |an |so |such an? |the )?(?:real |true |absolute )?"
                     r"(?:lifesaver|star|genius|hero|wonderful|amazing|brilliant|the best)\b"),
    "disbelief": (r"\b(?:could ?n[o']t|can ?n?[o']t|cannot|hardly|barely|scarcely) "
                  r"believe\b|\bdisbelief\b|\bincredul\w*|\bamaze\w* (?:that|at)\b",
                  r"\b(?:can't|cannot|could not|couldn't|can hardly|could hardly|hardly|"
                  r"can barely|scarcely) believe\b|\bno way\b|\bunbelievable\b|"
                  r"\bincredible\b|\bwow\b|\bis this real\b|\breally\?"),
    "ask_help": (r"\b(?:ask|beg|plead|call|cr(?:y|ie))\w* (?:out )?for (?:the police|an "
                 r"ambulance|the fire brigade|help|assistance|support)\b|\bsought help\b|"
                 r"\bseek\w* help\b",
                 r"\bhelp\b|\bsave me\b|\bassist me\b|\bplease stay\b|\bi need (?:you|"
                 r"someone|somebody)\b|\bcall (?:the police|an ambulance|911|999|112|the fire "
                 r"brigade|for help|a doctor)\b"),
    "question": (r"\b(?:pos|put)\w* (?:a |the |some )?questions?\b|"
                 r"\bask\w* (?:(?:somebody|someone|them|him|her|anybody|anyone) )?"
                 r"(?:anything|something)\b|\bask\w* (?:a |any |some )?questions?\b|"
                 r"\bask\w* (?:what|whether|if|why|"
                 r"how|where|who|when|about)\b|\bwonder\w* (?:aloud|what|whether|if|why)\b|"
                 r"\bquer(?:y|ied)\b|\binquir\w*|\benquir\w*",
                 r"\?"),
    "request": (r"\b(?:ask|request|tell|told|instruct|want)\w* (?:someone|somebody|them|"
                r"him|her|the listener|the other person|you) to\b|\bmade a request\b|"
                r"\bissu\w* (?:a |an )?(?:command|order)s?\b|\bcommand\w*|\bgiv\w* "
                r"(?:an? )?orders?\b|\border\w* (?:someone|somebody|them|him|her) (?:to|about)\b|"
                r"\brequest\w*\b|\bask\w* (?:(?:someone|somebody|them|him|her) )?for "
                r"(?:a |some )?(?:favou?r|hand|directions|the way)\b|\bfavou?r\b",
                r"\bplease\b|\b(?:could|can|would|will) you\b|\bi need you to\b|\bmake "
                r"sure\b|\bdon'?t forget\b|\bremember to\b|^\s*(?:get|go|come|stay|move|"
                r"stop|wait|sit|stand|run|hurry|give|take|put|bring|keep|hold|listen|step|"
                r"leave|turn|switch|shut|lower|quiet|pour|throw|tip|wash|clean|close|open|"
                r"call|tell|try|look|check|fetch|pass)\b(?!\s+care\b)"),
    "refuse": (r"\brefus\w*|\bdeclin\w*|\bturn\w* (?:something|it|that|this|them|him|her) down\b|"
               r"\bturn\w* down (?:the |an? |their |his |her )?"
               r"(?:offer|request|invitation|proposal|suggestion)\b|"
               r"\bsa(?:id|y) no\b|\brejects?\b|\brejected\b",
               r"\bno\b(?!\s+(?:way|longer))|\bi won'?t\b|\bi will not\b|\bi don'?t want\b|"
               r"\bnot going to\b|\bno thanks\b|\bi refuse\b|\bnever\b"),
    "agree": (r"\bagreed\b|\bagrees\b|\bsa(?:id|y) yes\b|\baccept\w*|\bconsent\w*|"
              r"\bwent along\b",
              r"\b(?:yes|yeah|okay|ok|sure|agreed|of course|sounds good|alright|all right|"
              r"fine by me|deal)\b"),
    "worry": (r"\bexpress\w* (?:worry|concern|fear|anxiety)\b|\bvoic\w* (?:a |their |his "
              r"|her )?(?:worry|concern|fears?)\b|\bsa(?:id|y) (?:they were |he was |she "
              r"was )?(?:worried|concerned|scared|afraid)\b",
              r"\bworr\w*|\bconcern\w*|\bscared\b|\bafraid\b|\bnervous\b|\bfrighten\w*|"
              r"\bwhat (?:was|is) that\b|\bwhat if\b|\bwatch out\b|\blook out\b|\bbeware\b|"
              r"\bdanger\w*"),
    "promise": (r"\bpromis\w*|\bcommit\w* (?:to|themselves|himself|herself)\b|\bpledg\w*|"
                r"\bvow\w*|\bswore\b|\bsworn\b|\bgave (?:their|his|her|a|an) (?:word|"
                r"assurance)\b|\bguarantee\w*",
                r"\bpromis\w*|\bi swear\b|\bi vow\b|\b(?:you have|i give you) my word\b|"
                r"\bi guarantee\b|\bi will (?:definitely|certainly|surely)\b|\bcount on me\b"),
    "warn": (r"\bwarn\w*|\bcaution\w* (?:someone|somebody|them|him|her|the|that|about|"
             r"against)\b|\braised? (?:the|an) alarm\b|\bannounc\w* (?:the |a |an )?(?:danger|"
             r"threat|hazard|risk)\b|\b(?:danger|threat|hazard|risk) (?:was |were )?"
             r"(?:announced|flagged|signalled|signaled|pointed out)\b|\balerted\b|"
             r"\bheads[- ]up\b",
             r"\bwatch out\b|\blook out\b|\bbe careful\b|\bdanger\w*|\bbeware\b|"
             r"\bwarning\b|\bget back\b|\bstay back\b|\bwatch your (?:step|head)\b|"
             r"\bheads up\b|\bmind (?:your (?:step|head)|the (?:step|gap))\b"),
    "invite": (r"\binvit\w*|\b(?:ask|urg|beckon)\w* (?:someone|somebody|them|him|her|the \w+) "
               r"to (?:come|join)\b",
               r"\bcome (?:in|closer|over|here|along|and join|join)\b|\bjoin (?:us|me)\b|"
               r"\bwould you like to (?:come|join)\b|\byou(?:'re| are) (?:welcome to|invited)\b|"
               r"\bplease come\b"),
    "ask_directions": (r"\bask\w* (?:for |about )?(?:the )?(?:directions?|the way|way to)\b|"
                       r"\bask\w* (?:someone |them |him |her )?where (?:something|\w+) (?:is|"
                       r"was)\b",
                       r"\bwhere (?:is|are|can i find|do i find|would i find)\b|\bhow (?:do|can|"
                       r"would) i get to\b|\bwhich way\b|\b(?:the )?way to the\b|\b(?:tell|show) "
                       r"me (?:where|the way|how to get)\b|\bwhere (?:\w+ ){1,3}(?:is|are)\s*\?"),
    "give_directions": (r"\bgiv\w* (?:\w+ )?directions?\b|\bgave (?:\w+ )?directions?\b|"
                        r"\bshow\w* (?:someone|them|him|her) the way\b|\bexplain\w* (?:how to "
                        r"get|the way)\b",
                        r"\b(?:turn|go|keep) (?:left|right|straight)\b|\btake the (?:first|"
                        r"second|next) (?:left|right|turning)\b|\bit(?:'s| is) (?:on the (?:left|"
                        r"right)|next to|opposite|across from|just past)\b"),
    "scold": (r"\b(?:tell|told|telling|tells) (?:\w+ )?off\b|\bscold\w*|\breprimand\w*|"
              r"\b(?:has|have|had|having) a go at\b|\blay\w* into\b|\bhaving a dig at\b|"
              r"\brebuk\w*|\bberat\w*|\bchastis\w*|\bchastiz\w*|\bcriticis\w*|"
              r"\bcriticiz\w*|\bblam\w*|\breproach\w*|\bnag\w*",
              r"\byou (?:should have|should've|shouldn't have|never|always|didn't even|did not "
              r"even)\b|\bhow could you\b|\bshame on you\b|\bwhy (?:didn't|did not|don't|do "
              r"not|won't|can't) you\b|\byour (?:own )?fault\b|\bwhat were you thinking\b"),
    "remind": (r"\bremind\w*|\binform\w* (?:someone|them|him|her|the listener) (?:of|about)"
               r"\b|\bg(?:ave|iv\w*) (?:an? |some |the )?(?:\w+ )?(?:instruction|information|"
               r"update|details|timetable|schedule)s?\b",
               r"\b(?:is|are|will be|starts?|begins?) at\b|\bdon'?t forget\b|\bremember\b|"
               r"\bplease bring\b|\bbring\b|\bat (?:one|two|three|four|five|six|seven|eight|"
               r"nine|ten|eleven|twelve|\d+)\b"),
    # how to do something, step by step ("first add the flour, then stir")
    "instruct": (r"\binstruct\w*(?! (?:someone|somebody|them|him|her|the listener|you) to\b)|"
                 r"\bstep[- ]by[- ]step\b|\bwalk\w* (?:\w+ )?through (?:the )?steps\b|"
                 r"\bexplain\w* how to\b|\b(?:tell|show)\w* (?:\w+ )?how to\b|"
                 r"\bgiv\w* (?:\w+ )?(?:directions|a recipe|a how-to|a tutorial)\b|"
                 r"\b(?:reading|read|reads) out (?:a |the )?recipe\b",
                 r"^\s*(?:first|then|next|now|after that|finally)?,?\s*(?:add|mix|stir|whisk|"
                 r"pour|heat|bake|cut|chop|slice|press|place|fold|beat|boil|fry|preheat|"
                 r"combine|sprinkle|season|bring|cook|put|take|turn)\b"),
    # doing something for the listener, proposed ("shall I open the window?")
    "offer": (r"\boffer\w*|\bvolunteer\w*|\bpropos\w* to (?:help|do|get|open|bring|fetch)\b",
              r"\bshall i\b|\bshould i\b|\bcan i (?:help|get|open|bring|fetch|do|make|take|"
              r"carry)\b|\blet me (?:help|get|open|bring|fetch|do|make|take|carry)\b|\bwould "
              r"you like me to\b|\bi can (?:help|get|open|bring|fetch|do|make|take|carry)\b|"
              r"\bi(?:'ll| will) (?:help|get|open|bring|fetch|do|make|take|carry)\b|\bwant me "
              r"to\b"),
    # sharing news: what happened to the speaker, told as news ("I passed", "guess what")
    "announce": (r"\bannounc\w*|\bpiece of (?:good |big |exciting )?news\b|\bnews\b[^.,;]{0,30}"
                 r"\b(?:was|were|got|is) (?:shared|given|announced|broken|passed on)\b|"
                 r"\bshar\w* (?:some |the |their |his |her )?(?:good |great |"
                 r"big |bad |sad )?news\b|\bbr(?:oke|eak\w*) (?:the |some )?(?:good |bad )?news\b|"
                 r"\b(?:good|great|big|happy|exciting) news\b",
                 r"\b(?:i|we) (?:just |finally )?(?:passed|won|got (?:the|a|in|engaged|married|"
                 r"promoted)|made it|did it|am getting|are getting|have got|'ve got|'m getting|"
                 r"'re getting)\b|\bguess what\b|\b(?:good|great|big|exciting) news\b"),
}
# Complements of a speech act that name no topic ("complained about something").
GENERIC_COMPLEMENTS = frozenset("""something anything everything nothing someone somebody
anyone anybody everyone things thing stuff it matter matters situation happened wrong went
going go problem issue them him her me us you other person people one listener how why
what when where turned turn out happen happening way utterance utterances kind type
sort""".split())

# Transcript sentiment: how a claim names it.
SENTIMENT_WORDS: dict[str, str] = {
    "positive": "positive", "upbeat": "positive", "optimistic": "positive",
    "cheerful": "positive", "hopeful": "positive", "happy": "positive", "nice": "positive",
    "kind": "positive", "pleasant": "positive", "good": "positive", "glad": "positive",
    "encouraging": "positive", "friendly": "positive", "warm": "positive",
    "complimentary": "positive", "enthusiastic": "positive", "joyful": "positive",
    "negative": "negative", "pessimistic": "negative", "gloomy": "negative",
    "sad": "negative", "bad": "negative", "nasty": "negative", "mean": "negative",
    "rude": "negative", "hostile": "negative", "unpleasant": "negative",
    "discouraging": "negative", "bleak": "negative", "downbeat": "negative",
    "depressing": "negative", "angry": "negative", "critical": "negative",
    "neutral": "neutral", "factual": "neutral", "matter-of-fact": "neutral",
    "unemotional": "neutral", "practical": "neutral", "businesslike": "neutral",
    "routine": "neutral", "mundane": "neutral", "informative": "neutral",
}

# -- MiniLM descriptions ---------------------------------------------------------------
# Several descriptions per vocabulary entry; a clause no rule reads is matched against
# all of them and takes the entry of the nearest one.
GESTURE_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "Turtle neck": ("pulling the head down between raised shoulders",
                    "hunching the shoulders up towards the ears"),
    "Bulging face, deep breath": ("puffing out the cheeks", "taking a deep breath and "
                                  "blowing it out"),
    "Touching hat": ("touching or adjusting their hat", "tipping the cap"),
    "Touching or scratching head": ("scratching the top of the head", "putting a hand on "
                                    "top of the head"),
    "Touching or scratching forehead": ("rubbing the forehead", "putting a hand to the brow"),
    "Covering face": ("hiding the face behind the hands", "burying the face in the hands"),
    "Rubbing eyes": ("rubbing the eyes", "wiping the eyes with the hand"),
    "Touching or scratching facial parts": ("touching the nose or cheek",
                                            "putting a finger on the lips"),
    "Touching ears": ("tugging at an ear", "touching the earlobe"),
    "Biting nails": ("biting the fingernails", "chewing on a finger"),
    "Touching jaw": ("stroking the chin", "resting the chin in the hand"),
    "Touching or scratching neck": ("rubbing the back of the neck", "scratching the neck"),
    "Playing or adjusting hair": ("playing with their hair", "running fingers through the "
                                  "hair", "tucking hair behind the ear"),
    "Buckle button, pulling shirt collar, adjusting tie": ("pulling at the shirt collar",
                                                           "adjusting the tie or buttons"),
    "Touching or covering suprasternal notch": ("touching the base of the throat",
                                                "covering the throat with a hand"),
    "Scratching back": ("scratching their back",),
    "Folding arms": ("arms folded across the chest", "crossing the arms"),
    "Dustoffing clothes": ("brushing dust off the clothes", "brushing lint off the sleeve"),
    "Putting arms behind body": ("hands clasped behind the back", "arms held behind the "
                                 "body"),
    "Moving torso": ("swaying the upper body", "rocking back and forth"),
    "Sitting straightly": ("sitting up straight", "upright posture"),
    "Scratching or touching arms": ("rubbing their own arm", "scratching the forearm"),
    "Rubbing or holding hands": ("wringing the hands", "rubbing the hands together",
                                 "holding their own hands"),
    "Crossing fingers": ("crossing the fingers",),
    "Minaret gesture": ("fingertips pressed together like a steeple",),
    "Playing or manipulating objects": ("fiddling with a pen or object",
                                        "turning a small object in the hands"),
    "Hold back arms": ("holding the arms back",),
    "Head up": ("holding the head up high", "lifting the chin"),
    "Pressing lips": ("pressing the lips together", "pursing the lips"),
    "Arms akimbo": ("hands on the hips",),
    "Shaking shoulders": ("shrugging the shoulders", "shoulders shaking"),
    "Illustrative hand gestures": ("gesturing with the hands while talking",
                                   "moving the hands to illustrate what they say",
                                   "waving the hands around while speaking"),
}
AU_DESCRIPTIONS: dict[int, tuple[str, ...]] = {
    1: ("raising the inner eyebrows", "worried eyebrows"),
    2: ("raising the outer eyebrows", "eyebrows lifted"),
    4: ("frowning with the brows pulled together", "a furrowed brow"),
    5: ("eyes opened wide", "staring wide-eyed"),
    6: ("cheeks raised with crinkled eyes", "crow's feet at the eyes"),
    7: ("narrowed eyes", "tightened eyelids"),
    9: ("wrinkling the nose", "scrunching up the nose"),
    10: ("raising the upper lip", "a sneer"),
    12: ("smiling", "the corners of the mouth turned up"),
    14: ("dimples at the mouth corners",),
    15: ("the corners of the mouth turned down", "a downturned mouth"),
    17: ("the chin pushed up", "a wrinkled chin"),
    20: ("lips stretched sideways", "a grimace"),
    23: ("tightened lips",),
    24: ("lips pressed together",),
    25: ("lips parted", "the mouth slightly open"),
    26: ("the jaw dropped open", "mouth hanging open"),
    43: ("eyes closed",),
    45: ("blinking",),
}
EMOTION_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "happiness": ("they were happy", "they looked cheerful and joyful",
                  "they were in a good mood"),
    "sadness": ("they were sad", "they looked unhappy and down", "they seemed gloomy"),
    "anger": ("they were angry", "they looked annoyed and irritated",
              "they seemed furious"),
    "fear": ("they were afraid", "they looked scared and frightened"),
    "anxiety": ("they were anxious", "they seemed nervous and worried"),
    "disgust": ("they were disgusted", "they looked repulsed"),
    "surprise": ("they were surprised", "they looked astonished and amazed"),
    "neutral": ("they showed no emotion", "their expression was neutral and blank"),
    "contempt": ("they looked contemptuous", "they seemed scornful and dismissive"),
    "disappointment": ("they were disappointed", "they felt let down"),
    "helplessness": ("they felt helpless", "they seemed powerless and defeated"),
}
PROSODY_DESCRIPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("arousal", "high"): ("their voice sounded energetic and excited",
                          "they spoke with a lot of energy"),
    ("arousal", "low"): ("their voice sounded calm and subdued",
                         "they spoke with little energy"),
    ("energy_db", "high"): ("they spoke loudly", "their voice was loud"),
    ("energy_db", "low"): ("they spoke quietly", "their voice was soft"),
    ("speaking_rate_sps", "high"): ("they talked fast", "they spoke very quickly"),
    ("speaking_rate_sps", "low"): ("they talked slowly", "they spoke at a slow pace"),
    ("f0_range_st", "high"): ("their voice went up and down a lot",
                              "their intonation was varied and melodic"),
    ("f0_range_st", "low"): ("their voice was monotone", "they spoke in a flat voice"),
}
SPEECH_ACT_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "thank": ("they thanked someone", "they expressed gratitude"),
    "apologise": ("they apologised", "they said sorry"),
    "complain": ("they complained that something went wrong",
                 "they grumbled about a problem"),
    "ask_stay": ("they asked someone to stay with them", "they begged someone not to go"),
    "ask_leave": ("they told someone to go away", "they asked someone to leave"),
    "greet": ("they greeted someone", "they said they were glad someone came"),
    "farewell": ("they said goodbye",),
    "celebrate": ("they celebrated a win", "they cheered about a success"),
    "congratulate": ("they congratulated someone", "they praised someone"),
    "disbelief": ("they said they could not believe it",),
    "ask_help": ("they asked for help",),
    "question": ("they asked a question",),
    "request": ("they asked someone to do something",),
    "refuse": ("they refused", "they said no"),
    "agree": ("they agreed", "they said yes"),
    "worry": ("they said they were worried",),
    "remind": ("they reminded someone of an appointment",),
    "instruct": ("they gave step-by-step instructions", "they explained how to do it"),
    "offer": ("they offered to do something for someone", "they volunteered to help"),
}
