"""/draft and /publish against a real `groundbot run` process and a fake Bot API on 127.0.0.1.

Files go over HTTP as with Telegram: the moderator's article and edited YAML are fetched
with getFile and /file/bot<token>/, the draft comes back as a multipart sendDocument.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from html import escape
from pathlib import Path

import pytest
import yaml

from handlers.access import MODERATORS_ONLY
from knowledge.drafting.draft import MODEL
from tests.conftest import SEED_KNOWLEDGE
from tests.telegram_fakes import ALICE, BOB, Call, FakeTelegram, document_message, private_message

# The seed article, read in place from the shared data beside the repository.
ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "sources" / "north-korean-munitions-article.txt"
DRAFT_EXTRA = importlib.util.find_spec("spacy") is not None and importlib.util.find_spec(MODEL) is not None
# Drafting loads spaCy and its model in the bot process: seconds on a quiet machine, more on a busy one.
DRAFTING = 60.0
YAML = "application/x-yaml"


def send(telegram: FakeTelegram, update: dict, to: int, method: str = "sendMessage", timeout: float = 15.0) -> Call:
    """Push one update and wait for the bot's ``method`` call to chat ``to``."""
    mark = telegram.api.mark()
    telegram.push(update)
    return telegram.api.wait_for(method, lambda c: c.params.get("chat_id") == to, after=mark, timeout=timeout)


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def without_claim(yaml_text: str, claim_id: str) -> str:
    """The draft with one claim deleted as a moderator would: its comment and its entry."""
    blocks = yaml_text.split("\n\n")
    kept = [b for b in blocks if f"\n  - id: {claim_id}\n" not in f"\n{b}\n"]
    assert len(kept) == len(blocks) - 1, f"claim {claim_id} is not one block of the draft"
    return "\n\n".join(kept)


def cites(reply: Call, claim: dict) -> bool:
    """Whether ``reply`` is an answer from ``claim``: its statement, "according to" its speaker.

    Case aside: a card reads "according to the United States" for "The United States".
    """
    text = reply.text.casefold()
    return (
        escape(claim["statement"], quote=False).casefold() in text
        and f"according to {escape(claim['attributed_to'], quote=False)}".casefold() in text
    )


@pytest.mark.skipif(not DRAFT_EXTRA, reason="drafting needs the [draft] extra: pip install -e '.[draft]'")
def test_a_moderator_drafts_the_article_publishes_it_edited_and_the_next_question_is_answered_from_it(
    start_bot, fake_telegram, seed_kb
):
    api = fake_telegram.api
    bot = start_bot(moderators=str(ALICE["id"]))
    article = api.upload(ARTICLE.read_bytes(), "north-korean-munitions.txt")

    # /draft with the article as a .txt document: a summary, then the YAML as a document.
    mark = api.mark()
    fake_telegram.push(document_message(article, "/draft", ALICE))
    summary = api.wait_for("sendMessage", lambda c: c.params["chat_id"] == ALICE["id"], after=mark, timeout=DRAFTING)
    assert summary.text.split(" ", 2)[1:2] == ["claims"], f"{summary.text}\n{bot.log}"
    drafted = api.wait_for("sendDocument", lambda c: c.params["chat_id"] == ALICE["id"], after=mark)
    assert any(c.method == "download" and c.status == 200 for c in api.calls[mark:])
    ((name, content),) = drafted.params["_files"].values()
    yaml_text = content.decode("utf-8")
    draft = yaml.safe_load(yaml_text)
    claims = draft["claims"]
    assert name == f"{draft['source']['id']}.yaml" and yaml_text.startswith("# DRAFT to review")
    assert len(claims) >= 20
    assert summary.text.startswith(f"{len(claims)} claims drafted from “")
    assert "need a look" in summary.text
    assert not list(seed_kb.glob(name)), "a draft is published only by /publish"

    # The speakers named by one claim alone: an answer citing one names its claim.
    speakers = Counter(c["attributed_to"] for c in claims)
    removed, kept = [c for c in claims if speakers[c["attributed_to"]] == 1][:2]

    # /publish in reply to the bot's own document, unedited: every claim goes live.
    first = send(fake_telegram, private_message("/publish", ALICE, reply_to=drafted.result), ALICE["id"])
    assert first.text.startswith(f"Published {len(claims)} claims as {name}. ✅ Reloaded. ")
    assert f"Added ({len(claims)}): " in first.text
    assert (seed_kb / name).read_bytes() == content
    asked = send(fake_telegram, private_message(removed["questions"][0], BOB), BOB["id"])
    assert cites(asked, removed), asked.text

    # The moderator deletes one claim and sends the file back with the caption /publish.
    edited = without_claim(yaml_text, removed["id"])
    upload = api.upload(edited.encode("utf-8"), name, YAML)
    second = send(fake_telegram, document_message(upload, "/publish", ALICE), ALICE["id"])
    assert second.text.startswith(f"Published {len(claims) - 1} claims as {name}, replacing the previous version")
    assert f"Removed (1): <code>{removed['id']}</code>" in second.text
    assert "Added" not in second.text
    assert (seed_kb / name).read_text(encoding="utf-8") == edited
    history = list((bot.data_dir / "history").iterdir())
    assert len(history) == 1 and history[0].read_bytes() == content

    # The next questions: the kept claim answers its own question; the deleted one is gone.
    answer = send(fake_telegram, private_message(kept["questions"][0], BOB), BOB["id"])
    assert cites(answer, kept), answer.text
    after = send(fake_telegram, private_message(removed["questions"][0], BOB), BOB["id"])
    assert escape(removed["statement"], quote=False) not in after.text, after.text


def test_a_non_moderators_draft_and_publish_are_refused_and_nothing_is_written(start_bot, fake_telegram, seed_kb):
    api = fake_telegram.api
    bot = start_bot(moderators=str(ALICE["id"]))
    before = snapshot(seed_kb)
    mark = api.mark()
    article = api.upload(ARTICLE.read_bytes(), "article.txt")
    knowledge = api.upload(SEED_KNOWLEDGE.replace("team-briefing", "bobs-briefing").encode(), "bob.yaml", YAML)

    refusals = [
        send(fake_telegram, document_message(article, "/draft", BOB), BOB["id"]),
        send(fake_telegram, private_message("/draft " + ARTICLE.read_text(encoding="utf-8")[:2000], BOB), BOB["id"]),
        send(fake_telegram, document_message(knowledge, "/publish", BOB), BOB["id"]),
    ]
    bobs_file = document_message(knowledge, None, BOB)["message"]
    refusals.append(send(fake_telegram, private_message("/publish", BOB, reply_to=bobs_file), BOB["id"]))

    assert [r.text for r in refusals] == [MODERATORS_ONLY] * 4
    assert not [c for c in api.calls[mark:] if c.method in ("getFile", "download", "sendDocument")]
    assert snapshot(seed_kb) == before
    assert not (bot.data_dir / "history").exists()
    # The store did not change: Bob's file would have added its claims under new ids.
    ask = send(fake_telegram, private_message("/reload", ALICE), ALICE["id"])
    assert ask.text.startswith("✅ Reloaded: nothing changed. Serving 4 claim(s) from 1 source(s).")


def test_broken_yaml_sent_with_publish_gets_file_line_col_problems_and_changes_nothing(
    start_bot, fake_telegram, seed_kb
):
    api = fake_telegram.api
    bot = start_bot(moderators=str(ALICE["id"]))
    before = snapshot(seed_kb)
    lines = SEED_KNOWLEDGE.replace("team-briefing", "new-briefing").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("  - id: "):
            lines[i] = line + "-new"  # ids unique against the live file, so only the breakage is reported

    # A YAML syntax error: an unclosed flow sequence.
    syntax = list(lines)
    bad = next(i for i, line in enumerate(syntax) if line.strip().startswith("statement:"))
    syntax[bad] = syntax[bad].replace("statement: ", "statement: [", 1)
    reply = send(
        fake_telegram,
        document_message(api.upload("\n".join(syntax).encode(), "syntax.yaml", YAML), "/publish", ALICE),
        ALICE["id"],
    )
    assert reply.text.startswith("❌ Not published: 1 problem(s); nothing changed.\n<pre>syntax.yaml:")
    # The parser reports an unclosed sequence where it notices it: on its line or the next.
    where = re.search(r"<pre>syntax\.yaml:(\d+):(\d+): not valid YAML: ", reply.text)
    assert where and int(where[1]) in (bad + 1, bad + 2), reply.text

    # Valid YAML, wrong knowledge: an unknown key and a claim without attributed_to.
    schema = list(lines)
    first_claim = next(i for i, line in enumerate(schema) if line.startswith("  - id: "))
    speaker = next(i for i in range(first_claim, len(schema)) if schema[i].startswith("    attributed_to:"))
    schema[speaker] = "    colour: red"
    reply = send(
        fake_telegram,
        document_message(api.upload("\n".join(schema).encode(), "schema.yaml", YAML), "/publish", ALICE),
        ALICE["id"],
    )
    assert reply.text.startswith("❌ Not published: 2 problem(s); nothing changed.")
    assert f"schema.yaml:{speaker + 1}:5: unknown key &#x27;colour&#x27; in claims[0]" in reply.text
    assert f"schema.yaml:{first_claim + 1}:5: missing required field &#x27;claims[0].attributed_to&#x27;" in reply.text

    assert snapshot(seed_kb) == before
    assert not (bot.data_dir / "history").exists()
    unchanged = send(fake_telegram, private_message("/reload", ALICE), ALICE["id"])
    assert unchanged.text.startswith("✅ Reloaded: nothing changed. Serving 4 claim(s) from 1 source(s).")
