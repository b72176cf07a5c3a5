"""/reload, /unanswered, /stats and the allow-lists, through the real Application and recorded Bot API calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.access import MODERATORS_ONLY, OUTSIDER
from handlers.render import LIMIT, MAX_MESSAGES, units
from tests.conftest import ANSWERED, REFUSED, SEED_KNOWLEDGE
from tests.telegram_fakes import (
    ALICE,
    BOB,
    TEAM_GROUP,
    BotAPI,
    RunningBot,
    bot_message,
    callback,
    group_message,
    inline_query,
    private_message,
    running_bot,
)

OTHER_GROUP = {"id": -1009999999999, "type": "supergroup", "title": "Strangers"}
CAROL = {"id": 1003, "is_bot": False, "first_name": "Carol"}

NEW_CLAIM = """\
  - id: drones-per-month
    statement: The factory builds 300 drones a month.
    attributed_to: The plant manager
    questions:
      - How many drones does the factory build a month?
"""
# Two problems: an unknown key on line 16 and a question list that is not a list on line 20.
BROKEN = SEED_KNOWLEDGE.replace("    tags: [artillery]\n", "    tags: [artillery]\n    colour: red\n").replace(
    "      - What will the defence budget be next year?\n    tags: [budget]\n  - id: budget-forecast-low",
    "    tags: [budget]\n  - id: budget-forecast-low",
    1,
)


@pytest.fixture
async def moderated_bot(bot_settings, bot_api: BotAPI) -> AsyncIterator[RunningBot]:
    """The bot with Alice as its one moderator; Bob is a member, not a moderator."""
    settings = bot_settings.model_copy(update={"moderators": frozenset({ALICE["id"]})})
    async with running_bot(settings, bot_api) as bot:
        yield bot


@pytest.fixture
async def team_only_bot(bot_settings, bot_api: BotAPI) -> AsyncIterator[RunningBot]:
    """Allow-lists: users Alice and Bob, the team group; Carol is a moderator outside the user list."""
    settings = bot_settings.model_copy(
        update={
            "moderators": frozenset({CAROL["id"]}),
            "allowed_users": frozenset({ALICE["id"], BOB["id"]}),
            "allowed_chats": frozenset({TEAM_GROUP["id"]}),
        }
    )
    async with running_bot(settings, bot_api) as bot:
        yield bot


def team_file(seed_kb: Path) -> Path:
    return seed_kb / "team.yaml"


# --- /reload -------------------------------------------------------------------------------


async def test_reload_reports_claims_added_removed_and_edited(moderated_bot, seed_kb):
    text = SEED_KNOWLEDGE.replace("50,000 shells", "55,000 shells")
    text = text[: text.index("  - id: profits-and-costs")] + NEW_CLAIM
    team_file(seed_kb).write_text(text, encoding="utf-8")

    reply = await moderated_bot.reply_to(private_message("/reload"))

    assert reply.text.splitlines() == [
        "✅ Reloaded. Serving 4 claim(s) from 1 source(s).",
        "Added (1): <code>drones-per-month</code>",
        "Removed (1): <code>profits-and-costs</code>",
        "Edited (1): <code>army-daily-shells</code>",
    ]


async def test_after_a_reload_the_new_knowledge_answers(moderated_bot, seed_kb):
    team_file(seed_kb).write_text(SEED_KNOWLEDGE + NEW_CLAIM, encoding="utf-8")
    await moderated_bot.reply_to(private_message("/reload"))

    reply = await moderated_bot.reply_to(private_message("How many drones does the factory build a month?", BOB))

    assert "The factory builds 300 drones a month." in reply.text


async def test_a_reload_that_changes_nothing_says_so(moderated_bot):
    reply = await moderated_bot.reply_to(private_message("/reload"))
    assert reply.text == "✅ Reloaded: nothing changed. Serving 4 claim(s) from 1 source(s)."


async def test_a_broken_file_lists_every_problem_and_the_old_knowledge_keeps_answering(moderated_bot, seed_kb):
    before = moderated_bot.knowledge
    team_file(seed_kb).write_text(BROKEN, encoding="utf-8")

    reply = await moderated_bot.reply_to(private_message("/reload"))

    assert reply.text.splitlines() == [
        "❌ Reload failed with 2 problem(s); nothing changed. Still answering from the last good "
        "knowledge (4 claim(s) from 1 source(s)).",
        "<pre>knowledge/team.yaml:16:5: unknown key &#x27;colour&#x27; in claims[0]",
        "knowledge/team.yaml:20:15: claims[1].questions: Input should be a valid list</pre>",
    ]
    assert moderated_bot.knowledge is before
    answer = await moderated_bot.reply_to(private_message(ANSWERED, BOB))
    assert "The army fires 50,000 shells per day." in answer.text


async def test_a_file_that_is_not_yaml_at_all_is_reported_with_its_position(moderated_bot, seed_kb):
    (seed_kb / "notes.yaml").write_text("source: {id: [unclosed\n", encoding="utf-8")
    reply = await moderated_bot.reply_to(private_message("/reload"))
    assert "knowledge/notes.yaml:2:1: not valid YAML" in reply.text


async def test_hundreds_of_problems_fit_in_a_few_messages_each_under_the_limit(moderated_bot, seed_kb):
    claims = "".join(f"  - id: c{i}\n    statement: S{i}\n" for i in range(400))  # each lacks two fields
    (seed_kb / "many.yaml").write_text(f"source:\n  id: many\n  outlet: X\nclaims:\n{claims}", encoding="utf-8")

    calls = [c for c in await moderated_bot.send(private_message("/reload")) if c.method == "sendMessage"]

    assert 1 < len(calls) <= MAX_MESSAGES
    assert all(units(c.text) <= LIMIT for c in calls)
    assert "knowledge/many.yaml:5:5: missing required field" in calls[0].text
    assert "Run `groundbot check` on the server for every one." in calls[-1].text


async def test_two_reloads_at_once_run_one_after_the_other(moderated_bot, seed_kb):
    team_file(seed_kb).write_text(SEED_KNOWLEDGE + NEW_CLAIM, encoding="utf-8")

    await asyncio.gather(moderated_bot.send(private_message("/reload")), moderated_bot.send(private_message("/reload")))

    texts = sorted(c.text for c in moderated_bot.api.sent())
    assert texts == [
        "✅ Reloaded. Serving 5 claim(s) from 1 source(s).\nAdded (1): <code>drones-per-month</code>",
        "✅ Reloaded: nothing changed. Serving 5 claim(s) from 1 source(s).",
    ]


async def test_questions_sent_around_a_reload_are_all_answered(moderated_bot, seed_kb):
    team_file(seed_kb).write_text(SEED_KNOWLEDGE + NEW_CLAIM, encoding="utf-8")
    questions = [private_message(ANSWERED, {**BOB, "id": 5000 + i}) for i in range(50)]

    await asyncio.gather(
        *(moderated_bot.send(q) for q in questions[:25]),
        moderated_bot.send(private_message("/reload")),
        *(moderated_bot.send(q) for q in questions[25:]),
    )

    answers = [c for c in moderated_bot.api.sent() if c.params["chat_id"] >= 5000]
    assert len(answers) == 50
    assert all("The army fires 50,000 shells per day." in c.text for c in answers)
    assert moderated_bot.events.stats(days=1).questions == 50


async def test_a_non_moderators_reload_is_refused_and_reloads_nothing(moderated_bot, seed_kb):
    team_file(seed_kb).write_text(SEED_KNOWLEDGE + NEW_CLAIM, encoding="utf-8")
    before = moderated_bot.knowledge

    reply = await moderated_bot.reply_to(private_message("/reload", BOB))

    assert reply.text == MODERATORS_ONLY
    assert moderated_bot.knowledge is before


@pytest.mark.parametrize("command", ["/reload", "/unanswered", "/stats 30"])
async def test_with_no_moderators_configured_nobody_gets_moderator_commands(recording_bot, command):
    reply = await recording_bot.reply_to(private_message(command))
    assert reply.text == MODERATORS_ONLY


async def test_a_moderator_can_reload_from_a_group_addressing_the_bot(moderated_bot):
    reply = await moderated_bot.reply_to(group_message("/reload@groundbot_test_bot"))
    assert reply.text.startswith("✅ Reloaded")
    assert reply.params["chat_id"] == TEAM_GROUP["id"]


# --- /unanswered and /stats ---------------------------------------------------------------


async def test_a_refused_question_shows_in_unanswered_with_its_count(moderated_bot):
    for asker in (BOB, ALICE):
        await moderated_bot.send(private_message(REFUSED, asker))
    await moderated_bot.send(private_message("what's the capital of france", BOB))

    reply = await moderated_bot.reply_to(private_message("/unanswered"))

    assert reply.text.splitlines() == [
        "<b>Unanswered in the last 7 days: 1 question(s), asked 3 time(s).</b>",
        f"1. ×3 “{REFUSED}” (3 refused)",
        "   also asked as: “what&#x27;s the capital of france”",
        "   nearest: none (no claim shares a word)",
    ]


async def test_an_answer_marked_wrong_shows_in_unanswered_with_the_claim_it_gave(moderated_bot):
    card = await moderated_bot.reply_to(private_message(ANSWERED, BOB))
    thumbs_down = card.callback_data[1]
    await moderated_bot.send(
        callback(
            thumbs_down, bot_message(card.text, chat={"id": BOB["id"], "type": "private", "first_name": "Bob"}), BOB
        )
    )

    reply = await moderated_bot.reply_to(private_message("/unanswered 1"))

    assert f"1. ×1 “{ANSWERED}” (1 👎)" in reply.text
    assert "nearest: army-daily-shells (score" in reply.text
    assert "The army fires 50,000 shells per day." in reply.text
    assert "in the last day" in reply.text


async def test_unanswered_with_a_bad_period_explains_the_usage(moderated_bot):
    reply = await moderated_bot.reply_to(private_message("/unanswered lots"))
    assert reply.text == "Usage: /unanswered [days], e.g. /unanswered 30 (default 7; 0 or all: all time)."


async def test_unanswered_with_nothing_refused_says_so(moderated_bot):
    reply = await moderated_bot.reply_to(private_message("/unanswered all"))
    assert reply.text == "<b>Nothing unanswered in all time.</b>"


async def test_user_text_in_reports_is_escaped(moderated_bot):
    await moderated_bot.send(private_message("Who is <b>the CEO</b> & why?", BOB))
    reply = await moderated_bot.reply_to(private_message("/unanswered"))
    assert "“Who is &lt;b&gt;the CEO&lt;/b&gt; &amp; why?”" in reply.text


async def test_stats_shows_shares_and_feedback(moderated_bot):
    await moderated_bot.send(private_message(ANSWERED, BOB))
    await moderated_bot.send(private_message(REFUSED, BOB))

    reply = await moderated_bot.reply_to(private_message("/stats"))

    assert reply.text.splitlines()[:3] == [
        "<b>Stats for the last 7 days: 2 question(s) from 1 people.</b>",
        "answered 50% (1), ambiguous 0% (0), refused 50% (1)",
        "by chat: private 2",
    ]
    assert "feedback: 0 👍, 0 👎" in reply.text
    assert "top claims: army-daily-shells ×1" in reply.text


# --- the allow-lists -------------------------------------------------------------------------


async def test_an_outsider_in_private_gets_one_polite_line_and_nothing_is_logged(team_only_bot):
    calls = await team_only_bot.send(private_message(ANSWERED, {**BOB, "id": 4242}))

    assert [(c.method, c.text) for c in calls] == [("sendMessage", OUTSIDER)]
    assert team_only_bot.events.stats(days=None).questions == 0


async def test_an_outsider_in_the_team_group_gets_silence(team_only_bot):
    stranger = {**BOB, "id": 4242}
    assert await team_only_bot.send(group_message(f"/ask {ANSWERED}", stranger)) == []
    assert await team_only_bot.send(group_message("/reload", stranger)) == []


async def test_a_member_in_a_group_outside_the_list_gets_silence(team_only_bot):
    assert await team_only_bot.send(group_message(f"/ask {ANSWERED}", ALICE, chat=OTHER_GROUP)) == []


async def test_members_are_answered_in_private_and_in_the_team_group(team_only_bot):
    private = await team_only_bot.reply_to(private_message(ANSWERED, BOB))
    group = await team_only_bot.reply_to(group_message(f"/ask {ANSWERED}", ALICE))
    assert "The army fires 50,000 shells per day." in private.text
    assert "The army fires 50,000 shells per day." in group.text


async def test_a_moderator_outside_the_user_list_still_gets_through(team_only_bot):
    reply = await team_only_bot.reply_to(private_message("/stats", CAROL))
    assert reply.text.startswith("<b>Stats for the last 7 days")


async def test_an_outsiders_inline_query_gets_no_results_and_a_note(team_only_bot):
    calls = await team_only_bot.send(inline_query("shells", {**BOB, "id": 4242}))
    [answer] = calls
    assert answer.method == "answerInlineQuery"
    assert answer.params["results"] == []
    assert answer.params["button"]["text"] == OUTSIDER


async def test_an_outsiders_button_tap_gets_a_polite_toast(team_only_bot):
    calls = await team_only_bot.send(callback("fb:1:0:-", sender={**BOB, "id": 4242}))
    assert [(c.method, c.params.get("text")) for c in calls] == [("answerCallbackQuery", OUTSIDER)]


async def test_an_unknown_command_points_to_help(moderated_bot):
    reply = await moderated_bot.reply_to(private_message("/frobnicate"))
    assert "/help" in reply.text


# --- watching the knowledge path ----------------------------------------------------------------


async def wait_for_sent(api: BotAPI, where, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in api.sent() if where(c)]
        if found:
            return found[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing sent within {timeout}s; sent {[c.text for c in api.sent()]}")


async def test_watching_reloads_on_change_and_tells_the_moderators(bot_settings, bot_api, seed_kb):
    settings = bot_settings.model_copy(
        update={
            "moderators": frozenset({ALICE["id"]}),
            "watch_knowledge": True,
            "watch_interval": 0.05,
            "watch_settle": 0.2,
        }
    )
    async with running_bot(settings, bot_api) as bot:
        team_file(seed_kb).write_text(SEED_KNOWLEDGE + NEW_CLAIM, encoding="utf-8")
        told = await wait_for_sent(bot_api, lambda c: "Reloaded" in c.text)
        assert told.params["chat_id"] == ALICE["id"]
        assert told.text == (
            "Knowledge files changed. ✅ Reloaded. Serving 5 claim(s) from 1 source(s).\n"
            "Added (1): <code>drones-per-month</code>"
        )
        assert bot.knowledge.claim("drones-per-month") is not None

        team_file(seed_kb).write_text(BROKEN, encoding="utf-8")
        failed = await wait_for_sent(bot_api, lambda c: "failed" in c.text)
        assert failed.text.startswith("Knowledge files changed. ❌ Reload failed with 2 problem(s)")
        assert bot.knowledge.claim("drones-per-month") is not None


async def test_an_unknown_command_named_for_the_bot_in_a_group_points_to_help(moderated_bot):
    reply = await moderated_bot.reply_to(group_message("/frobnicate@groundbot_test_bot"))
    assert "/help" in reply.text
    assert reply.params["chat_id"] == TEAM_GROUP["id"]


async def test_a_bare_unknown_command_in_a_group_is_left_to_other_bots(moderated_bot):
    assert await moderated_bot.send(group_message("/frobnicate")) == []
    assert await moderated_bot.send(group_message("/reload@some_other_bot")) == []


async def test_a_long_unanswered_report_is_cut_at_a_line_to_fit_one_message(moderated_bot):
    for i in range(30):
        await moderated_bot.send(private_message(f"Is the {i}th <&> " + "&" * 150 + f" zebra{i} quorum?", BOB))

    reply = await moderated_bot.reply_to(private_message("/unanswered"))

    assert units(reply.text) <= LIMIT
    assert reply.text.endswith("more line(s).")
    assert "<b>Unanswered in the last 7 days: 30 question(s), asked 30 time(s).</b>" in reply.text
