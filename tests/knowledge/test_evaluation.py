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
from knowledge.answering.evaluation import MEANINGS, load_questions, metrics

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
        capture_output=True,
        text=True,
        check=True,
    )
    kb = KnowledgeBase.load()
    ours = metrics(questions, [kb.answer(q.text) for q in questions], map5=True)
    assert json.loads(shared.stdout) == ours


def test_eval_says_under_each_metric_what_it_means_and_splits_wrong_claim(seed_kb, tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    # The ambiguous budget question expected as a third claim: a "Did you mean…" without the
    # right option, which wrong_claim counts although nothing was answered wrongly.
    questions.write_text(
        "- question: What will the defence budget be next year?\n  expect: army-daily-shells\n"
        "- question: How many shells does the army fire per day?\n  expect: army-daily-shells\n"
        "- question: What is the capital of France?\n  expect: null\n",
        encoding="utf-8",
    )
    # Lexical alone: the outcomes this file is built around do not depend on the embedding model.
    result = CliRunner().invoke(cli, ["eval", str(questions), "--knowledge", str(seed_kb), "--no-semantic"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for key, meaning in MEANINGS.items():
        if any(line.startswith(f"{key} ") for line in lines):
            assert lines[lines.index(next(x for x in lines if x.startswith(f"{key} "))) + 1] == f"    {meaning}"
    assert "wrong_claim                  0.5" in lines
    assert '    of which answered with a wrong claim: 0; "Did you mean…" without a right option: 1' in lines


def test_an_expect_id_missing_from_the_knowledge_is_a_problem_with_its_line(seed_kb, tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- question: How many shells does the army fire per day?\n  expect: army-daily-shells\n"
        "- question: What will the defence budget be next year?\n"
        "  expect: [budget-forecast-high, budget-forcast-low]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["eval", str(questions), "--knowledge", str(seed_kb)])
    assert result.exit_code == 1
    assert f"{questions}:4: expect 'budget-forcast-low' is not a claim id in the knowledge" in result.output
    assert "army-daily-shells'" not in result.output and "answered_correct" not in result.output


def test_strict_eval_shows_what_came_out_instead(seed_kb, tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- question: What will the defence budget be next year?\n  expect: budget-forecast-high\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["eval", str(questions), "--knowledge", str(seed_kb), "--strict"])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith("UNEXPECTED"))
    assert f"({questions}:2): expected budget-forecast-high; got ambiguous, claim -, score " in line
    top = line.split("top candidates: ")[1].split(", ")
    assert 2 <= len(top) <= 3  # the top three, when the matcher kept that many
    assert {t.split()[0] for t in top[:2]} == {"budget-forecast-high", "budget-forecast-low"}


def test_questions_keep_the_line_of_their_expect() -> None:
    questions = load_questions(REGRESSION)
    text = REGRESSION.read_text(encoding="utf-8").splitlines()
    for q in questions[:20]:
        assert q.line > 0 and "expect" in text[q.line - 1]
