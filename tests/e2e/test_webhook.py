"""`groundbot run` in webhook mode: Telegram posts updates to the bot, signed with the secret."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from tests.conftest import ANSWERED
from tests.telegram_fakes import ALICE, private_message

SECRET = "s3cret_for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture
def webhook_bot(start_bot, fake_telegram):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    bot = start_bot(webhook_url=url, webhook_secret=SECRET, listen="127.0.0.1", port=str(port))
    yield bot, url
    assert bot.stop() == 0


def test_webhook_mode_registers_the_url_and_secret_with_telegram(webhook_bot, fake_telegram):
    _, url = webhook_bot
    [call] = fake_telegram.api.calls_to("setWebhook")
    assert call.params["url"] == url
    assert call.params["secret_token"] == SECRET
    assert "chosen_inline_result" in call.params["allowed_updates"]
    assert not fake_telegram.api.calls_to("getUpdates")


def test_an_update_with_the_right_secret_is_answered(webhook_bot, fake_telegram):
    _, url = webhook_bot
    assert post(url, private_message(ANSWERED), SECRET) == 200
    reply = fake_telegram.api.wait_for("sendMessage")
    assert reply.params["chat_id"] == ALICE["id"]
    assert reply.text.startswith("<b>The army fires 50,000 shells per day.</b>")


@pytest.mark.parametrize("secret", ["wrong", None])
def test_an_update_with_a_wrong_or_missing_secret_gets_403_and_no_answer(webhook_bot, fake_telegram, secret):
    bot, url = webhook_bot
    assert post(url, private_message(ANSWERED), secret) == 403
    assert post(url, private_message(ANSWERED), SECRET) == 200  # the next good one is the only one answered
    fake_telegram.api.wait_for("sendMessage")
    bot.wait_until(lambda: len(fake_telegram.api.calls_to("sendMessage")) >= 1)
    assert len(fake_telegram.api.calls_to("sendMessage")) == 1
    assert SECRET not in bot.log
