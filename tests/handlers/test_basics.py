"""/start, /help, /topics, /sources, /claim ID, and the command menu."""

from __future__ import annotations

from tests.conftest import ANSWERED
from tests.telegram_fakes import BOT_USERNAME, group_message, private_message


async def test_start_says_what_the_bot_does_and_how_to_ask(recording_bot):
    reply = await recording_bot.reply_to(private_message("/start"))
    assert "who said it" in reply.text
    assert f"@{BOT_USERNAME}" in reply.text
    for command in ("/ask &lt;question&gt;", "/topics", "/sources", "/claim ID", "/help"):
        assert command in reply.text


async def test_help_works_in_groups_too(recording_bot):
    reply = await recording_bot.reply_to(group_message("/help"))
    assert "/topics" in reply.text


async def test_topics_lists_claims_by_source_and_by_tag(recording_bot):
    reply = await recording_bot.reply_to(private_message("/topics"))
    assert "4 claims in 1 source(s)" in reply.text
    assert "• Quarterly briefing &lt;Q3&gt; &amp; outlook (Team News): 4 claim(s)" in reply.text
    assert "budget (2)" in reply.text and "artillery (1)" in reply.text


async def test_topics_with_a_tag_lists_that_tags_claims_with_their_ids(recording_bot):
    reply = await recording_bot.reply_to(private_message("/topics budget"))
    assert reply.text.startswith("<b>Claims tagged budget (2); /claim ID shows one:</b>")
    assert "• The defence budget will reach 90 billion next year. <code>budget-forecast-high</code>" in reply.text
    assert "army fires" not in reply.text


async def test_start_from_the_inline_topics_button_shows_the_topics(recording_bot):
    reply = await recording_bot.reply_to(private_message("/start topics"))
    assert "By source" in reply.text


async def test_sources_lists_title_outlet_date_link_and_claim_count(recording_bot):
    reply = await recording_bot.reply_to(private_message("/sources"))
    assert "<b>Quarterly briefing &lt;Q3&gt; &amp; outlook</b>, Team News, 2024-05-01 — 4 claim(s)" in reply.text
    assert 'href="https://example.org/briefing?q=3&amp;lang=en"' in reply.text


async def test_claim_by_id_shows_its_card(recording_bot):
    reply = await recording_bot.reply_to(private_message("/claim army-daily-shells"))
    assert reply.text.startswith("<b>The army fires 50,000 shells per day.</b>")
    assert reply.buttons == []


async def test_an_unknown_claim_id_is_said_plainly_and_escaped(recording_bot):
    reply = await recording_bot.reply_to(private_message("/claim <b>nope&"))
    assert reply.text.startswith("There is no claim with id <code>&lt;b&gt;nope&amp;</code>.")


async def test_claim_without_an_id_explains_itself(recording_bot):
    reply = await recording_bot.reply_to(private_message("/claim"))
    assert "Give a claim id" in reply.text


async def test_the_command_menu_is_registered_at_start_up(recording_bot, bot_api):
    [call] = bot_api.calls_to("setMyCommands")
    assert [c["command"] for c in call.params["commands"]] == ["ask", "topics", "sources", "claim", "help"]
    assert all(c["description"] for c in call.params["commands"])


async def test_start_up_loads_the_configured_knowledge_and_opens_the_event_log(recording_bot, bot_settings):
    assert len(recording_bot.knowledge) == 4
    assert bot_settings.events_path.exists()
    await recording_bot.send(private_message(ANSWERED))
    assert recording_bot.events.question_event(1).claim_id == "army-daily-shells"
