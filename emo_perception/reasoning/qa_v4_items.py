"""Hand-written items of the v4 held-out QA set (issue #16), with their gold formulas.

Every item was written by hand for one window of ``data/qa/heldout_v4/windows.json`` after
reading that window's numbers and its ``meta`` annotation, in one of two styles:

- ``question``: the short, casual question an HRI developer would type while looking at
  a clip ("Did they look caught off guard?", "Any sign of nerves in the hands?"), with
  "they" / "this person" / "you" and contractions;
- ``rationale``: the multi-clause explanation a language model would write ("Since the
  cheeks lift and the lip corners pull up, this reads as a real smile."). Every clause of
  such a statement is a claim, so its formula is the conjunction of the reasons and the
  conclusion: a rationale is true only when its reasons and its conclusion all hold.

The formulas are those of ``qa_v3_truth.holds`` (evidence bands with a no-ask margin). The
two statements of a pair share their frame and differ in one claim; the generator checks
that the first holds and the second does not, and stops on any item whose gold is not as
written or is ambiguous. Written without reading the claim reader and without running any
reasoner on a draft; the wording of the earlier sets was avoided.
"""

from __future__ import annotations

FOREHEAD = "Touching or scratching forehead"
AKIMBO = "Arms akimbo"
HANDS = "Rubbing or holding hands"
HAIR = "Playing or adjusting hair"
STEEPLE = "Minaret gesture"
JAW = "Touching jaw"
EYES = "Rubbing eyes"
COVER = "Covering face"
NAILS = "Biting nails"
ARMS = "Scratching or touching arms"
FINGERS = "Crossing fingers"
EARS = "Touching ears"
FOLD = "Folding arms"
TALK = "Illustrative hand gestures"
HEAD = "Touching or scratching head"
HEAD_UP = "Head up"
NOSE = "Touching nose"
ALL_AUS = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26, 43, 45)
NO_SMILE = [("not", ("au", (12,))), ("not", ("expr", "happiness", "shown"))]

Q, R = "question", "rationale"

# (window, category, style, true statement, its formula, false statement, its formula)
PAIRS: list[tuple[str, str, str, str, object, str, object]] = [
    # -- v3_lift: complaint about a lift; AU4 + AU15 on, forehead early, hips late ------------
    ("v3_lift", "action_unit", Q, "Were the brows pulled together into a frown?",
     ("au", (4,)), "Did the cheeks rise the way they do in a genuine smile?", ("au", (6,))),
    ("v3_lift", "action_unit", Q, "Quick check: was AU04 on?", ("au", (4,)),
     "Quick check: was AU06 on?", ("au", (6,))),
    ("v3_lift", "action_unit", R, "The mouth corners are turned down, which is AU15 at work.",
     ("au", (15,)), "The mouth corners are turned up, which is AU12 at work.",
     ("au", (12,))),
    ("v3_lift", "gesture", Q, "Did they touch their forehead?", ("gest", FOREHEAD, "any"),
     "Did they chew on their nails?", ("gest", NAILS, "any")),
    ("v3_lift", "time", Q, "Was the forehead touch early on?", ("gest", FOREHEAD, "opening"),
     "Was the forehead touch near the end?", ("gest", FOREHEAD, "close")),
    ("v3_lift", "time", R, "The fists-on-hips pose only turns up in the second half, so it "
     "isn't how the clip starts.", ("gest", AKIMBO, "after_mid"),
     "The fists-on-hips pose only turns up in the first half, so it isn't how the clip ends.",
     ("gest", AKIMBO, "before_mid")),
    ("v3_lift", "transcript", Q, "Did the words sound annoyed?", ("temo", "anger"),
     "Did the words sound grateful?", ("temo", "gratitude")),
    ("v3_lift", "speech_act", Q, "Were they griping about something?", ("act", "complaint"),
     "Were they saying sorry for something?", ("act", "apology")),
    ("v3_lift", "prosody", Q, "Was their volume in the normal range?",
     ("pros", "energy_db", "normal"), "Were they practically whispering?",
     ("pros", "energy_db", "low")),
    ("v3_lift", "modality", R, "Going by the transcript alone you'd call them angry, but the "
     "face itself isn't showing anger.",
     [("temo", "anger"), ("not", ("expr", "anger", "shown"))],
     "Going by the transcript alone you'd call them cheerful, but the face itself isn't "
     "showing anger.", [("temo", "happiness"), ("not", ("expr", "anger", "shown"))]),
    ("v3_lift", "compound", Q, "So they frowned and complained about the lift?",
     [("au", (4,)), ("act", "complaint"), ("says", ["lift"])],
     "So they frowned and complained about the parking?",
     [("au", (4,)), ("act", "complaint"), ("says", ["parking"])]),
    ("v3_lift", "negation", Q, "Am I right that there's no smile anywhere on this face?",
     NO_SMILE, "Am I right that there's no frown anywhere on this face?",
     ("not", ("au", (4,)))),
    ("v3_lift", "comparison", Q, "Was AU15 clearly stronger than AU12?",
     ("more", ("au", 15), ("au", 12)), "Was AU12 clearly stronger than AU15?",
     ("more", ("au", 12), ("au", 15))),
    # -- v3_shopping: thanks; strong happiness; hands early, hair late; lively pitch -------
    ("v3_shopping", "emotion", Q, "Did they seem cheerful?", ("expr", "happiness", "main"),
     "Did they seem scared?", ("expr", "fear", "main")),
    ("v3_shopping", "intensity", Q, "Would you call it a huge smile, like really happy?",
     ("expr", "happiness", "strong"),
     "Would you call it a faint smile, just a little happy?", ("expr", "happiness", "weak")),
    ("v3_shopping", "action_unit", R, "The cheeks lift and the lip corners pull up, so this "
     "reads as a genuine, Duchenne-type smile.",
     [("au", (6,)), ("au", (12,)), ("expr", "happiness", "main")],
     "The brows knit together and the lip corners pull up, so this reads as a genuine, "
     "Duchenne-type smile.", [("au", (4,)), ("au", (12,)), ("expr", "happiness", "main")]),
    ("v3_shopping", "gesture", Q, "Any sign of nerves in the hands, like wringing them?",
     ("gest", HANDS, "any"), "Any sign of nerves in the hands, like picking at the nails?",
     ("gest", NAILS, "any")),
    ("v3_shopping", "time", Q, "Did the hair-fiddling happen toward the end?",
     ("gest", HAIR, "close"), "Did the hair-fiddling happen right at the start?",
     ("gest", HAIR, "opening")),
    ("v3_shopping", "prosody", Q, "Did their pitch jump around a lot?",
     ("pros", "f0_range_st", "high"), "Was their pitch pretty much monotone?",
     ("pros", "f0_range_st", "low")),
    ("v3_shopping", "prosody", R, "The voice comes across as energetic, so they sound "
     "worked up.", ("pros", "arousal", "high"),
     "The voice comes across as low on energy, so they sound worn out.",
     ("pros", "arousal", "low")),
    ("v3_shopping", "transcript", Q, "Did the words sound thankful?", ("temo", "gratitude"),
     "Did the words sound remorseful?", ("temo", "regret")),
    ("v3_shopping", "speech_act", Q, "Did they say thanks to someone?", ("act", "thanks"),
     "Did they ask someone for directions?", ("act", "question")),
    ("v3_shopping", "compound", R, "They're beaming, and it's because someone carried their "
     "bags for them.", [("expr", "happiness", "main"), ("act", "thanks"),
                        ("says", ["bags"])],
     "They're beaming, and it's because someone carried their suitcase for them.",
     [("expr", "happiness", "main"), ("act", "thanks"), ("says", ["suitcase"])]),
    ("v3_shopping", "comparison", Q, "Is happiness the clear winner among the emotion "
     "scores?", ("top", "happiness"),
     "Is sadness the clear winner among the emotion scores?", ("top", "sadness")),
    ("v3_shopping", "negation", Q, "There wasn't any frowning in this clip.",
     ("not", ("au", (4,))), "There wasn't any smiling in this clip.",
     ("not", ("au", (12,)))),
    ("v3_shopping", "modality", Q, "Do we have audio from this person?", ("has", "voice"),
     "Is it a silent clip with no audio?", ("not", ("has", "voice"))),
    # -- v3_library: asks the way; blank face; steeple early, jaw late; all prosody normal --
    ("v3_library", "emotion", Q, "Was their face pretty blank, no real emotion?",
     ("expr", "neutral", "main"), "Was their face lit up with joy?",
     ("expr", "happiness", "main")),
    ("v3_library", "emotion", R, "Since none of the action units gets past its threshold, "
     "the face comes across as expressionless.",
     [("not", ("au", ALL_AUS)), ("expr", "neutral", "main")],
     "Since none of the action units gets past its threshold, the face comes across as "
     "disgusted.", [("not", ("au", ALL_AUS)), ("expr", "disgust", "main")]),
    ("v3_library", "gesture", Q, "Did they hold their fingertips together in a tent shape?",
     ("gest", STEEPLE, "any"), "Did they put both hands over their face?",
     ("gest", COVER, "any")),
    ("v3_library", "time", Q, "Was the fingertip tent in the first half?",
     ("gest", STEEPLE, "before_mid"), "Was the fingertip tent in the second half?",
     ("gest", STEEPLE, "after_mid")),
    ("v3_library", "time", R, "The hand only goes to the jaw after the 6-second mark, "
     "because that touch starts late in the clip.", ("gest", JAW, ("after", 6)),
     "The hand goes to the jaw and leaves it again before the 6-second mark, because that "
     "touch happens early in the clip.", ("gest", JAW, ("before", 6))),
    ("v3_library", "speech_act", Q, "Was this person asking where something is?",
     [("act", "question"), ("says", ["where"])],
     "Was this person moaning about something?", ("act", "complaint")),
    ("v3_library", "transcript", Q, "Did they mention bringing back some books?",
     ("says", ["books"]), "Did they mention paying a fine?", ("says", ["fine"])),
    ("v3_library", "prosody", Q, "Was their speaking pace normal?",
     ("pros", "speaking_rate_sps", "normal"), "Were they talking super fast?",
     ("pros", "speaking_rate_sps", "high")),
    ("v3_library", "transcript", R, "It's a request for directions, and the wording stays "
     "polite and neutral.", [("act", "request"), ("tone", "neutral")],
     "It's a request for directions, and the wording turns hostile.",
     [("act", "request"), ("tone", "negative")]),
    ("v3_library", "negation", Q, "Am I right that they didn't sound agitated?",
     ("not", ("pros", "arousal", "high")),
     "Am I right that they didn't speak at a normal pace?",
     ("not", ("pros", "speaking_rate_sps", "normal"))),
    ("v3_library", "modality", Q, "Did we actually get words from speech recognition for "
     "this one?", ("has", "words"), "Is the transcript empty for this one?",
     ("not", ("has", "words"))),
    ("v3_library", "comparison", Q, "Did the fingertip tent come before the jaw touch?",
     ("earlier", STEEPLE, JAW), "Did the jaw touch come before the fingertip tent?",
     ("earlier", JAW, STEEPLE)),
    # -- v3_birthday: quiet apology; AU15; eyes rubbed mid-early, face covered late --------
    ("v3_birthday", "gesture", Q, "Were they rubbing at their eyes?", ("gest", EYES, "any"),
     "Were they tugging at an ear?", ("gest", EARS, "any")),
    ("v3_birthday", "time", Q, "Did both hands go over their face near the end?",
     ("gest", COVER, "close"), "Did both hands go over their face in the first "
     "couple of moments?", ("gest", COVER, "opening")),
    ("v3_birthday", "prosody", Q, "Was the voice really quiet?", ("pros", "energy_db", "low"),
     "Was the voice really loud?", ("pros", "energy_db", "high")),
    ("v3_birthday", "prosody", R, "The speaker sounds subdued, with hardly any energy "
     "behind the voice.", ("pros", "arousal", "low"),
     "The speaker sounds fired up, with plenty of energy behind the voice.",
     ("pros", "arousal", "high")),
    ("v3_birthday", "speech_act", Q, "Was that an apology?", ("act", "apology"),
     "Was that a warning?", ("act", "warning")),
    ("v3_birthday", "transcript", Q, "Did the words sound regretful?", ("temo", "regret"),
     "Did the words sound excited and happy?", ("temo", "happiness")),
    ("v3_birthday", "action_unit", R, "The lip corners are pulled down (AU15), which fits "
     "the remorseful words.", [("au", (15,)), ("temo", "regret")],
     "The lip corners are pulled up (AU12), which fits the remorseful words.",
     [("au", (12,)), ("temo", "regret")]),
    ("v3_birthday", "emotion", Q, "Did their face stay mostly neutral during the apology?",
     [("expr", "neutral", "main"), ("act", "apology")],
     "Did their face turn angry during the apology?",
     [("expr", "anger", "main"), ("act", "apology")]),
    ("v3_birthday", "negation", Q, "Am I right that they never mentioned a present?",
     ("not", ("says", ["present", "gift"])),
     "Am I right that they never mentioned a birthday?", ("not", ("says", ["birthday"]))),
    ("v3_birthday", "comparison", Q, "Did the eye-rubbing come before the face-covering?",
     ("earlier", EYES, COVER), "Did the face-covering come before the eye-rubbing?",
     ("earlier", COVER, EYES)),
    ("v3_birthday", "compound", Q, "They said sorry in a quiet voice and later hid their "
     "face, yeah?", [("pros", "energy_db", "low"), ("act", "apology"),
                     ("gest", COVER, "after_mid")],
     "They said sorry in a quiet voice and later crossed their arms, yeah?",
     [("pros", "energy_db", "low"), ("act", "apology"), ("gest", FOLD, "after_mid")]),
    # -- v3_snake: shouted warning; brows up, AU7, AU14; no gestures ----------------------
    ("v3_snake", "action_unit", Q, "Did the eyebrows shoot up?",
     [("au", (1,)), ("au", (2,))], "Did the eyebrows knit together and drop?",
     ("au", (4,))),
    ("v3_snake", "action_unit", Q, "Was AU07 active?", ("au", (7,)),
     "Was AU15 active?", ("au", (15,))),
    ("v3_snake", "prosody", Q, "Were they yelling?", ("pros", "energy_db", "high"),
     "Were they mumbling quietly?", ("pros", "energy_db", "low")),
    ("v3_snake", "prosody", R, "The pitch swings widely, and the words themselves are "
     "fearful.", [("pros", "f0_range_st", "high"), ("temo", "fear")],
     "The pitch barely moves, and the words themselves are fearful.",
     [("pros", "f0_range_st", "low"), ("temo", "fear")]),
    ("v3_snake", "speech_act", Q, "Was this a heads-up about something dangerous?",
     ("act", "warning"), "Was this a thank-you?", ("act", "thanks")),
    ("v3_snake", "transcript", Q, "Did they mention a snake?", ("says", ["snake"]),
     "Did they mention a spider?", ("says", ["spider"])),
    ("v3_snake", "modality", R, "We've got face, voice and transcript data here, but no "
     "gesture detections.",
     [("has", "face"), ("has", "voice"), ("has", "words"), ("not", ("has", "body"))],
     "We've got face, voice and transcript data here, plus gesture detections.",
     [("has", "face"), ("has", "voice"), ("has", "words"), ("has", "body")]),
    ("v3_snake", "negation", Q, "Am I right that the gesture tracker came up empty "
     "here?", ("not", ("has", "body")),
     "Am I right that the microphone came up empty here?", ("not", ("has", "voice"))),
    ("v3_snake", "compound", Q, "Did they shout a warning with their eyebrows up?",
     [("pros", "energy_db", "high"), ("act", "warning"), ("au", (1,)), ("au", (2,))],
     "Did they shout a thank-you with their eyebrows up?",
     [("pros", "energy_db", "high"), ("act", "thanks"), ("au", (1,)), ("au", (2,))]),
    ("v3_snake", "comparison", Q, "Was AU2 much stronger than AU4?",
     ("more", ("au", 2), ("au", 4)), "Was AU4 much stronger than AU2?",
     ("more", ("au", 4), ("au", 2))),
    # -- v3_report: no face; nails early, arm mid-late, fingers crossed late; slow speech ---
    ("v3_report", "modality", Q, "Was there no face data in this window?",
     ("not", ("has", "face")), "Was there no audio in this window?",
     ("not", ("has", "voice"))),
    ("v3_report", "gesture", Q, "Were they chewing on a fingernail?", ("gest", NAILS, "any"),
     "Were they running a hand through their hair?", ("gest", HAIR, "any")),
    ("v3_report", "time", Q, "Was the nail-chewing right at the start?",
     ("gest", NAILS, "opening"), "Was the nail-chewing in the closing part?",
     ("gest", NAILS, "close")),
    ("v3_report", "time", R, "The fingers got crossed late on, after the arm-scratching "
     "was over.", [("gest", FINGERS, "close"), ("earlier", ARMS, FINGERS)],
     "The fingers got crossed early on, before the arm-scratching began.",
     [("gest", FINGERS, "opening"), ("earlier", FINGERS, ARMS)]),
    ("v3_report", "prosody", Q, "Did they talk slowly?", ("pros", "speaking_rate_sps", "low"),
     "Did they talk quickly?", ("pros", "speaking_rate_sps", "high")),
    ("v3_report", "transcript", Q, "Was what they said just plain facts, nothing "
     "emotional?", ("tone", "neutral"), "Was what they said upbeat and positive?",
     ("tone", "positive")),
    ("v3_report", "speech_act", Q, "Were they just describing something, not asking "
     "anything?", [("not", ("act", "question")), ("not", ("act", "request"))],
     "Were they asking somebody something, not just describing?", ("act", "question")),
    ("v3_report", "negation", Q, "It's not the case that they crossed their arms.",
     ("not", ("gest", FOLD, "any")),
     "It's not the case that they crossed their fingers.",
     ("not", ("gest", FINGERS, "any"))),
    ("v3_report", "transcript", Q, "Did they say the report is forty pages long?",
     ("says", ["forty pages"]), "Did they say the report is ten pages long?",
     ("says", ["ten pages"])),
    ("v3_report", "compound", R, "They talk slowly about a report, and they chew their "
     "nails at the start.",
     [("pros", "speaking_rate_sps", "low"), ("says", ["report"]),
      ("gest", NAILS, "opening")],
     "They talk slowly about a report, and they chew their nails at the end.",
     [("pros", "speaking_rate_sps", "low"), ("says", ["report"]), ("gest", NAILS, "close")]),
    # -- v3_mm_a: moderate surprise; brows up, eyes wide; face only ------------------------
    ("v3_mm_a", "emotion", Q, "Did they look caught off guard?", ("expr", "surprise", "main"),
     "Did they look grossed out?", ("expr", "disgust", "main")),
    ("v3_mm_a", "intensity", Q, "Would you say they're fairly surprised but not totally "
     "shocked?", ("expr", "surprise", "moderate"),
     "Would you say they're totally shocked, off the charts?",
     ("expr", "surprise", "strong")),
    ("v3_mm_a", "action_unit", Q, "Were their eyes wide open?", ("au", (5,)),
     "Were their eyes squeezed shut?", ("au", (43,))),
    ("v3_mm_a", "action_unit", R, "Raised brows (AU01 and AU02) plus widened eyes (AU05) "
     "point to surprise.",
     [("au", (1,)), ("au", (2,)), ("au", (5,)), ("expr", "surprise", "main")],
     "Lowered brows (AU04) plus widened eyes (AU05) point to surprise.",
     [("au", (4,)), ("au", (5,)), ("expr", "surprise", "main")]),
    ("v3_mm_a", "modality", Q, "Is this a face-only window, with no sound or words?",
     [("has", "face"), ("not", ("has", "voice")), ("not", ("has", "words"))],
     "Is this a voice-only window, with no face?",
     [("has", "voice"), ("not", ("has", "face"))]),
    ("v3_mm_a", "comparison", Q, "Was surprise the top emotion by a clear margin?",
     ("top", "surprise"), "Was fear the top emotion by a clear margin?", ("top", "fear")),
    ("v3_mm_a", "negation", Q, "Am I right that they weren't smiling?", NO_SMILE,
     "Am I right that their eyebrows weren't raised?", ("not", ("au", (1, 2)))),
    # -- v3_mm_b: moderate disgust; AU10, AU17; ear early, arms folded later ---------------
    ("v3_mm_b", "emotion", Q, "Did they look grossed out?", ("expr", "disgust", "main"),
     "Did they look sad?", ("expr", "sadness", "main")),
    ("v3_mm_b", "action_unit", R, "The raised upper lip (AU10) is what gives the face its "
     "disgusted look.", [("au", (10,)), ("expr", "disgust", "main")],
     "The wrinkled nose (AU09) is what gives the face its disgusted look.",
     [("au", (9,)), ("expr", "disgust", "main")]),
    ("v3_mm_b", "intensity", Q, "Would you call the disgust moderate rather than extreme?",
     ("expr", "disgust", "moderate"), "Would you call the disgust extreme?",
     ("expr", "disgust", "strong")),
    ("v3_mm_b", "gesture", Q, "Any ear touching?", ("gest", EARS, "any"),
     "Any eye rubbing?", ("gest", EYES, "any")),
    ("v3_mm_b", "time", Q, "Did they cross their arms in the back half of the clip?",
     ("gest", FOLD, "after_mid"), "Did they cross their arms in the front half of the clip?",
     ("gest", FOLD, "before_mid")),
    ("v3_mm_b", "time", Q, "Was the ear touch at the very start?", ("gest", EARS, "opening"),
     "Was the ear touch at the very end?", ("gest", EARS, "close")),
    ("v3_mm_b", "comparison", Q, "Did they touch their ear before crossing their arms?",
     ("earlier", EARS, FOLD), "Did they cross their arms before touching their ear?",
     ("earlier", FOLD, EARS)),
    ("v3_mm_b", "compound", Q, "They crossed their arms and curled their upper lip, "
     "right?", [("gest", FOLD, "any"), ("au", (10,))],
     "They crossed their arms and dropped their brows into a frown, right?",
     [("gest", FOLD, "any"), ("au", (4,))]),
    ("v3_mm_b", "negation", R, "No sound was recorded in this clip, so only the face and "
     "the gestures can be read.", [("not", ("has", "voice")), ("not", ("has", "words")),
                                   ("has", "face"), ("has", "body")],
     "No face was recorded in this clip, so only the voice and the gestures can be read.",
     [("not", ("has", "face")), ("has", "voice"), ("has", "body")]),
    # -- v3_lfw_a: strong happiness; AU12, AU25; face only ------------------------------
    ("v3_lfw_a", "emotion", Q, "Is that a happy face?", ("expr", "happiness", "main"),
     "Is that a frightened face?", ("expr", "fear", "main")),
    ("v3_lfw_a", "intensity", Q, "Was the happiness really strong?",
     ("expr", "happiness", "strong"), "Was the happiness only slight?",
     ("expr", "happiness", "weak")),
    ("v3_lfw_a", "action_unit", Q, "Was au12 firing?", ("au", (12,)),
     "Was au15 firing?", ("au", (15,))),
    ("v3_lfw_a", "action_unit", R, "The lips are apart (AU25) and the mouth corners are "
     "pulled up (AU12), so it's an open-mouthed smile.", [("au", (25,)), ("au", (12,))],
     "The lips are pressed shut (AU24) and the mouth corners are pulled up (AU12), so it's "
     "a closed-mouth smile.", [("au", (24,)), ("au", (12,))]),
    ("v3_lfw_a", "modality", R, "This one's just a still face: no voice, no words and no "
     "gestures to go on.", [("has", "face"), ("not", ("has", "voice")),
                            ("not", ("has", "words")), ("not", ("has", "body"))],
     "This one's got a face and a voice, but no words and no gestures to go on.",
     [("has", "face"), ("has", "voice"), ("not", ("has", "words")),
      ("not", ("has", "body"))]),
    ("v3_lfw_a", "negation", Q, "I don't see any sadness on this face.",
     ("not", ("expr", "sadness", "shown")),
     "I don't see any happiness on this face.", ("not", ("expr", "happiness", "shown"))),
    # -- v3_lfw_b: moderate happiness; AU6, AU25; face only ---------------------------------
    ("v3_lfw_b", "emotion", Q, "Did they seem pleased?", ("expr", "happiness", "main"),
     "Did they seem furious?", ("expr", "anger", "main")),
    ("v3_lfw_b", "intensity", Q, "Was it a medium-sized happy look, not over the top?",
     ("expr", "happiness", "moderate"), "Was it an over-the-top, ecstatic look?",
     ("expr", "happiness", "strong")),
    ("v3_lfw_b", "action_unit", Q, "Were the cheeks lifted (AU06)?", ("au", (6,)),
     "Were the brows drawn down (AU04)?", ("au", (4,))),
    ("v3_lfw_b", "comparison", R, "The cheek raise (AU6) is far stronger than any brow "
     "lowering (AU4), which is why the face reads as pleased.",
     [("more", ("au", 6), ("au", 4)), ("expr", "happiness", "main")],
     "The brow lowering (AU4) is far stronger than the cheek raise (AU6), which is why the "
     "face reads as pleased.", [("more", ("au", 4), ("au", 6)),
                                ("expr", "happiness", "main")]),
    ("v3_lfw_b", "compound", Q, "The cheeks went up and the mouth fell open?",
     [("au", (6,)), ("au", (25,))], "The cheeks went up and the eyes shut?",
     [("au", (6,)), ("au", (43,))]),
    # -- v3_greeting: greeting + promise; moderate happiness; talking hands early, head late -
    ("v3_greeting", "gesture", Q, "Were they talking with their hands?",
     ("gest", TALK, "any"), "Were they wringing their hands?", ("gest", HANDS, "any")),
    ("v3_greeting", "time", Q, "Was there a head scratch toward the end?",
     ("gest", HEAD, "close"), "Was there a head scratch at the start?",
     ("gest", HEAD, "opening")),
    ("v3_greeting", "time", R, "The hand movements that went with the speech were over "
     "before the clip was half done.", ("gest", TALK, "before_mid"),
     "The hand movements that went with the speech didn't start until the clip was half "
     "done.", ("gest", TALK, "after_mid")),
    ("v3_greeting", "speech_act", Q, "Did they promise something?", ("act", "promise"),
     "Did they apologise for something?", ("act", "apology")),
    ("v3_greeting", "speech_act", Q, "Did they say hi?", ("act", "greeting"),
     "Did they say goodbye?", ("act", "farewell")),
    ("v3_greeting", "transcript", Q, "Did they say they'd come by next week?",
     ("says", ["next week"]), "Did they say they'd come by tomorrow?",
     ("says", ["tomorrow"])),
    ("v3_greeting", "transcript", Q, "Was the tone of the words warm and positive?",
     ("tone", "positive"), "Was the tone of the words cold and negative?",
     ("tone", "negative")),
    ("v3_greeting", "emotion", R, "Because the words are friendly and the face looks happy, "
     "the whole greeting comes across as warm.",
     [("tone", "positive"), ("expr", "happiness", "main")],
     "Because the words are friendly and the face looks angry, the whole greeting comes "
     "across as tense.", [("tone", "positive"), ("expr", "anger", "main")]),
    ("v3_greeting", "prosody", Q, "Was their voice at a normal loudness?",
     ("pros", "energy_db", "normal"), "Were they shouting?", ("pros", "energy_db", "high")),
    ("v3_greeting", "intensity", Q, "Was the happy look kind of in-between, not huge?",
     ("expr", "happiness", "moderate"), "Was it a huge, over-the-top happy look?",
     ("expr", "happiness", "strong")),
    ("v3_greeting", "modality", Q, "Can we both hear them and see their face in this clip?",
     [("has", "voice"), ("has", "face")],
     "Can we hear them but not see their face in this clip?",
     [("has", "voice"), ("not", ("has", "face"))]),
    ("v3_greeting", "comparison", Q, "Did the hand-talking come before the head-scratch?",
     ("earlier", TALK, HEAD), "Did the head-scratch come before the hand-talking?",
     ("earlier", HEAD, TALK)),
    # -- v3_silent: no face, voice or words; arms folded throughout, head up late ----------
    ("v3_silent", "gesture", Q, "Were their arms crossed?", ("gest", FOLD, "any"),
     "Were they touching their nose?", ("gest", NOSE, "any")),
    ("v3_silent", "time", Q, "Were the arms folded from beginning to end?",
     ("gest", FOLD, "throughout"), "Was the head tipped up from beginning to end?",
     ("gest", HEAD_UP, "throughout")),
    ("v3_silent", "time", Q, "Did they lift their chin near the end?",
     ("gest", HEAD_UP, "close"), "Did they lift their chin in the first few seconds?",
     ("gest", HEAD_UP, "opening")),
    ("v3_silent", "modality", Q, "Is there nothing but body movement here, no face, voice "
     "or words?", [("has", "body"), ("not", ("has", "face")), ("not", ("has", "voice")),
                   ("not", ("has", "words"))],
     "Is there a face here, along with the body movement?",
     [("has", "body"), ("has", "face")]),
    ("v3_silent", "negation", Q, "Nothing was said in this clip, right?",
     ("not", ("has", "words")), "No gestures were detected in this clip, right?",
     ("not", ("has", "body"))),
    ("v3_silent", "gesture", R, "Since the arms stay folded for almost the whole clip, the "
     "posture looks closed off.", ("gest", FOLD, "throughout"),
     "Since the hands stay on the hips for almost the whole clip, the posture looks "
     "closed off.", ("gest", AKIMBO, "throughout")),
    # -- second round, same windows: more rationales and first / second person ------------
    ("v3_shopping", "intensity", R, "The happiness here is intense, since the smile involves "
     "both the cheeks and the mouth.",
     [("expr", "happiness", "strong"), ("au", (6,)), ("au", (12,))],
     "The happiness here is only mild, since the smile involves both the cheeks and the "
     "mouth.", [("expr", "happiness", "weak"), ("au", (6,)), ("au", (12,))]),
    ("v3_lfw_a", "intensity", R, "Because the smile is wide open and the happiness score is "
     "high, I'd call this strong happiness.",
     [("au", (25,)), ("au", (12,)), ("expr", "happiness", "strong")],
     "Because the smile is wide open and the happiness score is high, I'd call this mild "
     "happiness.", [("au", (25,)), ("au", (12,)), ("expr", "happiness", "weak")]),
    ("v3_greeting", "intensity", R, "They look moderately happy, which fits a friendly "
     "hello.", [("expr", "happiness", "moderate"), ("act", "greeting")],
     "They look overwhelmingly happy, which fits a friendly hello.",
     [("expr", "happiness", "strong"), ("act", "greeting")]),
    ("v3_lfw_b", "intensity", R, "I'd put the happiness at a medium level: clearly there, "
     "but nowhere near the top of the scale.", ("expr", "happiness", "moderate"),
     "I'd put the happiness at the top of the scale: as strong as it gets.",
     ("expr", "happiness", "strong")),
    ("v3_lift", "speech_act", R, "Because they say it's the third time the lift has broken, "
     "this is a complaint rather than a question.",
     [("says", ["third time"]), ("act", "complaint"), ("not", ("act", "question"))],
     "Because they say it's the third time the lift has broken, this is a question rather "
     "than a complaint.",
     [("says", ["third time"]), ("act", "question"), ("not", ("act", "complaint"))]),
    ("v3_greeting", "speech_act", R, "The speaker opens with a greeting and closes with a "
     "promise to visit.", [("act", "greeting"), ("act", "promise"), ("says", ["visit"])],
     "The speaker opens with a greeting and closes with an apology.",
     [("act", "greeting"), ("act", "apology")]),
    ("v3_library", "speech_act", Q, "I think they were asking for a favour. Am I right?",
     ("act", "request"), "I think they were thanking someone. Am I right?",
     ("act", "thanks")),
    ("v3_snake", "compound", R, "Wide pitch swings and a loud voice, together with the "
     "warning about a snake, make this an alarmed outburst.",
     [("pros", "f0_range_st", "high"), ("pros", "energy_db", "high"), ("act", "warning"),
      ("says", ["snake"]), ("temo", "fear")],
     "Wide pitch swings and a loud voice, together with the warning about a dog, make this "
     "an alarmed outburst.",
     [("pros", "f0_range_st", "high"), ("pros", "energy_db", "high"), ("act", "warning"),
      ("says", ["dog"]), ("temo", "fear")]),
    ("v3_mm_b", "compound", Q, "Was it a disgusted face, with the ear touch right at the "
     "start?", [("expr", "disgust", "main"), ("gest", EARS, "opening")],
     "Was it a disgusted face, with the ear touch right at the end?",
     [("expr", "disgust", "main"), ("gest", EARS, "close")]),
    ("v3_greeting", "compound", Q, "Can you confirm they said good morning and were "
     "talking with their hands?", [("says", ["good morning"]), ("gest", TALK, "any")],
     "Can you confirm they said good night and were talking with their hands?",
     [("says", ["good night"]), ("gest", TALK, "any")]),
    ("v3_birthday", "compound", R, "The down-turned mouth and the quiet voice both go with "
     "the apology.", [("au", (15,)), ("pros", "energy_db", "low"), ("act", "apology")],
     "The up-turned mouth and the quiet voice both go with the apology.",
     [("au", (12,)), ("pros", "energy_db", "low"), ("act", "apology")]),
    ("v3_mm_b", "emotion", R, "Since the disgust score leads all the others by a wide "
     "margin, the face reads as disgusted.",
     [("top", "disgust"), ("expr", "disgust", "main")],
     "Since the sadness score leads all the others by a wide margin, the face reads as sad.",
     [("top", "sadness"), ("expr", "sadness", "main")]),
    ("v3_report", "gesture", R, "Both nail-biting and arm-scratching show up, so there are "
     "two kinds of self-touch here.", [("gest", NAILS, "any"), ("gest", ARMS, "any")],
     "Both nail-biting and face-covering show up, so there are two kinds of self-touch here.",
     [("gest", NAILS, "any"), ("gest", COVER, "any")]),
    ("v3_greeting", "gesture", Q, "Any head-scratching in there?",
     ("gest", HEAD, "any"), "Any hands clasped behind the back in there?",
     ("gest", "Putting arms behind body", "any")),
    ("v3_birthday", "gesture", Q, "I saw them cover their face. Is that in the data?",
     ("gest", COVER, "any"), "I saw them fold their arms. Is that in the data?",
     ("gest", FOLD, "any")),
    ("v3_birthday", "modality", R, "Since there's a voice track and a transcript, we can "
     "judge the apology both by how it was said and by what was said.",
     [("has", "voice"), ("has", "words"), ("act", "apology")],
     "Since there's no voice track, we can only judge the apology by what was said.",
     [("not", ("has", "voice")), ("has", "words"), ("act", "apology")]),
    ("v3_shopping", "transcript", R, "The transcript is clearly positive, because they call "
     "the helper kind.", [("tone", "positive"), ("says", ["kind"])],
     "The transcript is clearly positive, because they call the helper rude.",
     [("tone", "positive"), ("says", ["rude"])]),
    ("v3_lift", "transcript", R, "The words are negative in tone, since the speaker says "
     "they're fed up.", [("tone", "negative"), ("says", ["fed up"])],
     "The words are positive in tone, since the speaker says they're fed up.",
     [("tone", "positive"), ("says", ["fed up"])]),
    ("v3_report", "prosody", R, "They speak slowly but at a normal volume.",
     [("pros", "speaking_rate_sps", "low"), ("pros", "energy_db", "normal")],
     "They speak slowly and very loudly.",
     [("pros", "speaking_rate_sps", "low"), ("pros", "energy_db", "high")]),
    ("v3_greeting", "prosody", Q, "Would you say the pitch was in a normal range, not flat "
     "and not sing-songy?", ("pros", "f0_range_st", "normal"),
     "Would you say the pitch was totally flat?", ("pros", "f0_range_st", "low")),
    ("v3_report", "time", Q, "Was the arm-scratching in the second half?",
     ("gest", ARMS, "after_mid"), "Was the arm-scratching in the first half?",
     ("gest", ARMS, "before_mid")),
    ("v3_lift", "comparison", R, "The brow drop (AU4) is much stronger than any cheek "
     "raising (AU6), so this isn't a smiling face.",
     [("more", ("au", 4), ("au", 6)), ("not", ("au", (12,)))],
     "The cheek raising (AU6) is much stronger than the brow drop (AU4), so this isn't "
     "a smiling face.", [("more", ("au", 6), ("au", 4)), ("not", ("au", (12,)))]),
    ("v3_mm_b", "comparison", Q, "Was the upper-lip raise (AU10) stronger than the nose "
     "wrinkle (AU9)?", ("more", ("au", 10), ("au", 9)),
     "Was the nose wrinkle (AU9) stronger than the upper-lip raise (AU10)?",
     ("more", ("au", 9), ("au", 10))),
    ("v3_greeting", "negation", R, "The arms never got crossed, though the head did get a "
     "scratch.", [("not", ("gest", FOLD, "any")), ("gest", HEAD, "any")],
     "The hands never moved during the speech, though the head did get a scratch.",
     [("not", ("gest", TALK, "any")), ("gest", HEAD, "any")]),
    ("v3_mm_a", "negation", Q, "Am I right that no gestures were detected?",
     ("not", ("has", "body")), "Am I right that no face was detected?",
     ("not", ("has", "face"))),
    ("v3_mm_b", "action_unit", Q, "I'm seeing a raised chin here. Is AU17 on?",
     ("au", (17,)), "I'm seeing a dimple here. Is AU14 on?", ("au", (14,))),
    ("v3_greeting", "action_unit", Q, "Were the lips parted?", ("au", (25,)),
     "Were the lips pressed tight together?", ("au", (24,))),
]

# (window, question, [(option, formula), ...], index of the right option)
MC: list[tuple[str, str, list[tuple[str, object]], int]] = [
    ("v3_shopping", "What were they doing with their words?",
     [("thanking someone", ("act", "thanks")), ("asking for help", ("act", "request")),
      ("warning someone", ("act", "warning")), ("saying sorry", ("act", "apology"))], 0),
    ("v3_birthday", "How did the voice come across?",
     [("quiet and low on energy", [("pros", "energy_db", "low"), ("pros", "arousal", "low")]),
      ("loud and excited", [("pros", "energy_db", "high"), ("pros", "arousal", "high")]),
      ("normal volume and lively", [("pros", "energy_db", "normal"),
                                    ("pros", "arousal", "high")]),
      ("loud but calm", [("pros", "energy_db", "high"), ("pros", "arousal", "normal")])], 0),
    ("v3_mm_a", "Which emotion shows most on the face?",
     [("surprise", ("top", "surprise")), ("fear", ("top", "fear")),
      ("disgust", ("top", "disgust")), ("happiness", ("top", "happiness"))], 0),
    ("v3_lift", "What happened in the last part of the clip?",
     [("put their fists on their hips", ("gest", AKIMBO, "close")),
      ("touched their forehead", ("gest", FOREHEAD, "close")),
      ("rubbed their eyes", ("gest", EYES, "close")),
      ("crossed their arms", ("gest", FOLD, "close"))], 0),
    ("v3_report", "What's missing from this window?",
     [("a face", ("not", ("has", "face"))), ("a voice", ("not", ("has", "voice"))),
      ("a transcript", ("not", ("has", "words"))), ("gestures", ("not", ("has", "body")))],
     0),
    ("v3_library", "What did they want to know?",
     [("where the library is", ("says", ["library"])),
      ("when the train leaves", ("says", ["train"])),
      ("how much lunch costs", ("says", ["lunch"])),
      ("who won the match", ("says", ["match", "won"]))], 0),
    ("v3_snake", "Which of these action units were active?",
     [("AU1 and AU2, the raised brows", [("au", (1,)), ("au", (2,))]),
      ("AU4, the lowered brows", ("au", (4,))),
      ("AU15, the down-turned mouth", ("au", (15,))),
      ("AU9, the wrinkled nose", ("au", (9,)))], 0),
    ("v3_greeting", "How would you describe the hand movement?",
     [("talking with the hands early, scratching the head late",
       [("gest", TALK, "before_mid"), ("gest", HEAD, "close")]),
      ("scratching the head early, talking with the hands late",
       [("gest", HEAD, "before_mid"), ("gest", TALK, "after_mid")]),
      ("arms folded from beginning to end", ("gest", FOLD, "throughout")),
      ("no hand movement at all", ("not", ("has", "body")))], 0),
    ("v3_mm_b", "How much disgust is on the face?",
     [("barely there", ("expr", "disgust", "weak")),
      ("moderate", ("expr", "disgust", "moderate")),
      ("extreme", ("expr", "disgust", "strong")),
      ("none at all", ("not", ("expr", "disgust", "shown")))], 1),
    ("v3_silent", "What data does this clip give us?",
     [("only body movements", [("has", "body"), ("not", ("has", "face")),
                               ("not", ("has", "voice")), ("not", ("has", "words"))]),
      ("a face and a voice", [("has", "face"), ("has", "voice")]),
      ("only a transcript", [("has", "words"), ("not", ("has", "body"))]),
      ("only a face", [("has", "face"), ("not", ("has", "body"))])], 0),
    ("v3_lfw_b", "Which word fits the face best?",
     [("pleased", ("expr", "happiness", "main")), ("frightened", ("expr", "fear", "main")),
      ("angry", ("expr", "anger", "main")), ("disgusted", ("expr", "disgust", "main"))], 0),
    ("v3_greeting", "What did they say they'd do?",
     [("visit next week", ("says", ["visit"])),
      ("phone tomorrow", ("says", ["phone", "tomorrow"])),
      ("send a letter", ("says", ["letter"])), ("bake a cake", ("says", ["cake"]))], 0),
    ("v3_birthday", "What's the speaker sorry about?",
     [("forgetting a birthday", ("says", ["birthday"])),
      ("being late", ("says", ["late"])), ("breaking a vase", ("says", ["vase"])),
      ("losing a key", ("says", ["key"]))], 0),
    ("v3_shopping", "When did they touch their hair?",
     [("near the end", ("gest", HAIR, "close")),
      ("at the very start", ("gest", HAIR, "opening")),
      ("the whole time", ("gest", HAIR, "throughout")),
      ("never", ("not", ("gest", HAIR, "any")))], 0),
]
