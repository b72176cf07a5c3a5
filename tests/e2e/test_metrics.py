"""GET /metrics against a real `groundbot run`: questions, a poison update and the spool as Prometheus reads them."""

from __future__ import annotations

from tests.bot.test_metrics import questions, samples, scrape
from tests.conftest import AMBIGUOUS, ANSWERED, REFUSED, listening
from tests.e2e.test_webhook import free_port
from tests.reliability.test_send_failures import askers, poison, replies
from tests.telegram_fakes import TOKEN, private_message


def test_a_polling_bot_serves_its_counters_beside_healthz_and_they_move_as_it_answers(start_bot, fake_telegram):
    port = free_port()
    bot = start_bot(health_port=str(port))
    bot.wait_until(lambda: listening(port), what="the health endpoint")
    content_type, body = scrape(port)
    assert content_type.startswith("text/plain; version=") and "charset=utf-8" in content_type
    before = samples(body)
    assert [questions(before, o) for o in ("answered", "ambiguous", "refused")] == [0, 0, 0]

    people = askers(40_000, 4)
    texts = [ANSWERED, ANSWERED, AMBIGUOUS, REFUSED]
    bad = poison()
    fake_telegram.push(bad, *(private_message(t, sender=p) for t, p in zip(texts, people)))
    bot.wait_until(lambda: len(replies(fake_telegram)) == 4, timeout=20, what="the 4 questions answered")
    # Finished updates leave the spool within the ledger's batching (50 ms): wait for it.
    bot.wait_until(lambda: samples(scrape(port)[1])[("groundbot_queue_depth", ())] == 0, what="an empty spool")
    _, body = scrape(port)
    found = samples(body)

    assert [questions(found, o) for o in ("answered", "ambiguous", "refused")] == [2, 1, 1]
    assert found[("groundbot_answer_seconds_count", ())] == 4
    assert found[("groundbot_dropped_updates_total", (("reason", "unanswerable"),))] == 1  # the poison update
    assert found[("groundbot_dropped_updates_total", (("reason", "over_limit"),))] == 0
    assert found[("groundbot_send_retries_total", ())] == 0
    assert found[("groundbot_reloads_total", (("result", "ok"),))] == 0
    assert found[("groundbot_claims", ())] == 4
    assert sum(v for (name, _), v in found.items() if name == "groundbot_semantic_state") == 1  # one state at a time
    for secret in (*texts, "mallory", *(str(p["id"]) for p in people), TOKEN):
        assert secret not in body

    assert bot.stop() == 0
    assert not listening(port)
    assert TOKEN not in bot.log and "(and /metrics)" in bot.log
