"""The systemd unit: its ExecStartPre and ExecStart, run as systemd would, with paths mapped to this checkout."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.files import DEPLOY, env_file, seconds, unit
from tests.deploy.test_container import QUESTION, filled_in
from tests.telegram_fakes import TOKEN, BotProcess, private_message

INSTALLED = "/opt/groundbot/.venv/bin/groundbot"  # where the unit expects the console script
STATE = "/var/lib/groundbot"


def command(line: str, binary: str) -> list[str]:
    """ExecStart's command line with the installed console script replaced by ``binary``."""
    words = line.split()
    assert words[0] == INSTALLED, line
    return [binary, *words[1:]]


@pytest.fixture
def service(fake_telegram, tmp_path):
    """What systemd would run, mapped here: (ExecStartPre, ExecStart, environment, working directory)."""
    parsed = unit()["Service"]
    binary = str(Path(sys.executable).with_name("groundbot"))
    state = tmp_path / "var-lib-groundbot"
    state.mkdir()  # StateDirectory= creates it before ExecStartPre
    [env_path] = parsed["EnvironmentFile"]
    assert env_path == "/etc/groundbot/groundbot.env"
    settings = tmp_path / "groundbot.env"
    settings.write_text(
        filled_in((DEPLOY / "example.env").read_text(encoding="utf-8"), token=TOKEN, base_url=fake_telegram.base_url),
        encoding="utf-8",
    )
    # systemd starts services with a bare environment: its own PATH, then Environment=,
    # then EnvironmentFile= (which wins over Environment=).
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    for assignment in parsed.get("Environment", []):
        key, _, value = assignment.partition("=")
        env[key] = value
    env.update(env_file(settings))
    env = {k: v.replace(STATE, str(state)) for k, v in env.items()}
    [workdir] = parsed["WorkingDirectory"]
    assert workdir == STATE
    [pre] = parsed["ExecStartPre"]
    [start] = parsed["ExecStart"]
    return command(pre, binary), command(start, binary), env, state


def test_the_unit_checks_then_runs_the_bot_which_answers_and_stops_on_its_kill_signal(service, fake_telegram, tmp_path):
    pre, start, env, state = service
    checked = subprocess.run(pre, env=env, cwd=state, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[1].startswith("OK: knowledge: ")

    parsed = unit()["Service"]
    bot = BotProcess(start[1:], env, state, tmp_path / "journal.log")
    bot.start()
    try:
        bot.wait_until(lambda: bool(fake_telegram.api.calls_to("getUpdates")), what="the first getUpdates")
        fake_telegram.push(private_message(QUESTION))
        card = fake_telegram.api.wait_for("sendMessage")
        assert card.text.startswith("<b>According to Kyiv")
        [kill] = parsed["KillSignal"]
        [timeout] = parsed["TimeoutStopSec"]
        assert bot.stop(getattr(signal, kill), timeout=seconds(timeout)) == 0
    finally:
        bot.kill()
    assert (state / "events.db").is_file()  # the data went to the state directory
    assert TOKEN not in bot.log


def test_the_unit_restarts_on_failure_but_not_on_a_bad_setting_and_is_hardened():
    parsed = unit()
    svc = parsed["Service"]
    assert svc["User"] == ["groundbot"] and svc["Restart"] == ["on-failure"]
    assert svc["RestartPreventExitStatus"] == ["2"]  # what `groundbot run` exits with on a bad setting
    assert svc["StateDirectory"] == ["groundbot"]  # systemd's name for /var/lib/groundbot
    assert seconds(svc["TimeoutStopSec"][0]) >= 30
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "RestrictSUIDSGID": "yes",
    }.items():
        assert svc[key] == [value], key
    assert svc["CapabilityBoundingSet"] == [""]
    assert "network-online.target" in parsed["Unit"]["After"][0]


def test_a_bad_setting_exits_2_so_systemd_does_not_restart_it(service):
    pre, _, env, state = service
    env = {**env, "GROUNDBOT_PORT": "eighty"}
    checked = subprocess.run(pre, env=env, cwd=state, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 2
    assert checked.stderr.strip() == "groundbot: GROUNDBOT_PORT: must be an integer"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_finds_nothing_wrong_and_rates_the_exposure_low(tmp_path):
    mapped = tmp_path / "groundbot.service"
    env_path = tmp_path / "groundbot.env"
    env_path.write_text(f"GROUNDBOT_TOKEN={TOKEN}\n")
    text = (DEPLOY / "groundbot.service").read_text(encoding="utf-8")
    text = text.replace(INSTALLED, str(Path(sys.executable).with_name("groundbot")))
    mapped.write_text(text.replace("/etc/groundbot/groundbot.env", str(env_path)), encoding="utf-8")
    verified = subprocess.run(["systemd-analyze", "verify", str(mapped)], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and verified.stdout + verified.stderr == "", verified.stderr
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(mapped)], capture_output=True, text=True, timeout=60
    )
    exposure = re.search(r"Overall exposure level for \S+: (\d+\.\d)", security.stdout)
    assert exposure, security.stdout + security.stderr
    assert float(exposure[1]) <= 2.0  # systemd rates 0-10; "OK" is below 4
