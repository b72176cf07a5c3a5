"""`groundbot chat`: the bot's replies in a terminal, through the same matcher and renderings.

The store commands (/topics, /sources, /claim) come from ``render.command_reply``, the table
the Telegram handlers use, and so do the refusal and the unknown-command reply; only what a
terminal does differently lives here: plain text, claim ids shown in brackets (so /claim ID
can be found), and a number typed to pick a "Did you mean…" option instead of a button.
With an event log, questions and picks are logged through the same calls as the bot's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from telegram.constants import ChatType

from handlers import render
from knowledge import KnowledgeBase
from knowledge.activity.events import EventLog

# The in-chat commands, for the greeting, /help and `groundbot chat --help`.
COMMANDS = (
    ("/topics", "what I can answer, by source and by tag"),
    ("/topics TAG", "the claims with that tag, with their ids"),
    ("/sources", "the documents the claims come from"),
    ("/claim ID", "one claim by its id (ids are shown in [brackets] after each answer)"),
    ("NUMBER", 'picks an option of a "Did you mean…"'),
    ("/help", "this list"),
    ("/quit", "leaves (so do /exit and Ctrl-D)"),
)
HELP = "Ask a question in words, or:\n" + "\n".join(f"  {name:12} {what}" for name, what in COMMANDS)
QUIT = ("/quit", "/exit")
HISTORY_FILE = "chat_history"  # in the data directory, when chat is given one
HISTORY_LINES = 1000


class TerminalChat:
    """One conversation: remembers the "Did you mean…" options last offered, and logs as the bot does."""

    def __init__(self, kb: KnowledgeBase, events: EventLog | None = None):
        self.kb = kb
        self.events = events
        self.offered: list[str] = []  # claim ids, in the order they were numbered
        self.event_id: int | None = None  # the logged question the options belong to

    def reply(self, line: str) -> str:
        """The bot's plain-text reply to one line typed."""
        command, _, rest = line.partition(" ")
        name = command.removeprefix("/")
        if command in ("/help", "/start"):
            return HELP
        if command.startswith("/"):
            if name in render.STORE_COMMANDS:
                return render.command_reply(self.kb, name, rest, html=False)
            return render.UNKNOWN_COMMAND
        if line.isdigit() and self.offered:
            return self._pick(int(line))
        return self._answer(line)

    def _answer(self, question: str) -> str:
        started = time.perf_counter()
        answer = self.kb.answer(question)
        latency_ms = (time.perf_counter() - started) * 1000
        # The bot's call for a private chat; a terminal has no Telegram user or chat id.
        self.event_id = (
            self.events.question(answer, chat_type=ChatType.PRIVATE, latency_ms=latency_ms) if self.events else None
        )
        if answer.status == "refused":
            self.offered = []
            return render.refusal(answer)
        if answer.status == "answered" and answer.claim:
            self.offered = []
            return render.plain_cards(answer.claim, answer.also, lambda c: f"{render.plain_card(c)}\n[{c.id}]")
        self.offered = [c.claim.id for c in answer.options]
        options = "\n".join(f"  {i}. {c.claim.statement} [{c.claim.id}]" for i, c in enumerate(answer.options, 1))
        return f"Did you mean…\n{options}\n(type a number to pick one)"

    def _pick(self, n: int) -> str:
        if not 1 <= n <= len(self.offered):
            return f"Pick a number from 1 to {len(self.offered)}."
        claim_id = self.offered[n - 1]
        claim = self.kb.claim(claim_id)
        self.offered = []
        if claim is None:
            return render.gone(claim_id)
        if self.events and self.event_id is not None:
            self.events.pick(self.event_id, claim_id=claim_id)
        return f"{render.plain_card(claim)}\n[{claim.id}]"


def _readline() -> ModuleType | None:
    try:
        import readline  # absent on some platforms (Windows without pyreadline)
    except ImportError:
        return None
    return readline


@contextmanager
def line_editing(history: Path, *, interactive: bool) -> Iterator[bool]:
    """Arrow keys, line editing and a history kept in ``history`` for ``input()``, when ``interactive``.

    Yields whether line editing is on: off when input is not a terminal (a pipe, a test) or
    readline is missing. A history file that cannot be read or written is skipped, never fatal.
    """
    readline = _readline() if interactive else None
    if readline is None:
        yield False
        return
    readline.set_history_length(HISTORY_LINES)
    try:
        readline.read_history_file(history)
    except OSError:
        pass  # no history yet, or not readable
    try:
        yield True
    finally:
        try:
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)
            history.chmod(0o600)  # the questions typed are the moderator's own business
        except OSError:
            pass
