"""Every start-up and CLI failure in one line: `groundbot: …`, exit 2, no traceback, no credentials.

Issue 26, item 6: a garbage events.db, a data directory that is a file or not writable, a
backup into a missing folder, a symlink loop under `check`, and GROUNDBOT_BASE_URL's
`user:password`. The permission cases run as the unprivileged `nobody` user (in a forked
child) so that they run under root, as CI does.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from knowledge.store.loader import BUNDLED
from tests.telegram_fakes import TOKEN, groundbot_command
from tests.unprivileged import as_nobody

GARBAGE = b"this is not an SQLite database, whatever its name says\n" * 20


def invoke(*args: str, **env: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(cli, list(args), env={f"GROUNDBOT_{k.upper()}": v for k, v in env.items()})
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stdout, result.stderr, exception


def groundbot(*args: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDBOT_")}
    env.update({f"GROUNDBOT_{k.upper()}": v for k, v in settings.items()})
    return subprocess.run([*groundbot_command(), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_run_on_a_garbage_event_log_is_one_line_and_exit_2(clean_env, seed_kb):
    (clean_env / "data").mkdir()
    (clean_env / "data" / "events.db").write_bytes(GARBAGE)
    # The real console script: nothing but the one line on standard error.
    done = groundbot("run", cwd=clean_env, token=TOKEN, knowledge=str(seed_kb), data_dir="data", semantic="false")
    assert done.returncode == 2
    assert done.stderr == (
        "groundbot: the event log data/events.db is not an SQLite database (file is not a "
        "database): move it aside, or restore it from a backup\n"
    )
    assert done.stdout == ""
    assert (clean_env / "data" / "events.db").read_bytes() == GARBAGE  # left for the operator to look at


def test_run_check_on_a_garbage_event_log_is_one_line_and_exit_2(clean_env, seed_kb):
    (clean_env / "data").mkdir()
    (clean_env / "data" / "events.db").write_bytes(GARBAGE)
    code, _out, err, exception = invoke(
        "run", "--check", token=TOKEN, knowledge=str(seed_kb), data_dir="data", semantic="false"
    )
    assert (code, exception) == (2, None)
    assert err == (
        "groundbot: the event log data/events.db is not an SQLite database (file is not a database): "
        "move it aside, or restore it from a backup\n"
    )


def test_run_with_a_data_directory_that_is_a_file_is_one_line_and_exit_2(clean_env, seed_kb):
    (clean_env / "data").write_text("a file where the data directory should be")
    done = groundbot("run", cwd=clean_env, token=TOKEN, knowledge=str(seed_kb), data_dir="data", semantic="false")
    assert done.returncode == 2
    assert done.stderr == "groundbot: the data directory data is a file, not a directory (GROUNDBOT_DATA_DIR)\n"


def test_run_and_run_check_with_an_unwritable_data_directory_are_one_line_and_exit_2(shared_dir):
    data = shared_dir / "data"
    data.mkdir(mode=0o755)  # root's: nobody may enter it, not write in it

    def attempt() -> list[tuple[int, str, str | None]]:
        os.chdir(shared_dir)
        out = []
        for args in (("run",), ("run", "--check")):
            code, _o, err, exception = invoke(
                *args, token=TOKEN, knowledge=str(BUNDLED), data_dir=str(data), semantic="false"
            )
            out.append((code, err, repr(exception) if exception else None))
        return out

    for code, err, exception in as_nobody(attempt):
        assert (code, exception) == (2, None)
        assert err == f"groundbot: cannot write in the data directory {data}: permission denied (GROUNDBOT_DATA_DIR)\n"
    assert list(data.iterdir()) == []


def test_run_with_a_data_directory_it_cannot_make_is_one_line_and_exit_2(shared_dir):
    data = shared_dir / "new" / "data"

    def attempt() -> tuple[int, str, str | None]:
        code, _o, err, exception = invoke("run", token=TOKEN, knowledge=str(BUNDLED), data_dir=str(data))
        return code, err, repr(exception) if exception else None

    code, err, exception = as_nobody(attempt)
    assert (code, exception) == (2, None)
    assert err == f"groundbot: cannot make the data directory {data}: permission denied (GROUNDBOT_DATA_DIR)\n"


def test_backup_into_a_missing_folder_is_one_line_and_exit_2(clean_env, seed_kb):
    code, _o, err, _e = invoke("run", "--check", token=TOKEN, knowledge=str(seed_kb), data_dir="data", semantic="false")
    assert code == 0  # made the event log
    code, out, err, exception = invoke("backup", "missing/events-copy.db", data_dir="data")
    assert (code, exception, out) == (2, None, "")
    assert err == (
        "groundbot: no folder missing to write events-copy.db in: make it first, or end DEST with / to have it made\n"
    )
    assert not (clean_env / "missing").exists()
    # With a trailing slash the folder is made, as the help says.
    code, out, _err, _e = invoke("backup", "missing/", data_dir="data")
    assert code == 0 and out.startswith("Backed up 0 questions and 0 feedback votes to missing/events-")


def test_check_reports_a_symlink_loop_as_a_problem_not_a_traceback(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "team.yaml").write_text((BUNDLED / "nk-munitions-2023.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (kb / "loop.yaml").symlink_to("loop.yaml")
    (kb / "a.yaml").symlink_to("b.yaml")
    (kb / "b.yaml").symlink_to("a.yaml")
    done = groundbot("check", str(kb), cwd=tmp_path)
    assert done.returncode == 1  # a knowledge problem, as `check` documents; not a crash
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stdout.splitlines()
    for name in ("a.yaml", "b.yaml", "loop.yaml"):
        assert f"kb/{name}:1:1: cannot read the file: Too many levels of symbolic links" in lines
    assert done.stderr == "3 problem(s) and 0 warning(s) found.\n"


def test_the_bot_api_address_is_named_without_its_password(clean_env, seed_kb):
    done = groundbot(
        "run",
        cwd=clean_env,
        token=TOKEN,
        knowledge=str(seed_kb),
        data_dir="data",
        semantic="false",
        base_url="http://operator:hunter2secret@127.0.0.1:9/bot",
        request_timeout="2",
    )
    assert done.returncode == 1
    assert "hunter2secret" not in done.stderr + done.stdout and "operator" not in done.stderr + done.stdout
    assert (
        done.stderr.splitlines()[-1]
        == "groundbot: cannot reach the Bot API at http://***@127.0.0.1:9/bot: NetworkError"
    )
