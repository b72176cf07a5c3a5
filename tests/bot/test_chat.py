"""`groundbot chat`: the bot in a terminal, through the same matcher and plain-text rendering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.chat import line_editing
from bot.cli import cli
from handlers import render
from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED


def chat(seed_kb, *lines: str, options: tuple[str, ...] = ()) -> str:
    args = ["chat", "--knowledge", str(seed_kb), *options]
    result = CliRunner().invoke(cli, args, input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return result.output


def test_chat_answers_with_statement_attribution_and_source(seed_kb):
    out = chat(seed_kb, ANSWERED)
    assert "4 claims loaded" in out
    assert "The army fires 50,000 shells per day.\n— according to General Alpha, via Reporter Beta" in out
    assert "Source: “Quarterly briefing <Q3> & outlook”, Team News, 2024-05-01" in out
    assert "https://example.org/briefing?q=3&lang=en" in out


def test_chat_refuses_plainly_and_points_to_topics(seed_kb):
    out = chat(seed_kb, REFUSED)
    assert f"{render.REFUSAL}\n/topics shows what I can answer." in out


def test_chat_offers_did_you_mean_and_a_number_picks_one(seed_kb):
    out = chat(seed_kb, AMBIGUOUS, "2")
    assert "Did you mean…\n  1. " in out
    second = out.split("  2. ", 1)[1].splitlines()[0].rsplit(" [", 1)[0]
    assert f"you> {second}\n— according to" in out


def test_chat_knows_topics_sources_and_claims_and_quits(seed_kb):
    out = chat(seed_kb, "/topics", "/sources", "/claim budget-forecast-low", "/claim nope", "/quit", ANSWERED)
    assert "I can answer from 4 claims in 1 source(s)." in out
    assert "Sources (1):" in out and "Quarterly briefing <Q3> & outlook, Team News, 2024-05-01" in out
    assert "The defence budget will stay near 70 billion next year." in out
    assert "There is no claim with id 'nope'." in out
    assert "The army fires" not in out  # nothing after /quit


def test_chat_without_a_question_pick_says_what_to_type(seed_kb):
    out = chat(seed_kb, AMBIGUOUS, "7")
    assert "Pick a number from 1 to 2." in out


def test_chat_shows_the_claim_id_after_each_card_and_option(seed_kb):
    out = chat(seed_kb, ANSWERED, AMBIGUOUS, "1")
    assert (
        "Source: “Quarterly briefing <Q3> & outlook”, Team News, 2024-05-01\nhttps://example.org/briefing?q=3&lang=en\n[army-daily-shells]"
        in out
    )
    assert "[budget-forecast-high]" in out and "[budget-forecast-low]" in out
    picked = out.split("you> ")[-2]  # the reply to "1"; the last prompt met the end of input
    assert picked.startswith("The defence budget will reach 90 billion next year.\n")
    assert picked.rstrip().endswith("\n[budget-forecast-high]")


def test_an_unknown_command_gets_the_help_pointer_not_an_answer(seed_kb):
    out = chat(seed_kb, "/foo how many shells does the army fire per day")
    assert render.UNKNOWN_COMMAND in out
    assert "50,000" not in out


def test_claim_alone_gets_its_usage(seed_kb):
    out = chat(seed_kb, "/claim")
    assert "Give a claim id, e.g. /claim russia-daily-shell-use. /topics shows what I have." in out
    assert "There is no claim with id ''" not in out


def test_topics_with_a_tag_lists_that_tags_claims_with_ids(seed_kb):
    out = chat(seed_kb, "/topics Budget", "/topics weather")
    assert "Claims tagged Budget (2); /claim ID shows one:" in out
    assert "• The defence budget will reach 90 billion next year. [budget-forecast-high]" in out
    assert "• The defence budget will stay near 70 billion next year. [budget-forecast-low]" in out
    assert "army fires" not in out
    assert "No claim is tagged “weather”. Tags: " in out and "artillery" in out


def test_chat_help_lists_the_in_chat_commands(seed_kb):
    result = CliRunner().invoke(cli, ["chat", "--help"])
    assert result.exit_code == 0
    for command in ("/topics TAG", "/sources", "/claim ID", "/help", "/quit", "NUMBER", "--data-dir"):
        assert command in result.output, command
    assert "/topics TAG" in chat(seed_kb, "/help")


def test_a_chat_session_with_a_data_dir_is_logged_for_unanswered_and_stats(seed_kb, tmp_path):
    data = tmp_path / "data"
    out = chat(seed_kb, ANSWERED, REFUSED, AMBIGUOUS, "2", options=("--data-dir", str(data)))
    assert f"Logging to {data / 'events.db'}" in out
    runner = CliRunner()
    stats = runner.invoke(cli, ["stats", "--data-dir", str(data), "--json"])
    assert stats.exit_code == 0, stats.output
    report = json.loads(stats.output)
    assert report["questions"] == 3, report
    unanswered = runner.invoke(cli, ["unanswered", "--data-dir", str(data), "--knowledge", str(seed_kb), "--json"])
    assert unanswered.exit_code == 0, unanswered.output
    groups = json.loads(unanswered.output)["groups"]
    assert [g["question"] for g in groups] == [REFUSED]


def test_line_editing_keeps_a_history_between_sessions(tmp_path: Path):
    readline = pytest.importorskip("readline")
    history = tmp_path / "data" / "chat_history"
    readline.clear_history()
    with line_editing(history, interactive=True) as editing:
        assert editing
        readline.add_history("How many shells does the army fire per day?")
    assert "How many shells" in history.read_text(encoding="utf-8")
    assert history.stat().st_mode & 0o077 == 0
    readline.clear_history()
    with line_editing(history, interactive=True):
        assert readline.get_history_item(1) == "How many shells does the army fire per day?"
    readline.clear_history()


def test_without_a_terminal_there_is_no_line_editing_and_no_history_file(tmp_path: Path):
    history = tmp_path / "chat_history"
    with line_editing(history, interactive=False) as editing:
        assert not editing
    assert not history.exists()
