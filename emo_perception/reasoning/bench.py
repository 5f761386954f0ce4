"""Per-window latency of the reasoning backends on a real evidence window.

    python -m emo_perception.reasoning.bench [--llm N] [--max-new-tokens T]

Times the knowledge reasoner + guard (many runs) on the astronaut photo's window
(mediapipe -> AUs -> expression, plus espeak-ng prosody), and with ``--llm N`` the
SmolLM2 transformers backend N times with and without PEP-MEK.
"""

from __future__ import annotations

import argparse
import statistics
import time

from emo_perception.reasoning.guard import HallucinationGuard
from emo_perception.reasoning.knowledge import KnowledgeReasoner
from emo_perception.reasoning.qa_windows import face_window, photo_bgr, speech_evidence
from emo_perception.reasoning.result import ReasoningConfig


def _stats(times: list[float]) -> str:
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    return (f"median {statistics.median(times) * 1e3:.2f} ms, p90 {p90 * 1e3:.2f} ms, "
            f"n={len(times)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--llm", type=int, default=0, help="LLM runs per prompting mode")
    parser.add_argument("--max-new-tokens", type=int, default=32)
    args = parser.parse_args(argv)
    window = face_window(photo_bgr("astronaut"), track_id="bench", duration_s=4.0)
    text = "I am so glad you came, this is wonderful news!"
    window.prosody = speech_evidence(text, speed_wpm=210, pitch=80)
    window.transcript = text
    reasoner, guard = KnowledgeReasoner(), HallucinationGuard()
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        guard.check(reasoner.reason(window), window)
        times.append(time.perf_counter() - t0)
    print(f"knowledge+guard: {_stats(times)}")
    if args.llm:
        from emo_perception.reasoning.backends import TransformersChat
        from emo_perception.reasoning.llm import LLMReasoner

        t0 = time.perf_counter()
        chat = TransformersChat()
        print(f"SmolLM2 load: {time.perf_counter() - t0:.1f} s")
        for pep in (False, True):
            cfg = ReasoningConfig(backend="transformers", pep=pep,
                                  max_new_tokens=args.max_new_tokens)
            llm = LLMReasoner(cfg, chat)
            runs = [llm.reason(window) for _ in range(args.llm)]
            print(f"SmolLM2 pep={pep}: {_stats([r.latency_s for r in runs])}, labels "
                  f"{[r.label for r in runs]}, fallbacks {sum(r.fallback_used for r in runs)}, "
                  f"rejected cues {sum(len(r.rejected_cues) for r in runs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
