"""The moderators' loop against a real `groundbot run` process and a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import ANSWERED, REFUSED, SEED_KNOWLEDGE
from tests.handlers.test_moderation import BROKEN, NEW_CLAIM, OTHER_GROUP
from tests.telegram_fakes import ALICE, BOB, TEAM_GROUP, FakeTelegram, group_message, private_message

MODERATOR = str(ALICE["id"])
ARMY = "The army fires 50,000 shells per day."


def person(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}


def reply_to(telegram: FakeTelegram, update: dict, chat_id: int, timeout: float = 15.0):
    """Push one update and wait for the bot's message to ``chat_id``."""
    mark = telegram.api.mark()
    telegram.push(update)
    return telegram.api.wait_for("sendMessage", lambda c: c.params["chat_id"] == chat_id, after=mark, timeout=timeout)


def logged_questions(data_dir: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(data_dir / "events.db") as db:
        return db.execute("SELECT question, user FROM questions ORDER BY id").fetchall()


def test_a_broken_file_is_reported_and_the_old_store_answers_until_the_fix_is_reloaded(
    start_bot, fake_telegram, seed_kb
):
    start_bot(moderators=MODERATOR)
    team = seed_kb / "team.yaml"

    team.write_text(BROKEN, encoding="utf-8")
    failed = reply_to(fake_telegram, private_message("/reload", ALICE), ALICE["id"])
    assert failed.text.startswith("❌ Reload failed with 2 problem(s); nothing changed.")
    assert "knowledge/team.yaml:16:5: unknown key &#x27;colour&#x27; in claims[0]" in failed.text
    assert "knowledge/team.yaml:20:15: claims[1].questions: Input should be a valid list" in failed.text

    still = reply_to(fake_telegram, private_message(ANSWERED, BOB), BOB["id"])
    assert ARMY in still.text

    team.write_text(SEED_KNOWLEDGE + NEW_CLAIM, encoding="utf-8")
    fixed = reply_to(fake_telegram, private_message("/reload", ALICE), ALICE["id"])
    assert fixed.text == ("✅ Reloaded. Serving 5 claim(s) from 1 source(s).\nAdded (1): <code>drones-per-month</code>")

    new = reply_to(fake_telegram, private_message("How many drones does the factory build a month?", BOB), BOB["id"])
    assert "The factory builds 300 drones a month." in new.text


def test_a_non_moderators_reload_is_refused(start_bot, fake_telegram, seed_kb):
    start_bot(moderators=MODERATOR)
    (seed_kb / "team.yaml").write_text(SEED_KNOWLEDGE + NEW_CLAIM, encoding="utf-8")

    refused = reply_to(fake_telegram, private_message("/reload", BOB), BOB["id"])
    assert refused.text == "Sorry, that command is for moderators only."

    unchanged = reply_to(
        fake_telegram, private_message("How many drones does the factory build a month?", BOB), BOB["id"]
    )
    assert "300 drones" not in unchanged.text


def test_a_refused_question_shows_up_in_unanswered(start_bot, fake_telegram):
    start_bot(moderators=MODERATOR)
    refusal = reply_to(fake_telegram, private_message(REFUSED, BOB), BOB["id"])
    assert "no sourced answer" in refusal.text

    report = reply_to(fake_telegram, private_message("/unanswered", ALICE), ALICE["id"])
    assert f"1. ×1 “{REFUSED}” (1 refused)" in report.text

    stats = reply_to(fake_telegram, private_message("/stats", ALICE), ALICE["id"])
    assert "refused 100% (1)" in stats.text


def test_allow_lists_hold_in_private_and_in_groups(start_bot, fake_telegram):
    api = fake_telegram.api
    bot = start_bot(
        moderators=MODERATOR, allowed_users=f"{ALICE['id']},{BOB['id']}", allowed_chats=str(TEAM_GROUP["id"])
    )
    stranger = person(4242)
    mark = api.mark()
    # Outsiders first: each is turned away without a single await, before the members'
    # updates (fetched in the same batch) can produce a reply.
    fake_telegram.push(
        private_message(ANSWERED, stranger),
        group_message(f"/ask {ANSWERED}", stranger),
        group_message(f"/ask {ANSWERED}", ALICE, chat=OTHER_GROUP),
        private_message(ANSWERED, BOB),
        group_message(f"/ask {ANSWERED}", BOB),
    )
    sent = api.wait_for_count("sendMessage", 3, after=mark)

    by_chat = {c.params["chat_id"]: c.text for c in sent}
    assert set(by_chat) == {stranger["id"], BOB["id"], TEAM_GROUP["id"]}
    assert by_chat[stranger["id"]] == "Sorry, I only answer members of my team."
    assert ARMY in by_chat[BOB["id"]] and ARMY in by_chat[TEAM_GROUP["id"]]
    assert OTHER_GROUP["id"] not in by_chat
    # Nothing from the store reached an outsider, and only the members' questions are logged.
    assert len(logged_questions(bot.data_dir)) == 2


def test_a_reload_while_50_questions_are_in_flight_loses_none(start_bot, fake_telegram, seed_kb):
    api = fake_telegram.api
    bot = start_bot(moderators=MODERATOR)
    # A bigger store takes the reload about a second, and every reply takes Telegram a
    # quarter of one: the questions are mid-answer while the new store is built.
    bulk = "".join(
        f"  - id: bulk-{i}\n    statement: Depot {i} stores {i * 7} crates.\n    attributed_to: Logistics\n"
        f"    questions:\n      - How many crates does depot {i} store?\n"
        for i in range(3000)
    )
    (seed_kb / "bulk.yaml").write_text(f"source:\n  id: bulk\n  outlet: Logistics\nclaims:\n{bulk}", encoding="utf-8")
    api.stall("sendMessage", 0.25, times=60)
    askers = [person(3000 + i) for i in range(50)]
    mark = api.mark()

    fake_telegram.push(
        *(private_message(ANSWERED, a) for a in askers[:25]),
        private_message("/reload", ALICE),
        *(private_message(ANSWERED, a) for a in askers[25:]),
    )

    reloaded = api.wait_for("sendMessage", lambda c: c.params["chat_id"] == ALICE["id"], after=mark, timeout=30)
    answers = api.wait_for_count("sendMessage", 51, after=mark, timeout=30)
    assert reloaded.text.startswith("✅ Reloaded. Serving 3004 claim(s) from 2 source(s).\nAdded (3000):")
    to_askers = [c for c in answers if c.params["chat_id"] >= 3000]
    assert sorted(c.params["chat_id"] for c in to_askers) == [a["id"] for a in askers]
    assert all(c.status == 200 and ARMY in c.text for c in to_askers)
    # Some answers went out while the reload was running (after /reload, before its reply).
    order = [c for c in api.calls[mark:] if c.method == "sendMessage"]
    assert any(c.params["chat_id"] >= 3000 for c in order[: order.index(reloaded)])
    assert len(logged_questions(bot.data_dir)) == 50
    assert "Error" not in bot.log


def test_sigkill_loses_no_event_whose_answer_reached_the_user(start_bot, fake_telegram):
    api = fake_telegram.api
    bot = start_bot(hash_user_ids="false")
    api.stall("sendMessage", 0.05, times=200)
    askers = [person(7000 + i) for i in range(60)]
    mark = api.mark()
    fake_telegram.push(*(private_message(q, a) for a, q in zip(askers, [ANSWERED, REFUSED] * 30)))

    api.wait_for_count("sendMessage", 15, after=mark, timeout=20)
    bot.kill()  # SIGKILL: no shutdown, no checkpoint, no close

    # A request the kill cut off before its body arrived never reached anyone.
    acknowledged = {
        str(c.params["chat_id"])
        for c in api.calls[mark:]
        if c.method == "sendMessage" and "chat_id" in c.params and c.text
    }
    logged = {user for _, user in logged_questions(bot.data_dir)}
    assert len(acknowledged) >= 15
    assert acknowledged <= logged


def test_with_watching_on_an_edited_file_goes_live_and_the_moderators_are_told(start_bot, fake_telegram, seed_kb):
    api = fake_telegram.api
    bot = start_bot(moderators=MODERATOR, watch_knowledge="true", watch_interval="0.1", watch_settle="0.3")
    mark = api.mark()

    (seed_kb / "team.yaml").write_text(SEED_KNOWLEDGE + NEW_CLAIM, encoding="utf-8")

    told = api.wait_for("sendMessage", lambda c: c.params["chat_id"] == ALICE["id"], after=mark)
    assert told.text.startswith("Knowledge files changed. ✅ Reloaded.")
    new = reply_to(fake_telegram, private_message("How many drones does the factory build a month?", BOB), BOB["id"])
    assert "The factory builds 300 drones a month." in new.text
    assert bot.stop() == 0  # the watcher stops with the bot
