"""Inline mode: ``@bot words`` in any chat lists matching claims; picking one posts its card.

What people type on the way ("who", "who sa", "who said…") is never logged: each
keystroke is an inline query, and the fragments would bury /unanswered. A card actually
posted is logged, when the bot owner has turned on inline feedback (BotFather's
/setinlinefeedback): Telegram then sends a ``chosen_inline_result`` for each one (or for
the share the owner chose).
"""

from __future__ import annotations

import hashlib
import time

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update

from handlers import render
from handlers.ask import record_question
from handlers.state import Context
from knowledge import Answer, Candidate

# Results change on /reload: let Telegram cache them only briefly.
CACHE_SECONDS = 30
MAX_RESULTS = 5


def matching(answer: Answer, answer_score: float) -> list[Candidate]:
    """The claims worth offering for an inline query: never anything for a refused one.

    Answered: the answer first, then other candidates that would themselves pass the
    answer score. Ambiguous: the "Did you mean…" options. Refused: nothing at all.
    """
    if answer.status == "answered" and answer.claim is not None:
        rest = [c for c in answer.candidates if c.claim.id != answer.claim.id and c.score >= answer_score]
        return [Candidate(answer.claim, answer.score), *rest][:MAX_RESULTS]
    if answer.status == "ambiguous":
        return list(answer.options)
    return []


def result_id(claim_id: str) -> str:
    """A stable inline result id within Telegram's 64 bytes, whatever the claim id's length."""
    return hashlib.blake2b(claim_id.encode(), digest_size=16).hexdigest()


async def _offered(context: Context, words: str) -> tuple[Answer, list[Candidate]]:
    """The answer to an inline query's words, and the claims listed for it."""
    answer = await context.bot_data.answer(words)
    return answer, matching(answer, context.bot_data.knowledge.matcher.answer_score)


async def inline_query(update: Update, context: Context) -> None:
    """List the claims matching the typed words, each posting its full card."""
    query = update.inline_query
    words = " ".join(query.query.split())
    if not words:
        await query.answer(
            [],
            cache_time=CACHE_SECONDS,
            button=InlineQueryResultsButton("Type a question to find a sourced claim", start_parameter="help"),
        )
        return
    _, found = await _offered(context, words)
    results = [
        InlineQueryResultArticle(
            id=result_id(c.claim.id),
            title=render.shorten(c.claim.statement, 100),
            description=render.inline_description(c.claim),
            input_message_content=InputTextMessageContent(render.card(c.claim)),
        )
        for c in found
    ]
    button = (
        None if results else InlineQueryResultsButton("No sourced answer. See what I cover", start_parameter="topics")
    )
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False, button=button)


async def chosen(update: Update, context: Context) -> None:
    """A card posted from inline results: log its query, and a pick when it was a "Did you mean…" option."""
    result = update.chosen_inline_result
    words = " ".join(result.query.split())
    if not words:
        return
    started = time.perf_counter()
    answer, found = await _offered(context, words)
    latency_ms = (time.perf_counter() - started) * 1000
    posted = next((c.claim.id for c in found if result_id(c.claim.id) == result.result_id), None)
    # Matched again against the store as it is now: a card listed before a /reload that this
    # store would not list is left out, rather than logged as an outcome it did not have.
    if posted is None:
        return
    event_id = record_question(update, context, answer, latency_ms, chat_type="inline")
    if answer.status == "ambiguous" and event_id is not None:
        context.bot_data.events.pick(event_id, claim_id=posted, user_id=result.from_user.id)
