"""`groundbot unanswered` and `groundbot stats` read the bot's event log on the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge import KnowledgeBase
from knowledge.activity.events import EventLog

RUSSIA = "How many shells does Russia fire per day?"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory whose log holds three refusals (two of one question) and one answer with a 👎."""
    kb = KnowledgeBase.load()
    log = EventLog(tmp_path / "events.db")
    for question in ("Who runs the Paris office?", "who runs paris office", "What is the capital of France?"):
        log.question(kb.answer(question), chat_type="private", user_id=1)
    disliked = log.question(kb.answer(RUSSIA), chat_type="group", user_id=2)
    log.feedback(disliked, claim_id="russia-daily-shell-use", value=-1, user_id=2)
    log.close()
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_unanswered_lists_the_most_asked_question_first(data_dir: Path):
    lines = run("unanswered", "--data-dir", str(data_dir)).splitlines()
    assert lines[0] == "Unanswered in the last 7 days: 3 question(s), asked 4 time(s)."
    # Both wordings were asked once: the later one leads.
    assert lines[1] == "1. ×2 “who runs paris office” (2 refused)"
    assert lines[2] == "   also asked as: “Who runs the Paris office?”"
    assert f"“{RUSSIA}” (1 👎)" in "\n".join(lines)


def nearest_line(with_statement: bool = True) -> str:
    """The line the report should show for the answer people marked 👎."""
    kb = KnowledgeBase.load()
    answer = kb.answer(RUSSIA)
    line = f"nearest: russia-daily-shell-use (score {answer.score:.0f})"
    return line + (f": {kb.claim('russia-daily-shell-use').statement}" if with_statement else "\n")


def test_unanswered_shows_the_nearest_claims_statement(data_dir: Path):
    output = run("unanswered", "--data-dir", str(data_dir))
    assert nearest_line() in output


def test_unanswered_json_has_every_group_with_its_nearest_claim(data_dir: Path):
    report = json.loads(run("unanswered", "--data-dir", str(data_dir), "--json"))
    assert report["days"] == 7
    assert [g["count"] for g in report["groups"]] == [2, 1, 1]
    downvoted = next(g for g in report["groups"] if g["downvoted"])
    assert downvoted["nearest_claim"] == "russia-daily-shell-use"
    assert downvoted["nearest_statement"] == KnowledgeBase.load().claim("russia-daily-shell-use").statement


def test_the_data_dir_comes_from_the_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GROUNDBOT_DATA_DIR", str(data_dir))
    assert json.loads(run("stats", "--json"))["questions"] == 4


def test_stats_text_shows_shares_and_feedback(data_dir: Path):
    lines = run("stats", "--data-dir", str(data_dir), "--days", "0").splitlines()
    assert lines[0] == "Stats for all time: 4 question(s) from 2 people."
    assert lines[1] == "answered 25% (1), ambiguous 0% (0), refused 75% (3)"
    assert "feedback: 0 👍, 1 👎" in lines


def test_stats_json_is_one_object(data_dir: Path):
    stats = json.loads(run("stats", "--data-dir", str(data_dir), "--json"))
    assert (stats["answered"], stats["refused"]) == (1, 3)
    assert stats["top_claims"] == [{"id": "russia-daily-shell-use", "count": 1}]
    assert stats["feedback"] == {"up": 0, "down": 1}


def test_a_missing_event_log_is_a_clear_error_and_creates_nothing(tmp_path: Path):
    result = CliRunner().invoke(cli, ["stats", "--data-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no event log at" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_a_broken_knowledge_path_still_gives_the_report_with_ids(data_dir: Path, tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("source: [\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["unanswered", "--data-dir", str(data_dir), "--knowledge", str(broken)])
    assert result.exit_code == 0
    assert "showing claim ids only" in result.output
    assert nearest_line(with_statement=False) in result.output
