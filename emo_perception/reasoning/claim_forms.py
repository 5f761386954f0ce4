"""Sentence forms the claim reader rewrites into the wording its rules read (issue #16).

HRI applications do not only write prose: they log ("Robot note: face found",
"Gesture tracker: no events", "Speech act = complaint"), quote numbers ("AU17 came in at
about 0.9", "a speech rate of 6 syllables per second"), count ("three gesture events")
and contrast ("Although the words were sad, the face ..."). Each function here turns one
such form into plain wording, or into a typed number the checker compares, so that the
rules in ``claims.py`` stay about meaning, not layout. All take and return lower-case
text.
"""

from __future__ import annotations

import re

# Labels that open a log line and carry no claim themselves.
LOG_FRAME = re.compile(
    r"^(?:robot|system|interaction|session|tracker|perception|operator|caregiver|hri|"
    r"observer|analysis|debug|status)?\s*(?:note|log|entry|report|summary|observation|"
    r"update|remark|reading|finding)s?\s*(?:\(\w+\))?\s*[:=-]\s*"
    r"|^(?:note|fyi|observation|summary|finding|result|verdict|assessment)\s*[:=-]\s*")
# "You could hear how flat the voice was", "you'd have seen ...": the listener's frame.
LISTENER_FRAME = re.compile(
    r"\b(?:you|we|one|i|anyone|anybody)(?:'d| would| could| can| might| will)?"
    r"(?: have| clearly| easily| also)?\s+(?:heard|hear|seen|see|noticed|notice|spotted|"
    r"spot|watched|watch|observed|observe)(?: that| how)?\s+(?!(?:their|his|her|the|a) face\b|"
    r"(?:them|him|her|they|the speaker|the person|anything|something|nothing)\b)")
# A header naming a channel or thing, then what was found for it.
HEADER_RE = re.compile(r"^(?P<h>[a-z][a-z0-9' /()-]{1,40}?)\s*(?::|=|-{1,2}|\u2014)\s+"
                       r"(?P<v>.+)$")
ABSENT_VALUE = re.compile(
    r"^(?:none|nothing|no(?:ne)? (?:seen|observed|detected|found|recorded|present)|not "
    r"(?:seen|observed|detected|found|present|recorded|counted)|absent|missing|unavailable|"
    r"not available|n/?a|no events?|no detections?|zero|off|inactive|not active|below "
    r"(?:the )?(?:detection |presence )?threshold|empty|nil)\b")
# Header nouns -> how plain wording names the channel.
HEADER_CHANNEL = [
    (r"(?:the )?(?:face|facial expression|expression|face tracker|camera|video)", "face"),
    (r"(?:the )?(?:voice|audio|microphone|mic|prosody|sound|vocal tone|tone of voice)",
     "voice"),
    (r"(?:the )?(?:words|wording|transcript|speech content|text|what was said|asr)", "words"),
    (r"(?:the )?(?:body|gestures?|gesture tracker|micro-gestures?|hands|posture|"
     r"body language)", "body"),
]


def rewrite_log_line(low: str) -> str:
    """"Robot note: X" -> X; "Face: happy" -> "the face looked happy"; "Lip pressing: none
    seen" -> "no lip pressing"; "Speech act: complaint" -> "speech act complaint"."""
    low = LOG_FRAME.sub("", low, count=1).strip()
    m = HEADER_RE.match(low)
    if not m or re.match(r"\d", m.group("h")) or re.search(r"\b(?:said|says|asked|told|"
                                                           r"quote\w*)\s*$", m.group("h")):
        return low
    head, value = m.group("h").strip(), m.group("v").strip()
    if re.search(r"\b(?:that|this|it|and|but|or|so|because|which)$", head) or len(
            head.split()) > 5:
        return low  # "one thing is clear: ..." is prose, not a header
    if re.fullmatch(r"(?:speech act|act|intent|dialogue act|utterance type|pragmatics?)"
                    r"(?: logged| detected| recognised| recognized)?", head):
        return f"speech act {value}"
    if re.fullmatch(r"(?:top|main|dominant|leading|winning|highest)(?:[- ]scoring)? "
                    r"(?:expression|emotion|class|label|expression class|emotion class)"
                    r"(?: class)?", head):
        return f"the top expression class was {value}"
    channel = next((name for rx, name in HEADER_CHANNEL if re.fullmatch(rx, head)), None)
    if ABSENT_VALUE.match(value):
        rest = ABSENT_VALUE.sub("", value, count=1).strip(" ,;")
        tail = f", {rest}" if rest else ""
        if channel:
            return f"no {_CHANNEL_NOUN[channel]}{tail}"
        return f"no {head}{tail}"
    if channel == "face":
        return f"the face looked {value}"
    if channel == "voice":
        return f"the voice was {value}"
    if channel == "words":
        return f"the words were {value}"
    if channel == "body":
        return f"the {head} {value}" if head in ("hands", "posture") else value
    if len(head.split()) <= 3 and not re.search(r"\b(?:was|were|is|are|did|had)\b", value):
        return f"the {head} was {value}"  # "tempo: very slow"
    return f"{head}: {value}"


_CHANNEL_NOUN = {"face": "face", "voice": "voice", "words": "transcript",
                 "body": "gestures"}


def drop_listener_frame(low: str) -> str:
    """"You could hear how flat the voice was" -> "audibly flat the voice was" (the hearer
    is no claim, but hearing names the channel); "you can see the hands go to the hips" ->
    "visibly the hands go to the hips"."""
    def channel(m: re.Match) -> str:
        return "audibly " if re.search(r"\bhear", m.group(0)) else "visibly " if re.search(
            r"\b(?:see|seen|watch)", m.group(0)) else ""
    return LISTENER_FRAME.sub(channel, low, count=1)


# "Although X, Y" / "While the face read as A, the words ...": two clauses.
CONCESSIVE_LEAD = re.compile(
    r"^(?:although|though|even though|whereas|whilst|while|despite the fact that|"
    r"granted that|admittedly)\s+(?P<a>[^,]+?),\s+(?P<b>.+)$")


def split_concessive(low: str) -> str | None:
    """The two clauses of a leading concessive, joined by "and" (both are claimed)."""
    m = CONCESSIVE_LEAD.match(low)
    if not m:
        return None
    a, b = m.group("a"), m.group("b")
    if low.startswith("while") and not re.search(
            r"\b(?:face|voice|words?|wording|transcript|tone|body|hands|expression)\b", a):
        return None  # "while he talked, he smiled": a time, kept with its clause
    return f"{a} and {b}"


# "Neither the face nor the words showed X": X denied on each channel.
NEITHER_NOR = re.compile(
    r"^neither\s+(?:the\s+|their\s+|his\s+|her\s+)?(?P<a>\w+(?:\s+\w+)?)\s+nor\s+(?:the\s+|"
    r"their\s+|his\s+|her\s+)?(?P<b>\w+(?:\s+\w+)?)\s+(?P<rest>(?:showed|show|shows|"
    r"pointed|points|point|suggested|suggests|suggest|conveyed|conveys|convey|revealed|"
    r"reveals|reveal|expressed|expresses|express|indicated|indicates|indicate|carried|"
    r"carries|carry|registered|registers|register|betrayed|betrays|hinted|hints)\b.+)$")


def split_neither_nor(low: str) -> str | None:
    m = NEITHER_NOR.match(low)
    if not m:
        return None
    rest = m.group("rest")
    return f"the {m.group('a')} did not {rest} and the {m.group('b')} did not {rest}"


# Comparisons in tables and logs: "AU17 (about 0.95) well above AU15 (about 0.1)".
ABOVE_BELOW = re.compile(r"\b(?:(?:was|were|is|are|sat|came in|scored|registered)\s+)?"
                         r"(?:well |far |clearly |much |a lot |slightly )?(above|over|"
                         r"below|under)\b(?=\s+(?:the\s+)?(?:au|action unit|[a-z]+ "
                         r"(?:score|class|probability)|\w+ness|anger|fear|disgust|surprise|"
                         r"neutral|contempt))")


def above_below_as_comparison(low: str) -> str:
    return ABOVE_BELOW.sub(lambda m: "higher than" if m.group(1) in ("above", "over")
                           else "lower than", low)


# A stated value: "AU17 came in at roughly 0.2", "fear scored around 0.8",
# "the neutral probability sat low, at about 0.3", "AU12 = 0.91", "AU6 (0.7)".
VALUE_RE = re.compile(
    r"(?:\(\s*(?:about|around|roughly|approximately|approx\.?|~|circa|p\s*=)?\s*|"
    r"\b(?:at|of|around|about|roughly|approximately|~|=|scored|scoring|score of|"
    r"probability of|came in at|sat at|reached|hit|read|measured|was|is|with)\s+"
    r"(?:(?:about|around|roughly|approximately|approx\.?|~|circa|just|only|a|an)\s+)*)"
    r"(?P<x>0?\.\d+|1\.0+|0|1)(?![\d.]*\s*(?:s\b|sec|seconds|syllables|db|semitones|st\b|"
    r"hz))")


def stated_value(clause: str) -> float | None:
    """The one probability-like number a clause states, if exactly one."""
    found = [float(m.group("x")) for m in VALUE_RE.finditer(clause)]
    found = list(dict.fromkeys(found))
    return found[0] if len(found) == 1 else None


# Prosody with a number in everyday units.
PROSODY_NUMBER = [
    (r"(?:speech|speaking|articulation|talking) (?:rate|speed|tempo)|tempo|pace",
     r"syllables?(?: per second| a second|/s)?|sps", "speaking_rate_sps"),
    (r"loudness|level|energy|volume", r"db|decibels?", "energy_db"),
    (r"(?:f0|pitch|fundamental frequency) range|pitch span|intonation range",
     r"semitones?|st", "f0_range_st"),
    (r"(?:vocal )?arousal(?: score)?", r"", "arousal"),
]
_APPROX = r"(?:(?:about|around|roughly|approximately|approx\.?|~|circa|nearly|almost|just)\s+)*"


def prosody_numbers(clause: str) -> list[tuple[str, float, tuple[int, int]]]:
    """(feature, value, span) for "a speech rate of roughly 6.5 syllables per second",
    "loudness around -20 dB", "arousal of 0.7"."""
    out = []
    for feat_rx, unit_rx, feat in PROSODY_NUMBER:
        unit = rf"\s*(?:{unit_rx})\b" if unit_rx else r"(?![\d.])"
        rx = (rf"\b(?:{feat_rx})\s+(?:(?:was|is|of|at|sat at|came in at|measured|reached|"
              rf"ran at|around|about|=|:)\s*)*{_APPROX}(?P<x>-?\d+(?:\.\d+)?){unit}")
        for m in re.finditer(rx, clause):
            out.append((feat, float(m.group("x")), m.span()))
        if unit_rx:  # "6.5 syllables per second"
            for m in re.finditer(rf"{_APPROX}(?P<x>-?\d+(?:\.\d+)?)\s*(?:{unit_rx})\b", clause):
                if not any(s <= m.start() < e for _, _, (s, e) in out):
                    out.append((feat, float(m.group("x")), m.span()))
    return out


# Counts: "three gesture events were recorded", "no gesture events", "two gestures".
COUNT_RE = re.compile(
    r"\b(?:just\s+|only\s+|exactly\s+)?(?P<n>no|zero|one|a single|two|three|four|five|six|"
    r"seven|eight|nine|ten|\d+)\s+"
    r"(?:separate\s+|distinct\s+|different\s+|micro-?\s*)?(?:(?:gesture|body|micro-gesture)s?\s*"
    r"(?:events?|detections?|episodes?|spans?|instances?)|(?:body|bodily)\s+movements?|things?\s+"
    r"(?:with|using)\s+(?:their|his|her|the)\s+body)\b|"
    r"\b(?P<n2>no|zero|one|a single|two|"
    r"three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:separate\s+|distinct\s+|different\s+)?"
    r"(?:micro-?\s*)?gestures\b(?=\s+(?:were|was|got|had been|in total|altogether|overall|"
    r"logged|recorded|detected|seen|observed|in (?:the|this)|cleared|passed|counted|made it|"
    r"registered|went over|got over|crossed))")
COUNT_WORDS = {"no": 0, "zero": 0, "one": 1, "a single": 1, "two": 2, "three": 3,
               "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def gesture_count(clause: str) -> tuple[int, tuple[int, int]] | None:
    m = COUNT_RE.search(clause)
    if not m:
        return None
    n = m.group("n") or m.group("n2")
    return (int(n) if n.isdigit() else COUNT_WORDS[n]), m.span()


# Channel counts: "four of the four channels had data", "only two of the four channels".
CHANNEL_COUNT_RE = re.compile(
    r"\b(?P<only>only\s+)?(?P<n>all|none|no|zero|one|two|three|four|\d)\s+(?:of\s+(?:the\s+)?"
    r"(?:(?:four|4)\s+)?)?(?:channels?|modalit(?:y|ies)|streams?|inputs?)\b(?:\s+(?:had|have|has|"
    r"carried|delivered|gave|provided|reported|came with|contained|with))?\s*(?:data|"
    r"signals?|evidence|readings?|something|input)?")


def channel_count(clause: str) -> int | None:
    m = CHANNEL_COUNT_RE.search(clause)
    if not m or not re.search(r"\b(?:channels?|modalit(?:y|ies)|streams?|inputs?)\b",
                              clause):
        return None
    n = m.group("n")
    if re.search(r"\ball\s+$", clause[:m.start()]) and n not in ("four", "4"):
        return None  # "all three channels: face, voice and body" names them, not a count
    if n == "all":
        return 4
    if n in ("none", "no", "zero"):
        return 0
    return int(n) if n.isdigit() else COUNT_WORDS[n]


# What a sensor caught, said of the sensor ("did the mic catch words", "can the robot see
# a face", "face ✓ voice ✗"): the channel's presence, in the words the reader knows.
PRESENT_CHANNEL = {"face": "a face was visible", "voice": "there was voice data",
                   "words": "there was transcript data",
                   "transcript": "there was transcript data",
                   "body": "body movements were detected"}
ABSENT_CHANNEL = {"face": "no face was visible", "voice": "there was no voice data",
                  "words": "there was no transcript data",
                  "transcript": "there was no transcript data",
                  "body": "there were no body movements"}
HEARD_RE = re.compile(
    r"\b(?:the\s+)?(?:mic|microphone|audio(?:\s+(?:channel|track|feed|stream))?|robot|"
    r"sensors?)\s+(?:catch|caught|pick\s+up|picked\s+up|register|registered|record|recorded|"
    r"hear|heard|capture|captured|get|got)\s+(?P<what>nothing|(?:any|some)?\s*(?:words?|"
    r"speech|sound|voice|anything|someone|somebody|a voice|talking))\b(?:\s+(?:at all|from "
    r"(?:the\s+)?\w+(?: at all)?))*")
SEEN_RE = re.compile(
    r"\b(?:the\s+)?(?:robot|camera|sensors?)\s+(?:see|saw|catch|caught|pick\s+up|picked\s+"
    r"up|register|registered|detect|detected|capture|captured|get|got)\s+(?:someone's|a|"
    r"their|his|her|any)\s+face\b")
TRACKED_RE = re.compile(
    r"\b(?:the\s+)?(?:body\s+)?(?:tracker|pose model|skeleton tracker)\s+(?:register|"
    r"registered|log|logged|catch|caught|pick\s+up|picked\s+up|detect|detected|see|saw|"
    r"record|recorded)\s+(?P<what>nothing|(?:any|some)\s+(?:movement|motion|gestures?|"
    r"body movements?))\b(?:\s+from\s+(?:the\s+)?\w+)?")
NOT_SEEN_RE = re.compile(
    r"\b(?:couldn't|could not|can't|cannot|didn't|did not|never)\s+(?:see|spot|find|detect)\s+"
    r"(?:a|any|the|her|his|their|someone's)\s+face\b")
STAGE_RE = re.compile(
    r"\b(?:the\s+)?(?P<c>face|voice|audio|speech|body|pose|gesture|transcript|asr)\s+(?:stage|"
    r"model|detector|channel|pipeline|tracker|node)\s+(?:return|returned|returns|gave|give|"
    r"produced|produce|output|outputs|deliver|delivered)\s+(?P<what>nothing|something|data|"
    r"output|results?|anything)\b(?:\s+(?:for|in) (?:this|the) (?:window|clip))?")
_STAGE_CHANNEL = {"face": "face", "voice": "voice", "audio": "voice", "speech": "voice",
                  "body": "body", "pose": "body", "gesture": "body", "transcript": "words",
                  "asr": "words"}
NO_SPEECH_RE = re.compile(
    r"\b(?:you\s+)?(?:won't|will not|can't|cannot|couldn't|could not)\s+(?:find|hear)\s+"
    r"(?:any|a single)\s+(?:audible\s+)?(?:speech|sound|voice|word)s?\b|\b(?:didn't|did not|"
    r"never|doesn't|does not)\s+(?:say|utter|speak)\s+(?:a|one)\s+(?:single\s+)?word\b|"
    r"\b(?:not|never|without)\s+(?:saying|uttering|speaking)\s+(?:a|one|any)\s+(?:single\s+)?"
    r"(?:thing|word)s?\b|\bsaid nothing\b|\b(?:didn't|did not|never) say anything\b")
NO_MOVE_RE = re.compile(
    r"\b(?:didn't|did not|never|doesn't|does not)\s+move\s+(?:a|one)\s+(?:single\s+)?"
    r"muscle\b(?:\s+of\s+(?:their|his|her|the)\s+body)?")
TICKS_RE = re.compile(r"\b(face|voice|words|transcript|body)\s*([\u2713\u2714\u2717\u2718x])"
                      r"(?=\s|$|,)")


def sensor_frames(low: str) -> str:
    low = HEARD_RE.sub(lambda m: ABSENT_CHANNEL["voice"] if m.group("what") == "nothing"
                       else PRESENT_CHANNEL["voice"], low)
    low = SEEN_RE.sub(PRESENT_CHANNEL["face"], low)
    low = TRACKED_RE.sub(lambda m: ABSENT_CHANNEL["body"] if m.group("what") == "nothing"
                         else PRESENT_CHANNEL["body"], low)
    low = NO_SPEECH_RE.sub(ABSENT_CHANNEL["voice"], low)
    low = NOT_SEEN_RE.sub(ABSENT_CHANNEL["face"], low)
    low = STAGE_RE.sub(lambda m: (ABSENT_CHANNEL if m.group("what") == "nothing"
                                  else PRESENT_CHANNEL)[_STAGE_CHANNEL[m.group("c")]], low)
    low = NO_MOVE_RE.sub(ABSENT_CHANNEL["body"], low)
    ticks = TICKS_RE.findall(low)
    if len(ticks) >= 2 and not TICKS_RE.sub("", low).strip(" ,;.?!"):
        low = ", and ".join(PRESENT_CHANNEL[c] if t in "\u2713\u2714" else ABSENT_CHANNEL[c]
                            for c, t in ticks)
    return low


# "Calm is not how his voice came over" -> "his voice was not calm"; "anything but
# cheerful" -> "not cheerful".
FRONTED_NOT_RE = re.compile(
    r"^(?P<x>[a-z][a-z -]{1,30}?) (?:is|was) not how (?P<who>(?:his|her|their|the) "
    r"(?:voice|face|words|tone|expression|speech))\s+(?:came over|came across|comes over|"
    r"comes across|sounded|sounds|looked|looks|seemed|seems|read|reads)\b(?P<rest>.*)$")


def fronted_negation(low: str) -> str:
    m = FRONTED_NOT_RE.match(low)
    if m:
        low = f"{m.group('who')} was not {m.group('x')}{m.group('rest')}"
    return re.sub(r"\banything but\s+", "not ", low)


# Words that exclude each other when a topic is checked against the transcript: a topic
# that says "brother" where the speaker said "sister" is another fact, however alike the
# sentences are. Each group is a list of sides; a side is a set of word stems.
EXCLUSIVE_WORDS: tuple[tuple[frozenset[str], ...], ...] = tuple(
    tuple(frozenset(side.split()) for side in group.split("|")) for group in (
        "brother|sister|mother mum mom|father dad|son|daughter|wife|husband|grandson|"
        "granddaughter|grandmother grandma granny|grandfather grandpa|aunt|uncle|cousin|niece|"
        "nephew|boss|neighbour neighbor",
        "cat kitten|dog puppy|rabbit|hamster|parrot|horse",
        "warm hot heat|cold chill chilly cool freez",
        "window|door",
        "pass won win succeed|fail lost lose",
        "egg|butter|flour|sugar|milk|salt|cheese|oil",
        "kitchen|bedroom|bathroom|garden|hospital|school|office",
        "bus|train|taxi|plane|tram|ferry",
        "key|wallet|phone|glasses|umbrella|passport|ticket",
        "scotland|spain|france|greece|italy|germany|portugal|ireland|england|wales|america|"
        "canada|japan|china|india|australia|paris|london|rome|madrid|berlin",
        "plate|window|lamp|mug|vase|cup|glass|bowl|jar|bottle|tv telly television|radio|"
        "laptop|mirror|chair|clock",
        "sink|fridge|bin|cupboard|tea|oven|table|floor|drawer",
        "doctor|nurse|dentist|teacher|plumber|postman|police",
        "early|late",
        "open|close shut",
    ))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "er", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[:-len(suffix)]
            return base[:-1] if len(base) > 3 and base[-1] == base[-2] else base
    return word


def _side(stems: set[str], group: tuple[frozenset[str], ...]) -> set[int]:
    return {i for i, side in enumerate(group)
            if any(st in side or any(st.startswith(x) for x in side if len(x) >= 5)
                   for st in stems)}


def substituted_words(topic: str, transcript: str) -> list[str]:
    """Words of the topic whose group the transcript fills with another side only."""
    said = {f(x) for x in re.findall(r"[a-z]+", transcript.lower()) for f in (_stem, str)}
    out = []
    for x in re.findall(r"[a-z]+", topic.lower()):
        st = {_stem(x), x}
        for group in EXCLUSIVE_WORDS:
            mine = _side(st, group)
            if not mine:
                continue
            theirs = _side(said, group)
            if theirs and not (mine & theirs):
                out.append(x)
    return out


_EMO_ADJ = (r"happy|sad|angry|afraid|scared|fearful|surprised|disgusted|neutral|calm|content|"
            r"upset|cheerful|glad|happiness|sadness|anger|fear|surprise|disgust")


def everyday_forms(low: str) -> str:
    """Smaller rewrites of everyday wording into forms the clause reader knows."""
    # "three and a half seconds": one number, before "and" can split the clause
    low = re.sub(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|\d+) and a half\b",
                 lambda m: f"{COUNT_WORDS.get(m.group(1), m.group(1))}.5", low)
    # "slower than usual": a level, not a comparison of two readings
    low = re.sub(r"\b(?:noticeably |much |a bit |slightly |clearly )?(faster|slower|louder|"
                 r"quieter|softer|higher|lower) than (?:usual|normal|average|typical|expected)\b",
                 lambda m: {"faster": "fast", "slower": "slow", "louder": "loud",
                            "quieter": "quiet", "softer": "soft", "higher": "high",
                            "lower": "low"}[m.group(1)], low)
    # "a vase was said to have been broken": what was said, with its subject
    low = re.sub(r"^(?P<x>(?:the|a|an|his|her|their|my|some) [a-z' -]+?) (?P<v>was|were) said to "
                 r"(?:have been |be |have )?(?P<y>.+)$",
                 lambda m: f"they said {m.group('x')} {m.group('v')} {m.group('y')}", low)
    low = re.sub(r"\b(?:mislaid|misplaced)\b", "lost", low)
    low = re.sub(r"\b(?:once more|yet again|one more time)\b", "again", low)
    low = re.sub(r",?\s*\b(?:in effect|so to speak|essentially|basically)\b", "", low)
    # "calm edges out cheerful": which of two emotions is the stronger
    low = re.sub(rf"\b({_EMO_ADJ}) (?:edges out|beats|outweighs|wins out over|trumps|outscores|"
                 rf"outranks|tops) ({_EMO_ADJ})\b", r"\1 more than \2", low)
    low = re.sub(r"\b(?:fairly|quite|reasonably) (?:marked|pronounced|strong|clear|intense)\b",
                 "moderate", low)
    # "asked for the telly to be turned off": a device, not a feeling
    low = re.sub(r"\b(?:to be|be) (turned|switched) off\b", r"\1 it off", low)
    # "wording is warm", "overall downbeat": the sentiment of the words
    low = re.sub(r"\b(?:the\s+)?(?:wording|language|words)\s+(?:is|was|are|were|sounds?|sounded|"
                 r"reads?|felt|feels)\s+(warm|upbeat|positive|cheerful|bright|friendly|kind|"
                 r"hopeful|optimistic|bleak|gloomy|negative|downbeat|grim|dark|hostile|harsh|"
                 r"pessimistic)\b", lambda m: "the wording carries " + (
                     "positive" if m.group(1) in ("warm", "upbeat", "positive", "cheerful",
                                                  "bright", "friendly", "kind", "hopeful",
                                                  "optimistic") else "negative")
                 + " sentiment", low)
    low = re.sub(r"\b(?:i\.e\.|e\.g\.|i\.e|e\.g)(?=\s|,)", ",", low)  # "..., i.e. a command"
    # "the words carry no particular feeling either way": neutral wording
    low = re.sub(r"\b(?:the\s+)?(words|wording|transcript)(?:\s+themselves)?\s+(?:carry|carried|"
                 r"have|had|show|showed|express|expressed|convey|conveyed)\s+no\s+(?:particular"
                 r"\s+|real\s+|special\s+|strong\s+)?(?:feeling|emotion|sentiment|tone|colou?r)s?"
                 r"(?:\s+either way)?", r"the \1 were neutral", low)
    # "are eggs part of what he lists": a topic of the transcript
    low = re.sub(r"^(?:is\s+|are\s+)?(?P<x>[a-z][a-z ,'-]{1,40}?)\s+(?:part of|among|on the list "
                 r"of)\s+what\s+(?:he|she|they|the speaker)\s+(?:lists?|listed|mentions?|"
                 r"mentioned|names?|named|said|says|reads? out|read out)\b",
                 lambda m: f"they mentioned {m.group('x')}", low)
    # "she came across as more happy than neutral": a comparison of two emotions
    low = re.sub(r"\bmore\s+(happy|sad|angry|afraid|scared|fearful|surprised|disgusted|"
                 r"neutral|calm|content|upset|cheerful|glad)\s+than\s+(happy|sad|angry|afraid|"
                 r"scared|fearful|surprised|disgusted|neutral|calm|content|upset|cheerful|glad)\b",
                 r"\1 more than \2", low)
    return low


# A question answered in the same line ("Volume? Loud.", "Head scratch? Right from the
# first second."): a log line "volume: loud". Only a short head with no verb of its own.
FRAGMENT_QA = re.compile(
    r"(?:(?<=^)|(?<=[.!?]\s))(?P<h>(?!(?:was|were|is|are|did|does|do|has|have|had|can|could|"
    r"would|will|should|who|what|when|where|why|how|which)\b)[A-Za-z][A-Za-z -]{1,25}?)\?\s+"
    r"(?P<v>[A-Za-z][^.?!]{0,50}?)(?=[.!]|$)")


# Numbers people write in words: "minus 0.5", "four fifths", "a third", "60 %".
_FRACTION_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9}
_FRACTION_DEN = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
                 "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "seventh": 7, "sevenths": 7,
                 "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9, "tenth": 10, "tenths": 10}
FRACTION_RE = re.compile(
    r"(?<!first )(?<!second )(?<!third )(?<!last )(?<!final )(?<!latter )(?<!former )"
    r"(?<!opening )(?<!closing )(?<!middle )(?<!the )\b(?P<n>a|an|one|two|three|four|five|six|"
    r"seven|eight|nine)[- ](?P<d>half|halves|thirds?|quarters?|fifths?|sixths?|sevenths?|"
    r"eighths?|ninths?|tenths?)\b")
PERCENT_RE = re.compile(r"\b(?P<x>\d{1,3}(?:\.\d+)?)\s*(?:%|per ?cent\b)")
SCORE_HALF_RE = re.compile(r"\b(?P<p>at|about|around|roughly|nearly|almost|just over|just under"
                           r"|over|under) half\b(?! (?:of the|the|a|an|way)\b)")


def numeric_forms(low: str) -> str:
    low = re.sub(r"\bminus\s+(?=\d)", "-", low)
    low = re.sub(r"\bplus\s+(?=\d)", "", low)

    def fraction(m: re.Match) -> str:
        value = _FRACTION_NUM[m.group("n")] / _FRACTION_DEN[m.group("d")]
        return f"{value:.2f}".rstrip("0").rstrip(".")
    low = FRACTION_RE.sub(fraction, low)
    low = PERCENT_RE.sub(lambda m: f"{float(m.group('x')) / 100:.2f}".rstrip("0").rstrip("."),
                         low)
    return SCORE_HALF_RE.sub(lambda m: f"{m.group('p')} 0.5", low)


# A prosody reading against a bound: "is arousal logged below -0.5?", "energy above -30 dB".
PROSODY_BOUND_RE = re.compile(
    r"\b(?P<f>(?:vocal )?arousal|energy|loudness|volume|speech rate|speaking rate|pitch range)"
    r"(?:\s+(?:value|score|level|reading))?(?:\s+(?:logged|recorded|measured|in the log|was|is|"
    r"stayed|sat|came in))*\s+(?P<b>above|below|over|under|greater than|less than|higher than|"
    r"lower than)\s+(?P<x>-?\d+(?:\.\d+)?)")
_BOUND_FEATURE = {"arousal": "arousal", "vocal arousal": "arousal", "energy": "energy_db",
                  "loudness": "energy_db", "volume": "energy_db",
                  "speech rate": "speaking_rate_sps", "speaking rate": "speaking_rate_sps",
                  "pitch range": "f0_range_st"}


def prosody_bounds(clause: str) -> list[tuple[str, str, float, tuple[int, int]]]:
    """(feature, "above"|"below", bound, span) for each stated bound."""
    out = []
    for m in PROSODY_BOUND_RE.finditer(clause):
        side = "above" if m.group("b") in ("above", "over", "greater than", "higher than") \
            else "below"
        out.append((_BOUND_FEATURE[m.group("f")], side, float(m.group("x")), m.span()))
    return out


# How many words were said: "she spoke about fifteen words", "zero words in the transcript".
_WORD_NUMBERS = {"zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
                 "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
                 "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
                 "forty": 40, "fifty": 50}
WORD_COUNT_RE = re.compile(
    r"\b(?P<q>about|around|roughly|some|approximately|nearly|almost|exactly|only|just)?\s*"
    r"(?P<n>\d+|" + "|".join(_WORD_NUMBERS) + r")\s+words?\b(?!\s+(?:per|a)\b)")


def word_count(clause: str) -> tuple[int, bool, tuple[int, int]] | None:
    """(number of words, approximate?, span) when the clause counts the words said."""
    m = WORD_COUNT_RE.search(clause)
    if not m or not re.search(r"\b(?:spoke|said|say|says|uttered|transcript|words? long|in the "
                              r"words|speech had|talked)\b", clause):
        return None
    n = int(m.group("n")) if m.group("n").isdigit() else _WORD_NUMBERS[m.group("n")]
    approx = m.group("q") in ("about", "around", "roughly", "some", "approximately", "nearly",
                              "almost")
    return n, approx, m.span()
