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

Register with ``*drafting.handlers(settings)`` before the private-chat catch-alls. The
logic is in ``knowledge.draft`` and ``knowledge.publishing``; this module only moves bytes.
"""

from __future__ import annotations

import asyncio
from html import escape
from pathlib import Path
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, MessageHandler, filters

from handlers import access
from handlers.moderation import reload_messages
from handlers.reload import reloader
from handlers.state import KNOWLEDGE, SETTINGS

COMMANDS = ("draft", "publish")
ASK_FOR_ARTICLE = "Send me the article now: paste its text, forward it, or send a .txt file."
TOO_MANY = "You already have a draft running; wait for it to finish."
NOT_TEXT = "Send the article as plain text or a .txt file (UTF-8)."
NO_FILE = "Send the edited .yaml file with the caption /publish, or reply /publish to it."
MAX_PROBLEMS = 30  # listed in the reply; `groundbot check` shows the rest


class _Awaiting(filters.MessageFilter):
    """A private text message from a moderator who sent /draft alone and owes the article."""

    def __init__(self) -> None:
        super().__init__(name="AwaitingArticle")
        self.users: set[int] = set()

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and message.from_user.id in self.users


def handlers(settings: Any) -> list[BaseHandler]:
    """/draft and /publish for moderators in private chats, then "moderators only" for anyone else."""
    moderators = access.moderators_filter(access.Access.from_settings(settings)) & filters.ChatType.PRIVATE
    awaiting = _Awaiting()
    running: dict[int, int] = {}
    limit = getattr(settings, "drafts_per_moderator", 1)

    async def draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/draft TEXT, a .txt with caption /draft, or /draft then the article."""
        message = update.effective_message
        user = update.effective_user.id
        awaiting.users.discard(user)
        if message.document is not None:
            text = await _read_document(message, context, ".txt")
            if text is None:
                return
        else:
            command_text = message.text or ""
            text = command_text.split(maxsplit=1)[1] if len(command_text.split(maxsplit=1)) > 1 else ""
            if not text.strip():
                awaiting.users.add(user)
                await message.reply_text(ASK_FOR_ARTICLE)
                return
        await _draft_and_reply(message, context, text, user)

    async def article(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The article a moderator sends (or forwards) after /draft."""
        message = update.effective_message
        awaiting.users.discard(update.effective_user.id)
        await _draft_and_reply(message, context, message.text or "", update.effective_user.id)

    async def _draft_and_reply(message: Message, context: ContextTypes.DEFAULT_TYPE, text: str, user: int) -> None:
        from knowledge.draft import DraftUnavailable, load_pipeline

        max_bytes = getattr(context.bot_data.get(SETTINGS), "draft_max_bytes", 200_000)
        if len(text.encode("utf-8")) > max_bytes:
            await message.reply_text(f"That article is over {max_bytes:,} bytes; send a shorter one.")
            return
        if running.get(user, 0) >= limit:
            await message.reply_text(TOO_MANY)
            return
        running[user] = running.get(user, 0) + 1
        try:
            try:
                nlp = await asyncio.to_thread(load_pipeline)
            except DraftUnavailable as err:
                await message.reply_text(escape(str(err)))
                return
            kb = context.bot_data[KNOWLEDGE]
            result = await asyncio.to_thread(_draft, text, kb, nlp, message)
        finally:
            running[user] -= 1
        summary, yaml_text, name = result
        await message.reply_text(escape(_clip(summary)))
        await message.reply_document(yaml_text.encode("utf-8"), filename=name,
                                     caption="Edit it, then send it back with the caption /publish.")

    async def publish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/publish as the caption of a .yaml, or in reply to one."""
        from knowledge.loader import KnowledgeError
        from knowledge.publishing import publish as publish_file

        message = update.effective_message
        target = message if message.document is not None else message.reply_to_message
        if target is None or target.document is None:
            await message.reply_text(NO_FILE)
            return
        raw = await _read_bytes(target, context, (".yaml", ".yml"))
        if raw is None:
            return
        settings = context.bot_data.get(SETTINGS)
        knowledge = getattr(settings, "knowledge", None)
        if knowledge is None:
            await message.reply_text("Publishing needs GROUNDBOT_KNOWLEDGE set to a knowledge directory.")
            return
        history = Path(getattr(settings, "data_dir", "data")) / "history"
        try:
            done = await asyncio.to_thread(
                publish_file, raw, target.document.file_name or "upload.yaml", Path(knowledge), history,
                max_claims=getattr(settings, "draft_max_claims", 300))
        except KnowledgeError as err:
            lines = [str(p) for p in err.problems[:MAX_PROBLEMS]]
            more = len(err.problems) - len(lines)
            text = (f"❌ Not published: {len(err.problems)} problem(s); nothing changed.\n<pre>"
                    + escape("\n".join(lines)) + "</pre>" + (f"\n…and {more} more." if more > 0 else ""))
            await message.reply_text(text)
            return
        where = done.path.name + (f", replacing the previous version (kept as history/{done.history.name})"
                                  if done.history else "")
        outcome = await reloader(context.bot_data).reload()
        prefix = f"Published {done.claims} claims as {escape(where)}. "
        for text in reload_messages(outcome, prefix=prefix):
            await message.reply_text(text)

    document = filters.Document.ALL
    return [
        CommandHandler("draft", draft, filters=moderators),
        MessageHandler(moderators & document & filters.CaptionRegex(r"^/draft(@\w+)?(\s|$)"), draft),
        CommandHandler("publish", publish, filters=moderators),
        MessageHandler(moderators & document & filters.CaptionRegex(r"^/publish(@\w+)?(\s|$)"), publish),
        MessageHandler(moderators & awaiting & filters.TEXT & ~filters.COMMAND, article),
        CommandHandler(list(COMMANDS), access.moderators_only),
        MessageHandler(document & filters.CaptionRegex(r"^/(draft|publish)(@\w+)?(\s|$)"), access.moderators_only),
    ]


def _draft(text: str, kb: Any, nlp: Any, message: Message) -> tuple[str, str, str]:
    """Draft in a worker thread: the summary, the YAML, and a file name for it."""
    from knowledge.draft import draft_article, render_yaml, summary

    existing = list(kb.claims()) if hasattr(kb, "claims") else []
    outlet = None
    origin = getattr(message, "forward_origin", None)
    chat = getattr(origin, "chat", None)
    if chat is not None and getattr(chat, "title", None):
        outlet = chat.title  # forwarded from a channel: the channel published it
    result = draft_article(text, outlet=outlet, existing=existing, nlp=nlp)
    return summary(result), render_yaml(result), f"{result.source['id']}.yaml"


async def _read_bytes(message: Message, context: ContextTypes.DEFAULT_TYPE, suffixes: tuple[str, ...]) -> bytes | None:
    doc = message.document
    max_bytes = getattr(context.bot_data.get(SETTINGS), "draft_max_bytes", 200_000)
    name = (doc.file_name or "").lower()
    if not name.endswith(suffixes):
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


async def _read_document(message: Message, context: ContextTypes.DEFAULT_TYPE, suffix: str) -> str | None:
    raw = await _read_bytes(message, context, (suffix,))
    if raw is None:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        await message.reply_text(NOT_TEXT)
        return None


def _clip(text: str, limit: int = 3900) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
