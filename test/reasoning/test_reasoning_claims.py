"""Claim reader and claim-checking guard (issue #16), on real evidence windows of the QA
set (our perception stages on real photos, the voice stage on espeak-ng speech), the real
MiniLM model, and recorded real outputs of the bundled SmolLM2-135M."""

from __future__ import annotations

import json
import math
import pathlib

import pytest

from emo_perception.evidence import EvidenceWindow
from emo_perception.reasoning.claims import (
    ASSERTED, CONTRADICTED, NEGATED, SUPPORTED, UNSUPPORTED, CheckContext, ClaimReader,
    check_claims,
)
from emo_perception.reasoning.guard import HallucinationGuard
from emo_perception.reasoning.llm import LLMReasoner
from emo_perception.reasoning.qa import KnowledgeAnswerer, evaluate, load_qa
from emo_perception.reasoning.recordings import ReplayChat, load_recordings, qa_windows
from emo_perception.reasoning.result import ReasoningConfig, ReasoningResult

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLAIN = ROOT / "emo_perception" / "data" / "qa" / "plain"


@pytest.fixture(scope="module")
def reader():
    return ClaimReader()


@pytest.fixture(scope="module")
def plain_windows() -> dict[str, EvidenceWindow]:
    out = {}
    for line in (PLAIN / "plain_pairs.jsonl").read_text().splitlines():
        obj = json.loads(line)
        out.setdefault(obj["window"], EvidenceWindow.from_json(obj["evidence"]))
    return out


def one(reader, text, kind=None):
    claims = reader.read_question(text).claims
    if kind:
        claims = [c for c in claims if c.kind == kind]
    assert len(claims) == 1, (text, [c.describe() for c in claims])
    return claims[0]


def test_everyday_phrasing_is_typed(reader):
    c = one(reader, "Did the person fold their arms?")
    assert (c.kind, c.value, c.polarity) == ("gesture", "Folding arms", ASSERTED)
    assert one(reader, "She crossed her arms.").value == "Folding arms"
    assert one(reader, "They rub their eyes.").value == "Rubbing eyes"
    assert one(reader, "He scratched his head.").value == "Touching or scratching head"
    assert one(reader, "Hands behind the back.").value == "Putting arms behind body"
    assert one(reader, "She bit her nails.").value == "Biting nails"
    assert one(reader, "He touched the nose.").value == "Touching or scratching facial parts"
    smile = one(reader, "The person is smiling.")
    assert smile.kind == "action_unit" and smile.codes == (12,)
    assert one(reader, "Shows the lip corner puller.").codes == (12,)
    assert one(reader, "AU6 is visible.").codes == (6,)
    assert one(reader, "Her brows were drawn together.").codes == (4,)
    assert one(reader, "raised cheeks").codes == (6,)


def test_emotions_intensity_prosody_transcript_and_time(reader):
    weak = one(reader, "Is any happiness weak rather than intense?")
    assert (weak.kind, weak.value, weak.intensity) == ("emotion", "happiness", "weak")
    assert one(reader, "She looks a little annoyed.").value == "anger"
    assert one(reader, "He is very scared.").intensity == "strong"
    arousal = one(reader, "Is the speaker's arousal high?")
    assert (arousal.kind, arousal.value, arousal.level) == ("prosody", "arousal", "high")
    assert one(reader, "The voice was slow rather than rushed.").level == "low"
    t = one(reader, "Does the transcript express disappointment?")
    assert (t.kind, t.value) == ("transcript_emotion", "disappointment")
    late = one(reader, "Did the arm folding happen in the second half of the window?")
    assert late.value == "Folding arms" and late.when is not None
    assert (late.when.start, late.when.end, late.when.fraction) == (0.5, 1.0, True)
    after = one(reader, "She touched her nose after 3 s.")
    assert (after.when.kind, after.when.start) == ("after", 3.0)
    first5 = one(reader, "They rubbed their eyes in the first five seconds.")
    assert (first5.when.start, first5.when.end) == (0.0, 5.0)
    assert one(reader, "The hands stayed behind the back throughout.").when.kind == "throughout"
    assert one(reader, "The person never bit their nails.").polarity == NEGATED


def test_minilm_reads_what_no_rule_does_and_the_rest_is_unreadable(reader):
    neck = reader.read("He massaged his neck.")  # no rule has "massaged ... neck"
    assert [(c.value, c.via) for c in neck.claims] == [("Touching or scratching neck",
                                                        "minilm")]
    assert neck.claims[0].score >= 0.6
    mask = reader.read("The person was wearing a mask.")
    assert not mask.claims and len(mask.unreadable) == 1
    assert "nearest vocabulary" in mask.unreadable[0].reason


def test_claims_are_checked_for_kind_threshold_time_and_polarity(reader, plain_windows):
    w = plain_windows["arms_letdown"]  # LFW face (AU15+AU17, disgust 0.66); espeak speech
    ctx = CheckContext()

    def status(text):
        verdicts = check_claims(reader.read(text).claims, w, ctx)
        assert verdicts, text
        return {v.status for v in verdicts}

    assert status("She crossed her arms in the second half.") == {SUPPORTED}
    assert status("She crossed her arms in the first two seconds.") == {CONTRADICTED}
    assert status("She never crossed her arms.") == {CONTRADICTED}
    assert status("She did not bite her nails.") == {SUPPORTED}
    assert status("The lip corners were pulled down.") == {SUPPORTED}
    assert status("She was smiling.") == {CONTRADICTED}  # AU12 measured at 0.00
    assert status("The disgust on the face is moderate.") == {SUPPORTED}
    assert status("The disgust on the face is intense.") == {CONTRADICTED}
    assert status("The transcript expresses disappointment.") == {SUPPORTED}
    assert status("Did she speak quickly?") == {CONTRADICTED}
    silent = plain_windows["lfw52"]  # a face, no voice
    verdicts = check_claims(reader.read("The voice was loud.").claims, silent, ctx)
    assert [v.status for v in verdicts] == [UNSUPPORTED]


def test_issue_rationale_is_checked_claim_by_claim(plain_windows):
    w = plain_windows["arms_letdown"]
    r = ReasoningResult("p1", "disgust", "basic7", {"disgust": 1.0}, -0.6, 0.3, 0.6,
                        backend="transformers",
                        rationale="She crossed her arms in the first seconds and sounded "
                                  "excited. Her lip corners were pulled down.")
    checked = HallucinationGuard().check(r, w)
    kinds = checked.flag_kinds()
    assert "contradicted_claim" in kinds
    assert checked.rationale == "Her lip corners were pulled down."
    assert checked.removed_rationale == ["She crossed her arms in the first seconds and "
                                         "sounded excited."]
    statuses = {c["claim"]: c["status"] for c in checked.claims}
    assert statuses["gesture Folding arms [in the first seconds]"] == CONTRADICTED
    assert statuses["emotion happiness"] == CONTRADICTED  # "excited"; the words say letdown
    assert statuses["action_unit AU15"] == SUPPORTED


# -- wording the reader was not written for (issue 16 part B) --------------------------
def verdict(reader, text, window):
    """The knowledge answerer's decision on a statement: yes / no / None (undecided)."""
    verdicts = check_claims(reader.read_question(text).claims, window, CheckContext())
    unreadable = reader.read_question(text).unreadable
    if not verdicts:
        return None
    if any(v.status != SUPPORTED for v in verdicts):
        return "no"
    return None if unreadable else "yes"


@pytest.mark.parametrize("window, text, answer", [
    # speech acts, checked on the transcript
    ("arms_letdown", "Did she grumble about how things turned out?", "yes"),
    ("arms_letdown", "Did she say thank you?", "no"),
    ("astro_win", "He was celebrating a victory.", "yes"),
    ("astro_win", "He was complaining.", "no"),
    ("brows_noise", "She begged the listener not to leave.", "yes"),
    ("brows_noise", "She told them to go away.", "no"),
    ("astro_glad", "She welcomed someone.", "yes"),
    ("astro_glad", "She said goodbye.", "no"),
    ("grace_meeting", "She asked someone to bring something.", "yes"),
    ("grace_meeting", "She apologised.", "no"),
    # tone of what was said
    ("astro_win", "Was there a positive tone to what was said?", "yes"),
    ("grace_sad", "She said something cheerful.", "no"),
    ("astro_glad", "Was the news she shared good?", "yes"),
    # modality framing
    ("lfw52", "From the face alone, he was happy.", "yes"),
    ("grace_meeting", "She did not display any emotion.", "yes"),
    ("grace_meeting", "She displayed strong emotion.", "no"),
    ("nails_face", "Her face was not visible.", "yes"),
    ("lfw52", "Is there speech in the window?", "no"),
    # prosody paraphrases
    ("astro_win", "His voice was full of energy.", "yes"),
    ("astro_win", "He sounded sleepy and listless.", "no"),
    ("arms_letdown", "She spoke at an unhurried pace.", "yes"),
    ("arms_letdown", "She was talking a mile a minute.", "no"),
    ("grace_meeting", "Her intonation rose and fell a lot.", "yes"),
    ("grace_sad", "She was yelling.", "no"),
    # AUs and gestures in everyday words, gesture families
    ("lfw52", "Crow's feet were visible around the eyes.", "yes"),
    ("lfw16", "The corners of his mouth drooped.", "yes"),
    ("astro_win", "His brow was furrowed.", "no"),
    ("nails_face", "Was the person fidgeting with their fingers?", "no"),
    ("brows_noise", "She touched her face later on.", "yes"),
    ("astro_glad", "She made any hand gestures.", "no"),
    ("grace_meeting", "Her posture stayed the same, with hands behind her.", None),  # unread
    # emotions: synonyms, ambiguous words, "X or Y"
    ("lfw52", "The person seems to be in good spirits.", "yes"),
    ("lfw52", "The person appears gloomy.", "no"),
    ("arms_letdown", "The mouth suggests sadness or disgust rather than joy.", "yes"),
    ("astro_glad", "She looked only slightly happy.", "no"),
    # negation: double negatives cancel, repeated ones do not
    ("astro_win", "He was not without a smile.", "yes"),
    ("astro_win", "It is not true that he did not smile.", "yes"),
    ("astro_win", "No, not once did he smile.", "no"),
    # time: counted seconds, written order, "between N and M"
    ("astro_win", "In the last couple of seconds he was gesturing.", "no"),
    ("astro_win", "In the first couple of seconds he was gesturing.", "yes"),
    ("arms_letdown", "She rubbed her eyes before she folded her arms.", "yes"),
    ("arms_letdown", "She folded her arms before rubbing her eyes.", "no"),
    ("grace_sad", "She touched her neck after rubbing her eyes.", "yes"),
    ("arms_letdown", "Between 6 and 9 seconds her arms were crossed.", "yes"),
])
def test_unseen_wording_is_read_and_checked(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


# Readings added while tuning on heldout_v3 (issue 16); the wording here is our own. On the
# plain windows: astro_win (AU6/AU12 high, gestures 0.5-3 s, normal loudness), lfw16 (AU9
# 0.55 < AU26 0.72, disgust 0.60), lfw52 (face only), arms_letdown (eyes 1-2 s, arms
# 5.5-9.5 s of 10 s), grace_meeting (hands behind 0-8 s of 8 s), nails_face (body only).
@pytest.mark.parametrize("window, text, answer", [
    # answer / source framing carries no claim; "yes or no" is no negation
    ("astro_win", "Yes or no: he was smiling?", "yes"),
    ("astro_win", "True or false: he was frowning?", "no"),
    ("astro_win", "Based on the data, his cheeks were raised.", "yes"),
    ("astro_win", "As far as the measurements show, his nose was wrinkled.", "no"),
    ("lfw52", "He looked happy -- is that right?", "yes"),
    # a denied statement: its one claim flipped; a denied conjunction decides nothing
    ("astro_win", "It would be incorrect to say that he frowned.", "yes"),
    ("astro_win", "It is not the case that he smiled.", "no"),
    ("arms_letdown", "It isn't true that she never folded her arms.", "yes"),
    ("astro_win", "It is not true that he smiled and gestured.", None),
    # negation at the head of the clause, or inside the phrase
    ("astro_win", "At no point did he smile.", "no"),
    ("arms_letdown", "Not once did she bite her nails.", "yes"),
    ("arms_letdown", "Her arms were never folded.", "no"),
    # action units by code, however spelled
    ("astro_win", "AU 12 was active.", "yes"),
    ("astro_win", "AU-6 registered.", "yes"),
    ("astro_win", "Was AU #9 present?", "no"),
    ("lfw16", "The face showed action unit 26.", "yes"),
    # comparisons of two facial readings, on the measured scores
    ("astro_win", "The smile was stronger than the frown.", "yes"),
    ("lfw16", "The jaw dropped more clearly than the nose wrinkled.", "yes"),
    ("lfw16", "The nose wrinkling was stronger than the jaw drop.", "no"),
    ("lfw16", "Happiness showed more strongly than disgust.", "no"),
    ("astro_win", "He was happier than before.", None),  # not a reading of the window
    # which channels the window has
    ("lfw52", "This window has a face but no voice.", "yes"),
    ("lfw52", "The microphone picked up speech.", "no"),
    ("lfw52", "Nobody said anything here.", "yes"),
    ("grace_meeting", "The recording includes a voice and a transcript.", "yes"),
    ("nails_face", "This clip is body-only.", "yes"),
    ("astro_glad", "A face was found and it looked bored.", None),  # "bored" is unread
    # time: half of the window, brief, most, negated alternatives, first-to-last
    ("arms_letdown", "Her arms were folded before the halfway mark.", "no"),
    ("arms_letdown", "Once half the clip had gone by, she crossed her arms.", "yes"),
    ("arms_letdown", "She rubbed her eyes only briefly.", "yes"),
    ("grace_meeting", "Her hands were behind her back only briefly.", "no"),
    ("grace_meeting", "Her hands stayed behind her back from the first second to the last.",
     "yes"),
    ("arms_letdown", "She crossed her arms late, not early.", "yes"),
    ("arms_letdown", "She crossed her arms as the clip drew to a close.", "yes"),
    ("arms_letdown", "Past the 5-second mark her arms were folded.", "yes"),
    ("arms_letdown", "She rubbed her eyes after her arms had been folded.", "no"),
    # speech acts added
    ("grace_meeting", "She made a promise.", "no"),
    ("grace_meeting", "She cautioned someone about a danger.", "no"),
    ("grace_meeting", "She told someone to bring the report.", "yes"),
    ("brows_noise", "She scolded someone.", "no"),
    ("astro_glad", "She asked for directions.", "no"),
    ("astro_glad", "She said how glad she was to see them.", "yes"),
    # prosody: normal levels, neither-nor, manner of a speech act
    ("astro_glad", "Her pace was neither slow nor fast.", "yes"),
    ("astro_glad", "She spoke at a normal volume.", "yes"),
    ("grace_meeting", "She spoke with a swinging pitch.", "yes"),
    ("astro_glad", "Her pitch swung widely.", "no"),
    ("arms_letdown", "The complaint was not shouted.", "yes"),
    ("astro_win", "His voice carried plenty of energy.", "yes"),
    # intensity that falls short, or said of "it" afterwards
    ("lfw16", "The disgust fell short of extreme.", "yes"),
    ("lfw16", "The disgust was at full strength.", "no"),
    ("lfw16", "The disgust, though present, was not overwhelming.", "yes"),
    ("lfw52", "He looked happy, though it was not at full strength.", "no"),
    ("grace_meeting", "A strong emotion was written on her face.", "no"),
    # what was said: references, tone, neutral words, an emotion denied on the face
    ("arms_letdown", "She referred to a birthday party.", "no"),
    ("grace_meeting", "There was a mention of a report in what she said.", "yes"),
    ("grace_meeting", "Her words were neutral.", "yes"),
    ("astro_win", "His words were neutral.", "no"),
    ("arms_letdown", "The disappointment is in what she said and not on her face.", "yes"),
    ("arms_letdown", "Her words struck a sad note.", "yes"),
    ("grace_meeting", "She brought up the weather.", "no"),
    # a leading frame names the channel; scope of "without" ends at a new subject
    ("lfw52", "To the eye, he was happy.", "yes"),
    ("astro_win", "Audibly, he was excited.", "yes"),
    ("astro_win", "Without frowning, he smiled.", "yes"),
    ("arms_letdown", "Between the 5 and 9 second marks her arms were folded.", "yes"),
    ("astro_win", "AUs 6 and 12 were active.", "yes"),
    ("astro_win", "Action units 4 and 12 were both present.", "no"),
    ("grace_sad", "There was a touch of sadness on her face.", "no"),  # no self-touch
    ("nails_face", "The sensors delivered body detections but no face measurements.", "yes"),
    ("astro_win", "All three channels were present: face, voice and body.", "yes"),
    ("arms_letdown", "She voiced joy.", "no"),
])
def test_tuned_wording_is_read_and_checked(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


def test_unread_statements_stay_undecided(reader, plain_windows):
    # nothing about the evidence: no claim, so no answer (wrong is worse than undecided)
    for text in ("He is a tall man.", "The clip was recorded in a studio.",
                 "She seemed to be thinking about lunch.", "The camera angle was low."):
        assert verdict(reader, text, plain_windows["astro_win"]) is None, text


def test_fuzzy_prosody_match_must_beat_its_opposite(reader):
    # MiniLM puts "bored and drowsy" 0.49 from "energetic and excited": never read as high
    reading = reader.read("He sounded bored and drowsy.")
    assert not [c for c in reading.claims if c.kind == "prosody" and c.level == "high"]


def test_choice_option_is_decided_by_its_most_direct_reading(plain_windows):
    from emo_perception.reasoning.qa import ChoiceItem

    k = KnowledgeAnswerer()
    pace = ChoiceItem("t1", "How fast did she talk?", ["very fast", "slowly",
                                                       "there was no speech"], 1,
                      evidence=plain_windows["brows_noise"])  # 1.81 syllables/s
    assert k.choice(pace) == 1
    late = ChoiceItem("t2", "What did she do in the second half?",
                      ["she rubbed her eyes", "she crossed her arms"], 1,
                      evidence=plain_windows["arms_letdown"])  # eyes 1-2 s, arms 5.5-9.5 s
    assert k.choice(late) == 1


# -- recorded real SmolLM2 outputs ------------------------------------------------------
@pytest.fixture(scope="module")
def recordings():
    runs = load_recordings()
    return {(r["window"], "describe" if r.get("describe") else
             ("pep" if r["pep"] else "plain")): r for r in runs}


def describe_checked(recordings, key, label):
    run = recordings[(key, "describe")]
    w = qa_windows()[key]
    r = ReasoningResult("p1", label, "basic7", {label: 1.0}, 0.0, 0.0, 0.5,
                        rationale=run["turns"][0], backend="transformers")
    return HallucinationGuard().check(r, w)


def test_recorded_smollm2_made_up_plain_language_cue_is_flagged(recordings):
    # SmolLM2 wrote "a smile on top of their lips" for a face with AU12 at 0.00
    checked = describe_checked(recordings, "lfw29_arms", "disgust")
    assert "smile" in recordings[("lfw29_arms", "describe")]["turns"][0]
    bad = [c for c in checked.claims if c["claim"].startswith("action_unit AU12")]
    assert bad and all(c["status"] == CONTRADICTED for c in bad)
    assert "contradicted_claim" in checked.flag_kinds()
    assert "smile" not in checked.rationale  # not shown to the HRI app
    assert any("smile" in s for s in checked.removed_rationale)


def test_recorded_smollm2_supported_plain_language_cue_is_kept(recordings):
    # ... and "smiling, lips parted slightly" for the astronaut photo (AU12 0.92, AU25 1.0)
    checked = describe_checked(recordings, "astro", "happiness")
    assert "smiling" in checked.rationale
    kept = [c for c in checked.claims if c["status"] == SUPPORTED]
    assert {"action_unit AU12", "action_unit AU25"} <= {c["claim"] for c in kept}
    assert not [f for f in checked.flags if f.kind == "contradicted_claim"]


def test_recorded_smollm2_unreadable_story_is_not_passed_on(recordings):
    checked = describe_checked(recordings, "body_only", "fear")
    text = recordings[("body_only", "describe")]["turns"][0]
    assert "authorities" in text
    assert "authorities" not in checked.rationale
    assert "unreadable_claim" in checked.flag_kinds()


def test_recorded_pep_run_through_the_llm_reasoner(recordings):
    run = recordings[("lfw29_arms", "pep")]
    cfg = ReasoningConfig(backend="transformers", pep=True, retries=0,
                          max_new_tokens=run["max_new_tokens"])
    chat = ReplayChat(run["turns"])
    result = LLMReasoner(cfg, chat).reason(qa_windows()["lfw29_arms"])
    assert chat.calls == len(run["turns"])
    assert "Folding arms" in result.rationale  # supported by the window (0.5-4.5 s)
    assert any(c.name == "Folding arms" and c.supported for c in result.cues)
    assert "unreadable_claim" in result.flag_kinds()  # "...support 'surprise' are:" removed
    assert result.label == "surprise"  # what the model said; the guard does not relabel


# -- QA ---------------------------------------------------------------------------------
def test_knowledge_answerer_on_plain_language_set():
    report = evaluate(load_qa(PLAIN), KnowledgeAnswerer())
    assert report["pairs"] >= 80
    n = report["binary_items"] + report["mc_items"]
    assert (report["binary_undecided"] + report["mc_undecided"]) / n <= 0.05
    assert report["pair_accuracy"] >= 0.85
    assert report["mc_accuracy"] >= 0.8
    assert not math.isnan(report["undecided_rate"])


# -- tuned on heldout_v4: a clause read in part is not decided on that part --------------
@pytest.mark.parametrize("window, text, answer", [
    # an order with one side unread is not an answer about the side that was read
    ("arms_letdown", "Did the eye rub come before the elbow wiggle?", None),
    ("arms_letdown", "Did the eye rub come before the arm fold?", "yes"),
    # the front half is the first half
    ("arms_letdown", "Were her arms folded in the front half of the clip?", "no"),
    ("arms_letdown", "Were her arms folded in the back half of the clip?", "yes"),
    # a time phrase nobody reads leaves the statement open
    ("arms_letdown", "She rubbed her eyes in the opening couple of beats.", None),
    # numbers in a topic must be the ones said
    ("grace_meeting", "She said the meeting is at five.", "no"),
    ("grace_meeting", "She said the meeting is at three.", "yes"),
    ("grace_meeting", "What she said was plain facts, nothing emotional.", "yes"),
    # the face beside a speech act is read too
    ("astro_glad", "Did her face turn sad during the welcome?", "no"),
    # "because A, B": B is the claim, A its reason
    ("astro_win", "Because he was grinning, his words must have been gloomy.", "no"),
    # a negation runs along a list of channels
    ("lfw52", "There was a face but no voice, gestures or transcript.", "yes"),
    ("astro_win", "There was a face but no voice, gestures or transcript.", "no"),
    # eyebrows shooting up is a brow raise, not shooing someone away
    ("brows_noise", "Did her eyebrows shoot up?", "yes"),
    # a mouth that fell open: parted lips or a dropped jaw
    ("astro_win", "His mouth fell open.", "yes"),
    # "worked up" after a vocal reading is that reading, not an emotion as well
    ("astro_win", "His voice was lively, so he sounded worked up.", "yes"),
])
def test_v4_tuned_wording_is_read_or_left_open(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


def test_v4_intensity_words(reader):
    assert one(reader, "She looked ecstatic.", "emotion").intensity == "strong"
    assert one(reader, "Was it a huge, over-the-top happy look?",
               "emotion").intensity == "strong"
    assert one(reader, "Her happy expression was in-between, not huge.",
               "emotion").intensity in ("weak|moderate", "moderate")


def test_greeting_see_you_is_no_farewell(reader):
    window = EvidenceWindow.from_json({"transcript": "How nice to see you again!",
                                       "duration_s": 4.0})
    assert verdict(reader, "Did they say goodbye?", window) == "no"
    window = EvidenceWindow.from_json({"transcript": "Right, see you tomorrow.",
                                       "duration_s": 4.0})
    assert verdict(reader, "Did they say goodbye?", window) == "yes"


@pytest.mark.parametrize("window, text, answer", [
    ("brows_noise", "Did she mumble?", "no"),  # a way of speaking needs no "voice" word
    ("arms_letdown", "Did she make a request for a favour?", "no"),
    ("brows_noise", "Did she ask someone for a favour?", "yes"),
    ("brows_noise", "Was she asking anybody anything?", "yes"),
    ("grace_sad", "Did she say something appreciative?", "no"),
    ("astro_win", "Was the jaw touch before the hand-talking?", "no"),
    ("arms_letdown", "The hair-fiddling happened near the end.", "no"),
    ("nails_face", "She bit her nails before the clip was half done.", "yes"),
    ("nails_face", "She bit her nails until the clip was half done.", None),
    ("lfw16", "Was there a brow drop?", "no"),
])
def test_v4_noun_compounds_and_speech_acts(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


@pytest.mark.parametrize("window, text, answer", [
    # channels in everyday words
    ("lfw52", "Is the transcript empty here?", "yes"),
    ("astro_win", "Did the transcript come up empty?", None),  # "come up" is not read
    ("astro_win", "The transcript was empty.", "no"),
    ("lfw52", "Was it a silent recording?", "yes"),
    ("astro_win", "Was it a silent recording?", "no"),
    ("astro_win", "Could you hear him and see his face?", "yes"),
    ("lfw52", "You can hear him but not see his face.", "no"),
    ("lfw52", "Am I right that we have no sound from him?", "yes"),
    ("nails_face", "We've got gestures here, but no face and no microphone input.", "yes"),
])
def test_v4_channel_presence_in_everyday_words(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


@pytest.mark.parametrize("window, text, answer", [
    # a comparison with a conclusion after it: both are checked
    ("astro_win", "The lip corner pull (AU12) beats any brow lowering (AU4) by far, so he "
                  "is smiling.", "yes"),  # "beats" compares
    ("astro_win", "AU12 is much stronger than AU4, so he is smiling.", "yes"),
    ("astro_win", "AU12 is much stronger than AU4, which means he is frowning.", "no"),
    ("astro_win", "The cheek raise (AU6) is weaker than the smile (AU12), so the face looks "
                  "happy.", "yes"),
])
def test_v4_comparison_with_a_conclusion(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


def test_v4_choice_question_shapes(plain_windows):
    from emo_perception.reasoning.qa import ChoiceItem

    k = KnowledgeAnswerer()
    gone = ChoiceItem("t3", "Which channel is absent here?", ["the voice", "the face"], 0,
                      evidence=plain_windows["lfw52"])
    assert k.choice(gone) == 0
    label = ChoiceItem("t4", "Which term describes the face best?",
                       ["furious", "cheerful", "terrified"], 1,
                       evidence=plain_windows["astro_win"])
    assert k.choice(label) == 1
    topic = ChoiceItem("t5", "What was she wondering?",
                       ["when the bus comes", "what that noise was"], 1,
                       evidence=plain_windows["brows_noise"])
    assert k.choice(topic) == 1
    order = ChoiceItem("t6", "What did she do?", ["folding her arms early, rubbing her eyes "
                                                  "late", "rubbing her eyes early, folding "
                                                  "her arms late"], 1,
                       evidence=plain_windows["arms_letdown"])
    assert k.choice(order) == 1


@pytest.mark.parametrize("window, text, answer", [
    ("arms_letdown", "She folded her arms. Is that right?", "yes"),  # a bare check-back
    ("arms_letdown", "Did she rub her eyes in the last few moments?", "no"),
    ("arms_letdown", "Did she rub her eyes in the first couple of moments?", "yes"),
    ("astro_win", "He calls the result amazing.", "yes"),
    ("astro_win", "He calls the result boring.", "no"),
])
def test_v4_check_backs_moments_and_calling(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


@pytest.mark.parametrize("window, text, answer", [
    # "because A, B" splits where B's subject begins, not at the first comma
    ("astro_win", "Because he grinned, laughed and gestured, he seemed sad.", "no"),
    ("astro_win", "Because he grinned, laughed and gestured, he seemed happy.", "yes"),
    # a topic ends where the manner begins; a request's "to X" is its topic
    ("arms_letdown", "She complained about it failing again with her arms folded.", "yes"),
    ("grace_meeting", "She asked them to bring two reports.", "no"),
    ("grace_meeting", "She asked them to bring the report.", "yes"),
    ("astro_glad", "She welcomed someone with a frown.", "no"),
])
def test_v4_reasons_topics_and_manner(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


# Forms read since the heldout_v5 round (log lines, concessives, "neither ... nor", a
# hearer or viewer, numbers in everyday units, counts, the top class); our own wording, not
# the set's.
@pytest.mark.parametrize("window,text,answer", [
    ("astro_win", "Robot note: Face: happy.", "yes"),
    ("astro_win", "Face: sad", "no"),
    ("arms_letdown", "Lip stretching: none seen", "yes"),
    ("arms_letdown", "Speech act: complaint", "yes"),
    ("astro_win", "Speech act: apology", "no"),
    ("astro_win", "Top expression class: happiness", "yes"),
    ("arms_letdown", "Top expression class: sadness", "no"),
    ("arms_letdown", "Although her voice sounded calm, her face showed disgust.", "yes"),
    ("astro_win", "Though his face beamed, his voice was flat.", "no"),
    ("astro_win", "He neither frowned nor folded his arms.", "yes"),
    ("arms_letdown", "She neither rubbed her eyes nor folded her arms.", "no"),
    ("astro_win", "You could hear how excited he was.", "yes"),
    ("arms_letdown", "You could see her smile.", "no"),
    ("astro_win", "Speech rate was about 4.2 syllables per second.", "yes"),
    ("astro_win", "Speech rate was about 2 syllables per second.", "no"),
    ("astro_win", "Happiness came in at roughly 0.96.", "yes"),
    ("astro_win", "Happiness came in at roughly 0.4.", "no"),
    ("arms_letdown", "Two gesture events were detected.", "yes"),
    ("arms_letdown", "Three gesture events were detected.", "no"),
    ("astro_win", "Happiness outscored every other class.", "yes"),
    ("arms_letdown", "Sadness was the top class.", "no"),
    ("arms_letdown", "No brow lowering (AU4 inactive), and the chin was raised.", "yes"),
    ("astro_win", "Nothing from the transcript.", "no"),
])
def test_log_lines_concessives_counts_and_units(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


# Forms read in the heldout_v6 round (durations, "A while B", "later than", spans with
# number words, what a sensor caught, fronted negations, words that exclude each other,
# counts of body movements); our own wording.
@pytest.mark.parametrize("window,text,answer", [
    ("arms_letdown", "Her arms stayed folded for about four seconds.", "yes"),
    ("arms_letdown", "Her arms stayed folded for about nine seconds.", "no"),
    ("arms_letdown", "The eye rubbing lasted barely a second.", "yes"),
    ("arms_letdown", "She rubbed her eyes earlier than she folded her arms.", "yes"),
    ("arms_letdown", "She rubbed her eyes later than she folded her arms.", "no"),
    ("arms_letdown", "She rubbed her eyes while folding her arms.", "no"),
    ("arms_letdown", "She folded her arms from the 5.5-second mark to nine and a half seconds.",
     "yes"),
    ("arms_letdown", "She folded her arms from the one-second mark to two seconds.", "no"),
    ("astro_win", "Did the mic pick up any speech from him?", "yes"),
    ("astro_win", "Can the robot see his face?", "yes"),
    ("astro_win", "face \u2713 voice \u2713 words \u2713 body \u2713", "yes"),
    ("astro_win", "face \u2717 voice \u2713 words \u2713 body \u2713", "no"),
    ("astro_win", "Excited is not how his voice came across.", "no"),
    ("astro_win", "His face was anything but sad.", "yes"),
    ("astro_win", "He said they had lost.", "no"),
    ("astro_win", "He said they had won.", "yes"),
    ("arms_letdown", "She didn't say a single word.", "no"),
    ("astro_win", "Two body movements were logged.", "no"),
    ("astro_win", "One body movement was logged.", "yes"),
])
def test_durations_overlaps_sensors_and_exclusive_words(reader, plain_windows, window,
                                                        text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer


# Forms read in the heldout_v7 round (a question answered in the same line, a gap
# between two events left unread, levels against "usual", "edges out", wording
# sentiment, what a speaker said was broken, faces that could not be seen); our wording.
@pytest.mark.parametrize("window,text,answer", [
    ("astro_win", "Volume? Normal.", "yes"),
    ("astro_win", "Volume? Very loud.", "no"),
    ("arms_letdown", "Eye rubbing? Right at the start.", "yes"),
    ("arms_letdown", "Eye rubbing? Only near the end.", "no"),
    ("arms_letdown", "She rubbed her eyes about four seconds after folding her arms.", None),
    ("astro_win", "His speech was faster than usual.", "no"),
    ("astro_win", "Happy edges out neutral on his face.", "yes"),
    ("astro_win", "Neutral edges out happy on his face.", "no"),
    ("astro_win", "The wording is upbeat.", "yes"),
    ("arms_letdown", "The wording is upbeat.", "no"),
    ("arms_letdown", "Her loudness was fairly marked.", "no"),
    ("astro_win", "They said a plate was broken.", "no"),
    ("astro_win", "You could hear him but couldn't see a face.", "no"),
    ("arms_letdown", "She said it had failed once more.", "yes"),
    ("arms_letdown", "Disgust: severe intensity.", "no"),
])
def test_fragments_gaps_usual_levels_and_said_things(reader, plain_windows, window, text,
                                                     answer):
    assert verdict(reader, text, plain_windows[window]) == answer


# Forms read in the heldout_v8 round (tag questions, bounds on a prosody reading, numbers
# as percentages and fractions, "a tenth of the way in", shares of the clip, word counts,
# what a stage returned, gestures that cleared the bar); our own wording.
@pytest.mark.parametrize("window,text,answer", [
    ("astro_win", "He looked happy, didn't he?", "yes"),
    ("astro_win", "He looked sad, didn't he?", "no"),
    ("astro_win", "Is arousal logged above 0.5?", "yes"),
    ("astro_win", "Is arousal logged below minus 0.2?", "no"),
    ("astro_win", "Happiness scored at about 96 %.", "yes"),
    ("astro_win", "Happiness scored at about half.", "no"),
    ("arms_letdown", "The arm folding began about half of the way in.", "yes"),
    ("arms_letdown", "The arm folding began a tenth of the way in.", "no"),
    ("arms_letdown", "The arm folding took up about 40 % of the clip.", "yes"),
    ("arms_letdown", "The arm folding took up about 90 % of the clip.", "no"),
    ("astro_win", "He spoke about twelve words.", "yes"),
    ("astro_win", "He spoke about thirty words.", "no"),
    ("astro_win", "Did the face stage return nothing for this window?", "no"),
    ("arms_letdown", "Two gestures cleared the tracker's bar.", "yes"),
    ("arms_letdown", "Three gestures cleared the tracker's bar.", "no"),
])
def test_tags_bounds_fractions_and_word_counts(reader, plain_windows, window, text, answer):
    assert verdict(reader, text, plain_windows[window]) == answer
