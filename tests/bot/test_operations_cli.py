"""`groundbot run --check` and `groundbot backup`: the commands deploy scripts and operators run."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge import KnowledgeBase
from knowledge.activity.events import EventLog
from knowledge.answering.embedding import available as embedding_available
from tests.telegram_fakes import TOKEN


def invoke(*args: str, **env: str):
    return CliRunner().invoke(cli, list(args), env={f"GROUNDBOT_{k.upper()}": v for k, v in env.items()})


# --- run --check -----------------------------------------------------------------------


def test_run_check_validates_settings_knowledge_and_event_log_then_exits_0(clean_env, seed_kb):
    result = invoke("run", "--check", token=TOKEN, knowledge=str(seed_kb), data_dir="state", health_port="8080")
    assert result.exit_code == 0, result.output
    semantic = (
        "OK: semantic tier: 0 of 10 texts embedded in state; the rest at start-up"
        if embedding_available()
        else "OK: semantic tier not installed (pip install 'groundbot[semantic]'): the lexical matcher answers alone"
    )
    assert result.stdout.splitlines() == [
        "OK: settings (long polling; /healthz and /metrics on 127.0.0.1:8080)",
        f"OK: knowledge: 4 claims from 1 source(s) in {seed_kb}",
        semantic,
        "OK: event log state/events.db is writable",
    ]
    assert (clean_env / "state" / "events.db").is_file()
    assert TOKEN not in result.output


def test_run_check_says_the_semantic_tier_is_off_when_the_setting_says_so(clean_env, seed_kb):
    result = invoke("run", "--check", token=TOKEN, knowledge=str(seed_kb), semantic="false")
    assert result.exit_code == 0, result.output
    assert "OK: semantic tier off (GROUNDBOT_SEMANTIC=false): the lexical matcher answers alone" in result.stdout


def test_run_check_names_webhook_mode(clean_env, seed_kb):
    result = invoke(
        "run",
        "--check",
        token=TOKEN,
        knowledge=str(seed_kb),
        webhook_url="https://bot.example.org/hook",
        webhook_secret="s3cret",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "OK: settings (webhook at https://bot.example.org/hook)"
    assert "s3cret" not in result.output


def test_run_check_exits_2_on_a_bad_setting_naming_the_variable(clean_env, seed_kb):
    result = invoke("run", "--check", token=TOKEN, knowledge=str(seed_kb), health_port="99999")
    assert result.exit_code == 2
    assert result.stderr.strip() == "groundbot: GROUNDBOT_HEALTH_PORT: must be a port number from 1 to 65535"


def test_run_check_exits_1_on_broken_knowledge_listing_each_problem(clean_env, seed_kb):
    (seed_kb / "bad.yaml").write_text("source: {id: bad, outlet: X}\nclaims:\n  - {id: a, statement: S}\n")
    result = invoke("run", "--check", token=TOKEN, knowledge=str(seed_kb))
    assert result.exit_code == 1
    assert "bad.yaml:3:" in result.stderr
    assert not (clean_env / "data").exists()  # nothing created for a deploy that will not start


def test_run_check_exits_2_when_the_data_directory_cannot_hold_the_event_log(clean_env, seed_kb):
    (clean_env / "not-a-dir").write_text("a file where the data directory should be")
    result = invoke("run", "--check", token=TOKEN, knowledge=str(seed_kb), data_dir="not-a-dir")
    assert result.exit_code == 2
    assert result.stderr == "groundbot: the data directory not-a-dir is a file, not a directory (GROUNDBOT_DATA_DIR)\n"


def test_the_health_port_must_differ_from_the_webhook_port(clean_env, seed_kb):
    result = invoke(
        "run",
        "--check",
        token=TOKEN,
        knowledge=str(seed_kb),
        webhook_url="https://x.org/h",
        webhook_secret="abc",
        port="8443",
        health_port="8443",
    )
    assert result.exit_code == 2
    assert "GROUNDBOT_HEALTH_PORT: must differ from GROUNDBOT_PORT" in result.stderr


# --- backup ----------------------------------------------------------------------------


@pytest.fixture
def live_log(tmp_path: Path):
    """An event log held open, as by a running bot, with its last writes still in the WAL."""
    kb = KnowledgeBase.load()
    log = EventLog(tmp_path / "data" / "events.db")
    asked = log.question(kb.answer("How many artillery shells does Russia fire per day?"), chat_type="private")
    log.feedback(asked, claim_id="russia-daily-shell-use", value=1, user_id=7)
    log.question(kb.answer("What is the capital of France?"), chat_type="private")
    yield log
    log.close()
    kb.close()


def test_backup_copies_a_live_event_log_consistently(tmp_path, live_log):
    dest = tmp_path / "backup.db"
    result = invoke("backup", str(dest), "--data-dir", str(tmp_path / "data"))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Backed up 2 questions and 1 feedback votes to {dest}"
    with sqlite3.connect(dest) as copy:
        assert copy.execute("SELECT count(*) FROM questions").fetchone()[0] == 2
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(tmp_path.glob("*.partial"))


def test_backup_into_a_directory_names_the_copy_by_time(tmp_path, live_log):
    backups = tmp_path / "backups"
    backups.mkdir()
    result = invoke("backup", str(backups), data_dir=str(tmp_path / "data"))
    assert result.exit_code == 0, result.output
    [copy] = backups.iterdir()
    assert copy.name.startswith("events-") and copy.suffix == ".db"


def test_backup_without_an_event_log_says_where_it_looked(tmp_path):
    result = invoke("backup", str(tmp_path / "x.db"), data_dir=str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert f"no event log at {tmp_path / 'nowhere' / 'events.db'}" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_backup_to_standard_output_for_copying_out_of_a_container(tmp_path, live_log):
    result = invoke("backup", "-", data_dir=str(tmp_path / "data"))
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "from-stdout.db"
    out.write_bytes(result.stdout_bytes)
    with sqlite3.connect(out) as copy:
        assert copy.execute("SELECT count(*) FROM questions").fetchone()[0] == 2


def test_backup_to_a_path_ending_in_a_slash_creates_the_directory(tmp_path, live_log):
    result = invoke("backup", f"{tmp_path}/backups/new/", data_dir=str(tmp_path / "data"))
    assert result.exit_code == 0, result.output
    [copy] = (tmp_path / "backups" / "new").iterdir()
    assert copy.name.startswith("events-")


def assert_log_intact(live_log: EventLog, kb_answer_count: int = 2) -> None:
    """The live log still opens, checks clean and keeps taking questions."""
    assert live_log.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert live_log.db.execute("SELECT count(*) FROM questions").fetchone()[0] == kb_answer_count
    kb = KnowledgeBase.load()
    assert live_log.question(kb.answer("What is the capital of France?"), chat_type="private") is not None
    kb.close()


def test_backup_onto_the_live_event_log_is_refused_and_the_log_is_intact(tmp_path, live_log):
    live = tmp_path / "data" / "events.db"
    before = live.stat().st_ino
    result = invoke("backup", str(live), data_dir=str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "is the live event log" in result.output
    assert live.stat().st_ino == before
    assert_log_intact(live_log)


@pytest.mark.parametrize("name", ["events.db-wal", "events.db-shm"])
def test_backup_onto_the_live_logs_wal_or_shared_memory_file_is_refused(tmp_path, live_log, name):
    result = invoke("backup", str(tmp_path / "data" / name), data_dir=str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "is the live event log" in result.output
    assert_log_intact(live_log)


def test_backup_through_a_symlink_to_the_live_log_is_refused(tmp_path, live_log):
    link = tmp_path / "innocent.db"
    link.symlink_to(tmp_path / "data" / "events.db")
    result = invoke("backup", str(link), data_dir=str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "is the live event log" in result.output
    assert link.is_symlink()
    assert_log_intact(live_log)


def test_backup_onto_a_hard_link_to_the_live_log_is_refused(tmp_path, live_log):
    hard = tmp_path / "hard.db"
    hard.hardlink_to(tmp_path / "data" / "events.db")
    result = invoke("backup", str(hard), data_dir=str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "hard link" in result.output
    assert hard.stat().st_ino == (tmp_path / "data" / "events.db").stat().st_ino
    assert_log_intact(live_log)


def test_backup_onto_a_fifo_is_refused_and_the_fifo_kept(tmp_path, live_log):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = invoke("backup", str(fifo), data_dir=str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "not a regular file or a directory" in result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_backup_onto_a_device_node_is_refused_and_the_device_kept(tmp_path, live_log):
    result = invoke("backup", "/dev/null", data_dir=str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "not a regular file or a directory" in result.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_backup_over_an_older_backup_replaces_it_by_rename_leaving_no_temporary_file(tmp_path, live_log):
    dest = tmp_path / "backup.db"
    dest.write_bytes(b"an older backup")
    old_inode = dest.stat().st_ino
    result = invoke("backup", str(dest), data_dir=str(tmp_path / "data"))
    assert result.exit_code == 0, result.output
    assert dest.stat().st_ino != old_inode  # a new file renamed in, not the old one rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.db", "data"]
    copy = sqlite3.connect(dest)
    assert copy.execute("SELECT count(*) FROM questions").fetchone()[0] == 2
    copy.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.db", "data"]  # no -wal: one file
