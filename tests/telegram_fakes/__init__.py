"""Telegram, faked at the HTTP boundary: the test harness every bot test builds on.

All speaking the real Bot API wire format. The code lives in ``benchmarks/`` (the
benchmarks run the same fakes, and a benchmark imports the project, never its tests);
tests import it from here:

- ``benchmarks/telegram_updates.py``: builders (``private_message``, ``group_message``,
  ``callback``, ``inline_query``, ``document_message``…) that return the JSON Telegram sends;
- ``benchmarks/telegram_double.py``: ``BotAPI``, what Telegram answers to each method with
  every call recorded and faults scripted per method; ``RecordingRequest``, a ``BaseRequest``
  in front of it for an in-process ``Application``; and ``running_bot``, groundbot's
  Application started as ``run_polling`` would;
- ``benchmarks/telegram_server.py``: ``FakeTelegram``, an HTTP server on 127.0.0.1 with
  long-polling ``getUpdates``, multipart uploads, and getFile plus ``/file/bot<token>/``
  downloads of what ``BotAPI.upload`` keeps (a document a user sends);
- ``benchmarks/bot_process.py``: ``BotProcess``, a real ``groundbot run`` against a ``FakeTelegram``.
"""

from benchmarks.bot_process import BotProcess, bot_env, groundbot_command
from benchmarks.telegram_double import (
    BOT_USER,
    STRING_PARAMS,
    TOKEN,
    BotAPI,
    Call,
    Fault,
    RecordingRequest,
    RunningBot,
    running_bot,
)
from benchmarks.telegram_server import FakeTelegram
from benchmarks.telegram_updates import (
    ALICE,
    BOB,
    BOT_USERNAME,
    TEAM_GROUP,
    bot_message,
    callback,
    chat_of,
    chosen_inline_result,
    document_message,
    edited_message,
    entities_in,
    group_message,
    inline_query,
    message,
    photo_message,
    private_message,
    sticker_message,
    update,
    utf16_len,
)

__all__ = [
    "ALICE",
    "BOB",
    "BOT_USER",
    "BOT_USERNAME",
    "STRING_PARAMS",
    "TEAM_GROUP",
    "TOKEN",
    "BotAPI",
    "BotProcess",
    "Call",
    "FakeTelegram",
    "Fault",
    "RecordingRequest",
    "RunningBot",
    "bot_env",
    "bot_message",
    "callback",
    "chat_of",
    "chosen_inline_result",
    "document_message",
    "edited_message",
    "entities_in",
    "group_message",
    "groundbot_command",
    "inline_query",
    "message",
    "photo_message",
    "private_message",
    "running_bot",
    "sticker_message",
    "update",
    "utf16_len",
]
