"""QA set format, metric definitions and the qa-eval command (knowledge backend)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from emo_perception.cli import main
from emo_perception.reasoning.facts import verify_fact
from emo_perception.reasoning.qa import KnowledgeAnswerer, evaluate, load_qa, score_binary

QA_DIR = pathlib.Path(__file__).resolve().parents[2] / "emo_perception" / "data" / "qa"


def test_shipped_set_is_well_formed():
    qa = load_qa(QA_DIR)
    pairs: dict[str, set[str]] = {}
    for item in qa.binary:
        pairs.setdefault(item.pair_id, set()).add(item.type)
        assert item.answer == ("yes" if item.type == "basic" else "no")
    assert len(pairs) >= 60 and all(v == {"basic", "hallucinated"} for v in pairs.values())
    with_evidence = [i for i in qa.binary if i.evidence is not None]
    assert len(with_evidence) >= 40
    assert any(i.evidence.action_units for i in with_evidence)
    assert len(qa.choice) >= 12
    assert all(0 <= c.answer < len(c.options) for c in qa.choice)


def test_metric_definitions_on_a_worked_example():
    rows = [  # pair 1 both right; pair 2 says yes to the false one; pair 3 says no to both
        {"pair_id": "1", "type": "basic", "answer": "yes", "pred": "yes", "category": "c"},
        {"pair_id": "1", "type": "hallucinated", "answer": "no", "pred": "no", "category": "c"},
        {"pair_id": "2", "type": "basic", "answer": "yes", "pred": "yes", "category": "c"},
        {"pair_id": "2", "type": "hallucinated", "answer": "no", "pred": "yes", "category": "c"},
        {"pair_id": "3", "type": "basic", "answer": "yes", "pred": "no", "category": "d"},
        {"pair_id": "3", "type": "hallucinated", "answer": "no", "pred": "no", "category": "d"},
    ]
    m = score_binary(rows)
    assert m["basic_accuracy"] == pytest.approx(2 / 3)
    assert m["hallucinated_accuracy"] == pytest.approx(2 / 3)
    assert m["pair_accuracy"] == pytest.approx(1 / 3)
    assert m["d_y"] == pytest.approx(3 / 6 - 3 / 6)
    assert m["r_fp"] == pytest.approx(1 / 2)  # wrong answers: one yes, one no
    assert m["pair_accuracy_by_category"] == {"c": 0.5, "d": 0.0}


def test_fact_base_handles_negation_and_swaps():
    assert verify_fact("Fear is a response to a present threat.") == "yes"
    assert verify_fact("Fear is not a response to a present threat.") == "no"
    assert verify_fact("Anxiety is a response to a present threat.") == "no"
    assert verify_fact("Fear is immediate, whereas anxiety is anticipatory.") == "yes"
    assert verify_fact("Fear is anticipatory, whereas anxiety is immediate.") == "no"
    assert verify_fact("Sadness involves AU15.") == "yes"
    assert verify_fact("Sadness involves AU12.") == "no"
    assert verify_fact("Penguins enjoy jazz.") is None  # undecided, not guessed


def test_knowledge_answers_evidence_items_from_evidence():
    qa = load_qa(QA_DIR / "evidence_pairs.jsonl")
    answerer = KnowledgeAnswerer()
    first = qa.binary[0]
    assert answerer.binary(first) == "yes"  # the astronaut's AU12 is in the evidence
    happy = next(i for i in qa.binary if i.question == "The person appears to feel happiness.")
    assert answerer.binary(happy) == "yes"
    stripped = type(happy)(happy.pair_id, happy.type, happy.question, happy.answer)
    assert answerer.binary(stripped) is None  # no evidence, no fact: undecided


def test_cli_knowledge_report(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["qa-eval", "builtin", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    for key in ("basic_accuracy", "hallucinated_accuracy", "pair_accuracy", "d_y", "r_fp",
                "mc_accuracy", "binary_undecided", "pairs"):
        assert key in report
    assert report["pairs"] >= 60 and report["backend"] == "knowledge"
    assert "pair_acc" in capsys.readouterr().out
    assert main(["qa-eval", "builtin", "--limit", "3", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["binary_items"] == 6


def test_cli_bad_input_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"pair_id": "x", "type": "basic", "question": "q", "answer": "maybe"}\n')
    for args in (["qa-eval", str(bad)], ["qa-eval", str(tmp_path / "missing.jsonl")],
                 ["qa-eval", "builtin", "--backend", "transformers", "--gguf",
                  str(tmp_path / "none.gguf")]):
        proc = subprocess.run([sys.executable, "-m", "emo_perception.cli", *args],
                              capture_output=True, text=True, timeout=120,
                              cwd=QA_DIR.parents[2])
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "error" in lines[0], proc.stderr


def test_letter_answers_and_extra_fields(tmp_path):
    f = tmp_path / "mc.jsonl"
    f.write_text(json.dumps({"id": "m", "question": "Which AU is the lip corner puller?",
                             "options": ["AU4", "AU12"], "answer": "B", "note": "x"}) + "\n")
    qa = load_qa(f)
    assert qa.choice[0].answer == 1
    report = evaluate(qa, KnowledgeAnswerer())
    assert report["mc_accuracy"] == 1.0


@pytest.mark.parametrize("question,option,statement", [
    ("Who did he say was waiting outside?", "His uncle", "he said his uncle was waiting outside"),
    ("What were his hands doing near the end?", "Clasped", "his hands were clasped near the end"),
    ("Which channel was missing here?", "The voice", "there was no voice data"),
    ("Which channels had data?", "voice and body only",
     "no face was visible, and there was voice data, and there was no transcript data, and "
     "body movements were detected"),
    ("How many gesture events were detected?", "none", "no gesture events were detected"),
    ("When did his head go down?", "In the last third", "his head went down in the last third"),
    ("When did his head go down?", "It never did", "his head did not go down"),
])
def test_option_statements_slot_the_answer_into_the_question(question, option, statement):
    from emo_perception.reasoning.qa import option_statements
    assert option_statements(question, option)[0] == statement


@pytest.mark.parametrize("question,option,statement", [
    ("Which emotion topped her face scores?", "Anger", "the top expression class was anger"),
    ("One word for her face - which is it?", "Calm", "her face looked calm"),
    ("Volume check - which describes him?", "Whispering", "his voice was whispering"),
    ("Which two gestures overlapped in time?", "Nose touch and head scratch",
     "nose touch while head scratch"),
    ("Debug question: which stage produced no output?", "Body stage",
     "there were no body movements"),
])
def test_option_statements_for_the_v8_shapes(question, option, statement):
    from emo_perception.reasoning.qa import option_statements
    assert option_statements(question, option)[0] == statement
