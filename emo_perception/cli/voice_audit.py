"""``emo-perception voice-audit``: how well a speaker-verification model re-identifies
anonymised voices (EER, ignorant and lazy-informed attackers) and what anonymisation costs
recognition (word recall, WER) and prosody; see docs/voice.md ("Privacy audit").

Exit code: 0 when every audited method marked as required (``--require``, default the
pipeline's default method) meets the targets, 1 when one misses them, 2 on errors.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from emo_perception.cli import CliError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--methods", default="resynth,world,mcadams,mcadams_random",
                   help="comma-separated anonymisers to audit: world, world_plain (the first "
                        "WORLD pseudo-voice), mcadams (alpha 0.8), mcadams_random "
                        "(alpha ~ U(0.5, 0.9) per utterance), resynth (ASR + flite, a voice "
                        "drawn per utterance)")
    p.add_argument("--require", default="resynth",
                   help="comma-separated methods that must meet the targets for exit code 0 "
                        "('' = report only)")
    p.add_argument("--voices", type=int, default=19,
                   help="synthetic voices in the pool (espeak-ng variants + festival)")
    p.add_argument("--texts", type=int, default=4, help="sentences per synthetic voice")
    p.add_argument("--no-real", action="store_true", help="leave the real speakers out")
    p.add_argument("--max-utterances", type=int, default=0,
                   help="at most this many utterances per speaker (0 = all)")
    p.add_argument("--no-asr", action="store_true", help="skip word recall (faster)")
    p.add_argument("--split-sources", default="",
                   help="comma-separated packages (e.g. codec2-examples): real-speaker EERs "
                        "also for their speakers and for the others, separately")
    p.add_argument("--seed", type=int, default=0, help="seed of the anonymiser draws")
    p.add_argument("--cache", default=".cache/voice_pool",
                   help="where the derived speaker pool is kept")
    p.add_argument("--build-pool-only", action="store_true",
                   help="derive the pool into --cache and stop (setup step)")
    p.add_argument("--out", default="", help="write the JSON report here (default: stdout)")


def run(args: argparse.Namespace) -> int:
    from emo_perception.audit.voice import AuditConfig, AuditError, build_pool, run_audit

    methods = tuple(m for m in args.methods.split(",") if m)
    required = [m for m in args.require.split(",") if m]
    missing = [m for m in required if m not in methods]
    if missing:
        raise CliError(f"--require names methods not audited: {', '.join(missing)}")
    try:
        if args.build_pool_only:
            utts = build_pool(args.cache, args.voices, args.texts, not args.no_real)
            print(f"voice pool: {len(utts)} utterances of "
                  f"{len({u.speaker for u in utts})} speakers in {args.cache}")
            return 0
        cfg = AuditConfig(methods=methods, n_voices=args.voices, n_texts=args.texts,
                          real=not args.no_real, cache_dir=args.cache, seed=args.seed,
                          asr=not args.no_asr, max_utterances=args.max_utterances,
                          split_sources=tuple(x for x in args.split_sources.split(",") if x))
        report = run_audit(cfg, log=lambda s: print(f"voice-audit: {s}", file=sys.stderr))
    except AuditError as exc:
        raise CliError(str(exc)) from None
    report["required"] = required
    text = json.dumps(report, indent=1)
    if args.out:
        pathlib.Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.out).write_text(text)
    else:
        print(text)
    failed = [m for m in required if not report["methods"][m]["meets_targets"]]
    for m in failed:
        checks = report["methods"][m]["checks"]
        print(f"voice-audit: {m} misses targets: " + ", ".join(
            f"{k} {v:.3f} (target {report['targets'][k]})" for k, v in checks.items()
            if v is None or v < report["targets"][k]), file=sys.stderr)
    return 1 if failed else 0
