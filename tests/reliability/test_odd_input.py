"""Small hostile inputs: digits that are not ASCII in report periods, invisible characters inside names."""

from __future__ import annotations

import pytest

from handlers.errors import SORRY
from knowledge import KnowledgeBase
from tests.telegram_fakes import ALICE, private_message, running_bot

QUESTION = "Does the US suspect North Korea of supplying munitions to Russia?"
# Default-ignorable code points: zero-width space, non-joiner, joiner, word joiner, soft
# hyphen, byte-order mark, left-to-right mark, combining grapheme joiner, Mongolian vowel
# separator, variation selector 16, invisible separator, a tag character.
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\u00ad",
    "\ufeff",
    "\u200e",
    "\u034f",
    "\u180e",
    "\ufe0f",
    "\u2063",
    "\U000e0041",
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_an_invisible_character_inside_a_name_still_gets_the_answer(kb: KnowledgeBase, char: str):
    plain = kb.answer(QUESTION)
    assert plain.status == "answered"
    hidden = kb.answer(QUESTION.replace("Korea", f"Ko{char}rea").replace("Russia", f"Rus{char}sia"))
    assert (hidden.status, hidden.claim.id) == ("answered", plain.claim.id)


@pytest.fixture
async def moderated_bot(bot_settings):
    settings = bot_settings.model_copy(update={"moderators": frozenset({ALICE["id"]})})
    async with running_bot(settings) as bot:
        yield bot


@pytest.mark.parametrize("command", ["stats", "unanswered"])
@pytest.mark.parametrize("days", ["²", "①", "٣", "７", "1²"])
async def test_a_period_in_digits_that_are_not_ascii_gets_the_usage_message(moderated_bot, command: str, days: str):
    reply = await moderated_bot.reply_to(private_message(f"/{command} {days}"))
    assert reply.text != SORRY
    assert reply.text.startswith(f"Usage: /{command} [days]")


async def test_a_period_in_ascii_digits_still_works(moderated_bot):
    reply = await moderated_bot.reply_to(private_message("/stats 30"))
    assert "Stats for the last 30 days" in reply.text
