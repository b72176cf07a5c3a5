"""Updates: the JSON Telegram sends, ready for ``Update.de_json`` or ``FakeTelegram.push``."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Mapping
from typing import Any

from benchmarks.telegram_double import BOT_USER

BOT_USERNAME = BOT_USER["username"]

ALICE: dict[str, Any] = {"id": 1001, "is_bot": False, "first_name": "Alice", "username": "alice", "language_code": "en"}
BOB: dict[str, Any] = {"id": 1002, "is_bot": False, "first_name": "Bob", "username": "bob"}
TEAM_GROUP: dict[str, Any] = {"id": -1001234567890, "type": "supergroup", "title": "Team"}

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram counts entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def entities_in(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram would attach to ``text``."""
    found = []
    for i, word in _words_with_offsets(text):
        if word.startswith("/") and i == 0 and len(word) > 1:
            found.append({"type": "bot_command", "offset": 0, "length": utf16_len(word)})
        elif word.startswith("@") and len(word) > 1:
            found.append({"type": "mention", "offset": utf16_len(text[:i]), "length": utf16_len(word)})
    return found


def _words_with_offsets(text: str) -> Iterator[tuple[int, str]]:
    i = 0
    for word in text.split(" "):
        stripped = word.rstrip(",.!?:;")
        if stripped:
            yield i, stripped.split("\n")[0]
        i += len(word) + 1


def chat_of(user: Mapping[str, Any]) -> dict[str, Any]:
    """The private chat with ``user``."""
    return {"id": user["id"], "type": "private", "first_name": user["first_name"], "username": user.get("username")}


def message(
    text: str | None = None,
    *,
    chat: Mapping[str, Any] | None = None,
    sender: Mapping[str, Any] = ALICE,
    reply_to: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One Message object; entities are computed from ``text`` like Telegram does."""
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": dict(chat or chat_of(sender)),
        "from": dict(sender),
    }
    if text is not None:
        msg["text"] = text
        if entities := entities_in(text):
            msg["entities"] = entities
    if reply_to is not None:
        msg["reply_to_message"] = dict(reply_to)
    msg.update(extra)
    return msg


def update(**payload: Any) -> dict[str, Any]:
    """An Update wrapping one payload, e.g. ``update(message=...)``, with a fresh update_id."""
    return {"update_id": next(_update_ids), **payload}


def private_message(text: str, sender: Mapping[str, Any] = ALICE, **extra: Any) -> dict[str, Any]:
    """An update: ``sender`` writes ``text`` to the bot in a private chat."""
    return update(message=message(text, sender=sender, **extra))


def group_message(
    text: str,
    sender: Mapping[str, Any] = ALICE,
    chat: Mapping[str, Any] = TEAM_GROUP,
    reply_to: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An update: ``sender`` writes ``text`` in a group (optionally replying to a message)."""
    return update(message=message(text, chat=chat, sender=sender, reply_to=reply_to))


def bot_message(text: str, chat: Mapping[str, Any] = TEAM_GROUP) -> dict[str, Any]:
    """A Message the bot sent earlier, for replies to it."""
    return message(text, chat=chat, sender=BOT_USER)


def sticker_message(sender: Mapping[str, Any] = ALICE, chat: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An update: a sticker, no text."""
    sticker = {
        "file_id": "CAACAgIAAxkBAAIBZ2Zfake", "file_unique_id": "AgADfake", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
    }
    return update(message=message(None, chat=chat, sender=sender, sticker=sticker))


def photo_message(caption: str | None = None, sender: Mapping[str, Any] = ALICE) -> dict[str, Any]:
    """An update: a photo (with an optional caption), no text."""
    photo = [{"file_id": "AgACAgIAAxkBAAIBfake", "file_unique_id": "AQADfake", "width": 90, "height": 90}]
    extra: dict[str, Any] = {"photo": photo}
    if caption is not None:
        extra["caption"] = caption
    return update(message=message(None, sender=sender, **extra))


def document_message(document: Mapping[str, Any], caption: str | None = None, sender: Mapping[str, Any] = ALICE,
                     **extra: Any) -> dict[str, Any]:
    """An update: ``sender`` sends a file (a Document, e.g. from ``BotAPI.upload``) with an optional caption.

    A caption's commands and mentions come as ``caption_entities``, as Telegram sends them.
    """
    payload: dict[str, Any] = {"document": dict(document)}
    if caption is not None:
        payload["caption"] = caption
        if entities := entities_in(caption):
            payload["caption_entities"] = entities
    return update(message=message(None, sender=sender, **payload, **extra))


def edited_message(text: str, sender: Mapping[str, Any] = ALICE, chat: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An update: the user edited an earlier message to read ``text``."""
    msg = message(text, chat=chat, sender=sender, edit_date=int(time.time()))
    return update(edited_message=msg)


def callback(
    data: str,
    message_: Mapping[str, Any] | None = None,
    sender: Mapping[str, Any] = ALICE,
    inline_message_id: str | None = None,
) -> dict[str, Any]:
    """An update: ``sender`` taps an inline button carrying ``data`` under ``message_``."""
    query: dict[str, Any] = {
        "id": str(next(_callback_ids)),
        "from": dict(sender),
        "chat_instance": "-7000000000000000001",
        "data": data,
    }
    if inline_message_id is not None:
        query["inline_message_id"] = inline_message_id
    else:
        query["message"] = dict(message_ if message_ is not None else bot_message("…", chat=chat_of(sender)))
    return update(callback_query=query)


def inline_query(query: str, sender: Mapping[str, Any] = ALICE) -> dict[str, Any]:
    """An update: ``sender`` types ``@bot query`` in some chat."""
    return update(inline_query={"id": str(next(_callback_ids)), "from": dict(sender), "query": query, "offset": ""})


def chosen_inline_result(result_id: str, query: str, sender: Mapping[str, Any] = ALICE) -> dict[str, Any]:
    """An update: ``sender`` posted inline result ``result_id`` of ``query`` (inline feedback on)."""
    return update(chosen_inline_result={"result_id": result_id, "from": dict(sender), "query": query})
