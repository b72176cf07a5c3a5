"""A question about whose words gets one message: the best claim, then the speaker's others."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.knowledge.test_speakers import BUDGET, RUIZ
from tests.telegram_fakes import private_message


@pytest.fixture
def seed_kb(seed_kb: Path) -> Path:
    (seed_kb / "budget.yaml").write_text(BUDGET, encoding="utf-8")
    return seed_kb


async def test_what_a_speaker_said_is_one_card_with_each_claim_attributed(recording_bot):
    reply = await recording_bot.reply_to(private_message("What did Ana Ruiz say?"))

    assert reply.method == "sendMessage"
    assert reply.text.count("<i>Also:</i>") == 1
    assert reply.text.count("— according to Ana Ruiz, finance minister of Lusitania") == len(RUIZ)
    assert reply.text.count("Source: “Budget talks stall over pensions”, Harbour Times") == len(RUIZ)
    # Feedback is on the answer as a whole, as for any card.
    assert [b["text"] for b in reply.buttons] == ["👍", "👎"]
