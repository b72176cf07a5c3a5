"""GET /metrics in process: real questions, reloads and send failures move the counters Prometheus scrapes."""

from __future__ import annotations

import asyncio
import json
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import ANSWER_BUCKETS
from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED
from tests.e2e.test_webhook import free_port
from tests.telegram_fakes import ALICE, BOB, TOKEN, BotAPI, private_message, running_bot


def scrape(port: int) -> tuple[str, str]:
    """GET /metrics: (its Content-Type, its body)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return response.headers["Content-Type"], response.read().decode()


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample in a scrape, by name and sorted labels, parsed by prometheus_client's own parser."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


async def fetch(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    # The server runs on this test's event loop: ask from a thread so the loop can answer.
    _, body = await asyncio.to_thread(scrape, port)
    return samples(body)


def questions(found: dict, outcome: str) -> float:
    return found[("groundbot_questions_total", (("outcome", outcome),))]


async def test_questions_answered_ambiguous_and_refused_are_counted_by_outcome_with_their_answer_times(bot_settings):
    port = free_port()
    async with running_bot(bot_settings.model_copy(update={"health_port": port})) as bot:
        before = await fetch(port)
        assert [questions(before, o) for o in ("answered", "ambiguous", "refused")] == [0, 0, 0]
        assert before[("groundbot_answer_seconds_count", ())] == 0

        for text in (ANSWERED, ANSWERED, AMBIGUOUS, REFUSED):
            await bot.send(private_message(text))
        content_type, body = await asyncio.to_thread(scrape, port)

    assert content_type.startswith("text/plain; version=")
    found = samples(body)
    assert [questions(found, o) for o in ("answered", "ambiguous", "refused")] == [2, 1, 1]
    assert found[("groundbot_answer_seconds_count", ())] == 4
    assert 0 < found[("groundbot_answer_seconds_sum", ())] < 4 * ANSWER_BUCKETS[-1]
    assert found[("groundbot_answer_seconds_bucket", (("le", "+Inf"),))] == 4
    assert found[("groundbot_claims", ())] == 4
    # These fixtures keep to the lexical matcher: the tier is off, and says so as one state of five.
    semantic = {dict(labels)["groundbot_semantic_state"]: value
                for (name, labels), value in found.items() if name == "groundbot_semantic_state"}
    assert semantic == {"off": 1, "unavailable": 0, "embedding": 0, "ready": 0, "failed": 0}
    # Nothing personal in a scrape: no question, no user id, no token.
    for secret in (ANSWERED, AMBIGUOUS, REFUSED, str(ALICE["id"]), TOKEN, TOKEN.split(":")[0]):
        assert secret not in body


async def test_reloads_that_work_and_reloads_that_fail_are_counted_apart(bot_settings, seed_kb):
    port = free_port()
    settings = bot_settings.model_copy(update={"health_port": port, "moderators": frozenset({ALICE["id"]})})
    async with running_bot(settings) as bot:
        await bot.reply_to(private_message("/reload"))
        (seed_kb / "notes.yaml").write_text("source: {id: [unclosed\n", encoding="utf-8")
        await bot.reply_to(private_message("/reload"))
        await bot.reply_to(private_message("/reload"))
        found = await fetch(port)
    assert found[("groundbot_reloads_total", (("result", "ok"),))] == 1
    assert found[("groundbot_reloads_total", (("result", "failed"),))] == 2


async def test_a_send_that_fails_with_a_5xx_is_counted_as_a_retry(bot_settings):
    port = free_port()
    api = BotAPI()
    async with running_bot(bot_settings.model_copy(update={"health_port": port}), api) as bot:
        assert (await fetch(port))[("groundbot_send_retries_total", ())] == 0
        api.fail("sendMessage", 502, "Bad Gateway")
        await bot.send(private_message(ANSWERED))
        found = await fetch(port)
    assert [c.status for c in api.calls_to("sendMessage")] == [502, 200]
    assert found[("groundbot_send_retries_total", ())] == 1


async def test_the_queue_depth_is_the_updates_kept_in_the_spool_and_not_yet_handled(bot_settings):
    port = free_port()
    async with running_bot(bot_settings.model_copy(update={"health_port": port})) as bot:
        assert (await fetch(port))[("groundbot_queue_depth", ())] == 0
        kept = [private_message(ANSWERED, BOB), private_message(REFUSED, BOB)]
        assert bot.events.spool([(u["update_id"], json.dumps(u)) for u in kept])
        assert (await fetch(port))[("groundbot_queue_depth", ())] == 2
        assert bot.events.mark_handled([kept[0]["update_id"]])
        assert (await fetch(port))[("groundbot_queue_depth", ())] == 1


async def test_two_applications_in_one_process_keep_their_own_counts(bot_settings):
    first_port, second_port = free_port(), free_port()
    async with running_bot(bot_settings.model_copy(update={"health_port": first_port})) as first:
        async with running_bot(bot_settings.model_copy(update={"health_port": second_port})):
            await first.send(private_message(ANSWERED))
            asked, idle = await fetch(first_port), await fetch(second_port)
    assert questions(asked, "answered") == 1
    assert questions(idle, "answered") == 0

