"""Issue 13 item 6: identity-bearing models (face descriptors, speaker embeddings) are never
part of the published pipeline. They live in ``emo_perception/audit`` and are reached only
by the host-side audit commands; no manifest model and no pinned npm conversion is one."""

from __future__ import annotations

import ast
import pathlib

import yaml

from emo_perception.models import npm_models as nm

PKG = nm.REPO / "emo_perception"
# Host-side commands that run the privacy audits (docs/privacy_audit.md): allowed to import
# the audit code, never imported by a node or a stage.
HOST_AUDIT_COMMANDS = {"bench.py", "make_scenes.py", "privacy_audit.py", "voice_audit.py"}
IDENTITY_LIBRARIES = ("dlib", "face_recognition", "face_recognition_models", "resemblyzer")
IDENTITY_WORDS = ("faceres", "face_recognition", "descriptor", "embedding", "reid",
                  "speaker")


def _imports(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):  # lazy imports included
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _published(path: pathlib.Path) -> bool:
    rel = path.relative_to(PKG)
    if rel.parts[0] == "audit":
        return False
    return not (rel.parts[0] == "cli" and rel.name in HOST_AUDIT_COMMANDS)


def test_published_code_never_imports_identity_models() -> None:
    files = [p for p in sorted(PKG.rglob("*.py")) if _published(p)]
    assert any(p.parts[-2] == "nodes" for p in files) and len(files) > 50
    bad = sorted(f"{p.relative_to(nm.REPO)}: {name}" for p in files for name in _imports(p)
                 if name.startswith("emo_perception.audit")
                 or name.split(".")[0] in IDENTITY_LIBRARIES)
    assert not bad, bad
    # and the host-side audit commands are not imported by anything published
    bad = sorted(f"{p.relative_to(nm.REPO)}: {name}" for p in files for name in _imports(p)
                 if name.removeprefix("emo_perception.cli.") + ".py" in HOST_AUDIT_COMMANDS)
    assert not bad, bad


def test_no_manifest_model_or_npm_conversion_is_identity_bearing() -> None:
    manifest = yaml.safe_load((nm.REPO / "models_onnx" / "manifest.yaml").read_text())
    for entry in manifest["models"]:
        words = " ".join([entry["name"], entry["file"], entry.get("architecture", ""),
                          *(o["name"] for o in entry["outputs"]),
                          *(entry.get("source") or {}).get("members", [])]).lower()
        assert not any(w in words for w in IDENTITY_WORDS), entry["name"]
    for spec in nm.MODELS.values():
        words = " ".join([spec.name, *spec.members, *(o["name"] for o in spec.outputs)])
        assert not any(w in words.lower() for w in IDENTITY_WORDS), spec.name
