"""The ask, check and eval commands, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from handlers import render


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, env={"GROUNDBOT_KNOWLEDGE": None})


def test_ask_prints_the_statement_who_said_it_and_the_source() -> None:
    result = run("ask", "How many artillery shells does Russia fire per day?")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("According to Kyiv, the Russian army consumes between 40,000 and 60,000")
    assert lines[1].startswith("— according to Kyiv, via Yohann Michel")
    assert "Source: “War in Ukraine | North Korean munitions, a helping hand for Moscow to last”, AFP" in lines


def test_ask_refuses_with_the_one_refusal_text_the_bot_and_chat_send() -> None:
    result = run("ask", "What is the capital of France?")
    assert result.exit_code == 0
    # The bot and `groundbot chat` send the same sentence, then point to /topics, which ask has not.
    assert result.output.strip() == render.REFUSAL
    assert render.refusal().splitlines()[0] == render.REFUSAL


def test_ask_json_reads_one_question_per_line_and_writes_one_object_each() -> None:
    result = run("ask", "--json", input="How many shells does Russia fire per day?\n\nWho won the match?\n")
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["status"] for o in objects] == ["answered", "refused", "refused"]
    assert objects[0]["claim"]["source"]["outlet"] == "AFP"
    assert objects[0]["question"] == "How many shells does Russia fire per day?"


def test_ask_with_broken_knowledge_lists_the_problems_and_fails(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("source: {id: x, outlet: y}\nclaims: [{id: a}]\n", encoding="utf-8")
    result = run("ask", "hello", "--knowledge", str(tmp_path))
    assert result.exit_code == 1
    assert "bad.yaml:2:10: missing required field 'claims[0].statement'" in result.stderr


def test_check_is_quiet_and_zero_on_the_bundled_knowledge() -> None:
    result = run("check")
    assert result.exit_code == 0
    assert result.output.startswith("OK: ")


def test_check_prints_each_problem_and_exits_one(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("source:\n  id: s\n  outlet: o\n  colour: red\nclaims: []\n", encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    assert "a.yaml:4:3: unknown key 'colour' in source" in result.output


def test_ask_json_gives_said_on_inside_claim() -> None:
    result = run("ask", "--json", "How many shells does Russia fire per day?")
    claim = json.loads(result.output)["claim"]
    assert "said_on" in claim and claim["said_on"] is None  # the bundled claims have none yet


def test_ask_explain_shows_why_after_the_reply() -> None:
    result = run("ask", "--explain", "How many artillery shells does Ukraine fire per day?")
    assert result.exit_code == 0
    reply, why = result.output.split("\n\nWhy:\n")
    assert reply.strip() == render.REFUSAL
    assert why.startswith("refused: the best claim does not mention ukrain (decided by the rules)")
    assert "objection: the best claim does not mention ukrain" in why


def test_ask_json_explain_adds_an_explanation_object_and_keeps_every_field() -> None:
    plain_json = json.loads(run("ask", "--json", "How many shells does Russia fire per day?").output)
    result = run("ask", "--json", "--explain", "How many shells does Russia fire per day?")
    found = json.loads(result.output)
    assert {k: v for k, v in found.items() if k != "explanation"} == plain_json
    assert found["explanation"]["candidates"][0]["id"] == "russia-daily-shell-use"


def test_the_learned_decision_is_chosen_with_decision_model() -> None:
    result = run("ask", "--decision", "model", "--explain", "How many artillery shells does Russia fire per day?")
    assert result.exit_code == 0
    assert "(decided by the answer model)" in result.output
