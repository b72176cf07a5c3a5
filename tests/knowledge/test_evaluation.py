"""`groundbot eval` and the shared scorer agree, and the bundled regression questions pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge import KnowledgeBase
from knowledge.evaluation import load_questions, metrics

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "eval"
REGRESSION = ROOT / "knowledge" / "regression-questions.yaml"


def test_every_bundled_regression_question_comes_out_as_expected() -> None:
    result = CliRunner().invoke(cli, ["eval", str(REGRESSION), "--strict"])
    assert result.exit_code == 0, result.output


def test_the_regression_set_has_enough_questions_of_each_kind() -> None:
    questions = load_questions(REGRESSION)
    answered = [q for q in questions if q.expect]
    assert len(answered) >= 40
    assert len(questions) - len(answered) >= 30
    ids = {c.id for c in KnowledgeBase.load().claims()}
    assert set().union(*(q.expect for q in answered)) == ids, "every claim is asked about"


def test_strict_eval_fails_and_names_each_unexpected_question(tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- question: How many shells does Russia fire per day?\n  expect: null\n"
        "- question: What is the capital of France?\n  expect: null\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["eval", str(questions), "--strict"])
    assert result.exit_code == 1
    assert "UNEXPECTED: 'How many shells does Russia fire per day?'" in result.output
    assert "capital of France" not in result.output.split("as_expected")[-1]


@pytest.mark.skipif(not (SHARED / "score.py").exists(), reason="needs ../shared/eval/score.py beside the repo")
def test_our_metrics_equal_the_shared_scorers_on_groundbot_ask_json(tmp_path: Path) -> None:
    questions_file = REGRESSION
    questions = load_questions(questions_file)
    result = CliRunner().invoke(cli, ["ask", "--json"], input="\n".join(q.text for q in questions) + "\n")
    assert result.exit_code == 0
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text(result.output, encoding="utf-8")
    shared = subprocess.run(
        [sys.executable, str(SHARED / "score.py"), str(questions_file), str(predictions), "--map5"],
        capture_output=True, text=True, check=True,
    )
    kb = KnowledgeBase.load()
    ours = metrics(questions, [kb.answer(q.text) for q in questions], map5=True)
    assert json.loads(shared.stdout) == ours
