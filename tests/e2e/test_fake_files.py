"""The fake Bot API server keeps Telegram's file contracts, checked with PTB's own Bot over HTTP.

The drafting tests trust it to: record an upload's bytes, serve what a user "sent" through
getFile and /file/bot<token>/, and answer as Telegram does to an unknown or too-big file.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest

from benchmarks.telegram_double import DOWNLOAD_LIMIT, UPLOAD_LIMIT
from tests.telegram_fakes import ALICE, FakeTelegram


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """PTB's Bot pointed at the fake server, files included."""
    base_file_url = fake_telegram.base_url.removesuffix("/bot") + "/file/bot"
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url, base_file_url=base_file_url) as bot:
        yield bot


async def test_a_file_a_user_sent_is_served_by_get_file_and_downloaded_byte_for_byte(bot, fake_telegram):
    content = "Title: Ünïcode\n\x00 and bytes\r\n".encode() + bytes(range(256))
    document = fake_telegram.api.upload(content, "article.txt")
    file = await bot.get_file(document["file_id"])
    assert file.file_size == len(content)
    assert bytes(await file.download_as_bytearray()) == content
    assert [c.params["file_path"] for c in fake_telegram.api.calls_to("download")] == [
        f"documents/{document['file_id']}"
    ]


async def test_a_document_the_bot_sends_is_recorded_with_its_bytes_and_can_be_fetched_back(bot, fake_telegram):
    content = "source:\n  id: é\r\n".encode() * 500 + bytes(range(256)) + b"\r\n--\r\n"
    sent = await bot.send_document(ALICE["id"], content, filename="draft.yaml", caption="Edit it")
    (call,) = fake_telegram.api.calls_to("sendDocument")
    assert call.params["_files"] == {"document": ("draft.yaml", content)}
    assert call.params["caption"] == "Edit it" and call.params["chat_id"] == ALICE["id"]
    assert sent.document is not None and sent.document.file_name == "draft.yaml"
    again = await bot.get_file(sent.document.file_id)
    assert bytes(await again.download_as_bytearray()) == content


async def test_an_unknown_file_and_one_over_the_download_limit_are_refused_as_telegram_does(bot, fake_telegram):
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("BQACAgIAAxkBAAInever")
    big = fake_telegram.api.upload(b"x" * (DOWNLOAD_LIMIT + 1), "big.txt")
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(big["file_id"])


def test_an_upload_over_telegrams_limit_is_answered_413_without_reading_it(fake_telegram):
    connection = http.client.HTTPConnection("127.0.0.1", fake_telegram.port, timeout=5)
    connection.putrequest("POST", f"/bot{fake_telegram.token}/sendDocument")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(UPLOAD_LIMIT + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["description"] == "Request Entity Too Large"
    assert not fake_telegram.api.calls_to("sendDocument")
    connection.close()
