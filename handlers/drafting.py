"""/draft and /publish: moderators draft a knowledge file from an article and publish it, in private.

- ``/draft`` followed by the article's text, a ``.txt`` document with the caption ``/draft``,
  or ``/draft`` alone and then the article (pasted or forwarded) as the next message: the
  reply is a summary (who says what, how many claims need a look) and the drafted YAML as
  a document. Drafting runs in a worker thread; one moderator has at most
  ``GROUNDBOT_DRAFTS_PER_MODERATOR`` drafts running.
- The edited ``.yaml`` sent back with the caption ``/publish``, or ``/publish`` in reply to
  it: validated as ``groundbot check`` does (every ``file:line:col`` problem is replied and
  nothing changes), written atomically into the knowledge directory (the previous version
  of the same ``source.id`` kept under the data directory's ``history/``), then reloaded,
  and the reply says what changed, as /reload does.

The logic is in ``knowledge.drafting.draft`` and ``knowledge.store.publishing``; this module only moves bytes.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

from telegram import Message, Update
from telegram.ext import filters

from handlers import render
from handlers.state import Context
from knowledge import KnowledgeBase
from knowledge.drafting.draft import DraftUnavailable, draft_article, load_pipeline, render_yaml, summary
from knowledge.store.loader import KnowledgeError
from knowledge.store.publishing import publish as publish_file

COMMANDS = ("draft", "publish")
ASK_FOR_ARTICLE = "Send me the article now: paste its text, forward it, or send a .txt file."
TOO_MANY = "You already have a draft running; wait for it to finish."
NOT_TEXT = "Send the article as plain text or a .txt file (UTF-8)."
NO_FILE = "Send the edited .yaml file with the caption /publish, or reply /publish to it."
MAX_PROBLEMS = 30  # listed in the reply; `groundbot check` shows the rest
# A document whose caption is the command: CommandHandler reads a text's entities, never a caption's.
DRAFT_CAPTION = filters.CaptionRegex(r"^/draft(@\w+)?(\s|$)")
PUBLISH_CAPTION = filters.CaptionRegex(r"^/publish(@\w+)?(\s|$)")


class AwaitingArticle(filters.MessageFilter):
    """A message from a moderator who sent /draft alone and owes the article.

    ``users`` is the application's ``BotState.awaiting_article``, which the callbacks update.
    """

    def __init__(self, users: set[int]) -> None:
        super().__init__(name="AwaitingArticle")
        self.users = users

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and message.from_user.id in self.users


async def draft(update: Update, context: Context) -> None:
    """/draft TEXT, a .txt with caption /draft, or /draft then the article."""
    message = update.effective_message
    assert message is not None  # registered for messages only
    user = update.effective_user.id
    awaiting = context.bot_data.awaiting_article
    awaiting.discard(user)
    if message.document is not None:
        text = await _read_text(message, context)
        if text is None:
            return
    else:
        parts = (message.text or "").split(maxsplit=1)
        text = parts[1] if len(parts) > 1 else ""
        if not text.strip():
            awaiting.add(user)
            await message.reply_text(ASK_FOR_ARTICLE)
            return
    await _draft_and_reply(message, context, text, user)


async def article(update: Update, context: Context) -> None:
    """The article a moderator sends (or forwards) after /draft alone."""
    context.bot_data.awaiting_article.discard(update.effective_user.id)
    message = update.effective_message
    assert message is not None  # registered for messages only
    await _draft_and_reply(message, context, message.text or "", update.effective_user.id)


async def _draft_and_reply(message: Message, context: Context, text: str, user: int) -> None:
    state = context.bot_data
    settings = state.settings
    if len(text.encode("utf-8")) > settings.draft_max_bytes:
        await message.reply_text(f"That article is over {settings.draft_max_bytes:,} bytes; send a shorter one.")
        return
    if state.drafts_running.get(user, 0) >= settings.drafts_per_moderator:
        await message.reply_text(TOO_MANY)
        return
    state.drafts_running[user] = state.drafts_running.get(user, 0) + 1
    try:
        try:
            nlp = await asyncio.to_thread(load_pipeline)
        except DraftUnavailable as err:
            await message.reply_text(escape(str(err)))
            return
        outlet = _forwarded_from(message)
        drafted = await asyncio.to_thread(_draft, text, state.knowledge, nlp, outlet)
    finally:
        state.drafts_running[user] -= 1
    summary_text, yaml_text, name = drafted
    await message.reply_text(escape(render.shorten(summary_text, render.LIMIT - 200)))
    await message.reply_document(
        yaml_text.encode("utf-8"), filename=name, caption="Edit it, then send it back with the caption /publish."
    )


async def publish(update: Update, context: Context) -> None:
    """/publish as the caption of a .yaml, or in reply to one."""
    message = update.effective_message
    target = message if message.document is not None else message.reply_to_message
    if target is None or target.document is None:
        await message.reply_text(NO_FILE)
        return
    raw = await _read_bytes(target, context, (".yaml", ".yml"))
    if raw is None:
        return
    state = context.bot_data
    settings = state.settings
    if settings.knowledge is None:
        await message.reply_text("Publishing needs GROUNDBOT_KNOWLEDGE set to a knowledge directory.")
        return
    try:
        done = await asyncio.to_thread(
            publish_file,
            raw,
            target.document.file_name or "upload.yaml",
            settings.knowledge,
            settings.data_dir / "history",
            max_claims=settings.draft_max_claims,
        )
    except KnowledgeError as err:
        lines = [str(p) for p in err.problems[:MAX_PROBLEMS]]
        more = len(err.problems) - len(lines)
        text = (
            f"❌ Not published: {len(err.problems)} problem(s); nothing changed.\n<pre>"
            + escape("\n".join(lines))
            + "</pre>"
            + (f"\n…and {more} more." if more > 0 else "")
        )
        await message.reply_text(text)
        return
    where = done.path.name + (
        f", replacing the previous version (kept as history/{done.history.name})" if done.history else ""
    )
    assert state.live is not None  # post_init loads it before any update
    outcome = await state.live.reload()
    for text in render.reload_messages(outcome, prefix=f"Published {done.claims} claims as {escape(where)}. "):
        await message.reply_text(text)


def _forwarded_from(message: Message) -> str | None:
    """The channel an article was forwarded from: the channel published it."""
    chat = getattr(message.forward_origin, "chat", None)
    return getattr(chat, "title", None) or None


def _draft(text: str, kb: KnowledgeBase, nlp: Any, outlet: str | None) -> tuple[str, str, str]:
    """Draft in a worker thread: the summary, the YAML, and a file name for it."""
    result = draft_article(text, outlet=outlet, existing=kb.claims(), nlp=nlp)
    return summary(result), render_yaml(result), f"{result.source['id']}.yaml"


async def _read_bytes(message: Message, context: Context, suffixes: tuple[str, ...]) -> bytes | None:
    doc = message.document
    assert doc is not None  # the callers' filters and checks guarantee a document
    max_bytes = context.bot_data.settings.draft_max_bytes
    if not (doc.file_name or "").lower().endswith(suffixes):
        await message.reply_text(f"Send a {' or '.join(suffixes)} file.")
        return None
    if doc.file_size is not None and doc.file_size > max_bytes:
        await message.reply_text(f"That file is over {max_bytes:,} bytes.")
        return None
    file = await context.bot.get_file(doc.file_id)
    raw = bytes(await file.download_as_bytearray())
    if len(raw) > max_bytes:
        await message.reply_text(f"That file is over {max_bytes:,} bytes.")
        return None
    return raw


async def _read_text(message: Message, context: Context) -> str | None:
    raw = await _read_bytes(message, context, (".txt",))
    if raw is None:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        await message.reply_text(NOT_TEXT)
        return None
