"""``emo-perception qa-eval FILE``: score a reasoning backend on hallucination QA."""

from __future__ import annotations

import argparse
import json
import pathlib
import platform
import time

from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="QA JSONL file or a folder of them; 'builtin' = the "
                                     "QA set shipped in emo_perception/data/qa")
    parser.add_argument("--backend", default="knowledge",
                        choices=("knowledge", "transformers", "openai"))
    parser.add_argument("--no-pep", action="store_true",
                        help="plain prompting instead of Predict-Explain-Predict")
    parser.add_argument("--gguf", default="", help="transformers: GGUF file (default SmolLM2)")
    parser.add_argument("--base-url", default="http://127.0.0.1:8080/v1",
                        help="openai: server URL including /v1")
    parser.add_argument("--model", default="", help="openai: model name")
    parser.add_argument("--api-key", default="", help="openai: bearer token (optional)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--limit", type=int, default=0,
                        help="only the first N pairs and first N multiple-choice items")
    parser.add_argument("--no-claim-guard", action="store_true",
                        help="LLM backends: do not check the model's answers and its PEP "
                             "explanation with the claim reader (the report always also "
                             "scores the answers as given before the guard)")
    parser.add_argument("--out", default="", help="write the full report (JSON) here")


def run(args: argparse.Namespace) -> int:
    from emo_perception.reasoning.backends import BackendError
    from emo_perception.reasoning.qa import KnowledgeAnswerer, LLMAnswerer, evaluate, load_qa
    from emo_perception.reasoning.result import ReasoningConfig

    path = pathlib.Path(args.file)
    if args.file == "builtin":
        path = pathlib.Path(__file__).resolve().parents[1] / "data" / "qa"
    if args.limit < 0:
        raise CliError("--limit must be >= 0")
    try:
        qa = load_qa(path)
    except (FileNotFoundError, ValueError) as exc:
        raise CliError(str(exc)) from None
    try:
        config = ReasoningConfig(backend=args.backend, label_set="mafw11", pep=not args.no_pep,
                                 gguf_path=args.gguf, base_url=args.base_url,
                                 model=args.model, api_key=args.api_key,
                                 timeout_s=args.timeout, max_new_tokens=args.max_new_tokens)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.backend == "knowledge":
        answerer = KnowledgeAnswerer(config)
    else:
        from emo_perception.reasoning.llm import create_backend

        try:
            answerer = LLMAnswerer(create_backend(config), config,
                                   claim_guard=not args.no_claim_guard)
        except (FileNotFoundError, BackendError) as exc:
            raise CliError(str(exc)) from None
    n_items = len(qa.binary) + len(qa.choice)
    bar = _progress(n_items if not args.limit else None)
    report = evaluate(qa, answerer, limit=args.limit, progress=None if bar is None else bar.update)
    if bar is not None:
        bar.close()
    report.update({"file": str(path), "pep": not args.no_pep and args.backend != "knowledge",
                   "limit": args.limit, "machine": platform.machine(),
                   "date": time.strftime("%Y-%m-%d")})
    if args.out:  # before printing: a closed stdout must not lose the report
        try:
            pathlib.Path(args.out).write_text(json.dumps(report, indent=1), encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc}") from None
    _print_summary(report)
    return 0


def _progress(total: int | None):
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc="qa-eval", unit="item", leave=False)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _print_summary(r: dict) -> None:
    print(f"backend {r['backend']}  pep {r['pep']}  pairs {r['pairs']}  "
          f"binary items {r['binary_items']} (undecided {r['binary_undecided']})  "
          f"mc items {r['mc_items']} (undecided {r['mc_undecided']})")
    print(f"basic_acc {_fmt(r['basic_accuracy'])}  halluc_acc "
          f"{_fmt(r['hallucinated_accuracy'])}  pair_acc {_fmt(r['pair_accuracy'])}  "
          f"d_y {_fmt(r['d_y'])}  r_fp {_fmt(r['r_fp'])}  mc_acc {_fmt(r['mc_accuracy'])}  "
          f"s/item {r['seconds_per_item']:.3f}")
    print(f"undecided {r['binary_undecided'] + r['mc_undecided']} of "
          f"{r['binary_items'] + r['mc_items']} items ({r['undecided_rate']:.1%}; counted "
          f"as wrong)")
    for cat, acc in r["pair_accuracy_by_category"].items():
        print(f"  pair_acc[{cat}] {acc:.3f}")
    u = r.get("unguarded")
    if u and "claim-guard" in r["backend"]:
        print(f"same answers before the claim guard: basic_acc {_fmt(u['basic_accuracy'])}  "
              f"halluc_acc {_fmt(u['hallucinated_accuracy'])}  pair_acc "
              f"{_fmt(u['pair_accuracy'])}  undecided {u['binary_undecided']}  mc_acc "
              f"{_fmt(u['mc_accuracy'])}")
