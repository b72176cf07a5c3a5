"""What handlers share through ``application.bot_data``: the knowledge base and the event log.

post_init puts them here under these keys. A /reload swaps ``bot_data[KNOWLEDGE]`` in one
assignment, so every handler reads it fresh through ``knowledge(context)`` and never keeps
it in a closure or a default argument.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext

from knowledge import KnowledgeBase
from knowledge.events import EventLog

KNOWLEDGE = "knowledge"
EVENTS = "events"
SETTINGS = "settings"


def knowledge(context: CallbackContext[Any, Any, Any, Any]) -> KnowledgeBase:
    """The knowledge base serving right now."""
    return context.bot_data[KNOWLEDGE]


def events(context: CallbackContext[Any, Any, Any, Any]) -> EventLog:
    """The event log of questions and feedback."""
    return context.bot_data[EVENTS]
