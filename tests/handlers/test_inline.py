"""Inline mode: @bot words lists matching claims, each posting its full card."""

from __future__ import annotations

from handlers.inline import result_id
from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED
from tests.telegram_fakes import ALICE, chosen_inline_result, inline_query


async def answer_to(bot, query: str):
    calls = await bot.send(inline_query(query))
    assert [c.method for c in calls] == ["answerInlineQuery"]
    return calls[0]


async def test_an_inline_query_lists_the_matching_claim_as_an_article_posting_its_full_card(recording_bot):
    call = await answer_to(recording_bot, ANSWERED)

    [article] = call.params["results"]
    assert article["type"] == "article"
    assert article["title"] == "The army fires 50,000 shells per day."
    assert article["description"] == "— according to General Alpha · Team News"
    content = article["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith(
        "<b>The army fires 50,000 shells per day.</b>\n— according to General Alpha"
    )
    assert "Source: “Quarterly briefing &lt;Q3&gt; &amp; outlook”" in content["message_text"]
    assert len(article["id"].encode()) <= 64


async def test_an_ambiguous_inline_query_lists_each_option(recording_bot):
    call = await answer_to(recording_bot, AMBIGUOUS)
    assert sorted(r["title"] for r in call.params["results"]) == [
        "The defence budget will reach 90 billion next year.",
        "The defence budget will stay near 70 billion next year.",
    ]


async def test_an_inline_query_with_no_grounded_answer_lists_nothing(recording_bot):
    call = await answer_to(recording_bot, REFUSED)
    assert call.params["results"] == []
    assert call.params["button"]["start_parameter"] == "topics"


async def test_a_refused_query_with_close_but_wrong_candidates_lists_nothing(recording_bot):
    # The army claim is the nearest, but the question is about the navy: no result.
    answer = recording_bot.knowledge.answer("How many shells does the Navy of Atlantis fire per day?")
    assert answer.status == "refused" and answer.candidates
    call = await answer_to(recording_bot, "How many shells does the Navy of Atlantis fire per day?")
    assert call.params["results"] == []


async def test_an_empty_inline_query_lists_nothing_and_offers_help(recording_bot):
    call = await answer_to(recording_bot, "   ")
    assert call.params["results"] == []
    assert call.params["button"]["start_parameter"] == "help"
    assert list(recording_bot.events.db["questions"].rows) == []


async def test_inline_result_ids_stay_within_64_bytes_for_long_claim_ids(recording_bot, seed_kb):
    from handlers.inline import result_id

    long_id = "-".join(["claim"] * 16)[:100]
    assert len(result_id(long_id).encode()) <= 64
    assert result_id(long_id) != result_id(long_id[:-1])


async def test_a_card_posted_inline_is_logged_as_an_inline_question(recording_bot):
    [article] = (await answer_to(recording_bot, ANSWERED)).params["results"]

    calls = await recording_bot.send(chosen_inline_result(article["id"], ANSWERED))

    assert calls == []  # nothing to say: the card is already in the chat
    [row] = recording_bot.events.db["questions"].rows
    assert (row["question"], row["chat_type"], row["status"], row["claim_id"]) == (
        ANSWERED,
        "inline",
        "answered",
        "army-daily-shells",
    )
    assert row["user"] != str(ALICE["id"])  # hashed like every other user id
    assert list(recording_bot.events.db["picks"].rows) == []


async def test_an_inline_option_posted_from_an_ambiguous_query_is_logged_as_a_pick(recording_bot):
    results = (await answer_to(recording_bot, AMBIGUOUS)).params["results"]
    second = results[1]

    await recording_bot.send(chosen_inline_result(second["id"], AMBIGUOUS))

    [row] = recording_bot.events.db["questions"].rows
    assert (row["chat_type"], row["status"]) == ("inline", "ambiguous")
    [pick] = recording_bot.events.db["picks"].rows
    assert (pick["event_id"], result_id(pick["claim_id"])) == (row["id"], second["id"])


async def test_a_posted_card_the_store_would_not_list_now_is_not_logged(recording_bot):
    # A result listed before a /reload, for a claim this store no longer offers for those words.
    await recording_bot.send(chosen_inline_result(result_id("a-claim-since-removed"), AMBIGUOUS))
    assert list(recording_bot.events.db["questions"].rows) == []
    assert list(recording_bot.events.db["picks"].rows) == []


async def test_a_posted_card_with_a_blank_query_is_ignored(recording_bot):
    assert await recording_bot.send(chosen_inline_result(result_id("army-daily-shells"), " \n ")) == []
    assert list(recording_bot.events.db["questions"].rows) == []


async def test_the_inline_keystrokes_on_the_way_to_a_question_are_not_logged(recording_bot):
    for typed in ("How", "How many sh", ANSWERED):
        await answer_to(recording_bot, typed)
    assert list(recording_bot.events.db["questions"].rows) == []
