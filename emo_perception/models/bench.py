"""CPU onnxruntime latency of every bundled model at batch 1 and 8.

``python -m emo_perception.models.bench [--models models_onnx] [--write-docs]`` prints a
markdown table; ``--write-docs`` puts it into docs/benchmarks.md under the learned-models
heading (replacing the previous table there).
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import platform
import time

import numpy as np

from emo_perception.inference import create_runner, load_manifest
from emo_perception.inference.manifest import ManifestEntry

SECTION = "## Learned models and inference backends (issue 5)"
BEGIN, END = "<!-- models-bench:begin -->", "<!-- models-bench:end -->"


def example_inputs(entry: ManifestEntry, batch: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random inputs of the manifest shapes (crops/skeletons in [0, 1], states zero)."""
    rng = np.random.default_rng(seed)
    out = {}
    for spec in entry.inputs:
        shape = [batch if d == "batch" else int(d) for d in spec.shape or ()]
        arr = rng.random(shape, dtype=np.float32)
        if spec.name.endswith("_delta"):
            arr[:] = 0.0
        out[spec.name] = arr
    return out


def _benchable(entry: ManifestEntry) -> bool:
    """Models with a batch axis first and every other size fixed, whose file is here (a
    model made by a command, e.g. movenet_multipose, may be absent; its free height and
    width have no one size to time)."""
    if not entry.path.is_file() and not entry.bundled:
        return False
    return all(spec.shape and spec.shape[0] == "batch"
               and all(isinstance(d, int) for d in spec.shape[1:]) for spec in entry.inputs)


def measure(runner, feeds: dict[str, np.ndarray], repeats: int, warmup: int = 3) -> float:
    """Median wall time of ``runner.run`` in milliseconds."""
    for _ in range(warmup):
        runner.run(feeds)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        runner.run(feeds)
        times.append(time.perf_counter() - t0)
    return 1000.0 * float(np.median(times))


def bench(models_dir: str, repeats: int = 20, threads: int = 0) -> list[dict]:
    manifest = load_manifest(models_dir)
    rows = []
    for entry in manifest.entries:
        if not _benchable(entry):
            continue
        runner = create_runner(entry.path, ("cpu",), threads=threads, manifest=manifest)
        row = {"name": entry.name, "provider": runner.provider}
        for batch in (1, 8):
            ms = measure(runner, example_inputs(entry, batch), repeats)
            row[f"b{batch}_ms"] = ms
            row[f"b{batch}_per_s"] = 1000.0 * batch / ms
        rows.append(row)
    return rows


def table(rows: list[dict], machine: str, date: str) -> str:
    lines = [BEGIN, f"CPU onnxruntime latency (median), machine: {machine}, date {date}, "
             "command `python -m emo_perception.models.bench`.", "",
             "| model | provider | batch 1 ms | batch 8 ms | items/s at batch 8 |",
             "| --- | --- | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['provider']} | {r['b1_ms']:.2f} | {r['b8_ms']:.2f} | "
                     f"{r['b8_per_s']:.0f} |")
    lines.append(END)
    return "\n".join(lines)


def write_docs(doc: pathlib.Path, text: str) -> None:
    """Replace the bench block inside our section of docs/benchmarks.md (or append it)."""
    content = doc.read_text()
    if BEGIN in content and END in content:
        head, rest = content.split(BEGIN, 1)
        content = head + text + rest.split(END, 1)[1]
    elif SECTION in content:
        content = content.replace(SECTION, f"{SECTION}\n\n{text}", 1)
    else:
        content += f"\n{SECTION}\n\n{text}\n"
    doc.write_text(content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="models_onnx")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--machine", default=f"{platform.machine()} {platform.node()}")
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--docs", default="docs/benchmarks.md")
    args = parser.parse_args(argv)
    text = table(bench(args.models, args.repeats, args.threads), args.machine, args.date)
    print(text)
    if args.write_docs:
        write_docs(pathlib.Path(args.docs), text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
