"""Voice benchmark: real-time factor of each stage on one CPU core.

Real-time factor (RTF) = processing time / audio duration (0.1 means ten times faster than
real time). Both CPU time (``time.process_time``, what the work costs on the core, robust to
other load on a shared machine) and wall time are reported; best of ``repeats`` runs.
The audio is an espeak-ng conversation (several voices, silences between sentences) fed in
100 ms chunks, as a microphone would. The process is pinned to one core
(sched_setaffinity) and BLAS/OpenMP pools, onnxruntime and CTranslate2 use one thread.
Run ``python -m emo_perception.voice.bench`` or ``emo-perception bench --voice``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from typing import Any, Callable

import numpy as np

from emo_perception.voice.capture import StreamResampler
from emo_perception.voice.synth import SAMPLE_RATE, SENTENCES, conversation

VOICES = ("en-us", "en+f3", "en-gb-scotland")
CHUNK_S = 0.1


def _timed(fn: Callable[[Any], Any], repeats: int,
           setup: Callable[[], Any] = lambda: None) -> tuple[float, float]:
    """Best wall and best CPU seconds of ``fn(setup())`` over ``repeats`` runs."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        state = setup()
        t, c = time.perf_counter(), time.process_time()
        fn(state)
        cpu = min(cpu, time.process_time() - c)
        wall = min(wall, time.perf_counter() - t)
    return wall, cpu


def _chunks(x: np.ndarray, rate: int) -> list[np.ndarray]:
    step = int(rate * CHUNK_S)
    return [x[i:i + step] for i in range(0, len(x), step)]


def run_voice_bench(asr: bool = True, repeats: int = 3, one_core: bool = True) -> dict[str, Any]:
    """Measure each voice stage's RTF; returns a JSON-ready dict (see ``format_markdown``)."""
    from threadpoolctl import threadpool_limits

    from emo_perception.voice.asr import AsrConfig, WhisperAsr
    from emo_perception.voice.mcadams import McAdamsConfig, McAdamsStream
    from emo_perception.voice.pipeline import VoiceConfig, VoicePipeline, make_anonymiser_stream
    from emo_perception.voice.prosody import ProsodyConfig, ProsodyWindower
    from emo_perception.voice.vad import SileroVad, VadConfig

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    old_affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if one_core and old_affinity:
        os.sched_setaffinity(0, {min(old_affinity)})
    parts = [(SENTENCES[i % len(SENTENCES)], VOICES[i % len(VOICES)]) for i in range(6)]
    audio, truth = conversation(parts, gap_s=1.0)
    dur = len(audio) / SAMPLE_RATE
    chunks = _chunks(audio, SAMPLE_RATE)
    res: dict[str, Any] = {"audio_s": round(dur, 2), "chunk_s": CHUNK_S, "stages": {},
                           "wall": {}}

    def record(name: str, timing: tuple[float, float], seconds: float) -> None:
        res["wall"][name] = round(timing[0] / seconds, 4)
        res["stages"][name] = round(timing[1] / seconds, 4)
    try:
        with threadpool_limits(limits=1):
            vad = SileroVad(VadConfig(num_threads=1))

            def run_vad(_: None) -> None:
                vad.reset()
                for c in chunks:
                    vad.process(c)
            record("vad", _timed(run_vad, repeats), dur)

            def run_anon(s) -> None:
                for c in chunks:
                    s.process(c)
                s.flush()
            record("anonymisation", _timed(
                run_anon, repeats,
                lambda: make_anonymiser_stream(VoiceConfig(anonymiser_method="world", seed=0))),
                dur)
            record("anonymisation_mcadams", _timed(
                run_anon, repeats, lambda: McAdamsStream(McAdamsConfig(), SAMPLE_RATE)), dur)

            def run_prosody(w: ProsodyWindower) -> None:
                for c in chunks:
                    w.process(c)
                for u in truth:  # per-segment features, as the pipeline asks for them
                    w.segment(u.start, u.end)
            record("prosody", _timed(
                run_prosody, repeats, lambda: ProsodyWindower(ProsodyConfig(), SAMPLE_RATE)),
                dur)

            def new_pipe() -> VoicePipeline:
                return VoicePipeline(VoiceConfig(anonymiser_method="world", asr_enabled=False,
                                                 num_threads=1))

            for rate in (SAMPLE_RATE, 48000):
                x = audio
                if rate != SAMPLE_RATE:
                    r = StreamResampler(SAMPLE_RATE, rate)
                    x = np.concatenate([r.process(audio), r.flush()])
                cs = _chunks(x, rate)

                def run_chain(p: VoicePipeline, cs: list = cs, rate: int = rate) -> None:
                    for i, c in enumerate(cs):
                        p.process(c, rate, i * CHUNK_S)
                    p.flush()
                record(f"chain_{rate // 1000}k", _timed(run_chain, repeats, new_pipe), dur)
            if asr:
                model = WhisperAsr(AsrConfig(cpu_threads=1))
                segs = [audio[int(u.start * SAMPLE_RATE):int(u.end * SAMPLE_RATE)]
                        for u in truth]
                speech_s = sum(len(s) for s in segs) / SAMPLE_RATE
                model.transcribe(segs[0])  # first call initialises CTranslate2 buffers

                def run_asr(_: None) -> None:
                    for seg in segs:
                        model.transcribe(seg)
                timing = _timed(run_asr, 1)
                record("asr_per_speech_s", timing, speech_s)
                record("asr", timing, dur)
    finally:
        if one_core and old_affinity:
            os.sched_setaffinity(0, old_affinity)
    res["machine"] = f"{platform.machine()} {os.cpu_count()}-core, {platform.python_version()}"
    res["one_core"] = one_core
    return res


def format_markdown(res: dict[str, Any]) -> str:
    """The result as a markdown table (docs/benchmarks.md, Voice section)."""
    names = {"vad": "VAD (silero ONNX)",
             "anonymisation": "Anonymisation, WORLD pseudo-voice (160 ms blocks)",
             "anonymisation_mcadams": "Anonymisation, McAdams α 0.8",
             "prosody": "Prosody (windows + segments)",
             "chain_16k": "Chain VAD+anon (WORLD)+prosody, 16 kHz in",
             "chain_48k": "Chain VAD+anon+prosody, 48 kHz in (+ resampling)",
             "asr": "ASR faster-whisper tiny.en int8 (per audio s)",
             "asr_per_speech_s": "ASR (per second of speech)"}
    lines = ["| Stage | RTF, CPU time | RTF, wall | x real time (CPU) |", "|---|---|---|---|"]
    for k, v in res["stages"].items():
        speed = f"{1 / v:.0f}x" if v > 0 else "-"
        lines.append(f"| {names.get(k, k)} | {v:.4f} | {res['wall'][k]:.4f} | {speed} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m emo_perception.voice.bench",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--no-asr", action="store_true", help="skip the ASR stage")
    ap.add_argument("--repeats", type=int, default=3, help="best of N runs per stage")
    ap.add_argument("--all-cores", action="store_true", help="do not pin to one core")
    ap.add_argument("--json", default="", help="also write the result to this file")
    args = ap.parse_args(argv)
    res = run_voice_bench(asr=not args.no_asr, repeats=max(1, args.repeats),
                          one_core=not args.all_cores)
    print(f"voice bench: {res['audio_s']} s of audio in {CHUNK_S * 1000:.0f} ms chunks, "
          f"{res['machine']}, one core: {res['one_core']}")
    print(format_markdown(res))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
