"""The README's first sections show what the bot really sends: the card and the refusal of a test run."""

from __future__ import annotations

import re

import pytest

from bot.config import Settings
from tests.deploy.files import ROOT
from tests.telegram_fakes import TOKEN, private_message, running_bot

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUESTION = "How many artillery shells does Russia fire per day?"
UNANSWERABLE = "What is the capital of France?"


def shown(marker: str) -> str:
    """The code block between <!-- marker:start --> and <!-- marker:end --> in the README."""
    block = re.search(rf"<!-- {marker}:start -->\n```[a-z]*\n(.*?)\n```\n<!-- {marker}:end -->", README, re.S)
    assert block, f"the README has no {marker} block"
    return block[1]


@pytest.fixture
async def bundled_bot(clean_env):
    """The real Application serving the bundled knowledge, as `groundbot run` does by default."""
    async with running_bot(Settings(token=TOKEN, data_dir=clean_env / "data", _env_file=None)) as bot:
        yield bot


async def test_the_readme_shows_the_exact_card_the_bot_sends_for_its_example_question(bundled_bot):
    reply = await bundled_bot.reply_to(private_message(QUESTION))
    assert reply.params["parse_mode"] == "HTML"
    assert [b["text"] for b in reply.buttons] == ["👍", "👎"]
    assert shown("answer-card") == reply.text, f"update the README's answer card to:\n{reply.text}"
    assert f'Asked "{QUESTION}"' in README
    assert f'groundbot ask "{QUESTION}"' in README  # the set-up command asks the same question


async def test_the_readme_shows_the_exact_refusal_the_bot_sends(bundled_bot):
    reply = await bundled_bot.reply_to(private_message(UNANSWERABLE))
    assert not reply.buttons
    assert shown("refusal") == reply.text, f"update the README's refusal to:\n{reply.text}"
    assert f'Asked "{UNANSWERABLE}"' in README


def test_the_front_door_links_the_guides_and_covers_botfather():
    assert "(knowledge/README.md)" in README and "(deploy/README.md)" in README
    assert "(benchmarks/RESULTS.md)" in README
    for step in ("/newbot", "/setprivacy", "/setinline", "/revoke"):
        assert f"`{step}" in README, step
