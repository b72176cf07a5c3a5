"""One writer of the knowledge directory: /publish, /reload and the watcher take turns.

Issue 26, item 3. Two moderators' files sent together used to be validated against the
same directory and both written, after which nothing loaded; a publish the knowledge does
not load with used to stay in the directory. Through the real Application, the recording
Bot API, real files, and the real `groundbot check` / `groundbot run --check` afterwards.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
from pathlib import Path

import pytest

from handlers.buttons import NOT_YOURS
from handlers.drafting import CONFIRM_EXPIRED
from tests.conftest import ANSWERED, SEED_KNOWLEDGE
from tests.telegram_fakes import (
    ALICE,
    BOB,
    TOKEN,
    callback,
    document_message,
    groundbot_command,
    private_message,
    running_bot,
)

MALLORY = {"id": 6660666, "is_bot": False, "first_name": "Mallory"}


def knowledge_file(source_id: str, *claims: str) -> bytes:
    """A valid knowledge file of ``source_id`` holding one claim per id in ``claims``."""
    lines = ["source:", f"  id: {source_id}", "  outlet: Team News", "claims:"]
    for n, claim_id in enumerate(claims):
        lines += [
            f"  - id: {claim_id}",
            f"    statement: The depot number {n} of {source_id} holds {n + 3} trucks.",
            "    attributed_to: Colonel Gamma",
            "    questions:",
            f"      - How many trucks does depot {n} of {source_id} hold?",
        ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def texts(calls) -> list[str]:
    return [c.text or "" for c in calls if c.method in ("sendMessage", "editMessageText")]


def toast(calls) -> str | None:
    [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
    return answer.params.get("text")


def groundbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*groundbot_command(), *args], capture_output=True, text=True, env=env, timeout=120)


def assert_directory_loads(kb: Path, data_dir: Path) -> None:
    """`groundbot check` and `groundbot run --check` both exit 0 on the knowledge directory."""
    import os

    checked = groundbot("check", str(kb))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDBOT_")}
    env.update(
        GROUNDBOT_TOKEN=TOKEN,
        GROUNDBOT_KNOWLEDGE=str(kb),
        GROUNDBOT_DATA_DIR=str(data_dir),
        GROUNDBOT_SEMANTIC="false",
    )
    ready = groundbot("run", "--check", env=env)
    assert ready.returncode == 0, ready.stdout + ready.stderr


@pytest.fixture
def moderated(bot_settings):
    """Alice and Bob both moderate (two moderators publishing at once)."""
    return bot_settings.model_copy(update={"moderators": frozenset({ALICE["id"], BOB["id"]})})


@pytest.mark.parametrize(
    "first, second",
    [
        # a new claim id shared by two new sources
        (knowledge_file("twin-a", "twin-claim"), knowledge_file("twin-b", "twin-claim")),
        # the same new source.id, different claims: the second replaces the first
        (knowledge_file("twin", "twin-one"), knowledge_file("twin", "twin-two")),
        # the same new source.id and a shared claim id
        (knowledge_file("twin", "twin-one", "twin-shared"), knowledge_file("twin", "twin-shared", "twin-two")),
    ],
    ids=["shared-claim-id", "same-source-id", "both"],
)
async def test_two_publishes_raced_leave_a_directory_that_loads_and_say_what_happened(
    moderated, seed_kb, tmp_path, first, second
):
    async with running_bot(moderated) as bot:
        api = bot.api
        updates = [
            document_message(api.upload(first, "twin.yaml"), "/publish", ALICE),
            document_message(api.upload(second, "twin.yaml"), "/publish", BOB),
        ]
        mark = api.mark()
        await asyncio.gather(*(bot.send(u) for u in updates))
        # Each moderator's reply, in their private chat.
        said = [
            [c.text or "" for c in api.calls[mark:] if c.method == "sendMessage" and c.params["chat_id"] == who["id"]]
            for who in (ALICE, BOB)
        ]
        assert all(len(s) == 1 for s in said), said
        published = [s[0] for s in said if s[0].startswith("Published ")]
        refused = [s[0] for s in said if s[0].startswith("❌ Not published")]
        assert len(published) + len(refused) == 2 and published, said
        for text in refused:  # the later one was checked against the earlier one's file
            assert "is already used at" in text and "nothing changed" in text
        # What the bot serves is what the directory holds.
        live = bot.knowledge
        assert {c.id for c in live.claims()} == {c.id for c in live.__class__.load(seed_kb).claims()}
        outcome = await bot.app.bot_data.live.reload()
        assert outcome.ok and not outcome.changes
    assert_directory_loads(seed_kb, tmp_path / "check-data")


async def test_a_publish_the_knowledge_does_not_load_with_is_taken_back_out(moderated, seed_kb, monkeypatch):
    async with running_bot(moderated) as bot:
        before = sorted(p.name for p in seed_kb.iterdir())
        claims = len(bot.knowledge)
        # The file is valid, but building the new store fails: it is built in a temporary
        # file, and the temporary directory is gone.
        monkeypatch.setattr(tempfile, "tempdir", str(seed_kb.parent / "no-such-directory"))
        doc = document_message(bot.api.upload(knowledge_file("depot", "depot-one"), "depot.yaml"), "/publish")
        [reply] = texts(await bot.send(doc))
        monkeypatch.undo()
        assert reply.startswith(
            "❌ Not published: the knowledge did not load with it (1 problem(s)), so depot.yaml "
            "was taken back out; nothing changed. Still answering from 4 claim(s) from 1 source(s)."
        )
        assert "could not load the knowledge" in reply
        assert sorted(p.name for p in seed_kb.iterdir()) == before
        assert len(bot.knowledge) == claims
        assert "50,000" in (await bot.reply_to(private_message(ANSWERED, BOB))).text


async def test_a_replacing_publish_that_fails_to_load_restores_the_previous_version(moderated, seed_kb, monkeypatch):
    async with running_bot(moderated) as bot:
        original = (seed_kb / "team.yaml").read_bytes()
        edited = SEED_KNOWLEDGE.replace("50,000", "60,000").encode("utf-8")
        monkeypatch.setattr(tempfile, "tempdir", str(seed_kb.parent / "no-such-directory"))
        doc = document_message(bot.api.upload(edited, "team.yaml"), "/publish")
        [reply] = texts(await bot.send(doc))
        monkeypatch.undo()
        assert "so the previous version of team.yaml was restored; nothing changed." in reply
        assert (seed_kb / "team.yaml").read_bytes() == original
        history = moderated.data_dir / "history"
        assert not history.exists() or not list(history.iterdir())  # the version in service is no history
        assert "50,000" in (await bot.reply_to(private_message(ANSWERED, BOB))).text


@pytest.fixture
def confirming(moderated):
    return moderated.model_copy(update={"publish_confirm_removals": 1})


SHRUNK = SEED_KNOWLEDGE.split("  - id: budget-forecast-high")[0].encode("utf-8")  # 1 of the 4 claims left


async def test_a_publish_removing_claims_asks_first_and_publishes_on_the_button(confirming, seed_kb):
    async with running_bot(confirming) as bot:
        original = (seed_kb / "team.yaml").read_bytes()
        calls = await bot.send(document_message(bot.api.upload(SHRUNK, "team.yaml"), "/publish"))
        [ask] = [c for c in calls if c.method == "sendMessage"]
        assert ask.text == (
            "⚠️ team.yaml replaces team.yaml and removes 3 of its claims: budget-forecast-high, "
            "budget-forecast-low, profits-and-costs. Publish it anyway?"
        )
        yes, no = ask.callback_data
        assert yes.startswith("pub:") and yes.endswith(":y") and no.endswith(":n")
        assert (seed_kb / "team.yaml").read_bytes() == original  # nothing written yet
        assert len(bot.knowledge) == 4

        calls = await bot.send(callback(yes))
        assert toast(calls) is None
        said = texts(calls)
        assert said[-1].startswith("Published 1 claims as team.yaml, replacing the previous version")
        assert "Removed (3)" in said[-1]
        assert (seed_kb / "team.yaml").read_bytes() == SHRUNK
        assert len(bot.knowledge) == 1
        # The button is used up: a second press (a double tap) changes nothing more.
        assert toast(await bot.send(callback(yes))) == CONFIRM_EXPIRED


async def test_cancel_on_the_confirmation_changes_nothing(confirming, seed_kb):
    async with running_bot(confirming) as bot:
        original = (seed_kb / "team.yaml").read_bytes()
        ask = await bot.reply_to(document_message(bot.api.upload(SHRUNK, "team.yaml"), "/publish"))
        _, no = ask.callback_data
        calls = await bot.send(callback(no))
        assert texts(calls) == ["Not published: team.yaml. Nothing changed."]
        assert (seed_kb / "team.yaml").read_bytes() == original and len(bot.knowledge) == 4


async def test_forged_confirmation_data_gets_a_clear_answer_and_changes_nothing(confirming, seed_kb):
    async with running_bot(confirming) as bot:
        original = (seed_kb / "team.yaml").read_bytes()
        ask = await bot.reply_to(document_message(bot.api.upload(SHRUNK, "team.yaml"), "/publish"))
        yes, _ = ask.callback_data
        token = yes.split(":")[1]
        # Another moderator, and someone who is not one, press Alice's button.
        for sender in (BOB, MALLORY):
            calls = await bot.send(callback(yes, sender=sender))
            assert toast(calls) == NOT_YOURS
            assert [c.method for c in calls] == ["answerCallbackQuery"]
        # Guessed or garbled data: expired, nothing else.
        for data in (
            "pub:AAAAAAAAAAAA:y",
            f"pub:{token}:x",
            f"pub:{token}",
            "pub:" + "A" * 64 + ":y",
            "pub::y",
            f"pub:{token}:y:extra",
            "pub:\x00\xff",
        ):
            calls = await bot.send(callback(data))
            assert toast(calls) == CONFIRM_EXPIRED
            assert [c.method for c in calls] == ["answerCallbackQuery"]
        assert (seed_kb / "team.yaml").read_bytes() == original and len(bot.knowledge) == 4
        # Alice's own button still works after all that.
        await bot.send(callback(yes))
        assert (seed_kb / "team.yaml").read_bytes() == SHRUNK


async def test_a_publish_removing_few_claims_needs_no_confirmation(moderated, seed_kb):
    fewer = SEED_KNOWLEDGE.split("  - id: profits-and-costs")[0].encode("utf-8")  # 1 claim removed
    async with running_bot(moderated) as bot:
        [reply] = texts(await bot.send(document_message(bot.api.upload(fewer, "team.yaml"), "/publish")))
        assert reply.startswith("Published 3 claims as team.yaml")


# --- control characters: refused by the schema in check, /publish and reload alike -----------

CONTROLLED = [
    ("statement", '"The depot holds\\0 300 trucks."', "U+0000"),
    ("statement", '"The depot holds \\e[31m300 trucks."', "U+001B"),
    ("question", '"How many trucks\\x07 does the depot hold?"', "U+0007"),
    ("question", '"How many trucks does the\\x9b depot hold?"', "U+009B"),
]


def controlled_file(where: str, value: str) -> str:
    statement = value if where == "statement" else "The depot holds 300 trucks."
    question = value if where == "question" else "How many trucks does the depot hold?"
    return (
        "source:\n  id: depot\n  outlet: Team News\nclaims:\n  - id: depot-trucks\n"
        f"    statement: {statement}\n    attributed_to: Colonel Gamma\n    questions:\n      - {question}\n"
    )


@pytest.mark.parametrize("where, value, code", CONTROLLED)
def test_check_refuses_control_characters(tmp_path, where, value, code):
    (tmp_path / "depot.yaml").write_text(controlled_file(where, value), encoding="utf-8")
    checked = groundbot("check", str(tmp_path))
    assert checked.returncode == 1
    field = "claims[0].statement" if where == "statement" else "claims[0].questions[0]"
    line = 6 if where == "statement" else 9
    assert (
        f"depot.yaml:{line}:" in checked.stdout and f"{field}: contains the control character {code}" in checked.stdout
    )


@pytest.mark.parametrize("where, value, code", CONTROLLED[:2] + CONTROLLED[2:3])
async def test_publish_and_reload_refuse_control_characters(moderated, seed_kb, where, value, code):
    async with running_bot(moderated) as bot:
        raw = controlled_file(where, value).encode("utf-8")
        [reply] = texts(await bot.send(document_message(bot.api.upload(raw, "depot.yaml"), "/publish")))
        assert reply.startswith("❌ Not published: 1 problem(s); nothing changed.")
        assert f"contains the control character {code}" in reply
        assert not (seed_kb / "depot.yaml").exists()
        # Dropped into the directory by hand instead: /reload refuses it the same way.
        (seed_kb / "depot.yaml").write_bytes(raw)
        [reloaded] = texts(await bot.send(private_message("/reload")))
        assert reloaded.startswith("❌ Reload failed with 1 problem(s); nothing changed.")
        assert f"contains the control character {code}" in reloaded
        assert bot.knowledge.claim("depot-trucks") is None
