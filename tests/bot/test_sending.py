"""At-least-once requests (bot/sending.py): what is retried, how often, and what is sent again at most once."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.sending import RetryingRequest, outcome
from tests.conftest import ANSWERED
from tests.telegram_fakes import TOKEN, BotAPI, Fault, RecordingRequest, private_message

URL = f"https://api.telegram.org/bot{TOKEN}/sendMessage"


def retrying(api: BotAPI, attempts: int = 4) -> RetryingRequest:
    # No pauses: the back-off's length is not what these tests are about.
    return RetryingRequest(RecordingRequest(api), attempts=attempts, jitter=lambda most: 0.0)


async def send(request: BaseRequest) -> tuple[int, bytes]:
    return await request.do_request(URL, "POST", RequestData([]))


class Unreachable(BaseRequest):
    """Fails ``times`` requests as httpx does when it cannot connect (nothing sent), then answers 200."""

    def __init__(self, times: int):
        self.times = times
        self.calls = 0

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: Any = None, **timeouts: Any) -> tuple[int, bytes]:
        self.calls += 1
        if self.calls <= self.times:
            raise NetworkError("httpx.ConnectError: All connection attempts failed") from httpx.ConnectError("refused")
        return 200, b'{"ok": true, "result": true}'


def statuses(api: BotAPI) -> list[int]:
    return [c.status for c in api.calls_to("sendMessage")]


async def test_a_5xx_is_retried_until_it_goes_through():
    api = BotAPI()
    api.fail("sendMessage", 502, "Bad Gateway", times=2)
    code, _ = await send(retrying(api))
    assert code == 200
    assert statuses(api) == [502, 502, 200]


async def test_a_5xx_on_every_attempt_is_given_back_after_the_attempts_setting():
    api = BotAPI()
    api.fail("sendMessage", 500, times=10)
    code, _ = await send(retrying(api, attempts=3))
    assert code == 500
    assert statuses(api) == [500, 500, 500]


async def test_a_request_that_never_left_is_retried_up_to_the_attempts():
    inner = Unreachable(times=3)
    code, _ = await send(RetryingRequest(inner, attempts=4, jitter=lambda most: 0.0))
    assert code == 200 and inner.calls == 4

    inner = Unreachable(times=10)
    with pytest.raises(NetworkError):
        await send(RetryingRequest(inner, attempts=4, jitter=lambda most: 0.0))
    assert inner.calls == 4


async def test_a_dropped_connection_is_sent_again_once_and_only_once():
    api = BotAPI()
    api.drop("sendMessage")
    code, _ = await send(retrying(api))
    assert code == 200 and statuses(api) == [0, 200]

    api = BotAPI()
    api.drop("sendMessage", times=5)
    with pytest.raises(NetworkError):
        await send(retrying(api))
    assert statuses(api) == [0, 0]  # it may have arrived: a second copy at most


async def test_a_time_out_after_sending_is_sent_again_at_most_once_even_between_5xx():
    api = BotAPI()
    api.stall("sendMessage", 30)
    api.fail("sendMessage", 502)
    api.stall("sendMessage", 30)
    with pytest.raises(TimedOut):
        await send(retrying(api, attempts=10))
    # stalled (delivered, for all the bot knows), sent again: 502, sent again: stalled: give up.
    assert statuses(api) == [200, 502, 200]


async def test_429_and_4xx_are_left_to_the_layers_above():
    api = BotAPI()
    api.flood("sendMessage", retry_after=1)  # AIORateLimiter waits out retry_after
    api.fail("sendMessage", 400, "Bad Request: message is too long")
    assert (await send(retrying(api)))[0] == 429
    assert (await send(retrying(api)))[0] == 400
    assert statuses(api) == [429, 400]


def test_only_a_request_that_never_reached_telegram_counts_as_not_sent():
    assert outcome(NetworkError("no cause")) == "maybe delivered"  # unknown: assume it arrived
    for cause, expected in [
        (httpx.ConnectError("refused"), "not sent"),
        (httpx.ConnectTimeout("slow"), "not sent"),
        (httpx.PoolTimeout("busy"), "not sent"),
        (httpx.ReadTimeout("slow"), "maybe delivered"),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), "maybe delivered"),
        (httpx.ReadError("reset"), "maybe delivered"),
    ]:
        err = TimedOut() if isinstance(cause, httpx.TimeoutException) else NetworkError(str(cause))
        err.__cause__ = cause
        assert outcome(err) == expected, cause


async def test_retries_are_logged_by_method_never_with_the_token(caplog):
    api = BotAPI()
    api.fail("sendMessage", 502, "Bad Gateway")
    with caplog.at_level(logging.WARNING, "groundbot.sending"):
        await send(retrying(api))
    assert "sendMessage failed: HTTP 502; attempt 2 of 4" in caplog.text
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text


async def test_the_bot_answers_through_transient_failures_and_notes_a_reply_it_could_not_send(recording_bot, bot_api):
    # Every other reply fails once, in turn: a gateway error, then a dropped connection.
    bot_api.fail_every("sendMessage", 2, [Fault(502, "Bad Gateway"), Fault(0, "connection dropped", drop=True)])
    for _ in range(4):
        calls = await recording_bot.send(private_message(ANSWERED))
        assert [c.status for c in calls if c.method == "sendMessage"][-1] == 200
    assert recording_bot.app.bot_data.unsent == set()

    bot_api.periodic.clear()
    bot_api.drop("sendMessage", times=2)  # dropped, and dropped again when sent the second time
    question = private_message(ANSWERED)
    await recording_bot.send(question)
    assert recording_bot.app.bot_data.unsent == {question["update_id"]}  # left unfinished: answered after a restart
