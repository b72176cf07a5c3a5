"""What handlers share: ``BotState``, held in ``application.bot_data`` through ``ContextTypes``.

``bot/app.py`` builds the application with ``CONTEXT_TYPES``, so ``context.bot_data`` is a
``BotState`` in every callback: settings, the live knowledge and the event log as typed
attributes. A reload replaces ``live.current`` in one assignment, so a handler reads
``state.knowledge`` afresh for each update and never keeps it in a closure or a default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from knowledge import KnowledgeBase
from knowledge.activity.events import EventLog
from knowledge.answering.answer import Answer, Status
from knowledge.live import LiveKnowledge


class HandlerSettings(Protocol):
    """The settings handlers read (``bot.config.Settings`` has them all)."""

    @property
    def moderators(self) -> frozenset[int]: ...
    @property
    def allowed_users(self) -> frozenset[int]: ...
    @property
    def allowed_chats(self) -> frozenset[int]: ...
    @property
    def log_questions(self) -> bool: ...
    @property
    def knowledge(self) -> Path | None: ...
    @property
    def data_dir(self) -> Path: ...
    @property
    def draft_max_bytes(self) -> int: ...
    @property
    def draft_max_claims(self) -> int: ...
    @property
    def drafts_per_moderator(self) -> int: ...
    @property
    def publish_confirm_removals(self) -> int: ...


@dataclass(frozen=True)
class PendingPublish:
    """A valid file that takes claims away, kept until its moderator confirms or cancels it."""

    user_id: int  # the moderator who sent it: only they may confirm it
    raw: bytes
    name: str
    removed: frozenset[str]  # the claim ids confirmed as going
    at: float  # time.monotonic() when it was asked


class NotLoaded(RuntimeError):
    """The knowledge or the event log was asked for outside post_init .. post_shutdown."""


@dataclass
class BotState:
    """The application's shared state; ``bot/app.py`` sets ``settings`` when it builds the bot."""

    settings: HandlerSettings = field(init=False)
    live: LiveKnowledge | None = None  # opened in post_init, closed in post_shutdown
    event_log: EventLog | None = None  # likewise
    last_update: float | None = None  # time.time() of the latest update received
    updates_seen: int = 0  # updates received since start-up
    updates_dropped: int = 0  # updates dropped unanswered since start-up: unreadable, or failing every time
    awaiting_article: set[int] = field(default_factory=set)  # moderators who sent /draft alone
    drafts_running: dict[int, int] = field(default_factory=dict)  # moderator -> drafts in progress
    # Publishes waiting for their moderator's confirmation button, by the token in its data.
    pending_publishes: dict[str, PendingPublish] = field(default_factory=dict)
    # Updates whose reply could not be sent (a transient Bot API failure after the retries):
    # the error handler notes them, and the shell leaves them unfinished, to answer after a restart.
    unsent: set[int] = field(default_factory=set)
    # Told each logged question's outcome and answer time in seconds; bot/app.py points it at
    # bot/metrics.py, so handlers count questions without knowing how they are exported.
    on_question: Callable[[Status, float], None] = lambda status, seconds: None

    @property
    def knowledge(self) -> KnowledgeBase:
        """The knowledge base serving right now."""
        if self.live is None:
            raise NotLoaded("the knowledge is not loaded")
        return self.live.current

    async def answer(self, question: str) -> Answer:
        """Answer off the event loop, from the knowledge in service (``LiveKnowledge.answer``)."""
        if self.live is None:
            raise NotLoaded("the knowledge is not loaded")
        return await self.live.answer(question)

    @property
    def events(self) -> EventLog:
        """The event log of questions and feedback."""
        if self.event_log is None:
            raise NotLoaded("the event log is not open")
        return self.event_log


# The context every handler receives: ``context.bot_data`` is the BotState.
Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotState]
CONTEXT_TYPES = ContextTypes(bot_data=BotState)
# The application bot/app.py builds.
App = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotState, Any]
