"""The bot's semantic tier: built in the background at start-up, ready before a reload swaps in."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from knowledge.answering.embedding import available
from knowledge.live import LiveKnowledge
from tests.knowledge.test_semantic import BUSY, PARAPHRASES
from tests.telegram_fakes import BotAPI, private_message, running_bot

pytestmark = pytest.mark.skipif(not available(), reason="the semantic extra is not installed")


@pytest.fixture
def busy_dir(tmp_path: Path) -> Path:
    path = tmp_path / "busy-knowledge"
    path.mkdir()
    (path / "busy.yaml").write_text(BUSY, encoding="utf-8")
    return path


async def ready(live: LiveKnowledge, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while live.current.semantic.state != "ready":
        assert live.current.semantic.state in {"embedding", "ready"}, live.current.semantic
        assert time.monotonic() < deadline, "the semantic tier was not ready in time"
        await asyncio.sleep(0.05)


async def test_a_bot_with_the_semantic_tier_answers_a_paraphrase_once_its_embeddings_are_ready(
    bot_settings, busy_dir: Path
) -> None:
    settings = bot_settings.model_copy(update={"semantic": True, "knowledge": busy_dir})
    question, claim_id = next(iter(PARAPHRASES.items()))
    async with running_bot(settings, BotAPI()) as bot:
        live = bot.app.bot_data.live
        assert live.embeddings_dir == settings.data_dir
        await ready(live)
        reply = await bot.reply_to(private_message(question))
        assert bot.knowledge.answer(question).claim.id == claim_id
        assert bot.knowledge.claim(claim_id).statement in reply.text
    assert (settings.data_dir / "embeddings.db").is_file()  # a restart embeds nothing again


async def test_a_reload_swaps_in_a_store_whose_semantic_tier_is_ready(busy_dir: Path, tmp_path: Path) -> None:
    live = await LiveKnowledge.load(busy_dir, embeddings_dir=tmp_path / "data")
    try:
        await ready(live)
        (busy_dir / "busy.yaml").write_text(BUSY.replace("hundreds of explosive drones", "hundreds of drones"))
        outcome = await live.reload()
        assert outcome.ok and outcome.changes.edited == ("drones-from-iran",)
        assert live.current.semantic.state == "ready"
        question, claim_id = next(iter(PARAPHRASES.items()))
        assert live.current.answer(question).claim.id == claim_id
    finally:
        await live.close()


async def test_with_the_semantic_setting_off_the_bot_stays_lexical(bot_settings) -> None:
    async with running_bot(bot_settings.model_copy(update={"semantic": False}), BotAPI()) as bot:
        assert bot.app.bot_data.live.embeddings_dir is None
        assert bot.knowledge.semantic.state == "off"
