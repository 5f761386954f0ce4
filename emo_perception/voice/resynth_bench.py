"""Latency and real-time factor of the resynthesis anonymiser, streamed at real time.

``python -m emo_perception.voice.resynth_bench [--engine flite|espeak] [--out FILE]`` (pin it
to one core with ``taskset -c 1``): espeak-ng sentences in several voices, 1.5 s apart, go through
``VoicePipeline(anonymiser_method="resynth")`` in 20 ms chunks paced like a microphone. Per
segment: the VAD's segment end, when the re-spoken segment began to play out of the stream
(recorded by the stream; stream time, at real-time pacing wall time), its queueing behind
earlier re-spoken segments included, Whisper's and the TTS's own
times. RTF = CPU time of this process (all threads) and its TTS children / audio time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from emo_perception.voice.pipeline import VoiceConfig, VoicePipeline
from emo_perception.voice.synth import SAMPLE_RATE, SENTENCES, conversation

CHUNK = 320


def run_resynth_bench(voices: tuple[str, ...] = ("en-us", "en+f3", "en-gb-scotland"),
                      gap_s: float = 1.5, engine: str = "flite") -> dict:
    parts = [(s, v) for v in voices for s in SENTENCES]
    x, _truth = conversation(parts, gap_s=gap_s)
    x = np.concatenate([x, np.zeros(3 * SAMPLE_RATE, np.float32)])
    pipe = VoicePipeline(VoiceConfig(anonymiser_method="resynth", resynth_engine=engine))
    ends: list[float] = []
    lens: list[float] = []
    speech = []
    cpu0, ch0 = time.process_time(), os.times()
    wall0 = time.monotonic()
    for a in range(0, len(x), CHUNK):
        wait = wall0 + a / SAMPLE_RATE - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        out = pipe.process(x[a:a + CHUNK], SAMPLE_RATE, a / SAMPLE_RATE)
        ends += [s.segment.end for s in out.segments]
        lens += [s.segment.end - s.segment.start for s in out.segments]
        speech += out.speech
    wall = time.monotonic() - wall0
    cpu = time.process_time() - cpu0
    ch1 = os.times()
    child = (ch1.children_user - ch0.children_user) + (ch1.children_system - ch0.children_system)
    counters = pipe.counters.as_dict()
    tts = list(pipe._anon.tts_seconds)  # noqa: SLF001 (diagnostics of our own stream)
    # When each re-spoken segment began to play, as the stream recorded it (segments are
    # played in order; the output has one sample per input sample, so output index / rate
    # is stream time).
    starts = [k / SAMPLE_RATE for k in pipe._anon.play_starts]  # noqa: SLF001
    pipe.close()
    starts = (starts + [float("nan")] * len(ends))[:len(ends)]
    lat = np.array(starts) - np.array(ends)
    dur = len(x) / SAMPLE_RATE
    return {
        "engine": engine, "audio_s": dur, "wall_s": wall, "segments": len(ends),
        "latency_after_segment_end_s": {"mean": float(np.nanmean(lat)),
                                        "p95": float(np.nanpercentile(lat, 95)),
                                        "max": float(np.nanmax(lat))},
        "segment_s": {"mean": float(np.mean(lens)), "max": float(np.max(lens))},
        "asr_s": {"mean": float(np.mean([s.latency_s for s in speech])),
                  "max": float(np.max([s.latency_s for s in speech]))},
        "tts_s": {"mean": float(np.mean(tts)), "max": float(np.max(tts))},
        "rtf_cpu": (cpu + child) / dur, "rtf_cpu_tts_children": child / dur,
        "counters": {k: v for k, v in counters.items() if k.startswith(("resynth", "asr"))},
        "cpus_allowed": len(os.sched_getaffinity(0)),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", default="flite", choices=("flite", "espeak"))
    p.add_argument("--out", default="")
    args = p.parse_args(argv)
    rep = run_resynth_bench(engine=args.engine)
    text = json.dumps(rep, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    print(text, file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
