"""``emo-perception train``: train AU-TTT or the skeleton model on a prepared dataset folder.

Folder layouts are documented in ``emo_perception/models/data.py`` and docs/models.md.
``--generated`` trains on generated data instead (a demo; the checkpoint says so).
"""

from __future__ import annotations

import argparse
import json

from emo_perception.cli import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", choices=["au_ttt", "skeleton_mg"])
    parser.add_argument("--data", help="prepared training folder")
    parser.add_argument("--val", help="prepared validation folder (metrics)")
    parser.add_argument("--generated", type=int, default=0, metavar="N",
                        help="train on N generated samples instead of --data")
    parser.add_argument("--dataset", default=None, help="bp4d|disfa (au_ttt), imigue|smg")
    parser.add_argument("--config", default="{}", help="model config overrides as JSON")
    parser.add_argument("--text-head", action="store_true", help="skeleton: adaptive prompting")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="checkpoint path (.pt)")


def run(args: argparse.Namespace) -> int:
    import torch

    from emo_perception.models import data as D
    from emo_perception.models import synthetic as S
    from emo_perception.models import train as T
    from emo_perception.models.registry import make_config

    if not args.data and not args.generated:
        raise CliError("give --data FOLDER or --generated N")
    try:
        overrides = json.loads(args.config)
        if args.dataset:
            overrides["dataset"] = args.dataset
        if args.model == "skeleton_mg" and args.text_head:
            overrides["text_head"] = True
        cfg = make_config(args.model, overrides)
        tc = T.TrainConfig(epochs=args.epochs, batch=args.batch, lr=args.lr, seed=args.seed)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise CliError(str(exc)) from None
    source = "generated" if args.generated else str(args.data)
    try:
        if args.model == "au_ttt":
            if args.generated:
                n = args.generated
                faces = S.synthetic_faces(n, cfg.image_size, cfg.aus, seed=args.seed)
                tr = D.AUData(*faces, cfg.aus)
                va = D.AUData(*S.synthetic_faces(max(n // 4, 16), cfg.image_size, cfg.aus,
                                                 seed=args.seed + 1), cfg.aus)
            else:
                tr = D.load_au_folder(args.data, cfg.aus)
                va = D.load_au_folder(args.val, cfg.aus) if args.val else None
            model = T.train_au(cfg, tr, tc, progress=print)
            metrics = T.eval_au(model, va) if va is not None else {}
        else:
            if args.generated:
                x, y, _ = S.synthetic_gestures(args.generated, cfg.frames, seed=args.seed)
                xv, yv, _ = S.synthetic_gestures(max(args.generated // 4, 16), cfg.frames,
                                                 seed=args.seed + 1)
                tr, va = D.ClipData(x, y), D.ClipData(xv, yv)
            else:
                tr = D.load_clip_folder(args.data, cfg.num_classes)
                va = D.load_clip_folder(args.val, cfg.num_classes) if args.val else None
            text = None
            if cfg.text_head:
                from emo_perception.models import contrastive as C

                texts = C.class_descriptions(cfg.class_names)
                text = torch.from_numpy(C.class_text_embeddings(texts))
            model = T.train_skeleton(cfg, tr, tc, text_emb=text, progress=print)
            metrics = T.eval_skeleton(model, va) if va is not None else {}
    except (FileNotFoundError, ValueError) as exc:
        raise CliError(str(exc)) from None
    T.save_checkpoint(args.out, args.model, cfg, model, metrics, source)
    print(json.dumps({"checkpoint": args.out, "training_data": source, "metrics": metrics}))
    return 0
