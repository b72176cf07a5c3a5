"""Moderator commands: /reload, /unanswered [days] and /stats [days]; and telling moderators of reloads.

Only moderators (``GROUNDBOT_MODERATORS``) reach these callbacks; everyone else gets
``access.moderators_only``. The reports are built in ``knowledge.reports`` and rendered
here; everything from files or users is escaped before it goes into HTML.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseHandler, CommandHandler, ContextTypes

from handlers import access
from handlers.reload import Reload, reloader, snapshot
from handlers.render import LIMIT, units
from handlers.state import EVENTS, SETTINGS, events, knowledge
from knowledge.reports import stats_text, unanswered_text

logger = logging.getLogger(__name__)

COMMANDS = ("reload", "unanswered", "stats")
DEFAULT_DAYS = 7
MAX_IDS = 30  # claim ids listed per kind of change
MAX_MESSAGES = 3  # of problems after a failed reload; the rest is for `groundbot check`
WATCHER = "knowledge_watcher"


def handlers(settings: Any) -> list[BaseHandler]:
    """The moderator commands, then the "moderators only" reply for everyone else."""
    moderators = access.moderators_filter(access.Access.from_settings(settings))
    return [
        CommandHandler("reload", reload, filters=moderators),
        CommandHandler("unanswered", unanswered, filters=moderators),
        CommandHandler("stats", stats, filters=moderators),
        CommandHandler(list(COMMANDS), access.moderators_only),
    ]


# --- /reload ---------------------------------------------------------------------------


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: re-read the knowledge and swap it in only if it all loads."""
    outcome = await reloader(context.bot_data).reload()
    for text in reload_messages(outcome):
        await update.effective_message.reply_text(text)


def _ids(kind: str, ids: Sequence[str]) -> str:
    shown = ", ".join(f"<code>{escape(i)}</code>" for i in ids[:MAX_IDS])
    more = f" …and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else ""
    return f"{kind} ({len(ids)}): {shown}{more}"


def reload_messages(outcome: Reload, *, prefix: str = "") -> list[str]:
    """The reply to a reload, in HTML: what changed, or every problem (over a few messages if need be)."""
    size = f"{outcome.claims} claim(s) from {outcome.sources} source(s)"
    if outcome.ok:
        changes = outcome.changes
        if not changes:
            return [f"{prefix}✅ Reloaded: nothing changed. Serving {size}."]
        lines = [f"{prefix}✅ Reloaded. Serving {size}."]
        for kind, ids in (("Added", changes.added), ("Removed", changes.removed), ("Edited", changes.edited)):
            if ids:
                lines.append(_ids(kind, ids))
        return ["\n".join(lines)]
    problems = [escape(str(p)) for p in outcome.problems]
    head = (f"{prefix}❌ Reload failed with {len(problems)} problem(s); nothing changed. "
            f"Still answering from the last good knowledge ({size}).")
    return _pre_chunks(head, problems)


def _pre_chunks(head: str, lines: list[str]) -> list[str]:
    """``head`` then ``lines`` in <pre> blocks, split to fit Telegram's limit, at most MAX_MESSAGES."""
    budget = LIMIT - 100  # room for the tags and the "…and N more" line
    chunks: list[list[str]] = [[]]
    used = units(head)
    for i, line in enumerate(lines):
        line = line if units(line) < budget // 2 else line[: budget // 2] + "…"
        if used + units(line) + 1 > budget:
            if len(chunks) == MAX_MESSAGES:
                rest = len(lines) - i
                chunks[-1].append(f"…and {rest} more. Run `groundbot check` on the server for every one.")
                break
            chunks.append([])
            used = 0
        chunks[-1].append(line)
        used += units(line) + 1
    texts = [f"<pre>{chr(10).join(chunk)}</pre>" for chunk in chunks if chunk]
    return [f"{head}\n{texts[0]}" if texts else head, *texts[1:]]


async def tell_moderators(bot: Bot, moderators: Iterable[int], texts: Sequence[str]) -> None:
    """Send ``texts`` to each moderator's private chat; one who never started the bot is skipped."""
    for user_id in moderators:
        for text in texts:
            try:
                await bot.send_message(user_id, text)
            except TelegramError as err:
                logger.warning("Could not tell moderator %s about a reload: %s", user_id, type(err).__name__)
                break


def start_watching(app: Application) -> None:
    """If GROUNDBOT_WATCH_KNOWLEDGE is on, reload whenever the knowledge files change (call in post_init)."""
    settings = app.bot_data.get(SETTINGS)
    if not getattr(settings, "watch_knowledge", False):
        return
    moderators = sorted(settings.moderators)

    async def report(outcome: Reload) -> None:
        await tell_moderators(app.bot, moderators, reload_messages(outcome, prefix="Knowledge files changed. "))

    interval = getattr(settings, "watch_interval", 2.0)
    watcher = reloader(app.bot_data)
    # The files as just loaded: a change made from now on, however soon, is a change.
    watcher.seen = snapshot(watcher.path)
    task = asyncio.create_task(watcher.watch(interval, report), name="groundbot knowledge watcher")
    app.bot_data[WATCHER] = task
    logger.info("Watching %s for changes every %gs", watcher.path, interval)


async def stop_watching(app: Application) -> None:
    """Stop the watcher started by start_watching, if any (call in post_stop or post_shutdown)."""
    task = app.bot_data.pop(WATCHER, None)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


# --- /unanswered and /stats --------------------------------------------------------------


USAGE = "Usage: /{command} [days], e.g. /{command} 30 (default {default}; 0 or all: all time)."


def _days(args: list[str] | None) -> float | None | str:
    """The period asked for: a number of days, None for all time, or "bad"."""
    if not args:
        return DEFAULT_DAYS
    word = args[0].strip().lower()
    if word in ("all", "0"):
        return None
    # ASCII digits only: str.isdigit() also takes "²" and "①", which int() then rejects.
    if word.isascii() and word.isdigit() and 0 < int(word) <= 36500:
        return int(word)
    return "bad"


def _report_html(text: str) -> str:
    """A plain report as HTML: its first line bold, everything escaped, whole lines up to one message."""
    head, *lines = text.split("\n")
    out = [f"<b>{escape(head)}</b>"]
    used = units(out[0])
    for i, line in enumerate(lines):
        html = escape(line)
        # Room for the closing "…and N more lines" note.
        if used + units(html) + 1 > LIMIT - 40:
            out.append(f"…and {len(lines) - i} more line(s).")
            break
        out.append(html)
        used += units(html) + 1
    return "\n".join(out)


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered [days]: refused and 👎 questions, grouped, most asked first, with the nearest claim."""
    days = _days(context.args)
    if days == "bad":
        await update.effective_message.reply_text(USAGE.format(command="unanswered", default=DEFAULT_DAYS))
        return
    kb = knowledge(context)

    def statement(claim_id: str) -> str | None:
        claim = kb.claim(claim_id)
        return claim.statement if claim else None

    # Grouping is CPU work over the whole period: keep it off the event loop.
    groups = await asyncio.to_thread(events(context).unanswered, days)
    text = await asyncio.to_thread(unanswered_text, groups, days, statement)
    await update.effective_message.reply_text(_report_html(text))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [days]: questions, answered / ambiguous / refused shares, picks, top claims, feedback."""
    days = _days(context.args)
    if days == "bad":
        await update.effective_message.reply_text(USAGE.format(command="stats", default=DEFAULT_DAYS))
        return
    result = await asyncio.to_thread(context.bot_data[EVENTS].stats, days)
    await update.effective_message.reply_text(_report_html(stats_text(result, days)))
