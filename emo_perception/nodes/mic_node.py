"""mic_node: audio from a PortAudio input device or a WAV file, as ``AudioChunk`` on
``private/audio_raw`` (raw voice identifies a person: it stays on the host).

sounddevice is imported only when a device is opened, so a machine without PortAudio gets
a one-line error naming the missing library instead of an import failure.
"""

from __future__ import annotations

import pathlib
import threading
import time
from typing import Any


from emo_perception.media_types import AUDIO_EXTENSIONS
from emo_perception.nodes.common import ConsumerWait, EmoNode, run_node
from emo_perception.nodes.conversions import audio_to_msg, make_header
from emo_perception.voice.capture import CaptureError, MicSource, WavSource


class MicNode(EmoNode):
    def __init__(self, **node_options: Any) -> None:
        super().__init__("mic_node", **node_options)
        self.source_spec = str(self.param(
            "source", "default", "'default', a PortAudio device index or name, or a WAV file",
            read_only=True))
        self.sample_rate = int(self.param("sample_rate", 16000, "capture rate [Hz]",
                                          (8000, 192000)))
        self.channels = int(self.param("channels", 1, "capture channels (mixed to mono)",
                                       (1, 8)))
        self.block_size = int(self.param("block_size", 1600, "samples per chunk", (64, 96000)))
        self.realtime = bool(self.param(
            "realtime", True, "WAV source: pace chunks at real time (else as fast as possible)"))
        self.frame_id = str(self.param("frame_id", "microphone", "frame_id of audio chunks"))
        self.shutdown_on_end = bool(self.param("shutdown_on_end", True,
                                               "exit (code 0) when a WAV source ends"))
        wait_nodes = [n for n in self.param(
            "wait_for_nodes", [""], "WAV source: before the first chunk, wait until these "
            "nodes have subscribed to their inputs (they do once their models are loaded), "
            "so no speech is lost while they start; a device never waits") if n]
        wait_timeout = float(self.param("wait_timeout_s", 60.0, "give up waiting for "
                                        "wait_for_nodes after this long [s]", (0.0, 600.0)))
        self.pub = self.topic_publisher("private/audio_raw")
        self.finished = False
        self._sequence = 0
        self._stop = threading.Event()
        suffix = pathlib.Path(self.source_spec).suffix.lower()
        try:
            if suffix in AUDIO_EXTENSIONS:
                self.backend = suffix.lstrip(".")
                self.wav = WavSource(self.source_spec, self.block_size, self.realtime)
                self.mic = None
            else:
                self.backend = "portaudio"
                device: str | int | None = None if self.source_spec in ("", "default") else (
                    int(self.source_spec) if self.source_spec.isdigit() else self.source_spec)
                self.mic = MicSource(device, self.sample_rate, self.channels, self.block_size)
                self.wav = None
        except CaptureError as exc:
            raise SystemExit(f"mic_node: {exc}") from None
        self.consumers = ConsumerWait(self, wait_nodes if self.wav is not None else [],
                                      wait_timeout)
        # Capture runs in its own thread so the executor (diagnostics) never stalls it.
        self._thread = threading.Thread(target=self._capture, name="capture", daemon=True)
        self._thread.start()

    def _capture(self) -> None:
        t_offset = None
        chunks = iter(self.wav) if self.wav is not None else None
        while not self.consumers.poll():
            if self._stop.wait(0.05):
                return
        while not self._stop.is_set():
            t0 = time.perf_counter()
            if chunks is not None:
                chunk = next(chunks, None)
                if chunk is None:
                    self.get_logger().info(f"end of {self.source_spec} after "
                                           f"{self._sequence} chunks")
                    self.finished = self.shutdown_on_end
                    return
                if t_offset is None:  # file time 0 = the clock when playback starts
                    t_offset = self.get_clock().now().nanoseconds * 1e-9
                stamp = t_offset + chunk.stamp
            else:
                chunk = self.mic.read(timeout=0.5)
                if chunk is None:
                    continue
                stamp = chunk.stamp
                self.counters["dropped"] = self.mic.dropped
            self.input_rate.tick()
            header = make_header(stamp, self.frame_id)
            self.pub.publish(audio_to_msg(chunk.samples, chunk.sample_rate, header,
                                          self._sequence, anonymised=False))
            self._sequence += 1
            self.count_processed(t0)

    def diagnostic_values(self) -> dict[str, object]:
        values: dict[str, object] = {
            "source": self.source_spec, "chunks": self._sequence,
            "waited_for_consumers_s": round(self.consumers.waited_s, 2),
            "consumers_not_ready": ",".join(self.consumers.timed_out)}
        if self.mic is not None:
            values["overflows"] = self.mic.overflows
        return values

    def destroy_node(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        if self.mic is not None:
            self.mic.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> int:
    return run_node(MicNode, args)


if __name__ == "__main__":
    raise SystemExit(main())
