"""`groundbot chat`: the bot in a terminal, through the same matcher and plain-text rendering."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED


def chat(seed_kb, *lines: str) -> str:
    result = CliRunner().invoke(cli, ["chat", "--knowledge", str(seed_kb)], input="\n".join(lines) + "\n")
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
    assert "I have no sourced answer to that, so I won't guess.\n/topics shows what I can answer." in out


def test_chat_offers_did_you_mean_and_a_number_picks_one(seed_kb):
    out = chat(seed_kb, AMBIGUOUS, "2")
    assert "Did you mean…\n  1. " in out
    second = out.split("  2. ", 1)[1].splitlines()[0]
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
