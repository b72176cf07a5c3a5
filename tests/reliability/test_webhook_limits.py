"""Webhook mode: an oversized body is refused from its headers, and 200 means the update is safe."""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.conftest import ANSWERED
from tests.e2e.test_webhook import SECRET, free_port, post
from tests.telegram_fakes import private_message


@pytest.fixture
def webhook(start_bot, fake_telegram):
    port = free_port()
    bot = start_bot(
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=SECRET,
        listen="127.0.0.1",
        port=str(port),
        webhook_max_body="100000",
    )
    yield bot, port
    assert bot.stop() == 0


def raw_post(port: int, headers: dict[str, str], body: bytes = b"") -> tuple[int, float]:
    """Send a POST's headers (and ``body``) on a raw socket; the status line and how long it took."""
    lines = ["POST /telegram/hook HTTP/1.1", f"Host: 127.0.0.1:{port}"] + [f"{k}: {v}" for k, v in headers.items()]
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status = sock.recv(200).split(b"\r\n", 1)[0].decode()
    return int(status.split()[1]), time.monotonic() - started


def test_a_body_announced_over_the_limit_gets_413_without_the_bot_waiting_to_read_it(webhook):
    _, port = webhook
    # 50 MB announced, none of it sent: an answer now proves nothing was read first.
    status, seconds = raw_post(
        port,
        {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Length": "50000000", "Content-Type": "application/json"},
    )
    assert status == 413 and seconds < 2


def test_a_request_without_the_secret_is_refused_before_its_body_is_read(webhook):
    _, port = webhook
    status, seconds = raw_post(port, {"Content-Length": "50000000", "Content-Type": "application/json"})
    assert status == 403 and seconds < 2


def test_an_update_within_the_limit_gets_200_and_its_answer(webhook, fake_telegram):
    _, port = webhook
    update = private_message(ANSWERED)
    assert len(json.dumps(update)) < 100_000
    assert post(f"http://127.0.0.1:{port}/telegram/hook", update, SECRET) == 200
    fake_telegram.api.wait_for("sendMessage", lambda c: c.params.get("chat_id") == update["message"]["chat"]["id"])
