"""voice_node: raw audio in (``private/audio_raw``); anonymised voice (by default the
recognised words re-spoken by flite in a pseudo-voice drawn per utterance; or the WORLD
pseudo-voice, McAdams: ``voice.anonymiser_method``), voice activity, prosody and speech out.
Raw audio is never republished.

Recognition runs in the voice pipeline's background thread, so audio processing never
waits for Whisper; transcripts are published by a timer as they arrive.
"""

from __future__ import annotations

from typing import Any

from std_msgs.msg import Header

from emo_perception.nodes.common import EmoNode, handles_input, run_node
from emo_perception.nodes.conversions import (ConversionError, audio_to_msg, make_header,
                                              msg_to_audio, prosody_to_msg, speech_to_msg,
                                              stamp_to_sec, voice_activity_to_msg)
from emo_perception.runtime_stats import SequenceGaps
from emo_perception.voice.pipeline import VoiceConfig, VoicePipeline
from emo_perception_msgs.msg import AudioChunk, Prosody


class VoiceNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("voice_node", **node_options)
        self.voice_id = str(self.param("voice_id", "v1", "temporary id of this voice stream"))
        self.publish_raw_audio = bool(self.param(
            "publish_raw_audio", False,
            "IDENTIFYING: publish the raw voice on voice/deid_audio instead of the anonymised"))
        self.cfg: VoiceConfig = self.declare_stages()["voice"]
        try:
            self.pipeline = VoicePipeline(self.cfg)
        except (FileNotFoundError, RuntimeError, ValueError) as exc:
            raise SystemExit(f"voice_node: {str(exc).splitlines()[0]}") from None
        self.backend = f"silero+{self.cfg.anonymiser_method}" + (
            "+whisper" if self.cfg.asr_enabled else "")
        self._frame_id = "microphone"
        self._sequence = 0
        self._last_counters: dict[str, int] = {}
        # chunks lost before they reached this node (AudioChunk.sequence counts from 0)
        self.sequence_gaps = SequenceGaps(first=0)
        self.counters["missed"] = 0
        self.subscribe("private/audio_raw", self._on_audio)
        self.audio_pub = self.topic_publisher("voice/deid_audio")
        self.activity_pub = self.topic_publisher("voice/activity")
        self.prosody_pub = self.topic_publisher("voice/prosody")
        self.speech_pub = self.topic_publisher("voice/speech")
        self.create_timer(0.1, self._publish_speech)
        self._segment_start = 0.0
        self._segment_end = 0.0

    def _header(self, stamp: float) -> Header:
        return make_header(stamp, self._frame_id)

    @handles_input
    def _on_audio(self, msg: AudioChunk) -> bool | None:
        self.sequence_gaps.update(int(msg.sequence))
        self.counters["missed"] = self.sequence_gaps.missed
        self._frame_id = msg.header.frame_id or self._frame_id
        try:
            samples, rate = msg_to_audio(msg)
        except ConversionError as exc:
            self.record_error(f"audio chunk rejected: {exc}")
            self.counters["dropped"] += 1
            return False
        out = self.pipeline.process(samples, rate, stamp_to_sec(msg.header.stamp))
        if out.warning:
            self.record_error(out.warning)
        if self.publish_raw_audio:
            self.audio_pub.publish(audio_to_msg(samples, rate, msg.header, self._sequence, False))
            self._sequence += 1
        elif out.anonymised is not None and len(out.anonymised.samples):
            self.audio_pub.publish(audio_to_msg(
                out.anonymised.samples, out.anonymised.sample_rate,
                self._header(out.anonymised.stamp), self._sequence, True))
            self._sequence += 1
        for update in out.activity:
            if update.speaking:
                self._segment_start, self._segment_end = update.stamp, 0.0
            else:
                self._segment_end = update.stamp
            self.activity_pub.publish(voice_activity_to_msg(
                update, self._header(update.stamp), self.voice_id, self._segment_start,
                self._segment_end))
        for window in out.prosody:
            self.prosody_pub.publish(prosody_to_msg(window, self._header(window.end),
                                                    self.voice_id, Prosody.KIND_WINDOW))
        for report in out.segments:
            self.prosody_pub.publish(prosody_to_msg(report.prosody,
                                                    self._header(report.segment.end),
                                                    self.voice_id, Prosody.KIND_SEGMENT))
        self._emit_speech(out.speech)

    def _publish_speech(self) -> None:
        self._emit_speech(self.pipeline.poll_speech())

    def _emit_speech(self, results) -> None:
        for r in results:
            if not r.text.strip():
                continue
            self.speech_pub.publish(speech_to_msg(r, self._header(r.end), self.voice_id,
                                                  self.cfg.asr_language,
                                                  self.cfg.asr_on_anonymised))

    def diagnostic_values(self) -> dict[str, object]:
        values: dict[str, object] = dict(self.pipeline.counters.as_dict())
        values["asr_pending"] = self.pipeline.asr_pending
        values["anonymiser_method"] = self.cfg.anonymiser_method
        for k, v in self.pipeline.anonymiser_state.items():
            values[f"anonymiser_{k}"] = f"{v:.3f}" if isinstance(v, float) else v
        return values

    def destroy_node(self) -> None:
        self.pipeline.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    return run_node(VoiceNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
