"""Moderator reports (/unanswered, /stats) quote people's questions: they go only to private chats.

Asked for in a group, the group gets "I'll send that to you privately" and the report goes
to the moderator's private chat; a moderator who never started the bot (Telegram answers
403) is told so in the group. No question text ever reaches the group.
"""

from __future__ import annotations

import pytest

from handlers.moderation import PRIVATELY
from tests.conftest import REFUSED
from tests.telegram_fakes import ALICE, BOB, BOT_USERNAME, TEAM_GROUP, group_message, private_message, running_bot

# Questions asked in private that a report would quote.
SECRETS = ["Where does Bob live these days?", REFUSED]


@pytest.fixture
async def moderated(bot_settings):
    settings = bot_settings.model_copy(update={"moderators": frozenset({ALICE["id"]})})
    async with running_bot(settings) as bot:
        for text in SECRETS:
            await bot.reply_to(private_message(text, BOB))
        yield bot


def to_chat(bot, chat_id: int, after: int) -> list[str]:
    return [c.text or "" for c in bot.api.calls[after:] if c.method == "sendMessage" and c.params["chat_id"] == chat_id]


@pytest.mark.parametrize("command", ["/unanswered", "/stats", "/unanswered all", f"/unanswered@{BOT_USERNAME} 30"])
async def test_a_report_asked_for_in_a_group_goes_to_the_moderator_privately_and_no_question_to_the_group(
    moderated, command
):
    mark = moderated.api.mark()
    await moderated.send(group_message(command, ALICE, TEAM_GROUP))
    in_group = to_chat(moderated, TEAM_GROUP["id"], mark)
    in_private = to_chat(moderated, ALICE["id"], mark)
    assert in_group == [PRIVATELY]
    assert len(in_private) == 1
    if command.startswith("/unanswered"):
        assert all(secret in in_private[0] for secret in SECRETS)
    else:
        assert in_private[0].startswith("<b>") and "question" in in_private[0]


async def test_a_moderator_who_never_started_the_bot_is_told_so_in_the_group_without_any_question_text(moderated):
    moderated.api.never_started(ALICE["id"])
    mark = moderated.api.mark()
    await moderated.send(group_message("/unanswered", ALICE, TEAM_GROUP))
    in_group = to_chat(moderated, TEAM_GROUP["id"], mark)
    assert in_group[0] == PRIVATELY
    assert len(in_group) == 2 and "start a chat with me" in in_group[1] and f"@{BOT_USERNAME}" in in_group[1]
    every_group_text = "\n".join(in_group)
    assert not any(secret in every_group_text for secret in SECRETS)
    assert "Bob" not in every_group_text


async def test_in_a_private_chat_the_report_is_the_reply(moderated):
    reply = await moderated.reply_to(private_message("/unanswered", ALICE))
    assert reply.params["chat_id"] == ALICE["id"]
    assert all(secret in reply.text for secret in SECRETS)
