"""Questions in private chats and groups, through the real Application and recorded Bot API calls."""

from __future__ import annotations

from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED
from tests.telegram_fakes import (
    ALICE,
    BOB,
    BOT_USER,
    BOT_USERNAME,
    TEAM_GROUP,
    bot_message,
    group_message,
    message,
    private_message,
    update,
)


async def test_a_private_question_gets_the_card_with_statement_attribution_and_source(recording_bot):
    reply = await recording_bot.reply_to(private_message(ANSWERED))

    assert reply.method == "sendMessage"
    assert reply.params["chat_id"] == ALICE["id"]
    assert reply.params["parse_mode"] == "HTML"
    assert reply.text.splitlines() == [
        "<b>The army fires 50,000 shells per day.</b>",
        "— according to General Alpha, via Reporter Beta, speaking to Team News",
        "Source: “Quarterly briefing &lt;Q3&gt; &amp; outlook”, Team News, 2024-05-01",
        '<a href="https://example.org/briefing?q=3&amp;lang=en">https://example.org/briefing?q=3&amp;lang=en</a>',
    ]


async def test_the_card_carries_feedback_buttons_for_its_logged_question(recording_bot):
    reply = await recording_bot.reply_to(private_message(ANSWERED))

    assert [b["text"] for b in reply.buttons] == ["👍", "👎"]
    event_id = int(reply.callback_data[0].split(":")[1])
    event = recording_bot.events.question_event(event_id)
    assert event.question == ANSWERED
    assert (event.status, event.claim_id, event.chat_type) == ("answered", "army-daily-shells", "private")
    assert reply.callback_data == [f"fb:{event_id}:0:+", f"fb:{event_id}:0:-"]


async def test_a_question_the_store_cannot_answer_is_refused_plainly_and_logged(recording_bot):
    reply = await recording_bot.reply_to(private_message(REFUSED))

    assert "no sourced answer" in reply.text
    assert "/topics" in reply.text
    assert reply.buttons == []
    # Nothing from the store leaks into a refusal.
    for claim in recording_bot.knowledge.claims():
        assert claim.statement not in reply.text
    rows = list(recording_bot.events.db["questions"].rows)
    assert [(r["question"], r["status"]) for r in rows] == [(REFUSED, "refused")]


async def test_a_close_call_offers_did_you_mean_with_each_claim_as_a_button(recording_bot):
    reply = await recording_bot.reply_to(private_message(AMBIGUOUS))

    assert "Did you mean…" in reply.text
    assert "The defence budget will reach 90 billion next year." in reply.text
    assert "The defence budget will stay near 70 billion next year." in reply.text
    assert len(reply.buttons) == 2
    assert {b["text"][3:] for b in reply.buttons} == {
        "The defence budget will reach 90 billion next year.",
        "The defence budget will stay near 70 billion next year.",
    }
    event_id = int(reply.callback_data[0].split(":")[1])
    assert reply.callback_data == [f"pick:{event_id}:0", f"pick:{event_id}:1"]


async def test_group_chatter_that_does_not_address_the_bot_is_ignored(recording_bot):
    assert await recording_bot.send(group_message(ANSWERED)) == []
    assert await recording_bot.send(group_message("@someone_else " + ANSWERED)) == []
    assert await recording_bot.send(group_message("lunch?", reply_to=message("hi", chat=TEAM_GROUP, sender=BOB))) == []
    assert list(recording_bot.events.db["questions"].rows) == []


async def test_a_mention_of_the_bot_in_a_group_is_a_question_answered_in_reply(recording_bot):
    asked = group_message(f"@{BOT_USERNAME} {ANSWERED}")
    reply = await recording_bot.reply_to(asked)

    assert reply.params["chat_id"] == TEAM_GROUP["id"]
    assert reply.params["reply_parameters"]["message_id"] == asked["message"]["message_id"]
    assert reply.params["reply_parameters"]["allow_sending_without_reply"] is True
    assert reply.text.startswith("<b>The army fires 50,000 shells per day.</b>")
    assert recording_bot.events.question_event(1).chat_type == "supergroup"


async def test_a_mention_in_the_middle_of_a_sentence_still_asks_the_rest(recording_bot):
    reply = await recording_bot.reply_to(group_message(f"hey @{BOT_USERNAME.upper()}, {ANSWERED}"))
    assert reply.text.startswith("<b>The army fires 50,000 shells per day.</b>")


async def test_a_reply_to_one_of_the_bots_messages_in_a_group_is_a_question(recording_bot):
    reply = await recording_bot.reply_to(group_message(ANSWERED, reply_to=bot_message("earlier answer")))
    assert reply.text.startswith("<b>The army fires 50,000 shells per day.</b>")


async def test_ask_in_a_group_is_a_question(recording_bot):
    reply = await recording_bot.reply_to(group_message(f"/ask {ANSWERED}"))
    assert reply.text.startswith("<b>The army fires 50,000 shells per day.</b>")


async def test_ask_addressed_to_this_bot_by_name_works_and_to_another_bot_is_ignored(recording_bot):
    reply = await recording_bot.reply_to(group_message(f"/ask@{BOT_USERNAME} {ANSWERED}"))
    assert reply.text.startswith("<b>The army fires")
    assert await recording_bot.send(group_message(f"/ask@other_bot {ANSWERED}")) == []


async def test_ask_in_reply_to_a_message_asks_that_message(recording_bot):
    question = message(ANSWERED, chat=TEAM_GROUP, sender=BOB)
    reply = await recording_bot.reply_to(group_message("/ask", reply_to=question))
    assert reply.text.startswith("<b>The army fires")


async def test_ask_in_reply_to_a_captioned_photo_asks_its_caption(recording_bot):
    photo = [{"file_id": "AgACAgIAAxkBAAIBfake", "file_unique_id": "AQADfake", "width": 90, "height": 90}]
    captioned = message(None, chat=TEAM_GROUP, sender=BOB, photo=photo, caption=ANSWERED)
    reply = await recording_bot.reply_to(group_message("/ask", reply_to=captioned))
    assert reply.text.startswith("<b>The army fires")
    # A photo without a caption has nothing to ask: the usual hint.
    bare = message(None, chat=TEAM_GROUP, sender=BOB, photo=photo)
    reply = await recording_bot.reply_to(group_message("/ask", reply_to=bare))
    assert "Write your question after the command" in reply.text


async def test_ask_without_a_question_explains_how_to_ask(recording_bot):
    reply = await recording_bot.reply_to(group_message("/ask"))
    assert "Write your question after the command" in reply.text
    assert list(recording_bot.events.db["questions"].rows) == []


async def test_a_bare_mention_asks_for_a_question(recording_bot):
    reply = await recording_bot.reply_to(group_message(f"@{BOT_USERNAME}"))
    assert "Ask me a question after the mention" in reply.text


async def test_a_text_mention_of_the_bot_counts_as_a_mention(recording_bot):
    text = f"Groundbot {ANSWERED}"
    msg = message(
        text, chat=TEAM_GROUP, entities=[{"type": "text_mention", "offset": 0, "length": 9, "user": BOT_USER}]
    )
    reply = await recording_bot.reply_to(update(message=msg))
    assert reply.text.startswith("<b>The army fires")


async def test_an_unknown_command_in_private_points_to_help(recording_bot):
    reply = await recording_bot.reply_to(private_message("/frobnicate"))
    assert "/help" in reply.text
    assert list(recording_bot.events.db["questions"].rows) == []


async def test_the_knowledge_is_read_afresh_for_every_question(recording_bot, seed_kb):
    from knowledge import KnowledgeBase

    (seed_kb / "team.yaml").write_text(
        (seed_kb / "team.yaml").read_text().replace("50,000 shells", "60,000 shells"), encoding="utf-8"
    )
    old = recording_bot.knowledge
    recording_bot.app.bot_data.live.current = KnowledgeBase.load(seed_kb)  # what /reload does
    old.close()

    reply = await recording_bot.reply_to(private_message(ANSWERED))
    assert "60,000 shells" in reply.text
