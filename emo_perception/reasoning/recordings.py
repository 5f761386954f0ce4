"""Recorded real outputs of the bundled SmolLM2-135M, replayed to test the guard.

``python -m emo_perception.reasoning.recordings [OUT.json]`` runs the real model
(transformers backend, greedy decoding, so reruns give the same text) through the
LLM reasoner on real evidence windows of the shipped QA set, PEP-MEK and plain, and
stores every chat turn it produced. :class:`ReplayChat` plays those turns back in order,
so tests exercise the parser, claim reader and guard on what the model really wrote,
without loading it (about a minute per window on 2 CPU cores).
"""

from __future__ import annotations

import json
import pathlib
import sys
from dataclasses import replace
from typing import Sequence

from emo_perception.evidence import EvidenceWindow

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"
RECORDINGS = DATA / "smollm2_recordings.json"
WINDOWS = ("lfw29_arms", "astro_speech", "grace_sad", "body_only", "astro")


DESCRIBE_SYSTEM = ("You are an emotion analyst for a robot. Use only the evidence given.")
DESCRIBE = ("In one or two sentences of everyday words, say what the person did, how their "
            "face looked and how they sounded, and when.")


def qa_windows() -> dict[str, EvidenceWindow]:
    """The named evidence windows embedded in ``evidence_pairs.jsonl``."""
    out: dict[str, EvidenceWindow] = {}
    for line in (DATA / "evidence_pairs.jsonl").read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        out.setdefault(obj["window"], EvidenceWindow.from_json(obj["evidence"]))
    return out


class RecordingChat:
    """Wraps a real chat backend and keeps every reply it gives."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.name = backend.name
        self.model_name = backend.model_name
        self.turns: list[str] = []

    def chat(self, messages, max_tokens: int, images=()) -> str:
        text = self.backend.chat(messages, max_tokens, images)
        self.turns.append(text)
        return text


class ReplayChat:
    """Plays back recorded replies in order; raises when the recording runs out."""

    name = "transformers"

    def __init__(self, turns: Sequence[str], model_name: str = "recorded SmolLM2") -> None:
        self.turns = list(turns)
        self.model_name = model_name
        self.calls = 0

    def chat(self, messages, max_tokens: int, images=()) -> str:
        if self.calls >= len(self.turns):
            raise IndexError("recording exhausted: the reasoner asked more turns than recorded")
        self.calls += 1
        return self.turns[self.calls - 1]


def load_recordings(path: pathlib.Path = RECORDINGS) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["runs"]


def record(out: pathlib.Path = RECORDINGS, max_new_tokens: int = 48) -> list[dict]:
    import platform
    import time

    from emo_perception.reasoning.backends import TransformersChat
    from emo_perception.reasoning.llm import LLMReasoner
    from emo_perception.reasoning.result import ReasoningConfig

    model = TransformersChat()
    wins = qa_windows()
    runs = []
    for pep in (True, False):
        for key in WINDOWS:
            cfg = ReasoningConfig(backend="transformers", pep=pep, retries=0,
                                  max_new_tokens=max_new_tokens)
            rec = RecordingChat(model)
            t0 = time.perf_counter()
            LLMReasoner(cfg, rec).reason(replace(wins[key]))
            runs.append({"window": key, "pep": pep, "max_new_tokens": max_new_tokens,
                         "turns": rec.turns, "seconds": round(time.perf_counter() - t0, 1)})
            print(key, pep, rec.turns, flush=True)
    from emo_perception.reasoning.render import render_evidence

    for key in WINDOWS:  # free-text rationales in everyday words (what an HRI app shows)
        msgs = [{"role": "system", "content": DESCRIBE_SYSTEM},
                {"role": "user", "content": render_evidence(wins[key]) + "\n\n" + DESCRIBE}]
        t0 = time.perf_counter()
        text = model.chat(msgs, 60)
        runs.append({"window": key, "describe": True, "max_new_tokens": 60, "turns": [text],
                     "seconds": round(time.perf_counter() - t0, 1)})
        print(key, "describe", text, flush=True)
    out.write_text(json.dumps({"model": model.model_name, "machine": platform.machine(),
                               "date": time.strftime("%Y-%m-%d"), "runs": runs}, indent=1)
                   + "\n", encoding="utf-8")
    return runs


if __name__ == "__main__":
    record(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else RECORDINGS)
