"""Feed deid_node and voice_node one bad input at a time and record what each did.

``python bad_input_probe.py OUT.json IMAGE.png [--namespace /emo]`` waits until both nodes
publish diagnostics, then for each scripted case publishes one malformed ``Image`` (to
``private/image_raw``) and one malformed ``AudioChunk`` (to ``private/audio_raw``), waits
for the nodes' next diagnostics after they received it, and records per case: the change
of the node's counters, its ``last_error``, and every ``deid/image`` frame published with
that case's ``frame_id`` (size, mean, whether it equals the raw input, how far its face
region is from the raw one) and every ``voice/deid_audio`` chunk after it (finite or not).
A last good frame checks the node still works. Writes JSON; exits 1 if a node never came up.
"""

from __future__ import annotations

import json
import sys
import time

import cv2
import numpy as np
import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor
from sensor_msgs.msg import Image

from emo_perception.nodes.common import RESULT_QOS, SENSOR_QOS
from emo_perception.nodes.conversions import bgr_to_image
from emo_perception_msgs.msg import AudioChunk

# Where the astronaut's face is in skimage's 512x512 photo (x0, y0, x1, y1).
FACE = (170, 40, 290, 190)


def image_cases(bgr: np.ndarray) -> list[tuple[str, Image, np.ndarray | None]]:
    """(case, message, the raw picture it carries or None)."""
    good = bgr_to_image(bgr)
    h, w = bgr.shape[:2]
    raw = bytes(good.data)
    odd = np.ascontiguousarray(bgr[:257, 101:434])  # 333 px wide, odd rows of 999 bytes
    rgb = odd[:, :, ::-1].copy()
    mono16 = (cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257)
    return [
        ("image_encoding_yuv422", Image(height=h, width=w, encoding="yuv422", step=w * 2,
                                        data=raw[: w * h * 2]), None),
        ("image_encoding_unknown", Image(height=h, width=w, encoding="bgr8_typo", step=w * 3,
                                         data=raw), bgr),
        ("image_encoding_empty", Image(height=h, width=w, encoding="", step=w * 3, data=raw),
         bgr),
        ("image_step_too_small", Image(height=h, width=w, encoding="bgr8", step=w * 3 - 7,
                                       data=raw), bgr),
        ("image_step_huge", Image(height=h, width=w, encoding="bgr8", step=2**31, data=raw),
         bgr),
        ("image_step_zero", Image(height=h, width=w, encoding="bgr8", step=0, data=raw), bgr),
        ("image_data_truncated", Image(height=h, width=w, encoding="bgr8", step=w * 3,
                                       data=raw[: len(raw) // 3]), bgr),
        ("image_dims_lie", Image(height=40000, width=40000, encoding="bgr8", step=120000,
                                 data=raw), bgr),
        ("image_empty_0x0", Image(height=0, width=0, encoding="bgr8", step=0, data=b""), None),
        ("image_1x1", bgr_to_image(bgr[256:257, 256:257].copy()), None),
        ("image_odd_width_rgb8", Image(height=257, width=333, encoding="rgb8", step=999,
                                       data=rgb.tobytes()), odd),
        ("image_16bit_mono16", bgr_to_image(mono16, encoding="mono16"),
         cv2.cvtColor(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)),
    ]


def audio_cases() -> list[tuple[str, AudioChunk]]:
    t = np.arange(1600, dtype=np.float32) / 16000.0
    tone = (0.3 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32)

    def chunk(samples, rate=16000, fmt="f32", channels=1) -> AudioChunk:
        msg = AudioChunk(sample_rate=rate, channels=channels, format=fmt)
        msg.samples = np.ascontiguousarray(samples, dtype=np.float32)
        return msg

    nan = tone.copy()
    nan[::7] = np.nan
    inf = tone.copy()
    inf[::11] = np.inf
    inf[5::11] = -np.inf
    return [
        ("audio_nan_samples", chunk(nan)),
        ("audio_inf_samples", chunk(inf)),
        ("audio_clipped", chunk(tone * 40.0)),
        ("audio_rate_zero", chunk(tone, rate=0)),
        ("audio_rate_absurd", chunk(tone, rate=2_000_000_000)),
        ("audio_rate_8k", chunk(tone[:800], rate=8000)),
        ("audio_empty_chunk", chunk(np.zeros(0, np.float32))),
        ("audio_format_s16", chunk(tone, fmt="s16")),
        ("audio_channels_mismatch", chunk(tone[:1599], channels=2)),
    ]


class Probe:
    def __init__(self, ns: str) -> None:
        self.node = rclpy.create_node("bad_input_probe")
        self.ns = ns
        self.diag: dict[str, dict] = {}  # node -> latest values (with a local arrival count)
        self.diag_seq: dict[str, int] = {}
        self.frames: list[dict] = []
        self.audio: list[dict] = []
        self.raw_of: dict[str, np.ndarray | None] = {}
        n = self.node
        self.img_pub = n.create_publisher(Image, f"{ns}/private/image_raw", SENSOR_QOS)
        self.aud_pub = n.create_publisher(AudioChunk, f"{ns}/private/audio_raw", SENSOR_QOS)
        n.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, RESULT_QOS)
        n.create_subscription(Image, f"{ns}/deid/image", self._on_frame, SENSOR_QOS)
        n.create_subscription(AudioChunk, f"{ns}/voice/deid_audio", self._on_audio,
                              SENSOR_QOS)
        self.ex = SingleThreadedExecutor()
        self.ex.add_node(n)

    def _on_diag(self, msg: DiagnosticArray) -> None:
        for st in msg.status:
            for node in ("deid_node", "voice_node"):
                if st.name == f"emo_perception: {self.ns}/{node}":
                    self.diag[node] = {kv.key: kv.value for kv in st.values}
                    self.diag[node]["_level"] = int.from_bytes(st.level, "little") \
                        if isinstance(st.level, bytes) else int(st.level)
                    self.diag[node]["_message"] = st.message
                    self.diag_seq[node] = self.diag_seq.get(node, 0) + 1

    def _on_frame(self, msg: Image) -> None:
        data = np.frombuffer(bytes(msg.data), np.uint8)
        entry = {"frame_id": msg.header.frame_id, "width": msg.width, "height": msg.height,
                 "encoding": msg.encoding, "mean": float(data.mean()) if data.size else 0.0,
                 "std": float(data.std()) if data.size else 0.0}
        raw = self.raw_of.get(msg.header.frame_id)
        if raw is not None and data.size == raw.size and msg.encoding == "bgr8":
            out = data.reshape(raw.shape)
            entry["equals_raw"] = bool(np.array_equal(out, raw))
            x0, y0, x1, y1 = FACE
            if raw.shape[0] >= y1 and raw.shape[1] >= x1:
                entry["face_diff"] = float(np.abs(out[y0:y1, x0:x1].astype(np.int16)
                                                  - raw[y0:y1, x0:x1]).mean())
        self.frames.append(entry)

    def _on_audio(self, msg: AudioChunk) -> None:
        x = np.asarray(msg.samples, np.float32)
        self.audio.append({"t": time.monotonic(), "n": int(x.size),
                           "finite": bool(np.all(np.isfinite(x))),
                           "peak": float(np.abs(x).max()) if x.size else 0.0})

    def spin(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.ex.spin_once(timeout_sec=0.02)

    def counters(self, node: str) -> dict[str, int]:
        out = {}
        for k, v in self.diag.get(node, {}).items():
            try:
                out[k] = int(v)
            except (TypeError, ValueError):
                pass
        return out

    def handled(self, node: str, before: dict[str, int], seq: int) -> bool:
        """A report newer than ``seq`` that counts the input received and its outcome
        (processed, failed closed or dropped), with nothing left in flight."""
        now = self.counters(node)

        def outcome(c: dict[str, int]) -> int:
            return c.get("processed", 0) + c.get("fail_closed", 0) + c.get("dropped", 0)

        return self.diag_seq.get(node, 0) > seq and \
            now.get("received", 0) > before.get("received", 0) and \
            outcome(now) > outcome(before) and now.get("in_flight", 0) == 0


def main() -> int:
    out_path, image_path = sys.argv[1], sys.argv[2]
    ns = "/emo"
    for a in sys.argv[3:]:
        if a.startswith("--namespace="):
            ns = a.split("=", 1)[1]
    bgr = cv2.imread(image_path)
    rclpy.init()
    p = Probe(ns)
    report: dict = {"ready": False, "cases": {}}
    end = time.monotonic() + 90
    while time.monotonic() < end and not {"deid_node", "voice_node"} <= set(p.diag):
        p.spin(0.2)
    if not {"deid_node", "voice_node"} <= set(p.diag):
        report["diag_seen"] = sorted(p.diag)
        json.dump(report, open(out_path, "w"))
        return 1
    report["ready"] = True
    p.spin(1.0)  # both nodes' subscriptions match our publishers
    images = image_cases(bgr)
    audios = audio_cases()
    # One image case and one audio case at a time: the two nodes work in parallel.
    for i in range(max(len(images), len(audios))):
        pending = []
        if i < len(images):
            name, msg, raw = images[i]
            p.raw_of[name] = raw
            pending.append(("deid_node", name, msg, p.img_pub))
        if i < len(audios):
            name, msg = audios[i]
            pending.append(("voice_node", name, msg, p.aud_pub))
        state = {}
        for node, name, msg, pub in pending:
            state[name] = (node, p.counters(node), p.diag_seq.get(node, 0), len(p.audio),
                           time.monotonic())
        for attempt in range(3):  # best effort: resend if a sample was lost on the way
            for node, name, msg, pub in pending:
                if attempt and p.handled(node, state[name][1], state[name][2]):
                    continue
                msg.header.stamp = p.node.get_clock().now().to_msg()
                msg.header.frame_id = name
                pub.publish(msg)
            deadline = time.monotonic() + 4.0
            while time.monotonic() < deadline and not all(
                    p.handled(node, state[name][1], state[name][2])
                    for node, name, _m, _p in pending):
                p.spin(0.05)
            if all(p.handled(node, state[name][1], state[name][2])
                   for node, name, _m, _p in pending):
                break
        p.spin(0.3)  # late deid/image frames of this case
        for node, name, _msg, _pub in pending:
            _node, before, seq, n_audio, _t = state[name]
            after = p.counters(node)
            report["cases"][name] = {
                "node": node, "handled": p.handled(node, before, seq),
                "delta": {k: after.get(k, 0) - before.get(k, 0) for k in after
                          if after.get(k, 0) != before.get(k, 0)},
                "last_error": p.diag.get(node, {}).get("last_error", ""),
                "level": p.diag.get(node, {}).get("_level"),
                "frames": [f for f in p.frames if f["frame_id"] == name],
                "audio_after": p.audio[n_audio:],
            }
    # Still alive and still de-identifying after all of it.
    good = bgr_to_image(bgr)
    p.raw_of["final_good"] = bgr
    before, seq = p.counters("deid_node"), p.diag_seq.get("deid_node", 0)
    for _ in range(3):
        good.header.stamp = p.node.get_clock().now().to_msg()
        good.header.frame_id = "final_good"
        p.img_pub.publish(good)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and not any(
                f["frame_id"] == "final_good" for f in p.frames):
            p.spin(0.05)
        if any(f["frame_id"] == "final_good" for f in p.frames):
            break
    report["final_good"] = [f for f in p.frames if f["frame_id"] == "final_good"]
    report["final_diag"] = {k: p.diag.get(k, {}) for k in ("deid_node", "voice_node")}
    report["all_frames"] = len(p.frames)
    with open(out_path, "w") as fh:
        json.dump(report, fh, indent=1)
    p.node.destroy_node()
    rclpy.try_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
