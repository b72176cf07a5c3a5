"""/draft and /publish through the real Application and a recorded Bot API (files included)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.access import MODERATORS_ONLY
from handlers.drafting import ASK_FOR_ARTICLE
from tests.telegram_fakes import ALICE, BOB, BotAPI, RunningBot, document_message, private_message, running_bot

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "sources" / "north-korean-munitions-article.txt"
ARTICLE = SEED.read_text(encoding="utf-8")


@pytest.fixture
async def moderated_bot(bot_settings, bot_api: BotAPI) -> AsyncIterator[RunningBot]:
    """Alice moderates; Bob is a member, not a moderator."""
    settings = bot_settings.model_copy(update={"moderators": frozenset({ALICE["id"]})})
    async with running_bot(settings, bot_api) as bot:
        yield bot


def sent_file(api: BotAPI, content: bytes, name: str, caption: str | None = None, sender=ALICE) -> dict:
    """An update: ``sender`` sends ``content`` as the file ``name``."""
    return document_message(api.upload(content, name), caption, sender)


def drafted_yaml(calls) -> tuple[str, str]:
    sent = [c for c in calls if c.method == "sendDocument"]
    assert len(sent) == 1, [c.method for c in calls]
    ((name, content),) = sent[0].params["_files"].values()
    return name, content.decode("utf-8")


def texts(calls) -> list[str]:
    return [c.text for c in calls if c.method == "sendMessage"]


async def test_a_moderator_drafts_an_article_pasted_after_draft_and_gets_a_summary_and_the_yaml(moderated_bot):
    calls = await moderated_bot.send(private_message("/draft " + ARTICLE))
    summary = texts(calls)[0]
    assert "claims drafted from" in summary and "need a look" in summary
    assert "Yohann Michel: It is possible that the increase" in summary
    name, yaml_text = drafted_yaml(calls)
    assert name.endswith(".yaml") and yaml_text.startswith("# DRAFT to review")


async def test_draft_alone_asks_for_the_article_and_drafts_the_next_message(moderated_bot):
    assert (await moderated_bot.reply_to(private_message("/draft"))).text == ASK_FOR_ARTICLE
    calls = await moderated_bot.send(private_message(ARTICLE))
    assert drafted_yaml(calls)[1].count("  - id: ") >= 25
    # the message after that is a question again, not an article
    answer = await moderated_bot.reply_to(private_message("How many shells does the army fire per day?"))
    assert "50,000" in answer.text


async def test_a_txt_document_with_the_caption_draft_is_drafted(moderated_bot):
    doc = sent_file(moderated_bot.api, ARTICLE.encode("utf-8"), "article.txt", "/draft")
    calls = await moderated_bot.send(doc)
    assert [c for c in calls if c.method == "download"]
    assert "Kyiv" in drafted_yaml(calls)[1]


async def test_the_edited_draft_published_is_answered_from_and_a_replaced_version_kept(
    moderated_bot, seed_kb, bot_settings
):
    name, yaml_text = drafted_yaml(await moderated_bot.send(private_message("/draft " + ARTICLE)))
    blocks = yaml_text.split("\n\n")
    removed = next(b for b in blocks if 'attributed_to: "Experts cited by' in b)
    edited = "\n\n".join(b for b in blocks if b is not removed)
    doc = sent_file(moderated_bot.api, edited.encode("utf-8"), name, "/publish")
    reply = texts(await moderated_bot.send(doc))
    assert reply[0].startswith(f"Published {edited.count('  - id: ')} claims as {name}. ")
    sources = {c.source.id for c in moderated_bot.knowledge.claims()}
    assert sources == {"team-briefing", name.removesuffix(".yaml")}
    published = seed_kb / name
    assert published.read_text(encoding="utf-8") == edited
    answer = await moderated_bot.reply_to(
        private_message("How many artillery shells does the Russian army consume per day according to Kyiv?")
    )
    assert "Kyiv" in answer.text and "40,000" in answer.text
    # Published again (as a reply to the file): the previous version goes to history/.
    doc2 = sent_file(moderated_bot.api, yaml_text.encode("utf-8"), name)
    reply2 = texts(await moderated_bot.send(private_message("/publish", reply_to=doc2["message"])))
    assert "replacing the previous version" in reply2[0]
    kept = list((bot_settings.data_dir / "history").iterdir())
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == edited


async def test_a_broken_file_gets_every_file_line_col_problem_and_changes_nothing(moderated_bot, seed_kb):
    before = sorted(p.name for p in seed_kb.iterdir())
    broken = b"source:\n  id: x\n  outlet: AFP\nclaims:\n  - id: a\n    statement: S.\n    colour: red\n"
    doc = sent_file(moderated_bot.api, broken, "mine.yaml", "/publish")
    reply = texts(await moderated_bot.send(doc))
    assert reply[0].startswith("❌ Not published: 3 problem(s); nothing changed.")
    assert "mine.yaml:7:5: unknown key &#x27;colour&#x27; in claims[0]" in reply[0]
    assert "mine.yaml:5:5: missing required field &#x27;claims[0].attributed_to&#x27;" in reply[0]
    assert sorted(p.name for p in seed_kb.iterdir()) == before


async def test_a_published_claim_id_already_used_by_another_file_is_refused(moderated_bot, seed_kb):
    clash = (
        b"source:\n  id: other\n  outlet: AFP\nclaims:\n  - id: army-daily-shells\n    statement: S.\n"
        b"    attributed_to: X\n    questions: [Q?]\n"
    )
    doc = sent_file(moderated_bot.api, clash, "other.yaml", "/publish")
    reply = texts(await moderated_bot.send(doc))[0]
    assert "other.yaml:5:9: claim id &#x27;army-daily-shells&#x27; is already used at" in reply
    assert not (seed_kb / "other.yaml").exists()


async def test_non_moderators_cannot_draft_or_publish(moderated_bot, seed_kb):
    before = sorted(p.name for p in seed_kb.iterdir())
    assert (await moderated_bot.reply_to(private_message("/draft " + ARTICLE, sender=BOB))).text == MODERATORS_ONLY
    doc = sent_file(moderated_bot.api, b"source: {}\n", "x.yaml", "/publish", sender=BOB)
    calls = await moderated_bot.send(doc)
    assert texts(calls) == [MODERATORS_ONLY]
    assert not [c for c in calls if c.method == "download"]
    assert sorted(p.name for p in seed_kb.iterdir()) == before


async def test_a_document_over_the_size_limit_is_not_downloaded(bot_settings, bot_api):
    settings = bot_settings.model_copy(update={"moderators": frozenset({ALICE["id"]}), "draft_max_bytes": 100})
    async with running_bot(settings, bot_api) as bot:
        doc = sent_file(bot_api, ARTICLE.encode("utf-8"), "a.txt", "/draft")
        calls = await bot.send(doc)
        assert texts(calls) == ["That file is over 100 bytes."]
        assert not [c for c in calls if c.method in ("download", "sendDocument")]


async def test_a_second_draft_while_the_first_runs_is_turned_away(moderated_bot):
    import asyncio

    mark = moderated_bot.api.mark()
    await asyncio.gather(
        moderated_bot.send(private_message("/draft " + ARTICLE)),
        moderated_bot.send(private_message("/draft " + ARTICLE)),
    )
    calls = moderated_bot.api.calls[mark:]
    assert texts(calls).count("You already have a draft running; wait for it to finish.") == 1
    assert len([c for c in calls if c.method == "sendDocument"]) == 1


async def test_without_the_extra_draft_says_in_one_line_how_to_install_it(moderated_bot, monkeypatch):
    import handlers.drafting
    import knowledge.drafting.draft as drafting

    def missing():
        raise drafting.DraftUnavailable(drafting.INSTALL_HINT)

    monkeypatch.setattr(handlers.drafting, "load_pipeline", missing)
    reply = await moderated_bot.reply_to(private_message("/draft " + ARTICLE))
    assert reply.text == "Drafting needs the optional extra: pip install &#x27;groundbot[draft]&#x27;"
