"""GET /healthz and `groundbot health` against a real `groundbot run`, polling and webhook."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request

from tests.conftest import ANSWERED, listening
from tests.e2e.test_webhook import SECRET, free_port, post
from tests.telegram_fakes import TOKEN, groundbot_command, private_message


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def health_cli(port: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*groundbot_command(), "health", "--port", str(port), *args], capture_output=True, text=True, timeout=30
    )


def test_a_polling_bot_reports_its_knowledge_event_log_and_last_update_on_the_health_port(start_bot, fake_telegram):
    port = free_port()
    bot = start_bot(health_port=str(port))
    bot.wait_until(lambda: listening(port), what="the health endpoint")

    status, body = get(f"http://127.0.0.1:{port}/healthz")
    report = json.loads(body)
    assert status == 200 and report["status"] == "ok" and report["problems"] == []
    assert report["mode"] == "polling"
    semantic = report["knowledge"].pop("semantic")
    assert report["knowledge"] == {"loaded": True, "claims": 4, "sources": 1}
    assert semantic["state"] in {"off", "unavailable", "embedding", "ready"}  # how far the semantic tier is
    assert report["event_log"] == {"writable": True, "error": None}
    assert report["last_update"] == {"at": None, "seconds_ago": None, "count": 0}

    fake_telegram.push(private_message(ANSWERED))
    fake_telegram.api.wait_for("sendMessage")
    report = json.loads(get(f"http://127.0.0.1:{port}/healthz")[1])
    assert report["last_update"]["count"] == 1
    assert report["last_update"]["at"].endswith("+00:00") and report["last_update"]["seconds_ago"] < 15

    checked = health_cli(port)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(
        "healthy (4 claims; event log writable; last reload none since start-up; last update "
    )
    assert json.loads(health_cli(port, "--json").stdout)["status"] == "ok"
    assert get(f"http://127.0.0.1:{port}/other")[0] == 404

    assert bot.stop() == 0
    assert not listening(port)
    assert TOKEN not in bot.log and "healthz" in bot.log


def test_a_webhook_bot_serves_health_on_its_own_port_beside_the_webhook(start_bot, fake_telegram):
    port, health_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    bot = start_bot(webhook_url=url, webhook_secret=SECRET, port=str(port), health_port=str(health_port))
    bot.wait_until(lambda: listening(health_port), what="the health endpoint")
    [registered] = fake_telegram.api.calls_to("setWebhook")
    assert not registered.params.get("drop_pending_updates")  # updates sent while down are still delivered

    assert post(url, private_message(ANSWERED), SECRET) == 200
    fake_telegram.api.wait_for("sendMessage")
    status, body = get(f"http://127.0.0.1:{health_port}/healthz")
    report = json.loads(body)
    assert status == 200 and report["mode"] == "webhook" and report["last_update"]["count"] == 1
    assert get(f"http://127.0.0.1:{health_port}/metrics")[0] == 200
    # The public webhook port has no health or metrics route: probes stay off the address Telegram knows.
    assert get(f"http://127.0.0.1:{port}/healthz")[0] in (404, 405)
    assert get(f"http://127.0.0.1:{port}/metrics")[0] in (404, 405)
    assert bot.stop() == 0


def test_groundbot_health_fails_when_nothing_listens():
    checked = health_cli(free_port())
    assert checked.returncode == 1
    assert "groundbot: no health endpoint at http://127.0.0.1:" in checked.stderr


def test_a_health_port_already_in_use_stops_start_up_with_one_line(start_bot):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        bot = start_bot(ready=False, health_port=str(taken.getsockname()[1]))
        assert bot.process.wait(30) == 1
    assert bot.log.strip().splitlines()[-1] == "groundbot: cannot listen on 127.0.0.1: Address already in use"
