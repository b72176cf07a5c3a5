"""Inline mode: ``@bot words`` in any chat lists matching claims; picking one posts its card.

What people type on the way ("who", "who sa", "who said…") is never logged: each
keystroke is an inline query, and the fragments would bury /unanswered. A card actually
posted is logged, when the bot owner has turned on inline feedback (BotFather's
/setinlinefeedback): Telegram then sends a ``chosen_inline_result`` for each one.
"""

from __future__ import annotations

import hashlib

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update
from telegram.ext import ContextTypes

from handlers import render
from handlers.state import events, knowledge
from knowledge import Answer, Candidate

# Results change on /reload: let Telegram cache them only briefly.
CACHE_SECONDS = 30
MAX_RESULTS = 5


def matching(answer: Answer, answer_threshold: float) -> list[Candidate]:
    """The claims worth offering for an inline query: never anything for a refused one.

    Answered: the answer first, then other candidates that would themselves pass the
    answer threshold. Ambiguous: the "Did you mean…" options. Refused: nothing at all.
    """
    if answer.status == "answered" and answer.claim is not None:
        rest = [c for c in answer.candidates if c.claim.id != answer.claim.id and c.score >= answer_threshold]
        return [Candidate(answer.claim, answer.score), *rest][:MAX_RESULTS]
    if answer.status == "ambiguous":
        return list(answer.options)
    return []


def result_id(claim_id: str) -> str:
    """A stable inline result id within Telegram's 64 bytes, whatever the claim id's length."""
    return hashlib.blake2b(claim_id.encode(), digest_size=16).hexdigest()


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the claims matching the typed words, each posting its full card."""
    query = update.inline_query
    words = " ".join(query.query.split())
    if not words:
        await query.answer([], cache_time=CACHE_SECONDS,
                           button=InlineQueryResultsButton("Type a question to find a sourced claim",
                                                           start_parameter="help"))
        return
    kb = knowledge(context)
    found = matching(kb.answer(words), kb.matcher.thresholds.answer)
    results = [
        InlineQueryResultArticle(
            id=result_id(c.claim.id),
            title=render.shorten(c.claim.statement, 100),
            description=render.inline_description(c.claim),
            input_message_content=InputTextMessageContent(render.card(c.claim)),
        )
        for c in found
    ]
    button = None if results else InlineQueryResultsButton("No sourced answer. See what I cover",
                                                           start_parameter="topics")
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False, button=button)


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A card posted from inline results: log its query, and the claim if not the answer, as a pick."""
    result = update.chosen_inline_result
    words = " ".join(result.query.split())
    if not words:
        return
    kb = knowledge(context)
    answer = kb.answer(words)
    log = events(context)
    event_id = log.question(answer, chat_type="inline", user_id=result.from_user.id)
    # The result id is a hash of the claim id; after a /reload the claim may be gone.
    posted = next((c.claim.id for c in matching(answer, kb.matcher.thresholds.answer)
                   if result_id(c.claim.id) == result.result_id), None)
    if posted is not None and (answer.claim is None or posted != answer.claim.id):
        log.pick(event_id, claim_id=posted, user_id=result.from_user.id)
