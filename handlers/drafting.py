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
  and the reply says what changed, as /reload does. All of it under the live knowledge's
  one writer's lock (``LiveKnowledge.publish``); a file the knowledge does not load with is
  taken back out. A file that removes more than ``GROUNDBOT_PUBLISH_CONFIRM_REMOVALS``
  claims of the version it replaces waits for its moderator's confirmation button
  (``pub:<token>:<y|n>``, the token random and kept here, so forged data finds nothing).

The logic is in ``knowledge.drafting.draft`` and ``knowledge.store.publishing``; this module only moves bytes.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Sequence
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import filters

from handlers import render
from handlers.buttons import NOT_YOURS
from handlers.state import BotState, Context, PendingPublish
from knowledge import KnowledgeBase
from knowledge.drafting.draft import DraftUnavailable, draft_article, load_pipeline, render_yaml, summary
from knowledge.store.loader import Problem
from knowledge.store.publishing import Plan

COMMANDS = ("draft", "publish")
ASK_FOR_ARTICLE = "Send me the article now: paste its text, forward it, or send a .txt file."
TOO_MANY = "You already have a draft running; wait for it to finish."
NOT_TEXT = "Send the article as plain text or a .txt file (UTF-8)."
NO_FILE = "Send the edited .yaml file with the caption /publish, or reply /publish to it."
MAX_PROBLEMS = 30  # listed in the reply; `groundbot check` shows the rest
# A document whose caption is the command: CommandHandler reads a text's entities, never a caption's.
DRAFT_CAPTION = filters.CaptionRegex(r"^/draft(@\w+)?(\s|$)")
PUBLISH_CAPTION = filters.CaptionRegex(r"^/publish(@\w+)?(\s|$)")
# The confirmation button of a publish that removes claims: pub:<token>:<y|n>.
CONFIRM = re.compile(r"pub:([A-Za-z0-9_-]{12}):([yn])", re.ASCII)
CONFIRM_EXPIRED = "That confirmation has expired or was already used: send the file with /publish again."
CONFIRM_WITHIN = 3600.0  # seconds a confirmation button stays good
MAX_PENDING = 100  # publishes waiting for confirmation, at most: the oldest are forgotten


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
    assert message is not None  # registered for messages only
    target = message if message.document is not None else message.reply_to_message
    if target is None or target.document is None:
        await message.reply_text(NO_FILE)
        return
    raw = await _read_bytes(target, context, (".yaml", ".yml"))
    if raw is None:
        return
    if context.bot_data.settings.knowledge is None:
        await message.reply_text("Publishing needs GROUNDBOT_KNOWLEDGE set to a knowledge directory.")
        return
    name = target.document.file_name or "upload.yaml"
    await _publish_and_reply(message, context, raw, name, update.effective_user.id, frozenset())


async def _publish_and_reply(
    message: Message, context: Context, raw: bytes, name: str, user: int, confirmed: frozenset[str]
) -> None:
    """Publish through the live knowledge (one writer at a time) and say exactly what happened."""
    state = context.bot_data
    settings = state.settings
    assert state.live is not None  # post_init loads it before any update
    outcome = await state.live.publish(
        raw,
        name,
        history_dir=settings.data_dir / "history",
        max_claims=settings.draft_max_claims,
        confirm_over=settings.publish_confirm_removals,
        confirmed=confirmed,
    )
    if outcome.status == "confirm":
        assert outcome.plan is not None
        token = _keep_pending(state, PendingPublish(user, raw, name, frozenset(outcome.plan.removed), time.monotonic()))
        await message.reply_text(_confirm_text(outcome.plan), reply_markup=_confirm_keyboard(token, outcome.plan))
        return
    if outcome.status == "refused":
        head = f"❌ Not published: {len(outcome.problems)} problem(s); nothing changed."
        await message.reply_text(_with_problems(head, outcome.problems))
        return
    done, reloaded = outcome.published, outcome.reload
    assert done is not None and reloaded is not None
    if outcome.status == "rolled_back":
        put_back = (
            f"the previous version of {escape(done.path.name)} was restored"
            if done.history
            else f"{escape(done.path.name)} was taken back out"
        )
        head = (
            f"❌ Not published: the knowledge did not load with it ({len(outcome.problems)} problem(s)), so {put_back}; "
            f"nothing changed. Still answering from {reloaded.claims} claim(s) from {reloaded.sources} source(s)."
        )
        await message.reply_text(_with_problems(head, outcome.problems))
        return
    if outcome.status == "undo_failed":
        head = (
            f"❌ Published as {escape(done.path.name)}, but the knowledge does not load with it and the file could "
            "not be taken back out: remove it on the server. Still answering from the last good knowledge."
        )
        await message.reply_text(_with_problems(head, outcome.problems))
        return
    where = done.path.name + (
        f", replacing the previous version (kept as history/{done.history.name})" if done.history else ""
    )
    for text in render.reload_messages(reloaded, prefix=f"Published {done.claims} claims as {escape(where)}. "):
        await message.reply_text(text)


def _with_problems(head: str, problems: Sequence[Problem]) -> str:
    lines = [str(p) for p in problems[:MAX_PROBLEMS]]
    more = len(problems) - len(lines)
    return f"{head}\n<pre>" + escape("\n".join(lines)) + "</pre>" + (f"\n…and {more} more." if more > 0 else "")


def _keep_pending(state: BotState, pending: PendingPublish) -> str:
    """Keep ``pending`` under a new unguessable token; forget the stale and the oldest beyond the cap."""
    waiting = state.pending_publishes
    for token in [t for t, p in waiting.items() if pending.at - p.at > CONFIRM_WITHIN]:
        del waiting[token]
    while len(waiting) >= MAX_PENDING:
        del waiting[next(iter(waiting))]
    token = secrets.token_urlsafe(9)  # 12 characters of [A-Za-z0-9_-]: 72 random bits
    waiting[token] = pending
    return token


def _confirm_text(planned: Plan) -> str:
    removed = planned.removed
    shown = ", ".join(removed[:10]) + (f" and {len(removed) - 10} more" if len(removed) > 10 else "")
    return (
        f"⚠️ {escape(planned.name)} replaces {escape(planned.target.name)} and removes {len(removed)} of its "
        f"claims: {escape(shown)}. Publish it anyway?"
    )


def _confirm_keyboard(token: str, planned: Plan) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"Publish, removing {len(planned.removed)} claims", callback_data=f"pub:{token}:y"
                ),
                InlineKeyboardButton("Cancel", callback_data=f"pub:{token}:n"),
            ]
        ]
    )


async def confirm_publish(update: Update, context: Context) -> None:
    """The confirmation button of a publish that removes claims: publish it, or cancel it.

    Only the moderator who sent the file can press it; anything else (forged or stale data,
    another user's press) gets a clear answer and changes nothing.
    """
    query = update.callback_query
    assert query is not None  # registered for callback queries only
    found = CONFIRM.fullmatch(query.data or "")
    waiting = context.bot_data.pending_publishes
    pending = waiting.get(found.group(1)) if found else None
    if found is None or pending is None or time.monotonic() - pending.at > CONFIRM_WITHIN:
        await query.answer(CONFIRM_EXPIRED, show_alert=True)
        return
    if query.from_user.id != pending.user_id or query.from_user.id not in context.bot_data.settings.moderators:
        await query.answer(NOT_YOURS, show_alert=True)
        return
    del waiting[found.group(1)]  # one press only: a double tap finds it gone
    await query.answer()
    message = query.message
    assert isinstance(message, Message)  # the bot's own message, from this private chat
    if found.group(2) == "n":
        await query.edit_message_text(f"Not published: {escape(pending.name)}. Nothing changed.")
        return
    await query.edit_message_reply_markup(None)
    await _publish_and_reply(message, context, pending.raw, pending.name, pending.user_id, pending.removed)


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
